package syncengine

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// Mutation is one entry of a client's outbox: a named server-side command
// with its encoded arguments. Seq numbers a client's mutations 1, 2, 3...
type Mutation struct {
	Seq       int64
	Name      string
	Args      []byte
	CreatedAt time.Time // the device's clock when it was made; not trusted
}

// Status is whether a mutation was applied.
type Status int8

const (
	StatusApplied  Status = 1
	StatusRejected Status = 2
)

func (s Status) String() string {
	switch s {
	case StatusApplied:
		return "applied"
	case StatusRejected:
		return "rejected"
	}
	return "unknown"
}

// Outcome is what became of one mutation. It is stored, so a retried push
// gets the same answer, and written to the user's bucket, so a lost response
// loses nothing.
type Outcome struct {
	ClientID  string
	Seq       int64
	Name      string
	Status    Status
	Result    []byte // optional, from the mutator (an order number...)
	Error     *Error // why it was rejected
	Replayed  bool   // this is the stored outcome of an earlier push
	DecidedAt time.Time
}

// OutcomeCollection is the collection outcomes are synced under, in the
// user bucket, with record id OutcomeRecordID(client, seq).
const OutcomeCollection = "_outcome"

// OutcomeRecordID names the outcome record of a client's mutation.
func OutcomeRecordID(clientID string, seq int64) string {
	return fmt.Sprintf("%s/%d", clientID, seq)
}

// Call is what a mutator is given besides the transaction.
type Call struct {
	Principal Principal
	ClientID  string
	Mutation  Mutation
}

// Mutator is a named server-side command. It decodes and validates its
// arguments, authorises the principal, and writes through tx. Returning an
// *Error rejects the mutation (its writes are undone, the outcome says why);
// any other error is internal.
type Mutator interface {
	Apply(ctx context.Context, tx Tx, call Call) (result []byte, err error)
}

// MutatorFunc adapts a function to Mutator.
type MutatorFunc func(ctx context.Context, tx Tx, call Call) ([]byte, error)

// Apply implements Mutator.
func (f MutatorFunc) Apply(ctx context.Context, tx Tx, call Call) ([]byte, error) {
	return f(ctx, tx, call)
}

// Registry maps mutation names to mutators. It is filled at start-up, before
// the engine serves, and read-only after.
type Registry struct {
	m map[string]Mutator
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{m: map[string]Mutator{}} }

// Register adds a mutator. Registering a name twice is a wiring bug and
// panics, like http.Handle.
func (r *Registry) Register(name string, m Mutator) {
	if name == "" || m == nil {
		panic("syncengine: Register needs a name and a mutator")
	}
	if _, dup := r.m[name]; dup {
		panic("syncengine: mutator " + name + " registered twice")
	}
	r.m[name] = m
}

// Lookup returns the mutator registered under name.
func (r *Registry) Lookup(name string) (Mutator, bool) {
	m, ok := r.m[name]
	return m, ok
}

// Names lists the registered mutations, sorted.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.m))
	for n := range r.m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
