package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"feed"
	"feed/internal/export"
)

// exportSite writes every URL that the service links to as files for a
// static host, with the headers the host needs.
func exportSite(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("feed export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("o", "", "directory to write into (required): a new or empty one, or one that an export wrote")
	intoExisting := fs.Bool("into-existing", false, "allow the first export into a directory that holds other files; they are kept, never deleted")
	catalogPath, baseURL := catalogFlags(fs, getenv)
	notices := fs.String("notices", "", "add the notices a service kept in this folder (-notices of feed serve), as it serves them; nothing is fetched")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("export needs -o DIR")
	}
	if *baseURL == "" {
		return errors.New("export needs -base-url: the exported feeds and page name the URL they are served at")
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	snap, err := loadWithStoredNotices(*catalogPath, *baseURL, *notices, log)
	if err != nil {
		return err
	}
	server := feed.NewServer(snap, log)
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
