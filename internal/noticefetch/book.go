package noticefetch

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"feed/events"
	"feed/internal/notice"
)

// Book is the notices proven, by year in publication order, and what the
// latest composition with a catalog made of them. It is safe for concurrent
// use: the poller adds to it while a reload composes.
type Book struct {
	mu       sync.Mutex
	proven   map[int][]Proven
	composed []composition // the latest few, newest last
}

// composition is what one Compose made: the catalog, and what became of
// each year's notice in it.
type composition struct {
	cat     *events.Catalog
	entries []Entry // by year
	warns   []string
}

// keptCompositions is how many compositions are remembered: the one being
// served and those built since, not yet swapped in.
const keptCompositions = 4

// NewBook is an empty book.
func NewBook() *Book { return &Book{proven: make(map[int][]Proven)} }

// Entry is what became of a year's notice.
type Entry struct {
	Year      int       `json:"year"`
	URL       string    `json:"url"`
	Published time.Time `json:"published,omitzero"`
	// State is "applied" (served), "catalog" (the catalog has the year:
	// the catalog wins) or "held" (not served, see Reason).
	State  string `json:"state"`
	Reason string `json:"reason,omitempty"`
}

// The states of an Entry.
const (
	StateApplied = "applied"
	StateCatalog = "catalog"
	StateHeld    = "held"
)

// Add puts a proven notice in the book and reports whether it is new: the
// same page from the same address is there once.
func (b *Book) Add(p Proven) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, q := range b.proven[p.Year] {
		if q.URL == p.URL && q.SHA256 == p.SHA256 {
			return false
		}
	}
	versions := append(b.proven[p.Year], p)
	sort.SliceStable(versions, func(i, j int) bool { return before(versions[i].Fetched, versions[j].Fetched) })
	b.proven[p.Year] = versions
	return true
}

// Has reports whether a notice read from address is in the book.
func (b *Book) Has(address string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, vs := range b.proven {
		for _, p := range vs {
			if p.URL == address {
				return true
			}
		}
	}
	return false
}

// Latest is year's latest notice in the book.
func (b *Book) Latest(year int) (Proven, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	vs := b.proven[year]
	if len(vs) == 0 {
		return Proven{}, false
	}
	return vs[len(vs)-1], true
}

// Entries are what the Compose that made the served catalog did with each
// year's notice, and the disagreements it found between the catalog and a
// notice; for a catalog it did not make, the latest Compose's.
func (b *Book) Entries(served *events.Catalog) ([]Entry, []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.composed) == 0 {
		return nil, nil
	}
	c := b.composed[len(b.composed)-1]
	for _, k := range b.composed {
		if k.cat == served {
			c = k
		}
	}
	return slices.Clone(c.entries), slices.Clone(c.warns)
}

// YearEvents are the events of year's notices: the first notice's, then
// each later one's as corrections of them. An event a later notice changes
// keeps its id and has its sequence raised; one it no longer has is
// cancelled, its sequence raised, so that subscribers' copies go; one it
// leaves as it was keeps its revision.
func YearEvents(versions []Proven) []events.Event {
	var cur []events.Event
	for i, p := range versions {
		evs := p.Events()
		if i == 0 {
			cur = evs
			continue
		}
		old := make(map[string]events.Event, len(cur))
		for _, ev := range cur {
			old[ev.ID] = ev
		}
		seen := make(map[string]bool, len(evs))
		next := make([]events.Event, 0, len(evs))
		for _, ev := range evs {
			seen[ev.ID] = true
			if prev, ok := old[ev.ID]; ok {
				if sameDays(prev, ev) {
					// The event the subscribers have is right: it
					// keeps its link to the notice that gave it.
					ev = prev
				} else {
					ev.Revision.Sequence = prev.Revision.Sequence + 1
				}
			}
			next = append(next, ev)
		}
		for _, prev := range cur {
			if seen[prev.ID] {
				continue
			}
			if prev.Status != events.StatusCancelled {
				prev.Status = events.StatusCancelled
				prev.Revision = events.Revision{Modified: p.Published.UTC().Truncate(time.Second), Sequence: prev.Revision.Sequence + 1}
			}
			next = append(next, prev)
		}
		cur = next
	}
	return cur
}

