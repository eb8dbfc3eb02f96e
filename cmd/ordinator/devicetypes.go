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

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	notifyv1 "github.com/ordinatorhq/ordinator/api/ordinator/notify/v1"
	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	studiesv1 "github.com/ordinatorhq/ordinator/api/ordinator/studies/v1"
	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	sdkcases "github.com/ordinatorhq/ordinator/mobile-sdk/cases"
	sdkcontent "github.com/ordinatorhq/ordinator/mobile-sdk/content"
	sdkdoctors "github.com/ordinatorhq/ordinator/mobile-sdk/doctors"
	sdkgifts "github.com/ordinatorhq/ordinator/mobile-sdk/gifts"
	sdkinbox "github.com/ordinatorhq/ordinator/mobile-sdk/inbox"
)

// deviceSchema is what `ordinator device` opens its replica with: the
// platform's domain modules, as an app on the SDK adds them (the mobile
// facade's Schema.AddDoctors and the others), so the terminal device has
// the same columns to query by and checks mutations as a phone does.
func deviceSchema() *sdk.Schema {
	s := sdk.NewSchema()
	for _, register := range []func(*sdk.Schema){sdkdoctors.Register, sdkcases.Register, sdkgifts.Register, sdkinbox.Register, sdkcontent.Register} {
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

// newPayloadTypes takes the collections' messages from the schema's typed
// collections, and the others' from the few collections no device module
// declares.
func newPayloadTypes(schema *sdk.Schema) payloadTypes {
	t := payloadTypes{collections: map[string]protoreflect.MessageType{}, mutations: mutationArgs()}
	for name, m := range map[string]proto.Message{
		"_outcome":        &syncv1.Outcome{}, // the protocol's: outcomes in the user bucket
		"account":         &authv1.User{},
		"media":           &mediav1.Media{},
		"study_enrolment": &studiesv1.StudyEnrolment{},
		"study_result":    &studiesv1.StudyResult{},
	} {
		t.collections[name] = m.ProtoReflect().Type()
	}
	for _, name := range schema.Collections() {
		if c, _ := schema.Collection(name); c.Message != nil {
			t.collections[name] = c.Message
		}
	}
	return t
}

// mutationArgs are the arguments of the server's mutations. The server's
// registry is the authority (mutator.ArgsOf); TestPayloadTypes keeps this
// copy, which the device needs without a server at hand, equal to it.
func mutationArgs() map[string]protoreflect.MessageType {
	out := map[string]protoreflect.MessageType{}
	for name, m := range map[string]proto.Message{
		"case.comment":            &casesv1.CommentArgs{},
		"case.save_draft":         &casesv1.SaveDraftArgs{},
		"case.submit":             &casesv1.SubmitArgs{},
		"case.withdraw":           &casesv1.WithdrawArgs{},
		"content.record_progress": &contentv1.RecordProgressArgs{},
		"doctor.propose_edit":     &probasev1.ProposeEditArgs{},
		"doctor.request_update":   &probasev1.RequestUpdateArgs{},
		"gift.cancel_order":       &giftsv1.CancelOrderArgs{},
		"gift.place_order":        &giftsv1.PlaceOrderArgs{},
		"inbox.mark_read":         &notifyv1.MarkReadArgs{},
		"study.remind":            &studiesv1.RemindArgs{},
		"study.submit_result":     &studiesv1.SubmitResultArgs{},
		"training.complete":       &contentv1.CompleteTrainingArgs{},
	} {
		out[name] = m.ProtoReflect().Type()
	}
	return out
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
