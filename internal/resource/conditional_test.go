package resource

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"": false, "gzip": true, "GZIP": true, "x-gzip": true, "deflate, gzip;q=1.0": true,
		"gzip;q=0": false, "gzip; q=0.000": false, "gzip;q=0.5": true, "*": true, "*;q=0": false,
		"br": false, "identity": false, "*, gzip;q=0": false,
	} {
		if got := acceptsGzip(header); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", header, got, want)
		}
	}
}

// TestServe: which status, encoding and headers a request gets, by its
// conditional and Accept-Encoding fields.
func TestServe(t *testing.T) {
	modified := time.Date(2026, 11, 30, 8, 0, 0, 500, time.UTC)
	body := []byte(strings.Repeat("BEGIN:VEVENT\r\nEND:VEVENT\r\n", 100))
	res, err := New("text/calendar; charset=utf-8", body, modified, "x.ics", "/x?a=1",
		Vary("Accept, Accept-Encoding"), CacheControl("public, max-age=60"),
		Headers(http.Header{"Content-Language": {"en"}}))
	if err != nil {
		t.Fatal(err)
	}
	tag, gzTag := res.ETag(), res.Gzip().ETag()
	if tag == gzTag || len(res.Gzip().Body()) >= len(body) {
		t.Fatalf("want a smaller gzip copy with a tag of its own: tags %s, %s; %d bytes of %d", tag, gzTag, len(res.Gzip().Body()), len(body))
	}
	lastModified := "Mon, 30 Nov 2026 08:00:00 GMT"
	for _, tc := range []struct {
		name     string
		method   string
		header   http.Header
		status   int
		wantGzip bool
	}{
		{name: "plain", method: "GET", status: 200},
		{name: "HEAD", method: "HEAD", status: 200},
		{name: "gzip", method: "GET", header: http.Header{"Accept-Encoding": {"gzip, br"}}, status: 200, wantGzip: true},
		{name: "gzip refused", method: "GET", header: http.Header{"Accept-Encoding": {"gzip;q=0"}}, status: 200},
		{name: "If-None-Match", method: "GET", header: http.Header{"If-None-Match": {tag}}, status: 304},
		{name: "If-None-Match of the gzip tag, asking identity", method: "GET", header: http.Header{"If-None-Match": {gzTag}}, status: 304},
		{name: "weak tag in a list", method: "GET", header: http.Header{"If-None-Match": {`"other", W/` + tag}}, status: 304},
		{name: "star", method: "GET", header: http.Header{"If-None-Match": {"*"}}, status: 304},
		{name: "other tag", method: "GET", header: http.Header{"If-None-Match": {`"other"`}, "Accept-Encoding": {"gzip"}}, status: 200, wantGzip: true},
		{name: "two If-None-Match lines, the match on the second", method: "GET", header: http.Header{"If-None-Match": {`"a", "b"`, gzTag}}, status: 304},
		{name: "two If-None-Match lines, no match", method: "GET", header: http.Header{"If-None-Match": {`"a"`, `"b"`}}, status: 200},
		{name: "If-Modified-Since, same second", method: "GET", header: http.Header{"If-Modified-Since": {lastModified}}, status: 304},
		{name: "If-Modified-Since, earlier", method: "GET", header: http.Header{"If-Modified-Since": {"Mon, 30 Nov 2026 07:59:59 GMT"}}, status: 200},
		{name: "If-Modified-Since sent twice is ignored", method: "GET", header: http.Header{"If-Modified-Since": {lastModified, lastModified}}, status: 200},
		{name: "If-None-Match decides over If-Modified-Since", method: "GET", header: http.Header{"If-None-Match": {`"other"`}, "If-Modified-Since": {lastModified}}, status: 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, "/x?a=1", nil)
			for k, v := range tc.header {
				req.Header[k] = v
			}
			rec := httptest.NewRecorder()
			rec.Header().Set("X-Content-Type-Options", "nosniff") // as middleware would
			res.Serve(rec, req)
			h := rec.Result().Header
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d", rec.Code, tc.status)
			}
			wantTag, wantBody, wantEncoding := tag, body, ""
			if tc.wantGzip {
				wantTag, wantBody, wantEncoding = gzTag, res.Gzip().Body(), "gzip"
			}
			always := map[string]string{
				"Etag": wantTag, "Content-Location": "/x?a=1", "Vary": "Accept, Accept-Encoding",
				"Cache-Control": "public, max-age=60", "Access-Control-Allow-Origin": "*",
				"Access-Control-Expose-Headers": "ETag, Last-Modified, Content-Location",
			}
			for k, v := range always {
				if got := h.Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
			content := map[string]string{
				"Content-Type": "text/calendar; charset=utf-8", "Last-Modified": lastModified,
				"Content-Disposition": `inline; filename="x.ics"`, "Content-Language": "en",
				"Content-Encoding": wantEncoding, "X-Content-Type-Options": "nosniff",
			}
			if tc.status == http.StatusNotModified {
				for k := range content {
					if _, ok := h[k]; ok {
						t.Errorf("a 304 carries %s", k)
					}
				}
				if rec.Body.Len() != 0 {
					t.Errorf("a 304 with a body of %d bytes", rec.Body.Len())
				}
				return
			}
			for k, v := range content {
				if got := h.Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
			if got := h.Get("Content-Length"); got != strconv.Itoa(len(wantBody)) {
				t.Errorf("Content-Length %s, want %d", got, len(wantBody))
			}
			if tc.method == http.MethodHead {
				wantBody = nil
			}
			if !bytes.Equal(rec.Body.Bytes(), wantBody) {
				t.Errorf("body of %d bytes, want %d", rec.Body.Len(), len(wantBody))
			}
		})
	}
}

// TestNewWithoutOptions: bytes that do not shrink are served as they are
// whatever the client accepts, with no name, time or cache policy given.
func TestNewWithoutOptions(t *testing.T) {
	body := []byte("x")
	res, err := New("text/plain", body, time.Time{}, "", "/x")
	if err != nil {
		t.Fatal(err)
	}
	if res.Gzip().ETag() != res.ETag() || res.Size() != cap(body) {
		t.Errorf("gzip tag %s, tag %s, size %d: want one body of %d bytes", res.Gzip().ETag(), res.ETag(), res.Size(), cap(body))
	}
	req := httptest.NewRequest("GET", "/x", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("If-Modified-Since", "Mon, 30 Nov 2026 08:00:00 GMT")
	rec := httptest.NewRecorder()
	res.Serve(rec, req)
	h := rec.Result().Header
	if rec.Code != 200 || rec.Body.String() != "x" || h.Get("Vary") != "Accept-Encoding" || res.LastModified() != "" {
		t.Errorf("status %d, body %q, Vary %q, Last-Modified %q", rec.Code, rec.Body.String(), h.Get("Vary"), res.LastModified())
	}
	for _, k := range []string{"Content-Encoding", "Content-Disposition", "Cache-Control", "Last-Modified"} {
		if _, ok := h[k]; ok {
			t.Errorf("sent %s: %q", k, h.Get(k))
		}
	}
}
