// Package blobtest is the conformance suite every media.BlobStore runs:
// objects, and presigned single and multipart uploads and downloads sent
// with plain HTTP as a device would, including the requests storage must
// refuse.
//
//	func TestBlobStore(t *testing.T) { blobtest.Run(t, newStore) }
package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/server/media"
)

// NewStore returns an empty store whose presigned requests can be sent.
type NewStore func(t *testing.T) media.BlobStore

// Run runs the suite.
func Run(t *testing.T, newStore NewStore) {
	tests := []struct {
		name string
		fn   func(*testing.T, media.BlobStore)
	}{
		{"Objects", testObjects},
		{"PresignedPut", testPresignedPut},
		{"PresignedPutRefusesOtherBodies", testPresignedPutRefuses},
		{"PresignedPutExpires", testPresignedPutExpires},
		{"PresignedGet", testPresignedGet},
		{"Multipart", testMultipart},
		{"MultipartRefusesBadParts", testMultipartRefuses},
		{"MultipartAbort", testMultipartAbort},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newStore(t))
		})
	}
}

var ctx = context.Background()

// Bytes returns n pseudo-random bytes.
func Bytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// Send sends a presigned request with body (nil for none) as a device
// would: the signed headers plus extra ones. It returns the status and the
// response headers.
func Send(t testing.TB, r media.Request, body []byte, extra map[string]string) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	for k, v := range extra {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, out
}

// Checksum is the value of media.ChecksumHeader for b.
func Checksum(b []byte) string {
	sum := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}

func ok(status int) bool { return status >= 200 && status < 300 }

