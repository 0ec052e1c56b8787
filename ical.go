package feed

import (
	"bytes"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"feed/events"
)

// This file is the one place that writes properties through golang-ical.
// The library has traps that the rest of the package must not reach:
//
//   - it writes LF line endings unless told otherwise (serialize does);
//   - SetStartAt with a TZID writes a UTC "Z" time beside the TZID, which
//     RFC 5545 forbids (local writes the wall clock instead);
//   - AddTimezone writes a VTIMEZONE with nothing but a TZID (vtimezone.go
//     builds the STANDARD and DAYLIGHT parts);
//   - all-day dates take the time.Time's own location (date takes a civil
//     events.Date instead);
//   - parameter values are backslash-escaped where RFC 5545 wants quoting
//     (the only parameters written here are VALUE and TZID, whose values are
//     IANA zone names and keywords that need neither);
//   - CR in text is not normalised (text does it) and properties that may
//     appear once are not kept single (set replaces).

// props writes properties onto one component.
type props struct{ c *ics.ComponentBase }

// set replaces every earlier value of a property, so that a property that
// RFC 5545 allows once can never appear twice.
func (p props) set(name ics.ComponentProperty, value string, params ...ics.PropertyParameter) {
	p.c.SetProperty(name, value, params...)
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
	p.c.AddProperty(name, cleanText(s))
}

// date writes a DATE value: the day itself, in no zone.
func (p props) date(name ics.ComponentProperty, d events.Date) {
	p.set(name, formatDate(d), ics.WithValue(string(ics.ValueDataTypeDate)))
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

// serialize writes the calendar with CRLF line endings, folded at 75
// octets without splitting a UTF-8 sequence (golang-ical counts runes'
// byte lengths when it folds).
func serialize(cal *ics.Calendar) ([]byte, error) {
	var buf bytes.Buffer
	if err := cal.SerializeTo(&buf, ics.WithNewLineWindows); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
