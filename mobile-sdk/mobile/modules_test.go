package mobile_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	notifyv1 "github.com/ordinatorhq/ordinator/api/ordinator/notify/v1"
	pointsv1 "github.com/ordinatorhq/ordinator/api/ordinator/points/v1"
	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/mobile-sdk/mobile"
	"github.com/ordinatorhq/ordinator/mobile-sdk/sdktest"
	"github.com/ordinatorhq/ordinator/rules/fields"
)

// seeded is a record a test mutation writes as if it had synced.
type seeded struct {
	collection, id string
	m              proto.Message
}

// seeder is the app-side mutator "test.seed", standing in for a sync.
type seeder struct{ recs []seeded }

func (s *seeder) Apply(tx *mobile.LocalTx, _ []byte) error {
	for _, r := range s.recs {
		b, err := proto.Marshal(r.m)
		if err != nil {
			return err
		}
		if err := tx.Put(r.collection, r.id, b); err != nil {
			return err
		}
	}
	return nil
}

// phone opens an offline replica with the schema add fills and recs in
// place.
func phone(t *testing.T, add func(*mobile.Schema) error, recs ...seeded) *mobile.Replica {
	t.Helper()
	s := mobile.NewSchema()
	must(t, add(s))
	must(t, s.AddMutation("test.seed", &seeder{recs: recs}))
	r, err := mobile.Open(mobile.NewConfig(t.TempDir(), "http://127.0.0.1:1"), s, token("t"), nil)
	must(t, err)
	t.Cleanup(func() { r.Close() })
	must(t, r.SetConnectivity(mobile.Offline))
	if len(recs) > 0 {
		_, err = r.Mutate("test.seed", nil)
		must(t, err)
	}
	return r
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func pending(t *testing.T, r *mobile.Replica) int {
	t.Helper()
	st, err := r.Status()
	must(t, err)
	return st.Pending
}

func count(t *testing.T, r *mobile.Replica, collection string) int {
	t.Helper()
	n, err := r.Count(mobile.NewQuery(collection))
	must(t, err)
	return n
}

func refused(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted; want a refusal naming %v", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Fatalf("%v\ndoes not name %q", err, w)
		}
	}
}

func TestMobileModulesRegistration(t *testing.T) {
	s := mobile.NewSchema()
	must(t, s.AddDoctors())
	refused(t, s.AddDoctors(), "doctors module is already in the schema")
	// A module that conflicts halfway with the app's own collections is
	// refused whole: the collections it added before the conflict are gone.
	s = mobile.NewSchema()
	must(t, s.AddCollection("edit_request", "", nil))
	refused(t, s.AddDoctors(), "edit_request registered twice")
	must(t, s.AddCollection("doctor", "", nil))
	must(t, s.AddMutation("doctor.propose_edit", noteMutator{}))
	// A schema made with `new Schema()` in Java works too.
	var zero mobile.Schema
	for _, add := range []func() error{zero.AddCases, zero.AddGifts, zero.AddInbox, zero.AddContent} {
		must(t, add())
	}
	refused(t, zero.AddInbox(), "inbox module is already")

	// Without the module, the calls that would queue unchecked refuse.
	r := phone(t, func(*mobile.Schema) error { return nil })
	edit := mobile.NewFieldValues()
	edit.Add("phones", "+79160000000")
	_, err := r.ProposeDoctorEdit("d1", edit, "")
	refused(t, err, "AddDoctors")
	_, err = r.SearchContent("acne", 0)
	refused(t, err, "AddContent")
	_, err = r.SubmitCase("c1")
	refused(t, err, "AddCases")
	if n := pending(t, r); n != 0 {
		t.Fatalf("%d mutations queued", n)
	}
}

// doctorTemplate is a doctor template as the server publishes it (a
// subset).
var doctorTemplate = fields.Template{Collection: "doctor", Version: 1, Rules: []fields.Rule{
	{Field: "full_name", Label: "Full name", Required: true, MinLen: 3},
	{Field: "clinic_id", Label: "Workplace", Ref: "clinic"},
	{Field: "phones", Label: "Phone", List: true, MaxItems: 2, Pattern: `\+[1-9][0-9]{7,14}`, PatternHint: "+79161234567"},
}}

