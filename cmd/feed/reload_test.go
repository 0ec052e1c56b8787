package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const catalogV1 = `[calendar]
name.en = "Reload test"
name.zh = "重载测试"

[[event]]
id = "labour-day"
kind = "observance"
name.en = "Labour Day"
name.zh = "劳动节"
start = 2026-05-01
modified = 2026-01-01T00:00:00Z
`

var (
	catalogV2 = strings.Replace(catalogV1, `name.en = "Labour Day"`, `name.en = "International Workers' Day"`, 1)
	// The same data as V2 with a comment and other spacing: nothing a
	// subscriber sees changes, so neither must the ETag.
	catalogV2Reformatted = "# reformatted\n" + strings.ReplaceAll(catalogV2, " = ", "   =   ")
	catalogBroken        = strings.Replace(catalogV2, "start = 2026-05-01", "start = 2026-05-01\nend = 2026-04-01", 1)
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	// Write and rename, as editors and deployment tools do.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

type health struct {
	Status     string `json:"status"`
	ETag       string `json:"etag"`
	LastReload *struct {
		Trigger string   `json:"trigger"`
		Failed  bool     `json:"failed"`
		Errors  []string `json:"errors"`
	} `json:"last_reload"`
}

func getHealth(t *testing.T, base string) health {
	t.Helper()
	_, body := get(t, base+"/healthz")
	var h health
	if err := json.Unmarshal(body, &h); err != nil {
		t.Fatalf("healthz: %v: %s", err, body)
	}
	return h
}

// waitFor polls until cond holds, for at most five seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestReloadWhenTheFileChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.toml")
	writeFile(t, path, catalogV1)
	feedURL := start(t, []string{"-addr", "127.0.0.1:0", "-catalog", path, "-health-details", "loopback"}, nil)
	base := strings.TrimSuffix(feedURL, "/calendar.ics")
	etag1 := getHealth(t, base).ETag

	writeFile(t, path, catalogV2)
	waitFor(t, "the new catalog", func() bool { return getHealth(t, base).ETag != etag1 })
	_, body := get(t, feedURL)
	if !strings.Contains(string(body), "International Workers' Day") {
		t.Fatal("the feed does not show the edit")
	}
	etag2 := getHealth(t, base).ETag

	writeFile(t, path, catalogBroken)
	waitFor(t, "the failed reload", func() bool { return getHealth(t, base).Status == "degraded" })
	h := getHealth(t, base)
	if h.ETag != etag2 || len(h.LastReload.Errors) != 1 || !strings.Contains(h.LastReload.Errors[0], path+":11: event[0].end: last day 2026-04-01 is before") {
		t.Fatalf("after a broken edit: %+v", h)
	}
	resp, body2 := get(t, feedURL)
	if resp.StatusCode != 200 || string(body2) != string(body) || strings.Replace(resp.Header.Get("ETag"), ".gz", "", 1) != etag2 { // Go's client asks for gzip
		t.Fatalf("a broken catalog changed what clients get: %d, same body %v, ETag %s, was %s", resp.StatusCode, string(body2) == string(body), resp.Header.Get("ETag"), etag2)
	}

	writeFile(t, path, catalogV2Reformatted)
	waitFor(t, "the reformatted catalog", func() bool { return getHealth(t, base).Status == "ok" })
	if got := getHealth(t, base).ETag; got != etag2 {
		t.Fatalf("an edit that changes nothing changed the ETag: %s, was %s", got, etag2)
	}
}

func TestReloadOnSIGHUP(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.toml")
	writeFile(t, path, catalogV1)
	feedURL := start(t, []string{"-addr", "127.0.0.1:0", "-catalog", path, "-health-details", "loopback"}, nil)
	base := strings.TrimSuffix(feedURL, "/calendar.ics")
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the SIGHUP reload", func() bool {
		h := getHealth(t, base)
		return h.LastReload != nil && h.LastReload.Trigger == "SIGHUP" && !h.LastReload.Failed
	})
}

// TestBrokenCatalogUnderLoad replaces the catalog with broken and valid
// versions while clients poll: every answer is a whole valid feed, old or
// new, and none fails.
func TestBrokenCatalogUnderLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.toml")
	writeFile(t, path, catalogV1)
	feedURL := start(t, []string{"-addr", "127.0.0.1:0", "-catalog", path}, nil)
	_, v1 := get(t, feedURL)

	var (
		stop     atomic.Bool
		requests atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		bodies   = map[string]int{}
		failures []string
	)
	client := &http.Client{Timeout: 5 * time.Second}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				resp, err := client.Get(feedURL)
				if err != nil {
					mu.Lock()
					failures = append(failures, err.Error())
					mu.Unlock()
					continue
				}
				var buf bytes.Buffer
				_, _ = buf.ReadFrom(resp.Body)
				resp.Body.Close()
				requests.Add(1)
				mu.Lock()
				if resp.StatusCode != 200 {
					failures = append(failures, resp.Status)
				}
				bodies[buf.String()]++
				mu.Unlock()
			}
		}()
	}
	for i := range 6 {
		if i%2 == 0 {
			writeFile(t, path, catalogBroken)
		} else {
			writeFile(t, path, catalogV2)
		}
		time.Sleep(400 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()

	_, v2 := get(t, feedURL)
	if len(failures) > 0 {
		t.Fatalf("%d of %d requests failed, first: %s", len(failures), requests.Load(), failures[0])
	}
	for body, n := range bodies {
		if body != string(v1) && body != string(v2) {
			t.Fatalf("%d answers were neither the old nor the new feed", n)
		}
	}
	if bodies[string(v2)] == 0 || requests.Load() < 100 {
		t.Fatalf("the valid edit was never served (%d requests)", requests.Load())
	}
	t.Logf("%d requests, no failures; %d old feeds, %d new", requests.Load(), bodies[string(v1)], bodies[string(v2)])
}
