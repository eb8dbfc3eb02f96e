package sdk

import "time"

// checkpointDelay gathers the commits of a burst into one checkpoint.
const checkpointDelay = 250 * time.Millisecond

// checkpointer copies the WAL back into the database a little after
// commits, on a connection of its own, without blocking writers or
// readers (PASSIVE). It sleeps while nothing is written.
func (d *db) checkpointer() {
	defer close(d.ckDone)
	for {
		select {
		case <-d.ckStop:
			return
		case <-d.ckWake:
		}
		t := time.NewTimer(checkpointDelay)
		select {
		case <-d.ckStop:
			t.Stop()
			return
		case <-t.C:
		}
		d.ck.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
	}
}
