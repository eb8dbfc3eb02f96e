package fcm_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/api/option"

	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/notify/fcm"
	"github.com/ordinatorhq/ordinator/server/notify/fcm/fcmtest"
)

func TestSendOutcomes(t *testing.T) {
	ctx := context.Background()
	srv := fcmtest.Start(t, nil)
	s, err := fcm.New(ctx, fcmtest.Project, srv.Options()...)
	if err != nil {
		t.Fatal(err)
	}
	tok := func(name string) string { return name + strings.Repeat("x", 40) }
	srv.Unregister(tok("gone"))
	srv.Script(tok("busy"), fcmtest.Reply{Status: 429, RetryAfter: "7"})
	srv.Script(tok("broken"), fcmtest.Reply{Status: 500})
	srv.Script(tok("bad"), fcmtest.Reply{Status: 400})
	msgs := []notify.Message{
		{Token: tok("ok"), Title: "Hello", Body: "World", Data: map[string]string{"kind": "k", "id": "1"}, Urgent: true},
		{Token: tok("gone"), Title: "t", Body: "b"},
		{Token: tok("busy"), Title: "t", Body: "b"},
		{Token: tok("broken"), Title: "t", Body: "b"},
		{Token: tok("bad"), Title: "t", Body: "b"},
		{Token: tok("silent"), Silent: true, Data: map[string]string{"kind": notify.KindSyncWake}},
	}
	res, err := s.Send(ctx, msgs)
	if err != nil {
		t.Fatal(err)
	}
	want := []notify.Outcome{notify.Sent, notify.Unregistered, notify.Retry, notify.Retry, notify.Failed, notify.Sent}
	for i, r := range res {
		if r.Outcome != want[i] {
			t.Errorf("message %d (%s): %v (%v), want %v", i, msgs[i].Token[:6], r.Outcome, r.Err, want[i])
		}
	}
	if res[2].RetryAfter != 7*time.Second {
		t.Errorf("429 retry after %v, want the 7 s the server asked", res[2].RetryAfter)
	}
	if res[3].RetryAfter != 0 {
		t.Errorf("500 retry after %v, want none (backoff)", res[3].RetryAfter)
	}
	got := srv.DeliveredTo(tok("ok"))
	if len(got) != 1 || got[0].Title != "Hello" || got[0].Body != "World" || got[0].Data["id"] != "1" || got[0].AndroidPriority != "high" {
		t.Fatalf("delivered %+v", got)
	}
	silent := srv.DeliveredTo(tok("silent"))
	if len(silent) != 1 || silent[0].Title != "" || !silent[0].ContentAvailable {
		t.Fatalf("silent push delivered as %+v", silent)
	}
	// Past the scripted failures, the same tokens get through.
	res, err = s.Send(ctx, msgs[2:4])
	if err != nil || res[0].Outcome != notify.Sent || res[1].Outcome != notify.Sent {
		t.Fatalf("retry: %+v %v", res, err)
	}
}

func TestSendFansOutBeyondOneBatch(t *testing.T) {
	ctx := context.Background()
	srv := fcmtest.Start(t, nil)
	s, err := fcm.New(ctx, fcmtest.Project, srv.Options()...)
	if err != nil {
		t.Fatal(err)
	}
	msgs := make([]notify.Message, 1203)
	for i := range msgs {
		msgs[i] = notify.Message{Token: strings.Repeat("t", 40) + string(rune('a'+i%26)) + strings.Repeat("0", i%7), Title: "t", Body: "b"}
	}
	res, err := s.Send(ctx, msgs)
	if err != nil || len(res) != len(msgs) {
		t.Fatalf("%d results, %v", len(res), err)
	}
	if srv.Count() != len(msgs) {
		t.Fatalf("server got %d, want %d", srv.Count(), len(msgs))
	}
}

func TestCredentialsFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name string, v any) string {
		p := filepath.Join(dir, name)
		b, ok := v.([]byte)
		if !ok {
			b, _ = json.Marshal(v)
		}
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	good := write("good.json", map[string]string{"type": "service_account", "project_id": "derma-prod", "client_email": "push@derma-prod.iam.gserviceaccount.com", "private_key": pemKey, "token_uri": "https://oauth2.googleapis.com/token"})
	s, err := fcm.FromCredentialsFile(ctx, good)
	if err != nil {
		t.Fatal(err)
	}
	if s.Project() != "derma-prod" {
		t.Fatalf("project %q", s.Project())
	}
	for name, path := range map[string]string{
		"missing":  filepath.Join(dir, "none.json"),
		"not json": write("bad.json", []byte("not json")),
		"user":     write("user.json", map[string]string{"type": "authorized_user", "client_id": "x"}),
	} {
		if _, err := fcm.FromCredentialsFile(ctx, path); err == nil {
			t.Errorf("%s credentials accepted", name)
		}
	}
}

// TestSendAmbiguousFailures: no connection is retried; a request that timed
// out may have been delivered, so it is not.
func TestSendAmbiguousFailures(t *testing.T) {
	ctx := context.Background()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	s, err := fcm.New(ctx, fcmtest.Project, option.WithEndpoint(closed.URL+"/v1"), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	msg := []notify.Message{{Token: strings.Repeat("t", 40), Title: "t", Body: "b"}}
	// The SDK retries a refused connection itself a few times first.
	res, err := s.Send(ctx, msg)
	if err != nil || res[0].Outcome != notify.Retry {
		t.Fatalf("no connection: %+v %v", res, err)
	}
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer slow.Close()
	defer close(release)
	s, err = fcm.New(ctx, fcmtest.Project, option.WithEndpoint(slow.URL+"/v1"), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	tctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	res, err = s.Send(tctx, msg)
	if err != nil || res[0].Outcome != notify.Failed {
		t.Fatalf("timed out: %+v %v", res, err)
	}
}
