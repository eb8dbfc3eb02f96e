package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// generate starts sessions on an open schedule — session i at start+i/rate,
// whether or not earlier ones finished — for the run's duration, round-robin
// over the targets, then waits for the sessions still live to end. Every
// session holds one prepared account; one due when none is free is counted
// as dropped.
func generate(ctx context.Context, targets []*loadTarget, pool chan *loadAccount, plan *loadPlan, l *loadFlags, start time.Time, progress io.Writer) *loadReport {
	st := newLoadStats()
	// Sessions end by themselves within 1.5 sessions; past that plus a
	// margin the run is cut, so it is bounded whatever the servers do.
	runCtx, cancel := context.WithDeadline(ctx, start.Add(l.duration+plan.session*3/2+plan.think*4+30*time.Second))
	defer cancel()
	var wg sync.WaitGroup
	tick := time.NewTicker(l.progress)
	defer tick.Stop()
	interval := time.Duration(float64(time.Second) / l.rate)
	timer := time.NewTimer(0)
	defer timer.Stop()
arrivals:
	for i := 0; ; i++ {
		due := start.Add(time.Duration(i) * interval)
		if due.Sub(start) >= l.duration {
			break
		}
		timer.Reset(time.Until(due))
	wait:
		for {
			select {
			case <-runCtx.Done():
				break arrivals
			case <-tick.C:
				printProgress(progress, st, start)
			case <-timer.C:
				break wait
			}
		}
		var a *loadAccount
		select {
		case a = <-pool:
		default:
			st.mu.Lock()
			st.dropped++
			st.mu.Unlock()
			continue
		}
		st.mu.Lock()
		st.started++
		st.mu.Unlock()
		wg.Add(1)
		go func(t *loadTarget) {
			defer wg.Done()
			runSession(runCtx, t, a, plan, st)
			st.mu.Lock()
			st.ended++
			st.mu.Unlock()
			pool <- a
		}(targets[i%len(targets)])
	}
	arrived := time.Since(start)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
drain:
	for {
		select {
		case <-done:
			break drain
		case <-tick.C:
			printProgress(progress, st, start)
		}
	}
	printProgress(progress, st, start)
	rep := &loadReport{Rate: l.rate, Duration: l.duration.String(), Session: plan.session.String(), Steps: st.steps()}
	st.mu.Lock()
	defer st.mu.Unlock()
	rep.SessionsStarted, rep.SessionsEnded, rep.SessionsDropped, rep.PeakStreams = st.started, st.ended, st.dropped, st.peak
	rep.AchievedRate = float64(st.started+st.dropped) / arrived.Seconds()
	return rep
}

// printProgress writes one line of the run so far.
func printProgress(w io.Writer, st *loadStats, start time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	errs := 0
	for _, byCode := range st.errors {
		for _, n := range byCode {
			errs += n
		}
	}
	fmt.Fprintf(w, "load: %5.0fs  %d sessions started, %d ended, %d dropped, %d streams open, %d errors\n",
		time.Since(start).Seconds(), st.started, st.ended, st.dropped, st.open, errs)
}
