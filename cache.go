package feed

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"feed/internal/resource"
)

// Bounds of the cache of resources rendered on request. A client looping
// over random parameters fills the cache and then only evicts its own
// entries: memory stays bounded whatever the URLs.
const (
	defaultCacheEntries = 256
	defaultCacheBytes   = 64 << 20
)

// defaultQueueWait bounds how long a request waits for a render slot
// before it is answered 503: well under the 30 s response limit of
// cmd/feed, and long enough for a line of a hundred renders of a
// 10,000-event page (about 0.2 s each, two at a time) to drain.
const defaultQueueWait = 10 * time.Second

// renderSlots bounds the renders on request that run at once in the whole
// process, whichever snapshot they belong to: a reload must not double the
// bound. A render takes a CPU and tens of megabytes while it runs, so more
// renders than CPUs only add memory and latency to every request.
var renderSlots = newRenderLimiter(runtime.GOMAXPROCS(0), defaultQueueWait)

// renderCache keeps what is rendered on request, feeds and pages alike, by
// key: pinned resources for good, others in least-recently-used order
// within a count and a byte bound. Concurrent requests for the same missing
// key render it once; distinct missing keys queue for the limiter's slots.
type renderCache struct {
	mu         sync.Mutex
	pinned     map[string]*resource.Resource
	entries    map[string]*list.Element // of *cacheEntry; exactly the elements of order
	order      *list.List               // most recently used first
	bytes      int                      // the sum of the sizes of the entries in order
	maxEntries int
	maxBytes   int
	limit      *renderLimiter
}

type cacheEntry struct {
	key   string
	res   *resource.Resource
	err   error
	size  int           // counted in bytes; 0 until its render is done and kept
	ready chan struct{} // closed once res or err is set
}

func newRenderCache(maxEntries, maxBytes int, limit *renderLimiter) *renderCache {
	return &renderCache{
		pinned:     make(map[string]*resource.Resource),
		entries:    make(map[string]*list.Element),
		order:      list.New(),
		maxEntries: maxEntries,
		maxBytes:   maxBytes,
		limit:      limit,
	}
}

// pin keeps a resource for the life of the cache; only Build calls it,
// before the cache is shared.
func (c *renderCache) pin(key string, res *resource.Resource) { c.pinned[key] = res }

// errLeaderLeft tells the requests waiting for a render that the request
// which was to run it went away while queued: one of them runs it instead.
var errLeaderLeft = errors.New("the request rendering this resource went away")

// errRenderPanicked is what the requests waiting for a render get when it
// panicked; the request that ran it answers through recoverPanics.
var errRenderPanicked = errors.New("the render panicked")

// get returns the resource of key, rendering it if it is neither pinned nor
// cached. It waits for a render slot, or for another request's render of the
// same key, until ctx ends or the limiter's queue wait passes.
func (c *renderCache) get(ctx context.Context, key string, render func() (*resource.Resource, error)) (*resource.Resource, error) {
	if res, ok := c.pinned[key]; ok {
		return res, nil
	}
	for {
		c.mu.Lock()
		if el, ok := c.entries[key]; ok {
			c.order.MoveToFront(el)
			e := el.Value.(*cacheEntry)
			c.mu.Unlock()
			select {
			case <-e.ready:
			case <-ctx.Done():
				return nil, fmt.Errorf("waiting for a render: %w", context.Cause(ctx))
			}
			if e.err == errLeaderLeft {
				continue
			}
			return e.res, e.err
		}
		el := c.order.PushFront(&cacheEntry{key: key, ready: make(chan struct{})})
		c.entries[key] = el
		c.mu.Unlock()
		return c.fill(ctx, el, render)
	}
}

// fill renders the entry of el once a slot is free, and keeps it if it fits.
func (c *renderCache) fill(ctx context.Context, el *list.Element, render func() (*resource.Resource, error)) (*resource.Resource, error) {
	settled := false
	defer func() {
		if !settled {
			// render panicked: the waiters must not wait forever, and
			// the key must be rendered afresh next time.
			c.settle(el, nil, errRenderPanicked)
		}
	}()
	release, err := c.limit.acquire(ctx)
	if err != nil {
		settled = true
		if ctx.Err() != nil {
			c.settle(el, nil, errLeaderLeft)
		} else {
			c.settle(el, nil, err)
		}
		return nil, err
	}
	defer release()
	res, err := render()
	settled = true
	c.settle(el, res, err)
	return res, err
}

// settle publishes the outcome of el's render and accounts for it. Only the
// element itself is ever counted or removed: while it rendered it may have
// been evicted and its key given to a newer element, which is not its to
// touch.
func (c *renderCache) settle(el *list.Element, res *resource.Resource, err error) {
	e := el.Value.(*cacheEntry)
	e.res, e.err = res, err
	close(e.ready)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries[e.key] != el {
		return // evicted while it rendered: served, not kept
	}
	if err != nil {
		c.remove(el)
		return
	}
	e.size = res.Size()
	if e.size > c.maxBytes {
		// Larger than the whole budget: keeping it would evict everything
		// else and still break the bound.
		e.size = 0
		c.remove(el)
		return
	}
	c.bytes += e.size
	for c.order.Len() > 0 && (c.order.Len() > c.maxEntries || c.bytes > c.maxBytes) {
		c.remove(c.order.Back())
	}
}

// remove drops el, which must be in the cache, and its bytes.
func (c *renderCache) remove(el *list.Element) {
	e := el.Value.(*cacheEntry)
	c.bytes -= e.size
	c.order.Remove(el)
	delete(c.entries, e.key)
}

// stats reports how many unpinned resources the cache holds and their size.
func (c *renderCache) stats() (entries, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len(), c.bytes
}

// renderLimiter lets at most a fixed number of renders run at once; the
// others wait in line, each until its request goes away or the wait passes.
type renderLimiter struct {
	slots   chan struct{}
	wait    time.Duration
	waiting atomic.Int64 // requests in line, for /metrics
}

func newRenderLimiter(n int, wait time.Duration) *renderLimiter {
	return &renderLimiter{slots: make(chan struct{}, max(n, 1)), wait: wait}
}

// acquire takes a slot, and returns the function that gives it back. It
// fails with ctx's cause when the request goes away first, and with a
// *BusyError when the wait passes.
func (l *renderLimiter) acquire(ctx context.Context) (release func(), err error) {
	select {
	case l.slots <- struct{}{}:
		return l.release, nil
	default:
	}
	l.waiting.Add(1)
	defer l.waiting.Add(-1)
	timer := time.NewTimer(l.wait)
	defer timer.Stop()
	select {
	case l.slots <- struct{}{}:
		return l.release, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for a render slot: %w", context.Cause(ctx))
	case <-timer.C:
		return nil, &BusyError{RetryAfter: l.wait, Reason: "every render slot stayed busy for " + l.wait.String() + "; retry later"}
	}
}

func (l *renderLimiter) release() { <-l.slots }

// inFlight is how many renders hold a slot.
func (l *renderLimiter) inFlight() int { return len(l.slots) }

// BusyError is a request that could not be served for lack of capacity:
// it is answered 503 with a Retry-After header and its reason.
type BusyError struct {
	RetryAfter time.Duration
	Reason     string
}

func (e *BusyError) Error() string { return "busy: " + e.Reason }

// retryAfter is the Retry-After header's value: whole seconds, at least 1.
func (e *BusyError) retryAfter() string {
	return strconv.Itoa(max(int(e.RetryAfter.Round(time.Second)/time.Second), 1))
}
