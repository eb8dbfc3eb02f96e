package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	metav1 "github.com/ordinatorhq/ordinator/api/ordinator/meta/v1"
	notifyv1 "github.com/ordinatorhq/ordinator/api/ordinator/notify/v1"
	pointsv1 "github.com/ordinatorhq/ordinator/api/ordinator/points/v1"
	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	reportsv1 "github.com/ordinatorhq/ordinator/api/ordinator/reports/v1"
	studiesv1 "github.com/ordinatorhq/ordinator/api/ordinator/studies/v1"
	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Roles of the authorisation matrix; "doctor" is verified, "unverified" a
// doctor whose diploma is not.
const (
	anon       = "anonymous"
	unverified = "unverified"
	doctor     = "doctor"
	rep        = "rep"
	director   = "director"
	moderator  = "moderator"
	admin      = "admin"
)

var matrixRoles = []string{anon, unverified, doctor, rep, director, moderator, admin}

var (
	everyone = matrixRoles
	signedIn = []string{unverified, doctor, rep, director, moderator, admin}
	doctors  = []string{unverified, doctor}
	mods     = []string{moderator, admin}
	admins   = []string{admin}
)

// rpcRules is the authorisation matrix: for every procedure the server
// serves, a valid request and the roles that may call it. A procedure
// missing here fails the test.
var rpcRules = map[string]struct {
	req     proto.Message
	allowed []string
}{
	"/ordinator.meta.v1.MetaService/GetServerInfo": {&metav1.GetServerInfoRequest{}, everyone},

	"/ordinator.sync.v1.SyncService/Push": {&syncv1.PushRequest{ClientId: "matrix", ClientSchemaVersion: currentClientSchema,
		Mutations: []*syncv1.Mutation{{Seq: 1, Name: "nothing.at_all"}}}, signedIn},
	"/ordinator.sync.v1.SyncService/Pull":      {&syncv1.PullRequest{ClientSchemaVersion: currentClientSchema}, signedIn},
	"/ordinator.sync.v1.SyncService/Subscribe": {&syncv1.SubscribeRequest{ClientSchemaVersion: currentClientSchema}, signedIn},

	"/ordinator.auth.v1.AuthService/RegisterDoctor": {&authv1.RegisterDoctorRequest{Email: "new@x.ru", Password: "long enough pw", DisplayName: "x", Specialty: "dermatology", RegionId: "msk"}, everyone},
	"/ordinator.auth.v1.AuthService/Login":          {&authv1.LoginRequest{Login: "unverified@matrix.test", Password: "long enough pw"}, everyone},
	"/ordinator.auth.v1.AuthService/Refresh":        {&authv1.RefreshRequest{}, everyone}, // a fresh token each call
	"/ordinator.auth.v1.AuthService/Logout":         {&authv1.LogoutRequest{}, signedIn},
	"/ordinator.auth.v1.AuthService/ListDevices":    {&authv1.ListDevicesRequest{}, signedIn},
	"/ordinator.auth.v1.AuthService/RevokeDevice":   {&authv1.RevokeDeviceRequest{DeviceId: "x"}, signedIn},
	"/ordinator.auth.v1.AuthService/GetMe":          {&authv1.GetMeRequest{}, signedIn},
	"/ordinator.auth.v1.AuthService/AttachDiploma":  {&authv1.AttachDiplomaRequest{MediaId: "6f1c1f5e-1d6a-4c4e-9a7e-0d6d1c1b2a3f"}, doctors},

	"/ordinator.auth.v1.AdminService/CreateRegion":        {&authv1.CreateRegionRequest{Id: "zz", Name: "x", TimeZone: "UTC"}, admins},
	"/ordinator.auth.v1.AdminService/CreateTerritory":     {&authv1.CreateTerritoryRequest{Id: "zz", RegionId: "msk", Name: "x"}, admins},
	"/ordinator.auth.v1.AdminService/ListRegions":         {&authv1.ListRegionsRequest{}, everyone},
	"/ordinator.auth.v1.AdminService/CreateUser":          {&authv1.CreateUserRequest{Role: authv1.Role_ROLE_MODERATOR, Email: "m2@x.ru", Password: "long enough pw", DisplayName: "x"}, admins},
	"/ordinator.auth.v1.AdminService/ListUsers":           {&authv1.ListUsersRequest{}, mods},
	"/ordinator.auth.v1.AdminService/AssignTerritory":     {&authv1.AssignTerritoryRequest{UserId: "x", TerritoryId: "north"}, admins},
	"/ordinator.auth.v1.AdminService/AssignRegion":        {&authv1.AssignRegionRequest{UserId: "x", RegionId: "msk"}, admins},
	"/ordinator.auth.v1.AdminService/ListPendingDiplomas": {&authv1.ListPendingDiplomasRequest{}, mods},
	"/ordinator.auth.v1.AdminService/ReviewDiploma":       {&authv1.ReviewDiplomaRequest{UserId: "x", Approve: true}, mods},
	"/ordinator.auth.v1.AdminService/SetUserDisabled":     {&authv1.SetUserDisabledRequest{UserId: "x", Disabled: true}, admins},
	"/ordinator.auth.v1.AdminService/ResetPassword":       {&authv1.ResetPasswordRequest{UserId: "x", Password: "long enough pw"}, admins},
	"/ordinator.auth.v1.AdminService/ListUserDevices":     {&authv1.ListUserDevicesRequest{UserId: "x"}, admins},
	"/ordinator.auth.v1.AdminService/RevokeUserDevice":    {&authv1.RevokeUserDeviceRequest{DeviceId: "x"}, admins},

	"/ordinator.points.v1.PointsService/AdjustPoints": {&pointsv1.AdjustPointsRequest{UserId: "x", Amount: 5, Reason: "test", RequestId: "6f1c1f5e-1d6a-4c4e-9a7e-0d6d1c1b2a3f"}, admins},

	"/ordinator.probase.v1.ModerationService/ListEditRequests":   {&probasev1.ListEditRequestsRequest{}, mods},
	"/ordinator.probase.v1.ModerationService/GetEditRequest":     {&probasev1.GetEditRequestRequest{Id: "x"}, mods},
	"/ordinator.probase.v1.ModerationService/ApproveEditRequest": {&probasev1.ApproveEditRequestRequest{Id: "x"}, mods},
	"/ordinator.probase.v1.ModerationService/RejectEditRequest":  {&probasev1.RejectEditRequestRequest{Id: "x", Reason: "x"}, mods},
	"/ordinator.probase.v1.DirectoryService/CreateClinic":        {&probasev1.CreateClinicRequest{Id: "zz", Name: "x", TerritoryId: "north"}, mods},
	"/ordinator.probase.v1.DirectoryService/CreateDoctor":        {&probasev1.CreateDoctorRequest{}, mods},
	"/ordinator.probase.v1.DirectoryService/LinkAccount":         {&probasev1.LinkAccountRequest{DoctorId: "x", UserId: "x"}, mods},
	"/ordinator.probase.v1.DirectoryService/GetDoctorHistory":    {&probasev1.GetDoctorHistoryRequest{DoctorId: "x"}, mods},

	"/ordinator.content.v1.ContentService/CreateItem":      {&contentv1.CreateItemRequest{Item: &contentv1.Item{Title: "x"}}, mods},
	"/ordinator.content.v1.ContentService/UpdateItem":      {&contentv1.UpdateItemRequest{Item: &contentv1.Item{Id: "x", Title: "x"}}, mods},
	"/ordinator.content.v1.ContentService/PublishItem":     {&contentv1.PublishItemRequest{Id: "x"}, mods},
	"/ordinator.content.v1.ContentService/UnpublishItem":   {&contentv1.UnpublishItemRequest{Id: "x"}, mods},
	"/ordinator.content.v1.ContentService/GetItem":         {&contentv1.GetItemRequest{Id: "x"}, mods},
	"/ordinator.content.v1.ContentService/ListItems":       {&contentv1.ListItemsRequest{}, mods},
	"/ordinator.content.v1.ContentService/GetReadingStats": {&contentv1.GetReadingStatsRequest{}, []string{director, moderator, admin}},

	"/ordinator.reports.v1.ReportService/GetReport": {&reportsv1.GetReportRequest{RegionId: "msk", Period: "2026-11"}, []string{director, moderator, admin}},

	"/ordinator.cases.v1.CaseModerationService/ListCases":   {&casesv1.ListCasesRequest{}, mods},
	"/ordinator.cases.v1.CaseModerationService/GetCase":     {&casesv1.GetCaseRequest{Id: "6f1c1f5e-1d6a-4c4e-9a7e-0d6d1c1b2a3f"}, mods},
	"/ordinator.cases.v1.CaseModerationService/PublishCase": {&casesv1.PublishCaseRequest{Id: "6f1c1f5e-1d6a-4c4e-9a7e-0d6d1c1b2a3f", Version: 1}, mods},
	"/ordinator.cases.v1.CaseModerationService/RejectCase":  {&casesv1.RejectCaseRequest{Id: "6f1c1f5e-1d6a-4c4e-9a7e-0d6d1c1b2a3f", Version: 1, Reason: "x"}, mods},
	"/ordinator.cases.v1.CaseModerationService/HideComment": {&casesv1.HideCommentRequest{CommentId: "6f1c1f5e-1d6a-4c4e-9a7e-0d6d1c1b2a3f", Reason: "x"}, mods},
	"/ordinator.cases.v1.CaseReportService/ExportCases":     {&casesv1.ExportCasesRequest{}, admins},

	"/ordinator.gifts.v1.GiftAdminService/CreateItem":  {&giftsv1.CreateItemRequest{Sku: "X1", Name: "x", Kind: giftsv1.GiftKind_GIFT_KIND_MERCH}, mods},
	"/ordinator.gifts.v1.GiftAdminService/ListItems":   {&giftsv1.ListItemsRequest{}, mods},
	"/ordinator.gifts.v1.GiftAdminService/CreateWave":  {&giftsv1.CreateWaveRequest{RegionId: "msk", Title: "x", StartsAtUnixMs: 1, EndsAtUnixMs: 2}, mods},
	"/ordinator.gifts.v1.GiftAdminService/UpdateWave":  {&giftsv1.UpdateWaveRequest{WaveId: "x", Title: "x", StartsAtUnixMs: 1, EndsAtUnixMs: 2}, mods},
	"/ordinator.gifts.v1.GiftAdminService/ListWaves":   {&giftsv1.ListWavesRequest{}, mods},
	"/ordinator.gifts.v1.GiftAdminService/SetWaveItem": {&giftsv1.SetWaveItemRequest{WaveId: "x", ItemId: "x", PointsPrice: 1}, mods},
	"/ordinator.gifts.v1.GiftAdminService/ListOrders":  {&giftsv1.ListOrdersRequest{}, mods},
	"/ordinator.gifts.v1.WarehouseService/RecordMovement": {&giftsv1.RecordMovementRequest{Item: "x", Kind: giftsv1.MovementKind(1), Quantity: 1,
		RequestId: "6f1c1f5e-1d6a-4c4e-9a7e-0d6d1c1b2a3f"}, mods},
	"/ordinator.gifts.v1.WarehouseService/ListMovements":   {&giftsv1.ListMovementsRequest{}, mods},
	"/ordinator.gifts.v1.WarehouseService/PackShipments":   {&giftsv1.PackShipmentsRequest{WaveId: "x"}, mods},
	"/ordinator.gifts.v1.WarehouseService/ShipShipment":    {&giftsv1.ShipShipmentRequest{Shipment: "x"}, mods},
	"/ordinator.gifts.v1.WarehouseService/DeliverShipment": {&giftsv1.DeliverShipmentRequest{Shipment: "x"}, mods},
	"/ordinator.gifts.v1.WarehouseService/ListShipments":   {&giftsv1.ListShipmentsRequest{}, mods},
	"/ordinator.gifts.v1.WarehouseService/StockReport":     {&giftsv1.StockReportRequest{}, mods},
	"/ordinator.gifts.v1.WarehouseService/WaveReport":      {&giftsv1.WaveReportRequest{}, mods},
	"/ordinator.gifts.v1.WarehouseService/TerritoryReport": {&giftsv1.TerritoryReportRequest{}, mods},

	"/ordinator.notify.v1.NotifyService/RegisterPushToken": {&notifyv1.RegisterPushTokenRequest{Token: "fcm-token-123456789012345678901234567890", Platform: notifyv1.Platform_PLATFORM_ANDROID,
		Locale: "ru", TimeZone: "Europe/Moscow"}, signedIn},
	"/ordinator.notify.v1.NotifyService/UnregisterPushToken": {&notifyv1.UnregisterPushTokenRequest{}, signedIn},

	"/ordinator.studies.v1.StudiesService/CreateStudy":      {&studiesv1.CreateStudyRequest{Title: "x", VisitWeeks: []int32{0}}, admins},
	"/ordinator.studies.v1.StudiesService/ListStudies":      {&studiesv1.ListStudiesRequest{}, admins},
	"/ordinator.studies.v1.StudiesService/EnrolDoctor":      {&studiesv1.EnrolDoctorRequest{StudyId: "x", DoctorId: "x"}, admins},
	"/ordinator.studies.v1.StudiesService/ListStudyResults": {&studiesv1.ListStudyResultsRequest{StudyId: "x"}, admins},

	"/ordinator.media.v1.MediaService/CreateUpload": {&mediav1.CreateUploadRequest{MediaId: "6f1c1f5e-1d6a-4c4e-9a7e-0d6d1c1b2a3e", Sha256: make([]byte, 32), Size: 10,
		ContentType: "image/jpeg", Purpose: mediav1.MediaPurpose_MEDIA_PURPOSE_CASE_PHOTO}, signedIn},
	"/ordinator.media.v1.MediaService/CompleteUpload": {&mediav1.CompleteUploadRequest{MediaId: "6f1c1f5e-1d6a-4c4e-9a7e-0d6d1c1b2a3d"}, signedIn},
	"/ordinator.media.v1.MediaService/GetDownloadUrl": {&mediav1.GetDownloadUrlRequest{MediaId: "6f1c1f5e-1d6a-4c4e-9a7e-0d6d1c1b2a3d", Variant: mediav1.MediaVariant_MEDIA_VARIANT_IMAGE}, signedIn},
}

