//go:build unix

package main

import "syscall"

// openFileLimit is the process's limit on open file descriptors. The Go
// runtime has already raised the soft limit to the hard one at start.
func openFileLimit() (uint64, bool) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0, false
	}
	return uint64(rl.Cur), true
}
