// Package resource holds prepared answers: one URL's bytes in identity and
// gzip encodings, with their ETags and every header value made once, and
// the conditional requests and encoding negotiation that serve them. It
// knows nothing of calendars.
package resource

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Resource is one URL's content in both encodings, with every header value
// prepared so that serving it allocates nothing that grows with its size.
// It never changes once New returns, so requests share it without locks.
type Resource struct {
	identity, gzip Representation
	modTime        time.Time // whole seconds, UTC; zero when unknown
	lastModified   []string
	contentType    []string
	disposition    []string
	location       []string // the canonical path and query
	vary           []string
	cacheControl   []string
	extra          http.Header // further headers, such as a page's security policy
}

// Representation is one encoding of a resource's content.
type Representation struct {
	body          []byte
	etag          []string // a one-element slice, ready for the header map
	contentLength []string
}

// Body returns the representation's bytes, as sent.
func (rep *Representation) Body() []byte { return rep.body }

// ETag returns the representation's strong entity tag, quotes included.
func (rep *Representation) ETag() string { return rep.etag[0] }

// Option sets a header of a Resource when New makes it.
type Option func(*Resource)

// Vary sets the Vary field: every request field the answer depends on.
// It must name Accept-Encoding, as every resource negotiates gzip; without
// this option Vary is "Accept-Encoding" alone.
func Vary(fields string) Option {
	v := []string{fields} // made once, shared by every resource built with the option
	return func(r *Resource) { r.vary = v }
}

// CacheControl sets the Cache-Control field; without this option none is
// sent.
func CacheControl(directives string) Option {
	v := []string{directives}
	return func(r *Resource) { r.cacheControl = v }
}

// Headers adds fields sent with the content (not with a 304), such as a
// page's Content-Security-Policy. Keys must be in canonical form; the map
// must not change afterwards.
func Headers(h http.Header) Option {
	return func(r *Resource) { r.extra = h }
}

var varyAcceptEncoding = []string{"Accept-Encoding"}

// New prepares body as a resource: its gzip copy, both ETags and its
// headers. filename names it in Content-Disposition (inline), sent only
// when filename is not empty; location is its canonical path and query,
// sent as Content-Location; modified, unless zero, is its Last-Modified.
func New(contentType string, body []byte, modified time.Time, filename, location string, opts ...Option) (*Resource, error) {
	gz, err := gzipBytes(body)
	if err != nil {
		return nil, fmt.Errorf("compress %s: %w", filename, err)
	}
	sum := sha256.Sum256(body)
	tag := hex.EncodeToString(sum[:12])
	r := &Resource{
		identity:    Representation{body: body, etag: []string{`"` + tag + `"`}, contentLength: []string{strconv.Itoa(len(body))}},
		contentType: []string{contentType},
		location:    []string{location},
		vary:        varyAcceptEncoding,
	}
	if filename != "" {
		r.disposition = []string{`inline; filename="` + filename + `"`}
	}
	// A strong ETag names one exact byte sequence, so the compressed bytes
	// get a tag of their own.
	r.gzip = Representation{body: gz, etag: []string{`"` + tag + `.gz"`}, contentLength: []string{strconv.Itoa(len(gz))}}
	if len(gz) >= len(body) {
		r.gzip = r.identity
	}
	if !modified.IsZero() {
		r.modTime = modified.UTC().Truncate(time.Second)
		r.lastModified = []string{r.modTime.Format(http.TimeFormat)}
	}
	for _, o := range opts {
		o(r)
	}
	return r, nil
}

// Body returns the resource's uncompressed bytes.
func (r *Resource) Body() []byte { return r.identity.body }

// ETag returns the strong entity tag of the uncompressed bytes.
func (r *Resource) ETag() string { return r.identity.etag[0] }

// Gzip returns the gzip representation, or the uncompressed one when
// compressing did not make the bytes smaller.
func (r *Resource) Gzip() *Representation { return &r.gzip }

// LastModified returns the Last-Modified field's value, or "" when the
// resource's time is unknown.
func (r *Resource) LastModified() string {
	if r.lastModified == nil {
		return ""
	}
	return r.lastModified[0]
}

// Size is what the resource holds in memory, for a cache's bound: the
// capacity of its bodies, which a growing buffer leaves up to twice their
// length.
func (r *Resource) Size() int {
	if r.gzip.etag[0] == r.identity.etag[0] { // not compressed: one body
		return cap(r.identity.body)
	}
	return cap(r.identity.body) + cap(r.gzip.body)
}

// gzipBytes compresses once per resource, at the best ratio: the cost is
// paid when the resource is built, never per request. The header carries
// no name or time, so the same input always gives the same bytes.
func gzipBytes(b []byte) ([]byte, error) {
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	var buf bytes.Buffer
	zw.Reset(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// gzipWriters keeps compressors for reuse: a new one allocates some 800 KB
// of tables, more than most feeds it compresses, and a catalog load makes
// one resource per linked variant and per event.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestCompression) // a valid level cannot fail
	return zw
}}
