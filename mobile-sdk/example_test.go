package sdk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"strings"

	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/mobile-sdk/sdktest"
)

// A replica with one collection of JSON notes indexed by title, written
// offline and queried with the pending writes visible.
func Example() {
	dir, err := os.MkdirTemp("", "replica-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	type note struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	schema := sdk.NewSchema()
	schema.AddCollection(sdk.Collection{
		Name:    "note",
		Columns: []sdk.Column{{Name: "title_key", Type: sdk.Text}},
		Extract: func(payload []byte) ([]any, error) {
			var n note
			err := json.Unmarshal(payload, &n)
			return []any{strings.ToLower(n.Title)}, err
		},
	})
	// The optimistic side of the server's note.save mutation.
	schema.AddMutation("note.save", func(tx *sdk.LocalTx, args []byte) error {
		var n note
		if err := json.Unmarshal(args, &n); err != nil {
			return err
		}
		return tx.Put("note", n.ID, args)
	})

	ctx := context.Background()
	r, err := sdk.Open(ctx, sdk.Options{
		Dir:       dir,
		ServerURL: "https://ru.ordinator.example",
		Tokens:    sdk.StaticToken("access-token"),
		Schema:    schema,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	r.SetConnectivity(sdk.Offline) // the app knows there is no network

	for _, n := range []note{{"1", "Acne, mild"}, {"2", "Rosacea"}, {"3", "acne, severe"}} {
		args, _ := json.Marshal(n)
		if _, err := r.Mutate(ctx, "note.save", args); err != nil {
			log.Fatal(err)
		}
	}
	recs, err := r.Query(ctx, sdk.Query{
		Collection: "note",
		Where:      []sdk.Filter{{Column: "title_key", Op: sdk.Prefix, Value: "acne"}},
		OrderBy:    "title_key",
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, rec := range recs {
		fmt.Printf("%s %s pending=%v\n", rec.ID, rec.Payload, rec.Pending)
	}
	fmt.Println("in the outbox:", r.Status().Pending)
	// Output:
	// 1 {"id":"1","title":"Acne, mild"} pending=true
	// 3 {"id":"3","title":"acne, severe"} pending=true
	// in the outbox: 3
}

// Typed collections of protobuf messages: here the media records the
// server syncs to each user, indexed by status.
func ExampleProtoCollection() {
	dir, _ := os.MkdirTemp("", "replica-")
	defer os.RemoveAll(dir)

	media := sdk.ProtoCollection("media", sdk.ProtoColumn[*mediav1.Media]{
		Name: "status", Type: sdk.Integer,
		Value: func(m *mediav1.Media) any { return int64(m.GetStatus()) },
	})
	schema := sdk.NewSchema().AddCollection(media.Collection)
	// A local-only mutation that marks a photo as being uploaded.
	schema.AddMutation("media.track", sdk.ProtoMutation(func(tx *sdk.LocalTx, m *mediav1.Media) error {
		return media.Put(tx, m.GetId(), m)
	}))

	ctx := context.Background()
	r, err := sdk.Open(ctx, sdk.Options{Dir: dir, ServerURL: "https://ru.ordinator.example", Schema: schema})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	r.MutateProto(ctx, "media.track", &mediav1.Media{Id: "m1", Status: mediav1.MediaStatus_MEDIA_STATUS_UPLOADING})
	uploading, err := media.Query(ctx, r, sdk.Query{
		Where: []sdk.Filter{{Column: "status", Op: sdk.Eq, Value: int64(mediav1.MediaStatus_MEDIA_STATUS_UPLOADING)}},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range uploading {
		fmt.Println(m.GetId(), m.GetStatus())
	}
	// Output: m1 MEDIA_STATUS_UPLOADING
}

// A schema says what each collection's payloads are: a typed collection's
// message, which tools use to show records.
func ExampleSchema_Collection() {
	schema := sdk.NewSchema().AddCollection(sdk.ProtoCollection[*mediav1.Media]("media").Collection)
	for _, name := range schema.Collections() {
		c, _ := schema.Collection(name)
		fmt.Println(name, c.Message.Descriptor().FullName())
	}
	// Output: media ordinator.media.v1.Media
}

// Observers hear of every change to a collection, on the replica's event
// goroutine.
func ExampleReplica_Observe() {
	dir, _ := os.MkdirTemp("", "replica-")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	r, err := sdk.Open(ctx, sdk.Options{Dir: dir, ServerURL: "https://ru.ordinator.example", Schema: sdktest.Schema()})
	if err != nil {
		log.Fatal(err)
	}
	changed := make(chan string, 1)
	r.Observe("note", func(collection string) { changed <- collection })
	r.Mutate(ctx, "note.put", sdktest.Args("n1", "hello", "room:a"))
	fmt.Println("changed:", <-changed)
	r.Close()
	// Output: changed: note
}

// Metadata comes off a photo before it is stored or hashed, without
// touching its pixels.
func ExampleStripMetadata() {
	photo := sdktest.JPEG(sdktest.Image(16, 16)) // carries EXIF with GPS, XMP, IPTC, a comment
	var clean bytes.Buffer
	contentType, err := sdk.StripMetadata(&clean, bytes.NewReader(photo))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(contentType, bytes.Contains(photo, []byte("Canon")), bytes.Contains(clean.Bytes(), []byte("Canon")))
	// Output: image/jpeg true false
}

// Rejections wait in the replica until the app dismisses them.
func ExampleReplica_Rejections() {
	dir, _ := os.MkdirTemp("", "replica-")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	r, err := sdk.Open(ctx, sdk.Options{Dir: dir, ServerURL: "https://ru.ordinator.example"})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	rejections, err := r.Rejections(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, rej := range rejections {
		fmt.Println(rej) // e.g. "mutation 7 (gift.place_order) rejected: conflict: out of stock"
		r.DismissRejection(ctx, rej.MutationID)
	}
	fmt.Println(len(rejections), "rejections")
	// Output: 0 rejections
}
