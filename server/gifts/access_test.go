package gifts_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestNoOracle: a doctor ordering from a wave of another region, or
// cancelling another doctor's order, gets the answer they would get for a
// wave or an order that does not exist, whatever its state: nothing of its
// title, region, stock or status.
func TestNoOracle(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d syncengine.Dialect) {
		e := newEnv(t, d, gifts.Config{})
		cream, serum := e.item("CREAM", "Cream", 10), e.item("SERUM", "Serum", 10)
		w := e.wave("msk", 2*time.Hour, time.Hour)
		e.offer(w, cream, 10, 0, 5)
		spb := e.wave("spb", 2*time.Hour, time.Hour)
		e.offer(spb, cream, 10, 0, 5)
		bare := e.wave("spb", time.Hour, 0) // offers nothing
		doc, other, there := e.device(e.doctor("msk", 1000, true)), e.device(e.doctor("msk", 1000, true)), e.device(e.doctor("spb", 1000, true))
		theirs := placed(t, place(there, spb.ID, line(cream, 1)))
		live, cancelled := placed(t, place(other, w.ID, line(cream, 1))), placed(t, place(other, w.ID, line(cream, 1)))
		if out := other.Push(other.Mutation(gifts.MutationCancelOrder, &giftsv1.CancelOrderArgs{OrderId: cancelled.OrderId}))[0]; out.Status != syncengine.StatusApplied {
			t.Fatalf("cancel: %+v", out.Error)
		}

		type target struct{ name, id string }
		tests := []struct {
			name    string
			targets []target
			push    func(id string) syncengine.Outcome
		}{
			{"ordering from a wave of another region", []target{{"an open wave", spb.ID}, {"a wave offering nothing", bare.ID}, {"no wave", uuid.NewString()}},
				func(id string) syncengine.Outcome {
					return doc.Push(doc.Mutation(gifts.MutationPlaceOrder, orderArgs(uuid.NewString(), id, line(cream, 1), line(serum, 1))))[0]
				}},
			{"reusing an order id on a wave of another region", []target{{"an open wave", spb.ID}, {"no wave", uuid.NewString()}},
				func(id string) syncengine.Outcome {
					return doc.Push(doc.Mutation(gifts.MutationPlaceOrder, orderArgs(theirs.OrderId, id, line(cream, 1))))[0]
				}},
			{"cancelling another doctor's order", []target{{"a placed order", live.OrderId}, {"a cancelled order", cancelled.OrderId}, {"no order", uuid.NewString()}},
				func(id string) syncengine.Outcome {
					return doc.Push(doc.Mutation(gifts.MutationCancelOrder, &giftsv1.CancelOrderArgs{OrderId: id}))[0]
				}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var first *syncengine.Error
				for _, target := range tc.targets {
					out := tc.push(target.id)
					if out.Status != syncengine.StatusRejected {
						t.Fatalf("%s: applied", target.name)
					}
					got := servertest.Answer(out.Error, target.id)
					if first == nil {
						first = got
					} else if !reflect.DeepEqual(got, first) {
						t.Fatalf("%s is answered %+v, %s %+v", target.name, got, tc.targets[0].name, first)
					}
				}
			})
		}
	})
}
