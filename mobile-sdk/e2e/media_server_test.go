package e2e_test

import (
	"context"
	"slices"

	"connectrpc.com/connect"

	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/media/v1/mediav1connect"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/media/fsblob"
	"github.com/ordinatorhq/ordinator/server/rpc"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// blobKinds are the blob stores the media tests run on, as the media
// module's own tests do.
var blobKinds = []string{servertest.MinIO, servertest.FSBlob}

// serveMedia mounts server/media on srv over the server's blob store and
// its store of this start, with the fsblob handler when the store is one.
func (s *server) serveMedia(srv *rpc.Server) {
	cfg := s.cfg.media
	cfg.Store, cfg.Blobs, cfg.Logger = s.store, s.blobs, quietLogger()
	// A media referenced from a room (ref "room:<name>") may be read by
	// whoever may read the room, as a case's photos by its readers.
	engine := s.h.Engine
	cfg.ReadPolicies = map[mediav1.MediaPurpose]media.ReadPolicy{
		casePhoto: media.ReadPolicyFunc(func(ctx context.Context, _ syncengine.Querier, p syncengine.Principal, _ *media.Media, refs []string) (bool, error) {
			readable, err := engine.Buckets(ctx, p)
			if err != nil {
				return false, err
			}
			for _, ref := range refs {
				if slices.Contains(readable, syncengine.Bucket(ref)) {
					return true, nil
				}
			}
			return false, nil
		}),
	}
	svc, err := media.New(cfg)
	if err != nil {
		s.t.Fatal(err)
	}
	srv.Handle(mediav1connect.NewMediaServiceHandler(hookedMedia{media.NewHandler(svc), s.hooks}, srv.Options()...))
	if s.blobHandler != nil {
		srv.HandleHTTP(fsblob.Prefix, s.blobHandler)
	}
}

// hookedMedia is the real MediaService with the test's hooks around it.
type hookedMedia struct {
	*media.Handler
	hooks *hooks
}

func (m hookedMedia) CreateUpload(ctx context.Context, req *connect.Request[mediav1.CreateUploadRequest]) (*connect.Response[mediav1.CreateUploadResponse], error) {
	res, err := m.Handler.CreateUpload(ctx, req)
	if err == nil {
		if f := m.hooks.createUpload(); f != nil {
			f(res.Msg)
		}
	}
	return res, err
}

// attach records, as a module's mutation would, that a note of a room
// references a media.
func (s *server) attach(mediaID, owner string, room syncengine.Bucket) {
	s.t.Helper()
	err := s.store.Update(context.Background(), func(tx syncengine.Tx) error {
		_, err := media.Attach(context.Background(), tx, mediaID, owner, string(room))
		return err
	})
	if err != nil {
		s.t.Fatal(err)
	}
}
