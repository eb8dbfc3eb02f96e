package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/auth/v1/authv1connect"
	metav1 "github.com/ordinatorhq/ordinator/api/ordinator/meta/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/meta/v1/metav1connect"
	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/servertest"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ordinator-bin-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "ordinator")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		panic("building ordinator: " + err.Error() + "\n" + string(out))
	}
	code := testenv.Main(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

// process is a running `ordinator serve`.
type process struct {
	cmd  *exec.Cmd
	addr string
	// metrics is the URL of the metrics listener, or "off".
	metrics string
	logs    *bytes.Buffer
	done    chan error
}

var listening = regexp.MustCompile(`msg="ordinator serving" addr=(\S+) metrics=(\S+)`)

// start runs the binary with args in dir and waits until it serves. Both
// listeners take free ports; args may override them.
func start(t testing.TB, dir string, args ...string) *process {
	t.Helper()
	args = append([]string{"serve", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"}, args...)
	p := &process{cmd: exec.Command(binary, args...), logs: &bytes.Buffer{}, done: make(chan error, 1)}
	p.cmd.Dir = dir
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan []string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			p.logs.WriteString(line + "\n")
			if m := listening.FindStringSubmatch(line); m != nil {
				found <- m
			}
		}
		p.done <- p.cmd.Wait()
	}()
	t.Cleanup(func() { p.cmd.Process.Kill() })
	select {
	case m := <-found:
		p.addr, p.metrics = m[1], m[2]
	case err := <-p.done:
		t.Fatalf("serve exited early (%v):\n%s", err, p.logs)
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not start:\n%s", p.logs)
	}
	return p
}

func (p *process) url() string { return "http://" + p.addr }

// stop sends SIGTERM and returns the exit code.
func (p *process) stop(t testing.TB) int {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(10 * time.Second):
		t.Fatalf("no exit within 10s of SIGTERM:\n%s", p.logs)
	}
	return -1
}

// h2c is an HTTP/2 client over cleartext, as gRPC needs.
func h2c() *http.Client {
	protocols := new(http.Protocols)
	protocols.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: protocols, TLSClientConfig: &tls.Config{}}}
}

