package gifts

import (
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// cleanAddress trims a delivery address, normalises its phone number and
// checks that every required field has something in it (the wire rules
// accept a field of spaces). Violations name the field as address.<field>.
func cleanAddress(a *giftsv1.DeliveryAddress) (*giftsv1.DeliveryAddress, []syncengine.Violation) {
	out := proto.Clone(a).(*giftsv1.DeliveryAddress)
	squash := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	out.Recipient, out.PostalCode, out.City = squash(out.Recipient), squash(out.PostalCode), squash(out.City)
	out.Street, out.Apartment, out.Comment = squash(out.Street), squash(out.Apartment), strings.TrimSpace(out.Comment)
	var v []syncengine.Violation
	for _, f := range []struct{ name, value string }{
		{"recipient", out.Recipient}, {"postal_code", out.PostalCode}, {"city", out.City}, {"street", out.Street},
	} {
		if f.value == "" {
			v = append(v, syncengine.Violation{Field: "address." + f.name, Description: "is required"})
		}
	}
	if phone, ok := auth.NormalizePhone(out.Phone); ok {
		out.Phone = phone
	} else {
		v = append(v, syncengine.Violation{Field: "address.phone", Description: "must be a phone number in international form, e.g. +7 916 123-45-67"})
	}
	return out, v
}

// addressKey is what shipments group orders by: the place, whoever the
// recipient, case and spacing aside.
func addressKey(a *giftsv1.DeliveryAddress) string {
	parts := []string{a.PostalCode, a.City, a.Street, a.Apartment}
	for i, p := range parts {
		parts[i] = strings.ToLower(strings.Join(strings.Fields(strings.ReplaceAll(p, ",", " ")), " "))
	}
	return strings.Join(parts, "|")
}

func encodeAddress(a *giftsv1.DeliveryAddress) (string, error) {
	b, err := protojson.Marshal(a)
	return string(b), err
}

func decodeAddress(s string) (*giftsv1.DeliveryAddress, error) {
	a := &giftsv1.DeliveryAddress{}
	return a, protojson.Unmarshal([]byte(s), a)
}
