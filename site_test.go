package feed

import (
	"bytes"
	"encoding/base64"
	"html"
	"image/png"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
)

// pageServer serves the default catalog with the clock at 20 April 2026,
// ten days before that year's Labour Day holiday.
func pageServer(t testing.TB, base string) *Server {
	t.Helper()
	snap, err := Build(defaultCatalog(t), base)
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 4, 20, 12, 0, 0, 0, time.UTC)
	return NewServer(snap, discardLogger(), WithClock(func() time.Time { return clock }))
}

func TestPageHTTP(t *testing.T) {
	srv := pageServer(t, "")
	en := get(t, srv, "/")
	if en.Code != 200 || en.Header().Get("Content-Type") != "text/html; charset=utf-8" ||
		!strings.HasPrefix(en.Header().Get("Content-Security-Policy"), "default-src 'none'; style-src 'sha256-") ||
		en.Header().Get("Vary") != "Accept-Language, Accept-Encoding, Host" || en.Header().Get("Content-Language") != "en" ||
		en.Header().Get("Cache-Control") != "private, max-age=3600" {
		t.Fatalf("/: %d %v", en.Code, en.Header())
	}
	if !strings.Contains(en.Body.String(), `<html lang="en">`) || !strings.Contains(en.Body.String(), "Add these dates to your calendar") {
		t.Error("the page is not in English")
	}
	if strings.Contains(en.Body.String(), "<script") || regexp.MustCompile(`(?:src|href)="(?:https?:)?//[^"]*\.(?:css|js|woff2?)"`).MatchString(en.Body.String()) {
		t.Error("the page loads a script or an outside asset")
	}
	for _, tc := range []struct {
		target string
		header []string
		zh     bool
	}{
		{"/?lang=zh", nil, true},
		{"/", []string{"Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8"}, true},
		{"/", []string{"Accept-Language", "zh;q=0, en"}, false},
		{"/?lang=en", []string{"Accept-Language", "zh-TW"}, false},
	} {
		rec := get(t, srv, tc.target, tc.header...)
		zh := strings.Contains(rec.Body.String(), `<html lang="zh-Hans">`) && strings.Contains(rec.Body.String(), "把这些日程加入你的日历")
		if rec.Code != 200 || zh != tc.zh {
			t.Errorf("%s %v: %d, Chinese %v", tc.target, tc.header, rec.Code, zh)
		}
	}
	if rec := get(t, srv, "/", "If-None-Match", en.Header().Get("ETag")); rec.Code != 304 {
		t.Errorf("If-None-Match: %d", rec.Code)
	}
	head := httptest.NewRecorder()
	srv.ServeHTTP(head, httptest.NewRequest("HEAD", "/", nil))
	if head.Code != 200 || head.Body.Len() != 0 || head.Header().Get("Content-Length") != en.Header().Get("Content-Length") {
		t.Errorf("HEAD: %d, %d bytes", head.Code, head.Body.Len())
	}
	for target, param := range map[string]string{"/?lang=fr": `"lang"`, "/?utm_source=x": `"utm_source"`} {
		if rec := get(t, srv, target); rec.Code != 400 || !strings.Contains(rec.Body.String(), param) {
			t.Errorf("%s: %d %q", target, rec.Code, rec.Body.String())
		}
	}
	bad := httptest.NewRequest("GET", "/", nil)
	bad.Host = `evil"><script>`
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, bad)
	if rec.Code != 400 {
		t.Errorf("a hostile Host header gave %d", rec.Code)
	}
}

var (
	hrefPattern = regexp.MustCompile(`href="([^"]*)"`)
	eventIDs    = regexp.MustCompile(`id="event-([a-z0-9-]+)"`)
)

func pageLinks(body string) []string {
	var links []string
	for _, m := range hrefPattern.FindAllStringSubmatch(body, -1) {
		links = append(links, html.UnescapeString(m[1]))
	}
	return links
}