func read(t *testing.T, s media.BlobStore, key string) []byte {
	t.Helper()
	rc, err := s.Get(ctx, key)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func absent(t *testing.T, s media.BlobStore, key string) {
	t.Helper()
	if _, err := s.Stat(ctx, key); !errors.Is(err, media.ErrNotFound) {
		t.Fatalf("stat %s: %v, want ErrNotFound", key, err)
	}
}

func testObjects(t *testing.T, s media.BlobStore) {
	body := Bytes(1, 70_000)
	if err := s.Put(ctx, "media/a/image", bytes.NewReader(body), int64(len(body)), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	info, err := s.Stat(ctx, "media/a/image")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	if info.Size != int64(len(body)) || info.ContentType != "image/jpeg" || (info.SHA256 != nil && !bytes.Equal(info.SHA256, sum[:])) {
		t.Fatalf("stat = %+v", info)
	}
	if got := read(t, s, "media/a/image"); !bytes.Equal(got, body) {
		t.Fatal("read back different bytes")
	}
	// Overwriting replaces.
	if err := s.Put(ctx, "media/a/image", strings.NewReader("x"), 1, "image/png"); err != nil {
		t.Fatal(err)
	}
	if got := read(t, s, "media/a/image"); string(got) != "x" {
		t.Fatalf("after overwrite: %q", got)
	}
	if err := s.Delete(ctx, "media/a/image"); err != nil {
		t.Fatal(err)
	}
	absent(t, s, "media/a/image")
	if _, err := s.Get(ctx, "media/a/image"); !errors.Is(err, media.ErrNotFound) {
		t.Fatalf("get deleted: %v", err)
	}
	if err := s.Delete(ctx, "media/a/image"); err != nil {
		t.Fatalf("deleting a missing object: %v", err)
	}
}

func testPresignedPut(t *testing.T, s media.BlobStore) {
	body := Bytes(2, 100_000)
	sum := sha256.Sum256(body)
	before := time.Now()
	req, err := s.PresignPut(ctx, "quarantine/p1", int64(len(body)), sum[:], 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if req.Method != http.MethodPut || req.Header[media.ChecksumHeader] != Checksum(body) {
		t.Fatalf("request = %+v", req)
	}
	if u, err := url.Parse(req.URL); err != nil || !u.IsAbs() {
		t.Fatalf("URL %q is not absolute", req.URL)
	}
	if req.Expires.Before(before.Add(9*time.Minute)) || req.Expires.After(before.Add(11*time.Minute)) {
		t.Fatalf("expires %v, want about 10 minutes from now", req.Expires)
	}
	if status, _, msg := Send(t, req, body, map[string]string{"Content-Type": "image/jpeg"}); !ok(status) {
		t.Fatalf("presigned PUT: %d %s", status, msg)
	}
	info, err := s.Stat(ctx, "quarantine/p1")
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != int64(len(body)) || !bytes.Equal(info.SHA256, sum[:]) {
		t.Fatalf("stat = %+v, want the size and SHA-256 of the upload", info)
	}
	if got := read(t, s, "quarantine/p1"); !bytes.Equal(got, body) {
		t.Fatal("read back different bytes")
	}
	// The same request again (a retry) is fine.
	if status, _, msg := Send(t, req, body, nil); !ok(status) {
		t.Fatalf("repeated PUT: %d %s", status, msg)
	}
}

func testPresignedPutRefuses(t *testing.T, s media.BlobStore) {
	body := Bytes(3, 50_000)
	sum := sha256.Sum256(body)
	req, err := s.PresignPut(ctx, "quarantine/p2", int64(len(body)), sum[:], 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	tampered := bytes.Clone(body)
	tampered[len(tampered)/2] ^= 1
	longer := append(bytes.Clone(body), 0)
	other := Bytes(4, len(body))
	cases := []struct {
		name  string
		req   media.Request
		body  []byte
		extra map[string]string
	}{
		{"tampered body", req, tampered, nil},
		{"shorter body", req, body[:len(body)-1], nil},
		{"longer body", req, longer, nil},
		{"checksum header dropped", req, body, map[string]string{media.ChecksumHeader: ""}},
		{"checksum header of another body", req, other, map[string]string{media.ChecksumHeader: Checksum(other)}},
		{"another key", withPath(req, "quarantine/p2", "quarantine/p3"), body, nil},
		{"signature altered", alterSignature(t, req), body, nil},
	}
	for _, c := range cases {
		if status, _, _ := Send(t, c.req, c.body, c.extra); ok(status) {
			t.Errorf("%s: accepted with %d", c.name, status)
		}
	}
	absent(t, s, "quarantine/p2")
	absent(t, s, "quarantine/p3")
	// GET with the PUT's URL reads nothing.
	get := req
	get.Method = http.MethodGet
	if status, _, _ := Send(t, get, nil, nil); ok(status) {
		t.Errorf("GET with a PUT URL: %d", status)
	}
}

func testPresignedPutExpires(t *testing.T, s media.BlobStore) {
	body := []byte("late")
	sum := sha256.Sum256(body)
	req, err := s.PresignPut(ctx, "quarantine/late", int64(len(body)), sum[:], time.Second)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2100 * time.Millisecond)
	if status, _, _ := Send(t, req, body, nil); ok(status) {
		t.Fatalf("expired URL accepted with %d", status)
	}
	absent(t, s, "quarantine/late")
}

func testPresignedGet(t *testing.T, s media.BlobStore) {
	body := Bytes(5, 30_000)
	if err := s.Put(ctx, "media/g/image", bytes.NewReader(body), int64(len(body)), "image/png"); err != nil {
		t.Fatal(err)
	}
	req, err := s.PresignGet(ctx, "media/g/image", 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	status, h, got := Send(t, req, nil, nil)
	if !ok(status) || !bytes.Equal(got, body) || h.Get("Content-Type") != "image/png" {
		t.Fatalf("presigned GET: %d %s, %d bytes", status, h.Get("Content-Type"), len(got))
	}
	if status, _, _ := Send(t, alterSignature(t, req), nil, nil); ok(status) {
		t.Errorf("altered signature accepted: %d", status)
	}
	if err := s.Put(ctx, "media/g/thumbnail", strings.NewReader("t"), 1, "image/png"); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := Send(t, withPath(req, "media/g/image", "media/g/thumbnail"), nil, nil); ok(status) {
		t.Errorf("URL for one key read another: %d", status)
	}
	put := req
	put.Method = http.MethodPut
	if status, _, _ := Send(t, put, []byte("overwrite"), nil); ok(status) {
		t.Errorf("PUT with a GET URL: %d", status)
	}
	if got := read(t, s, "media/g/image"); !bytes.Equal(got, body) {
		t.Fatal("object changed")
	}
	// A URL for a missing object fails when used.
	missing, err := s.PresignGet(ctx, "media/none/image", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if status, _, _ := Send(t, missing, nil, nil); status != http.StatusNotFound {
		t.Errorf("GET of a missing object: %d, want 404", status)
	}
}

// split cuts body into parts of partSize bytes.
func split(body []byte, partSize int) [][]byte {
	var chunks [][]byte
	for off := 0; off < len(body); off += partSize {
		chunks = append(chunks, body[off:min(off+partSize, len(body))])
	}
	return chunks
}

func putPart(t *testing.T, s media.BlobStore, key, id string, n int, chunk []byte) string {
	t.Helper()
	req, err := s.PresignPart(ctx, key, id, n, int64(len(chunk)), 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if req.Method != http.MethodPut {
		t.Fatalf("part request method %s", req.Method)
	}
	status, h, msg := Send(t, req, chunk, map[string]string{media.ChecksumHeader: Checksum(chunk)})
	if !ok(status) {
		t.Fatalf("part %d: %d %s", n, status, msg)
	}
	if h.Get("ETag") == "" {
		t.Fatalf("part %d: no ETag in the answer", n)
	}
	return h.Get("ETag")
}

func testMultipart(t *testing.T, s media.BlobStore) {
	key := "quarantine/m1"
	body := Bytes(6, 2*media.MinPartSize+1234)
	id, err := s.CreateMultipart(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if parts, err := s.ListParts(ctx, key, id); err != nil || len(parts) != 0 {
		t.Fatalf("new upload lists %v, %v", parts, err)
	}
	chunks := split(body, media.MinPartSize)
	etags := map[int]string{}
	// Out of order, with a retry of one part: what counts is the last.
	etags[2] = putPart(t, s, key, id, 2, chunks[1])
	etags[1] = putPart(t, s, key, id, 1, chunks[0])
	etags[2] = putPart(t, s, key, id, 2, chunks[1])
	parts, err := s.ListParts(ctx, key, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 2 {
		t.Fatalf("listed %+v, want parts 1 and 2", parts)
	}
	for i, p := range parts {
		if p.Number != i+1 || p.Size != int64(len(chunks[i])) || strings.Trim(p.ETag, `"`) != strings.Trim(etags[i+1], `"`) {
			t.Fatalf("part %d listed as %+v (etag from upload %s)", i+1, p, etags[i+1])
		}
	}
	etags[3] = putPart(t, s, key, id, 3, chunks[2])
	parts, err = s.ListParts(ctx, key, id)
	if err != nil || len(parts) != 3 {
		t.Fatalf("listed %v, %v", parts, err)
	}
	if err := s.CompleteMultipart(ctx, key, id, parts); err != nil {
		t.Fatal(err)
	}
	if got := read(t, s, key); !bytes.Equal(got, body) {
		t.Fatal("the joined object differs from what was uploaded")
	}
	info, err := s.Stat(ctx, key)
	sum := sha256.Sum256(body)
	if err != nil || info.Size != int64(len(body)) || (info.SHA256 != nil && !bytes.Equal(info.SHA256, sum[:])) {
		t.Fatalf("stat = %+v, %v", info, err)
	}
	if _, err := s.ListParts(ctx, key, id); !errors.Is(err, media.ErrNotFound) {
		t.Fatalf("list parts of a completed upload: %v, want ErrNotFound", err)
	}
}

func testMultipartRefuses(t *testing.T, s media.BlobStore) {
	key := "quarantine/m2"
	id, err := s.CreateMultipart(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	chunk := Bytes(7, 4000)
	req, err := s.PresignPart(ctx, key, id, 1, int64(len(chunk)), 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	tampered := bytes.Clone(chunk)
	tampered[0] ^= 1
	cases := []struct {
		name  string
		body  []byte
		extra map[string]string
	}{
		{"no checksum", chunk, nil},
		{"checksum of other bytes", tampered, map[string]string{media.ChecksumHeader: Checksum(chunk)}},
		{"shorter", chunk[:3999], map[string]string{media.ChecksumHeader: Checksum(chunk[:3999])}},
	}
	for _, c := range cases {
		if status, _, _ := Send(t, req, c.body, c.extra); ok(status) {
			t.Errorf("part with %s accepted: %d", c.name, status)
		}
	}
	if parts, err := s.ListParts(ctx, key, id); err != nil || len(parts) != 0 {
		t.Fatalf("refused parts were kept: %v, %v", parts, err)
	}
	// A part of an unknown upload.
	if _, err := s.ListParts(ctx, key, "0123456789abcdef0123456789abcdef"); !errors.Is(err, media.ErrNotFound) {
		t.Fatalf("list parts of an unknown upload: %v", err)
	}
	// Parts too small to join, and a wrong ETag.
	putPart(t, s, key, id, 1, chunk)
	putPart(t, s, key, id, 2, chunk)
	parts, err := s.ListParts(ctx, key, id)
	if err != nil || len(parts) != 2 {
		t.Fatalf("listed %v, %v", parts, err)
	}
	if err := s.CompleteMultipart(ctx, key, id, parts); err == nil {
		t.Fatal("completed with a first part under the minimum size")
	}
	wrong := parts[0]
	wrong.ETag = `"00000000000000000000000000000000"`
	if err := s.CompleteMultipart(ctx, key, id, []media.Part{wrong}); err == nil {
		t.Fatal("completed with a wrong ETag")
	}
	absent(t, s, key)
	if err := s.CompleteMultipart(ctx, key, id, parts[1:]); err != nil {
		t.Fatalf("completing with the last part alone: %v", err)
	}
	if got := read(t, s, key); !bytes.Equal(got, chunk) {
		t.Fatal("joined object differs")
	}
}

func testMultipartAbort(t *testing.T, s media.BlobStore) {
	key := "quarantine/m3"
	id, err := s.CreateMultipart(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	chunk := Bytes(8, 1000)
	putPart(t, s, key, id, 1, chunk)
	req, err := s.PresignPart(ctx, key, id, 2, int64(len(chunk)), 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AbortMultipart(ctx, key, id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ListParts(ctx, key, id); !errors.Is(err, media.ErrNotFound) {
		t.Fatalf("list parts after abort: %v", err)
	}
	if status, _, _ := Send(t, req, chunk, map[string]string{media.ChecksumHeader: Checksum(chunk)}); ok(status) {
		t.Fatalf("part of an aborted upload accepted: %d", status)
	}
	if err := s.AbortMultipart(ctx, key, id); err != nil {
		t.Fatalf("aborting twice: %v", err)
	}
	absent(t, s, key)
}

// withPath returns r with its URL's path changed from one key to another,
// keeping the signature.
func withPath(r media.Request, from, to string) media.Request {
	r.URL = strings.Replace(r.URL, "/"+from+"?", "/"+to+"?", 1)
	return r
}

// alterSignature changes one character of the URL's signature: the first
// query value of 64 hex digits (an HMAC or a signed digest, both covered by
// the signature).
func alterSignature(t *testing.T, r media.Request) media.Request {
	t.Helper()
	u, err := url.Parse(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	for name, vs := range q {
		v := vs[0]
		if len(v) != 64 || strings.Trim(v, "0123456789abcdef") != "" {
			continue
		}
		c := byte('0')
		if v[0] == '0' {
			c = '1'
		}
		q.Set(name, string(c)+v[1:])
		u.RawQuery = q.Encode()
		r.URL = u.String()
		return r
	}
	t.Fatalf("no signature in %s", r.URL)
	return r
}
