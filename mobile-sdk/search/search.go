// Package search is full-text search on the device over the records its
// replica holds (articles, papers, videos, trainings), in Russian and
// English, on SQLite FTS5 in the replica's own database.
//
// Words are stemmed in Go (Snowball stemmers, see Terms) before SQLite sees
// them, both when a document is indexed and when a query is run: a doctor
// who types "дерматитом" finds the article that says "дерматит". The index
// is two tables in the database handle it is given: search_fts, a
// contentless FTS5 index of the stemmed terms, and search_docs, which maps
// each document (collection and id) to its entry. Put and Delete run inside
// the transaction that applies the synced change they reflect.
//
// The package needs only database/sql, a SQLite driver with FTS5
// (modernc.org/sqlite has it) and, for ItemDoc, the generated content
// protocol; it does not know the replica's schema. The SDK calls Put (with
// ItemDoc of each content item) and Delete as it applies checkpoints, in
// the same transaction, and Search from the app.
package search

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Execer runs statements: a *sql.DB, *sql.Tx or *sql.Conn.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Queryer runs queries: a *sql.DB, *sql.Tx or *sql.Conn.
type Queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// schema creates the index; every statement is idempotent.
var schema = []string{
	// search_docs maps a document to the rowid of its entry in search_fts.
	`CREATE TABLE IF NOT EXISTS search_docs (
		rowid INTEGER PRIMARY KEY,
		collection TEXT NOT NULL,
		doc_id TEXT NOT NULL,
		UNIQUE (collection, doc_id)
	)`,
	// A contentless FTS5 index: the terms are only indexed, not stored
	// again. Our terms are already lowercase stems separated by spaces, so
	// the tokenizer only has to split them.
	`CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
		title_terms, body_terms,
		content='', contentless_delete=1,
		tokenize='unicode61 remove_diacritics 0'
	)`,
}

// Init creates the index tables if they do not exist yet.
func Init(ctx context.Context, db Execer) error {
	for _, s := range schema {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// Doc is one document: a record of a collection, with its title and its
// plain text (no markup).
type Doc struct {
	Collection string
	ID         string
	Title      string
	Text       string
}

// Put indexes a document, replacing what was indexed under its collection
// and id. It runs three statements: call it inside the transaction that
// applies the change it reflects (a *sql.Tx), as the SDK does for a
// checkpoint, so the index never disagrees with the replica.
func Put(ctx context.Context, db Execer, d Doc) error {
	if d.Collection == "" || d.ID == "" {
		return errors.New("search: a document needs a collection and an id")
	}
	if err := Delete(ctx, db, d.Collection, d.ID); err != nil {
		return err
	}
	res, err := db.ExecContext(ctx, `INSERT INTO search_docs (collection, doc_id) VALUES (?, ?)`, d.Collection, d.ID)
	if err != nil {
		return err
	}
	rowid, err := res.LastInsertId()
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `INSERT INTO search_fts (rowid, title_terms, body_terms) VALUES (?, ?, ?)`,
		rowid, strings.Join(Terms(d.Title), " "), strings.Join(Terms(d.Text), " "))
	return err
}

// Delete removes a document from the index; deleting one that is not there
// does nothing. Like Put, it belongs in the transaction of the change.
func Delete(ctx context.Context, db Execer, collection, id string) error {
	if _, err := db.ExecContext(ctx, `DELETE FROM search_fts WHERE rowid IN (SELECT rowid FROM search_docs WHERE collection = ? AND doc_id = ?)`, collection, id); err != nil {
		return err
	}
	_, err := db.ExecContext(ctx, `DELETE FROM search_docs WHERE collection = ? AND doc_id = ?`, collection, id)
	return err
}

// DeleteCollection removes every document of a collection (a replica
// starting a collection over).
func DeleteCollection(ctx context.Context, db Execer, collection string) error {
	if _, err := db.ExecContext(ctx, `DELETE FROM search_fts WHERE rowid IN (SELECT rowid FROM search_docs WHERE collection = ?)`, collection); err != nil {
		return err
	}
	_, err := db.ExecContext(ctx, `DELETE FROM search_docs WHERE collection = ?`, collection)
	return err
}

// Hit is one document found, best first.
type Hit struct {
	Collection string
	ID         string
	// Rank is FTS5's bm25 score with title words weighing five times body
	// words: lower is better.
	Rank float64
}

// Query is a search.
type Query struct {
	// Text is what the user typed. Every word must occur (in any form of
	// it); the last one may be unfinished, so it also matches as a prefix.
	Text string
	// Collections restricts the search; empty searches all.
	Collections []string
	// Limit bounds the hits (default 50).
	Limit int
}

// Search returns the documents matching q, best first. A query with no
// searchable words (empty, or only stop words) finds nothing.
func Search(ctx context.Context, db Queryer, q Query) ([]Hit, error) {
	var groups [][]string
	for _, w := range words(q.Text) {
		var alts []string
		for _, t := range stems(w) {
			// Terms are letters and digits only: quoting cannot be escaped.
			alts = append(alts, `"`+t+`"`)
		}
		if len(alts) > 0 {
			groups = append(groups, alts)
		}
	}
	if len(groups) == 0 {
		return nil, nil
	}
	if unfinished(q.Text) {
		last := groups[len(groups)-1]
		for i := range last {
			last[i] += "*"
		}
	}
	parts := make([]string, len(groups))
	for i, alts := range groups {
		parts[i] = "(" + strings.Join(alts, " OR ") + ")"
	}
	match := strings.Join(parts, " AND ")
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	query := `SELECT d.collection, d.doc_id, bm25(search_fts, 5.0, 1.0) AS rank
		FROM search_fts JOIN search_docs d ON d.rowid = search_fts.rowid
		WHERE search_fts MATCH ?`
	args := []any{match}
	if len(q.Collections) > 0 {
		query += ` AND d.collection IN (?` + strings.Repeat(", ?", len(q.Collections)-1) + `)`
		for _, c := range q.Collections {
			args = append(args, c)
		}
	}
	query += ` ORDER BY rank, d.rowid LIMIT ?`
	args = append(args, limit)
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hits []Hit
	for rows.Next() {
		var h Hit
		if err := rows.Scan(&h.Collection, &h.ID, &h.Rank); err != nil {
			return nil, err
		}
		hits = append(hits, h)
	}
	return hits, rows.Err()
}

// unfinished reports whether the text ends inside a word: a user who typed
// a space or a punctuation mark after the last word has finished it, and it
// is not matched as a prefix.
func unfinished(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}
