package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"feed"
	"feed/internal/connlimit"
)

// coverageCheckInterval is how often a running service looks again at
// whether next year's arrangement is due: once a day is enough for a
// notice that is awaited for weeks, and keeps the log quiet.
const coverageCheckInterval = 24 * time.Hour

// shutdownTimeout is the default bound on how long in-flight requests may
// take to finish after a stop signal; the connections still open then are
// closed.
const shutdownTimeout = 10 * time.Second

// maxHeaderBytes bounds a request's line and header fields, with their line
// ends and the empty line after them. http.Server reads up to its
// MaxHeaderBytes plus 4096 bytes of slack before it answers 431, so the
// server is given the limit less the slack.
const (
	maxHeaderBytes = 16 << 10
	headerSlack    = 4096
)

// fdReserve is the number of file descriptors kept from connections for
// everything else the process opens: the catalog file, its watch, the
// CPU profile, the runtime's own.
const fdReserve = 64

// heapFloor is an allocation the collector counts and nothing ever writes,
// so it costs address space, not memory. The default catalog's live heap is
// about 2 MB, which puts the collector at its 4 MB minimum goal: a
// collection every thousand requests or so, each scanning the whole heap,
// which made the small catalog measurably slower to serve than a large one.
// With the floor the goal starts near 20 MB and collections are a third as
// many. A higher GOGC would do the same for a small catalog but multiply a
// large one's heap; the floor adds the same 8 MB to every goal.
const heapFloor = 8 << 20

// serve runs the feed service until ctx ends, then shuts it down gracefully.
// A bad flag or catalog stops it before it listens.
func serve(ctx context.Context, now func() time.Time, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	floor := make([]byte, heapFloor)
	defer runtime.KeepAlive(floor)
	cfg, err := parseServeConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	// Stored notices are read before the catalog is built, and before
	// anything is asked of the network: a restart without it serves them.
	notices := newNoticeService(cfg.notices, cfg.log, now)
	cat, err := loadServedCatalog(cfg.catalogPath, cfg.base, notices.book)
	if err != nil {
		return err
	}
	server := feed.NewServer(cat.snap, cfg.log, feed.WithAccessLog(cfg.accessEvery), feed.WithHealthDetails(cfg.healthDetails), feed.WithClock(now))
	svc, err := listen(cfg, server)
	if err != nil {
		return err
	}
	rebuild := embeddedRebuild(server, cat)
	if cfg.catalogPath != "" {
		reloader, stopReloading := watchReloads(ctx, cfg.log, server, cfg.catalogPath, cat)
		defer stopReloading()
		rebuild = reloader.Rebuild
	}
	stopNotices := notices.start(ctx, server, rebuild)
	defer stopNotices()
	stopCoverage := startCoverageWatch(ctx, cfg.log, server, now)
	defer stopCoverage()
	if cfg.cpuProfile != "" {
		stopProfile, err := startCPUProfile(cfg.cpuProfile)
		if err != nil {
			return err
		}
		defer stopProfile()
	}
	cfg.log.Info("serving", "events", len(cat.snap.Catalog.Events), "feed", svc.public+feed.CalendarPath, "etag", cat.snap.ETag(), "max_conns", cfg.maxConns)
	fmt.Fprintf(stdout, "Subscribe to %s%s\n", svc.public, feed.CalendarPath)
	return svc.serveUntilDone(ctx, cfg.log, cfg.gracePeriod)
}

// serveConfig is the serve command's settings: its flags, with defaults
// from the environment, checked.
type serveConfig struct {
	addr          string
	catalogPath   string // empty for the embedded catalog
	base          string // the normalized -base-url; empty to follow each request's Host
	log           *slog.Logger
	accessEvery   int // log one request in accessEvery; 0 for none
	healthDetails feed.HealthDetails
	maxConns      int // 0 for no limit
	gracePeriod   time.Duration
	cpuProfile    string // empty for no profile
	notices       noticeConfig
}

