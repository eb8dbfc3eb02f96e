package notify

import "time"

// QuietHours is the local time during which non-urgent pushes are held:
// from Start o'clock until End o'clock the next morning.
type QuietHours struct {
	Start, End int // hours, 0-23
}

// DefaultQuietHours holds pushes from 21:00 to 08:00.
var DefaultQuietHours = QuietHours{Start: 21, End: 8}

// Until reports whether now is within quiet hours in loc and, if so, when
// they end.
func (q QuietHours) Until(now time.Time, loc *time.Location) (time.Time, bool) {
	if q.Start == q.End {
		return time.Time{}, false
	}
	local := now.In(loc)
	h := local.Hour()
	quiet := h >= q.Start || h < q.End
	if q.Start < q.End {
		quiet = h >= q.Start && h < q.End
	}
	if !quiet {
		return time.Time{}, false
	}
	y, m, d := local.Date()
	end := time.Date(y, m, d, q.End, 0, 0, 0, loc)
	if !end.After(local) {
		end = time.Date(y, m, d+1, q.End, 0, 0, 0, loc)
	}
	return end, true
}
