package main

import (
	"flag"
	"fmt"
	"io"

	"feed"
)

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
