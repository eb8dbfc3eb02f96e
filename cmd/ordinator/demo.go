package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/rules/fields"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/console"
	"github.com/ordinatorhq/ordinator/server/points"
	"github.com/ordinatorhq/ordinator/server/probase"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// demoPassword is every demo account's password.
const demoPassword = "ordinator-demo"

type demoAccount struct {
	role      auth.Role
	email     string
	name      string
	territory string
	specialty string
}

var demoAccounts = []demoAccount{
	{auth.RoleAdmin, "admin@demo.ordinator", "Администратор", "", ""},
	{auth.RoleModerator, "moderator@demo.ordinator", "Модератор Ольга", "", ""},
	{auth.RoleDirector, "director@demo.ordinator", "Директор Сергей Волков", "", ""},
	{auth.RoleRep, "rep.north@demo.ordinator", "Представитель Анна (Север)", "demo-north", ""},
	{auth.RoleRep, "rep.south@demo.ordinator", "Представитель Игорь (Юг)", "demo-south", ""},
	{auth.RoleDoctor, "doctor@demo.ordinator", "Др. Мария Иванова", "demo-north", "dermatology"},
	{auth.RoleDoctor, "colleague@demo.ordinator", "Др. Елена Соколова", "demo-north", "dermatology"},
}

var demoDoctors = []struct{ ext, name, spec, clinic, territory, phone, account string }{
	{"demo-1", "Мария Иванова", "dermatology", "demo-clinic-1", "demo-north", "+79160000001", "doctor@demo.ordinator"},
	{"demo-2", "Елена Соколова", "dermatology", "demo-clinic-1", "demo-north", "+79160000002", "colleague@demo.ordinator"},
	{"demo-3", "Павел Орлов", "cosmetology", "demo-clinic-2", "demo-north", "+79160000003", ""},
	{"demo-4", "Ирина Лебедева", "oncology", "demo-clinic-3", "demo-south", "+79160000004", ""},
	{"demo-5", "Алексей Морозов", "dermatology", "demo-clinic-3", "demo-south", "+79160000005", ""},
}

// seedDemo fills an empty database with a region, two territories, their
// clinics and doctors, and one account of each role; run again, it only
// prints the credentials.
func seedDemo(ctx context.Context, store syncengine.Store, accounts *auth.Service, dir *probase.Service, engine *syncengine.Engine, out io.Writer) error {
	regions, err := accounts.ListRegions(ctx)
	if err != nil {
		return err
	}
	seeded := false
	for _, r := range regions {
		seeded = seeded || r.ID == "demo-msk"
	}
	if !seeded {
		if err := seedDemoData(ctx, store, accounts, dir, engine); err != nil {
			return fmt.Errorf("seeding the demo: %w", err)
		}
	}
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "Demo accounts (password "+demoPassword+"):")
	fmt.Fprintln(w, "ROLE\tLOGIN\tNAME\tTERRITORY")
	for _, a := range demoAccounts {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", a.role, a.email, a.name, a.territory)
	}
	return w.Flush()
}

// consoleURL is where a browser reaches the web console: under the public
// URL if one is set, else on the listening address.
func consoleURL(cfg *Config, addr net.Addr) string {
	return cfg.ownURL(addr) + console.Prefix
}

// printConsole says where the web console is and who may sign in to it:
// the staff, and the director to the reports.
func printConsole(out io.Writer, url string) {
	var staff, directors []string
	for _, a := range demoAccounts {
		switch a.role {
		case auth.RoleModerator, auth.RoleAdmin:
			staff = append(staff, a.email)
		case auth.RoleDirector:
			directors = append(directors, a.email)
		}
	}
	fmt.Fprintf(out, "Web console: %s (sign in as %s, the reports as %s, password %s)\n", url, strings.Join(staff, " or "), strings.Join(directors, " or "), demoPassword)
}

