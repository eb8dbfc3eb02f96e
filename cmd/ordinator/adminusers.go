package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// accountSubs are the `ordinator admin` tasks on existing accounts: the
// same auth.Service methods as AdminService and the console.
func accountSubs(stdin io.Reader, stdout, stderr io.Writer) []*ffcli.Command {
	sub := func(name, usage, help string, flags func(*flag.FlagSet) adminTask) *ffcli.Command {
		return adminSub(stdout, stderr, name, usage, help, flags)
	}
	// user resolves a required --user flag.
	user := func(ctx context.Context, s *adminServices, login string) (string, error) {
		if login == "" {
			return "", syncengine.Invalid("no account given", syncengine.Violation{Field: "user", Description: "is required: an id, e-mail or phone"})
		}
		return s.userID(ctx, login)
	}
	setDisabled := func(disabled bool) func(fs *flag.FlagSet) adminTask {
		return func(fs *flag.FlagSet) adminTask {
			login := fs.String("user", "", "the account (id, e-mail or phone)")
			return func(ctx context.Context, s *adminServices) (string, error) {
				id, err := user(ctx, s, *login)
				if err != nil {
					return "", err
				}
				u, err := s.accounts.SetUserDisabled(ctx, auth.System, id, disabled)
				if err != nil {
					return "", err
				}
				if disabled {
					return fmt.Sprintf("disabled %s %s (%s): its devices are refused from their next sync", u.Role, u.ID, u.Name), nil
				}
				return fmt.Sprintf("enabled %s %s (%s)", u.Role, u.ID, u.Name), nil
			}
		}
	}
	return []*ffcli.Command{
		sub("list-users", "[--role rep] [--region msk]", "list accounts, of a role and region", func(fs *flag.FlagSet) adminTask {
			role, region := fs.String("role", "", "only this role: doctor, rep, director, moderator or admin"), fs.String("region", "", "only this region id")
			return func(ctx context.Context, s *adminServices) (string, error) {
				us, err := s.accounts.ListUsers(ctx, auth.System, auth.Role(*role), *region)
				if err != nil {
					return "", err
				}
				var b strings.Builder
				w := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "ID\tROLE\tLOGIN\tNAME\tREGION\tSTATUS")
				for _, u := range us {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Role, loginOf(u), u.Name, dash(u.RegionID), accountStatus(u))
				}
				w.Flush()
				fmt.Fprintf(&b, "%d accounts", len(us))
				return b.String(), nil
			}
		}),
		sub("disable-user", "--user rep@x.ru", "disable an account: it cannot sign in, its devices stop syncing at once", setDisabled(true)),
		sub("enable-user", "--user rep@x.ru", "enable a disabled account again", setDisabled(false)),
		sub("reset-password", "--user rep@x.ru [--password-stdin]", "set an account's password (asks it) and end all its sessions", func(fs *flag.FlagSet) adminTask {
			login := fs.String("user", "", "the account (id, e-mail or phone)")
			var password passwordInput
			password.register(fs)
			return func(ctx context.Context, s *adminServices) (string, error) {
				id, err := user(ctx, s, *login)
				if err != nil {
					return "", err
				}
				pw, err := password.read(stdin, stderr, os.Getenv, true)
				if err != nil {
					return "", err
				}
				n, err := s.accounts.ResetPassword(ctx, auth.System, id, pw)
				if err != nil {
					return "", err
				}
				return fmt.Sprintf("password of %s reset; %d sessions ended (those devices wipe their data at their next sync)", *login, n), nil
			}
		}),
		sub("list-devices", "--user rep@x.ru", "list an account's device sessions", func(fs *flag.FlagSet) adminTask {
			login := fs.String("user", "", "the account (id, e-mail or phone)")
			return func(ctx context.Context, s *adminServices) (string, error) {
				id, err := user(ctx, s, *login)
				if err != nil {
					return "", err
				}
				ds, err := s.accounts.ListUserDevices(ctx, auth.System, id)
				if err != nil {
					return "", err
				}
				var b strings.Builder
				w := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "DEVICE\tNAME\tPLATFORM\tSIGNED IN\tLAST SEEN\tSTATUS")
				for _, d := range ds {
					status := "active"
					if d.Revoked {
						status = "revoked"
					}
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.Name, d.Platform, d.CreatedAt.UTC().Format(time.DateTime), d.LastSeenAt.UTC().Format(time.DateTime), status)
				}
				w.Flush()
				fmt.Fprintf(&b, "%d devices (times UTC)", len(ds))
				return b.String(), nil
			}
		}),
		sub("revoke-device", "--device ID", "end a device session of any account: the device wipes its data at its next sync", func(fs *flag.FlagSet) adminTask {
			device := fs.String("device", "", "the device id (see list-devices)")
			return func(ctx context.Context, s *adminServices) (string, error) {
				if *device == "" {
					return "", syncengine.Invalid("no device given", syncengine.Violation{Field: "device", Description: "is required: a device id from list-devices"})
				}
				owner, err := s.accounts.RevokeUserDevice(ctx, auth.System, *device)
				if err != nil {
					return "", err
				}
				return fmt.Sprintf("revoked device %s of account %s: it wipes its data at its next sync", *device, owner), nil
			}
		}),
	}
}

func loginOf(u auth.User) string {
	if u.Email != "" {
		return u.Email
	}
	return dash(u.Phone)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func accountStatus(u auth.User) string {
	switch {
	case u.Disabled:
		return "disabled"
	case u.Role == auth.RoleDoctor && !u.Verified:
		return "unverified"
	}
	return "active"
}
