package notify_test

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	notifyv1 "github.com/ordinatorhq/ordinator/api/ordinator/notify/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

func TestEnqueue(t *testing.T) {
	for _, d := range servertest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock()
			store := servertest.Store(t, d, clock.Now, notify.Schema())
			accounts, err := auth.New(ctx, store, auth.Config{Argon2: auth.TestArgon2})
			if err != nil {
				t.Fatal(err)
			}
			u, err := accounts.CreateUser(ctx, auth.System, auth.NewUser{Role: auth.RoleModerator, Email: "m@x.ru", Password: "long enough pw", Name: "M"})
			if err != nil {
				t.Fatal(err)
			}
			n := notify.Notification{UserID: u.ID, Kind: "diploma.rejected", Params: map[string]string{"reason": "blurred"}, DedupeKey: "k1"}
			for i, want := range []bool{true, false} {
				err := store.Update(ctx, func(tx syncengine.Tx) error {
					fresh, err := notify.Enqueue(ctx, tx, n)
					if fresh != want {
						t.Fatalf("enqueue %d: new = %v, want %v", i, fresh, want)
					}
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			engine := syncengine.New(syncengine.Config{Store: store})
			page, err := engine.Pull(ctx, syncengine.Principal{UserID: u.ID}, syncengine.PullRequest{})
			if err != nil {
				t.Fatal(err)
			}
			var items []*notifyv1.InboxItem
			for _, c := range page.Changes {
				if c.Collection == notify.InboxCollection {
					var it notifyv1.InboxItem
					if err := proto.Unmarshal(c.Payload, &it); err != nil {
						t.Fatal(err)
					}
					items = append(items, &it)
				}
			}
			if len(items) != 1 {
				t.Fatalf("%d inbox items, want 1", len(items))
			}
			if items[0].Title != "Диплом не подтверждён" || items[0].Body != "Модератор не смог подтвердить диплом: blurred. Загрузите другое фото." {
				t.Fatalf("inbox item %v", items[0])
			}
		})
	}
}

func TestRender(t *testing.T) {
	title, body := notify.Render("diploma.rejected", "en", map[string]string{"reason": "the name is unreadable"})
	if title != "Diploma not verified" || body != "A moderator could not verify your diploma: the name is unreadable. Please upload another photo." {
		t.Fatalf("%q %q", title, body)
	}
	if title, _ := notify.Render("diploma.verified", "kk", nil); title != "Диплом подтверждён" {
		t.Fatalf("unknown locale falls back to Russian, got %q", title)
	}
}

// TestTemplates renders every kind the modules send, in both languages,
// with the params they send: no kind falls back to its name and no
// placeholder is left unfilled.
func TestTemplates(t *testing.T) {
	kinds := map[string]map[string]string{
		"diploma.verified":        nil,
		"diploma.rejected":        {"reason": "blurred"},
		"edit.approved":           {"doctor": "Иванова А. П."},
		"edit.rejected":           {"doctor": "Иванова А. П.", "reason": "no such clinic"},
		"doctor.update_requested": {"rep": "Петров", "kind": "profile", "message": "new phone?"},
		"case.published":          {"diagnosis": "Rosacea, 34 F", "points": "100", "note": "Thank you"},
		"case.rejected":           {"diagnosis": "Rosacea, 34 F", "reason": "a face is visible"},
		"gift.wave_opened":        {"title": "Spring", "ends_at": "31.03"},
		"gift.wave_closing_soon":  {"title": "Spring", "ends_at": "tomorrow"},
		"gift.wave_closed":        {"title": "Spring", "grace_until": "02.04"},
		"gift.shipped":            {"number": "A-17", "tracking": "RU123"},
		"study.due":               {"study": "DERM-1", "visit": "2", "due": "2026-03-05", "when": "tomorrow"},
		"study.overdue":           {"study": "DERM-1", "visit": "2", "due": "2026-03-05"},
		"study.reminder":          {"rep": "Петров", "study": "DERM-1", "visit": "2", "due": "2026-03-05", "message": "please"},
		"summary.daily":           {"region": "Moscow", "date": "2026-03-02", "new_doctors": "3", "gift_orders": "0"},
	}
	for kind, params := range kinds {
		for _, lang := range []string{"ru", "en"} {
			title, body := notify.Render(kind, lang, params)
			if title == kind || body == "" || strings.Contains(title+body, "<no value>") || strings.Contains(title+body, "{{") {
				t.Errorf("%s/%s: %q %q", kind, lang, title, body)
			}
			for k, v := range params {
				if k != "kind" && k != "when" && !strings.Contains(title+body, v) {
					t.Errorf("%s/%s leaves out %s=%q: %q %q", kind, lang, k, v, title, body)
				}
			}
		}
	}
	_, body := notify.RenderPush("summary.daily", "en", kinds["summary.daily"])
	if body != "doctors +3 · orders 0" {
		t.Errorf("summary push body %q", body)
	}
	_, body = notify.Render("summary.daily", "en", kinds["summary.daily"])
	if body != "Summary of Moscow for 2026-03-02:\nNew doctors: 3\nGift orders: 0" {
		t.Errorf("summary inbox body %q", body)
	}
	if got := notify.Language("en-GB"); got != "en" {
		t.Errorf("en-GB speaks %s", got)
	}
	if got := notify.Language("kk-KZ"); got != "ru" {
		t.Errorf("kk-KZ reads %s, want ru (no Kazakh texts)", got)
	}
}
