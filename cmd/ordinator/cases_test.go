package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/auth/v1/authv1connect"
	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/cases/v1/casesv1connect"
	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/media/v1/mediav1connect"
	pointsv1 "github.com/ordinatorhq/ordinator/api/ordinator/points/v1"
	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/media/blobtest"
	"github.com/ordinatorhq/ordinator/server/servertest"
)

// TestCasesThroughServer: on the embedded server a demo doctor uploads two
// photos and pushes a case, the demo moderator publishes it, the demo
// colleague's phone pulls it and reads its photo; then `ordinator export
// cases` counts it.
func TestCasesThroughServer(t *testing.T) {
	dir := t.TempDir()
	p := start(t, dir, "--demo", "--case-points", "150")
	ctx := context.Background()
	login := func(email string) *string {
		res, err := authv1connect.NewAuthServiceClient(http.DefaultClient, p.url()).Login(ctx,
			connect.NewRequest(&authv1.LoginRequest{Login: email, Password: demoPassword, DeviceName: "phone"}))
		if err != nil {
			t.Fatalf("login %s: %v", email, err)
		}
		return &res.Msg.Tokens.AccessToken
	}
	doctor, colleague, moderator := login("doctor@demo.ordinator"), login("colleague@demo.ordinator"), login("moderator@demo.ordinator")

	// The doctor's phone uploads two photos and pushes the case.
	photos := uploadPhotos(t, ctx, p.url(), doctor, 2)
	caseID := uuid.NewString()
	args := func(m proto.Message) []byte {
		b, err := proto.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	age := int32(29)
	c := &casesv1.CaseContent{Sex: casesv1.Sex_SEX_MALE, AgeYears: &age, Diagnosis: "Розацеа, папуло-пустулезный подтип", Phototype: casesv1.Phototype_PHOTOTYPE_II,
		Product: "Розалиак AR", Regimen: "утром и вечером", DurationDays: 42, Outcome: casesv1.Outcome_OUTCOME_PARTIAL_IMPROVEMENT,
		Photos: []*casesv1.CasePhoto{{MediaId: photos[0], Stage: casesv1.PhotoStage_PHOTO_STAGE_BEFORE}, {MediaId: photos[1], Stage: casesv1.PhotoStage_PHOTO_STAGE_AFTER}}}
	push, err := syncv1connect.NewSyncServiceClient(http.DefaultClient, p.url(), servertest.WithToken(doctor)).Push(ctx, connect.NewRequest(&syncv1.PushRequest{
		ClientId: "doctor-phone", ClientSchemaVersion: currentClientSchema, Mutations: []*syncv1.Mutation{
			{Seq: 1, Name: "case.save_draft", Args: args(&casesv1.SaveDraftArgs{CaseId: caseID, Content: c})},
			{Seq: 2, Name: "case.submit", Args: args(&casesv1.SubmitArgs{CaseId: caseID})},
		}}))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range push.Msg.Outcomes {
		if o.Status != syncv1.OutcomeStatus_OUTCOME_STATUS_APPLIED {
			t.Fatalf("%s: %v", o.MutationName, o.Rejection)
		}
	}

	// The moderator publishes it.
	mod := casesv1connect.NewCaseModerationServiceClient(http.DefaultClient, p.url(), servertest.WithToken(moderator))
	// The queue has the demo's case first, then this one.
	queue, err := mod.ListCases(ctx, connect.NewRequest(&casesv1.ListCasesRequest{}))
	if err != nil || len(queue.Msg.Cases) != 2 || queue.Msg.Cases[1].Id != caseID {
		t.Fatalf("queue %v, %v", queue, err)
	}
	if _, err := mod.PublishCase(ctx, connect.NewRequest(&casesv1.PublishCaseRequest{Id: caseID, Version: queue.Msg.Cases[1].Version})); err != nil {
		t.Fatal(err)
	}

	// The colleague's phone pulls it from the specialty's bucket and reads
	// a photo; the doctor's phone gets the points.
	var got *casesv1.Case
	for _, ch := range pullAll(t, ctx, p.url(), colleague) {
		if ch.Collection == "case" && ch.Bucket == "specialty:dermatology" {
			got = &casesv1.Case{}
			proto.Unmarshal(ch.Payload, got)
		}
	}
	var balance pointsv1.PointsBalance
	for _, ch := range pullAll(t, ctx, p.url(), doctor) {
		if ch.Collection == "points_balance" {
			proto.Unmarshal(ch.Payload, &balance)
		}
	}
	if balance.Balance != 500+150 {
		t.Fatalf("balance %d, want the 500 welcome points and 150 for the case", balance.Balance)
	}
	if got.GetId() != caseID || got.GetStatus() != casesv1.CaseStatus_CASE_STATUS_PUBLISHED {
		t.Fatalf("the colleague's phone got %v", got)
	}
	url, err := mediav1connect.NewMediaServiceClient(http.DefaultClient, p.url(), servertest.WithToken(colleague)).GetDownloadUrl(ctx,
		connect.NewRequest(&mediav1.GetDownloadUrlRequest{MediaId: photos[1], Variant: mediav1.MediaVariant_MEDIA_VARIANT_IMAGE}))
	if err != nil {
		t.Fatal(err)
	}
	if status, _, _ := blobtest.Send(t, mediaRequest(url.Msg.Request), nil, nil); status != http.StatusOK {
		t.Fatalf("reading the photo: %d", status)
	}
	if code := p.stop(t); code != 0 {
		t.Fatalf("exit %d", code)
	}

	// The export counts it, to standard output or a file.
	code, out := runCLI(t, dir, "export", "cases")
	if code != 0 || !strings.Contains(out, "product,cases,cleared,marked_improvement,partial_improvement,no_change,worsened,median_duration_days\nРозалиак AR,1,0,0,1,0,0,42\n") ||
		!strings.Contains(out, "1 products, 1 published cases") {
		t.Fatalf("export: %d\n%s", code, out)
	}
	file := filepath.Join(dir, "cases.csv")
	if code, out := runCLI(t, dir, "export", "cases", "--specialty", "cosmetology", "--out", file); code != 0 || !strings.Contains(out, "0 products, 0 published cases") {
		t.Fatalf("export to a file: %d %s", code, out)
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != "product,cases,cleared,marked_improvement,partial_improvement,no_change,worsened,median_duration_days\n" {
		t.Fatalf("exported file %q, %v", b, err)
	}
	if code, out := runCLI(t, dir, "export", "cases", "--from", "May 1"); code != 1 || !strings.Contains(out, "--from May 1: give a day as YYYY-MM-DD") {
		t.Fatalf("a bad day: %d %s", code, out)
	}
	if code, out := runCLI(t, dir, "serve", "--case-points", "0"); code != 1 || !strings.Contains(out, "--case-points 0") {
		t.Fatalf("no points: %d %s", code, out)
	}
}

// uploadPhotos uploads n photos as a phone does and returns their ids.
func uploadPhotos(t *testing.T, ctx context.Context, url string, token *string, n int) []string {
	t.Helper()
	ids, _ := uploadSeededPhotos(t, ctx, url, token, n, 1)
	return ids
}

func mediaRequest(r *mediav1.HTTPRequest) media.Request {
	return media.Request{Method: r.GetMethod(), URL: r.GetUrl(), Header: r.GetHeaders(), Expires: time.UnixMilli(r.GetExpiresAtUnixMs())}
}

// pullAll pulls from zero to a checkpoint and returns every change.
func pullAll(t *testing.T, ctx context.Context, url string, token *string) []*syncv1.Change {
	t.Helper()
	c := syncv1connect.NewSyncServiceClient(http.DefaultClient, url, servertest.WithToken(token))
	var out []*syncv1.Change
	var cursors []*syncv1.BucketCursor
	for {
		res, err := c.Pull(ctx, connect.NewRequest(&syncv1.PullRequest{ClientSchemaVersion: currentClientSchema, Cursors: cursors}))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, res.Msg.Changes...)
		cursors = res.Msg.Cursors
		if res.Msg.Checkpoint != nil {
			return out
		}
	}
}
