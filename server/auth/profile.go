package auth

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/ordinatorhq/ordinator/syncengine"
)

var languagePattern = regexp.MustCompile(`^[a-z]{2}$`)

// SetLocale sets the language an account reads the platform in (its
// notifications, the web console): a two-letter code such as ru or en.
// Anyone signed in may set their own.
func (s *Service) SetLocale(ctx context.Context, p syncengine.Principal, locale string) error {
	if p.UserID == "" {
		return syncengine.Errorf(syncengine.EUNAUTHENTICATED, "sign in first")
	}
	if !languagePattern.MatchString(locale) {
		return syncengine.Invalid("not a language", syncengine.Violation{Field: "locale", Description: "must be a two-letter language code such as ru or en"})
	}
	return s.store.Update(ctx, func(tx syncengine.Tx) error {
		n, err := tx.Exec(ctx, `UPDATE users SET locale = $1, updated_at = $2 WHERE id = $3`, locale, tx.Now().UnixMilli(), p.UserID)
		if err == nil && n == 0 {
			err = syncengine.Errorf(syncengine.ENOTFOUND, "no account %s", p.UserID)
		}
		return err
	})
}

// DisplayNames returns the names of the accounts with these ids (ids with
// no account are left out), so a page can say who proposed or decided
// something; moderators and admins may.
func (s *Service) DisplayNames(ctx context.Context, p syncengine.Principal, ids []string) (map[string]string, error) {
	if err := Require(p, RoleModerator); err != nil {
		return nil, err
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	out := map[string]string{}
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		// In chunks, so a long page stays within any driver's parameter limit.
		for chunk := range slices.Chunk(ids, 200) {
			marks := make([]string, len(chunk))
			args := make([]any, len(chunk))
			for i, id := range chunk {
				marks[i], args[i] = "$"+strconv.Itoa(i+1), id
			}
			rows, err := q.Query(ctx, `SELECT id, display_name FROM users WHERE id IN (`+strings.Join(marks, ", ")+`)`, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id, name string
				if err := rows.Scan(&id, &name); err != nil {
					rows.Close()
					return err
				}
				out[id] = name
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}
