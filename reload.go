package feed

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

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

	mu       sync.Mutex // one reload at a time
	lastSum  [sha256.Size]byte
	lastData []byte // the content being served, which Rebuild builds again
	failing  bool   // the latest reload failed
}

// NewReloader watches path for srv. data is the content the current
// snapshot was built from; build turns a file's content into a snapshot.
func NewReloader(srv *Server, path string, data []byte, build func(data []byte) (*Snapshot, error), log *slog.Logger) *Reloader {
	return &Reloader{srv: srv, path: path, build: build, log: log, lastSum: sha256.Sum256(data), lastData: data}
}

// Rebuild builds the content being served again and serves it: for what
// the build adds to the file (the notices the service fetched) when that
// changes. The file is not read: a file being edited, or broken, does not
// hold back the rest. The latest reload's outcome, shown on /healthz,
// stays as it was.
func (r *Reloader) Rebuild(trigger string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	snap, err := r.build(r.lastData)
	if err != nil {
		r.log.Error("catalog not rebuilt; still serving the last good one", "trigger", trigger, "error", err)
		return err
	}
	old := r.srv.Snapshot()
	r.srv.Swap(snap)
	r.log.Info("catalog rebuilt", "trigger", trigger, "file", r.path, "events", len(snap.Catalog.Events),
		"etag", snap.ETag(), "changed", snap.ETag() != old.ETag())
	return nil
}

// Reload reads the catalog file and, if it is valid, serves it, even if its
// content is the one being served: an operator who asks for a reload gets
// one.
func (r *Reloader) Reload(trigger string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	data, err := r.read(trigger)
	if err != nil {
		return err
	}
	return r.load(trigger, data)
}

// ReloadIfChanged is Reload for a file that may not have changed: a file
// whose content is the one being served is not rebuilt, so that unrelated
// writes in the catalog's directory cost nothing. If the latest reload had
// failed, that content is a repair all the same (a restore from a backup,
// a checkout, a rolled-back ConfigMap) and is reported as a good reload.
func (r *Reloader) ReloadIfChanged(trigger string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	data, err := r.read(trigger)
	if err != nil {
		return err
	}
	if sha256.Sum256(data) != r.lastSum {
		return r.load(trigger, data)
	}
	if r.failing {
		r.failing = false
		r.srv.reportReload(ReloadStatus{At: time.Now().UTC(), Trigger: trigger})
		r.log.Info("catalog restored to the content being served", "trigger", trigger, "file", r.path, "etag", r.srv.Snapshot().ETag())
	}
	return nil
}

func (r *Reloader) read(trigger string) ([]byte, error) {
	// A file past the size limit is refused here, and reported like any
	// other catalog error.
	data, err := events.ReadFile(r.path)
	if err != nil {
		r.failed(trigger, err)
		return nil, err
	}
	return data, nil
}

func (r *Reloader) load(trigger string, data []byte) error {
	snap, err := r.build(data)
	if err != nil {
		r.failed(trigger, err)
		return err
	}
	old := r.srv.Snapshot()
	r.srv.Swap(snap)
	r.lastSum = sha256.Sum256(data)
	r.lastData = data
	r.failing = false
	r.srv.reportReload(ReloadStatus{At: time.Now().UTC(), Trigger: trigger})
	r.log.Info("catalog reloaded", "trigger", trigger, "file", r.path, "events", len(snap.Catalog.Events),
		"etag", snap.ETag(), "changed", snap.ETag() != old.ETag())
	return nil
}

