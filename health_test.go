package feed

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"feed/events"
)

// /healthz names the catalog file by its path on the server only to the
// clients that HealthDetails allows; everyone sees the status and times.
func TestHealthDetails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.toml")
	broken := strings.Replace(string(events.DefaultSource()), "\n[[event]]\n", "\n[[event]]\nkind = \"holiday\"\n", 1)
	if err := os.WriteFile(path, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	build := func(data []byte) (*Snapshot, error) {
		cat, err := events.Parse(path, data)
		if err != nil {
			return nil, err
		}
		return Build(cat, testBaseURL)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))

	for _, tc := range []struct {
		details HealthDetails
		from    string
		shown   bool
	}{
		{HealthDetailsOff, "192.0.2.1:1234", false},
		{HealthDetailsOff, "127.0.0.1:1234", false},
		{HealthDetailsLoopback, "192.0.2.1:1234", false},
		{HealthDetailsLoopback, "127.0.0.1:1234", true},
		{HealthDetailsLoopback, "[::1]:1234", true},
		{HealthDetailsLoopback, "[::ffff:127.0.0.1]:1234", true},
		{HealthDetailsAll, "192.0.2.1:1234", true},
	} {
		srv, _ := newTestServer(t)
		srv.health = tc.details
		if err := NewReloader(srv, path, nil, build, logger).Reload("SIGHUP"); err == nil {
			t.Fatal("the broken catalog loaded")
		}
		req := httptest.NewRequest("GET", "/healthz", nil)
		req.RemoteAddr = tc.from
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		body := rec.Body.String()
		var report map[string]any
		if err := json.Unmarshal([]byte(body), &report); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		reload, _ := report["last_reload"].(map[string]any)
		if report["status"] != "degraded" || report["modified"] == nil || reload == nil || reload["at"] == nil || reload["failed"] != true {
			t.Errorf("details %d, from %s: status or times missing: %s", tc.details, tc.from, body)
		}
		for _, detail := range []string{path, `"errors"`, `"etag"`, `"events"`, `"trigger"`} {
			if strings.Contains(body, detail) != tc.shown {
				t.Errorf("details %d, from %s: shows %s: %v, want %v: %s", tc.details, tc.from, detail, !tc.shown, tc.shown, body)
			}
		}
	}
	for _, s := range []string{"", "on", "ALL"} {
		if _, err := ParseHealthDetails(s); err == nil {
			t.Errorf("ParseHealthDetails(%q) is accepted", s)
		}
	}
}
