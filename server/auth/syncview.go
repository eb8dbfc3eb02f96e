package auth

import (
	"context"
	"strings"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// SyncView is what an account's devices see now, for support ("I don't see
// doctor X"): the buckets it reads and why, each with the count and
// checksum a device that caught up holds, its sync clients with their last
// pull, last push and app schema, and its latest rejected mutations.
type SyncView struct {
	User User
	// Buckets is empty for a disabled account: its pulls are refused.
	Buckets    []BucketView
	Clients    []ClientView
	Rejections []syncengine.Outcome
}

// BucketView is one bucket an account reads, why, and its live state.
type BucketView struct {
	Grant
	State syncengine.Checksum
}

// ClientView is a sync client with the device session it last pulled
// with, when that session is known.
type ClientView struct {
	syncengine.Client
	Device *Device
}

// syncViewRejections is how many of the latest rejections SyncView shows.
const syncViewRejections = 20

// InspectSync returns the sync view of an account, for moderators and
// admins (support). The buckets are the ones a pull by the account would
// read now, from the same rule (grantsOf), and their states are read as a
// pull's checkpoint reads them.
func (s *Service) InspectSync(ctx context.Context, p syncengine.Principal, userID string) (SyncView, error) {
	if err := Require(p, RoleModerator); err != nil {
		return SyncView{}, err
	}
	var v SyncView
	var clients []syncengine.Client
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		u, err := FindUser(ctx, q, userID)
		if err != nil {
			return err
		}
		v.User = u
		if !u.Disabled {
			grants, err := grantsOf(ctx, q, u)
			if err != nil {
				return err
			}
			seen := map[syncengine.Bucket]bool{}
			for _, g := range append([]Grant{{syncengine.UserBucket(u.ID), ReasonOwn}}, grants...) {
				if !seen[g.Bucket] {
					seen[g.Bucket] = true
					v.Buckets = append(v.Buckets, BucketView{Grant: g})
				}
			}
		}
		if clients, err = syncengine.UserClients(ctx, q, u.ID); err != nil {
			return err
		}
		v.Rejections, err = syncengine.Rejections(ctx, q, u.ID, syncViewRejections)
		return err
	})
	if err != nil {
		return SyncView{}, err
	}
	buckets := make([]syncengine.Bucket, len(v.Buckets))
	for i, b := range v.Buckets {
		buckets[i] = b.Bucket
	}
	states, err := s.store.BucketStates(ctx, buckets)
	if err != nil {
		return SyncView{}, err
	}
	for i := range v.Buckets {
		v.Buckets[i].State = states[i].Checksum
	}
	devices, err := s.ListDevices(ctx, userID)
	if err != nil {
		return SyncView{}, err
	}
	for _, c := range clients {
		cv := ClientView{Client: c}
		for i := range devices {
			if devices[i].ID == c.DeviceID {
				cv.Device = &devices[i]
			}
		}
		v.Clients = append(v.Clients, cv)
	}
	return v, nil
}

// FindAccount returns the account a support request names: its id, e-mail
// address or phone number; for moderators and admins, as InspectSync.
func (s *Service) FindAccount(ctx context.Context, p syncengine.Principal, key string) (User, error) {
	if err := Require(p, RoleModerator); err != nil {
		return User{}, err
	}
	key = strings.TrimSpace(key)
	if key == "" {
		return User{}, syncengine.Invalid("no account named", syncengine.Violation{Field: "account", Description: "give the account's e-mail, phone or id"})
	}
	var u User
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		var err error
		if u, err = FindUser(ctx, q, key); syncengine.ErrorCode(err) != syncengine.ENOTFOUND {
			return err
		}
		if _, _, ok := normalizeLogin(key); ok {
			if u, err = FindUserByLogin(ctx, q, key); syncengine.ErrorCode(err) != syncengine.ENOTFOUND {
				return err
			}
		}
		return syncengine.Errorf(syncengine.ENOTFOUND, "no account has the e-mail, phone or id %s", key)
	})
	return u, err
}
