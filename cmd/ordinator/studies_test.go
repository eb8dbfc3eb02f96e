package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/postgres"
)

func TestStudiesCLI(t *testing.T) {
	dir := t.TempDir()
	code, out := runCLI(t, dir, "studies", "create", "--title", "DERM-7: rosacea", "--visits", "0, 4, 8", "--fields", "iga,erythema", "--points", "50")
	m := regexp.MustCompile(`^created study (\S+): DERM-7: rosacea \(visits at weeks 0, 4, 8\)\n$`).FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("create: %d %q", code, out)
	}
	if code, out := runCLI(t, dir, "studies", "list"); code != 0 || !strings.Contains(out, m[1]+"\tDERM-7: rosacea\tweeks 0, 4, 8\t50 points") {
		t.Fatalf("list: %d %q", code, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"studies", "create", "--title", "x", "--visits", "four"}, "--visits"},
		{[]string{"studies", "create", "--title", "x", "--visits", "4,2"}, "visit_weeks[1]"},
		{[]string{"studies", "enrol", "--study", m[1], "--doctor", "nobody@clinic.ru"}, "no account nobody@clinic.ru"},
		{[]string{"studies", "enrol", "--study", m[1]}, "--doctor"},
	} {
		code, out := runCLI(t, dir, c.args...)
		if code != 1 || strings.Count(strings.TrimSpace(out), "\n") != 0 || !strings.Contains(out, c.want) {
			t.Errorf("%v: %d %q, want one line about %s", c.args, code, out, c.want)
		}
	}
}

// TestServeTwoProcessesOnPostgres: two server processes share one
// PostgreSQL (migrations, push workers, scheduler, waker) and stop cleanly.
func TestServeTwoProcessesOnPostgres(t *testing.T) {
	url := testenv.PostgresURL(t, testenv.Template{Name: "empty", Version: "1"})
	photos := t.TempDir() // one directory both share, as without S3 they must
	a := start(t, t.TempDir(), "--database-url", url, "--blob-dir", photos)
	b := start(t, t.TempDir(), "--database-url", url, "--blob-dir", photos, "--push-workers", "4")
	// The background loops make a round: the scheduler's three jobs (study
	// reminders, directors' summaries, inbox pruning) each run once, in one
	// process or the other.
	db, err := postgres.Open(context.Background(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	servertest.Eventually(t, "the scheduled jobs to run", func() bool {
		var n int64
		err := db.View(context.Background(), func(q syncengine.Querier) error {
			return q.QueryRow(context.Background(), `SELECT count(*) FROM notify_jobs WHERE next_run_at > 0`).Scan(&n)
		})
		return err == nil && n >= 3
	})
	for _, p := range []*process{a, b} {
		// After stop the logs are complete and no longer written.
		if code := p.stop(t); code != 0 {
			t.Fatalf("exit code %d:\n%s", code, p.logs)
		}
		if logs := p.logs.String(); !strings.Contains(logs, "push=log") || strings.Contains(logs, "level=ERROR") {
			t.Fatalf("want the push sender named and no errors:\n%s", logs)
		}
	}
}
