// Package feed turns a catalog of events into iCalendar (RFC 5545) feeds and
// serves them over HTTP. Every byte a client can receive is rendered when
// the catalog loads; requests only pick a rendered representation.
package feed

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"feed/events"
	"feed/internal/ical"
)

// ProductID is the PRODID of every calendar the service writes.
const ProductID = "-//feed//Craftsmen and Labour Day feed 1.0//EN"

// Lang selects the language of the words in a rendered calendar.
type Lang string

// The languages a calendar can be rendered in.
const (
	LangEnglish Lang = "en"
	LangChinese Lang = "zh"
	LangBoth    Lang = "both" // English first, then Chinese
)

// Options are what a rendering depends on besides the catalog.
type Options struct {
	// BaseURL is the public URL the service is reached at, such as
	// https://feed.example.org, without a trailing slash; empty when unknown.
	BaseURL string
	// Variant is what the subscriber chose; the zero value is the full feed.
	Variant Variant
}

// Paths of the feeds, relative to BaseURL.
const (
	CalendarPath = "/calendar.ics"
	eventPrefix  = "/events/"
)

// EventPath is the path of the calendar that holds one event.
func EventPath(id string) string { return eventPrefix + id + ".ics" }

// RenderCalendar renders the subscription feed: the events of the catalog
// that the variant selects.
func RenderCalendar(cat *events.Catalog, opts Options) ([]byte, error) {
	d, err := calendarModel(cat, opts)
	if err != nil {
		return nil, err
	}
	return d.serialize()
}

// RenderEvent renders a calendar that holds the one event, with the time
// zone it needs: what a person downloads to add a single date.
func RenderEvent(cat *events.Catalog, ev events.Event, opts Options) ([]byte, error) {
	d, err := eventModel(cat, ev, opts)
	if err != nil {
		return nil, err
	}
	return d.serialize()
}

// draft is a calendar before its events are added: its properties and
// time zones, and the events it will hold. The iCalendar writer builds
// each event's component as it writes it and drops it (ical.Serialize);
// jCal takes the whole calendar from full.
type draft struct {
	cal  *ics.Calendar
	evs  []events.Event
	opts Options
	// zone is the catalog's time zone, in which an all-day event's day
	// starts for its reminders; nil when the catalog names none.
	zone *time.Location
}

// serialize writes the calendar with its events as iCalendar.
func (d *draft) serialize() ([]byte, error) {
	return ical.Serialize(d.cal, d.evs, d.vevent)
}

// jcal writes the calendar with its events as jCal, one event at a time.
func (d *draft) jcal() ([]byte, error) {
	return ical.EncodeJCalEvents(d.cal, d.evs, d.vevent)
}

// full moves the events into the calendar and returns it. The draft keeps
// no events of its own after that, so that serializing it, or asking for
// full again, still writes each event once.
func (d *draft) full() *ics.Calendar {
	ical.AddEvents(d.cal, d.evs, d.vevent)
	d.evs = nil
	return d.cal
}

func (d *draft) vevent(ev events.Event) *ics.VEvent { return vevent(ev, d.opts, d.zone) }

// calendarModel drafts the calendar once, for both iCalendar and jCal.
func calendarModel(cat *events.Catalog, opts Options) (*draft, error) {
	v := opts.Variant
	lang := v.lang()
	cal := newCalendar()
	cp := ical.CalendarPropsOf(cal)
	name := calendarName(cat, v)
	cp.Text("NAME", name)
	cp.Text("X-WR-CALNAME", name)
	if desc := localized(cat.Description, lang, "\n\n"); desc != "" {
		cp.Text("DESCRIPTION", desc)
		cp.Text("X-WR-CALDESC", desc)
	}
	if cat.Timezone != nil {
		cp.Text("X-WR-TIMEZONE", cat.Timezone.String())
	}
	color := colorOf(v)
	cp.Text("COLOR", color.Name)
	cp.Text("X-APPLE-CALENDAR-COLOR", color.Hex)
	interval := isoDuration(cat.RefreshInterval)
	cp.Typed("REFRESH-INTERVAL", "DURATION", interval)
	cp.Text("X-PUBLISHED-TTL", interval)
	if !cat.Modified.IsZero() {
		cp.Set("LAST-MODIFIED", ical.FormatUTC(cat.Modified))
	}
	if opts.BaseURL != "" {
		cp.Typed("URL", "URI", opts.BaseURL+"/")
		cp.Typed("SOURCE", "URI", opts.BaseURL+calendarAddress(v))
	}
	evs := make([]events.Event, 0, len(cat.Events))
	for _, ev := range cat.Events {
		if !v.selects(ev) {
			continue
		}
		timed, err := applyWorkHours(cat, ev, v)
		if err != nil {
			return nil, err
		}
		if timed == nil {
			evs = append(evs, ev)
		} else {
			evs = append(evs, timed...)
		}
	}
	d := newDraft(cal, evs, opts, cat.Timezone)
	if len(evs) == 0 && cat.Timezone != nil {
		// A calendar must hold at least one component (RFC 5545 §3.6): a
		// variant with no events yet, such as a kind whose days are not
		// published, carries the catalog's time zone.
		year := cat.Modified.Year()
		cal.AddVTimezone(ical.VTimezone(cat.Timezone, year, year, ical.WithinYears))
	}
	return d, nil
}

