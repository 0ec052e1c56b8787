package events

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"syscall"
)

// The limits on a catalog. A catalog is written by people and checked in CI,
// but the server also reloads whatever file is at its path: these bound the
// memory and time one file can cost, at several times what a real catalog
// needs. docs/catalog-limits.md gives the figures behind them.
const (
	// MaxCatalogBytes bounds the file. The 10,000-event catalog of the
	// benchmarks is 4.6 MiB; the embedded one is 16 KiB.
	MaxCatalogBytes = 8 << 20
	// MaxFieldDepth bounds how deeply a field may be nested: every key
	// segment, whether from a dotted key, a table header or an inline
	// table, and every array is one level. The deepest field of a valid
	// catalog, event[3].location.name.en, has five: event, [3], location,
	// name and en.
	MaxFieldDepth = 8
	// MaxEvents bounds the number of events.
	MaxEvents = 20_000
	// MaxStringBytes bounds one string value, before spaces are trimmed.
	MaxStringBytes = 64 << 10
	// MinYear and MaxYear bound the years of an event's days and times. A
	// timed event's calendar carries its zone's changes for every year
	// its events fall in, and a client expands a yearly event from its
	// first year: years far from now cost time and bytes for nothing a
	// subscriber looks at. 2100 is also the last year the statutory days
	// are derived for.
	MinYear = 1900
	MaxYear = 2100
)

// Limits bounds what a catalog may be; a zero field takes the default, the
// Max constant of the same name.
type Limits struct {
	Bytes  int // size of the file
	Depth  int // levels of nesting of a field (see MaxFieldDepth)
	Events int // number of events
	String int // bytes of one string value
}

// withDefaults fills the zero fields of l.
func (l Limits) withDefaults() Limits {
	if l.Bytes <= 0 {
		l.Bytes = MaxCatalogBytes
	}
	if l.Depth <= 0 {
		l.Depth = MaxFieldDepth
	}
	if l.Events <= 0 {
		l.Events = MaxEvents
	}
	if l.String <= 0 {
		l.String = MaxStringBytes
	}
	return l
}

// ReadFile reads a catalog file of at most MaxCatalogBytes, and no more: a
// larger file, or a device that never ends such as /dev/zero, is refused
// after reading one byte past the limit. The error for an over-size file
// is an Errors value that names the file and the line the limit falls on.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	defer f.Close()
	return readLimited(path, f)
}

// ReadRegularFile is ReadFile for a file that a running service reads again
// whenever it changes: anything but a regular file is refused, and opening
// it never waits. A named pipe renamed over the catalog would otherwise
// block the reader until some process wrote to it, which may be never.
func ReadRegularFile(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, Errors{{File: path, Msg: fmt.Sprintf("the catalog is not a regular file (its type is %s); it is not read", fileType(fi.Mode()))}}
	}
	return readLimited(path, f)
}

func fileType(m os.FileMode) string {
	switch {
	case m&os.ModeNamedPipe != 0:
		return "named pipe"
	case m&os.ModeSocket != 0:
		return "socket"
	case m&os.ModeCharDevice != 0:
		return "character device"
	case m&os.ModeDevice != 0:
		return "device"
	case m.IsDir():
		return "directory"
	}
	return m.Type().String()
}

func readLimited(path string, f io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(f, MaxCatalogBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	if len(data) > MaxCatalogBytes {
		return nil, Errors{tooLarge(path, data, MaxCatalogBytes)}
	}
	return data, nil
}

// tooLarge is the error for data longer than limit bytes; its line is the one
// holding the first byte past the limit, so that a person sees how far in
// the file it is.
func tooLarge(file string, data []byte, limit int) *FieldError {
	return &FieldError{
		File: file,
		Line: bytes.Count(data[:limit], []byte("\n")) + 1,
		Msg:  fmt.Sprintf("the catalog is larger than the limit of %d bytes (%s)", limit, sizeName(limit)),
	}
}

// sizeName writes a byte count as people say it: 8 MiB, 64 KiB.
func sizeName(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}
