// Package sdktest gives the SDK's tests the device side of the sync
// engine's test collections (syncengine/storetest): a Schema for the "note"
// collection and its note.* mutations, applied optimistically the way the
// server applies them.
package sdktest

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
)

// NoteArgs are the arguments of the note.* mutations (the same JSON as
// storetest.NoteArgs).
type NoteArgs struct {
	ID      string   `json:"id"`
	Text    string   `json:"text"`
	Buckets []string `json:"buckets"`
}

// Args encodes note arguments.
func Args(id, text string, buckets ...string) []byte {
	b, err := json.Marshal(NoteArgs{ID: id, Text: text, Buckets: buckets})
	if err != nil {
		panic(err)
	}
	return b
}

// Note is a decoded note payload ("id|text|version").
type Note struct {
	ID      string
	Text    string
	Version int64
}

// ParseNote decodes a note payload.
func ParseNote(payload []byte) (Note, error) {
	// The text may itself contain "|": the version is after the last one.
	i := strings.LastIndexByte(string(payload), '|')
	j := strings.IndexByte(string(payload), '|')
	if j < 0 || i == j {
		return Note{}, errors.New("not a note payload")
	}
	v, err := strconv.ParseInt(string(payload[i+1:]), 10, 64)
	if err != nil {
		return Note{}, err
	}
	return Note{ID: string(payload[:j]), Text: string(payload[j+1 : i]), Version: v}, nil
}

// Payload encodes a note as the server does.
func Payload(id, text string, version int64) []byte {
	return []byte(id + "|" + text + "|" + strconv.FormatInt(version, 10))
}

// Schema returns the note collection, indexed by text, with the optimistic
// side of note.put, note.delete, note.reject and note.crash (the last two
// write like note.put; the server then refuses them). A note whose text is
// "media:<id>" references that media.
func Schema() *sdk.Schema {
	s := sdk.NewSchema()
	s.AddCollection(sdk.Collection{
		Name:    "note",
		Columns: []sdk.Column{{Name: "text", Type: sdk.Text}},
		Extract: func(payload []byte) ([]any, error) {
			n, err := ParseNote(payload)
			if err != nil {
				return nil, err
			}
			return []any{n.Text}, nil
		},
		Media: func(payload []byte) ([]string, error) {
			n, err := ParseNote(payload)
			if err != nil {
				return nil, err
			}
			if id, ok := strings.CutPrefix(n.Text, "media:"); ok {
				return []string{id}, nil
			}
			return nil, nil
		},
	})
	for _, name := range []string{"note.put", "note.reject", "note.crash"} {
		s.AddMutation(name, PutNote)
	}
	s.AddMutation("note.delete", func(tx *sdk.LocalTx, raw []byte) error {
		var a NoteArgs
		if err := json.Unmarshal(raw, &a); err != nil {
			return err
		}
		return tx.Delete("note", a.ID)
	})
	return s
}

// PutNote is the optimistic side of note.put: the note with the next
// version.
func PutNote(tx *sdk.LocalTx, raw []byte) error {
	var a NoteArgs
	if err := json.Unmarshal(raw, &a); err != nil {
		return err
	}
	if a.ID == "" {
		return errors.New("a note needs an id")
	}
	version := int64(1)
	if old, ok, err := tx.Get("note", a.ID); err != nil {
		return err
	} else if ok {
		if n, err := ParseNote(old); err == nil {
			version = n.Version + 1
		}
	}
	return tx.Put("note", a.ID, Payload(a.ID, a.Text, version))
}
