package ical

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	ics "github.com/arran4/golang-ical"

	"feed/events"
)

// jCal (RFC 7265) is written from the same golang-ical model as the
// iCalendar bytes, so the two forms of a feed cannot drift apart. Values are
// converted from their iCalendar text by type; golang-ical keeps TEXT values
// unescaped in the model, as jCal wants them.

// EncodeJCal writes cal as jCal.
func EncodeJCal(cal *ics.Calendar) ([]byte, error) {
	return EncodeJCalEvents(cal, nil, nil)
}

// EncodeJCalEvents writes cal as jCal with evs after its own components,
// as Serialize does for iCalendar: each event's component is built, written
// and dropped in turn, so that a render holds one event's tree at a time
// rather than the whole calendar's, which for 10,000 events is several
// times the bytes written. The bytes are those of EncodeJCal on the
// calendar with the events added.
func EncodeJCalEvents(cal *ics.Calendar, evs []events.Event, vevent func(events.Event) *ics.VEvent) ([]byte, error) {
	props := make([]any, 0, len(cal.CalendarProperties))
	for _, p := range cal.CalendarProperties {
		props = append(props, jcalProperty(p.BaseProperty))
	}
	var buf, one bytes.Buffer
	enc := json.NewEncoder(&one)
	enc.SetEscapeHTML(false)
	// encode writes v as the compact JSON that encoding it within the
	// whole array would give, without the Encoder's newline.
	encode := func(v any) error {
		one.Reset()
		if err := enc.Encode(v); err != nil {
			return fmt.Errorf("encode jCal: %w", err)
		}
		buf.Write(bytes.TrimSuffix(one.Bytes(), []byte("\n")))
		return nil
	}
	buf.WriteString(`["vcalendar",`)
	if err := encode(props); err != nil {
		return nil, err
	}
	buf.WriteString(",[")
	n := 0
	next := func(c ics.Component) error {
		if n > 0 {
			buf.WriteByte(',')
		}
		n++
		return encode(jcalComponent(c))
	}
	for _, c := range cal.Components {
		if err := next(c); err != nil {
			return nil, err
		}
	}
	for _, ev := range evs {
		if err := next(vevent(ev)); err != nil {
			return nil, err
		}
	}
	buf.WriteString("]]\n")
	return buf.Bytes(), nil
}

func jcalComponent(c ics.Component) []any {
	name, err := componentName(c)
	if err != nil {
		panic("jCal: " + err.Error()) // callers build only the components componentName knows
	}
	name = strings.ToLower(name)
	props := make([]any, 0, len(c.UnknownPropertiesIANAProperties()))
	for _, p := range c.UnknownPropertiesIANAProperties() {
		props = append(props, jcalProperty(p.BaseProperty))
	}
	subs := make([]any, 0, len(c.SubComponents()))
	for _, sub := range c.SubComponents() {
		subs = append(subs, jcalComponent(sub))
	}
	return []any{name, props, subs}
}

// jcalProperty writes [name, params, type, value...]. The VALUE parameter
// becomes the type and is not repeated among the parameters (RFC 7265 §3.4).
func jcalProperty(p ics.BaseProperty) []any {
	params := make(map[string]any, len(p.ICalParameters))
	valueType := ""
	for k, vs := range p.ICalParameters {
		if k == "VALUE" && len(vs) == 1 {
			valueType = strings.ToLower(vs[0])
			continue
		}
		if len(vs) == 1 {
			params[strings.ToLower(k)] = vs[0]
		} else {
			params[strings.ToLower(k)] = vs
		}
	}
	if valueType == "" {
		valueType = defaultValueType(p.IANAToken)
	}
	out := []any{strings.ToLower(p.IANAToken), params, valueType}
	switch valueType {
	case "date":
		return append(out, p.Value[0:4]+"-"+p.Value[4:6]+"-"+p.Value[6:8])
	case "date-time":
		v := p.Value
		return append(out, v[0:4]+"-"+v[4:6]+"-"+v[6:8]+"T"+v[9:11]+":"+v[11:13]+":"+v[13:])
	case "utc-offset":
		v := p.Value
		return append(out, v[0:3]+":"+v[3:5]+offsetSeconds(v[5:]))
	case "integer":
		n, _ := strconv.Atoi(p.Value)
		return append(out, n)
	case "float":
		var fs []any
		for part := range strings.SplitSeq(p.Value, ";") {
			f, _ := strconv.ParseFloat(part, 64)
			fs = append(fs, f)
		}
		if len(fs) == 1 {
			return append(out, fs[0])
		}
		return append(out, fs) // GEO is a structured value: [lat, lon]
	case "recur":
		return append(out, jcalRecur(p.Value))
	default:
		return append(out, p.Value)
	}
}

func offsetSeconds(s string) string {
	if s == "" {
		return ""
	}
	return ":" + s
}

// defaultValueType is RFC 5545's default type of each property this package
// writes without a VALUE parameter.
func defaultValueType(name string) string {
	switch name {
	case "DTSTART", "DTEND", "DTSTAMP", "LAST-MODIFIED", "CREATED", "RECURRENCE-ID", "EXDATE", "RDATE":
		return "date-time"
	case "RRULE":
		return "recur"
	case "GEO":
		return "float"
	case "TZOFFSETFROM", "TZOFFSETTO":
		return "utc-offset"
	case "SEQUENCE", "PRIORITY", "REPEAT":
		return "integer"
	case "URL", "TZURL":
		return "uri"
	case "TRIGGER", "DURATION":
		return "duration"
	}
	return "text"
}

// jcalRecur turns FREQ=YEARLY;BYMONTH=3;BYDAY=2SU into the object form of
// RFC 7265 §3.6.10, with numeric parts as numbers.
func jcalRecur(rule string) map[string]any {
	out := make(map[string]any)
	for part := range strings.SplitSeq(rule, ";") {
		k, v, _ := strings.Cut(part, "=")
		key := strings.ToLower(k)
		var values []any
		for item := range strings.SplitSeq(v, ",") {
			switch key {
			case "count", "interval", "bysecond", "byminute", "byhour", "bymonthday", "byyearday", "byweekno", "bymonth", "bysetpos":
				n, _ := strconv.Atoi(item)
				values = append(values, n)
			default:
				values = append(values, item)
			}
		}
		if len(values) == 1 {
			out[key] = values[0]
		} else {
			out[key] = values
		}
	}
	return out
}
