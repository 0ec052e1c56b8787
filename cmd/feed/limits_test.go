package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

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

// A client that asks for more than the socket buffers hold and never reads
// does not make a stop fail: after the shutdown timeout its connection is
// closed, the closure logged, and run returns nil (exit status 0).
func TestShutdownClosesStalledClients(t *testing.T) {
	const grace = 300 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"feed", "-addr", "127.0.0.1:0", "-notices", "off", "-shutdown-timeout", grace.String()}, func(string) string { return "" }, pw, &stderr)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("the program announced no URL: %v", err)
	}
	go io.Copy(io.Discard, pr)
	feedURL := strings.TrimPrefix(strings.TrimSpace(line), "Subscribe to ")
	addr := strings.TrimSuffix(strings.TrimPrefix(feedURL, "http://"), "/calendar.ics")

	// A small receive buffer, set before the connection opens, keeps the
	// kernel from taking the answers in on the client's behalf.
	dialer := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 8<<10) })
		if err != nil {
			return err
		}
		return serr
	}}
	c, err := dialer.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// 2,000 pipelined requests for the 18 KB feed: 36 MB of answers, far
	// more than the 4 MB a loopback socket buffers.
	go func() {
		_, _ = io.WriteString(c, strings.Repeat("GET /calendar.ics HTTP/1.1\r\nHost: x\r\n\r\n", 2000))
	}()
	time.Sleep(200 * time.Millisecond) // the server is writing and blocked

	stopped := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run = %v after a stop with a stalled client; want nil (exit status 0)", err)
		}
		if took := time.Since(stopped); took < grace {
			t.Errorf("run returned %s after the stop, before the shutdown timeout %s", took, grace)
		}
	case <-time.After(grace + 10*time.Second):
		t.Fatal("run did not return after the shutdown timeout")
	}
	if log := stderr.String(); !strings.Contains(log, `msg="closed the connections still open after the shutdown timeout" connections=1 `) {
		t.Errorf("the log does not say one connection was closed:\n%s", log)
	}
}

// The request line and header fields may take 16 KiB, with their line ends
// and the empty line after them, as the README says; a byte more is 431.
func TestHeaderLimit(t *testing.T) {
	addr := strings.TrimSuffix(strings.TrimPrefix(start(t, []string{"-addr", "127.0.0.1:0"}, nil), "http://"), "/calendar.ics")
	for _, tc := range []struct {
		size, status int
	}{
		{16 << 10, http.StatusOK},
		{16<<10 + 1, http.StatusRequestHeaderFieldsTooLarge},
	} {
		head := "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Pad: "
		request := head + strings.Repeat("a", tc.size-len(head)-len("\r\n\r\n")) + "\r\n\r\n"
		if len(request) != tc.size {
			t.Fatalf("request of %d bytes, want %d", len(request), tc.size)
		}
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.WriteString(c, request); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		c.Close()
		if err != nil {
			t.Fatalf("%d bytes: %v", tc.size, err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("a request of %d bytes: %s, want %d", tc.size, resp.Status, tc.status)
		}
	}
}

func TestMaxConnsFlag(t *testing.T) {
	limit, ok := openFileLimit()
	if !ok {
		t.Fatal("no open-file limit on a Unix system")
	}
	if n, err := parseMaxConns("auto"); err != nil || (limit <= 1<<31 && uint64(n) != limit-fdReserve) {
		t.Errorf("auto with an open-file limit of %d: %d, %v", limit, n, err)
	}
	if n, err := parseMaxConns("4"); err != nil || n != 4 {
		t.Errorf("4: %d, %v", n, err)
	}
	for _, bad := range []string{"0", "-1", "many", ""} {
		if _, err := parseMaxConns(bad); err == nil {
			t.Errorf("-max-conns %q is accepted", bad)
		}
	}
}

// With -max-conns 1, a second connection is closed while the first is
// open, and /metrics counts it.
func TestMaxConnsRefused(t *testing.T) {
	base := strings.TrimSuffix(start(t, []string{"-addr", "127.0.0.1:0", "-max-conns", "1"}, nil), "/calendar.ics")
	addr := strings.TrimPrefix(base, "http://")
	first, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	// The first connection is served, so it has been accepted.
	if _, err := io.WriteString(first, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(first), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	second, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	_ = second.SetDeadline(time.Now().Add(5 * time.Second))
	_, _ = io.WriteString(second, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, err := http.ReadResponse(bufio.NewReader(second), nil); err == nil {
		t.Error("a connection past -max-conns 1 was answered")
	}
	second.Close()
	first.Close()
	// Until the server has seen the first connection close, the scrape's
	// own connection is refused too.
	var metrics []byte
	refused := 1
	waitFor(t, "the first connection's place", func() bool {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			refused++
			return false
		}
		defer resp.Body.Close()
		metrics, _ = io.ReadAll(resp.Body)
		return true
	})
	want := fmt.Sprintf("\nfeed_connections_refused_total %d\n", refused)
	if !strings.Contains(string(metrics), want) {
		t.Errorf("/metrics lacks %q:\n%s", want, metrics)
	}
}
