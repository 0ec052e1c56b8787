package feed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"feed/events"
	"feed/internal/resource"
)

func TestParseVariant(t *testing.T) {
	for query, want := range map[string]string{
		"":                     "",
		"kind=day-off":         "kind=day-off",
		"KIND=WorkDay,Day-Off": "kind=day-off,workday",
		"kind=workday&kind2=":  "!kind2",
		"kind=conference,ceremony,observance,day-off,workday,statutory": "",
		"kind=conference,ceremony,observance,day-off,workday":           "kind=conference,ceremony,observance,day-off,workday",
		"lang=ZH":              "lang=zh",
		"lang=both":            "",
		"alarm=90m":            "alarm=1h30m",
		"alarm=1h30m":          "alarm=1h30m",
		"alarm=24h":            "alarm=1d",
		"alarm=0m":             "alarm=0m",
		"alarm=7d":             "alarm=7d",
		"workhours=9:00-18:00": "workhours=09:00-18:00",
		"lang=en&alarm=3h&kind=workday&workhours=08:30-17:30": "kind=workday&lang=en&alarm=3h&workhours=08:30-17:30",
		"kind=holiday":                    "!kind",
		"holiday=labour-day":              "",
		"holiday=Labour-Day,labour-day":   "",
		"holiday=all":                     "holiday=all",
		"HOLIDAY=ALL":                     "holiday=all",
		"holiday=national-day,new-year":   "holiday=new-year,national-day",
		"holiday=mid-autumn":              "holiday=mid-autumn",
		"holiday=mid-autumn-national-day": "holiday=mid-autumn-national-day",
		"holiday=national-day,mid-autumn-national-day,mid-autumn":                                                          "holiday=mid-autumn,national-day",
		"holiday=new-year,spring-festival,qingming,labour-day,dragon-boat,mid-autumn,national-day":                         "holiday=all",
		"holiday=new-year,spring-festival,qingming,labour-day,dragon-boat,mid-autumn,national-day,mid-autumn-national-day": "holiday=all",
		"holiday= new-year , qingming":                      "holiday=new-year,qingming",
		"lang=zh&holiday=all&kind=workday,day-off&alarm=3h": "kind=day-off,workday&holiday=all&lang=zh&alarm=3h",
		"holiday=easter":                                    "!holiday",
		"holiday=":                                          "!holiday",
		"holiday=all,qingming":                              "!holiday",
		"holiday=all&Holiday=all":                           "!holiday",
		"kind=":                                             "!kind",
		"lang=fr":                                           "!lang",
		"alarm=soon":                                        "!alarm",
		"alarm=-1h":                                         "!alarm",
		"alarm=8d":                                          "!alarm",
		"alarm=99999999999999999999m":                       "!alarm",
		"alarm=":                                            "!alarm",
		"workhours=18:00-09:00":                             "!workhours",
		"workhours=25:00-26:00":                             "!workhours",
		"workhours=9-18":                                    "!workhours",
		"lang=en&lang=zh":                                   "!lang",
		"Lang=en&lang=zh":                                   "!lang",
		"colour=red":                                        "!colour",
		"%zz":                                               "!query",
	} {
		v, err := ParseFeedVariant(query)
		if param, bad := strings.CutPrefix(want, "!"); bad {
			var pe *ParamError
			if !errors.As(err, &pe) || pe.Param != param {
				t.Errorf("ParseFeedVariant(%q) = %v, want an error about %q", query, err, param)
			}
			continue
		}
		if err != nil || v.Query() != want {
			t.Errorf("ParseFeedVariant(%q) = %q, %v; want %q", query, v.Query(), err, want)
		}
	}
	if _, err := ParseEventVariant("kind=day-off"); err == nil {
		t.Error("an event's calendar accepted kind")
	}
	if _, err := ParseEventVariant("holiday=all"); err == nil {
		t.Error("an event's calendar accepted holiday")
	}
}

// get answers a request through the whole handler.
func get(t *testing.T, srv *Server, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}

