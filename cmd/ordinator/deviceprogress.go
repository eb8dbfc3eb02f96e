package main

import (
	"cmp"
	"encoding/base64"
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
// its initial sync (rows done of the server's estimate).
type syncProgress struct {
	mu     sync.Mutex
	bar    *progressbar.ProgressBar
	out    io.Writer
	cancel func()
}

func newSyncProgress(r *sdk.Replica, out io.Writer) *syncProgress {
	p := &syncProgress{out: out}
	p.cancel = r.ObserveStatus(p.update)
	return p
}

func (p *syncProgress) update(s sdk.Status) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !s.InitialSync || s.RowsTotal == 0 {
		return
	}
	if p.bar == nil {
		p.bar = progressbar.NewOptions64(s.RowsTotal,
			progressbar.OptionSetWriter(p.out),
			progressbar.OptionSetDescription("initial sync"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("rows"),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	p.bar.ChangeMax64(s.RowsTotal)
	p.bar.Set64(s.RowsDone)
}

func (p *syncProgress) finish() {
	p.cancel()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Finish()
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
