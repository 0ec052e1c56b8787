package feed

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
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
