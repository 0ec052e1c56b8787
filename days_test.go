package feed

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"feed/events"
)

// dayAnswer is a date's answer as a program reads it.
type dayAnswer struct {
	Date    string `json:"date"`
	Weekday int    `json:"weekday"`
	Type    string `json:"type"`
	Workday bool   `json:"workday"`
	Holiday *struct {
		ID   string `json:"id"`
		Name struct {
			EN string `json:"en"`
			ZH string `json:"zh"`
		} `json:"name"`
	} `json:"holiday"`
	Provisional *bool   `json:"provisional"`
	Source      *string `json:"source"`
}

// holidayCNYear is a year's file as a program written for holiday-cn's
// files reads it.
type holidayCNYear struct {
	Year   int      `json:"year"`
	Papers []string `json:"papers"`
	Days   []struct {
		Name     string `json:"name"`
		Date     string `json:"date"`
		IsOffDay bool   `json:"isOffDay"`
	} `json:"days"`
	Provisional bool `json:"provisional"`
}

func getJSON(t *testing.T, srv *Server, target string, v any) {
	t.Helper()
	rec := get(t, srv, target)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", target, rec.Code, rec.Body)
	}
	dec := json.NewDecoder(rec.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
}

// eachDate calls f for every date from 2022-01-01 to 2030-12-31, the
// default catalog's covered range.
func eachDate(f func(d time.Time)) {
	for d := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() <= 2030; d = d.AddDate(0, 0, 1) {
		f(d)
	}
}

