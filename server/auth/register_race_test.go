package auth_test

import (
	"context"
	"sync"
	"testing"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestRegistrationsAtOnce: several phones register the same e-mail at the
// same moment. Where the registrations collide on the key, the loser's
// transaction runs again and finds the account: one account is created and
// every other phone is told the e-mail is taken, never an internal error.
func TestRegistrationsAtOnce(t *testing.T) {
	const phones = 6
	forEachDialect(t, func(t *testing.T, e *env) {
		errs := make([]error, phones)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range phones {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = e.svc.RegisterDoctor(context.Background(), auth.NewUser{Email: "same@clinic.test", Password: "long enough pw",
					Name: "Dr Same", Specialty: "dermatology", RegionID: "msk"})
			}()
		}
		close(start)
		wg.Wait()
		created := 0
		for i, err := range errs {
			switch {
			case err == nil:
				created++
			case syncengine.ErrorCode(err) != syncengine.ECONFLICT || syncengine.ErrorMessage(err) != "an account with this email already exists":
				t.Fatalf("phone %d: %v (%s)", i, err, syncengine.ErrorCode(err))
			}
		}
		if created != 1 {
			t.Fatalf("%d accounts created for one e-mail", created)
		}
	})
}