// TestPageEventsInOrder: upcoming events first, soonest first; then past
// ones, latest first; a yearly event shows its next occurrence.
func TestPageEventsInOrder(t *testing.T) {
	body := html.UnescapeString(get(t, pageServer(t, ""), "/").Body.String())
	var ids []string
	for _, m := range eventIDs.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	want := []string{
		"international-workers-day", "cn-labour-day-2026-days-off", "cn-labour-day-2026-workday-05-09",
		"cn-labour-day-2025-days-off", "cn-labour-day-2025-workday-04-27", "cn-labour-day-2024-workday-05-11",
	}
	if len(ids) != 16 || !slices.Equal(ids[:len(want)], want) || ids[15] != "cn-labour-day-2022-workday-04-24" {
		t.Fatalf("events in order %v", ids)
	}
	for _, s := range []string{
		"Every year · next: Fri 1 May 2026",
		"Fri 1 May – Tue 5 May 2026",
		"Wed 27 Apr 2022, 10:00 (Asia/Shanghai, UTC+8)",
	} {
		if !strings.Contains(body, s) {
			t.Errorf("the page lacks %q", s)
		}
	}
	zh := html.UnescapeString(get(t, pageServer(t, ""), "/?lang=zh").Body.String())
	for _, s := range []string{"2026年5月1日（星期五）至5月5日（星期二）", "2022年4月27日（星期三） 10:00（Asia/Shanghai, UTC+8）"} {
		if !strings.Contains(zh, s) {
			t.Errorf("the Chinese page lacks %q", s)
		}
	}
}

// TestPageLinks follows every link the page makes to the service: each
// answers 200 with the content type it promises, and every calendar parses
// with go-ical. Subscribe links point at the configured base URL.
func TestPageLinks(t *testing.T) {
	srv := pageServer(t, testBaseURL)
	for _, lang := range []string{"en", "zh"} {
		body := get(t, srv, "/?lang="+lang).Body.String()
		own := 0
		for _, link := range pageLinks(body) {
			target := ""
			switch {
			case strings.HasPrefix(link, testBaseURL):
				target = strings.TrimPrefix(link, testBaseURL)
			case strings.HasPrefix(link, "/"):
				target = link
			case strings.HasPrefix(link, "webcal://"):
				target = strings.TrimPrefix(link, "webcal://feed.example.org")
				if target == link {
					t.Errorf("webcal link to another host: %s", link)
				}
			case strings.HasPrefix(link, "https://calendar.google.com/calendar/render?"):
				u, _ := url.Parse(link)
				if cid := u.Query().Get("cid"); cid != "" && !strings.HasPrefix(cid, "webcal://feed.example.org/calendar.ics") {
					t.Errorf("Google subscribe link to %s", cid)
				}
				continue
			case strings.HasPrefix(link, "https://outlook.live.com/calendar/0/addfromweb?"):
				u, _ := url.Parse(link)
				if !strings.HasPrefix(u.Query().Get("url"), testBaseURL+"/calendar.ics") || u.Query().Get("name") == "" {
					t.Errorf("Outlook.com link %s", link)
				}
				continue
			default:
				continue // a source page elsewhere
			}
			own++
			rec := get(t, srv, target)
			if rec.Code != 200 {
				t.Errorf("%s: %d", link, rec.Code)
				continue
			}
			ct := rec.Header().Get("Content-Type")
			switch {
			case strings.Contains(target, ".ics"):
				if ct != calendarContentType {
					t.Errorf("%s: %s", link, ct)
				}
				if _, err := goical.NewDecoder(rec.Body).Decode(); err != nil {
					t.Errorf("%s: go-ical: %v", link, err)
				}
			case strings.Contains(target, ".json"):
				if ct != jcalContentType {
					t.Errorf("%s: %s", link, ct)
				}
			default:
				if ct != "text/html; charset=utf-8" {
					t.Errorf("%s: %s", link, ct)
				}
			}
		}
		if own < 4*2+16*1 {
			t.Errorf("%s: only %d links to the service", lang, own)
		}
		if strings.Contains(body, "127.0.0.1") || strings.Contains(body, "example.com") {
			t.Error("the page names a host other than the base URL")
		}
	}
	// Without a base URL, links follow the request's host.
	rec := get(t, pageServer(t, ""), "/")
	if !strings.Contains(rec.Body.String(), "webcal://example.com/calendar.ics") {
		t.Error("links do not follow the request's host")
	}
}

