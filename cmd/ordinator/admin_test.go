package main

import (
	"strings"
	"testing"

	"github.com/ordinatorhq/ordinator/deploy/testenv"
)

// `ordinator admin create-user` refuses a specialty the platform does not
// have, in one line that names the field and the valid codes, and creates
// nothing; on both stores.
func TestAdminCreateUserSpecialty(t *testing.T) {
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			dir := t.TempDir()
			var db []string
			if store == "postgres" {
				db = []string{"--database-url", testenv.PostgresURL(t, testenv.Template{Name: "empty", Version: "1"})}
			}
			admin := func(args ...string) (int, string) {
				t.Helper()
				return runCLI(t, dir, append(append([]string{"admin"}, args...), db...)...)
			}
			if code, out := admin("create-region", "--id", "msk", "--name", "Moscow"); code != 0 {
				t.Fatalf("create-region: %d %s", code, out)
			}
			doctor := []string{"create-user", "--role", "doctor", "--email", "astro@clinic.ru", "--password", "long enough pw", "--name", "Dr Astro", "--region", "msk"}
			for _, spec := range []string{"astrology", ""} {
				code, out := admin(append(doctor, "--specialty", spec)...)
				if code != 1 || strings.Count(strings.TrimSpace(out), "\n") != 0 || !strings.Contains(out, "specialty: ") || !strings.Contains(out, "dermatology, cosmetology") {
					t.Fatalf("--specialty %q: exit %d, want one line naming specialty and its codes:\n%s", spec, code, out)
				}
			}
			rep := []string{"create-user", "--role", "rep", "--email", "rep@clinic.ru", "--password", "long enough pw", "--name", "Rep", "--region", "msk", "--specialty", "astrology"}
			if code, out := admin(rep...); code != 1 || !strings.Contains(out, "specialty: ") {
				t.Fatalf("a rep with --specialty astrology: exit %d %s", code, out)
			}
			// Nothing was created: the same account with a real specialty
			// is new, and only then taken.
			if code, out := admin(append(doctor, "--specialty", "dermatology")...); code != 0 || !strings.Contains(out, "created doctor") {
				t.Fatalf("with a real specialty: exit %d %s", code, out)
			}
			if code, out := admin(append(doctor, "--specialty", "dermatology")...); code != 1 || !strings.Contains(out, "already exists") {
				t.Fatalf("created twice: exit %d %s", code, out)
			}
		})
	}
}
