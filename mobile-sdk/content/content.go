// Package content is the device side of the content library: the items a
// doctor's phone holds for their specialty (articles, papers, videos,
// trainings), searchable offline in Russian and English, their reading
// progress and training results, and the two offline mutations that
// record them ("content.record_progress", "training.complete").
//
// Register wires it into a replica's schema. The full-text index
// (mobile-sdk/search) is an sdk.Index of the item collection, so it is
// written in the very transaction that applies synced items: an item that
// arrives, changes, is unpublished or retargeted away, or leaves with its
// bucket, is found or not found by Search exactly as the replica holds it.
package content

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/mobile-sdk/search"
)

// Collections and mutations, as the server names them.
const (
	ItemCollection           = contentv1.ItemCollection
	ProgressCollection       = contentv1.ProgressCollection
	TrainingStatusCollection = contentv1.TrainingStatusCollection

	MutationRecordProgress   = contentv1.RecordProgressMutation
	MutationCompleteTraining = contentv1.CompleteTrainingMutation
)

// indexVersion is the version of what the search index holds for an item
// (search.ItemDoc and the stemmer): changing either means a new version, so
// replicas rebuild their index at the next Open.
const indexVersion = 1

// Items are the content items on the phone, by kind and newest first.
var Items = sdk.ProtoCollection[*contentv1.Item](ItemCollection,
	sdk.ProtoColumn[*contentv1.Item]{Name: "kind", Type: sdk.Integer, Value: func(it *contentv1.Item) any { return int64(it.GetKind()) }},
	sdk.ProtoColumn[*contentv1.Item]{Name: "published_at", Type: sdk.Integer, Value: func(it *contentv1.Item) any { return it.GetPublishedAtUnixMs() }},
)

// Progress is the doctor's reading of each item, found by item_id. The
// server keys records "<user>:<item>"; one recorded offline is keyed
// "local:<item>" until the server's replaces it.
var Progress = sdk.ProtoCollection[*contentv1.Progress](ProgressCollection,
	sdk.ProtoColumn[*contentv1.Progress]{Name: "item_id", Type: sdk.Text, Value: func(p *contentv1.Progress) any { return p.GetItemId() }},
)

// TrainingStatuses are the doctor's results with each training, found by
// training_id, keyed like Progress.
var TrainingStatuses = sdk.ProtoCollection[*contentv1.TrainingStatus](TrainingStatusCollection,
	sdk.ProtoColumn[*contentv1.TrainingStatus]{Name: "training_id", Type: sdk.Text, Value: func(s *contentv1.TrainingStatus) any { return s.GetTrainingId() }},
)

// Register adds the content collections, their search index and the
// optimistic side of the content mutations to a schema.
func Register(s *sdk.Schema) {
	s.AddCollection(Items.Collection)
	s.AddCollection(Progress.Collection)
	s.AddCollection(TrainingStatuses.Collection)
	s.AddIndex(ItemCollection, sdk.Index{
		Name:    "search",
		Version: indexVersion,
		Create:  func(ctx context.Context, tx sdk.Execer) error { return search.Init(ctx, tx) },
		Reset: func(ctx context.Context, tx sdk.Execer) error {
			return search.DeleteCollection(ctx, tx, ItemCollection)
		},
		Apply: indexItem,
	})
	s.AddMutation(MutationRecordProgress, sdk.ProtoMutation(recordProgress))
	s.AddMutation(MutationCompleteTraining, sdk.ProtoMutation(completeTraining))
}

// indexItem keeps an item's search document in line with the replica. A
// payload that does not decode is left out of the index rather than
// refused: refusing would stop the sync that brought it.
func indexItem(ctx context.Context, tx sdk.Execer, id string, payload []byte) error {
	if payload == nil {
		return search.Delete(ctx, tx, ItemCollection, id)
	}
	it := &contentv1.Item{}
	if err := proto.Unmarshal(payload, it); err != nil {
		return search.Delete(ctx, tx, ItemCollection, id)
	}
	doc := search.ItemDoc(it)
	doc.ID = id // the record's key, whatever the payload says
	return search.Put(ctx, tx, doc)
}

// Hit is an item found by Search, best first.
type Hit struct {
	Item *contentv1.Item
	// Rank is the full-text score (lower is better).
	Rank float64
}

// Search finds the items on the phone whose title or text contain every
// word of query in any of its forms (Russian and English stemming; the last
// word may be unfinished), best first, at most limit (default 50).
func Search(ctx context.Context, r *sdk.Replica, query string, limit int) ([]Hit, error) {
	hits, err := search.Search(ctx, r, search.Query{Text: query, Collections: []string{ItemCollection}, Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("content: searching %q: %w", query, err)
	}
	out := make([]Hit, 0, len(hits))
	for _, h := range hits {
		it, ok, err := Items.Get(ctx, r, h.ID)
		if err != nil {
			return nil, err
		}
		if ok { // gone since the query ran: a sync committed in between
			out = append(out, Hit{Item: it, Rank: h.Rank})
		}
	}
	return out, nil
}

// errNotOnPhone is returned for an item the phone does not hold.
var errNotOnPhone = errors.New("is not on this phone (unpublished, or not for your specialty)")

func localKey(itemID string) string { return "local:" + itemID }

// findByItem returns the key and state of the record of an item in a
// collection keyed by item (progress, training status), or a new local key.
func findByItem[M proto.Message](tx *sdk.LocalTx, tc *sdk.TypedCollection[M], column, itemID string) (string, M, bool, error) {
	var zero M
	recs, err := tx.Query(sdk.Query{Collection: tc.Collection.Name, Where: []sdk.Filter{{Column: column, Op: sdk.Eq, Value: itemID}}, Limit: 1})
	if err != nil || len(recs) == 0 {
		return localKey(itemID), zero, false, err
	}
	m, err := tc.Decode(recs[0])
	if err != nil {
		return "", zero, false, err
	}
	return recs[0].ID, m, true, nil
}

func itemOnPhone(tx *sdk.LocalTx, id string) (*contentv1.Item, error) {
	if strings.TrimSpace(id) == "" {
		return nil, errors.New("content: an item id is required")
	}
	it, ok, err := Items.GetTx(tx, id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("content: item %q %w", id, errNotOnPhone)
	}
	return it, nil
}