// parseServeConfig reads and checks the serve command's flags; of several
// bad ones, the first checked is reported.
func parseServeConfig(args []string, getenv func(string) string, stderr io.Writer) (serveConfig, error) {
	fs := flag.NewFlagSet("feed serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", envOr(getenv, "FEED_ADDR", "localhost:8080"), "listen address (env FEED_ADDR)")
	catalogPath, baseURL := catalogFlags(fs, getenv)
	logFormat := fs.String("log-format", envOr(getenv, "FEED_LOG_FORMAT", "text"), "log as text or json (env FEED_LOG_FORMAT)")
	accessLog := fs.String("access-log", envOr(getenv, "FEED_ACCESS_LOG", "off"), "log requests: off, all, or 1/N for one in N (env FEED_ACCESS_LOG)")
	cpuProfile := fs.String("cpuprofile", envOr(getenv, "FEED_CPUPROFILE", ""), "write a CPU profile to this file until shutdown, for go tool pprof (env FEED_CPUPROFILE)")
	maxConnsFlag := fs.String("max-conns", envOr(getenv, "FEED_MAX_CONNS", "auto"), "most connections open at once; more are closed as soon as accepted; auto is the open-file limit less "+strconv.Itoa(fdReserve)+" (env FEED_MAX_CONNS)")
	grace := fs.String("shutdown-timeout", envOr(getenv, "FEED_SHUTDOWN_TIMEOUT", shutdownTimeout.String()), "on SIGINT or SIGTERM, how long in-flight requests may take before their connections are closed (env FEED_SHUTDOWN_TIMEOUT)")
	healthDetails := fs.String("health-details", envOr(getenv, "FEED_HEALTH_DETAILS", "off"), "who sees /healthz's details (event count, ETag, reload trigger and errors with file paths): off, loopback (clients connected from a loopback address; not behind a proxy on the same host), or all (env FEED_HEALTH_DETAILS)")
	noticeFlags := addNoticeFlags(fs, getenv)
	if err := parseFlags(fs, args, 0); err != nil {
		return serveConfig{}, err
	}
	cfg := serveConfig{addr: *addr, catalogPath: *catalogPath, cpuProfile: *cpuProfile}
	var err error
	if cfg.notices, err = noticeFlags.config(getenv); err != nil {
		return serveConfig{}, err
	}
	if cfg.maxConns, err = parseMaxConns(*maxConnsFlag); err != nil {
		return serveConfig{}, err
	}
	if cfg.gracePeriod, err = time.ParseDuration(*grace); err != nil || cfg.gracePeriod < 0 {
		return serveConfig{}, fmt.Errorf("-shutdown-timeout %q: use a duration such as 10s", *grace)
	}
	if cfg.healthDetails, err = feed.ParseHealthDetails(*healthDetails); err != nil {
		return serveConfig{}, fmt.Errorf("-health-details: %w", err)
	}
	if cfg.log, err = newLogger(*logFormat, stderr); err != nil {
		return serveConfig{}, err
	}
	if cfg.accessEvery, err = parseSampling(*accessLog); err != nil {
		return serveConfig{}, err
	}
	if cfg.base, err = feed.NormalizeBaseURL(*baseURL); err != nil {
		return serveConfig{}, err
	}
	return cfg, nil
}

// newLogger reads the -log-format flag: the service's log to w, as text or
// JSON lines.
func newLogger(format string, w io.Writer) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, fmt.Errorf("-log-format %q: use text or json", format)
}

// httpService is the HTTP server with the listener it serves.
type httpService struct {
	srv    *http.Server
	ln     net.Listener
	conns  *connlimit.Capped // for the count of connections a shutdown closes
	public string            // the URL the feed is announced at
}

// listen binds the address and puts the connection limits on the listener.
func listen(cfg serveConfig, server *feed.Server) (*httpService, error) {
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	if cfg.base == "" && !isLoopback(ln.Addr()) {
		cfg.log.Warn("listening beyond loopback without -base-url: the subscribe page's links follow each request's Host header "+
			"and the page is not cached by shared caches; set -base-url to the public URL", "addr", ln.Addr().String())
	}
	srv := &http.Server{
		Handler:        server,
		MaxHeaderBytes: maxHeaderBytes - headerSlack,
		ErrorLog:       slog.NewLogLogger(cfg.log.Handler(), slog.LevelWarn),
	}
	conns := connlimit.Cap(ln, cfg.maxConns, server.ConnRefused)
	// The connection limits are enforced by the listener, not by
	// http.Server's timeouts, which cost a few per cent of every request.
	// (perf/bare -timeouts sets the same limits as http.Server timeouts,
	// to measure that cost.)
	ln = connlimit.Enforce(srv, conns, connlimit.Timeouts{
		Header:   5 * time.Second,
		Response: 30 * time.Second,
		Idle:     2 * time.Minute,
		Closed:   server.ConnClosed,
	})
	public := cfg.base
	if public == "" {
		public = "http://" + ln.Addr().String()
	}
	return &httpService{srv: srv, ln: ln, conns: conns, public: public}, nil
}

