package main

import (
	"bytes"
	"encoding/json"
	"fmt"
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

// writeInPlace truncates and rewrites the file through one descriptor, as
// cp, VS Code and vim with backupcopy=yes do.
func writeInPlace(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestReloadRestoresTheLastGoodFile puts back the very bytes of the catalog
// being served after a broken edit, as a restore from a backup or a git
// checkout does: the failure is over, and /healthz must say so although
// nothing new is loaded.
func TestReloadRestoresTheLastGoodFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.toml")
	writeFile(t, path, catalogV1)
	feedURL := start(t, []string{"-addr", "127.0.0.1:0", "-catalog", path}, nil)
	base := strings.TrimSuffix(feedURL, "/calendar.ics")
	etag := getHealth(t, base).ETag

	for _, restore := range []struct {
		name  string
		write func(t *testing.T, path, content string)
	}{{"renamed into place", writeFile}, {"written in place", writeInPlace}} {
		writeFile(t, path, catalogBroken)
		waitFor(t, "the failed reload", func() bool { return getHealth(t, base).Status == "degraded" })
		restore.write(t, path, catalogV1)
		waitFor(t, "the restore "+restore.name+" to clear the failure", func() bool { return getHealth(t, base).Status == "ok" })
		if h := getHealth(t, base); h.ETag != etag || h.LastReload == nil || h.LastReload.Failed || len(h.LastReload.Errors) != 0 {
			t.Fatalf("after the restore %s: %+v, ETag was %s", restore.name, h, etag)
		}
	}
}

const youthDay = `
[[event]]
id = "youth-day"
kind = "observance"
name.en = "Youth Day"
name.zh = "青年节"
start = 2026-05-04
modified = 2026-01-01T00:00:00Z
`

// TestSlowWriteIsNotServedHalfWritten writes a catalog in place in two
// parts a second apart. The first part alone is a valid catalog of one
// event, so only knowing that the writer has not finished keeps it from
// being served.
func TestSlowWriteIsNotServedHalfWritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.toml")
	writeFile(t, path, catalogV1)
	feedURL := start(t, []string{"-addr", "127.0.0.1:0", "-catalog", path}, nil)

	var (
		stop    atomic.Bool
		polls   atomic.Int64
		partial atomic.Int64
		wg      sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			resp, err := http.Get(feedURL)
			if err != nil {
				continue
			}
			var buf bytes.Buffer
			_, _ = buf.ReadFrom(resp.Body)
			resp.Body.Close()
			polls.Add(1)
			if body := buf.String(); strings.Contains(body, "International Workers' Day") && !strings.Contains(body, "Youth Day") {
				partial.Add(1)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()

	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(catalogV2); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if _, err := f.WriteString(youthDay); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the whole catalog", func() bool {
		_, body := get(t, feedURL)
		return strings.Contains(string(body), "Youth Day")
	})
	stop.Store(true)
	wg.Wait()
	if n := partial.Load(); n > 0 {
		t.Fatalf("the half-written catalog was served %d times of %d", n, polls.Load())
	}
	if polls.Load() < 20 {
		t.Fatalf("only %d polls: the test saw too little", polls.Load())
	}
}

// TestReloadWithEachWriteMethod saves the catalog the ways editors and
// tools do; each is picked up.
func TestReloadWithEachWriteMethod(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.toml")
	writeFile(t, path, catalogV1)
	feedURL := start(t, []string{"-addr", "127.0.0.1:0", "-catalog", path}, nil)
	base := strings.TrimSuffix(feedURL, "/calendar.ics")

	methods := []struct {
		name  string
		write func(t *testing.T, path, content string)
	}{
		{"renamed into place (rsync, vim's default, Emacs)", writeFile},
		{"written in place (cp, VS Code, vim with backupcopy=yes)", writeInPlace},
		{"old file renamed away, new one written (vim with backupcopy=no)", func(t *testing.T, path, content string) {
			if err := os.Rename(path, path+"~"); err != nil {
				t.Fatal(err)
			}
			writeInPlace(t, path, content)
		}},
		{"removed and written anew (rm; cp)", func(t *testing.T, path, content string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			writeInPlace(t, path, content)
		}},
	}
	for i, m := range methods {
		name := fmt.Sprintf("Day %d", i)
		m.write(t, path, strings.Replace(catalogV1, `name.en = "Labour Day"`, `name.en = "`+name+`"`, 1))
		waitFor(t, m.name, func() bool {
			_, body := get(t, feedURL)
			return strings.Contains(string(body), name)
		})
		if h := getHealth(t, base); h.Status != "ok" {
			t.Fatalf("%s: %+v", m.name, h)
		}
	}
}

// TestReloadThroughSymlinks serves a catalog reached through symbolic
// links: edits to the file the links lead to are picked up, and so is a
// swap of the links as Kubernetes makes when a ConfigMap changes (files in
// a new directory, then the ..data link renamed over the old one).
func TestReloadThroughSymlinks(t *testing.T) {
	t.Run("file in another directory", func(t *testing.T) {
		real := filepath.Join(t.TempDir(), "real.toml")
		writeFile(t, real, catalogV1)
		path := filepath.Join(t.TempDir(), "catalog.toml")
		if err := os.Symlink(real, path); err != nil {
			t.Fatal(err)
		}
		feedURL := start(t, []string{"-addr", "127.0.0.1:0", "-catalog", path}, nil)
		writeInPlace(t, real, catalogV2)
		waitFor(t, "an edit in place of the link's target", func() bool {
			_, body := get(t, feedURL)
			return strings.Contains(string(body), "International Workers' Day")
		})
		writeFile(t, real, strings.Replace(catalogV1, "Labour Day", "May Day", 1))
		waitFor(t, "the link's target renamed over", func() bool {
			_, body := get(t, feedURL)
			return strings.Contains(string(body), "May Day")
		})
	})

	t.Run("ConfigMap", func(t *testing.T) {
		dir := t.TempDir()
		version := func(name, content string) {
			if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, name, "catalog.toml"), content)
		}
		swap := func(name string) {
			tmp := filepath.Join(dir, "..data_tmp")
			if err := os.Symlink(name, tmp); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, filepath.Join(dir, "..data")); err != nil {
				t.Fatal(err)
			}
		}
		version("..v1", catalogV1)
		swap("..v1")
		path := filepath.Join(dir, "catalog.toml")
		if err := os.Symlink(filepath.Join("..data", "catalog.toml"), path); err != nil {
			t.Fatal(err)
		}
		feedURL := start(t, []string{"-addr", "127.0.0.1:0", "-catalog", path}, nil)

		version("..v2", catalogV2)
		swap("..v2")
		if err := os.RemoveAll(filepath.Join(dir, "..v1")); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the swapped ConfigMap", func() bool {
			_, body := get(t, feedURL)
			return strings.Contains(string(body), "International Workers' Day")
		})
		// The watch follows the links to the new directory.
		writeInPlace(t, filepath.Join(dir, "..v2", "catalog.toml"), strings.Replace(catalogV1, "Labour Day", "May Day", 1))
		waitFor(t, "an edit in the new directory", func() bool {
			_, body := get(t, feedURL)
			return strings.Contains(string(body), "May Day")
		})
	})
}