func TestMobileDoctors(t *testing.T) {
	r := phone(t, (*mobile.Schema).AddDoctors,
		seeded{"field_template", "doctor", doctorTemplate.Proto()},
		seeded{"clinic", "c1", &probasev1.Clinic{Id: "c1", Name: "Clinic One", TerritoryId: "north"}},
		seeded{"doctor", "d1", &probasev1.Doctor{Id: "d1", FullName: "Анна Петрова", ClinicId: "c1", TerritoryId: "north", Version: 3,
			Phones: []string{"+79161234567"}, Status: "active"}})
	queued := pending(t, r)

	bad := mobile.NewFieldValues()
	bad.Add("phones", "8-916")
	bad.Add("clinic_id", "nowhere")
	viol, err := r.CheckDoctorEdit("d1", bad)
	must(t, err)
	if viol.Len() != 2 || viol.Get(0).Field != "clinic_id" || viol.Get(1).Field != "phones" || viol.Get(2) != nil {
		t.Fatalf("%d violations, want clinic_id and phones", viol.Len())
	}
	_, err = r.ProposeDoctorEdit("d1", bad, "moved")
	refused(t, err, "doctor d1", "phones", "clinic_id")
	// The raw mutation, as the app's generated code builds it, is checked
	// the same way.
	args, err := proto.Marshal(&probasev1.ProposeEditArgs{RequestId: "2b0f5b1e-7c1a-4a43-9d2a-3a6d0c6b8e11", DoctorId: "d1", BaseVersion: 3,
		Changes: []*probasev1.FieldChange{{Field: "full_name", Values: []string{" "}}}})
	must(t, err)
	_, err = r.Mutate("doctor.propose_edit", args)
	refused(t, err, "full_name")
	_, err = r.ProposeDoctorEdit("d1", mobile.NewFieldValues(), "")
	refused(t, err, "at least one field")
	_, err = r.ProposeDoctorEdit("nobody", bad, "")
	refused(t, err, "not on this device")
	if n := pending(t, r); n != queued || count(t, r, "edit_request") != 0 {
		t.Fatalf("refused edits queued %d mutations", n-queued)
	}

	good := mobile.NewFieldValues()
	good.Add("phones", "+79160000001")
	good.Add("phones", "+79160000002")
	viol, err = r.CheckDoctorEdit("d1", good)
	if err != nil || viol.Len() != 0 {
		t.Fatalf("a valid edit: %d violations, %v", viol.Len(), err)
	}
	id, err := r.ProposeDoctorEdit("d1", good, "new phones")
	must(t, err)
	if n := pending(t, r); n != queued+1 {
		t.Fatalf("pending %d, want %d", n, queued+1)
	}
	rec, err := r.Get("edit_request", id)
	must(t, err)
	req := &probasev1.EditRequest{}
	if rec == nil || !rec.Pending || proto.Unmarshal(rec.Payload, req) != nil ||
		req.GetStatus() != probasev1.EditStatus_EDIT_STATUS_PENDING || len(req.GetChanges()) != 1 || len(req.GetChanges()[0].GetValues()) != 2 {
		t.Fatalf("edit request %v: %v", id, req)
	}
}

func TestMobileCases(t *testing.T) {
	r := phone(t, (*mobile.Schema).AddCases)
	photo := filepath.Join(t.TempDir(), "before.jpg")
	must(t, os.WriteFile(photo, sdktest.JPEG(sdktest.Image(64, 48)), 0o600))
	_, err := r.AddCasePhoto(photo, 7)
	refused(t, err, "stage")
	if st, _ := r.Status(); st.MediaQueued != 0 {
		t.Fatalf("a photo of a bad stage was queued")
	}
	before, err := r.AddCasePhoto(photo, mobile.PhotoStageBefore)
	must(t, err)
	age := int32(34)
	draft := &casesv1.SaveDraftArgs{CaseId: "5f0c7a52-8d0e-4b0a-9a55-0f5a1c3e9b21", Content: &casesv1.CaseContent{
		Sex: casesv1.Sex_SEX_FEMALE, AgeYears: &age, Diagnosis: "Акне (L70.0)",
		OutcomeNotes: "Позвоните пациентке: +7 916 123-45-67",
		Photos:       []*casesv1.CasePhoto{{MediaId: before, Stage: casesv1.PhotoStage_PHOTO_STAGE_BEFORE}},
	}}
	args, err := proto.Marshal(draft)
	must(t, err)
	queued := pending(t, r)
	_, err = r.Mutate("case.save_draft", args)
	refused(t, err, "outcome_notes")
	if n := pending(t, r); n != queued || count(t, r, "case") != 0 {
		t.Fatal("a case that may identify a patient was queued")
	}
	draft.Content.OutcomeNotes = "Выраженное улучшение."
	args, err = proto.Marshal(draft)
	must(t, err)
	_, err = r.Mutate("case.save_draft", args)
	must(t, err)
	// Without a photo after the treatment the case cannot be published.
	_, err = r.SubmitCase(draft.CaseId)
	refused(t, err, "photo")
	rec, err := r.Get("case", draft.CaseId)
	must(t, err)
	c := &casesv1.Case{}
	if rec == nil || proto.Unmarshal(rec.Payload, c) != nil || c.GetStatus() != casesv1.CaseStatus_CASE_STATUS_DRAFT {
		t.Fatalf("the draft: %v", c)
	}
}

