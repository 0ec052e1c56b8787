//go:build unix

package export

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockExportDir takes the export lock of the directory that root opens, or
// fails at once with ErrBusy when another export holds it. Closing
// the file releases the lock, as does the process's end however it ends.
func lockExportDir(root *os.Root, dir string) (*os.File, error) {
	f, err := root.OpenFile(exportLockName, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("export into %s: lock: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, busy(dir)
		}
		return nil, fmt.Errorf("export into %s: lock %s: %w", dir, exportLockName, err)
	}
	return f, nil
}

// exportDirLocked reports whether an export holds the lock of dir now. It
// writes nothing: the lock file is only opened for reading.
func exportDirLocked(dir string) bool {
	f, err := os.Open(filepath.Join(dir, exportLockName))
	if err != nil {
		return false
	}
	defer f.Close()
	return errors.Is(syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB), syscall.EWOULDBLOCK)
}
