package feed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"feed/internal/resource"
)

// sized renders a resource whose cached size is about n bytes: a body of
// random-looking bytes that gzip cannot shrink, so it is kept once.
func sized(n int) func() (*resource.Resource, error) {
	return func() (*resource.Resource, error) {
		body := make([]byte, n)
		x := uint32(n)
		for i := range body {
			x = x*1664525 + 1013904223
			body[i] = byte(x >> 24)
		}
		return resource.New(calendarContentType, body, time.Time{}, "x.ics", "/x")
	}
}

// checkAccounting fails t unless the cache's byte count is the sum of the
// sizes of the entries it holds, within its bounds, and its map and list
// hold the same entries.
func checkAccounting(t *testing.T, c *renderCache) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	sum := 0
	for el := c.order.Front(); el != nil; el = el.Next() {
		e := el.Value.(*cacheEntry)
		sum += e.size
		if c.entries[e.key] != el {
			t.Errorf("entry %q is in the list but not the map's", e.key)
		}
	}
	if len(c.entries) != c.order.Len() {
		t.Errorf("map holds %d entries, list %d", len(c.entries), c.order.Len())
	}
	if c.bytes != sum || c.bytes < 0 || c.bytes > c.maxBytes {
		t.Errorf("cache counts %d bytes; its entries hold %d; bound %d", c.bytes, sum, c.maxBytes)
	}
}

