package feed

import (
	"fmt"
	"strings"
	"testing"

	"feed/events"
)

// farYears is a catalog whose timed events in a zone with daylight saving
// lie at the two ends of the years a catalog may hold, with one now.
const farYears = `[calendar]
name.en = "Far years"
name.zh = "远年"

[[event]]
id = "first"
kind = "ceremony"
name.en = "First"
name.zh = "首"
start = 1900-01-01T10:00:00
zone = "Europe/London"
modified = 2026-01-01T00:00:00Z

[[event]]
id = "now"
kind = "ceremony"
name.en = "Now"
name.zh = "今"
start = 2026-07-01T10:00:00
zone = "Europe/London"
modified = 2026-01-01T00:00:00Z

[[event]]
id = "last"
kind = "ceremony"
name.en = "Last"
name.zh = "末"
start = 2100-06-01T10:00:00
end = 2100-06-01T12:00:00
zone = "Europe/London"
modified = 2026-01-01T00:00:00Z
`

// TestVTimezoneCoversOnlyEventYears: events two centuries apart get the
// zone's changes of their own years only, not of every year between (once
// 8,088 DAYLIGHT parts and 69 s for 0001 and 9999), and a client that knows
// zones only from the feed (ical.js) still reads every time right.
func TestVTimezoneCoversOnlyEventYears(t *testing.T) {
	cat, err := events.Parse("far.toml", []byte(farYears))
	if err != nil {
		t.Fatal(err)
	}
	body := mustRender(t, cat, Variant{})
	parts := strings.Count(string(body), "BEGIN:DAYLIGHT") + strings.Count(string(body), "BEGIN:STANDARD")
	// Each year: the offset in force on 1 January, and two changes.
	if parts > 9 {
		t.Errorf("the VTIMEZONE has %d parts for three years of events", parts)
	}
	got := icaljs(t, body)
	for _, ev := range cat.Events {
		exp := expect(ev)
		found := false
		for _, g := range got.Events {
			if g.UID == ev.UID() {
				found = true
				if g.Start != exp.start || (exp.end != "" && (g.End == nil || *g.End != exp.end)) {
					t.Errorf("%s: ical.js reads %s–%v, want %s–%s", ev.ID, g.Start, deref(g.End), exp.start, exp.end)
				}
			}
		}
		if !found {
			t.Errorf("%s: not in the feed", ev.ID)
		}
	}
}

// BenchmarkBuildFarYears builds the snapshot (every linked variant) of a
// catalog whose timed events lie at both ends of the years allowed.
func BenchmarkBuildFarYears(b *testing.B) {
	cat, err := events.Parse("far.toml", []byte(farYears))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Build(cat, testBaseURL); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildEveryYear builds the snapshot of 1,000 timed events in
// Europe/London spread over every year a catalog may hold: the most of its
// zone a catalog can make each linked feed carry.
func BenchmarkBuildEveryYear(b *testing.B) {
	var src strings.Builder
	src.WriteString("[calendar]\nname.en = \"Every year\"\nname.zh = \"每年\"\n")
	for i := range 1000 {
		year := events.MinYear + i%(events.MaxYear-events.MinYear+1)
		fmt.Fprintf(&src, "\n[[event]]\nid = \"e%d\"\nkind = \"ceremony\"\nname.en = \"E\"\nname.zh = \"事\"\nstart = %d-06-01T10:00:00\nzone = \"Europe/London\"\nmodified = 2026-01-01T00:00:00Z\n", i, year)
	}
	cat, err := events.Parse("every.toml", []byte(src.String()))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Build(cat, testBaseURL); err != nil {
			b.Fatal(err)
		}
	}
}
