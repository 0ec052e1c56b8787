// Command feed serves an events catalog as an iCalendar feed that calendar
// apps subscribe to.
//
// With no flags it serves the embedded catalog at
// http://localhost:8080/calendar.ics.
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
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", envOr(getenv, "FEED_ADDR", "localhost:8080"), "listen address (env FEED_ADDR)")
	catalogPath := fs.String("catalog", getenv("FEED_CATALOG"), "catalog file to serve instead of the embedded one (env FEED_CATALOG)")
	baseURL := fs.String("base-url", getenv("FEED_BASE_URL"), "public URL the feed is reached at, such as https://feed.example.org (env FEED_BASE_URL)")
	verbose := fs.Bool("v", getenv("FEED_DEBUG") != "", "log every request (env FEED_DEBUG)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q; see -h", fs.Arg(0))
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	base, err := feed.NormalizeBaseURL(*baseURL)
	if err != nil {
		return err
	}
	build := func(file string, data []byte) (*feed.Snapshot, error) {
		cat, err := events.Parse(file, data)
		if err != nil {
			return nil, err
		}
		return feed.Build(cat, base)
	}
	file, data, err := readCatalog(*catalogPath)
	if err != nil {
		return err
	}
	snap, err := build(file, data)
	if err != nil {
		return catalogError(file, err)
	}
	cat := snap.Catalog
	server := feed.NewServer(snap, log)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	srv := &http.Server{
		Handler:           server,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
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
		go func() {
			if err := reloader.Watch(watchCtx); err != nil {
				log.Warn("not watching the catalog file; reload with SIGHUP", "error", err)
			}
		}()
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

func envOr(getenv func(string) string, key, fallback string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return fallback
}
