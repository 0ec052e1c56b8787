package connlimit_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"feed/internal/connlimit"
)

// Limits short enough for a test, far enough apart that each phase's limit
// is told from the others. Only lower bounds are exact; the upper bounds
// leave room for a loaded machine.
var testLimits = connlimit.Timeouts{
	Header:     300 * time.Millisecond,
	Response:   1200 * time.Millisecond,
	Idle:       2 * time.Second,
	Resolution: 20 * time.Millisecond,
}

const slack = 5 * time.Second

// limitServer is a server held to testLimits.
type limitServer struct {
	addr   string
	mu     sync.Mutex
	states []http.ConnState // what the server's own ConnState hook saw
	closed []string         // the limits Timeouts.Closed reported
}

func (s *limitServer) seen() (states []http.ConnState, closed []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.states), slices.Clone(s.closed)
}

// closedBy waits for the report of one closed connection and checks its
// limit.
func (s *limitServer) closedBy(t *testing.T, limit string) {
	t.Helper()
	deadline := time.Now().Add(slack)
	for {
		_, closed := s.seen()
		if len(closed) > 0 {
			if !slices.Equal(closed, []string{limit}) {
				t.Errorf("closed by %q, want [%s]", closed, limit)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("no connection reported closed, want one closed by %s", limit)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// serveWithLimits serves handler on loopback with testLimits.
func serveWithLimits(t *testing.T, handler http.Handler) *limitServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ls := &limitServer{addr: ln.Addr().String()}
	srv := &http.Server{Handler: handler, ConnState: func(_ net.Conn, state http.ConnState) {
		ls.mu.Lock()
		ls.states = append(ls.states, state)
		ls.mu.Unlock()
	}}
	limits := testLimits
	limits.Closed = func(limit string) {
		ls.mu.Lock()
		ls.closed = append(ls.closed, limit)
		ls.mu.Unlock()
	}
	go func() { _ = srv.Serve(connlimit.Enforce(srv, ln, limits)) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ls
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// closedAfter reads from c until the server closes it and returns how long
// that took from start.
func closedAfter(t *testing.T, c net.Conn, start time.Time) time.Duration {
	t.Helper()
	_ = c.SetReadDeadline(start.Add(slack))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server kept the connection open for %s", slack)
	}
	return time.Since(start)
}

func within(t *testing.T, what string, got, limit time.Duration) {
	t.Helper()
	if got < limit {
		t.Errorf("%s: closed after %s, before its limit %s", what, got, limit)
	}
	t.Logf("%s: closed after %s (limit %s)", what, got.Round(time.Millisecond), limit)
}

var hello = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") })

func TestEnforceSilentClient(t *testing.T) {
	t.Parallel()
	srv := serveWithLimits(t, hello)
	start := time.Now()
	c := dial(t, srv.addr)
	within(t, "silent connection", closedAfter(t, c, start), testLimits.Header)
	srv.closedBy(t, "header")
}

// A header sent a byte at a time is dropped at the header limit, however
// steadily the bytes come: on a new connection, and on a kept-alive one,
// where the limit runs from the request's first byte.
func TestEnforceTricklingHeader(t *testing.T) {
	t.Parallel()
	for _, keptAlive := range []bool{false, true} {
		t.Run(fmt.Sprintf("kept alive %v", keptAlive), func(t *testing.T) {
			t.Parallel()
			srv := serveWithLimits(t, hello)
			c := dial(t, srv.addr)
			if keptAlive {
				if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
					t.Fatal(err)
				}
				resp, err := http.ReadResponse(bufio.NewReader(c), nil)
				if err != nil {
					t.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			start := time.Now()
			done := make(chan struct{})
			go func() {
				defer close(done)
				for _, b := range []byte("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + strings.Repeat("a", 200)) {
					if _, err := c.Write([]byte{b}); err != nil {
						return
					}
					time.Sleep(25 * time.Millisecond)
				}
			}()
			got := closedAfter(t, c, start)
			within(t, "trickling header", got, testLimits.Header)
			if got > testLimits.Idle {
				t.Errorf("the trickling header was held to the idle limit, not the header limit")
			}
			srv.closedBy(t, "header")
			c.Close()
			<-done
		})
	}
}

// A kept-alive connection may wait longer than the header limit for its
// next request, and is closed at the idle limit. Requests that take longer
// than the header limit are answered: the response has its own limit.
func TestEnforceKeepAlive(t *testing.T) {
	t.Parallel()
	slowHandler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(2 * testLimits.Header)
		io.WriteString(w, "slow hello")
	})
	srv := serveWithLimits(t, slowHandler)
	c := dial(t, srv.addr)
	r := bufio.NewReader(c)
	for i := range 2 {
		if i > 0 {
			time.Sleep(2 * testLimits.Header) // idle, past the header limit
		}
		if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != "slow hello" {
			t.Fatalf("request %d: body %q", i+1, body)
		}
	}
	idleSince := time.Now()
	within(t, "idle connection", closedAfter(t, c, idleSince), testLimits.Idle)
	srv.closedBy(t, "idle")

	// The server's own hook still sees every state.
	want := []http.ConnState{http.StateNew, http.StateActive, http.StateIdle, http.StateActive, http.StateIdle, http.StateClosed}
	got, _ := srv.seen()
	for deadline := time.Now().Add(slack); len(got) < len(want) && time.Now().Before(deadline); got, _ = srv.seen() {
		time.Sleep(10 * time.Millisecond)
	}
	if !slices.Equal(got, want) {
		t.Errorf("ConnState hook saw %v, want %v", got, want)
	}
}

// A client that asks for a large answer and never reads it is dropped at
// the response limit: the handler's write fails.
func TestEnforceStalledReader(t *testing.T) {
	t.Parallel()
	written := make(chan error, 1)
	big := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("x", 1<<16))
		for {
			if _, err := w.Write(chunk); err != nil {
				written <- err
				return
			}
		}
	})
	srv := serveWithLimits(t, big)
	c := dial(t, srv.addr)
	start := time.Now() // before the response phase can begin
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-written:
		within(t, "stalled reader", time.Since(start), testLimits.Response)
		t.Logf("the handler's write failed with %v", err)
		srv.closedBy(t, "response")
	case <-time.After(testLimits.Response + slack):
		t.Fatalf("the handler still writes to a client that stopped reading %s ago", testLimits.Response+slack)
	}
}

