package sqlq_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/postgres"
	"github.com/ordinatorhq/ordinator/syncengine/sqlite"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

var template = testenv.Template{
	Name:    "sqlq",
	Version: storetest.SchemaVersion(postgres.Migrations()),
	Migrate: func(ctx context.Context, url string) error {
		s, err := postgres.Open(ctx, url, postgres.Options{})
		if err != nil {
			return err
		}
		s.Close()
		return nil
	},
}

// forEachStore runs fn on a fresh SQLite store and a fresh PostgreSQL
// database, each holding the table people (name, email UNIQUE, optional).
func forEachStore(t *testing.T, fn func(t *testing.T, s syncengine.Store)) {
	open := map[string]func(t *testing.T) syncengine.Store{
		"sqlite": func(t *testing.T) syncengine.Store {
			s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "ordinator.db"), sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(s.Close)
			return s
		},
		"postgres": func(t *testing.T) syncengine.Store {
			s, err := postgres.Open(context.Background(), testenv.PostgresURL(t, template), postgres.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(s.Close)
			return s
		},
	}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := open[name](t)
			err := s.Update(context.Background(), func(tx syncengine.Tx) error {
				_, err := tx.Exec(context.Background(), `CREATE TABLE people (name TEXT PRIMARY KEY, email TEXT UNIQUE, age BIGINT NOT NULL)`)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			fn(t, s)
		})
	}
}

type person struct {
	name string
	age  int64
}

func scanPerson(r syncengine.Row) (p person, err error) {
	err = r.Scan(&p.name, &p.age)
	return p, err
}

func TestCollectAndStrings(t *testing.T) {
	forEachStore(t, func(t *testing.T, s syncengine.Store) {
		ctx := context.Background()
		err := s.Update(ctx, func(tx syncengine.Tx) error {
			people := []person{{"vera", 41}, {"anna", 29}, {"boris", 35}}
			args := []any{}
			query := `INSERT INTO people (name, age) VALUES `
			for i, p := range people {
				if i > 0 {
					query += ", "
				}
				query += "(" + sqlq.Placeholders(len(args)+1, 2) + ")"
				args = append(args, p.name, p.age)
			}
			_, err := tx.Exec(ctx, query, args...)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		err = s.View(ctx, func(q syncengine.Querier) error {
			rows, err := q.Query(ctx, `SELECT name, age FROM people WHERE age > $1 ORDER BY name`, 30)
			if err != nil {
				return err
			}
			got, err := sqlq.Collect(rows, scanPerson)
			if err != nil {
				return err
			}
			if want := []person{{"boris", 35}, {"vera", 41}}; !slices.Equal(got, want) {
				t.Errorf("Collect = %v, want %v", got, want)
			}

			names, err := sqlq.Strings(ctx, q, `SELECT name FROM people WHERE name IN (`+sqlq.Placeholders(1, 2)+`) ORDER BY name DESC`, "anna", "vera")
			if err != nil {
				return err
			}
			if want := []string{"vera", "anna"}; !slices.Equal(names, want) {
				t.Errorf("Strings = %q, want %q", names, want)
			}

			none, err := sqlq.Strings(ctx, q, `SELECT name FROM people WHERE age > 100`)
			if err != nil || len(none) != 0 {
				t.Errorf("Strings with no rows = %q, %v; want none, no error", none, err)
			}

			// A scan error ends the collection with the error and no values.
			rows, err = q.Query(ctx, `SELECT name, age FROM people ORDER BY name`)
			if err != nil {
				return err
			}
			refuse := errors.New("refused")
			n := 0
			got, err = sqlq.Collect(rows, func(r syncengine.Row) (person, error) {
				if n++; n == 2 {
					return person{}, refuse
				}
				return scanPerson(r)
			})
			if !errors.Is(err, refuse) || got != nil {
				t.Errorf("Collect with a failing scan = %v, %v; want nil, %v", got, err, refuse)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestNullable checks that unset optional values are stored as NULL, so any
// number of rows may leave a unique column empty, and set ones as text.
func TestNullable(t *testing.T) {
	forEachStore(t, func(t *testing.T, s syncengine.Store) {
		ctx := context.Background()
		err := s.Update(ctx, func(tx syncengine.Tx) error {
			for _, p := range []struct{ name, email string }{{"anna", ""}, {"boris", ""}, {"vera", "vera@example.ru"}} {
				if _, err := tx.Exec(ctx, `INSERT INTO people (name, email, age) VALUES ($1, $2, 30)`, p.name, sqlq.Nullable(p.email)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("two people without an e-mail: %v", err)
		}
		err = s.View(ctx, func(q syncengine.Querier) error {
			nulls, err := sqlq.Strings(ctx, q, `SELECT name FROM people WHERE email IS NULL ORDER BY name`)
			if err != nil {
				return err
			}
			if want := []string{"anna", "boris"}; !slices.Equal(nulls, want) {
				t.Errorf("people with a NULL e-mail = %q, want %q", nulls, want)
			}
			emails, err := sqlq.Strings(ctx, q, `SELECT email FROM people WHERE email IS NOT NULL`)
			if err != nil {
				return err
			}
			if want := []string{"vera@example.ru"}; !slices.Equal(emails, want) {
				t.Errorf("e-mails = %q, want %q", emails, want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestPlaceholders(t *testing.T) {
	for _, c := range []struct {
		start, n int
		want     string
	}{
		{1, 0, ""},
		{1, 1, "$1"},
		{1, 3, "$1, $2, $3"},
		{3, 3, "$3, $4, $5"},
		{9, 2, "$9, $10"},
	} {
		if got := sqlq.Placeholders(c.start, c.n); got != c.want {
			t.Errorf("Placeholders(%d, %d) = %q, want %q", c.start, c.n, got, c.want)
		}
	}
}
