package auth

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Region is a region of the deployment with its territories.
type Region struct {
	ID          string
	Name        string
	TimeZone    string
	Territories []Territory
}

// Territory is an area reps cover, within a region.
type Territory struct {
	ID       string
	RegionID string
	Name     string
}

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{1,31}$`)

// System is the principal of the server itself (CLI tasks, seeding): it may
// do what an admin may.
var System = syncengine.Principal{UserID: "system", Claims: Claims{Role: RoleAdmin, Name: "system"}}

// RegisterDoctor creates an unverified doctor's account. Attempts are
// counted per address, refused ones too (they would otherwise probe which
// e-mails are registered); past a burst each further one waits longer.
func (s *Service) RegisterDoctor(ctx context.Context, u NewUser) (User, error) {
	u.Role = RoleDoctor
	// The count commits on its own: a refused registration still counts.
	if err := s.store.Update(ctx, func(tx syncengine.Tx) error { return s.countRegistration(ctx, tx, u.Address) }); err != nil {
		return User{}, err
	}
	var out User
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		var err error
		out, err = s.createUser(ctx, tx, u)
		return err
	})
	return out, err
}

// CreateUser creates an account of any role; only admins may.
func (s *Service) CreateUser(ctx context.Context, p syncengine.Principal, u NewUser) (User, error) {
	if err := Require(p, RoleAdmin); err != nil {
		return User{}, err
	}
	var out User
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		var err error
		if out, err = s.createUser(ctx, tx, u); err != nil {
			return err
		}
		return accountAudit.Record(ctx, tx, p, "user.created", out.ID, string(out.Role))
	})
	return out, err
}

// CreateRegion adds a region; only admins may.
func (s *Service) CreateRegion(ctx context.Context, p syncengine.Principal, r Region) (Region, error) {
	if err := Require(p, RoleAdmin); err != nil {
		return r, err
	}
	var v []syncengine.Violation
	if !idPattern.MatchString(r.ID) {
		v = append(v, syncengine.Violation{Field: "id", Description: "use 2-32 lowercase letters, digits and dashes"})
	}
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" {
		v = append(v, syncengine.Violation{Field: "name", Description: "is required"})
	}
	if _, err := time.LoadLocation(r.TimeZone); err != nil || r.TimeZone == "" {
		v = append(v, syncengine.Violation{Field: "time_zone", Description: "is not a known time zone (e.g. Europe/Moscow)"})
	}
	if len(v) > 0 {
		return r, syncengine.Invalid("the region cannot be created", v...)
	}
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		n, err := tx.Exec(ctx, `INSERT INTO regions (id, name, time_zone, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
			r.ID, r.Name, r.TimeZone, tx.Now().UnixMilli())
		if err == nil && n == 0 {
			err = syncengine.Errorf(syncengine.ECONFLICT, "region %s already exists", r.ID)
		}
		if err != nil {
			return err
		}
		return accountAudit.Record(ctx, tx, p, "region.created", r.ID, r.TimeZone)
	})
	return r, err
}

// CreateTerritory adds a territory to a region; only admins may.
func (s *Service) CreateTerritory(ctx context.Context, p syncengine.Principal, t Territory) (Territory, error) {
	if err := Require(p, RoleAdmin); err != nil {
		return t, err
	}
	t.Name = strings.TrimSpace(t.Name)
	var v []syncengine.Violation
	if !idPattern.MatchString(t.ID) {
		v = append(v, syncengine.Violation{Field: "id", Description: "use 2-32 lowercase letters, digits and dashes"})
	}
	if t.Name == "" {
		v = append(v, syncengine.Violation{Field: "name", Description: "is required"})
	}
	if len(v) > 0 {
		return t, syncengine.Invalid("the territory cannot be created", v...)
	}
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		if ok, err := exists(ctx, tx, `SELECT count(*) FROM regions WHERE id = $1`, t.RegionID); err != nil {
			return err
		} else if !ok {
			return syncengine.Invalid("the territory cannot be created", syncengine.Violation{Field: "region_id", Description: "no region " + t.RegionID})
		}
		n, err := tx.Exec(ctx, `INSERT INTO territories (id, region_id, name, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
			t.ID, t.RegionID, t.Name, tx.Now().UnixMilli())
		if err == nil && n == 0 {
			err = syncengine.Errorf(syncengine.ECONFLICT, "territory %s already exists", t.ID)
		}
		if err != nil {
			return err
		}
		return accountAudit.Record(ctx, tx, p, "territory.created", t.ID, t.RegionID)
	})
	return t, err
}

// ListRegions lists regions with their territories; anyone signed in may
// (registration needs the list too).
func (s *Service) ListRegions(ctx context.Context) ([]Region, error) {
	var out []Region
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		rows, err := q.Query(ctx, `SELECT id, name, time_zone FROM regions ORDER BY id`)
		if err != nil {
			return err
		}
		index := map[string]int{}
		for rows.Next() {
			var r Region
			if err := rows.Scan(&r.ID, &r.Name, &r.TimeZone); err != nil {
				rows.Close()
				return err
			}
			index[r.ID] = len(out)
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = q.Query(ctx, `SELECT id, region_id, name FROM territories ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t Territory
			if err := rows.Scan(&t.ID, &t.RegionID, &t.Name); err != nil {
				return err
			}
			if i, ok := index[t.RegionID]; ok {
				out[i].Territories = append(out[i].Territories, t)
			}
		}
		return rows.Err()
	})
	return out, err
}

