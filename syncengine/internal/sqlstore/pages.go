package sqlstore

import (
	"container/list"
	"context"
	"sync"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// Pages caches the changes a pull fetched from a shared bucket, so that
// thousands of devices reading the same bucket (the congress programme in
// a specialty's bucket) cost one range scan, not one each. A user's own
// bucket is read by one user and is never cached.
//
// # Why a cached range is never stale
//
// An entry is keyed by the bucket, the cursor it was read from, the page's
// row limit, and two facts of the reading snapshot: the seq of the bucket's
// newest change and its reset_before. The changes of a bucket after a
// cursor up to its newest change are a function of that key:
//   - seqs of one bucket are in commit order (see syncengine/postgres), so a
//     snapshot that sees the bucket's newest change N sees every change of
//     the bucket below N, and one that sees the same N sees the same commits;
//   - a change below N leaves the log only when a commit supersedes it,
//     which appends the record's next change to the same bucket with a seq
//     above N (a new newest: another key), or when compaction removes an
//     expired tombstone, which raises reset_before in the same transaction
//     (another key).
//
// So a snapshot with the same key would read exactly the cached changes,
// and the cache needs no invalidation; entries of an old newest simply age
// out. It is per process and holds only committed data, so replicas may
// each keep their own.
type Pages struct {
	mu    sync.Mutex
	max   int
	size  int
	order *list.List // of *pageEntry, most recently used first
	byKey map[pageKey]*list.Element

	hits, misses uint64
}

type pageKey struct {
	bucket      syncengine.Bucket
	after       int64
	newest      int64
	resetBefore int64
	limit       int
}

type pageEntry struct {
	key     pageKey
	changes []syncengine.Change
	size    int
}

// NewPages returns a cache holding at most maxBytes of changes (counted
// as ChangeSize); maxBytes ≤ 0 returns nil, which caches nothing.
func NewPages(maxBytes int) *Pages {
	if maxBytes <= 0 {
		return nil
	}
	return &Pages{max: maxBytes, order: list.New(), byKey: map[pageKey]*list.Element{}}
}

// PageStats counts a cache's lookups.
type PageStats struct {
	Hits, Misses uint64
	Bytes        int
}

// Stats returns the cache's counters; a nil cache has none.
func (p *Pages) Stats() PageStats {
	if p == nil {
		return PageStats{}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return PageStats{Hits: p.hits, Misses: p.misses, Bytes: p.size}
}

// cacheable reports whether a bucket's ranges are worth caching: every
// kind but a user's own.
func cacheable(b syncengine.Bucket) bool { return b.Kind() != "user" }

func (p *Pages) get(k pageKey) ([]syncengine.Change, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	el, ok := p.byKey[k]
	if !ok {
		p.misses++
		return nil, false
	}
	p.hits++
	p.order.MoveToFront(el)
	return el.Value.(*pageEntry).changes, true
}

// put stores a copy of the changes of k's bucket among fetched, which the
// caller may go on using.
func (p *Pages) put(k pageKey, fetched []syncengine.Change) {
	n, size := 0, 64
	for _, c := range fetched {
		if c.Bucket == k.bucket {
			n++
			size += ChangeSize(c)
		}
	}
	if size > p.max/8 {
		return // one huge range would push out everything else
	}
	owned := make([]syncengine.Change, 0, n)
	buf := make([]byte, 0, size)
	for _, c := range fetched {
		if c.Bucket != k.bucket {
			continue
		}
		if c.Payload != nil {
			start := len(buf)
			buf = append(buf, c.Payload...)
			c.Payload = buf[start:len(buf):len(buf)]
		}
		owned = append(owned, c)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.byKey[k]; ok {
		return
	}
	p.byKey[k] = p.order.PushFront(&pageEntry{key: k, changes: owned, size: size})
	p.size += size
	for p.size > p.max {
		old := p.order.Back()
		e := old.Value.(*pageEntry)
		p.order.Remove(old)
		delete(p.byKey, e.key)
		p.size -= e.size
	}
}

// fetchThrough answers the cacheable cursors from p where it can and
// fetches the rest in one call, caching what it read for shared buckets.
// The changes come back in no particular order, as fetch's do; cached
// slices are shared, so nothing downstream may modify a change.
func (p *Pages) fetchThrough(ctx context.Context, q syncengine.Querier, fetch Fetch, cursors []syncengine.Cursor, horizon int64, limit int, meta map[syncengine.Bucket]meta) ([]syncengine.Change, error) {
	if p == nil {
		return fetch(ctx, q, cursors, horizon, limit)
	}
	var out []syncengine.Change
	var missing []syncengine.Cursor
	keys := map[syncengine.Bucket]pageKey{}
	for _, c := range cursors {
		if !cacheable(c.Bucket) {
			missing = append(missing, c)
			continue
		}
		m := meta[c.Bucket]
		k := pageKey{bucket: c.Bucket, after: c.After, newest: m.newest, resetBefore: m.resetBefore, limit: limit}
		if hit, ok := p.get(k); ok {
			out = append(out, hit...)
			continue
		}
		keys[c.Bucket] = k
		missing = append(missing, c)
	}
	if len(missing) == 0 {
		return out, nil
	}
	fetched, err := fetch(ctx, q, missing, horizon, limit)
	if err != nil {
		return nil, err
	}
	if len(keys) == 1 {
		for _, k := range keys {
			p.put(k, fetched)
		}
	} else if len(keys) > 1 {
		byBucket := map[syncengine.Bucket][]syncengine.Change{}
		for _, c := range fetched {
			if _, ok := keys[c.Bucket]; ok {
				byBucket[c.Bucket] = append(byBucket[c.Bucket], c)
			}
		}
		for b, k := range keys {
			p.put(k, byBucket[b])
		}
	}
	return append(out, fetched...), nil
}
