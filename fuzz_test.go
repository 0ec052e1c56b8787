package feed

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzVariantQuery: whatever the query, a feed URL answers 200 or 400 (with
// the parameter named), never a 500 and never a panic.
func FuzzVariantQuery(f *testing.F) {
	for _, seed := range []string{
		"", "kind=day-off", "KIND=WorkDay,Day-Off&lang=zh", "alarm=1h30m&workhours=9:00-18:00", "lang=en&lang=zh",
		"alarm=99999999999999999999d", "kind=%00", "%zz", "workhours=24:00-24:00", "a=1&b=2&c=3", ";;;&&&==",
		"holiday=all&kind=day-off,workday", "holiday=Mid-Autumn,,national-day", "holiday=all,all",
	} {
		f.Add(seed)
	}
	srv, _ := newTestServer(f)
	f.Fuzz(func(t *testing.T, query string) {
		for _, path := range []string{"/calendar.ics", "/events/international-workers-day.json"} {
			req := httptest.NewRequest("GET", "/", nil)
			req.URL.Path, req.URL.RawQuery = path, query
			req.RequestURI = req.URL.RequestURI()
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			switch rec.Code {
			case 200, 414:
			case 400:
				if !strings.HasPrefix(rec.Body.String(), "Bad Request: parameter ") {
					t.Fatalf("400 without a parameter named: %q", rec.Body.String())
				}
			default:
				t.Fatalf("%s?%s: status %d", path, query, rec.Code)
			}
		}
	})
}

// FuzzCleanPath: the quick test of a clean path agrees with the cleaning
// that mux does, so that no path skips the redirect mux would give it.
func FuzzCleanPath(f *testing.F) {
	for _, seed := range []string{"", "/", "//", "/calendar.ics", "/events/", "/events//x.ics", "/./a", "/a/.", "/a/..",
		"/a/../b", "a", "/.hidden", "/a..b/", "/...", "/a/./"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if got, want := isCleanPath(p), muxCleanPath(p) == p; got != want {
			t.Fatalf("isCleanPath(%q) = %v, but mux cleans it to %q", p, got, muxCleanPath(p))
		}
	})
}
