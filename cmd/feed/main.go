// Command feed serves an events catalog as an iCalendar feed that calendar
// apps subscribe to.
//
// With no arguments it serves the embedded catalog at
// http://localhost:8080/calendar.ics. Its commands:
//
//	feed [serve] [flags]        serve the feed (the default)
//	feed check FILE...          validate catalog files; exit 1 on any error
//	feed render [flags] [FILE]  write a feed to standard output
//	feed export -o DIR [flags]  write every linked URL as static files
//	feed notice [flags] FILE|-  turn a State Council holiday notice into catalog events
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
	// The tz database that Go ships, so that a machine without
	// /usr/share/zoneinfo renders the same time zones.
	_ "time/tzdata"

	"feed"
	"feed/events"
	"feed/internal/connlimit"
	"feed/internal/export"
	"feed/internal/notice"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "feed:", err)
		os.Exit(1)
	}
}

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

// run is the whole program, with its inputs passed in so that tests can run
// it: it returns when ctx ends (after a graceful shutdown) or on failure.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return runAt(ctx, time.Now, args, getenv, stdout, stderr)
}

// runAt is run with the clock that every command reads: the day decides
// whether the catalog's holiday arrangements are running out.
func runAt(ctx context.Context, now func() time.Time, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	command, rest := "serve", args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		command, rest = rest[0], rest[1:]
	}
	switch command {
	case "serve":
		return serve(ctx, now, rest, getenv, stdout, stderr)
	case "check":
		return check(now, rest, stdout, stderr)
	case "render":
		return render(rest, getenv, stdout, stderr)
	case "export":
		return exportSite(rest, getenv, stdout, stderr)
	case "notice":
		return importNotice(rest, os.Stdin, stdout, stderr, now)
	}
	return fmt.Errorf("unknown command %q; commands: serve (the default), check, render, export, notice", command)
}

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
	cat, err := loadCatalog(cfg.catalogPath, cfg.base)
	if err != nil {
		return err
	}
	server := feed.NewServer(cat.snap, cfg.log, feed.WithAccessLog(cfg.accessEvery), feed.WithHealthDetails(cfg.healthDetails), feed.WithClock(now))
	svc, err := listen(cfg, server)
	if err != nil {
		return err
	}
	if cfg.catalogPath != "" {
		stopReloading := watchReloads(ctx, cfg.log, server, cfg.catalogPath, cat)
		defer stopReloading()
	}
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
	if err := parseFlags(fs, args, 0); err != nil {
		return serveConfig{}, err
	}
	cfg := serveConfig{addr: *addr, catalogPath: *catalogPath, cpuProfile: *cpuProfile}
	var err error
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
func watchReloads(ctx context.Context, log *slog.Logger, server *feed.Server, path string, cat loadedCatalog) (stop func()) {
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
	return func() {
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

// readCatalog returns the catalog's name for messages and its bytes: the
// file's, or the embedded default's when path is empty. A file larger than
// events.MaxCatalogBytes is refused without reading the rest of it.
func readCatalog(path string) (string, []byte, error) {
	if path == "" {
		return events.DefaultFile, events.DefaultSource(), nil
	}
	data, err := events.ReadFile(path)
	if err != nil {
		return path, nil, catalogError(path, err)
	}
	return path, data, nil
}

func catalogError(file string, err error) error {
	var list events.Errors
	if errors.As(err, &list) {
		return fmt.Errorf("catalog %s has %d error(s):\n%w", file, len(list), err)
	}
	return fmt.Errorf("load catalog %q: %w", file, err)
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

// catalogFlags are the flags of every command that reads a catalog.
func catalogFlags(fs *flag.FlagSet, getenv func(string) string) (catalogPath, baseURL *string) {
	catalogPath = fs.String("catalog", getenv("FEED_CATALOG"), "catalog file instead of the embedded one (env FEED_CATALOG)")
	baseURL = fs.String("base-url", getenv("FEED_BASE_URL"), "public URL the feed is reached at, such as https://feed.example.org (env FEED_BASE_URL)")
	return catalogPath, baseURL
}

// parseFlags parses args and allows at most maxArgs arguments after them.
func parseFlags(fs *flag.FlagSet, args []string, maxArgs int) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > maxArgs {
		return fmt.Errorf("unexpected argument %q; see %s -h", fs.Arg(maxArgs), fs.Name())
	}
	return nil
}

// builder turns a catalog file's bytes into a snapshot served at base.
func builder(base string) func(file string, data []byte) (*feed.Snapshot, error) {
	return func(file string, data []byte) (*feed.Snapshot, error) {
		cat, err := events.Parse(file, data)
		if err != nil {
			return nil, err
		}
		return feed.Build(cat, base)
	}
}

// loadedCatalog is a catalog read and rendered, with what a reload needs to
// build the file's next version the same way.
type loadedCatalog struct {
	data  []byte // the bytes read, which a reload compares the file with
	build func(file string, data []byte) (*feed.Snapshot, error)
	snap  *feed.Snapshot
}

// loadCatalog reads, validates and renders the catalog at path, or the
// embedded one when path is empty, served at base (already normalized).
func loadCatalog(path, base string) (loadedCatalog, error) {
	build := builder(base)
	file, data, err := readCatalog(path)
	if err != nil {
		return loadedCatalog{}, err
	}
	snap, err := build(file, data)
	if err != nil {
		return loadedCatalog{}, catalogError(file, err)
	}
	return loadedCatalog{data: data, build: build, snap: snap}, nil
}

// load reads, validates and renders the catalog that the flags name.
func load(catalogPath, baseURL string) (*feed.Snapshot, error) {
	base, err := feed.NormalizeBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	cat, err := loadCatalog(catalogPath, base)
	if err != nil {
		return nil, err
	}
	return cat.snap, nil
}

// check validates catalog files, printing every error with file, line and
// field, for a catalog's own CI.
func check(now func() time.Time, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("feed check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, "usage: feed check FILE...") }
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("check needs at least one catalog file")
	}
	bad := 0
	for _, path := range fs.Args() {
		cat, err := events.Load(path)
		var list events.Errors
		switch {
		case errors.As(err, &list):
			bad++
			for _, e := range list {
				fmt.Fprintln(stdout, e)
			}
		case err != nil:
			bad++
			fmt.Fprintf(stdout, "%s: %v\n", path, err)
		default:
			fmt.Fprintf(stdout, "%s: ok, %d events\n", path, len(cat.Events))
			// A warning, not an error: the catalog is right, and the
			// notice may not be out yet.
			if w := feed.CoverageWarning(cat, now()); w != "" {
				fmt.Fprintf(stdout, "%s: warning: %s\n", path, w)
			}
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d catalog file(s) have errors", bad, fs.NArg())
	}
	return nil
}

// render writes one feed to standard output.
func render(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("feed render", flag.ContinueOnError)
	fs.SetOutput(stderr)
	_, baseURL := catalogFlags(fs, getenv)
	query := fs.String("query", "", "the variant, as a feed URL's query, such as kind=day-off&lang=zh")
	format := fs.String("format", "ics", "ics or json (jCal)")
	event := fs.String("event", "", "render the calendar of this one event")
	if err := parseFlags(fs, args, 1); err != nil {
		return err
	}
	snap, err := load(fs.Arg(0), *baseURL)
	if err != nil {
		return err
	}
	f := feed.FormatICS
	switch *format {
	case "ics":
	case "json":
		f = feed.FormatJCal
	default:
		return fmt.Errorf("-format %q: use ics or json", *format)
	}
	parse := feed.ParseFeedVariant
	if *event != "" {
		parse = feed.ParseEventVariant
	}
	v, err := parse(*query)
	if err != nil {
		return err
	}
	var body []byte
	if *event != "" {
		res, found, err := snap.Event(*event, v, f)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("no event with id %q", *event)
		}
		body = res.Body()
	} else {
		res, err := snap.Calendar(v, f)
		if err != nil {
			return err
		}
		body = res.Body()
	}
	_, err = stdout.Write(body)
	return err
}

// exportSite writes every URL that the service links to as files for a
// static host, with the headers the host needs.
func exportSite(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("feed export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("o", "", "directory to write into (required): a new or empty one, or one that an export wrote")
	intoExisting := fs.Bool("into-existing", false, "allow the first export into a directory that holds other files; they are kept, never deleted")
	catalogPath, baseURL := catalogFlags(fs, getenv)
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("export needs -o DIR")
	}
	if *baseURL == "" {
		return errors.New("export needs -base-url: the exported feeds and page name the URL they are served at")
	}
	snap, err := load(*catalogPath, *baseURL)
	if err != nil {
		return err
	}
	server := feed.NewServer(snap, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	files, err := export.Write(server, snap.ExportURLs(), *dir, export.Options{IntoExisting: *intoExisting})
	if errors.Is(err, export.ErrForeignDir) {
		return fmt.Errorf("%w; export into a new or empty directory, or pass -into-existing to write beside these files (they are never deleted)", err)
	}
	if err != nil {
		return err
	}
	changed := 0
	for _, f := range files {
		if f.Changed {
			changed++
		}
	}
	fmt.Fprintf(stdout, "exported %d URLs to %s (%d changed), with nginx.conf and _headers\n", len(files), *dir, changed)
	return nil
}

// importNotice reads a State Council notice on next year's holidays and
// prints its catalog events, to append to a catalog. It prints all of the
// year or nothing: any paragraph it cannot read fails the whole notice.
func importNotice(args []string, stdin io.Reader, stdout, stderr io.Writer, now func() time.Time) error {
	fs := flag.NewFlagSet("feed notice", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: feed notice [flags] FILE|-")
		fmt.Fprintln(stderr, "Reads a notice 国务院办公厅关于YYYY年部分节假日安排的通知 (the gov.cn page or its text) and prints its [[event]] tables.")
		fs.PrintDefaults()
	}
	catalogPath := fs.String("catalog", "", "leave out the events this catalog already has with the same dates; print changed ones as corrections")
	address := fs.String("url", "", "the notice's address (default: the page's canonical link; required for pasted text)")
	modifiedFlag := fs.String("modified", "", "the events' revision time, such as 2027-11-05T00:00:00Z (default: now)")
	if err := parseFlags(fs, args, 1); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("notice needs one file, or - for standard input")
	}
	modified := now().UTC().Truncate(time.Second)
	if *modifiedFlag != "" {
		t, err := time.Parse(time.RFC3339, *modifiedFlag)
		if err != nil {
			return fmt.Errorf("-modified %q: use a date-time with a UTC offset such as 2027-11-05T00:00:00Z", *modifiedFlag)
		}
		modified = t.UTC()
	}
	var cat *events.Catalog
	if *catalogPath != "" {
		var err error
		if cat, err = events.Load(*catalogPath); err != nil {
			return catalogError(*catalogPath, err)
		}
	}
	in, name := stdin, "standard input"
	if path := fs.Arg(0); path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("read notice: %w", err)
		}
		defer f.Close()
		in, name = f, path
	}
	n, err := notice.Parse(in, notice.Options{URL: *address, Now: now()})
	if err != nil {
		return fmt.Errorf("notice %s: %w", name, err)
	}
	if strings.Contains(n.URL, "/zhengceku/") {
		fmt.Fprintf(stderr, "feed notice: %s is the policy library's copy; the catalog links the notice itself under /zhengce/content/ (its number is one lower): give it with -url\n", n.URL)
	}
	evs := n.Events(modified)
	if cat != nil {
		changes, removed := notice.Compare(cat, evs)
		evs = evs[:0]
		for _, c := range changes {
			if c.Old != nil {
				fmt.Fprintf(stderr, "feed notice: %s is in %s with %s to %s; printed as a correction (sequence %d): replace the catalog's table with it\n",
					c.Event.ID, *catalogPath, c.Old.When.First, c.Old.When.Last, c.Event.Revision.Sequence)
			}
			evs = append(evs, c.Event)
		}
		for _, old := range removed {
			fmt.Fprintf(stderr, "feed notice: %s is in %s but not in the notice: if the notice was amended, set its status to \"cancelled\", raise its sequence and set modified\n", old.ID, *catalogPath)
		}
		if len(evs) == 0 {
			fmt.Fprintf(stderr, "feed notice: %s already has every event of the %d notice\n", *catalogPath, n.Year)
			return nil
		}
	}
	heading := fmt.Sprintf("--- Holidays %d, from %s ---\n%s", n.Year, n.Title, n.URL)
	return notice.WriteTOML(stdout, heading, evs)
}

func envOr(getenv func(string) string, key, fallback string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return fallback
}
