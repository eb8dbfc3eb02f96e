package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"connectrpc.com/connect"
	miniogo "github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/auth/v1/authv1connect"
	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestResidencyTwoStacks: a ru and a kz stack, each on its own PostgreSQL
// database and its own MinIO bucket. A kz doctor registers, signs in, is
// recorded in kz's directory, submits a case with photos and orders a
// gift, all on kz. Nothing of it (the doctor's e-mail, phone, name, the
// case's text, the ids of the account, the directory record, the case,
// its photos and the order, nor the photos' digests) is in any row of any
// table of ru's database, any object of ru's bucket, ru's log, or the
// content bundle kz exports for ru; the kz account cannot sign in on ru.
// (Content going the other way, ru to kz with its image and without the
// ru-only item, is TestFlowContentBundleBetweenStacks.)
func TestResidencyTwoStacks(t *testing.T) {
	ctx := context.Background()
	var ruLog logBuffer
	ru := startPlatform(t, platformOptions{Postgres: true, MinIO: true, Country: "ru", Log: &ruLog})
	kz := startPlatform(t, platformOptions{Postgres: true, MinIO: true, Country: "kz"})
	if ru.Config.DatabaseURL == kz.Config.DatabaseURL || ru.Config.Media.S3BucketPrefix+"ru" == kz.Config.Media.S3BucketPrefix+"kz" {
		t.Fatal("the two stacks share a database or a bucket")
	}

	// ru has a life of its own: a doctor with a case and photos.
	ruDoctor := person{Email: "ivan.residency@ru.test", Phone: "+79035550177", Name: "Иван Резидентов", Text: "Московский дерматит", Seed: 8100}
	ruTrail := personalFlow(t, ru, ruDoctor)

	v := person{Email: "aigerim.residency@kz.test", Phone: "+77015550142", Name: "Айгерим Нурланова", Text: "Алматинский кератоз", Seed: 9100}
	tr := personalFlow(t, kz, v)
	values := v.values(tr)

	// The kz account cannot sign in on ru, by e-mail or by phone.
	for _, login := range []string{v.Email, v.Phone} {
		_, err := authv1connect.NewAuthServiceClient(http.DefaultClient, ru.URL).Login(ctx,
			connect.NewRequest(&authv1.LoginRequest{Login: login, Password: platformPassword, DeviceName: "phone"}))
		if connect.CodeOf(err) != connect.CodeUnauthenticated || !strings.Contains(err.Error(), "wrong login or password") {
			t.Fatalf("the kz account signing in on ru with %s: %v", login, err)
		}
	}

	// kz publishes an article and exports its bundle for ru.
	editor := kz.User(auth.RoleModerator, "editor.residency@kz.test")
	ed := auth.Principal(editor, "console")
	article := &contentv1.Item{Id: "kz-news", Title: "Новости", Specialties: []string{"dermatology"}, RegionIds: []string{"msk"},
		Body: &contentv1.Item_Article{Article: &contentv1.Article{Body: &contentv1.RichText{Source: "Новости дерматологии."}}}}
	if _, err := kz.App.content.CreateItem(ctx, ed, article); err != nil {
		t.Fatal(err)
	}
	if _, err := kz.App.content.PublishItem(ctx, ed, article.Id); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keyFile, bundleFile := filepath.Join(dir, "kz.key"), filepath.Join(dir, "ru.bundle")
	if code, out := runCLI(t, dir, "content", "keygen", "--country", "kz", "--out", keyFile); code != 0 {
		t.Fatalf("keygen: %d %s", code, out)
	}
	c := kz.Config
	code, out := runCLI(t, dir, "content", "export-bundle", "--database-url", c.DatabaseURL, "--s3-endpoint", c.Media.S3Endpoint,
		"--s3-access-key", c.Media.S3AccessKey, "--s3-secret-key", c.Media.S3SecretKey, "--s3-bucket-prefix", c.Media.S3BucketPrefix,
		"--country", "kz", "--to", "ru", "--content-signing-key", keyFile, "--out", bundleFile)
	if code != 0 || !strings.Contains(out, "1 items") {
		t.Fatalf("export-bundle: %d %s", code, out)
	}
	bundle, err := os.ReadFile(bundleFile)
	if err != nil {
		t.Fatal(err)
	}
	leaks(t, "kz's bundle for ru", string(bundle), values)
	// Nor any other value of a row of kz's personal tables.
	personal := servertest.TableValues(t, kz.Store, 8, func(table string) bool { return strings.HasPrefix(table, "content_") || table == "regions" })
	for _, v := range append(personal, editor.ID, editor.Email) {
		if v != "dermatology" && !strings.HasPrefix(v, "image/") && strings.Contains(string(bundle), v) {
			t.Errorf("kz's bundle for ru holds %q, a value of kz's personal tables", v)
		}
	}

	// The scans find what is there: kz's rows hold the kz doctor, ru's
	// rows, bucket and log hold ru's own doctor.
	kzRows, ruRows := databaseText(t, kz), databaseText(t, ru)
	for _, want := range []string{v.Email, v.Phone, v.Name, v.Text, tr.Case, tr.Digests[0]} {
		if !strings.Contains(kzRows, want) {
			t.Fatalf("the scan of kz's database does not find %q", want)
		}
	}
	for _, want := range []string{ruDoctor.Email, ruDoctor.Name, ruDoctor.Text, ruTrail.Case, ruTrail.Digests[0]} {
		if !strings.Contains(ruRows, want) {
			t.Fatalf("the scan of ru's database does not find %q", want)
		}
	}

	// Nothing of the kz doctor on ru: not in its database (every column
	// of every row as text, binary columns as hex, so a value inside a
	// serialized payload is found too), its bucket or its log.
	leaks(t, "ru's database", ruRows, withHex(values))
	objects := bucketObjects(t, ru)
	if len(objects) < 2 {
		t.Fatalf("ru's bucket holds %d objects, not even ru's own photos", len(objects))
	}
	for key, body := range objects {
		sum := sha256.Sum256(body)
		leaks(t, "ru's object "+key, key+"\n"+string(body)+"\n"+hex.EncodeToString(sum[:]), values)
	}
	if ruLog.String() == "" {
		t.Fatal("ru's log is empty")
	}
	leaks(t, "ru's log", ruLog.String(), values)
}

