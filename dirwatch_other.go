//go:build !linux

package feed

import "errors"

func newDirWatcher() (dirWatcher, error) {
	return nil, errors.New("watching a file for the end of its writes needs Linux's inotify")
}

// writerHolds cannot tell here.
func writerHolds(string) (held, known bool) { return false, false }
