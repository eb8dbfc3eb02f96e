package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/auth/v1/authv1connect"
	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	metav1 "github.com/ordinatorhq/ordinator/api/ordinator/meta/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/meta/v1/metav1connect"
	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
)

// loadAccount is one prepared doctor. A session holds it alone: its
// refresh token rotates, and two sessions refreshing one token would look
// like theft.
type loadAccount struct {
	login    string
	refresh  string
	clientID string
	seq      int64
}

// loadTarget is one server and its clients, over HTTP/2 without TLS.
type loadTarget struct {
	url   string
	auth  authv1connect.AuthServiceClient
	meta  metav1connect.MetaServiceClient
	syncs syncv1connect.SyncServiceClient
}

func newLoadTarget(url string) *loadTarget {
	protocols := new(http.Protocols)
	protocols.SetUnencryptedHTTP2(true)
	client := &http.Client{Transport: &http.Transport{Protocols: protocols, TLSClientConfig: &tls.Config{}, MaxIdleConnsPerHost: 64}}
	return &loadTarget{url: url,
		auth:  authv1connect.NewAuthServiceClient(client, url),
		meta:  metav1connect.NewMetaServiceClient(client, url),
		syncs: syncv1connect.NewSyncServiceClient(client, url)}
}

// rejected is a mutation the server refused, as an error of the step.
type rejected struct{ code string }

func (r rejected) Error() string { return "rejected: " + r.code }

// loadPlan is how every session behaves.
type loadPlan struct {
	session    time.Duration
	think      time.Duration
	loginShare float64
	quizShare  float64
	orderShare float64
	flashAt    time.Time // when the gift wave opens
	seed       congressSeed
}

// jitter returns d scaled by a random factor between 0.5 and 1.5.
func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.5 + rand.Float64()))
}

// pause waits d, or less if ctx ends; it says whether ctx is still live.
func pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func bearer[T any](req *connect.Request[T], token string) *connect.Request[T] {
	req.Header().Set("Authorization", "Bearer "+token)
	return req
}

// runSession is one doctor opening the app during the congress: sign in
// (refresh, or a share with the password), server info, pull to a
// checkpoint, then a live stream held for the session's length, with a
// quiz answered and, after the gift wave opens, an order placed by a share.
func runSession(ctx context.Context, t *loadTarget, a *loadAccount, plan *loadPlan, st *loadStats) {
	end := time.Now().Add(jitter(plan.session))
	access, err := signIn(ctx, t, a, plan, st)
	if err != nil {
		return
	}
	if !pause(ctx, jitter(plan.think)) {
		return
	}
	start := time.Now()
	_, err = t.meta.GetServerInfo(ctx, connect.NewRequest(&metav1.GetServerInfoRequest{}))
	st.record(stepServerInfo, time.Since(start), err)
	if err != nil || !pause(ctx, jitter(plan.think)) {
		return
	}
	start = time.Now()
	err = pullToCheckpoint(ctx, t, a, access)
	st.record(stepPull, time.Since(start), err)
	if err != nil {
		return
	}

	live, stop := context.WithDeadline(ctx, end)
	defer stop()
	start = time.Now()
	stream, err := t.syncs.Subscribe(live, bearer(connect.NewRequest(&syncv1.SubscribeRequest{ClientId: a.clientID, ClientSchemaVersion: currentClientSchema}), access))
	if err == nil && !stream.Receive() {
		err = stream.Err()
		if err == nil {
			err = errors.New("the stream closed before its first message")
		}
	}
	st.record(stepSubscribe, time.Since(start), err)
	if err != nil {
		return
	}
	st.streams(1)
	held := make(chan struct{})
	go func() {
		defer close(held)
		for stream.Receive() {
		}
	}()
	if rand.Float64() < plan.quizShare && pause(live, jitter(plan.think)) {
		args, _ := proto.Marshal(&contentv1.CompleteTrainingArgs{TrainingId: plan.seed.TrainingID, TrainingVersion: plan.seed.TrainingVersion, Answers: plan.seed.Answers})
		start = time.Now()
		err := push(live, t, a, access, mutation(contentv1.CompleteTrainingMutation, args))
		st.record(stepQuiz, time.Since(start), err)
	}
	if rand.Float64() < plan.orderShare {
		// The flash crowd: everyone who is in the app when the wave opens
		// orders within a second of it.
		wait := time.Until(plan.flashAt) + time.Duration(rand.Int64N(int64(time.Second)))
		if wait < 0 {
			wait = jitter(plan.think)
		}
		if time.Now().Add(wait).Before(end) && pause(live, wait) {
			start = time.Now()
			err := push(live, t, a, access, mutation(giftsv1.PlaceOrderMutation, orderArgs(plan.seed)))
			st.record(stepOrder, time.Since(start), err)
		}
	}
	<-live.Done()
	stream.Close()
	<-held
	st.streams(-1)
}

