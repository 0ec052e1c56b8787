package feed

import (
	"bytes"
	"context"
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
	lastData []byte     // the content being served, which Rebuild builds again
	failing  bool       // the latest reload failed

	// rewatch asks the watch to find the file's directories again: a
	// SIGHUP after the directory was replaced re-establishes it.
	rewatch chan struct{}
	// writerHolds tells whether some process holds the file open for
	// writing, when the system can tell (writerHolds in dirwatch_*.go).
	writerHolds func(path string) (held, known bool)
}

// NewReloader watches path for srv. data is the content the current
// snapshot was built from; build turns a file's content into a snapshot.
func NewReloader(srv *Server, path string, data []byte, build func(data []byte) (*Snapshot, error), log *slog.Logger) *Reloader {
	return &Reloader{srv: srv, path: path, build: build, log: log, lastData: data,
		rewatch: make(chan struct{}, 1), writerHolds: writerHolds}
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
	select {
	case r.rewatch <- struct{}{}:
	default: // one is already asked for
	}
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
	if !bytes.Equal(data, r.lastData) {
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
	// A file past the size limit, or one that is not a regular file (a
	// named pipe would block the reload, and every later one, for good), is
	// refused here, and reported like any other catalog error.
	data, err := events.ReadRegularFile(r.path)
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
// followed by more writes, and a half-written catalog may well be valid;
// and not on the close of one writer while another still holds the file),
// or when a file or link is renamed into place or a link created. The
// watch is on directories rather than on the file, because a file renamed
// over the catalog would end a watch on the file itself; and it follows
// symbolic links, watching the directory of every link on the way and of
// the file they lead to, resolved again after every change, since
// Kubernetes updates a ConfigMap by swapping a link. The parents of those
// directories are watched too, for a directory moved away and another put
// in its place; a SIGHUP (Reload) finds the directories again as well.
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
	if err := w.watch(chain.dirs(), chain.parents()); err != nil {
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

type dirOp uint16

const (
	opWritten    dirOp = 1 << iota // written or truncated; more writes may follow
	opClosed                       // a descriptor that was open for writing was closed
	opCreated                      // a new name: a file about to be written, a link, or a directory
	opMovedIn                      // renamed to this name
	opGone                         // removed, or renamed away
	opOverflow                     // the kernel dropped events; the path is empty
	opOpened                       // opened, for reading or writing
	opClosedRead                   // a descriptor open for reading only was closed
	opDirMoved                     // a watched directory itself was moved or removed; the path is its own
)

// writers follows who holds the catalog file open, from the watch's
// events: opens and closes are counted, since inotify does not say whether
// an open is for writing, and a write marks the file as being written until
// the count says every descriptor opened since is closed. The count can
// only err towards waiting longer (a reader that keeps the file open holds a
// reload back until it closes), except when two opens come so close
// together that the kernel reports them as one; where the system can tell
// (writerHolds), a reload is held back exactly while a writer holds the file.
type writers struct {
	writing bool // written to, and not yet closed by all who opened it
	open    int  // opens seen, less closes seen
	// readersLeft is set when a writer's close left descriptors open: a
	// reader's close that brings the count to zero then ends the write.
	readersLeft bool
}

// event updates the state for an event on the file, and reports whether
// it may have ended a write or changed the file, so that a reload is due.
func (wr *writers) event(op dirOp, path string) (due bool) {
	switch {
	case op&opOpened != 0:
		wr.open++
		return false
	case op&opClosedRead != 0:
		wr.open = max(wr.open-1, 0)
		if wr.writing && wr.readersLeft && wr.open == 0 {
			wr.writing, wr.readersLeft = false, false
			return true
		}
		return false
	case op&opWritten != 0:
		wr.writing = true
		return false
	case op&opClosed != 0:
		wr.open = max(wr.open-1, 0)
		wr.writing = wr.writing && wr.open > 0
		wr.readersLeft = wr.writing
		return true
	case op&opCreated != 0:
		// A regular file created under the catalog's name is about to be
		// written: its close says when it is whole. Its open follows.
		wr.open, wr.readersLeft = 0, false
		if fi, err := os.Lstat(path); err == nil && fi.Mode().IsRegular() {
			wr.writing = true
			return false
		}
		wr.writing = false
		return true
	default:
		// A file renamed into place is whole; one removed, or renamed
		// away, will not be closed where we can see it.
		wr.reset()
		return true
	}
}

func (wr *writers) reset() { *wr = writers{} }

func (r *Reloader) watch(ctx context.Context, w dirWatcher, chain linkChain) {
	defer w.Close()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	var file writers
	// rewatch finds the directories again and watches them: with the same
	// names, a directory may be another one now.
	rewatch := func() {
		next, err := resolveLinks(r.path)
		if err != nil {
			r.log.Warn("catalog watch", "error", err)
			return
		}
		if next.target != chain.target {
			file.reset()
		}
		chain = next
		if err := w.watch(chain.dirs(), chain.parents()); err != nil {
			r.log.Warn("catalog watch", "error", err)
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case err := <-w.errors():
			r.log.Warn("catalog watch", "error", err)
		case <-r.rewatch:
			rewatch()
			continue
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
				file.reset()
			case ev.op&opDirMoved != 0 || ev.op&(opCreated|opMovedIn|opGone) != 0 && slices.Contains(chain.dirs(), ev.path):
				// A directory on the way was moved, removed or put in
				// place: the file is another one, in another directory.
				file.reset()
				rewatch()
			case !chain.has(ev.path):
				continue
			case ev.path != chain.target:
				// A link on the way to the file, swapped or removed.
			case !file.event(ev.op, ev.path):
				continue
			}
			if next, err := resolveLinks(r.path); err == nil && !slices.Equal(next.names, chain.names) {
				rewatch()
			}
			timer.Reset(watchDebounce)
		case <-timer.C:
			if file.writing && r.writerHolds != nil {
				// The count may be wrong both ways (a reader still open,
				// a writer that opened before the watch began); the
				// system's own answer, where it gives one, settles it.
				switch held, known := r.writerHolds(chain.target); {
				case known && !held:
					file.reset()
				case known:
					// Its close will come; this check's own open and
					// close must not pass for it.
					file.readersLeft = false
				}
			} else if !file.writing && r.writerHolds != nil {
				if held, known := r.writerHolds(chain.target); known && held {
					file.writing, file.readersLeft = true, false
				}
			}
			if !file.writing {
				_ = r.ReloadIfChanged("file changed")
			}
		}
	}
}

// dirWatcher reports the changes in a set of directories.
type dirWatcher interface {
	// watch makes dirs the directories watched, and parents the
	// directories watched only for directories moved, created or removed
	// in them. A directory that does not exist is left out silently: its
	// parent's watch tells when it appears.
	watch(dirs, parents []string) error
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

// parents are the directories that hold the watched directories, other
// than the root.
func (c linkChain) parents() []string {
	var parents []string
	for _, dir := range c.dirs() {
		if p := filepath.Dir(dir); p != dir && !slices.Contains(parents, p) {
			parents = append(parents, p)
		}
	}
	return parents
}

// ReloadStatus is the outcome of the latest reload, for /healthz.
type ReloadStatus struct {
	At      time.Time `json:"at"`
	Trigger string    `json:"trigger"`
	Failed  bool      `json:"failed"`
	Errors  []string  `json:"errors,omitempty"`
}
