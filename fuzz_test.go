package feed

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	goical "github.com/emersion/go-ical"

	"feed/events"
)

// FuzzVariantQuery: whatever the query, a feed URL answers 200 or 400 (with
// the parameter named), never a 500 and never a panic.
func FuzzVariantQuery(f *testing.F) {
	for _, seed := range []string{
		"", "kind=day-off", "KIND=WorkDay,Day-Off&lang=zh", "alarm=1h30m&workhours=9:00-18:00", "lang=en&lang=zh",
		"alarm=99999999999999999999d", "kind=%00", "%zz", "workhours=24:00-24:00", "a=1&b=2&c=3", ";;;&&&==",
		"holiday=all&kind=day-off,workday", "holiday=Mid-Autumn,,national-day", "holiday=all,all",
	} {
		f.Add(seed)
	}
	srv, _ := newTestServer(f)
	f.Fuzz(func(t *testing.T, query string) {
		for _, path := range []string{"/calendar.ics", "/events/international-workers-day.json"} {
			req := httptest.NewRequest("GET", "/", nil)
			req.URL.Path, req.URL.RawQuery = path, query
			req.RequestURI = req.URL.RequestURI()
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			switch rec.Code {
			case 200, 414:
			case 400:
				if !strings.HasPrefix(rec.Body.String(), "Bad Request: parameter ") {
					t.Fatalf("400 without a parameter named: %q", rec.Body.String())
				}
			default:
				t.Fatalf("%s?%s: status %d", path, query, rec.Code)
			}
		}
	})
}

// FuzzTextRoundTrip puts any text a catalog can hold into an event's name,
// description and place, renders it, and reads it back with go-ical, which
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
			Name:        events.Text{EN: name, ZH: name},
			Description: events.Text{EN: desc, ZH: desc},
			Location:    events.Location{Name: events.Text{EN: desc, ZH: desc}},
			When:        events.When{AllDay: true, First: events.Date{Year: 2026, Month: 5, Day: 1}, Last: events.Date{Year: 2026, Month: 5, Day: 1}},
			Revision:    events.Revision{Modified: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		}
		cat := &events.Catalog{Name: events.Text{EN: name, ZH: name}, RefreshInterval: time.Hour, Events: []events.Event{ev}}
		body, err := RenderCalendar(cat, Options{Variant: Variant{Lang: LangEnglish}})
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

// catalogText is text that the catalog decoder accepts and keeps as is:
// valid UTF-8, trimmed, no control characters but tab and newline.
func catalogText(s string) bool {
	return utf8.ValidString(s) && s == strings.TrimSpace(s) && !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && r != '\t' && r != '\n'
	})
}

// FuzzPageQuery: whatever the page's query, Host and Accept-Language,
// pageLang and origin never panic and give the same answer every time, a
// language is English or Chinese, and an origin built from the Host is an
// absolute http URL whose host is exactly that Host, which checkHost
// accepted; with a base URL the Host plays no part.
func FuzzPageQuery(f *testing.F) {
	for _, seed := range [][3]string{
		{"", "example.com", ""}, {"lang=zh", "localhost:8080", "en"}, {"lang=en&foo=bar", "feed.example.org", ""},
		{"foo=bar&lang=en", "[::1]:8080", "zh-CN"}, {"lang=en&lang=zh", "127.0.0.1", ""}, {"%zz", "evil.com:99999", ""},
		{"lang=fr", `evil"><script>`, "fr, zh;q=0"}, {";", "a..b", "*"}, {"lang=zh&", "[fe80::1%25eth0]", ""},
		{"a=1&b=2&c=3", "user@evil.com", ""}, {"lang=", "", ""}, {"LANG=zh", "1.2.3.999", ""},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	request := func(query, host, acceptLanguage string) *http.Request {
		r := httptest.NewRequest("GET", "/", nil)
		r.URL.RawQuery, r.Host = query, host
		if acceptLanguage != "" {
			r.Header["Accept-Language"] = []string{acceptLanguage}
		}
		return r
	}
	answer := func(lang Lang, err error) string {
		if err != nil {
			return "error " + err.Error()
		}
		return string(lang)
	}
	f.Fuzz(func(t *testing.T, query, host, acceptLanguage string) {
		lang, err := pageLang(request(query, host, acceptLanguage))
		first := answer(lang, err)
		for range 3 {
			if again := answer(pageLang(request(query, host, acceptLanguage))); again != first {
				t.Fatalf("pageLang(%q): %q, then %q", query, first, again)
			}
		}
		if err == nil && lang != LangEnglish && lang != LangChinese {
			t.Fatalf("pageLang(%q) = %q", query, lang)
		}

		r := request(query, host, acceptLanguage)
		base, err := origin("", r)
		if again, errAgain := origin("", r); again != base || (err == nil) != (errAgain == nil) {
			t.Fatalf("origin(%q): %q, %v, then %q, %v", host, base, err, again, errAgain)
		}
		if err != nil {
			var he *HostError
			if !errors.As(err, &he) || base != "" {
				t.Fatalf("origin(%q) = %q, %v: not a HostError", host, base, err)
			}
			return
		}
		if checkHost(host) != nil {
			t.Fatalf("origin(%q) accepted a host that checkHost refuses", host)
		}
		u, err := url.Parse(base)
		if err != nil {
			t.Fatalf("origin(%q) = %q: %v", host, base, err)
		}
		if u.Scheme != "http" || u.Host != host || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
			t.Fatalf("origin(%q) = %q, read as %#v", host, base, u)
		}
		if port := u.Port(); port != "" {
			if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
				t.Fatalf("origin(%q) = %q: port %q", host, base, port)
			}
		}
		if feed, err := url.Parse(base + CalendarPath); err != nil || feed.Host != host || feed.Path != CalendarPath {
			t.Fatalf("the feed's URL %q is read as host %q, path %q (%v)", base+CalendarPath, feed.Host, feed.Path, err)
		}
		if got, _ := origin(testBaseURL, r); got != testBaseURL {
			t.Fatalf("with a base URL, origin(%q) = %q", host, got)
		}
	})
}