func TestServeEndToEnd(t *testing.T) {
	dir := t.TempDir()
	p := start(t, dir, "--country", "kz")
	ctx := context.Background()
	clients := map[string]metav1connect.MetaServiceClient{
		"connect":  metav1connect.NewMetaServiceClient(http.DefaultClient, p.url()),
		"grpc":     metav1connect.NewMetaServiceClient(h2c(), p.url(), connect.WithGRPC()),
		"grpc-web": metav1connect.NewMetaServiceClient(http.DefaultClient, p.url(), connect.WithGRPCWeb()),
	}
	for name, c := range clients {
		res, err := c.GetServerInfo(ctx, connect.NewRequest(&metav1.GetServerInfoRequest{}))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if res.Msg.CountryCode != "kz" || res.Msg.MinClientSchemaVersion != minClientSchema || res.Msg.CurrentClientSchemaVersion != currentClientSchema || res.Msg.ServerTimeUnixMs == 0 {
			t.Fatalf("%s: %+v", name, res.Msg)
		}
	}

	stream := grpcreflect.NewClient(h2c(), p.url()).NewStream(ctx)
	names, err := stream.ListServices()
	if err != nil {
		t.Fatal(err)
	}
	stream.Close()
	for _, want := range []string{"ordinator.meta.v1.MetaService", "ordinator.sync.v1.SyncService", "ordinator.media.v1.MediaService"} {
		if !slices.Contains(names, protoreflect.FullName(want)) {
			t.Fatalf("reflection lists %v, not %s", names, want)
		}
	}
	// v1alpha, which older tools still use, spoken by hand: one gRPC frame
	// holding ServerReflectionRequest{list_services: ""} (field 7).
	msg := protowire.AppendTag(nil, 7, protowire.BytesType)
	msg = protowire.AppendString(msg, "")
	frame := append([]byte{0, 0, 0, 0, byte(len(msg))}, msg...)
	req, _ := http.NewRequest(http.MethodPost, p.url()+"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", bytes.NewReader(frame))
	req.Header.Set("Content-Type", "application/grpc")
	req.Header.Set("TE", "trailers")
	res, err := h2c().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	alpha, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.Trailer.Get("Grpc-Status") != "0" || !bytes.Contains(alpha, []byte("ordinator.meta.v1.MetaService")) {
		t.Fatalf("v1alpha reflection: status %q, body %q", res.Trailer.Get("Grpc-Status"), alpha)
	}

	health, err := grpchealth.NewClient(h2c(), p.url(), connect.WithGRPC()).Check(ctx, &grpchealth.CheckRequest{})
	if err != nil || health.Status != grpchealth.StatusServing {
		t.Fatalf("health = %v, %v", health, err)
	}

	// Metrics answer without credentials, so never on the API's port: only
	// on their own listener.
	if r, err := http.Get(p.url() + "/metrics"); err != nil || r.StatusCode != http.StatusNotFound {
		t.Fatalf("/metrics on the API listener: %v %v", r.Status, err)
	}
	if p.metrics == p.url()+"/metrics" || !strings.HasPrefix(p.metrics, "http://127.0.0.1:") {
		t.Fatalf("metrics listener %q, API %s", p.metrics, p.url())
	}
	resp, err := http.Get(p.metrics)
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(metrics), `ordinator_rpc_requests_total{code="ok",procedure="/ordinator.meta.v1.MetaService/GetServerInfo"} 3`) {
		t.Fatalf("metrics (%s) do not count the three calls:\n%s", resp.Status, metrics)
	}

	// A malformed message and an oversized one get Connect errors.
	post := func(body io.Reader) *http.Response {
		resp, err := http.Post(p.url()+"/ordinator.meta.v1.MetaService/GetServerInfo", "application/json", body)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if r := post(strings.NewReader("{not json")); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("malformed message: %s", r.Status)
	}
	big := `{"x":"` + strings.Repeat("a", 9<<20) + `"}`
	r := post(strings.NewReader(big))
	body, _ := io.ReadAll(r.Body)
	if r.StatusCode == http.StatusOK || !strings.Contains(string(body), "resource_exhausted") {
		t.Fatalf("oversized message: %s %s", r.Status, body)
	}

	// Embedded photo URLs are served here, and only when signed.
	if r, err := http.Get(p.url() + "/blobs/quarantine/x"); err != nil || r.StatusCode != http.StatusForbidden {
		t.Fatalf("unsigned blob request: %v %v", r.Status, err)
	}

	if code := p.stop(t); code != 0 {
		t.Fatalf("exit code %d after SIGTERM:\n%s", code, p.logs)
	}
	if _, err := os.Stat(filepath.Join(dir, "ordinator-data", "ordinator.db")); err != nil {
		t.Fatalf("embedded database not in ./ordinator-data: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "ordinator-data", "blobs", "signing.key")); err != nil {
		t.Fatalf("embedded photos not in ./ordinator-data/blobs: %v", err)
	}
}

// An empty --metrics-addr serves no metrics at all.
func TestServeWithoutMetrics(t *testing.T) {
	p := start(t, t.TempDir(), "--metrics-addr", "")
	if p.metrics != "off" {
		t.Fatalf("metrics at %q with --metrics-addr empty", p.metrics)
	}
	if r, err := http.Get(p.url() + "/metrics"); err != nil || r.StatusCode != http.StatusNotFound {
		t.Fatalf("/metrics on the API listener: %v %v", r.Status, err)
	}
	if code := p.stop(t); code != 0 {
		t.Fatalf("exit code %d:\n%s", code, p.logs)
	}
}

// With --s3-endpoint (here from the environment) photos go to MinIO, in
// the country stack's bucket, created at start.
func TestServeWithMinIO(t *testing.T) {
	m := testenv.StartMinIO(t)
	t.Setenv("ORDINATOR_S3_ENDPOINT", m.Endpoint)
	t.Setenv("ORDINATOR_S3_ACCESS_KEY", m.AccessKey)
	t.Setenv("ORDINATOR_S3_SECRET_KEY", m.SecretKey)
	p := start(t, t.TempDir(), "--country", "uz")
	if !strings.Contains(p.logs.String(), "media=\"s3://ordinator-uz at http://"+m.Endpoint) {
		t.Fatalf("not serving photos from MinIO:\n%s", p.logs)
	}
	res, err := http.Head("http://" + m.Endpoint + "/ordinator-uz/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		t.Fatal("bucket ordinator-uz was not created")
	}
	if code := p.stop(t); code != 0 {
		t.Fatalf("exit code %d:\n%s", code, p.logs)
	}
}

