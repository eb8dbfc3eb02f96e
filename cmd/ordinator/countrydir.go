package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"text/tabwriter"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/ordinatorhq/ordinator/rules/countrydir"
	"github.com/ordinatorhq/ordinator/rules/signkey"
)

// directoryCommand signs and checks the country directory apps fetch
// before sign-in (see rules/countrydir). It needs no database: the document
// is static and lists no one.
func directoryCommand(stdout io.Writer) *ffcli.Command {
	keygenFS := newFlagSet("directory keygen")
	keygenKey := keygenFS.String("key", "", "file to write the new signing key to (created, never overwritten)")
	signFS := newFlagSet("directory sign")
	signKey := signFS.String("key", "", "the signing key file, as keygen wrote it")
	signOut := signFS.String("out", "", "file to write the signed directory to (default: standard output)")
	verifyFS := newFlagSet("directory verify")
	verifyPub := verifyFS.String("public-key", "", "the public key (base64) apps have built in")
	return &ffcli.Command{
		Name:       "directory",
		ShortUsage: "ordinator directory keygen|sign|verify [flags]",
		ShortHelp:  "sign and verify the country directory apps find their stack in",
		LongHelp: "The directory maps each country code to its stack's API URL, media URL and minimum app\n" +
			"version; apps fetch it before sign-in and verify its ed25519 signature with a public key\n" +
			"built into them. It lists no users.",
		FlagSet: newFlagSet("directory"),
		Subcommands: []*ffcli.Command{{
			Name:       "keygen",
			ShortUsage: "ordinator directory keygen --key FILE",
			ShortHelp:  "create a signing key and print its public key",
			FlagSet:    keygenFS,
			Exec: func(_ context.Context, args []string) error {
				if *keygenKey == "" || len(args) > 0 {
					return fmt.Errorf("directory keygen: give --key FILE and nothing else")
				}
				pub, priv, err := ed25519.GenerateKey(nil)
				if err != nil {
					return err
				}
				f, err := os.OpenFile(*keygenKey, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
				if errors.Is(err, fs.ErrExist) {
					return fmt.Errorf("directory keygen: %s exists; a signing key is never overwritten", *keygenKey)
				} else if err != nil {
					return fmt.Errorf("directory keygen: %v", err)
				}
				if _, err := fmt.Fprintln(f, signkey.EncodePrivate(priv)); err != nil {
					f.Close()
					return err
				}
				if err := f.Close(); err != nil {
					return err
				}
				fmt.Fprintf(stdout, "signing key written to %s (keep it secret)\npublic key, to build into the apps: %s\n", *keygenKey, signkey.EncodePublic(pub))
				return nil
			},
		}, {
			Name:       "sign",
			ShortUsage: "ordinator directory sign --key FILE [--out FILE] DIRECTORY.json",
			ShortHelp:  "check a directory document and sign it",
			FlagSet:    signFS,
			Exec: func(_ context.Context, args []string) error {
				if *signKey == "" || len(args) != 1 {
					return fmt.Errorf("directory sign: give --key FILE and one document")
				}
				raw, err := os.ReadFile(*signKey)
				if err != nil {
					return fmt.Errorf("directory sign: %v", err)
				}
				key, err := signkey.ParsePrivate(string(raw))
				if err != nil {
					return fmt.Errorf("%s: %w", *signKey, err)
				}
				body, err := os.ReadFile(args[0])
				if err != nil {
					return fmt.Errorf("directory sign: %v", err)
				}
				d, err := countrydir.Parse(body)
				if err != nil {
					return fmt.Errorf("%s: %w", args[0], err)
				}
				out, err := countrydir.Sign(d, key)
				if err != nil {
					return err
				}
				if *signOut == "" {
					_, err = stdout.Write(out)
					return err
				}
				if err := os.WriteFile(*signOut, out, 0o644); err != nil {
					return fmt.Errorf("directory sign: %v", err)
				}
				fmt.Fprintf(stdout, "signed directory version %d (%d countries) written to %s\n", d.Version, len(d.Countries), *signOut)
				return nil
			},
		}, {
			Name:       "verify",
			ShortUsage: "ordinator directory verify --public-key BASE64 SIGNED.json",
			ShortHelp:  "verify a signed directory as an app would, and list it",
			FlagSet:    verifyFS,
			Exec: func(_ context.Context, args []string) error {
				if *verifyPub == "" || len(args) != 1 {
					return fmt.Errorf("directory verify: give --public-key and one signed directory")
				}
				pub, err := signkey.ParsePublic(*verifyPub)
				if err != nil {
					return fmt.Errorf("--public-key: %w", err)
				}
				body, err := os.ReadFile(args[0])
				if err != nil {
					return fmt.Errorf("directory verify: %v", err)
				}
				d, err := countrydir.Verify(body, pub)
				if err != nil {
					return fmt.Errorf("%s: %w", args[0], err)
				}
				fmt.Fprintf(stdout, "directory version %d, signature good\n", d.Version)
				w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "COUNTRY\tAPI\tMEDIA\tMIN APP")
				for _, c := range d.Codes() {
					e := d.Countries[c]
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", c, e.APIURL, e.MediaURL, e.MinAppVersion)
				}
				return w.Flush()
			},
		}},
	}
}
