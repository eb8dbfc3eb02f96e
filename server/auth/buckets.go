package auth

import (
	"context"
	"strings"

	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Bucket kinds. Every synced record is put in buckets of these kinds; who
// reads which is decided here alone.
const (
	// territory:<id> — doctors and clinics of a territory, with their
	// contact details: its reps.
	KindTerritory = "territory"
	// territory_summary:<id> — what the directors of the territory's
	// region see of its doctors: who they are and how they stand, never
	// how to reach them (probase's doctor summaries, overdue study
	// results).
	KindTerritorySummary = "territory_summary"
	// specialty:<code> — published cases and content for a specialty:
	// verified doctors of that specialty.
	KindSpecialty = "specialty"
	// region:<id> — gift waves, catalog and region-wide content: verified
	// doctors, reps and directors of the region.
	KindRegion = "region"
	// public:<region id> — content anyone signed in may read, including
	// doctors whose diploma is not verified yet.
	KindPublic = "public"
	// global:all — what every device needs whoever uses it: field
	// templates, reference lists.
	KindGlobal = "global"
	// specialty_region:<specialty>:<region id> — what is meant for the
	// verified doctors of one specialty in one region, and them only
	// (content targeted at specialties and regions). The specialty and
	// region buckets cannot express the intersection: a record in
	// specialty:x reaches x doctors of every region.
	KindSpecialtyRegion = "specialty_region"
	// public_specialty_region:<specialty>:<region id> — the same audience
	// with doctors whose diploma is not verified yet.
	KindPublicSpecialtyRegion = "public_specialty_region"
)

// GlobalBucket is the one bucket every signed-in device reads.
const GlobalBucket = syncengine.Bucket(KindGlobal + ":all")

// TerritoryBucket, TerritorySummaryBucket, SpecialtyBucket, RegionBucket
// and PublicBucket name the buckets of each kind.
func TerritoryBucket(id string) syncengine.Bucket { return syncengine.Bucket(KindTerritory + ":" + id) }
func TerritorySummaryBucket(id string) syncengine.Bucket {
	return syncengine.Bucket(KindTerritorySummary + ":" + id)
}
func SpecialtyBucket(code string) syncengine.Bucket {
	return syncengine.Bucket(KindSpecialty + ":" + code)
}
func RegionBucket(id string) syncengine.Bucket { return syncengine.Bucket(KindRegion + ":" + id) }
func PublicBucket(region string) syncengine.Bucket {
	return syncengine.Bucket(KindPublic + ":" + region)
}

// SpecialtyRegionBucket and PublicSpecialtyRegionBucket name the buckets of
// one specialty in one region.
func SpecialtyRegionBucket(specialty, region string) syncengine.Bucket {
	return syncengine.Bucket(KindSpecialtyRegion + ":" + specialty + ":" + region)
}
func PublicSpecialtyRegionBucket(specialty, region string) syncengine.Bucket {
	return syncengine.Bucket(KindPublicSpecialtyRegion + ":" + specialty + ":" + region)
}

// Buckets is the sync resolver: the buckets a principal may read, from the
// account and its assignments as they are now (none for a disabled
// account: an error). The user bucket is added by the engine.
func (s *Service) Buckets(ctx context.Context, q syncengine.Querier, p syncengine.Principal) ([]syncengine.Bucket, error) {
	u, err := FindUser(ctx, q, p.UserID)
	if err != nil {
		return nil, err
	}
	// A live stream recomputes its buckets when the account changes: one
	// of an account just disabled ends here, at once.
	if u.Disabled {
		return nil, errAccountDisabled
	}
	grants, err := grantsOf(ctx, q, u)
	if err != nil {
		return nil, err
	}
	out := make([]syncengine.Bucket, len(grants))
	for i, g := range grants {
		out[i] = g.Bucket
	}
	return out, nil
}

// Readers lists the enabled accounts that may read a bucket: the inverse of
// Buckets, kept beside it so the two agree. It serves waking the devices of
// a bucket that changed.
func (s *Service) Readers(ctx context.Context, q syncengine.Querier, b syncengine.Bucket) ([]string, error) {
	id := b.ID()
	switch b.Kind() {
	case "user":
		return sqlq.Strings(ctx, q, `SELECT id FROM users WHERE id = $1 AND NOT disabled`, id)
	case KindTerritory:
		return sqlq.Strings(ctx, q, `SELECT rt.user_id FROM rep_territories rt JOIN users u ON u.id = rt.user_id
			WHERE rt.territory_id = $1 AND u.role = 'rep' AND NOT u.disabled`, id)
	case KindTerritorySummary:
		return sqlq.Strings(ctx, q, `SELECT dr.user_id FROM director_regions dr JOIN territories t ON t.region_id = dr.region_id JOIN users u ON u.id = dr.user_id
			WHERE t.id = $1 AND u.role = 'director' AND NOT u.disabled`, id)
	case KindSpecialty:
		return sqlq.Strings(ctx, q, `SELECT id FROM users WHERE role = 'doctor' AND verified AND specialty = $1 AND NOT disabled`, id)
	case KindRegion:
		return sqlq.Strings(ctx, q, `SELECT id FROM users WHERE region_id = $1 AND ((role = 'doctor' AND verified) OR role = 'rep') AND NOT disabled
			UNION SELECT dr.user_id FROM director_regions dr JOIN users u ON u.id = dr.user_id
			WHERE dr.region_id = $1 AND u.role = 'director' AND NOT u.disabled`, id)
	case KindPublic:
		return sqlq.Strings(ctx, q, `SELECT id FROM users WHERE region_id = $1 AND NOT disabled`, id)
	case KindGlobal:
		return sqlq.Strings(ctx, q, `SELECT id FROM users WHERE NOT disabled`)
	case KindSpecialtyRegion, KindPublicSpecialtyRegion:
		specialty, region, ok := strings.Cut(id, ":")
		if !ok || specialty == "" || region == "" {
			return nil, nil
		}
		verified := "AND verified"
		if b.Kind() == KindPublicSpecialtyRegion {
			verified = ""
		}
		return sqlq.Strings(ctx, q, `SELECT id FROM users WHERE role = 'doctor' `+verified+`
			AND specialty = $1 AND region_id = $2 AND NOT disabled`, specialty, region)
	}
	return nil, nil
}
