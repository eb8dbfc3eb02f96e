package sdk

import (
	"sort"
	"sync"
)

// events delivers observer callbacks on one goroutine of their own, in the
// order things happened, so a slow callback never holds up a write or the
// sync loop and callbacks never run concurrently with each other.
type events struct {
	mu     sync.Mutex
	next   int
	coll   map[int]collectionObserver
	status map[int]func(Status)
	rejs   map[int]func(Rejection)
	media  map[int]func(MediaProgress)
	wipes  map[int]func(Wipe)
	wipe   *Wipe // once the replica was wiped

	queue  []func()
	wake   chan struct{}
	done   chan struct{}
	closed bool
}

type collectionObserver struct {
	collection string
	fn         func(collection string)
}

func newEvents() *events {
	e := &events{
		coll:   map[int]collectionObserver{},
		status: map[int]func(Status){},
		rejs:   map[int]func(Rejection){},
		media:  map[int]func(MediaProgress){},
		wipes:  map[int]func(Wipe){},
		wake:   make(chan struct{}, 1),
		done:   make(chan struct{}),
	}
	go e.run()
	return e
}

func (e *events) run() {
	defer close(e.done)
	for {
		e.mu.Lock()
		q := e.queue
		e.queue = nil
		closed := e.closed
		e.mu.Unlock()
		for _, f := range q {
			f()
		}
		if closed && len(q) == 0 {
			return
		}
		if len(q) == 0 {
			<-e.wake
		}
	}
}

// close delivers what is queued and stops the dispatcher.
func (e *events) close() {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return
	}
	e.closed = true
	e.mu.Unlock()
	e.signal()
	<-e.done
}

func (e *events) signal() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

func (e *events) enqueue(f func()) {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return
	}
	e.queue = append(e.queue, f)
	e.mu.Unlock()
	e.signal()
}

func (e *events) add(register func(id int)) (cancel func()) {
	e.mu.Lock()
	e.next++
	id := e.next
	register(id)
	e.mu.Unlock()
	return func() {
		e.mu.Lock()
		delete(e.coll, id)
		delete(e.status, id)
		delete(e.rejs, id)
		delete(e.media, id)
		delete(e.wipes, id)
		e.mu.Unlock()
	}
}

// collectionsChanged tells the observers of each changed collection.
func (e *events) collectionsChanged(changed map[string]bool) {
	if len(changed) == 0 {
		return
	}
	names := make([]string, 0, len(changed))
	for c := range changed {
		names = append(names, c)
	}
	sort.Strings(names)
	e.mu.Lock()
	var calls []func()
	for _, o := range e.coll {
		for _, n := range names {
			if o.collection == "" || o.collection == n {
				fn, n := o.fn, n
				calls = append(calls, func() { fn(n) })
			}
		}
	}
	e.mu.Unlock()
	for _, c := range calls {
		e.enqueue(c)
	}
}

func (e *events) statusChanged(s Status) {
	e.mu.Lock()
	fns := make([]func(Status), 0, len(e.status))
	for _, fn := range e.status {
		fns = append(fns, fn)
	}
	e.mu.Unlock()
	for _, fn := range fns {
		e.enqueue(func() { fn(s) })
	}
}

func (e *events) rejected(rs []Rejection) {
	if len(rs) == 0 {
		return
	}
	e.mu.Lock()
	fns := make([]func(Rejection), 0, len(e.rejs))
	for _, fn := range e.rejs {
		fns = append(fns, fn)
	}
	e.mu.Unlock()
	for _, rej := range rs {
		for _, fn := range fns {
			e.enqueue(func() { fn(rej) })
		}
	}
}

func (e *events) mediaProgress(p MediaProgress) {
	e.mu.Lock()
	fns := make([]func(MediaProgress), 0, len(e.media))
	for _, fn := range e.media {
		fns = append(fns, fn)
	}
	e.mu.Unlock()
	for _, fn := range fns {
		e.enqueue(func() { fn(p) })
	}
}

// wiped tells the observers of the wipe, once.
func (e *events) wiped(w Wipe) {
	e.mu.Lock()
	if e.wipe != nil {
		e.mu.Unlock()
		return
	}
	e.wipe = &w
	fns := make([]func(Wipe), 0, len(e.wipes))
	for _, fn := range e.wipes {
		fns = append(fns, fn)
	}
	e.mu.Unlock()
	for _, fn := range fns {
		e.enqueue(func() { fn(w) })
	}
}

// Observe calls fn, on the replica's event goroutine, whenever the local
// rows of collection change (any collection for ""): a local write, a
// checkpoint, a rollback. It returns a function that stops the calls.
func (r *Replica) Observe(collection string, fn func(collection string)) (cancel func()) {
	return r.events.add(func(id int) { r.events.coll[id] = collectionObserver{collection, fn} })
}

// ObserveStatus calls fn with the sync status whenever it changes, starting
// with the current one.
func (r *Replica) ObserveStatus(fn func(Status)) (cancel func()) {
	cancel = r.events.add(func(id int) { r.events.status[id] = fn })
	s := r.Status()
	r.events.enqueue(func() { fn(s) })
	return cancel
}

// ObserveRejections calls fn for each mutation rejected from now on, after
// its optimistic effect was rolled back. Rejections also stay listed by
// Rejections until dismissed, so none is missed while nobody observes.
func (r *Replica) ObserveRejections(fn func(Rejection)) (cancel func()) {
	return r.events.add(func(id int) { r.events.rejs[id] = fn })
}

// ObserveMedia calls fn with the progress of media uploads and downloads.
func (r *Replica) ObserveMedia(fn func(MediaProgress)) (cancel func()) {
	return r.events.add(func(id int) { r.events.media[id] = fn })
}

// ObserveWipe calls fn once if the server revokes the device, after the
// replica deleted its data, with what the user's work lost: mutations the
// server had not acknowledged and photos not uploaded. The app should say so
// (a wipe is never silent). Observing a replica already wiped calls fn at
// once.
func (r *Replica) ObserveWipe(fn func(Wipe)) (cancel func()) {
	var done *Wipe
	cancel = r.events.add(func(id int) {
		r.events.wipes[id] = fn
		done = r.events.wipe
	})
	if done != nil {
		w := *done
		r.events.enqueue(func() { fn(w) })
	}
	return cancel
}
