package cases

import (
	"context"

	"google.golang.org/protobuf/proto"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/mutator"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// saveDraft is the mutation "case.save_draft": it creates a case or
// replaces a draft's content. A rejected case becomes a draft again; a
// submitted or published one must be withdrawn first. Its free text must
// not identify anyone; its photos must be the author's, registered for
// upload, and may still be uploading.
var saveDraft = mutator.New(func() *casesv1.SaveDraftArgs { return &casesv1.SaveDraftArgs{} },
	func(ctx context.Context, tx syncengine.Tx, call syncengine.Call, a *casesv1.SaveDraftArgs) ([]byte, error) {
		p := call.Principal
		if err := auth.Require(p, auth.RoleDoctor); err != nil {
			return nil, err
		}
		c := a.Content
		normalize(c)
		if err := checkAnonymous(c); err != nil {
			return nil, err
		}
		if err := checkPhotos(c); err != nil {
			return nil, err
		}
		now := tx.Now().UnixMilli()
		// The author is the caller (anyone else is refused below): their
		// name, for the case's record, travels with the case's lookup.
		var author string
		named := auth.QueueUserName(ctx, tx, p.UserID, &author)
		r, err := lock(ctx, tx, a.CaseId)
		isNew := syncengine.ErrorCode(err) == syncengine.ENOTFOUND
		switch {
		case isNew:
			r = &record{ID: a.CaseId, AuthorID: p.UserID, Status: statusDraft, CreatedAt: now}
		case err != nil:
			return nil, err
		case r.own(p) != nil:
			return nil, r.own(p)
		case r.Status == statusSubmitted:
			return nil, syncengine.Errorf(syncengine.EPRECONDITION, "case %s is waiting for moderation; withdraw it to edit it", r.ID)
		case r.Status == statusPublished:
			return nil, syncengine.Errorf(syncengine.EPRECONDITION, "case %s is published; withdraw it to edit it", r.ID)
		}
		if err := attachPhotos(ctx, tx, r.ID, p.UserID, c, r.Content); err != nil {
			return nil, err
		}
		r.Content, r.Status, r.UpdatedAt = c, statusDraft, now
		r.Version++
		if isNew {
			err = insert(ctx, tx, r)
		} else {
			err = update(ctx, tx, r)
		}
		if err != nil {
			return nil, err
		}
		if err := named(); err != nil {
			return nil, err
		}
		if _, err := syncCaseBy(tx, r, author); err != nil {
			return nil, err
		}
		if err := addEvent(ctx, tx, r.ID, p, "saved", ""); err != nil {
			return nil, err
		}
		return proto.Marshal(&casesv1.SaveDraftResult{Version: r.Version})
	})

// submit is the mutation "case.submit": a verified doctor sends a complete
// draft (or a rejected case) to moderation. Every photo must have finished
// uploading; nothing is submitted otherwise.
var submit = mutator.New(func() *casesv1.SubmitArgs { return &casesv1.SubmitArgs{} },
	func(ctx context.Context, tx syncengine.Tx, call syncengine.Call, a *casesv1.SubmitArgs) ([]byte, error) {
		p := call.Principal
		if err := auth.RequireVerifiedDoctor(p); err != nil {
			return nil, err
		}
		r, err := lockOwn(ctx, tx, p, a.CaseId)
		if err != nil {
			return nil, err
		}
		if r.Status != statusDraft && r.Status != statusRejected {
			return nil, syncengine.Errorf(syncengine.EPRECONDITION, "case %s is already %s", r.ID, r.Status)
		}
		if err := checkComplete(r.Content); err != nil {
			return nil, err
		}
		// Checked again: the content may have been saved before the
		// detector learned something new.
		if err := checkAnonymous(r.Content); err != nil {
			return nil, err
		}
		if err := checkPhotosReady(ctx, tx, r.Content); err != nil {
			return nil, err
		}
		now := tx.Now().UnixMilli()
		r.Status, r.SubmittedAt, r.UpdatedAt = statusSubmitted, now, now
		r.Version++
		if err := update(ctx, tx, r); err != nil {
			return nil, err
		}
		if _, err := syncCase(ctx, tx, r); err != nil {
			return nil, err
		}
		return nil, addEvent(ctx, tx, r.ID, p, "submitted", "")
	})

// withdraw is the mutation "case.withdraw": the author takes a submitted,
// rejected or published case back into their drafts (a published case
// leaves its specialty's feed with its discussion; points already earned
// stay), or discards a case of any status: its content, photos and
// comments are deleted, its history stays.
var withdraw = mutator.New(func() *casesv1.WithdrawArgs { return &casesv1.WithdrawArgs{} },
	func(ctx context.Context, tx syncengine.Tx, call syncengine.Call, a *casesv1.WithdrawArgs) ([]byte, error) {
		p := call.Principal
		if err := auth.Require(p, auth.RoleDoctor); err != nil {
			return nil, err
		}
		r, err := lockOwn(ctx, tx, p, a.CaseId)
		if err != nil {
			return nil, err
		}
		now := tx.Now().UnixMilli()
		wasPublished := r.Status == statusPublished
		if a.Discard {
			for _, ph := range r.Content.Photos {
				if err := media.Detach(ctx, tx, ph.MediaId, ref(r.ID)); err != nil {
					return nil, err
				}
			}
			if err := deleteComments(ctx, tx, r.ID); err != nil {
				return nil, err
			}
			r.Content, r.Status, r.UpdatedAt = &casesv1.CaseContent{}, statusDiscarded, now
			r.Version++
			if err := update(ctx, tx, r); err != nil {
				return nil, err
			}
			tx.Delete(CaseCollection, r.ID)
			return nil, addEvent(ctx, tx, r.ID, p, "discarded", "")
		}
		if r.Status == statusDraft {
			return nil, syncengine.Errorf(syncengine.EPRECONDITION, "case %s is already a draft", r.ID)
		}
		if wasPublished {
			if err := unpublishComments(ctx, tx, r.ID); err != nil {
				return nil, err
			}
		}
		r.Status, r.UpdatedAt = statusDraft, now
		r.Version++
		if err := update(ctx, tx, r); err != nil {
			return nil, err
		}
		if _, err := syncCase(ctx, tx, r); err != nil {
			return nil, err
		}
		return nil, addEvent(ctx, tx, r.ID, p, "withdrawn", "")
	})