// A hijacked connection belongs to its handler: no limit closes it.
func TestEnforceHijacked(t *testing.T) {
	t.Parallel()
	hijack := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		time.Sleep(testLimits.Idle + 10*testLimits.Resolution) // past every limit
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
		buf.Flush()
	})
	srv := serveWithLimits(t, hijack)
	c := dial(t, srv.addr)
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(testLimits.Idle + slack))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("hijacked connection: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if string(body) != "hijacked" {
		t.Errorf("body %q", body)
	}
	if _, closed := srv.seen(); len(closed) > 0 {
		t.Errorf("connections closed by %q", closed)
	}
}

// Past the maximum of open connections a new one is closed at once,
// reported to the refused callback, and logged by nobody; a closed
// connection gives its place back. (cmd/feed's tests check that the
// refusals are counted at /metrics.)
func TestCap(t *testing.T) {
	t.Parallel()
	var refused atomic.Int64
	const maxConns = 4
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var errorLog syncBuffer
	srv := &http.Server{Handler: hello, ErrorLog: log.New(&errorLog, "", 0)}
	limited := connlimit.Cap(ln, maxConns, func() { refused.Add(1) })
	go func() { _ = srv.Serve(connlimit.Enforce(srv, limited, testLimits)) }()
	t.Cleanup(func() { _ = srv.Close() })

	// served asks for / on c and reports whether it was answered.
	served := func(c net.Conn) bool {
		_ = c.SetDeadline(time.Now().Add(slack))
		if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			return false
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("no answer and no close in %s", slack)
			}
			return false
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return string(body) == "hello"
	}
	var held []net.Conn
	for i := range maxConns {
		c := dial(t, ln.Addr().String())
		if !served(c) {
			t.Fatalf("connection %d of %d was not served", i+1, maxConns)
		}
		held = append(held, c)
	}
	if n := limited.Open(); n != maxConns {
		t.Errorf("Open() = %d with %d connections served", n, maxConns)
	}
	for i := range 3 {
		if served(dial(t, ln.Addr().String())) {
			t.Fatalf("connection %d past the limit of %d was served", i+1, maxConns)
		}
	}
	if n := refused.Load(); n != 3 {
		t.Errorf("%d connections reported refused, want 3", n)
	}

	held[0].Close()
	deadline := time.Now().Add(slack)
	for !served(dial(t, ln.Addr().String())) {
		if time.Now().After(deadline) {
			t.Fatal("a closed connection did not give its place back")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if errorLog.String() != "" {
		t.Errorf("the server logged:\n%s", errorLog.String())
	}
}

// syncBuffer is a log destination that the server's goroutines write to
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
