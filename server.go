package feed

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gorilla/mux"
)

// Server answers HTTP requests from the current Snapshot. The snapshot can
// be replaced while requests run: each request reads it once and sees one
// whole catalog, old or new.
type Server struct {
	snap       atomic.Pointer[Snapshot]
	lastReload atomic.Pointer[ReloadStatus]
	log        *slog.Logger
	metrics    *metrics
	handler    http.Handler

	accessEvery int64 // log one request in this many; 0 logs none
	accessCount atomic.Int64
	now         func() time.Time // the clock that splits the page's events into upcoming and past
}

// ServerOption configures a Server.
type ServerOption func(*Server)

// WithAccessLog logs one line per request, or one in every requests when
// every is above 1, to the server's logger. Feeds are polled by many
// clients; sampling keeps the log useful at high rates.
func WithAccessLog(every int) ServerOption {
	return func(s *Server) { s.accessEvery = int64(every) }
}

// WithClock sets the clock the page reads, for tests.
func WithClock(now func() time.Time) ServerOption {
	return func(s *Server) { s.now = now }
}

// NewServer serves snap and logs to log.
func NewServer(snap *Snapshot, log *slog.Logger, opts ...ServerOption) *Server {
	s := &Server{log: log, metrics: newMetrics(), now: time.Now}
	for _, opt := range opts {
		opt(s)
	}
	s.Swap(snap)
	s.handler = s.routes()
	return s
}

// ConnClosed counts a connection closed for passing a limit, for
// /metrics; it is what ConnTimeouts.Closed should call.
func (s *Server) ConnClosed(limit string) {
	s.metrics.connsClosed.WithLabelValues(limit).Inc()
}

// Swap makes snap the snapshot that new requests see.
func (s *Server) Swap(snap *Snapshot) {
	s.metrics.observeSnapshot(snap)
	s.snap.Store(snap)
}

func (s *Server) reportReload(st ReloadStatus) {
	s.lastReload.Store(&st)
	result := "ok"
	if st.Failed {
		result = "failed"
	}
	s.metrics.reloads.WithLabelValues(result).Inc()
}

// Snapshot returns the snapshot being served.
func (s *Server) Snapshot() *Snapshot { return s.snap.Load() }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// routes wraps the router in the middleware, from outside so that it also
// runs for 404 and 405 answers.
func (s *Server) routes() http.Handler {
	var h http.Handler = s.router()
	h = limitURI(h)
	h = commonHeaders(h)
	h = recoverPanics(s.log, h)
	h = s.observe(h)
	return h
}

// router lists every route the service answers.
func (s *Server) router() dispatch {
	r := mux.NewRouter()
	d := dispatch{router: r, literal: make(map[string]*route)}
	get := []string{http.MethodGet, http.MethodHead}
	handle := func(path string, serve routeHandler, methods ...string) {
		if strings.Count(path, "{") > 1 {
			panic("route " + path + ": a template has at most one variable")
		}
		rt := newRoute(path, serve, methods)
		r.Handle(path, rt)
		if !strings.Contains(path, "{") {
			d.literal[path] = rt
		} else if p, ok := newSingleVarRoute(path, rt); ok {
			d.singleVar = append(d.singleVar, p)
		}
	}
	handle(CalendarPath, s.serveCalendar(FormatICS), get...)
	handle("/calendar.json", s.serveCalendar(FormatJCal), get...)
	handle("/events/{id:[a-z0-9-]+}.ics", s.serveEvent(FormatICS), get...)
	handle("/events/{id:[a-z0-9-]+}.json", s.serveEvent(FormatJCal), get...)
	handle("/", withoutVars(s.servePage), get...)
	handle("/healthz", withoutVars(s.serveHealth), get...)
	handle("/metrics", withoutVars(s.metrics.handler().ServeHTTP), get...)
	r.NotFoundHandler = http.HandlerFunc(notFound)
	return d
}

// dispatch routes with gorilla/mux's matching, but calls the route itself
// instead of going through Router.ServeHTTP, which copies the request twice
// per call to put the route and its variables in the context: five of the
// eight allocations of a feed request. It also spares the common requests
// mux's regular expressions, which mux runs for every template in turn and
// once more to extract variables: more than half of an event request's time.
// A path that is a literal template, as the feed's own URL is, takes its
// route from a map; a path that fits a template with one variable made of a
// character class, as an event's URL does, is checked byte by byte. Any
// other path, and any that those checks refuse, goes to mux.
type dispatch struct {
	router    *mux.Router
	literal   map[string]*route // the routes whose template has no variable, by path
	singleVar []singleVarRoute
}

