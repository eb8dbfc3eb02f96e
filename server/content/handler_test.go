package content_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"connectrpc.com/connect"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/auth/v1/authv1connect"
	commonv1 "github.com/ordinatorhq/ordinator/api/ordinator/common/v1"
	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/content/v1/contentv1connect"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/content"
	"github.com/ordinatorhq/ordinator/server/rpc"
	"github.com/ordinatorhq/ordinator/server/servertest"
)

func violations(err error) []string {
	var ce *connect.Error
	var out []string
	if errors.As(err, &ce) {
		for _, d := range ce.Details() {
			if v, err := d.Value(); err == nil {
				if ed, ok := v.(*commonv1.ErrorDetail); ok {
					for _, fv := range ed.Violations {
						out = append(out, fv.Field)
					}
				}
			}
		}
	}
	return out
}

func TestContentService(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		srv := servertest.Serve(t, rpc.Config{Auth: e.accounts, Public: auth.PublicProcedures}, func(s *rpc.Server) {
			s.Handle(authv1connect.NewAuthServiceHandler(auth.NewHandler(e.accounts), s.Options()...))
			s.Handle(contentv1connect.NewContentServiceHandler(content.NewHandler(e.svc), s.Options()...))
		})
		login := func(email, password string) contentv1connect.ContentServiceClient {
			var token string
			a := authv1connect.NewAuthServiceClient(http.DefaultClient, srv.URL)
			res, err := a.Login(ctx, connect.NewRequest(&authv1.LoginRequest{Login: email, Password: password, DeviceName: "console", Platform: "web"}))
			if err != nil {
				t.Fatalf("login %s: %v", email, err)
			}
			token = res.Msg.Tokens.AccessToken
			return contentv1connect.NewContentServiceClient(http.DefaultClient, srv.URL, servertest.WithToken(&token))
		}
		editor := login("editor@ordinator.test", "correct horse battery")

		bad := article("", "Статья", "<script>alert(1)</script>", nil, msk)
		_, err := editor.CreateItem(ctx, connect.NewRequest(&contentv1.CreateItemRequest{Item: bad}))
		if connect.CodeOf(err) != connect.CodeInvalidArgument || !slices.Contains(violations(err), "item.specialties") || !slices.Contains(violations(err), "item.article.body.source") {
			t.Fatalf("bad item: %v %v", err, violations(err))
		}
		if _, err := editor.CreateItem(ctx, connect.NewRequest(&contentv1.CreateItemRequest{})); connect.CodeOf(err) != connect.CodeInvalidArgument {
			t.Fatalf("no item: %v", err)
		}
		created, err := editor.CreateItem(ctx, connect.NewRequest(&contentv1.CreateItemRequest{Item: article("", "Статья", "Текст.", derm, msk)}))
		if err != nil {
			t.Fatal(err)
		}
		id := created.Msg.Item.Item.Id
		if created.Msg.Item.Status.State != contentv1.ItemState_ITEM_STATE_DRAFT || created.Msg.Item.Item.Version != 1 {
			t.Fatalf("created %v", created.Msg.Item)
		}
		pub, err := editor.PublishItem(ctx, connect.NewRequest(&contentv1.PublishItemRequest{Id: id}))
		if err != nil || pub.Msg.Item.Status.State != contentv1.ItemState_ITEM_STATE_LIVE {
			t.Fatalf("publish: %v %v", pub, err)
		}
		upd := article(id, "Статья, исправленная", "Текст.", derm, msk)
		if _, err := editor.UpdateItem(ctx, connect.NewRequest(&contentv1.UpdateItemRequest{Item: upd, ExpectedVersion: 5})); connect.CodeOf(err) != connect.CodeAborted {
			t.Fatalf("stale update: %v", err)
		}
		if res, err := editor.UpdateItem(ctx, connect.NewRequest(&contentv1.UpdateItemRequest{Item: upd, ExpectedVersion: 1})); err != nil || res.Msg.Item.Item.Version != 2 {
			t.Fatalf("update: %v %v", res, err)
		}
		list, err := editor.ListItems(ctx, connect.NewRequest(&contentv1.ListItemsRequest{State: contentv1.ItemState_ITEM_STATE_LIVE, Specialty: "dermatology"}))
		if err != nil || len(list.Msg.Items) != 1 || list.Msg.Items[0].Item.Title != "Статья, исправленная" || list.Msg.Items[0].Item.Body != nil {
			t.Fatalf("list: %v %v", list, err)
		}
		if list, err := editor.ListItems(ctx, connect.NewRequest(&contentv1.ListItemsRequest{Specialty: "oncology"})); err != nil || len(list.Msg.Items) != 0 {
			t.Fatalf("list for oncology: %v %v", list, err)
		}
		// Pages: three more items, two at a time, newest change first.
		for _, x := range []string{"p1", "p2", "p3"} {
			e.clock.Advance(time.Second)
			e.create(article(x, "Страница "+x, "Текст.", derm, msk))
		}
		var paged []string
		token := ""
		for range 3 {
			res, err := editor.ListItems(ctx, connect.NewRequest(&contentv1.ListItemsRequest{PageSize: 2, PageToken: token}))
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range res.Msg.Items {
				paged = append(paged, it.Item.Id)
			}
			if token = res.Msg.NextPageToken; token == "" {
				break
			}
		}
		if !slices.Equal(paged, []string{"p3", "p2", "p1", id}) {
			t.Fatalf("pages: %v", paged)
		}
		if _, err := editor.ListItems(ctx, connect.NewRequest(&contentv1.ListItemsRequest{PageToken: "bogus"})); connect.CodeOf(err) != connect.CodeInvalidArgument {
			t.Fatalf("bad token: %v", err)
		}
		got, err := editor.GetItem(ctx, connect.NewRequest(&contentv1.GetItemRequest{Id: id}))
		if err != nil || got.Msg.Item.Item.GetArticle().GetBody().GetSource() != "Текст." {
			t.Fatalf("get: %v %v", got, err)
		}
		if _, err := editor.GetItem(ctx, connect.NewRequest(&contentv1.GetItemRequest{Id: "missing"})); connect.CodeOf(err) != connect.CodeNotFound {
			t.Fatalf("get missing: %v", err)
		}
		if res, err := editor.UnpublishItem(ctx, connect.NewRequest(&contentv1.UnpublishItemRequest{Id: id})); err != nil || res.Msg.Item.Status.State != contentv1.ItemState_ITEM_STATE_UNPUBLISHED {
			t.Fatalf("unpublish: %v %v", res, err)
		}

		e.staff(auth.RoleDirector, "director@ordinator.test", "msk")
		director := login("director@ordinator.test", "correct horse battery")
		if _, err := director.CreateItem(ctx, connect.NewRequest(&contentv1.CreateItemRequest{Item: article("", "Статья", "Текст.", derm, msk)})); connect.CodeOf(err) != connect.CodePermissionDenied {
			t.Fatalf("director creating: %v", err)
		}
		if res, err := director.GetReadingStats(ctx, connect.NewRequest(&contentv1.GetReadingStatsRequest{})); err != nil || len(res.Msg.Stats) != 0 {
			t.Fatalf("stats of a director without regions: %v %v", res, err)
		}
	})
}
