package probase_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/probase"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/server/syncrpc"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// env is a region with two territories, their people, and a directory.
type env struct {
	t        *testing.T
	ctx      context.Context
	store    syncengine.Store
	accounts *auth.Service
	dir      *probase.Service
	engine   *syncengine.Engine
	clock    *storetest.Clock

	repA, repB, repSouth, director, moderator, doctorUser auth.User
	doctor                                                *probasev1.Doctor
}

func newEnv(t *testing.T, d syncengine.Dialect) *env {
	return newEnvOn(t, func(now func() time.Time) syncengine.Store { return servertest.Store(t, d, now, probase.Schema()) })
}

// newEnvOn is newEnv on the store open returns.
func newEnvOn(t *testing.T, open func(now func() time.Time) syncengine.Store) *env {
	ctx := context.Background()
	clock := storetest.NewClock()
	store := open(clock.Now)
	accounts, err := auth.New(ctx, store, auth.Config{Argon2: auth.TestArgon2, Now: clock.Now,
		OnAccountChange: []func(context.Context, syncengine.Tx, auth.AccountChange) error{probase.AccountChanged}})
	if err != nil {
		t.Fatal(err)
	}
	dir, err := probase.New(ctx, store, nil)
	if err != nil {
		t.Fatal(err)
	}
	reg := syncengine.NewRegistry()
	dir.Register(reg)
	e := &env{t: t, ctx: ctx, store: store, accounts: accounts, dir: dir, clock: clock,
		engine: syncengine.New(syncengine.Config{Store: store, Registry: reg, Resolver: accounts, EncodeOutcome: syncrpc.EncodeOutcome})}
	must(t, err)
	_, err = accounts.CreateRegion(ctx, auth.System, auth.Region{ID: "msk", Name: "Moscow", TimeZone: "Europe/Moscow"})
	must(t, err)
	for _, id := range []string{"north", "south"} {
		_, err = accounts.CreateTerritory(ctx, auth.System, auth.Territory{ID: id, RegionID: "msk", Name: id})
		must(t, err)
	}
	user := func(role auth.Role, email string) auth.User {
		region := "msk"
		if role == auth.RoleModerator {
			region = ""
		}
		u, err := accounts.CreateUser(ctx, auth.System, auth.NewUser{Role: role, Email: email, Password: "long enough pw", Name: email, RegionID: region, Specialty: "dermatology"})
		must(t, err)
		return u
	}
	e.repA, e.repB, e.repSouth = user(auth.RoleRep, "a@rep.test"), user(auth.RoleRep, "b@rep.test"), user(auth.RoleRep, "south@rep.test")
	e.director, e.moderator, e.doctorUser = user(auth.RoleDirector, "dir@x.test"), user(auth.RoleModerator, "mod@x.test"), user(auth.RoleDoctor, "doc@x.test")
	for _, a := range []struct {
		u auth.User
		t string
	}{{e.repA, "north"}, {e.repB, "north"}, {e.repSouth, "south"}} {
		_, err = accounts.AssignTerritory(ctx, auth.System, a.u.ID, a.t, true)
		must(t, err)
	}
	_, err = accounts.AssignRegion(ctx, auth.System, e.director.ID, "msk", true)
	must(t, err)
	for _, c := range []*probasev1.Clinic{{Id: "city-clinic", Name: "City Clinic", City: "Moscow", TerritoryId: "north"}, {Id: "skin-center", Name: "Skin Center", TerritoryId: "north"}} {
		_, err = dir.CreateClinic(ctx, auth.System, c)
		must(t, err)
	}
	e.doctor, err = dir.CreateDoctor(ctx, auth.System, "crm-1", changes(
		"full_name", "Анна Петрова", "specialty", "dermatology", "clinic_id", "city-clinic", "position", "head of department",
		"phones", "+79161234567", "territory_id", "north"))
	must(t, err)
	e.doctor, err = dir.LinkAccount(ctx, auth.System, e.doctor.Id, e.doctorUser.ID)
	must(t, err)
	return e
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// changes builds field changes from field, value pairs; a field given twice
// in a row gets several values.
func changes(kv ...string) []*probasev1.FieldChange {
	var out []*probasev1.FieldChange
	for i := 0; i < len(kv); i += 2 {
		if n := len(out); n > 0 && out[n-1].Field == kv[i] {
			out[n-1].Values = append(out[n-1].Values, kv[i+1])
			continue
		}
		out = append(out, &probasev1.FieldChange{Field: kv[i], Values: []string{kv[i+1]}})
	}
	return out
}

// device is a user's tablet or phone, syncing through the engine.
func (e *env) device(u auth.User) *servertest.Device {
	return servertest.NewDevice(e.t, servertest.DeviceConfig{Engine: e.engine, Principal: auth.Principal(u, uuid.NewString())})
}

// propose pushes a doctor.propose_edit and returns its outcome.
func propose(d *servertest.Device, doctorID string, base int64, cs ...*probasev1.FieldChange) syncengine.Outcome {
	return d.Do("doctor.propose_edit", &probasev1.ProposeEditArgs{RequestId: uuid.NewString(), DoctorId: doctorID, BaseVersion: base, Changes: cs})
}

// doctorOf returns the doctor as a device holds it, from any bucket.
func doctorOf(d *servertest.Device, id string) *probasev1.Doctor {
	return servertest.Record[probasev1.Doctor](d, probase.DoctorCollection, id)
}

// summaryOf returns the doctor's summary as a device holds it, from any
// bucket.
func summaryOf(d *servertest.Device, id string) *probasev1.DoctorSummary {
	return servertest.Record[probasev1.DoctorSummary](d, probase.DoctorSummaryCollection, id)
}