// ListUsers lists accounts, optionally of one role and region; admins and
// moderators may.
func (s *Service) ListUsers(ctx context.Context, p syncengine.Principal, role Role, region string) ([]User, error) {
	if err := Require(p, RoleModerator); err != nil {
		return nil, err
	}
	if err := s.checkUserFilter(ctx, role, region); err != nil {
		return nil, err
	}
	var out []User
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		rows, err := q.Query(ctx, `SELECT `+userColumns+` FROM users
			WHERE ($1 = '' OR role = $1) AND ($2 = '' OR region_id = $2) ORDER BY created_at, id LIMIT 1000`, string(role), region)
		if err != nil {
			return err
		}
		out, err = sqlq.Collect(rows, scanUser)
		return err
	})
	return out, err
}

// AssignTerritory gives a rep a territory (or takes it away); only admins
// may. The rep's devices pick up (or drop) the territory's doctors at their
// next sync.
func (s *Service) AssignTerritory(ctx context.Context, p syncengine.Principal, userID, territoryID string, assigned bool) (User, error) {
	return s.assign(ctx, p, userID, RoleRep, assignAction("territory", assigned), territoryID, func(tx syncengine.Tx) error {
		if _, err := TerritoryRegion(ctx, tx, territoryID); err != nil {
			return err
		}
		q := `DELETE FROM rep_territories WHERE user_id = $1 AND territory_id = $2`
		if assigned {
			q = `INSERT INTO rep_territories (user_id, territory_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`
		}
		_, err := tx.Exec(ctx, q, userID, territoryID)
		return err
	}, territoryID)
}

// AssignRegion gives a director a region (or takes it away); only admins may.
func (s *Service) AssignRegion(ctx context.Context, p syncengine.Principal, userID, regionID string, assigned bool) (User, error) {
	return s.assign(ctx, p, userID, RoleDirector, assignAction("region", assigned), regionID, func(tx syncengine.Tx) error {
		if ok, err := exists(ctx, tx, `SELECT count(*) FROM regions WHERE id = $1`, regionID); err != nil {
			return err
		} else if !ok {
			return syncengine.Errorf(syncengine.ENOTFOUND, "no region %s", regionID)
		}
		q := `DELETE FROM director_regions WHERE user_id = $1 AND region_id = $2`
		if assigned {
			q = `INSERT INTO director_regions (user_id, region_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`
		}
		_, err := tx.Exec(ctx, q, userID, regionID)
		return err
	})
}

// assignAction names an assignment decision for the audit log.
func assignAction(of string, assigned bool) string {
	if assigned {
		return of + ".assigned"
	}
	return of + ".unassigned"
}

// assign changes an account's assignments (action of what, for the audit
// log); territories are those whose reps the change may alter.
func (s *Service) assign(ctx context.Context, p syncengine.Principal, userID string, role Role, action, what string, change func(syncengine.Tx) error, territories ...string) (User, error) {
	if err := Require(p, RoleAdmin); err != nil {
		return User{}, err
	}
	var out User
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		u, err := FindUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.Role != role {
			return syncengine.Errorf(syncengine.EPRECONDITION, "%s is a %s account, not a %s", userID, u.Role, role)
		}
		if err := change(tx); err != nil {
			return err
		}
		if err := accountAudit.Record(ctx, tx, p, action, userID, what); err != nil {
			return err
		}
		out = u
		return s.syncAccount(ctx, tx, userID, territories...)
	})
	return out, err
}

// Me returns an account with its assignments.
func (s *Service) Me(ctx context.Context, userID string) (User, []string, []string, error) {
	var u User
	var ts, rs []string
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		var err error
		if u, err = FindUser(ctx, q, userID); err != nil {
			return err
		}
		if ts, err = RepTerritories(ctx, q, userID); err != nil {
			return err
		}
		rs, err = DirectorRegions(ctx, q, userID)
		return err
	})
	return u, ts, rs, err
}

// FindUserByLogin returns the account with this e-mail or phone.
func FindUserByLogin(ctx context.Context, q syncengine.Querier, login string) (User, error) {
	col, val, ok := normalizeLogin(login)
	if !ok {
		return User{}, syncengine.Invalid("not a login", syncengine.Violation{Field: "login", Description: "must be an e-mail address or a phone number"})
	}
	u, err := scanUser(q.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE `+col+` = $1`, val))
	if errors.Is(err, sql.ErrNoRows) {
		return u, syncengine.Errorf(syncengine.ENOTFOUND, "no account %s", login)
	}
	return u, err
}
