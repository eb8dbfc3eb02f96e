package sdk

import (
	"context"
	"sync"
	"time"
)

// Connectivity is what the app knows about the network.
type Connectivity int

const (
	// Online: sync freely (the default).
	Online Connectivity = iota
	// Offline: no network; the loop waits without trying.
	Offline
	// Metered: sync data, but upload media only with
	// Options.UploadOnMetered.
	Metered
)

func (c Connectivity) String() string {
	switch c {
	case Online:
		return "online"
	case Offline:
		return "offline"
	case Metered:
		return "metered"
	}
	return "unknown"
}

// Status is the state of a replica's sync, for the app's UI.
type Status struct {
	// Connectivity is what the app last said about the network.
	Connectivity Connectivity
	// Online is true when the last exchange with the server succeeded.
	Online bool
	// Live is true while a live subscription is open.
	Live bool
	// Syncing is true during a push or pull.
	Syncing bool
	// Pending counts the mutations in the outbox (queued, or applied by the
	// server and waiting for the checkpoint that brings their result).
	Pending int
	// LastCheckpoint is the server time of the last checkpoint applied;
	// zero before the first.
	LastCheckpoint time.Time
	// InitialSync is true until the first checkpoint has been applied.
	InitialSync bool
	// RowsDone and RowsTotal measure the current download (RowsTotal is the
	// server's estimate at its start).
	RowsDone  int64
	RowsTotal int64
	// MediaQueued counts photos waiting to upload.
	MediaQueued int
	// LastError describes the last failure; empty after a success.
	LastError string
	// Wiped is set when the server revoked the device and the replica
	// deleted its data; WipedMutations and WipedPhotos count what the wipe
	// discarded of the user's work: mutations the server had not
	// acknowledged and photos not yet uploaded (ObserveWipe tells the same).
	Wiped          bool
	WipedMutations int
	WipedPhotos    int
}

// Wipe is what a wipe deleted that had not reached the server.
type Wipe struct {
	// DeviceID is the revoked device session.
	DeviceID string
	// Mutations the server had not acknowledged (a push whose answer was
	// lost may have applied some of them).
	Mutations int
	// Photos never uploaded.
	Photos int
	// Country and ServerCountry are set when the replica was wiped because
	// it belonged to another country's stack (Country) than the server's
	// (ServerCountry): the device moved, and starts a new replica there.
	Country, ServerCountry string
}

type statusBox struct {
	mu     sync.Mutex
	s      Status
	events *events
}

func newStatusBox(e *events) *statusBox { return &statusBox{events: e} }

func (b *statusBox) get() Status {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.s
}

// update changes the status and tells the observers if it changed.
func (b *statusBox) update(fn func(*Status)) {
	b.mu.Lock()
	old := b.s
	fn(&b.s)
	s := b.s
	b.mu.Unlock()
	if s != old {
		b.events.statusChanged(s)
	}
}

func (b *statusBox) addPending(n int) { b.update(func(s *Status) { s.Pending += n }) }

// Status returns the current sync status.
func (r *Replica) Status() Status { return r.status.get() }

// refreshStatus reads the persistent parts of the status from the database.
func (r *Replica) refreshStatus(ctx context.Context) error {
	var pending, media int
	var cp int64
	err := r.db.r.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM sdk_outbox),
		(SELECT count(*) FROM sdk_media WHERE state = 0),
		COALESCE((SELECT value FROM sdk_meta WHERE key = 'last_checkpoint_ms'), 0)`).Scan(&pending, &media, &cp)
	if err != nil {
		return r.wrap(err)
	}
	r.status.update(func(s *Status) {
		s.Pending = pending
		s.MediaQueued = media
		s.InitialSync = cp == 0
		if cp != 0 {
			s.LastCheckpoint = time.UnixMilli(cp)
		}
	})
	return nil
}
