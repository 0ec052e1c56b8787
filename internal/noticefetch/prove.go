package noticefetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strings"
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

// Prove reads the page with the importer and checks everything a misread or
// wrong notice would break. The error is the reason the notice is held.
func Prove(f Fetched) (Proven, error) {
	want := ExpectedTitle(f.Year)
	if f.Title != want {
		return Proven{}, fmt.Errorf("the search's title %q is not the yearly arrangement's %q", clip(f.Title, 100), want)
	}
	if f.Published.IsZero() {
		return Proven{}, fmt.Errorf("the notice's publication date is unknown: neither the page's firstpublishedtime nor the search's pubtimeStr reads")
	}
	n, err := notice.Parse(bytes.NewReader(f.Page), notice.Options{URL: f.URL})
	if err != nil {
		return Proven{}, err
	}
	if n.Title != want || n.Year != f.Year {
		return Proven{}, fmt.Errorf("the page's title %q is not the search's %q", n.Title, want)
	}
	for _, b := range n.Breaks {
		if err := checkBreak(n, b); err != nil {
			return Proven{}, fmt.Errorf("line %d: %w\n\t%s", b.Line, err, b.Sentence)
		}
	}
	return Proven{Fetched: f, Notice: n}, nil
}

// checkBreak holds a break to the regulations: it contains its holiday's
// statutory days of the year, and its make-up working days are in no break.
func checkBreak(n *notice.Notice, b notice.Break) error {
	holidays := []events.Holiday{b.Holiday}
	if b.Holiday == events.HolidayMidAutumnNationalDay {
		holidays = []events.Holiday{events.HolidayMidAutumn, events.HolidayNationalDay}
	}
	for _, h := range holidays {
		days, err := events.Statutory(n.Year, h)
		if err != nil {
			return err
		}
		if !days.Contains(b.First, b.Last) {
			var want []string
			for _, r := range days {
				want = append(want, r.First.String()+" to "+r.Last.String())
			}
			return fmt.Errorf("the break %s to %s does not contain %s's statutory days of %d (%s)", b.First, b.Last, h.Name().EN, n.Year, strings.Join(want, ", "))
		}
	}
	for _, d := range b.Workdays {
		for _, other := range n.Breaks {
			if !d.Before(other.First) && !other.Last.Before(d) {
				return fmt.Errorf("make-up working day %s is inside the %s break %s to %s", d, other.Holiday.Name().EN, other.First, other.Last)
			}
		}
	}
	return nil
}

// FetchYear finds year's notice with the search, fetches every item that is
// that notice and proves each, in publication order: the first failure is
// the error, as it would hold the notice in the service.
func FetchYear(ctx context.Context, c *Client, year int, now time.Time) ([]Proven, error) {
	items, err := c.Search(ctx, year)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("the search lists no %s (yet)", ExpectedTitle(year))
	}
	var out []Proven
	for _, it := range items {
		page, err := c.Page(ctx, it.URL)
		if err != nil {
			return nil, err
		}
		p, err := Prove(newFetched(year, it, page, now))
		if err != nil {
			return nil, fmt.Errorf("notice %s: %w", it.URL, err)
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return before(out[i].Fetched, out[j].Fetched) })
	return out, nil
}
