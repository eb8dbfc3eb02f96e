package notify_test

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/notify/fcm/fcmtest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

func TestDeliverInEachDeviceLanguage(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d syncengine.Dialect) {
		e := newEnv(t, d, 1)
		doc := e.user(auth.RoleDoctor, "msk")
		_, ru := e.device(doc, "ru-RU", "Europe/Moscow")
		_, en := e.device(doc, "en_GB", "Europe/London")
		other := e.user(auth.RoleDoctor, "msk")
		e.enqueue(notify.Notification{UserID: doc.ID, Kind: "gift.shipped", Params: map[string]string{"number": "A-17"}, DedupeKey: "ship:A-17"})
		e.enqueue(notify.Notification{UserID: other.ID, Kind: "gift.shipped", Params: map[string]string{"number": "A-18"}, DedupeKey: "ship:A-18"})
		w := e.worker(e.store, notify.WorkerConfig{})
		e.drain(w)
		got := e.fcm.DeliveredTo(ru)
		if len(got) != 1 || got[0].Title != "Ваш подарок отправлен" || got[0].Body != "Заказ A-17 отправлен." || got[0].Data["kind"] != "gift.shipped" {
			t.Fatalf("ru device got %+v", got)
		}
		got = e.fcm.DeliveredTo(en)
		if len(got) != 1 || got[0].Title != "Your gift has shipped" || got[0].Body != "Order A-17 is on its way." {
			t.Fatalf("en device got %+v", got)
		}
		if e.fcm.Count() != 2 {
			t.Fatalf("%d pushes, want 2", e.fcm.Count())
		}
		if st, n, _ := e.state("ship:A-17"); st != "sent" || n != 1 {
			t.Fatalf("state %s after %d attempts", st, n)
		}
		if st, _, why := e.state("ship:A-18"); st != "skipped" || why == "" {
			t.Fatalf("a user without devices: %s (%s)", st, why)
		}
		// Nothing is sent twice.
		e.clock.Advance(time.Hour)
		e.drain(w)
		if e.fcm.Count() != 2 {
			t.Fatalf("%d pushes after a second pass", e.fcm.Count())
		}
	})
}

func TestUnregisteredTokenIsRemoved(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d syncengine.Dialect) {
		e := newEnv(t, d, 1)
		doc := e.user(auth.RoleDoctor, "msk")
		_, old := e.device(doc, "ru", "Europe/Moscow")
		_, cur := e.device(doc, "ru", "Europe/Moscow")
		e.fcm.Unregister(old)
		e.enqueue(notify.Notification{UserID: doc.ID, Kind: "diploma.verified", DedupeKey: "v1"})
		e.drain(e.worker(e.store, notify.WorkerConfig{}))
		if n := e.count(`SELECT count(*) FROM push_tokens WHERE token = $1`, old); n != 0 {
			t.Fatal("the unregistered token is still there")
		}
		if n := e.count(`SELECT count(*) FROM push_tokens WHERE token = $1`, cur); n != 1 {
			t.Fatal("the good token went too")
		}
		if len(e.fcm.DeliveredTo(cur)) != 1 || len(e.fcm.DeliveredTo(old)) != 0 {
			t.Fatalf("delivered %+v", e.fcm.Delivered())
		}
		if st, _, _ := e.state("v1"); st != "sent" {
			t.Fatalf("state %s", st)
		}
	})
}

func TestRetryAfterIsHonoured(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d syncengine.Dialect) {
		e := newEnv(t, d, 1)
		doc := e.user(auth.RoleDoctor, "msk")
		_, busy := e.device(doc, "ru", "Europe/Moscow")
		_, fine := e.device(doc, "en", "Europe/Moscow")
		e.fcm.Script(busy, fcmtest.Reply{Status: 429, RetryAfter: "120"})
		e.enqueue(notify.Notification{UserID: doc.ID, Kind: "diploma.verified", DedupeKey: "v1"})
		w := e.worker(e.store, notify.WorkerConfig{})
		start := e.clock.Now()
		e.drain(w)
		if len(e.fcm.DeliveredTo(fine)) != 1 || len(e.fcm.DeliveredTo(busy)) != 0 {
			t.Fatalf("first pass delivered %+v", e.fcm.Delivered())
		}
		if st, _, why := e.state("v1"); st != "pending" || why == "" {
			t.Fatalf("after a 429: %s (%s)", st, why)
		}
		requests := e.fcm.Requests()
		e.clock.Advance(119 * time.Second)
		e.drain(w)
		if e.fcm.Requests() != requests {
			t.Fatal("retried before the Retry-After")
		}
		e.clock.Advance(time.Second)
		e.drain(w)
		got := e.fcm.DeliveredTo(busy)
		if len(got) != 1 || got[0].At.Sub(start) != 120*time.Second {
			t.Fatalf("retry delivered %+v", got)
		}
		// The device that had it already is not sent it again.
		if len(e.fcm.DeliveredTo(fine)) != 1 {
			t.Fatalf("the first device got it %d times", len(e.fcm.DeliveredTo(fine)))
		}
		if st, n, _ := e.state("v1"); st != "sent" || n != 2 {
			t.Fatalf("state %s after %d attempts", st, n)
		}
	})
}

