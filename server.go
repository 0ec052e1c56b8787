package feed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"feed/internal/resource"
	"feed/internal/router"
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
	health      HealthDetails
	accessCount atomic.Int64
	now         func() time.Time // the clock that splits the page's events into upcoming and past
	failures    recentFailures   // the latest server errors, which /healthz judges by
	notices     *noticeState     // the notices fetched by the service itself
}

// ServerOption configures a Server.
type ServerOption func(*Server)

// WithAccessLog logs one line per request, or one in every requests when
// every is above 1, to the server's logger. Feeds are polled by many
// clients; sampling keeps the log useful at high rates.
func WithAccessLog(every int) ServerOption {
	return func(s *Server) { s.accessEvery = int64(every) }
}

// WithClock sets the clock the page and /healthz read, for tests.
func WithClock(now func() time.Time) ServerOption {
	return func(s *Server) { s.now = now }
}

// HealthDetails says which clients /healthz shows its details to: the
// number of events, the ETag, and the latest reload's trigger and errors,
// which name the catalog file by its path on the server. Every client sees
// the status and the times.
type HealthDetails int

const (
	// HealthDetailsOff shows the details to no client: the default, as the
	// service is often reached through a proxy on its own host, which
	// makes every request come from a loopback address.
	HealthDetailsOff HealthDetails = iota
	// HealthDetailsLoopback shows them to clients connected from a
	// loopback address.
	HealthDetailsLoopback
	// HealthDetailsAll shows them to every client.
	HealthDetailsAll
)

// ParseHealthDetails reads off, loopback or all.
func ParseHealthDetails(s string) (HealthDetails, error) {
	switch s {
	case "off":
		return HealthDetailsOff, nil
	case "loopback":
		return HealthDetailsLoopback, nil
	case "all":
		return HealthDetailsAll, nil
	}
	return 0, fmt.Errorf("%q: use off, loopback or all", s)
}

// WithHealthDetails sets who sees /healthz's details.
func WithHealthDetails(d HealthDetails) ServerOption {
	return func(s *Server) { s.health = d }
}

// NewServer serves snap and logs to log.
func NewServer(snap *Snapshot, log *slog.Logger, opts ...ServerOption) *Server {
	s := &Server{log: log, metrics: newMetrics(), now: time.Now}
	for _, opt := range opts {
		opt(s)
	}
	s.Swap(snap)
	s.metrics.observeServer(s)
	s.notices = newNoticeState(s)
	s.handler = s.routes()
	return s
}

// ConnClosed counts a connection closed for passing a limit, for
// /metrics; it is what connlimit.Timeouts.Closed should call.
func (s *Server) ConnClosed(limit string) {
	s.metrics.connsClosed.WithLabelValues(limit).Inc()
}

// ConnRefused counts a connection refused for being past the maximum of
// open connections, for /metrics; it is what connlimit.Cap's refused should
// call.
func (s *Server) ConnRefused() { s.metrics.refused.Inc() }

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
	h = recoverPanics(s.log, s.metrics.panics, h)
	h = s.observe(h)
	return h
}

// router lists every route the service answers.
func (s *Server) router() *router.Router {
	r := router.New()
	r.NotFound = http.HandlerFunc(notFound)
	r.NonPathTarget = answerNonPathTarget
	get := []string{http.MethodGet, http.MethodHead}
	handle := func(path string, serve routeHandler, methods ...string) *route {
		rt := newRoute(path, serve, methods)
		r.Handle(path, rt)
		return rt
	}
	handle(CalendarPath, s.serveCalendar(FormatICS), get...).answerPropfind(s.propfindCalendar)
	handle("/calendar.json", s.serveCalendar(FormatJCal), get...)
	// The linked feeds' named addresses: literal paths, which the router
	// finds in a map, as fast as the bare feed's.
	for _, v := range LinkedVariants() {
		path, _ := CalendarFilePath(v)
		rt := newRoute(CalendarsDir+"{name}.ics", s.serveNamedCalendar(v), get)
		rt.answerPropfind(s.propfindNamedCalendar(v))
		r.Handle(path, rt)
	}
	handle("/events/{id:[a-z0-9-]+}.ics", s.serveEvent(FormatICS), get...).answerPropfind(s.propfindEvent)
	handle("/events/{id:[a-z0-9-]+}.json", s.serveEvent(FormatJCal), get...)
	handle("/", withoutVars(s.servePage), get...).answerPropfind(s.propfindSite)
	handle("/healthz", withoutVars(s.serveHealth), get...)
	handle("/metrics", withoutVars(s.metrics.handler().ServeHTTP), get...)
	handle(DaysIndexPath, withoutVars(s.serveDaysIndex), get...)
	handle(daysPrefix, withoutVars(s.serveDaysIndex), get...)
	handle(daysRoute, s.serveDay, get...)
	return r
}

