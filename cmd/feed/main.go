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
//	feed notice fetch [-year N] find next year's notice on gov.cn, prove it and print its events
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
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
		if len(rest) > 0 && rest[0] == "fetch" {
			return fetchNotice(ctx, rest[1:], getenv, stdout, stderr, now)
		}
		return importNotice(rest, os.Stdin, stdout, stderr, now)
	}
	return fmt.Errorf("unknown command %q; commands: serve (the default), check, render, export, notice", command)
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
	return loadCatalogWith(path, builder(base))
}

// loadCatalogWith reads the catalog at path, or the embedded one, and
// builds its snapshot with build, which later reloads use too.
func loadCatalogWith(path string, build func(file string, data []byte) (*feed.Snapshot, error)) (loadedCatalog, error) {
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

func envOr(getenv func(string) string, key, fallback string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return fallback
}
