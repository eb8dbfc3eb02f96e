package auth

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/rules/specialty"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// User is an account.
type User struct {
	ID            string
	Role          Role
	Email         string
	Phone         string
	Name          string
	Specialty     string
	RegionID      string
	Verified      bool
	DiplomaMedia  string
	DiplomaStatus string // none, pending, verified, rejected
	DiplomaReason string
	Locale        string
	TimeZone      string
	Disabled      bool
	CreatedAt     int64
}

// NewUser is what creating an account needs.
type NewUser struct {
	Role      Role
	Email     string
	Phone     string
	Password  string
	Name      string
	Specialty string
	RegionID  string
	// Address is the registering caller's network address, for rate
	// limiting RegisterDoctor.
	Address string
}

var (
	emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	phonePattern = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)
)

// NormalizeEmail lowercases and trims an address, or returns "" with ok
// false if it is not one.
func NormalizeEmail(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	return s, len(s) <= 254 && emailPattern.MatchString(s)
}

// NormalizePhone returns a phone number in international form (+79161234567):
// spaces, dashes, dots and parentheses are dropped, and a Russian-style
// leading 8 of an 11-digit number becomes +7.
func NormalizePhone(s string) (string, bool) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return "", false
		}
	}
	p := b.String()
	if len(p) == 11 && p[0] == '8' {
		p = "+7" + p[1:]
	}
	return p, phonePattern.MatchString(p)
}

// validate checks a new account and returns its normalised form.
func (s *Service) validateNewUser(ctx context.Context, q syncengine.Querier, u NewUser) (NewUser, error) {
	var v []syncengine.Violation
	if !u.Role.Valid() {
		v = append(v, syncengine.Violation{Field: "role", Description: "must be doctor, rep, director, moderator or admin"})
	}
	if u.Email == "" && u.Phone == "" {
		v = append(v, syncengine.Violation{Field: "email", Description: "an e-mail address or a phone number is required"})
	}
	if u.Email != "" {
		e, ok := NormalizeEmail(u.Email)
		if !ok {
			v = append(v, syncengine.Violation{Field: "email", Description: "is not an e-mail address"})
		}
		u.Email = e
	}
	if u.Phone != "" {
		p, ok := NormalizePhone(u.Phone)
		if !ok {
			v = append(v, syncengine.Violation{Field: "phone", Description: "must be a phone number in international form, e.g. +7 916 123-45-67"})
		}
		u.Phone = p
	}
	if d := passwordProblem(u.Password); d != "" {
		v = append(v, syncengine.Violation{Field: "password", Description: d})
	}
	u.Name = strings.TrimSpace(u.Name)
	if u.Name == "" || len([]rune(u.Name)) > 200 {
		v = append(v, syncengine.Violation{Field: "display_name", Description: "is required (at most 200 characters)"})
	}
	// A doctor's specialty decides the buckets they read; one given to
	// anyone else must be real too.
	if u.Role == RoleDoctor || u.Specialty != "" {
		if d := specialty.Problem(u.Specialty); d != "" {
			v = append(v, syncengine.Violation{Field: "specialty", Description: d})
		}
	}
	if u.Role == RoleDoctor || u.Role == RoleRep || u.Role == RoleDirector {
		if u.RegionID == "" {
			v = append(v, syncengine.Violation{Field: "region_id", Description: "is required"})
		} else if ok, err := exists(ctx, q, `SELECT count(*) FROM regions WHERE id = $1`, u.RegionID); err != nil {
			return u, err
		} else if !ok {
			v = append(v, syncengine.Violation{Field: "region_id", Description: "no region " + u.RegionID})
		}
	}
	if len(v) > 0 {
		return u, syncengine.Invalid("the account cannot be created", v...)
	}
	for _, c := range []struct{ field, col, val string }{{"email", "email", u.Email}, {"phone", "phone", u.Phone}} {
		if c.val == "" {
			continue
		}
		taken, err := exists(ctx, q, `SELECT count(*) FROM users WHERE `+c.col+` = $1`, c.val)
		if err != nil {
			return u, err
		}
		if taken {
			return u, &syncengine.Error{Code: syncengine.ECONFLICT, Message: "an account with this " + c.field + " already exists",
				Violations: []syncengine.Violation{{Field: c.field, Description: "is already registered"}}}
		}
	}
	return u, nil
}

