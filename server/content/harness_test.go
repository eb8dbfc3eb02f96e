package content_test

import (
	"context"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/content"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/server/syncrpc"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// cheap keeps password hashing fast in tests.
var cheap = auth.Argon2{Memory: 64, Time: 1, Threads: 1}

// env is the content module with accounts, the points ledger and the sync
// engine over a fresh store, on a settable clock.
type env struct {
	t        testing.TB
	ctx      context.Context
	clock    *storetest.Clock
	store    syncengine.Store
	accounts *auth.Service
	svc      *content.Service
	engine   *syncengine.Engine
	media    *fakeMedia
	editor   syncengine.Principal
}

func newEnv(t testing.TB, d syncengine.Dialect) *env {
	t.Helper()
	ctx := context.Background()
	clock := storetest.NewClock()
	store := servertest.Store(t, d, clock.Now, content.Schema())
	accounts, err := auth.New(ctx, store, auth.Config{Argon2: cheap, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	media := &fakeMedia{ready: map[string]bool{}, owner: map[string]string{}, refs: map[string]map[string]bool{}}
	svc := content.New(store, content.Config{Media: media, Now: clock.Now})
	registry := syncengine.NewRegistry()
	svc.Register(registry)
	engine := syncengine.New(syncengine.Config{Store: store, Registry: registry, Resolver: accounts, EncodeOutcome: syncrpc.EncodeOutcome, MinClientSchema: 1})
	e := &env{t: t, ctx: ctx, clock: clock, store: store, accounts: accounts, svc: svc, engine: engine, media: media}
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

// phone is a doctor's phone: the doctor's real principal, a replica and
// the seq of its next mutation.
type phone struct {
	e        *env
	user     auth.User
	p        syncengine.Principal
	clientID string
	replica  *storetest.Replica
	next     int64
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
	return &phone{e: e, user: u, p: auth.Principal(u, "phone-"+name), clientID: uuid.NewString(), replica: storetest.NewReplica(), next: 1}
}

// sync pulls until the replica has applied a checkpoint.
func (ph *phone) sync() {
	t := ph.e.t
	t.Helper()
	for {
		page, err := ph.e.engine.Pull(ph.e.ctx, ph.p, syncengine.PullRequest{ClientID: ph.clientID, SchemaVersion: 1, Cursors: ph.replica.Cursors()})
		if err != nil {
			t.Fatalf("pull: %v", err)
		}
		bad, err := ph.replica.Apply(page)
		if err != nil {
			t.Fatal(err)
		}
		if len(bad) > 0 {
			t.Fatalf("checksums disagree for %v", bad)
		}
		if page.Checkpoint != nil {
			return
		}
	}
}

// records returns the payloads of a collection the phone holds, by id,
// over all its buckets; a record held twice fails the test.
func (ph *phone) records(collection string) map[string][]byte {
	ph.e.t.Helper()
	out := map[string][]byte{}
	for _, b := range ph.replica.Buckets() {
		for k, v := range ph.replica.Records(b) {
			if k.Collection != collection {
				continue
			}
			if _, dup := out[k.ID]; dup {
				ph.e.t.Fatalf("%s %s is on the phone twice", collection, k.ID)
			}
			out[k.ID] = v
		}
	}
	return out
}

// items returns the content items on the phone by id.
func (ph *phone) items() map[string]*contentv1.Item {
	out := map[string]*contentv1.Item{}
	for id, b := range ph.records(content.ItemCollection) {
		it := &contentv1.Item{}
		if err := proto.Unmarshal(b, it); err != nil {
			ph.e.t.Fatal(err)
		}
		out[id] = it
	}
	return out
}

// ids returns the sorted ids of the items on the phone.
func (ph *phone) ids() []string {
	var out []string
	for id := range ph.items() {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// mutation builds the phone's next mutation, as its outbox would.
func (ph *phone) mutation(name string, args proto.Message) syncengine.Mutation {
	b, err := proto.Marshal(args)
	if err != nil {
		ph.e.t.Fatal(err)
	}
	m := syncengine.Mutation{Seq: ph.next, Name: name, Args: b, CreatedAt: ph.e.clock.Now()}
	ph.next++
	return m
}

// push sends mutations and returns their outcomes.
func (ph *phone) push(ms ...syncengine.Mutation) []syncengine.Outcome {
	ph.e.t.Helper()
	out, err := ph.e.engine.Push(ph.e.ctx, ph.p, syncengine.PushRequest{ClientID: ph.clientID, SchemaVersion: 1, Mutations: ms})
	if err != nil {
		ph.e.t.Fatalf("push: %v", err)
	}
	return out
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

// fakeMedia stands in for the media module, which is built on its own
// branch: media ids with an owner and a ready flag, and references.
type fakeMedia struct {
	mu    sync.Mutex
	ready map[string]bool
	owner map[string]string
	refs  map[string]map[string]bool // media -> refs
}

func (m *fakeMedia) upload(owner string, ready bool) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	id := uuid.NewString()
	m.owner[id], m.ready[id] = owner, ready
	return id
}

func (m *fakeMedia) setReady(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ready[id] = true
}

func (m *fakeMedia) Attach(_ context.Context, _ syncengine.Tx, mediaID, editorID, ref string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	owner, ok := m.owner[mediaID]
	if !ok {
		return syncengine.Errorf(syncengine.ENOTFOUND, "no media %s", mediaID)
	}
	if owner != editorID {
		return syncengine.Errorf(syncengine.EPERMISSION, "media %s belongs to another user", mediaID)
	}
	if m.refs[mediaID] == nil {
		m.refs[mediaID] = map[string]bool{}
	}
	m.refs[mediaID][ref] = true
	return nil
}

func (m *fakeMedia) Detach(_ context.Context, _ syncengine.Tx, mediaID, ref string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.refs[mediaID], ref)
	return nil
}

func (m *fakeMedia) Ready(_ context.Context, _ syncengine.Querier, mediaID string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.ready[mediaID], nil
}

func (m *fakeMedia) referenced(mediaID, ref string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.refs[mediaID][ref]
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