// runCLI runs the binary to completion.
func runCLI(t *testing.T, dir string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

func TestServeBadInput(t *testing.T) {
	// A metrics port taken elsewhere on this machine must not decide the
	// outcome of the cases below; the one that wants it busy says so.
	t.Setenv("ORDINATOR_METRICS_ADDR", "127.0.0.1:0")
	dir := t.TempDir()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	file := filepath.Join(dir, "a-file")
	os.WriteFile(file, nil, 0o644)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown flag", []string{"serve", "--no-such-flag"}, 2, "flag provided but not defined: -no-such-flag"},
		{"bad country", []string{"serve", "--country", "Russia!"}, 1, "--country"},
		{"old region flag", []string{"serve", "--region", "ru"}, 1, "the stack's country is now --country"},
		{"unknown push service", []string{"serve", "--addr", "127.0.0.1:0", "--push-service", "apns"}, 1, "use fcm, rustore or log"},
		{"rustore without a token", []string{"serve", "--addr", "127.0.0.1:0", "--push-service", "rustore", "--rustore-project", "p"}, 1, "--rustore-service-token"},
		{"port in use", []string{"serve", "--addr", busy.Addr().String()}, 1, "already in use (choose another with --addr)"},
		{"metrics port in use", []string{"serve", "--addr", "127.0.0.1:0", "--metrics-addr", busy.Addr().String()}, 1, "already in use (choose another with --metrics-addr)"},
		{"bad metrics address", []string{"serve", "--addr", "127.0.0.1:0", "--metrics-addr", "no-port"}, 1, "--metrics-addr"},
		{"unreachable database", []string{"serve", "--addr", "127.0.0.1:0", "--database-url", "postgres://nobody@127.0.0.1:1/x?connect_timeout=2", "--blob-dir", filepath.Join(dir, "photos")}, 1, "cannot use the database given by --database-url"},
		{"production photos on local disk", []string{"serve", "--addr", "127.0.0.1:0", "--database-url", "postgres://nobody@127.0.0.1:1/x"}, 1, "--database-url without --s3-endpoint"},
		{"demo on production", []string{"serve", "--addr", "127.0.0.1:0", "--database-url", "postgres://nobody@127.0.0.1:1/x", "--blob-dir", filepath.Join(dir, "photos"), "--demo"}, 1, "add --demo-on-production"},
		{"half of TLS", []string{"serve", "--addr", "127.0.0.1:0", "--tls-cert", file}, 1, "--tls-cert and --tls-key go together"},
		{"TLS files not a key pair", []string{"serve", "--addr", "127.0.0.1:0", "--tls-cert", file, "--tls-key", file}, 1, "--tls-key"},
		{"data dir not a directory", []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", filepath.Join(file, "data")}, 1, "--data-dir"},
		{"s3 without keys", []string{"serve", "--addr", "127.0.0.1:0", "--s3-endpoint", "127.0.0.1:1"}, 1, "--s3-endpoint needs --s3-access-key"},
		{"bad bucket prefix", []string{"serve", "--addr", "127.0.0.1:0", "--s3-endpoint", "127.0.0.1:1", "--s3-access-key", "a", "--s3-secret-key", "b", "--s3-bucket-prefix", "Photos_"}, 1, "--s3-bucket-prefix"},
		{"unreachable s3", []string{"serve", "--addr", "127.0.0.1:0", "--s3-endpoint", "127.0.0.1:1", "--s3-access-key", "a", "--s3-secret-key", "b"}, 1, "--s3-endpoint"},
		{"bad public url", []string{"serve", "--addr", "127.0.0.1:0", "--public-url", "example.com"}, 1, "--public-url"},
		{"no FCM credentials", []string{"serve", "--addr", "127.0.0.1:0", "--fcm-credentials", filepath.Join(dir, "missing.json")}, 1, "--fcm-credentials"},
		{"FCM credentials not a key", []string{"serve", "--addr", "127.0.0.1:0", "--fcm-credentials", file}, 1, "--fcm-credentials"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out := runCLI(t, dir, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, out)
			}
			if lines := strings.Count(strings.TrimSpace(out), "\n") + 1; lines != 1 || !strings.Contains(out, tc.want) {
				t.Fatalf("want one line mentioning %q, got:\n%s", tc.want, out)
			}
		})
	}
	// Nothing was half-created by the failures.
	if _, err := os.Stat(filepath.Join(dir, "ordinator-data")); !os.IsNotExist(err) {
		t.Fatalf("a failed start left ./ordinator-data behind (%v)", err)
	}
}

