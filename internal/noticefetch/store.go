package noticefetch

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"feed/internal/notice"
)

// Store is the folder that keeps every notice fetched, one file per notice:
// the page's bytes with their provenance, so that a restart without network
// serves what was fetched.
type Store struct{ Dir string }

// record is one stored notice, as JSON: the page is kept whole, so that its
// SHA-256 can be checked and it can be read again by a newer importer.
type record struct {
	Year      int       `json:"year"`
	URL       string    `json:"url"`
	Title     string    `json:"title"`
	Published time.Time `json:"published"`
	FetchedAt time.Time `json:"fetched_at"`
	SHA256    string    `json:"sha256"`
	Page      string    `json:"page"`
}

// maxStoredFiles bounds the files read from the folder.
const maxStoredFiles = 200

// maxRecordBytes bounds one stored file: a page past notice.MaxSize is never
// stored, and JSON escaping at most multiplies it by six.
const maxRecordBytes = 6*notice.MaxSize + 4096

// fileName is the notice's file: its year and the start of its SHA-256, so
// that a notice fetched again is the same file and an amended one another.
func fileName(f Fetched) string { return fmt.Sprintf("%d-%.16s.json", f.Year, f.SHA256) }

// Save writes the notice's file atomically: a temporary file in the same
// folder, synced, renamed into place. The folder is created if need be.
//
// A notice already kept whole (the same year and content) is not written
// again.
func (s Store) Save(f Fetched) error {
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return fmt.Errorf("save notice: %w", err)
	}
	if kept, err := readRecord(filepath.Join(s.Dir, fileName(f))); err == nil && kept.SHA256 == f.SHA256 {
		return nil
	}
	data, err := json.MarshalIndent(record{Year: f.Year, URL: f.URL, Title: f.Title, Published: f.Published,
		FetchedAt: f.FetchedAt, SHA256: f.SHA256, Page: string(f.Page)}, "", "  ")
	if err != nil {
		return fmt.Errorf("save notice: %w", err)
	}
	tmp, err := os.CreateTemp(s.Dir, ".notice-*.tmp")
	if err != nil {
		return fmt.Errorf("save notice: %w", err)
	}
	defer os.Remove(tmp.Name()) // nothing left behind when the rename did not happen
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("save notice: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("save notice: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save notice: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(s.Dir, fileName(f))); err != nil {
		return fmt.Errorf("save notice: %w", err)
	}
	return nil
}

// Load reads every stored notice. A missing folder is no notices; a file
// that does not read, or whose page does not match its SHA-256, is reported
// and skipped.
func (s Store) Load() ([]Fetched, []error) {
	entries, err := os.ReadDir(s.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, []error{fmt.Errorf("read notices: %w", err)}
	}
	var out []Fetched
	var errs []error
	read := 0
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasSuffix(name, ".json") || strings.HasPrefix(name, ".") {
			continue
		}
		if read++; read > maxStoredFiles {
			errs = append(errs, fmt.Errorf("read notices: more than %d files in %s; the rest are not read", maxStoredFiles, s.Dir))
			break
		}
		f, err := readRecord(filepath.Join(s.Dir, name))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return before(out[i], out[j]) })
	return out, errs
}

func readRecord(path string) (Fetched, error) {
	file, err := os.Open(path)
	if err != nil {
		return Fetched{}, fmt.Errorf("read notice: %w", err)
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, maxRecordBytes+1))
	if err != nil {
		return Fetched{}, fmt.Errorf("read notice %s: %w", path, err)
	}
	if len(data) > maxRecordBytes {
		return Fetched{}, fmt.Errorf("read notice %s: larger than %d bytes", path, maxRecordBytes)
	}
	var r record
	if err := json.Unmarshal(data, &r); err != nil {
		return Fetched{}, fmt.Errorf("read notice %s: %w", path, err)
	}
	sum := sha256.Sum256([]byte(r.Page))
	if hex.EncodeToString(sum[:]) != r.SHA256 {
		return Fetched{}, fmt.Errorf("read notice %s: the page's SHA-256 is not the one recorded: the file was changed", path)
	}
	return Fetched{Year: r.Year, URL: r.URL, Title: r.Title, Published: r.Published.UTC(), FetchedAt: r.FetchedAt.UTC(),
		SHA256: r.SHA256, Page: []byte(r.Page)}, nil
}

// before orders notices as they were published: an amendment after the
// notice it amends. Notices published at the same time are ordered by
// address, so that every instance orders them alike.
func before(a, b Fetched) bool {
	if a.Year != b.Year {
		return a.Year < b.Year
	}
	if !a.Published.Equal(b.Published) {
		return a.Published.Before(b.Published)
	}
	if a.URL != b.URL {
		return a.URL < b.URL
	}
	// A page changed in place keeps its publication time: the later
	// fetch is the later text.
	if !a.FetchedAt.Equal(b.FetchedAt) {
		return a.FetchedAt.Before(b.FetchedAt)
	}
	return a.SHA256 < b.SHA256
}