func (r *Reloader) failed(trigger string, err error) {
	r.failing = true
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

// watchDebounce gathers the events of one save (a rename of the old file
// away, then the new file written; or a ConfigMap's several renames) into
// one reload.
const watchDebounce = 100 * time.Millisecond

// Watch starts reloading the catalog whenever its file may have changed,
// until ctx ends. It returns once the watch is in place, after checking the
// file once, so that no change made after it returns can be missed.
//
// A file is reloaded once it is whole: when the last writer of a file
// written in place closes it (not on each write, since a write can be
// followed by more writes, and a half-written catalog may well be valid),
// or when a file or link is renamed into place or a link created. The
// watch is on directories rather than on the file, because a file renamed
// over the catalog would end a watch on the file itself; and it follows
// symbolic links, watching the directory of every link on the way and of
// the file they lead to, resolved again after every change, since
// Kubernetes updates a ConfigMap by swapping a link.
//
// It needs Linux's inotify, the one facility that reports that a writer
// closed a file; elsewhere it returns an error, and SIGHUP reloads.
func (r *Reloader) Watch(ctx context.Context) error {
	w, err := newDirWatcher()
	if err != nil {
		return fmt.Errorf("watch catalog: %w", err)
	}
	chain, err := resolveLinks(r.path)
	if err != nil {
		w.Close()
		return fmt.Errorf("watch catalog: %w", err)
	}
	if err := w.watch(chain.dirs()); err != nil {
		w.Close()
		return fmt.Errorf("watch catalog: %w", err)
	}
	_ = r.ReloadIfChanged("file changed")
	go r.watch(ctx, w, chain)
	return nil
}

// dirEvent is a change to a name in a watched directory.
type dirEvent struct {
	path string // the directory's resolved path, joined with the name
	op   dirOp
}

type dirOp uint8

const (
	opWritten  dirOp = 1 << iota // written or truncated; more writes may follow
	opClosed                     // a descriptor that was open for writing was closed
	opCreated                    // a new name: a file about to be written, a link, or a directory
	opMovedIn                    // renamed to this name
	opGone                       // removed, or renamed away
	opOverflow                   // the kernel dropped events; the path is empty
)

func (r *Reloader) watch(ctx context.Context, w dirWatcher, chain linkChain) {
	defer w.Close()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	// writing is set while the catalog file has been written to and not yet
	// closed: a reload then would read a file half written.
	writing := false
	for {
		select {
		case <-ctx.Done():
			return
		case err := <-w.errors():
			r.log.Warn("catalog watch", "error", err)
		case ev, ok := <-w.events():
			if !ok {
				r.log.Warn("catalog watch ended; reload with SIGHUP")
				return
			}
			switch {
			case ev.op&opOverflow != 0:
				// A close may have been lost with the rest: rather than
				// wait for one that never comes, read the file as it is.
				r.log.Warn("catalog watch lost events; checking the file")
				writing = false
			case !chain.has(ev.path):
				continue
			case ev.path != chain.target:
				// A link on the way to the file, swapped or removed.
			case ev.op&opWritten != 0:
				writing = true
				continue
			case ev.op&opClosed != 0:
				writing = false
			case ev.op&opCreated != 0:
				// A regular file created under the catalog's name is
				// about to be written: its close says when it is whole.
				if fi, err := os.Lstat(ev.path); err == nil && fi.Mode().IsRegular() {
					writing = true
					continue
				}
			case ev.op&(opMovedIn|opGone) != 0:
				// A file renamed into place is whole; one removed, or
				// renamed away, will not be closed where we can see it.
				writing = false
			}
			if next, err := resolveLinks(r.path); err == nil && !slices.Equal(next.names, chain.names) {
				if next.target != chain.target {
					writing = false
				}
				chain = next
				if err := w.watch(chain.dirs()); err != nil {
					r.log.Warn("catalog watch", "error", err)
				}
			}
			timer.Reset(watchDebounce)
		case <-timer.C:
			if !writing {
				_ = r.ReloadIfChanged("file changed")
			}
		}
	}
}

// dirWatcher reports the changes in a set of directories.
type dirWatcher interface {
	// watch makes dirs the directories watched.
	watch(dirs []string) error
	events() <-chan dirEvent
	errors() <-chan error
	Close() error
}

// linkChain is the way from a path to the file it names: every symbolic
// link followed, then the file, each as the link or file's own directory,
// resolved, joined with its name.
type linkChain struct {
	names  []string // the links, then the target
	target string
}

// maxLinks is the most links followed, as Linux's own limit (MAXSYMLINKS).
const maxLinks = 40

// resolveLinks follows path one component at a time, as the kernel does,
// and records every link on the way. A missing file or directory ends the
// chain without an error: its directory is still worth watching, for the
// file to appear.
func resolveLinks(path string) (linkChain, error) {
	var chain linkChain
	abs, err := filepath.Abs(path)
	if err != nil {
		return chain, fmt.Errorf("resolve %q: %w", path, err)
	}
	cur := "/"
	rest := strings.Split(abs, "/")
	for links := 0; len(rest) > 0; {
		part := rest[0]
		rest = rest[1:]
		switch part {
		case "", ".":
			continue
		case "..":
			cur = filepath.Dir(cur)
			continue
		}
		next := filepath.Join(cur, part)
		fi, err := os.Lstat(next)
		if errors.Is(err, fs.ErrNotExist) {
			chain.target = filepath.Join(append([]string{next}, rest...)...)
			chain.names = append(chain.names, chain.target)
			return chain, nil
		}
		if err != nil {
			return chain, fmt.Errorf("resolve %q: %w", path, err)
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if links++; links > maxLinks {
			return chain, fmt.Errorf("resolve %q: more than %d symbolic links", path, maxLinks)
		}
		chain.names = append(chain.names, next)
		to, err := os.Readlink(next)
		if err != nil {
			return chain, fmt.Errorf("resolve %q: %w", path, err)
		}
		if filepath.IsAbs(to) {
			cur = "/"
		}
		rest = append(strings.Split(to, "/"), rest...)
	}
	chain.target = cur
	chain.names = append(chain.names, cur)
	return chain, nil
}

func (c linkChain) has(path string) bool { return slices.Contains(c.names, path) }

// dirs are the directories that hold the links and the file.
func (c linkChain) dirs() []string {
	var dirs []string
	for _, name := range c.names {
		if dir := filepath.Dir(name); !slices.Contains(dirs, dir) {
			dirs = append(dirs, dir)
		}
	}
	return dirs
}

// ReloadStatus is the outcome of the latest reload, for /healthz.
type ReloadStatus struct {
	At      time.Time `json:"at"`
	Trigger string    `json:"trigger"`
	Failed  bool      `json:"failed"`
	Errors  []string  `json:"errors,omitempty"`
}
