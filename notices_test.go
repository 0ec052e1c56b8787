package feed

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"feed/events"
	"feed/internal/noticefetch"
)

// /healthz and /metrics report the fetched notices: a held one with its
// year, address and reason to every client, the status staying ok; the
// search's last error only where HealthDetails allows.
func TestNoticeHealth(t *testing.T) {
	at := time.Date(2026, 12, 3, 5, 0, 0, 0, time.UTC)
	status := noticefetch.Status{
		LastPoll: at, LastSuccess: at.Add(-time.Hour), NextPoll: at.Add(time.Hour),
		LastError: "fetch http://mirror.internal/search-gov/data: connection refused",
		Applied:   []noticefetch.Entry{{Year: 2026, URL: "https://www.gov.cn/a.htm", Published: at.AddDate(-1, 0, 0), State: noticefetch.StateApplied}},
		Held:      []noticefetch.Entry{{Year: 2027, URL: "https://www.gov.cn/b.htm", State: noticefetch.StateHeld, Reason: "line 3: 2027-01-01 is a Friday, not 周四"}},
	}
	for _, tc := range []struct {
		details   HealthDetails
		lastError bool
	}{{HealthDetailsOff, false}, {HealthDetailsAll, true}} {
		snap, err := Build(defaultCatalog(t), testBaseURL)
		if err != nil {
			t.Fatal(err)
		}
		srv := NewServer(snap, discardLogger(), WithHealthDetails(tc.details), WithClock(func() time.Time { return at }))
		if rec := get(t, srv, "/healthz"); strings.Contains(rec.Body.String(), `"notices"`) {
			t.Errorf("notices reported before the service fetches any: %s", rec.Body)
		}
		var served *events.Catalog
		srv.WatchNotices(func(cat *events.Catalog) noticefetch.Status { served = cat; return status })
		srv.NoticePolled(noticefetch.OutcomeHeld)
		rec := get(t, srv, "/healthz")
		var h struct {
			Status   string              `json:"status"`
			Warnings []string            `json:"warnings"`
			Notices  *noticefetch.Status `json:"notices"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &h); err != nil || rec.Code != 200 {
			t.Fatalf("healthz: %d %v: %s", rec.Code, err, rec.Body)
		}
		if served != snap.Catalog {
			t.Error("the status was not asked for the catalog being served")
		}
		if h.Status != "ok" || h.Notices == nil || len(h.Notices.Held) != 1 || h.Notices.Held[0].Reason != status.Held[0].Reason ||
			!h.Notices.NextPoll.Equal(status.NextPoll) || len(h.Notices.Applied) != 1 {
			t.Errorf("details %v: %s", tc.details, rec.Body)
		}
		if !strings.Contains(strings.Join(h.Warnings, "\n"), "the notice for 2027 at https://www.gov.cn/b.htm is held, not served: line 3") {
			t.Errorf("warnings %q", h.Warnings)
		}
		if (h.Notices.LastError != "") != tc.lastError {
			t.Errorf("details %v: last error %q", tc.details, h.Notices.LastError)
		}
		metrics := get(t, srv, "/metrics").Body.String()
		for _, m := range []string{"\nfeed_notices_held 1\n", "\nfeed_notices_applied 1\n", `feed_notice_polls_total{outcome="held"} 1`,
			"\nfeed_notice_last_success_timestamp_seconds " + strconv.FormatFloat(float64(status.LastSuccess.Unix()), 'g', -1, 64) + "\n"} {
			if !strings.Contains(metrics, m) {
				t.Errorf("/metrics lacks %q", m)
			}
		}
	}
}

// The page says where each year's days come from: the fetched notice with
// its date, the statutory days for the years after.
func TestPageNamesFetchedNotices(t *testing.T) {
	snap, err := Build(defaultCatalog(t), testBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	snap.FetchedNotices = map[int]time.Time{2026: time.Date(2025, 11, 4, 8, 31, 5, 0, time.UTC)}
	srv := NewServer(snap, discardLogger(), WithClock(func() time.Time { return time.Date(2026, 12, 3, 5, 0, 0, 0, time.UTC) }))
	for lang, want := range map[string][]string{
		"en": {"2026: from the notice of 4 November 2025, fetched from gov.cn by this service.", "2027–2030: the statutory days until each year"},
		"zh": {"2026年的放假安排来自2025年11月4日发布的国务院办公厅通知", "2027—2030年：通知发布前列出法定假日。"},
	} {
		page := get(t, srv, "/?lang="+lang).Body.String()
		for _, w := range want {
			if !strings.Contains(page, w) {
				t.Errorf("the %s page lacks %q", lang, w)
			}
		}
	}
}
