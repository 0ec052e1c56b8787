// Package ical writes iCalendar (RFC 5545) and jCal (RFC 7265) from
// golang-ical's component model. It is the one place that writes properties
// into the model and the one place that turns the model into bytes; what a
// calendar holds is decided by its caller.
package ical

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"feed/events"
)

// This file is the one place that writes properties into golang-ical's
// model and the one place that turns the model into bytes. The library has
// traps that its callers must not reach:
//
//   - it writes LF line endings unless told otherwise (Serialize writes CRLF
//     itself);
//   - SetStartAt with a TZID writes a UTC "Z" time beside the TZID, which
//     RFC 5545 forbids (Local writes the wall clock instead);
//   - AddTimezone writes a VTIMEZONE with nothing but a TZID (vtimezone.go
//     builds the STANDARD and DAYLIGHT parts);
//   - all-day dates take the time.Time's own location (Date takes a civil
//     events.Date instead);
//   - parameter values are backslash-escaped where RFC 5545 wants quoting
//     (Serialize quotes them, with RFC 6868's escapes);
//   - CR in text is not normalised (Text does it) and properties that may
//     appear once are not kept single (Set replaces);
//   - its serializer folds at word boundaries through a string builder per
//     property and a regrown buffer, which made a 100,000-event feed take a
//     second; Serialize writes each line once into one buffer.

// Props writes properties onto one component.
type Props struct{ c *ics.ComponentBase }

// PropsOf writes onto c, the ComponentBase of a VEVENT, VALARM or other
// component.
func PropsOf(c *ics.ComponentBase) Props { return Props{c} }

// Set replaces every earlier value of a property, so that a property that
// RFC 5545 allows once can never appear twice.
func (p Props) Set(name ics.ComponentProperty, value string, params ...ics.PropertyParameter) {
	var m map[string][]string
	if len(params) > 0 {
		m = make(map[string][]string, len(params))
		for _, param := range params {
			k, v := param.KeyValue()
			m[k] = v
		}
	}
	p.setWithParams(name, value, m)
}

func (p Props) setWithParams(name ics.ComponentProperty, value string, params map[string][]string) {
	for i := range p.c.Properties {
		if p.c.Properties[i].IANAToken == string(name) {
			p.c.Properties[i].Value, p.c.Properties[i].ICalParameters = value, params
			return
		}
	}
	p.c.Properties = append(p.c.Properties, ics.IANAProperty{BaseProperty: ics.BaseProperty{IANAToken: string(name), Value: value, ICalParameters: params}})
}

// Text sets a TEXT property. golang-ical escapes backslash, semicolon, comma
// and newline for properties it knows to be TEXT; line breaks are made
// uniform first so that a CR can never reach the output on its own.
func (p Props) Text(name ics.ComponentProperty, s string) {
	p.Set(name, cleanText(s))
}

// AddText adds one more value of a TEXT property that may repeat, such as
// CATEGORIES. One value per property keeps the library from escaping the
// commas that would otherwise separate a list.
func (p Props) AddText(name ics.ComponentProperty, s string) {
	p.c.Properties = append(p.c.Properties, ics.IANAProperty{BaseProperty: ics.BaseProperty{IANAToken: string(name), Value: cleanText(s)}})
}

// valueDate is the parameter list of every DATE value. It is shared, and
// nothing here changes a property's parameters once they are set.
var valueDate = map[string][]string{"VALUE": {"DATE"}}

// Date writes a DATE value: the day itself, in no zone.
func (p Props) Date(name ics.ComponentProperty, d events.Date) {
	p.setWithParams(name, FormatDate(d), valueDate)
}

// Local writes a DATE-TIME as wall-clock time with the TZID of its zone,
// never a floating time and never a UTC time beside a TZID.
func (p Props) Local(name ics.ComponentProperty, t time.Time) {
	p.Set(name, t.Format(LocalLayout), ics.WithTZID(t.Location().String()))
}

// FormatUTC writes a DATE-TIME in UTC, as DTSTAMP and LAST-MODIFIED require.
func FormatUTC(t time.Time) string { return t.UTC().Format(LocalLayout + "Z") }

// LocalLayout is the time layout of a DATE-TIME's wall clock, without a zone.
const LocalLayout = "20060102T150405"

// FormatDate writes a DATE value: the civil day, in no zone.
func FormatDate(d events.Date) string { return d.In(time.UTC).Format("20060102") }

