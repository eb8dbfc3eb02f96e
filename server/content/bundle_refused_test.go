package content_test

import (
	"crypto/ed25519"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/server/content"
	"github.com/ordinatorhq/ordinator/server/content/bundle"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// tamper decodes a bundle, changes it and encodes it again; with resign
// the manifest is signed again by key (a bundle made by a key's holder).
func tamper(t *testing.T, b []byte, key ed25519.PrivateKey, change func(*contentv1.Bundle, *contentv1.BundleManifest)) []byte {
	t.Helper()
	var bb contentv1.Bundle
	must(t, proto.Unmarshal(b, &bb))
	var m contentv1.BundleManifest
	must(t, proto.Unmarshal(bb.Manifest, &m))
	change(&bb, &m)
	if key != nil {
		bb.Manifest = bundle.Marshal(&m)
		bb.PublicKey, bb.Signature = key.Public().(ed25519.PublicKey), ed25519.Sign(key, bb.Manifest)
	}
	return bundle.Marshal(&bb)
}

// state is what an import may change on the destination, counted.
func (e *env) state() map[string]int64 {
	e.t.Helper()
	out := map[string]int64{}
	must(e.t, e.store.View(e.ctx, func(q syncengine.Querier) error {
		for _, table := range []string{"content_items", "content_versions", "content_bundle_items", "media", "media_refs", "sync_changes"} {
			var n int64
			if err := q.QueryRow(e.ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
				return err
			}
			out[table] = n
		}
		var v int64
		err := q.QueryRow(e.ctx, `SELECT COALESCE(MAX(version), 0) FROM content_bundle_imports`).Scan(&v)
		out["imported version"] = v
		return err
	}))
	return out
}

func TestBundleRefusedImportsNothing(t *testing.T) {
	for _, d := range servertest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			s := newStacks(t, d)
			s.author()
			v1 := s.export()
			_, stranger, _ := ed25519.GenerateKey(nil)
			unknownRegion, err := content.ParseMapping([]byte("regions: {msk: [ala, kyz], spb: []}\nspecialties: {dermatology: dermatology}\n"))
			must(t, err)
			unmapped, err := content.ParseMapping([]byte("regions: {msk: ala}\nspecialties: {}\n"))
			must(t, err)
			cases := []struct {
				name    string
				bundle  func() []byte
				mapping *content.Mapping
				code    string
				reason  string
			}{
				{"bad signature", func() []byte {
					return tamper(t, v1, nil, func(b *contentv1.Bundle, _ *contentv1.BundleManifest) { b.Manifest[len(b.Manifest)/2] ^= 1 })
				}, nil, syncengine.EINVALID, "signature does not verify"},
				{"unknown key", func() []byte {
					return tamper(t, v1, stranger, func(*contentv1.Bundle, *contentv1.BundleManifest) {})
				}, nil, syncengine.EPERMISSION, "not a trusted content key"},
				{"source the key is not trusted for", func() []byte {
					return tamper(t, v1, s.key, func(_ *contentv1.Bundle, m *contentv1.BundleManifest) { m.Source = "uz" })
				}, nil, syncengine.EPERMISSION, `comes from "uz"`},
				{"for another stack", func() []byte {
					return tamper(t, v1, s.key, func(_ *contentv1.Bundle, m *contentv1.BundleManifest) { m.Destination = "uz" })
				}, nil, syncengine.EINVALID, "is for uz; this stack is kz"},
				{"tampered image bytes", func() []byte {
					return tamper(t, v1, nil, func(b *contentv1.Bundle, _ *contentv1.BundleManifest) { b.Blobs[0].Data[100] ^= 0xff })
				}, nil, syncengine.EINVALID, "does not match its digest"},
				{"tampered image digest", func() []byte {
					return tamper(t, v1, s.key, func(_ *contentv1.Bundle, m *contentv1.BundleManifest) { m.Images[0].Sha256[0] ^= 1 })
				}, nil, syncengine.EINVALID, "missing from the bundle"},
				{"region not mapped", func() []byte { return v1 }, unmapped, syncengine.EINVALID, "region spb (items eczema)"},
				{"specialty not mapped", func() []byte { return v1 }, unmapped, syncengine.EINVALID, "specialty dermatology (items course, eczema)"},
				{"unknown region", func() []byte { return v1 }, unknownRegion, syncengine.EINVALID, "regions this stack does not have: kyz (items course, eczema)"},
				{"not a bundle", func() []byte { return []byte("<html>not found</html>") }, nil, syncengine.EINVALID, "not a content bundle"},
			}
			before := s.kz.state()
			for _, c := range cases {
				mp := s.mapping
				if c.mapping != nil {
					mp = c.mapping
				}
				_, err := s.kz.svc.ImportBundle(s.kz.ctx, s.kzImg.svc, c.bundle(), content.ImportOptions{Trusted: s.trusted, Country: "kz", Mapping: mp})
				if code(err) != c.code || !strings.Contains(syncengine.ErrorMessage(err), c.reason) {
					t.Errorf("%s: got %v (%s), want %s saying %q", c.name, err, code(err), c.code, c.reason)
				}
				if after := s.kz.state(); !equalCounts(before, after) {
					t.Errorf("%s: the refused import changed %v into %v", c.name, before, after)
				}
			}

			// Versions: once version 2 is in, version 1 is refused, and
			// so is another version 2.
			s.ru.create(article("more", "Ещё", "Текст.", []string{"dermatology"}, []string{"msk"}))
			s.ru.publish("more")
			v2 := s.export()
			_, err = s.importBundle(v2)
			must(t, err)
			before = s.kz.state()
			for name, c := range map[string]struct {
				b      []byte
				reason string
			}{
				"older version": {v1, "version 1, older than version 2"},
				"same version, other content": {tamper(t, v2, s.key, func(_ *contentv1.Bundle, m *contentv1.BundleManifest) { m.Items[0].Item.Title = "Подмена" }),
					"version 2, which was imported here already with other content"},
			} {
				_, err := s.importBundle(c.b)
				if code(err) != syncengine.EPRECONDITION || !strings.Contains(syncengine.ErrorMessage(err), c.reason) {
					t.Errorf("%s: got %v, want EPRECONDITION saying %q", name, err, c.reason)
				}
				if after := s.kz.state(); !equalCounts(before, after) {
					t.Errorf("%s: the refused import changed %v into %v", name, before, after)
				}
			}
			if before["imported version"] != 2 || before["content_items"] != 3 {
				t.Fatalf("after version 2 kz holds %v", before)
			}
		})
	}
}

