package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/ordinatorhq/ordinator/rules/signkey"
	"github.com/ordinatorhq/ordinator/server/content"
	"github.com/ordinatorhq/ordinator/server/content/bundle"
	"github.com/ordinatorhq/ordinator/server/media"
)

// BundleConfig says which content bundles this stack accepts, and where it
// pulls them from by itself.
type BundleConfig struct {
	TrustedKeys string
	MappingFile string
	Source      string
	Interval    time.Duration
}

// registerImport adds the flags an import of bundles needs.
func (c *BundleConfig) registerImport(fs *flag.FlagSet) {
	fs.StringVar(&c.TrustedKeys, "content-trusted-keys", "", "keys whose content bundles are accepted, as country=base64key pairs separated by commas (ru=...)")
	fs.StringVar(&c.MappingFile, "content-mapping", "", "YAML file mapping the source stacks' regions and specialties onto this stack's")
}

// registerPull adds the flags of the periodic pull to serve.
func (c *BundleConfig) registerPull(fs *flag.FlagSet) {
	c.registerImport(fs)
	fs.StringVar(&c.Source, "content-source", "", "URL (or file) of another stack's content bundle for this stack, imported every --content-source-interval")
	fs.DurationVar(&c.Interval, "content-source-interval", time.Hour, "how often --content-source is fetched")
}

func (c *BundleConfig) validate() error {
	if c.Source == "" {
		return nil
	}
	if c.Interval <= 0 {
		return fmt.Errorf("--content-source-interval must be positive, e.g. 1h")
	}
	if c.TrustedKeys == "" || c.MappingFile == "" {
		return fmt.Errorf("--content-source needs --content-trusted-keys and --content-mapping")
	}
	_, err := c.options("")
	return err
}

// options reads the trusted keys and the mapping.
func (c *BundleConfig) options(country string) (content.ImportOptions, error) {
	trusted, err := bundle.ParseTrusted(c.TrustedKeys)
	if err != nil {
		return content.ImportOptions{}, fmt.Errorf("--content-trusted-keys: %w", err)
	}
	if len(trusted) == 0 {
		return content.ImportOptions{}, fmt.Errorf("--content-trusted-keys: no key given, so no bundle can be trusted")
	}
	if c.MappingFile == "" {
		return content.ImportOptions{}, fmt.Errorf("--content-mapping: a mapping file is required")
	}
	data, err := os.ReadFile(c.MappingFile)
	if err != nil {
		return content.ImportOptions{}, fmt.Errorf("--content-mapping: %v", errors.Unwrap(err))
	}
	m, err := content.ParseMapping(data)
	if err != nil {
		return content.ImportOptions{}, fmt.Errorf("--content-mapping %s: %w", c.MappingFile, err)
	}
	return content.ImportOptions{Trusted: trusted, Country: country, Mapping: m}, nil
}

// bundlePull is the serve loop that pulls --content-source, if given.
func bundlePull(cfg *Config, library *content.Service, images *media.Service) []func(context.Context) error {
	b := cfg.Bundles
	if b.Source == "" {
		return nil
	}
	opt, _ := b.options(stackCountry(cfg)) // checked by validate
	p := content.Pull{URL: b.Source, Fetch: fetchBundle, Every: b.Interval, Media: images, Options: opt}
	return []func(context.Context) error{func(ctx context.Context) error { library.RunPull(ctx, p); return nil }}
}

// stackCountry is the country code of this stack.
func stackCountry(cfg *Config) string { return cfg.Country }

// fetchBundle reads a bundle from an http(s) URL or a file.
func fetchBundle(ctx context.Context, src string) ([]byte, error) {
	if !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") {
		data, err := os.ReadFile(src)
		if err != nil {
			return nil, fmt.Errorf("reading the bundle: %v", errors.Unwrap(err))
		}
		return data, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching the bundle: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching the bundle: %s answered %s", src, res.Status)
	}
	data, err := io.ReadAll(io.LimitReader(res.Body, bundle.MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("fetching the bundle: %w", err)
	}
	return data, nil
}

// withBundles opens the store and the blob store and runs fn with the
// content and media services.
func withBundles(ctx context.Context, cfg *Config, fn func(*content.Service, *media.Service) error) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	if err := cfg.Media.validate(cfg.Country); err != nil {
		return err
	}
	s3, err := openS3(ctx, cfg)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	log := cfg.logger(io.Discard)
	// One-shot commands sign no photo URLs; the address only fills fsblob's.
	blobs, err := openBlobs(cfg, s3, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, log)
	if err != nil {
		return err
	}
	images, err := media.New(media.Config{Store: store, Blobs: blobs.store, MaxBytes: cfg.Media.MaxBytes, Logger: log})
	if err != nil {
		return err
	}
	return fn(content.New(store, content.Config{Logger: log, Media: media.ContentImages{}}), images)
}