// TestDaysAgreeWithFeed reads the feed of every holiday with go-ical, an
// independent parser, and checks every covered date's answer against its
// events: a day off inside a "Day off" or "Statutory holiday" event, a
// make-up working day on a "Make-up working day" event, else the weekday.
func TestDaysAgreeWithFeed(t *testing.T) {
	srv, snap := newTestServer(t)
	lastNotice := snap.Catalog.LastArrangedYear() // later years are provisional
	rec := get(t, srv, CalendarPath+"?kind=day-off,workday,statutory&holiday=all")
	cal, err := goical.NewDecoder(rec.Body).Decode()
	if err != nil {
		t.Fatal(err)
	}
	off, makeUp := map[string]bool{}, map[string]bool{}
	for _, ev := range cal.Events() {
		if s, _ := ev.Props.Text(goical.PropStatus); s == "CANCELLED" {
			continue
		}
		start, err := ev.DateTimeStart(time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		end, err := ev.DateTimeEnd(time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		var cats []string
		for _, p := range ev.Props.Values(goical.PropCategories) {
			cats = append(cats, p.Value)
		}
		for d := start; d.Before(end); d = d.AddDate(0, 0, 1) { // DTEND is exclusive
			switch {
			case slices.Contains(cats, "Day off"), slices.Contains(cats, "Statutory holiday"):
				off[d.Format(time.DateOnly)] = true
			case slices.Contains(cats, "Make-up working day"):
				makeUp[d.Format(time.DateOnly)] = true
			default:
				t.Fatalf("event with categories %v in the feed of every holiday", cats)
			}
		}
	}
	if len(off) < 200 || len(makeUp) < 30 {
		t.Fatalf("the feed has %d days off and %d make-up days", len(off), len(makeUp))
	}
	eachDate(func(d time.Time) {
		date := d.Format(time.DateOnly)
		var got dayAnswer
		getJSON(t, srv, DaysPath(date), &got)
		want := "workday"
		switch {
		case off[date]:
			want = "day-off"
		case makeUp[date]:
			want = "make-up-workday"
		case d.Weekday() == time.Saturday || d.Weekday() == time.Sunday:
			want = "weekend"
		}
		isoWeekday := (int(d.Weekday())+6)%7 + 1
		if got.Date != date || got.Type != want || got.Workday != (want == "workday" || want == "make-up-workday") || got.Weekday != isoWeekday {
			t.Errorf("%s: %+v, want type %s, weekday %d", date, got, want, isoWeekday)
		}
		if (got.Holiday != nil) != (want == "day-off" || want == "make-up-workday") {
			t.Errorf("%s: %s with holiday %v", date, got.Type, got.Holiday)
		}
		if got.Provisional == nil || *got.Provisional != (d.Year() > lastNotice) {
			t.Errorf("%s: provisional %v", date, got.Provisional)
		}
		if got.Source == nil || !strings.HasPrefix(*got.Source, "https://www.gov.cn/zhengce/content/") {
			t.Errorf("%s: source %v", date, got.Source)
		}
	})
}

// noticeDays is the table "Every public holiday in mainland China,
// 2022–2026" and the Labour Day table, typed by hand: each break's days
// off and make-up working days, with the holiday's name as the notice
// writes it.
var noticeDays = []struct {
	year        int
	name        string
	first, last string
	makeUp      []string
}{
	{2022, "元旦", "2022-01-01", "2022-01-03", nil},
	{2022, "春节", "2022-01-31", "2022-02-06", []string{"2022-01-29", "2022-01-30"}},
	{2022, "清明节", "2022-04-03", "2022-04-05", []string{"2022-04-02"}},
	{2022, "劳动节", "2022-04-30", "2022-05-04", []string{"2022-04-24", "2022-05-07"}},
	{2022, "端午节", "2022-06-03", "2022-06-05", nil},
	{2022, "中秋节", "2022-09-10", "2022-09-12", nil},
	{2022, "国庆节", "2022-10-01", "2022-10-07", []string{"2022-10-08", "2022-10-09"}},
	{2023, "元旦", "2022-12-31", "2023-01-02", nil},
	{2023, "春节", "2023-01-21", "2023-01-27", []string{"2023-01-28", "2023-01-29"}},
	{2023, "清明节", "2023-04-05", "2023-04-05", nil},
	{2023, "劳动节", "2023-04-29", "2023-05-03", []string{"2023-04-23", "2023-05-06"}},
	{2023, "端午节", "2023-06-22", "2023-06-24", []string{"2023-06-25"}},
	{2023, "中秋节、国庆节", "2023-09-29", "2023-10-06", []string{"2023-10-07", "2023-10-08"}},
	{2024, "元旦", "2023-12-30", "2024-01-01", nil},
	{2024, "春节", "2024-02-10", "2024-02-17", []string{"2024-02-04", "2024-02-18"}},
	{2024, "清明节", "2024-04-04", "2024-04-06", []string{"2024-04-07"}},
	{2024, "劳动节", "2024-05-01", "2024-05-05", []string{"2024-04-28", "2024-05-11"}},
	{2024, "端午节", "2024-06-08", "2024-06-10", nil},
	{2024, "中秋节", "2024-09-15", "2024-09-17", []string{"2024-09-14"}},
	{2024, "国庆节", "2024-10-01", "2024-10-07", []string{"2024-09-29", "2024-10-12"}},
	{2025, "元旦", "2025-01-01", "2025-01-01", nil},
	{2025, "春节", "2025-01-28", "2025-02-04", []string{"2025-01-26", "2025-02-08"}},
	{2025, "清明节", "2025-04-04", "2025-04-06", nil},
	{2025, "劳动节", "2025-05-01", "2025-05-05", []string{"2025-04-27"}},
	{2025, "端午节", "2025-05-31", "2025-06-02", nil},
	{2025, "国庆节、中秋节", "2025-10-01", "2025-10-08", []string{"2025-09-28", "2025-10-11"}},
	{2026, "元旦", "2026-01-01", "2026-01-03", []string{"2026-01-04"}},
	{2026, "春节", "2026-02-15", "2026-02-23", []string{"2026-02-14", "2026-02-28"}},
	{2026, "清明节", "2026-04-04", "2026-04-06", nil},
	{2026, "劳动节", "2026-05-01", "2026-05-05", []string{"2026-05-09"}},
	{2026, "端午节", "2026-06-19", "2026-06-21", nil},
	{2026, "中秋节", "2026-09-25", "2026-09-27", nil},
	{2026, "国庆节", "2026-10-01", "2026-10-07", []string{"2026-09-20", "2026-10-10"}},
}

// noticePapers are the notices, by year, from the same page of facts.
var noticePapers = map[int]string{
	2022: "https://www.gov.cn/zhengce/content/2021-10/25/content_5644835.htm",
	2023: "https://www.gov.cn/zhengce/content/2022-12/08/content_5730844.htm",
	2024: "https://www.gov.cn/zhengce/content/202310/content_6911527.htm",
	2025: "https://www.gov.cn/zhengce/content/202411/content_6986382.htm",
	2026: "https://www.gov.cn/zhengce/content/202511/content_7047090.htm",
}

func TestDaysYearFilesMatchNotices(t *testing.T) {
	srv, _ := newTestServer(t)
	for year := 2022; year <= 2026; year++ {
		want := map[string]string{} // date → "name off" or "name work"
		for _, b := range noticeDays {
			if b.year != year {
				continue
			}
			first, _ := time.Parse(time.DateOnly, b.first)
			last, _ := time.Parse(time.DateOnly, b.last)
			for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
				want[d.Format(time.DateOnly)] = b.name + " off"
			}
			for _, m := range b.makeUp {
				want[m] = b.name + " work"
			}
		}
		var file holidayCNYear
		getJSON(t, srv, DaysPath(fmt.Sprint(year)), &file)
		if file.Year != year || file.Provisional || !slices.Equal(file.Papers, []string{noticePapers[year]}) {
			t.Errorf("%d: year %d, provisional %v, papers %v", year, file.Year, file.Provisional, file.Papers)
		}
		got := map[string]string{}
		for i, d := range file.Days {
			if i > 0 && d.Date <= file.Days[i-1].Date {
				t.Errorf("%d: %s after %s: not sorted, or twice", year, d.Date, file.Days[i-1].Date)
			}
			state := " work"
			if d.IsOffDay {
				state = " off"
			}
			got[d.Date] = d.Name + state
		}
		for date, w := range want {
			if got[date] != w {
				t.Errorf("%d: %s is %q, want %q", year, date, got[date], w)
			}
		}
		for date, g := range got {
			if want[date] == "" {
				t.Errorf("%d: %s is %q, which the notice does not say", year, date, g)
			}
		}
	}
}

// TestHolidayCNReaderAgrees reads the year files as a program written for
// holiday-cn's does (a listed date is off or working as isOffDay says, any
// other date by its weekday; a date may be in next year's file) and checks
// that it reaches every date's answer.
func TestHolidayCNReaderAgrees(t *testing.T) {
	srv, snap := newTestServer(t)
	lastNotice := snap.Catalog.LastArrangedYear()
	listed := map[string]bool{}
	for year := 2022; year <= 2031; year++ {
		rec := get(t, srv, DaysPath(fmt.Sprint(year)))
		if year == 2031 {
			if rec.Code != http.StatusNotFound {
				t.Errorf("2031: %d", rec.Code)
			}
			continue
		}
		var file holidayCNYear
		if err := json.Unmarshal(rec.Body.Bytes(), &file); err != nil {
			t.Fatal(err)
		}
		if file.Provisional != (year > lastNotice) || (file.Provisional && len(file.Papers) != 0) || file.Papers == nil {
			t.Errorf("%d: provisional %v, papers %v", year, file.Provisional, file.Papers)
		}
		for _, d := range file.Days {
			listed[d.Date] = d.IsOffDay
		}
	}
	eachDate(func(d time.Time) {
		date := d.Format(time.DateOnly)
		off, ok := listed[date]
		if !ok {
			off = d.Weekday() == time.Saturday || d.Weekday() == time.Sunday
		}
		var got dayAnswer
		getJSON(t, srv, DaysPath(date), &got)
		if got.Workday == off {
			t.Errorf("%s: the holiday-cn reader says off=%v, the answer workday=%v", date, off, got.Workday)
		}
	})
}

func TestDaysHTTP(t *testing.T) {
	srv, _ := newTestServer(t)
	dateETag := get(t, srv, "/days/2026-10-10.json").Header().Get("ETag")
	yearETag := get(t, srv, "/days/2026.json").Header().Get("ETag")
	yearModified := get(t, srv, "/days/2026.json").Header().Get("Last-Modified")
	tests := []struct {
		name, method, path string
		header             []string
		status             int
		wantHeader         map[string]string
		body               string // a part of the body
		emptyBody          bool
	}{
		{name: "year", path: "/days/2026.json", status: 200,
			wantHeader: map[string]string{"Content-Type": "application/json", "Cache-Control": cacheControl, "Vary": "Accept-Encoding",
				"Access-Control-Allow-Origin": "*", "Content-Location": "/days/2026.json", "ETag": yearETag},
			body: `{"year":2026,"papers":["https://www.gov.cn/zhengce/content/202511/content_7047090.htm"],"days":[{"name":"元旦","date":"2026-01-01","isOffDay":true},`},
		{name: "date", path: "/days/2026-10-10.json", status: 200,
			wantHeader: map[string]string{"Content-Type": "application/json", "Cache-Control": cacheControl, "Access-Control-Allow-Origin": "*",
				"Content-Location": "/days/2026-10-10.json", "Last-Modified": ""},
			body: `{"date":"2026-10-10","weekday":6,"type":"make-up-workday","workday":true,"holiday":{"id":"national-day","name":{"en":"National Day","zh":"国庆节"}},"provisional":false,"source":"https://www.gov.cn/zhengce/content/202511/content_7047090.htm"}` + "\n"},
		{name: "plain day", path: "/days/2026-12-03.json", status: 200,
			body: `{"date":"2026-12-03","weekday":4,"type":"workday","workday":true,"holiday":null,"provisional":false,"source":"https://www.gov.cn/zhengce/content/202511/content_7047090.htm"}`},
		{name: "weekend inside a break", path: "/days/2026-10-03.json", status: 200, body: `"type":"day-off","workday":false`},
		{name: "shared break, 2025, National Day first", path: "/days/2025-10-06.json", status: 200, body: `"holiday":{"id":"national-day"`},
		{name: "shared break, 2023, Mid-Autumn first", path: "/days/2023-09-29.json", status: 200, body: `"holiday":{"id":"mid-autumn"`},
		{name: "provisional statutory day", path: "/days/2027-02-05.json", status: 200,
			body: `"type":"day-off","workday":false,"holiday":{"id":"spring-festival","name":{"en":"Spring Festival","zh":"春节"}},"provisional":true,"source":"https://www.gov.cn/zhengce/content/202411/content_6986380.htm"`},
		{name: "provisional year", path: "/days/2027.json", status: 200, body: `{"year":2027,"papers":[],"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true}`},
		{name: "index", path: "/days.json", status: 200, wantHeader: map[string]string{"Content-Location": DaysIndexPath},
			body: `{"first":"2022-01-01","last":"2030-12-31","today":"https://feed.example.org/days/today.json","date":"https://feed.example.org/days/{YYYY-MM-DD}.json","years":[{"year":2022,"url":"https://feed.example.org/days/2022.json","provisional":false,"papers":["https://www.gov.cn/zhengce/content/2021-10/25/content_5644835.htm"]`},
		{name: "index at /days/", path: "/days/", status: 200, wantHeader: map[string]string{"Content-Location": DaysIndexPath}, body: `"years":[`},
		{name: "HEAD", method: "HEAD", path: "/days/2026-10-10.json", status: 200, emptyBody: true,
			wantHeader: map[string]string{"Content-Length": "245", "ETag": dateETag}},
		{name: "304 date", path: "/days/2026-10-10.json", header: []string{"If-None-Match", dateETag}, status: 304, emptyBody: true,
			wantHeader: map[string]string{"ETag": dateETag, "Cache-Control": cacheControl, "Access-Control-Allow-Origin": "*"}},
		{name: "304 year", path: "/days/2026.json", header: []string{"If-None-Match", yearETag}, status: 304, emptyBody: true},
		{name: "304 year by date", path: "/days/2026.json", header: []string{"If-Modified-Since", yearModified}, status: 304},
		{name: "no 304 by date for a day", path: "/days/2026-10-10.json", header: []string{"If-Modified-Since", "Tue, 01 Dec 2099 00:00:00 GMT"}, status: 200},
		{name: "gzip", path: "/days/2026.json", header: []string{"Accept-Encoding", "gzip"}, status: 200,
			wantHeader: map[string]string{"Content-Encoding": "gzip", "ETag": strings.TrimSuffix(yearETag, `"`) + `.gz"`}},
		{name: "gzip date", path: "/days/2026-10-10.json", header: []string{"Accept-Encoding", "gzip"}, status: 200,
			wantHeader: map[string]string{"Content-Encoding": "gzip"}},
		{name: "CORS preflight", method: "OPTIONS", path: "/days/2026-10-10.json", header: []string{"Origin", "https://app.example", "Access-Control-Request-Method", "GET"},
			status: 204, wantHeader: map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS"}},
		{name: "POST", method: "POST", path: "/days/2026.json", status: 405, wantHeader: map[string]string{"Allow": "GET, HEAD, OPTIONS"}},
		{name: "year before", path: "/days/2021.json", status: 404, body: "no days for 2021: the covered years are 2022–2030 (2022-01-01 to 2030-12-31)",
			wantHeader: map[string]string{"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"}},
		{name: "year after", path: "/days/2031.json", status: 404, body: "the covered years are 2022–2030"},
		{name: "date before", path: "/days/2021-12-31.json", status: 404, body: "2021-12-31 is not covered: the covered years are 2022–2030"},
		{name: "date after", path: "/days/2031-01-01.json", status: 404, body: "2031-01-01 is not covered"},
		{name: "year 0", path: "/days/0000.json", status: 404},
		{name: "30 February", path: "/days/2026-02-30.json", status: 400, body: `"2026-02-30" is not a date`,
			wantHeader: map[string]string{"Access-Control-Allow-Origin": "*"}},
		{name: "29 February of a common year", path: "/days/2027-02-29.json", status: 400},
		{name: "29 February of a leap year", path: "/days/2028-02-29.json", status: 200},
		{name: "month 13", path: "/days/2026-13-01.json", status: 400},
		{name: "day 0", path: "/days/2026-10-00.json", status: 400},
		{name: "no dashes", path: "/days/20261010.json", status: 400, body: "is not a year or a date"},
		{name: "short month", path: "/days/2026-1-01.json", status: 400},
		{name: "slashes", path: "/days/2026/10/10.json", status: 404},
		{name: "word", path: "/days/tomorrow.json", status: 400, body: `"tomorrow" is not a year or a date: ask for /days/YYYY.json, /days/YYYY-MM-DD.json or /days/today.json`},
		{name: "long", path: "/days/" + strings.Repeat("9", 200) + ".json", status: 400, body: strings.Repeat("9", 40) + "…"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = "GET"
			}
			req := httptest.NewRequest(method, tc.path, nil)
			for i := 0; i+1 < len(tc.header); i += 2 {
				req.Header.Set(tc.header[i], tc.header[i+1])
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			for k, v := range tc.wantHeader {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
			body := rec.Body.Bytes()
			if rec.Header().Get("Content-Encoding") == "gzip" {
				zr, err := gzip.NewReader(rec.Body)
				if err != nil {
					t.Fatal(err)
				}
				body, _ = io.ReadAll(zr)
				if !bytes.Equal(body, get(t, srv, tc.path).Body.Bytes()) {
					t.Error("the gzip body differs from the identity body")
				}
			}
			if !bytes.Contains(body, []byte(tc.body)) {
				t.Errorf("body %s\nwant it to hold %s", body, tc.body)
			}
			if tc.emptyBody && len(body) != 0 {
				t.Errorf("body of %d bytes", len(body))
			}
		})
	}
	if a, b := get(t, srv, "/days/").Body.String(), get(t, srv, "/days.json").Body.String(); a != b {
		t.Error("/days/ and /days.json differ")
	}
}

// TestDaysToday sets the server's clock around midnight in Beijing
// (16:00 UTC): today changes there, and the answer is cacheable only until
// then.
func TestDaysToday(t *testing.T) {
	snap, err := Build(defaultCatalog(t), testBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		now          time.Time
		date         string
		cacheControl string
	}{
		{time.Date(2026, 10, 9, 15, 59, 59, 0, time.UTC), "2026-10-09", "public, max-age=1"},
		{time.Date(2026, 10, 9, 15, 59, 59, 500_000_000, time.UTC), "2026-10-09", "public, max-age=0"},
		{time.Date(2026, 10, 9, 16, 0, 0, 0, time.UTC), "2026-10-10", "public, max-age=3600"},
		{time.Date(2026, 10, 10, 15, 30, 0, 0, time.UTC), "2026-10-10", "public, max-age=1800"},
		{time.Date(2026, 10, 10, 9, 0, 0, 0, time.FixedZone("EDT", -4*3600)), "2026-10-10", "public, max-age=3600"}, // 21:00 in Beijing
		{time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), "2027-01-01", "public, max-age=3600"},
	} {
		srv := NewServer(snap, discardLogger(), WithClock(func() time.Time { return tc.now }))
		rec := get(t, srv, DaysTodayPath)
		var got dayAnswer
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != 200 {
			t.Fatalf("%s: %d %s", tc.now, rec.Code, rec.Body)
		}
		if got.Date != tc.date || rec.Header().Get("Cache-Control") != tc.cacheControl ||
			rec.Header().Get("Content-Location") != DaysPath(tc.date) {
			t.Errorf("%s: date %s, Cache-Control %q, Content-Location %q; want %s, %q", tc.now, got.Date,
				rec.Header().Get("Cache-Control"), rec.Header().Get("Content-Location"), tc.date, tc.cacheControl)
		}
		if dated := get(t, srv, DaysPath(tc.date)); !bytes.Equal(dated.Body.Bytes(), rec.Body.Bytes()) {
			t.Errorf("%s: today's answer differs from %s's", tc.now, tc.date)
		}
		// Yesterday's tag gets today's answer, not a 304.
		yesterday := get(t, srv, DaysPath(tc.now.In(beijing).AddDate(0, 0, -1).Format(time.DateOnly))).Header().Get("ETag")
		if r := get(t, srv, DaysTodayPath, "If-None-Match", yesterday); r.Code != 200 {
			t.Errorf("%s: yesterday's ETag answered %d", tc.now, r.Code)
		}
	}
	srv := NewServer(snap, discardLogger(), WithClock(func() time.Time { return time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC) }))
	if rec := get(t, srv, DaysTodayPath); rec.Code != 404 || !strings.Contains(rec.Body.String(), "today, 2031-01-01 in Beijing, is not covered") {
		t.Errorf("after the covered years: %d %s", rec.Code, rec.Body)
	}
}

