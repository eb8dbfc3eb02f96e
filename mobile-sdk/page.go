package sdk

import (
	"errors"
	"fmt"

	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Limits on what a page may contain: it comes from the network and is
// checked before anything is written.
const (
	maxCollectionLen = 200
	maxRecordIDLen   = 1024
)

// validatePage checks a pull page for anything the replica could not apply
// faithfully.
func validatePage(p *syncv1.PullResponse) error {
	known := make(map[string]bool, len(p.GetCursors()))
	for i, c := range p.GetCursors() {
		if err := syncengine.Bucket(c.GetBucket()).Validate(); err != nil {
			return fmt.Errorf("cursor %d: %w", i, err)
		}
		if c.GetAfter() < 0 {
			return fmt.Errorf("cursor %d for %s is negative", i, c.GetBucket())
		}
		if known[c.GetBucket()] {
			return fmt.Errorf("bucket %s has two cursors", c.GetBucket())
		}
		known[c.GetBucket()] = true
	}
	for _, b := range p.GetDroppedBuckets() {
		if err := syncengine.Bucket(b).Validate(); err != nil {
			return fmt.Errorf("dropped bucket: %w", err)
		}
		if known[b] {
			return fmt.Errorf("bucket %s is both dropped and kept", b)
		}
	}
	for _, b := range p.GetResetBuckets() {
		if !known[b] {
			return fmt.Errorf("reset bucket %s has no cursor", b)
		}
	}
	for _, c := range p.GetChanges() {
		if !known[c.GetBucket()] {
			return fmt.Errorf("change %d is for bucket %q, which the page has no cursor for", c.GetSeq(), c.GetBucket())
		}
		if c.GetOp() != syncv1.Op_OP_UPSERT && c.GetOp() != syncv1.Op_OP_DELETE {
			return fmt.Errorf("change %d has unknown op %d", c.GetSeq(), c.GetOp())
		}
		if c.GetCollection() == "" || len(c.GetCollection()) > maxCollectionLen {
			return fmt.Errorf("change %d has a collection name of %d bytes", c.GetSeq(), len(c.GetCollection()))
		}
		if c.GetRecordId() == "" || len(c.GetRecordId()) > maxRecordIDLen {
			return fmt.Errorf("change %d has a record id of %d bytes", c.GetSeq(), len(c.GetRecordId()))
		}
	}
	if cp := p.GetCheckpoint(); cp != nil {
		if p.GetHasMore() {
			return errors.New("a page with more to come carries a checkpoint")
		}
		for _, b := range cp.GetBuckets() {
			if !known[b.GetBucket()] {
				return fmt.Errorf("checkpoint has a checksum for %s, which the page has no cursor for", b.GetBucket())
			}
		}
	}
	return nil
}

// pageResult is what applying one page did.
type pageResult struct {
	checkpoint bool
	mismatched []string
	settle     settleResult
}

type bucketSum struct {
	sum   uint64
	count int64
	// fresh: the bucket's rows are not in the collection tables at all
	// (new, reset or re-downloaded since the last checkpoint). Its changes
	// are not marked dirty one by one; the checkpoint copies the whole
	// bucket instead, which halves the work of an initial download.
	fresh bool
}

// applyPage applies one pull page in one transaction: rows of dropped and
// reset buckets go, the changes land in sdk_rows (invisible to the app) and
// the cursors advance, so a crash loses nothing and the next pull resumes.
// At a checkpoint the checksums are verified; if they all match, the
// collection tables are brought up to date (settle), else the mismatched
// buckets are cleared to download again and the tables wait for a good
// checkpoint.
func (r *Replica) applyPage(tx *wtx, p *syncv1.PullResponse) (pageResult, error) {
	var res pageResult
	if err := validatePage(p); err != nil {
		return res, fmt.Errorf("sdk: the server sent a page that cannot be applied: %w", err)
	}
	sums := bucketSums{tx: tx, m: map[string]*bucketSum{}}
	if err := forgetBuckets(tx, p, sums); err != nil {
		return res, err
	}
	if err := stageChanges(tx, p.GetChanges(), sums); err != nil {
		return res, err
	}
	if err := saveCursors(tx, p.GetCursors(), sums); err != nil {
		return res, err
	}
	cp := p.GetCheckpoint()
	if cp == nil {
		return res, nil
	}
	res.checkpoint = true
	var err error
	res.mismatched, err = r.verifyCheckpoint(tx, cp, sums)
	if err != nil || len(res.mismatched) > 0 {
		return res, err
	}
	err = r.settle(tx, cp, &res.settle)
	return res, err
}

// bucketSums holds the checksums of the buckets a page touches, read from
// sdk_buckets once and kept up to date as the page is applied.
type bucketSums struct {
	tx *wtx
	m  map[string]*bucketSum
}

// of returns a bucket's checksum.
func (s bucketSums) of(b string) (*bucketSum, error) {
	if sum, ok := s.m[b]; ok {
		return sum, nil
	}
	sum := &bucketSum{}
	var v int64
	err := s.tx.queryRow(`SELECT sum, count, fresh FROM sdk_buckets WHERE bucket = ?`, b).Scan(&v, &sum.count, &sum.fresh)
	if errors.Is(err, errNoRows) {
		sum.fresh = true // a bucket the replica has never held
	} else if err != nil {
		return nil, err
	}
	sum.sum = uint64(v)
	s.m[b] = sum
	return sum, nil
}

// forgetBuckets deletes the rows of the buckets the page drops (and the
// buckets themselves) and of the buckets it resets, which start again
// empty.
func forgetBuckets(tx *wtx, p *syncv1.PullResponse, sums bucketSums) error {
	for _, b := range p.GetDroppedBuckets() {
		if err := clearBucket(tx, b); err != nil {
			return err
		}
		if _, err := tx.exec(`DELETE FROM sdk_buckets WHERE bucket = ?`, b); err != nil {
			return err
		}
	}
	for _, b := range p.GetResetBuckets() {
		if err := clearBucket(tx, b); err != nil {
			return err
		}
		sums.m[b] = &bucketSum{fresh: true}
	}
	return nil
}

// stageChanges writes the page's changes into sdk_rows, updating their
// buckets' checksums, and marks the records of buckets already in the
// collection tables dirty for the next settle.
func stageChanges(tx *wtx, changes []*syncv1.Change, sums bucketSums) error {
	dirty := newDirtyWriter(tx)
	rows := newRowWriter(tx)
	for _, c := range changes {
		s, err := sums.of(c.GetBucket())
		if err != nil {
			return err
		}
		if c.GetOp() == syncv1.Op_OP_DELETE {
			if err := rows.flush(); err != nil {
				return err
			}
			err = deleteRow(tx, c, s)
		} else {
			err = rows.add(c, s)
		}
		if err != nil {
			return err
		}
		if !internal(c.GetCollection()) && !s.fresh {
			if err := dirty.add(c.GetCollection(), c.GetRecordId()); err != nil {
				return err
			}
		}
	}
	if err := rows.flush(); err != nil {
		return err
	}
	return dirty.flush()
}

// saveCursors records each bucket's new cursor with its checksum.
func saveCursors(tx *wtx, cursors []*syncv1.BucketCursor, sums bucketSums) error {
	for _, c := range cursors {
		s, err := sums.of(c.GetBucket())
		if err != nil {
			return err
		}
		_, err = tx.exec(`INSERT INTO sdk_buckets (bucket, after, from_zero, sum, count, fresh) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (bucket) DO UPDATE SET after = excluded.after, from_zero = excluded.from_zero, sum = excluded.sum, count = excluded.count, fresh = excluded.fresh`,
			c.GetBucket(), c.GetAfter(), c.GetFromZero(), int64(s.sum), s.count, s.fresh)
		if err != nil {
			return err
		}
	}
	return nil
}

// verifyCheckpoint compares the checkpoint's checksums with the replica's
// and returns the buckets that disagree, already cleared to download again
// from zero.
func (r *Replica) verifyCheckpoint(tx *wtx, cp *syncv1.Checkpoint, sums bucketSums) ([]string, error) {
	var mismatched []string
	for _, want := range cp.GetBuckets() {
		s, err := sums.of(want.GetBucket())
		if err != nil {
			return mismatched, err
		}
		if s.sum == want.GetChecksum() && s.count == want.GetCount() {
			continue
		}
		r.log.Warn("checksum mismatch: downloading the bucket again", "bucket", want.GetBucket(),
			"have_count", s.count, "want_count", want.GetCount())
		mismatched = append(mismatched, want.GetBucket())
		if err := clearBucket(tx, want.GetBucket()); err != nil {
			return mismatched, err
		}
		if _, err := tx.exec(`UPDATE sdk_buckets SET after = 0, from_zero = 1, sum = 0, count = 0, fresh = 1 WHERE bucket = ?`, want.GetBucket()); err != nil {
			return mismatched, err
		}
	}
	return mismatched, nil
}

// clearBucket deletes a bucket's rows, marking them dirty so the next good
// checkpoint removes what no other bucket holds.
func clearBucket(tx *wtx, b string) error {
	if _, err := tx.exec(`INSERT OR IGNORE INTO sdk_dirty (collection, id) SELECT collection, id FROM sdk_rows WHERE bucket = ? AND collection NOT LIKE '\_%' ESCAPE '\'`, b); err != nil {
		return err
	}
	_, err := tx.exec(`DELETE FROM sdk_rows WHERE bucket = ?`, b)
	return err
}
