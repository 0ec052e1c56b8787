package feed

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	goical "github.com/emersion/go-ical"

	"feed/events"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const testBaseURL = "https://feed.example.org"

func defaultCatalog(t testing.TB) *events.Catalog {
	t.Helper()
	cat, err := events.Default()
	if err != nil {
		t.Fatalf("default catalog: %v", err)
	}
	return cat
}

func loadCatalog(t testing.TB, path string) *events.Catalog {
	t.Helper()
	cat, err := events.Load(path)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	return cat
}

// rendered lists every calendar the tests read: the full feeds of the
// default catalog and of the catalog that uses every field, and one single
// event of each.
func rendered(t *testing.T) map[string][]byte {
	t.Helper()
	opts := Options{BaseURL: testBaseURL}
	out := make(map[string][]byte)
	for name, cat := range map[string]*events.Catalog{
		"calendar": defaultCatalog(t),
		"full":     loadCatalog(t, "testdata/full.toml"),
	} {
		body, err := RenderCalendar(cat, opts)
		if err != nil {
			t.Fatal(err)
		}
		out[name+".ics"] = body
	}
	ev, _ := defaultCatalog(t).Event("craftsmen-conference-2022-opening")
	body, err := RenderEvent(defaultCatalog(t), ev, opts)
	if err != nil {
		t.Fatal(err)
	}
	out["event-opening.ics"] = body
	return out
}

// TestGolden guards the rendered bytes against drift. The golden files were
// read line by line once; refresh them with go test -update after a change
// that is meant to alter the output, and read the diff.
func TestGolden(t *testing.T) {
	for name, got := range rendered(t) {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", name)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the rendering; run go test -update and review the diff\n%s", path, firstDifference(want, got))
			}
		})
	}
}

func firstDifference(want, got []byte) string {
	wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := range min(len(wl), len(gl)) {
		if wl[i] != gl[i] {
			return "line " + strconv.Itoa(i+1) + ":\n want " + wl[i] + "\n  got " + gl[i]
		}
	}
	return "lengths differ"
}

// TestWireFormat checks RFC 5545 §3.1 on every rendering: CRLF line breaks
// only, no line longer than 75 octets, no UTF-8 sequence split by a fold.
func TestWireFormat(t *testing.T) {
	for name, body := range rendered(t) {
		t.Run(name, func(t *testing.T) {
			if !bytes.HasSuffix(body, []byte("END:VCALENDAR\r\n")) || !bytes.HasPrefix(body, []byte("BEGIN:VCALENDAR\r\n")) {
				t.Fatalf("not a whole VCALENDAR")
			}
			if n := bytes.Count(body, []byte("\n")); n != bytes.Count(body, []byte("\r\n")) || n != bytes.Count(body, []byte("\r")) {
				t.Errorf("bare CR or LF in the output")
			}
			for i, line := range strings.Split(strings.TrimSuffix(string(body), "\r\n"), "\r\n") {
				if len(line) > 75 {
					t.Errorf("line %d is %d octets: %q", i+1, len(line), line)
				}
				if !utf8.ValidString(line) {
					t.Errorf("line %d splits a UTF-8 sequence: %q", i+1, line)
				}
			}
		})
	}
}