func (d dispatch) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if clean := cleanPath(r.URL.Path); clean != r.URL.Path {
		if r.Method == http.MethodConnect {
			// Its target is a host and port, not a path here.
			w.Header()["Allow"] = allowEveryRoute
			httpError(w, http.StatusMethodNotAllowed, "CONNECT is not allowed; this service is not a proxy")
			return
		}
		// As mux does: one canonical URL per resource. The Location is a
		// path, never the request's own host, which the client chose: a
		// request to http://other.example//calendar.ics must not send the
		// client to other.example. cleanPath never starts with "//",
		// which a browser would read as a host.
		u := url.URL{Path: clean, RawQuery: r.URL.RawQuery}
		http.Redirect(w, r, u.String(), http.StatusMovedPermanently)
		return
	}
	if rt := d.literal[r.URL.Path]; rt != nil {
		rt.serve(w, r, "")
		return
	}
	for i := range d.singleVar {
		p := &d.singleVar[i]
		if value, ok := p.match(r.URL.Path); ok {
			p.route.serve(w, r, value)
			return
		}
	}
	var match mux.RouteMatch
	if !d.router.Match(r, &match) {
		notFound(w, r)
		return
	}
	if rt, ok := match.Handler.(*route); ok {
		rt.serve(w, r, onlyVar(match.Vars))
		return
	}
	match.Handler.ServeHTTP(w, r)
}

// singleVarRoute matches a mux template of the form
// prefix{name:[class]+}suffix without a regular expression.
type singleVarRoute struct {
	prefix, name, suffix string
	allowed              [256]bool // the bytes the class matches
	route                *route
}

var singleVarTemplate = regexp.MustCompile(`^([^{}]*)\{([a-z]+):(\[[^\]]+\])\+\}([^{}]*)$`)

// newSingleVarRoute reads a template that singleVarRoute can match exactly:
// a class of ASCII bytes only, so that a byte-wise test of the path agrees
// with the regular expression mux compiles from it.
func newSingleVarRoute(template string, rt *route) (singleVarRoute, bool) {
	m := singleVarTemplate.FindStringSubmatch(template)
	if m == nil {
		return singleVarRoute{}, false
	}
	class, err := regexp.Compile(`^` + m[3] + `$`)
	if err != nil {
		return singleVarRoute{}, false
	}
	p := singleVarRoute{prefix: m[1], name: m[2], suffix: m[4], route: rt}
	for b := range 256 {
		p.allowed[b] = class.MatchString(string(rune(b)))
		if b >= utf8.RuneSelf && p.allowed[b] {
			return singleVarRoute{}, false
		}
	}
	return p, true
}

func (p *singleVarRoute) match(path string) (string, bool) {
	if len(path) <= len(p.prefix)+len(p.suffix) || !strings.HasPrefix(path, p.prefix) || !strings.HasSuffix(path, p.suffix) {
		return "", false
	}
	value := path[len(p.prefix) : len(path)-len(p.suffix)]
	for i := range len(value) {
		if !p.allowed[value[i]] {
			return "", false
		}
	}
	return value, true
}

// cleanPath is the path mux redirects p to: path.Clean's, keeping a
// trailing slash.
func cleanPath(p string) string {
	if isCleanPath(p) {
		return p
	}
	return muxCleanPath(p)
}

// muxCleanPath is gorilla/mux's cleanPath.
func muxCleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	clean := path.Clean(p)
	if p[len(p)-1] == '/' && clean != "/" {
		clean += "/"
	}
	return clean
}

// isCleanPath reports whether cleanPath would leave p as it is: an
// absolute path without empty, "." or ".." segments. Nearly every request
// passes, and path.Clean rebuilds the path to find that out: a few hundred
// instructions per request.
func isCleanPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	// Only what follows a slash can make a path unclean.
	for i := 0; i < len(p); i++ {
		if p[i] != '/' {
			continue
		}
		next := p[i+1:]
		if next == "" {
			return true // a trailing slash is kept
		}
		switch next[0] {
		case '/':
			return false
		case '.':
			segment, _, _ := strings.Cut(next, "/")
			if segment == "." || segment == ".." {
				return false
			}
		}
	}
	return true
}

