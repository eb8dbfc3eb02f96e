package syncrpc_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"google.golang.org/protobuf/proto"

	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
)

// FuzzRequests sends arbitrary bytes as Push and Pull requests through the
// whole server (decoding, validation, the engine): the answer is a result
// or a client error, never an internal error or a crash.
func FuzzRequests(f *testing.F) {
	seed := func(m proto.Message) []byte { b, _ := proto.Marshal(m); return b }
	f.Add(true, seed(&syncv1.PushRequest{ClientId: "c", ClientSchemaVersion: 2, Mutations: []*syncv1.Mutation{{Seq: 1, Name: "note.put", Args: note("n1", "room:a")}}}))
	f.Add(true, seed(&syncv1.PushRequest{ClientId: "c", ClientSchemaVersion: 2, Mutations: []*syncv1.Mutation{{Seq: 1, Name: "note.put", Args: []byte("{")}}}))
	f.Add(false, seed(&syncv1.PullRequest{ClientId: "c", ClientSchemaVersion: 2, Cursors: []*syncv1.BucketCursor{{Bucket: "room:a", After: 3}}}))
	f.Add(false, []byte{0xff, 0x01})
	s := startServer(f)
	s.h.Grant("u1", "room:a")
	f.Fuzz(func(t *testing.T, push bool, body []byte) {
		path := syncv1connect.SyncServicePullProcedure
		if push {
			path = syncv1connect.SyncServicePushProcedure
		}
		req, _ := http.NewRequest(http.MethodPost, s.url+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/proto")
		req.Header.Set("Authorization", "Bearer u1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("%s answered %s: %s", path, resp.Status, msg)
		}
	})
}
