package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/auth/v1/authv1connect"
	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/media/v1/mediav1connect"
	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/probase/v1/probasev1connect"
	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	sdkgifts "github.com/ordinatorhq/ordinator/mobile-sdk/gifts"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/media/blobtest"
	"github.com/ordinatorhq/ordinator/server/media/mediatest"
	"github.com/ordinatorhq/ordinator/server/points"
	"github.com/ordinatorhq/ordinator/server/servertest"
)

// person is a doctor's distinctive personal values: whatever carries
// one of them (or a trace the flow left, see personalFlow) holds the
// doctor's personal data.
type person struct {
	Email, Phone, Name, Text string
	// Seed makes the doctor's photos differ from every other test's.
	Seed uint64
}

// personalTrail is what a personal flow left: the doctor's account and
// directory record, the case, its photos and their digests, the order, and
// the doctor's phone (its replica) and session.
type personalTrail struct {
	Account, DirectoryDoctor, Case, Order string
	Photos, Digests                       []string
	Phone                                 *sdk.Replica
	Token                                 string
}

// values is every string that marks the doctor's personal data.
func (v person) values(tr personalTrail) []string {
	out := []string{v.Email, v.Phone, v.Name, v.Text, tr.Account, tr.DirectoryDoctor, tr.Case, tr.Order}
	out = append(out, tr.Photos...)
	return append(out, tr.Digests...)
}

// personalFlow runs on p, through the RPCs and a phone's SDK, what a
// doctor's personal data goes through: registration (RegisterDoctor) and
// verification, a failed and a good sign-in, a directory record a
// moderator creates for the doctor, a submitted case with two photos whose
// texts are v.Text, and a gift order shipped to the doctor's name, phone
// and a street named v.Text.
func personalFlow(t *testing.T, p *platform, v person) personalTrail {
	t.Helper()
	ctx := context.Background()
	var tr personalTrail
	accounts := authv1connect.NewAuthServiceClient(http.DefaultClient, p.URL)
	reg, err := accounts.RegisterDoctor(ctx, connect.NewRequest(&authv1.RegisterDoctorRequest{Email: v.Email, Phone: v.Phone, Password: platformPassword,
		DisplayName: v.Name, Specialty: "dermatology", RegionId: "msk"}))
	if err != nil {
		t.Fatal(err)
	}
	tr.Account = reg.Msg.GetUser().GetId()
	if _, err := p.Accounts.VerifyDoctor(ctx, auth.System, tr.Account); err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.Login(ctx, connect.NewRequest(&authv1.LoginRequest{Login: v.Email, Password: "not the password", DeviceName: "phone"})); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Fatalf("a wrong password: %v", err)
	}
	tr.Token = p.Login(v.Phone).Tokens.AccessToken

	// A moderator records the doctor in the directory.
	moderator := "moderator." + strings.ToLower(randomSuffix()) + "@ordinator.test"
	p.User(auth.RoleModerator, moderator)
	modToken := p.Login(moderator).Tokens.AccessToken
	dir := probasev1connect.NewDirectoryServiceClient(http.DefaultClient, p.URL, servertest.WithToken(&modToken))
	clinic := "clinic-" + strings.ToLower(randomSuffix())
	if _, err := dir.CreateClinic(ctx, connect.NewRequest(&probasev1.CreateClinicRequest{Id: clinic, Name: "Clinic", City: "City", TerritoryId: "north"})); err != nil {
		t.Fatal(err)
	}
	doc, err := dir.CreateDoctor(ctx, connect.NewRequest(&probasev1.CreateDoctorRequest{ExternalId: "crm-" + randomSuffix(), Fields: []*probasev1.FieldChange{
		{Field: "full_name", Values: []string{v.Name}}, {Field: "specialty", Values: []string{"dermatology"}},
		{Field: "clinic_id", Values: []string{clinic}}, {Field: "phones", Values: []string{v.Phone}},
		{Field: "territory_id", Values: []string{"north"}},
	}}))
	if err != nil {
		t.Fatal(err)
	}
	tr.DirectoryDoctor = doc.Msg.GetDoctor().GetId()

	// A case with two photos.
	tr.Photos, tr.Digests = uploadSeededPhotos(t, ctx, p.URL, &tr.Token, 2, v.Seed)
	tr.Case = uuid.NewString()
	age := int32(37)
	c := &casesv1.CaseContent{Sex: casesv1.Sex_SEX_FEMALE, AgeYears: &age, Diagnosis: v.Text, Phototype: casesv1.Phototype_PHOTOTYPE_II,
		Product: "Cream", Regimen: v.Text + " twice a day", DurationDays: 21, Outcome: casesv1.Outcome_OUTCOME_CLEARED,
		Photos: []*casesv1.CasePhoto{{MediaId: tr.Photos[0], Stage: casesv1.PhotoStage_PHOTO_STAGE_BEFORE}, {MediaId: tr.Photos[1], Stage: casesv1.PhotoStage_PHOTO_STAGE_AFTER}}}
	mutation := func(seq int64, name string, m proto.Message) *syncv1.Mutation {
		b, err := proto.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return &syncv1.Mutation{Seq: seq, Name: name, Args: b}
	}
	res, err := syncv1connect.NewSyncServiceClient(http.DefaultClient, p.URL, servertest.WithToken(&tr.Token)).Push(ctx, connect.NewRequest(&syncv1.PushRequest{
		ClientId: "case-phone-" + randomSuffix(), ClientSchemaVersion: currentClientSchema, Mutations: []*syncv1.Mutation{
			mutation(1, "case.save_draft", &casesv1.SaveDraftArgs{CaseId: tr.Case, Content: c}),
			mutation(2, "case.submit", &casesv1.SubmitArgs{CaseId: tr.Case}),
		}}))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range res.Msg.Outcomes {
		if o.Status != syncv1.OutcomeStatus_OUTCOME_STATUS_APPLIED {
			t.Fatalf("%s: %v", o.MutationName, o.Rejection)
		}
	}

	// A gift order from the doctor's phone, shipped to the doctor.
	if _, err := points.Adjust(ctx, p.Store, auth.System, tr.Account, 1000, "welcome points", uuid.NewString()); err != nil {
		t.Fatal(err)
	}
	w, it := giftsWave(t, p, 100, 3)
	tr.Phone = p.Device(v.Email, giftsSchema())
	giftsMust(t, tr.Phone.Sync(ctx))
	address := &giftsv1.DeliveryAddress{Recipient: v.Name, Phone: v.Phone, PostalCode: "050000", City: "City", Street: v.Text + " street 1"}
	tr.Order, _, err = sdkgifts.PlaceOrder(ctx, tr.Phone, w.ID, []sdkgifts.Line{{ItemID: it.ID, Quantity: 1}}, address)
	giftsMust(t, err)
	giftsMust(t, tr.Phone.Sync(ctx))
	if o, ok, err := sdkgifts.GetOrder(ctx, tr.Phone, tr.Order); err != nil || !ok || o.Pending || o.GetNumber() == "" {
		t.Fatalf("the order is not placed: %+v %v (%v)", o, ok, err)
	}
	return tr
}