func eventModel(cat *events.Catalog, ev events.Event, opts Options) (*draft, error) {
	cal := newCalendar()
	if opts.BaseURL != "" {
		ical.CalendarPropsOf(cal).Typed("SOURCE", "URI", opts.BaseURL+withQuery(EventPath(ev.ID), opts.Variant.Query()))
	}
	evs, err := applyWorkHours(cat, ev, opts.Variant)
	if err != nil {
		return nil, err
	}
	if evs == nil {
		evs = []events.Event{ev}
	}
	return newDraft(cal, evs, opts, cat.Timezone), nil
}

func withQuery(path, query string) string {
	if query == "" {
		return path
	}
	return path + "?" + query
}

// ErrNoWorkHoursZone means working hours were asked of a catalog that names
// no time zone to put them in.
var ErrNoWorkHoursZone = &ParamError{Param: paramWorkHours, Msg: "this catalog names no time zone for working hours"}

// applyWorkHours turns a make-up working day into timed events with the
// variant's working hours in the catalog's zone, one per day. Such an event
// is a different thing from the all-day one (a DATE-TIME, not a DATE), so it
// gets a UID of its own: a client that meets both, in two subscriptions or
// when a subscription's URL is edited, must not take one for a revision of
// the other. It returns nil for an event that it leaves as it is.
func applyWorkHours(cat *events.Catalog, ev events.Event, v Variant) ([]events.Event, error) {
	if v.WorkHours == nil || ev.Kind != events.KindWorkday || !ev.When.AllDay {
		return nil, nil
	}
	if cat.Timezone == nil {
		return nil, ErrNoWorkHoursZone
	}
	var out []events.Event
	for d := ev.When.First; !ev.When.Last.Before(d); d = d.AddDays(1) {
		day := ev
		day.ID = ev.ID + "-hours"
		if ev.When.Last != ev.When.First {
			day.ID += "-" + strings.ReplaceAll(d.String(), "-", "")
		}
		// The hours are the wall clock's on that day: on a day the clocks
		// change, 09:00 is not nine hours after midnight.
		wall := func(minutes int) time.Time {
			return time.Date(d.Year, d.Month, d.Day, minutes/60, minutes%60, 0, 0, cat.Timezone)
		}
		day.When = events.When{Start: wall(v.WorkHours.Start), End: wall(v.WorkHours.End), Zone: cat.Timezone}
		out = append(out, day)
	}
	return out, nil
}

func newCalendar() *ics.Calendar {
	cal := ics.NewCalendarFor("feed")
	cp := ical.CalendarPropsOf(cal)
	cp.Text("VERSION", "2.0")
	cp.Text("PRODID", ProductID)
	cp.Text("CALSCALE", "GREGORIAN")
	// No METHOD: a published feed is not an iTIP message, and METHOD:PUBLISH
	// would oblige every event to carry an ORGANIZER (RFC 5546).
	return cal
}

// newDraft adds the time zones the events need, which come before them.
func newDraft(cal *ics.Calendar, evs []events.Event, opts Options, zone *time.Location) *draft {
	for _, tz := range zonesOf(evs) {
		cal.AddVTimezone(tz)
	}
	return &draft{cal: cal, evs: evs, opts: opts, zone: zone}
}