func TestVariantURLsAreCanonical(t *testing.T) {
	srv, _ := newTestServer(t)
	for _, group := range [][]string{
		{"?kind=day-off,workday&lang=zh", "?lang=zh&kind=workday,day-off", "?KIND=Day-Off,WORKDAY&Lang=ZH"},
		{"?alarm=90m&workhours=9:00-18:00", "?workhours=09:00-18:00&alarm=1h30m"},
		{"", "?lang=both", "?kind=conference,ceremony,observance,day-off,workday,statutory"},
	} {
		first := get(t, srv, "/calendar.ics"+group[0])
		if first.Code != 200 {
			t.Fatalf("%s: %d %s", group[0], first.Code, first.Body.String())
		}
		for _, q := range group[1:] {
			rec := get(t, srv, "/calendar.ics"+q)
			if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), first.Body.Bytes()) || rec.Header().Get("ETag") != first.Header().Get("ETag") {
				t.Errorf("%s and %s give different feeds", group[0], q)
			}
			if rec.Header().Get("Content-Location") != first.Header().Get("Content-Location") {
				t.Errorf("%s: Content-Location %s, want %s", q, rec.Header().Get("Content-Location"), first.Header().Get("Content-Location"))
			}
		}
	}
}

func TestVariantErrors(t *testing.T) {
	srv, _ := newTestServer(t)
	for target, want := range map[string]string{
		"/calendar.ics?kind=holiday":                            `parameter "kind": "holiday" is not a kind; accepted: a comma-separated list of conference, ceremony, observance, day-off, workday, statutory`,
		"/calendar.ics?lang=fr":                                 `parameter "lang": "fr" is not a language; accepted: en, zh, both`,
		"/calendar.ics?alarm=tomorrow":                          `parameter "alarm"`,
		"/calendar.ics?workhours=late":                          `parameter "workhours"`,
		"/calendar.ics?reminders=1":                             `parameter "reminders": is not a parameter of this feed; known parameters: kind, holiday, lang, alarm, workhours`,
		"/calendar.json?lang=de":                                `parameter "lang"`,
		"/events/international-workers-day.ics?kind=observance": `parameter "kind": chooses among a feed's events and is not a parameter of an event's own calendar; known parameters: lang, alarm, workhours`,
		"/events/cn-labour-day-2022-days-off.ics?holiday=all":   `parameter "holiday": chooses among a feed's events and is not a parameter of an event's own calendar; known parameters: lang, alarm, workhours`,
		"/events/cn-labour-day-2022-days-off.json?HOLIDAY=all":  `parameter "holiday": chooses among a feed's events`,
		"/calendar.ics?holiday=easter":                          `parameter "holiday": "easter" is not a holiday; accepted: all, or a comma-separated list of new-year, spring-festival, qingming, labour-day, dragon-boat, mid-autumn, national-day, mid-autumn-national-day`,
		"/calendar.ics?holiday=labour-day,":                     `parameter "holiday": "" is not a holiday`,
		"/calendar.ics?holiday=":                                `parameter "holiday": "" is not a holiday`,
		"/calendar.ics?holiday=all,new-year":                    `parameter "holiday": "all" is not a holiday`,
		"/calendar.ics?holiday=all&holiday=all":                 `parameter "holiday": is given more than once`,
		"/calendar.json?holiday=christmas&kind=day-off":         `parameter "holiday"`,
	} {
		rec := get(t, srv, target)
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), want) || rec.Header().Get("Content-Type") != "text/plain; charset=utf-8" {
			t.Errorf("%s: %d %q, want 400 containing %q", target, rec.Code, rec.Body.String(), want)
		}
	}
}

