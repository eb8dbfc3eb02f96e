package main

// Glue between modules that do not know each other: each module states what
// it needs as a function or an interface, and the binary provides it from
// the module that has it.

import (
	"context"
	"log/slog"

	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/content"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/probase"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// attachDiploma keeps a doctor's uploaded diploma photo for review; it must
// be theirs, a diploma, and uploaded.
func attachDiploma(ctx context.Context, tx syncengine.Tx, userID, mediaID string) error {
	m, err := media.Attach(ctx, tx, mediaID, userID, "diploma:"+userID)
	if err != nil {
		return err
	}
	if m.Purpose != mediav1.MediaPurpose_MEDIA_PURPOSE_DIPLOMA {
		return syncengine.Invalid("not a diploma photo", syncengine.Violation{Field: "media_id", Description: "was uploaded for another purpose"})
	}
	if !m.Ready() {
		return syncengine.Errorf(syncengine.EPRECONDITION, "the diploma photo has not finished uploading")
	}
	return nil
}

// moderatorsRead lets moderators and admins see a media (diplomas).
var moderatorsRead = media.ReadPolicyFunc(func(_ context.Context, _ syncengine.Querier, p syncengine.Principal, _ *media.Media, _ []string) (bool, error) {
	return auth.Require(p, auth.RoleModerator) == nil, nil
})

// notifyNotice delivers an accounts notice through the notification outbox.
func notifyNotice(ctx context.Context, tx syncengine.Tx, n auth.Notice) error {
	_, err := notify.Enqueue(ctx, tx, notify.Notification{UserID: n.UserID, Kind: n.Kind, Params: n.Params, DedupeKey: n.DedupeKey})
	return err
}

// contentReaders lets whoever may read an item see its images.
func contentReaders(library *content.Service) media.ReadPolicy {
	return media.ReadPolicyFunc(func(ctx context.Context, q syncengine.Querier, p syncengine.Principal, _ *media.Media, refs []string) (bool, error) {
		return library.MayReadImages(ctx, q, p, refs)
	})
}

// onAccountChange is what other modules do inside a transaction that
// changes an account: the directory rewrites the directors' summaries that
// show a doctor's verification or a territory's reps.
var onAccountChange = []func(context.Context, syncengine.Tx, auth.AccountChange) error{probase.AccountChanged}

// accountsConfig is the accounts module as every command wires it, so an
// admin task revoking a device from the command line does what the server
// does (the device's push tokens and live streams go with it).
func accountsConfig(cfg *Config, log *slog.Logger) auth.Config {
	return auth.Config{Logger: log, Notify: notifyNotice, DiplomaMedia: attachDiploma, PasswordChecks: cfg.PasswordChecks,
		OnRevoke: []func(context.Context, syncengine.Tx, string) error{notify.DeviceRevoked}, OnAccountChange: onAccountChange}
}