// TestPageQRCodes decodes every QR code on the page with a decoder of
// another author: each reads back as its feed's address.
func TestPageQRCodes(t *testing.T) {
	body := get(t, pageServer(t, testBaseURL), "/").Body.String()
	cards := regexp.MustCompile(`(?s)<div class="url"[^>]*>([^<]+)</div>\s*<div class="qr"><img src="data:image/png;base64,([^"]+)"`).FindAllStringSubmatch(body, -1)
	if len(cards) != 4 {
		t.Fatalf("%d QR codes, want 4", len(cards))
	}
	for _, c := range cards {
		raw, err := base64.StdEncoding.DecodeString(html.UnescapeString(c[2]))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		bmp, err := gozxing.NewBinaryBitmapFromImage(img)
		if err != nil {
			t.Fatal(err)
		}
		res, err := gozxingqr.NewQRCodeReader().Decode(bmp, nil)
		if err != nil {
			t.Fatalf("QR code of %s does not decode: %v", c[1], err)
		}
		if want := html.UnescapeString(c[1]); res.GetText() != want {
			t.Errorf("QR code reads %q, want %q", res.GetText(), want)
		}
	}
}

// TestPageQueryDeterministic: a query with an unknown parameter is refused
// every time, whichever order the parameters come in. The names used to be
// read in the map's order, which answered 200 now and then.
func TestPageQueryDeterministic(t *testing.T) {
	for _, query := range []string{"lang=en&foo=bar", "foo=bar&lang=en", "lang=zh&a=1&b=2", "z=1&lang=en"} {
		want := ""
		for range 200 {
			req := httptest.NewRequest("GET", "/?"+query, nil)
			_, err := pageLang(req)
			if err == nil {
				t.Fatalf("%s: accepted", query)
			}
			if want == "" {
				want = err.Error()
			} else if err.Error() != want {
				t.Fatalf("%s: %q, then %q", query, want, err.Error())
			}
		}
	}
}

func TestCheckHost(t *testing.T) {
	for _, host := range []string{
		"localhost", "localhost:8080", "feed.example.org", "FEED.Example.org:443", "my_host", "a-b.c~d",
		"127.0.0.1", "127.0.0.1:1", "10.0.0.1:65535", "[::1]", "[::1]:8080", "[2001:db8::1]:443",
		strings.Repeat("a", 63) + ".example", strings.Repeat("a.", 126) + "a",
	} {
		if he := checkHost(host); he != nil {
			t.Errorf("checkHost(%q) refused: %v", host, he)
		}
	}
	for host, reason := range map[string]string{
		"":                                    "empty",
		"evil.com:99999":                      "port",
		"evil.com:65536":                      "port",
		"evil.com:0":                          "port",
		"evil.com:":                           "port",
		"evil.com:+80":                        "port",
		"evil.com:80:80":                      "port",
		"evil.com:http":                       "port",
		`evil"><script>`:                      "may hold only",
		"evil.com/path":                       "may hold only",
		"user@evil.com":                       "may hold only",
		"evil com":                            "may hold only",
		"évil.com":                            "may hold only",
		"%65vil.com":                          "may hold only",
		"evil.com.":                           "empty label",
		".evil.com":                           "empty label",
		"evil..com":                           "empty label",
		":80":                                 "empty",
		"1.2.3.999":                           "IPv4",
		"1.2.3":                               "IPv4",
		"example.123":                         "IPv4",
		"[::1":                                "closing",
		"[::1]x":                              "only a port",
		"[1.2.3.4]":                           "IPv6",
		"[fe80::1%25eth0]":                    "IPv6",
		"[v1.x]":                              "IPv6",
		strings.Repeat("a", 64) + ".example":  "63",
		strings.Repeat("a.", 127) + "a":       "longer than",
		strings.Repeat("a", 300):              "longer than",
		"[" + strings.Repeat("0:", 200) + "]": "longer than",
	} {
		he := checkHost(host)
		if he == nil {
			t.Errorf("checkHost(%q) accepted", host)
		} else if !strings.Contains(he.Error(), reason) {
			t.Errorf("checkHost(%q): %q, want a reason with %q", host, he.Error(), reason)
		}
	}
}
