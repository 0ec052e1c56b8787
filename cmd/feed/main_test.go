package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// start runs the program with args and env until the test ends, and returns
// the feed URL it announces.
func start(t *testing.T, args []string, env map[string]string) string {
	t.Helper()
	return startLogging(t, args, env, io.Discard)
}

// startLogging is start with the program's log written to stderr.
func startLogging(t *testing.T, args []string, env map[string]string, stderr io.Writer) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"feed"}, args...), func(k string) string { return env[k] }, pw, stderr)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run returned %v after shutdown", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("run did not return after its context ended")
		}
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("the program announced no URL: %v", err)
	}
	go io.Copy(io.Discard, pr)
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "Subscribe to ")
	if !ok {
		t.Fatalf("first line %q", line)
	}
	return url
}

func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// TestRestartServesSameBytes starts the service twice, as a restart does,
// and expects byte-identical feeds with equal ETags.
func TestRestartServesSameBytes(t *testing.T) {
	var bodies [2][]byte
	var etags [2]string
	for i := range 2 {
		url := start(t, []string{"-addr", "127.0.0.1:0"}, nil)
		resp, body := get(t, url)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/calendar; charset=utf-8" {
			t.Fatalf("GET %s: %s %s", url, resp.Status, resp.Header.Get("Content-Type"))
		}
		if !strings.Contains(string(body), "UID:craftsmen-conference-2022-opening@") {
			t.Fatalf("the feed lacks the opening ceremony")
		}
		bodies[i], etags[i] = body, resp.Header.Get("ETag")
	}
	if string(bodies[0]) != string(bodies[1]) || etags[0] != etags[1] || etags[0] == "" {
		t.Fatalf("restart changed the feed: ETags %s and %s", etags[0], etags[1])
	}
}

func TestFlagsFromEnvironment(t *testing.T) {
	url := start(t, nil, map[string]string{"FEED_ADDR": "127.0.0.1:0", "FEED_BASE_URL": "https://feed.example.org/"})
	if url != "https://feed.example.org/calendar.ics" {
		t.Fatalf("announced %s", url)
	}
}

func TestCatalogFile(t *testing.T) {
	url := start(t, []string{"-addr", "127.0.0.1:0", "-catalog", filepath.Join("..", "..", "testdata", "full.toml")}, nil)
	_, body := get(t, url)
	if !strings.Contains(string(body), "UID:summit@") {
		t.Fatal("the feed does not come from the catalog file")
	}
}