func TestServerErrorsBackOffAndGiveUp(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d syncengine.Dialect) {
		e := newEnv(t, d, 1)
		doc := e.user(auth.RoleDoctor, "msk")
		_, token := e.device(doc, "ru", "Europe/Moscow")
		e.fcm.Script(token, fcmtest.Reply{Status: 500}, fcmtest.Reply{Status: 502}, fcmtest.Reply{Status: 500})
		e.enqueue(notify.Notification{UserID: doc.ID, Kind: "diploma.verified", DedupeKey: "v1"})
		w := e.worker(e.store, notify.WorkerConfig{MaxAttempts: 3, Backoff: 10 * time.Second})
		var waits []time.Duration
		for range 3 {
			before := e.fcm.Requests()
			waited := time.Duration(0)
			for e.fcm.Requests() == before {
				e.drain(w)
				if e.fcm.Requests() == before {
					e.clock.Advance(time.Second)
					waited += time.Second
				}
			}
			waits = append(waits, waited)
		}
		if waits[1] != 10*time.Second || waits[2] != 20*time.Second {
			t.Fatalf("waited %v between attempts, want 10s then 20s", waits)
		}
		st, n, why := e.state("v1")
		if st != "failed" || n != 3 || why == "" {
			t.Fatalf("after the bound: %s, %d attempts (%s)", st, n, why)
		}
		e.clock.Advance(24 * time.Hour)
		e.drain(w)
		if e.fcm.Requests() != 3 || e.fcm.Count() != 0 {
			t.Fatalf("%d requests, %d delivered after giving up", e.fcm.Requests(), e.fcm.Count())
		}
	})
}

func TestQuietHoursHoldUntilMorning(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d syncengine.Dialect) {
		e := newEnv(t, d, 1)
		doc := e.user(auth.RoleDoctor, "msk")
		_, token := e.device(doc, "ru", "Asia/Yekaterinburg")
		// 2026-03-01 09:00 UTC is 14:00 in Yekaterinburg; go to 22:30.
		e.clock.Advance(8*time.Hour + 30*time.Minute)
		e.enqueue(notify.Notification{UserID: doc.ID, Kind: "gift.wave_opened", Params: map[string]string{"title": "Весна", "ends_at": "31.03"}, DedupeKey: "wave"})
		e.enqueue(notify.Notification{UserID: doc.ID, Kind: "diploma.verified", DedupeKey: "urgent", Urgent: true})
		w := e.worker(e.store, notify.WorkerConfig{})
		e.drain(w)
		got := e.fcm.DeliveredTo(token)
		if len(got) != 1 || got[0].Data["kind"] != "diploma.verified" || got[0].AndroidPriority != "high" {
			t.Fatalf("at 22:30 delivered %+v, want only the urgent one", got)
		}
		// 07:59 local: still held.
		e.clock.Advance(9*time.Hour + 29*time.Minute)
		e.drain(w)
		if len(e.fcm.DeliveredTo(token)) != 1 {
			t.Fatal("sent before 08:00")
		}
		e.clock.Advance(time.Minute)
		e.drain(w)
		got = e.fcm.DeliveredTo(token)
		loc, _ := time.LoadLocation("Asia/Yekaterinburg")
		if len(got) != 2 || got[1].At.In(loc).Format("15:04") != "08:00" {
			t.Fatalf("in the morning delivered %+v", got)
		}
		if st, n, _ := e.state("wave"); st != "sent" || n != 1 {
			t.Fatalf("held notification: %s after %d attempts (holding is not an attempt)", st, n)
		}
	})
}

