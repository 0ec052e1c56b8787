package feed

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"feed/events"
)

// nextYearEvent stands in for the 2027 notice's first event.
const nextYearEvent = `
[[event]]
id = "cn-new-year-2027-days-off"
kind = "day-off"
holiday = "new-year"
name.en = "New Year's Day holiday (China): days off"
name.zh = "元旦放假"
start = 2027-01-01
modified = 2026-12-01T00:00:00Z
`

func coverageServer(t *testing.T, withNextYear bool, now time.Time) *Server {
	t.Helper()
	data := events.DefaultSource()
	if withNextYear {
		data = append(data, nextYearEvent...)
	}
	cat, err := events.Parse("catalog.toml", data)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := Build(cat, "")
	if err != nil {
		t.Fatal(err)
	}
	return NewServer(snap, discardLogger(), WithClock(func() time.Time { return now }))
}

// The warning starts on 1 November of the last arranged year, China time,
// and stops once the next year is in; /healthz stays ok and 200.
func TestCoverageWarning(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name         string
		now          time.Time
		withNextYear bool
		warn         bool
		lastYear     string
	}{
		{"31 October", time.Date(2026, 10, 31, 23, 0, 0, 0, shanghai), false, false, "2026"},
		{"1 November", time.Date(2026, 11, 1, 0, 0, 0, 0, shanghai), false, true, "2026"},
		{"December", time.Date(2026, 12, 1, 9, 0, 0, 0, shanghai), false, true, "2026"},
		{"next year added", time.Date(2026, 12, 1, 9, 0, 0, 0, shanghai), true, false, "2027"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := coverageServer(t, tc.withNextYear, tc.now)
			rec := get(t, srv, "/healthz")
			var health struct {
				Status           string   `json:"status"`
				LastArrangedYear int      `json:"last_arranged_year"`
				Warnings         []string `json:"warnings"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &health); err != nil {
				t.Fatalf("healthz: %v: %s", err, rec.Body)
			}
			if rec.Code != 200 || health.Status != "ok" || tc.lastYear != strconv.Itoa(health.LastArrangedYear) {
				t.Errorf("healthz: %d %s", rec.Code, rec.Body)
			}
			warned := len(health.Warnings) == 1 && strings.Contains(health.Warnings[0], "no holiday arrangement for 2027")
			if warned != tc.warn || (!tc.warn && len(health.Warnings) > 0) {
				t.Errorf("healthz warnings %q, want a warning: %v", health.Warnings, tc.warn)
			}
			if got := CoverageWarning(srv.Snapshot().Catalog, tc.now) != ""; got != tc.warn {
				t.Errorf("CoverageWarning: %v", got)
			}

			metrics := get(t, srv, "/metrics").Body.String()
			if !strings.Contains(metrics, "\nfeed_catalog_last_arranged_year "+tc.lastYear+"\n") {
				t.Errorf("metrics lack feed_catalog_last_arranged_year %s", tc.lastYear)
			}

			en := get(t, srv, "/?lang=en").Body.String()
			zh := get(t, srv, "/?lang=zh").Body.String()
			years := "2022–" + tc.lastYear
			if !strings.Contains(en, "Holiday arrangements: "+years+".") || !strings.Contains(zh, `<p class="intro" id="coverage">放假安排：2022—`+tc.lastYear+"年。") {
				t.Errorf("the page does not say the years %s", years)
			}
			pendingEN := strings.Contains(en, "The arrangement for 2027 is not in yet; once the State Council publishes it, subscribers get it automatically.")
			pendingZH := strings.Contains(zh, "年。2027年的放假安排尚未收录；国务院办公厅发布后，订阅者会自动收到。")
			if pendingEN != tc.warn || pendingZH != tc.warn {
				t.Errorf("page says next year is awaited: en %v, zh %v; want %v", pendingEN, pendingZH, tc.warn)
			}
		})
	}
}

// A catalog with no holiday arrangement says nothing of years.
func TestCoverageWithoutArrangements(t *testing.T) {
	cat := &events.Catalog{Name: events.Text{EN: "c", ZH: "c"}}
	if w := CoverageWarning(cat, time.Now()); w != "" {
		t.Errorf("warning %q", w)
	}
	if text := coverageText(cat, LangEnglish, time.Now()); text != "" {
		t.Errorf("page text %q", text)
	}
}
