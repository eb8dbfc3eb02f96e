// Package cases is the device's side of clinical cases on an sdk.Replica:
// typed collections "case" and "case_comment", the optimistic effects of
// the mutations "case.save_draft", "case.submit", "case.withdraw" and
// "case.comment", and helpers that queue them and the case's photos.
//
// A draft is on the device the moment it is saved, offline or not; a
// submitted case shows as submitted (pending, waiting for moderation) until
// the server's state replaces it. What the server would refuse for sure and
// can be known on the device — an invalid field, a photo given twice, free
// text that may identify a patient (the server's own check,
// rules/anonymity), a submission without a photo before and after the
// treatment — is refused before anything is queued, with a
// *syncengine.Error naming every field at fault, as the server would.
//
// Photos go through the SDK's media queue (Replica.AddPhotoFrom with the
// case-photo purpose). The server accepts a draft only once its photos are
// registered for upload, and a submission only once they have finished
// uploading, so a device that reconnects uploads its photos
// (Replica.UploadMedia) before it pushes (Replica.Sync).
package cases

import (
	"context"
	"io"
	"os"

	"google.golang.org/protobuf/proto"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
)

// Collections as the server names them.
const (
	CaseCollection    = casesv1.CaseCollection
	CommentCollection = casesv1.CaseCommentCollection
)

// Cases is the collection of cases on the device: the user's own (every
// status but discarded) and the published cases of their specialty. It is
// indexed by status (the CaseStatus number), specialty, author, and the
// times of the last change and of publication, for lists.
var Cases = withPhotos(sdk.ProtoCollection[*casesv1.Case](CaseCollection,
	sdk.ProtoColumn[*casesv1.Case]{Name: "status", Type: sdk.Integer, Value: func(c *casesv1.Case) any { return int64(c.GetStatus()) }},
	sdk.ProtoColumn[*casesv1.Case]{Name: "specialty", Type: sdk.Text, Value: func(c *casesv1.Case) any { return c.GetSpecialty() }},
	sdk.ProtoColumn[*casesv1.Case]{Name: "author_id", Type: sdk.Text, Value: func(c *casesv1.Case) any { return c.GetAuthorId() }},
	sdk.ProtoColumn[*casesv1.Case]{Name: "updated_at", Type: sdk.Integer, Value: func(c *casesv1.Case) any { return c.GetUpdatedAtUnixMs() }},
	sdk.ProtoColumn[*casesv1.Case]{Name: "published_at", Type: sdk.Integer, Value: func(c *casesv1.Case) any { return c.GetPublishedAtUnixMs() }},
))

// Comments is the discussion of the published cases on the device, indexed
// by case and time.
var Comments = sdk.ProtoCollection[*casesv1.CaseComment](CommentCollection,
	sdk.ProtoColumn[*casesv1.CaseComment]{Name: "case_id", Type: sdk.Text, Value: func(c *casesv1.CaseComment) any { return c.GetCaseId() }},
	sdk.ProtoColumn[*casesv1.CaseComment]{Name: "created_at", Type: sdk.Integer, Value: func(c *casesv1.CaseComment) any { return c.GetCreatedAtUnixMs() }},
)

// withPhotos tells the replica which media a case references, so the
// photos it downloaded stay while the case is on the device.
func withPhotos(tc *sdk.TypedCollection[*casesv1.Case]) *sdk.TypedCollection[*casesv1.Case] {
	tc.Collection.Media = func(payload []byte) ([]string, error) {
		c := &casesv1.Case{}
		if err := proto.Unmarshal(payload, c); err != nil {
			return nil, err
		}
		ids := make([]string, 0, len(c.GetContent().GetPhotos()))
		for _, p := range c.GetContent().GetPhotos() {
			ids = append(ids, p.GetMediaId())
		}
		return ids, nil
	}
	return tc
}

// Register adds the collections and the mutations' optimistic effects to
// a schema (before sdk.Open).
func Register(s *sdk.Schema) {
	s.AddCollection(Cases.Collection)
	s.AddCollection(Comments.Collection)
	s.AddMutation(casesv1.SaveDraftMutation, sdk.ProtoMutation(saveDraft))
	s.AddMutation(casesv1.SubmitMutation, sdk.ProtoMutation(submit))
	s.AddMutation(casesv1.WithdrawMutation, sdk.ProtoMutation(withdraw))
	s.AddMutation(casesv1.CommentMutation, sdk.ProtoMutation(comment))
}

