package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/peterbourgon/ff/v3/ffcli"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/rules/specialty"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/probase"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// adminTask is an admin command's work, given the opened services.
type adminTask func(ctx context.Context, s *adminServices) (string, error)

type adminServices struct {
	store    syncengine.Store
	accounts *auth.Service
	dir      *probase.Service
}

// userID resolves a --user flag given as an id, e-mail or phone.
func (s *adminServices) userID(ctx context.Context, login string) (string, error) {
	var id string
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		if u, err := auth.FindUser(ctx, q, login); err == nil {
			id = u.ID
			return nil
		}
		u, err := auth.FindUserByLogin(ctx, q, login)
		id = u.ID
		return err
	})
	return id, err
}

// adminSub builds one `ordinator admin` subcommand: its own flags plus the
// storage flags, and a task run as the server itself.
func adminSub(stdout, stderr io.Writer, name, usage, help string, flags func(*flag.FlagSet) adminTask) *ffcli.Command {
	var cfg Config
	fs := newFlagSet("admin " + name)
	cfg.registerStorage(fs)
	task := flags(fs)
	return &ffcli.Command{
		Name: name, ShortUsage: "ordinator admin " + name + " " + usage, ShortHelp: help, FlagSet: fs, Options: envOptions,
		Exec: func(ctx context.Context, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("admin %s takes flags only, got %q", name, args)
			}
			if err := cfg.validate(); err != nil {
				return err
			}
			log := cfg.logger(stderr)
			store, accounts, err := openAccounts(ctx, &cfg, log)
			if err != nil {
				return err
			}
			defer store.Close()
			dir, err := probase.New(ctx, store, log)
			if err != nil {
				return err
			}
			out, err := task(ctx, &adminServices{store: store, accounts: accounts, dir: dir})
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, out)
			return nil
		},
	}
}

// openAccounts opens the database of cfg and the accounts service on it,
// as the server's own tasks use them; the caller closes the store.
func openAccounts(ctx context.Context, cfg *Config, log *slog.Logger) (syncengine.Store, *auth.Service, error) {
	store, err := openStore(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	accounts, err := auth.New(ctx, store, accountsConfig(cfg, log))
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return store, accounts, nil
}

func adminCommand(stdin io.Reader, stdout, stderr io.Writer) *ffcli.Command {
	sub := func(name, usage, help string, flags func(*flag.FlagSet) adminTask) *ffcli.Command {
		return adminSub(stdout, stderr, name, usage, help, flags)
	}
	return &ffcli.Command{
		Name:       "admin",
		ShortUsage: "ordinator admin <task> [flags]",
		ShortHelp:  "set up regions, territories, staff and clinics",
		LongHelp:   "Runs an administrator's task directly on the database given by the storage flags.",
		FlagSet:    newFlagSet("admin"),
		Subcommands: append([]*ffcli.Command{
			sub("create-region", "--id msk --name Moscow --time-zone Europe/Moscow", "add a region", func(fs *flag.FlagSet) adminTask {
				id, name, tz := fs.String("id", "", "region id"), fs.String("name", "", "name"), fs.String("time-zone", "Europe/Moscow", "IANA time zone")
				return func(ctx context.Context, s *adminServices) (string, error) {
					r, err := s.accounts.CreateRegion(ctx, auth.System, auth.Region{ID: *id, Name: *name, TimeZone: *tz})
					return "created region " + r.ID, err
				}
			}),
			sub("create-territory", "--id msk-north --region msk --name 'Moscow North'", "add a territory to a region", func(fs *flag.FlagSet) adminTask {
				id, region, name := fs.String("id", "", "territory id"), fs.String("region", "", "region id"), fs.String("name", "", "name")
				return func(ctx context.Context, s *adminServices) (string, error) {
					t, err := s.accounts.CreateTerritory(ctx, auth.System, auth.Territory{ID: *id, RegionID: *region, Name: *name})
					return "created territory " + t.ID, err
				}
			}),
			sub("create-user", "--role rep --email a@b.ru --name '...' [--region msk] [--password-stdin]", "create an account of any role (asks its password)", func(fs *flag.FlagSet) adminTask {
				var u auth.NewUser
				var password passwordInput
				role := fs.String("role", "", "doctor, rep, director, moderator or admin")
				fs.StringVar(&u.Email, "email", "", "e-mail")
				fs.StringVar(&u.Phone, "phone", "", "phone in international form")
				password.register(fs)
				fs.StringVar(&u.Name, "name", "", "display name")
				fs.StringVar(&u.RegionID, "region", "", "region id (doctors, reps, directors)")
				fs.StringVar(&u.Specialty, "specialty", "", "specialty (doctors): "+strings.Join(specialty.Codes(), ", "))
				return func(ctx context.Context, s *adminServices) (string, error) {
					var err error
					if u.Password, err = password.read(stdin, stderr, os.Getenv, true); err != nil {
						return "", err
					}
					u.Role = auth.Role(*role)
					created, err := s.accounts.CreateUser(ctx, auth.System, u)
					return fmt.Sprintf("created %s %s (%s)", created.Role, created.ID, created.Name), err
				}
			}),
			sub("assign-territory", "--user rep@x.ru --territory msk-north [--remove]", "give a rep a territory", func(fs *flag.FlagSet) adminTask {
				user, territory, remove := fs.String("user", "", "the rep (id, e-mail or phone)"), fs.String("territory", "", "territory id"), fs.Bool("remove", false, "take it away instead")
				return func(ctx context.Context, s *adminServices) (string, error) {
					id, err := s.userID(ctx, *user)
					if err != nil {
						return "", err
					}
					_, err = s.accounts.AssignTerritory(ctx, auth.System, id, *territory, !*remove)
					return "territories of " + *user + " updated", err
				}
			}),
			sub("assign-region", "--user director@x.ru --region msk [--remove]", "give a director a region", func(fs *flag.FlagSet) adminTask {
				user, region, remove := fs.String("user", "", "the director (id, e-mail or phone)"), fs.String("region", "", "region id"), fs.Bool("remove", false, "take it away instead")
				return func(ctx context.Context, s *adminServices) (string, error) {
					id, err := s.userID(ctx, *user)
					if err != nil {
						return "", err
					}
					_, err = s.accounts.AssignRegion(ctx, auth.System, id, *region, !*remove)
					return "regions of " + *user + " updated", err
				}
			}),
			sub("create-clinic", "--id city-clinic-1 --name '...' --territory msk-north", "add a clinic", func(fs *flag.FlagSet) adminTask {
				c := &probasev1.Clinic{}
				fs.StringVar(&c.Id, "id", "", "clinic id")
				fs.StringVar(&c.Name, "name", "", "name")
				fs.StringVar(&c.City, "city", "", "city")
				fs.StringVar(&c.Address, "address", "", "address")
				fs.StringVar(&c.TerritoryId, "territory", "", "territory id")
				return func(ctx context.Context, s *adminServices) (string, error) {
					created, err := s.dir.CreateClinic(ctx, auth.System, c)
					if err != nil {
						return "", err
					}
					return "created clinic " + created.Id, nil
				}
			}),
		}, accountSubs(stdin, stdout, stderr)...),
	}
}
