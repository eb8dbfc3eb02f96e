package mutator_test

import (
	"context"
	"testing"

	"google.golang.org/protobuf/proto"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/server/mutator"
	"github.com/ordinatorhq/ordinator/syncengine"
)

func TestDecodeAndValidate(t *testing.T) {
	called := 0
	m := mutator.New(func() *authv1.RevokeDeviceRequest { return &authv1.RevokeDeviceRequest{} },
		func(ctx context.Context, tx syncengine.Tx, c syncengine.Call, a *authv1.RevokeDeviceRequest) ([]byte, error) {
			called++
			return []byte(a.DeviceId), nil
		})
	call := func(args []byte) ([]byte, error) {
		return m.Apply(context.Background(), nil, syncengine.Call{Mutation: syncengine.Mutation{Name: "x.y", Args: args}})
	}
	if _, err := call([]byte{0xff, 0xff}); syncengine.ErrorCode(err) != syncengine.EINVALID {
		t.Fatalf("malformed: %v", err)
	}
	empty, _ := proto.Marshal(&authv1.RevokeDeviceRequest{})
	_, err := call(empty)
	var e *syncengine.Error
	if syncengine.ErrorCode(err) != syncengine.EINVALID || !errorsAs(err, &e) || e.Violations[0].Field != "device_id" {
		t.Fatalf("invalid: %v", err)
	}
	good, _ := proto.Marshal(&authv1.RevokeDeviceRequest{DeviceId: "d1"})
	if res, err := call(good); err != nil || string(res) != "d1" || called != 1 {
		t.Fatalf("valid: %q %v (called %d)", res, err, called)
	}
}

func errorsAs(err error, e **syncengine.Error) bool {
	x, ok := err.(*syncengine.Error)
	*e = x
	return ok
}

func TestArgsOf(t *testing.T) {
	m := mutator.New(func() *authv1.RevokeDeviceRequest { return &authv1.RevokeDeviceRequest{} },
		func(context.Context, syncengine.Tx, syncengine.Call, *authv1.RevokeDeviceRequest) ([]byte, error) {
			return nil, nil
		})
	if typ, ok := mutator.ArgsOf(m); !ok || typ.Descriptor().FullName() != "ordinator.auth.v1.RevokeDeviceRequest" {
		t.Fatalf("ArgsOf = %v, %v", typ, ok)
	}
	plain := syncengine.MutatorFunc(func(context.Context, syncengine.Tx, syncengine.Call) ([]byte, error) { return nil, nil })
	if _, ok := mutator.ArgsOf(plain); ok {
		t.Fatal("ArgsOf knows the arguments of a mutator New did not make")
	}
}