// uploadSeededPhotos uploads n case photos drawn from seed and returns
// their media ids and hex SHA-256 digests.
func uploadSeededPhotos(t *testing.T, ctx context.Context, url string, token *string, n int, seed uint64) (ids, digests []string) {
	t.Helper()
	c := mediav1connect.NewMediaServiceClient(http.DefaultClient, url, servertest.WithToken(token))
	for i := range n {
		file := mediatest.JPEG(mediatest.Photo(200, 150, seed+uint64(i)), 85, mediatest.All(1))
		sum := sha256.Sum256(file)
		id := uuid.NewString()
		res, err := c.CreateUpload(ctx, connect.NewRequest(&mediav1.CreateUploadRequest{MediaId: id, Sha256: sum[:], Size: int64(len(file)),
			ContentType: "image/jpeg", Purpose: mediav1.MediaPurpose_MEDIA_PURPOSE_CASE_PHOTO}))
		if err != nil {
			t.Fatal(err)
		}
		if status, _, body := blobtest.Send(t, mediaRequest(res.Msg.GetSingle().GetRequest()), file, nil); status != http.StatusOK {
			t.Fatalf("PUT: %d %s", status, body)
		}
		if _, err := c.CompleteUpload(ctx, connect.NewRequest(&mediav1.CompleteUploadRequest{MediaId: id})); err != nil {
			t.Fatal(err)
		}
		ids, digests = append(ids, id), append(digests, hex.EncodeToString(sum[:]))
	}
	return ids, digests
}

// logBuffer collects a stack's log; it is safe for the stack's goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// leaks reports each of values found in text, where says where.
func leaks(t *testing.T, where, text string, values []string) {
	t.Helper()
	lower := strings.ToLower(text)
	for _, v := range values {
		if v != "" && strings.Contains(lower, strings.ToLower(v)) {
			t.Errorf("%s holds %q", where, v)
		}
	}
}