func TestStartupErrors(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	broken := filepath.Join(t.TempDir(), "broken.toml")
	if err := os.WriteFile(broken, []byte("[calendar]\nname.en = \"x\"\nname.zh = \"y\"\n\n[[event]]\nid = \"a\"\nkind = \"day-off\"\nholiday = \"labour-day\"\nname.en = \"A\"\nname.zh = \"甲\"\nstart = 2025-05-05\nend = 2025-05-01\nmodified = 2025-01-01T00:00:00Z\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"address taken", []string{"-addr", taken.Addr().String()}, "listen on " + taken.Addr().String()},
		{"invalid catalog", []string{"-addr", "127.0.0.1:0", "-catalog", broken}, broken + ":12: event[0].end: last day 2025-05-01 is before the first day 2025-05-05"},
		{"missing catalog", []string{"-addr", "127.0.0.1:0", "-catalog", "/nonexistent/catalog.toml"}, `load catalog "/nonexistent/catalog.toml"`},
		{"bad base URL", []string{"-addr", "127.0.0.1:0", "-base-url", "feed.example.org"}, "base URL"},
		{"markup in the base URL", []string{"-addr", "127.0.0.1:0", "-base-url", `http://x"><script>`}, `base URL "http://x\"><script>": byte 8`},
		{"base URL port out of range", []string{"-addr", "127.0.0.1:0", "-base-url", "http://feed.example.org:99999"}, "port must be a number from 1 to 65535"},
		{"base URL with a query", []string{"-addr", "127.0.0.1:0", "-base-url", "https://feed.example.org/?x=1"}, "query"},
		{"export with a user name in the base URL", []string{"export", "-o", t.TempDir(), "-base-url", "https://u@feed.example.org"}, "user name"},
		{"unknown flag", []string{"-port", "80"}, "flag provided but not defined"},
		{"unknown command", []string{"serve-now"}, `unknown command "serve-now"`},
		{"bad log format", []string{"-log-format", "xml"}, `-log-format "xml"`},
		{"bad access log sampling", []string{"-access-log", "1/0"}, `-access-log "1/0"`},
		{"stray argument", []string{"serve", "now"}, `unexpected argument "now"`},
		{"export without a directory", []string{"export", "-base-url", "https://feed.example.org"}, "export needs -o DIR"},
		{"export without a base URL", []string{"export", "-o", t.TempDir()}, "export needs -base-url"},
		{"check without files", []string{"check"}, "check needs at least one catalog file"},
		{"render a bad variant", []string{"render", "-query", "kind=holiday"}, `parameter "kind"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr strings.Builder
			// Bounded: a service that starts when it should not would
			// otherwise serve until the test binary's timeout.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := run(ctx, append([]string{"feed"}, tc.args...), func(string) string { return "" }, io.Discard, &stderr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("run = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// syncBuffer is a log the program writes while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestWarnsWithoutBaseURLBeyondLoopback: a service that other machines can
// reach and that has no -base-url says at start that its page's links
// follow the request's Host.
func TestWarnsWithoutBaseURLBeyondLoopback(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		warn bool
	}{
		{"every interface, no base URL", []string{"-addr", "0.0.0.0:0"}, true},
		{"loopback, no base URL", []string{"-addr", "127.0.0.1:0"}, false},
		{"every interface, base URL", []string{"-addr", "0.0.0.0:0", "-base-url", "https://feed.example.org"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log syncBuffer
			startLogging(t, tc.args, nil, &log)
			// The warning comes before the announcement that start waits for.
			if warned := strings.Contains(log.String(), "level=WARN msg=\"listening beyond loopback without -base-url"); warned != tc.warn {
				t.Errorf("warned %v, want %v; log:\n%s", warned, tc.warn, log.String())
			}
		})
	}
}

// TestCheckReportsEveryError runs feed check on each broken catalog of the
// events tests: it prints the expected positions and fails.
func TestCheckReportsEveryError(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "events", "testdata", "invalid", "*.toml"))
	if len(files) == 0 {
		t.Fatal("no broken catalogs")
	}
	for _, file := range files {
		var stdout strings.Builder
		err := run(context.Background(), []string{"feed", "check", file}, func(string) string { return "" }, &stdout, io.Discard)
		if err == nil {
			t.Errorf("%s: check passed", file)
			continue
		}
		data, _ := os.ReadFile(file)
		for line := range strings.SplitSeq(string(data), "\n") {
			want, ok := strings.CutPrefix(line, "# want: ")
			if !ok {
				continue
			}
			lineNo, field, _ := strings.Cut(want, " ")
			field, _, _ = strings.Cut(field, ": ")
			prefix := file
			if lineNo != "0" {
				prefix += ":" + lineNo
			}
			if field != "" {
				prefix += ": " + field + ": "
			}
			if !strings.Contains(stdout.String(), prefix) {
				t.Errorf("%s: output lacks %q:\n%s", file, prefix, stdout.String())
			}
		}
	}
	var stdout strings.Builder
	if err := run(context.Background(), []string{"feed", "check", filepath.Join("..", "..", "events", "catalog.toml")}, func(string) string { return "" }, &stdout, io.Discard); err != nil {
		t.Fatalf("the default catalog fails check: %v\n%s", err, stdout.String())
	}
	if !strings.Contains(stdout.String(), "ok, 16 events") {
		t.Errorf("check output %q", stdout.String())
	}
}

func TestRender(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"render"}, []string{"BEGIN:VCALENDAR\r\n", "UID:craftsmen-conference-2022-opening@"}},
		{[]string{"render", "-query", "kind=workday&lang=en", "-base-url", "https://feed.example.org"},
			[]string{"SUMMARY:Make-up working day (China\\, Labour Day)", "SOURCE;VALUE=URI:https://feed.example.org/calendar.ics?kind=workday&lang=en"}},
		{[]string{"render", "-format", "json", "-event", "international-workers-day"}, []string{`["vcalendar",`, `"rrule",{},"recur",{"freq":"YEARLY"}`}},
		{[]string{"render", filepath.Join("..", "..", "testdata", "full.toml")}, []string{"UID:summit@"}},
	} {
		var stdout strings.Builder
		if err := run(context.Background(), append([]string{"feed"}, tc.args...), func(string) string { return "" }, &stdout, io.Discard); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(stdout.String(), w) {
				t.Errorf("%v: output lacks %q", tc.args, w)
			}
		}
	}
}

func TestExportCommand(t *testing.T) {
	dir := t.TempDir()
	args := []string{"feed", "export", "-o", dir, "-base-url", "https://feed.example.org"}
	var stdout strings.Builder
	if err := run(context.Background(), args, func(string) string { return "" }, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"calendar.ics", "calendar.ics.gz", "calendar.json", "_q/calendar.ics/kind=day-off.ics", "events/international-workers-day.ics", "nginx.conf", "_headers"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("export lacks %s", name)
		}
	}
	stdout.Reset()
	if err := run(context.Background(), args, func(string) string { return "" }, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "(0 changed)") {
		t.Errorf("a rerun changed files: %s", stdout.String())
	}
}

func TestAccessLogFlags(t *testing.T) {
	for flag, want := range map[string]int{"off": 0, "all": 1, "1/100": 100} {
		if got, err := parseSampling(flag); err != nil || got != want {
			t.Errorf("parseSampling(%q) = %d, %v; want %d", flag, got, err, want)
		}
	}
}

// TestCPUProfile: -cpuprofile leaves a profile that go tool pprof reads (a
// gzipped protocol buffer) once the service has shut down.
func TestCPUProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cpu.prof")
	t.Cleanup(func() { // runs after start's own cleanup has shut the service down
		data, err := os.ReadFile(path)
		if err != nil || len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
			t.Errorf("no profile written: %v, %d bytes", err, len(data))
		}
	})
	url := start(t, []string{"-addr", "127.0.0.1:0", "-cpuprofile", path}, nil)
	get(t, url)
}
