package feed

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestHealthDegradesOnRepeatedServerErrors: a handler that keeps panicking
// shows at /metrics, and makes /healthz "degraded" (still 200) once
// degradedFailures of them fall within failureWindow, even with successes
// in between; 503s from a full render queue do not count; the status
// recovers once the failures age out of the window.
func TestHealthDegradesOnRepeatedServerErrors(t *testing.T) {
	snap, err := Build(defaultCatalog(t), testBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv := NewServer(snap, slog.New(slog.NewTextHandler(io.Discard, nil)), WithClock(clock))
	// A route that always panics, in the server's own middleware.
	router := srv.router()
	srv.handler = srv.observe(recoverPanics(srv.log, srv.metrics.panics, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/boom":
			panic("handler bug")
		case "/busy":
			httpError(w, http.StatusServiceUnavailable, "shedding load")
		default:
			router.ServeHTTP(w, r)
		}
	})))
	health := func() (int, string, int) {
		t.Helper()
		rec := get(t, srv, "/healthz")
		var report struct {
			Status             string `json:"status"`
			RecentServerErrors int    `json:"recent_server_errors"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &report); err != nil {
			t.Fatalf("/healthz: %v: %s", err, rec.Body)
		}
		return rec.Code, report.Status, report.RecentServerErrors
	}

	for i := range degradedFailures - 1 {
		if rec := get(t, srv, "/boom"); rec.Code != 500 {
			t.Fatalf("/boom: %d", rec.Code)
		}
		get(t, srv, "/calendar.ics") // successes do not clear the count
		get(t, srv, "/busy")
		if code, status, n := health(); code != 200 || status != "ok" || n != i+1 {
			t.Fatalf("after %d panics: %d %q, %d recent errors", i+1, code, status, n)
		}
	}
	get(t, srv, "/boom")
	if code, status, n := health(); code != 200 || status != "degraded" || n != degradedFailures {
		t.Fatalf("after %d panics: %d %q, %d recent errors; want 200 degraded", degradedFailures, code, status, n)
	}
	metrics := get(t, srv, "/metrics").Body.String()
	for _, want := range []string{
		"feed_http_panics_total 5\n",
		"feed_http_recent_server_errors 5\n",
		`feed_http_requests_total{route="none",status="500",variant=""} 5` + "\n",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	mu.Lock()
	now = now.Add(failureWindow)
	mu.Unlock()
	if code, status, n := health(); code != 200 || status != "ok" || n != 0 {
		t.Fatalf("a window later: %d %q, %d recent errors; want ok", code, status, n)
	}
}

// TestHealthIgnoresClientCausedErrors: HTTP/2 prior-knowledge prefaces,
// which scanners send at will and which are answered 505, are not the
// service's failures and leave /healthz "ok".
func TestHealthIgnoresClientCausedErrors(t *testing.T) {
	srv, _ := newTestServer(t)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	for range 2 * degradedFailures {
		resp, _, _ := rawRequest(t, ts.Listener.Addr().String(), "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", false)
		if resp.StatusCode != http.StatusHTTPVersionNotSupported {
			t.Fatalf("HTTP/2 preface: %d, want 505", resp.StatusCode)
		}
	}
	rec := get(t, srv, "/healthz")
	var report struct {
		Status             string `json:"status"`
		RecentServerErrors int    `json:"recent_server_errors"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &report); err != nil {
		t.Fatalf("/healthz: %v: %s", err, rec.Body)
	}
	if report.Status != "ok" || report.RecentServerErrors != 0 {
		t.Errorf("after %d HTTP/2 prefaces /healthz is %q with %d recent server errors; want ok, 0", 2*degradedFailures, report.Status, report.RecentServerErrors)
	}
}
