package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"feed"
	"feed/events"
)

// feed check warns, and passes, from 1 November of the last arranged year.
func TestCheckWarnsOfMissingYear(t *testing.T) {
	for _, tc := range []struct {
		now  time.Time
		warn bool
	}{
		{time.Date(2026, 10, 31, 12, 0, 0, 0, time.UTC), false},
		{time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC), true},
	} {
		var stdout strings.Builder
		now := func() time.Time { return tc.now }
		if err := runAt(context.Background(), now, []string{"feed", "check", mainCatalog}, func(string) string { return "" }, &stdout, io.Discard); err != nil {
			t.Fatalf("check failed: %v", err)
		}
		warned := strings.Contains(stdout.String(), mainCatalog+": warning: the catalog has no holiday arrangement for 2027")
		if warned != tc.warn {
			t.Errorf("at %s: check printed %q; want a warning: %v", tc.now, stdout.String(), tc.warn)
		}
	}
}

// The service logs the warning at start and at every tick, and stops once
// a reload brings the next year.
func TestWatchCoverage(t *testing.T) {
	cat, err := events.Default()
	if err != nil {
		t.Fatal(err)
	}
	snap, err := feed.Build(cat, "")
	if err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	log := slog.New(slog.NewTextHandler(&logged, nil))
	server := feed.NewServer(snap, log)
	now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

	data, err := os.ReadFile(mainCatalog)
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, "\n[[event]]\nid = \"cn-new-year-2027-days-off\"\nkind = \"day-off\"\nholiday = \"new-year\"\nname.en = \"n\"\nname.zh = \"n\"\nstart = 2027-01-01\nmodified = 2026-12-01T00:00:00Z\n"...)
	next, err := events.Parse(filepath.Base(mainCatalog), data)
	if err != nil {
		t.Fatal(err)
	}
	nextSnap, err := feed.Build(next, "")
	if err != nil {
		t.Fatal(err)
	}

	// Each check reads the snapshot, then the clock; the clock tells the
	// test that the check has read the snapshot.
	checked := make(chan struct{})
	readClock := func() time.Time { checked <- struct{}{}; return now }
	ctx, cancel := context.WithCancel(context.Background())
	ticks := make(chan time.Time)
	done := make(chan struct{})
	go func() {
		watchCoverage(ctx, log, server, readClock, ticks)
		close(done)
	}()
	<-checked // at start
	ticks <- now
	<-checked // the first tick
	ticks <- now
	<-checked // the second tick
	server.Swap(nextSnap)
	ticks <- now
	<-checked // the third tick, after the reload
	cancel()
	<-done

	if n := strings.Count(logged.String(), "holiday arrangements run out"); n != 3 {
		t.Errorf("logged the warning %d times, want 3 (at start and at two ticks before the reload):\n%s", n, logged.String())
	}
	if !strings.Contains(logged.String(), "last_arranged_year=2026") {
		t.Errorf("the log does not name the last year:\n%s", logged.String())
	}
}
