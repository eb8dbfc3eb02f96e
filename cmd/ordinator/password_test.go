package main

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"connectrpc.com/connect"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/auth/v1/authv1connect"
)

// withInput runs the command line with stdin reading input.
func withInput(t *testing.T, input string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := runWithInput(context.Background(), args, strings.NewReader(input), &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestPasswordSources: admin create-user and device login take the
// password from standard input (--password-stdin) or ORDINATOR_PASSWORD;
// with neither and no terminal they say how to give it.
func TestPasswordSources(t *testing.T) {
	dir := t.TempDir()
	data := []string{"--data-dir", filepath.Join(dir, "ordinator-data")} // where serve in dir looks
	if code, out, errOut := withInput(t, "", append([]string{"admin", "create-region", "--id", "msk", "--name", "Moscow"}, data...)...); code != 0 {
		t.Fatalf("create-region: %d %s%s", code, out, errOut)
	}
	rep := func(email string, extra ...string) []string {
		return append(append([]string{"admin", "create-user", "--role", "rep", "--email", email, "--name", "Rep", "--region", "msk"}, data...), extra...)
	}
	if code, out, errOut := withInput(t, "from stdin pw\n", rep("stdin@x.ru", "--password-stdin")...); code != 0 || !strings.Contains(out, "created rep") {
		t.Fatalf("--password-stdin: %d %s%s", code, out, errOut)
	}
	t.Setenv(passwordEnv, "from the env pw")
	if code, out, errOut := withInput(t, "", rep("env@x.ru")...); code != 0 {
		t.Fatalf("%s: %d %s%s", passwordEnv, code, out, errOut)
	}
	t.Setenv(passwordEnv, "")
	code, _, errOut := withInput(t, "", rep("none@x.ru")...)
	if code != 1 || !strings.Contains(errOut, "no password: type it at a terminal, pipe it with --password-stdin, or set ORDINATOR_PASSWORD") {
		t.Fatalf("no password anywhere: %d %q", code, errOut)
	}
	if code, _, errOut := withInput(t, "", rep("empty@x.ru", "--password-stdin")...); code != 1 || !strings.Contains(errOut, "--password-stdin: standard input has no password") {
		t.Fatalf("--password-stdin with nothing on stdin: %d %q", code, errOut)
	}

	p := start(t, dir)
	login := func(email, password string) error {
		_, err := authv1connect.NewAuthServiceClient(http.DefaultClient, p.url()).Login(context.Background(),
			connect.NewRequest(&authv1.LoginRequest{Login: email, Password: password, DeviceName: "test"}))
		return err
	}
	for email, pw := range map[string]string{"stdin@x.ru": "from stdin pw", "env@x.ru": "from the env pw"} {
		if err := login(email, pw); err != nil {
			t.Errorf("%s cannot sign in with the password given: %v", email, err)
		}
	}
	if err := login("none@x.ru", "any password"); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Errorf("the refused account exists: %v", err)
	}

	// The device signs in the same ways.
	device := t.TempDir()
	if code, out, errOut := withInput(t, "from stdin pw\n", "device", "login", "--server", p.url(), "--login", "stdin@x.ru", "--password-stdin", "--dir", device); code != 0 || !strings.Contains(out, "logged in as") {
		t.Fatalf("device login --password-stdin: %d %s%s", code, out, errOut)
	}
	t.Setenv(passwordEnv, "from the env pw")
	if code, out, errOut := withInput(t, "", "device", "login", "--server", p.url(), "--login", "env@x.ru", "--dir", t.TempDir()); code != 0 {
		t.Fatalf("device login with %s: %d %s%s", passwordEnv, code, out, errOut)
	}
}
