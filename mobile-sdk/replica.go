package sdk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// Options configure a replica. Dir and ServerURL are required.
type Options struct {
	// Dir holds the replica: its database and its media files. One replica
	// per directory, opened by one process at a time.
	Dir string
	// ServerURL is the Ordinator server, e.g. "https://ru.ordinator.example".
	ServerURL string
	// Tokens supplies the access token sent with every call.
	Tokens TokenSource
	// Schema describes the app's collections and optimistic mutations
	// (default: none; everything still syncs).
	Schema *Schema
	// ClientSchemaVersion is the app's data schema version, sent with every
	// sync call so the server can require an upgrade (default 1).
	ClientSchemaVersion int32
	// HTTPClient makes every call (default: HTTP/2 over TLS, HTTP/2 without
	// TLS for http:// URLs).
	HTTPClient *http.Client
	// StorageHTTPClient sends the presigned requests to object storage
	// (default: HTTP/1.1 or HTTP/2 as storage offers).
	StorageHTTPClient *http.Client
	// Logger gets the sync loop's diagnostics (default: discarded).
	Logger *slog.Logger

	// PageRows and PageBytes bound each pull page (defaults 10,000 rows and
	// 8 MiB; the server may lower them).
	PageRows  int
	PageBytes int
	// PushBatch bounds the mutations per push (default 500, the server's
	// maximum); PushBytes their total size (default 4 MiB).
	PushBatch int
	PushBytes int
	// MinBackoff and MaxBackoff bound the wait after a failure, which
	// doubles at every consecutive failure with full jitter (defaults 500 ms
	// and 5 min).
	MinBackoff time.Duration
	MaxBackoff time.Duration
	// StreamIdle is how long a live subscription may stay silent (the
	// server sends heartbeats) before it is considered dead (default 60 s).
	StreamIdle time.Duration
	// PollEvery is how often the loop pulls when no live subscription is
	// open (default 5 min).
	PollEvery time.Duration
	// UploadOnMetered lets the media queue upload on metered networks.
	UploadOnMetered bool
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (o *Options) defaults() error {
	if o.Dir == "" {
		return errors.New("sdk: Options.Dir is required")
	}
	if o.ServerURL == "" {
		return errors.New("sdk: Options.ServerURL is required")
	}
	if !strings.HasPrefix(o.ServerURL, "http://") && !strings.HasPrefix(o.ServerURL, "https://") {
		return fmt.Errorf("sdk: server URL %q must start with http:// or https://", o.ServerURL)
	}
	o.ServerURL = strings.TrimRight(o.ServerURL, "/")
	if o.Schema == nil {
		o.Schema = NewSchema()
	}
	if o.ClientSchemaVersion == 0 {
		o.ClientSchemaVersion = 1
	}
	if o.HTTPClient == nil {
		o.HTTPClient = defaultHTTPClient(o.ServerURL)
	}
	if o.StorageHTTPClient == nil {
		o.StorageHTTPClient = &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 2 * time.Minute,
			IdleConnTimeout:       90 * time.Second,
			ForceAttemptHTTP2:     true,
		}}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.PageRows, 10000)
	def(&o.PageBytes, 8<<20)
	def(&o.PushBatch, 500)
	def(&o.PushBytes, 4<<20)
	dur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	dur(&o.MinBackoff, 500*time.Millisecond)
	dur(&o.MaxBackoff, 5*time.Minute)
	dur(&o.StreamIdle, 60*time.Second)
	dur(&o.PollEvery, 5*time.Minute)
	if o.Now == nil {
		o.Now = time.Now
	}
	return nil
}

// Errors a replica returns.
var (
	// ErrClosed: the replica was closed.
	ErrClosed = errors.New("sdk: replica is closed")
	// ErrWiped: the server revoked this device and the replica deleted its
	// data. Sign in again and open a new replica.
	ErrWiped = errors.New("sdk: this device was revoked and its data deleted")
	// ErrOtherCountry (which is also ErrWiped): the replica belonged to
	// another country's stack and deleted its data, nothing merged. Sign in
	// to this country's stack and open a new replica.
	ErrOtherCountry = fmt.Errorf("sdk: this replica belonged to another country's stack and its data was deleted: %w", ErrWiped)
)

