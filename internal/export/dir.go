package export

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// An export directory belongs to the export only as far as its manifest
// says: the manifest lists the files the last export wrote, and the next
// export deletes only those of them it no longer writes. A directory with
// files but no manifest was not written by an export, and is refused unless
// the caller says otherwise; the root, the home directory and Go source
// trees are refused always, since an export there is never what was meant.

const (
	// ManifestName is the file in an export directory that lists, one to a
	// line, the files the last export wrote there.
	ManifestName = ".feed-export-manifest"
	// exportLockName is the file that an export holds locked while it
	// writes. It stays behind, empty: removing it would let a second
	// export lock a new file while the first still holds the old one.
	exportLockName = ".feed-export.lock"
	manifestHeader = "# feed export manifest v1: the files the last export wrote here; the next export deletes only those it no longer writes"
	// maxManifestBytes bounds the manifest that an export reads: an export
	// of 10,000 events lists about 40,000 files, some 2 MB.
	maxManifestBytes = 8 << 20
	// maxExportName bounds one exported file's name, and so one manifest
	// line.
	maxExportName = 1024
)

var (
	// ErrBusy is the error of an export into a directory that another
	// export is writing.
	ErrBusy = errors.New("another export is writing")
	// ErrForeignDir is the error of an export into a directory that holds
	// files but no manifest, when Options.IntoExisting is not set.
	ErrForeignDir = errors.New("refusing to export into a directory that no export wrote")
	// ErrRefusedDir is the error of an export into the root, the home
	// directory, or a directory that is or holds Go sources.
	ErrRefusedDir = errors.New("refusing to export into")
)

// exportDir is an export directory opened and locked for writing.
type exportDir struct {
	root     *os.Root
	lock     *os.File
	previous []string // the previous export's files, from its manifest
}

func (d *exportDir) close() {
	d.lock.Close() // releases the lock
	d.root.Close()
}

// openExportDir checks that dir may be exported into, creates it if need
// be, and locks it. Every refusal comes before anything is written.
func openExportDir(dir string, opts Options) (*exportDir, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("export into %s: %w", dir, err)
	}
	if err := refuseDir(abs); err != nil {
		return nil, err
	}
	if _, err := previousExport(abs, opts); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("export into %s: %w", dir, err)
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("export into %s: %w", dir, err)
	}
	lock, err := lockExportDir(root, abs)
	if err != nil {
		root.Close()
		return nil, err
	}
	// Read again under the lock: an export may have finished in between.
	previous, err := previousExport(abs, opts)
	if err != nil {
		lock.Close()
		root.Close()
		return nil, err
	}
	return &exportDir{root: root, lock: lock, previous: previous}, nil
}

// previousExport returns the files that the manifest in dir lists; none
// for a directory that is empty or does not exist yet.
func previousExport(dir string, opts Options) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("export into %s: %w", dir, err)
	}
	var foreign []string
	for _, e := range entries {
		switch e.Name() {
		case ManifestName:
			if !e.Type().IsRegular() {
				return nil, fmt.Errorf("export into %s: %s is not a regular file", dir, ManifestName)
			}
			return readManifest(dir)
		case exportLockName:
		default:
			foreign = append(foreign, e.Name())
		}
	}
	if len(foreign) == 0 || opts.IntoExisting {
		return nil, nil
	}
	if slices.ContainsFunc(entries, func(e fs.DirEntry) bool { return e.Name() == exportLockName }) && exportDirLocked(dir) {
		// The first export into the directory, still writing.
		return nil, busy(dir)
	}
	shown := foreign[:min(len(foreign), 3)]
	more := ""
	if len(foreign) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(foreign)-len(shown))
	}
	return nil, fmt.Errorf("%w: %s holds %s%s, and no %s", ErrForeignDir, dir, strings.Join(shown, ", "), more, ManifestName)
}

func busy(dir string) error {
	return fmt.Errorf("%w %s; try again when it has finished", ErrBusy, dir)
}

