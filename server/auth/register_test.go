package auth_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	commonv1 "github.com/ordinatorhq/ordinator/api/ordinator/common/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// specialtyRefusal checks that err refuses the specialty field and lists
// the valid codes.
func specialtyRefusal(t *testing.T, what string, err error) {
	t.Helper()
	if code(err) != connect.CodeInvalidArgument || detail(err) == nil {
		t.Fatalf("%s: %v, want invalid_argument with violations", what, err)
	}
	var v *commonv1.FieldViolation
	for _, x := range detail(err).Violations {
		if x.Field == "specialty" {
			v = x
		}
	}
	if v == nil || !strings.Contains(v.Description, "dermatology") || !strings.Contains(v.Description, "gynecology") {
		t.Fatalf("%s: violations %v, want specialty listing the valid codes", what, detail(err).Violations)
	}
}

// An account's specialty decides the buckets it reads, so only a specialty
// of the platform is accepted, by every way an account is created.
func TestUnknownSpecialty(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		admin := e.staff(auth.RoleAdmin, "admin@ordinator.test")
		anon := e.anonymous()
		for _, spec := range []string{"astrology", "Dermatology"} {
			_, err := anon.auth.RegisterDoctor(ctx, connect.NewRequest(&authv1.RegisterDoctorRequest{
				Email: "astro@clinic.ru", Password: "long enough pw", DisplayName: "Dr Astro", Specialty: spec, RegionId: "msk"}))
			specialtyRefusal(t, fmt.Sprintf("RegisterDoctor with %q", spec), err)
		}
		for _, spec := range []string{"astrology", ""} {
			_, err := admin.admin.CreateUser(ctx, connect.NewRequest(&authv1.CreateUserRequest{Role: authv1.Role_ROLE_DOCTOR,
				Email: "astro2@clinic.ru", Password: "long enough pw", DisplayName: "Dr Astro", Specialty: spec, RegionId: "msk"}))
			specialtyRefusal(t, fmt.Sprintf("CreateUser of a doctor with %q", spec), err)
		}
		// Staff need none, but one given must be real.
		_, err := admin.admin.CreateUser(ctx, connect.NewRequest(&authv1.CreateUserRequest{Role: authv1.Role_ROLE_REP,
			Email: "astro3@clinic.ru", Password: "long enough pw", DisplayName: "Rep", Specialty: "astrology", RegionId: "msk"}))
		specialtyRefusal(t, "CreateUser of a rep", err)

		// Nothing was created: no account, so no sign-in.
		users, err := admin.admin.ListUsers(ctx, connect.NewRequest(&authv1.ListUsersRequest{}))
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range users.Msg.Users {
			if strings.HasPrefix(u.Email, "astro") {
				t.Fatalf("a refused account exists: %v", u)
			}
		}
		if _, err := anon.auth.Login(ctx, connect.NewRequest(&authv1.LoginRequest{Login: "astro@clinic.ru", Password: "long enough pw"})); code(err) != connect.CodeUnauthenticated {
			t.Fatalf("signing in as a refused registration: %v", err)
		}
		// The same registration with a real specialty goes through.
		if _, err := anon.auth.RegisterDoctor(ctx, connect.NewRequest(&authv1.RegisterDoctorRequest{
			Email: "astro@clinic.ru", Password: "long enough pw", DisplayName: "Dr Astro", Specialty: "oncology", RegionId: "msk"})); err != nil {
			t.Fatal(err)
		}
	})
}

// Registrations are counted per address like failed sign-ins: past a burst
// each further one waits longer, refused ones count too, and the count
// starts over after an hour without attempts.
func TestRegistrationRateLimit(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		anon := e.anonymous()
		n := 0
		register := func() error {
			n++
			_, err := anon.auth.RegisterDoctor(ctx, connect.NewRequest(&authv1.RegisterDoctorRequest{
				Email: fmt.Sprintf("dr%d@clinic.ru", n), Password: "long enough pw", DisplayName: "Dr", Specialty: "dermatology", RegionId: "msk"}))
			return err
		}
		// 20 from this address are free; refused ones (a taken e-mail
		// here, an enumeration probe) count as well.
		for i := 0; i < 19; i++ {
			if err := register(); err != nil {
				t.Fatalf("registration %d: %v", i+1, err)
			}
		}
		_, err := anon.auth.RegisterDoctor(ctx, connect.NewRequest(&authv1.RegisterDoctorRequest{
			Email: "dr1@clinic.ru", Password: "long enough pw", DisplayName: "Dr", Specialty: "dermatology", RegionId: "msk"}))
		if code(err) != connect.CodeAborted {
			t.Fatalf("the 20th, a taken e-mail: %v", err)
		}
		err = register()
		if code(err) != connect.CodeResourceExhausted || !strings.Contains(err.Error(), "too many registrations") || !strings.Contains(err.Error(), "try again in 1s") {
			t.Fatalf("the 21st: %v", err)
		}
		blocked := fmt.Sprintf("dr%d@clinic.ru", n)
		if _, err := anon.auth.Login(ctx, connect.NewRequest(&authv1.LoginRequest{Login: blocked, Password: "long enough pw"})); code(err) != connect.CodeUnauthenticated {
			t.Fatalf("a refused registration created an account: %v", err)
		}
		// Another address is not held up.
		if _, err := e.svc.RegisterDoctor(ctx, auth.NewUser{Email: "elsewhere@clinic.ru", Password: "long enough pw", Name: "Dr", Specialty: "dermatology", RegionID: "msk", Address: "192.0.2.7"}); err != nil {
			t.Fatalf("another address: %v", err)
		}
		e.clock.Advance(time.Second)
		if err := register(); err != nil { // counted: now two seconds
			t.Fatalf("after the wait: %v", err)
		}
		// Less than a second left reads as one, never as 0s.
		e.clock.Advance(1500 * time.Millisecond)
		if err := register(); code(err) != connect.CodeResourceExhausted || !strings.Contains(err.Error(), "try again in 1s") {
			t.Fatalf("half a second left: %v", err)
		}
		// An hour without attempts and the address starts afresh.
		e.clock.Advance(time.Hour + time.Second)
		for i := 0; i < 19; i++ {
			if err := register(); err != nil {
				t.Fatalf("after an hour, registration %d: %v", i+1, err)
			}
		}
	})
}

// A burst of concurrent registrations from one address creates no more
// accounts than the limit allows, on both stores.
func TestRegistrationBurst(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		const burst = 40
		var wg sync.WaitGroup
		errs := make([]error, burst)
		for i := range burst {
			wg.Go(func() {
				_, errs[i] = e.svc.RegisterDoctor(ctx, auth.NewUser{Email: fmt.Sprintf("burst%d@clinic.ru", i), Password: "long enough pw",
					Name: "Dr", Specialty: "dermatology", RegionID: "msk", Address: "198.51.100.1"})
			})
		}
		wg.Wait()
		created, limited := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				created++
			case syncengine.ErrorCode(err) == syncengine.ERATELIMIT:
				limited++
			default:
				t.Fatalf("registration in a burst: %v", err)
			}
		}
		if created != 20 || limited != burst-20 {
			t.Fatalf("burst of %d: %d created, %d rate-limited; want 20 and %d", burst, created, limited, burst-20)
		}
	})
}