// signIn refreshes the account's token, or signs in with the password for
// a share of sessions and for accounts with no token yet.
func signIn(ctx context.Context, t *loadTarget, a *loadAccount, plan *loadPlan, st *loadStats) (string, error) {
	start := time.Now()
	var tokens *authv1.Tokens
	step := stepRefresh
	var err error
	if a.refresh == "" || rand.Float64() < plan.loginShare {
		step = stepLogin
		var res *connect.Response[authv1.LoginResponse]
		res, err = t.auth.Login(ctx, connect.NewRequest(&authv1.LoginRequest{Login: a.login, Password: congressPassword, DeviceName: "congress load"}))
		if err == nil {
			tokens = res.Msg.GetTokens()
		}
	} else {
		var res *connect.Response[authv1.RefreshResponse]
		res, err = t.auth.Refresh(ctx, connect.NewRequest(&authv1.RefreshRequest{RefreshToken: a.refresh}))
		if err == nil {
			tokens = res.Msg.GetTokens()
		}
	}
	st.record(step, time.Since(start), err)
	if err != nil {
		if connect.CodeOf(err) == connect.CodeUnauthenticated {
			a.refresh = "" // the next session signs in afresh
		}
		return "", err
	}
	a.refresh = tokens.GetRefreshToken()
	return tokens.GetAccessToken(), nil
}

// pullToCheckpoint pulls every page the doctor's buckets hold.
func pullToCheckpoint(ctx context.Context, t *loadTarget, a *loadAccount, access string) error {
	var cursors []*syncv1.BucketCursor
	for range 1000 {
		res, err := t.syncs.Pull(ctx, bearer(connect.NewRequest(&syncv1.PullRequest{ClientId: a.clientID, ClientSchemaVersion: currentClientSchema, Cursors: cursors}), access))
		if err != nil {
			return err
		}
		if !res.Msg.GetHasMore() {
			return nil
		}
		cursors = res.Msg.GetCursors()
	}
	return fmt.Errorf("no checkpoint after 1000 pages")
}

func mutation(name string, args []byte) *syncv1.Mutation {
	return &syncv1.Mutation{Name: name, Args: args, CreatedAtUnixMs: time.Now().UnixMilli()}
}

// push sends one mutation and returns an error unless it was applied.
func push(ctx context.Context, t *loadTarget, a *loadAccount, access string, m *syncv1.Mutation) error {
	a.seq++
	m.Seq = a.seq
	res, err := t.syncs.Push(ctx, bearer(connect.NewRequest(&syncv1.PushRequest{ClientId: a.clientID, ClientSchemaVersion: currentClientSchema, Mutations: []*syncv1.Mutation{m}}), access))
	if err != nil {
		return err
	}
	for _, o := range res.Msg.GetOutcomes() {
		if o.GetStatus() != syncv1.OutcomeStatus_OUTCOME_STATUS_APPLIED {
			return rejected{code: o.GetRejection().GetCode()}
		}
	}
	return nil
}

// orderArgs orders one unit of one or two of the popular gifts.
func orderArgs(seed congressSeed) []byte {
	lines := []*giftsv1.PlaceOrderLine{{ItemId: seed.GiftIDs[rand.IntN(len(seed.GiftIDs))], Quantity: 1}}
	if other := seed.GiftIDs[rand.IntN(len(seed.GiftIDs))]; other != lines[0].ItemId && rand.IntN(2) == 0 {
		lines = append(lines, &giftsv1.PlaceOrderLine{ItemId: other, Quantity: 1})
	}
	args, _ := proto.Marshal(&giftsv1.PlaceOrderArgs{OrderId: uuid.NewString(), WaveId: seed.WaveID, Items: lines,
		Address: &giftsv1.DeliveryAddress{Recipient: "Congress Doctor", Phone: "+7 900 000-00-00", PostalCode: "101000", City: "Moscow", Street: "Tverskaya 1"}})
	return args
}
