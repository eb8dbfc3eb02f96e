package media_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/media/mediatest"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

func (e *env) update(fn func(tx syncengine.Tx) error) error {
	return e.store.Update(ctx, fn)
}

func (e *env) collect(wantUploads, wantMedia int64) {
	e.t.Helper()
	st, err := e.svc.CollectGarbage(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	if st.Uploads != wantUploads || st.Media != wantMedia {
		e.t.Fatalf("collected %+v, want %d uploads and %d media", st, wantUploads, wantMedia)
	}
}

// Uploads never completed and media never attached are collected after the
// retention, with their bytes; what is referenced stays.
func TestCollectGarbage(t *testing.T) {
	forEach(t, func(c *media.Config) { c.PartSize = media.MinPartSize }, func(t *testing.T, e *env) {
		d := e.device("doctor-1")
		photo := func(w int) []byte { return mediatest.JPEG(mediatest.Quadrants(w, 80), 90, mediatest.Metadata{}) }
		big := mediatest.Pad(mediatest.JPEG(mediatest.Quadrants(300, 200), 90, mediatest.Metadata{}), media.MinPartSize+1000)

		never := newID() // registered, nothing sent
		d.MustCreate(never, photo(100))
		partial := newID() // one part of two sent
		res := d.MustCreate(partial, big)
		d.PutParts(res, big, 1)
		unused := newID() // ready, never attached
		d.Upload(unused, photo(110))
		twin := newID() // the same file again: shares unused's objects
		if r := d.MustCreate(twin, photo(110)); r.GetMedia().GetStatus() != readyStatus {
			t.Fatalf("twin = %v", r)
		}
		attached := newID()
		d.Upload(attached, photo(120))
		stalled := newID() // attached to a draft, never uploaded
		d.MustCreate(stalled, photo(130))
		if err := e.update(func(tx syncengine.Tx) error {
			for id, ref := range map[string]string{attached: "case:1", twin: "case:2", stalled: "case:3"} {
				if _, err := media.Attach(ctx, tx, id, "doctor-1", ref); err != nil {
					return err
				}
			}
			_, err := media.Attach(ctx, tx, attached, "doctor-1", "case:1") // again: harmless
			return err
		}); err != nil {
			t.Fatal(err)
		}

		e.clock.Advance(23 * time.Hour)
		e.collect(0, 0)
		e.clock.Advance(2 * time.Hour)
		e.collect(3, 3) // never, partial and stalled's uploads; never, partial and unused

		synced := e.synced("doctor-1")
		for _, id := range []string{never, partial, unused} {
			if _, ok := synced[id]; ok {
				t.Fatalf("collected media %s still syncs", id)
			}
		}
		for _, id := range []string{twin, attached, stalled} {
			if _, ok := synced[id]; !ok {
				t.Fatalf("media %s was collected", id)
			}
		}
		if _, err := e.blobs.ListParts(ctx, "quarantine/"+partial, res.GetMultipart().GetUploadId()); !errors.Is(err, media.ErrNotFound) {
			t.Fatalf("the abandoned multipart upload is still there: %v", err)
		}
		if !e.objectExists("media/" + unused + "/image") {
			t.Fatal("objects shared with a live media were deleted")
		}
		if _, err := d.Download(twin, imageVariant); err != nil {
			t.Fatal(err)
		}
		// The stalled upload can still be done.
		again := d.MustCreate(stalled, photo(130))
		if status := d.Put(again, photo(130)); status != http.StatusOK {
			t.Fatalf("PUT: %d", status)
		}
		if m, err := d.Complete(stalled); err != nil || m.GetStatus() != readyStatus {
			t.Fatalf("stalled upload: %v, %v", m, err)
		}

		// Once the last media sharing them is detached and the retention
		// passes, the objects go too.
		if err := e.update(func(tx syncengine.Tx) error { return media.Detach(ctx, tx, twin, "case:2") }); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(23 * time.Hour)
		e.collect(0, 0)
		e.clock.Advance(2 * time.Hour)
		e.collect(0, 1)
		if e.objectExists("media/"+unused+"/image") || e.objectExists("media/"+unused+"/thumbnail") {
			t.Fatal("unused objects were kept")
		}
		if _, err := d.Download(attached, imageVariant); err != nil {
			t.Fatalf("an attached media was lost: %v", err)
		}
		if _, ok := e.synced("doctor-1")[twin]; ok {
			t.Fatal("the detached media still syncs")
		}
	})
}

func TestAttachRefused(t *testing.T) {
	e := newEnv(t, servertest.Backends[0], nil)
	d := e.device("doctor-1")
	pdf := []byte("%PDF-1.4 not a photo")
	bad := newID()
	d.Put(d.MustCreate(bad, pdf), pdf)
	d.Complete(bad)
	good := newID()
	d.MustCreate(good, []byte("uploading"))
	cases := []struct {
		id, owner, ref, code string
	}{
		{newID(), "doctor-1", "case:1", syncengine.ENOTFOUND},
		{good, "doctor-2", "case:1", syncengine.EPERMISSION},
		{bad, "doctor-1", "case:1", syncengine.EPRECONDITION},
		{good, "doctor-1", "", syncengine.EINVALID},
	}
	for _, c := range cases {
		err := e.update(func(tx syncengine.Tx) error {
			_, err := media.Attach(ctx, tx, c.id, c.owner, c.ref)
			return err
		})
		if syncengine.ErrorCode(err) != c.code {
			t.Errorf("Attach(%s, %s, %q) = %v, want %s", c.id, c.owner, c.ref, err, c.code)
		}
	}
	// An uploading media may be attached, and is then reported as such.
	err := e.update(func(tx syncengine.Tx) error {
		m, err := media.Attach(ctx, tx, good, "doctor-1", "case:9")
		if err == nil && m.Ready() {
			t.Error("an uploading media reported ready")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	e.store.View(ctx, func(q syncengine.Querier) error {
		refs, err = media.Refs(ctx, q, good)
		return err
	})
	if err != nil || len(refs) != 1 || refs[0] != "case:9" {
		t.Fatalf("refs = %v, %v", refs, err)
	}
}