func TestMobileGifts(t *testing.T) {
	now := time.Now()
	r := phone(t, (*mobile.Schema).AddGifts,
		seeded{"gift_wave", "w1", &giftsv1.Wave{Id: "w1", RegionId: "msk", Title: "Spring",
			StartsAtUnixMs: now.Add(-time.Hour).UnixMilli(), EndsAtUnixMs: now.Add(time.Hour).UnixMilli()}},
		seeded{"gift_catalog_item", "w1/cream", &giftsv1.CatalogItem{WaveId: "w1", Item: &giftsv1.Item{Id: "cream", Name: "Cream"},
			PointsPrice: 100, Allocated: 10, Remaining: 5}},
		seeded{"points_balance", "u1", &pointsv1.PointsBalance{UserId: "u1", Balance: 250}})
	queued := pending(t, r)
	order := &giftsv1.PlaceOrderArgs{OrderId: "0b6b3f0e-5a8e-4c1d-8f3e-2a9d7c4b1e60", WaveId: "w1",
		Address: &giftsv1.DeliveryAddress{Recipient: "Anna Petrova", Phone: "+79000000000", PostalCode: "101000", City: "Moscow", Street: "Tverskaya 1"},
		Items:   []*giftsv1.PlaceOrderLine{{ItemId: "cream", Quantity: 3}}}
	args, err := proto.Marshal(order)
	must(t, err)
	_, err = r.Mutate("gift.place_order", args)
	refused(t, err, "not enough points", "250", "300")
	if n := pending(t, r); n != queued || count(t, r, "gift_order") != 0 {
		t.Fatal("a hopeless order was queued")
	}
	order.Items[0].Quantity = 2
	args, err = proto.Marshal(order)
	must(t, err)
	_, err = r.Mutate("gift.place_order", args)
	must(t, err)
	rec, err := r.Get("points_balance", "u1")
	must(t, err)
	b := &pointsv1.PointsBalance{}
	if rec == nil || proto.Unmarshal(rec.Payload, b) != nil || b.GetBalance() != 50 {
		t.Fatalf("balance after the order: %v", b)
	}
	if rec, err := r.Get("gift_order", order.OrderId); err != nil || rec == nil || !rec.Pending {
		t.Fatalf("the order is not shown: %v %v", rec, err)
	}
}

func TestMobileInbox(t *testing.T) {
	r := phone(t, (*mobile.Schema).AddInbox,
		seeded{"inbox", "i1", &notifyv1.InboxItem{Id: "i1", Kind: "study.overdue", Title: "Results due", CreatedAtUnixMs: 1}})
	for _, tc := range []struct {
		data string
		wake bool
	}{
		{`{"kind":"sync.wake","id":"i1"}`, true},
		{`{"kind":"study.overdue","id":"i1","aps":{"content-available":1}}`, false},
		{`{"id":"i1"}`, false},
		{`{}`, false},
	} {
		wake, err := r.HandlePush(tc.data)
		if err != nil || wake != tc.wake {
			t.Fatalf("HandlePush(%s) = %v, %v; want %v", tc.data, wake, err, tc.wake)
		}
	}
	_, err := r.HandlePush("kind=sync.wake")
	refused(t, err, "not a JSON object")
	refused(t, r.RegisterPushToken("fcm-token", "blackberry", "ru-RU", "Europe/Moscow"), `platform "blackberry"`)

	queued := pending(t, r)
	args, err := proto.Marshal(&notifyv1.MarkReadArgs{Ids: []string{"i1", "i2"}})
	must(t, err)
	_, err = r.Mutate("inbox.mark_read", args)
	refused(t, err, "ids[1]", "i2")
	if n := pending(t, r); n != queued {
		t.Fatal("marking an unknown item read was queued")
	}
	q := mobile.NewQuery("inbox")
	must(t, q.WhereInt("read_at", "=", 0))
	if n, err := r.Count(q); err != nil || n != 1 {
		t.Fatalf("unread %d, %v", n, err)
	}
}

func TestMobileContent(t *testing.T) {
	r := phone(t, (*mobile.Schema).AddContent,
		seeded{"content_item", "a1", &contentv1.Item{Id: "a1", Version: 1, Title: "Розацеа: лечение", Kind: contentv1.ItemKind_ITEM_KIND_ARTICLE,
			Body: &contentv1.Item_Article{Article: &contentv1.Article{Body: &contentv1.RichText{Text: "Treatment of rosacea with ivermectin."}}}}},
		seeded{"content_item", "a2", &contentv1.Item{Id: "a2", Version: 1, Title: "Псориаз", Kind: contentv1.ItemKind_ITEM_KIND_ARTICLE}})
	for _, q := range []string{"лечением", "treatments", "iverm"} {
		hits, err := r.SearchContent(q, 10)
		must(t, err)
		it := &contentv1.Item{}
		if hits.Len() != 1 || hits.Get(0).ItemID != "a1" || proto.Unmarshal(hits.Get(0).Item, it) != nil || it.GetTitle() != "Розацеа: лечение" {
			t.Fatalf("%q: %d hits", q, hits.Len())
		}
	}
	hits, err := r.SearchContent("акне", 10)
	if err != nil || hits.Len() != 0 {
		t.Fatalf("акне: %d hits, %v", hits.Len(), err)
	}
	queued := pending(t, r)
	args, err := proto.Marshal(&contentv1.RecordProgressArgs{ItemId: "nowhere", Event: contentv1.ProgressEvent_PROGRESS_EVENT_OPENED})
	must(t, err)
	_, err = r.Mutate("content.record_progress", args)
	refused(t, err, `"nowhere"`)
	if n := pending(t, r); n != queued || count(t, r, "content_progress") != 0 {
		t.Fatal("progress on an item not on the phone was queued")
	}
}