func TestTokensFollowTheSession(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d syncengine.Dialect) {
		e := newEnv(t, d, 1)
		doc := e.user(auth.RoleDoctor, "msk")
		p, token := e.device(doc, "ru", "Europe/Moscow")
		// A new token replaces the device's old one.
		newToken := token + "v2"
		if err := e.svc.RegisterToken(e.ctx, p, notify.Token{Token: newToken, Platform: "ios", Locale: "ru", TimeZone: "Europe/Moscow"}); err != nil {
			t.Fatal(err)
		}
		if n := e.count(`SELECT count(*) FROM push_tokens WHERE device_id = $1`, p.DeviceID); n != 1 {
			t.Fatalf("device has %d tokens", n)
		}
		if err := e.accounts.RevokeDevice(e.ctx, doc.ID, p.DeviceID); err != nil {
			t.Fatal(err)
		}
		if n := e.count(`SELECT count(*) FROM push_tokens WHERE user_id = $1`, doc.ID); n != 0 {
			t.Fatal("a revoked device kept its token")
		}
		err := e.svc.RegisterToken(e.ctx, p, notify.Token{Token: newToken, Platform: "ios", Locale: "ru", TimeZone: "Europe/Moscow"})
		if syncengine.ErrorCode(err) != syncengine.EUNAUTHENTICATED {
			t.Fatalf("a revoked device registers a token: %v", err)
		}
		e.enqueue(notify.Notification{UserID: doc.ID, Kind: "diploma.verified", DedupeKey: "v1"})
		e.drain(e.worker(e.store, notify.WorkerConfig{}))
		if e.fcm.Count() != 0 {
			t.Fatal("pushed to a revoked device")
		}
	})
}

func TestBadTokensAreRefused(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d syncengine.Dialect) {
		e := newEnv(t, d, 1)
		doc := e.user(auth.RoleDoctor, "msk")
		sess, err := e.accounts.Login(e.ctx, auth.LoginInput{Login: doc.Email, Password: "long enough pw", Device: "phone", Address: "1"})
		if err != nil {
			t.Fatal(err)
		}
		p := auth.Principal(sess.User, sess.DeviceID)
		good := notify.Token{Token: "dGVzdHRva2Vu:APA91bH-abcdefghijklmnopqrstuvwxyz0123456789", Platform: "android", Locale: "ru-RU", TimeZone: "Europe/Moscow"}
		for _, c := range []struct {
			field string
			edit  func(*notify.Token)
		}{
			{"token", func(t *notify.Token) { t.Token = "short" }},
			{"token", func(t *notify.Token) { t.Token = "has spaces and ünicode in it, which no FCM token has" }},
			{"time_zone", func(t *notify.Token) { t.TimeZone = "Mars/Olympus_Mons" }},
			{"time_zone", func(t *notify.Token) { t.TimeZone = "" }},
			{"locale", func(t *notify.Token) { t.Locale = "русский" }},
			{"platform", func(t *notify.Token) { t.Platform = "symbian" }},
		} {
			tok := good
			c.edit(&tok)
			err := e.svc.RegisterToken(e.ctx, p, tok)
			var se *syncengine.Error
			if !errors.As(err, &se) || se.Code != syncengine.EINVALID || len(se.Violations) != 1 || se.Violations[0].Field != c.field {
				t.Errorf("%+v: %v, want a violation of %s", tok, err, c.field)
			}
		}
		if n := e.count(`SELECT count(*) FROM push_tokens`); n != 0 {
			t.Fatalf("%d tokens stored from bad input", n)
		}
		if n := e.count(`SELECT count(*) FROM notifications`); n != 0 {
			t.Fatalf("%d notifications queued from bad input", n)
		}
		if err := e.svc.RegisterToken(e.ctx, p, good); err != nil {
			t.Fatal(err)
		}
	})
}

// TestLogSender: the embedded mode's sender logs what each push is (its
// kind, id and recipient account), never its texts or its token.
func TestLogSender(t *testing.T) {
	var buf strings.Builder
	s := notify.LogSender{Log: slog.New(slog.NewTextHandler(&buf, nil))}
	res, err := s.Send(t.Context(), []notify.Message{
		{Token: "abcdefghijklmnopqrstuvwxyz", UserID: "user-17", Title: "Диплом подтверждён", Body: "Анна Петрова, ваш диплом", Data: map[string]string{"kind": "diploma.approved", "id": "n-1"}},
		{Token: "t", UserID: "user-18", Silent: true, Data: map[string]string{"kind": notify.KindSyncWake, "id": "n-2"}}})
	if err != nil || len(res) != 2 || res[0].Outcome != notify.Sent || res[1].Outcome != notify.Sent {
		t.Fatalf("%+v %v", res, err)
	}
	log := buf.String()
	for _, want := range []string{"kind=diploma.approved id=n-1 user=user-17", "kind=sync.wake id=n-2 user=user-18 silent=true"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log does not say %q:\n%s", want, log)
		}
	}
	for _, never := range []string{"Диплом", "Анна", "abcdefghijkl"} {
		if strings.Contains(log, never) {
			t.Errorf("the log holds %q:\n%s", never, log)
		}
	}
}
