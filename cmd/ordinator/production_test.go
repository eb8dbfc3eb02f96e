package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/auth/v1/authv1connect"
	metav1 "github.com/ordinatorhq/ordinator/api/ordinator/meta/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/meta/v1/metav1connect"
	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/servertest"
)

// httpGet answers a GET's status and body.
func httpGet(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestServeProductionRefusals: on PostgreSQL a start that would keep
// photos on one replica's disk, or publish demo accounts, is refused before
// anything is created; given explicitly, it starts, and the demo warns that
// its password is public.
func TestServeProductionRefusals(t *testing.T) {
	url := testenv.PostgresURL(t, testenv.Template{Name: "empty", Version: "1"})
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--database-url", url}, "--database-url without --s3-endpoint: photos would stay on this machine's disk"},
		{[]string{"--database-url", url, "--blob-dir", filepath.Join(dir, "photos"), "--demo"}, "add --demo-on-production"},
	} {
		code, out := runCLI(t, dir, append([]string{"serve", "--addr", "127.0.0.1:0", "--metrics-addr", ""}, c.args...)...)
		if code != 1 || strings.Count(strings.TrimSpace(out), "\n") != 0 || !strings.Contains(out, c.want) {
			t.Errorf("serve %v: exit %d, want one line saying %q:\n%s", c.args, code, c.want, out)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused start created %v", entries)
	}
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var tables int
	conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables)
	if tables != 0 {
		t.Errorf("a refused start migrated the database (%d tables)", tables)
	}

	photos := filepath.Join(dir, "photos")
	p := start(t, dir, "--database-url", url, "--blob-dir", photos, "--demo", "--demo-on-production")
	p.stop(t) // the logs are whole once it stopped
	if !strings.Contains(p.logs.String(), "their password is public") {
		t.Errorf("--demo-on-production gave no warning:\n%s", p.logs)
	}
	if !strings.Contains(p.logs.String(), "media="+photos) {
		t.Errorf("photos are not kept in --blob-dir %s:\n%s", photos, p.logs)
	}
}

