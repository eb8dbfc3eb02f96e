package media_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"connectrpc.com/connect"

	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/media/mediatest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Only the owner, and whom the purpose's policy allows, may read a media.
func TestDownloadPolicy(t *testing.T) {
	// Case photos: moderators, and anyone once the case is published.
	casePhotos := media.ReadPolicyFunc(func(_ context.Context, _ syncengine.Querier, p syncengine.Principal, _ *media.Media, refs []string) (bool, error) {
		return p.UserID == "moderator" || slices.Contains(refs, "case:published"), nil
	})
	tweak := func(c *media.Config) {
		c.ReadPolicies = map[mediav1.MediaPurpose]media.ReadPolicy{mediav1.MediaPurpose_MEDIA_PURPOSE_CASE_PHOTO: casePhotos}
	}
	forEach(t, tweak, func(t *testing.T, e *env) {
		owner, colleague, moderator := e.device("doctor-1"), e.device("doctor-2"), e.device("moderator")
		photo := mediatest.JPEG(mediatest.Quadrants(120, 80), 90, mediatest.Metadata{})
		id := newID()
		owner.Upload(id, photo)

		res, err := owner.GetDownloadUrl(ctx, connect.NewRequest(&mediav1.GetDownloadUrlRequest{MediaId: id, Variant: imageVariant}))
		if err != nil {
			t.Fatal(err)
		}
		if r := res.Msg.GetRequest(); r.GetMethod() != http.MethodGet ||
			time.Until(time.UnixMilli(r.GetExpiresAtUnixMs())) > 6*time.Minute || time.Until(time.UnixMilli(r.GetExpiresAtUnixMs())) < 4*time.Minute {
			t.Fatalf("download request %v, want a GET valid for 5 minutes", r)
		}
		_, err = colleague.Download(id, imageVariant)
		wantError(t, err, syncengine.EPERMISSION, "you may not read media")
		if _, err := moderator.Download(id, thumbVariant); err != nil {
			t.Fatalf("moderator: %v", err)
		}
		if err := e.update(func(tx syncengine.Tx) error {
			_, err := media.Attach(ctx, tx, id, "doctor-1", "case:published")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := colleague.Download(id, imageVariant); err != nil {
			t.Fatalf("colleague after publication: %v", err)
		}

		// No policy for diplomas here: only the owner.
		diploma := mediatest.JPEG(mediatest.Quadrants(130, 80), 90, mediatest.Metadata{})
		did := newID()
		r, err := owner.Create(did, diploma, mediav1.MediaPurpose_MEDIA_PURPOSE_DIPLOMA)
		if err != nil {
			t.Fatal(err)
		}
		_, err = owner.Download(did, imageVariant)
		wantError(t, err, syncengine.EPRECONDITION, "is still uploading")
		owner.Put(r, diploma)
		if _, err := owner.Complete(did); err != nil {
			t.Fatal(err)
		}
		_, err = moderator.Download(did, imageVariant)
		wantError(t, err, syncengine.EPERMISSION, "you may not read media")
		if _, err := owner.Download(did, imageVariant); err != nil {
			t.Fatal(err)
		}
	})
}