func contentKeygenCommand(stdout io.Writer) *ffcli.Command {
	var cfg Config
	fs := newFlagSet("content keygen")
	registerCountry(fs, &cfg)
	out := fs.String("out", "", "file to write the new signing key to (it must not exist)")
	return &ffcli.Command{
		Name:       "keygen",
		ShortUsage: "ordinator content keygen --out FILE [--region ru]",
		ShortHelp:  "make the ed25519 key this stack signs its content bundles with",
		LongHelp: "Writes the private key to FILE (readable by its owner only) and prints the public key, as the\n" +
			"country=key pair the importing stacks put in --content-trusted-keys.",
		FlagSet: fs,
		Options: envOptions,
		Exec: func(_ context.Context, args []string) error {
			if *out == "" || len(args) > 0 {
				return errors.New("content keygen needs --out FILE and no arguments")
			}
			pub, key, err := ed25519.GenerateKey(nil)
			if err != nil {
				return err
			}
			f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return fmt.Errorf("--out: %v (a key is never overwritten)", errors.Unwrap(err))
			}
			if _, err := fmt.Fprintln(f, signkey.EncodePrivate(key)); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s=%s\n", stackCountry(&cfg), signkey.EncodePublic(pub))
			return nil
		},
	}
}

func contentExportBundleCommand(stdout io.Writer) *ffcli.Command {
	var cfg Config
	fs := newFlagSet("content export-bundle")
	cfg.registerStorage(fs)
	cfg.Media.register(fs)
	to := fs.String("to", "", "country code of the stack the bundle is for (kz)")
	out := fs.String("out", "", "file to write the bundle to")
	keyFile := fs.String("content-signing-key", "", "file holding this stack's signing key (ordinator content keygen)")
	return &ffcli.Command{
		Name:       "export-bundle",
		ShortUsage: "ordinator content export-bundle --to kz --out FILE --content-signing-key KEYFILE",
		ShortHelp:  "write the signed bundle of published content for another country's stack",
		LongHelp: "The bundle holds the published items that go to --to (not local-only; naming it among their\n" +
			"countries, or naming none) and their images, signed with --content-signing-key. An export whose\n" +
			"content is unchanged keeps the previous bundle's version.",
		FlagSet: fs,
		Options: envOptions,
		Exec: func(ctx context.Context, args []string) error {
			if *to == "" || *out == "" || *keyFile == "" || len(args) > 0 {
				return errors.New("content export-bundle needs --to, --out and --content-signing-key, and no arguments")
			}
			raw, err := os.ReadFile(*keyFile)
			if err != nil {
				return fmt.Errorf("--content-signing-key: %v", errors.Unwrap(err))
			}
			key, err := signkey.ParsePrivate(string(raw))
			if err != nil {
				return fmt.Errorf("--content-signing-key %s: %w", *keyFile, err)
			}
			return withBundles(ctx, &cfg, func(library *content.Service, images *media.Service) error {
				data, res, err := library.ExportBundle(ctx, images, content.ExportOptions{Source: stackCountry(&cfg), Destination: *to, Key: key})
				if err != nil {
					return err
				}
				if err := writeFileAtomic(*out, data); err != nil {
					return err
				}
				state := "new content"
				if res.Unchanged {
					state = "unchanged since the last export"
				}
				fmt.Fprintf(stdout, "%s: bundle %s→%s version %d, %d items, %d images, %s\n", *out, stackCountry(&cfg), *to, res.Version, res.Items, res.Images, state)
				return nil
			})
		},
	}
}

// writeFileAtomic replaces file with data, so a file server never serves
// half a bundle.
func writeFileAtomic(file string, data []byte) error {
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("--out: %v", errors.Unwrap(err))
	}
	return os.Rename(tmp, file)
}

func contentImportBundleCommand(stdout io.Writer) *ffcli.Command {
	var cfg Config
	fs := newFlagSet("content import-bundle")
	cfg.registerStorage(fs)
	cfg.Media.register(fs)
	cfg.Bundles.registerImport(fs)
	return &ffcli.Command{
		Name:       "import-bundle",
		ShortUsage: "ordinator content import-bundle --content-trusted-keys ru=KEY --content-mapping FILE BUNDLE|URL",
		ShortHelp:  "verify another country's content bundle and publish its items here",
		LongHelp: "Refused, with nothing imported, if the bundle is not signed by a trusted key of its source, is for\n" +
			"another stack, is older than the last one imported, has an image that does not match its digest, or\n" +
			"names a region or specialty the mapping does not map (or maps to a region this stack lacks).",
		FlagSet: fs,
		Options: envOptions,
		Exec: func(ctx context.Context, args []string) error {
			if len(args) != 1 {
				return errors.New("content import-bundle needs one bundle file or URL")
			}
			opt, err := cfg.Bundles.options(stackCountry(&cfg))
			if err != nil {
				return err
			}
			data, err := fetchBundle(ctx, args[0])
			if err != nil {
				return err
			}
			return withBundles(ctx, &cfg, func(library *content.Service, images *media.Service) error {
				res, err := library.ImportBundle(ctx, images, data, opt)
				if err != nil {
					return fmt.Errorf("%s: nothing imported: %w", args[0], err)
				}
				if res.Unchanged {
					fmt.Fprintf(stdout, "%s: bundle from %s version %d was imported already; nothing changed\n", args[0], res.Source, res.Version)
					return nil
				}
				fmt.Fprintf(stdout, "%s: bundle from %s version %d: %d added, %d updated, %d unchanged, %d withdrawn\n",
					args[0], res.Source, res.Version, res.Added, res.Updated, res.Kept, res.Withdrawn)
				if len(res.Dropped) > 0 {
					fmt.Fprintf(stdout, "not imported (the mapping drops all their regions or specialties): %s\n", strings.Join(res.Dropped, ", "))
				}
				return nil
			})
		},
	}
}
