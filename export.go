package feed

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// A static export holds every URL that the service links to, as files that
// any static host or CDN can serve. Each file is fetched from the live
// handler itself, so the exported bytes are exactly the served ones.
//
// A URL with a query, such as /calendar.ics?kind=day-off, is stored under
// _q/ as _q/calendar.ics/kind=day-off.ics; the nginx configuration written
// beside the files maps the query to that file. Hosts that cannot route on
// the query serve the query-less files only.

// ExportURLs lists the URLs that an export fetches to begin with: the feeds
// in both formats, every linked variant, every event, and the page. Links
// found in the page are fetched as well.
func (s *Snapshot) ExportURLs() []string {
	urls := []string{"/", CalendarPath, "/calendar.json"}
	for _, v := range LinkedVariants() {
		urls = append(urls, withQuery(CalendarPath, v.Query()))
	}
	for _, ev := range s.Catalog.Events {
		urls = append(urls, EventPath(ev.ID), eventPrefix+ev.ID+".json")
	}
	return urls
}

// ExportedFile is one file of an export.
type ExportedFile struct {
	URL     string      // the path and query it answers
	File    string      // relative to the export directory, with a .gz beside it when compressible
	Header  http.Header // the live answer's headers that a static host must repeat
	Changed bool
}

// ContentType is the file's media type as the service serves it.
func (f ExportedFile) ContentType() string { return f.Header.Get("Content-Type") }

// staticHeaders are the headers of a live answer that describe the content
// rather than one response, and so belong in a static host's configuration.
var staticHeaders = []string{
	"Content-Type", "Cache-Control", "Vary", "Content-Language", "Content-Disposition", "Content-Location",
	"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options",
	"Access-Control-Allow-Origin", "Access-Control-Expose-Headers",
}

// Export fetches every URL of snap through h and writes it under dir, with
// a gzip-compressed copy beside it and the headers static hosts need. Files
// whose content is unchanged are not rewritten, so a rerun on unchanged
// data changes nothing; files of an earlier export that are no longer
// exported are removed.
func Export(h http.Handler, snap *Snapshot, dir string) ([]ExportedFile, error) {
	queue := snap.ExportURLs()
	seen := make(map[string]bool)
	var files []ExportedFile
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		if seen[u] {
			continue
		}
		seen[u] = true
		body, header, status, err := fetch(h, u, "")
		if err != nil {
			return nil, err
		}
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
		f := ExportedFile{URL: u, File: name, Header: http.Header{}}
		for _, k := range staticHeaders {
			if v := header.Values(k); len(v) > 0 {
				f.Header[k] = v
			}
		}
		if f.Changed, err = writeIfChanged(filepath.Join(dir, name), body); err != nil {
			return nil, err
		}
		if compressible(contentType) {
			gz, _, _, err := fetch(h, u, "gzip")
			if err != nil {
				return nil, err
			}
			changed, err := writeIfChanged(filepath.Join(dir, name+".gz"), gz)
			if err != nil {
				return nil, err
			}
			f.Changed = f.Changed || changed
		}
		files = append(files, f)
		if strings.HasPrefix(contentType, "text/html") {
			queue = append(queue, sameSiteLinks(body)...)
		}
	}
	for name, content := range staticHostConfig(files) {
		if _, err := writeIfChanged(filepath.Join(dir, name), content); err != nil {
			return nil, err
		}
	}
	return files, prune(dir, files)
}

func fetch(h http.Handler, target, encoding string) (body []byte, header http.Header, status int, err error) {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if encoding != "" {
		req.Header.Set("Accept-Encoding", encoding)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if encoding != "" && rec.Header().Get("Content-Encoding") != encoding {
		return nil, nil, 0, fmt.Errorf("export %s: no %s encoding served", target, encoding)
	}
	return rec.Body.Bytes(), rec.Header(), rec.Code, nil
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
	if strings.HasSuffix(u.Path, "/") {
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
	return strings.TrimPrefix(p, "/"), nil
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

func writeIfChanged(name string, data []byte) (bool, error) {
	if old, err := os.ReadFile(name); err == nil && bytes.Equal(old, data) {
		return false, nil
	}
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return false, err
	}
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return false, err
	}
	return true, os.Rename(tmp, name)
}

// prune removes exported files that this export no longer has; it touches
// nothing else in the directory.
func prune(dir string, files []ExportedFile) error {
	keep := map[string]bool{}
	for _, f := range files {
		keep[f.File], keep[f.File+".gz"] = true, true
	}
	for name := range staticHostConfig(files) {
		keep[name] = true
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() || keep[filepath.ToSlash(rel)] || !exportedName(rel) {
			return nil
		}
		return os.Remove(p)
	})
}

// exportedName reports files that an export may have written.
func exportedName(rel string) bool {
	rel = strings.TrimSuffix(filepath.ToSlash(rel), ".gz")
	return slices.ContainsFunc([]string{".ics", ".json", ".html", ".png"}, func(ext string) bool { return strings.HasSuffix(rel, ext) })
}
