// Package mutator builds sync mutators whose arguments are protobuf
// messages: the arguments are decoded and checked against their
// protovalidate rules before the mutator's own code runs, so a malformed or
// invalid mutation is rejected with the fields at fault.
package mutator

import (
	"context"
	"sync"

	"buf.build/go/protovalidate"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ordinatorhq/ordinator/server/rpc"
	"github.com/ordinatorhq/ordinator/syncengine"
)

var validator = sync.OnceValues(func() (protovalidate.Validator, error) { return protovalidate.New() })

// Func is a mutator over decoded, validated arguments of type A.
type Func[A proto.Message] func(ctx context.Context, tx syncengine.Tx, call syncengine.Call, args A) (result []byte, err error)

// New returns a syncengine.Mutator that decodes the arguments into a new A
// (made by newArgs), validates them and calls fn. The mutator tells its
// argument type to ArgsOf.
func New[A proto.Message](newArgs func() A, fn Func[A]) syncengine.Mutator {
	return typed[A]{newArgs: newArgs, fn: fn}
}

type typed[A proto.Message] struct {
	newArgs func() A
	fn      Func[A]
}

func (m typed[A]) Apply(ctx context.Context, tx syncengine.Tx, call syncengine.Call) ([]byte, error) {
	args := m.newArgs()
	if err := proto.Unmarshal(call.Mutation.Args, args); err != nil {
		return nil, syncengine.Invalid("malformed arguments for "+call.Mutation.Name, syncengine.Violation{Field: "args", Description: err.Error()})
	}
	v, err := validator()
	if err != nil {
		return nil, err
	}
	if err := rpc.Validate(v, args); err != nil {
		return nil, err
	}
	return m.fn(ctx, tx, call, args)
}

func (m typed[A]) args() protoreflect.MessageType { return m.newArgs().ProtoReflect().Type() }

// ArgsOf returns the message type of a mutator's arguments (Mutation.args),
// for a mutator New made; tools list and encode mutations by it.
func ArgsOf(m syncengine.Mutator) (protoreflect.MessageType, bool) {
	t, ok := m.(interface {
		args() protoreflect.MessageType
	})
	if !ok {
		return nil, false
	}
	return t.args(), true
}

// Result encodes a mutator's result message.
func Result(m proto.Message) ([]byte, error) { return proto.Marshal(m) }
