package events

import (
	"slices"
	"time"
)

// DayType says whether people in mainland China work on a date, and why.
type DayType string

// The types of day. A day off inside a break wins over the weekend: the
// notice lists the weekend days it joins to a break as days off.
const (
	DayWorkday DayType = "workday"         // a weekday that no notice changes
	DayWeekend DayType = "weekend"         // a Saturday or Sunday that no notice changes
	DayOff     DayType = "day-off"         // inside a break, or a statutory day of a year without a notice
	DayMakeUp  DayType = "make-up-workday" // a weekend day that a notice makes a working day
)

// Working reports whether people work on a day of this type.
func (t DayType) Working() bool { return t == DayWorkday || t == DayMakeUp }

// Day is what the catalog says of one date: the answer to "do people in
// mainland China work on this day?".
type Day struct {
	Date Date
	Type DayType
	// Holiday is the holiday of a day off or make-up working day; empty on
	// other days. A break that a notice gives two festivals together
	// names the festival the notice lists first (Mid-Autumn in 2023,
	// National Day in 2025): the one whose statutory day comes first.
	Holiday Holiday
	// Name is the holiday's Chinese name as the notice writes it, the
	// shared break's both names in the notice's order.
	Name string
	// Year is the year of the notice (or of the statutory days) that set
	// a day off or make-up working day: 2023 for 31 December 2022. Zero on
	// other days.
	Year int
	// Provisional is true for every date of a year without a notice: its
	// days off are only the statutory days, and the notice may add more.
	Provisional bool
	// Source is the page that backs the answer: the notice, or the
	// holiday regulations in a year without one. Empty when the catalog
	// names none.
	Source string
}

// DayYear is one covered year: a year with a State Council notice in the
// catalog, or a year after the last one with its statutory days.
type DayYear struct {
	Year        int
	Provisional bool
	// Papers are the notices the year's days come from, in the order of
	// their first day; empty for a provisional year.
	Papers []string
	// Source is the notice (the first paper), or the holiday regulations
	// of a provisional year.
	Source string
	// Days are the days off and make-up working days that the year's
	// notice sets, in date order, each once; a break may start in the year
	// before.
	Days []Day
}

// Days holds the answer for every covered date. It is built once from a
// catalog and never changes.
type Days struct {
	// First and Last are the first and the last covered date: 1 January
	// of the first covered year and 31 December of the last.
	First, Last Date

	years  []DayYear   // the covered years, in order
	start  Date        // the date of marked[0]
	marked []Day       // every date from start that some event marks, else zero
	byYear map[int]int // year → index in years
}

// Days computes the status of every date from the catalog's day-off,
// make-up working day and statutory events, those a feed of every holiday
// holds. Cancelled events and events that are not all-day arrange nothing.
// A year is covered when the catalog has its notice (a day-off event of a
// break that ends in it) or its statutory days.
func (c *Catalog) Days() *Days {
	type mark struct {
		ev   Event
		year int // the year of the notice
	}
	var offs, statutory, makeUps []Event
	for _, ev := range c.Events {
		if !ev.When.AllDay || ev.Status == StatusCancelled || !ev.Holiday.Valid() || ev.When.Last.Before(ev.When.First) {
			continue
		}
		switch ev.Kind {
		case KindDayOff:
			offs = append(offs, ev)
		case KindStatutory:
			statutory = append(statutory, ev)
		case KindWorkday:
			makeUps = append(makeUps, ev)
		}
	}
	d := &Days{byYear: make(map[int]int)}
	noticeYears := map[int]bool{}
	for _, ev := range offs {
		noticeYears[ev.When.Last.Year] = true
	}
	provisional := map[int]bool{}
	for _, ev := range statutory {
		if y := ev.When.Last.Year; !noticeYears[y] {
			provisional[y] = true
		}
	}
	var marks []mark
	for _, ev := range makeUps {
		marks = append(marks, mark{ev, makeUpYear(ev, offs)})
	}
	for _, ev := range statutory {
		if provisional[ev.When.Last.Year] {
			marks = append(marks, mark{ev, ev.When.Last.Year})
		}
	}
	for _, ev := range offs {
		marks = append(marks, mark{ev, ev.When.Last.Year})
	}
	var covered []int
	for y := range noticeYears {
		covered = append(covered, y)
	}
	for y := range provisional {
		covered = append(covered, y)
	}
	slices.Sort(covered)
	if len(covered) == 0 {
		return d
	}
	d.First = Date{covered[0], time.January, 1}
	d.Last = Date{covered[len(covered)-1], time.December, 31}
	d.start = d.First
	end := d.Last
	for _, m := range marks {
		if m.ev.When.First.Before(d.start) {
			d.start = m.ev.When.First
		}
		if end.Before(m.ev.When.Last) {
			end = m.ev.When.Last
		}
	}
	d.marked = make([]Day, daysBetween(d.start, end)+1)
	// Later marks win: days off over statutory days over make-up days;
	// among days off, the break that starts first keeps a shared date.
	slices.SortStableFunc(marks, func(a, b mark) int {
		if r := markRank(a.ev.Kind) - markRank(b.ev.Kind); r != 0 {
			return r
		}
		return daysBetween(a.ev.When.First, b.ev.When.First) // the later first
	})
	type named struct {
		h    Holiday
		name string
	}
	type breakOf struct {
		h    Holiday
		year int
	}
	names := map[breakOf]named{} // the lunar calendar is slow: once per holiday and year
	for _, m := range marks {
		typ := DayOff
		if m.ev.Kind == KindWorkday {
			typ = DayMakeUp
		}
		key := breakOf{m.ev.Holiday, m.year}
		n, ok := names[key]
		if !ok {
			n.h, n.name = noticeName(m.ev.Holiday, m.year)
			names[key] = n
		}
		h, name := n.h, n.name
		for day := m.ev.When.First; !m.ev.When.Last.Before(day); day = day.AddDays(1) {
			d.marked[daysBetween(d.start, day)] = Day{Date: day, Type: typ, Holiday: h, Name: name, Year: m.year,
				Provisional: provisional[day.Year], Source: eventSource(m.ev)}
		}
	}
	byFirst := slices.Clone(marks)
	slices.SortStableFunc(byFirst, func(a, b mark) int { return daysBetween(b.ev.When.First, a.ev.When.First) })
	for _, y := range covered {
		year := DayYear{Year: y, Provisional: provisional[y]}
		for _, day := range d.marked {
			if day.Year == y {
				year.Days = append(year.Days, day)
			}
		}
		for _, m := range byFirst {
			if m.year != y {
				continue
			}
			if year.Provisional {
				if year.Source == "" {
					year.Source = eventSource(m.ev)
				}
				continue
			}
			year.Papers = appendPapers(year.Papers, m.ev)
		}
		if len(year.Papers) > 0 {
			year.Source = year.Papers[0]
		}
		d.byYear[y] = len(d.years)
		d.years = append(d.years, year)
	}
	return d
}