// TestDaysFollowReload swaps in a catalog without one make-up working day:
// the day's answer and its year's file change with the feed, in one swap.
func TestDaysFollowReload(t *testing.T) {
	srv, snap := newTestServer(t)
	if got := get(t, srv, "/days/2026-10-10.json").Body.String(); !strings.Contains(got, `"make-up-workday"`) {
		t.Fatalf("before: %s", got)
	}
	cat := *snap.Catalog
	cat.Events = slices.DeleteFunc(slices.Clone(cat.Events), func(ev events.Event) bool { return ev.ID == "cn-national-day-2026-workday-10-10" })
	next, err := Build(&cat, testBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	srv.Swap(next)
	if got := get(t, srv, "/days/2026-10-10.json").Body.String(); !strings.Contains(got, `"type":"weekend","workday":false,"holiday":null`) {
		t.Errorf("after: %s", got)
	}
	if got := get(t, srv, "/days/2026.json").Body.String(); strings.Contains(got, "2026-10-10") {
		t.Errorf("the year's file still lists 2026-10-10: %s", got)
	}
}

// TestExportDaysEqualLive exports the service and compares every file
// under days/ with the live answer; today's answer, which changes at
// midnight, is not exported.
func TestExportDaysEqualLive(t *testing.T) {
	dir := t.TempDir()
	srv, files := exportDefault(t, dir)
	n := 0
	for _, f := range files {
		if !strings.HasPrefix(f.URL, daysPrefix) && f.URL != DaysIndexPath {
			continue
		}
		n++
		data, err := os.ReadFile(filepath.Join(dir, f.File))
		if err != nil {
			t.Fatal(err)
		}
		live := get(t, srv, f.URL)
		if live.Code != 200 || !bytes.Equal(data, live.Body.Bytes()) {
			t.Errorf("%s: the exported file differs from the live answer", f.URL)
		}
		if f.Header.Get("Content-Type") != "application/json" || f.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: headers %v", f.URL, f.Header)
		}
	}
	// The index, nine years and every date of 2022–2030.
	if want := 1 + 9 + 3287; n != want {
		t.Errorf("exported %d day-status files, want %d", n, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "days", "today.json")); err == nil {
		t.Error("today's answer was exported")
	}
	var file holidayCNYear
	data, _ := os.ReadFile(filepath.Join(dir, "days", "2026.json"))
	if err := json.Unmarshal(data, &file); err != nil || file.Year != 2026 || len(file.Days) != 39 {
		t.Errorf("days/2026.json: %v, %d days", err, len(file.Days))
	}
	if !bytes.Contains(mustReadFile(t, filepath.Join(dir, "nginx.conf")), []byte("location = \"/days/2026-10-10.json\"")) {
		t.Error("nginx.conf has no location for the dates")
	}
}

func mustReadFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// FuzzDaysPath sends any value in the place of the date: the answer is a
// date's, a year's or a 4xx with a reason, never a server error, and a
// 200 only for a real date or year of the covered range.
func FuzzDaysPath(f *testing.F) {
	for _, s := range []string{"2026", "2026-10-10", "today", "2026-02-30", "0000-00-00", "2030-12-31", "2031-01-01",
		"2021-12-31", "9999", "2026-1-1", "20261010", "2026.json", "-2026", "2026-10-10T00:00", "+2026-10-10", "2026-10-1a", "", "../calendar", "today.json"} {
		f.Add(s)
	}
	snap, err := Build(defaultCatalog(f), testBaseURL)
	if err != nil {
		f.Fatal(err)
	}
	srv := NewServer(snap, discardLogger())
	f.Fuzz(func(t *testing.T, value string) {
		req := httptest.NewRequest("GET", "/", nil)
		req.URL.Path = "/days/" + value + ".json"
		req.RequestURI = req.URL.EscapedPath()
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		switch rec.Code {
		case 200:
			var day dayAnswer
			var year holidayCNYear
			switch {
			case value == "today":
			case json.Unmarshal(rec.Body.Bytes(), &day) == nil && day.Date != "":
				if day.Date != value {
					t.Errorf("%q answered for %s", value, day.Date)
				}
			case json.Unmarshal(rec.Body.Bytes(), &year) == nil && year.Year != 0:
				if fmt.Sprint(year.Year) != value {
					t.Errorf("%q answered for %d", value, year.Year)
				}
			default:
				t.Errorf("%q: 200 with %s", value, rec.Body)
			}
		case 301, 404, 400, 414:
			if rec.Code != 301 && !strings.Contains(rec.Body.String(), ": ") {
				t.Errorf("%q: %d without a reason", value, rec.Code)
			}
		default:
			t.Errorf("%q: status %d: %s", value, rec.Code, rec.Body)
		}
		d, err := time.Parse(time.DateOnly, value)
		if covered := err == nil && d.Year() >= 2022 && d.Year() <= 2030; covered != (rec.Code == 200 && len(value) == 10) {
			t.Errorf("%q: status %d", value, rec.Code)
		}
	})
}

