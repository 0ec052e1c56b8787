package feed

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"feed/events"
	"feed/internal/catalogtest"
	"feed/internal/ical"
)

// Speed and memory goals live here, as benchmarks, never in timed tests:
//
//	go test -run '^$' -bench . -benchmem .
//
// The load benchmark against bare net/http and nginx is perf/loadbench.

func generated(tb testing.TB, n int) *events.Catalog {
	tb.Helper()
	// 100,000 events (47 MiB) are past what a server loads: the rendering
	// benchmarks measure growth beyond the catalog limits.
	cat, err := events.ParseWithLimits("generated.toml", catalogtest.Generate(n), events.Limits{Bytes: 64 << 20, Events: 100_000})
	if err != nil {
		tb.Fatal(err)
	}
	return cat
}

func BenchmarkParseCatalog(b *testing.B) {
	for _, n := range []int{16, 10_000} {
		data := events.DefaultSource()
		if n != 16 {
			data = catalogtest.Generate(n)
		}
		b.Run(fmt.Sprintf("events=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := events.Parse("bench.toml", data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRender renders the full feed at growing sizes. Besides time, it
// reports the output size and how many bytes were allocated per byte of
// output: rendering must stay linear, and its memory a small multiple of
// what it writes.
func BenchmarkRender(b *testing.B) {
	for _, n := range []int{10, 1_000, 10_000, 100_000} {
		cat := generated(b, n)
		b.Run(fmt.Sprintf("events=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var out []byte
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				var err error
				if out, err = RenderCalendar(cat, Options{}); err != nil {
					b.Fatal(err)
				}
			}
			runtime.ReadMemStats(&after)
			b.SetBytes(int64(len(out)))
			b.ReportMetric(float64(len(out)), "out-bytes")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/float64(len(out)), "alloc/out-byte")
			if n >= 10_000 {
				peak := peakHeapDuring(func() { _, _ = RenderCalendar(cat, Options{}) })
				b.ReportMetric(float64(peak)/float64(len(out)), "peak-heap/out-byte")
			}
		})
	}
}

// peakHeapDuring runs f while sampling the heap every millisecond, with the
// collector running often so that the heap is close to what is live, and
// returns the peak above the heap before f.
func peakHeapDuring(f func()) uint64 {
	runtime.GC()
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, ms.HeapAlloc
	done, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	f()
	close(done)
	<-sampled
	return peak - base
}

func BenchmarkBuild(b *testing.B) {
	cat := defaultCatalog(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(cat, testBaseURL); err != nil {
			b.Fatal(err)
		}
	}
}

// nullWriter is a ResponseWriter that keeps nothing, so that a benchmark of
// the handler measures the handler.
type nullWriter struct {
	h      http.Header
	status int
}

func (w *nullWriter) Header() http.Header         { return w.h }
func (w *nullWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *nullWriter) WriteHeader(status int)      { w.status = status }

func (w *nullWriter) reset() {
	clear(w.h)
	w.status = 0
}

// servedRequests are the cached paths a subscriber's poll takes.
func servedRequests(srv *Server) map[string]*http.Request {
	snap := srv.Snapshot()
	reqs := map[string]*http.Request{
		"full":    httptest.NewRequest("GET", "/calendar.ics", nil),
		"gzip":    httptest.NewRequest("GET", "/calendar.ics", nil),
		"304":     httptest.NewRequest("GET", "/calendar.ics", nil),
		"variant": httptest.NewRequest("GET", "/calendar.ics?kind=day-off", nil),
		"named":   httptest.NewRequest("GET", "/calendars/Labour_Day_days_off.ics", nil),
		"event":   httptest.NewRequest("GET", EventPath(snap.Catalog.Events[len(snap.Catalog.Events)-1].ID), nil),
	}
	reqs["gzip"].Header.Set("Accept-Encoding", "gzip")
	reqs["304"].Header.Set("If-None-Match", snap.ETag())
	return reqs
}

func benchServer(tb testing.TB, n int) *Server {
	tb.Helper()
	cat := defaultCatalog(tb)
	if n != len(cat.Events) {
		cat = generated(tb, n)
	}
	snap, err := Build(cat, testBaseURL)
	if err != nil {
		tb.Fatal(err)
	}
	return NewServer(snap, discardLogger())
}

// BenchmarkServe measures the handler's cached path, middleware included,
// for the default catalog and for 10,000 events: the cost must not grow
// with the feed's size.
func BenchmarkServe(b *testing.B) {
	for _, n := range []int{16, 10_000} {
		srv := benchServer(b, n)
		for name, req := range servedRequests(srv) {
			b.Run(fmt.Sprintf("events=%d/%s", n, name), func(b *testing.B) {
				w := &nullWriter{h: make(http.Header)}
				b.ReportAllocs()
				for b.Loop() {
					w.reset()
					srv.ServeHTTP(w, req)
				}
				if w.status != http.StatusOK && w.status != http.StatusNotModified {
					b.Fatalf("status %d", w.status)
				}
			})
		}
	}
}

// raceEnabled is set by race_test.go in builds with -race.
var raceEnabled bool

// TestServeAllocationsDoNotGrowWithFeedSize: serving a feed of 10,000
// events allocates exactly as much per request as serving 16. The test
// command runs it a second time without -race, where counts are exact.
func TestServeAllocationsDoNotGrowWithFeedSize(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not exact under -race (sync.Pool drops items at random)")
	}
	small, large := benchServer(t, 16), benchServer(t, 10_000)
	smallReqs, largeReqs := servedRequests(small), servedRequests(large)
	for name := range smallReqs {
		w := &nullWriter{h: make(http.Header)}
		allocs := func(srv *Server, req *http.Request) float64 {
			return testing.AllocsPerRun(200, func() {
				w.reset()
				srv.ServeHTTP(w, req)
			})
		}
		a, b := allocs(small, smallReqs[name]), allocs(large, largeReqs[name])
		if a != b {
			t.Errorf("%s: %.0f allocations per request with 16 events, %.0f with 10,000", name, a, b)
		}
	}
}

// TestParallelRenderMatchesSerial: a catalog large enough to be rendered in
// parts, one per CPU, gives the bytes that rendering it on one CPU gives.
func TestParallelRenderMatchesSerial(t *testing.T) {
	cat := generated(t, 3*ical.ParallelFrom)
	render := func(procs int) []byte {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		if ical.WorkParts(len(cat.Events)) != procs {
			t.Fatalf("with %d CPUs the work is split in %d parts", procs, ical.WorkParts(len(cat.Events)))
		}
		out, err := RenderCalendar(cat, Options{BaseURL: testBaseURL})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	serial, parallel := render(1), render(3)
	if !bytes.Equal(serial, parallel) {
		t.Fatalf("parallel rendering differs: %d bytes against %d", len(parallel), len(serial))
	}
}

// BenchmarkRenderJCal renders the jCal feed of 10,000 events: the heap a
// render holds at its peak, per byte written, bounds what a flood of
// distinct jCal variants costs (docs/caching.md).
func BenchmarkRenderJCal(b *testing.B) {
	cat := generated(b, 10_000)
	render := func() []byte {
		d, err := calendarModel(cat, Options{})
		if err != nil {
			b.Fatal(err)
		}
		out, err := d.jcal()
		if err != nil {
			b.Fatal(err)
		}
		return out
	}
	b.ReportAllocs()
	var out []byte
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		out = render()
	}
	runtime.ReadMemStats(&after)
	b.SetBytes(int64(len(out)))
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/float64(len(out)), "alloc/out-byte")
	peak := peakHeapDuring(func() { render() })
	b.ReportMetric(float64(peak)/float64(len(out)), "peak-heap/out-byte")
}
