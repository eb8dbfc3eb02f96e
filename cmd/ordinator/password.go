package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// passwordEnv is the environment variable a password may come from.
const passwordEnv = "ORDINATOR_PASSWORD"

// passwordInput is where a command takes a password from. A password
// given as a flag shows in the process list and the shell's history, so
// the flag is for throwaway scripts; people type it at the prompt, and
// programs pipe it (--password-stdin) or set ORDINATOR_PASSWORD.
type passwordInput struct {
	flag  string
	stdin bool
}

func (p *passwordInput) register(fs *flag.FlagSet) {
	fs.StringVar(&p.flag, "password", "", "password; visible to other users of this machine, prefer the prompt, --password-stdin or "+passwordEnv)
	fs.BoolVar(&p.stdin, "password-stdin", false, "read the password from the first line of standard input")
}

// read returns the password: --password, else the first line of in with
// --password-stdin, else $ORDINATOR_PASSWORD, else what is typed at the
// terminal in is (not echoed; twice if confirm, for a new password).
func (p *passwordInput) read(in io.Reader, prompt io.Writer, getenv func(string) string, confirm bool) (string, error) {
	switch {
	case p.flag != "" && p.stdin:
		return "", errors.New("--password and --password-stdin: give one")
	case p.flag != "":
		return p.flag, nil
	case p.stdin:
		line, err := bufio.NewReader(in).ReadString('\n')
		if err != nil && line == "" {
			return "", errors.New("--password-stdin: standard input has no password")
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	if v := getenv(passwordEnv); v != "" {
		return v, nil
	}
	f, ok := in.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", errors.New("no password: type it at a terminal, pipe it with --password-stdin, or set " + passwordEnv)
	}
	pw, err := promptPassword(f, prompt, "password: ")
	if err != nil || !confirm {
		return pw, err
	}
	again, err := promptPassword(f, prompt, "password (again): ")
	if err != nil {
		return "", err
	}
	if again != pw {
		return "", errors.New("the two passwords typed differ")
	}
	return pw, nil
}

func promptPassword(f *os.File, prompt io.Writer, label string) (string, error) {
	fmt.Fprint(prompt, label)
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(prompt)
	if err != nil {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	return string(b), nil
}
