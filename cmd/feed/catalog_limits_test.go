package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"feed/events"
)

// padded is a valid catalog padded with a comment to exactly size bytes.
func padded(t *testing.T, size int) string {
	t.Helper()
	pad := size - len(catalogV1) - 2 // "#" and "\n"
	if pad < 0 {
		t.Fatalf("cannot pad to %d bytes", size)
	}
	s := catalogV1 + "#" + strings.Repeat("x", pad) + "\n"
	if len(s) != size {
		t.Fatalf("padded to %d bytes, want %d", len(s), size)
	}
	return s
}

// TestCheckEndlessFile runs feed check on /dev/zero, which never ends: it
// must stop at the size limit and say so, not read until memory runs out.
func TestCheckEndlessFile(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	var stdout strings.Builder
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), []string{"feed", "check", "/dev/zero"}, func(string) string { return "" }, &stdout, io.Discard)
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("check accepted /dev/zero")
		}
		if want := "/dev/zero:1: the catalog is larger than the limit of 8388608 bytes (8 MiB)\n"; stdout.String() != want {
			t.Errorf("check printed %q, want %q", stdout.String(), want)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("check of /dev/zero did not return")
	}
}

// TestCatalogSizeLimit gives check and serve a catalog of exactly the
// limit, and one a byte longer.
func TestCatalogSizeLimit(t *testing.T) {
	dir := t.TempDir()
	atLimit, over := filepath.Join(dir, "at-limit.toml"), filepath.Join(dir, "over.toml")
	writeFile(t, atLimit, padded(t, events.MaxCatalogBytes))
	writeFile(t, over, padded(t, events.MaxCatalogBytes+1))
	noEnv := func(string) string { return "" }

	var stdout strings.Builder
	if err := run(context.Background(), []string{"feed", "check", atLimit}, noEnv, &stdout, io.Discard); err != nil {
		t.Errorf("check refused a catalog of exactly the limit: %v\n%s", err, stdout.String())
	}
	stdout.Reset()
	if err := run(context.Background(), []string{"feed", "check", over}, noEnv, &stdout, io.Discard); err == nil || !strings.Contains(stdout.String(), over+":") || !strings.Contains(stdout.String(), "larger than the limit") {
		t.Errorf("check of a catalog one byte over: %v\n%s", err, stdout.String())
	}
	// Should the file be accepted, the server would run until stopped.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := run(ctx, []string{"feed", "-addr", "127.0.0.1:0", "-notices", "off", "-catalog", over}, noEnv, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), over+":") || !strings.Contains(err.Error(), "larger than the limit") {
		t.Errorf("serving a catalog one byte over: %v", err)
	}
}

// TestReloadRefusesOversizeCatalog replaces the served catalog with one a
// byte over the limit: the reload fails, naming the file, and the last good
// catalog stays.
func TestReloadRefusesOversizeCatalog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.toml")
	writeFile(t, path, catalogV1)
	feedURL := start(t, []string{"-addr", "127.0.0.1:0", "-catalog", path, "-health-details", "loopback"}, nil)
	base := strings.TrimSuffix(feedURL, "/calendar.ics")
	etag := getHealth(t, base).ETag

	writeFile(t, path, padded(t, events.MaxCatalogBytes+1))
	waitFor(t, "the failed reload", func() bool { return getHealth(t, base).Status == "degraded" })
	h := getHealth(t, base)
	if h.ETag != etag || len(h.LastReload.Errors) != 1 || !strings.HasPrefix(h.LastReload.Errors[0], path+":") || !strings.Contains(h.LastReload.Errors[0], "larger than the limit") {
		t.Fatalf("after an over-size catalog: %+v", h)
	}
}
