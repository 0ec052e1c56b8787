// Command bare is the load benchmark's ceiling for a Go server: a plain
// net/http handler that writes a static export's bytes from memory with the
// same headers as the service (Content-Disposition and Content-Location
// included), gzip when accepted and 304 on If-None-Match, and does nothing
// else: no router, no middleware, no metrics, and no connection limits
// unless -timeouts sets the service's as http.Server timeouts.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

type representation struct {
	body                []byte
	header, notModified http.Header // the headers of a 200 and of a 304
}

type resource struct{ identity, gzip *representation }

func main() {
	dir := flag.String("dir", "", "a directory written by feed export")
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	lastModified := flag.String("last-modified", "", "the Last-Modified header, as the service sends it")
	// An event's Last-Modified is its own, not the calendar's.
	lastModifiedFor := map[string]string{}
	flag.Func("last-modified-for", "`URL=VALUE`: the Last-Modified header of one URL, where it differs from -last-modified (repeatable)", func(s string) error {
		url, value, ok := strings.Cut(s, "=")
		if !ok {
			return fmt.Errorf("want URL=VALUE, got %q", s)
		}
		lastModifiedFor[url] = value
		return nil
	})
	timeouts := flag.Bool("timeouts", false, "set the service's connection limits (cmd/feed) as http.Server timeouts, to measure what those cost")
	flag.Parse()
	resources, err := load(*dir, *lastModified, lastModifiedFor)
	if err != nil {
		log.Fatal(err)
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, ok := resources[r.URL.RequestURI()]
		if !ok {
			http.NotFound(w, r)
			return
		}
		rep := res.identity
		if res.gzip != nil && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			rep = res.gzip
		}
		h := w.Header()
		if inm := r.Header.Get("If-None-Match"); inm != "" && inm == rep.header["Etag"][0] {
			for k, v := range rep.notModified {
				h[k] = v
			}
			w.WriteHeader(http.StatusNotModified)
			return
		}
		for k, v := range rep.header {
			h[k] = v
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(rep.body)
	})
	srv := &http.Server{Addr: *addr, Handler: handler}
	if *timeouts {
		srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout = 5*time.Second, 30*time.Second, 30*time.Second, 2*time.Minute
	}
	fmt.Printf("serving %d URLs on %s\n", len(resources), *addr)
	log.Fatal(srv.ListenAndServe())
}

// load reads every exported file and the URL it answers: a file under _q/
// answers its path with the query in its name. A feed that also has a named
// address under /calendars/ is exported there too, with the same bytes: as
// the service does, every URL of those bytes names that address in its
// Content-Location and Content-Disposition.
func load(dir, defaultLastModified string, lastModifiedFor map[string]string) (map[string]*resource, error) {
	type file struct {
		url, contentType string
		body, gz         []byte
	}
	var files []file
	named := make(map[string]string) // body's hash to its named address
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, dir+string(filepath.Separator)))
		ext := filepath.Ext(rel)
		types := map[string]string{".ics": "text/calendar; charset=utf-8", ".json": "application/calendar+json", ".html": "text/html; charset=utf-8"}
		if types[ext] == "" {
			return nil
		}
		url := "/" + rel
		if rest, ok := strings.CutPrefix(rel, "_q/"); ok {
			i := strings.LastIndex(rest, "/")
			url = "/" + rest[:i] + "?" + strings.TrimSuffix(rest[i+1:], ext)
		}
		url = strings.TrimSuffix(url, "index.html")
		body, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		f := file{url: url, contentType: types[ext], body: body}
		if gz, err := os.ReadFile(p + ".gz"); err == nil {
			f.gz = gz
		}
		if strings.HasPrefix(url, "/calendars/") {
			named[string(hash(body))] = url
		}
		files = append(files, f)
		return nil
	})
	out := make(map[string]*resource, len(files))
	for _, f := range files {
		location := f.url
		if n, ok := named[string(hash(f.body))]; ok {
			location = n
		}
		lastModified := defaultLastModified
		if v, ok := lastModifiedFor[f.url]; ok {
			lastModified = v
		}
		res := &resource{identity: rep(location, f.body, f.contentType, "", lastModified)}
		if f.gz != nil {
			res.gzip = rep(location, f.gz, f.contentType, "gzip", lastModified)
		}
		out[f.url] = res
	}
	return out, err
}

func hash(body []byte) []byte {
	sum := sha256.Sum256(body)
	return sum[:]
}

// rep prepares one representation with the headers the service sends for
// a URL whose canonical address is url.
func rep(url string, body []byte, contentType, encoding, lastModified string) *representation {
	sum := sha256.Sum256(body)
	h := http.Header{
		"Content-Type":                  {contentType},
		"Etag":                          {`"` + hex.EncodeToString(sum[:12]) + `"`},
		"Cache-Control":                 {"public, max-age=3600, stale-if-error=604800"},
		"Vary":                          {"Accept, Accept-Encoding"},
		"Access-Control-Allow-Origin":   {"*"},
		"Access-Control-Expose-Headers": {"ETag, Last-Modified, Content-Location"},
		"X-Content-Type-Options":        {"nosniff"},
		"Content-Length":                {strconv.Itoa(len(body))},
	}
	if lastModified != "" {
		h["Last-Modified"] = []string{lastModified}
	}
	notModified := h.Clone()
	for _, k := range []string{"Content-Type", "Content-Length"} {
		delete(notModified, k)
	}
	if encoding != "" {
		h["Content-Encoding"] = []string{encoding}
	}
	if contentType != "text/html; charset=utf-8" {
		path, _, _ := strings.Cut(url, "?")
		h["Content-Disposition"] = []string{`inline; filename="` + path[strings.LastIndex(path, "/")+1:] + `"`}
		h["Content-Location"] = []string{url}
	}
	if name, ok := strings.CutPrefix(url, "/days/"); ok {
		// The day-status API's answers: JSON negotiated by encoding only,
		// and a date's answer (2026-10-10.json) without Last-Modified.
		h["Content-Type"] = []string{"application/json"}
		h["Vary"] = []string{"Accept-Encoding"}
		if len(name) == len("2026-10-10.json") {
			delete(h, "Last-Modified")
		}
		notModified = h.Clone()
		for _, k := range []string{"Content-Type", "Content-Length", "Content-Encoding", "Content-Disposition", "Content-Location"} {
			delete(notModified, k)
		}
	}
	return &representation{body: body, header: h, notModified: notModified}
}