// sameDays reports whether two versions of an event say the same, but for
// their revision and the notice they link.
func sameDays(a, b events.Event) bool {
	a.Revision, b.Revision = events.Revision{}, events.Revision{}
	a.URL, b.URL = "", ""
	a.Sources, b.Sources = nil, nil
	return reflect.DeepEqual(a, b)
}

// HoldsYear reports whether the catalog has any of year's arrangement, as
// the notice importer names its events: then the catalog's data wins.
func HoldsYear(cat *events.Catalog, year int) bool {
	for _, h := range events.Holidays() {
		if _, ok := cat.Event(notice.DaysOffID(h, year)); ok {
			return true
		}
	}
	return false
}

// Compose reads the catalog file's data and adds, for every year in the
// book that the catalog does not hold, that year's notice events, as if
// they had been imported with feed notice and appended to the file: the
// catalog's own checks (among them, every break against the statutory
// days) run on them, and the year's statutory days give way to them. A
// year the catalog holds is left to the catalog; where the notice
// disagrees with it, Compose warns. A notice whose events the catalog
// refuses is held, and the rest are applied. The error is the catalog's
// own.
func (b *Book) Compose(file string, data []byte) (*events.Catalog, error) {
	base, err := events.Parse(file, data)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	years := make([]int, 0, len(b.proven))
	versions := make(map[int][]Proven, len(b.proven))
	for y, vs := range b.proven {
		years = append(years, y)
		versions[y] = slices.Clone(vs)
	}
	b.mu.Unlock()
	sort.Ints(years)
	cat, composed := base, slices.Clip(data)
	var entries []Entry
	var warns []string
	for _, year := range years {
		vs := versions[year]
		latest := vs[len(vs)-1]
		entry := Entry{Year: year, URL: latest.URL, Published: latest.Published}
		evs := YearEvents(vs)
		if HoldsYear(base, year) {
			entry.State = StateCatalog
			if w := disagreement(base, latest, evs); w != "" {
				warns = append(warns, w)
			}
			entries = append(entries, entry)
			continue
		}
		var toml bytes.Buffer
		heading := fmt.Sprintf("--- Holidays %d, from %s ---\n%s (fetched; published %s)", year, latest.Notice.Title, latest.URL, latest.Published.In(chinaTime).Format("2006-01-02"))
		if err := notice.WriteTOML(&toml, heading, evs); err != nil {
			return nil, err
		}
		next := append(composed, toml.Bytes()...)
		c, err := events.Parse(file, next)
		if err != nil {
			// The catalog's path stays in the log: /healthz may be public.
			entry.State, entry.Reason = StateHeld, "its events do not fit the catalog: "+strings.ReplaceAll(err.Error(), file, "the catalog")
			entries = append(entries, entry)
			continue
		}
		entry.State = StateApplied
		entries = append(entries, entry)
		cat, composed = c, slices.Clip(next)
	}
	b.mu.Lock()
	b.composed = append(b.composed, composition{cat: cat, entries: entries, warns: warns})
	if len(b.composed) > keptCompositions {
		b.composed = slices.Delete(b.composed, 0, len(b.composed)-keptCompositions)
	}
	b.mu.Unlock()
	return cat, nil
}

// disagreement says where the catalog's arrangement of a year differs from
// the fetched notice's, or nothing.
func disagreement(cat *events.Catalog, latest Proven, evs []events.Event) string {
	var confirmed []events.Event
	for _, ev := range evs {
		if ev.Status != events.StatusCancelled {
			confirmed = append(confirmed, ev)
		}
	}
	changes, removed := notice.Compare(cat, confirmed)
	var diffs []string
	for _, c := range changes {
		if c.Old != nil {
			diffs = append(diffs, fmt.Sprintf("%s is %s to %s in the catalog, %s to %s in the notice", c.Event.ID, c.Old.When.First, c.Old.When.Last, c.Event.When.First, c.Event.When.Last))
		} else {
			diffs = append(diffs, fmt.Sprintf("%s (%s to %s) is in the notice, not in the catalog", c.Event.ID, c.Event.When.First, c.Event.When.Last))
		}
	}
	for _, old := range removed {
		diffs = append(diffs, fmt.Sprintf("%s is in the catalog, not in the notice", old.ID))
	}
	if len(diffs) == 0 {
		return ""
	}
	return fmt.Sprintf("the catalog's arrangement for %d differs from the notice fetched from %s (the catalog's is served): %s",
		latest.Year, latest.URL, strings.Join(diffs, "; "))
}
