package ical

import (
	"cmp"
	"fmt"
	"slices"
	"sync"
	"time"

	ics "github.com/arran4/golang-ical"
)

// Extent says whether the events that use a time zone end within the
// years its VTIMEZONE covers or recur past the last of them.
type Extent int

const (
	// WithinYears: every event ends by the last year.
	WithinYears Extent = iota
	// Recurring: some event repeats past the last year, so the zone's
	// yearly pattern must be written as well.
	Recurring
)

// VTimezone describes loc for the years from..to (inclusive) from the tz
// database that Go reads, so that no offset is ever typed by hand. Each
// change of offset in those years becomes a STANDARD or DAYLIGHT part. When
// events recur past the last year, the zone's yearly pattern is written as
// RRULEs, after checking it against the database for thirty more years;
// a zone whose rules do not follow one pattern gets those years spelt out.
func VTimezone(loc *time.Location, from, to int, extent Extent) *ics.VTimezone {
	return VTimezoneYears(loc, []YearRun{{from, to}}, extent)
}

// YearRun is a run of consecutive years, both ends inclusive.
type YearRun struct{ From, To int }

// VTimezoneYears is VTimezone for the years of runs only: each run starts
// with the offset in force at its start, and the years between runs, which
// hold no event, are left out. Two events centuries apart then cost two
// years of the zone, not every year between them. The runs are sorted and
// joined where they meet.
func VTimezoneYears(loc *time.Location, runs []YearRun, extent Extent) *ics.VTimezone {
	tz := ics.NewTimezone(loc.String())
	runs = mergeRuns(runs)
	for i, run := range runs {
		start := time.Date(run.From, time.January, 1, 0, 0, 0, 0, loc)
		var trans []observance
		for y := run.From; y <= run.To; y++ {
			trans = append(trans, yearTransitions(loc, y)...)
		}
		if last := i == len(runs)-1; last && extent == Recurring && len(trans) > 0 {
			if rules, ok := yearlyRules(loc, run.To); ok {
				// Keep the explicit changes before the last year, then the rules.
				kept := trans[:0]
				for _, tr := range trans {
					if tr.at.Year() < run.To {
						kept = append(kept, tr)
					}
				}
				trans = append(kept, rules...)
			} else {
				for y := run.To + 1; y <= run.To+30; y++ {
					trans = append(trans, yearTransitions(loc, y)...)
				}
			}
		}

		// The offset in force at the start of the run: an observance that
		// begins then, so that every event time falls after some observance.
		name, offset := start.Zone()
		initial := observance{at: start, name: name, from: offset, to: offset, dst: start.IsDST()}
		if len(trans) > 0 && trans[0].at.Equal(start) {
			initial = trans[0]
			trans = trans[1:]
		}
		for _, o := range append([]observance{initial}, trans...) {
			o.addTo(tz)
		}
	}
	return tz
}

// mergeRuns sorts runs and joins those that overlap or meet.
func mergeRuns(runs []YearRun) []YearRun {
	runs = slices.Clone(runs)
	slices.SortFunc(runs, func(a, b YearRun) int { return cmp.Compare(a.From, b.From) })
	out := runs[:0]
	for _, r := range runs {
		if n := len(out); n > 0 && r.From <= out[n-1].To+1 {
			out[n-1].To = max(out[n-1].To, r.To)
			continue
		}
		out = append(out, r)
	}
	return out
}

// zoneYears keeps each zone's changes by year: the tz database that Go
// reads does not change while the process runs, and finding a year's
// changes takes hundreds of probes, which every render of every variant
// would repeat. It holds at most a zone's years that catalogs can name
// (events.MinYear to events.MaxYear, and thirty years of rules past them).
var zoneYears sync.Map // zoneYear -> []observance, never modified

type zoneYear struct {
	zone string
	year int
}

// yearTransitions lists the changes of loc in year: from the last second
// of the year before, so that a change at midnight on 1 January is the
// year's and not lost between two years.
func yearTransitions(loc *time.Location, year int) []observance {
	k := zoneYear{loc.String(), year}
	if v, ok := zoneYears.Load(k); ok {
		return v.([]observance)
	}
	start := time.Date(year, time.January, 1, 0, 0, 0, 0, loc).Add(-time.Second)
	end := time.Date(year+1, time.January, 1, 0, 0, 0, 0, loc).Add(-time.Second)
	trans := transitions(start, end)
	zoneYears.Store(k, trans)
	return trans
}

// observance is one change of a zone's offset, optionally repeating yearly.
type observance struct {
	at       time.Time // the instant of the change
	name     string
	from, to int // offsets in seconds east of UTC
	dst      bool
	rule     *yearlyRule // nil for a change that happens once
}

