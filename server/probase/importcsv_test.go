package probase_test

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/probase"
	"github.com/ordinatorhq/ordinator/syncengine"
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

// TestImportsAtOnce: moderators import the same file at the same moment.
// Where the imports collide on a new doctor's external id, the loser's
// transaction runs again, and its report is that of an import of a file
// already imported: no line reported twice, nothing created twice.
func TestImportsAtOnce(t *testing.T) {
	const imports = 4
	forEachDialect(t, func(t *testing.T, e *env) {
		rows, _, err := probase.ReadImport(strings.NewReader(doctorsCSV))
		must(t, err)
		reps := make([]probase.ImportReport, imports)
		errs := make([]error, imports)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range imports {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				reps[i], errs[i] = e.dir.Import(e.ctx, auth.System, rows, nil)
			}()
		}
		close(start)
		wg.Wait()
		created := 0
		for i, rep := range reps {
			must(t, errs[i])
			lines := []int{}
			for _, le := range rep.Errors {
				lines = append(lines, le.Line)
			}
			if rep.Created+rep.Unchanged != 2 || rep.Updated != 0 || !slices.Equal(lines, []int{4, 5, 6, 7, 8}) {
				t.Fatalf("import %d: %+v", i, rep)
			}
			created += rep.Created
		}
		if created != 2 {
			t.Fatalf("%d doctors created by %d imports of 2", created, imports)
		}
		var doctors, history int64
		must(t, e.store.View(e.ctx, func(q syncengine.Querier) error {
			if err := q.QueryRow(e.ctx, `SELECT count(*) FROM doctors WHERE external_id IN ('crm-100', 'crm-101')`).Scan(&doctors); err != nil {
				return err
			}
			return q.QueryRow(e.ctx, `SELECT count(*) FROM doctor_history h JOIN doctors d ON d.id = h.doctor_id WHERE d.external_id IN ('crm-100', 'crm-101')`).Scan(&history)
		}))
		if doctors != 2 || history != 2 {
			t.Fatalf("%d doctors with %d history entries", doctors, history)
		}
	})
}
