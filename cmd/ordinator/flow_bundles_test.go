package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	sdkcontent "github.com/ordinatorhq/ordinator/mobile-sdk/content"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/content"
	"github.com/ordinatorhq/ordinator/server/media/mediatest"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestFlowContentBundleBetweenStacks: two country stacks, ru in
// production (PostgreSQL, MinIO) and kz embedded (SQLite, files). An
// editor on ru publishes an article with an image and a ru-only article;
// `ordinator content export-bundle` writes ru's bundle for kz into a
// directory a file server serves; kz pulls it by itself (serve's
// --content-source loop) and a kz doctor's phone gets the article, with
// its image from kz's own blob store, and never the ru-only one.
func TestFlowContentBundleBetweenStacks(t *testing.T) {
	ctx := context.Background()
	ru := startPlatform(t, platformOptions{Postgres: true, MinIO: true, Country: "ru"})
	kz := startPlatform(t, platformOptions{Country: "kz"})
	if _, err := kz.Accounts.CreateRegion(ctx, auth.System, auth.Region{ID: "ala", Name: "Алматы", TimeZone: "Asia/Almaty"}); err != nil {
		t.Fatal(err)
	}

	// ru authors.
	editor := ru.User(auth.RoleModerator, "editor@ru.test")
	token := ru.Login("editor@ru.test").Tokens.AccessToken
	uploads := servertest.NewMediaClient(t, ru.URL, servertest.WithToken(&token))
	imageID := uuid.NewString()
	uploads.Purpose = mediav1.MediaPurpose_MEDIA_PURPOSE_CONTENT_IMAGE
	uploads.Upload(imageID, mediatest.JPEG(mediatest.Photo(400, 300, 3), 85, mediatest.All(1)))
	ed := auth.Principal(editor, "console")
	for _, it := range []*contentv1.Item{
		{Id: "rosacea", Title: "Розацеа", Specialties: []string{"dermatology"}, RegionIds: []string{"msk"}, ImageMediaIds: []string{imageID},
			Body: &contentv1.Item_Article{Article: &contentv1.Article{Body: &contentv1.RichText{Source: "Триггеры розацеа."}}}},
		{Id: "ru-rules", Title: "Только для России", Specialties: []string{"dermatology"}, RegionIds: []string{"msk"}, LocalOnly: true,
			Body: &contentv1.Item_Article{Article: &contentv1.Article{Body: &contentv1.RichText{Source: "Порядок для РФ."}}}},
	} {
		if _, err := ru.App.content.CreateItem(ctx, ed, it); err != nil {
			t.Fatal(err)
		}
		if _, err := ru.App.content.PublishItem(ctx, ed, it.Id); err != nil {
			t.Fatal(err)
		}
	}

	ruPersonalData(t, ru)

	// ru exports with the CLI into a directory served over HTTP.
	dir := t.TempDir()
	keyFile, served := filepath.Join(dir, "ru.key"), filepath.Join(dir, "www")
	if err := os.Mkdir(served, 0o755); err != nil {
		t.Fatal(err)
	}
	code, out := runCLI(t, dir, "content", "keygen", "--country", "ru", "--out", keyFile)
	if code != 0 || !strings.HasPrefix(out, "ru=") {
		t.Fatalf("keygen: %d %s", code, out)
	}
	trusted := strings.TrimSpace(out)
	c := ru.Config
	code, out = runCLI(t, dir, "content", "export-bundle", "--database-url", c.DatabaseURL, "--s3-endpoint", c.Media.S3Endpoint,
		"--s3-access-key", c.Media.S3AccessKey, "--s3-secret-key", c.Media.S3SecretKey, "--s3-bucket-prefix", c.Media.S3BucketPrefix,
		"--country", "ru", "--to", "kz", "--content-signing-key", keyFile, "--out", filepath.Join(served, "kz.bundle"))
	if code != 0 || !strings.Contains(out, "version 1, 1 items, 1 images") {
		t.Fatalf("export-bundle: %d %s", code, out)
	}
	files := httptest.NewServer(http.FileServer(http.Dir(served)))
	t.Cleanup(files.Close)

	// kz pulls by itself, as serve --content-source runs it.
	mapping := filepath.Join(dir, "kz-mapping.yaml")
	if err := os.WriteFile(mapping, []byte("regions:\n  msk: ala\nspecialties:\n  dermatology: dermatology\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	kcfg := *kz.Config
	kcfg.Bundles = BundleConfig{TrustedKeys: trusted, MappingFile: mapping, Source: files.URL + "/kz.bundle", Interval: time.Hour}
	if err := kcfg.validate(); err != nil {
		t.Fatal(err)
	}
	pullCtx, stop := context.WithCancel(ctx)
	t.Cleanup(stop)
	for _, loop := range bundlePull(&kcfg, kz.App.content, kz.App.media) {
		go loop(pullCtx)
	}

	// A kz doctor in Almaty.
	u, err := kz.Accounts.CreateUser(ctx, auth.System, auth.NewUser{Role: auth.RoleDoctor, Email: "doc@kz.test", Password: platformPassword,
		Name: "Айгерим", Specialty: "dermatology", RegionID: "ala"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kz.Accounts.VerifyDoctor(ctx, auth.System, u.ID); err != nil {
		t.Fatal(err)
	}
	s := sdk.NewSchema()
	sdkcontent.Register(s)
	phone := kz.Device("doc@kz.test", s)
	var items []sdk.Record
	servertest.Eventually(t, "the bundle's article reaches the kz phone", func() bool {
		contentSync(t, phone)
		items, err = phone.Query(ctx, sdk.Query{Collection: content.ItemCollection})
		if err != nil {
			t.Fatal(err)
		}
		return len(items) > 0
	})
	if len(items) != 1 || items[0].ID != "rosacea" {
		t.Fatalf("the kz phone holds %d items (%v), want rosacea only: the ru-only item stays on ru", len(items), items)
	}
	var it contentv1.Item
	if err := proto.Unmarshal(items[0].Payload, &it); err != nil {
		t.Fatal(err)
	}
	if strings.Join(it.RegionIds, ",") != "ala" || len(it.ImageMediaIds) != 1 {
		t.Fatalf("the article arrived as %v", &it)
	}

	// Its image comes from kz's own blob store, the bytes ru keeps.
	docToken := kz.Login("doc@kz.test").Tokens.AccessToken
	got, err := servertest.NewMediaClient(t, kz.URL, servertest.WithToken(&docToken)).Download(it.ImageMediaIds[0], mediav1.MediaVariant_MEDIA_VARIANT_IMAGE)
	if err != nil {
		t.Fatal(err)
	}
	want, err := uploads.Download(imageID, mediav1.MediaVariant_MEDIA_VARIANT_IMAGE)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("the image on kz differs from ru's")
	}

	// The bundle holds no value of any table of ru but the content
	// library's: not the editor who wrote the article, nor any account,
	// doctor, clinic, edit, case or photo.
	b, err := os.ReadFile(filepath.Join(served, "kz.bundle"))
	if err != nil {
		t.Fatal(err)
	}
	personal := servertest.TableValues(t, ru.Store, 8, func(table string) bool { return strings.HasPrefix(table, "content_") || table == "regions" })
	if len(personal) < 50 {
		t.Fatalf("only %d values of ru's personal tables to look for", len(personal))
	}
	for _, v := range append(personal, editor.ID, editor.Email, imageID) {
		if v != "dermatology" && !strings.HasPrefix(v, "image/") && bytes.Contains(b, []byte(v)) {
			t.Errorf("the bundle holds %q, a value of ru's personal tables", v)
		}
	}
	if err := kz.Store.View(ctx, func(q syncengine.Querier) error {
		var n int64
		if err := q.QueryRow(ctx, `SELECT count(*) FROM users WHERE id = $1 OR email = $2`, editor.ID, editor.Email).Scan(&n); err != nil {
			return err
		}
		if n != 0 {
			t.Error("ru's editor has an account on kz")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// ruPersonalData fills ru's personal tables: the demo's accounts, clinics,
// doctors and edit requests, and a doctor's submitted case with photos.
func ruPersonalData(t *testing.T, ru *platform) {
	t.Helper()
	ctx := context.Background()
	if err := seedDemoData(ctx, ru.Store, ru.Accounts, ru.App.directory, ru.App.engine); err != nil {
		t.Fatal(err)
	}
	ru.User(auth.RoleDoctor, "marker.doctor@ru.test")
	token := ru.Login("marker.doctor@ru.test").Tokens.AccessToken
	photos := uploadPhotos(t, ctx, ru.URL, &token, 2)
	caseID := uuid.NewString()
	age := int32(41)
	mutation := func(seq int64, name string, m proto.Message) *syncv1.Mutation {
		b, err := proto.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return &syncv1.Mutation{Seq: seq, Name: name, Args: b}
	}
	c := &casesv1.CaseContent{Sex: casesv1.Sex_SEX_FEMALE, AgeYears: &age, Diagnosis: "Маркерный дерматит", Phototype: casesv1.Phototype_PHOTOTYPE_III,
		Product: "Маркер-крем", Regimen: "дважды в день", DurationDays: 30, Outcome: casesv1.Outcome_OUTCOME_CLEARED,
		Photos: []*casesv1.CasePhoto{{MediaId: photos[0], Stage: casesv1.PhotoStage_PHOTO_STAGE_BEFORE}, {MediaId: photos[1], Stage: casesv1.PhotoStage_PHOTO_STAGE_AFTER}}}
	res, err := syncv1connect.NewSyncServiceClient(http.DefaultClient, ru.URL, servertest.WithToken(&token)).Push(ctx, connect.NewRequest(&syncv1.PushRequest{
		ClientId: "marker-phone", ClientSchemaVersion: currentClientSchema, Mutations: []*syncv1.Mutation{
			mutation(1, "case.save_draft", &casesv1.SaveDraftArgs{CaseId: caseID, Content: c}),
			mutation(2, "case.submit", &casesv1.SubmitArgs{CaseId: caseID}),
		}}))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range res.Msg.Outcomes {
		if o.Status != syncv1.OutcomeStatus_OUTCOME_STATUS_APPLIED {
			t.Fatalf("%s: %v", o.MutationName, o.Rejection)
		}
	}
}