// bucketRules is which bucket kinds each role reads.
var bucketRules = map[string][]string{
	unverified: {auth.KindGlobal, auth.KindPublic, auth.KindPublicSpecialtyRegion, "user"},
	doctor:     {auth.KindGlobal, auth.KindPublic, auth.KindPublicSpecialtyRegion, auth.KindRegion, auth.KindSpecialty, auth.KindSpecialtyRegion, "user"},
	rep:        {auth.KindGlobal, auth.KindPublic, auth.KindRegion, auth.KindTerritory, "user"},
	director:   {auth.KindGlobal, auth.KindPublic, auth.KindRegion, auth.KindTerritorySummary, "user"},
	moderator:  {auth.KindGlobal, "user"},
	admin:      {auth.KindGlobal, "user"},
}

// matrixServer runs the whole application in-process, embedded, with one
// account of every role.
func matrixServer(t *testing.T) (url string, logins map[string]string, procedures []string) {
	p := startPlatform(t, platformOptions{})
	a := p.App
	logins = map[string]string{}
	for _, role := range matrixRoles[1:] {
		switch role {
		case unverified:
			p.User(auth.RoleDoctor, role+"@matrix.test", "unverified")
		default:
			p.User(auth.Role(role), role+"@matrix.test")
		}
		logins[role] = role + "@matrix.test"
	}
	for _, svc := range a.server.Services() {
		d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(svc))
		if err != nil {
			t.Fatal(err)
		}
		methods := d.(protoreflect.ServiceDescriptor).Methods()
		for i := 0; i < methods.Len(); i++ {
			procedures = append(procedures, "/"+svc+"/"+string(methods.Get(i).Name()))
		}
	}
	return p.URL, logins, procedures
}

