package fsblob

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ordinatorhq/ordinator/server/media"
)

// A presigned URL is BaseURL + Prefix + key with these query parameters;
// sig is an HMAC-SHA256 over the method, the key and every other parameter,
// so none of them can be changed.
type signed struct {
	method  string
	key     string
	expires int64  // unix seconds
	size    string // exact body size (PUT)
	sum     string // hex SHA-256 of the body (single PUT)
	upload  string // multipart upload id (part PUT)
	part    string // part number (part PUT)
}

func (p signed) mac(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	fmt.Fprintf(m, "ordinator-blob-v1\n%s\n%s\n%d\n%s\n%s\n%s\n%s", p.method, p.key, p.expires, p.size, p.sum, p.upload, p.part)
	return m.Sum(nil)
}

func (s *Store) presign(p signed, ttl time.Duration, header map[string]string) (media.Request, error) {
	if err := checkKey(p.key); err != nil {
		return media.Request{}, err
	}
	if ttl < time.Second {
		return media.Request{}, fmt.Errorf("presign: ttl %v is less than a second", ttl)
	}
	expires := s.now().Add(ttl).Truncate(time.Second)
	p.expires = expires.Unix()
	q := url.Values{}
	q.Set("expires", strconv.FormatInt(p.expires, 10))
	for name, v := range map[string]string{"size": p.size, "sha256": p.sum, "upload": p.upload, "part": p.part} {
		if v != "" {
			q.Set(name, v)
		}
	}
	q.Set("sig", hex.EncodeToString(p.mac(s.secret)))
	segs := strings.Split(p.key, "/")
	for i, seg := range segs {
		segs[i] = url.PathEscape(seg)
	}
	return media.Request{
		Method:  p.method,
		URL:     s.base + Prefix + strings.Join(segs, "/") + "?" + q.Encode(),
		Header:  header,
		Expires: expires,
	}, nil
}

// verify checks a request's signature and expiry and returns what it was
// signed for.
func (s *Store) verify(r *http.Request, key string) (signed, int, string) {
	q := r.URL.Query()
	p := signed{method: r.Method, key: key, size: q.Get("size"), sum: q.Get("sha256"), upload: q.Get("upload"), part: q.Get("part")}
	var err error
	if p.expires, err = strconv.ParseInt(q.Get("expires"), 10, 64); err != nil {
		return p, http.StatusForbidden, "the URL is not signed"
	}
	sig, err := hex.DecodeString(q.Get("sig"))
	if err != nil || !hmac.Equal(sig, p.mac(s.secret)) {
		return p, http.StatusForbidden, "the signature does not match the request"
	}
	if s.now().Unix() > p.expires {
		return p, http.StatusForbidden, "the URL has expired"
	}
	return p, 0, ""
}

// PresignPut implements media.BlobStore.
func (s *Store) PresignPut(ctx context.Context, key string, size int64, sum []byte, ttl time.Duration) (media.Request, error) {
	if len(sum) != sha256.Size || size < 0 {
		return media.Request{}, fmt.Errorf("presign put %s: want a SHA-256 and a size", key)
	}
	return s.presign(signed{method: http.MethodPut, key: key, size: strconv.FormatInt(size, 10), sum: hex.EncodeToString(sum)}, ttl,
		map[string]string{media.ChecksumHeader: base64.StdEncoding.EncodeToString(sum)})
}

// PresignPart implements media.BlobStore.
func (s *Store) PresignPart(ctx context.Context, key, uploadID string, number int, size int64, ttl time.Duration) (media.Request, error) {
	if number < 1 || number > 10000 || size < 0 {
		return media.Request{}, fmt.Errorf("presign part %d of %s: invalid number or size", number, key)
	}
	if _, err := s.openUpload(key, uploadID); err != nil {
		return media.Request{}, err
	}
	return s.presign(signed{method: http.MethodPut, key: key, size: strconv.FormatInt(size, 10), upload: uploadID, part: strconv.Itoa(number)}, ttl, nil)
}

// PresignGet implements media.BlobStore.
func (s *Store) PresignGet(ctx context.Context, key string, ttl time.Duration) (media.Request, error) {
	return s.presign(signed{method: http.MethodGet, key: key}, ttl, nil)
}
