// Package consoletest drives the web console in a real headless Chromium
// (Debian's chromium package, which `make services` installs) through
// chromedp, for tests: each browser starts with a fresh profile and the
// flags that keep it off the network, each tab has its own cookies (a
// user of its own), and a failing test leaves a screenshot of every tab.
// With ORDINATOR_CONSOLE_SCREENSHOTS=dir, Shot saves the named pages there
// as PNG files (the README's pictures).
package consoletest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Chromium returns the browser binary: $ORDINATOR_CHROMIUM, else chromium
// on the PATH or in /usr/bin. A missing browser fails the test; it is
// never skipped.
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("ORDINATOR_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	t.Fatal("consoletest: no Chromium found: run `make services` (it installs Debian's chromium package as root) or set ORDINATOR_CHROMIUM")
	return ""
}

// Width and Height are the window the console is tested (and pictured) in.
const (
	Width  = 1280
	Height = 900
)

// Browser is one headless Chromium for a test.
type Browser struct {
	t       testing.TB
	alloc   context.Context
	browser context.Context
	mu      sync.Mutex
	tabs    []*Tab
	closers []context.CancelFunc
}

// New starts a browser that lives until the test ends.
func New(t testing.TB) *Browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Chromium(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(Width, Height),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		// Outbound connections are refused on test machines; these keep
		// the browser from waiting on them.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("hide-scrollbars", true),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	if err := chromedp.Do(browser); err != nil {
		cancelBrowser()
		cancelAlloc()
		t.Fatalf("consoletest: starting Chromium: %v", err)
	}
	b := &Browser{t: t, alloc: alloc, browser: browser}
	t.Cleanup(func() {
		if t.Failed() {
			b.saveFailure()
		}
		b.mu.Lock()
		for _, c := range b.closers {
			c()
		}
		b.mu.Unlock()
		cancelBrowser()
		cancelAlloc()
	})
	return b
}

// Tab is a page in a browser context of its own: its own cookies.
type Tab struct {
	b    *Browser
	name string
	ctx  context.Context
}

// Tab opens a tab; name identifies it in failure screenshots.
func (b *Browser) Tab(name string) *Tab {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.browser, chromedp.WithNewBrowserContext())
	// Closed with the browser, after a failure's screenshots.
	b.mu.Lock()
	b.closers = append(b.closers, cancel)
	b.mu.Unlock()
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("consoletest: opening tab %s: %v", name, err)
	}
	tab := &Tab{b: b, name: name, ctx: ctx}
	b.mu.Lock()
	b.tabs = append(b.tabs, tab)
	b.mu.Unlock()
	return tab
}

// timeout bounds one step; a page that never shows what a step waits for
// fails the test instead of hanging it.
const timeout = 20 * time.Second

// Do runs chromedp actions in the tab, failing the test on error.
func (tab *Tab) Do(actions ...chromedp.Action[chromedp.Void]) {
	tab.b.t.Helper()
	if err := tab.Try(actions...); err != nil {
		tab.b.t.Fatalf("%s: %v", tab.name, err)
	}
}

// Try runs chromedp actions in the tab and returns their error.
func (tab *Tab) Try(actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(tab.ctx, timeout)
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

// Get runs an action that returns a value, failing the test on error.
func Get[T any](tab *Tab, a chromedp.Action[T]) T {
	tab.b.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tab.b.t.Fatalf("%s: %v", tab.name, err)
	}
	return v
}

// Text returns the visible text of the element a CSS selector finds.
func (tab *Tab) Text(css string) string {
	tab.b.t.Helper()
	return Get(tab, chromedp.Text(chromedp.CSS(css)))
}

// Location returns the tab's URL.
func (tab *Tab) Location() string {
	tab.b.t.Helper()
	return Get(tab, chromedp.Location())
}

