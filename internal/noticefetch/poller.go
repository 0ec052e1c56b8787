package noticefetch

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"time"

	"feed/events"
)

// The schedule: every SeasonInterval from 15 October (China time) until
// the next year's notice is in, every OffSeasonInterval otherwise, since
// amendments and extra notices come in any month.
const (
	SeasonInterval    = time.Hour
	OffSeasonInterval = 24 * time.Hour
	seasonMonth       = time.October
	seasonDay         = 15
)

// maxBackoff bounds the wait after failed polls.
const maxBackoff = 24 * time.Hour

// The outcomes of a poll, as /metrics counts them.
const (
	OutcomeApplied   = "applied"   // a new notice was proven and applied
	OutcomeHeld      = "held"      // a notice was found and held
	OutcomeUnchanged = "unchanged" // nothing new
	OutcomeFailed    = "failed"    // the search or a page could not be read
)

// Status is what the poller tells /healthz.
type Status struct {
	LastPoll    time.Time `json:"last_poll,omitzero"`
	LastSuccess time.Time `json:"last_success,omitzero"` // the last poll that read every answer
	NextPoll    time.Time `json:"next_poll,omitzero"`
	LastError   string    `json:"last_error,omitempty"` // of the last poll, if it failed
	Applied     []Entry   `json:"applied,omitempty"`    // served
	InCatalog   []Entry   `json:"in_catalog,omitempty"` // proven, but the catalog has the year
	Held        []Entry   `json:"held,omitempty"`       // not served, with the reason
	Warnings    []string  `json:"warnings,omitempty"`   // disagreements with the catalog; an unwritable store
}

// Poller asks the search on its schedule, proves what it finds, keeps it in
// the store and the book, and has it applied.
type Poller struct {
	Client *Client
	// Store keeps the notices; nil keeps them in memory only.
	Store *Store
	Book  *Book
	Log   *slog.Logger
	Now   func() time.Time
	// Interval replaces the schedule when above 0.
	Interval time.Duration

	mu       sync.Mutex
	arranged func(year int) bool // from Connect
	apply    func(trigger string) error
	polled   func(outcome string)

	held        map[string]Entry // by address
	last        Status
	failures    int
	storeFailed error
}

func (p *Poller) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// Connect gives the poller the service it serves: apply rebuilds the
// served catalog with the book, as a reload does; polled is told each
// poll's outcome; arranged reports whether the catalog being served has a
// year's arrangement, which ends the hourly season.
func (p *Poller) Connect(apply func(trigger string) error, polled func(outcome string), arranged func(year int) bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.apply, p.polled, p.arranged = apply, polled, arranged
}

// LoadSaved reads the store's notices, proves them again with this
// importer and puts those that hold in the book; it asks nothing of the
// network. Files that do not read are logged.
func (p *Poller) LoadSaved() {
	if p.Store == nil {
		return
	}
	saved, errs := p.Store.Load()
	for _, err := range errs {
		p.Log.Warn("stored notice not read", "error", err)
	}
	for _, f := range saved {
		proven, err := Prove(f, p.now())
		if err != nil {
			p.hold(Entry{Year: f.Year, URL: f.URL, Published: f.Published}, err.Error())
			continue
		}
		p.Book.Add(proven)
		p.Log.Info("notice loaded", "year", f.Year, "url", f.URL, "published", f.Published, "fetched", f.FetchedAt, "sha256", f.SHA256)
	}
}

// Run polls at once and then on the schedule until ctx ends.
func (p *Poller) Run(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		outcome, err := p.Poll(ctx)
		if ctx.Err() != nil {
			return
		}
		delay := p.nextDelay(err)
		p.mu.Lock()
		p.last.NextPoll = p.now().Add(delay).UTC().Truncate(time.Second)
		polled := p.polled
		p.mu.Unlock()
		if polled != nil {
			polled(outcome)
		}
		timer.Reset(delay)
	}
}

// InSeason reports whether the next year's notice may come any hour: from
// 15 October, China time, to the end of the year.
func InSeason(now time.Time) bool {
	c := now.In(chinaTime)
	return c.Month() > seasonMonth || c.Month() == seasonMonth && c.Day() >= seasonDay
}

