package feed

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"feed/events"
)

// Reloader replaces the served catalog when its file changes, on a signal or
// when the file is written. A file that fails validation is not loaded: the
// server keeps the last good snapshot, logs every error, and reports the
// failure on /healthz.
type Reloader struct {
	srv   *Server
	path  string
	build func(data []byte) (*Snapshot, error)
	log   *slog.Logger

	mu      sync.Mutex // one reload at a time
	lastSum [sha256.Size]byte
}

// NewReloader watches path for srv. data is the content the current
// snapshot was built from; build turns a file's content into a snapshot.
func NewReloader(srv *Server, path string, data []byte, build func(data []byte) (*Snapshot, error), log *slog.Logger) *Reloader {
	return &Reloader{srv: srv, path: path, build: build, log: log, lastSum: sha256.Sum256(data)}
}

// Reload reads the catalog file and, if it is valid, serves it. With force
// false an unchanged file is left alone, so that unrelated writes in the
// catalog's directory cost nothing.
func (r *Reloader) Reload(trigger string, force bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	// A file past the size limit is refused here, and reported like any
	// other catalog error.
	data, err := events.ReadFile(r.path)
	if err != nil {
		r.failed(trigger, err)
		return err
	}
	sum := sha256.Sum256(data)
	if !force && sum == r.lastSum {
		return nil
	}
	snap, err := r.build(data)
	if err != nil {
		r.failed(trigger, err)
		return err
	}
	old := r.srv.Snapshot()
	r.srv.Swap(snap)
	r.lastSum = sum
	r.srv.reportReload(ReloadStatus{At: time.Now().UTC(), Trigger: trigger})
	r.log.Info("catalog reloaded", "trigger", trigger, "file", r.path, "events", len(snap.Catalog.Events),
		"etag", snap.ETag(), "changed", snap.ETag() != old.ETag())
	return nil
}

func (r *Reloader) failed(trigger string, err error) {
	status := ReloadStatus{At: time.Now().UTC(), Trigger: trigger, Failed: true}
	var list events.Errors
	if errors.As(err, &list) {
		for _, fe := range list {
			r.log.Error("catalog rejected", "trigger", trigger, "file", fe.File, "line", fe.Line, "field", fe.Field, "error", fe.Msg)
			status.Errors = append(status.Errors, fe.Error())
		}
	} else {
		r.log.Error("catalog rejected", "trigger", trigger, "file", r.path, "error", err)
		status.Errors = []string{err.Error()}
	}
	r.log.Warn("still serving the last good catalog", "etag", r.srv.Snapshot().ETag())
	r.srv.reportReload(status)
}

// watchDebounce lets an editor finish writing: saving often takes several
// writes, or a write to a temporary file and a rename.
const watchDebounce = 250 * time.Millisecond

// Watch starts reloading the catalog whenever its file may have changed,
// until ctx ends. It returns once the watch is in place, after checking the
// file once, so that no change made after it returns can be missed. It
// watches the directory rather than the file, because editors and
// deployment tools replace a file by renaming another over it, which ends a
// watch on the file itself.
func (r *Reloader) Watch(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch catalog: %w", err)
	}
	dir := filepath.Dir(r.path)
	if err := w.Add(dir); err != nil {
		w.Close()
		return fmt.Errorf("watch catalog directory %q: %w", dir, err)
	}
	_ = r.Reload("file changed", false)
	go r.watch(ctx, w)
	return nil
}

func (r *Reloader) watch(ctx context.Context, w *fsnotify.Watcher) {
	defer w.Close()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			if ev.Op != fsnotify.Chmod {
				timer.Reset(watchDebounce)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return
			}
			r.log.Warn("catalog watch", "error", err)
		case <-timer.C:
			_ = r.Reload("file changed", false)
		}
	}
}

// ReloadStatus is the outcome of the latest reload, for /healthz.
type ReloadStatus struct {
	At      time.Time `json:"at"`
	Trigger string    `json:"trigger"`
	Failed  bool      `json:"failed"`
	Errors  []string  `json:"errors,omitempty"`
}