// watchReloads serves the catalog file's next version when the file
// changes, or on SIGHUP, which is the way to reload where the file cannot
// be watched. It returns the function that stops both.
func watchReloads(ctx context.Context, log *slog.Logger, server *feed.Server, path string, cat loadedCatalog) (_ *feed.Reloader, stop func()) {
	reloader := feed.NewReloader(server, path, cat.data, func(data []byte) (*feed.Snapshot, error) {
		return cat.build(path, data)
	}, log)
	watchCtx, stopWatching := context.WithCancel(ctx)
	if err := reloader.Watch(watchCtx); err != nil {
		log.Warn("not watching the catalog file; reload with SIGHUP", "error", err)
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		for {
			select {
			case <-hup:
				_ = reloader.Reload("SIGHUP")
			case <-watchCtx.Done():
				return
			}
		}
	}()
	return reloader, func() {
		signal.Stop(hup)
		stopWatching()
	}
}

// startCoverageWatch runs watchCoverage once every coverageCheckInterval
// until ctx ends. It returns the function that stops its ticker.
func startCoverageWatch(ctx context.Context, log *slog.Logger, server *feed.Server, now func() time.Time) (stop func()) {
	ticker := time.NewTicker(coverageCheckInterval)
	go watchCoverage(ctx, log, server, now, ticker.C)
	return ticker.Stop
}

// serveUntilDone serves requests until ctx ends, then shuts down.
func (s *httpService) serveUntilDone(ctx context.Context, log *slog.Logger, gracePeriod time.Duration) error {
	served := make(chan error, 1)
	go func() { served <- s.srv.Serve(s.ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	return s.shutdown(log, gracePeriod)
}

// shutdown stops accepting connections and gives the requests in flight
// gracePeriod to finish; the connections still open then are closed.
func (s *httpService) shutdown(log *slog.Logger, gracePeriod time.Duration) error {
	log.Info("shutting down", "timeout", gracePeriod)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), gracePeriod)
	defer cancel()
	if err := s.srv.Shutdown(shutdownCtx); err != nil {
		if !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("shutdown: %w", err)
		}
		// A client that stops reading holds its request open until the
		// response limit; the stop should not wait for it, nor fail
		// because of it.
		open := s.conns.Open()
		if err := s.srv.Close(); err != nil {
			return fmt.Errorf("shutdown: %w", err)
		}
		log.Warn("closed the connections still open after the shutdown timeout", "connections", open, "timeout", gracePeriod)
	}
	return nil
}

// parseMaxConns reads the -max-conns flag: a number, or auto for the
// process's open-file limit less fdReserve (no limit where the system has
// none to read).
func parseMaxConns(s string) (int, error) {
	if s == "auto" {
		limit, ok := openFileLimit()
		if !ok || limit > math.MaxInt32 {
			return 0, nil
		}
		return max(int(limit)-fdReserve, 1), nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("-max-conns %q: use auto or a number of connections above 0", s)
	}
	return n, nil
}

// watchCoverage logs a warning at start and then at every tick while the
// catalog being served lacks next year's holiday arrangement although its
// notice may be out: without it the feed quietly has no days off next
// year. It reads the snapshot each time, so that a reload that adds the
// year stops the warnings.
func watchCoverage(ctx context.Context, log *slog.Logger, server *feed.Server, now func() time.Time, ticks <-chan time.Time) {
	warn := func() {
		cat := server.Snapshot().Catalog
		if w := feed.CoverageWarning(cat, now()); w != "" {
			log.Warn("holiday arrangements run out", "last_arranged_year", cat.LastArrangedYear(), "warning", w)
		}
	}
	warn()
	for {
		select {
		case <-ticks:
			warn()
		case <-ctx.Done():
			return
		}
	}
}

// isLoopback reports whether a listener is reached only from this machine.
// An unspecified address (0.0.0.0, ::) is every interface, so it is not.
func isLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// startCPUProfile profiles the process until stop is called: the way to see
// where a request's time goes under a real load generator.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile %q: %w", path, err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// parseSampling reads the -access-log flag: off, all, or 1/N.
func parseSampling(s string) (int, error) {
	switch s {
	case "off":
		return 0, nil
	case "all":
		return 1, nil
	}
	if n, ok := strings.CutPrefix(s, "1/"); ok {
		if every, err := strconv.Atoi(n); err == nil && every > 0 {
			return every, nil
		}
	}
	return 0, fmt.Errorf("-access-log %q: use off, all, or 1/N such as 1/100", s)
}
