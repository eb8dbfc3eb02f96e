package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
)

// request asks for the constants of the gifts protos, as buf would, after
// edit has changed gifts.proto's descriptor.
func request(t *testing.T, edit func(*descriptorpb.FileDescriptorProto)) *pluginpb.CodeGeneratorRequest {
	t.Helper()
	req := &pluginpb.CodeGeneratorRequest{Parameter: proto.String("paths=source_relative")}
	seen := map[string]bool{}
	var add func(protoreflect.FileDescriptor)
	add = func(f protoreflect.FileDescriptor) {
		if seen[f.Path()] {
			return
		}
		seen[f.Path()] = true
		imports := f.Imports()
		for i := range imports.Len() {
			add(imports.Get(i).FileDescriptor)
		}
		fd := protodesc.ToFileDescriptorProto(f)
		if f.Path() == giftsv1.File_ordinator_gifts_v1_gifts_proto.Path() && edit != nil {
			edit(fd)
		}
		req.ProtoFile = append(req.ProtoFile, fd)
	}
	add(giftsv1.File_ordinator_gifts_v1_gifts_proto)
	add(giftsv1.File_ordinator_gifts_v1_warehouse_proto)
	req.FileToGenerate = []string{"ordinator/gifts/v1/gifts.proto", "ordinator/gifts/v1/warehouse.proto"}
	return req
}

func run(t *testing.T, req *pluginpb.CodeGeneratorRequest) (map[string]string, error) {
	t.Helper()
	gen, err := protogen.Options{}.New(req)
	if err != nil {
		t.Fatal(err)
	}
	if err := generate(gen); err != nil {
		return nil, err
	}
	res := gen.Response()
	if res.Error != nil {
		t.Fatal(res.GetError())
	}
	out := map[string]string{}
	for _, f := range res.File {
		out[f.GetName()] = f.GetContent()
	}
	return out, nil
}

// message finds a message of the file by name.
func message(t *testing.T, fd *descriptorpb.FileDescriptorProto, name string) *descriptorpb.DescriptorProto {
	for _, m := range fd.MessageType {
		if m.GetName() == name {
			if m.Options == nil {
				m.Options = &descriptorpb.MessageOptions{}
			}
			return m
		}
	}
	t.Fatalf("no message %s", name)
	return nil
}

// TestConstants: the plugin writes the constants checked into api/ (the
// gifts file names waves, catalog items, orders and two mutations), and
// nothing for a file that names no message.
func TestConstants(t *testing.T) {
	out, err := run(t, request(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 {
		t.Fatalf("generated %d files, want only gifts.names.go: %v", len(out), out)
	}
	got, ok := out["ordinator/gifts/v1/gifts.names.go"]
	if !ok {
		t.Fatalf("no gifts.names.go in %v", out)
	}
	for _, want := range []string{`PlaceOrderMutation = "gift.place_order"`, `CancelOrderMutation = "gift.cancel_order"`,
		`WaveCollection = "gift_wave"`, `CatalogItemCollection = "gift_catalog_item"`, `OrderCollection = "gift_order"`} {
		if !strings.Contains(strings.Join(strings.Fields(got), " "), want) {
			t.Errorf("gifts.names.go lacks %s:\n%s", want, got)
		}
	}
	checkedIn, err := os.ReadFile(filepath.Join("..", "..", "api", "ordinator", "gifts", "v1", "gifts.names.go"))
	if err != nil {
		t.Fatal(err)
	}
	if got != string(checkedIn) {
		t.Errorf("generated:\n%s\nchecked in:\n%s", got, checkedIn)
	}
}

func TestRefusals(t *testing.T) {
	for _, c := range []struct {
		what string
		edit func(*testing.T, *descriptorpb.FileDescriptorProto)
		want string
	}{
		{"a mutation claimed twice", func(t *testing.T, fd *descriptorpb.FileDescriptorProto) {
			proto.SetExtension(message(t, fd, "CancelOrderArgs").Options, syncv1.E_Mutation, "gift.place_order")
		}, `mutation "gift.place_order" is already the mutation of ordinator.gifts.v1.PlaceOrderArgs`},
		{"a collection claimed twice", func(t *testing.T, fd *descriptorpb.FileDescriptorProto) {
			proto.SetExtension(message(t, fd, "DeliveryAddress").Options, syncv1.E_Collection, "gift_wave")
		}, `collection "gift_wave" is already the collection of ordinator.gifts.v1.Wave`},
		{"arguments not named <Verb>Args", func(t *testing.T, fd *descriptorpb.FileDescriptorProto) {
			proto.SetExtension(message(t, fd, "PlaceOrderResult").Options, syncv1.E_Mutation, "gift.place_result")
		}, "call the arguments of a mutation <Verb>Args"},
	} {
		t.Run(c.what, func(t *testing.T) {
			_, err := run(t, request(t, func(fd *descriptorpb.FileDescriptorProto) { c.edit(t, fd) }))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error saying %s", err, c.want)
			}
		})
	}
}