func seedDemoData(ctx context.Context, store syncengine.Store, accounts *auth.Service, dir *probase.Service, engine *syncengine.Engine) error {
	if _, err := accounts.CreateRegion(ctx, auth.System, auth.Region{ID: "demo-msk", Name: "Москва (демо)", TimeZone: "Europe/Moscow"}); err != nil {
		return err
	}
	for _, t := range []auth.Territory{{ID: "demo-north", RegionID: "demo-msk", Name: "Север"}, {ID: "demo-south", RegionID: "demo-msk", Name: "Юг"}} {
		if _, err := accounts.CreateTerritory(ctx, auth.System, t); err != nil {
			return err
		}
	}
	for _, c := range []*probasev1.Clinic{
		{Id: "demo-clinic-1", Name: "Клиника «Дерма»", City: "Москва", Address: "ул. Тверская, 1", TerritoryId: "demo-north"},
		{Id: "demo-clinic-2", Name: "Центр эстетики", City: "Москва", Address: "пр. Мира, 20", TerritoryId: "demo-north"},
		{Id: "demo-clinic-3", Name: "Онкоцентр Юг", City: "Москва", Address: "Варшавское ш., 5", TerritoryId: "demo-south"},
	} {
		if _, err := dir.CreateClinic(ctx, auth.System, c); err != nil {
			return err
		}
	}
	users := map[string]auth.User{}
	for _, a := range demoAccounts {
		region := "demo-msk"
		if a.role == auth.RoleAdmin || a.role == auth.RoleModerator {
			region = ""
		}
		u, err := accounts.CreateUser(ctx, auth.System, auth.NewUser{Role: a.role, Email: a.email, Password: demoPassword, Name: a.name, RegionID: region, Specialty: a.specialty})
		if err != nil {
			return err
		}
		users[a.email] = u
		switch a.role {
		case auth.RoleRep:
			_, err = accounts.AssignTerritory(ctx, auth.System, u.ID, a.territory, true)
		case auth.RoleDirector:
			_, err = accounts.AssignRegion(ctx, auth.System, u.ID, "demo-msk", true)
		case auth.RoleDoctor:
			_, err = accounts.VerifyDoctor(ctx, auth.System, u.ID)
		}
		if err != nil {
			return err
		}
	}
	doctors := map[string]*probasev1.Doctor{}
	for _, d := range demoDoctors {
		doc, err := dir.CreateDoctor(ctx, auth.System, d.ext, []*probasev1.FieldChange{
			{Field: "full_name", Values: []string{d.name}}, {Field: "specialty", Values: []string{d.spec}},
			{Field: "clinic_id", Values: []string{d.clinic}}, {Field: "phones", Values: []string{d.phone}},
			{Field: "territory_id", Values: []string{d.territory}},
		})
		if err != nil {
			return err
		}
		if d.account != "" {
			if doc, err = dir.LinkAccount(ctx, auth.System, doc.Id, users[d.account].ID); err != nil {
				return err
			}
			if _, err := points.Adjust(ctx, store, auth.System, users[d.account].ID, 500, "welcome points", uuid.NewString()); err != nil {
				return err
			}
		}
		doctors[d.ext] = doc
	}
	return seedDemoEdits(ctx, engine, users, doctors)
}

// demoEdits are edits the reps proposed from their tablets, waiting in the
// console's queue; two of them change the same phone.
var demoEdits = []struct {
	rep, doctor, comment string
	changes              fields.Values
}{
	{"rep.north@demo.ordinator", "demo-3", "Сменил номер и должность", fields.Values{"phones": {"+79161112233"}, "position": {"Заведующий отделением"}}},
	{"rep.north@demo.ordinator", "demo-1", "Перешла в «Центр эстетики»", fields.Values{"clinic_id": {"demo-clinic-2"}}},
	{"rep.south@demo.ordinator", "demo-4", "", fields.Values{"phones": {"+79165554433"}, "email": {"lebedeva@example.ru"}}},
	{"rep.north@demo.ordinator", "demo-3", "Номер со слов регистратуры", fields.Values{"phones": {"+79164445566"}}},
}

// seedDemoEdits pushes demoEdits as the reps' tablets would, through the
// sync engine's doctor.propose_edit.
func seedDemoEdits(ctx context.Context, engine *syncengine.Engine, users map[string]auth.User, doctors map[string]*probasev1.Doctor) error {
	for i, e := range demoEdits {
		doc := doctors[e.doctor]
		args := &probasev1.ProposeEditArgs{RequestId: uuid.NewString(), DoctorId: doc.Id, BaseVersion: doc.Version, Comment: e.comment}
		for _, f := range slices.Sorted(maps.Keys(e.changes)) {
			args.Changes = append(args.Changes, &probasev1.FieldChange{Field: f, Values: e.changes[f]})
		}
		b, err := proto.Marshal(args)
		if err != nil {
			return err
		}
		out, err := engine.Push(ctx, auth.Principal(users[e.rep], "demo-tablet"), syncengine.PushRequest{ClientID: "demo-tablet-" + strconv.Itoa(i), SchemaVersion: currentClientSchema,
			Mutations: []syncengine.Mutation{{Seq: 1, Name: "doctor.propose_edit", Args: b}}})
		if err != nil {
			return err
		}
		if out[0].Status != syncengine.StatusApplied {
			return fmt.Errorf("demo edit %d: %s", i, out[0].Error.Message)
		}
	}
	return nil
}
