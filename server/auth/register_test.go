package auth_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"connectrpc.com/connect"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	commonv1 "github.com/ordinatorhq/ordinator/api/ordinator/common/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
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
