package ical

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"
	goical "github.com/emersion/go-ical"

	"feed/events"
)

// FuzzTextRoundTrip puts any text a catalog can hold into an event's name,
// description and place, writes it, and reads it back with go-ical, which
// shares no code with the writer: the text must come back unchanged, every
// physical line must fit in 75 octets, and line breaks must be CRLF.
func FuzzTextRoundTrip(f *testing.F) {
	for _, seed := range []string{
		"plain", "comma, semicolon; backslash\\ colon:", "line\nbreak", "tab\tand  spaces ",
		"劳动节调休上班，为劳动节放假（4月30日至5月4日）调休。劳动节调休上班，为劳动节放假",
		"emoji 👷‍♀️🛠️ and combining é", strings.Repeat("x", 74) + "字", strings.Repeat("字 ", 40),
		"\\n is not a newline", "\"quoted\" 'single'", "<a href=x>tag</a>",
	} {
		f.Add(seed, seed)
	}
	f.Fuzz(func(t *testing.T, name, desc string) {
		if !catalogText(name) || !catalogText(desc) {
			t.Skip("the catalog decoder refuses this text")
		}
		ev := events.Event{
			ID: "fuzz", Kind: events.KindObservance, Status: events.StatusConfirmed,
			When:     events.When{AllDay: true, First: events.Date{Year: 2026, Month: 5, Day: 1}, Last: events.Date{Year: 2026, Month: 5, Day: 1}},
			Revision: events.Revision{Modified: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		}
		body, err := Serialize(calendar(name), []events.Event{ev}, func(ev events.Event) *ics.VEvent {
			e := &ics.VEvent{}
			p := PropsOf(&e.ComponentBase)
			p.Set(ics.ComponentPropertyUniqueId, ev.UID())
			p.Set(ics.ComponentPropertyDtstamp, FormatUTC(ev.Revision.Modified))
			p.Date(ics.ComponentPropertyDtStart, ev.When.First)
			p.Text(ics.ComponentPropertySummary, name)
			if desc != "" {
				p.Text(ics.ComponentPropertyDescription, desc)
				p.Text(ics.ComponentPropertyLocation, desc)
			}
			return e
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.SplitAfter(string(body), "\r\n") {
			content := strings.TrimSuffix(line, "\r\n")
			if len(content) > 75 || strings.ContainsAny(content, "\r\n") || !utf8.ValidString(content) {
				t.Fatalf("bad physical line %q", line)
			}
		}
		cal, err := goical.NewDecoder(bytes.NewReader(body)).Decode()
		if err != nil {
			t.Fatalf("go-ical: %v", err)
		}
		got := cal.Events()[0]
		for prop, want := range map[string]string{goical.PropSummary: name, goical.PropDescription: desc, goical.PropLocation: desc} {
			if want == "" {
				continue
			}
			if text, err := got.Props.Text(prop); err != nil || text != want {
				t.Fatalf("%s came back as %q, want %q (%v)", prop, text, want, err)
			}
		}
		if calName, _ := cal.Props.Text("X-WR-CALNAME"); calName != name {
			t.Fatalf("X-WR-CALNAME came back as %q, want %q", calName, name)
		}
	})
}

// calendar is a VCALENDAR with the properties RFC 5545 requires and name.
func calendar(name string) *ics.Calendar {
	cal := &ics.Calendar{}
	cp := CalendarPropsOf(cal)
	cp.Text("VERSION", "2.0")
	cp.Text("PRODID", "-//feed//test//EN")
	cp.Text("X-WR-CALNAME", name)
	return cal
}

// catalogText is text that the catalog decoder accepts and keeps as is:
// valid UTF-8, trimmed, no control characters but tab and newline.
func catalogText(s string) bool {
	return utf8.ValidString(s) && s == strings.TrimSpace(s) && !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && r != '\t' && r != '\n'
	})
}