// Cookies returns the tab's cookies for a URL.
func (tab *Tab) Cookies(url string) []*network.Cookie {
	tab.b.t.Helper()
	res := Get(tab, func(ctx context.Context, t *chromedp.Target) (network.GetCookiesResult, error) {
		return cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{url}})
	})
	return res.Cookies
}

// SetCookie gives the tab a cookie, as a browser that kept an old one
// would send it.
func (tab *Tab) SetCookie(c *network.Cookie, url string) {
	tab.b.t.Helper()
	tab.Do(func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, network.SetCookie, network.SetCookieParams{Name: c.Name, Value: c.Value, URL: url, Path: c.Path,
			HTTPOnly: &c.HTTPOnly, SameSite: c.SameSite})
		return chromedp.Void{}, err
	})
}

// Wait waits until a JavaScript expression is true on the tab's page, over
// navigations (a poll does not survive one, so it starts again), and fails
// the test if it never is.
func (tab *Tab) Wait(expr string) {
	tab.b.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(tab.ctx, time.Second)
		_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(time.Second)))
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			var url string
			ctx, cancel := context.WithTimeout(tab.ctx, time.Second)
			url, _ = chromedp.Run(ctx, chromedp.Location())
			cancel()
			tab.b.t.Fatalf("%s: at %s, %s never held (%v)", tab.name, url, expr, err)
		}
	}
}

// WaitText waits until the element a CSS selector finds contains text.
func (tab *Tab) WaitText(css, text string) {
	tab.b.t.Helper()
	tab.Wait(fmt.Sprintf(`(document.querySelector(%s)?.textContent ?? "").includes(%s)`, jsString(css), jsString(text)))
}

// Tablet is the width the console must also fit (a tablet held upright).
const Tablet = 768

// FitsWidths fails the test if the page scrolls sideways in the test's
// window or on a tablet.
func (tab *Tab) FitsWidths() {
	tab.b.t.Helper()
	for _, w := range []int64{Width, Tablet} {
		tab.Do(chromedp.EmulateViewport(w, Height))
		over := Get(tab, chromedp.Evaluate[int64](`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
		if over > 0 {
			tab.b.t.Fatalf("%s: at %d px the page scrolls sideways by %d px", tab.name, w, over)
		}
	}
	tab.Do(chromedp.EmulateViewport(Width, Height))
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Context is the tab's chromedp context, for actions the helpers do not
// cover.
func (tab *Tab) Context() context.Context { return tab.ctx }

// Shot saves the page as name.png under $ORDINATOR_CONSOLE_SCREENSHOTS,
// if set.
func (tab *Tab) Shot(name string) {
	tab.b.t.Helper()
	dir := os.Getenv("ORDINATOR_CONSOLE_SCREENSHOTS")
	if dir == "" {
		return
	}
	png := Get(tab, chromedp.FullScreenshot(100))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tab.b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		tab.b.t.Fatal(err)
	}
}

// saveFailure keeps a screenshot of every tab where the test's failure can
// be looked at after the test (its temporary directory is removed).
func (b *Browser) saveFailure() {
	dir, err := os.MkdirTemp("", "ordinator-console-"+strings.NewReplacer("/", "-", " ", "-").Replace(b.t.Name())+"-")
	if err != nil {
		b.t.Logf("consoletest: no directory for failure screenshots: %v", err)
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, tab := range b.tabs {
		ctx, cancel := context.WithTimeout(tab.ctx, 10*time.Second)
		url, _ := chromedp.Run(ctx, chromedp.Location())
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		cancel()
		if err != nil {
			b.t.Logf("consoletest: screenshot of tab %s: %v", tab.name, err)
			continue
		}
		path := filepath.Join(dir, fmt.Sprintf("%02d-%s.png", i, tab.name))
		if err := os.WriteFile(path, png, 0o644); err != nil {
			b.t.Logf("consoletest: %v", err)
			continue
		}
		b.t.Logf("consoletest: tab %s at %s on failure: %s", tab.name, url, path)
	}
}
