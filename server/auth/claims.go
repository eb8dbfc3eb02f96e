package auth

import (
	"strings"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// Role is what an account is; one account has exactly one.
type Role string

const (
	RoleDoctor    Role = "doctor"
	RoleRep       Role = "rep"
	RoleDirector  Role = "director"
	RoleModerator Role = "moderator"
	RoleAdmin     Role = "admin"
)

// Roles lists every role.
var Roles = []Role{RoleDoctor, RoleRep, RoleDirector, RoleModerator, RoleAdmin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Claims is what the server knows about an authenticated caller, loaded
// fresh on every call: a moderator's decision or a revocation takes effect
// at once.
type Claims struct {
	Role      Role
	DeviceID  string
	Name      string
	Verified  bool // doctors: the diploma is verified
	Specialty string
	RegionID  string
}

// ClaimsOf returns the claims of an authenticated principal (the zero value
// for anyone else).
func ClaimsOf(p syncengine.Principal) Claims {
	c, _ := p.Claims.(Claims)
	return c
}

// Require returns an EPERMISSION error unless p has one of roles. Admins
// may act as moderators.
func Require(p syncengine.Principal, roles ...Role) error {
	if p.UserID == "" {
		return syncengine.Errorf(syncengine.EUNAUTHENTICATED, "sign in first")
	}
	c := ClaimsOf(p)
	for _, r := range roles {
		if c.Role == r || (r == RoleModerator && c.Role == RoleAdmin) {
			return nil
		}
	}
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return syncengine.Errorf(syncengine.EPERMISSION, "this needs a %s account", strings.Join(names, " or "))
}

// RequireVerifiedDoctor returns an EPERMISSION error unless p is a doctor
// whose diploma a moderator has verified.
func RequireVerifiedDoctor(p syncengine.Principal) error {
	if err := Require(p, RoleDoctor); err != nil {
		return err
	}
	if !ClaimsOf(p).Verified {
		return syncengine.Errorf(syncengine.EPERMISSION, "your diploma has not been verified yet; until a moderator verifies it you can only read public content")
	}
	return nil
}