func equalCounts(a, b map[string]int64) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return len(a) == len(b)
}

// TestBundleStaysOneWay: a bundle item whose id an item authored here
// already has is refused with nothing imported; an imported item cannot
// be edited here, and once an editor here unpublishes it, a newer bundle
// does not publish it again.
func TestBundleStaysOneWay(t *testing.T) {
	for _, d := range servertest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			s := newStacks(t, d)
			s.author()
			s.kz.create(article("course", "Местный курс", "Текст.", []string{"dermatology"}, []string{"ala"}))
			before := s.kz.state()
			_, err := s.importBundle(s.export())
			if code(err) != syncengine.ECONFLICT || !strings.Contains(syncengine.ErrorMessage(err), "items course of the bundle have the ids of items that did not come from ru") {
				t.Fatalf("a clash with a local item: %v", err)
			}
			if after := s.kz.state(); !equalCounts(before, after) {
				t.Fatalf("the refused import changed %v into %v", before, after)
			}

			s = newStacks(t, d)
			s.author()
			_, err = s.importBundle(s.export())
			must(t, err)
			got, err := s.kz.svc.GetItem(s.kz.ctx, s.kz.editor, "course")
			must(t, err)
			edit := proto.Clone(got.Item).(*contentv1.Item)
			edit.Title = "Правка в Казахстане"
			if _, err := s.kz.svc.UpdateItem(s.kz.ctx, s.kz.editor, edit, 0); code(err) != syncengine.EPRECONDITION || !strings.Contains(syncengine.ErrorMessage(err), "edit it there") {
				t.Fatalf("editing an imported item: %v", err)
			}
			_, err = s.kz.svc.UnpublishItem(s.kz.ctx, s.kz.editor, "course")
			must(t, err)
			src, err := s.ru.svc.GetItem(s.ru.ctx, s.ru.editor, "course")
			must(t, err)
			src.Item.Title = "Курс, вторая редакция"
			_, err = s.ru.svc.UpdateItem(s.ru.ctx, s.ru.editor, src.Item, 0)
			must(t, err)
			res, err := s.importBundle(s.export())
			must(t, err)
			after, err := s.kz.svc.GetItem(s.kz.ctx, s.kz.editor, "course")
			must(t, err)
			if res.Updated != 1 || after.Item.Title != "Курс, вторая редакция" || after.Status.State != contentv1.ItemState_ITEM_STATE_UNPUBLISHED {
				t.Fatalf("after ru's new version: %+v, kz holds %q %v", res, after.Item.Title, after.Status.State)
			}
		})
	}
}
