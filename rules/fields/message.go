package fields

import (
	"fmt"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
)

// Proto encodes the template as it syncs to devices.
func (t Template) Proto() *syncv1.FieldTemplate {
	out := &syncv1.FieldTemplate{Collection: t.Collection, Version: int32(t.Version)}
	for _, r := range t.Rules {
		out.Rules = append(out.Rules, &syncv1.FieldRule{
			Field: r.Field, Label: r.Label, Required: r.Required, List: r.List, MaxItems: int32(r.MaxItems),
			MinLen: int32(r.MinLen), MaxLen: int32(r.MaxLen), Pattern: r.Pattern, PatternHint: r.PatternHint,
			OneOf: r.OneOf, Ref: r.Ref,
		})
	}
	return out
}

// FromProto decodes a synced template.
func FromProto(p *syncv1.FieldTemplate) Template {
	t := Template{Collection: p.GetCollection(), Version: int(p.GetVersion())}
	for _, r := range p.GetRules() {
		t.Rules = append(t.Rules, Rule{
			Field: r.GetField(), Label: r.GetLabel(), Required: r.GetRequired(), List: r.GetList(), MaxItems: int(r.GetMaxItems()),
			MinLen: int(r.GetMinLen()), MaxLen: int(r.GetMaxLen()), Pattern: r.GetPattern(), PatternHint: r.GetPatternHint(),
			OneOf: r.GetOneOf(), Ref: r.GetRef(),
		})
	}
	return t
}

// MessageValues reads the template's fields out of a message. A field is a
// dotted path of proto field names into nested messages
// ("delivery_address.city"); a repeated field gives a list. Empty fields
// are left out, as are paths the message does not have.
func MessageValues(m proto.Message, t Template) Values {
	out := Values{}
	for _, r := range t.Rules {
		msg, fd, err := resolve(m.ProtoReflect(), r.Field, false)
		if err != nil || !msg.IsValid() {
			continue
		}
		if vals := valuesOf(msg, fd); len(vals) > 0 {
			out[r.Field] = vals
		}
	}
	return out
}

// SetMessageValues sets the fields named in v on a message; a field with no
// value (or only an empty one) is cleared, and a nested message left with
// nothing set is cleared too. A path the message does not have, a kind of
// field that cannot hold text, or a value that does not parse is an error,
// and then m may be partly changed.
func SetMessageValues(m proto.Message, v Values) error {
	root := m.ProtoReflect()
	for field, vals := range v {
		msg, fd, err := resolve(root, field, true)
		if err != nil {
			return err
		}
		if err := setValues(msg, fd, vals); err != nil {
			return fmt.Errorf("fields: %s: %w", field, err)
		}
	}
	for field := range v {
		pruneEmpty(root, strings.Split(field, "."))
	}
	return nil
}

// resolve walks a dotted path to the message holding its last field,
// creating the nested messages on the way when mutable.
func resolve(m protoreflect.Message, path string, mutable bool) (protoreflect.Message, protoreflect.FieldDescriptor, error) {
	parts := strings.Split(path, ".")
	for i, name := range parts {
		fd := m.Descriptor().Fields().ByName(protoreflect.Name(name))
		if fd == nil {
			return nil, nil, fmt.Errorf("fields: %s has no field %s", m.Descriptor().FullName(), path)
		}
		if i == len(parts)-1 {
			return m, fd, nil
		}
		if fd.Kind() != protoreflect.MessageKind || fd.IsList() || fd.IsMap() {
			return nil, nil, fmt.Errorf("fields: %s: %s is not a nested message", path, name)
		}
		if mutable {
			m = m.Mutable(fd).Message()
		} else {
			if !m.Has(fd) {
				return m.Get(fd).Message(), nil, nil // an invalid (absent) message: no values
			}
			m = m.Get(fd).Message()
		}
	}
	return nil, nil, fmt.Errorf("fields: empty field path")
}

func valuesOf(m protoreflect.Message, fd protoreflect.FieldDescriptor) []string {
	if fd.IsMap() || fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind {
		return nil
	}
	if fd.IsList() {
		l := m.Get(fd).List()
		var out []string
		for i := 0; i < l.Len(); i++ {
			out = append(out, text(fd, l.Get(i)))
		}
		return out
	}
	if !m.Has(fd) {
		return nil
	}
	return []string{text(fd, m.Get(fd))}
}

func text(fd protoreflect.FieldDescriptor, v protoreflect.Value) string {
	if fd.Kind() == protoreflect.EnumKind {
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return string(ev.Name())
		}
		return strconv.Itoa(int(v.Enum()))
	}
	return v.String()
}

func setValues(m protoreflect.Message, fd protoreflect.FieldDescriptor, vals []string) error {
	if fd.IsMap() || fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind {
		return fmt.Errorf("is a %s, not a value", fd.Kind())
	}
	if fd.IsList() {
		m.Clear(fd)
		if len(vals) == 0 {
			return nil
		}
		l := m.Mutable(fd).List()
		for _, s := range vals {
			pv, err := parse(fd, s)
			if err != nil {
				return err
			}
			l.Append(pv)
		}
		return nil
	}
	switch {
	case len(vals) > 1:
		return fmt.Errorf("takes one value, got %d", len(vals))
	case len(vals) == 0 || vals[0] == "":
		m.Clear(fd)
		return nil
	}
	pv, err := parse(fd, vals[0])
	if err != nil {
		return err
	}
	m.Set(fd, pv)
	return nil
}

func parse(fd protoreflect.FieldDescriptor, s string) (protoreflect.Value, error) {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(s), nil
	case protoreflect.BoolKind:
		b, err := strconv.ParseBool(s)
		return protoreflect.ValueOfBool(b), err
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		n, err := strconv.ParseInt(s, 10, 32)
		return protoreflect.ValueOfInt32(int32(n)), err
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		n, err := strconv.ParseInt(s, 10, 64)
		return protoreflect.ValueOfInt64(n), err
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		n, err := strconv.ParseUint(s, 10, 32)
		return protoreflect.ValueOfUint32(uint32(n)), err
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		n, err := strconv.ParseUint(s, 10, 64)
		return protoreflect.ValueOfUint64(n), err
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByName(protoreflect.Name(s)); ev != nil {
			return protoreflect.ValueOfEnum(ev.Number()), nil
		}
		return protoreflect.Value{}, fmt.Errorf("%q is not a value of %s", s, fd.Enum().FullName())
	}
	return protoreflect.Value{}, fmt.Errorf("a %s field cannot be set from text", fd.Kind())
}

// pruneEmpty clears the nested messages along a path that hold nothing,
// deepest first.
func pruneEmpty(m protoreflect.Message, parts []string) {
	if len(parts) < 2 {
		return
	}
	fd := m.Descriptor().Fields().ByName(protoreflect.Name(parts[0]))
	if fd == nil || fd.Kind() != protoreflect.MessageKind || fd.IsList() || fd.IsMap() || !m.Has(fd) {
		return
	}
	child := m.Get(fd).Message()
	pruneEmpty(child, parts[1:])
	if isEmpty(child) {
		m.Clear(fd)
	}
}

func isEmpty(m protoreflect.Message) bool {
	empty := true
	m.Range(func(protoreflect.FieldDescriptor, protoreflect.Value) bool {
		empty = false
		return false
	})
	return empty && len(m.GetUnknown()) == 0
}