// route is one entry of the router: its name for metrics and logs, the
// methods it answers, and its handler, which receives the path's variables.
type route struct {
	name    string
	methods []string
	allow   []string // the Allow header: the methods and OPTIONS
	handler routeHandler
}

// routeHandler answers a route's request; pathVar is the value of the
// template's variable, when it has one (none has more).
type routeHandler func(w http.ResponseWriter, r *http.Request, pathVar string)

// onlyVar is the value of the one variable mux matched, if any.
func onlyVar(vars map[string]string) string {
	for _, v := range vars {
		return v
	}
	return ""
}

func newRoute(name string, handler routeHandler, methods []string) *route {
	return &route{name: name, methods: methods, handler: handler,
		allow: []string{strings.Join(append(slices.Clone(methods), http.MethodOptions), ", ")}}
}

// ServeHTTP serves the route when it is reached through mux's own
// ServeHTTP.
func (rt *route) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt.serve(w, r, onlyVar(mux.Vars(r)))
}

// serve answers the route's methods with its handler, OPTIONS with the list
// (as a CORS preflight too), and any other method with 405 and an Allow
// header. gorilla/mux's own method matching gives neither HEAD for GET nor
// an Allow header.
func (rt *route) serve(w http.ResponseWriter, r *http.Request, pathVar string) {
	if rec, ok := w.(*recorder); ok {
		rec.route = rt.name
	}
	if slices.Contains(rt.methods, r.Method) {
		rt.handler(w, r, pathVar)
		return
	}
	h := w.Header()
	h["Allow"] = rt.allow
	if r.Method == http.MethodOptions {
		// Web calendar clients that revalidate with If-None-Match send a
		// preflight, as that header is not CORS-safelisted.
		h["Access-Control-Allow-Origin"] = allowAnyOrigin
		h["Access-Control-Allow-Methods"] = rt.allow
		h["Access-Control-Allow-Headers"] = corsAllowHeaders
		h["Access-Control-Max-Age"] = corsMaxAge
		w.WriteHeader(http.StatusNoContent)
		return
	}
	httpError(w, http.StatusMethodNotAllowed, r.Method+" is not allowed here; this path answers "+rt.allow[0])
}

func withoutVars(h http.HandlerFunc) routeHandler {
	return func(w http.ResponseWriter, r *http.Request, _ string) { h(w, r) }
}

// serveCalendar answers the feed in format f, or in jCal when the client
// asks for it with Accept. The URLs that subscribers copy from the page,
// the bare URL first, take the shortest path.
func (s *Server) serveCalendar(f Format) routeHandler {
	return func(w http.ResponseWriter, r *http.Request, _ string) {
		snap := s.snap.Load()
		format := negotiate(f, requestHeader(r, "Accept"))
		if format == FormatICS {
			if res := snap.linked[r.URL.RawQuery]; res != nil {
				// A linked variant's canonical query is its own label.
				annotateVariant(w, r.URL.RawQuery)
				serveResource(w, r, res)
				return
			}
		}
		v, err := ParseVariant(r.URL.RawQuery, true)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		annotateVariant(w, s.metrics.variantLabel(v.Query()))
		res, err := snap.Calendar(v, format)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		serveResource(w, r, res)
	}
}

func (s *Server) serveEvent(f Format) routeHandler {
	return func(w http.ResponseWriter, r *http.Request, id string) {
		v, err := ParseVariant(r.URL.RawQuery, false)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		res, found, err := s.snap.Load().Event(id, v, negotiate(f, requestHeader(r, "Accept")))
		switch {
		case !found:
			httpError(w, http.StatusNotFound, `no event with id "`+id+`"; the whole feed is at `+CalendarPath)
		case err != nil:
			s.fail(w, r, err)
		default:
			serveResource(w, r, res)
		}
	}
}

// fail maps an error to its answer, in one place: a parameter the client
// got wrong is a 400 that says how; anything else is a 500 that is logged
// and tells the client nothing of the cause.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var pe *ParamError
	if errors.As(err, &pe) {
		httpError(w, http.StatusBadRequest, pe.Error())
		return
	}
	var he *HostError
	if errors.As(err, &he) {
		httpError(w, http.StatusBadRequest, he.Error())
		return
	}
	s.log.Error("request failed", "method", r.Method, "url", r.URL.String(), "err", err)
	httpError(w, http.StatusInternalServerError, "the server failed to answer; the failure is logged")
}

