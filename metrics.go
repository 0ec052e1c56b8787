package feed

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
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

	// counters caches the request counter of each label set, so that a
	// request costs one map read rather than a label hash.
	counters  sync.Map // requestLabels → prometheus.Counter
	byteCount sync.Map // route → prometheus.Counter
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
		linked: make(map[string]bool),
	}
	for _, v := range LinkedVariants() {
		m.linked[v.Query()] = true
	}
	m.reloads.WithLabelValues("ok")
	m.reloads.WithLabelValues("failed")
	m.registry.MustRegister(m.requests, m.bytes, m.reloads, m.renders, m.modified, m.eventsCount,
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
	key := requestLabels{route, variant, status}
	c, ok := m.counters.Load(key)
	if !ok {
		c, _ = m.counters.LoadOrStore(key, m.requests.WithLabelValues(route, strconv.Itoa(status), variant))
	}
	c.(prometheus.Counter).Inc()
	if bytes > 0 {
		b, ok := m.byteCount.Load(route)
		if !ok {
			b, _ = m.byteCount.LoadOrStore(route, m.bytes.WithLabelValues(route))
		}
		b.(prometheus.Counter).Add(float64(bytes))
	}
}

func (m *metrics) observeSnapshot(s *Snapshot) {
	m.modified.Set(float64(s.Catalog.Modified.Unix()))
	m.eventsCount.Set(float64(len(s.Catalog.Events)))
	if s.buildTime > 0 {
		m.renders.WithLabelValues("catalog").Observe(s.buildTime.Seconds())
	}
	s.onRender = func(d time.Duration) { m.renders.WithLabelValues("variant").Observe(d.Seconds()) }
}
