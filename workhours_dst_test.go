package feed

import (
	"strings"
	"testing"

	"feed/events"
)

// TestWorkHoursOnClockChangeDays: working hours are the wall clock's on
// the day, also on the days the clocks change (Europe/London, 29 March and
// 25 October 2026), as ical.js reads them from the feed's own VTIMEZONE;
// nine hours after midnight would be 10:00 and 08:00 there.
func TestWorkHoursOnClockChangeDays(t *testing.T) {
	cat, err := events.Parse("london.toml", []byte(`[calendar]
name.en = "London"
name.zh = "伦敦"
timezone = "Europe/London"

[[event]]
id = "spring"
kind = "workday"
holiday = "labour-day"
name.en = "Spring forward"
name.zh = "夏令时开始"
start = 2026-03-28
end = 2026-03-30
modified = 2026-01-01T00:00:00Z

[[event]]
id = "autumn"
kind = "workday"
holiday = "labour-day"
name.en = "Fall back"
name.zh = "夏令时结束"
start = 2026-10-25
modified = 2026-01-01T00:00:00Z
`))
	if err != nil {
		t.Fatal(err)
	}
	v, err := ParseFeedVariant("workhours=09:00-18:00")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]string{ // UTC
		"20260328": {"2026-03-28T09:00:00Z", "2026-03-28T18:00:00Z"}, // GMT
		"20260329": {"2026-03-29T08:00:00Z", "2026-03-29T17:00:00Z"}, // BST from 01:00 GMT
		"20260330": {"2026-03-30T08:00:00Z", "2026-03-30T17:00:00Z"},
		"autumn":   {"2026-10-25T09:00:00Z", "2026-10-25T18:00:00Z"}, // GMT from 01:00 GMT
	}
	for _, ev := range cat.Events {
		days, err := applyWorkHours(cat, ev, v)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range days {
			if got := d.When.Start.Format("15:04") + "-" + d.When.End.Format("15:04"); got != "09:00-18:00" {
				t.Errorf("%s: %s local, want 09:00-18:00", d.ID, got)
			}
		}
	}
	body := mustRender(t, cat, v)
	got := icaljs(t, body)
	if len(got.Events) != len(want) {
		t.Fatalf("%d events, want %d", len(got.Events), len(want))
	}
	for _, ev := range got.Events {
		var w [2]string
		for key, times := range want {
			if strings.Contains(ev.UID, key) {
				w = times
			}
		}
		if ev.Start != w[0] || deref(ev.End) != w[1] {
			t.Errorf("%s: ical.js reads %s–%s, want %s–%s", ev.UID, ev.Start, deref(ev.End), w[0], w[1])
		}
	}
}
