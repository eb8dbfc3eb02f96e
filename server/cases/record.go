package cases

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"google.golang.org/protobuf/proto"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// record is a case as the server keeps it.
type record struct {
	ID            string
	AuthorID      string
	Status        string
	Content       *casesv1.CaseContent
	Specialty     string
	Version       int64
	ModeratorID   string
	ModeratorNote string
	CreatedAt     int64
	UpdatedAt     int64
	SubmittedAt   int64
	PublishedAt   int64
}

// ref is how a case references its photos (media.Attach).
func ref(caseID string) string { return "case:" + caseID }

const recordColumns = `id, author_id, status, content, specialty, version, moderator_id, moderator_note, created_at, updated_at, submitted_at, published_at`

func scanRecord(row syncengine.Row) (*record, error) {
	r := &record{Content: &casesv1.CaseContent{}}
	var content []byte
	if err := row.Scan(&r.ID, &r.AuthorID, &r.Status, &content, &r.Specialty, &r.Version, &r.ModeratorID, &r.ModeratorNote,
		&r.CreatedAt, &r.UpdatedAt, &r.SubmittedAt, &r.PublishedAt); err != nil {
		return nil, err
	}
	return r, proto.Unmarshal(content, r.Content)
}

// load reads a case, or returns ENOTFOUND.
func load(ctx context.Context, q syncengine.Querier, id string) (*record, error) {
	return read(ctx, q, id, "")
}

// lock reads a case to write it, holding its row until commit: every
// transaction that writes a case, or its discussion, reads it so. Writers
// of one case then take turns (on PostgreSQL the next waits here; SQLite
// has one writer), and each sees the version and the status the one
// before it wrote, so two phones of a doctor saving at once, or a
// moderator publishing while the author withdraws, are never told the
// case changed meanwhile.
func lock(ctx context.Context, tx syncengine.Tx, id string) (*record, error) {
	return read(ctx, tx, id, tx.Dialect().LockRows())
}