// route is one entry of the router: its name for metrics and logs, the
// methods it answers, and its handler, which receives the path's variables.
type route struct {
	name    string
	methods []string
	allow   []string // the Allow header: the methods and OPTIONS
	handler routeHandler
	// propfind, when set, answers WebDAV discovery on the route; such a
	// route is read-only and says so to methods that would write.
	propfind routeHandler
}

// routeHandler answers a route's request; pathVar is the value of the
// template's variable, when it has one (none has more).
type routeHandler func(w http.ResponseWriter, r *http.Request, pathVar string)

func newRoute(name string, handler routeHandler, methods []string) *route {
	return &route{name: name, methods: methods, handler: handler,
		allow: []string{strings.Join(append(slices.Clone(methods), http.MethodOptions), ", ")}}
}

// answerPropfind makes the route answer PROPFIND with h and advertise it.
func (rt *route) answerPropfind(h routeHandler) {
	rt.propfind = h
	rt.allow = []string{strings.Join(append(slices.Clone(rt.methods), "PROPFIND", http.MethodOptions), ", ")}
}

// ServeRoute answers the route's methods with its handler, OPTIONS with the list
// (as a CORS preflight too), and any other method with 405 and an Allow
// header. gorilla/mux's own method matching gives neither HEAD for GET nor
// an Allow header.
func (rt *route) ServeRoute(w http.ResponseWriter, r *http.Request, pathVar string) {
	if rec, ok := w.(*recorder); ok {
		rec.route = rt.name
	}
	if slices.Contains(rt.methods, r.Method) {
		rt.handler(w, r, pathVar)
		return
	}
	h := w.Header()
	h["Allow"] = rt.allow
	if rt.propfind != nil {
		switch {
		case r.Method == "PROPFIND":
			rt.propfind(w, r, pathVar)
			return
		case r.Method == http.MethodOptions:
			h["Dav"] = davCompliance
		case slices.Contains(davWriteMethods, r.Method):
			httpError(w, http.StatusMethodNotAllowed, "this calendar is read-only: it is published from the catalog, and "+r.Method+" cannot change it; this path answers "+rt.allow[0])
			return
		}
	}
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
		format := negotiate(f, resource.RequestHeader(r, "Accept"))
		if format == FormatICS {
			if res := snap.linked[r.URL.RawQuery]; res != nil {
				// A linked variant's canonical query is its own label.
				annotateVariant(w, r.URL.RawQuery)
				res.Serve(w, r)
				return
			}
		}
		v, err := ParseFeedVariant(r.URL.RawQuery)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		annotateVariant(w, s.metrics.variantLabel(v.Query()))
		res, err := snap.calendar(r.Context(), v, format)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		res.Serve(w, r)
	}
}

// serveNamedCalendar answers a linked feed's named address with the bytes
// of its query form. The address names the whole variant: a query on it
// is refused rather than half applied.
func (s *Server) serveNamedCalendar(v Variant) routeHandler {
	query := v.Query()
	return func(w http.ResponseWriter, r *http.Request, _ string) {
		if r.URL.RawQuery != "" {
			httpError(w, http.StatusBadRequest, "this address names one calendar and takes no parameters; choose another with "+withQuery(CalendarPath, "kind=…&lang=…"))
			return
		}
		annotateVariant(w, query)
		snap := s.snap.Load()
		if negotiate(FormatICS, resource.RequestHeader(r, "Accept")) == FormatJCal {
			res, err := snap.calendar(r.Context(), v, FormatJCal)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			res.Serve(w, r)
			return
		}
		snap.linked[query].Serve(w, r)
	}
}