// refuseDir refuses the directories that an export must never write into,
// whatever they hold: the root, the home directory and the directories
// above it, Go sources, and the current Go module's directory and the
// directories above it.
func refuseDir(abs string) error {
	dir := resolve(abs)
	if dir == "/" || dir == filepath.VolumeName(dir)+string(filepath.Separator) {
		return fmt.Errorf("%w %s: it is the root directory", ErrRefusedDir, abs)
	}
	// A service account's home may be /, which the check above covers: it
	// must not make every directory the home's ancestor.
	if home, err := os.UserHomeDir(); err == nil && home != "" && resolve(home) != "/" && within(resolve(home), dir) {
		if resolve(home) == dir {
			return fmt.Errorf("%w %s: it is the home directory", ErrRefusedDir, abs)
		}
		return fmt.Errorf("%w %s: it holds the home directory %s", ErrRefusedDir, abs, home)
	}
	if wd, err := os.Getwd(); err == nil {
		if mod := moduleRoot(resolve(wd)); mod != "" && within(mod, dir) {
			return fmt.Errorf("%w %s: it holds the Go module at %s", ErrRefusedDir, abs, mod)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() == "go.mod" || strings.HasSuffix(e.Name(), ".go") {
			return fmt.Errorf("%w %s: it holds Go sources (%s)", ErrRefusedDir, abs, e.Name())
		}
	}
	return nil
}

// resolve returns abs with every symbolic link of its longest existing
// part resolved, so that two spellings of one directory compare equal.
func resolve(abs string) string {
	abs = filepath.Clean(abs)
	for p, rest := abs, ""; ; {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(real, rest)
		}
		parent := filepath.Dir(p)
		if parent == p {
			return abs
		}
		p, rest = parent, filepath.Join(filepath.Base(p), rest)
	}
}

// within reports whether path is dir or lies under it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && filepath.IsLocal(rel)
}

// moduleRoot returns the directory of the go.mod that holds dir, or "".
func moduleRoot(dir string) string {
	for {
		if info, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && info.Mode().IsRegular() {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// readManifest reads the manifest in dir.
func readManifest(dir string) ([]string, error) {
	name := filepath.Join(dir, ManifestName)
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("export into %s: %w", dir, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxManifestBytes+1))
	if err != nil {
		return nil, fmt.Errorf("export into %s: read %s: %w", dir, ManifestName, err)
	}
	if len(data) > maxManifestBytes {
		return nil, fmt.Errorf("export into %s: %s is larger than %d bytes; no export writes one that large", dir, name, maxManifestBytes)
	}
	files, err := parseManifest(name, data)
	if err != nil {
		return nil, fmt.Errorf("export into %s: %w", dir, err)
	}
	return files, nil
}

// parseManifest reads a manifest: its header line, then one exported file
// name to a line. Every name must be one that an export could have written
// (see checkExportName): a manifest edited to name ../x, /x or .git/x is
// refused whole.
func parseManifest(name string, data []byte) ([]string, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("%s:1: not a feed export manifest: the file is empty", name)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if lines[0] != manifestHeader {
		return nil, fmt.Errorf("%s:1: not a feed export manifest: the first line is not %q", name, manifestHeader)
	}
	files := lines[1:]
	for i, file := range files {
		if err := checkExportName(file); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, i+2, err)
		}
	}
	return files, nil
}

// writeManifest replaces the manifest with the list of files written, in
// one rename, flushed to disk first.
func writeManifest(root *os.Root, written map[string]bool) error {
	var b bytes.Buffer
	b.WriteString(manifestHeader + "\n")
	for _, name := range slices.Sorted(maps.Keys(written)) {
		b.WriteString(name + "\n")
	}
	if old, err := root.ReadFile(ManifestName); err == nil && bytes.Equal(old, b.Bytes()) {
		return nil
	}
	return replaceFile(root, ManifestName, b.Bytes(), withSync)
}

// checkExportName accepts the names that an export writes and lists in its
// manifest: relative, clean, slash-separated paths that stay inside the
// export directory, with no part beginning with a dot (which rules out
// "..", the manifest, the lock, temporary files and such as .git), no
// backslash and no control character (which would break the manifest's
// lines).
func checkExportName(name string) error {
	bad := func(why string) error { return fmt.Errorf("%q is not a file an export writes: %s", name, why) }
	switch {
	case name == "":
		return bad("empty")
	case len(name) > maxExportName:
		return bad(fmt.Sprintf("longer than %d bytes", maxExportName))
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }):
		return bad("it holds a control character or a backslash")
	case path.IsAbs(name) || path.Clean(name) != name:
		return bad("not a clean relative path")
	case !filepath.IsLocal(name):
		return bad("it leads out of the export directory")
	}
	for part := range strings.SplitSeq(name, "/") {
		if strings.HasPrefix(part, ".") {
			return bad("a part of it begins with a dot")
		}
	}
	return nil
}