// TestHealthEndpoints: /healthz says alive, /readyz ready; /readyz turns 503
// with the reason when the database goes away, and while the server drains
// after SIGTERM.
func TestHealthEndpoints(t *testing.T) {
	db := testenv.PostgresURL(t, testenv.Template{Name: "empty", Version: "1"})
	dir := t.TempDir()
	p := start(t, dir, "--database-url", db, "--blob-dir", t.TempDir())
	c := &http.Client{Timeout: 10 * time.Second}
	if code, body := httpGet(t, c, p.url()+"/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Fatalf("/healthz: %d %q", code, body)
	}
	if code, body := httpGet(t, c, p.url()+"/readyz"); code != http.StatusOK || body != "ready\n" {
		t.Fatalf("/readyz: %d %q", code, body)
	}
	// The database goes away.
	u, _ := url.Parse(db)
	name := strings.TrimPrefix(u.Path, "/")
	u.Path = "/postgres"
	admin, err := pgx.Connect(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
		t.Fatal(err)
	}
	servertest.Eventually(t, "/readyz to say the database is unreachable", func() bool {
		code, body := httpGet(t, c, p.url()+"/readyz")
		return code == http.StatusServiceUnavailable && strings.HasPrefix(body, "not ready: database unreachable")
	})
	if code, _ := httpGet(t, c, p.url()+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz without a database: %d, want 200 (the process is alive)", code)
	}
	p.stop(t)

	// Draining: SIGTERM, and for --drain-delay the server still answers,
	// not ready, then exits cleanly.
	p = start(t, t.TempDir(), "--drain-delay", "3s", "--max-request-bytes", "4096")
	if code, _ := httpGet(t, c, p.url()+"/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz embedded: %d", code)
	}
	// An oversized request is refused naming the limit and the flag.
	_, err = authv1connect.NewAuthServiceClient(http.DefaultClient, p.url()).Login(context.Background(),
		connect.NewRequest(&authv1.LoginRequest{Login: "a@b.ru", Password: strings.Repeat("x", 8000)}))
	if ce := new(connect.Error); !errors.As(err, &ce) || ce.Code() != connect.CodeResourceExhausted ||
		!strings.Contains(ce.Message(), "limit of 4096 bytes (--max-request-bytes raises it)") {
		t.Errorf("an oversized request: %v", err)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	servertest.Eventually(t, "/readyz to say draining", func() bool {
		code, body := httpGet(t, c, p.url()+"/readyz")
		return code == http.StatusServiceUnavailable && strings.Contains(body, "draining")
	})
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("exit after draining: %v\n%s", err, p.logs)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("no exit after the drain delay:\n%s", p.logs)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// their files and a pool that trusts it.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ordinator test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestServeTLS: with --tls-cert and --tls-key the API is HTTP/2 over TLS,
// gRPC included, and reports the binary's version.
func TestServeTLS(t *testing.T) {
	cert, key, pool := selfSigned(t)
	p := start(t, t.TempDir(), "--tls-cert", cert, "--tls-key", key)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	res, err := c.Get("https://" + p.addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.ProtoMajor != 2 || res.TLS == nil {
		t.Fatalf("served %s (TLS %v), want HTTP/2 over TLS", res.Proto, res.TLS != nil)
	}
	info, err := metav1connect.NewMetaServiceClient(c, "https://"+p.addr, connect.WithGRPC()).GetServerInfo(context.Background(), connect.NewRequest(&metav1.GetServerInfoRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	_, out := runCLI(t, t.TempDir(), "version")
	if want := "ordinator " + info.Msg.ServerVersion + " ("; !strings.HasPrefix(out, want) {
		t.Errorf("`ordinator version` says %q, GetServerInfo %q", out, info.Msg.ServerVersion)
	}
	// The test binary is built from this checkout without -ldflags: the
	// version is the commit Go recorded.
	if !regexp.MustCompile(`^devel(\+[0-9a-f]{12}(-dirty)?)?$`).MatchString(info.Msg.ServerVersion) {
		t.Errorf("version %q, want devel+<commit>", info.Msg.ServerVersion)
	}
	if res, err := http.Get("http://" + p.addr + "/healthz"); err == nil {
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("plain HTTP on the TLS port: %s, want 400", res.Status)
		}
	}
}

func TestBuildVersion(t *testing.T) {
	vcs := func(rev, modified string) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}}
	}
	for _, c := range []struct {
		stamped string
		info    *debug.BuildInfo
		want    string
	}{
		{"v1.4.0-3-gabc1234", vcs("0123456789abcdef0123", "true"), "v1.4.0-3-gabc1234"},
		{"", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, "v1.4.0"},
		{"", vcs("0123456789abcdef0123", "false"), "devel+0123456789ab"},
		{"", vcs("0123456789abcdef0123", "true"), "devel+0123456789ab-dirty"},
		{"", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "devel"},
		{"", nil, "devel"},
	} {
		if got := buildVersion(c.stamped, c.info); got != c.want {
			t.Errorf("buildVersion(%q, %+v) = %q, want %q", c.stamped, c.info, got, c.want)
		}
	}
	// make build and make run stamp it from git describe.
	mk, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"git describe --tags --always --dirty", "LDFLAGS  := -X main.version=$(VERSION)", `$(GO) run -ldflags "$(LDFLAGS)" ./cmd/ordinator serve`, `$(GO) build -ldflags "$(LDFLAGS)" -o bin/ordinator`} {
		if !strings.Contains(string(mk), want) {
			t.Errorf("the Makefile has no %q", want)
		}
	}
}

// TestExportRefusesImpossibleFilters: `export cases` with a period that
// ends before it starts, or a specialty the platform does not have, is an
// error naming the field, not an empty CSV.
func TestExportRefusesImpossibleFilters(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--from", "2026-03-01", "--to", "2026-02-01"}, "from: must be before to"},
		{[]string{"--from", "2026-03-01", "--to", "2026-03-01"}, "from: must be before to"},
		{[]string{"--specialty", "astrology"}, `specialty: "astrology" is not a specialty`},
	} {
		code, out := runCLI(t, dir, append([]string{"export", "cases"}, c.args...)...)
		if code != 1 || strings.Count(strings.TrimSpace(out), "\n") != 0 || !strings.Contains(out, c.want) {
			t.Errorf("export cases %v: exit %d, want one line saying %q:\n%s", c.args, code, c.want, out)
		}
	}
}