// login signs in with the matrix password.
func login(t *testing.T, url, who string) *authv1.LoginResponse {
	body, _ := protojson.Marshal(&authv1.LoginRequest{Login: who, Password: "long enough pw"})
	resp, err := http.Post(url+"/ordinator.auth.v1.AuthService/Login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var res authv1.LoginResponse
	b, _ := io.ReadAll(resp.Body)
	if err := protojson.Unmarshal(b, &res); err != nil || res.Tokens == nil {
		t.Fatalf("login %s: %s", who, b)
	}
	return &res
}

// matrixSession signs a role in afresh, so calls like Logout cannot spoil the next.
func matrixSession(t *testing.T, url, who string) string {
	if who == "" {
		return ""
	}
	return login(t, url, who).Tokens.AccessToken
}

// refreshToken signs in and returns the session's refresh token.
func refreshToken(t *testing.T, url, who string) string {
	return login(t, url, who).Tokens.RefreshToken
}

// call makes a unary Connect call with JSON and returns its code.
func call(t *testing.T, url, procedure, token string, req proto.Message) string {
	body, _ := protojson.Marshal(req)
	hr, _ := http.NewRequest(http.MethodPost, url+procedure, bytes.NewReader(body))
	hr.Header.Set("Content-Type", "application/json")
	if token != "" {
		hr.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		return "ok"
	}
	var e struct{ Code string }
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("%s: %s %s", procedure, resp.Status, b)
	}
	return e.Code
}

