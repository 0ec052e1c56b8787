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
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
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

// shutdownTimeout bounds how long in-flight requests may take to finish
// after a stop signal.
const shutdownTimeout = 10 * time.Second

// run is the whole program, with its inputs passed in so that tests can run
// it: it returns when ctx ends (after a graceful shutdown) or on failure.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	command, rest := "serve", args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		command, rest = rest[0], rest[1:]
	}
	switch command {
	case "serve":
		return serve(ctx, rest, getenv, stdout, stderr)
	case "check":
		return check(rest, stdout, stderr)
	case "render":
		return render(rest, getenv, stdout, stderr)
	case "export":
		return export(rest, getenv, stdout, stderr)
	}
	return fmt.Errorf("unknown command %q; commands: serve (the default), check, render, export", command)
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

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	floor := make([]byte, heapFloor)
	defer runtime.KeepAlive(floor)
	fs := flag.NewFlagSet("feed serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", envOr(getenv, "FEED_ADDR", "localhost:8080"), "listen address (env FEED_ADDR)")
	catalogPath, baseURL := catalogFlags(fs, getenv)
	logFormat := fs.String("log-format", envOr(getenv, "FEED_LOG_FORMAT", "text"), "log as text or json (env FEED_LOG_FORMAT)")
	accessLog := fs.String("access-log", envOr(getenv, "FEED_ACCESS_LOG", "off"), "log requests: off, all, or 1/N for one in N (env FEED_ACCESS_LOG)")
	cpuProfile := fs.String("cpuprofile", envOr(getenv, "FEED_CPUPROFILE", ""), "write a CPU profile to this file until shutdown, for go tool pprof (env FEED_CPUPROFILE)")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	var handler slog.Handler
	switch *logFormat {
	case "text":
		handler = slog.NewTextHandler(stderr, nil)
	case "json":
		handler = slog.NewJSONHandler(stderr, nil)
	default:
		return fmt.Errorf("-log-format %q: use text or json", *logFormat)
	}
	log := slog.New(handler)
	every, err := parseSampling(*accessLog)
	if err != nil {
		return err
	}

	base, err := feed.NormalizeBaseURL(*baseURL)
	if err != nil {
		return err
	}
	build := builder(base)
	file, data, err := readCatalog(*catalogPath)
	if err != nil {
		return err
	}
	snap, err := build(file, data)
	if err != nil {
		return catalogError(file, err)
	}
	cat := snap.Catalog
	server := feed.NewServer(snap, log, feed.WithAccessLog(every))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	if base == "" && !isLoopback(ln.Addr()) {
		log.Warn("listening beyond loopback without -base-url: the subscribe page's links follow each request's Host header "+
			"and the page is not cached by shared caches; set -base-url to the public URL", "addr", ln.Addr().String())
	}
	srv := &http.Server{
		Handler:        server,
		MaxHeaderBytes: 16 << 10,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	// The connection limits are enforced by the listener, not by
	// http.Server's timeouts, which cost a few per cent of every request.
	// (perf/bare -timeouts sets the same limits as http.Server timeouts,
	// to measure that cost.)
	ln = feed.EnforceConnTimeouts(srv, ln, feed.ConnTimeouts{
		Header:   5 * time.Second,
		Response: 30 * time.Second,
		Idle:     2 * time.Minute,
		Closed:   server.ConnClosed,
	})
	public := base
	if public == "" {
		public = "http://" + ln.Addr().String()
	}

	if *catalogPath != "" {
		reloader := feed.NewReloader(server, *catalogPath, data, func(data []byte) (*feed.Snapshot, error) {
			return build(*catalogPath, data)
		}, log)
		watchCtx, stopWatching := context.WithCancel(ctx)
		defer stopWatching()
		if err := reloader.Watch(watchCtx); err != nil {
			log.Warn("not watching the catalog file; reload with SIGHUP", "error", err)
		}
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
		go func() {
			for {
				select {
				case <-hup:
					_ = reloader.Reload("SIGHUP", true)
				case <-watchCtx.Done():
					return
				}
			}
		}()
	}

	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}

	log.Info("serving", "events", len(cat.Events), "feed", public+feed.CalendarPath, "etag", snap.ETag())
	fmt.Fprintf(stdout, "Subscribe to %s%s\n", public, feed.CalendarPath)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", shutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
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
// file's, or the embedded default's when path is empty.
func readCatalog(path string) (string, []byte, error) {
	if path == "" {
		return events.DefaultFile, events.DefaultSource(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return path, nil, fmt.Errorf("load catalog %q: %w", path, err)
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

// load reads, validates and renders the catalog that the flags name.
func load(catalogPath, baseURL string) (*feed.Snapshot, error) {
	base, err := feed.NormalizeBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	file, data, err := readCatalog(catalogPath)
	if err != nil {
		return nil, err
	}
	snap, err := builder(base)(file, data)
	if err != nil {
		return nil, catalogError(file, err)
	}
	return snap, nil
}

// check validates catalog files, printing every error with file, line and
// field, for a catalog's own CI.
func check(args []string, stdout, stderr io.Writer) error {
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
	v, err := feed.ParseVariant(*query, *event == "")
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

// export writes every URL that the service links to as files for a static
// host, with the headers the host needs.
func export(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("feed export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("o", "", "directory to write into (required)")
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
	files, err := feed.Export(server, snap, *dir)
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

func envOr(getenv func(string) string, key, fallback string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return fallback
}
