package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"
)

// The steps of a congress session, in order.
const (
	stepLogin      = "login"
	stepRefresh    = "refresh"
	stepServerInfo = "server-info"
	stepPull       = "pull"
	stepSubscribe  = "subscribe"
	stepQuiz       = "quiz"
	stepOrder      = "order"
)

var loadSteps = []string{stepLogin, stepRefresh, stepServerInfo, stepPull, stepSubscribe, stepQuiz, stepOrder}

// loadStats collects every step's latencies and errors.
type loadStats struct {
	mu      sync.Mutex
	samples map[string][]time.Duration
	errors  map[string]map[string]int
	open    int // streams this generator holds open now
	peak    int
	started int
	ended   int
	dropped int // sessions that found no free account
}

func newLoadStats() *loadStats {
	return &loadStats{samples: map[string][]time.Duration{}, errors: map[string]map[string]int{}}
}

// record counts one step: its latency, or its error by code.
func (s *loadStats) record(step string, took time.Duration, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		s.samples[step] = append(s.samples[step], took)
		return
	}
	if s.errors[step] == nil {
		s.errors[step] = map[string]int{}
	}
	s.errors[step][errorLabel(err)]++
}

// errorLabel is an error's Connect code, or for a rejected mutation its
// domain code.
func errorLabel(err error) string {
	if r, ok := err.(rejected); ok {
		return "rejected:" + r.code
	}
	return connect.CodeOf(err).String()
}

func (s *loadStats) streams(delta int) {
	s.mu.Lock()
	s.open += delta
	s.peak = max(s.peak, s.open)
	s.mu.Unlock()
}

// stepReport is one step's line of the report.
type stepReport struct {
	Step   string         `json:"step"`
	Count  int            `json:"count"`
	Errors map[string]int `json:"errors,omitempty"`
	P50ms  float64        `json:"p50_ms"`
	P95ms  float64        `json:"p95_ms"`
	P99ms  float64        `json:"p99_ms"`
	MaxMs  float64        `json:"max_ms"`
}

// serverReport is what a server's /metrics said at the end of the run.
type serverReport struct {
	Metrics     string  `json:"metrics"`
	RSSMiB      float64 `json:"rss_mib"`
	CPUSeconds  float64 `json:"cpu_seconds"`
	CPUPercent  float64 `json:"cpu_percent"` // over the run, 100 = one core
	OpenStreams float64 `json:"open_streams"`
	// Lookups of the shared buckets' page cache during the run.
	PageCacheHits   float64 `json:"page_cache_hits"`
	PageCacheMisses float64 `json:"page_cache_misses"`
}

// since turns the counters of s into what they counted after start.
func (s serverReport) since(start serverReport, d time.Duration) serverReport {
	s.CPUPercent = 100 * (s.CPUSeconds - start.CPUSeconds) / d.Seconds()
	s.PageCacheHits -= start.PageCacheHits
	s.PageCacheMisses -= start.PageCacheMisses
	return s
}

// loadReport is the result of a run, printed and written as JSON.
type loadReport struct {
	Rate            float64        `json:"rate_per_s"`
	Duration        string         `json:"duration"`
	Session         string         `json:"session"`
	Servers         []string       `json:"servers"`
	SessionsStarted int            `json:"sessions_started"`
	SessionsEnded   int            `json:"sessions_ended"`
	SessionsDropped int            `json:"sessions_dropped"`
	AchievedRate    float64        `json:"achieved_rate_per_s"`
	PeakStreams     int            `json:"peak_open_streams"`
	Steps           []stepReport   `json:"steps"`
	Server          []serverReport `json:"server_metrics,omitempty"`
	OK              bool           `json:"ok"`
	Verdict         string         `json:"verdict"`
}

func quantile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q * float64(len(sorted)-1))
	return float64(sorted[i].Microseconds()) / 1000
}

// steps summarises every step that ran or was due.
func (s *loadStats) steps() []stepReport {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []stepReport
	for _, step := range loadSteps {
		d := slices.Clone(s.samples[step])
		slices.Sort(d)
		r := stepReport{Step: step, Count: len(d), Errors: maps.Clone(s.errors[step])}
		for _, n := range r.Errors {
			r.Count += n
		}
		if len(d) > 0 {
			r.P50ms, r.P95ms, r.P99ms, r.MaxMs = quantile(d, .5), quantile(d, .95), quantile(d, .99), quantile(d, 1)
		}
		out = append(out, r)
	}
	return out
}

