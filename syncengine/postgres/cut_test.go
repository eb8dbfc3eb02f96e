package postgres_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"net/url"
	"sync/atomic"
	"testing"
)

// commitCutter is a TCP proxy to PostgreSQL that, once armed, lets the
// next COMMIT through, waits until the server has answered it, and then
// breaks the client's connection instead of passing the answer on: the
// transaction committed, and the client cannot know.
type commitCutter struct {
	URL    string
	target string
	armed  atomic.Bool
}

// newCommitCutter proxies the database at dbURL; connect to its URL.
func newCommitCutter(t *testing.T, dbURL string) *commitCutter {
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	c := &commitCutter{target: u.Host}
	u.Host = ln.Addr().String()
	q := u.Query()
	q.Set("sslmode", "disable") // no TLS handshake to pass through
	u.RawQuery = q.Encode()
	c.URL = u.String()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go c.pipe(conn)
		}
	}()
	return c
}

// Arm makes the proxy cut the next COMMIT's answer.
func (c *commitCutter) Arm() { c.armed.Store(true) }

func (c *commitCutter) pipe(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", c.target)
	if err != nil {
		return
	}
	defer server.Close()
	go func() {
		// Server to client: every message is typed. From the server's
		// CommandComplete of a COMMIT on (however it was sent: a query of
		// its own, or the last statement of a pipelined batch) nothing is
		// passed on; at ReadyForQuery the commit is done and the client's
		// connection is broken.
		r := bufio.NewReader(server)
		cutting := false
		for {
			typ, msg, err := readMessage(r, true)
			if err != nil {
				client.Close()
				return
			}
			if typ == 'C' && bytes.Equal(bytes.TrimRight(msg[5:], "\x00"), []byte("COMMIT")) && c.armed.CompareAndSwap(true, false) {
				cutting = true
			}
			if cutting {
				if typ == 'Z' {
					client.Close()
					return
				}
				continue
			}
			if _, err := client.Write(msg); err != nil {
				return
			}
		}
	}()
	// Client to server: the startup message has no type byte, every later
	// one has.
	r := bufio.NewReader(client)
	typed := false
	for {
		_, msg, err := readMessage(r, typed)
		if err != nil {
			return
		}
		typed = true
		if _, err := server.Write(msg); err != nil {
			return
		}
	}
}

// readMessage reads one protocol message whole, returning its type (0 for
// an untyped one) and its bytes as they were sent.
func readMessage(r *bufio.Reader, typed bool) (byte, []byte, error) {
	head := 4
	if typed {
		head = 5
	}
	msg := make([]byte, head)
	if _, err := io.ReadFull(r, msg); err != nil {
		return 0, nil, err
	}
	n := int(binary.BigEndian.Uint32(msg[head-4:])) - 4
	if n < 0 {
		return 0, nil, io.ErrUnexpectedEOF
	}
	msg = append(msg, make([]byte, n)...)
	if _, err := io.ReadFull(r, msg[head:]); err != nil {
		return 0, nil, err
	}
	if !typed {
		return 0, msg, nil
	}
	return msg[0], msg, nil
}
