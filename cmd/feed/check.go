package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"feed"
	"feed/events"
)

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
