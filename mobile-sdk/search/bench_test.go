package search_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/mobile-sdk/search"
)

var words = []string{"дерматит", "псориаз", "экзема", "акне", "розацеа", "терапия", "лечение", "пациентов", "кожи", "крем",
	"атопический", "витилиго", "меланома", "treatment", "retinoid", "dermatitis", "study", "клинический", "рекомендации", "детей"}

// text makes n words of filler: the medical words above, inflected, among
// made-up words from a vocabulary of about 20,000, so that a query matches
// some documents, not all.
func text(i, n int) string {
	endings := []string{"", "а", "ом", "ов", "ами", "е"}
	var s []byte
	for j := 0; j < n; j++ {
		k := (i*7919 + j*104729) % 20011
		if k%100 == 0 {
			s = append(s, words[k%len(words)]...)
		} else {
			s = fmt.Appendf(s, "слово%dк%s", k, endings[k%len(endings)])
		}
		s = append(s, ' ')
	}
	return string(s)
}

// BenchmarkDeviceSearch indexes a library of 5,000 articles of about 300
// words into a replica database (in one transaction, as a checkpoint
// applies them) and measures queries against it.
func BenchmarkDeviceSearch(b *testing.B) {
	ctx := context.Background()
	db := openDB(b)
	const docs = 5000
	start := time.Now()
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < docs; i++ {
		put(b, tx, search.Doc{Collection: "content_item", ID: fmt.Sprint("item-", i), Title: text(i, 6), Text: text(i+1, 300)})
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	indexRate := docs / time.Since(start).Seconds()
	queries := []string{"дерматитом", "лечение псориаза", "атопического дерматита у детей", "retinoids", "мелан"}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := search.Search(ctx, db, search.Query{Text: queries[i%len(queries)], Limit: 20}); err != nil {
			b.Fatal(err)
		}
	}
	perQuery := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(indexRate, "docs-indexed/s")
	b.ReportMetric(float64(perQuery.Microseconds()), "µs/query")
	b.Logf("indexed %d documents of ~300 words at %.0f docs/s; a query over them takes %v", docs, indexRate, perQuery)
}