// TestVariantContents renders every kind in every language and checks, with
// go-ical and ical.js, that the feed holds exactly the events of that kind,
// named in that language, under the catalog's UIDs, without reminders.
func TestVariantContents(t *testing.T) {
	srv, snap := newTestServer(t)
	cat := snap.Catalog
	for _, kind := range events.Kinds() {
		for _, lang := range []Lang{LangEnglish, LangChinese, LangBoth} {
			t.Run(string(kind)+"/"+string(lang), func(t *testing.T) {
				rec := get(t, srv, "/calendar.ics?kind="+string(kind)+"&lang="+string(lang))
				if rec.Code != 200 {
					t.Fatalf("%d %s", rec.Code, rec.Body.String())
				}
				var want []events.Event
				for _, ev := range cat.Events {
					if ev.Kind == kind && (!kind.HasHoliday() || ev.Holiday == events.HolidayLabourDay) {
						want = append(want, ev)
					}
				}
				cal := icaljs(t, rec.Body.Bytes())
				if len(cal.Events) != len(want) {
					t.Fatalf("ical.js read %d events, want %d", len(cal.Events), len(want))
				}
				for i, got := range cal.Events {
					w := want[i]
					if got.UID != w.UID() || got.Summary != localized(w.Name, lang, " · ") || got.Description != description(w, lang) || len(got.Alarms) != 0 {
						t.Errorf("%s: read %s %q (%d alarms)", w.ID, got.UID, got.Summary, len(got.Alarms))
					}
					if got.Start != expect(w).start {
						t.Errorf("%s: starts %s, want %s", w.ID, got.Start, expect(w).start)
					}
				}
				name := cal.Calendar["x-wr-calname"]
				if reason := nameProblem(name, lang); reason != "" {
					t.Errorf("calendar name %q: %s", name, reason)
				}
				gocal, err := goical.NewDecoder(rec.Body).Decode()
				if err != nil || len(gocal.Events()) != len(want) {
					t.Errorf("go-ical: %v, %d events", err, len(gocal.Events()))
				}
			})
		}
	}
}

func TestAlarms(t *testing.T) {
	srv, snap := newTestServer(t)
	rec := get(t, srv, "/calendar.ics?kind=workday,ceremony&alarm=3h&lang=en")
	cal := icaljs(t, rec.Body.Bytes())
	if len(cal.Events) == 0 {
		t.Fatal("no events")
	}
	for _, ev := range cal.Events {
		if len(ev.Alarms) != 1 {
			t.Fatalf("%s has %d alarms, want 1", ev.UID, len(ev.Alarms))
		}
		a := ev.Alarms[0]
		// Timed events ring relative to their start, all-day ones at an
		// absolute instant (TestReminderInstants).
		trigger := "-PT3H"
		if ev.IsDate {
			trigger = a.At
		}
		if a.Action != "DISPLAY" || a.Trigger != trigger || a.Description != ev.Summary {
			t.Errorf("%s: alarm %+v", ev.UID, a)
		}
	}
	if !strings.Contains(cal.Calendar["x-wr-calname"], "3h reminder") {
		t.Errorf("name %q does not mention the reminder", cal.Calendar["x-wr-calname"])
	}
	if bytes.Contains(snap.CalendarBytes(), []byte("VALARM")) {
		t.Error("the default feed carries reminders; they must be opt-in")
	}
}

// TestWorkHours: make-up working days become timed events in Asia/Shanghai,
// with UIDs of their own, read at the right instant by ical.js.
func TestWorkHours(t *testing.T) {
	srv, snap := newTestServer(t)
	rec := get(t, srv, "/calendar.ics?kind=workday&workhours=09:00-18:00")
	body := rec.Body.String()
	if !strings.Contains(body, "DTSTART;TZID=Asia/Shanghai:20220424T090000\r\nDTEND;TZID=Asia/Shanghai:20220424T180000\r\n") {
		t.Fatalf("no timed make-up day in\n%s", truncate(body))
	}
	cal := icaljs(t, rec.Body.Bytes())
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	n := 0
	for _, ev := range snap.Catalog.Events {
		if ev.Kind != events.KindWorkday || ev.Holiday != events.HolidayLabourDay {
			continue
		}
		got := cal.Events[n]
		n++
		day := ev.When.First
		wantStart := time.Date(day.Year, day.Month, day.Day, 9, 0, 0, 0, shanghai).UTC().Format(time.RFC3339)
		wantEnd := time.Date(day.Year, day.Month, day.Day, 18, 0, 0, 0, shanghai).UTC().Format(time.RFC3339)
		if got.UID != ev.ID+"-hours@"+events.UIDDomain || got.IsDate || got.Start != wantStart || deref(got.End) != wantEnd {
			t.Errorf("%s: read %s %s–%s, want %s–%s", ev.ID, got.UID, got.Start, deref(got.End), wantStart, wantEnd)
		}
	}
	if n != len(cal.Events) {
		t.Errorf("%d events, want %d", len(cal.Events), n)
	}
}