// Replica is a device's copy of the user's data, its outbox and its sync
// loop. It is safe for concurrent use.
type Replica struct {
	opts     Options
	schema   *Schema
	dir      string
	db       *db
	lock     io.Closer
	log      *slog.Logger
	clientID string
	country  atomic.Value // string: the country stack the replica belongs to
	api      *client
	tables   *tables

	state     atomic.Int32 // open, closed or wiped
	closeOnce sync.Once

	syncMu sync.Mutex // one push or pull at a time
	loop   loopState
	events *events
	status *statusBox
}

const (
	stateOpen int32 = iota
	stateClosed
	stateWiped
)

// Open opens the replica in opts.Dir, creating it if needed, and applies
// its local migrations. It does not touch the network: call Start to sync in
// the background, or Sync to sync once.
func Open(ctx context.Context, opts Options) (*Replica, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(opts.Dir, mediaDir), 0o700); err != nil {
		return nil, fmt.Errorf("sdk: creating the replica directory: %w", err)
	}
	lock, err := lockDir(opts.Dir)
	if err != nil {
		return nil, err
	}
	d, err := openDB(ctx, filepath.Join(opts.Dir, dbFile))
	if err != nil {
		lock.Close()
		return nil, err
	}
	r := &Replica{
		opts:   opts,
		schema: opts.Schema,
		dir:    opts.Dir,
		db:     d,
		lock:   lock,
		log:    opts.Logger,
		events: newEvents(),
	}
	r.tables = newTables(r.schema)
	if err := r.init(ctx); err != nil {
		d.close()
		lock.Close()
		r.events.close()
		return nil, err
	}
	r.api = newClient(opts, r.clientID)
	r.status = newStatusBox(r.events)
	if err := r.refreshStatus(ctx); err != nil {
		d.close()
		lock.Close()
		r.events.close()
		return nil, err
	}
	r.loop.init()
	return r, nil
}

// Files of a replica directory.
const (
	dbFile   = "replica.db"
	mediaDir = "media"
	lockFile = "replica.lock"
)

// init gives a new replica its client id and brings the collection tables
// in line with the schema.
func (r *Replica) init(ctx context.Context) error {
	return r.db.update(ctx, func(tx *wtx) error {
		var id string
		err := tx.queryRow(`SELECT value FROM sdk_meta WHERE key = 'client_id'`).Scan(&id)
		if err != nil && !errors.Is(err, errNoRows) {
			return err
		}
		if id == "" {
			id = uuid.NewString()
			if err := tx.setMeta("client_id", id); err != nil {
				return err
			}
		}
		r.clientID = id
		var country string
		err = tx.queryRow(`SELECT value FROM sdk_meta WHERE key = 'country'`).Scan(&country)
		if err != nil && !errors.Is(err, errNoRows) {
			return err
		}
		r.country.Store(country)
		if err := r.tables.createIndexes(tx); err != nil {
			return err
		}
		if err := r.tables.load(tx); err != nil {
			return err
		}
		if err := r.tables.buildIndexes(tx); err != nil {
			return err
		}
		return r.removeOrphanMedia(tx)
	})
}

// ClientID identifies this replica to the server (one per installation).
func (r *Replica) ClientID() string { return r.clientID }

// Dir returns the replica's directory.
func (r *Replica) Dir() string { return r.dir }

// Close stops the sync loop and closes the database. A wiped replica is
// already closed.
func (r *Replica) Close() error {
	r.Stop()
	var err error
	r.closeOnce.Do(func() {
		if r.state.CompareAndSwap(stateOpen, stateClosed) {
			err = r.db.close()
			r.lock.Close()
		}
		r.events.close()
	})
	return err
}

// check returns the error for calls on a replica that is not open.
func (r *Replica) check() error {
	switch r.state.Load() {
	case stateClosed:
		return ErrClosed
	case stateWiped:
		return ErrWiped
	}
	return nil
}

// wrap turns database errors after Close or a wipe into ErrClosed/ErrWiped.
func (r *Replica) wrap(err error) error {
	if err == nil {
		return nil
	}
	if e := r.check(); e != nil {
		return e
	}
	return err
}