// yearlyRule is "the nth (or, with nth -1, the last) weekday of a month".
type yearlyRule struct {
	month   time.Month
	nth     int
	weekday time.Weekday
}

func (r yearlyRule) String() string {
	return fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s", r.month, r.nth, weekdayCodes[r.weekday])
}

func (o observance) addTo(tz *ics.VTimezone) {
	var part *ics.ComponentBase
	if o.dst {
		d := &ics.Daylight{}
		tz.Components = append(tz.Components, d)
		part = &d.ComponentBase
	} else {
		part = &tz.AddStandard().ComponentBase
	}
	p := Props{part}
	// DTSTART of an observance is the wall clock in the offset before the change.
	p.Set(ics.ComponentPropertyDtStart, o.at.In(time.FixedZone("", o.from)).Format(LocalLayout))
	p.Set(ics.ComponentProperty(ics.PropertyTzoffsetfrom), formatOffset(o.from))
	p.Set(ics.ComponentProperty(ics.PropertyTzoffsetto), formatOffset(o.to))
	if o.rule != nil {
		p.Set(ics.ComponentPropertyRrule, o.rule.String())
	}
	if o.name != "" && o.name[0] != '+' && o.name[0] != '-' {
		p.Text(ics.ComponentProperty(ics.PropertyTzname), o.name)
	}
}

// transitions lists every change of offset, abbreviation or daylight
// saving in [start, end). It probes the zone every twelve hours and bisects
// to the second, rather than trusting time.Time.ZoneBounds, which past the
// end of the zone's table reports boundaries where nothing changes and can
// stop advancing (Go 1.26, America/New_York in December 2040).
func transitions(start, end time.Time) []observance {
	const step = 12 * time.Hour
	var out []observance
	for t := start; t.Before(end); t = t.Add(step) {
		next := t.Add(step)
		if next.After(end) {
			next = end
		}
		if sameZone(t, next) {
			continue
		}
		lo, hi := t, next // sameZone(lo) with t, not with hi
		for hi.Sub(lo) > time.Second {
			mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second)
			if sameZone(t, mid) {
				lo = mid
			} else {
				hi = mid
			}
		}
		_, fromOff := lo.Zone()
		name, toOff := hi.Zone()
		out = append(out, observance{at: hi, name: name, from: fromOff, to: toOff, dst: hi.IsDST()})
	}
	return out
}

func sameZone(a, b time.Time) bool {
	an, ao := a.Zone()
	bn, bo := b.Zone()
	return an == bn && ao == bo && a.IsDST() == b.IsDST()
}

// yearlyRules finds the rules by which loc changes offset in year, written
// as "the nth (or last) weekday of a month at a wall-clock time", and keeps
// them only if they predict every change for thirty years after.
func yearlyRules(loc *time.Location, year int) ([]observance, bool) {
	this := yearTransitions(loc, year)
	if len(this) == 0 || len(this) > 2 {
		return nil, false
	}
	rules := make([]observance, 0, len(this))
	for _, tr := range this {
		wall := tr.at.In(time.FixedZone("", tr.from))
		nth := (wall.Day()-1)/7 + 1
		if wall.AddDate(0, 0, 7).Month() != wall.Month() {
			nth = -1
		}
		tr.rule = &yearlyRule{month: wall.Month(), nth: nth, weekday: wall.Weekday()}
		rules = append(rules, tr)
	}
	for y := year + 1; y <= year+30; y++ {
		got := yearTransitions(loc, y)
		if len(got) != len(rules) {
			return nil, false
		}
		for i, r := range rules {
			if !got[i].at.Equal(r.predict(y)) || got[i].to != r.to || got[i].from != r.from {
				return nil, false
			}
		}
	}
	return rules, true
}

// predict returns the instant at which o's rule fires in year y.
func (o observance) predict(y int) time.Time {
	wall := o.at.In(time.FixedZone("", o.from))
	first := time.Date(y, o.rule.month, 1, wall.Hour(), wall.Minute(), wall.Second(), 0, wall.Location())
	day := first.AddDate(0, 0, (int(o.rule.weekday)-int(first.Weekday())+7)%7)
	if o.rule.nth > 0 {
		return day.AddDate(0, 0, 7*(o.rule.nth-1))
	}
	for day.AddDate(0, 0, 7).Month() == o.rule.month {
		day = day.AddDate(0, 0, 7)
	}
	return day
}

var weekdayCodes = [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

func formatOffset(sec int) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	h, m, s := sec/3600, sec/60%60, sec%60
	if s != 0 {
		return fmt.Sprintf("%c%02d%02d%02d", sign, h, m, s)
	}
	return fmt.Sprintf("%c%02d%02d", sign, h, m)
}
