package probase_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestEightDevicesAtOnce: eight phones of one doctor push conflicting edits
// of the doctor's record at the same moment, each on the version it last
// saw. Every outcome is applied or a rejection the edit itself deserves:
// never an internal or unavailable error, nor a "changed meanwhile" that
// only the race caused; the record's versions and its history are
// complete, numbered without gaps, in the order the edits committed.
func TestEightDevicesAtOnce(t *testing.T) {
	const devices, rounds = 8, 6
	forEachDialect(t, func(t *testing.T, e *env) {
		phones := make([]*servertest.Device, devices)
		for i := range phones {
			phones[i] = e.device(e.doctorUser)
		}
		type pushed struct {
			out syncengine.Outcome
			err error
		}
		results := make([][]pushed, devices)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, d := range phones {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for j := range rounds {
					// The version the phone saw at its last sync: the
					// others' edits land between that and this push.
					var base int64
					if err := e.store.View(e.ctx, func(q syncengine.Querier) error {
						return q.QueryRow(e.ctx, `SELECT version FROM doctors WHERE id = $1`, e.doctor.Id).Scan(&base)
					}); err != nil {
						results[i] = append(results[i], pushed{err: err})
						return
					}
					cs := changes("phones", fmt.Sprintf("+7916%03d%04d", i, j))
					switch {
					case j == rounds-1:
						cs = append(cs, changes("status", "left")...) // not the doctor's to change
					case j%2 == 1:
						cs = append(cs, changes("clinic_id", []string{"city-clinic", "skin-center"}[i%2])...)
					}
					args, err := proto.Marshal(&probasev1.ProposeEditArgs{RequestId: uuid.NewString(), DoctorId: e.doctor.Id, BaseVersion: base, Changes: cs})
					if err != nil {
						results[i] = append(results[i], pushed{err: err})
						return
					}
					outs, err := d.TryPush(d.Raw("doctor.propose_edit", args))
					if err != nil {
						results[i] = append(results[i], pushed{err: err})
						continue
					}
					results[i] = append(results[i], pushed{out: outs[0]})
				}
			}()
		}
		close(start)
		wg.Wait()

		direct, proposed, rejected := 0, 0, 0
		for i, rs := range results {
			for j, r := range rs {
				if r.err != nil {
					t.Fatalf("phone %d, edit %d: push failed: %v", i, j, r.err)
				}
				// Each edit names a new phone, so the others' edits
				// only ever send it to moderation; the last one of each
				// phone also changes a field that is not the doctor's.
				if j == rounds-1 {
					if r.out.Status != syncengine.StatusRejected || r.out.Error.Code != syncengine.EPERMISSION {
						t.Fatalf("phone %d, edit %d, changing the status: %+v %+v", i, j, r.out.Status, r.out.Error)
					}
					rejected++
					continue
				}
				if r.out.Status != syncengine.StatusApplied {
					t.Fatalf("phone %d, edit %d: %s: %s", i, j, r.out.Error.Code, r.out.Error.Message)
				}
				var res probasev1.ProposeEditResult
				must(t, proto.Unmarshal(r.out.Result, &res))
				if len(res.AppliedFields) > 0 {
					direct++
				}
				if res.RequestId != "" {
					proposed++
				}
			}
		}
		t.Logf("%d edits applied at once, %d sent to moderation, %d refused", direct, proposed, rejected)
		if direct == 0 {
			t.Fatal("no edit applied directly")
		}

		var version int64
		var ns, versions []int64
		var actions []string
		must(t, e.store.View(e.ctx, func(q syncengine.Querier) error {
			if err := q.QueryRow(e.ctx, `SELECT version FROM doctors WHERE id = $1`, e.doctor.Id).Scan(&version); err != nil {
				return err
			}
			rows, err := q.Query(e.ctx, `SELECT n, action, version FROM doctor_history WHERE doctor_id = $1 ORDER BY n`, e.doctor.Id)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var n, v int64
				var a string
				if err := rows.Scan(&n, &a, &v); err != nil {
					return err
				}
				ns, actions, versions = append(ns, n), append(actions, a), append(versions, v)
			}
			return rows.Err()
		}))
		// Created and linked, then one entry per change applied or proposed.
		if want := 2 + direct + proposed; len(ns) != want {
			t.Fatalf("the history has %d entries, want %d", len(ns), want)
		}
		for k, n := range ns {
			if n != int64(k+1) {
				t.Fatalf("the history is numbered %v", ns)
			}
		}
		if want := int64(2 + direct); version != want {
			t.Fatalf("the doctor is at version %d after %d direct edits, want %d", version, direct, want)
		}
		// The direct edits are in the history in the order of their versions.
		var applied []int64
		for k, a := range actions {
			if a == "profile_updated" {
				applied = append(applied, versions[k])
			}
		}
		for k, v := range applied {
			if v != int64(3+k) {
				t.Fatalf("the history records versions %v for the direct edits", applied)
			}
		}
		var stored, requests int64
		var raw string
		must(t, e.store.View(e.ctx, func(q syncengine.Querier) error {
			if err := q.QueryRow(e.ctx, `SELECT count(*) FROM doctor_versions WHERE doctor_id = $1`, e.doctor.Id).Scan(&stored); err != nil {
				return err
			}
			if err := q.QueryRow(e.ctx, `SELECT fields FROM doctors WHERE id = $1`, e.doctor.Id).Scan(&raw); err != nil {
				return err
			}
			return q.QueryRow(e.ctx, `SELECT count(*) FROM edit_requests WHERE doctor_id = $1`, e.doctor.Id).Scan(&requests)
		}))
		if stored != version {
			t.Fatalf("%d stored versions of a doctor at version %d", stored, version)
		}
		if requests != int64(proposed) {
			t.Fatalf("%d edit requests for %d proposals", requests, proposed)
		}
		// A phone that syncs now holds the record the server has.
		var current map[string][]string
		must(t, json.Unmarshal([]byte(raw), &current))
		phones[0].Sync()
		if got := doctorOf(phones[0], e.doctor.Id); got == nil || got.Version != version || !slices.Equal(got.Phones, current["phones"]) {
			t.Fatalf("the phone holds %v; the server has version %d with phones %v", got, version, current["phones"])
		}
	})
}
