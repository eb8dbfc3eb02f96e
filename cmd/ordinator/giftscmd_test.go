package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/studies"
)

// cliStores runs fn with the storage flags of a new SQLite directory and
// of a new PostgreSQL database.
func cliStores(t *testing.T, fn func(t *testing.T, dir string, db []string)) {
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			dir := t.TempDir()
			db := []string{"--data-dir", filepath.Join(dir, "ordinator-data")}
			if store == "postgres" {
				db = []string{"--database-url", testenv.PostgresURL(t, testenv.Template{Name: "empty", Version: "1"})}
			}
			fn(t, dir, db)
		})
	}
}

// TestGiftsCLI: a wave is planned, offers an item from the warehouse and is
// listed with it; bad input is refused naming the field, on both stores.
func TestGiftsCLI(t *testing.T) {
	cliStores(t, func(t *testing.T, dir string, db []string) {
		cli := func(args ...string) (int, string) {
			t.Helper()
			return runCLI(t, dir, append(args, db...)...)
		}
		must := func(args ...string) string {
			t.Helper()
			code, out := cli(args...)
			if code != 0 {
				t.Fatalf("%v: exit %d\n%s", args, code, out)
			}
			return out
		}
		must("admin", "create-region", "--id", "msk", "--name", "Moscow")
		must("warehouse", "add-item", "--sku", "CREAM-50", "--name", "Repair cream 50 ml")
		must("warehouse", "receipt", "--item", "CREAM-50", "--quantity", "100")
		starts := time.Now().Add(48 * time.Hour).Format("2006-01-02T15:04")
		ends := time.Now().Add(10 * 24 * time.Hour).Format("2006-01-02T15:04")
		wave := []string{"gifts", "create-wave", "--region", "msk", "--title", "Зимняя волна", "--time-zone", "Europe/Moscow"}
		for _, c := range []struct {
			args []string
			want string
		}{
			{append(wave, "--ends", ends), "starts: is required"},
			{append(wave, "--starts", "next week", "--ends", ends), `starts: "next week": give 2026-12-10T09:00`},
			{[]string{"gifts", "create-wave", "--region", "msk", "--title", "x", "--time-zone", "Mars/Olympus", "--starts", starts, "--ends", ends}, "time-zone"},
			{append(wave, "--starts", ends, "--ends", starts), "ends_at: must be after starts_at"},
			{[]string{"gifts", "create-wave", "--region", "atlantis", "--title", "x", "--starts", starts, "--ends", ends}, "region_id: no region atlantis"},
			{[]string{"gifts", "set-item", "--wave", "no-such-wave", "--item", "CREAM-50", "--price", "500", "--allocated", "10"}, "wave_id"},
		} {
			code, out := cli(c.args...)
			if code != 1 || strings.Count(strings.TrimSpace(out), "\n") != 0 || !strings.Contains(out, c.want) {
				t.Errorf("%v: exit %d, want one line saying %q:\n%s", c.args, code, c.want, out)
			}
		}
		m := regexp.MustCompile(`^created wave (\S+) \(Зимняя волна\) in msk, `).FindStringSubmatch(must(append(wave, "--starts", starts, "--ends", ends)...))
		if m == nil {
			t.Fatal("create-wave printed no wave id")
		}
		if code, out := cli("gifts", "set-item", "--wave", m[1], "--item", "CREAM-50", "--price", "0", "--allocated", "10"); code != 1 || !strings.Contains(out, "points_price") {
			t.Errorf("a free item: exit %d %s", code, out)
		}
		if out := must("gifts", "set-item", "--wave", m[1], "--item", "CREAM-50", "--price", "500", "--allocated", "40", "--limit", "1"); !strings.Contains(out, "offers CREAM-50 (Repair cream 50 ml): 500 points, 40 allocated, 0 ordered") {
			t.Errorf("set-item: %s", out)
		}
		list := must("gifts", "list-waves", "--region", "msk")
		if !regexp.MustCompile(`(?m)^`+m[1]+`\s+msk\s+Зимняя волна\s+.*\s+planned$`).MatchString(list) || !regexp.MustCompile(`(?m)^\s+CREAM-50\s+Repair cream 50 ml\s+allocated 40\s+ordered 0\s+shipped 0`).MatchString(list) || !strings.HasSuffix(list, "1 waves (times UTC)\n") {
			t.Errorf("list-waves:\n%s", list)
		}
		if out := must("warehouse", "stock"); !strings.Contains(out, "CREAM-50") {
			t.Errorf("stock: %s", out)
		}
	})
}

// TestStudiesResultsCLI: `studies results` lists what a study's doctors
// owe, overdue first, on both stores; a missing or unknown study is
// refused naming the field.
func TestStudiesResultsCLI(t *testing.T) {
	cliStores(t, func(t *testing.T, dir string, db []string) {
		ctx := context.Background()
		cfg := &Config{DataDir: filepath.Join(dir, "ordinator-data"), LogFormat: "text", LogLevel: "info"}
		if db[0] == "--database-url" {
			cfg.DatabaseURL = db[1]
		}
		store, err := openStore(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		accounts, err := auth.New(ctx, store, auth.Config{Argon2: auth.TestArgon2, OnAccountChange: onAccountChange})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := accounts.CreateRegion(ctx, auth.System, auth.Region{ID: "msk", Name: "Moscow", TimeZone: "Europe/Moscow"}); err != nil {
			t.Fatal(err)
		}
		svc := studies.New(studies.Config{Store: store})
		st, err := svc.CreateStudy(ctx, auth.System, studies.Study{Title: "DERM-7", VisitWeeks: []int32{0, 52}, Fields: []string{"iga"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"Иванова", "Петрова"} {
			u, err := accounts.CreateUser(ctx, auth.System, auth.NewUser{Role: auth.RoleDoctor, Email: name + "@clinic.ru", Password: "long enough pw", Name: name, RegionID: "msk", Specialty: "dermatology"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := accounts.VerifyDoctor(ctx, auth.System, u.ID); err != nil {
				t.Fatal(err)
			}
			start := time.Now().AddDate(0, 0, -3).Format(time.DateOnly) // Иванова's first visit is overdue
			if name == "Петрова" {
				start = time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
			}
			if _, _, err := svc.EnrolDoctor(ctx, auth.System, st.ID, u.ID, start); err != nil {
				t.Fatal(err)
			}
		}
		if err := svc.Remind(ctx, time.Now()); err != nil { // what the server's scheduler does
			t.Fatal(err)
		}
		store.Close()

		code, out := runCLI(t, dir, append([]string{"studies", "results", "--study", st.ID}, db...)...)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if code != 0 || len(lines) != 6 || !strings.HasPrefix(lines[1], "overdue ") || !strings.Contains(lines[1], "Иванова") ||
			!strings.HasPrefix(lines[2], "owed ") || !strings.Contains(lines[2], "Петрова") || lines[5] != "1 overdue, 3 owed, 0 submitted" {
			t.Fatalf("studies results: exit %d\n%s", code, out)
		}
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"studies", "results"}, "study: is required"},
			{[]string{"studies", "results", "--study", "no-such-study"}, "study_id: no such study"},
		} {
			code, out := runCLI(t, dir, append(c.args, db...)...)
			if code != 1 || strings.Count(strings.TrimSpace(out), "\n") != 0 || !strings.Contains(out, c.want) {
				t.Errorf("%v: exit %d, want one line saying %q:\n%s", c.args, code, c.want, out)
			}
		}
	})
}
