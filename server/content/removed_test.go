package content_test

import (
	"testing"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

// An item moved out of a region is gone from that region's sync log once
// the move commits: a new phone there downloads no byte of it, before any
// compaction, and the text the move replaced reaches no one. Markers are
// looked for in every payload of the raw pull pages.
func TestMovedItemLeavesNoTrace(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		const title, oldText, newText = "Квоккаобзор", "старыйабзац", "новыйабзац"
		dermMsk := e.doctor("derm-msk", "dermatology", "msk", true)
		dermSpb := e.doctor("derm-spb", "dermatology", "spb", true)
		fresh := func(ph *phone) []*syncengine.PullResult {
			t.Helper()
			return storetest.FreshPull(t, e.engine, ph.P, 1, 3)
		}
		e.create(article("kv", title, "Эмоленты — "+oldText+".", derm, msk))
		e.publish("kv")
		if pages := fresh(dermMsk); len(storetest.Containing(pages, title)) != 1 || len(storetest.Containing(pages, oldText)) != 1 {
			t.Fatal("a new phone of the region did not receive the item")
		}

		moved := article("kv", title, "Эмоленты — "+newText+".", derm, []string{"spb"})
		if _, err := e.svc.UpdateItem(e.ctx, e.editor, moved, 1); err != nil {
			t.Fatal(err)
		}
		msk := fresh(dermMsk)
		for _, m := range []string{title, oldText} {
			if got := storetest.Containing(msk, m); len(got) != 0 {
				t.Fatalf("a new phone of the region the item left received %q in %s %s", m, got[0].Collection, got[0].RecordID)
			}
		}
		spb := fresh(dermSpb)
		if len(storetest.Containing(spb, title)) != 1 || len(storetest.Containing(spb, newText)) != 1 || len(storetest.Containing(spb, oldText)) != 0 {
			t.Fatal("a new phone of the item's new region did not receive exactly its current version")
		}
		if got := storetest.LogContaining(t, e.store, oldText); len(got) != 0 {
			t.Fatalf("the sync log still holds the replaced text in %s", got[0].Bucket)
		}
		for _, ch := range storetest.LogContaining(t, e.store, title) {
			if ch.Bucket != auth.SpecialtyRegionBucket("dermatology", "spb") {
				t.Fatalf("the moved item is still in %s", ch.Bucket)
			}
		}
	})
}
