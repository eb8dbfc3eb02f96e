package notify_test

import (
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/server/notify"
)

func TestQuietHours(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	at := func(loc *time.Location, s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	q := notify.DefaultQuietHours
	for _, c := range []struct {
		loc       *time.Location
		now, want string // want "" for not quiet
	}{
		{msk, "2026-03-01 20:59", ""},
		{msk, "2026-03-01 21:00", "2026-03-02 08:00"},
		{msk, "2026-03-01 23:59", "2026-03-02 08:00"},
		{msk, "2026-03-02 00:00", "2026-03-02 08:00"},
		{msk, "2026-03-02 07:59", "2026-03-02 08:00"},
		{msk, "2026-03-02 08:00", ""},
		{msk, "2026-12-31 22:00", "2027-01-01 08:00"},
		// The night clocks go forward in Berlin, 8:00 is still 8:00 local.
		{berlin, "2026-03-28 22:00", "2026-03-29 08:00"},
	} {
		until, quiet := q.Until(at(c.loc, c.now).UTC(), c.loc)
		if c.want == "" {
			if quiet {
				t.Errorf("%s in %s: quiet until %v", c.now, c.loc, until)
			}
			continue
		}
		if !quiet || !until.Equal(at(c.loc, c.want)) {
			t.Errorf("%s in %s: quiet %v until %v, want until %s", c.now, c.loc, quiet, until.In(c.loc), c.want)
		}
	}
	day := notify.QuietHours{Start: 13, End: 14}
	if _, quiet := day.Until(at(msk, "2026-03-01 13:30"), msk); !quiet {
		t.Error("a window within one day")
	}
	if _, quiet := day.Until(at(msk, "2026-03-01 14:00"), msk); quiet {
		t.Error("a window within one day ends at its end")
	}
}
