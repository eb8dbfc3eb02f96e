package console

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// The sync inspector: what an account's devices see now, for support ("I
// don't see doctor X"): the buckets its pulls read and why, each with the
// record count and checksum a device that caught up holds, its sync
// clients with their last pull, last push and client schema, and its latest
// rejected mutations. auth.Service.InspectSync reads it all, from the same
// bucket rule pulls use; moderators and admins, as it allows.

func (c *Console) syncPages() []page {
	const inspector = "nav.sync"
	return []page{
		{method: http.MethodGet, path: Prefix + "sync", access: moderators, nav: inspector, area: inspector, serve: c.syncLookup},
		{method: http.MethodPost, path: Prefix + "sync", access: moderators, area: inspector, serve: c.findSyncAccount},
		{method: http.MethodGet, path: Prefix + "people/{id}/sync", access: moderators, area: inspector, serve: c.syncInspect},
	}
}

// syncReasons are the catalogue keys of why an account reads a bucket.
var syncReasons = []string{auth.ReasonOwn, auth.ReasonEveryone, auth.ReasonRegion, auth.ReasonSpecialty, auth.ReasonSpecialtyRegion,
	auth.ReasonTerritory, auth.ReasonDirectedRegion, auth.ReasonDirectedTerritory}

type syncLookupPage struct {
	// Account is what was typed; NotFound is set when no account has
	// that id, e-mail or phone (the page is then a 404).
	Account  string
	NotFound bool
	Refusal  *refusal
}

func (c *Console) syncLookup(q *request) error {
	q.render(http.StatusOK, "sync/lookup", &syncLookupPage{})
	return nil
}

// findSyncAccount finds the account by id, e-mail or phone and opens its
// inspector; an unknown one is said so next to the field.
func (c *Console) findSyncAccount(q *request) error {
	key := strings.TrimSpace(q.r.PostFormValue("account"))
	u, err := c.cfg.Accounts.FindAccount(q.r.Context(), q.p, key)
	if err == nil {
		q.redirect(Prefix + "people/" + u.ID + "/sync")
		return nil
	}
	if syncengine.ErrorCode(err) == syncengine.ENOTFOUND {
		q.render(http.StatusNotFound, "sync/lookup", &syncLookupPage{Account: key, NotFound: true})
		return nil
	}
	ref, status, ok := q.refusalOf(err)
	if !ok {
		return err
	}
	q.render(status, "sync/lookup", &syncLookupPage{Account: key, Refusal: ref})
	return nil
}

type syncPage struct {
	User       auth.User
	Role       string
	Status     string
	Login      string
	Region     string
	Admin      bool // the caller may open the account's People page
	Buckets    []bucketRow
	Records    int64 // over every bucket (a record in two counts twice)
	Clients    []clientRow
	Rejections []rejectionRow
}

type bucketRow struct {
	Bucket   string
	Reason   string // catalogue key
	Count    int64
	Checksum string // as `ordinator device status` prints it
}

type clientRow struct {
	ClientID string
	// DeviceID is the session of the client's last recorded pull; Known
	// when the accounts module has it (name, platform, signed out).
	DeviceID, DeviceName, Platform string
	Known, Revoked                 bool
	LastPull, LastPush             int64 // unix ms
	Pulled, Pushed                 bool
	Schema                         int32
	LastSeq                        int64
}

type rejectionRow struct {
	At         int64
	ClientID   string
	Seq        int64
	Name       string
	Code       string
	Message    string
	Violations []string
}

// syncInspect shows an account's sync view; an unknown id gets the lookup
// page saying so, with the form to try another.
func (c *Console) syncInspect(q *request) error {
	ctx, id := q.r.Context(), q.r.PathValue("id")
	v, err := c.cfg.Accounts.InspectSync(ctx, q.p, id)
	if syncengine.ErrorCode(err) == syncengine.ENOTFOUND {
		q.render(http.StatusNotFound, "sync/lookup", &syncLookupPage{Account: id, NotFound: true})
		return nil
	}
	if err != nil {
		return err
	}
	regions, err := c.cfg.Accounts.ListRegions(ctx)
	if err != nil {
		return err
	}
	pg := &syncPage{User: v.User, Role: roleKey(v.User.Role), Status: personStatusKey(v.User), Login: loginOf(v.User), Admin: q.user.Role == auth.RoleAdmin}
	for _, r := range regions {
		if r.ID == v.User.RegionID {
			pg.Region = r.Name
		}
	}
	for _, b := range v.Buckets {
		pg.Buckets = append(pg.Buckets, bucketRow{Bucket: string(b.Bucket), Reason: "sync.reason." + b.Reason, Count: b.State.Count, Checksum: fmt.Sprintf("%016x", b.State.Sum)})
		pg.Records += b.State.Count
	}
	for _, cl := range v.Clients {
		row := clientRow{ClientID: cl.ClientID, Schema: cl.SchemaVersion, LastSeq: cl.LastMutationSeq, DeviceID: cl.DeviceID}
		if !cl.LastPull.IsZero() {
			row.LastPull, row.Pulled = cl.LastPull.UnixMilli(), true
		}
		if !cl.LastPush.IsZero() {
			row.LastPush, row.Pushed = cl.LastPush.UnixMilli(), true
		}
		if d := cl.Device; d != nil {
			row.Known, row.DeviceName, row.Platform, row.Revoked = true, d.Name, d.Platform, d.Revoked
		}
		pg.Clients = append(pg.Clients, row)
	}
	for _, o := range v.Rejections {
		row := rejectionRow{At: o.DecidedAt.UnixMilli(), ClientID: o.ClientID, Seq: o.Seq, Name: o.Name}
		if o.Error != nil {
			row.Code, row.Message = o.Error.Code, o.Error.Message
			for _, vi := range o.Error.Violations {
				row.Violations = append(row.Violations, vi.Field+": "+vi.Description)
			}
		}
		pg.Rejections = append(pg.Rejections, row)
	}
	q.render(http.StatusOK, "sync/view", pg)
	return nil
}