// TestJCal reads the jCal of the full feed, of variants and of an event with
// ical.js and expects exactly what it reads from the .ics.
func TestJCal(t *testing.T) {
	srv, _ := newTestServer(t)
	for _, target := range []string{
		"/calendar", "/calendar?kind=day-off&lang=zh", "/calendar?kind=workday&workhours=09:00-18:00&alarm=3h",
		"/calendar?kind=ceremony&lang=en&alarm=15m", "/events/craftsmen-conference-2022-opening", "/events/international-workers-day",
	} {
		path, query, _ := strings.Cut(target, "?")
		if query != "" {
			query = "?" + query
		}
		ics := get(t, srv, path+".ics"+query)
		jcal := get(t, srv, path+".json"+query)
		if ics.Code != 200 || jcal.Code != 200 || jcal.Header().Get("Content-Type") != "application/calendar+json" {
			t.Fatalf("%s: %d, %d %s", target, ics.Code, jcal.Code, jcal.Header().Get("Content-Type"))
		}
		if !json.Valid(jcal.Body.Bytes()) {
			t.Fatalf("%s: invalid JSON", target)
		}
		fromICS := icaljs(t, ics.Body.Bytes())
		fromJCal := icaljs(t, jcal.Body.Bytes(), "--jcal")
		if len(fromICS.Events) == 0 || !reflect.DeepEqual(fromICS.Events, fromJCal.Events) {
			t.Errorf("%s: ical.js reads the jCal differently from the .ics", target)
		}
		negotiated := get(t, srv, path+".ics"+query, "Accept", "application/calendar+json, text/calendar;q=0.5")
		if !bytes.Equal(negotiated.Body.Bytes(), jcal.Body.Bytes()) || !strings.Contains(negotiated.Header().Get("Vary"), "Accept") {
			t.Errorf("%s: Accept: application/calendar+json did not give the jCal", target)
		}
	}
	if rec := get(t, srv, "/calendar.ics", "Accept", "*/*"); rec.Header().Get("Content-Type") != calendarContentType {
		t.Errorf("Accept: */* gave %s", rec.Header().Get("Content-Type"))
	}
}

func TestVariantGolden(t *testing.T) {
	srv, _ := newTestServer(t)
	got := get(t, srv, "/calendar.ics?kind=workday&lang=zh&alarm=3h&workhours=09:00-18:00").Body.Bytes()
	path := filepath.Join("testdata", "variant-workday-zh.ics")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs; run go test -update and review the diff\n%s", path, firstDifference(want, got))
	}
}

// TestLinkedVariantsAreReady: what a page links to is rendered at load and
// never goes through the bounded cache.
func TestLinkedVariantsAreReady(t *testing.T) {
	srv, snap := newTestServer(t)
	for _, v := range LinkedVariants() {
		if rec := get(t, srv, withQuery(CalendarPath, v.Query())); rec.Code != 200 {
			t.Fatalf("%s: %d", v.Query(), rec.Code)
		}
	}
	if n, _ := snap.cache.stats(); n != 0 {
		t.Errorf("linked variants went through the cache: %d entries", n)
	}
}

