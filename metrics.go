package feed

import (
	"maps"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"feed/internal/connlimit"
)

// metrics are the figures an operator reads at /metrics: requests by route,
// status and variant, bytes served, reloads, the catalog being served and
// render time, beside the Go runtime's and the process's own.
type metrics struct {
	registry    *prometheus.Registry
	requests    *prometheus.CounterVec
	bytes       *prometheus.CounterVec
	reloads     *prometheus.CounterVec
	renders     *prometheus.HistogramVec
	modified    prometheus.Gauge
	eventsCount prometheus.Gauge
	lastYear    prometheus.Gauge
	connsClosed *prometheus.CounterVec
	refused     prometheus.Counter
	panics      prometheus.Counter
	rejected    *prometheus.CounterVec

	// The counters of each label set seen, so that a request costs one map
	// read rather than a label hash.
	counters  counterCache[requestLabels]
	byteCount counterCache[string] // by route
	linked    map[string]bool
}

type requestLabels struct {
	route, variant string
	status         int
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "feed_http_requests_total",
			Help: "HTTP requests by route, status and variant (the canonical query of a linked variant, \"other\" for any other, empty for none).",
		}, []string{"route", "status", "variant"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "feed_http_response_bytes_total",
			Help: "Bytes of response bodies written, by route.",
		}, []string{"route"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "feed_catalog_reloads_total",
			Help: "Catalog reloads by result: ok, or failed (the last good catalog is kept).",
		}, []string{"result"}),
		renders: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "feed_render_seconds",
			Help:    "Time to render: a whole catalog when it loads, or one variant on its first request.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 9),
		}, []string{"what"}),
		modified: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "feed_catalog_modified_timestamp_seconds",
			Help: "The revision of the catalog being served: its latest modification time.",
		}),
		eventsCount: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "feed_catalog_events",
			Help: "Events in the catalog being served.",
		}),
		lastYear: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "feed_catalog_last_arranged_year",
			Help: "The last year for which the catalog being served has the State Council's holiday arrangement (0 for none); alert when it is the current year from November.",
		}),
		connsClosed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "feed_connections_closed_total",
			Help: "Connections closed for passing a limit: header (a request's header too slow), response (a client that stopped reading) or idle.",
		}, []string{"limit"}),
		refused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "feed_connections_refused_total",
			Help: "Connections closed as soon as accepted, for being past the maximum of open connections (-max-conns).",
		}),
		panics: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "feed_http_panics_total",
			Help: "Requests whose handler panicked; each was answered 500 and logged with its stack.",
		}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "feed_render_rejected_total",
			Help: "Requests answered 503 while waiting to render: busy (no render slot within the queue wait) or gone (the client left first).",
		}, []string{"reason"}),
		linked: make(map[string]bool),
	}
	for _, v := range LinkedVariants() {
		m.linked[v.Query()] = true
	}
	m.reloads.WithLabelValues("ok")
	m.reloads.WithLabelValues("failed")
	m.rejected.WithLabelValues("busy")
	m.rejected.WithLabelValues("gone")
	for _, limit := range connlimit.LimitNames() {
		m.connsClosed.WithLabelValues(limit)
	}
	m.registry.MustRegister(m.requests, m.bytes, m.reloads, m.renders, m.modified, m.eventsCount, m.lastYear, m.connsClosed, m.refused, m.panics, m.rejected,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// variantLabel keeps the label's values few: a linked variant by name, any
// other as "other".
func (m *metrics) variantLabel(query string) string {
	if query == "" || m.linked[query] {
		return query
	}
	return "other"
}

func (m *metrics) observeRequest(route, variant string, status, bytes int) {
	m.counters.get(requestLabels{route, variant, status}, func() prometheus.Counter {
		return m.requests.WithLabelValues(route, strconv.Itoa(status), variant)
	}).Inc()
	if bytes > 0 {
		m.byteCount.get(route, func() prometheus.Counter { return m.bytes.WithLabelValues(route) }).Add(float64(bytes))
	}
}

// counterCache holds a counter per key. It is read on every request and
// written once per key, so a read is a plain map lookup without a lock; a
// new key copies the map. (sync.Map hashes its interface keys by walking
// their type: a few hundred instructions per request more.)
type counterCache[K comparable] struct {
	mu sync.Mutex // serializes writers
	m  atomic.Pointer[map[K]prometheus.Counter]
}

func (c *counterCache[K]) get(key K, create func() prometheus.Counter) prometheus.Counter {
	if m := c.m.Load(); m != nil {
		if counter, ok := (*m)[key]; ok {
			return counter
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var old map[K]prometheus.Counter
	if m := c.m.Load(); m != nil {
		old = *m
	}
	if counter, ok := old[key]; ok {
		return counter
	}
	next := maps.Clone(old)
	if next == nil {
		next = make(map[K]prometheus.Counter)
	}
	counter := create()
	next[key] = counter
	c.m.Store(&next)
	return counter
}

func (m *metrics) observeSnapshot(s *Snapshot) {
	m.modified.Set(float64(s.Catalog.Modified.Unix()))
	m.eventsCount.Set(float64(len(s.Catalog.Events)))
	m.lastYear.Set(float64(s.Catalog.LastArrangedYear()))
	if s.buildTime > 0 {
		m.renders.WithLabelValues("catalog").Observe(s.buildTime.Seconds())
	}
	s.onRender = func(d time.Duration) { m.renders.WithLabelValues("variant").Observe(d.Seconds()) }
}

// observeServer registers the figures read from the server as it runs: the
// render queue, the cache of the snapshot being served, and the recent
// server errors that /healthz judges by.
func (m *metrics) observeServer(s *Server) {
	gauge := func(name, help string, value func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, value)
	}
	m.registry.MustRegister(
		gauge("feed_renders_in_flight", "Renders on request running now; at most GOMAXPROCS.",
			func() float64 { return float64(s.Snapshot().cache.limit.inFlight()) }),
		gauge("feed_renders_waiting", "Requests waiting for a render slot.",
			func() float64 { return float64(s.Snapshot().cache.limit.waiting.Load()) }),
		gauge("feed_render_cache_entries", "Resources rendered on request and kept in the served snapshot's cache.",
			func() float64 { n, _ := s.Snapshot().cache.stats(); return float64(n) }),
		gauge("feed_render_cache_bytes", "Bytes held by the served snapshot's cache of resources rendered on request.",
			func() float64 { _, b := s.Snapshot().cache.stats(); return float64(b) }),
		gauge("feed_http_recent_server_errors", "Answers of the last minute that were server errors (5xx other than 503), up to the number that makes /healthz degraded.",
			func() float64 { return float64(s.failures.since(s.now().Add(-failureWindow))) }),
	)
}
