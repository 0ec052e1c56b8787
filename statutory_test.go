package feed

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"feed/events"
)

// TestStatutoryFeedIsDeterministic: the derived events come from the
// regulations and the catalog, never from the clock, so two processes
// started on different days (a restart, or the day changing under a running
// one) serve the same bytes and ETag, and DTSTAMP is the derivation's
// revision.
func TestStatutoryFeedIsDeterministic(t *testing.T) {
	var bodies [][]byte
	for _, day := range []time.Time{
		time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC),
		time.Date(2028, 6, 15, 23, 59, 0, 0, time.UTC),
	} {
		snap, err := Build(defaultCatalog(t), testBaseURL)
		if err != nil {
			t.Fatal(err)
		}
		srv := NewServer(snap, discardLogger(), WithClock(func() time.Time { return day }))
		rec := get(t, srv, "/calendar.ics?holiday=all&kind=statutory")
		if rec.Code != 200 {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		bodies = append(bodies, rec.Body.Bytes())
	}
	if !bytes.Equal(bodies[0], bodies[1]) {
		t.Error("the statutory feed differs between two days")
	}
	if n := strings.Count(string(bodies[0]), "DTSTAMP:20261201T000000Z"); n != 28 {
		t.Errorf("%d events stamped with the derivation's revision, want 28", n)
	}
}

// TestStatutoryHandOver adds a 2027 notice to the catalog: 2027's
// statutory events leave every feed, and the break that replaces Spring
// Festival's covers its statutory days.
func TestStatutoryHandOver(t *testing.T) {
	src := events.DefaultSource()
	notice2027 := `
[[event]]
id = "cn-spring-festival-2027-days-off"
kind = "day-off"
holiday = "spring-festival"
name.en = "Spring Festival holiday (China): days off"
name.zh = "春节放假"
start = 2027-02-05
end = 2027-02-11
modified = 2026-12-01T00:00:00Z
sources = [ { title = "test", url = "https://example.org/2027" } ]
`
	cat, err := events.Parse("with-2027.toml", append(src, notice2027...))
	if err != nil {
		t.Fatal(err)
	}
	snap, err := Build(cat, testBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	body := get(t, NewServer(snap, discardLogger()), "/calendar.ics?holiday=all").Body.String()
	if strings.Contains(body, "-2027-statutory@") {
		t.Error("a 2027 statutory event is still served after the 2027 notice")
	}
	if !strings.Contains(body, "cn-spring-festival-2028-statutory@") || !strings.Contains(body, "cn-spring-festival-2027-days-off@") {
		t.Error("the feed lacks the 2027 break or the 2028 statutory days")
	}

	// A break that misses its statutory days is refused, with its line.
	short := strings.Replace(notice2027, "start = 2027-02-05", "start = 2027-02-06", 1)
	_, err = events.Parse("with-2027.toml", append(src, short...))
	if err == nil || !strings.Contains(err.Error(), "event[") || !strings.Contains(err.Error(), "do not contain Spring Festival's statutory days of 2027 (2027-02-05 to 2027-02-08)") {
		t.Errorf("a 2027 break without New Year's Eve: %v", err)
	}
}
