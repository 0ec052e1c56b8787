package feed

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// amplifiedPropfind is a body that once made a 203 MB answer: a namespace
// of 64,700 bytes and 64 properties in it, which the answer repeated for
// every property of every resource.
func amplifiedPropfind() string {
	ns := "urn:" + strings.Repeat("a", 64700)
	var props strings.Builder
	for i := range 64 {
		fmt.Fprintf(&props, "<x:p%d/>", i)
	}
	return `<D:propfind xmlns:D="DAV:" xmlns:x="` + ns + `"><D:prop>` + props.String() + "</D:prop></D:propfind>\n"
}

// widestPropfind is the largest answer a PROPFIND may still ask for: 64
// properties, each in a namespace of its own at the length limit, with
// names that reach the limit on the names together.
func widestPropfind() string {
	var decls, props strings.Builder
	for i := range 64 {
		ns := fmt.Sprintf("urn:%02d:", i)
		fmt.Fprintf(&decls, ` xmlns:x%d="%s"`, i, ns+strings.Repeat("n", 256-len(ns)))
		name := fmt.Sprintf("p%d", i)
		fmt.Fprintf(&props, "<x%d:%s/>", i, name+strings.Repeat("q", 32-len(name)))
	}
	return `<D:propfind xmlns:D="DAV:"` + decls.String() + `><D:prop>` + props.String() + "</D:prop></D:propfind>"
}

// TestPropfindAmplification: the body that made a 203 MB answer is refused
// with a reason, and the widest request still allowed is answered within a
// small multiple of what discovery answers anyway (allprop at Depth 1 on
// the site), well-formed, each namespace declared once.
func TestPropfindAmplification(t *testing.T) {
	srv, _ := newTestServer(t)
	rec := propfind(t, srv, "/", "1", amplifiedPropfind())
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "namespace is longer than 256 bytes") {
		t.Fatalf("the amplified body: %d, %d bytes %q; want 400 naming the namespace", rec.Code, rec.Body.Len(), truncate(rec.Body.String()))
	}

	served := propfind(t, srv, "/", "1", `<propfind xmlns="DAV:"><allprop/></propfind>`).Body.Len()
	widest := propfind(t, srv, "/", "1", widestPropfind())
	ms := parseMultistatus(t, widest)
	if len(ms.Responses) != 1+len(discoverySets) || len(ms.Responses[0].Propstats[0].Prop.Unknown) != 64 {
		t.Fatalf("%d responses, want %d, each with the 64 unknown properties", len(ms.Responses), 1+len(discoverySets))
	}
	// Each namespace is declared once, on the root: that costs at most the
	// request's own size, whatever the number of calendars listed.
	if n, limit := widest.Body.Len(), 8*served+len(widestPropfind()); n > limit {
		t.Errorf("the widest request allowed is answered with %d bytes, more than 8 times the %d of allprop and the %d of the request", n, served, len(widestPropfind()))
	}
	if n := strings.Count(widest.Body.String(), "urn:00:"); n != 1 {
		t.Errorf("a namespace is written %d times, want once", n)
	}
	t.Logf("allprop at Depth 1: %d bytes; the widest request allowed: %d bytes", served, widest.Body.Len())
}

// TestPropfindPropertyInNoNamespace: a property in no namespace is answered
// without a prefix, never with the forbidden xmlns:X="".
func TestPropfindPropertyInNoNamespace(t *testing.T) {
	srv, _ := newTestServer(t)
	rec := propfind(t, srv, "/calendar.ics", "0", `<D:propfind xmlns:D="DAV:"><D:prop><D:displayname/><foo xmlns=""/></D:prop></D:propfind>`)
	ms := parseMultistatus(t, rec) // checks the namespaces too
	st := ms.Responses[0].Propstats
	if len(st) != 2 || len(st[1].Prop.Unknown) != 1 || st[1].Prop.Unknown[0].Space != "" || st[1].Prop.Unknown[0].Local != "foo" {
		t.Errorf("propstats %+v, want foo in no namespace under 404", st)
	}
}

