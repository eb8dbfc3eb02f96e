package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	sdkcases "github.com/ordinatorhq/ordinator/mobile-sdk/cases"
	sdkcontent "github.com/ordinatorhq/ordinator/mobile-sdk/content"
	sdkdoctors "github.com/ordinatorhq/ordinator/mobile-sdk/doctors"
	sdkgifts "github.com/ordinatorhq/ordinator/mobile-sdk/gifts"
	sdkinbox "github.com/ordinatorhq/ordinator/mobile-sdk/inbox"
	sdkreports "github.com/ordinatorhq/ordinator/mobile-sdk/reports"
)

// deviceSchema is what `ordinator device` opens its replica with: the
// platform's domain modules, as an app on the SDK adds them (the mobile
// facade's Schema.AddDoctors and the others), so the terminal device has
// the same columns to query by and checks mutations as a phone does.
func deviceSchema() *sdk.Schema {
	s := sdk.NewSchema()
	for _, register := range []func(*sdk.Schema){sdkdoctors.Register, sdkcases.Register, sdkgifts.Register, sdkinbox.Register, sdkcontent.Register, sdkreports.Register} {
		register(s)
	}
	return s
}

// payloadTypes are the protobuf messages of the sync protocol's bytes: a
// Change.payload is its collection's message, a Mutation.args its
// mutation's arguments message.
type payloadTypes struct {
	collections map[string]protoreflect.MessageType
	mutations   map[string]protoreflect.MessageType
}

// newPayloadTypes reads the types from where the names are declared: the
// ordinator.sync.v1 mutation and collection options on the messages of
// the linked API packages (server and device use the constants generated
// from the same options). The protocol's own _outcome collection is the
// engine's, which declares no proto.
func newPayloadTypes() payloadTypes {
	t := payloadTypes{
		collections: map[string]protoreflect.MessageType{"_outcome": (&syncv1.Outcome{}).ProtoReflect().Type()},
		mutations:   map[string]protoreflect.MessageType{},
	}
	protoregistry.GlobalTypes.RangeMessages(func(mt protoreflect.MessageType) bool {
		opts := mt.Descriptor().Options()
		if opts == nil {
			return true
		}
		if name, _ := proto.GetExtension(opts, syncv1.E_Mutation).(string); name != "" {
			t.mutations[name] = mt
		}
		if name, _ := proto.GetExtension(opts, syncv1.E_Collection).(string); name != "" {
			t.collections[name] = mt
		}
		return true
	})
	return t
}

// encodeArgs turns a mutation's arguments as the user gave them into
// protobuf bytes: JSON ('{...}', or a file @args.json) is read as the
// mutation's arguments message; any other file (@args.binpb) is sent as
// it is.
func (t payloadTypes) encodeArgs(mutation, given string) ([]byte, error) {
	text := []byte(given)
	if file, ok := strings.CutPrefix(given, "@"); ok {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("arguments of %s: %v", mutation, unwrapPath(err))
		}
		if !strings.HasSuffix(file, ".json") {
			return b, nil
		}
		text = b
	} else if !bytes.HasPrefix(bytes.TrimSpace(text), []byte("{")) {
		return nil, fmt.Errorf("arguments of %s: give them as a JSON object ('{...}'), or as a file: @args.json, or @args.binpb with the protobuf bytes", mutation)
	}
	typ, ok := t.mutations[mutation]
	if !ok {
		return nil, fmt.Errorf("unknown mutation %s: its arguments cannot be read as JSON (the mutations are %s); to send it anyway, give its arguments as protobuf bytes in a file, @args.binpb",
			mutation, strings.Join(sortedKeys(t.mutations), ", "))
	}
	m := typ.New().Interface()
	if err := protojson.Unmarshal(text, m); err != nil {
		return nil, fmt.Errorf("arguments of %s are not a JSON %s: %s", mutation, typ.Descriptor().FullName(), protoPrefix.ReplaceAllString(err.Error(), ""))
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(m)
}

// protoPrefix starts the protobuf module's errors (with a space that
// varies on purpose).
var protoPrefix = regexp.MustCompile(`^proto:\s*`)

// recordJSON shows a payload as its collection's message in JSON (field
// names as in the protos), or nil if the collection's message is unknown
// or the payload is not one.
func (t payloadTypes) recordJSON(collection string, payload []byte) json.RawMessage {
	typ, ok := t.collections[collection]
	if !ok {
		return nil
	}
	m := typ.New().Interface()
	if err := proto.Unmarshal(payload, m); err != nil {
		return nil
	}
	b, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(m)
	if err != nil {
		return nil
	}
	// protojson varies its spacing on purpose; compacting makes the output
	// stable for scripts and diffs.
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return nil
	}
	return out.Bytes()
}