func (s *Server) serveEvent(f Format) routeHandler {
	return func(w http.ResponseWriter, r *http.Request, id string) {
		v, err := ParseEventVariant(r.URL.RawQuery)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		res, found, err := s.snap.Load().event(r.Context(), id, v, negotiate(f, resource.RequestHeader(r, "Accept")))
		switch {
		case !found:
			httpError(w, http.StatusNotFound, `no event with id "`+id+`"; the whole feed is at `+CalendarPath)
		case err != nil:
			s.fail(w, r, err)
		default:
			res.Serve(w, r)
		}
	}
}

// fail maps an error to its answer, in one place: a parameter the client
// got wrong is a 400 that says how; a render that found no free slot in
// time is a 503 with Retry-After; a request that went away while it waited
// gets a 503 that nobody reads; anything else is a 500 that is logged and
// tells the client nothing of the cause.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var pe *ParamError
	if errors.As(err, &pe) {
		httpError(w, http.StatusBadRequest, pe.Error())
		return
	}
	var busy *BusyError
	if errors.As(err, &busy) {
		s.metrics.rejected.WithLabelValues("busy").Inc()
		s.log.Warn("render queue full", "url", r.URL.String(), "err", err)
		w.Header().Set("Retry-After", busy.retryAfter())
		httpError(w, http.StatusServiceUnavailable, busy.Reason)
		return
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		s.metrics.rejected.WithLabelValues("gone").Inc()
		httpError(w, http.StatusServiceUnavailable, "the request ended before its answer was ready")
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
// it would only swap a working process for one that cannot start. So do
// degradedFailures server errors within failureWindow: a handler that
// keeps failing while the pre-rendered feeds are still served is worth an
// operator's look, and a restart may or may not cure it. Only the clients
// that HealthDetails allows see more than the status, counts and times.
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	snap := s.snap.Load()
	last := s.lastReload.Load()
	// RecentServerErrors counts the answers of the last minute that failed
	// on the server's side.
	recentErrors := s.failures.since(s.now().Add(-failureWindow))
	status := "ok"
	if last != nil && last.Failed || recentErrors >= degradedFailures {
		status = "degraded"
	}
	// The data runs out after the last arranged year; a warning says so
	// once the next year's notice may be out. Neither changes the status:
	// the feed is right, only incomplete.
	var warnings []string
	if w := CoverageWarning(snap.Catalog, s.now()); w != "" {
		warnings = append(warnings, w)
	}
	notices, noticeWarnings := s.noticeHealth()
	warnings = append(warnings, noticeWarnings...)
	lastYear := snap.Catalog.LastArrangedYear()
	var report any
	if s.showHealthDetails(r) {
		report = struct {
			Status             string        `json:"status"`
			Events             int           `json:"events"`
			Modified           time.Time     `json:"modified"`
			ETag               string        `json:"etag"`
			LastReload         *ReloadStatus `json:"last_reload,omitempty"`
			RecentServerErrors int           `json:"recent_server_errors,omitempty"`
			LastArrangedYear   int           `json:"last_arranged_year,omitempty"`
			Warnings           []string      `json:"warnings,omitempty"`
			Notices            *noticeInfo   `json:"notices,omitempty"`
		}{status, len(snap.Catalog.Events), snap.Catalog.Modified, snap.ETag(), last, recentErrors, lastYear, warnings, notices}
	} else {
		type reloadTimes struct {
			At     time.Time `json:"at"`
			Failed bool      `json:"failed"`
		}
		public := struct {
			Status             string       `json:"status"`
			Modified           time.Time    `json:"modified"`
			LastReload         *reloadTimes `json:"last_reload,omitempty"`
			RecentServerErrors int          `json:"recent_server_errors,omitempty"`
			LastArrangedYear   int          `json:"last_arranged_year,omitempty"`
			Warnings           []string     `json:"warnings,omitempty"`
			Notices            *noticeInfo  `json:"notices,omitempty"`
		}{Status: status, Modified: snap.Catalog.Modified, RecentServerErrors: recentErrors, LastArrangedYear: lastYear, Warnings: warnings, Notices: publicNotices(notices)}
		if last != nil {
			public.LastReload = &reloadTimes{last.At, last.Failed}
		}
		report = public
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

func (s *Server) showHealthDetails(r *http.Request) bool {
	switch s.health {
	case HealthDetailsAll:
		return true
	case HealthDetailsLoopback:
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			return false
		}
		ip, err := netip.ParseAddr(host)
		return err == nil && ip.Unmap().IsLoopback()
	}
	return false
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
	allowAnyOrigin   = []string{"*"} // as resource.Serve answers: feeds are public data
	corsAllowHeaders = []string{"Accept, If-None-Match, If-Modified-Since"}
	davCompliance    = []string{"1"} // class 1 of RFC 4918: PROPFIND, no locks
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

// serverAllow is the Allow header of an answer about the server as a
// whole: the methods some route answers.
var serverAllow = []string{"GET, HEAD, OPTIONS"}

// answerNonPathTarget answers the requests whose target is not a path,
// which the router would clean into a redirect: "*" would go to /%2A, and
// CONNECT's host:port to that host. It reports whether it answered; an
// absolute URL without a path is left to redirect to "/".
func answerNonPathTarget(w http.ResponseWriter, r *http.Request) bool {
	if p := r.URL.Path; p != "" && p[0] == '/' {
		return false
	}
	h := w.Header()
	switch {
	case r.Method == http.MethodConnect:
		h["Allow"] = serverAllow
		httpError(w, http.StatusMethodNotAllowed, "CONNECT is not allowed: this server is not a proxy")
	case r.Method == "PRI" && r.ProtoMajor == 2:
		// http.Server hands "PRI * HTTP/2.0", the start of HTTP/2 with
		// prior knowledge, to the handler. What follows it is binary
		// frames, not a request: the connection must end.
		h.Set("Connection", "close")
		httpError(w, http.StatusHTTPVersionNotSupported, "HTTP/2 without TLS is not served; use HTTP/1.1, or HTTP/2 through a TLS proxy")
	case r.RequestURI == "*" && r.Method == http.MethodOptions:
		h["Allow"] = serverAllow
		w.WriteHeader(http.StatusNoContent)
	case r.RequestURI == "*":
		httpError(w, http.StatusBadRequest, "the request target * is only for OPTIONS; ask for a path such as "+CalendarPath)
	default:
		return false
	}
	return true
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
// nothing of the cause, and counts it in panics.
func recoverPanics(log *slog.Logger, panics prometheus.Counter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			panics.Inc()
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
		if isOwnFailure(rec.status) {
			s.failures.add(s.now())
		}
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

// /healthz reports "degraded" while at least degradedFailures answers
// within the last failureWindow were server errors. Successes elsewhere do
// not clear it: the pre-rendered feeds keep answering 200 while a broken
// render path answers 500 to everything else.
const (
	degradedFailures = 5
	failureWindow    = time.Minute
)

// isOwnFailure tells the answers that count against health: a 500, which
// the service writes only when a handler failed or panicked (Server.fail,
// recoverPanics). The other 5xx it writes are answers to what a client or
// the load did, which a client can send at will and which would otherwise
// hide real failures behind "degraded": 503 is the service shedding load by
// design (a full render queue, a request that went away), 505 a client
// speaking HTTP/2 without TLS (scanners, curl --http2-prior-knowledge).
func isOwnFailure(status int) bool {
	return status == http.StatusInternalServerError
}

// recentFailures keeps the times of the latest degradedFailures server
// errors, enough to tell how many fell within the window.
type recentFailures struct {
	mu   sync.Mutex
	at   [degradedFailures]time.Time // a ring, next is the oldest
	next int
}

func (f *recentFailures) add(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.at[f.next] = t
	f.next = (f.next + 1) % len(f.at)
}

// since counts the kept failures after t, up to degradedFailures.
func (f *recentFailures) since(t time.Time) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, at := range f.at {
		if at.After(t) {
			n++
		}
	}
	return n
}
