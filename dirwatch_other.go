//go:build !linux

package feed

import "errors"

func newDirWatcher() (dirWatcher, error) {
	return nil, errors.New("watching a file for the end of its writes needs Linux's inotify")
}
