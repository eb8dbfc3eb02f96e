package syncengine

import (
	"context"
	"sync"
)

// Hub fans change notifications out to the subscriptions of one process.
// Publishing never blocks: each subscription keeps the set of its buckets
// that changed since it last looked, so a slow subscriber costs memory
// bounded by its bucket count and never delays a writer.
type Hub struct {
	mu       sync.RWMutex
	byBucket map[Bucket]map[*Subscription]struct{}
	all      map[*Subscription]struct{}
}

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{byBucket: map[Bucket]map[*Subscription]struct{}{}, all: map[*Subscription]struct{}{}}
}

// Subscription is one subscriber's interest in a set of buckets.
type Subscription struct {
	hub     *Hub
	wake    chan struct{}
	mu      sync.Mutex
	buckets []Bucket
	pending map[Bucket]struct{}
}

// Subscribe registers interest in buckets. Close the subscription when done.
func (h *Hub) Subscribe(buckets []Bucket) *Subscription {
	s := &Subscription{hub: h, wake: make(chan struct{}, 1), pending: map[Bucket]struct{}{}}
	h.mu.Lock()
	h.all[s] = struct{}{}
	h.addLocked(s, buckets)
	h.mu.Unlock()
	return s
}

func (h *Hub) addLocked(s *Subscription, buckets []Bucket) {
	s.buckets = append([]Bucket(nil), buckets...)
	for _, b := range buckets {
		m := h.byBucket[b]
		if m == nil {
			m = map[*Subscription]struct{}{}
			h.byBucket[b] = m
		}
		m[s] = struct{}{}
	}
}

func (h *Hub) removeLocked(s *Subscription) {
	for _, b := range s.buckets {
		if m := h.byBucket[b]; m != nil {
			delete(m, s)
			if len(m) == 0 {
				delete(h.byBucket, b)
			}
		}
	}
	s.buckets = nil
}

// Publish tells the subscribers of these buckets that they changed. A nil
// slice wakes every subscriber for all its buckets (notifications may have
// been lost).
func (h *Hub) Publish(buckets []Bucket) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if buckets == nil {
		for s := range h.all {
			s.mu.Lock()
			for _, b := range s.buckets {
				s.pending[b] = struct{}{}
			}
			s.mu.Unlock()
			s.signal()
		}
		return
	}
	for _, b := range buckets {
		for s := range h.byBucket[b] {
			s.mu.Lock()
			s.pending[b] = struct{}{}
			s.mu.Unlock()
			s.signal()
		}
	}
}

// Len returns the number of open subscriptions.
func (h *Hub) Len() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.all)
}

func (s *Subscription) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Update replaces the set of buckets the subscription follows.
func (s *Subscription) Update(buckets []Bucket) {
	s.hub.mu.Lock()
	s.hub.removeLocked(s)
	s.hub.addLocked(s, buckets)
	s.hub.mu.Unlock()
}

// Wake returns a channel that receives when buckets changed; call Changed
// to collect them.
func (s *Subscription) Wake() <-chan struct{} { return s.wake }

// Changed returns and clears the buckets that changed since the last call.
func (s *Subscription) Changed() []Bucket {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pending) == 0 {
		return nil
	}
	out := make([]Bucket, 0, len(s.pending))
	for b := range s.pending {
		out = append(out, b)
		delete(s.pending, b)
	}
	return out
}

// Wait blocks until some of the subscription's buckets changed or ctx ends.
func (s *Subscription) Wait(ctx context.Context) ([]Bucket, error) {
	for {
		if c := s.Changed(); c != nil {
			return c, nil
		}
		select {
		case <-s.wake:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Close unregisters the subscription.
func (s *Subscription) Close() {
	s.hub.mu.Lock()
	s.hub.removeLocked(s)
	delete(s.hub.all, s)
	s.hub.mu.Unlock()
}
