//go:build !unix

package export

import (
	"fmt"
	"os"
	"runtime"
)

// lockExportDir refuses: an export locks its directory with flock, which
// this system lacks, and an export without the lock could mix its files
// with a concurrent one's.
func lockExportDir(_ *os.Root, dir string) (*os.File, error) {
	return nil, fmt.Errorf("export into %s: the directory lock needs flock, which %s lacks", dir, runtime.GOOS)
}

func exportDirLocked(string) bool { return false }