// markRank orders the kinds of event by which wins a date they share.
func markRank(k Kind) int {
	switch k {
	case KindWorkday:
		return 0
	case KindStatutory:
		return 1
	}
	return 2
}

// makeUpYear is the year of the notice that set a make-up working day: that
// of its holiday's break nearest to it (a make-up day may fall in the year
// before its break), or its own year when the catalog has no such break.
func makeUpYear(ev Event, offs []Event) int {
	year, best := ev.When.First.Year, -1
	for _, off := range offs {
		if off.Holiday != ev.Holiday {
			continue
		}
		dist := max(daysBetween(ev.When.First, off.When.First), daysBetween(off.When.Last, ev.When.First), 0)
		if best < 0 || dist < best {
			year, best = off.When.Last.Year, dist
		}
	}
	return year
}

// noticeName is the holiday a day names and its Chinese name, as the
// notice of year writes it: a shared Mid-Autumn and National Day break is
// "中秋节、国庆节" when Mid-Autumn comes before 1 October (2023) and
// "国庆节、中秋节" when it does not (2025).
func noticeName(h Holiday, year int) (Holiday, string) {
	if h != HolidayMidAutumnNationalDay {
		return h, h.Name().ZH
	}
	mid, err := Statutory(year, HolidayMidAutumn)
	if err != nil {
		return h, h.Name().ZH
	}
	if mid[0].First.Before(Date{year, time.October, 1}) {
		return HolidayMidAutumn, HolidayMidAutumn.Name().ZH + "、" + HolidayNationalDay.Name().ZH
	}
	return HolidayNationalDay, HolidayNationalDay.Name().ZH + "、" + HolidayMidAutumn.Name().ZH
}

// eventSource is the page that backs an event: its URL, else its first
// source.
func eventSource(ev Event) string {
	if ev.URL != "" {
		return ev.URL
	}
	for _, s := range ev.Sources {
		if s.URL != "" {
			return s.URL
		}
	}
	return ""
}

// appendPapers adds an event's pages (its URL and sources) that papers
// does not hold yet.
func appendPapers(papers []string, ev Event) []string {
	urls := []string{ev.URL}
	for _, s := range ev.Sources {
		urls = append(urls, s.URL)
	}
	for _, u := range urls {
		if u != "" && !slices.Contains(papers, u) {
			papers = append(papers, u)
		}
	}
	return papers
}

// daysBetween is the number of days from a to b, negative when b is
// before a.
func daysBetween(a, b Date) int {
	return int(b.In(time.UTC).Sub(a.In(time.UTC)).Hours() / 24)
}

// Years returns the covered years, in order.
func (d *Days) Years() []DayYear { return d.years }

// Year returns a covered year.
func (d *Days) Year(year int) (DayYear, bool) {
	i, ok := d.byYear[year]
	if !ok {
		return DayYear{}, false
	}
	return d.years[i], true
}

// Covered reports whether the year of date is covered.
func (d *Days) Covered(date Date) bool {
	_, ok := d.byYear[date.Year]
	return ok
}

// Day returns the status of a date of a covered year.
func (d *Days) Day(date Date) (Day, bool) {
	if !d.Covered(date) {
		return Day{}, false
	}
	y := d.years[d.byYear[date.Year]]
	day := d.marked[daysBetween(d.start, date)]
	if day.Type != "" {
		return day, true
	}
	day = Day{Date: date, Type: DayWorkday, Provisional: y.Provisional, Source: y.Source}
	if wd := date.Weekday(); wd == time.Saturday || wd == time.Sunday {
		day.Type = DayWeekend
	}
	return day, true
}
