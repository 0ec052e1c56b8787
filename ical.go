package feed

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"feed/events"
)

// This file is the one place that writes properties into golang-ical's
// model and the one place that turns the model into bytes. The library has
// traps that the rest of the package must not reach:
//
//   - it writes LF line endings unless told otherwise (serialize writes CRLF
//     itself);
//   - SetStartAt with a TZID writes a UTC "Z" time beside the TZID, which
//     RFC 5545 forbids (local writes the wall clock instead);
//   - AddTimezone writes a VTIMEZONE with nothing but a TZID (vtimezone.go
//     builds the STANDARD and DAYLIGHT parts);
//   - all-day dates take the time.Time's own location (date takes a civil
//     events.Date instead);
//   - parameter values are backslash-escaped where RFC 5545 wants quoting
//     (serialize quotes them, with RFC 6868's escapes);
//   - CR in text is not normalised (text does it) and properties that may
//     appear once are not kept single (set replaces);
//   - its serializer folds at word boundaries through a string builder per
//     property and a regrown buffer, which made a 100,000-event feed take a
//     second; serialize writes each line once into one buffer.

// props writes properties onto one component.
type props struct{ c *ics.ComponentBase }

// set replaces every earlier value of a property, so that a property that
// RFC 5545 allows once can never appear twice.
func (p props) set(name ics.ComponentProperty, value string, params ...ics.PropertyParameter) {
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

func (p props) setWithParams(name ics.ComponentProperty, value string, params map[string][]string) {
	for i := range p.c.Properties {
		if p.c.Properties[i].IANAToken == string(name) {
			p.c.Properties[i].Value, p.c.Properties[i].ICalParameters = value, params
			return
		}
	}
	p.c.Properties = append(p.c.Properties, ics.IANAProperty{BaseProperty: ics.BaseProperty{IANAToken: string(name), Value: value, ICalParameters: params}})
}

// text sets a TEXT property. golang-ical escapes backslash, semicolon, comma
// and newline for properties it knows to be TEXT; line breaks are made
// uniform first so that a CR can never reach the output on its own.
func (p props) text(name ics.ComponentProperty, s string) {
	p.set(name, cleanText(s))
}

// addText adds one more value of a TEXT property that may repeat, such as
// CATEGORIES. One value per property keeps the library from escaping the
// commas that would otherwise separate a list.
func (p props) addText(name ics.ComponentProperty, s string) {
	p.c.Properties = append(p.c.Properties, ics.IANAProperty{BaseProperty: ics.BaseProperty{IANAToken: string(name), Value: cleanText(s)}})
}

// valueDate is the parameter list of every DATE value. It is shared, and
// nothing here changes a property's parameters once they are set.
var valueDate = map[string][]string{"VALUE": {"DATE"}}

// date writes a DATE value: the day itself, in no zone.
func (p props) date(name ics.ComponentProperty, d events.Date) {
	p.setWithParams(name, formatDate(d), valueDate)
}

// local writes a DATE-TIME as wall-clock time with the TZID of its zone,
// never a floating time and never a UTC time beside a TZID.
func (p props) local(name ics.ComponentProperty, t time.Time) {
	p.set(name, t.Format(localLayout), ics.WithTZID(t.Location().String()))
}

// utc writes a DATE-TIME in UTC, as DTSTAMP and LAST-MODIFIED require.
func (p props) utc(name ics.ComponentProperty, t time.Time) {
	p.set(name, t.UTC().Format(localLayout+"Z"))
}

const localLayout = "20060102T150405"

func formatDate(d events.Date) string { return d.In(time.UTC).Format("20060102") }

// cleanText makes every line break a single LF (which the library writes as
// \n) and drops control characters that TEXT cannot carry.
func cleanText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// calendarProps writes VCALENDAR properties, which golang-ical keeps apart
// from component properties.
type calendarProps struct{ cal *ics.Calendar }

func (p calendarProps) set(name, value string, params map[string][]string) {
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

func (p calendarProps) text(name, s string) { p.set(name, cleanText(s), nil) }

// typed writes a value of a non-TEXT type with its VALUE parameter, which
// also keeps golang-ical from applying TEXT escaping to a URI or duration.
func (p calendarProps) typed(name, valueType, value string) {
	p.set(name, value, map[string][]string{"VALUE": {valueType}})
}

// serialize writes the calendar as RFC 5545 bytes: CRLF line endings, lines
// folded at 75 octets without splitting a UTF-8 sequence, TEXT values
// escaped, parameter values quoted where they must be.
func serialize(cal *ics.Calendar) ([]byte, error) {
	w := &icsWriter{buf: make([]byte, 0, 1024+800*len(cal.Components))}
	w.line("BEGIN:VCALENDAR")
	for i := range cal.CalendarProperties {
		w.property(&cal.CalendarProperties[i].BaseProperty)
	}
	for _, c := range cal.Components {
		if err := w.component(c); err != nil {
			return nil, err
		}
	}
	w.line("END:VCALENDAR")
	return w.buf, nil
}

type icsWriter struct {
	buf     []byte
	logical []byte // the property being written, before folding
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

func (w *icsWriter) property(p *ics.BaseProperty) {
	l := append(w.logical[:0], p.IANAToken...)
	if len(p.ICalParameters) > 0 {
		keys := make([]string, 0, len(p.ICalParameters))
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
	w.logical = l
	w.fold(l)
}

// fold copies a logical line into the output, breaking it before 75 octets
// with CRLF and a space, only where a UTF-8 sequence begins.
func (w *icsWriter) fold(l []byte) {
	limit := 75
	for len(l) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(l[cut]) {
			cut--
		}
		w.buf = append(append(w.buf, l[:cut]...), '\r', '\n', ' ')
		l = l[cut:]
		limit = 74 // the leading space counts
	}
	w.buf = append(append(w.buf, l...), '\r', '\n')
}

// appendText escapes a TEXT value (RFC 5545 §3.3.11).
func appendText(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', ';', ',':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
		default:
			b = append(b, c)
		}
	}
	return b
}

// appendRaw writes a value of another type; none of them may hold a line
// break, so none can reach the output.
func appendRaw(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '\r' && c != '\n' {
			b = append(b, c)
		}
	}
	return b
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
