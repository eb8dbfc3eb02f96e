package probase_test

import (
	"reflect"
	"testing"

	"github.com/google/uuid"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestNoOracle: a caller who may not touch a doctor gets one answer
// whatever they ask about: a doctor who exists (on the version they name or
// on one it never reached) or one who does not. The answer tells them
// nothing of the directory.
func TestNoOracle(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		other, err := e.accounts.CreateUser(e.ctx, auth.System, auth.NewUser{Role: auth.RoleDoctor, Email: "other@x.test", Password: "long enough pw",
			Name: "Other", RegionID: "msk", Specialty: "dermatology"})
		must(t, err)
		south, stranger, director := e.device(e.repSouth), e.device(other), e.device(e.director)
		proposal := func(d *servertest.Device, doctorID string, base int64) syncengine.Outcome {
			return d.Do("doctor.propose_edit", &probasev1.ProposeEditArgs{RequestId: uuid.NewString(), DoctorId: doctorID,
				BaseVersion: base, Changes: changes("phones", "+79160000009")})
		}
		targets := []struct {
			name     string
			doctorID string
			base     int64
		}{
			{"a doctor on their version", e.doctor.Id, 2},
			{"a doctor on a version never reached", e.doctor.Id, 9},
			{"a doctor who does not exist", uuid.NewString(), 1},
		}
		tests := []struct {
			name string
			d    *servertest.Device
			push func(d *servertest.Device, doctorID string, base int64) syncengine.Outcome
		}{
			{"an edit by a rep of another territory", south, proposal},
			{"an edit by another doctor", stranger, proposal},
			{"an edit by a director", director, proposal},
			{"a request by a rep of another territory", south, func(d *servertest.Device, doctorID string, _ int64) syncengine.Outcome {
				return d.Do("doctor.request_update", &probasev1.RequestUpdateArgs{RequestId: uuid.NewString(), DoctorId: doctorID, Kind: "update_data"})
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var first *syncengine.Error
				for _, target := range targets {
					out := tc.push(tc.d, target.doctorID, target.base)
					if out.Status != syncengine.StatusRejected || out.Error.Code != syncengine.EPERMISSION {
						t.Fatalf("%s: %+v %+v", target.name, out.Status, out.Error)
					}
					got := servertest.Answer(out.Error, target.doctorID)
					if first == nil {
						first = got
					} else if !reflect.DeepEqual(got, first) {
						t.Fatalf("%s is answered %+v, %s %+v", target.name, got, targets[0].name, first)
					}
				}
			})
		}
	})
}
