package auth

import (
	"context"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// Why an account reads a bucket: the reasons Grant carries.
const (
	ReasonOwn               = "own"                // the account's own bucket (added by the engine)
	ReasonEveryone          = "everyone"           // every signed-in account
	ReasonRegion            = "region"             // the account's region
	ReasonSpecialty         = "specialty"          // a verified doctor of the specialty
	ReasonSpecialtyRegion   = "specialty_region"   // a doctor of the specialty in the region
	ReasonTerritory         = "territory"          // a territory assigned to the rep
	ReasonDirectedRegion    = "directed_region"    // a region the director directs
	ReasonDirectedTerritory = "directed_territory" // a territory of a directed region
)

// Grant is one bucket an account reads and why.
type Grant struct {
	Bucket syncengine.Bucket
	Reason string
}

// grantsOf is the bucket rule itself: Buckets (what a pull reads) and the
// sync inspector (what support is shown) both take their buckets from
// here, so the two cannot differ. It leaves out the user bucket, which the
// engine adds for everyone.
func grantsOf(ctx context.Context, q syncengine.Querier, u User) ([]Grant, error) {
	out := []Grant{{GlobalBucket, ReasonEveryone}}
	if u.RegionID != "" {
		out = append(out, Grant{PublicBucket(u.RegionID), ReasonRegion})
	}
	switch u.Role {
	case RoleDoctor:
		if u.RegionID != "" {
			out = append(out, Grant{PublicSpecialtyRegionBucket(u.Specialty, u.RegionID), ReasonSpecialtyRegion})
		}
		if u.Verified {
			out = append(out, Grant{SpecialtyBucket(u.Specialty), ReasonSpecialty}, Grant{RegionBucket(u.RegionID), ReasonRegion})
			if u.RegionID != "" {
				out = append(out, Grant{SpecialtyRegionBucket(u.Specialty, u.RegionID), ReasonSpecialtyRegion})
			}
		}
	case RoleRep:
		ts, err := RepTerritories(ctx, q, u.ID)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			out = append(out, Grant{TerritoryBucket(t), ReasonTerritory})
		}
		if u.RegionID != "" {
			out = append(out, Grant{RegionBucket(u.RegionID), ReasonRegion})
		}
	case RoleDirector:
		regions, err := DirectorRegions(ctx, q, u.ID)
		if err != nil {
			return nil, err
		}
		for _, r := range regions {
			out = append(out, Grant{RegionBucket(r), ReasonDirectedRegion})
			ts, err := RegionTerritories(ctx, q, r)
			if err != nil {
				return nil, err
			}
			for _, t := range ts {
				out = append(out, Grant{TerritorySummaryBucket(t), ReasonDirectedTerritory})
			}
		}
	}
	return out, nil
}