// SaveDraft creates a case (caseID a new UUID) or replaces a draft's
// content. It returns the mutation's id, which a rejection carries.
func SaveDraft(ctx context.Context, r *sdk.Replica, caseID string, c *casesv1.CaseContent) (int64, error) {
	return r.MutateProto(ctx, casesv1.SaveDraftMutation, &casesv1.SaveDraftArgs{CaseId: caseID, Content: c})
}

// Submit sends a complete draft (or a rejected case) to moderation. A
// photo the media queue has given up on (the server refused the file) is
// refused here, since the server would refuse the submission.
func Submit(ctx context.Context, r *sdk.Replica, caseID string) (int64, error) {
	c, ok, err := Cases.Get(ctx, r, caseID)
	if err != nil {
		return 0, err
	}
	if ok {
		if err := checkUploads(ctx, r, c.GetContent()); err != nil {
			return 0, err
		}
	}
	return r.MutateProto(ctx, casesv1.SubmitMutation, &casesv1.SubmitArgs{CaseId: caseID})
}

// Withdraw takes a submitted, rejected or published case back into the
// drafts, or, with discard, deletes a case of any status.
func Withdraw(ctx context.Context, r *sdk.Replica, caseID string, discard bool) (int64, error) {
	return r.MutateProto(ctx, casesv1.WithdrawMutation, &casesv1.WithdrawArgs{CaseId: caseID, Discard: discard})
}

// Comment writes in the discussion of a published case (commentID a new
// UUID).
func Comment(ctx context.Context, r *sdk.Replica, commentID, caseID, text string) (int64, error) {
	return r.MutateProto(ctx, casesv1.CommentMutation, &casesv1.CommentArgs{CommentId: commentID, CaseId: caseID, Text: text})
}

// AddPhoto stores a photo read from src on the device without its metadata
// and queues its upload as a case photo; the photo it returns goes into a
// draft's content at once, uploaded or not.
func AddPhoto(ctx context.Context, r *sdk.Replica, src io.Reader, stage casesv1.PhotoStage) (*casesv1.CasePhoto, error) {
	if err := checkStage(stage); err != nil {
		return nil, err
	}
	id, err := r.AddPhotoFrom(ctx, src, mediav1.MediaPurpose_MEDIA_PURPOSE_CASE_PHOTO)
	if err != nil {
		return nil, err
	}
	return &casesv1.CasePhoto{MediaId: id, Stage: stage}, nil
}

// AddPhotoFile is AddPhoto for the photo at path.
func AddPhotoFile(ctx context.Context, r *sdk.Replica, path string, stage casesv1.PhotoStage) (*casesv1.CasePhoto, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return AddPhoto(ctx, r, f, stage)
}

// ByStatus lists the cases of a status on the device, latest change first.
func ByStatus(ctx context.Context, r *sdk.Replica, status casesv1.CaseStatus) ([]*casesv1.Case, error) {
	return Cases.Query(ctx, r, sdk.Query{Where: []sdk.Filter{{Column: "status", Op: sdk.Eq, Value: int64(status)}}, OrderBy: "updated_at", Desc: true})
}

// Feed lists the published cases of a specialty, latest first.
func Feed(ctx context.Context, r *sdk.Replica, specialty string) ([]*casesv1.Case, error) {
	return Cases.Query(ctx, r, sdk.Query{Where: []sdk.Filter{
		{Column: "status", Op: sdk.Eq, Value: int64(casesv1.CaseStatus_CASE_STATUS_PUBLISHED)},
		{Column: "specialty", Op: sdk.Eq, Value: specialty},
	}, OrderBy: "published_at", Desc: true})
}

// Discussion lists a case's comments, oldest first.
func Discussion(ctx context.Context, r *sdk.Replica, caseID string) ([]*casesv1.CaseComment, error) {
	return Comments.Query(ctx, r, sdk.Query{Where: []sdk.Filter{{Column: "case_id", Op: sdk.Eq, Value: caseID}}, OrderBy: "created_at"})
}
