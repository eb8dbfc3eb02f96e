// Package mobile is the SDK's facade for Android and iOS, bound with
// gomobile bind (gobind): the replica, its sync loop, queries, rejections
// and the photo queue, in the types gobind supports. Every method returns
// at most one value and an error, and a panic inside becomes that error
// instead of killing the app. The app's callbacks (tokens, events,
// optimistic mutations, column extraction) are interfaces it implements in
// Kotlin, Java or Swift. The platform's domain modules (doctors, cases,
// gifts, inbox, content) join the schema with Schema.AddDoctors and the
// like, so their mutations are checked and applied on the device exactly
// as the Go SDK does; what Mutate and Query cannot express (checking a
// doctor edit, searching content, push tokens) has its own method.
package mobile

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
)

// Connectivity hints for SetConnectivity.
const (
	Online  = int(sdk.Online)
	Offline = int(sdk.Offline)
	Metered = int(sdk.Metered)
)

// Photo purposes for AddPhoto (ordinator.media.v1.MediaPurpose).
const (
	PurposeCasePhoto    = int32(mediav1.MediaPurpose_MEDIA_PURPOSE_CASE_PHOTO)
	PurposeDiploma      = int32(mediav1.MediaPurpose_MEDIA_PURPOSE_DIPLOMA)
	PurposeContentImage = int32(mediav1.MediaPurpose_MEDIA_PURPOSE_CONTENT_IMAGE)
)

// TokenSource gives the replica the access token to send. With refresh
// set, the server refused the last one: refresh the session (an error then
// means the user must sign in again). Session is one, kept by the SDK; an
// app that keeps its own must store each rotated refresh token durably
// before it hands out the access token that came with it.
type TokenSource interface {
	Token(refresh bool) (string, error)
}

// Listener receives the replica's events, on a goroutine of the SDK's:
// post to the UI thread from there.
type Listener interface {
	// OnCollectionChanged: the local rows of a collection changed.
	OnCollectionChanged(collection string)
	// OnStatus: the sync status changed.
	OnStatus(status *Status)
	// OnRejection: the server rejected a mutation, now rolled back.
	OnRejection(rejection *Rejection)
	// OnMediaProgress: a photo upload progressed or ended.
	OnMediaProgress(progress *MediaProgress)
	// OnWiped: the server revoked this device (signed out elsewhere, or its
	// session stolen), or the replica belonged to another country's stack,
	// and the replica deleted its data, with the mutations
	// and photos counted in wipe that never reached the server. Tell the
	// user, then sign in again and open a new replica.
	OnWiped(wipe *Wipe)
}

// Config holds what Open needs besides the callbacks.
type Config struct {
	// Dir is the app's private directory for the replica
	// (Context.getFilesDir() + "/ordinator" on Android, Application Support
	// on iOS).
	Dir string
	// ServerURL is the regional server, e.g. "https://ru.ordinator.example".
	ServerURL string
	// ClientSchemaVersion is the app's data schema version (default 1).
	ClientSchemaVersion int32
	// UploadOnMetered lets photos upload on metered networks.
	UploadOnMetered bool
}

// NewConfig returns a config for a replica in dir syncing with serverURL.
func NewConfig(dir, serverURL string) *Config {
	return &Config{Dir: dir, ServerURL: serverURL, ClientSchemaVersion: 1}
}

// Replica is an open replica.
type Replica struct {
	r      *sdk.Replica
	cancel []func()
	// modules are the domain modules of the schema it was opened with.
	modules map[string]bool
}

// Open opens (or creates) the replica. schema may be nil; listener may be
// nil.
func Open(config *Config, schema *Schema, tokens TokenSource, listener Listener) (rep *Replica, err error) {
	defer recoverInto(&err)
	if config == nil {
		return nil, errors.New("mobile: Open needs a config")
	}
	opts := sdk.Options{
		Dir:                 config.Dir,
		ServerURL:           config.ServerURL,
		ClientSchemaVersion: config.ClientSchemaVersion,
		UploadOnMetered:     config.UploadOnMetered,
	}
	opts.Schema = schema.sdkSchema()
	if s, ok := tokens.(*Session); ok && s != nil {
		opts.Tokens = s.s
	} else if tokens != nil {
		opts.Tokens = sdk.TokenFunc(func(_ context.Context, refresh bool) (tok string, err error) {
			defer recoverInto(&err)
			return tokens.Token(refresh)
		})
	}
	r, err := sdk.Open(context.Background(), opts)
	if err != nil {
		return nil, err
	}
	rep = &Replica{r: r, modules: map[string]bool{}}
	if schema != nil {
		for m := range schema.modules {
			rep.modules[m] = true
		}
	}
	if listener != nil {
		rep.cancel = append(rep.cancel,
			r.Observe("", func(c string) { guard(func() { listener.OnCollectionChanged(c) }) }),
			r.ObserveStatus(func(s sdk.Status) { guard(func() { listener.OnStatus(newStatus(s)) }) }),
			r.ObserveRejections(func(rj sdk.Rejection) { guard(func() { listener.OnRejection(newRejection(rj)) }) }),
			r.ObserveMedia(func(p sdk.MediaProgress) { guard(func() { listener.OnMediaProgress(newMediaProgress(p)) }) }),
			r.ObserveWipe(func(w sdk.Wipe) {
				guard(func() {
					listener.OnWiped(&Wipe{DeviceID: w.DeviceID, Mutations: w.Mutations, Photos: w.Photos, Country: w.Country, ServerCountry: w.ServerCountry})
				})
			}),
		)
	}
	return rep, nil
}

