package fields_test

import (
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/sourcecontextpb"
	"google.golang.org/protobuf/types/known/typepb"

	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/rules/fields"
)

// typepb.Type stands in for a domain message: a string, a repeated string,
// an enum and a nested message.
var typeTemplate = fields.Template{Collection: "type", Rules: []fields.Rule{
	{Field: "name", Required: true},
	{Field: "oneofs", List: true},
	{Field: "source_context.file_name", Pattern: `[a-z]+\.proto`},
	{Field: "syntax"},
}}

func TestTemplateProtoRoundTrip(t *testing.T) {
	got := fields.FromProto(tmpl.Proto())
	if got.Collection != tmpl.Collection || got.Version != tmpl.Version || len(got.Rules) != len(tmpl.Rules) {
		t.Fatalf("got %+v", got)
	}
	for i := range tmpl.Rules {
		a, b := tmpl.Rules[i], got.Rules[i]
		if a.Field != b.Field || a.Label != b.Label || a.Required != b.Required || a.List != b.List || a.MaxItems != b.MaxItems ||
			a.MinLen != b.MinLen || a.MaxLen != b.MaxLen || a.Pattern != b.Pattern || a.PatternHint != b.PatternHint ||
			!slices.Equal(a.OneOf, b.OneOf) || a.Ref != b.Ref {
			t.Fatalf("rule %d: %+v became %+v", i, a, b)
		}
	}
	// Through the wire too: a device decodes what the server encoded.
	b, err := proto.Marshal(tmpl.Proto())
	if err != nil {
		t.Fatal(err)
	}
	var wire syncv1.FieldTemplate
	if err := proto.Unmarshal(b, &wire); err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(fields.FromProto(&wire).Proto(), tmpl.Proto()) {
		t.Fatal("the template does not survive encoding")
	}
}

func TestMessageValues(t *testing.T) {
	m := &typepb.Type{Name: "Doctor", Oneofs: []string{"a", "b"}, SourceContext: &sourcecontextpb.SourceContext{FileName: "x.proto"}, Syntax: typepb.Syntax_SYNTAX_EDITIONS}
	v := fields.MessageValues(m, typeTemplate)
	want := fields.Values{"name": {"Doctor"}, "oneofs": {"a", "b"}, "source_context.file_name": {"x.proto"}, "syntax": {"SYNTAX_EDITIONS"}}
	if !equal(v, want) {
		t.Fatalf("got %v, want %v", v, want)
	}
	// Empty fields and an absent nested message give no values.
	v = fields.MessageValues(&typepb.Type{Name: "D"}, typeTemplate)
	if !equal(v, fields.Values{"name": {"D"}}) {
		t.Fatalf("sparse: %v", v)
	}
	// A rule the message does not have is left out.
	v = fields.MessageValues(m, fields.Template{Rules: []fields.Rule{{Field: "nope"}, {Field: "name.deeper"}}})
	if len(v) != 0 {
		t.Fatalf("unknown paths: %v", v)
	}
	// The values check with the same template.
	viol, err := typeTemplate.Check(fields.MessageValues(&typepb.Type{SourceContext: &sourcecontextpb.SourceContext{FileName: "X"}}, typeTemplate), nil)
	if err != nil || len(viol) != 2 || viol[0].Field != "name" || viol[1].Field != "source_context.file_name" {
		t.Fatalf("violations %v, %v", viol, err)
	}
}

func TestSetMessageValues(t *testing.T) {
	m := &typepb.Type{Name: "Old", Oneofs: []string{"x"}, Edition: "2023"}
	err := fields.SetMessageValues(m, fields.Values{"name": {"New"}, "oneofs": {"a", "b"}, "source_context.file_name": {"f.proto"}, "syntax": {"SYNTAX_PROTO3"}})
	if err != nil {
		t.Fatal(err)
	}
	want := &typepb.Type{Name: "New", Oneofs: []string{"a", "b"}, SourceContext: &sourcecontextpb.SourceContext{FileName: "f.proto"}, Syntax: typepb.Syntax_SYNTAX_PROTO3, Edition: "2023"}
	if !proto.Equal(m, want) {
		t.Fatalf("got %v, want %v", m, want)
	}
	// Emptying clears, and a nested message left empty goes away.
	if err := fields.SetMessageValues(m, fields.Values{"oneofs": nil, "source_context.file_name": {""}, "name": {}}); err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(m, &typepb.Type{Syntax: typepb.Syntax_SYNTAX_PROTO3, Edition: "2023"}) || m.SourceContext != nil {
		t.Fatalf("after clearing: %v", m)
	}
	// Round trip through values.
	orig := &typepb.Type{Name: "R", Oneofs: []string{"o"}, SourceContext: &sourcecontextpb.SourceContext{FileName: "r.proto"}}
	back := &typepb.Type{}
	if err := fields.SetMessageValues(back, fields.MessageValues(orig, typeTemplate)); err != nil || !proto.Equal(orig, back) {
		t.Fatalf("round trip: %v, %v", back, err)
	}
	for _, tc := range []struct {
		v    fields.Values
		want string
	}{
		{fields.Values{"salary": {"1"}}, "has no field salary"},
		{fields.Values{"name.first": {"1"}}, "not a nested message"},
		{fields.Values{"fields": {"1"}}, "not a value"},
		{fields.Values{"source_context": {"1"}}, "not a value"},
		{fields.Values{"name": {"a", "b"}}, "takes one value"},
		{fields.Values{"syntax": {"SYNTAX_COBOL"}}, "is not a value of"},
	} {
		err := fields.SetMessageValues(&typepb.Type{}, tc.v)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want an error with %q", tc.v, err, tc.want)
		}
	}
}

func equal(a, b fields.Values) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}