// TestPropfindGivesUpWithItsClient: a PROPFIND on a variant that must be
// rendered waits for a render slot like a GET, and gives up when its client
// goes away instead of rendering for nobody.
func TestPropfindGivesUpWithItsClient(t *testing.T) {
	srv, snap := newTestServer(t)
	snap.cache.limit = newRenderLimiter(1, time.Minute)
	release := hold(t, snap.cache.limit)
	released := false
	defer func() {
		if !released {
			release()
		}
	}()
	var renders sync.WaitGroup
	rendered := make(chan struct{}, 1)
	snap.onRender = func(time.Duration) { rendered <- struct{}{} }

	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequest("PROPFIND", "/calendar.ics?alarm=9m", strings.NewReader(thunderbirdDepth0)).WithContext(ctx)
	req.Header.Set("Depth", "0")
	done := make(chan int)
	renders.Go(func() {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		done <- rec.Code
	})
	cancel()
	select {
	case code := <-done:
		if code != http.StatusServiceUnavailable {
			t.Errorf("a departed client's PROPFIND: %d, want 503 (read by nobody)", code)
		}
	case <-time.After(5 * time.Second):
		release()
		released = true
		<-done
		t.Fatal("a PROPFIND whose client left still waited for a render slot")
	}
	release()
	released = true
	renders.Wait()
	select {
	case <-rendered:
		t.Error("the departed client's variant was rendered")
	default:
	}
}

// TestPropfindFloodUnderMemoryLimit sends eight of the bodies that once
// made 203 MB answers, and eight of the widest still allowed, at once, to
// the service in a process of its own under an address-space limit: it
// stays up, answers every one, and its resident memory stays small.
func TestPropfindFloodUnderMemoryLimit(t *testing.T) {
	if os.Getenv("FEED_TEST_PROPFIND_CHILD") == "1" {
		servePropfindChild(t)
		return
	}
	if testing.Short() {
		t.Skip("starts a process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestPropfindFloodUnderMemoryLimit$", "-test.v")
	cmd.Env = append(os.Environ(), "FEED_TEST_PROPFIND_CHILD=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		stdin.Close()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}()
	lines := bufio.NewScanner(stdout)
	var addr string
	for lines.Scan() {
		if a, ok := strings.CutPrefix(lines.Text(), "listening on "); ok {
			addr = a
			break
		}
	}
	if addr == "" {
		t.Fatalf("the service did not start: %s", stderr.String())
	}
	go io.Copy(io.Discard, stdout)

	client := &http.Client{Timeout: 30 * time.Second}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	total := 0
	for i := range 16 {
		body, want := amplifiedPropfind(), http.StatusBadRequest
		if i%2 == 1 {
			body, want = widestPropfind(), http.StatusMultiStatus
		}
		wg.Go(func() {
			req, _ := http.NewRequest("PROPFIND", "http://"+addr+"/", strings.NewReader(body))
			req.Header.Set("Depth", "1")
			resp, err := client.Do(req)
			if err != nil {
				mu.Lock()
				failures = append(failures, err.Error())
				mu.Unlock()
				return
			}
			n, err := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			mu.Lock()
			defer mu.Unlock()
			total += int(n)
			if err != nil || resp.StatusCode != want {
				failures = append(failures, fmt.Sprintf("status %d (want %d), %d bytes, %v", resp.StatusCode, want, n, err))
			}
		})
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d of 16 requests failed, first: %s\nservice: %s", len(failures), failures[0], truncate(stderr.String()))
	}
	resp, err := client.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("the service is gone after the flood: %v\n%s", err, truncate(stderr.String()))
	}
	resp.Body.Close()
	peak := readStatusKB(t, cmd.Process.Pid, "VmHWM:")
	t.Logf("16 answers, %d bytes in all; the service's peak RSS %d MB", total, peak>>10)
	if total > 8<<20 {
		t.Errorf("16 answers of %d bytes in all", total)
	}
	if peak > 200<<10 {
		t.Errorf("peak RSS %d MB, want under 200", peak>>10)
	}
}

// childAddressSpace is the headroom the child process gets over the
// address space it has when it starts: a few of the old 203 MB answers
// exhaust it, the service as it is never comes near.
const childAddressSpace = 768 << 20

func servePropfindChild(t *testing.T) {
	srv, _ := newTestServer(t)
	limit := uint64(readStatusKB(t, os.Getpid(), "VmSize:"))<<10 + childAddressSpace
	if err := syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: limit, Max: limit}); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	fmt.Printf("listening on %s\n", ts.Listener.Addr())
	_, _ = io.Copy(io.Discard, os.Stdin) // until the parent closes it
}

func readStatusKB(t *testing.T, pid int, field string) int64 {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}
