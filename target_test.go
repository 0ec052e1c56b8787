package feed

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// rawRequest sends request as it is over a new connection to addr and
// reads one answer; with waitForClose, it also reports whether the server
// then closed the connection.
func rawRequest(t *testing.T, addr, request string, waitForClose bool) (resp *http.Response, body string, closed bool) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, request); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	resp, err = http.ReadResponse(r, nil)
	if err != nil {
		t.Fatalf("%q: %v", request, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !waitForClose {
		return resp, string(b), false
	}
	_, err = r.ReadByte()
	return resp, string(b), err == io.EOF
}

// Request targets that are not a path are answered, not redirected: "*"
// would go to /%2A, and CONNECT's host or an absolute URL's to another
// host.
func TestNonPathTargets(t *testing.T) {
	srv, _ := newTestServer(t)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	addr := ts.Listener.Addr().String()
	for _, tc := range []struct {
		name, request string
		status        int
		header        map[string]string
		bodyHas       string
		closed        bool
	}{
		{name: "HTTP/2 prior knowledge", request: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00",
			status: 505, bodyHas: "HTTP/2 without TLS is not served", closed: true},
		// http.Server answers this one itself, before any handler.
		{name: "OPTIONS *", request: "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
			status: 200, header: map[string]string{"Location": ""}},
		{name: "GET *", request: "GET * HTTP/1.1\r\nHost: x\r\n\r\n",
			status: 400, bodyHas: "only for OPTIONS"},
		{name: "CONNECT", request: "CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n",
			status: 405, header: map[string]string{"Allow": "GET, HEAD, OPTIONS"}, bodyHas: "not a proxy"},
		{name: "absolute URL without a path", request: "GET http://evil.example HTTP/1.1\r\nHost: evil.example\r\n\r\n",
			status: 301, header: map[string]string{"Location": "/"}},
		{name: "absolute URL with an unclean path", request: "GET http://evil.example/events/../calendar.ics?kind=day-off HTTP/1.1\r\nHost: evil.example\r\n\r\n",
			status: 301, header: map[string]string{"Location": "/calendar.ics?kind=day-off"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, body, closed := rawRequest(t, addr, tc.request, tc.closed)
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d; Location %q; %s", resp.StatusCode, tc.status, resp.Header.Get("Location"), body)
			}
			for k, v := range tc.header {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
			if !strings.Contains(body, tc.bodyHas) {
				t.Errorf("body %q lacks %q", body, tc.bodyHas)
			}
			if tc.closed && !closed {
				t.Error("the connection stayed open")
			}
		})
	}

	// The handler answers "OPTIONS *" itself when no http.Server stands in
	// front of it.
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("OPTIONS", "*", nil))
	if rec.Code != 204 || rec.Header().Get("Allow") != "GET, HEAD, OPTIONS" {
		t.Errorf("OPTIONS * without http.Server: %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
}
