package search_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/ordinatorhq/ordinator/mobile-sdk/search"
)

// openDB opens a replica-like SQLite database file with the index created
// (twice: Init is idempotent, as an app start after an upgrade needs).
func openDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "replica.db")+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for range 2 {
		if err := search.Init(context.Background(), db); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func put(t testing.TB, db search.Execer, docs ...search.Doc) {
	t.Helper()
	for _, d := range docs {
		if err := search.Put(context.Background(), db, d); err != nil {
			t.Fatal(err)
		}
	}
}

func find(t testing.TB, db search.Queryer, text string, collections ...string) []string {
	t.Helper()
	hits, err := search.Search(context.Background(), db, search.Query{Text: text, Collections: collections})
	if err != nil {
		t.Fatalf("search %q: %v", text, err)
	}
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.ID)
	}
	return ids
}

func sorted(ids []string) []string {
	slices.Sort(ids)
	return ids
}

var library = []search.Doc{
	{Collection: "content_item", ID: "atopic", Title: "Атопический дерматит у детей", Text: "Эмоленты — основа ухода при атопическом дерматите. Топические стероиды назначают курсами."},
	{Collection: "content_item", ID: "psoriasis", Title: "Псориаз: новые подходы", Text: "Биологическая терапия псориаза и её место в клинических рекомендациях."},
	{Collection: "content_item", ID: "acne", Title: "Acne treatment guidelines", Text: "Topical retinoids remain the first-line treatment for comedonal acne."},
	{Collection: "content_item", ID: "rosacea", Title: "Розацеа", Text: "Дифференциальный диагноз с дерматитом периоральным; treatments reviewed."},
}

func TestDeviceSearchFindsRussianWordWithDifferentCaseEnding(t *testing.T) {
	db := openDB(t)
	put(t, db, library...)
	// Indexed as "дерматит" (title) and "дерматите" (text); asked in the
	// instrumental case.
	if got := sorted(find(t, db, "дерматитом ")); !slices.Equal(got, []string{"atopic", "rosacea"}) {
		t.Fatalf("дерматитом found %v, want atopic and rosacea", got)
	}
	for _, q := range []string{"дерматита", "ДЕРМАТИТЫ", "псориазом", "терапии", "рекомендации", "эмолентами"} {
		if got := find(t, db, q+" "); len(got) == 0 {
			t.Errorf("%q found nothing", q)
		}
	}
}

func TestDeviceSearchEnglish(t *testing.T) {
	db := openDB(t)
	put(t, db, library...)
	if got := sorted(find(t, db, "treatments")); !slices.Equal(got, []string{"acne", "rosacea"}) {
		t.Fatalf("treatments found %v", got)
	}
	if got := find(t, db, "retinoid"); !slices.Equal(got, []string{"acne"}) {
		t.Fatalf("retinoid found %v", got)
	}
}

func TestDeviceSearchQueries(t *testing.T) {
	db := openDB(t)
	put(t, db, library...)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"дерм", []string{"atopic", "rosacea"}},             // an unfinished word matches as a prefix
		{"дерм ", nil},                                      // a finished one does not
		{"дерматит детей", []string{"atopic"}},              // every word must occur
		{"дерматит псориаз", nil},                           // in the same document
		{"и в на the of", nil},                              // only stop words: nothing to search
		{"", nil},                                           //
		{`"дерматит" AND (`, []string{"atopic", "rosacea"}}, // FTS5 syntax is text, not operators
		{"Розацеа.", []string{"rosacea"}},                   // punctuation
		{"ёлка", nil},                                       // nothing there, no error
	} {
		if got := sorted(find(t, db, tc.query)); !slices.Equal(got, tc.want) {
			t.Errorf("%q found %v, want %v", tc.query, got, tc.want)
		}
	}
	put(t, db, search.Doc{Collection: "inbox", ID: "n1", Title: "Напоминание", Text: "Дерматит: результаты исследования"})
	if got := find(t, db, "дерматит ", "inbox"); !slices.Equal(got, []string{"n1"}) {
		t.Fatalf("collection filter: %v", got)
	}
}

func TestDevicePutReplacesAndDeleteRemoves(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	put(t, db, library...)
	// A new version of the item replaces the old text.
	put(t, db, search.Doc{Collection: "content_item", ID: "atopic", Title: "Экзема кистей", Text: "Профессиональная экзема."})
	if got := find(t, db, "дерматит "); !slices.Equal(got, []string{"rosacea"}) {
		t.Fatalf("after the update дерматит found %v", got)
	}
	if got := find(t, db, "экземой "); !slices.Equal(got, []string{"atopic"}) {
		t.Fatalf("after the update экземой found %v", got)
	}
	if err := search.Delete(ctx, db, "content_item", "atopic"); err != nil {
		t.Fatal(err)
	}
	if err := search.Delete(ctx, db, "content_item", "never-there"); err != nil {
		t.Fatal(err)
	}
	if got := find(t, db, "экзема "); got != nil {
		t.Fatalf("deleted item still found: %v", got)
	}
	// A write rolled back with the transaction that applied a checkpoint
	// leaves no trace in the index.
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	put(t, tx, search.Doc{Collection: "content_item", ID: "x", Title: "Витилиго"})
	if got := find(t, tx, "витилиго "); !slices.Equal(got, []string{"x"}) {
		t.Fatalf("inside the transaction: %v", got)
	}
	tx.Rollback()
	if got := find(t, db, "витилиго "); got != nil {
		t.Fatalf("rolled back write found: %v", got)
	}
	if err := search.DeleteCollection(ctx, db, "content_item"); err != nil {
		t.Fatal(err)
	}
	if got := find(t, db, "псориаз "); got != nil {
		t.Fatalf("after dropping the collection: %v", got)
	}
	if err := search.Put(ctx, db, search.Doc{Title: "no id"}); err == nil {
		t.Fatal("a document without an id was indexed")
	}
}

func TestDeviceSearchRanksTitlesFirst(t *testing.T) {
	db := openDB(t)
	put(t, db, library...)
	put(t, db, search.Doc{Collection: "content_item", ID: "mention", Title: "Обзор года", Text: "Коротко о псориазе."})
	if got := find(t, db, "псориаз "); !slices.Equal(got, []string{"psoriasis", "mention"}) {
		t.Fatalf("псориаз found %v, want the item with it in its title first", got)
	}
}

func TestTerms(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Атопический дерматит у детей", "атопическ дермат дет"},
		{"дерматитом, дерматите", "дерматит дермат дермат"},
		{"Ёжик и ежик", "ежик ежик"},
		{"The treatments of acne", "treatment acn"},
		{"Витамин B12 и COVID-19", "витамин b12 covid 19"},
	} {
		if got := fmt.Sprint(search.Terms(tc.in)); got != "["+tc.want+"]" {
			t.Errorf("Terms(%q) = %s, want [%s]", tc.in, got, tc.want)
		}
	}
}
