package console

import (
	"net/http"
	"slices"
	"strings"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// People: the accounts by role and region, a new staff account, and one
// account with what an admin does to it: its territories (reps) or regions
// (directors), its devices with revoking one, disabling and enabling it,
// resetting its password. The same auth.Service methods as AdminService;
// admins only, as they are.

func (c *Console) peoplePages() []page {
	const people = "nav.people"
	return []page{
		{method: http.MethodGet, path: Prefix + "people", access: admins, nav: people, area: people, serve: c.peopleList},
		{method: http.MethodPost, path: Prefix + "people", access: admins, area: people, serve: c.createPerson},
		{method: http.MethodGet, path: Prefix + "people/{id}", access: admins, area: people, serve: c.personPage},
		{method: http.MethodPost, path: Prefix + "people/{id}/status", access: admins, area: people, serve: c.setPersonStatus},
		{method: http.MethodPost, path: Prefix + "people/{id}/password", access: admins, area: people, serve: c.resetPersonPassword},
		{method: http.MethodPost, path: Prefix + "people/{id}/territories", access: admins, area: people, serve: c.assignPersonTerritory},
		{method: http.MethodPost, path: Prefix + "people/{id}/regions", access: admins, area: people, serve: c.assignPersonRegion},
		{method: http.MethodPost, path: Prefix + "people/{id}/devices/{device}/revoke", access: admins, area: people, serve: c.revokePersonDevice},
	}
}

// staffRoles are the roles an admin creates accounts of here; doctors
// register themselves from the app.
var staffRoles = []auth.Role{auth.RoleRep, auth.RoleDirector, auth.RoleModerator, auth.RoleAdmin}

type personRow struct {
	auth.User
	Role, Region, Status, Login string
}

type peoplePage struct {
	Rows         []personRow
	Roles        []option // the filter's
	Regions      []option // the filter's
	NewRoles     []option
	NewRegions   []option
	Role, Region string
	Refusal      *refusal
}

// roleKey and personStatusKey are the catalogue keys of an account's role and
// state.
func roleKey(r auth.Role) string { return "people.role." + string(r) }

func personStatusKey(u auth.User) string {
	switch {
	case u.Disabled:
		return "people.status.disabled"
	case u.Role == auth.RoleDoctor && !u.Verified:
		return "people.status.unverified"
	}
	return "people.status.active"
}

func loginOf(u auth.User) string {
	if u.Email != "" {
		return u.Email
	}
	return u.Phone
}

func (c *Console) peopleList(q *request) error { return c.renderPeople(q, http.StatusOK, nil) }

func (c *Console) renderPeople(q *request, status int, ref *refusal) error {
	ctx := q.r.Context()
	role, region := q.r.URL.Query().Get("role"), q.r.URL.Query().Get("region")
	users, err := c.cfg.Accounts.ListUsers(ctx, q.p, auth.Role(role), region)
	if err != nil {
		return err
	}
	regions, err := c.cfg.Accounts.ListRegions(ctx)
	if err != nil {
		return err
	}
	names := map[string]string{}
	pg := &peoplePage{Role: role, Region: region, Refusal: ref}
	pg.Roles = append(pg.Roles, option{Value: "", Label: q.mustText("people.any_role"), Selected: role == ""})
	for _, r := range auth.Roles {
		pg.Roles = append(pg.Roles, option{Value: string(r), Label: q.mustText(roleKey(r)), Selected: string(r) == role})
	}
	newRole, newRegion := ref.Value("role", string(auth.RoleRep)), ref.Value("region_id", "")
	for _, r := range staffRoles {
		pg.NewRoles = append(pg.NewRoles, option{Value: string(r), Label: q.mustText(roleKey(r)), Selected: string(r) == newRole})
	}
	pg.Regions = append(pg.Regions, option{Value: "", Label: q.mustText("people.any_region"), Selected: region == ""})
	pg.NewRegions = append(pg.NewRegions, option{Value: "", Label: q.mustText("people.no_region"), Selected: newRegion == ""})
	for _, r := range regions {
		names[r.ID] = r.Name
		pg.Regions = append(pg.Regions, option{Value: r.ID, Label: r.Name, Selected: r.ID == region})
		pg.NewRegions = append(pg.NewRegions, option{Value: r.ID, Label: r.Name, Selected: r.ID == newRegion})
	}
	for _, u := range users {
		pg.Rows = append(pg.Rows, personRow{User: u, Role: roleKey(u.Role), Region: names[u.RegionID], Status: personStatusKey(u), Login: loginOf(u)})
	}
	q.render(status, "people/list", pg)
	return nil
}

// createPerson creates a staff account, as CreateUser does for the RPC.
func (c *Console) createPerson(q *request) error {
	role := auth.Role(q.r.PostFormValue("role"))
	var err error
	if !slices.Contains(staffRoles, role) {
		err = syncengine.Invalid("the account cannot be created", syncengine.Violation{Field: "role", Description: "must be rep, director, moderator or admin"})
	} else {
		var u auth.User
		u, err = c.cfg.Accounts.CreateUser(q.r.Context(), q.p, auth.NewUser{Role: role, Email: q.r.PostFormValue("email"), Phone: q.r.PostFormValue("phone"),
			Name: q.r.PostFormValue("display_name"), RegionID: q.r.PostFormValue("region_id"), Password: q.r.PostFormValue("password")})
		if err == nil {
			q.redirect(Prefix + "people/" + u.ID + "?done=created")
			return nil
		}
	}
	ref, status, ok := q.refusalOf(err)
	if !ok {
		return err
	}
	delete(ref.Form, "password") // never sent back to the browser
	return c.renderPeople(q, status, ref)
}

type personPage struct {
	User      auth.User
	Role      string
	Status    string
	Login     string
	Region    string
	Self      bool
	IsRep     bool
	IsDir     bool
	Assigned  []option // territories or regions held, Label the name
	Available []option // those that can be given
	Devices   []auth.Device
	Done      string // catalogue key of what was just done
	Refusal   *refusal
}

// doneKeys are the notices a change leaves on the account's page.
var doneKeys = map[string]string{"created": "people.done.created", "disabled": "people.done.disabled", "enabled": "people.done.enabled",
	"password": "people.done.password", "revoked": "people.done.revoked", "assigned": "people.done.assigned"}

func (c *Console) personPage(q *request) error { return c.renderPerson(q, http.StatusOK, nil) }

func (c *Console) renderPerson(q *request, status int, ref *refusal) error {
	ctx, id := q.r.Context(), q.r.PathValue("id")
	devices, err := c.cfg.Accounts.ListUserDevices(ctx, q.p, id)
	if err != nil {
		return err
	}
	u, territories, regionIDs, err := c.cfg.Accounts.Me(ctx, id)
	if err != nil {
		return err
	}
	regions, err := c.cfg.Accounts.ListRegions(ctx)
	if err != nil {
		return err
	}
	pg := &personPage{User: u, Role: roleKey(u.Role), Status: personStatusKey(u), Login: loginOf(u), Self: u.ID == q.user.ID,
		IsRep: u.Role == auth.RoleRep, IsDir: u.Role == auth.RoleDirector, Refusal: ref}
	if ref == nil {
		pg.Done = doneKeys[q.r.URL.Query().Get("done")]
	}
	for _, r := range regions {
		if r.ID == u.RegionID {
			pg.Region = r.Name
		}
		switch {
		case pg.IsDir:
			o := option{Value: r.ID, Label: r.Name}
			if slices.Contains(regionIDs, r.ID) {
				pg.Assigned = append(pg.Assigned, o)
			} else {
				pg.Available = append(pg.Available, o)
			}
		case pg.IsRep:
			for _, t := range r.Territories {
				o := option{Value: t.ID, Label: r.Name + " · " + t.Name}
				if slices.Contains(territories, t.ID) {
					pg.Assigned = append(pg.Assigned, o)
				} else if r.ID == u.RegionID {
					pg.Available = append(pg.Available, o)
				}
			}
		}
	}
	pg.Devices = devices
	q.render(status, "people/person", pg)
	return nil
}

// personDone shows the account's page with a notice, or again with why the
// form was refused.
func (c *Console) personDone(q *request, err error, done string) error {
	if err == nil {
		q.redirect(Prefix + "people/" + q.r.PathValue("id") + "?done=" + done)
		return nil
	}
	ref, status, ok := q.refusalOf(err)
	if !ok {
		return err
	}
	delete(ref.Form, "password")
	return c.renderPerson(q, status, ref)
}

func (c *Console) setPersonStatus(q *request) error {
	disabled := q.r.PostFormValue("disabled") == "true"
	_, err := c.cfg.Accounts.SetUserDisabled(q.r.Context(), q.p, q.r.PathValue("id"), disabled)
	done := "enabled"
	if disabled {
		done = "disabled"
	}
	return c.personDone(q, err, done)
}

func (c *Console) resetPersonPassword(q *request) error {
	_, err := c.cfg.Accounts.ResetPassword(q.r.Context(), q.p, q.r.PathValue("id"), q.r.PostFormValue("password"))
	return c.personDone(q, err, "password")
}

// assigned reads the form's add or remove: "true" gives, anything else
// takes away.
func assigned(q *request) bool { return strings.TrimSpace(q.r.PostFormValue("assigned")) == "true" }

func (c *Console) assignPersonTerritory(q *request) error {
	_, err := c.cfg.Accounts.AssignTerritory(q.r.Context(), q.p, q.r.PathValue("id"), q.r.PostFormValue("territory_id"), assigned(q))
	return c.personDone(q, err, "assigned")
}

func (c *Console) assignPersonRegion(q *request) error {
	_, err := c.cfg.Accounts.AssignRegion(q.r.Context(), q.p, q.r.PathValue("id"), q.r.PostFormValue("region_id"), assigned(q))
	return c.personDone(q, err, "assigned")
}

// revokePersonDevice ends a session of the account; a device id of
// another account is not found here.
func (c *Console) revokePersonDevice(q *request) error {
	ctx, id, device := q.r.Context(), q.r.PathValue("id"), q.r.PathValue("device")
	devices, err := c.cfg.Accounts.ListUserDevices(ctx, q.p, id)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(devices, func(d auth.Device) bool { return d.ID == device }) {
		return syncengine.Errorf(syncengine.ENOTFOUND, "the account has no device %s", device)
	}
	_, err = c.cfg.Accounts.RevokeUserDevice(ctx, q.p, device)
	return c.personDone(q, err, "revoked")
}