func TestMigrate(t *testing.T) {
	dir := t.TempDir()
	// The first run says how many migrations it applied, the second (it
	// is idempotent) that there was nothing to do, at the same version.
	applied := regexp.MustCompile(`^applied (\d+) migrations \((sqlite|postgres)\), now at version (\d+) \(syncengine \d+, auth \d+, .*\)\n$`)
	already := regexp.MustCompile(`^already at version (\d+) \(syncengine \d+, .*\), nothing to apply \((sqlite|postgres)\)\n$`)
	url := testenv.PostgresURL(t, testenv.Template{Name: "empty", Version: "1"})
	for _, args := range [][]string{{"migrate"}, {"migrate", "--database-url", url}} {
		code, out := runCLI(t, dir, args...)
		m := applied.FindStringSubmatch(out)
		if code != 0 || m == nil || m[1] != m[3] || m[1] == "0" {
			t.Fatalf("%v on a new database: %d %q", args, code, out)
		}
		code, out = runCLI(t, dir, args...)
		if a := already.FindStringSubmatch(out); code != 0 || a == nil || a[1] != m[3] || a[2] != m[2] {
			t.Fatalf("%v again: %d %q, want already at version %s", args, code, out, m[3])
		}
	}
	if code, out := runCLI(t, dir, "version"); code != 0 || !strings.HasPrefix(out, "ordinator ") {
		t.Fatalf("version: %d %s", code, out)
	}
}

// TestDemoAndImport: a new user seeds the demo, signs in as a rep and finds
// the doctors of their territory on their device; an import adds doctors
// that the next sync brings.
func TestDemoAndImport(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "doctors.csv")
	os.WriteFile(csv, []byte("external_id,full_name,specialty,territory_id,phones\nx-1,Новый Врач,dermatology,demo-north,+79169990000\nx-2,Bad,dermatology,demo-north,123\n"), 0o644)
	p := start(t, dir, "--demo")
	ctx := context.Background()
	auth := authv1connect.NewAuthServiceClient(http.DefaultClient, p.url())
	login, err := auth.Login(ctx, connect.NewRequest(&authv1.LoginRequest{Login: "rep.north@demo.ordinator", Password: "ordinator-demo", DeviceName: "tablet"}))
	if err != nil {
		t.Fatal(err)
	}
	token := login.Msg.Tokens.AccessToken
	sync := syncv1connect.NewSyncServiceClient(http.DefaultClient, p.url(), servertest.WithToken(&token))
	doctors := func() []string {
		t.Helper()
		byID := map[string]string{}
		var cursors []*syncv1.BucketCursor
		for {
			res, err := sync.Pull(ctx, connect.NewRequest(&syncv1.PullRequest{ClientSchemaVersion: currentClientSchema, Cursors: cursors}))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range res.Msg.Changes {
				if c.Collection == "doctor" && c.Op == syncv1.Op_OP_UPSERT {
					var d probasev1.Doctor
					proto.Unmarshal(c.Payload, &d)
					byID[d.Id] = d.FullName
				}
			}
			cursors = res.Msg.Cursors
			if res.Msg.Checkpoint != nil {
				return slices.Sorted(maps.Values(byID))
			}
		}
	}
	if got := doctors(); len(got) != 3 || slices.Contains(got, "Ирина Лебедева") {
		t.Fatalf("the north rep's tablet holds %v", got)
	}
	if code := p.stop(t); code != 0 {
		t.Fatalf("exit %d", code)
	}
	code, out := runCLI(t, dir, "import", "doctors", "--quiet", csv)
	if code != 1 || !strings.Contains(out, "1 created, 0 updated, 0 unchanged, 1 rejected") || !strings.Contains(out, "line 3 (x-2)") {
		t.Fatalf("import: %d %s", code, out)
	}
	p = start(t, dir)
	auth = authv1connect.NewAuthServiceClient(http.DefaultClient, p.url())
	login, err = auth.Login(ctx, connect.NewRequest(&authv1.LoginRequest{Login: "rep.north@demo.ordinator", Password: "ordinator-demo"}))
	if err != nil {
		t.Fatal(err)
	}
	token = login.Msg.Tokens.AccessToken
	sync = syncv1connect.NewSyncServiceClient(http.DefaultClient, p.url(), servertest.WithToken(&token))
	if got := doctors(); !slices.Contains(got, "Новый Врач") {
		t.Fatalf("after the import the tablet holds %v", got)
	}
}

// --push-service rustore sends this stack's pushes through RuStore Push.
func TestServeWithRuStorePush(t *testing.T) {
	p := start(t, t.TempDir(), "--country", "ru", "--push-service", "rustore", "--rustore-project", "proj-ru", "--rustore-service-token", "svc")
	if !strings.Contains(p.logs.String(), `push="RuStore Push project proj-ru"`) || !strings.Contains(p.logs.String(), "country=ru") {
		t.Fatalf("not sending through RuStore:\n%s", p.logs)
	}
}
