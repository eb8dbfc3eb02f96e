package content_test

import (
	"database/sql"
	"path/filepath"
	"slices"
	"testing"

	_ "modernc.org/sqlite"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"

	"github.com/ordinatorhq/ordinator/mobile-sdk/search"
)

// index rebuilds a device search index from the items the phone holds, as
// the SDK does when it applies a checkpoint, and searches it.
func (ph *phone) search(db *sql.DB, query string) []string {
	t := ph.e.t
	t.Helper()
	tx, err := db.Begin()
	must(t, err)
	must(t, search.DeleteCollection(ph.e.ctx, tx, search.ItemCollection))
	for _, it := range ph.items() {
		must(t, search.Put(ph.e.ctx, tx, search.ItemDoc(it)))
	}
	must(t, tx.Commit())
	hits, err := search.Search(ph.e.ctx, db, search.Query{Text: query})
	must(t, err)
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.ID)
	}
	slices.Sort(ids)
	return ids
}

// A doctor searches the items on their phone, offline, in Russian and
// English; an item that leaves the phone leaves the results.
func TestDeviceSearchOverSyncedItems(t *testing.T) {
	e := newEnv(t, "sqlite")
	doc := e.doctor("doc", "dermatology", "msk", true)
	e.create(article("atopic", "Атопический дерматит у детей", "Эмоленты — основа ухода.", derm, msk))
	e.create(training("course", 10, derm, msk))
	e.create(&contentv1.Item{Id: "paper", Title: "Emollient therapy", Language: "en", Specialties: derm, RegionIds: msk,
		Body: &contentv1.Item_Paper{Paper: &contentv1.Paper{Authors: []string{"A. Ivanova"}, Doi: "10.1111/jdv.19999",
			Abstract: &contentv1.RichText{Source: "A randomised trial of emollients in **atopic dermatitis** treatments."}}}})
	for _, id := range []string{"atopic", "course", "paper"} {
		e.publish(id)
	}
	doc.Sync()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "replica.db"))
	must(t, err)
	defer db.Close()
	must(t, search.Init(e.ctx, db))
	if got := doc.search(db, "дерматитом "); !slices.Equal(got, []string{"atopic"}) {
		t.Fatalf("дерматитом: %v", got)
	}
	if got := doc.search(db, "курсами"); !slices.Equal(got, []string{"course"}) { // a lesson's text
		t.Fatalf("курсами: %v", got)
	}
	if got := doc.search(db, "treatment"); !slices.Equal(got, []string{"paper"}) {
		t.Fatalf("treatment: %v", got)
	}
	if _, err := e.svc.UnpublishItem(e.ctx, e.editor, "atopic"); err != nil {
		t.Fatal(err)
	}
	doc.Sync()
	if got := doc.search(db, "дерматитом "); got != nil {
		t.Fatalf("after unpublishing: %v", got)
	}
}
