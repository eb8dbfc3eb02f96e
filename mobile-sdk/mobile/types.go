package mobile

import (
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
)

// Status is the sync status (see sdk.Status).
type Status struct {
	Connectivity         int
	Online               bool
	Live                 bool
	Syncing              bool
	Pending              int
	LastCheckpointUnixMs int64
	InitialSync          bool
	RowsDone             int64
	RowsTotal            int64
	MediaQueued          int
	LastError            string
	// Wiped: the server revoked the device and the replica deleted its
	// data, with WipedMutations mutations and WipedPhotos photos the server
	// never had.
	Wiped          bool
	WipedMutations int
	WipedPhotos    int
}

func newStatus(s sdk.Status) *Status {
	out := &Status{
		Connectivity: int(s.Connectivity), Online: s.Online, Live: s.Live, Syncing: s.Syncing,
		Pending: s.Pending, InitialSync: s.InitialSync, RowsDone: s.RowsDone, RowsTotal: s.RowsTotal,
		MediaQueued: s.MediaQueued, LastError: s.LastError, Wiped: s.Wiped,
		WipedMutations: s.WipedMutations, WipedPhotos: s.WipedPhotos,
	}
	if !s.LastCheckpoint.IsZero() {
		out.LastCheckpointUnixMs = s.LastCheckpoint.UnixMilli()
	}
	return out
}

// Wipe is what a wipe deleted that had not reached the server (see
// sdk.Wipe).
type Wipe struct {
	DeviceID  string
	Mutations int
	Photos    int
	// Country and ServerCountry: the replica belonged to another country's
	// stack (the device moved); sign in to ServerCountry's stack.
	Country       string
	ServerCountry string
}

// Rejection is a mutation the server refused, already rolled back.
type Rejection struct {
	MutationID      int64
	Seq             int64
	Mutation        string
	Args            []byte
	Code            string
	Reason          string
	DecidedAtUnixMs int64
	violations      []sdk.Violation
}

func newRejection(r sdk.Rejection) *Rejection {
	return &Rejection{
		MutationID: r.MutationID, Seq: r.Seq, Mutation: r.Mutation, Args: r.Args,
		Code: r.Code, Reason: r.Reason, DecidedAtUnixMs: r.DecidedAt.UnixMilli(), violations: r.Violations,
	}
}

// ViolationCount is the number of fields at fault.
func (r *Rejection) ViolationCount() int { return len(r.violations) }

// ViolationField is the path of the i-th field at fault ("phones[0]").
func (r *Rejection) ViolationField(i int) string {
	if i < 0 || i >= len(r.violations) {
		return ""
	}
	return r.violations[i].Field
}

// ViolationDescription says what is wrong with the i-th field.
func (r *Rejection) ViolationDescription(i int) string {
	if i < 0 || i >= len(r.violations) {
		return ""
	}
	return r.violations[i].Description
}

// Rejections is a list of rejections.
type Rejections struct{ items []*Rejection }

// Len is the number of rejections.
func (l *Rejections) Len() int { return len(l.items) }

// Get returns the i-th rejection (nil out of range).
func (l *Rejections) Get(i int) *Rejection {
	if i < 0 || i >= len(l.items) {
		return nil
	}
	return l.items[i]
}

// MediaProgress reports a photo upload.
type MediaProgress struct {
	MediaID string
	Sent    int64
	Total   int64
	Done    bool
	// Status is the server's media status when done
	// (ordinator.media.v1.MediaStatus: 2 ready, 3 rejected).
	Status int32
	Error  string
}

func newMediaProgress(p sdk.MediaProgress) *MediaProgress {
	return &MediaProgress{MediaID: p.MediaID, Sent: p.Sent, Total: p.Total, Done: p.Done, Status: int32(p.Status), Error: p.Err}
}

// Record is one record as the app sees it.
type Record struct {
	Collection string
	ID         string
	Payload    []byte
	Pending    bool
}

func newRecord(r sdk.Record) *Record {
	return &Record{Collection: r.Collection, ID: r.ID, Payload: r.Payload, Pending: r.Pending}
}

// Records is a query's result.
type Records struct{ items []*Record }

// Len is the number of records.
func (l *Records) Len() int { return len(l.items) }

// Get returns the i-th record (nil out of range).
func (l *Records) Get(i int) *Record {
	if i < 0 || i >= len(l.items) {
		return nil
	}
	return l.items[i]
}
