package sdk

// LoopState is what the background sync loop is doing: how many times it
// has gone to sleep since the replica opened, and what it sleeps until now.
// A test tells "nothing happened" from "not yet" by it: a loop asleep in the
// same round as before has done nothing since.
type LoopState struct {
	Rounds int64
	// Waiting is WaitNetwork, WaitChange or WaitBackoff while the loop
	// sleeps, "" while it works or is stopped.
	Waiting string
}

// What a sleeping loop waits for.
const (
	// WaitNetwork: the app said the device is offline; only a change of
	// connectivity wakes the loop.
	WaitNetwork = "network"
	// WaitChange: the last sync succeeded; the loop waits for something to
	// push, the app or a push asking for a sync, the live subscription
	// saying something changed, or the poll.
	WaitChange = "change"
	// WaitBackoff: the last sync failed; the loop waits out a backoff
	// (cut short by a change of connectivity or a request to sync now).
	WaitBackoff = "backoff"
)

// asleep records that the loop starts waiting for what.
func (l *loopState) asleep(what string) {
	l.stateMu.Lock()
	l.state.Rounds++
	l.state.Waiting = what
	l.stateMu.Unlock()
}

// awake records that the loop stopped waiting.
func (l *loopState) awake() {
	l.stateMu.Lock()
	l.state.Waiting = ""
	l.stateMu.Unlock()
}

// Loop reports what the background sync loop is doing.
func (r *Replica) Loop() LoopState {
	r.loop.stateMu.Lock()
	defer r.loop.stateMu.Unlock()
	return r.loop.state
}
