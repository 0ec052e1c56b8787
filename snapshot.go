package feed

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"feed/events"
)

// Snapshot is one catalog rendered into every representation that a request
// can receive. It is built once when a catalog loads and never changes, so
// requests share it without locks.
type Snapshot struct {
	Catalog  *events.Catalog
	Options  Options
	calendar *resource
	events   map[string]*resource
}

// Build renders the catalog: the full feed and one calendar per event, each
// also gzip-compressed.
func Build(cat *events.Catalog, opts Options) (*Snapshot, error) {
	if opts.Lang == "" {
		opts.Lang = LangBoth
	}
	body, err := RenderCalendar(cat, opts)
	if err != nil {
		return nil, fmt.Errorf("render calendar: %w", err)
	}
	s := &Snapshot{Catalog: cat, Options: opts, events: make(map[string]*resource, len(cat.Events))}
	if s.calendar, err = newResource(calendarContentType, body, cat.Modified, "calendar.ics"); err != nil {
		return nil, err
	}
	for _, ev := range cat.Events {
		body, err := RenderEvent(ev, opts)
		if err != nil {
			return nil, fmt.Errorf("render event %q: %w", ev.ID, err)
		}
		if s.events[ev.ID], err = newResource(calendarContentType, body, ev.Revision.Modified, ev.ID+".ics"); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// CalendarBytes returns the rendered full feed, uncompressed.
func (s *Snapshot) CalendarBytes() []byte { return s.calendar.identity.body }

// ETag returns the full feed's entity tag.
func (s *Snapshot) ETag() string { return s.calendar.identity.etag[0] }

const calendarContentType = "text/calendar; charset=utf-8"

// cacheControl lets clients and caches keep a feed for an hour and serve a
// stale copy while the origin is unreachable; ETag and Last-Modified make
// every later poll a cheap 304. Calendar clients poll every few hours at
// most, so an hour's staleness is never what a subscriber notices.
const cacheControl = "public, max-age=3600, stale-if-error=604800"

// resource is one URL's content in both encodings, with every header value
// prepared so that serving it allocates nothing that grows with its size.
type resource struct {
	identity, gzip representation
	modTime        time.Time // whole seconds, UTC; zero when unknown
	lastModified   []string
	contentType    []string
	disposition    []string
}

type representation struct {
	body          []byte
	etag          []string // a one-element slice, ready for the header map
	contentLength []string
}

func newResource(contentType string, body []byte, modified time.Time, filename string) (*resource, error) {
	gz, err := gzipBytes(body)
	if err != nil {
		return nil, fmt.Errorf("compress %s: %w", filename, err)
	}
	sum := sha256.Sum256(body)
	tag := hex.EncodeToString(sum[:12])
	r := &resource{
		identity:    representation{body: body, etag: []string{`"` + tag + `"`}, contentLength: []string{strconv.Itoa(len(body))}},
		contentType: []string{contentType},
		disposition: []string{`inline; filename="` + filename + `"`},
	}
	// A strong ETag names one exact byte sequence, so the compressed bytes
	// get a tag of their own.
	r.gzip = representation{body: gz, etag: []string{`"` + tag + `.gz"`}, contentLength: []string{strconv.Itoa(len(gz))}}
	if len(gz) >= len(body) {
		r.gzip = r.identity
	}
	if !modified.IsZero() {
		r.modTime = modified.UTC().Truncate(time.Second)
		r.lastModified = []string{r.modTime.Format(http.TimeFormat)}
	}
	return r, nil
}

// gzipBytes compresses once per catalog, at the best ratio: the cost is paid
// at load, never per request. The header carries no name or time, so the
// same input always gives the same bytes.
func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// NormalizeBaseURL checks a public base URL and strips its trailing slash.
// The empty string stays empty: the feed then names no URL of its own.
func NormalizeBaseURL(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("base URL %q: must be an absolute http or https URL such as https://feed.example.org", s)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("base URL %q: must not carry a query, fragment or user name", s)
	}
	return strings.TrimRight(u.String(), "/"), nil
}