// TestDeterministic: the same catalog gives the same bytes and ETag, as a
// restart must.
func TestDeterministic(t *testing.T) {
	a, err := Build(defaultCatalog(t), testBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Build(defaultCatalog(t), testBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.CalendarBytes(), b.CalendarBytes()) || a.ETag() != b.ETag() {
		t.Fatal("two builds of the same catalog differ")
	}
	if !bytes.Equal(a.fullFeed().Gzip().Body(), b.fullFeed().Gzip().Body()) {
		t.Fatal("two compressions of the same feed differ")
	}
}

// expectedEvent is what any client must read for a catalog event.
type expectedEvent struct {
	start, end string // YYYY-MM-DD for all-day, UTC RFC 3339 for timed; end "" when none
}

func expect(ev events.Event) expectedEvent {
	w := ev.When
	if w.AllDay {
		return expectedEvent{start: w.First.String(), end: w.Last.AddDays(1).String()}
	}
	e := expectedEvent{start: w.Start.UTC().Format(time.RFC3339)}
	if w.HasEnd() {
		e.end = w.End.UTC().Format(time.RFC3339)
	}
	return e
}

// TestGoICalReadsFeed reads the feed with emersion/go-ical, a parser that
// shares no code with golang-ical.
func TestGoICalReadsFeed(t *testing.T) {
	for _, tc := range []struct {
		name string
		cat  *events.Catalog
	}{
		{"default", defaultCatalog(t)},
		{"full", loadCatalog(t, "testdata/full.toml")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Every holiday, so that the feed holds every event.
			body, err := RenderCalendar(tc.cat, Options{Variant: Variant{Holidays: allHolidays()}})
			if err != nil {
				t.Fatal(err)
			}
			cal, err := goical.NewDecoder(bytes.NewReader(body)).Decode()
			if err != nil {
				t.Fatalf("go-ical: %v", err)
			}
			byUID := make(map[string]goical.Event)
			for _, ev := range cal.Events() {
				uid, _ := ev.Props.Text(goical.PropUID)
				if _, dup := byUID[uid]; dup {
					t.Errorf("UID %s appears twice", uid)
				}
				byUID[uid] = ev
			}
			if len(byUID) != len(tc.cat.Events) {
				t.Errorf("go-ical read %d events, the catalog has %d", len(byUID), len(tc.cat.Events))
			}
			for _, want := range tc.cat.Events {
				got, ok := byUID[want.UID()]
				if !ok {
					t.Errorf("%s: missing", want.ID)
					continue
				}
				exp := expect(want)
				if s := goicalTime(t, got, goical.PropDateTimeStart, want.When.AllDay); s != exp.start {
					t.Errorf("%s: DTSTART %s, want %s", want.ID, s, exp.start)
				}
				if s := goicalTime(t, got, goical.PropDateTimeEnd, want.When.AllDay); s != exp.end {
					t.Errorf("%s: DTEND %q, want %q", want.ID, s, exp.end)
				}
				if summary, _ := got.Props.Text(goical.PropSummary); summary != localized(want.Name, LangBoth, " · ") {
					t.Errorf("%s: SUMMARY %q", want.ID, summary)
				}
				if desc, _ := got.Props.Text(goical.PropDescription); desc != description(want, LangBoth) {
					t.Errorf("%s: DESCRIPTION %q, want %q", want.ID, desc, description(want, LangBoth))
				}
			}
		})
	}
}

