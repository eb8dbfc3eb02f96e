package content_test

import (
	"crypto/sha256"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"

	"github.com/google/uuid"

	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/media/blobtest"
	"github.com/ordinatorhq/ordinator/server/media/fsblob"
	"github.com/ordinatorhq/ordinator/server/media/mediatest"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// images is the media module under a content test, taking the editors'
// uploads into a fresh blob store: the filesystem store with SQLite and
// MinIO with PostgreSQL, as ordinator serve runs them.
type images struct {
	e   *env
	svc *media.Service
}

func (e *env) images() *images {
	e.t.Helper()
	kind := servertest.FSBlob
	if e.store.Dialect() == syncengine.Postgres {
		kind = servertest.MinIO
	}
	srv := httptest.NewUnstartedServer(nil)
	blobs, handler := servertest.Blobs(e.t, kind, "http://"+srv.Listener.Addr().String())
	if handler != nil {
		mux := http.NewServeMux()
		mux.Handle(fsblob.Prefix, handler)
		srv.Config.Handler = mux
		srv.Start()
		e.t.Cleanup(srv.Close)
	}
	svc, err := media.New(media.Config{Store: e.store, Blobs: blobs, Logger: slog.New(slog.NewTextHandler(e.t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))})
	must(e.t, err)
	return &images{e: e, svc: svc}
}

// image is a photo an editor has registered for upload.
type image struct {
	id     string
	file   []byte
	upload *media.Upload
}

const contentImage = mediav1.MediaPurpose_MEDIA_PURPOSE_CONTENT_IMAGE

// register registers a photo of an editor's for a purpose, as the console
// does before its bytes go to storage.
func (im *images) register(editor syncengine.Principal, seed uint64, purpose mediav1.MediaPurpose) image {
	im.e.t.Helper()
	file := mediatest.JPEG(mediatest.Photo(320, 240, seed), 85, mediatest.All(1))
	sum := sha256.Sum256(file)
	id := uuid.NewString()
	up, err := im.svc.CreateUpload(im.e.ctx, editor, media.UploadRequest{MediaID: id, SHA256: sum[:], Size: int64(len(file)),
		ContentType: "image/jpeg", Purpose: purpose})
	must(im.e.t, err)
	return image{id: id, file: file, upload: up}
}

// send stores a registered photo's bytes and confirms the upload; the media
// module cleans it and marks it ready.
func (im *images) send(editor syncengine.Principal, img image) {
	im.e.t.Helper()
	if status, _, body := blobtest.Send(im.e.t, *img.upload.Single, img.file, nil); status != http.StatusOK {
		im.e.t.Fatalf("PUT %s: %d %s", img.id, status, body)
	}
	m, err := im.svc.CompleteUpload(im.e.ctx, editor, img.id, nil)
	must(im.e.t, err)
	if !m.Ready() {
		im.e.t.Fatalf("image %s is %v: %s", img.id, m.Status, m.RejectionReason)
	}
}

// referenced reports whether the media module keeps a media for ref.
func (im *images) referenced(id, ref string) bool {
	im.e.t.Helper()
	var refs []string
	must(im.e.t, im.e.store.View(im.e.ctx, func(q syncengine.Querier) error {
		var err error
		refs, err = media.Refs(im.e.ctx, q, id)
		return err
	}))
	return slices.Contains(refs, ref)
}
