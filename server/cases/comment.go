package cases

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"google.golang.org/protobuf/proto"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/rules/anonymity"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/mutator"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// comment is the mutation "case.comment": a verified doctor of a published
// case's specialty writes in its discussion, which syncs with the case.
// Comments are checked for names and contacts like the case itself.
var comment = mutator.New(func() *casesv1.CommentArgs { return &casesv1.CommentArgs{} },
	func(ctx context.Context, tx syncengine.Tx, call syncengine.Call, a *casesv1.CommentArgs) ([]byte, error) {
		p := call.Principal
		if err := auth.RequireVerifiedDoctor(p); err != nil {
			return nil, err
		}
		text := strings.TrimSpace(a.Text)
		if text == "" {
			return nil, syncengine.Invalid("an empty comment", syncengine.Violation{Field: "text", Description: "is empty"})
		}
		if v, ok := anonymityViolation("text", text); ok {
			return nil, syncengine.Invalid("the comment may identify a patient: "+anonymity.Advice, v)
		}
		// Cases of other specialties and unpublished ones do not exist for
		// the commenter: they are answered as a case that does not. The
		// case is locked, as by every writer of its discussion: a
		// withdrawal or discard at the same moment either comes first,
		// and the comment finds no published case, or waits and takes
		// this comment off the feed (or deletes it) with the others.
		r, err := lock(ctx, tx, a.CaseId)
		if syncengine.ErrorCode(err) == syncengine.ENOTFOUND || err == nil && (r.Status != statusPublished || r.Specialty != auth.ClaimsOf(p).Specialty) {
			return nil, syncengine.Errorf(syncengine.ENOTFOUND, "there is no published case %s in your specialty", a.CaseId)
		}
		if err != nil {
			return nil, err
		}
		c := &casesv1.CaseComment{Id: a.CommentId, CaseId: r.ID, AuthorId: p.UserID, Text: text, CreatedAtUnixMs: tx.Now().UnixMilli()}
		n, err := tx.Exec(ctx, `INSERT INTO case_comments (id, case_id, author_id, text, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`,
			c.Id, c.CaseId, c.AuthorId, c.Text, c.CreatedAtUnixMs)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, syncengine.Invalid("comment id already used", syncengine.Violation{Field: "comment_id", Description: "a comment " + c.Id + " already exists"})
		}
		return nil, putComment(ctx, tx, c, r.Specialty)
	})

// storedComment is a comment with what only moderators see.
type storedComment struct {
	*casesv1.CaseComment
	Original     string // the text as written, also when hidden
	HiddenBy     string
	HiddenReason string
}

const commentColumns = `id, case_id, author_id, text, hidden, hidden_by, hidden_reason, created_at`

func scanComment(row syncengine.Row) (*storedComment, error) {
	c := &storedComment{CaseComment: &casesv1.CaseComment{}}
	if err := row.Scan(&c.Id, &c.CaseId, &c.AuthorId, &c.Original, &c.Hidden, &c.HiddenBy, &c.HiddenReason, &c.CreatedAtUnixMs); err != nil {
		return nil, err
	}
	if !c.Hidden {
		c.Text = c.Original
	}
	return c, nil
}

func comments(ctx context.Context, q syncengine.Querier, caseID string) ([]*storedComment, error) {
	rows, err := q.Query(ctx, `SELECT `+commentColumns+` FROM case_comments WHERE case_id = $1 ORDER BY created_at, id`, caseID)
	if err != nil {
		return nil, err
	}
	return sqlq.Collect(rows, scanComment)
}

// putComment syncs a comment (its public form) to the case's specialty.
func putComment(ctx context.Context, tx syncengine.Tx, c *casesv1.CaseComment, specialty string) error {
	name, err := authorName(ctx, tx, c.AuthorId)
	if err != nil {
		return err
	}
	c.AuthorName = name
	payload, err := proto.Marshal(c)
	if err != nil {
		return err
	}
	tx.Put(CommentCollection, c.Id, payload, auth.SpecialtyBucket(specialty))
	return nil
}

// publishComments syncs a case's discussion to its specialty again, when
// a withdrawn case is published anew.
func publishComments(ctx context.Context, tx syncengine.Tx, caseID, specialty string) error {
	cs, err := comments(ctx, tx, caseID)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if err := putComment(ctx, tx, c.CaseComment, specialty); err != nil {
			return err
		}
	}
	return nil
}

// unpublishComments takes a case's discussion off devices, keeping it.
func unpublishComments(ctx context.Context, tx syncengine.Tx, caseID string) error {
	cs, err := comments(ctx, tx, caseID)
	if err != nil {
		return err
	}
	for _, c := range cs {
		tx.Delete(CommentCollection, c.Id)
	}
	return nil
}

// deleteComments deletes a case's discussion.
func deleteComments(ctx context.Context, tx syncengine.Tx, caseID string) error {
	if err := unpublishComments(ctx, tx, caseID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `DELETE FROM case_comments WHERE case_id = $1`, caseID)
	return err
}

// HideComment hides a comment from the discussion with a reason; devices
// keep a placeholder without its text. Moderators may.
func (s *Service) HideComment(ctx context.Context, p syncengine.Principal, commentID, reason string) (*casesv1.CaseComment, error) {
	if err := auth.Require(p, auth.RoleModerator); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, syncengine.Invalid("hiding a comment needs a reason", syncengine.Violation{Field: "reason", Description: "say why the comment is hidden"})
	}
	var out *casesv1.CaseComment
	noComment := syncengine.Errorf(syncengine.ENOTFOUND, "there is no comment %s", commentID)
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		// The comment's case first, locked as by every writer of its
		// discussion; then the comment as that leaves it (a discard may
		// have deleted it, another moderator hidden it).
		var caseID string
		err := tx.QueryRow(ctx, `SELECT case_id FROM case_comments WHERE id = $1`, commentID).Scan(&caseID)
		if errors.Is(err, sql.ErrNoRows) {
			return noComment
		}
		if err != nil {
			return err
		}
		r, err := lock(ctx, tx, caseID)
		if err != nil {
			return err
		}
		c, err := scanComment(tx.QueryRow(ctx, `SELECT `+commentColumns+` FROM case_comments WHERE id = $1`, commentID))
		if errors.Is(err, sql.ErrNoRows) {
			return noComment
		}
		if err != nil {
			return err
		}
		if c.Hidden {
			return syncengine.Errorf(syncengine.EPRECONDITION, "comment %s is already hidden", commentID)
		}
		if _, err := tx.Exec(ctx, `UPDATE case_comments SET hidden = TRUE, hidden_by = $2, hidden_reason = $3 WHERE id = $1`,
			commentID, p.UserID, reason); err != nil {
			return err
		}
		c.Hidden, c.Text = true, ""
		if r.Status == statusPublished {
			if err := putComment(ctx, tx, c.CaseComment, r.Specialty); err != nil {
				return err
			}
		}
		out = c.CaseComment
		return addEvent(ctx, tx, r.ID, p, "comment_hidden", commentID+": "+reason)
	})
	return out, err
}
