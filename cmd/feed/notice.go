package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"feed/events"
	"feed/internal/notice"
	"feed/internal/noticefetch"
)

// importNotice reads a State Council notice on next year's holidays and
// prints its catalog events, to append to a catalog. It prints all of the
// year or nothing: any paragraph it cannot read fails the whole notice.
func importNotice(args []string, stdin io.Reader, stdout, stderr io.Writer, now func() time.Time) error {
	fs := flag.NewFlagSet("feed notice", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: feed notice [flags] FILE|-")
		fmt.Fprintln(stderr, "       feed notice fetch [-year N] [-catalog FILE] [-notice-source URL]")
		fmt.Fprintln(stderr, "Reads a notice 国务院办公厅关于YYYY年部分节假日安排的通知 (the gov.cn page or its text; with fetch, found with gov.cn's search) and prints its [[event]] tables.")
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
	return printNotice(stdout, stderr, n, n.Events(modified), cat, *catalogPath)
}

// printNotice prints a notice's events as catalog tables; with a catalog,
// only those it lacks, and the ones it has with other dates as corrections.
func printNotice(stdout, stderr io.Writer, n *notice.Notice, evs []events.Event, cat *events.Catalog, catalogPath string) error {
	if cat != nil {
		changes, removed := notice.Compare(cat, evs)
		evs = evs[:0]
		for _, c := range changes {
			if c.Old != nil {
				fmt.Fprintf(stderr, "feed notice: %s is in %s with %s to %s; printed as a correction (sequence %d): replace the catalog's table with it\n",
					c.Event.ID, catalogPath, c.Old.When.First, c.Old.When.Last, c.Event.Revision.Sequence)
			}
			evs = append(evs, c.Event)
		}
		for _, old := range removed {
			fmt.Fprintf(stderr, "feed notice: %s is in %s but not in the notice: if the notice was amended, set its status to \"cancelled\", raise its sequence and set modified\n", old.ID, catalogPath)
		}
		if len(evs) == 0 {
			fmt.Fprintf(stderr, "feed notice: %s already has every event of the %d notice\n", catalogPath, n.Year)
			return nil
		}
	}
	heading := fmt.Sprintf("--- Holidays %d, from %s ---\n%s", n.Year, n.Title, n.URL)
	return notice.WriteTOML(stdout, heading, evs)
}

// fetchNotice is feed notice fetch: it finds year's notice with the search,
// reads and proves it as the service does, and prints its events as
// feed notice prints a file's, with the same checks and exit status.
func fetchNotice(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, now func() time.Time) error {
	fs := flag.NewFlagSet("feed notice fetch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	year := fs.Int("year", noticefetch.NextYear(now()), "the year whose notice to fetch (default: next year, China time)")
	catalogPath := fs.String("catalog", "", "leave out the events this catalog already has with the same dates; print changed ones as corrections")
	source := fs.String("notice-source", envOr(getenv, "FEED_NOTICE_SOURCE", noticefetch.DefaultSource), "the search the notice is found with (env FEED_NOTICE_SOURCE)")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	var cat *events.Catalog
	if *catalogPath != "" {
		var err error
		if cat, err = events.Load(*catalogPath); err != nil {
			return catalogError(*catalogPath, err)
		}
	}
	client := &noticefetch.Client{Source: *source}
	proven, err := noticefetch.FetchYear(ctx, client, *year, now())
	if err != nil {
		return err
	}
	latest := proven[len(proven)-1]
	return printNotice(stdout, stderr, latest.Notice, noticefetch.YearEvents(proven), cat, *catalogPath)
}
