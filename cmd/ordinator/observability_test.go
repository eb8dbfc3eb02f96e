package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/ordinatorhq/ordinator/mobile-sdk/inbox"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestNoPersonalDataInObservability: a full flow with distinctive personal
// values (registration, a failed and a good sign-in, a directory record, a
// case with photos, a gift order, and pushes the embedded mode's log
// sender "delivers", among them one whose texts name the doctor) leaves
// none of those values (e-mail, phone, name, free text) in the stack's
// log, in its /metrics exposition, or in any exported span's name,
// attributes, events or status; embedded and on PostgreSQL, whose SQL is
// traced too.
func TestNoPersonalDataInObservability(t *testing.T) {
	for _, mode := range []struct {
		name string
		o    platformOptions
	}{{"embedded", platformOptions{}}, {"postgres", platformOptions{Postgres: true}}} {
		t.Run(mode.name, func(t *testing.T) {
			ctx := context.Background()
			var log logBuffer
			spans := tracetest.NewInMemoryExporter()
			tp := newTracerProvider(sdktrace.WithSyncer(spans), "local")
			o := mode.o
			o.Log, o.Tracing = &log, tp
			p := startPlatform(t, o)
			giftsRunBackground(t, p)

			v := person{Email: "zhanna.observed@kz.test", Phone: "+77075550199", Name: "Жанна Наблюдаемова", Text: "Невидимый лишай", Seed: 7100}
			tr := personalFlow(t, p, v)

			// Pushes through the log sender: the doctor's phone registers its
			// token, and a notification whose texts carry personal values goes.
			token := "fcm:" + strings.Repeat("Obs3_", 10)
			giftsMust(t, inbox.RegisterPushToken(ctx, tr.Phone, token, inbox.Android, "ru-RU", "Asia/Almaty"))
			dedupe := "obs:" + uuid.NewString()
			giftsMust(t, p.Store.Update(ctx, func(tx syncengine.Tx) error {
				_, err := notify.Enqueue(ctx, tx, notify.Notification{UserID: tr.Account, Kind: "doctor.update_requested", Urgent: true,
					Params: map[string]string{"rep": v.Name, "kind": "update_profile", "message": v.Text + ", " + v.Phone}, DedupeKey: dedupe})
				return err
			}))
			var id string
			servertest.Eventually(t, "the push is sent", func() bool {
				err := p.Store.View(ctx, func(q syncengine.Querier) error {
					return q.QueryRow(ctx, `SELECT n.id FROM push_sends s JOIN notifications n ON n.id = s.notification_id
						WHERE n.dedupe_key = $1 AND s.token = $2`, dedupe, token).Scan(&id)
				})
				return err == nil
			})
			if err := tp.ForceFlush(ctx); err != nil {
				t.Fatal(err)
			}

			// The scans look where the values would be: the log names the
			// push, the metrics count the RPCs, the spans are there.
			values := []string{v.Email, v.Phone, strings.TrimPrefix(v.Phone, "+"), v.Name, v.Text, token}
			logs := log.String()
			if !strings.Contains(logs, "msg=push") || !strings.Contains(logs, "id="+id) {
				t.Fatalf("the log does not show the push %s:\n%s", id, logs)
			}
			leaks(t, "the log", logs, values)

			rec := httptest.NewRecorder()
			p.App.server.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
			metrics := rec.Body.String()
			if rec.Code != http.StatusOK || !strings.Contains(metrics, `procedure="/ordinator.auth.v1.AuthService/Login"`) {
				t.Fatalf("metrics (%d) do not count the sign-ins:\n%s", rec.Code, metrics)
			}
			leaks(t, "the metrics", metrics, values)

			all := spans.GetSpans()
			if len(all) < 10 {
				t.Fatalf("only %d spans exported", len(all))
			}
			var b strings.Builder
			for _, s := range all {
				fmt.Fprintf(&b, "%s %s %s\n", s.Name, s.Status.Description, s.Resource)
				for _, a := range s.Attributes {
					fmt.Fprintf(&b, "  %s=%s\n", a.Key, a.Value.String())
				}
				for _, e := range s.Events {
					fmt.Fprintf(&b, "  event %s\n", e.Name)
					for _, a := range e.Attributes {
						fmt.Fprintf(&b, "    %s=%s\n", a.Key, a.Value.String())
					}
				}
			}
			leaks(t, "the spans", b.String(), values)
		})
	}
}
