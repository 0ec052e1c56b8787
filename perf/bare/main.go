// Command bare is the load benchmark's ceiling for a Go server: a plain
// net/http handler that writes a static export's bytes from memory with the
// same headers as the service, gzip when accepted and 304 on If-None-Match,
// and does nothing else: no router, no middleware, no metrics.
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
)

type representation struct {
	body   []byte
	header http.Header
}

type resource struct{ identity, gzip *representation }

func main() {
	dir := flag.String("dir", "", "a directory written by feed export")
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()
	resources, err := load(*dir)
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
		for k, v := range rep.header {
			h[k] = v
		}
		if inm := r.Header.Get("If-None-Match"); inm != "" && inm == rep.header["Etag"][0] {
			delete(h, "Content-Length")
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(rep.body)
	})
	fmt.Printf("serving %d URLs on %s\n", len(resources), *addr)
	log.Fatal(http.ListenAndServe(*addr, handler))
}

// load reads every exported file and the URL it answers: a file under _q/
// answers its path with the query in its name.
func load(dir string) (map[string]*resource, error) {
	out := make(map[string]*resource)
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
		res := &resource{identity: rep(body, types[ext], "")}
		if gz, err := os.ReadFile(p + ".gz"); err == nil {
			res.gzip = rep(gz, types[ext], "gzip")
		}
		out[url] = res
		return nil
	})
	return out, err
}

func rep(body []byte, contentType, encoding string) *representation {
	sum := sha256.Sum256(body)
	h := http.Header{
		"Content-Type":                  {contentType},
		"Etag":                          {`"` + hex.EncodeToString(sum[:12]) + `"`},
		"Cache-Control":                 {"public, max-age=3600, stale-if-error=604800"},
		"Vary":                          {"Accept, Accept-Encoding"},
		"Last-Modified":                 {"Wed, 25 Nov 2026 00:00:00 GMT"},
		"Access-Control-Allow-Origin":   {"*"},
		"Access-Control-Expose-Headers": {"ETag, Last-Modified, Content-Location"},
		"X-Content-Type-Options":        {"nosniff"},
		"Content-Length":                {strconv.Itoa(len(body))},
	}
	if encoding != "" {
		h["Content-Encoding"] = []string{encoding}
	}
	return &representation{body: body, header: h}
}