// BenchmarkServeDays measures a cached day answer and a year's file
// through the whole handler, beside the feed's event file.
func BenchmarkServeDays(b *testing.B) {
	srv := benchServer(b, len(defaultCatalog(b).Events))
	for _, path := range []string{"/days/2026-10-10.json", "/days/2026.json", "/days/today.json", EventPath("international-workers-day")} {
		req := httptest.NewRequest("GET", path, nil)
		srv.ServeHTTP(httptest.NewRecorder(), req) // prepares the date's answer
		b.Run(strings.TrimPrefix(path, "/"), func(b *testing.B) {
			w := &nullWriter{h: make(http.Header)}
			b.ReportAllocs()
			for b.Loop() {
				w.reset()
				srv.ServeHTTP(w, req)
			}
			if w.status != http.StatusOK {
				b.Fatalf("status %d", w.status)
			}
		})
	}
}

// BenchmarkBuildDays measures what the day-status API adds to a catalog's
// load: the status of every date, the index and the year files.
func BenchmarkBuildDays(b *testing.B) {
	cat := defaultCatalog(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := buildDayAnswers(cat, testBaseURL); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDayFirstRequest measures a date's answer on its first request,
// when it is rendered.
func BenchmarkDayFirstRequest(b *testing.B) {
	cat := defaultCatalog(b)
	a, err := buildDayAnswers(cat, testBaseURL)
	if err != nil {
		b.Fatal(err)
	}
	date := events.Date{Year: 2026, Month: time.October, Day: 10}
	b.ReportAllocs()
	for b.Loop() {
		a.dates[dayNumber(date)-a.first].Store(nil)
		if _, ok, err := a.date(date); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
