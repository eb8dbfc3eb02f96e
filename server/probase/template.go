package probase

import (
	"context"
	"strings"

	"google.golang.org/protobuf/proto"

	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/rules/fields"
	"github.com/ordinatorhq/ordinator/rules/specialty"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Doctor statuses.
var Statuses = []string{"active", "on_leave", "left"}

// DoctorTemplate is the one definition of a valid doctor record. It syncs
// to every device, which checks an edit with it before queuing it; the
// server checks the same rules again when the edit arrives.
var DoctorTemplate = fields.Template{Collection: DoctorCollection, Version: 1, Rules: []fields.Rule{
	{Field: "full_name", Label: "Full name", Required: true, MinLen: 3, MaxLen: 200},
	{Field: "specialty", Label: "Specialty", Required: true, OneOf: specialty.Codes()},
	{Field: "clinic_id", Label: "Workplace", Ref: ClinicCollection},
	{Field: "position", Label: "Position", MaxLen: 200},
	{Field: "phones", Label: "Phone", List: true, MaxItems: 5, Pattern: `\+[1-9][0-9]{7,14}`, PatternHint: "a phone number in international form, e.g. +79161234567"},
	{Field: "email", Label: "E-mail", MaxLen: 254, Pattern: `[^@\s]+@[^@\s]+\.[^@\s]+`, PatternHint: "an e-mail address"},
	{Field: "delivery_address.postal_code", Label: "Postal code", Pattern: `[0-9]{6}`, PatternHint: "six digits"},
	{Field: "delivery_address.city", Label: "City", MaxLen: 200},
	{Field: "delivery_address.street", Label: "Street", MaxLen: 200},
	{Field: "delivery_address.building", Label: "Building", MaxLen: 50},
	{Field: "delivery_address.apartment", Label: "Apartment", MaxLen: 20},
	{Field: "territory_id", Label: "Territory", Required: true, Ref: "territory"},
	{Field: "status", Label: "Status", Required: true, OneOf: Statuses},
}}

// contactFields are what a doctor may change in their own record without a
// moderator; specialty and workplace go through moderation, the rest is
// the reps' and moderators' to change.
var contactFields = []string{"phones", "email", "delivery_address.postal_code", "delivery_address.city",
	"delivery_address.street", "delivery_address.building", "delivery_address.apartment"}

// doctorModerated are the fields a doctor may propose for their own record
// through moderation.
var doctorModerated = []string{"specialty", "clinic_id", "position"}

// TemplateCollection is the collection templates sync under, in
// auth.GlobalBucket.
const TemplateCollection = syncv1.FieldTemplateCollection

// publishTemplates puts the templates in the global bucket if they differ
// from what is there, so every device gets the rules in force.
func publishTemplates(ctx context.Context, store syncengine.Store) error {
	payload, err := proto.Marshal(DoctorTemplate.Proto())
	if err != nil {
		return err
	}
	return store.Update(ctx, func(tx syncengine.Tx) error {
		hash, ok, err := syncengine.LiveHash(ctx, tx, auth.GlobalBucket, TemplateCollection, DoctorTemplate.Collection)
		if err != nil {
			return err
		}
		if ok && hash == syncengine.RecordHash(TemplateCollection, DoctorTemplate.Collection, payload) {
			return nil
		}
		tx.Put(TemplateCollection, DoctorTemplate.Collection, payload, auth.GlobalBucket)
		return nil
	})
}

// exists checks template references against the database.
func exists(ctx context.Context, q syncengine.Querier) fields.Exists {
	return func(collection, id string) (bool, error) {
		table := refTable(collection)
		if table == "" {
			return false, nil
		}
		var n int64
		err := q.QueryRow(ctx, `SELECT count(*) FROM `+table+` WHERE id = $1`, id).Scan(&n)
		return n > 0, err
	}
}

// refTable is the table of a collection a doctor's field refers to, ""
// for none.
func refTable(collection string) string {
	switch collection {
	case ClinicCollection:
		return "clinics"
	case "territory":
		return "territories"
	}
	return ""
}

// checkDoctor validates a whole doctor record.
func checkDoctor(ctx context.Context, q syncengine.Querier, v fields.Values) error {
	return doctorViolations(DoctorTemplate.Check(v, exists(ctx, q)))
}

// queueCheckDoctor is checkDoctor with the reads of the records the
// doctor refers to queued (syncengine.Tx.QueueScan), so that they travel
// with the caller's next statement; wait checks. The template is checked
// twice, once to learn the references (every one a real check could ask
// for) and once with their answers.
func queueCheckDoctor(ctx context.Context, tx syncengine.Tx, v fields.Values) (wait func() error) {
	type ref struct{ collection, id string }
	counts := map[ref]*int64{}
	var reads []func() error
	_, err := DoctorTemplate.Check(v, func(collection, id string) (bool, error) {
		table, k := refTable(collection), ref{collection, id}
		if _, ok := counts[k]; !ok && table != "" {
			n := new(int64)
			counts[k] = n
			reads = append(reads, tx.QueueScan(ctx, []any{n}, `SELECT count(*) FROM `+table+` WHERE id = $1`, id))
		}
		return true, nil
	})
	return func() error {
		if err != nil {
			return err
		}
		for _, read := range reads {
			if err := read(); err != nil {
				return err
			}
		}
		return doctorViolations(DoctorTemplate.Check(v, func(collection, id string) (bool, error) {
			n, ok := counts[ref{collection, id}]
			return ok && *n > 0, nil
		}))
	}
}

// doctorViolations turns the template's violations into the domain's
// invalid-argument error.
func doctorViolations(viol []fields.Violation, err error) error {
	if err != nil {
		return err
	}
	if len(viol) > 0 {
		names := make([]string, len(viol))
		out := make([]syncengine.Violation, len(viol))
		for i, x := range viol {
			names[i] = x.Field
			out[i] = syncengine.Violation{Field: x.Field, Description: x.Description}
		}
		return syncengine.Invalid("the doctor's data is not valid ("+strings.Join(names, ", ")+")", out...)
	}
	return nil
}
