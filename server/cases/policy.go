package cases

import (
	"context"
	"strings"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// PhotoPolicy is the media.ReadPolicy of case photos (purpose CASE_PHOTO):
// besides their owner, the author, they may be read by moderators, and by
// verified doctors of the specialty of a published case that has them.
func (s *Service) PhotoPolicy() media.ReadPolicy {
	return media.ReadPolicyFunc(mayReadPhoto)
}

func mayReadPhoto(ctx context.Context, q syncengine.Querier, p syncengine.Principal, _ *media.Media, refs []string) (bool, error) {
	c := auth.ClaimsOf(p)
	moderator := auth.Require(p, auth.RoleModerator) == nil
	reader := c.Role == auth.RoleDoctor && c.Verified && c.Specialty != ""
	if !moderator && !reader {
		return false, nil
	}
	for _, ref := range refs {
		id, ok := strings.CutPrefix(ref, "case:")
		if !ok {
			continue
		}
		r, err := load(ctx, q, id)
		if syncengine.ErrorCode(err) == syncengine.ENOTFOUND {
			continue
		}
		if err != nil {
			return false, err
		}
		if moderator && r.Status != statusDiscarded && r.Status != statusDraft {
			return true, nil
		}
		if reader && r.Status == statusPublished && r.Specialty == c.Specialty {
			return true, nil
		}
	}
	return false, nil
}
