package sdk

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// Schema tells a replica what it needs to know about the app's data: how to
// index each collection's payloads into columns of its local table, which
// media a record references, and how to apply each mutation to the local
// rows before the server has seen it. Fill it before Open; it is read-only
// after. Collections the schema does not name still sync and can be read by
// id; they just have no columns to query by.
type Schema struct {
	collections map[string]*Collection
	mutators    map[string]Mutator
	indexes     map[string][]*Index
}

// NewSchema returns an empty schema.
func NewSchema() *Schema {
	return &Schema{collections: map[string]*Collection{}, mutators: map[string]Mutator{}, indexes: map[string][]*Index{}}
}

// ColumnType is the SQLite type of an indexed column.
type ColumnType string

const (
	Text    ColumnType = "TEXT"
	Integer ColumnType = "INTEGER"
	Real    ColumnType = "REAL"
)

// Column is a column of a collection's local table, with an index.
type Column struct {
	Name string
	Type ColumnType
}

// Collection describes one synced collection.
type Collection struct {
	// Name is the collection as the server names it ("doctor", "case").
	Name string
	// Columns are extracted from every payload by Extract and indexed, so
	// queries can filter and sort by them.
	Columns []Column
	// Extract returns one value per column (string, int64, float64, bool or
	// nil) for a payload. A payload it cannot decode is stored without
	// column values rather than lost.
	Extract func(payload []byte) ([]any, error)
	// Media returns the ids of the media a record references; their
	// downloaded files stay while some record references them.
	Media func(payload []byte) ([]string, error)
	// Message is the protobuf type of the payloads, when they are one
	// (ProtoCollection sets it), so tools can show records as JSON.
	Message protoreflect.MessageType
}

// Mutator applies a mutation to the local rows optimistically, through tx,
// exactly as the server's mutator of the same name will. It must be
// deterministic: it runs again on top of fresh server state at every
// checkpoint until the server has applied the mutation. An error refuses the
// write: nothing is stored and the app gets the error.
type Mutator func(tx *LocalTx, args []byte) error

var identifier = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// reserved columns of every collection table.
var reserved = []string{"id", "payload", "pending"}

// AddCollection registers a collection. Registering one twice or with bad
// column names is a wiring bug and panics, like http.Handle.
func (s *Schema) AddCollection(c Collection) *Schema {
	if c.Name == "" || strings.HasPrefix(c.Name, "_") {
		panic(fmt.Sprintf("sdk: collection name %q: must be non-empty and not start with _", c.Name))
	}
	if _, dup := s.collections[c.Name]; dup {
		panic("sdk: collection " + c.Name + " registered twice")
	}
	seen := map[string]bool{}
	for _, col := range c.Columns {
		if !identifier.MatchString(col.Name) || slices.Contains(reserved, col.Name) || seen[col.Name] {
			panic(fmt.Sprintf("sdk: collection %s: column %q must be a unique lowercase identifier other than %v", c.Name, col.Name, reserved))
		}
		seen[col.Name] = true
		switch col.Type {
		case Text, Integer, Real:
		default:
			panic(fmt.Sprintf("sdk: collection %s: column %s has unknown type %q", c.Name, col.Name, col.Type))
		}
	}
	if len(c.Columns) > 0 && c.Extract == nil {
		panic("sdk: collection " + c.Name + " has columns but no Extract")
	}
	s.collections[c.Name] = &c
	return s
}

// AddMutation registers the optimistic apply function of a mutation.
func (s *Schema) AddMutation(name string, m Mutator) *Schema {
	if name == "" || m == nil {
		panic("sdk: AddMutation needs a name and a function")
	}
	if _, dup := s.mutators[name]; dup {
		panic("sdk: mutation " + name + " registered twice")
	}
	s.mutators[name] = m
	return s
}

// Collections lists the registered collections by name.
func (s *Schema) Collections() []string { return slices.Sorted(maps.Keys(s.collections)) }

// Collection returns the registered description of a collection.
func (s *Schema) Collection(name string) (Collection, bool) {
	c, ok := s.collections[name]
	if !ok {
		return Collection{}, false
	}
	return *c, true
}

// collection returns the registered description of name, or a bare one.
func (s *Schema) collection(name string) *Collection {
	if c, ok := s.collections[name]; ok {
		return c
	}
	return &Collection{Name: name}
}

// spec is what a collection table is built from; a change rebuilds it.
func (c *Collection) spec() string {
	b, _ := json.Marshal(c.Columns)
	return string(b)
}

// internal reports whether a collection is the protocol's own (outcomes):
// synced and checksummed, but not given a table.
func internal(collection string) bool { return strings.HasPrefix(collection, "_") }
