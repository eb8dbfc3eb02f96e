package main

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/schollz/progressbar/v3"

	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
)

// syncProgress draws a progress bar on stderr while the replica downloads
// its initial sync: rows done of the server's estimate of the rows to
// download (PullResponse.remaining), then one line saying what came.
type syncProgress struct {
	r       *sdk.Replica
	out     io.Writer
	initial bool // the replica had no checkpoint when the run began
	start   time.Time
	cancel  func()

	mu   sync.Mutex
	bar  *progressbar.ProgressBar
	done bool
}

func newSyncProgress(r *sdk.Replica, out io.Writer) *syncProgress {
	p := &syncProgress{r: r, out: out, initial: r.Status().InitialSync, start: time.Now()}
	p.cancel = r.ObserveStatus(p.update)
	return p
}

// update moves the bar to a status. Statuses reach observers after the
// fact, so one may arrive once the sync is over: finish has drawn the last
// state by then, and late ones are dropped.
func (p *syncProgress) update(s sdk.Status) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done || !s.InitialSync || s.RowsTotal == 0 {
		return
	}
	p.draw(s)
}

func (p *syncProgress) draw(s sdk.Status) {
	total := max(s.RowsTotal, s.RowsDone)
	if p.bar == nil {
		// Not throttled: the SDK reports once per page applied, and a
		// throttled bar would leave a stale figure on the screen when
		// the last pages come quickly.
		p.bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(p.out),
			progressbar.OptionSetDescription("initial sync"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("rows"),
			progressbar.OptionClearOnFinish(),
		)
	}
	if p.bar.GetMax64() != total {
		p.bar.ChangeMax64(total) // which draws the bar, as Set64 does
	}
	p.bar.Set64(s.RowsDone)
}

// finish draws the final state from the replica's status as it is now,
// clears the bar and says how many rows the initial sync downloaded.
func (p *syncProgress) finish() {
	p.cancel()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done = true
	s := p.r.Status()
	if p.bar != nil {
		if s.RowsTotal > 0 {
			p.draw(s)
		}
		p.bar.Finish()
	}
	if p.initial && !s.InitialSync {
		estimate := ""
		if s.RowsTotal != s.RowsDone {
			estimate = fmt.Sprintf(" (the server estimated %d)", s.RowsTotal)
		}
		fmt.Fprintf(p.out, "initial sync: %d rows%s in %s\n", s.RowsDone, estimate, time.Since(p.start).Round(time.Millisecond))
	}
}

// printable shows a payload as text when it is text, else as base64.
func printable(b []byte) string {
	if utf8.Valid(b) && !slices.ContainsFunc([]rune(string(b)), func(r rune) bool { return !unicode.IsPrint(r) && r != '\t' }) {
		return string(b)
	}
	return "base64:" + base64.StdEncoding.EncodeToString(b)
}

func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	return slices.Sorted(maps.Keys(m))
}

// newCLIHTTPClient is the client the CLI's own calls (login, refresh) use.
func newCLIHTTPClient() *http.Client {
	return &http.Client{Timeout: 30 * time.Second}
}
