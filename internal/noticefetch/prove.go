package noticefetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"time"

	"feed/events"
	"feed/internal/notice"
)

// Fetched is a notice page as fetched, with its provenance.
type Fetched struct {
	Year      int       // the year the search was asked for
	URL       string    // the address the search gave, and the page was read from
	Title     string    // the search item's title, without highlighting
	Published time.Time // the notice's publication time, from the page or the search; never the fetch time
	FetchedAt time.Time
	SHA256    string // of Page, in hex
	Page      []byte
}

// newFetched records a page fetched for item at when. Its publication time is
// the page's own (its firstpublishedtime meta tag) or else the search's day.
func newFetched(year int, item SearchItem, page []byte, when time.Time) Fetched {
	sum := sha256.Sum256(page)
	f := Fetched{Year: year, URL: item.URL, Title: item.PlainTitle(), FetchedAt: when.UTC().Truncate(time.Second),
		SHA256: hex.EncodeToString(sum[:]), Page: page}
	if t, ok := pagePublished(page); ok {
		f.Published = t
	} else if t, ok := item.Published(); ok {
		f.Published = t
	}
	f.Published = f.Published.UTC()
	return f
}

// firstPublished is gov.cn's meta tag with the page's first publication:
// <meta name="firstpublishedtime" content="2025-11-04-16:31:05">.
var firstPublished = regexp.MustCompile(`(?i)<meta\s+name="firstpublishedtime"\s+content="(\d{4}-\d{2}-\d{2})-(\d{2}:\d{2}:\d{2})"`)

// pagePublished reads the page's firstpublishedtime, China time.
func pagePublished(page []byte) (time.Time, bool) {
	m := firstPublished.FindSubmatch(page)
	if m == nil {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation("2006-01-02 15:04:05", string(m[1])+" "+string(m[2]), chinaTime)
	return t, err == nil
}

// Proven is a notice read and proven: what may be applied.
type Proven struct {
	Fetched
	Notice *notice.Notice
}

// Events are the notice's catalog events, with the notice's publication time
// as their revision, so that every instance that fetched it, whenever it
// did, serves the same bytes.
func (p Proven) Events() []events.Event { return p.Notice.Events(p.Published) }

// Prove reads the page with the importer, which holds it to everything a
// misread or wrong notice would break (its title is the year's yearly
// arrangement's, its weekdays and counts, its breaks against the statutory
// days, its make-up days); now is when it is read. The error is the reason
// the notice is held, as feed notice gives it for the same page.
func Prove(f Fetched, now time.Time) (Proven, error) {
	want := notice.ExpectedTitle(f.Year)
	if f.Title != want {
		return Proven{}, fmt.Errorf("the search's title %q is not the yearly arrangement's %q", clip(f.Title, 100), want)
	}
	n, err := notice.Parse(bytes.NewReader(f.Page), notice.Options{URL: f.URL, Title: want, Now: now})
	if err != nil {
		return Proven{}, err
	}
	if n.Year != f.Year {
		return Proven{}, fmt.Errorf("the notice arranges %d, not the %d asked for", n.Year, f.Year)
	}
	if f.Published.IsZero() {
		return Proven{}, fmt.Errorf("the notice's publication date is unknown: neither the page's firstpublishedtime nor the search's pubtimeStr reads")
	}
	// The publication time becomes every event's revision: a date that
	// cannot be the notice's would put a wrong one in every calendar.
	if py := f.Published.In(chinaTime).Year(); py != f.Year-1 && py != f.Year || f.Published.After(now.Add(24*time.Hour)) {
		return Proven{}, fmt.Errorf("the notice's publication time %s is not one a notice for %d could have (in %d or %d, and not after now)",
			f.Published.In(chinaTime).Format("2006-01-02 15:04"), f.Year, f.Year-1, f.Year)
	}
	return Proven{Fetched: f, Notice: n}, nil
}

// FetchYear finds year's notice with the search, fetches every item that is
// that notice and proves each, in publication order: the first failure is
// the error, as it would hold the notice in the service.
func FetchYear(ctx context.Context, c *Client, year int, now time.Time) ([]Proven, error) {
	items, _, err := c.Search(ctx, year)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("the search lists no %s (yet)", notice.ExpectedTitle(year))
	}
	var out []Proven
	for _, it := range items {
		page, err := c.Page(ctx, it.URL)
		if err != nil {
			return nil, err
		}
		p, err := Prove(newFetched(year, it, page, now), now)
		if err != nil {
			return nil, fmt.Errorf("notice %s: %w", it.URL, err)
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return before(out[i].Fetched, out[j].Fetched) })
	return out, nil
}