// negotiate picks jCal for a .ics URL when the client prefers
// application/calendar+json to text/calendar.
func negotiate(f Format, accept string) Format {
	if f == FormatJCal || accept == "" {
		return f
	}
	if mediaQuality(accept, jcalContentType) > mediaQuality(accept, "text/calendar") {
		return FormatJCal
	}
	return f
}

// mediaQuality is the q value that an Accept header gives a media type
// named explicitly; wildcards count for neither calendar type, so that
// "*/*" keeps the URL's own format.
func mediaQuality(accept, mediaType string) float64 {
	for part := range strings.SplitSeq(accept, ",") {
		typ, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(typ), mediaType) {
			continue
		}
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(k, "q") {
				if n, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = n
				}
			}
		}
		return q
	}
	return 0
}

// serveHealth reports the catalog being served and the latest reload. A
// failed reload makes the status "degraded" but still answers 200: the
// service is serving its last good feed, and a health check that restarted
// it would only swap a working process for one that cannot start.
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	snap := s.snap.Load()
	report := struct {
		Status     string        `json:"status"`
		Events     int           `json:"events"`
		Modified   time.Time     `json:"modified"`
		ETag       string        `json:"etag"`
		LastReload *ReloadStatus `json:"last_reload,omitempty"`
	}{"ok", len(snap.Catalog.Events), snap.Catalog.Modified, snap.ETag(), s.lastReload.Load()}
	if report.LastReload != nil && report.LastReload.Failed {
		report.Status = "degraded"
	}
	body, _ := json.Marshal(report)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(append(body, '\n'))
}

func notFound(w http.ResponseWriter, r *http.Request) {
	httpError(w, http.StatusNotFound, "nothing here; the feed is at "+CalendarPath)
}

// httpError is the one place that writes an error answer: a status and a
// short plain-text reason, never an internal detail.
func httpError(w http.ResponseWriter, status int, reason string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(http.StatusText(status) + ": " + reason + "\n"))
}

var (
	// allowEveryRoute is the Allow header of an answer that no route
	// gives: every route answers these methods.
	allowEveryRoute  = []string{"GET, HEAD, OPTIONS"}
	corsAllowHeaders = []string{"Accept, If-None-Match, If-Modified-Since"}
	corsMaxAge       = []string{"86400"}
)

// maxURILength bounds the request target. The longest URL the service
// answers, a variant with every parameter, is under 150 bytes; anything far
// longer is a mistake or an attack, and parsing it is wasted work.
const maxURILength = 1024

func limitURI(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.RequestURI) > maxURILength {
			httpError(w, http.StatusRequestURITooLong, "the URL is longer than "+strconv.Itoa(maxURILength)+" bytes")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// commonHeaders are set on every answer, errors included.
func commonHeaders(next http.Handler) http.Handler {
	nosniff := []string{"nosniff"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["X-Content-Type-Options"] = nosniff
		next.ServeHTTP(w, r)
	})
}

// recoverPanics turns a panic into a logged 500 that tells the client
// nothing of the cause.
func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
			httpError(w, http.StatusInternalServerError, "the server failed to answer; the failure is logged")
		}()
		next.ServeHTTP(w, r)
	})
}

// observe counts every request in the metrics and writes the access log,
// around everything else, so that 404, 405 and recovered panics count too.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logged := s.accessEvery > 0 && s.accessCount.Add(1)%s.accessEvery == 0
		var start time.Time
		if logged {
			start = time.Now()
		}
		rec := recorders.Get().(*recorder)
		*rec = recorder{ResponseWriter: w, status: http.StatusOK, route: "none"}
		defer func() {
			*rec = recorder{}
			recorders.Put(rec)
		}()
		next.ServeHTTP(rec, r)
		s.metrics.observeRequest(rec.route, rec.variant, rec.status, rec.bytes)
		if logged {
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method), slog.String("uri", r.RequestURI), slog.String("route", rec.route),
				slog.Int("status", rec.status), slog.Int("bytes", rec.bytes), slog.Duration("duration", time.Since(start)))
		}
	})
}

// recorders are reused: a feed request then allocates nothing for being
// counted.
var recorders = sync.Pool{New: func() any { return new(recorder) }}

// recorder notes what a request was and how it was answered.
type recorder struct {
	http.ResponseWriter
	status, bytes  int
	wrote          bool
	route, variant string
}

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func annotateVariant(w http.ResponseWriter, variant string) {
	if rec, ok := w.(*recorder); ok {
		rec.variant = variant
	}
}
