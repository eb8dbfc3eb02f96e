package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/ordinatorhq/ordinator/server/mutator"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// readmeSection returns the README's text from a heading to the next one
// of the same level.
func readmeSection(t *testing.T, heading string) string {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README.md has no section %q", heading)
	}
	level := heading[:strings.Index(heading, " ")+1]
	section, _, _ := strings.Cut(after, "\n"+level)
	return section
}

// shellWords splits a command line as sh would for the README's commands:
// words, 'single-quoted' words, and a # comment to the end of the line.
func shellWords(line string) []string {
	var words []string
	var word strings.Builder
	inWord, quoted := false, false
	for _, r := range line {
		switch {
		case quoted && r == '\'':
			quoted = false
		case quoted:
			word.WriteRune(r)
		case r == '\'':
			quoted, inWord = true, true
		case r == '#' && !inWord:
			return words
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, word.String())
	}
	return words
}

// TestDeviceReadme runs the README's `ordinator device` commands, as
// written, against `ordinator serve --demo` (the password given as the
// prompt would take it; --watch, which runs until interrupted, left out).
func TestDeviceReadme(t *testing.T) {
	section := readmeSection(t, "## `ordinator device`")
	p := start(t, t.TempDir(), "--demo")
	t.Chdir(t.TempDir()) // the commands use the default --dir
	_, block, _ := strings.Cut(section, "```sh\n")
	block, _, _ = strings.Cut(block, "```")
	outputs := map[string]string{}
	ran := 0
	for _, line := range strings.Split(block, "\n") {
		args := shellWords(line)
		if len(args) == 0 {
			continue
		}
		if len(args) < 3 || args[0] != "ordinator" || args[1] != "device" {
			t.Fatalf("the README's device example has a line that is not an ordinator device command: %s", line)
		}
		args = args[2:]
		if slices.Contains(args, "--watch") {
			continue
		}
		if args[0] == "login" {
			if i := slices.Index(args, "--server"); i >= 0 {
				args = slices.Delete(args, i, i+2)
			}
			args = append(args, "--server", p.url(), "--password", demoPassword)
		}
		out, errOut, code := device(t, context.Background(), args...)
		if code != 0 {
			t.Fatalf("README: %s\nexit %d\n%s%s", line, code, out, errOut)
		}
		outputs[strings.Join(args, " ")] = out
		ran++
	}
	if ran < 8 {
		t.Fatalf("ran %d commands of the README's example", ran)
	}
	for cmd, want := range map[string][]string{
		"list case": {`"diagnosis": "акне"`, `"status": "CASE_STATUS_DRAFT"`, "1 of 1 records"},
		"list doctor --dir rep --prefix name_key=пав --order status": {`"full_name": "Павел Орлов"`, "1 of 1 records"},
		"list doctor --dir rep --json":                               {`"pending":false,"record":{"id":`},
	} {
		for _, w := range want {
			if !strings.Contains(outputs[cmd], w) {
				t.Errorf("README: ordinator device %s printed no %q:\n%s", cmd, w, outputs[cmd])
			}
		}
	}
}

// payloadTable is the README's table of the protocol's messages: each
// mutation's arguments as the server's registry has them, each
// collection's payload as payloadTypes does.
func payloadTable(reg *syncengine.Registry, types payloadTypes) (string, error) {
	var b strings.Builder
	b.WriteString("| name | kind | message |\n| --- | --- | --- |\n")
	for _, name := range sortedKeys(types.collections) {
		fmt.Fprintf(&b, "| `%s` | collection | `%s` |\n", name, types.collections[name].Descriptor().FullName())
	}
	for _, name := range reg.Names() {
		m, _ := reg.Lookup(name)
		typ, ok := mutator.ArgsOf(m)
		if !ok {
			return "", fmt.Errorf("mutation %s: its mutator does not say its arguments' message (make it with mutator.New)", name)
		}
		fmt.Fprintf(&b, "| `%s` | mutation | `%s` |\n", name, typ.Descriptor().FullName())
	}
	return b.String(), nil
}

// TestPayloadTable: the README lists the message of every mutation the
// server registers and of every collection, as generated from the
// registry; and `ordinator device`, which reads arguments as JSON without
// a server at hand, knows each mutation by the message the server decodes.
func TestPayloadTable(t *testing.T) {
	p := startPlatform(t, platformOptions{})
	reg := p.App.engine.Registry()
	types := newPayloadTypes()
	for _, name := range reg.Names() {
		m, _ := reg.Lookup(name)
		want, ok := mutator.ArgsOf(m)
		if got := types.mutations[name]; ok && (got == nil || got.Descriptor().FullName() != want.Descriptor().FullName()) {
			t.Errorf("ordinator device reads the arguments of %s as %v, the server as %s (its proto's ordinator.sync.v1.mutation option names it)", name, got, want.Descriptor().FullName())
		}
	}
	for name := range types.mutations {
		if _, ok := reg.Lookup(name); !ok {
			t.Errorf("ordinator device knows a mutation %s the server does not register", name)
		}
	}
	table, err := payloadTable(reg, types)
	if err != nil {
		t.Fatal(err)
	}
	section := readmeSection(t, "### Payloads and arguments")
	_, got, ok := strings.Cut(section, "<!-- payload table: generated by TestPayloadTable -->\n")
	got, _, closed := strings.Cut(got, "<!-- end of payload table -->")
	if !ok || !closed {
		t.Fatal("README.md's \"Payloads and arguments\" lacks the payload table's markers")
	}
	if got != table {
		t.Fatalf("README.md's payload table differs from the registry's; put this one between its markers:\n\n%s", table)
	}
}
