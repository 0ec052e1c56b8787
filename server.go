package feed

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"
)

// Server answers HTTP requests from the current Snapshot. The snapshot can
// be replaced while requests run: each request reads it once and sees one
// whole catalog, old or new.
type Server struct {
	snap    atomic.Pointer[Snapshot]
	log     *slog.Logger
	handler http.Handler
}

// NewServer serves snap and logs to log.
func NewServer(snap *Snapshot, log *slog.Logger) *Server {
	s := &Server{log: log}
	s.snap.Store(snap)
	s.handler = s.routes()
	return s
}

// Swap makes snap the snapshot that new requests see.
func (s *Server) Swap(snap *Snapshot) { s.snap.Store(snap) }

// Snapshot returns the snapshot being served.
func (s *Server) Snapshot() *Snapshot { return s.snap.Load() }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// routes lists every route the service answers. Middleware wraps the router
// from outside so that it also runs for 404 and 405 answers.
func (s *Server) routes() http.Handler {
	r := mux.NewRouter()
	r.Handle(CalendarPath, methods(s.serveCalendar, http.MethodGet, http.MethodHead))
	r.Handle("/events/{id:[a-z0-9-]+}.ics", methods(s.serveEvent, http.MethodGet, http.MethodHead))
	r.Handle("/healthz", methods(s.serveHealth, http.MethodGet, http.MethodHead))
	r.NotFoundHandler = http.HandlerFunc(notFound)

	var h http.Handler = r
	h = commonHeaders(h)
	h = recoverPanics(s.log, h)
	h = logRequests(s.log, h)
	return h
}

// methods answers the listed methods with h, OPTIONS with the list, and any
// other method with 405 and an Allow header. gorilla/mux's own method
// matching gives neither HEAD for GET nor an Allow header.
func methods(h http.HandlerFunc, allowed ...string) http.Handler {
	allow := []string{strings.Join(append(allowed, http.MethodOptions), ", ")}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, m := range allowed {
			if r.Method == m {
				h(w, r)
				return
			}
		}
		w.Header()["Allow"] = allow
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		httpError(w, http.StatusMethodNotAllowed, r.Method+" is not allowed here; this path answers "+allow[0])
	})
}

func (s *Server) serveCalendar(w http.ResponseWriter, r *http.Request) {
	serveResource(w, r, s.snap.Load().calendar)
}

func (s *Server) serveEvent(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	res, ok := s.snap.Load().events[id]
	if !ok {
		httpError(w, http.StatusNotFound, `no event with id "`+id+`"; the whole feed is at `+CalendarPath)
		return
	}
	serveResource(w, r, res)
}

func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	snap := s.snap.Load()
	body, _ := json.Marshal(struct {
		Status   string    `json:"status"`
		Events   int       `json:"events"`
		Modified time.Time `json:"modified"`
		ETag     string    `json:"etag"`
	}{"ok", len(snap.Catalog.Events), snap.Catalog.Modified, snap.ETag()})
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

// logRequests writes one debug line per request. Feeds are polled by many
// clients, so the lines are off unless the logger is at debug level.
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !log.Enabled(r.Context(), slog.LevelDebug) {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		log.LogAttrs(r.Context(), slog.LevelDebug, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", rec.status), slog.Int("bytes", rec.bytes), slog.Duration("duration", time.Since(start)))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status, bytes int
	wrote         bool
}

func (r *statusRecorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