// verdict says whether the run held: no errors, every step that was asked
// for ran, no session dropped, and every step's p99 within the target.
func (r *loadReport) verdict(want map[string]bool, p99 time.Duration) {
	var faults []string
	for _, st := range r.Steps {
		n := 0
		for _, c := range st.Errors {
			n += c
		}
		if n > 0 {
			faults = append(faults, fmt.Sprintf("%d %s errors", n, st.Step))
		}
		if want[st.Step] && st.Count == 0 {
			faults = append(faults, st.Step+" never ran")
		}
		if st.P99ms > float64(p99.Milliseconds()) {
			faults = append(faults, fmt.Sprintf("%s p99 %.0f ms > %v", st.Step, st.P99ms, p99))
		}
	}
	if r.SessionsDropped > 0 {
		faults = append(faults, fmt.Sprintf("%d sessions found no free account (prepare more)", r.SessionsDropped))
	}
	r.OK = len(faults) == 0
	if r.OK {
		r.Verdict = fmt.Sprintf("PASS: %.1f sessions/s for %s, every step ran, no errors, p99 ≤ %v", r.AchievedRate, r.Duration, p99)
		return
	}
	r.Verdict = "FAIL: " + strings.Join(faults, "; ")
}

// print writes the report as a table.
func (r *loadReport) print(w io.Writer) {
	fmt.Fprintf(w, "sessions: %d started (%.1f/s of %.1f/s asked), %d ended, %d dropped; peak %d open streams\n",
		r.SessionsStarted, r.AchievedRate, r.Rate, r.SessionsEnded, r.SessionsDropped, r.PeakStreams)
	fmt.Fprintf(w, "%-12s %8s %9s %9s %9s %9s  %s\n", "STEP", "COUNT", "P50 ms", "P95 ms", "P99 ms", "MAX ms", "ERRORS")
	for _, s := range r.Steps {
		var errs []string
		for _, code := range slices.Sorted(maps.Keys(s.Errors)) {
			errs = append(errs, fmt.Sprintf("%s=%d", code, s.Errors[code]))
		}
		fmt.Fprintf(w, "%-12s %8d %9.1f %9.1f %9.1f %9.1f  %s\n", s.Step, s.Count, s.P50ms, s.P95ms, s.P99ms, s.MaxMs, strings.Join(errs, " "))
	}
	for _, m := range r.Server {
		fmt.Fprintf(w, "server %s: RSS %.0f MiB, CPU %.1f s (%.0f%% of a core), %.0f open streams", m.Metrics, m.RSSMiB, m.CPUSeconds, m.CPUPercent, m.OpenStreams)
		if n := m.PageCacheHits + m.PageCacheMisses; n > 0 {
			fmt.Fprintf(w, ", page cache %.0f%% hits of %.0f lookups", 100*m.PageCacheHits/n, n)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, r.Verdict)
}

func (r *loadReport) json() ([]byte, error) { return json.MarshalIndent(r, "", "  ") }

// scrapeMetrics reads a server's resident memory, CPU time and open
// streams from its Prometheus /metrics.
func scrapeMetrics(ctx context.Context, url string) (serverReport, error) {
	out := serverReport{Metrics: url}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return out, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return out, fmt.Errorf("%s answered %s", url, resp.Status)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, value, ok := metricSample(sc.Text())
		if !ok {
			continue
		}
		switch name {
		case "process_resident_memory_bytes":
			out.RSSMiB = value / (1 << 20)
		case "process_cpu_seconds_total":
			out.CPUSeconds = value
		case "ordinator_rpc_open_streams":
			out.OpenStreams += value
		case "ordinator_page_cache_lookups_total":
			if strings.Contains(sc.Text(), `result="hit"`) {
				out.PageCacheHits = value
			} else {
				out.PageCacheMisses = value
			}
		}
	}
	return out, sc.Err()
}

// metricSample splits a line of the Prometheus text format into the
// metric's name and value.
func metricSample(line string) (string, float64, bool) {
	if line == "" || line[0] == '#' {
		return "", 0, false
	}
	name, rest, _ := strings.Cut(line, " ")
	if i := strings.IndexByte(line, '{'); i >= 0 && i < len(name) {
		name = line[:i]
		j := strings.LastIndexByte(line, '}')
		if j < 0 {
			return "", 0, false
		}
		rest = strings.TrimSpace(line[j+1:])
	}
	value, _, _ := strings.Cut(strings.TrimSpace(rest), " ")
	v, err := strconv.ParseFloat(value, 64)
	return name, v, err == nil
}