// zonesOf builds one VTIMEZONE per zone that timed events use, covering the
// years those events fall in and no others: a yearly event's from its first
// year to the zone's last.
func zonesOf(evs []events.Event) []*ics.VTimezone {
	type span struct {
		loc       *time.Location
		runs      []ical.YearRun
		recurFrom int // the first year of the earliest yearly event; 0 for none
		to        int
		extent    ical.Extent
	}
	spans := make(map[string]*span)
	for _, ev := range evs {
		w := ev.When
		if w.AllDay {
			continue
		}
		last := w.Start
		if w.HasEnd() {
			last = w.End
		}
		s, ok := spans[w.Zone.String()]
		if !ok {
			s = &span{loc: w.Zone, to: last.Year()}
			spans[w.Zone.String()] = s
		}
		s.runs = append(s.runs, ical.YearRun{From: w.Start.Year(), To: last.Year()})
		s.to = max(s.to, last.Year())
		if ev.Recur != events.RecurNone {
			s.extent = ical.Recurring
			if s.recurFrom == 0 || w.Start.Year() < s.recurFrom {
				s.recurFrom = w.Start.Year()
			}
		}
	}
	names := make([]string, 0, len(spans))
	for name := range spans {
		names = append(names, name)
	}
	sort.Strings(names)
	out := make([]*ics.VTimezone, 0, len(names))
	for _, name := range names {
		s := spans[name]
		if s.recurFrom != 0 {
			// A yearly event happens in every year from its first.
			s.runs = append(s.runs, ical.YearRun{From: s.recurFrom, To: s.to})
		}
		out = append(out, ical.VTimezoneYears(s.loc, s.runs, s.extent))
	}
	return out
}

// vevent builds an event's component; zone is the catalog's time zone, or
// nil.
func vevent(ev events.Event, opts Options, zone *time.Location) *ics.VEvent {
	e := &ics.VEvent{ComponentBase: ics.ComponentBase{Properties: make([]ics.IANAProperty, 0, 18)}}
	p := ical.PropsOf(&e.ComponentBase)
	p.Set(ics.ComponentPropertyUniqueId, ev.UID())
	// DTSTAMP is the data's revision, not the time of rendering, so that the
	// same catalog always gives the same bytes and the same ETag.
	revised := ical.FormatUTC(ev.Revision.Modified)
	p.Set(ics.ComponentPropertyDtstamp, revised)
	if w := ev.When; w.AllDay {
		p.Date(ics.ComponentPropertyDtStart, w.First)
		// DTEND of an all-day event is exclusive: the day after the last day.
		p.Date(ics.ComponentPropertyDtEnd, w.Last.AddDays(1))
	} else {
		p.Local(ics.ComponentPropertyDtStart, w.Start)
		if w.HasEnd() {
			p.Local(ics.ComponentPropertyDtEnd, w.End)
		}
	}
	if ev.Recur == events.RecurYearly {
		p.Set(ics.ComponentPropertyRrule, "FREQ=YEARLY")
	}
	lang := opts.Variant.lang()
	summary := localized(ev.Name, lang, " · ")
	p.Text(ics.ComponentPropertySummary, summary)
	if desc := description(ev, lang); desc != "" {
		p.Text(ics.ComponentPropertyDescription, desc)
	}
	if loc := location(ev.Location, lang); loc != "" {
		p.Text(ics.ComponentPropertyLocation, loc)
	}
	if g := ev.Location.Geo; g != nil {
		p.Set(ics.ComponentPropertyGeo, strconv.FormatFloat(g.Lat, 'f', -1, 64)+";"+strconv.FormatFloat(g.Lon, 'f', -1, 64))
	}
	if ev.URL != "" {
		p.Set(ics.ComponentPropertyUrl, ev.URL)
	}
	for _, c := range categories(ev.Kind, lang) {
		p.AddText(ics.ComponentPropertyCategories, c)
	}
	p.Set(ics.ComponentPropertyStatus, strings.ToUpper(string(ev.Status)))
	transp := ics.TransparencyTransparent
	if ev.Kind.BlocksTime() {
		transp = ics.TransparencyOpaque
	}
	p.Set(ics.ComponentPropertyTransp, string(transp))
	p.Set(ics.ComponentPropertyClass, string(ics.ClassificationPublic))
	p.Set(ics.ComponentPropertySequence, strconv.Itoa(ev.Revision.Sequence))
	p.Set(ics.ComponentPropertyLastModified, revised)
	if a := opts.Variant.Alarm; a != nil && ev.Status != events.StatusCancelled {
		// Reminders only when the subscriber asked for them: a feed that
		// rings by default is one people unsubscribe from.
		alarm := e.AddAlarm()
		ap := ical.PropsOf(&alarm.ComponentBase)
		ap.Set(ics.ComponentPropertyAction, string(ics.ActionDisplay))
		if at, ok := reminderInstant(ev, *a, zone); ok {
			ap.Set(ics.ComponentPropertyTrigger, ical.FormatUTC(at), valueDateTime)
		} else {
			ap.Set(ics.ComponentPropertyTrigger, "-"+isoDuration(*a))
		}
		ap.Text(ics.ComponentPropertyDescription, summary)
	}
	return e
}

