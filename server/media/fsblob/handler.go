package fsblob

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/ordinatorhq/ordinator/server/media"
)

// Handler serves the store's presigned requests under Prefix.
func (s *Store) Handler() http.Handler { return http.HandlerFunc(s.serve) }

func (s *Store) serve(w http.ResponseWriter, r *http.Request) {
	key, ok := strings.CutPrefix(r.URL.Path, Prefix)
	if !ok || checkKey(key) != nil {
		http.Error(w, "no such object", http.StatusNotFound)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPut {
		w.Header().Set("Allow", "GET, PUT")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p, status, reason := s.verify(r, key)
	if status != 0 {
		http.Error(w, reason, status)
		return
	}
	switch {
	case r.Method == http.MethodGet:
		s.serveGet(w, r, key)
	case p.upload != "":
		s.servePart(w, r, p)
	default:
		s.servePut(w, r, p)
	}
}

func (s *Store) serveGet(w http.ResponseWriter, r *http.Request, key string) {
	f, h, err := openBlob(s.objectPath(key))
	if err != nil {
		http.Error(w, "no such object", http.StatusNotFound)
		return
	}
	defer f.Close()
	var mod = s.now()
	if fi, err := f.Stat(); err == nil {
		mod = fi.ModTime()
	}
	if h.ContentType != "" {
		w.Header().Set("Content-Type", h.ContentType)
	}
	w.Header().Set("ETag", `"`+hex.EncodeToString(h.SHA256)+`"`)
	http.ServeContent(w, r, "", mod, io.NewSectionReader(f, headerSize, h.Size))
}

// receive reads a body of exactly size bytes into a new blob file, checking
// its SHA-256 against want. On failure it has answered the request.
func (s *Store) receive(w http.ResponseWriter, r *http.Request, size int64, want []byte) *blobWriter {
	if r.ContentLength >= 0 && r.ContentLength != size {
		http.Error(w, "the body is "+strconv.FormatInt(r.ContentLength, 10)+" bytes; the URL is signed for "+strconv.FormatInt(size, 10), http.StatusBadRequest)
		return nil
	}
	bw, err := s.create(r.Header.Get("Content-Type"))
	if err != nil {
		http.Error(w, "cannot store the body", http.StatusInternalServerError)
		return nil
	}
	n, err := io.Copy(bw, io.LimitReader(r.Body, size+1))
	switch {
	case err != nil:
		bw.discard()
		http.Error(w, "reading the body: "+err.Error(), http.StatusBadRequest)
		return nil
	case n != size:
		bw.discard()
		http.Error(w, "the body is not the signed size", http.StatusBadRequest)
		return nil
	case !bytes.Equal(bw.header().SHA256, want):
		bw.discard()
		http.Error(w, "the body does not match its "+media.ChecksumHeader, http.StatusBadRequest)
		return nil
	}
	return bw
}

// checksum returns the SHA-256 sent in media.ChecksumHeader.
func checksum(r *http.Request) ([]byte, bool) {
	sum, err := base64.StdEncoding.DecodeString(r.Header.Get(media.ChecksumHeader))
	return sum, err == nil && len(sum) == sha256.Size
}

func (s *Store) servePut(w http.ResponseWriter, r *http.Request, p signed) {
	size, err1 := strconv.ParseInt(p.size, 10, 64)
	want, err2 := hex.DecodeString(p.sum)
	if err1 != nil || err2 != nil {
		http.Error(w, "the URL is not signed for a PUT", http.StatusForbidden)
		return
	}
	if sent, ok := checksum(r); !ok || !bytes.Equal(sent, want) {
		http.Error(w, "the signed "+media.ChecksumHeader+" header is missing or changed", http.StatusBadRequest)
		return
	}
	bw := s.receive(w, r, size, want)
	if bw == nil {
		return
	}
	defer bw.discard()
	if err := bw.commit(s.objectPath(p.key)); err != nil {
		http.Error(w, "cannot store the body", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (s *Store) servePart(w http.ResponseWriter, r *http.Request, p signed) {
	size, err1 := strconv.ParseInt(p.size, 10, 64)
	number, err2 := strconv.Atoi(p.part)
	if err1 != nil || err2 != nil {
		http.Error(w, "the URL is not signed for a part", http.StatusForbidden)
		return
	}
	want, ok := checksum(r)
	if !ok {
		http.Error(w, "a part needs its SHA-256 in "+media.ChecksumHeader, http.StatusBadRequest)
		return
	}
	if _, err := s.openUpload(p.key, p.upload); err != nil {
		http.Error(w, "no such upload", http.StatusNotFound)
		return
	}
	bw := s.receive(w, r, size, want)
	if bw == nil {
		return
	}
	defer bw.discard()
	h := bw.header()
	if err := s.putPart(p.key, p.upload, number, bw); err != nil {
		if errors.Is(err, media.ErrNotFound) {
			http.Error(w, "no such upload", http.StatusNotFound)
			return
		}
		http.Error(w, "cannot store the part", http.StatusInternalServerError)
		return
	}
	w.Header().Set("ETag", h.etag())
	w.WriteHeader(http.StatusOK)
}