// getNoPanic is c.get with a panic turned into a test failure.
func getNoPanic(t *testing.T, c *renderCache, key string, render func() (*resource.Resource, error)) (res *resource.Resource, err error) {
	defer func() {
		if v := recover(); v != nil {
			t.Errorf("get %q panicked: %v", key, v)
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return c.get(context.Background(), key, render)
}

// TestEvictedWhileRenderingCountsOnce evicts an entry while it renders,
// asks for its key again, then lets the first render finish: its bytes must
// not be counted for an entry it no longer is. Before the fix each round
// leaked the slow render's size, and in the tenth round the leak alone
// passed the byte bound: the eviction loop emptied the list and
// dereferenced nil.
func TestEvictedWhileRenderingCountsOnce(t *testing.T) {
	const size = 1000
	c := newRenderCache(2, 10*size+size/2, newRenderLimiter(4, time.Second))
	for round := range 15 {
		key := fmt.Sprint("slow-", round)
		entered, unblock := make(chan struct{}), make(chan struct{})
		done := make(chan error, 1)
		go func() {
			_, err := getNoPanic(t, c, key, func() (*resource.Resource, error) {
				close(entered)
				<-unblock
				return sized(size)()
			})
			done <- err
		}()
		<-entered
		// Two more keys evict the one still rendering.
		for i := range 2 {
			if _, err := getNoPanic(t, c, fmt.Sprint("fill-", round, "-", i), sized(size)); err != nil {
				t.Fatal(err)
			}
		}
		// Asked again, it renders anew, smaller, and is kept.
		if _, err := getNoPanic(t, c, key, sized(size/10)); err != nil {
			t.Fatal(err)
		}
		close(unblock)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		checkAccounting(t, c)
		if t.Failed() {
			t.Fatalf("after round %d", round)
		}
	}
}

// TestFailedRenderLeavesNewerEntry: a render that fails after its entry
// was evicted and its key rendered again must not remove the newer entry.
func TestFailedRenderLeavesNewerEntry(t *testing.T) {
	c := newRenderCache(1, 1<<20, newRenderLimiter(4, time.Second))
	entered, unblock := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := c.get(context.Background(), "a", func() (*resource.Resource, error) {
			close(entered)
			<-unblock
			return nil, errors.New("render failed")
		})
		done <- err
	}()
	<-entered
	if _, err := c.get(context.Background(), "b", sized(100)); err != nil { // evicts a
		t.Fatal(err)
	}
	if _, err := c.get(context.Background(), "a", sized(100)); err != nil { // evicts b
		t.Fatal(err)
	}
	close(unblock)
	if err := <-done; err == nil {
		t.Fatal("the failing render returned no error")
	}
	checkAccounting(t, c)
	if n, _ := c.stats(); n != 1 {
		t.Fatalf("the cache holds %d entries, want the newer a", n)
	}
}

// TestOversizedResourceIsServedNotKept: a resource larger than the whole
// byte budget is returned but neither kept nor allowed to evict the rest.
func TestOversizedResourceIsServedNotKept(t *testing.T) {
	c := newRenderCache(10, 5000, newRenderLimiter(1, time.Second))
	if _, err := c.get(context.Background(), "small", sized(1000)); err != nil {
		t.Fatal(err)
	}
	res, err := getNoPanic(t, c, "huge", sized(8000))
	if err != nil || len(res.Body()) != 8000 {
		t.Fatalf("huge: %v", err)
	}
	checkAccounting(t, c)
	c.mu.Lock()
	_, small := c.entries["small"]
	_, huge := c.entries["huge"]
	c.mu.Unlock()
	if !small || huge {
		t.Fatalf("small kept: %v, huge kept: %v; want the small one only", small, huge)
	}
	// At the limit, a resource of exactly the budget is kept, alone.
	if _, err := getNoPanic(t, c, "exact", sized(5000)); err != nil {
		t.Fatal(err)
	}
	checkAccounting(t, c)
	if n, size := c.stats(); n != 1 || size != 5000 {
		t.Fatalf("after a resource of exactly the budget: %d entries, %d bytes; want it alone", n, size)
	}
}

// TestRendersAreLimited runs many distinct misses at once: no more than the
// limiter's slots render at a time, and every request is served.
func TestRendersAreLimited(t *testing.T) {
	const slots, requests = 2, 12
	c := newRenderCache(100, 1<<20, newRenderLimiter(slots, 10*time.Second))
	var running, peak atomic.Int32
	var wg sync.WaitGroup
	for i := range requests {
		wg.Go(func() {
			_, err := c.get(context.Background(), fmt.Sprint(i), func() (*resource.Resource, error) {
				n := running.Add(1)
				defer running.Add(-1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				time.Sleep(20 * time.Millisecond)
				return sized(100)()
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if p := peak.Load(); p != slots {
		t.Fatalf("%d renders ran at once; the limit is %d", p, slots)
	}
}

// TestIdenticalMissesRenderOnce sends many requests for one missing key at
// once: one render serves them all.
func TestIdenticalMissesRenderOnce(t *testing.T) {
	c := newRenderCache(100, 1<<20, newRenderLimiter(2, 10*time.Second))
	var renders atomic.Int32
	unblock := make(chan struct{})
	var wg sync.WaitGroup
	results := make([]*resource.Resource, 20)
	for i := range results {
		wg.Go(func() {
			res, err := c.get(context.Background(), "same", func() (*resource.Resource, error) {
				renders.Add(1)
				<-unblock
				return sized(100)()
			})
			if err != nil {
				t.Error(err)
			}
			results[i] = res
		})
	}
	for renders.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // let the others reach the entry
	close(unblock)
	wg.Wait()
	if n := renders.Load(); n != 1 {
		t.Fatalf("%d renders for one key", n)
	}
	for _, res := range results {
		if res != results[0] {
			t.Fatal("the requests got different resources")
		}
	}
}

// hold takes every slot of l until the returned function is called.
func hold(t *testing.T, l *renderLimiter) (release func()) {
	t.Helper()
	var releases []func()
	for range cap(l.slots) {
		r, err := l.acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		releases = append(releases, r)
	}
	return func() {
		for _, r := range releases {
			r()
		}
	}
}

// TestCancelledWaiterLeavesQueue: a request that goes away while it waits
// for a slot stops waiting at once, leaves no entry behind, and a later
// request for the same key renders it.
func TestCancelledWaiterLeavesQueue(t *testing.T) {
	l := newRenderLimiter(1, time.Minute)
	c := newRenderCache(100, 1<<20, l)
	release := hold(t, l)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.get(ctx, "b", func() (*resource.Resource, error) { return nil, errors.New("a cancelled request rendered") })
		done <- err
	}()
	for l.waiting.Load() != 1 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the cancelled request still waits")
	}
	if w := l.waiting.Load(); w != 0 {
		t.Fatalf("%d requests still wait", w)
	}
	if n, _ := c.stats(); n != 0 {
		t.Fatalf("the cancelled request left %d entries", n)
	}
	release()
	if _, err := c.get(context.Background(), "b", sized(100)); err != nil {
		t.Fatal(err)
	}
	if inFlight := l.inFlight(); inFlight != 0 {
		t.Fatalf("%d slots still held", inFlight)
	}
}

// TestWaiterTakesOverFromLeaderThatLeft: when the request that was to
// render a key goes away in the queue, a request waiting for the same key
// renders it instead of failing.
func TestWaiterTakesOverFromLeaderThatLeft(t *testing.T) {
	l := newRenderLimiter(1, time.Minute)
	c := newRenderCache(100, 1<<20, l)
	release := hold(t, l)
	ctx, cancel := context.WithCancel(context.Background())
	leader := make(chan error, 1)
	go func() {
		_, err := c.get(ctx, "k", sized(100))
		leader <- err
	}()
	for l.waiting.Load() != 1 {
		time.Sleep(time.Millisecond)
	}
	waiter := make(chan error, 1)
	go func() {
		_, err := c.get(context.Background(), "k", sized(100))
		waiter <- err
	}()
	time.Sleep(10 * time.Millisecond) // let the waiter reach the entry
	cancel()
	if err := <-leader; !errors.Is(err, context.Canceled) {
		t.Fatalf("leader: %v", err)
	}
	release()
	select {
	case err := <-waiter:
		if err != nil {
			t.Fatalf("waiter: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiter never got the resource")
	}
	checkAccounting(t, c)
}

// TestPanickingRenderReleases: a render that panics frees its slot and its
// waiters, and leaves no entry.
func TestPanickingRenderReleases(t *testing.T) {
	l := newRenderLimiter(1, time.Second)
	c := newRenderCache(100, 1<<20, l)
	func() {
		defer func() { _ = recover() }()
		_, _ = c.get(context.Background(), "p", func() (*resource.Resource, error) { panic("render bug") })
	}()
	if n, _ := c.stats(); n != 0 || l.inFlight() != 0 {
		t.Fatalf("after a panic: %d entries, %d slots held", n, l.inFlight())
	}
	if _, err := c.get(context.Background(), "p", sized(100)); err != nil {
		t.Fatal(err)
	}
}

// TestFullQueueAnswers503: a request that finds no render slot within the
// queue wait is answered 503 with Retry-After and a reason, and counted;
// once a slot frees the same URL is served.
func TestFullQueueAnswers503(t *testing.T) {
	srv, snap := newTestServer(t)
	snap.cache.limit = newRenderLimiter(1, 50*time.Millisecond)
	release := hold(t, snap.cache.limit)
	rec := get(t, srv, "/calendar.ics?alarm=7m")
	if rec.Code != 503 || rec.Header().Get("Retry-After") != "1" || !bytes.Contains(rec.Body.Bytes(), []byte("render slot")) {
		t.Fatalf("status %d, Retry-After %q, body %q", rec.Code, rec.Header().Get("Retry-After"), rec.Body.String())
	}
	if m := get(t, srv, "/metrics").Body.String(); !bytes.Contains([]byte(m), []byte(`feed_render_rejected_total{reason="busy"} 1`)) {
		t.Error("/metrics does not count the rejection")
	}
	release()
	if rec := get(t, srv, "/calendar.ics?alarm=7m"); rec.Code != 200 {
		t.Fatalf("after the queue drained: %d", rec.Code)
	}
}
