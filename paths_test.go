package feed

import (
	"bytes"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNamedAddresses: every linked feed has an address of its own whose
// file says what it holds, distinct from every other; it answers the bytes,
// ETag and headers of the query form, which keeps working, and names itself
// as the canonical address.
func TestNamedAddresses(t *testing.T) {
	srv, _ := newTestServer(t)
	seen := make(map[string]string)
	for _, v := range LinkedVariants() {
		path, ok := CalendarFilePath(v)
		if !ok {
			t.Fatalf("%q has no named address", v.Query())
		}
		if other, dup := seen[path]; dup {
			t.Errorf("%s names both %q and %q", path, other, v.Query())
		}
		seen[path] = v.Query()
		file := strings.TrimSuffix(strings.TrimPrefix(path, CalendarsDir), ".ics")
		// Clients show the file as it is written in the URL: nothing may
		// need escaping, or it would show as %XX.
		if url.PathEscape(file) != file || strings.ContainsAny(file, "/.") {
			t.Errorf("%s: the file name needs escaping", path)
		}
		if (v.Lang == LangChinese) != strings.Contains(file, "_in_Chinese") || (v.Lang == LangEnglish) != strings.Contains(file, "_in_English") ||
			(v.Alarm != nil) != strings.HasSuffix(file, "_with_3h_reminders") {
			t.Errorf("%s does not say what %q holds", path, v.Query())
		}

		named := get(t, srv, path)
		query := get(t, srv, withQuery(CalendarPath, v.Query()))
		if named.Code != 200 || query.Code != 200 {
			t.Fatalf("%s: %d; its query form: %d", path, named.Code, query.Code)
		}
		if !bytes.Equal(named.Body.Bytes(), query.Body.Bytes()) {
			t.Errorf("%s answers other bytes than %q", path, v.Query())
		}
		for _, h := range []string{"ETag", "Content-Location", "Content-Disposition", "Content-Type", "Cache-Control", "Last-Modified"} {
			if named.Header().Get(h) != query.Header().Get(h) {
				t.Errorf("%s: %s %q, the query form's %q", path, h, named.Header().Get(h), query.Header().Get(h))
			}
		}
		if got := named.Header().Get("Content-Location"); got != path {
			t.Errorf("%s: Content-Location %q", path, got)
		}
		if !strings.Contains(named.Header().Get("Content-Disposition"), strings.TrimPrefix(path, CalendarsDir)) {
			t.Errorf("%s: Content-Disposition %q", path, named.Header().Get("Content-Disposition"))
		}
		// SOURCE is folded after 75 octets: compare the start.
		if !bytes.Contains(named.Body.Bytes(), []byte("SOURCE;VALUE=URI:"+testBaseURL+path[:20])) {
			t.Errorf("%s: SOURCE does not name the address", path)
		}
	}
	if len(seen) != len(LinkedVariants()) {
		t.Errorf("%d named addresses for %d linked feeds", len(seen), len(LinkedVariants()))
	}
	if _, ok := CalendarFilePath(Variant{Lang: LangEnglish, WorkHours: &WorkHours{540, 1080}}); ok {
		t.Error("a variant that no page links to has a named address")
	}
}

// TestNamedAddressHTTP: the named addresses through the whole handler.
func TestNamedAddressHTTP(t *testing.T) {
	srv, snap := newTestServer(t)
	const path = "/calendars/Labour_Day_days_off_in_Chinese.ics"
	etag := snap.linked["kind=day-off&lang=zh"].ETag()
	for _, tc := range []struct {
		name, method, target string
		header               map[string]string
		wantStatus           int
		wantHeader           map[string]string
		bodyHas              string
	}{
		{"get", "GET", path, nil, 200, map[string]string{"ETag": etag, "Content-Type": calendarContentType, "Content-Location": path}, "BEGIN:VCALENDAR"},
		{"head", "HEAD", path, nil, 200, map[string]string{"ETag": etag}, ""},
		{"304", "GET", path, map[string]string{"If-None-Match": etag}, 304, nil, ""},
		{"gzip", "GET", path, map[string]string{"Accept-Encoding": "gzip"}, 200, map[string]string{"Content-Encoding": "gzip"}, ""},
		{"jcal by Accept", "GET", path, map[string]string{"Accept": "application/calendar+json"}, 200, map[string]string{"Content-Type": jcalContentType}, `"vcalendar"`},
		{"a query is refused", "GET", path + "?lang=en", nil, 400, nil, "takes no parameters"},
		{"propfind", "PROPFIND", path, map[string]string{"Depth": "0"}, 207, nil, "<D:href>" + path + "</D:href>"},
		{"put is refused", "PUT", path, nil, 405, map[string]string{"Allow": "GET, HEAD, PROPFIND, OPTIONS"}, "read-only"},
		{"options", "OPTIONS", path, nil, 204, map[string]string{"Dav": "1"}, ""},
		{"unknown name", "GET", "/calendars/calendar.ics", nil, 404, nil, ""},
		{"the directory", "GET", "/calendars/", nil, 404, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.target, nil)
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.wantStatus, rec.Body.String())
			}
			for k, v := range tc.wantHeader {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
			if !strings.Contains(rec.Body.String(), tc.bodyHas) {
				t.Errorf("body lacks %q:\n%s", tc.bodyHas, truncate(rec.Body.String()))
			}
		})
	}
}

// TestExportWritesNamedFiles: the static export holds each linked feed
// under its named address too, with the query form's bytes.
func TestExportWritesNamedFiles(t *testing.T) {
	dir := t.TempDir()
	srv, _ := exportDefault(t, dir)
	for _, v := range LinkedVariants() {
		path, _ := CalendarFilePath(v)
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(path, "/"))))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if !bytes.Equal(data, get(t, srv, withQuery(CalendarPath, v.Query())).Body.Bytes()) {
			t.Errorf("%s: the exported file differs from the served feed", path)
		}
	}
}

// TestPageAdvisesDesktopClients: the page tells GNOME Calendar and
// Evolution users to paste the plain address, in both languages, and its
// own links to the whole feed use the named address.
func TestPageAdvisesDesktopClients(t *testing.T) {
	srv := pageServer(t, testBaseURL)
	for lang, want := range map[string]string{"en": "GNOME Calendar and Evolution: copy a feed", "zh": "GNOME 日历和 Evolution：请复制"} {
		body := get(t, srv, "/?lang="+lang).Body.String()
		if !strings.Contains(body, `<p class="hint" id="desktop">`+want) {
			t.Errorf("%s: no advice for GNOME Calendar and Evolution", lang)
		}
		if !strings.Contains(body, `href="`+testBaseURL+`/calendars/Craftsmen_of_the_Nation_and_Labour_Day.ics"`) {
			t.Errorf("%s: the footer does not link the whole feed's named address", lang)
		}
	}
}
