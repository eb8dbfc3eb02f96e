package rpc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"connectrpc.com/connect"
)

// envelopePrefix is the 5-byte header before each message of gRPC,
// gRPC-Web and Connect streams: a flags byte and the message length.
const envelopePrefix = 5

// limitRequests refuses a request whose message is larger than
// MaxRequestBytes before the handler reads it, with an error that names the
// limit and how to raise it (connect's own says only "configured max").
// It looks at what comes first: the Content-Length of a Connect unary call,
// the first envelope of the enveloped protocols. Later messages of a client
// stream, and bodies of unknown length, are still bounded by connect.
func (s *Server) limitRequests(next http.Handler) http.Handler {
	errs := connect.NewErrorWriter()
	limit := int64(s.cfg.MaxRequestBytes)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !errs.IsSupported(r) {
			next.ServeHTTP(w, r)
			return
		}
		var size int64 = -1
		if enveloped(r.Header.Get("Content-Type")) {
			var prefix [envelopePrefix]byte
			n, err := io.ReadFull(r.Body, prefix[:])
			if err == nil {
				size = int64(binary.BigEndian.Uint32(prefix[1:]))
			}
			// Give the handler the body as it came, prefix included.
			r.Body = readCloser{io.MultiReader(bytes.NewReader(prefix[:n]), r.Body), r.Body}
		} else {
			size = r.ContentLength
		}
		if size > limit {
			errs.Write(w, r, connect.NewError(connect.CodeResourceExhausted, s.tooLarge(size)))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// tooLarge is the refusal of a request message of size bytes.
func (s *Server) tooLarge(size int64) error {
	msg := fmt.Sprintf("the request is %d bytes, larger than this server's limit of %d bytes", size, s.cfg.MaxRequestBytes)
	if s.cfg.LimitFlag != "" {
		msg += " (" + s.cfg.LimitFlag + " raises it)"
	}
	return errors.New(msg)
}

// enveloped reports whether a content type frames messages in envelopes.
func enveloped(contentType string) bool {
	return strings.HasPrefix(contentType, "application/grpc") || strings.HasPrefix(contentType, "application/connect+")
}

type readCloser struct {
	io.Reader
	io.Closer
}
