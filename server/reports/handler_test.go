package reports_test

import (
	"net/http"
	"testing"
	"time"

	"connectrpc.com/connect"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/auth/v1/authv1connect"
	reportsv1 "github.com/ordinatorhq/ordinator/api/ordinator/reports/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/reports/v1/reportsv1connect"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/reports"
	"github.com/ordinatorhq/ordinator/server/rpc"
	"github.com/ordinatorhq/ordinator/server/servertest"
)

// TestReportService: over Connect a director reads the regions they
// follow and gets permission_denied for another's; a moderator reads any;
// a doctor none; bad input names its field.
func TestReportService(t *testing.T) {
	for _, d := range servertest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			w := newWorld(t, d)
			accounts, err := auth.New(w.ctx, w.store, auth.Config{Argon2: auth.TestArgon2, Now: func() time.Time { return w.now }})
			if err != nil {
				t.Fatal(err)
			}
			srv := servertest.Serve(t, rpc.Config{Auth: accounts, Public: auth.PublicProcedures}, func(s *rpc.Server) {
				s.Handle(authv1connect.NewAuthServiceHandler(auth.NewHandler(accounts), s.Options()...))
				for _, h := range w.reports.Module().Handlers(s.Options()...) {
					s.Handle(h.Path, h.Handler)
				}
			})
			login := func(role auth.Role, email, region string) reportsv1connect.ReportServiceClient {
				u, err := accounts.CreateUser(w.ctx, auth.System, auth.NewUser{Role: role, Email: email, Password: "correct horse battery", Name: email, RegionID: region, Specialty: "dermatology"})
				if err != nil {
					t.Fatal(err)
				}
				if role == auth.RoleDirector {
					if _, err := accounts.AssignRegion(w.ctx, auth.System, u.ID, region, true); err != nil {
						t.Fatal(err)
					}
				}
				res, err := authv1connect.NewAuthServiceClient(http.DefaultClient, srv.URL).Login(w.ctx, connect.NewRequest(&authv1.LoginRequest{Login: email, Password: "correct horse battery", DeviceName: "phone", Platform: "android"}))
				if err != nil {
					t.Fatal(err)
				}
				token := res.Msg.Tokens.AccessToken
				return reportsv1connect.NewReportServiceClient(http.DefaultClient, srv.URL, servertest.WithToken(&token))
			}
			msk, spb := login(auth.RoleDirector, "msk@dir.test", "msk"), login(auth.RoleDirector, "spb@dir.test", "spb")
			mod, doctor := login(auth.RoleModerator, "mod@staff.test", ""), login(auth.RoleDoctor, "doc@x.test", "msk")
			get := func(c reportsv1connect.ReportServiceClient, region, territory, period string) (*reportsv1.Report, error) {
				res, err := c.GetReport(w.ctx, connect.NewRequest(&reportsv1.GetReportRequest{RegionId: region, TerritoryId: territory, Period: period}))
				if err != nil {
					return nil, err
				}
				return res.Msg.Report, nil
			}
			want, err := w.reports.Report(w.ctx, staff, reports.Scope{Region: "msk", Territory: "north"}, "2026-11")
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []reportsv1connect.ReportServiceClient{msk, mod} {
				got, err := get(c, "msk", "north", "2026-11")
				if err != nil {
					t.Fatal(err)
				}
				if got.RegionName != "Москва" || got.TerritoryName != "Север" || got.Period.FirstDay != "2026-11-01" || got.Period.LastDay != "2026-11-30" ||
					got.Previous.Name != "2026-10" || len(got.Figures) != len(want.Values) || len(got.Lists) != len(want.Lists) {
					t.Fatalf("report: %v", got)
				}
				for i, f := range got.Figures {
					v := want.Values[i]
					if f.Key != v.Key || f.Current != v.Current || f.Previous != v.Previous || (!v.State && len(f.Series) != 30) {
						t.Errorf("%s: %d/%d (%d points), want %d/%d", f.Key, f.Current, f.Previous, len(f.Series), v.Current, v.Previous)
					}
				}
			}
			for _, c := range []struct {
				client            reportsv1connect.ReportServiceClient
				region, terr, per string
				code              connect.Code
			}{
				{spb, "msk", "", "2026-11", connect.CodePermissionDenied},
				{spb, "msk", "north", "2026-11", connect.CodePermissionDenied},
				{doctor, "msk", "", "2026-11", connect.CodePermissionDenied},
				{msk, "msk", "", "2026-11-30..2026-11-01", connect.CodeInvalidArgument},
				{msk, "msk", "", "", connect.CodeInvalidArgument},
				{mod, "nowhere", "", "2026-11", connect.CodeNotFound},
			} {
				if _, err := get(c.client, c.region, c.terr, c.per); connect.CodeOf(err) != c.code {
					t.Errorf("%s/%s %q: %v, want %v", c.region, c.terr, c.per, err, c.code)
				}
			}
			if _, err := get(spb, "spb", "west", "2026-11"); err != nil {
				t.Errorf("spb's director on spb: %v", err)
			}
		})
	}
}
