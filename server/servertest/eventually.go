package servertest

import (
	"testing"
	"time"
)

// patience is how long Eventually waits: long enough for a loaded
// machine running the race detector, so that only a condition that never
// comes true fails.
const patience = 30 * time.Second

// Eventually waits until cond holds, checking it every 10 ms,
// and fails the test naming what it waited for if it does not hold within
// 30 seconds. Tests wait on an observable event this way, never by
// sleeping a fixed time.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", patience, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