// valueDateTime marks an absolute TRIGGER (RFC 5545 §3.8.6.3).
var valueDateTime = &ics.KeyValues{Key: string(ics.ParameterValue), Value: []string{"DATE-TIME"}}

// reminderInstant is the moment a reminder lead before an all-day event
// rings: lead before the start of its first day in the catalog's zone, as
// an absolute UTC time. A relative trigger on a DATE leaves the day's start
// to each client, and clients disagree: Thunderbird takes midnight in the
// viewer's zone, Evolution's alarm daemon midnight UTC. An absolute time
// is the one instant every client reads alike. Timed events keep a trigger
// relative to their start, which names its zone already; so does a
// recurring all-day event, as an absolute trigger would ring for its first
// occurrence only.
func reminderInstant(ev events.Event, lead time.Duration, zone *time.Location) (time.Time, bool) {
	if !ev.When.AllDay || ev.Recur != events.RecurNone || zone == nil {
		return time.Time{}, false
	}
	return ev.When.First.In(zone).Add(-lead).UTC(), true
}

// localized picks the text for lang; with both languages, English comes
// first and sep joins it to the Chinese. A missing language falls back to the
// other rather than leaving a field empty.
func localized(t events.Text, lang Lang, sep string) string {
	switch {
	case t.EN == "":
		return t.ZH
	case t.ZH == "":
		return t.EN
	}
	switch lang {
	case LangEnglish:
		return t.EN
	case LangChinese:
		return t.ZH
	default:
		if t.EN == t.ZH {
			return t.EN
		}
		return t.EN + sep + t.ZH
	}
}

// description is the event's text followed by the pages it comes from, so
// that a subscriber can check a date against the official notice.
func description(ev events.Event, lang Lang) string {
	desc := localized(ev.Description, lang, "\n\n")
	if len(ev.Sources) == 0 {
		return desc
	}
	heading := localized(sourcesHeading, lang, " ")
	size := len(desc) + len("\n\n") + len(heading)
	for _, s := range ev.Sources {
		size += len("\n- : ") + len(s.Title) + len(s.URL)
	}
	var b strings.Builder
	b.Grow(size)
	if desc != "" {
		b.WriteString(desc)
		b.WriteString("\n\n")
	}
	b.WriteString(heading)
	for _, s := range ev.Sources {
		b.WriteString("\n- ")
		b.WriteString(s.Title)
		b.WriteString(": ")
		b.WriteString(s.URL)
	}
	return b.String()
}

var sourcesHeading = events.Text{EN: "Sources:", ZH: "来源："}

func location(l events.Location, lang Lang) string {
	name := localized(l.Name, lang, " · ")
	if addr := localized(l.Address, lang, " · "); addr != "" {
		if name == "" {
			return addr
		}
		return name + ", " + addr
	}
	return name
}

var kindLabels = map[events.Kind]events.Text{
	events.KindConference: {EN: "Conference", ZH: "会议"},
	events.KindCeremony:   {EN: "Ceremony", ZH: "仪式"},
	events.KindObservance: {EN: "Observance", ZH: "纪念日"},
	events.KindDayOff:     {EN: "Day off", ZH: "放假"},
	events.KindWorkday:    {EN: "Make-up working day", ZH: "调休上班"},
	events.KindStatutory:  {EN: "Statutory holiday", ZH: "法定假日"},
}

// categories are the kind's label in each chosen language.
func categories(k events.Kind, lang Lang) []string {
	label := kindLabels[k]
	switch lang {
	case LangEnglish:
		return []string{label.EN}
	case LangChinese:
		return []string{label.ZH}
	default:
		return []string{label.EN, label.ZH}
	}
}

// isoDuration writes d, a whole number of minutes, as an RFC 5545
// duration: P1D, PT12H, PT1H30M, P1DT2H, PT0S.
func isoDuration(d time.Duration) string {
	if d == 0 {
		return "PT0S"
	}
	days, rest := d/(24*time.Hour), d%(24*time.Hour)
	h, m := rest/time.Hour, rest%time.Hour/time.Minute
	var b strings.Builder
	b.WriteByte('P')
	if days > 0 {
		fmt.Fprintf(&b, "%dD", days)
	}
	if h > 0 || m > 0 {
		b.WriteByte('T')
	}
	if h > 0 {
		fmt.Fprintf(&b, "%dH", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dM", m)
	}
	return b.String()
}