// passwordProblem says what is wrong with a new password, "" if nothing.
func passwordProblem(pw string) string {
	if n := len([]rune(pw)); n < 10 || n > 200 {
		return "must be 10 to 200 characters"
	}
	return ""
}

func exists(ctx context.Context, q syncengine.Querier, query string, args ...any) (bool, error) {
	var n int64
	err := q.QueryRow(ctx, query, args...).Scan(&n)
	return n > 0, err
}

// createUser inserts an account in tx and syncs its account record.
func (s *Service) createUser(ctx context.Context, tx syncengine.Tx, u NewUser) (User, error) {
	u, err := s.validateNewUser(ctx, tx, u)
	if err != nil {
		return User{}, err
	}
	hash, err := HashPassword(u.Password, s.cfg.Argon2)
	if err != nil {
		return User{}, err
	}
	now := tx.Now().UnixMilli()
	user := User{ID: uuid.NewString(), Role: u.Role, Email: u.Email, Phone: u.Phone, Name: u.Name, Specialty: u.Specialty, RegionID: u.RegionID, Locale: "ru", DiplomaStatus: "none", CreatedAt: now}
	_, err = tx.Exec(ctx, `INSERT INTO users (id, role, email, phone, password_hash, display_name, specialty, region_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`,
		user.ID, string(user.Role), sqlq.Nullable(user.Email), sqlq.Nullable(user.Phone), hash, user.Name, user.Specialty, sqlq.Nullable(user.RegionID), now)
	if err != nil {
		return User{}, err
	}
	return user, s.syncAccount(ctx, tx, user.ID)
}

const userColumns = `id, role, COALESCE(email, ''), COALESCE(phone, ''), display_name, specialty, COALESCE(region_id, ''),
	verified, diploma_media_id, diploma_status, diploma_reason, locale, time_zone, disabled, created_at`

func scanUser(row syncengine.Row) (User, error) {
	var u User
	var role string
	err := row.Scan(&u.ID, &role, &u.Email, &u.Phone, &u.Name, &u.Specialty, &u.RegionID,
		&u.Verified, &u.DiplomaMedia, &u.DiplomaStatus, &u.DiplomaReason, &u.Locale, &u.TimeZone, &u.Disabled, &u.CreatedAt)
	u.Role = Role(role)
	return u, err
}

// FindUser returns an account by id.
func FindUser(ctx context.Context, q syncengine.Querier, id string) (User, error) {
	u, err := scanUser(q.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, syncengine.Errorf(syncengine.ENOTFOUND, "no account %s", id)
	}
	return u, err
}

// QueueUserName queues the read of an account's display name
// (syncengine.Tx.QueueScan), "" for an unknown account; the name is in
// into when wait returns.
func QueueUserName(ctx context.Context, tx syncengine.Tx, id string, into *string) (wait func() error) {
	read := tx.QueueScan(ctx, []any{into}, `SELECT display_name FROM users WHERE id = $1`, id)
	return func() error {
		if err := read(); !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		*into = ""
		return nil
	}
}

// UserProto encodes an account for the wire.
func UserProto(u User, territories, regions []string) *authv1.User {
	return &authv1.User{
		Id:                u.ID,
		Role:              roleProto(u.Role),
		DisplayName:       u.Name,
		Email:             u.Email,
		Phone:             u.Phone,
		Specialty:         u.Specialty,
		Verified:          u.Verified,
		RegionId:          u.RegionID,
		TerritoryIds:      territories,
		DirectorRegionIds: regions,
		DiplomaStatus:     u.DiplomaStatus,
		DiplomaReason:     u.DiplomaReason,
		Disabled:          u.Disabled,
	}
}

