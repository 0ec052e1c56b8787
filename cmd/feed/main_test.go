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
	"testing"
	"time"
)

// start runs the program with args and env until the test ends, and returns
// the feed URL it announces.
func start(t *testing.T, args []string, env map[string]string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"feed"}, args...), func(k string) string { return env[k] }, pw, io.Discard)
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
	if err := os.WriteFile(broken, []byte("[calendar]\nname.en = \"x\"\nname.zh = \"y\"\n\n[[event]]\nid = \"a\"\nkind = \"day-off\"\nname.en = \"A\"\nname.zh = \"甲\"\nstart = 2025-05-05\nend = 2025-05-01\nmodified = 2025-01-01T00:00:00Z\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"address taken", []string{"-addr", taken.Addr().String()}, "listen on " + taken.Addr().String()},
		{"invalid catalog", []string{"-addr", "127.0.0.1:0", "-catalog", broken}, broken + ":11: event[0].end: last day 2025-05-01 is before the first day 2025-05-05"},
		{"missing catalog", []string{"-addr", "127.0.0.1:0", "-catalog", "/nonexistent/catalog.toml"}, `load catalog "/nonexistent/catalog.toml"`},
		{"bad base URL", []string{"-addr", "127.0.0.1:0", "-base-url", "feed.example.org"}, "base URL"},
		{"unknown flag", []string{"-port", "80"}, "flag provided but not defined"},
		{"stray argument", []string{"serve-now"}, `unexpected argument "serve-now"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr strings.Builder
			err := run(context.Background(), append([]string{"feed"}, tc.args...), func(string) string { return "" }, io.Discard, &stderr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("run = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