// TestVariantFloodIsBounded requests many distinct variants, as a client
// looping over random parameters would, and checks that the cache and the
// heap stay bounded.
func TestVariantFloodIsBounded(t *testing.T) {
	srv, snap := newTestServer(t)
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	const flood = 3000
	for i := range flood {
		target := fmt.Sprintf("/calendar.ics?alarm=%dm&lang=%s", i, []string{"en", "zh", "both"}[i%3])
		if rec := get(t, srv, target); rec.Code != 200 {
			t.Fatalf("%s: %d", target, rec.Code)
		}
	}
	entries, size := snap.cache.stats()
	if entries > defaultCacheEntries || size > defaultCacheBytes {
		t.Fatalf("cache holds %d entries, %d bytes; bounds are %d and %d", entries, size, defaultCacheEntries, defaultCacheBytes)
	}
	if entries != defaultCacheEntries {
		t.Errorf("cache holds %d entries after %d distinct variants; it should be full at %d", entries, flood, defaultCacheEntries)
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	// Each feed is about 20 KB plus its gzip copy: the full cache is a few
	// megabytes, and 3,000 variants kept would be ten times that.
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 20<<20 {
		t.Errorf("heap grew by %d MB over %d distinct variants", grown>>20, flood)
	}
}

func TestCacheBoundsBytes(t *testing.T) {
	c := newRenderCache(100, 10_000, newRenderLimiter(1, time.Second))
	for i := range 50 {
		body := bytes.Repeat([]byte{'x'}, 1000)
		_, _ = c.get(context.Background(), fmt.Sprint(i), func() (*resource.Resource, error) {
			return resource.New(calendarContentType, body, time.Time{}, "x.ics", "/x")
		})
	}
	if n, size := c.stats(); size > 10_000 || n == 0 {
		t.Fatalf("%d entries, %d bytes, bound 10000", n, size)
	}
}

// TestHolidayVariants: the holiday parameter chooses whose days off and
// make-up working days a feed holds, a shared Mid-Autumn and National Day
// break belongs to either festival, and other kinds of event stay.
func TestHolidayVariants(t *testing.T) {
	srv, snap := newTestServer(t)
	cat := snap.Catalog
	ids := func(keep func(events.Event) bool) []string {
		var out []string
		for _, ev := range cat.Events {
			if keep(ev) {
				out = append(out, ev.UID())
			}
		}
		return out
	}
	holidayEvent := func(ev events.Event) bool { return ev.Kind == events.KindDayOff || ev.Kind == events.KindWorkday }
	of := func(hs ...events.Holiday) func(events.Event) bool {
		return func(ev events.Event) bool { return !ev.Kind.HasHoliday() || slices.Contains(hs, ev.Holiday) }
	}
	for _, tc := range []struct {
		query    string
		want     []string
		nameHas  string
		minCount int
	}{
		{"", ids(of(events.HolidayLabourDay)), "", 16},
		{"holiday=labour-day", ids(of(events.HolidayLabourDay)), "", 16},
		{"holiday=all&kind=day-off,workday", ids(holidayEvent), "Every public holiday: days off", 66},
		{"holiday=all", ids(func(events.Event) bool { return true }), "Every event · 全部日程", 97},
		{"holiday=all&kind=statutory", ids(func(ev events.Event) bool { return ev.Kind == events.KindStatutory }), "Statutory days ahead · 法定假日", 28},
		{"holiday=all&kind=workday&lang=zh", ids(func(ev events.Event) bool { return ev.Kind == events.KindWorkday }), "节假日调休上班", 1},
		{"holiday=mid-autumn", ids(of(events.HolidayMidAutumn, events.HolidayMidAutumnNationalDay)), "Mid-Autum", 10},
		{"holiday=National-Day&kind=day-off", ids(func(ev events.Event) bool {
			return ev.Kind == events.KindDayOff && (ev.Holiday == events.HolidayNationalDay || ev.Holiday == events.HolidayMidAutumnNationalDay)
		}), "National Day: days off", 5},
		{"holiday=mid-autumn-national-day&kind=day-off", []string{"cn-mid-autumn-national-day-2023-days-off@" + events.UIDDomain, "cn-mid-autumn-national-day-2025-days-off@" + events.UIDDomain}, "", 2},
		{"holiday=qingming,new-year&kind=workday&lang=zh", ids(func(ev events.Event) bool {
			return ev.Kind == events.KindWorkday && (ev.Holiday == events.HolidayNewYear || ev.Holiday == events.HolidayQingming)
		}), "元旦、清明节调休上班", 3},
		{"holiday=new-year&kind=conference,observance", ids(func(ev events.Event) bool {
			return ev.Kind == events.KindConference || ev.Kind == events.KindObservance
		}), "", 2},
	} {
		rec := get(t, srv, "/calendar.ics?"+tc.query)
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", tc.query, rec.Code, rec.Body.String())
		}
		cal := icaljs(t, rec.Body.Bytes())
		var got []string
		for _, ev := range cal.Events {
			got = append(got, ev.UID)
		}
		if !slices.Equal(got, tc.want) || len(got) < tc.minCount {
			t.Errorf("%s: %d events %v, want %d %v", tc.query, len(got), got, len(tc.want), tc.want)
		}
		if name := cal.Calendar["x-wr-calname"]; !strings.Contains(name, tc.nameHas) {
			t.Errorf("%s: calendar name %q lacks %q", tc.query, name, tc.nameHas)
		}
	}
	// Without the parameter the default feed is what it was: Labour Day's.
	if bytes.Contains(snap.CalendarBytes(), []byte("cn-spring-festival")) {
		t.Error("the default feed holds the Spring Festival")
	}
}
