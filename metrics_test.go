package feed

import (
	"bytes"
	"log/slog"
	"slices"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape reads /metrics through the handler with Prometheus's own parser.
func scrape(t *testing.T, srv *Server) map[string]*dto.MetricFamily {
	t.Helper()
	rec := get(t, srv, "/metrics")
	if rec.Code != 200 {
		t.Fatalf("/metrics: %d", rec.Code)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return families
}

// value finds the sample of a family whose labels include all of want.
func value(families map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	fam, ok := families[name]
	if !ok {
		return 0
	}
	for _, m := range fam.Metric {
		labels := map[string]string{}
		for _, l := range m.Label {
			labels[l.GetName()] = l.GetValue()
		}
		match := true
		for k, v := range want {
			match = match && labels[k] == v
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return 0
}

func TestMetricsMove(t *testing.T) {
	srv, snap := newTestServer(t)
	before := scrape(t, srv)
	// Every limit's series is there before anything is closed, so that a
	// rate over it starts at zero rather than at the first closure.
	var limits []string
	for _, m := range before["feed_connections_closed_total"].GetMetric() {
		for _, l := range m.Label {
			limits = append(limits, l.GetName()+"="+l.GetValue())
		}
	}
	if want := []string{"limit=header", "limit=idle", "limit=response"}; !slices.Equal(limits, want) {
		t.Errorf("feed_connections_closed_total series %v, want %v", limits, want)
	}
	get(t, srv, "/calendar.ics")
	get(t, srv, "/calendar.ics", "If-None-Match", snap.ETag())
	get(t, srv, "/calendar.ics?kind=day-off")
	get(t, srv, "/calendar.ics?alarm=17m")
	get(t, srv, "/calendar.ics?alarm=17m")
	get(t, srv, "/calendar.ics?lang=fr")
	get(t, srv, "/nowhere")
	propfind(t, srv, "/", "1", thunderbirdDepth1)
	srv.reportReload(ReloadStatus{Failed: true})
	srv.ConnClosed("header")
	after := scrape(t, srv)

	for _, tc := range []struct {
		name   string
		labels map[string]string
		delta  float64
	}{
		{"feed_http_requests_total", map[string]string{"route": "/calendar.ics", "status": "200", "variant": ""}, 1},
		{"feed_http_requests_total", map[string]string{"route": "/calendar.ics", "status": "304", "variant": ""}, 1},
		{"feed_http_requests_total", map[string]string{"route": "/calendar.ics", "status": "200", "variant": "kind=day-off"}, 1},
		{"feed_http_requests_total", map[string]string{"route": "/calendar.ics", "status": "200", "variant": "other"}, 2},
		{"feed_http_requests_total", map[string]string{"route": "/calendar.ics", "status": "400"}, 1},
		{"feed_http_requests_total", map[string]string{"route": "none", "status": "404"}, 1},
		{"feed_http_requests_total", map[string]string{"route": "/", "status": "207"}, 1},
		{"feed_catalog_reloads_total", map[string]string{"result": "failed"}, 1},
		{"feed_render_seconds", map[string]string{"what": "variant"}, 1},
		{"feed_connections_closed_total", map[string]string{"limit": "header"}, 1},
	} {
		if got := value(after, tc.name, tc.labels) - value(before, tc.name, tc.labels); got != tc.delta {
			t.Errorf("%s%v moved by %v, want %v", tc.name, tc.labels, got, tc.delta)
		}
	}
	served := value(after, "feed_http_response_bytes_total", map[string]string{"route": "/calendar.ics"}) -
		value(before, "feed_http_response_bytes_total", map[string]string{"route": "/calendar.ics"})
	if served < float64(len(snap.CalendarBytes())) {
		t.Errorf("bytes served moved by %v, less than one feed", served)
	}
	if value(after, "feed_catalog_events", nil) != float64(len(snap.Catalog.Events)) ||
		value(after, "feed_catalog_modified_timestamp_seconds", nil) != float64(snap.Catalog.Modified.Unix()) ||
		value(after, "feed_render_seconds", map[string]string{"what": "catalog"}) != 1 {
		t.Error("the catalog's figures are missing")
	}
	if _, ok := after["go_goroutines"]; !ok {
		t.Error("no Go runtime metrics")
	}
}

func TestAccessLogSampling(t *testing.T) {
	var logged bytes.Buffer
	snap, err := Build(defaultCatalog(t), "")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(snap, slog.New(slog.NewJSONHandler(&logged, nil)), WithAccessLog(10))
	for range 30 {
		get(t, srv, "/calendar.ics?kind=workday")
	}
	lines := strings.Split(strings.TrimSpace(logged.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], `"route":"/calendar.ics"`) || !strings.Contains(lines[0], `"status":200`) {
		t.Fatalf("one line in ten expected, got %d:\n%s", len(lines), logged.String())
	}
	quiet := NewServer(snap, slog.New(slog.NewJSONHandler(&logged, nil)))
	logged.Reset()
	get(t, quiet, "/calendar.ics")
	if logged.Len() != 0 {
		t.Errorf("the access log is on by default: %s", logged.String())
	}
}
