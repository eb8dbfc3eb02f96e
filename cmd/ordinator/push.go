package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/module"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/notify/fcm"
	"github.com/ordinatorhq/ordinator/server/notify/rustore"
	"github.com/ordinatorhq/ordinator/server/probase"
	"github.com/ordinatorhq/ordinator/server/reports"
	"github.com/ordinatorhq/ordinator/server/studies"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// newSender returns the push sender the configuration names (one per
// country stack): --push-service, or FCM with --fcm-credentials, else the
// log. It also names it for the start-up line.
func newSender(ctx context.Context, cfg *Config, log *slog.Logger) (notify.Sender, string, error) {
	service := cfg.PushService
	if service == "" {
		service = "log"
		if cfg.FCMCredentials != "" {
			service = "fcm"
		}
	}
	switch service {
	case "log":
		return notify.LogSender{Log: log}, "log", nil
	case "rustore":
		s, err := rustore.New(rustore.Config{Project: cfg.RuStoreProject, ServiceToken: cfg.RuStoreServiceToken})
		if err != nil {
			return nil, "", fmt.Errorf("--push-service rustore: %v (give --rustore-project and --rustore-service-token)", err)
		}
		return s, "RuStore Push project " + s.Project(), nil
	case "fcm":
		if cfg.FCMCredentials == "" {
			return nil, "", fmt.Errorf("--push-service fcm needs --fcm-credentials")
		}
	default:
		return nil, "", fmt.Errorf("--push-service %q: use fcm, rustore or log", cfg.PushService)
	}
	s, err := fcm.FromCredentialsFile(ctx, cfg.FCMCredentials)
	if err != nil {
		return nil, "", fmt.Errorf("--fcm-credentials: %v", err)
	}
	return s, "FCM project " + s.Project(), nil
}

// notifications is one process's share of notifications and studies: the
// device services, the delivery workers, the scheduler of reminders and
// summaries, the silent-push waker and the live-stream presence.
type notifications struct {
	service   *notify.Service
	studies   *studies.Service
	presence  *notify.Presence
	scheduler *notify.Scheduler
	waker     *notify.Waker
	workers   []*notify.Worker
	summaries module.Job
}

func newNotifications(cfg *Config, store syncengine.Store, sender notify.Sender, accounts *auth.Service, figures *reports.Service, log *slog.Logger) *notifications {
	n := &notifications{
		service: notify.New(store),
		// Doctors' territories come from the doctors directory, so overdue
		// results reach the reps of the doctor's territory.
		studies:   studies.New(studies.Config{Store: store, Logger: log, Territories: studies.TerritoriesFunc(probase.TerritoryOfUser)}),
		presence:  notify.NewPresence(store, 0, nil, log),
		scheduler: notify.NewScheduler(notify.SchedulerConfig{Logger: log, Store: store}),
	}
	workers := cfg.PushWorkers
	if store.Dialect() == syncengine.SQLite {
		workers = min(workers, 1) // one writer: more workers only wait for it
	}
	for range workers {
		n.workers = append(n.workers, notify.NewWorker(notify.WorkerConfig{Store: store, Sender: sender, Logger: log}))
	}
	n.waker = notify.NewWaker(notify.WakerConfig{Store: store, Readers: accounts.Readers, Logger: log, Queued: n.kick})
	summaries := notify.NewSummaries(store, 9)
	for _, k := range summaryFigures {
		summaries.Register(k, figures.Counter(k))
	}
	// The push links to the phone's snapshot: fresh at the summary, not
	// as of the last hourly run.
	summaries.Refresh(figures.WriteRegionSnapshots)
	n.summaries = summaries.Job(time.Minute)
	return n
}

// module is the notification module with this process's delivery: its
// descriptor plus the directors' summary job and the delivery loops.
func (n *notifications) module() module.Module {
	m := n.service.Module()
	m.Jobs = append([]module.Job{n.summaries}, m.Jobs...)
	m.Loops = append(m.Loops, n.loops()...)
	return m
}

// kick wakes this process's idle workers.
func (n *notifications) kick() {
	for _, w := range n.workers {
		w.Kick()
	}
}

// loops returns the background loops to run until shutdown.
func (n *notifications) loops() []func(context.Context) error {
	loops := []func(context.Context) error{n.presence.Run, n.scheduler.Run, n.waker.Run}
	for _, w := range n.workers {
		loops = append(loops, w.Run)
	}
	return loops
}
