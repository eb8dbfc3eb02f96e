package mobile

import (
	"fmt"
	"slices"
	"strings"

	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
)

// Schema describes the app's collections and optimistic mutations, for
// Open. The platform's domain modules, written in Go, add theirs with
// AddDoctors, AddCases, AddGifts, AddInbox and AddContent. Fill it from one
// thread, before Open.
type Schema struct {
	// adds are the registrations so far; s is the schema they build.
	adds    []func(*sdk.Schema)
	s       *sdk.Schema
	modules map[string]bool
}

// NewSchema returns an empty schema.
func NewSchema() *Schema { return &Schema{} }

// add registers f, or nothing if it conflicts with what is there: the
// registrations are replayed on a fresh schema, so one that fails halfway
// (a domain module whose third collection the app already declared) leaves
// the schema as it was.
func (s *Schema) add(what string, f func(*sdk.Schema)) error {
	adds := append(slices.Clip(s.adds), f)
	next := sdk.NewSchema()
	if err := replay(next, adds); err != nil {
		return fmt.Errorf("mobile: %s: %w", what, err)
	}
	s.adds, s.s = adds, next
	return nil
}

// replay runs registrations, turning the panic of a conflicting one (the
// sdk's answer to a wiring bug) into an error.
func replay(into *sdk.Schema, adds []func(*sdk.Schema)) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	for _, f := range adds {
		f(into)
	}
	return nil
}

// sdkSchema is the schema to open a replica with (nil if empty).
func (s *Schema) sdkSchema() *sdk.Schema {
	if s == nil {
		return nil
	}
	return s.s
}

// Extractor computes a record's column values from its payload, in the
// app's language: set each column of into by index, in the order the
// columns were declared.
type Extractor interface {
	Extract(collection string, payload []byte, into *ColumnValues) error
}

// ColumnValues receives the values of a record's columns.
type ColumnValues struct{ vals []any }

// SetText sets column i to a text value.
func (v *ColumnValues) SetText(i int, s string) { v.set(i, s) }

// SetInt sets column i to an integer value.
func (v *ColumnValues) SetInt(i int, n int64) { v.set(i, n) }

// SetReal sets column i to a floating-point value.
func (v *ColumnValues) SetReal(i int, f float64) { v.set(i, f) }

func (v *ColumnValues) set(i int, x any) {
	if i >= 0 && i < len(v.vals) {
		v.vals[i] = x
	}
}

// AddCollection describes a collection with indexed columns, declared as
// "name:text,visits:integer,score:real" (empty for none), filled by
// extractor from each payload.
func (s *Schema) AddCollection(name, columns string, extractor Extractor) (err error) {
	defer recoverInto(&err)
	c := sdk.Collection{Name: name}
	if columns != "" {
		for _, decl := range strings.Split(columns, ",") {
			col, typ, ok := strings.Cut(strings.TrimSpace(decl), ":")
			if !ok {
				return fmt.Errorf("mobile: column %q: write name:type", decl)
			}
			var t sdk.ColumnType
			switch strings.ToLower(typ) {
			case "text":
				t = sdk.Text
			case "integer", "int":
				t = sdk.Integer
			case "real":
				t = sdk.Real
			default:
				return fmt.Errorf("mobile: column %s: unknown type %q (text, integer, real)", col, typ)
			}
			c.Columns = append(c.Columns, sdk.Column{Name: col, Type: t})
		}
		if extractor == nil {
			return fmt.Errorf("mobile: collection %s has columns but no extractor", name)
		}
		n := len(c.Columns)
		c.Extract = func(payload []byte) (vals []any, err error) {
			defer recoverInto(&err)
			v := &ColumnValues{vals: make([]any, n)}
			if err := extractor.Extract(name, payload, v); err != nil {
				return nil, err
			}
			return v.vals, nil
		}
	}
	return s.add("collection "+name, func(into *sdk.Schema) { into.AddCollection(c) })
}

// Mutator applies a mutation to the local rows before the server has it,
// as the server's mutator of the same name will. It must be deterministic:
// it runs again on fresh server state until the server has applied it.
type Mutator interface {
	Apply(tx *LocalTx, args []byte) error
}

// AddMutation registers the optimistic side of a mutation.
func (s *Schema) AddMutation(name string, mutator Mutator) (err error) {
	defer recoverInto(&err)
	m := mutator
	if m == nil {
		return fmt.Errorf("mobile: mutation %s needs a mutator", name)
	}
	apply := func(tx *sdk.LocalTx, args []byte) (err error) {
		defer recoverInto(&err)
		return m.Apply(&LocalTx{tx: tx}, args)
	}
	return s.add("mutation "+name, func(into *sdk.Schema) { into.AddMutation(name, apply) })
}

// LocalTx is what a Mutator reads and writes the local rows through.
type LocalTx struct{ tx *sdk.LocalTx }

// Get returns a record's payload as the app sees it, or nil if absent.
func (t *LocalTx) Get(collection, recordID string) (payload []byte, err error) {
	defer recoverInto(&err)
	p, ok, err := t.tx.Get(collection, recordID)
	if err != nil || !ok {
		return nil, err
	}
	if p == nil {
		p = []byte{}
	}
	return p, nil
}

// Put sets a record's optimistic state.
func (t *LocalTx) Put(collection, recordID string, payload []byte) (err error) {
	defer recoverInto(&err)
	return t.tx.Put(collection, recordID, payload)
}

// Delete removes a record optimistically.
func (t *LocalTx) Delete(collection, recordID string) (err error) {
	defer recoverInto(&err)
	return t.tx.Delete(collection, recordID)
}