// cleanText makes every line break a single LF (which the library writes as
// \n) and drops control characters that TEXT cannot carry.
func cleanText(s string) string {
	clean := true
	for i := 0; i < len(s) && clean; i++ {
		c := s[i]
		clean = c >= 0x20 && c != 0x7f || c == '\n' || c == '\t'
	}
	if clean { // as nearly all text is: no copy
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// CalendarProps writes VCALENDAR properties, which golang-ical keeps apart
// from component properties.
type CalendarProps struct{ cal *ics.Calendar }

// CalendarPropsOf writes the properties of cal itself.
func CalendarPropsOf(cal *ics.Calendar) CalendarProps { return CalendarProps{cal} }

// Set replaces every earlier value of a property with a value that is
// written as it is: a DATE-TIME, say, but not TEXT, which Text escapes.
func (p CalendarProps) Set(name, value string) { p.set(name, value, nil) }

func (p CalendarProps) set(name, value string, params map[string][]string) {
	kept := p.cal.CalendarProperties[:0]
	for _, prop := range p.cal.CalendarProperties {
		if prop.IANAToken != name {
			kept = append(kept, prop)
		}
	}
	p.cal.CalendarProperties = append(kept, ics.CalendarProperty{BaseProperty: ics.BaseProperty{
		IANAToken: name, ICalParameters: params, Value: value,
	}})
}

// Text sets a TEXT property.
func (p CalendarProps) Text(name, s string) { p.set(name, cleanText(s), nil) }

// Typed writes a value of a non-TEXT type with its VALUE parameter, which
// also keeps golang-ical from applying TEXT escaping to a URI or duration.
func (p CalendarProps) Typed(name, valueType, value string) {
	p.set(name, value, map[string][]string{"VALUE": {valueType}})
}

// Serialize writes cal, followed by one VEVENT per event, as RFC 5545
// bytes: CRLF line endings, lines folded at 75 octets without splitting a
// UTF-8 sequence, TEXT values escaped, parameter values quoted where they
// must be.
//
// vevent builds each event's component as it is written, and the component
// is dropped once written, so that a large feed never holds every event's
// model at once (the collector would scan them all, again and again, while
// it renders). A large calendar is written in parts, one per CPU, joined in
// order: vevent is called from several goroutines at once.
func Serialize(cal *ics.Calendar, evs []events.Event, vevent func(events.Event) *ics.VEvent) ([]byte, error) {
	head := &icsWriter{buf: make([]byte, 0, 1024+800*len(evs))}
	head.line("BEGIN:VCALENDAR")
	for i := range cal.CalendarProperties {
		head.property(&cal.CalendarProperties[i].BaseProperty)
	}
	for _, c := range cal.Components {
		if err := head.component(c); err != nil {
			return nil, err
		}
	}
	// The events of the first part are written after the head, the others
	// into buffers of their own that are appended to it in order.
	rest := make([][]byte, WorkParts(len(evs)))
	errs := make([]error, len(rest))
	inParallel(len(evs), func(part, from, to int) {
		w := head
		if part > 0 {
			w = &icsWriter{buf: make([]byte, 0, 800*(to-from))}
		}
		for _, ev := range evs[from:to] {
			if errs[part] = w.component(vevent(ev)); errs[part] != nil {
				return
			}
		}
		rest[part] = w.buf
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out := rest[0]
	for _, part := range rest[1:] {
		out = append(out, part...)
	}
	return append(out, "END:VCALENDAR\r\n"...), nil
}

// AddEvents adds one VEVENT per event to cal, in order, built by vevent,
// which is called from several goroutines at once for a large calendar.
// It is for a whole model, as jCal wants; Serialize writes without one.
func AddEvents(cal *ics.Calendar, evs []events.Event, vevent func(events.Event) *ics.VEvent) {
	vevents := make([]*ics.VEvent, len(evs))
	inParallel(len(evs), func(_, from, to int) {
		for i := from; i < to; i++ {
			vevents[i] = vevent(evs[i])
		}
	})
	for _, e := range vevents {
		cal.AddVEvent(e)
	}
}

// ParallelFrom is the number of events from which the work is split: below
// it, starting goroutines costs more than it saves.
const ParallelFrom = 2048

// WorkParts is how many parts the events of a calendar of n events are
// built and written in: one per CPU for large n, else one.
func WorkParts(n int) int {
	return max(1, min(runtime.GOMAXPROCS(0), n/(ParallelFrom/2)))
}

// inParallel calls do for each of WorkParts(n) consecutive ranges that
// cover [0, n), concurrently, and returns when all are done. Events are
// independent of each other, so a large catalog renders in a fraction of
// the time on a machine with more than one core, with the same output.
func inParallel(n int, do func(part, from, to int)) {
	parts := WorkParts(n)
	if parts == 1 {
		do(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	for p := range parts {
		wg.Go(func() { do(p, p*n/parts, (p+1)*n/parts) })
	}
	wg.Wait()
}

type icsWriter struct {
	buf  []byte
	cuts []int // where the line being folded breaks, reused
}

func (w *icsWriter) line(s string) { w.buf = append(append(w.buf, s...), '\r', '\n') }

func (w *icsWriter) component(c ics.Component) error {
	name, err := componentName(c)
	if err != nil {
		return err
	}
	w.line("BEGIN:" + name)
	props := c.UnknownPropertiesIANAProperties()
	for i := range props {
		w.property(&props[i].BaseProperty)
	}
	for _, sub := range c.SubComponents() {
		if err := w.component(sub); err != nil {
			return err
		}
	}
	w.line("END:" + name)
	return nil
}

// componentName is the iCalendar name of each component this package
// writes.
func componentName(c ics.Component) (string, error) {
	switch c.(type) {
	case *ics.VEvent:
		return "VEVENT", nil
	case *ics.VTimezone:
		return "VTIMEZONE", nil
	case *ics.Standard:
		return "STANDARD", nil
	case *ics.Daylight:
		return "DAYLIGHT", nil
	case *ics.VAlarm:
		return "VALARM", nil
	}
	return "", fmt.Errorf("component %T is not written by this package", c)
}

// property writes one content line: the logical line goes straight into the
// output and is then folded where it stands.
func (w *icsWriter) property(p *ics.BaseProperty) {
	start := len(w.buf)
	l := append(w.buf, p.IANAToken...)
	if len(p.ICalParameters) > 0 {
		var array [4]string
		keys := array[:0]
		for k := range p.ICalParameters {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			l = append(append(append(l, ';'), k...), '=')
			for i, v := range p.ICalParameters[k] {
				if i > 0 {
					l = append(l, ',')
				}
				l = appendParamValue(l, v)
			}
		}
	}
	l = append(l, ':')
	if p.GetValueType() == ics.ValueDataTypeText {
		l = appendText(l, p.Value)
	} else {
		l = appendRaw(l, p.Value)
	}
	w.buf = w.fold(l, start)
}

// fold ends the logical line that b holds from start with CRLF, breaking it
// first before 75 octets with CRLF and a space, only where a UTF-8 sequence
// begins. It finds the breaks, then moves the pieces after them back to
// front, so that each byte moves once.
func (w *icsWriter) fold(b []byte, start int) []byte {
	line := b[start:]
	cuts := w.cuts[:0]
	for at, limit := 0, 75; len(line)-at > limit; limit = 74 { // the leading space counts
		cut := at + limit
		for cut > at && !utf8.RuneStart(line[cut]) {
			cut--
		}
		if cut == at { // not UTF-8: break where the limit falls
			cut = at + limit
		}
		cuts = append(cuts, cut)
		at = cut
	}
	w.cuts = cuts
	end := len(line)
	b = append(b, make([]byte, 3*len(cuts)+2)...)
	line = b[start:]
	to := len(line) - 2
	line[to], line[to+1] = '\r', '\n'
	for i := len(cuts) - 1; i >= 0; i-- {
		piece := line[cuts[i]:end]
		to -= len(piece)
		copy(line[to:], piece)
		to -= 3
		line[to], line[to+1], line[to+2] = '\r', '\n', ' '
		end = cuts[i]
	}
	return b
}

// The bytes that appendText and appendRaw must not copy as they are. A
// table lookup per byte: strings.IndexAny builds its set on every call,
// and these run for every property of every event.
var (
	textSpecial = byteSet("\\;,\n\r")
	lineBreak   = byteSet("\r\n")
)

func byteSet(chars string) (set [256]bool) {
	for i := range len(chars) {
		set[chars[i]] = true
	}
	return set
}

// indexOf is the index of the first byte of s in set, or -1.
func indexOf(s string, set *[256]bool) int {
	for i := range len(s) {
		if set[s[i]] {
			return i
		}
	}
	return -1
}

// appendText escapes a TEXT value (RFC 5545 §3.3.11).
func appendText(b []byte, s string) []byte {
	for {
		i := indexOf(s, &textSpecial)
		if i < 0 {
			return append(b, s...)
		}
		b = append(b, s[:i]...)
		switch c := s[i]; c {
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
		default:
			b = append(b, '\\', c)
		}
		s = s[i+1:]
	}
}

// appendRaw writes a value of another type; none of them may hold a line
// break, so none can reach the output.
func appendRaw(b []byte, s string) []byte {
	for {
		i := indexOf(s, &lineBreak)
		if i < 0 {
			return append(b, s...)
		}
		b = append(b, s[:i]...)
		s = s[i+1:]
	}
}

// appendParamValue quotes a parameter value that holds a colon, semicolon or
// comma, and writes what a quoted string cannot hold with RFC 6868's
// escapes: ^' for a double quote, ^n for a line break, ^^ for a caret.
func appendParamValue(b []byte, v string) []byte {
	quote := strings.ContainsAny(v, ":;,\"^\n")
	if quote {
		b = append(b, '"')
	}
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '"':
			b = append(b, '^', '\'')
		case c == '\n':
			b = append(b, '^', 'n')
		case c == '^' && quote:
			b = append(b, '^', '^')
		case c == '\r':
		default:
			b = append(b, c)
		}
	}
	if quote {
		b = append(b, '"')
	}
	return b
}
