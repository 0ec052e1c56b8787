package feed

import (
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"

	goical "github.com/emersion/go-ical"

	"feed/events"
)

// conferenceFeeds are the conference's kind filters as a subscriber writes
// them, with what each must hold: every edition of the series as an
// all-day event, and the one ceremony whose time was published, the 2022
// opening. Typed by hand, not derived from the catalog, so that an edition
// lost or a ceremony invented shows up.
var conferenceFeeds = []struct {
	query string
	// uid, then DTSTART and DTEND as ical.js reads them: a date for an
	// all-day event, a UTC instant for a timed one.
	events [][3]string
}{
	{"kind=conference", [][3]string{
		{"craftsmen-conference-2022", "2022-04-27", "2022-04-30"},
		{"craftsmen-conference-2023", "2023-07-28", "2023-07-31"},
		{"craftsmen-conference-2025", "2025-09-23", "2025-09-27"},
	}},
	{"kind=ceremony", [][3]string{
		{"craftsmen-conference-2022-opening", "2022-04-27T02:00:00Z", ""},
	}},
	{"kind=conference,ceremony", [][3]string{
		{"craftsmen-conference-2022", "2022-04-27", "2022-04-30"},
		{"craftsmen-conference-2022-opening", "2022-04-27T02:00:00Z", ""},
		{"craftsmen-conference-2023", "2023-07-28", "2023-07-31"},
		{"craftsmen-conference-2025", "2025-09-23", "2025-09-27"},
	}},
}

// TestConferenceSeriesFeeds reads each conference feed with ical.js,
// libical and go-ical: the editions are all-day events on their days, and
// the only timed event is the 2022 opening, at 10:00 in Beijing, with no
// end.
func TestConferenceSeriesFeeds(t *testing.T) {
	srv, _ := newTestServer(t)
	for _, tc := range conferenceFeeds {
		for _, lang := range []string{"en", "zh"} {
			target := "/calendar.ics?" + tc.query + "&lang=" + lang
			rec := get(t, srv, target)
			if rec.Code != 200 {
				t.Fatalf("%s: %d %s", target, rec.Code, rec.Body.String())
			}
			body := rec.Body.Bytes()
			var want []string
			for _, ev := range tc.events {
				want = append(want, ev[0]+"@"+events.UIDDomain)
			}

			cal := icaljs(t, body)
			var uids []string
			for i, got := range cal.Events {
				uids = append(uids, got.UID)
				if i >= len(tc.events) {
					continue
				}
				w := tc.events[i]
				allDay := !strings.Contains(w[1], "T")
				end := ""
				if got.End != nil {
					end = *got.End
				}
				if got.Start != w[1] || end != w[2] || got.IsDate != allDay {
					t.Errorf("%s: ical.js read %s %s–%s (date %v), want %s–%s", target, got.UID, got.Start, end, got.IsDate, w[1], w[2])
				}
			}
			if !slices.Equal(uids, want) {
				t.Errorf("%s: ical.js read %v, want %v", target, uids, want)
			}

			uids = uids[:0]
			for _, row := range libical(t, body) {
				uids = append(uids, row[0])
			}
			if !slices.Equal(uids, want) {
				t.Errorf("%s: libical read %v, want %v", target, uids, want)
			}

			gocal, err := goical.NewDecoder(rec.Body).Decode()
			if err != nil {
				t.Fatalf("%s: go-ical: %v", target, err)
			}
			uids = uids[:0]
			for _, ev := range gocal.Events() {
				uid, _ := ev.Props.Text(goical.PropUID)
				uids = append(uids, uid)
				if start := ev.Props.Get(goical.PropDateTimeStart); uid != "craftsmen-conference-2022-opening@"+events.UIDDomain && start.ValueType() != goical.ValueDate {
					t.Errorf("%s: %s starts at a time, %s; no time was published", target, uid, start.Value)
				}
			}
			if !slices.Equal(uids, want) {
				t.Errorf("%s: go-ical read %v, want %v", target, uids, want)
			}
		}
	}
}

// TestPageConferenceSeries: the conference's card lists its editions,
// newest first, in the page's language, each with its days and place and a
// link to the event further down the page.
func TestPageConferenceSeries(t *testing.T) {
	srv := pageServer(t, testBaseURL)
	for lang, want := range map[string][]string{
		"en": {
			`<h4 class="series-title" id="series-conference">Editions, newest first</h4>`,
			`<li><a href="#event-craftsmen-conference-2025">The Third Innovation Exchange Conference for Craftsmen of the Nation and Craftsmen of the Nation Forum</a><span class="meta">Tue 23 Sep – Fri 26 Sep 2025 · Chongqing</span></li>`,
			`<li><a href="#event-craftsmen-conference-2023">The Second Innovation Exchange Conference for Craftsmen of the Nation and Craftsmen of the Nation Forum</a><span class="meta">Fri 28 Jul – Sun 30 Jul 2023 · Beijing Exhibition Center, Beijing</span></li>`,
			`<li><a href="#event-craftsmen-conference-2022">The First Innovation Exchange Conference for Craftsmen of the Nation</a><span class="meta">Wed 27 Apr – Fri 29 Apr 2022 · Shenzhen Convention & Exhibition Center`,
		},
		"zh": {
			`<h4 class="series-title" id="series-conference">历届（由近及远）</h4>`,
			`<li><a href="#event-craftsmen-conference-2025">第三届大国工匠创新交流大会暨大国工匠论坛</a><span class="meta">2025年9月23日（星期二）至9月26日（星期五） · 重庆</span></li>`,
			`<li><a href="#event-craftsmen-conference-2023">第二届大国工匠创新交流大会暨大国工匠论坛</a><span class="meta">2023年7月28日（星期五）至7月30日（星期日） · 北京展览馆（北京）</span></li>`,
			`<li><a href="#event-craftsmen-conference-2022">首届大国工匠创新交流大会</a><span class="meta">2022年4月27日（星期三）至4月29日（星期五） · 深圳会展中心`,
		},
	} {
		body := html.UnescapeString(get(t, srv, "/?lang="+lang).Body.String())
		card := regexp.MustCompile(`(?s)<section class="card" id="feed-conference">(.*?)</section>`).FindStringSubmatch(body)
		if card == nil {
			t.Fatalf("%s: no conference card", lang)
		}
		at := 0
		for _, w := range want {
			i := strings.Index(card[1][at:], w)
			if i < 0 {
				t.Errorf("%s: the card lacks, or has out of order, %q:\n%s", lang, w, card[1])
				continue
			}
			at += i + len(w)
		}
		if n := strings.Count(card[1], "<li>"); n != 3 {
			t.Errorf("%s: the card lists %d editions, want 3", lang, n)
		}
		// Each link leads to the event's own entry on the page.
		for _, m := range regexp.MustCompile(`href="#(event-[a-z0-9-]+)"`).FindAllStringSubmatch(card[1], -1) {
			if !strings.Contains(body, `id="`+m[1]+`"`) {
				t.Errorf("%s: the card links #%s, which the page lacks", lang, m[1])
			}
		}
		// No other card carries a series.
		if strings.Count(body, `class="series"`) != 1 {
			t.Errorf("%s: %d series lists on the page, want 1", lang, strings.Count(body, `class="series"`))
		}
	}
}