// nextDelay is the wait until the next poll: the interval, or the schedule;
// after failed polls, doubled for each (at most a day), and at least what
// the site asked for with Retry-After.
func (p *Poller) nextDelay(err error) time.Duration {
	now := p.now()
	p.mu.Lock()
	arranged := p.arranged
	p.mu.Unlock()
	base := p.Interval
	if base <= 0 {
		base = OffSeasonInterval
		if InSeason(now) && (arranged == nil || !arranged(now.In(chinaTime).Year()+1)) {
			base = SeasonInterval
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err == nil {
		p.failures = 0
		return base
	}
	p.failures++
	d := base
	for i := 1; i < p.failures && d < maxBackoff; i++ {
		d *= 2
	}
	d = min(d, max(maxBackoff, base))
	return max(d, RetryAfter(err))
}

// Poll asks the search once for the current and the next year's notice
// (China time), fetches and proves every notice not yet in the book, and
// has the new ones applied. The error is the first failure to read the
// search or a page; the poll stops there.
func (p *Poller) Poll(ctx context.Context) (string, error) {
	now := p.now()
	year := now.In(chinaTime).Year()
	changed, heldNow := false, false
	var pollErr error
	for _, y := range []int{year, year + 1} {
		items, extras, err := p.Client.Search(ctx, y)
		if err != nil {
			pollErr = err
			break
		}
		listed := make(map[string]bool)
		for _, it := range extras {
			listed[it.URL] = true
			entry := Entry{Year: y, URL: it.URL}
			if t, ok := it.Published(); ok {
				entry.Published = t.UTC()
			}
			p.hold(entry, fmt.Sprintf("%s is not the yearly arrangement: it may change %d's days, and is held for the operator to apply by hand", it.PlainTitle(), y))
			heldNow = true
		}
		for _, it := range items {
			listed[it.URL] = true
			if p.Book.Has(it.URL) {
				continue
			}
			entry := Entry{Year: y, URL: it.URL}
			if t, ok := it.Published(); ok {
				entry.Published = t.UTC()
			}
			page, err := p.Client.Page(ctx, it.URL)
			if err != nil {
				p.hold(entry, "the page could not be read: "+err.Error())
				heldNow = true
				pollErr = err
				break
			}
			f := newFetched(y, it, page, now)
			entry.Published = f.Published
			proven, err := Prove(f, p.now())
			if err != nil {
				// Kept too, for the operator to read; proven again at
				// the next start, by the importer of then.
				p.save(f)
				p.hold(entry, err.Error())
				heldNow = true
				continue
			}
			p.unhold(it.URL)
			if p.Book.Add(proven) {
				changed = true
				p.save(f)
				p.Log.Info("notice proven", "year", y, "url", f.URL, "published", f.Published, "sha256", f.SHA256)
			}
		}
		if pollErr != nil {
			break
		}
		p.dropUnlisted(y, listed)
	}
	p.mu.Lock()
	apply := p.apply
	p.mu.Unlock()
	if changed && apply != nil {
		if err := apply("notice"); err != nil {
			p.Log.Error("notice not applied: the catalog does not build", "error", err)
		}
	}
	p.mu.Lock()
	p.last.LastPoll = now.UTC().Truncate(time.Second)
	outcome := OutcomeUnchanged
	switch {
	case pollErr != nil:
		outcome = OutcomeFailed
		p.last.LastError = pollErr.Error()
	default:
		p.last.LastSuccess = p.last.LastPoll
		p.last.LastError = ""
	}
	p.mu.Unlock()
	switch {
	case changed:
		outcome = OutcomeApplied
	case heldNow && pollErr == nil:
		outcome = OutcomeHeld
	}
	if pollErr != nil {
		p.Log.Warn("notice search failed", "error", pollErr)
	}
	return outcome, pollErr
}

// hold records a notice that is not served, and logs it once per reason.
func (p *Poller) hold(e Entry, reason string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.held == nil {
		p.held = make(map[string]Entry)
	}
	e.State, e.Reason = StateHeld, reason
	if prev, ok := p.held[e.URL]; ok && prev.Reason == reason {
		return
	}
	p.held[e.URL] = e
	p.Log.Error("notice held: not served", "year", e.Year, "url", e.URL, "reason", reason)
}

func (p *Poller) unhold(address string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.held, address)
}

// dropUnlisted forgets the held notices of year that the search no longer
// lists.
func (p *Poller) dropUnlisted(year int, listed map[string]bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for u, e := range p.held {
		if e.Year == year && !listed[u] {
			delete(p.held, u)
		}
	}
}

// save keeps the notice in the store; a store that cannot be written is
// warned about once, and the notice is served from memory.
func (p *Poller) save(f Fetched) {
	if p.Store == nil {
		return
	}
	err := p.Store.Save(f)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil && p.storeFailed == nil {
		p.Log.Warn("notices folder not writable: the notice is served from memory and fetched again after a restart", "dir", p.Store.Dir, "error", err)
	}
	p.storeFailed = err
}

// Status is the poller's latest status, with what became of each notice in
// the served catalog.
func (p *Poller) Status(served *events.Catalog) Status {
	entries, warns := p.Book.Entries(served)
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.last
	st.Applied, st.InCatalog, st.Held = nil, nil, nil
	for _, e := range entries {
		switch e.State {
		case StateApplied:
			st.Applied = append(st.Applied, e)
		case StateCatalog:
			st.InCatalog = append(st.InCatalog, e)
		default:
			st.Held = append(st.Held, e)
		}
	}
	for _, e := range p.held {
		st.Held = append(st.Held, e)
	}
	sort.Slice(st.Held, func(i, j int) bool {
		return st.Held[i].Year < st.Held[j].Year || st.Held[i].Year == st.Held[j].Year && st.Held[i].URL < st.Held[j].URL
	})
	st.Warnings = slices.Clone(warns)
	if p.storeFailed != nil {
		// The folder and the error are in the log: /healthz may be public.
		st.Warnings = append(st.Warnings, "the notices folder cannot be written: fetched notices are served from memory and fetched again after a restart (the log says why)")
	}
	return st
}

// NextYear is the year after now's, China time: the year whose notice is
// awaited.
func NextYear(now time.Time) int { return now.In(chinaTime).Year() + 1 }
