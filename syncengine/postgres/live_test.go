package postgres_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/postgres"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

// TestLiveAcrossProcesses: a writer on one engine instance wakes a
// subscriber on another sharing the database, through LISTEN/NOTIFY.
func TestLiveAcrossProcesses(t *testing.T) {
	url := testenv.PostgresURL(t, template)
	open := func() *storetest.Harness {
		clock := storetest.NewClock()
		s, err := postgres.Open(context.Background(), url, postgres.Options{Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		return storetest.NewHarness(t, s, clock, syncengine.Config{})
	}
	writer, reader := open(), open()
	writer.Grant("u1", "room:a")
	sub := reader.Subscribe(t, "u1")
	d := writer.NewDevice("u1")
	for i := 0; i < 3; i++ {
		d.Put("n1", "hello", "room:a")
		sub.Until(t, "room:a")
	}
}

// TestWatchReconnects: when the listening connection dies, the store
// reconnects and reports that notifications may have been lost; the
// server's log says why live notifications paused and that they resumed.
func TestWatchReconnects(t *testing.T) {
	var logged syncBuffer
	log := slog.New(slog.NewTextHandler(&logged, nil))
	s, err := postgres.Open(context.Background(), testenv.PostgresURL(t, template), postgres.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan []syncengine.Bucket, 10)
	go s.Watch(ctx, func(b []syncengine.Bucket) { got <- b })
	if b := <-got; b != nil {
		t.Fatalf("first report %v, want nil once listening", b)
	}
	// Kill its backend.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int64
		if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE query = 'LISTEN ordinator_sync' AND datname = current_database()`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("never listened")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := s.Pool().Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN ordinator_sync' AND datname = current_database()`); err != nil {
		t.Fatal(err)
	}
	select {
	case b := <-got:
		if b != nil {
			t.Fatalf("first report after reconnect = %v, want nil (recheck everything)", b)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no report after the connection died")
	}
	// Both are logged before the report that it listens again.
	out := logged.String()
	if !strings.Contains(out, `level=WARN msg="listening for commits failed`) || !strings.Contains(out, "err=") {
		t.Fatalf("the lost connection was not logged with its error:\n%s", out)
	}
	if !strings.Contains(out, `level=INFO msg="listening for commits again"`) {
		t.Fatalf("listening again was not logged:\n%s", out)
	}
}

// syncBuffer is a buffer a logger may write from another goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