// subscribe opens the stream and returns the code it ends or starts with.
func subscribe(url, token string, req proto.Message) string {
	c := syncv1connect.NewSyncServiceClient(http.DefaultClient, url, servertest.WithToken(&token))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream, err := c.Subscribe(ctx, connect.NewRequest(req.(*syncv1.SubscribeRequest)))
	if err == nil && stream.Receive() {
		return "ok"
	}
	if err == nil {
		err = stream.Err()
	}
	return strings.ReplaceAll(connect.CodeOf(err).String(), " ", "_")
}

// TestAuthorizationMatrix calls every RPC as every role and checks the
// answer against the one table above: allowed roles get past the
// authorisation (whatever the call then says), others are refused.
func TestAuthorizationMatrix(t *testing.T) {
	url, logins, procedures := matrixServer(t)
	for _, p := range procedures {
		if _, ok := rpcRules[p]; !ok {
			t.Errorf("%s is served but has no row in the authorisation matrix", p)
		}
	}
	for _, p := range slices.Sorted(func(yield func(string) bool) {
		for k := range rpcRules {
			if !yield(k) {
				return
			}
		}
	}) {
		if !slices.Contains(procedures, p) {
			t.Errorf("the matrix names %s, which is not served", p)
			continue
		}
		rule := rpcRules[p]
		for _, role := range matrixRoles {
			token := matrixSession(t, url, logins[role])
			req := proto.Clone(rule.req)
			// Ids that belong to whoever used them first are fresh each call.
			switch r := req.(type) {
			case *syncv1.PushRequest:
				r.ClientId = uuid.NewString()
			case *mediav1.CreateUploadRequest:
				r.MediaId = uuid.NewString()
			case *authv1.RefreshRequest:
				r.RefreshToken = refreshToken(t, url, logins[unverified])
			}
			var code string
			if strings.HasSuffix(p, "/Subscribe") {
				code = subscribe(url, token, req)
			} else {
				code = call(t, url, p, token, req)
			}
			allowed := slices.Contains(rule.allowed, role)
			refused := code == "permission_denied" || code == "unauthenticated"
			if allowed == refused {
				t.Errorf("%s as %s: %s (allowed: %v)", p, role, code, allowed)
			}
			if role == anon && !allowed && code != "unauthenticated" {
				t.Errorf("%s without signing in: %s, want unauthenticated", p, code)
			}
		}
	}
	for role, kinds := range bucketRules {
		token := matrixSession(t, url, logins[role])
		body, _ := protojson.Marshal(&syncv1.PullRequest{ClientSchemaVersion: currentClientSchema})
		hr, _ := http.NewRequest(http.MethodPost, url+"/ordinator.sync.v1.SyncService/Pull", bytes.NewReader(body))
		hr.Header.Set("Content-Type", "application/json")
		hr.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var res syncv1.PullResponse
		if err := protojson.Unmarshal(b, &res); err != nil {
			t.Fatalf("pull as %s: %s", role, b)
		}
		var got []string
		for _, c := range res.Cursors {
			if k := syncengine.Bucket(c.Bucket).Kind(); !slices.Contains(got, k) {
				got = append(got, k)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, kinds) {
			t.Errorf("%s reads bucket kinds %v, want %v", role, got, kinds)
		}
	}
}
