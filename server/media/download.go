package media

import (
	"context"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// ReadPolicy decides whether a principal other than the owner may read a
// media; the modules that reference media provide them, one per purpose
// (readers of a published case may read its photos, moderators may read
// diplomas). It runs in a read transaction; refs are what references the
// media (see Attach).
type ReadPolicy interface {
	MayRead(ctx context.Context, q syncengine.Querier, p syncengine.Principal, m *Media, refs []string) (bool, error)
}

// ReadPolicyFunc adapts a function to ReadPolicy.
type ReadPolicyFunc func(ctx context.Context, q syncengine.Querier, p syncengine.Principal, m *Media, refs []string) (bool, error)

// MayRead implements ReadPolicy.
func (f ReadPolicyFunc) MayRead(ctx context.Context, q syncengine.Querier, p syncengine.Principal, m *Media, refs []string) (bool, error) {
	return f(ctx, q, p, m, refs)
}

// DownloadURL returns a short-lived request reading a ready media's image
// or thumbnail, for its owner and for whom its purpose's policy allows.
func (s *Service) DownloadURL(ctx context.Context, p syncengine.Principal, mediaID string, v Variant) (Request, error) {
	if err := authenticated(p); err != nil {
		return Request{}, err
	}
	if v != Image && v != Thumbnail {
		return Request{}, syncengine.Invalid("invalid download", syncengine.Violation{Field: "variant", Description: "must be the image or the thumbnail"})
	}
	var m *Media
	err := s.view(ctx, func(q syncengine.Querier) error {
		var err error
		if m, err = getMedia(ctx, q, mediaID, ""); err != nil {
			return err
		}
		if m.OwnerID == p.UserID {
			return nil
		}
		policy := s.cfg.ReadPolicies[m.Purpose]
		if policy != nil {
			refs, err := Refs(ctx, q, m.ID)
			if err != nil {
				return err
			}
			ok, err := policy.MayRead(ctx, q, p, m, refs)
			if err != nil || ok {
				return err
			}
		}
		return syncengine.Errorf(syncengine.EPERMISSION, "you may not read media %s", mediaID)
	})
	if err != nil {
		return Request{}, err
	}
	switch m.Status {
	case uploading:
		return Request{}, syncengine.Errorf(syncengine.EPRECONDITION, "media %s is still uploading", mediaID)
	case rejected:
		return Request{}, syncengine.Errorf(syncengine.EPRECONDITION, "media %s was rejected: %s", mediaID, m.RejectionReason)
	}
	return s.blobs.PresignGet(ctx, blobKey(m.BlobID, v), s.cfg.DownloadTTL)
}