func read(ctx context.Context, q syncengine.Querier, id, clause string) (*record, error) {
	r, err := scanRecord(q.QueryRow(ctx, `SELECT `+recordColumns+` FROM cases WHERE id = $1`+clause, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, noCase(id)
	}
	return r, err
}

func noCase(id string) error {
	return syncengine.Errorf(syncengine.ENOTFOUND, "there is no case %s", id)
}

// private reports whether a case is its author's alone: a draft, or a case
// discarded before it was ever submitted.
func (r *record) private() bool {
	return r.Status == statusDraft || (r.Status == statusDiscarded && r.SubmittedAt == 0)
}

// shared returns a case, read by load or lock, as anyone but its author
// finds it: a private one answers as an unknown id does, so its existence
// does not show.
func shared(r *record, err error) (*record, error) {
	if err == nil && r.private() {
		return nil, noCase(r.ID)
	}
	return r, err
}

// lockOwn locks a case of the caller's, one that has not been discarded.
// Another doctor's case is answered as one that does not exist: the
// caller learns nothing of it.
func lockOwn(ctx context.Context, tx syncengine.Tx, p syncengine.Principal, id string) (*record, error) {
	r, err := lock(ctx, tx, id)
	if syncengine.ErrorCode(err) == syncengine.ENOTFOUND || err == nil && r.AuthorID != p.UserID {
		return nil, syncengine.Errorf(syncengine.ENOTFOUND, "you have no case %s", id)
	}
	if err != nil {
		return nil, err
	}
	return r, r.own(p)
}

// errCaseIDTaken answers a doctor who saves a draft under the id of
// another doctor's case, whatever that case's state: a new case cannot
// have it, and nothing more is said.
func errCaseIDTaken(id string) *syncengine.Error {
	return &syncengine.Error{Code: syncengine.ECONFLICT, Message: "case id " + id + " is already used; start a new case",
		Violations: []syncengine.Violation{{Field: "case_id", Description: "already used"}}}
}

// own returns an error unless the case is the caller's and not discarded.
func (r *record) own(p syncengine.Principal) error {
	if r.AuthorID != p.UserID {
		return errCaseIDTaken(r.ID)
	}
	if r.Status == statusDiscarded {
		return syncengine.Errorf(syncengine.EPRECONDITION, "case %s was discarded; start a new one", r.ID)
	}
	return nil
}

// productKey folds a product name for grouping: "Effaclar  DUO+" and
// "effaclar duo+" are one product.
func productKey(product string) string {
	return strings.ReplaceAll(strings.Join(strings.Fields(strings.ToLower(product)), " "), "ё", "е")
}

// insert adds a new case at version 1, one lock found no row for. A
// writer that created the same case meanwhile (another phone of the
// author's saving it too) makes the insert fail on the key, which the
// store takes for a race and answers by running the transaction again:
// then lock finds the case and waits its turn. The insert is queued, its
// failure being the mutation's wherever it surfaces.
func insert(ctx context.Context, tx syncengine.Tx, r *record) error {
	content, err := proto.Marshal(r.Content)
	if err != nil {
		return err
	}
	tx.Queue(ctx, `INSERT INTO cases (id, author_id, status, content, product, product_key, outcome, duration_days, specialty, version,
		moderator_id, moderator_note, created_at, updated_at, submitted_at, published_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		r.ID, r.AuthorID, r.Status, content, r.Content.Product, productKey(r.Content.Product), int64(r.Content.Outcome), int64(r.Content.DurationDays),
		r.Specialty, r.Version, r.ModeratorID, r.ModeratorNote, r.CreatedAt, r.UpdatedAt, r.SubmittedAt, r.PublishedAt)
	return nil
}

// update writes the next version of a case read by lock: r.Version must be
// one more than the version it was read at. The version check guards
// against a writer that did not lock the case, whose write would
// otherwise be lost: then the write fails with ECONFLICT.
func update(ctx context.Context, tx syncengine.Tx, r *record) error {
	content, err := proto.Marshal(r.Content)
	if err != nil {
		return err
	}
	n, err := tx.Exec(ctx, `UPDATE cases SET status = $2, content = $3, product = $4, product_key = $5, outcome = $6, duration_days = $7,
		specialty = $8, version = $9, moderator_id = $10, moderator_note = $11, updated_at = $12, submitted_at = $13, published_at = $14
		WHERE id = $1 AND version = $9 - 1`,
		r.ID, r.Status, content, r.Content.Product, productKey(r.Content.Product), int64(r.Content.Outcome), int64(r.Content.DurationDays),
		r.Specialty, r.Version, r.ModeratorID, r.ModeratorNote, r.UpdatedAt, r.SubmittedAt, r.PublishedAt)
	if err == nil && n == 0 {
		err = syncengine.Errorf(syncengine.ECONFLICT, "case %s changed meanwhile; try again", r.ID)
	}
	return err
}

// proto returns the case as it syncs.
func (r *record) proto(authorName string) *casesv1.Case {
	return &casesv1.Case{
		Id: r.ID, AuthorId: r.AuthorID, AuthorName: authorName, Specialty: r.Specialty, Status: statusProto(r.Status),
		Content: r.Content, Version: r.Version, ModeratorNote: r.ModeratorNote,
		CreatedAtUnixMs: r.CreatedAt, UpdatedAtUnixMs: r.UpdatedAt, SubmittedAtUnixMs: r.SubmittedAt, PublishedAtUnixMs: r.PublishedAt,
	}
}

func statusProto(s string) casesv1.CaseStatus {
	switch s {
	case statusDraft:
		return casesv1.CaseStatus_CASE_STATUS_DRAFT
	case statusSubmitted:
		return casesv1.CaseStatus_CASE_STATUS_SUBMITTED
	case statusPublished:
		return casesv1.CaseStatus_CASE_STATUS_PUBLISHED
	case statusRejected:
		return casesv1.CaseStatus_CASE_STATUS_REJECTED
	}
	return casesv1.CaseStatus_CASE_STATUS_UNSPECIFIED
}

// authorName returns a user's display name ("" for an unknown user).
func authorName(ctx context.Context, q syncengine.Querier, userID string) (string, error) {
	u, err := auth.FindUser(ctx, q, userID)
	var de *syncengine.Error
	if errors.As(err, &de) && de.Code == syncengine.ENOTFOUND {
		return "", nil
	}
	return u.Name, err
}

// syncCase records the case's state for devices: its author's always, the
// specialty's while published. It returns the case as synced.
func syncCase(ctx context.Context, tx syncengine.Tx, r *record) (*casesv1.Case, error) {
	name, err := authorName(ctx, tx, r.AuthorID)
	if err != nil {
		return nil, err
	}
	return syncCaseBy(tx, r, name)
}

// syncCaseBy is syncCase with the author's name known.
func syncCaseBy(tx syncengine.Tx, r *record, author string) (*casesv1.Case, error) {
	c := r.proto(author)
	payload, err := proto.Marshal(c)
	if err != nil {
		return nil, err
	}
	buckets := []syncengine.Bucket{syncengine.UserBucket(r.AuthorID)}
	if r.Status == statusPublished {
		buckets = append(buckets, auth.SpecialtyBucket(r.Specialty))
	}
	tx.Put(CaseCollection, r.ID, payload, buckets...)
	return c, nil
}

// addEvent appends a line to a case's history: p's action, from p's host.
// It is queued: nothing reads its result.
func addEvent(ctx context.Context, tx syncengine.Tx, caseID string, p syncengine.Principal, action, note string) error {
	tx.Queue(ctx, `INSERT INTO case_events (case_id, at, actor_id, action, note, address) VALUES ($1, $2, $3, $4, $5, $6)`,
		caseID, tx.Now().UnixMilli(), p.UserID, action, note, p.Address)
	return nil
}

// events returns a case's history, oldest first.
func events(ctx context.Context, q syncengine.Querier, caseID string) ([]*casesv1.CaseEvent, error) {
	rows, err := q.Query(ctx, `SELECT at, actor_id, action, note FROM case_events WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, err
	}
	return sqlq.Collect(rows, func(r syncengine.Row) (*casesv1.CaseEvent, error) {
		e := &casesv1.CaseEvent{}
		return e, r.Scan(&e.AtUnixMs, &e.ActorId, &e.Action, &e.Note)
	})
}