// ClientID identifies this installation's replica to the server.
func (r *Replica) ClientID() (clientID string, err error) {
	defer recoverInto(&err)
	return r.r.ClientID(), nil
}

// Start runs the sync loop in the background.
func (r *Replica) Start() (err error) {
	defer recoverInto(&err)
	return r.r.Start()
}

// Stop stops the sync loop; the replica stays open.
func (r *Replica) Stop() (err error) {
	defer recoverInto(&err)
	r.r.Stop()
	return nil
}

// Close stops syncing and closes the replica.
func (r *Replica) Close() (err error) {
	defer recoverInto(&err)
	for _, c := range r.cancel {
		c()
	}
	return r.r.Close()
}

// SetConnectivity passes the network state (Online, Offline, Metered).
func (r *Replica) SetConnectivity(connectivity int) (err error) {
	defer recoverInto(&err)
	if connectivity < Online || connectivity > Metered {
		return fmt.Errorf("mobile: unknown connectivity %d", connectivity)
	}
	r.r.SetConnectivity(sdk.Connectivity(connectivity))
	return nil
}

// SyncNow asks the running loop to sync at once (pull to refresh, or a
// silent push arrived).
func (r *Replica) SyncNow() (err error) {
	defer recoverInto(&err)
	r.r.SyncNow()
	return nil
}

// Sync pushes and pulls once, blocking (for background tasks:
// WorkManager, BGAppRefreshTask), at most timeoutSeconds long (0: no limit).
func (r *Replica) Sync(timeoutSeconds int) (err error) {
	defer recoverInto(&err)
	ctx := context.Background()
	if timeoutSeconds > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(timeoutSeconds)*time.Second)
		defer cancel()
	}
	if err := r.r.Sync(ctx); err != nil {
		return err
	}
	return r.r.UploadMedia(ctx)
}

// Mutate queues a mutation and applies it locally at once; it returns the
// mutation's id, which a rejection refers to.
func (r *Replica) Mutate(name string, args []byte) (mutationID int64, err error) {
	defer recoverInto(&err)
	return r.r.Mutate(context.Background(), name, args)
}

// Status returns the sync status.
func (r *Replica) Status() (s *Status, err error) {
	defer recoverInto(&err)
	return newStatus(r.r.Status()), nil
}

// Rejections lists the rejections the app has not dismissed.
func (r *Replica) Rejections() (list *Rejections, err error) {
	defer recoverInto(&err)
	rs, err := r.r.Rejections(context.Background())
	if err != nil {
		return nil, err
	}
	list = &Rejections{}
	for _, rj := range rs {
		list.items = append(list.items, newRejection(rj))
	}
	return list, nil
}

// DismissRejection forgets a rejection once shown.
func (r *Replica) DismissRejection(mutationID int64) (err error) {
	defer recoverInto(&err)
	return r.r.DismissRejection(context.Background(), mutationID)
}

// AddPhoto copies a photo into the replica without its metadata and queues
// it for upload; it returns the media id to reference.
func (r *Replica) AddPhoto(path string, purpose int32) (mediaID string, err error) {
	defer recoverInto(&err)
	return r.r.AddPhoto(context.Background(), path, mediav1.MediaPurpose(purpose))
}

// MediaPath returns the local file of a media's image (or thumbnail),
// downloading it first if needed.
func (r *Replica) MediaPath(mediaID string, thumbnail bool) (path string, err error) {
	defer recoverInto(&err)
	variant := mediav1.MediaVariant_MEDIA_VARIANT_IMAGE
	if thumbnail {
		variant = mediav1.MediaVariant_MEDIA_VARIANT_THUMBNAIL
	}
	return r.r.FetchMedia(context.Background(), mediaID, variant)
}

// recoverInto turns a panic into the function's error.
func recoverInto(err *error) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("mobile: internal error: %v\n%s", p, debug.Stack())
	}
}

// guard runs a callback into the app, containing its panics.
func guard(f func()) {
	defer func() { recover() }()
	f()
}