// withHex adds to values their bytes in hex, as binary columns show them.
func withHex(values []string) []string {
	out := append([]string(nil), values...)
	for _, v := range values {
		out = append(out, hex.EncodeToString([]byte(v)))
	}
	return out
}

// databaseText is every row of every table of p's PostgreSQL database,
// each rendered as text by PostgreSQL (bytea as \x and hex), one a line.
func databaseText(t *testing.T, p *platform) string {
	t.Helper()
	ctx := context.Background()
	if p.Store.Dialect() != syncengine.Postgres {
		t.Fatal("databaseText reads PostgreSQL")
	}
	var b strings.Builder
	err := p.Store.View(ctx, func(q syncengine.Querier) error {
		tables, err := sqlq.Strings(ctx, q, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
		if err != nil {
			return err
		}
		if len(tables) < 20 {
			t.Fatalf("only %d tables in the database", len(tables))
		}
		for _, table := range tables {
			rows, err := sqlq.Strings(ctx, q, `SELECT t::text FROM "`+table+`" AS t`)
			if err != nil {
				return err
			}
			for _, r := range rows {
				b.WriteString(table + " " + r + "\n")
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// bucketObjects is every object of p's bucket, by key.
func bucketObjects(t *testing.T, p *platform) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	m := p.Config.Media
	c, err := miniogo.New(m.S3Endpoint, &miniogo.Options{Creds: credentials.NewStaticV4(m.S3AccessKey, m.S3SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	bucket := m.S3BucketPrefix + p.Config.Country
	out := map[string][]byte{}
	for o := range c.ListObjects(ctx, bucket, miniogo.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		r, err := c.GetObject(ctx, bucket, o.Key, miniogo.GetObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[o.Key] = body
	}
	return out
}
