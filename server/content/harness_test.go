package content_test

import (
	"context"
	"maps"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/content"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/server/syncrpc"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// env is the content module with accounts, the points ledger, media and
// the sync engine over a fresh store, on a settable clock.
type env struct {
	t        testing.TB
	ctx      context.Context
	clock    *storetest.Clock
	store    syncengine.Store
	accounts *auth.Service
	svc      *content.Service
	engine   *syncengine.Engine
	editor   syncengine.Principal
}

func newEnv(t testing.TB, d syncengine.Dialect) *env {
	t.Helper()
	return newEnvOn(t, func(now func() time.Time) syncengine.Store {
		return servertest.Store(t, d, now, media.Schema(), content.Schema())
	})
}

// newEnvOn is newEnv on the store open returns.
func newEnvOn(t testing.TB, open func(now func() time.Time) syncengine.Store) *env {
	t.Helper()
	ctx := context.Background()
	clock := storetest.NewClock()
	store := open(clock.Now)
	accounts, err := auth.New(ctx, store, auth.Config{Argon2: auth.TestArgon2, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	svc := content.New(store, content.Config{Media: media.ContentImages{}, Now: clock.Now})
	registry := syncengine.NewRegistry()
	svc.Register(registry)
	engine := syncengine.New(syncengine.Config{Store: store, Registry: registry, Resolver: accounts, EncodeOutcome: syncrpc.EncodeOutcome, MinClientSchema: 1})
	e := &env{t: t, ctx: ctx, clock: clock, store: store, accounts: accounts, svc: svc, engine: engine}
	for _, r := range []auth.Region{{ID: "msk", Name: "Moscow", TimeZone: "Europe/Moscow"}, {ID: "spb", Name: "Saint Petersburg", TimeZone: "Europe/Moscow"}} {
		if _, err := accounts.CreateRegion(ctx, auth.System, r); err != nil {
			t.Fatal(err)
		}
	}
	e.editor = e.staff(auth.RoleModerator, "editor@ordinator.test", "")
	return e
}

func forEachDialect(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, d := range servertest.Dialects {
		t.Run(string(d), func(t *testing.T) { fn(t, newEnv(t, d)) })
	}
}

// staff creates an account of a role and returns its principal.
func (e *env) staff(role auth.Role, email, region string) syncengine.Principal {
	e.t.Helper()
	u, err := e.accounts.CreateUser(e.ctx, auth.System, auth.NewUser{Role: role, Email: email, Password: "correct horse battery", Name: email, RegionID: region})
	if err != nil {
		e.t.Fatal(err)
	}
	return auth.Principal(u, "console")
}

// phone is a doctor's phone: a device syncing through the engine, and the
// doctor.
type phone struct {
	*servertest.Device
	e    *env
	user auth.User
}

// doctor creates a doctor of a specialty in a region, verified by a
// moderator from their diploma or not, and returns their phone.
func (e *env) doctor(name, specialty, region string, verified bool) *phone {
	e.t.Helper()
	u, err := e.accounts.CreateUser(e.ctx, auth.System, auth.NewUser{Role: auth.RoleDoctor, Email: name + "@clinic.test", Password: "long enough pw",
		Name: name, Specialty: specialty, RegionID: region})
	if err != nil {
		e.t.Fatal(err)
	}
	if verified {
		if _, err := e.accounts.AttachDiploma(e.ctx, auth.Principal(u, "phone"), uuid.NewString()); err != nil {
			e.t.Fatal(err)
		}
		if u, err = e.accounts.ReviewDiploma(e.ctx, auth.System, u.ID, true, ""); err != nil {
			e.t.Fatal(err)
		}
	}
	d := servertest.NewDevice(e.t, servertest.DeviceConfig{Engine: e.engine, Principal: auth.Principal(u, "phone-"+name), Schema: 1, Clock: e.clock.Now})
	return &phone{Device: d, e: e, user: u}
}

// items returns the content items on the phone by id. An item held in two
// of the phone's buckets fails the test: content places an item in one
// bucket a phone reads.
func (ph *phone) items() map[string]*contentv1.Item {
	ph.e.t.Helper()
	for id, in := range ph.Holders(content.ItemCollection) {
		if len(in) > 1 {
			ph.e.t.Fatalf("item %s is on the phone twice, in %v", id, in)
		}
	}
	return servertest.Records[contentv1.Item](ph.Device, content.ItemCollection)
}

// ids returns the sorted ids of the items on the phone.
func (ph *phone) ids() []string {
	ph.e.t.Helper()
	return slices.Sorted(maps.Keys(ph.items()))
}

// article is a Markdown article for specialties and regions.
func article(id, title, body string, specialties, regions []string) *contentv1.Item {
	return &contentv1.Item{Id: id, Title: title, Specialties: specialties, RegionIds: regions,
		Body: &contentv1.Item_Article{Article: &contentv1.Article{Body: &contentv1.RichText{Source: body}}}}
}

// training is a two-lesson training whose quiz has two questions with
// answers b and a,c.
func training(id string, pts int64, specialties, regions []string) *contentv1.Item {
	opts := []*contentv1.QuizOption{{Text: "один"}, {Text: "два"}, {Text: "три"}}
	return &contentv1.Item{Id: id, Title: "Курс " + id, Specialties: specialties, RegionIds: regions,
		Body: &contentv1.Item_Training{Training: &contentv1.Training{
			Points: pts,
			Lessons: []*contentv1.Lesson{
				{Title: "Урок 1", Body: &contentv1.RichText{Source: "Эмоленты — основа ухода."}},
				{Title: "Урок 2", Body: &contentv1.RichText{Source: "Топические стероиды назначают **курсами**."}},
			},
			Quiz: &contentv1.Quiz{PassMarkPercent: 100, Questions: []*contentv1.QuizQuestion{
				{Text: "Основа ухода?", Options: opts, CorrectOptionIds: []string{"b"}},
				{Text: "Что назначают курсами?", Options: cloneOptions(opts), CorrectOptionIds: []string{"a", "c"}},
			}},
		}}}
}

func cloneOptions(in []*contentv1.QuizOption) []*contentv1.QuizOption {
	var out []*contentv1.QuizOption
	for _, o := range in {
		out = append(out, proto.Clone(o).(*contentv1.QuizOption))
	}
	return out
}

func (e *env) create(it *contentv1.Item) *contentv1.EditorItem {
	e.t.Helper()
	out, err := e.svc.CreateItem(e.ctx, e.editor, it)
	if err != nil {
		e.t.Fatalf("create %s: %v", it.Id, err)
	}
	return out
}

func (e *env) publish(id string) *contentv1.EditorItem {
	e.t.Helper()
	out, err := e.svc.PublishItem(e.ctx, e.editor, id)
	if err != nil {
		e.t.Fatalf("publish %s: %v", id, err)
	}
	return out
}

func code(err error) string { return syncengine.ErrorCode(err) }

// violation reports whether err names field among its violations.
func violation(err error, field string) bool {
	e := syncengine.AsError(err)
	return slices.ContainsFunc(e.Violations, func(v syncengine.Violation) bool { return v.Field == field })
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
