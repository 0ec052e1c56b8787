//go:build linux

package feed

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"feed/events"
)

// watchCatalog is a catalog of one event named name.
func watchCatalog(name string) string {
	return `[calendar]
name.en = "Watch test"
name.zh = "监视测试"

[[event]]
id = "labour-day"
kind = "observance"
name.en = "` + name + `"
name.zh = "劳动节"
start = 2026-05-01
modified = 2026-01-01T00:00:00Z
`
}

const watchSecondEvent = `
[[event]]
id = "youth-day"
kind = "observance"
name.en = "Youth Day"
name.zh = "青年节"
start = 2026-05-04
modified = 2026-01-01T00:00:00Z
`

// watchedServer serves the catalog at path and watches it, asking holds
// whether a writer holds the file. With holds nil the reloader goes by the
// watch's own count of opens and closes, as where the system cannot say.
func watchedServer(t *testing.T, path string, holds func(string) (bool, bool)) (*Server, *Reloader) {
	t.Helper()
	build := func(data []byte) (*Snapshot, error) {
		cat, err := events.Parse(path, data)
		if err != nil {
			return nil, err
		}
		return Build(cat, testBaseURL)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := build(data)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := NewServer(snap, log)
	r := NewReloader(srv, path, data, build, log)
	r.writerHolds = holds
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := r.Watch(ctx); err != nil {
		t.Fatal(err)
	}
	return srv, r
}

func servedNames(srv *Server) string {
	var names []string
	for _, ev := range srv.Snapshot().Catalog.Events {
		names = append(names, ev.Name.EN)
	}
	return strings.Join(names, ", ")
}

func waitServed(t *testing.T, srv *Server, what, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for servedNames(srv) != want {
		if time.Now().After(deadline) {
			t.Fatalf("%s: serving %q, want %q", what, servedNames(srv), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func writeCatalog(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path+".tmp", []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		t.Fatal(err)
	}
}

// TestSecondWriterDoesNotEndTheWrite: while one writer writes the catalog
// in place in two parts, another opens and closes it (touch): the first
// part, itself a valid catalog, is never served; the whole is, once the
// first writer closes. Both with the system's word on writers and with the
// watch's count alone.
func TestSecondWriterDoesNotEndTheWrite(t *testing.T) {
	for name, holds := range map[string]func(string) (bool, bool){"lease": writerHolds, "count": nil} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "catalog.toml")
			writeCatalog(t, path, watchCatalog("Labour Day"))
			srv, _ := watchedServer(t, path, holds)

			first, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer first.Close()
			if _, err := first.WriteString(watchCatalog("Workers' Day")); err != nil {
				t.Fatal(err)
			}
			time.Sleep(2 * watchDebounce)
			second, err := os.OpenFile(path, os.O_WRONLY, 0) // touch
			if err != nil {
				t.Fatal(err)
			}
			second.Close()
			time.Sleep(6 * watchDebounce)
			if got := servedNames(srv); got != "Labour Day" {
				t.Fatalf("while the first writer still writes, serving %q", got)
			}
			if _, err := first.WriteString(watchSecondEvent); err != nil {
				t.Fatal(err)
			}
			if err := first.Close(); err != nil {
				t.Fatal(err)
			}
			waitServed(t, srv, "the whole catalog", "Workers' Day, Youth Day")
		})
	}
}

// TestDirectorySwap: the catalog's directory moved away and another put in
// its place (mv conf conf.old; mv conf.new conf) is served, and so are
// later edits in the new directory. A swap further up, which the watch
// does not see, is served on SIGHUP, which also moves the watch to the new
// directories.
func TestDirectorySwap(t *testing.T) {
	root := t.TempDir()
	dir := func(rel, name string) string {
		d := filepath.Join(root, rel)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		writeCatalog(t, filepath.Join(d, "catalog.toml"), watchCatalog(name))
		return d
	}
	swap := func(rel string) {
		if err := os.Rename(filepath.Join(root, rel), filepath.Join(root, rel+".old")); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(filepath.Join(root, rel+".new"), filepath.Join(root, rel)); err != nil {
			t.Fatal(err)
		}
	}
	dir("top/conf", "Labour Day")
	path := filepath.Join(root, "top/conf/catalog.toml")
	srv, r := watchedServer(t, path, writerHolds)

	dir("top/conf.new", "Workers' Day")
	swap("top/conf")
	waitServed(t, srv, "the swapped directory", "Workers' Day")
	writeCatalog(t, path, watchCatalog("May Day"))
	waitServed(t, srv, "an edit in the new directory", "May Day")
	writeCatalog(t, filepath.Join(root, "top/conf.old/catalog.toml"), watchCatalog("Old Day"))
	time.Sleep(3 * watchDebounce)
	if got := servedNames(srv); got != "May Day" {
		t.Fatalf("an edit in the directory moved away is served: %q", got)
	}

	dir("top.new/conf", "Swapped Day")
	swap("top")
	if err := r.Reload("SIGHUP"); err != nil {
		t.Fatal(err)
	}
	waitServed(t, srv, "SIGHUP after a swap further up", "Swapped Day")
	writeCatalog(t, path, watchCatalog("Edited Day"))
	waitServed(t, srv, "an edit after SIGHUP", "Edited Day")
}

