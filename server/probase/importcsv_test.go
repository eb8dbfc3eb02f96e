package probase_test

import (
	"strings"
	"testing"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/probase"
)

const doctorsCSV = `external_id,full_name,specialty,clinic_id,phones,email,city,territory_id
crm-100,Мария Иванова,dermatology,city-clinic,+79161110000;+79161110001,maria@clinic.ru,Москва,north
crm-101,Пётр Смирнов,oncology,,+79162220000,,,south
crm-102,Bad Phone,dermatology,,8-916,,,north
crm-103,No Clinic,dermatology,mars-clinic,,,,north
crm-104,,dermatology,,,,,north
crm-100,Мария Иванова,dermatology,city-clinic,,,,north
crm-105,Астролог,astrology,,,,,north
`

func TestImport(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		rows, bad, err := probase.ReadImport(strings.NewReader(doctorsCSV))
		must(t, err)
		if len(bad) != 0 || len(rows) != 7 {
			t.Fatalf("parsed %d rows, %d unreadable", len(rows), len(bad))
		}
		done := 0
		rep, err := e.dir.Import(e.ctx, auth.System, rows, func(n int) { done += n })
		must(t, err)
		if rep.Created != 2 || rep.Updated != 0 || done != 7 {
			t.Fatalf("first import %+v (progress %d)", rep, done)
		}
		want := map[int]string{4: "phones", 5: "clinic_id", 6: "full_name", 7: "also on line 2", 8: "specialty: Specialty must be one of dermatology,"}
		if len(rep.Errors) != len(want) {
			t.Fatalf("errors %v", rep.Errors)
		}
		for _, le := range rep.Errors {
			if !strings.Contains(le.Error(), want[le.Line]) {
				t.Fatalf("line %d: %v, want it to mention %q", le.Line, le.Err, want[le.Line])
			}
		}
		// Importing again changes nothing.
		rep, err = e.dir.Import(e.ctx, auth.System, rows, nil)
		must(t, err)
		if rep.Created != 0 || rep.Updated != 0 || rep.Unchanged != 2 {
			t.Fatalf("re-import %+v", rep)
		}
		// A changed row updates its doctor; the rep's tablet follows.
		rows, _, err = probase.ReadImport(strings.NewReader("external_id,full_name,specialty,territory_id,position\ncrm-100,Мария Иванова,dermatology,north,head nurse\n"))
		must(t, err)
		rep, err = e.dir.Import(e.ctx, auth.System, rows, nil)
		must(t, err)
		if rep.Updated != 1 {
			t.Fatalf("update import %+v", rep)
		}
		tablet := e.device(e.repA)
		tablet.Sync()
		found := false
		for k, p := range tablet.Replica.Records(auth.TerritoryBucket("north")) {
			if k.Collection == probase.DoctorCollection && strings.Contains(string(p), "head nurse") {
				found = true
			}
		}
		if !found {
			t.Fatal("the imported change did not reach the tablet")
		}
		if _, _, err := probase.ReadImport(strings.NewReader("full_name,shoe_size\n")); err == nil || !strings.Contains(err.Error(), "shoe_size") {
			t.Fatalf("unknown column: %v", err)
		}
		if _, err := e.dir.Import(e.ctx, auth.Principal(e.repA, "d"), rows, nil); err == nil {
			t.Fatal("a rep imported doctors")
		}
	})
}
