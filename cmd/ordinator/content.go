package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/peterbourgon/ff/v3/ffcli"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/content"
)

// contentCommand is `ordinator content`: the editors' tasks from a shell,
// run on the database directly as the system account.
func contentCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := newFlagSet("content")
	return &ffcli.Command{
		Name:       "content",
		ShortUsage: "ordinator content <import|list|publish|unpublish|keygen|export-bundle|import-bundle> [flags]",
		ShortHelp:  "manage the content library: import Markdown files, list, publish, unpublish, bundles for other countries",
		LongHelp: "Works on the database given by the storage flags (the embedded SQLite database by default),\n" +
			"as the system account. Phones get the changes at their next sync.",
		FlagSet: fs,
		Subcommands: []*ffcli.Command{
			contentImportCommand(stdout),
			contentListCommand(stdout),
			contentPublishCommand(stdout, "publish", true),
			contentPublishCommand(stdout, "unpublish", false),
			contentKeygenCommand(stdout),
			contentExportBundleCommand(stdout),
			contentImportBundleCommand(stdout),
		},
		Exec: func(context.Context, []string) error { return flag.ErrHelp },
	}
}

// withContent opens the store and runs fn with the content service.
func withContent(ctx context.Context, cfg *Config, fn func(*content.Service) error) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	return fn(content.New(store, content.Config{Logger: cfg.logger(io.Discard)}))
}

func contentImportCommand(stdout io.Writer) *ffcli.Command {
	var cfg Config
	fs := newFlagSet("content import")
	cfg.registerStorage(fs)
	publish := fs.Bool("publish", false, "publish each item once it is saved")
	return &ffcli.Command{
		Name:       "import",
		ShortUsage: "ordinator content import [--publish] FILE.md...",
		ShortHelp:  "create or update items from Markdown files with YAML front matter",
		LongHelp: "Each file is one item: a YAML header between --- lines (id, kind, title, specialties, regions,\n" +
			"public, starts, ends, and per kind authors/journal/year/doi/url, url/duration, points/pass_mark/quiz)\n" +
			"and a Markdown body (a training's lessons each start with a '# Title' line). A file whose id exists\n" +
			"updates that item as a new version. Files are imported one by one; one that is refused changes nothing.",
		FlagSet: fs,
		Options: envOptions,
		Exec: func(ctx context.Context, args []string) error {
			if len(args) == 0 {
				return errors.New("content import needs at least one Markdown file")
			}
			return withContent(ctx, &cfg, func(svc *content.Service) error {
				failed := 0
				for _, file := range args {
					if err := importFile(ctx, svc, stdout, file, *publish); err != nil {
						fmt.Fprintf(stdout, "%s: %v\n", file, err)
						failed++
					}
				}
				if failed > 0 {
					return fmt.Errorf("%d of %d files not imported", failed, len(args))
				}
				return nil
			})
		},
	}
}

func importFile(ctx context.Context, svc *content.Service, out io.Writer, file string, publish bool) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return errors.Unwrap(err)
	}
	saved, _, err := svc.ImportMarkdown(ctx, auth.System, data)
	if err != nil {
		return err
	}
	if publish {
		if saved, err = svc.PublishItem(ctx, auth.System, saved.Item.Id); err != nil {
			return fmt.Errorf("saved, not published: %w", err)
		}
	}
	fmt.Fprintf(out, "%s: %s %s version %d, %s\n", file, kindLabel(saved.Item.Kind), saved.Item.Id, saved.Item.Version, stateLabel(saved.Status.State))
	return nil
}

func contentListCommand(stdout io.Writer) *ffcli.Command {
	var cfg Config
	fs := newFlagSet("content list")
	cfg.registerStorage(fs)
	kind := fs.String("kind", "", "only items of this kind: article, paper, video or training")
	state := fs.String("state", "", "only items in this state: draft, scheduled, live, ended or unpublished")
	specialty := fs.String("specialty", "", "only items for this specialty")
	region := fs.String("region", "", "only items for this region")
	return &ffcli.Command{
		Name:       "list",
		ShortUsage: "ordinator content list [flags]",
		ShortHelp:  "list items, most recently changed first",
		FlagSet:    fs,
		Options:    envOptions,
		Exec: func(ctx context.Context, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("content list takes no arguments, got %q", args)
			}
			k, ok := content.KindFromName(*kind)
			if !ok {
				return fmt.Errorf("--kind %q: use article, paper, video or training", *kind)
			}
			var st contentv1.ItemState
			if *state != "" {
				v, ok := contentv1.ItemState_value["ITEM_STATE_"+strings.ToUpper(*state)]
				if !ok || v == 0 {
					return fmt.Errorf("--state %q: use draft, scheduled, live, ended or unpublished", *state)
				}
				st = contentv1.ItemState(v)
			}
			return withContent(ctx, &cfg, func(svc *content.Service) error {
				w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "ID\tKIND\tSTATE\tVERSION\tSPECIALTIES\tREGIONS\tTITLE")
				f := content.Filter{Kind: k, State: st, Specialty: *specialty, RegionID: *region, PageSize: 500}
				for {
					items, next, err := svc.ListItems(ctx, auth.System, f)
					if err != nil {
						return err
					}
					for _, e := range items {
						it := e.Item
						fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", it.Id, kindLabel(it.Kind), stateLabel(e.Status.State), it.Version,
							strings.Join(it.Specialties, ","), strings.Join(it.RegionIds, ","), it.Title)
					}
					if next == "" {
						return w.Flush()
					}
					f.PageToken = next
				}
			})
		},
	}
}

func contentPublishCommand(stdout io.Writer, name string, publish bool) *ffcli.Command {
	var cfg Config
	fs := newFlagSet("content " + name)
	cfg.registerStorage(fs)
	help := "publish items: they reach their audience's phones while their window is open"
	if !publish {
		help = "unpublish items: they leave every phone"
	}
	return &ffcli.Command{
		Name:       name,
		ShortUsage: "ordinator content " + name + " ID...",
		ShortHelp:  help,
		FlagSet:    fs,
		Options:    envOptions,
		Exec: func(ctx context.Context, args []string) error {
			if len(args) == 0 {
				return fmt.Errorf("content %s needs the ids of the items", name)
			}
			return withContent(ctx, &cfg, func(svc *content.Service) error {
				for _, id := range args {
					var e *contentv1.EditorItem
					var err error
					if publish {
						e, err = svc.PublishItem(ctx, auth.System, id)
					} else {
						e, err = svc.UnpublishItem(ctx, auth.System, id)
					}
					if err != nil {
						return fmt.Errorf("%s: %w", id, err)
					}
					fmt.Fprintf(stdout, "%s: %s\n", id, stateLabel(e.Status.State))
				}
				return nil
			})
		},
	}
}

func kindLabel(k contentv1.ItemKind) string {
	return strings.ToLower(strings.TrimPrefix(k.String(), "ITEM_KIND_"))
}

func stateLabel(s contentv1.ItemState) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "ITEM_STATE_"))
}