// TestNamedPipeOverCatalog: a named pipe renamed over the catalog is
// refused at once, as a failed reload, without blocking the reloader: a
// SIGHUP gives the same answer, and the next catalog renamed into place is
// served.
func TestNamedPipeOverCatalog(t *testing.T) {
	d := t.TempDir()
	path := filepath.Join(d, "catalog.toml")
	writeCatalog(t, path, watchCatalog("Labour Day"))
	srv, r := watchedServer(t, path, writerHolds)

	fifo := filepath.Join(d, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Frees a reader blocked in open, should one be.
		if f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
	if err := os.Rename(fifo, path); err != nil {
		t.Fatal(err)
	}
	failed := func() bool {
		st := srv.lastReload.Load()
		return st != nil && st.Failed && len(st.Errors) == 1 && strings.Contains(st.Errors[0], "not a regular file (its type is named pipe)")
	}
	deadline := time.Now().Add(5 * time.Second)
	for !failed() {
		if time.Now().After(deadline) {
			t.Fatalf("no failed reload for the named pipe: %+v", srv.lastReload.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	done := make(chan error, 1)
	go func() { done <- r.Reload("SIGHUP") }()
	select {
	case err := <-done:
		if err == nil || !failed() {
			t.Fatalf("SIGHUP with the named pipe in place: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("SIGHUP blocked on the named pipe")
	}
	if got := servedNames(srv); got != "Labour Day" {
		t.Fatalf("serving %q after the named pipe", got)
	}
	writeCatalog(t, path, watchCatalog("Workers' Day"))
	waitServed(t, srv, "the catalog after the named pipe", "Workers' Day")
}

// TestDirectoryReadDuringWrite: listing the catalog's directory while a
// writer writes the file is no change of the directory: reached through a
// link, so that the directory's parent is watched in full, the half file is
// still not served.
func TestDirectoryReadDuringWrite(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "conf"), 0o755); err != nil {
		t.Fatal(err)
	}
	real := filepath.Join(root, "conf", "catalog.toml")
	writeCatalog(t, real, watchCatalog("Labour Day"))
	path := filepath.Join(root, "catalog.toml")
	if err := os.Symlink("conf/catalog.toml", path); err != nil {
		t.Fatal(err)
	}
	srv, _ := watchedServer(t, path, nil)

	f, err := os.OpenFile(real, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(watchCatalog("Workers' Day")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.ReadDir(filepath.Join(root, "conf")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(6 * watchDebounce)
	if got := servedNames(srv); got != "Labour Day" {
		t.Fatalf("after the directory was listed during the write, serving %q", got)
	}
	if _, err := f.WriteString(watchSecondEvent); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	waitServed(t, srv, "the whole catalog", "Workers' Day, Youth Day")
}

// TestWriterFromBeforeTheWatch: a writer that opened the file before the
// service watched it is not in the watch's count; a second writer's close
// then leaves the count at zero, and only the system's word (a lease
// refused) keeps the half file from being served. The service waits for
// the first writer's close without asking again and again.
func TestWriterFromBeforeTheWatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.toml")
	writeCatalog(t, path, watchCatalog("Labour Day"))
	first, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	var asked atomic.Int32
	srv, _ := watchedServer(t, path, func(p string) (bool, bool) {
		asked.Add(1)
		return writerHolds(p)
	})
	asked.Store(0)
	if err := first.Truncate(0); err != nil {
		t.Fatal(err)
	}
	if _, err := first.WriteString(watchCatalog("Workers' Day")); err != nil {
		t.Fatal(err)
	}
	second, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	second.Close()
	time.Sleep(10 * watchDebounce)
	if got := servedNames(srv); got != "Labour Day" {
		t.Fatalf("while the first writer still writes, serving %q", got)
	}
	if n := asked.Load(); n > 3 {
		t.Errorf("asked %d times in a second whether a writer holds the file", n)
	}
	if _, err := first.WriteString(watchSecondEvent); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	waitServed(t, srv, "the whole catalog", "Workers' Day, Youth Day")
}
