package mobile

import (
	"fmt"
	"strings"

	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
)

// Schema describes the app's collections and optimistic mutations, for
// Open. Domain helpers written in Go fill it too.
type Schema struct{ s *sdk.Schema }

// NewSchema returns an empty schema.
func NewSchema() *Schema { return &Schema{s: sdk.NewSchema()} }

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
	s.s.AddCollection(c)
	return nil
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
	s.s.AddMutation(name, func(tx *sdk.LocalTx, args []byte) (err error) {
		defer recoverInto(&err)
		return m.Apply(&LocalTx{tx: tx}, args)
	})
	return nil
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
