// Package export writes a static export: every URL that a service links
// to, as files that any static host or CDN can serve. Each file is fetched
// from the live handler itself, so the exported bytes are exactly the
// served ones.
//
// A URL with a query, such as /calendar.ics?kind=day-off, is stored under
// _q/ as _q/calendar.ics/kind=day-off.ics; the nginx configuration written
// beside the files maps the query to that file. Hosts that cannot route on
// the query serve the query-less files only.
package export

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
)

// File is one file of an export.
type File struct {
	URL     string      // the path and query it answers
	File    string      // relative to the export directory, with a .gz beside it when compressible
	Header  http.Header // the live answer's headers that a static host must repeat
	Changed bool
}

// ContentType is the file's media type as the service serves it.
func (f File) ContentType() string { return f.Header.Get("Content-Type") }

// staticHeaders are the headers of a live answer that describe the content
// rather than one response, and so belong in a static host's configuration.
var staticHeaders = []string{
	"Content-Type", "Cache-Control", "Vary", "Content-Language", "Content-Disposition", "Content-Location",
	"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options",
	"Access-Control-Allow-Origin", "Access-Control-Expose-Headers",
}

// StaticHeaders returns the headers of a live answer that an export
// repeats in the static hosts' configuration, so that a test can compare a
// static host's answers with the service's.
func StaticHeaders() []string { return slices.Clone(staticHeaders) }

// Options are the choices of an export.
type Options struct {
	// IntoExisting allows the first export into a directory that already
	// holds files no export wrote. Those files stay: the export writes only
	// its own names and deletes only what an earlier export listed in its
	// manifest.
	IntoExisting bool
}

// Write fetches every URL of urls through h and writes it under dir, with
// a gzip-compressed copy beside it and the headers static hosts need. Links
// found in an HTML page to the same site are fetched as well. Files
// whose content is unchanged are not rewritten, so a rerun on unchanged
// data changes nothing.
//
// The directory is the export's only while it holds the export's manifest
// (ManifestName), the list of the files the last export wrote, written
// last. A rerun deletes only the files of that list that it no longer
// writes; nothing else in the directory is ever deleted. Write refuses a
// directory that holds files but no manifest unless opts.IntoExisting says
// otherwise, refuses / and the home and source directories always, and
// holds a lock on the directory so that a second export at the same time
// fails with ErrBusy instead of mixing their files.
func Write(h http.Handler, urls []string, dir string, opts Options) ([]File, error) {
	out, err := openExportDir(dir, opts)
	if err != nil {
		return nil, err
	}
	defer out.close()
	queue := slices.Clone(urls)
	seen := make(map[string]bool)
	var files []File
	written := make(map[string]bool)
	write := func(name string, data []byte) (bool, error) {
		written[name] = true
		return writeIfChanged(out.root, name, data)
	}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		if seen[u] {
			continue
		}
		seen[u] = true
		body, header, status := fetch(h, u, "")
		contentType := header.Get("Content-Type")
		if status == http.StatusNotFound && u == "/" {
			continue // a service without a page
		}
		if status != http.StatusOK {
			return nil, fmt.Errorf("export %s: status %d", u, status)
		}
		name, err := exportPath(u, contentType)
		if err != nil {
			return nil, err
		}
		f := File{URL: u, File: name, Header: http.Header{}}
		for _, k := range staticHeaders {
			if v := header.Values(k); len(v) > 0 {
				f.Header[k] = v
			}
		}
		if f.Changed, err = write(name, body); err != nil {
			return nil, err
		}
		// A body that gzip would not shrink is served uncompressed even to
		// a client that asks for gzip; it gets no .gz file either.
		if compressible(contentType) {
			gz, gzipped := fetchGzip(h, u)
			if gzipped {
				changed, err := write(name+".gz", gz)
				if err != nil {
					return nil, err
				}
				f.Changed = f.Changed || changed
			}
		}
		files = append(files, f)
		if strings.HasPrefix(contentType, "text/html") {
			queue = append(queue, sameSiteLinks(body)...)
		}
	}
	for name, content := range staticHostConfig(files) {
		if _, err := write(name, content); err != nil {
			return nil, err
		}
	}
	// Prune first and write the manifest last: an export cut short in
	// between leaves the old manifest, which still lists the files it had
	// yet to remove, and so the next export removes them.
	if err := prune(out.root, out.previous, written); err != nil {
		return nil, fmt.Errorf("export into %s: %w", dir, err)
	}
	if err := writeManifest(out.root, written); err != nil {
		return nil, fmt.Errorf("export into %s: %w", dir, err)
	}
	return files, nil
}

