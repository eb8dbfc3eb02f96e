package sdk

import (
	"context"
	"fmt"

	"google.golang.org/protobuf/proto"
)

// Typed helpers: a domain package describes a collection whose payloads
// are protobuf messages once, and gets indexed columns and typed reads and
// writes. For doctors, say:
//
//	var Doctors = sdk.ProtoCollection[*probasev1.Doctor]("doctor",
//		sdk.ProtoColumn[*probasev1.Doctor]{Name: "name_key", Type: sdk.Text,
//			Value: func(d *probasev1.Doctor) any { return strings.ToLower(d.GetName()) }},
//		sdk.ProtoColumn[*probasev1.Doctor]{Name: "territory", Type: sdk.Text,
//			Value: func(d *probasev1.Doctor) any { return d.GetTerritoryId() }},
//	)
//	schema.AddCollection(Doctors.Collection)
//	schema.AddMutation("doctor.propose_edit", sdk.ProtoMutation(func(tx *sdk.LocalTx, a *probasev1.ProposeEditArgs) error {...}))
//	doctors, err := Doctors.Query(ctx, replica, sdk.Query{Where: ...})

// ProtoColumn computes one indexed column from a decoded message.
type ProtoColumn[M proto.Message] struct {
	Name  string
	Type  ColumnType
	Value func(M) any
}

// TypedCollection is a collection of M messages.
type TypedCollection[M proto.Message] struct {
	Collection Collection
	new        func() M
}

// ProtoCollection describes a collection of M messages with columns
// computed from each decoded payload (decoded once per write).
func ProtoCollection[M proto.Message](name string, columns ...ProtoColumn[M]) *TypedCollection[M] {
	tc := &TypedCollection[M]{new: newMessage[M]}
	c := Collection{Name: name, Message: tc.new().ProtoReflect().Type()}
	for _, col := range columns {
		c.Columns = append(c.Columns, Column{Name: col.Name, Type: col.Type})
	}
	if len(columns) > 0 {
		c.Extract = func(payload []byte) ([]any, error) {
			m := tc.new()
			if err := proto.Unmarshal(payload, m); err != nil {
				return nil, err
			}
			vals := make([]any, len(columns))
			for i, col := range columns {
				vals[i] = col.Value(m)
			}
			return vals, nil
		}
	}
	tc.Collection = c
	return tc
}

// newMessage returns a new, empty M (M is a pointer to a message struct).
func newMessage[M proto.Message]() M {
	var zero M
	return zero.ProtoReflect().Type().New().Interface().(M)
}

// Decode decodes a record's payload.
func (tc *TypedCollection[M]) Decode(rec Record) (M, error) {
	m := tc.new()
	if err := proto.Unmarshal(rec.Payload, m); err != nil {
		return m, fmt.Errorf("sdk: decoding %s %s: %w", tc.Collection.Name, rec.ID, err)
	}
	return m, nil
}

// Get returns one record decoded.
func (tc *TypedCollection[M]) Get(ctx context.Context, r *Replica, id string) (M, bool, error) {
	rec, ok, err := r.Get(ctx, tc.Collection.Name, id)
	if err != nil || !ok {
		var zero M
		return zero, false, err
	}
	m, err := tc.Decode(rec)
	return m, err == nil, err
}

// Query returns the matching records decoded (q.Collection is ignored).
func (tc *TypedCollection[M]) Query(ctx context.Context, r *Replica, q Query) ([]M, error) {
	q.Collection = tc.Collection.Name
	recs, err := r.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]M, 0, len(recs))
	for _, rec := range recs {
		m, err := tc.Decode(rec)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// GetTx returns a record of the collection decoded, inside a Mutator,
// pending writes included.
func (tc *TypedCollection[M]) GetTx(tx *LocalTx, id string) (M, bool, error) {
	var zero M
	payload, ok, err := tx.Get(tc.Collection.Name, id)
	if err != nil || !ok {
		return zero, false, err
	}
	m := tc.new()
	if err := proto.Unmarshal(payload, m); err != nil {
		return zero, false, err
	}
	return m, true, nil
}

// Put writes a record of the collection optimistically.
func (tc *TypedCollection[M]) Put(tx *LocalTx, id string, m M) error {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return err
	}
	return tx.Put(tc.Collection.Name, id, b)
}

// ProtoMutation adapts an optimistic apply function taking decoded
// arguments of type A.
func ProtoMutation[A proto.Message](apply func(tx *LocalTx, args A) error) Mutator {
	return func(tx *LocalTx, raw []byte) error {
		a := newMessage[A]()
		if err := proto.Unmarshal(raw, a); err != nil {
			return fmt.Errorf("sdk: decoding mutation arguments: %w", err)
		}
		return apply(tx, a)
	}
}

// MutateProto queues a mutation whose arguments are a protobuf message.
func (r *Replica) MutateProto(ctx context.Context, name string, args proto.Message) (int64, error) {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(args)
	if err != nil {
		return 0, err
	}
	return r.Mutate(ctx, name, b)
}
