package probase

import (
	"context"
	"log/slog"

	"google.golang.org/protobuf/proto"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// DoctorSummaryCollection holds the directors' view of doctors
// (probasev1.DoctorSummary) in the buckets auth.TerritorySummaryBucket: who
// a doctor is and how they stand, without a phone, e-mail or address. The
// directors' figures and lists are built on it.
const DoctorSummaryCollection = probasev1.DoctorSummaryCollection

// summarizer builds doctor summaries. What every doctor of a territory
// shares (its region, its reps) is read once per territory, which matters
// when a whole territory is rewritten; it lives for one transaction.
type summarizer struct {
	territories map[string]*territoryFacts
}

type territoryFacts struct {
	region string
	reps   []*probasev1.TerritoryRep
}

func newSummarizer() *summarizer {
	return &summarizer{territories: map[string]*territoryFacts{}}
}

// of returns the summary of a doctor record (with its clinic name set, as
// loadDoctor and syncDoctor leave it).
func (s *summarizer) of(ctx context.Context, q syncengine.Querier, d *probasev1.Doctor) (*probasev1.DoctorSummary, error) {
	t, err := s.territory(ctx, q, d.TerritoryId)
	if err != nil {
		return nil, err
	}
	v := probasev1.DoctorVerification_DOCTOR_VERIFICATION_NO_ACCOUNT
	if d.UserId != "" {
		u, err := auth.FindUser(ctx, q, d.UserId)
		if err != nil {
			return nil, err
		}
		v = verification(u)
	}
	return &probasev1.DoctorSummary{
		Id: d.Id, UserId: d.UserId, FullName: d.FullName, Specialty: d.Specialty, Position: d.Position,
		ClinicId: d.ClinicId, ClinicName: d.ClinicName, TerritoryId: d.TerritoryId, RegionId: t.region,
		Status: d.Status, Verification: v, Reps: t.reps, Version: d.Version, UpdatedAtUnixMs: d.UpdatedAtUnixMs,
	}, nil
}

func (s *summarizer) territory(ctx context.Context, q syncengine.Querier, id string) (*territoryFacts, error) {
	if t, ok := s.territories[id]; ok {
		return t, nil
	}
	region, err := auth.TerritoryRegion(ctx, q, id)
	if err != nil {
		return nil, err
	}
	reps, err := auth.TerritoryReps(ctx, q, id)
	if err != nil {
		return nil, err
	}
	t := &territoryFacts{region: region}
	for _, r := range reps {
		t.reps = append(t.reps, &probasev1.TerritoryRep{UserId: r.ID, Name: r.Name})
	}
	s.territories[id] = t
	return t, nil
}

func verification(u auth.User) probasev1.DoctorVerification {
	switch {
	case u.Verified:
		return probasev1.DoctorVerification_DOCTOR_VERIFICATION_VERIFIED
	case u.DiplomaStatus == "pending":
		return probasev1.DoctorVerification_DOCTOR_VERIFICATION_PENDING
	case u.DiplomaStatus == "rejected":
		return probasev1.DoctorVerification_DOCTOR_VERIFICATION_REJECTED
	}
	return probasev1.DoctorVerification_DOCTOR_VERIFICATION_NOT_SUBMITTED
}

// resync writes the summary of a stored doctor again. It first takes the
// doctor's row lock (a portable SELECT ... FOR UPDATE; SQLite runs one
// writer at a time anyway), so on PostgreSQL an edit of the doctor
// committing meanwhile is either seen here or waits and writes its summary
// after this one: a summary never goes back to an older record.
func (s *summarizer) resync(ctx context.Context, tx syncengine.Tx, doctorID string) error {
	if _, err := tx.Exec(ctx, `UPDATE doctors SET version = version WHERE id = $1`, doctorID); err != nil {
		return err
	}
	d, _, err := loadDoctor(ctx, tx, doctorID)
	if err != nil {
		return err
	}
	return s.put(ctx, tx, d)
}

// put writes a doctor's summary to the summary bucket of their territory;
// a doctor who moved leaves the old one.
func (s *summarizer) put(ctx context.Context, tx syncengine.Tx, d *probasev1.Doctor) error {
	sum, err := s.of(ctx, tx, d)
	if err != nil {
		return err
	}
	payload, err := proto.Marshal(sum)
	if err != nil {
		return err
	}
	tx.Put(DoctorSummaryCollection, d.Id, payload, auth.TerritorySummaryBucket(d.TerritoryId))
	return nil
}

// AccountChanged is the directory's auth.Config.OnAccountChange: it
// rewrites the summaries an account shows in, a doctor's own (their
// verification) and those of every doctor of a territory whose reps
// changed.
func AccountChanged(ctx context.Context, tx syncengine.Tx, c auth.AccountChange) error {
	s := newSummarizer()
	var ids []string
	if c.User.Role == auth.RoleDoctor {
		id, err := DoctorOfUser(ctx, tx, c.User.ID)
		switch {
		case err == nil:
			ids = append(ids, id)
		case syncengine.ErrorCode(err) != syncengine.ENOTFOUND:
			return err
		}
	}
	for _, t := range c.Territories {
		of, err := doctorIDs(ctx, tx, `territory_id = $1 ORDER BY id`, t)
		if err != nil {
			return err
		}
		ids = append(ids, of...)
	}
	for _, id := range ids {
		if err := s.resync(ctx, tx, id); err != nil {
			return err
		}
	}
	return nil
}

// backfillBatch is how many summaries one backfill transaction writes.
const backfillBatch = 500

// backfillSummaries writes the summaries of the doctors listed in
// doctor_summary_backfill (the doctors of a directory older than
// summaries, listed by its migration), a batch per transaction that also
// takes them off the list, so an interrupted start resumes where it was.
func backfillSummaries(ctx context.Context, store syncengine.Store, log *slog.Logger) error {
	total := 0
	for {
		var n int
		err := store.Update(ctx, func(tx syncengine.Tx) error {
			ids, err := doctorIDs(ctx, tx, `id IN (SELECT doctor_id FROM doctor_summary_backfill) ORDER BY id LIMIT $1`, backfillBatch)
			if err != nil {
				return err
			}
			s := newSummarizer()
			for _, id := range ids {
				if err := s.resync(ctx, tx, id); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, `DELETE FROM doctor_summary_backfill WHERE doctor_id = $1`, id); err != nil {
					return err
				}
			}
			n = len(ids)
			return nil
		})
		if err != nil {
			return err
		}
		if total += n; n < backfillBatch {
			break
		}
	}
	if total > 0 {
		log.Info("directors' doctor summaries written", "doctors", total)
	}
	return nil
}

// doctorIDs lists the ids of the doctors a condition selects.
func doctorIDs(ctx context.Context, q syncengine.Querier, where string, args ...any) ([]string, error) {
	return sqlq.Strings(ctx, q, `SELECT id FROM doctors WHERE `+where, args...)
}