func fetch(h http.Handler, target, encoding string) (body []byte, header http.Header, status int) {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if encoding != "" {
		req.Header.Set("Accept-Encoding", encoding)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Body.Bytes(), rec.Header(), rec.Code
}

// fetchGzip asks for target's gzip encoding, and reports whether the
// handler served one.
func fetchGzip(h http.Handler, target string) ([]byte, bool) {
	body, header, status := fetch(h, target, "gzip")
	return body, status == http.StatusOK && header.Get("Content-Encoding") == "gzip"
}

var extensions = map[string]string{
	"text/calendar":             ".ics",
	"application/calendar+json": ".json",
	"text/html":                 ".html",
	"image/png":                 ".png",
	"application/json":          ".json",
}

// exportPath maps a URL to its file: the path itself, index.html for a
// directory, and _q/<path>/<query><ext> for a URL with a query.
func exportPath(target, contentType string) (string, error) {
	u, err := url.Parse(target)
	if err != nil {
		return "", err
	}
	p := path.Clean("/" + u.Path)
	if p == "/" || strings.HasSuffix(u.Path, "/") {
		p = path.Join(p, "index.html")
	}
	mediaType, _, _ := strings.Cut(contentType, ";")
	ext, ok := extensions[strings.TrimSpace(mediaType)]
	if !ok {
		return "", fmt.Errorf("export %s: no file extension for %s", target, contentType)
	}
	if u.RawQuery != "" {
		if strings.ContainsAny(u.RawQuery, "/\\") || strings.Contains(u.RawQuery, "..") {
			return "", fmt.Errorf("export %s: the query cannot be a file name", target)
		}
		p = path.Join("/_q", p, u.RawQuery+ext)
	}
	p = strings.TrimPrefix(p, "/")
	if err := checkExportName(p); err != nil {
		return "", fmt.Errorf("export %s: %w", target, err)
	}
	return p, nil
}

func compressible(contentType string) bool { return !strings.HasPrefix(contentType, "image/") }

var linkAttr = regexp.MustCompile(`(?:href|src)="(/[^"]*)"`)

// sameSiteLinks finds the page's links to the service itself.
func sameSiteLinks(html []byte) []string {
	var out []string
	for _, m := range linkAttr.FindAllSubmatch(html, -1) {
		link := strings.ReplaceAll(string(m[1]), "&amp;", "&")
		if !strings.HasPrefix(link, "//") {
			out = append(out, link)
		}
	}
	return out
}

// writeIfChanged replaces the file name under root with data unless it
// already holds data. The new bytes go to a temporary file of a name no
// other writer uses, renamed over the old file: a reader sees the old file
// or the new one, never part of either.
func writeIfChanged(root *os.Root, name string, data []byte) (bool, error) {
	if info, err := root.Lstat(name); err == nil && info.Mode().IsRegular() && info.Size() == int64(len(data)) {
		if old, err := root.ReadFile(name); err == nil && bytes.Equal(old, data) {
			return false, nil
		}
	}
	if err := root.MkdirAll(path.Dir(name), 0o755); err != nil {
		return false, fmt.Errorf("write %s: %w", name, err)
	}
	if err := replaceFile(root, name, data, noSync); err != nil {
		return false, err
	}
	return true, nil
}

// syncBeforeRename says whether replaceFile flushes the new bytes to disk
// before they replace the old ones.
type syncBeforeRename bool

const (
	noSync   syncBeforeRename = false
	withSync syncBeforeRename = true
)

// replaceFile writes data to a new temporary file beside name, then renames
// it over name.
func replaceFile(root *os.Root, name string, data []byte, sync syncBeforeRename) error {
	f, tmp, err := createTemp(root, name)
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	_, err = f.Write(data)
	if err == nil && sync == withSync {
		err = f.Sync()
	}
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = root.Rename(tmp, name)
	}
	if err != nil {
		_ = root.Remove(tmp)
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// createTemp creates a new file beside name, as os.CreateTemp does but
// under root. Its name begins with a dot, which no exported name does, so
// that it can never be taken for an exported file.
func createTemp(root *os.Root, name string) (*os.File, string, error) {
	dir, base := path.Split(name)
	base = base[:min(len(base), 64)]
	for range 100 {
		tmp := dir + "." + base + "." + rand.Text() + ".tmp"
		f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, tmp, err
	}
	return nil, "", fmt.Errorf("no free temporary name beside %s", name)
}

// prune removes the files that the previous export wrote and this one did
// not. It removes only regular files reached through real directories of
// the export: an entry that leads through a symbolic link, or names a link,
// a directory or nothing, is left alone.
func prune(root *os.Root, previous []string, written map[string]bool) error {
	for _, name := range previous {
		if written[name] || !plainFile(root, name) {
			continue
		}
		if err := root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove %s, which an earlier export wrote: %w", name, err)
		}
	}
	return nil
}

// plainFile reports whether name is a regular file under root whose every
// parent is a directory, not a symbolic link.
func plainFile(root *os.Root, name string) bool {
	parts := strings.Split(name, "/")
	for i := 1; i < len(parts); i++ {
		info, err := root.Lstat(strings.Join(parts[:i], "/"))
		if err != nil || !info.IsDir() {
			return false
		}
	}
	info, err := root.Lstat(name)
	return err == nil && info.Mode().IsRegular()
}