func goicalTime(t *testing.T, ev goical.Event, name string, allDay bool) string {
	t.Helper()
	prop := ev.Props.Get(name)
	if prop == nil {
		return ""
	}
	if allDay {
		if prop.ValueType() != goical.ValueDate {
			t.Errorf("%s is %s, not DATE", name, prop.ValueType())
		}
		d, err := prop.DateTime(time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		return d.Format("2006-01-02")
	}
	if prop.Params.Get(goical.ParamTimezoneID) == "" || strings.HasSuffix(prop.Value, "Z") {
		t.Errorf("%s %q must be local time with a TZID", name, prop.Value)
	}
	d, err := prop.DateTime(nil)
	if err != nil {
		t.Fatal(err)
	}
	return d.UTC().Format(time.RFC3339)
}

func TestFeedFacts(t *testing.T) {
	body, err := RenderCalendar(defaultCatalog(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	cal, err := goical.NewDecoder(bytes.NewReader(body)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range cal.Events() {
		uid, _ := ev.Props.Text(goical.PropUID)
		switch uid {
		case "craftsmen-conference-2022-opening@" + events.UIDDomain:
			start, err := ev.DateTimeStart(nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := start.UTC().Format(time.RFC3339); got != "2022-04-27T02:00:00Z" {
				t.Errorf("opening ceremony at %s, want 2022-04-27T02:00:00Z", got)
			}
			if ev.Props.Get(goical.PropDateTimeEnd) != nil || ev.Props.Get(goical.PropDuration) != nil {
				t.Errorf("opening ceremony has an end time; none was published")
			}
		case "international-workers-day@" + events.UIDDomain:
			set, err := ev.RecurrenceSet(time.UTC)
			if err != nil || set == nil {
				t.Fatalf("recurrence: %v", err)
			}
			from := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
			got := set.After(from, true)
			if got.Format("2006-01-02") != "2030-05-01" {
				t.Errorf("Workers' Day after 2030-01-01 falls on %s, want 2030-05-01", got.Format("2006-01-02"))
			}
		}
	}
}

// icaljs runs Mozilla's ical.js (clients/icaljs) over a calendar. Without
// node or the installed package the test is skipped, unless
// FEED_REQUIRE_CLIENTS is set, as the README's test command does.
func icaljs(t *testing.T, body []byte, args ...string) icaljsCalendar {
	t.Helper()
	script := filepath.Join("clients", "icaljs", "dump.mjs")
	_, statErr := os.Stat(filepath.Join("clients", "icaljs", "node_modules", "ical.js"))
	if _, err := exec.LookPath("node"); err != nil || statErr != nil {
		if os.Getenv("FEED_REQUIRE_CLIENTS") != "" {
			t.Fatalf("ical.js is not installed (node: %v, package: %v); run make test", err, statErr)
		}
		t.Skip("ical.js is not installed; make test installs it")
	}
	cmd := exec.Command("node", append([]string{script}, args...)...)
	cmd.Stdin = bytes.NewReader(body)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ical.js: %v\n%s", err, stderr.String())
	}
	var cal icaljsCalendar
	if err := json.Unmarshal(out, &cal); err != nil {
		t.Fatalf("ical.js output: %v", err)
	}
	return cal
}

type icaljsCalendar struct {
	Calendar map[string]string `json:"calendar"`
	Events   []struct {
		UID         string   `json:"uid"`
		Summary     string   `json:"summary"`
		Description string   `json:"description"`
		Location    *string  `json:"location"`
		URL         *string  `json:"url"`
		Categories  []string `json:"categories"`
		Status      string   `json:"status"`
		Transp      string   `json:"transp"`
		Sequence    int      `json:"sequence"`
		IsDate      bool     `json:"isDate"`
		Start       string   `json:"start"`
		End         *string  `json:"end"`
		RRule       *string  `json:"rrule"`
		Occurrences []string `json:"occurrences"`
		Alarms      []struct {
			Action      string `json:"action"`
			Trigger     string `json:"trigger"`
			At          string `json:"at"`
			Description string `json:"description"`
		} `json:"alarms"`
	} `json:"events"`
}

// TestICALJSReadsFeed reads every feed with ical.js, which resolves TZIDs
// only through the feed's own VTIMEZONEs, and compares each event with the
// catalog, field by field.
func TestICALJSReadsFeed(t *testing.T) {
	for _, tc := range []struct {
		name string
		cat  *events.Catalog
	}{
		{"default", defaultCatalog(t)},
		{"full", loadCatalog(t, "testdata/full.toml")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Every holiday, so that the feed holds every event.
			v := Variant{Holidays: allHolidays()}
			body, err := RenderCalendar(tc.cat, Options{BaseURL: testBaseURL, Variant: v})
			if err != nil {
				t.Fatal(err)
			}
			cal := icaljs(t, body)
			if got, want := cal.Calendar["x-wr-calname"], "Every event · 全部日程"; got != want {
				t.Errorf("X-WR-CALNAME %q, want %q", got, want)
			}
			if cal.Calendar["refresh-interval"] == "" || cal.Calendar["source"] != testBaseURL+CalendarPath+"?holiday=all" {
				t.Errorf("calendar properties: %v", cal.Calendar)
			}
			if len(cal.Events) != len(tc.cat.Events) {
				t.Fatalf("ical.js read %d events, the catalog has %d", len(cal.Events), len(tc.cat.Events))
			}
			for i, got := range cal.Events {
				want := tc.cat.Events[i]
				exp := expect(want)
				if got.UID != want.UID() || got.IsDate != want.When.AllDay || got.Start != exp.start {
					t.Errorf("%s: read as %s start %s (all-day %v), want start %s", want.ID, got.UID, got.Start, got.IsDate, exp.start)
				}
				if end := deref(got.End); end != exp.end {
					t.Errorf("%s: end %q, want %q", want.ID, end, exp.end)
				}
				if got.Summary != localized(want.Name, LangBoth, " · ") || got.Description != description(want, LangBoth) {
					t.Errorf("%s: text changed on the way:\n summary %q\n description %q", want.ID, got.Summary, got.Description)
				}
				if loc := location(want.Location, LangBoth); deref(got.Location) != loc {
					t.Errorf("%s: location %q, want %q", want.ID, deref(got.Location), loc)
				}
				if deref(got.URL) != want.URL {
					t.Errorf("%s: URL %q, want %q", want.ID, deref(got.URL), want.URL)
				}
				if !slices.Equal(got.Categories, categories(want.Kind, LangBoth)) {
					t.Errorf("%s: categories %q", want.ID, got.Categories)
				}
				if got.Status != strings.ToUpper(string(want.Status)) || got.Sequence != want.Revision.Sequence {
					t.Errorf("%s: status %s sequence %d", want.ID, got.Status, got.Sequence)
				}
				if blocks := got.Transp == "OPAQUE"; blocks != want.Kind.BlocksTime() {
					t.Errorf("%s: TRANSP %s for kind %s", want.ID, got.Transp, want.Kind)
				}
				if (want.Recur == events.RecurYearly) != (got.RRule != nil) {
					t.Errorf("%s: RRULE %v", want.ID, got.RRule)
				}
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestICALJSRecurrence checks occurrences as ical.js expands them: Workers'
// Day on 1 May every year, and a timed yearly event in a zone with daylight
// saving time keeping its wall-clock time across years and clock changes.
func TestICALJSRecurrence(t *testing.T) {
	body, _ := RenderCalendar(defaultCatalog(t), Options{})
	cal := icaljs(t, body)
	for _, ev := range cal.Events {
		if ev.UID == "international-workers-day@"+events.UIDDomain {
			var want []string
			for y := 2022; y <= 2031; y++ {
				want = append(want, time.Date(y, 5, 1, 0, 0, 0, 0, time.UTC).Format("2006-01-02"))
			}
			if !slices.Equal(ev.Occurrences, want) {
				t.Errorf("Workers' Day occurrences %v, want %v", ev.Occurrences, want)
			}
		}
	}

	full := loadCatalog(t, "testdata/full.toml")
	body, _ = RenderCalendar(full, Options{})
	cal = icaljs(t, body)
	ny, _ := time.LoadLocation("America/New_York")
	for _, ev := range cal.Events {
		if ev.UID != "spring-forward-lunch@"+events.UIDDomain {
			continue
		}
		if len(ev.Occurrences) != 2031-2024+1 {
			t.Fatalf("occurrences %v", ev.Occurrences)
		}
		for i, got := range ev.Occurrences {
			want := time.Date(2024+i, 3, 10, 12, 0, 0, 0, ny).UTC().Format(time.RFC3339)
			if got != want {
				t.Errorf("occurrence %d at %s, want %s (12:00 New York time)", i, got, want)
			}
		}
	}
}

func newTestServer(t testing.TB) (*Server, *Snapshot) {
	t.Helper()
	snap, err := Build(defaultCatalog(t), testBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	return NewServer(snap, slog.New(slog.NewTextHandler(io.Discard, nil))), snap
}

// TestHTTP drives the whole handler, middleware included.
func TestHTTP(t *testing.T) {
	srv, snap := newTestServer(t)
	etag := snap.ETag()
	gzETag := snap.fullFeed().Gzip().ETag()
	lastMod := snap.Catalog.Modified.Format(http.TimeFormat)
	event, _, _ := snap.Event("international-workers-day", Variant{}, FormatICS)
	// noBase serves without a base URL: the page's links follow the
	// request's host.
	noBase := pageServer(t, "")
	noBasePageETag := get(t, noBase, "/").Header().Get("ETag")
	basePageETag := get(t, srv, "/").Header().Get("ETag")
	exposed := "ETag, Last-Modified, Content-Location"

	tests := []struct {
		name       string
		server     *Server // nil: srv, which has a base URL
		method     string
		path       string
		host       string // the request's Host, when not the path's or example.com
		header     map[string]string
		lines      [][2]string // further field lines, each name and value, added after header
		wantStatus int
		wantHeader map[string]string // "" means absent
		wantBody   []byte            // nil: not checked
		bodyHas    string
		bodyLacks  string // "": not checked
	}{
		{name: "feed", method: "GET", path: "/calendar.ics", wantStatus: 200,
			wantHeader: map[string]string{
				"Content-Type": "text/calendar; charset=utf-8", "ETag": etag, "Last-Modified": lastMod,
				"Vary": "Accept, Accept-Encoding", "Cache-Control": cacheControl, "Content-Encoding": "",
				"X-Content-Type-Options": "nosniff", "Access-Control-Allow-Origin": "*",
				"Content-Length": strconv.Itoa(len(snap.CalendarBytes())),
			},
			wantBody: snap.CalendarBytes()},
		{name: "head", method: "HEAD", path: "/calendar.ics", wantStatus: 200,
			wantHeader: map[string]string{"Content-Length": strconv.Itoa(len(snap.CalendarBytes())), "ETag": etag},
			wantBody:   []byte{}},
		{name: "gzip", method: "GET", path: "/calendar.ics", header: map[string]string{"Accept-Encoding": "br, gzip"}, wantStatus: 200,
			wantHeader: map[string]string{"Content-Encoding": "gzip", "ETag": gzETag, "Vary": "Accept, Accept-Encoding"},
			wantBody:   snap.fullFeed().Gzip().Body()},
		{name: "gzip refused", method: "GET", path: "/calendar.ics", header: map[string]string{"Accept-Encoding": "gzip;q=0, identity"}, wantStatus: 200,
			wantHeader: map[string]string{"Content-Encoding": "", "ETag": etag}, wantBody: snap.CalendarBytes()},
		{name: "if-none-match", method: "GET", path: "/calendar.ics", header: map[string]string{"If-None-Match": etag}, wantStatus: 304,
			wantHeader: map[string]string{"ETag": etag, "Content-Type": "", "Content-Length": "",
				// RFC 9110 §15.4.5: what a 200 would send of these...
				"Content-Location": "/calendars/Craftsmen_of_the_Nation_and_Labour_Day.ics", "Vary": "Accept, Accept-Encoding", "Cache-Control": cacheControl,
				// ...no other metadata of the representation...
				"Last-Modified": "", "X-Content-Type-Options": "", "Content-Disposition": "", "Content-Encoding": "",
				// ...and what a browser needs to show a script the 304.
				"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": exposed,
			}, wantBody: []byte{}},
		{name: "304 of the gzip encoding", method: "GET", path: "/calendar.ics?kind=day-off", header: map[string]string{"If-None-Match": snap.linked["kind=day-off"].Gzip().ETag(), "Accept-Encoding": "gzip"}, wantStatus: 304,
			wantHeader: map[string]string{"Content-Location": "/calendars/Labour_Day_days_off.ics", "Content-Encoding": "", "Content-Length": "", "Last-Modified": ""}},
		{name: "if-none-match on two lines", method: "GET", path: "/calendar.ics", lines: [][2]string{{"If-None-Match", `"x"`}, {"If-None-Match", etag}}, wantStatus: 304},
		{name: "if-none-match star on a second line", method: "GET", path: "/calendar.ics", lines: [][2]string{{"If-None-Match", `"x"`}, {"If-None-Match", "*"}}, wantStatus: 304},
		{name: "if-none-match on two lines, neither current", method: "GET", path: "/calendar.ics", lines: [][2]string{{"If-None-Match", `"x"`}, {"If-None-Match", `"y"`}}, wantStatus: 200},
		// RFC 9110 §13.1.3: a recipient ignores If-Modified-Since with
		// more than one member.
		{name: "if-modified-since twice is ignored", method: "GET", path: "/calendar.ics", lines: [][2]string{{"If-Modified-Since", lastMod}, {"If-Modified-Since", lastMod}}, wantStatus: 200},
		{name: "accept-encoding on two lines", method: "GET", path: "/calendar.ics", lines: [][2]string{{"Accept-Encoding", "br"}, {"Accept-Encoding", "gzip"}}, wantStatus: 200,
			wantHeader: map[string]string{"Content-Encoding": "gzip", "ETag": gzETag}},
		{name: "if-none-match weak, in a list", method: "GET", path: "/calendar.ics", header: map[string]string{"If-None-Match": `"x", W/` + etag}, wantStatus: 304},
		{name: "if-none-match gzip tag", method: "GET", path: "/calendar.ics", header: map[string]string{"If-None-Match": gzETag, "Accept-Encoding": "gzip"}, wantStatus: 304,
			wantHeader: map[string]string{"ETag": gzETag}},
		{name: "if-none-match star", method: "HEAD", path: "/calendar.ics", header: map[string]string{"If-None-Match": "*"}, wantStatus: 304},
		{name: "if-none-match stale", method: "GET", path: "/calendar.ics", header: map[string]string{"If-None-Match": `"old"`}, wantStatus: 200},
		{name: "if-none-match wins over if-modified-since", method: "GET", path: "/calendar.ics",
			header: map[string]string{"If-None-Match": `"old"`, "If-Modified-Since": lastMod}, wantStatus: 200},
		{name: "if-modified-since", method: "GET", path: "/calendar.ics", header: map[string]string{"If-Modified-Since": lastMod}, wantStatus: 304,
			wantHeader: map[string]string{"ETag": etag, "Last-Modified": "", "Content-Location": "/calendars/Craftsmen_of_the_Nation_and_Labour_Day.ics"}},
		{name: "if-modified-since earlier", method: "GET", path: "/calendar.ics",
			header: map[string]string{"If-Modified-Since": snap.Catalog.Modified.Add(-time.Second).Format(http.TimeFormat)}, wantStatus: 200},
		{name: "event", method: "GET", path: "/events/international-workers-day.ics", wantStatus: 200,
			wantHeader: map[string]string{"Content-Type": "text/calendar; charset=utf-8", "ETag": event.ETag()},
			wantBody:   event.Body()},
		{name: "event head", method: "HEAD", path: "/events/international-workers-day.ics", wantStatus: 200, wantBody: []byte{}},
		{name: "event 304", method: "GET", path: "/events/international-workers-day.ics", header: map[string]string{"If-None-Match": event.ETag()}, wantStatus: 304,
			wantHeader: map[string]string{"Content-Location": "/events/international-workers-day.ics", "Content-Disposition": "", "Content-Type": ""}},
		{name: "unknown event", method: "GET", path: "/events/no-such-event.ics", wantStatus: 404,
			wantHeader: map[string]string{"Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff"}, bodyHas: `no event with id "no-such-event"`},
		{name: "event id out of pattern", method: "GET", path: "/events/Bad_ID.ics", wantStatus: 404},
		{name: "unknown path", method: "GET", path: "/calendar.txt", wantStatus: 404,
			wantHeader: map[string]string{"Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff"}, bodyHas: "/calendar.ics"},
		{name: "post", method: "POST", path: "/calendar.ics", wantStatus: 405,
			wantHeader: map[string]string{"Allow": "GET, HEAD, PROPFIND, OPTIONS", "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff"}, bodyHas: "POST"},
		{name: "delete event", method: "DELETE", path: "/events/international-workers-day.ics", wantStatus: 405,
			wantHeader: map[string]string{"Allow": "GET, HEAD, PROPFIND, OPTIONS"}, bodyHas: "read-only"},
		{name: "put feed", method: "PUT", path: "/calendar.ics", wantStatus: 405,
			wantHeader: map[string]string{"Allow": "GET, HEAD, PROPFIND, OPTIONS"}, bodyHas: "read-only"},
		{name: "propfind feed", method: "PROPFIND", path: "/calendar.ics", header: map[string]string{"Depth": "0"}, wantStatus: 207,
			wantHeader: map[string]string{"Content-Type": "application/xml; charset=utf-8"}, bodyHas: "<D:getcontenttype>text/calendar</D:getcontenttype>"},
		{name: "propfind without depth", method: "PROPFIND", path: "/calendar.ics", wantStatus: 403, bodyHas: "propfind-finite-depth"},
		{name: "propfind health", method: "PROPFIND", path: "/healthz", header: map[string]string{"Depth": "0"}, wantStatus: 405,
			wantHeader: map[string]string{"Allow": "GET, HEAD, OPTIONS"}},
		{name: "options is a CORS preflight", method: "OPTIONS", path: "/calendar.ics", wantStatus: 204,
			wantHeader: map[string]string{"Allow": "GET, HEAD, PROPFIND, OPTIONS", "DAV": "1", "Access-Control-Allow-Origin": "*",
				"Access-Control-Allow-Headers": "Accept, If-None-Match, If-Modified-Since"}},
		{name: "feeds expose their validators to scripts", method: "GET", path: "/calendar.ics", wantStatus: 200,
			wantHeader: map[string]string{"Access-Control-Expose-Headers": "ETag, Last-Modified, Content-Location"}},
		{name: "overlong URL", method: "GET", path: "/calendar.ics?lang=" + strings.Repeat("x", 2000), wantStatus: 414,
			wantHeader: map[string]string{"Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff"}},
		// The router cleans the path and redirects; the clean path is a 404.
		{name: "no way out of the routes", method: "GET", path: "/events/../../etc/passwd", wantStatus: 301,
			wantHeader: map[string]string{"Location": "/etc/passwd"}},
		{name: "cleaned path", method: "GET", path: "/etc/passwd", wantStatus: 404},
		// A redirect names a path, never the host the client sent.
		{name: "redirect of an absolute URI stays here", method: "GET", path: "http://evil.com//calendar.ics", wantStatus: 301,
			wantHeader: map[string]string{"Location": "/calendar.ics"}},
		{name: "redirect keeps the query", method: "GET", path: "http://evil.com/events/../calendar.ics?lang=zh", wantStatus: 301,
			wantHeader: map[string]string{"Location": "/calendar.ics?lang=zh"}},
		{name: "redirect of a path that looks like a host", method: "GET", path: "//evil.com/calendar.ics", wantStatus: 301,
			wantHeader: map[string]string{"Location": "/evil.com/calendar.ics"}},
		{name: "connect is no redirect", method: "CONNECT", path: "evil.com:443", wantStatus: 405,
			wantHeader: map[string]string{"Location": "", "Allow": "GET, HEAD, OPTIONS"}, bodyHas: "not a proxy"},
		// The page: with a base URL it ignores the request's host and is
		// public; without one its links follow a valid host, and it is
		// neither shared between hosts nor built from an invalid one.
		{name: "page with a base URL ignores Host", method: "GET", path: "/", host: "evil.com", wantStatus: 200,
			wantHeader: map[string]string{"Cache-Control": cacheControl, "Vary": "Accept-Language, Accept-Encoding"},
			bodyHas:    "webcal://feed.example.org/calendars/", bodyLacks: "evil.com"},
		{name: "page with a base URL ignores an absolute URI's host", method: "GET", path: "http://evil.com/?lang=zh", wantStatus: 200,
			wantHeader: map[string]string{"Cache-Control": cacheControl}, bodyLacks: "evil.com"},
		{name: "page with a base URL ignores an invalid Host", method: "GET", path: "/", host: "evil.com:99999", wantStatus: 200, bodyLacks: "evil.com"},
		{name: "page with a base URL, 304", method: "GET", path: "/", header: map[string]string{"If-None-Match": basePageETag}, wantStatus: 304,
			wantHeader: map[string]string{"Cache-Control": cacheControl, "Vary": "Accept-Language, Accept-Encoding", "Content-Location": "/?lang=en",
				"Content-Security-Policy": "", "Content-Language": "", "Referrer-Policy": "", "X-Content-Type-Options": ""}},
		{name: "page from Host", server: noBase, method: "GET", path: "/", host: "feed.test:8443", wantStatus: 200,
			wantHeader: map[string]string{"Cache-Control": "private, max-age=3600", "Vary": "Accept-Language, Accept-Encoding, Host"},
			bodyHas:    "webcal://feed.test:8443/calendars/"},
		{name: "page from an absolute URI's host", server: noBase, method: "GET", path: "http://evil.com/", wantStatus: 200,
			wantHeader: map[string]string{"Cache-Control": "private, max-age=3600", "Vary": "Accept-Language, Accept-Encoding, Host"}},
		{name: "page from an IPv6 Host", server: noBase, method: "GET", path: "/", host: "[::1]:8080", wantStatus: 200,
			bodyHas: "webcal://[::1]:8080/calendars/"},
		{name: "page from Host, 304", server: noBase, method: "GET", path: "/", header: map[string]string{"If-None-Match": noBasePageETag}, wantStatus: 304,
			wantHeader: map[string]string{"Cache-Control": "private, max-age=3600", "Vary": "Accept-Language, Accept-Encoding, Host", "Content-Location": "/?lang=en"}},
		{name: "page refuses a port above 65535", server: noBase, method: "GET", path: "/", host: "evil.com:99999", wantStatus: 400,
			wantHeader: map[string]string{"Cache-Control": "no-store"}, bodyHas: "port must be a number from 1 to 65535", bodyLacks: "evil.com"},
		{name: "page refuses port 0", server: noBase, method: "GET", path: "/", host: "evil.com:0", wantStatus: 400, bodyHas: "port"},
		{name: "page refuses an empty port", server: noBase, method: "GET", path: "/", host: "evil.com:", wantStatus: 400, bodyHas: "port"},
		{name: "page refuses markup in Host", server: noBase, method: "GET", path: "/", host: `evil"><script>`, wantStatus: 400, bodyHas: "host name may hold only", bodyLacks: "<script>"},
		{name: "page refuses an empty label", server: noBase, method: "GET", path: "/", host: "evil..com", wantStatus: 400, bodyHas: "empty label"},
		{name: "page refuses a number that is no IPv4 address", server: noBase, method: "GET", path: "/", host: "1.2.3.999", wantStatus: 400, bodyHas: "IPv4"},
		{name: "page refuses a zone in an IPv6 literal", server: noBase, method: "GET", path: "/", host: "[fe80::1%25eth0]", wantStatus: 400, bodyHas: "IPv6"},
		{name: "page refuses userinfo in Host", server: noBase, method: "GET", path: "/", host: "user@evil.com", wantStatus: 400},
		// Whatever the order of the parameters, an unknown one is refused.
		{name: "page refuses an unknown parameter after lang", method: "GET", path: "/?lang=en&foo=bar", wantStatus: 400, bodyHas: `parameter "foo"`},
		{name: "page refuses an unknown parameter before lang", method: "GET", path: "/?foo=bar&lang=en", wantStatus: 400, bodyHas: `parameter "foo"`},
		{name: "no directory listing", method: "GET", path: "/events/", wantStatus: 404},
		{name: "every holiday", method: "GET", path: "/calendar.ics?holiday=all&kind=day-off,workday", wantStatus: 200,
			wantHeader: map[string]string{"Content-Location": "/calendar.ics?kind=day-off,workday&holiday=all", "Content-Type": "text/calendar; charset=utf-8"},
			bodyHas:    "UID:cn-spring-festival-2026-days-off@"},
		{name: "holidays in any order and case", method: "GET", path: "/calendar.ics?Holiday=National-Day,NEW-YEAR&lang=en", wantStatus: 200,
			wantHeader: map[string]string{"Content-Location": "/calendar.ics?holiday=new-year,national-day&lang=en"},
			bodyHas:    "UID:cn-mid-autumn-national-day-2025-days-off@"},
		{name: "holiday jCal", method: "GET", path: "/calendar.json?holiday=qingming&kind=workday", wantStatus: 200,
			wantHeader: map[string]string{"Content-Type": "application/calendar+json"}, bodyHas: "cn-qingming-2024-workday-04-07@"},
		{name: "unknown holiday", method: "GET", path: "/calendar.ics?holiday=christmas", wantStatus: 400,
			wantHeader: map[string]string{"Content-Type": "text/plain; charset=utf-8"},
			bodyHas:    `parameter "holiday": "christmas" is not a holiday; accepted: all, or a comma-separated list of new-year,`},
		{name: "holiday on an event", method: "GET", path: "/events/cn-labour-day-2022-days-off.ics?holiday=labour-day", wantStatus: 400,
			bodyHas: `parameter "holiday": chooses among a feed's events`},
		{name: "health", method: "GET", path: "/healthz", wantStatus: 200,
			wantHeader: map[string]string{"Content-Type": "application/json", "Cache-Control": "no-store"}, bodyHas: `"status":"ok"`},
		{name: "health put", method: "PUT", path: "/healthz", wantStatus: 405, wantHeader: map[string]string{"Allow": "GET, HEAD, OPTIONS"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.path, nil)
			if tc.host != "" {
				req.Host = tc.host
			}
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			for _, line := range tc.lines {
				req.Header.Add(line[0], line[1])
			}
			server := srv
			if tc.server != nil {
				server = tc.server
			}
			rec := httptest.NewRecorder()
			server.ServeHTTP(rec, req)
			if rec.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d; body starts %q", rec.Code, tc.wantStatus, truncate(rec.Body.String()))
			}
			for k, want := range tc.wantHeader {
				if got := rec.Header().Get(k); got != want {
					t.Errorf("%s: %q, want %q", k, got, want)
				}
			}
			if tc.wantBody != nil && !bytes.Equal(rec.Body.Bytes(), tc.wantBody) {
				t.Errorf("body of %d bytes, want %d", rec.Body.Len(), len(tc.wantBody))
			}
			if !strings.Contains(rec.Body.String(), tc.bodyHas) {
				t.Errorf("body %q lacks %q", truncate(rec.Body.String()), tc.bodyHas)
			}
			if tc.bodyLacks != "" && strings.Contains(rec.Body.String(), tc.bodyLacks) {
				t.Errorf("body holds %q", tc.bodyLacks)
			}
		})
	}
}

func truncate(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

func TestGzipDecodesToFeed(t *testing.T) {
	srv, snap := newTestServer(t)
	req := httptest.NewRequest("GET", "/calendar.ics", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, snap.CalendarBytes()) {
		t.Fatal("gzip body does not decode to the feed")
	}
}

func TestPanicBecomes500(t *testing.T) {
	var logged bytes.Buffer
	h := recoverPanics(slog.New(slog.NewTextHandler(&logged, nil)), newMetrics().panics, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("secret internal detail")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/calendar.ics", nil))
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "secret") {
		t.Fatalf("status %d, body %q", rec.Code, rec.Body.String())
	}
	if !strings.Contains(logged.String(), "secret internal detail") {
		t.Fatal("the panic was not logged")
	}
}

func TestNormalizeBaseURL(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "https://feed.example.org": "https://feed.example.org", "https://feed.example.org/": "https://feed.example.org",
		"http://localhost:8080/feeds/": "http://localhost:8080/feeds",
		"HTTPS://feed.example.org":     "https://feed.example.org", "http://[::1]:8080": "http://[::1]:8080",
		"https://feed.example.org/a%20b/c_d~e/": "https://feed.example.org/a%20b/c_d~e",
	} {
		got, err := NormalizeBaseURL(in)
		if err != nil || got != want {
			t.Errorf("NormalizeBaseURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"feed.example.org", "ftp://x", "https://x/?a=1", "https://x/#f", "https://u@x/"} {
		if _, err := NormalizeBaseURL(bad); err == nil {
			t.Errorf("NormalizeBaseURL(%q) accepted", bad)
		}
	}
	// Each is written as is into every feed's URL and SOURCE and the
	// page's links: the error must say what is wrong.
	for bad, reason := range map[string]string{
		`http://x"><script>`:            "byte 8",
		"http://x:99999":                "port must be a number from 1 to 65535",
		"http://x:0":                    "port",
		"http://x:":                     "port",
		"https://feed.example.org?":     "query",
		"https://feed.example.org/#":    "fragment",
		"https://u:p@feed.example.org/": "user name",
		"https://feed example.org":      "no spaces",
		"https://feed.example.org/a b":  "no spaces",
		"https://feed.example.org/'x'":  "quotes",
		"https://feed.example.org/<x>":  "angle brackets",
		`https://feed.example.org/\x`:   "not allowed",
		"https://feed.example.org/é":    "not allowed",
		"https://feed.example.org/%zz":  "%XX",
		"https://feed.example.org/%2":   "%XX",
		"https://":                      "empty",
		"https:///path":                 "empty",
		"https://[::1":                  "closing",
		"https://1.2.3.999":             "IPv4",
		"javascript://x":                "scheme",
		"https:x":                       "scheme",
		"//feed.example.org":            "scheme",
	} {
		_, err := NormalizeBaseURL(bad)
		if err == nil {
			t.Errorf("NormalizeBaseURL(%q) accepted", bad)
		} else if !strings.Contains(err.Error(), reason) {
			t.Errorf("NormalizeBaseURL(%q): %v; want a reason with %q", bad, err, reason)
		}
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestCorrectedEventsKeepTheirIdentity: a corrected event keeps its UID and
// carries a higher SEQUENCE, so that clients replace it instead of adding a
// second copy.
func TestCorrectedEventsKeepTheirIdentity(t *testing.T) {
	srv, _ := newTestServer(t)
	cal := icaljs(t, get(t, srv, "/calendar.ics").Body.Bytes())
	want := map[string]int{
		"craftsmen-conference-2022@" + events.UIDDomain:         1,
		"craftsmen-conference-2022-opening@" + events.UIDDomain: 1,
		"international-workers-day@" + events.UIDDomain:         1,
	}
	for _, ev := range cal.Events {
		if seq, ok := want[ev.UID]; ok {
			if ev.Sequence != seq {
				t.Errorf("%s: SEQUENCE %d, want %d", ev.UID, ev.Sequence, seq)
			}
			delete(want, ev.UID)
		}
	}
	for uid := range want {
		t.Errorf("the feed has no event with UID %s", uid)
	}
}
