package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// tsPassed is node:test's summary of passed tests.
var tsPassed = regexp.MustCompile(`(?m)^# pass ([1-9][0-9]*)$`)

// TestTypeScriptClient runs the generated TypeScript client's test
// (clients/ts, compiled with tsc, run by node:test) against a real
// `ordinator serve --demo`: a client that knows only the protos signs in,
// pulls to a checkpoint, decodes a doctor and pushes a mutation.
func TestTypeScriptClient(t *testing.T) {
	client, err := filepath.Abs("../../clients/ts")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(client, "node_modules")); err != nil {
		t.Fatal("clients/ts has no node_modules: run `make generate` or `npm ci --prefix clients/ts` (needs node and npm)")
	}
	p := start(t, t.TempDir(), "--demo")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "test")
	cmd.Dir = client
	cmd.Env = append(os.Environ(), "ORDINATOR_URL="+p.url())
	out, err := cmd.CombinedOutput()
	if err != nil || !tsPassed.Match(out) || !strings.Contains(string(out), "\n# fail 0\n") {
		p.stop(t)
		t.Fatalf("the TypeScript client's test failed (%v):\n%s\nserver log:\n%s", err, out, p.logs)
	}
	if code := p.stop(t); code != 0 {
		t.Fatalf("serve exited with %d:\n%s", code, p.logs)
	}
}

// TestTypeScriptReadme keeps the README's TypeScript example true: every
// line of it is a line of the client's test.
func TestTypeScriptReadme(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	test, err := os.ReadFile("../../clients/ts/test/client.test.ts")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "\n## TypeScript client\n")
	if !ok {
		t.Fatal("README.md has no section \"TypeScript client\"")
	}
	_, block, ok := strings.Cut(after, "```ts\n")
	block, _, closed := strings.Cut(block, "```")
	if !ok || !closed {
		t.Fatal("the README's TypeScript client section has no ```ts block")
	}
	lines := map[string]bool{}
	for _, l := range strings.Split(string(test), "\n") {
		lines[strings.TrimSpace(l)] = true
	}
	n := 0
	for _, l := range strings.Split(block, "\n") {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		n++
		if !lines[l] {
			t.Errorf("README line not in clients/ts/test/client.test.ts: %s", l)
		}
	}
	if n == 0 {
		t.Error("the README's TypeScript example is empty")
	}
}