func roleProto(r Role) authv1.Role {
	switch r {
	case RoleDoctor:
		return authv1.Role_ROLE_DOCTOR
	case RoleRep:
		return authv1.Role_ROLE_REP
	case RoleDirector:
		return authv1.Role_ROLE_DIRECTOR
	case RoleModerator:
		return authv1.Role_ROLE_MODERATOR
	case RoleAdmin:
		return authv1.Role_ROLE_ADMIN
	}
	return authv1.Role_ROLE_UNSPECIFIED
}

func roleFromProto(r authv1.Role) Role {
	switch r {
	case authv1.Role_ROLE_DOCTOR:
		return RoleDoctor
	case authv1.Role_ROLE_REP:
		return RoleRep
	case authv1.Role_ROLE_DIRECTOR:
		return RoleDirector
	case authv1.Role_ROLE_MODERATOR:
		return RoleModerator
	case authv1.Role_ROLE_ADMIN:
		return RoleAdmin
	}
	return ""
}

// AccountCollection is the collection a user's own account syncs under, in
// their user bucket: their role, verification and assignments, so a device
// knows what its user may do.
const AccountCollection = authv1.UserCollection

// syncAccount writes the user's account record to their bucket. Any change
// of role, verification or assignment goes through here, which also wakes
// their live subscriptions to recompute their buckets.
func (s *Service) syncAccount(ctx context.Context, tx syncengine.Tx, userID string, territoriesChanged ...string) error {
	u, err := FindUser(ctx, tx, userID)
	if err != nil {
		return err
	}
	territories, err := RepTerritories(ctx, tx, userID)
	if err != nil {
		return err
	}
	regions, err := DirectorRegions(ctx, tx, userID)
	if err != nil {
		return err
	}
	payload, err := proto.Marshal(UserProto(u, territories, regions))
	if err != nil {
		return err
	}
	tx.Put(AccountCollection, u.ID, payload, syncengine.UserBucket(u.ID))
	for _, f := range s.cfg.OnAccountChange {
		if err := f(ctx, tx, AccountChange{User: u, Territories: territoriesChanged}); err != nil {
			return err
		}
	}
	return nil
}

// TerritoryReps lists the reps who cover a territory, by name.
func TerritoryReps(ctx context.Context, q syncengine.Querier, territoryID string) ([]User, error) {
	rows, err := q.Query(ctx, `SELECT `+userColumns+` FROM users
		WHERE role = 'rep' AND id IN (SELECT user_id FROM rep_territories WHERE territory_id = $1) ORDER BY display_name, id`, territoryID)
	if err != nil {
		return nil, err
	}
	return sqlq.Collect(rows, scanUser)
}

// RepTerritories lists the territories a rep covers.
func RepTerritories(ctx context.Context, q syncengine.Querier, userID string) ([]string, error) {
	return sqlq.Strings(ctx, q, `SELECT territory_id FROM rep_territories WHERE user_id = $1 ORDER BY territory_id`, userID)
}

// DirectorRegions lists the regions a director follows.
func DirectorRegions(ctx context.Context, q syncengine.Querier, userID string) ([]string, error) {
	return sqlq.Strings(ctx, q, `SELECT region_id FROM director_regions WHERE user_id = $1 ORDER BY region_id`, userID)
}

// RegionTerritories lists the territories of a region.
func RegionTerritories(ctx context.Context, q syncengine.Querier, regionID string) ([]string, error) {
	return sqlq.Strings(ctx, q, `SELECT id FROM territories WHERE region_id = $1 ORDER BY id`, regionID)
}

// TerritoryRegion returns the region of a territory.
func TerritoryRegion(ctx context.Context, q syncengine.Querier, territoryID string) (string, error) {
	var r string
	err := q.QueryRow(ctx, `SELECT region_id FROM territories WHERE id = $1`, territoryID).Scan(&r)
	if errors.Is(err, sql.ErrNoRows) {
		return "", syncengine.Errorf(syncengine.ENOTFOUND, "no territory %s", territoryID)
	}
	return r, err
}
