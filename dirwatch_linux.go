package feed

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
)

// inotifyWatcher is a dirWatcher on Linux's inotify. fsnotify is not used
// because, as of v1.10, it does not let its users ask for IN_CLOSE_WRITE,
// the event that says a file written in place is whole.
type inotifyWatcher struct {
	file *os.File // the inotify descriptor, read through the runtime's poller
	fd   int
	evs  chan dirEvent
	errs chan error
	done chan struct{} // closed by Close, to free a send that nobody will receive

	mu   sync.Mutex
	dirs map[int32]string // by watch descriptor
}

// inotifyMask asks for the changes to a directory's entries, the opening
// and closing of its files, and the directory itself moved or removed;
// parentMask only for the changes to a directory's entries.
const (
	parentMask  = syscall.IN_CREATE | syscall.IN_MOVED_TO | syscall.IN_MOVED_FROM | syscall.IN_DELETE | syscall.IN_ONLYDIR
	inotifyMask = parentMask | syscall.IN_MODIFY | syscall.IN_CLOSE_WRITE | syscall.IN_OPEN | syscall.IN_CLOSE_NOWRITE |
		syscall.IN_MOVE_SELF | syscall.IN_DELETE_SELF
)

func newDirWatcher() (dirWatcher, error) {
	fd, err := syscall.InotifyInit1(syscall.IN_CLOEXEC | syscall.IN_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("inotify: %w", err)
	}
	w := &inotifyWatcher{
		file: os.NewFile(uintptr(fd), "inotify"),
		fd:   fd,
		evs:  make(chan dirEvent),
		errs: make(chan error),
		done: make(chan struct{}),
		dirs: map[int32]string{},
	}
	go w.read()
	return w, nil
}

func (w *inotifyWatcher) events() <-chan dirEvent { return w.evs }
func (w *inotifyWatcher) errors() <-chan error    { return w.errs }

func (w *inotifyWatcher) Close() error {
	close(w.done)
	return w.file.Close()
}

func (w *inotifyWatcher) watch(dirs, parents []string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	var errs []error
	// Each path is watched afresh: a name may lead to another directory
	// than before, which gets a watch of its own, while the old one's
	// watch is removed.
	watched := map[int32]string{}
	add := func(dir string, mask uint32) {
		wd, err := syscall.InotifyAddWatch(w.fd, dir, mask)
		switch {
		case errors.Is(err, syscall.ENOENT):
			// Moved away, and the new one not yet in place: the
			// parent's watch tells when it is.
		case err != nil:
			errs = append(errs, fmt.Errorf("watch directory %q: %w", dir, err))
		default:
			watched[int32(wd)] = dir
		}
	}
	for _, dir := range dirs {
		add(dir, inotifyMask)
	}
	for _, dir := range parents {
		if !slices.Contains(dirs, dir) {
			add(dir, parentMask)
		}
	}
	for wd := range w.dirs {
		if _, ok := watched[wd]; !ok {
			// The kernel may have dropped the watch already, with its
			// directory: EINVAL then says nothing worth reporting.
			_, _ = syscall.InotifyRmWatch(w.fd, uint32(wd))
		}
	}
	w.dirs = watched
	return errors.Join(errs...)
}

// read turns the kernel's events into dirEvents until the watcher is
// closed. Events are read into a fixed buffer: each is at most a header and
// a file name (NAME_MAX, 255 bytes) long, so the buffer holds many.
func (w *inotifyWatcher) read() {
	defer close(w.evs)
	var buf [64 << 10]byte
	for {
		n, err := w.file.Read(buf[:])
		if err != nil {
			if !errors.Is(err, os.ErrClosed) {
				select {
				case w.errs <- fmt.Errorf("read inotify events: %w", err):
				case <-w.done:
				}
			}
			return
		}
		for off := 0; off+syscall.SizeofInotifyEvent <= n; {
			wd := int32(binary.NativeEndian.Uint32(buf[off:]))
			mask := binary.NativeEndian.Uint32(buf[off+4:])
			nameLen := int(binary.NativeEndian.Uint32(buf[off+12:]))
			start := off + syscall.SizeofInotifyEvent
			off = start + nameLen
			if off > n {
				break
			}
			name := string(trimNUL(buf[start:off]))
			if ev, ok := w.event(wd, mask, name); ok {
				select {
				case w.evs <- ev:
				case <-w.done:
					return
				}
			}
		}
	}
}

func (w *inotifyWatcher) event(wd int32, mask uint32, name string) (dirEvent, bool) {
	if mask&syscall.IN_Q_OVERFLOW != 0 {
		return dirEvent{op: opOverflow}, true
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	dir, ok := w.dirs[wd]
	if mask&syscall.IN_IGNORED != 0 {
		delete(w.dirs, wd) // the directory is gone
		return dirEvent{}, false
	}
	if !ok {
		return dirEvent{}, false
	}
	if mask&(syscall.IN_MOVE_SELF|syscall.IN_DELETE_SELF) != 0 {
		return dirEvent{path: dir, op: opDirMoved}, true
	}
	if name == "" {
		return dirEvent{}, false // the directory itself opened or read
	}
	var op dirOp
	switch {
	case mask&syscall.IN_MODIFY != 0:
		op = opWritten
	case mask&syscall.IN_CLOSE_WRITE != 0:
		op = opClosed
	case mask&syscall.IN_CLOSE_NOWRITE != 0:
		op = opClosedRead
	case mask&syscall.IN_OPEN != 0:
		op = opOpened
	case mask&syscall.IN_CREATE != 0:
		op = opCreated
	case mask&syscall.IN_MOVED_TO != 0:
		op = opMovedIn
	case mask&(syscall.IN_DELETE|syscall.IN_MOVED_FROM) != 0:
		op = opGone
	default:
		return dirEvent{}, false
	}
	return dirEvent{path: filepath.Join(dir, name), op: op}, true
}

func trimNUL(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	return b
}

// writerHolds tells whether a process holds path open for writing, by
// asking for a read lease on it: Linux grants one only while nobody has the
// file open for writing (fcntl(2), F_SETLEASE). The lease is given back at
// once. Leases are for the file's owner (or CAP_LEASE) and for file systems
// that support them: elsewhere the answer is unknown.
func writerHolds(path string) (held, known bool) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return false, false
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return false, false
	}
	fd := f.Fd()
	if _, _, errno := syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_SETLEASE, syscall.F_RDLCK); errno != 0 {
		return errno == syscall.EAGAIN, errno == syscall.EAGAIN
	}
	_, _, _ = syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_SETLEASE, syscall.F_UNLCK)
	return false, true
}
