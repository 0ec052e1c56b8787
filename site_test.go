package feed

import (
	"bytes"
	"encoding/base64"
	"html"
	"image/png"
	"math"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
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

// TestPageEventsInOrder: upcoming events first, soonest first, under their
// year; then past ones, latest first, each past year folded away; a yearly
// event shows its next occurrence.
func TestPageEventsInOrder(t *testing.T) {
	body := html.UnescapeString(get(t, pageServer(t, ""), "/").Body.String())
	var ids []string
	for _, m := range eventIDs.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	upcoming := []string{
		"international-workers-day", "cn-labour-day-2026-days-off", "cn-labour-day-2026-workday-05-09",
		"cn-dragon-boat-2026-days-off", "cn-national-day-2026-workday-09-20", "cn-mid-autumn-2026-days-off",
		"cn-national-day-2026-days-off", "cn-national-day-2026-workday-10-10",
		// The years ahead hold the statutory days, until their notices.
		"cn-new-year-2027-statutory", "cn-spring-festival-2027-statutory",
	}
	past := []string{"cn-qingming-2026-days-off", "cn-spring-festival-2026-workday-02-28", "cn-spring-festival-2026-days-off"}
	n := len(defaultCatalog(t).Events)
	const statutory = 4 * 7
	upcomingCount := len(upcoming) - 2 + statutory
	if len(ids) != n || !slices.Equal(ids[:len(upcoming)], upcoming) || !slices.Equal(ids[upcomingCount:upcomingCount+len(past)], past) ||
		ids[upcomingCount-1] != "cn-national-day-2030-statutory" || ids[n-1] != "cn-new-year-2022-days-off" {
		t.Fatalf("events in order %v", ids)
	}
	// One section for this year's upcoming events; each past year folded,
	// latest first, with its number of events.
	var upcomingYears, laterYears []string
	for _, m := range regexp.MustCompile(`<section class="year" id="year-(\d+)">`).FindAllStringSubmatch(body, -1) {
		upcomingYears = append(upcomingYears, m[1])
	}
	for _, m := range regexp.MustCompile(`<details class="year later" id="year-(\d+)">`).FindAllStringSubmatch(body, -1) {
		laterYears = append(laterYears, m[1])
	}
	// This year and the next are open; the years after, which hold only
	// statutory days, are folded with their count.
	if !slices.Equal(upcomingYears, []string{"2026", "2027"}) || !slices.Equal(laterYears, []string{"2028", "2029", "2030"}) {
		t.Errorf("upcoming years open %v and folded %v, want 2026–2027 and 2028–2030", upcomingYears, laterYears)
	}
	if c := strings.Count(body, `<p class="note">The days the holiday regulations fix.`); c != statutory {
		t.Errorf("%d statutory days carry their note, want %d", c, statutory)
	}
	folded := regexp.MustCompile(`<details class="year past" id="past-(\d+)"( open)?>\s*<summary><h3 class="year-title">(\d+)</h3> <span class="count">(\d+) events</span>`).FindAllStringSubmatch(body, -1)
	var years []string
	total := 0
	for _, f := range folded {
		years = append(years, f[1])
		if f[2] != "" {
			t.Errorf("past year %s is unfolded", f[1])
		}
		c, _ := strconv.Atoi(f[4])
		total += c
	}
	if !slices.Equal(years, []string{"2026", "2025", "2024", "2023", "2022"}) || total != n-upcomingCount {
		t.Errorf("past years %v holding %d events, want 2026 to 2022 holding %d", years, total, n-upcomingCount)
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
				if cid := u.Query().Get("cid"); cid != "" && !strings.HasPrefix(cid, "webcal://feed.example.org"+CalendarsDir) {
					t.Errorf("Google subscribe link to %s", cid)
				}
				continue
			case strings.HasPrefix(link, "https://outlook.live.com/calendar/0/addfromweb?"):
				u, _ := url.Parse(link)
				if !strings.HasPrefix(u.Query().Get("url"), testBaseURL+CalendarsDir) || u.Query().Get("name") == "" {
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
			case strings.Contains(target, "/days"): // the day-status API
				if ct != jsonContentType {
					t.Errorf("%s: %s", link, ct)
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
		if own < 5*2+69*1 {
			t.Errorf("%s: only %d links to the service", lang, own)
		}
		if strings.Contains(body, "127.0.0.1") || strings.Contains(body, "example.com") {
			t.Error("the page names a host other than the base URL")
		}
	}
	// Without a base URL, links follow the request's host.
	rec := get(t, pageServer(t, ""), "/")
	if !strings.Contains(rec.Body.String(), "webcal://example.com/calendars/") {
		t.Error("links do not follow the request's host")
	}
}

// TestPageQRCodes decodes every QR code on the page with a decoder of
// another author: each reads back as its feed's address.
func TestPageQRCodes(t *testing.T) {
	body := get(t, pageServer(t, testBaseURL), "/").Body.String()
	cards := regexp.MustCompile(`(?s)<div class="url"[^>]*>([^<]+)</div>\s*<div class="qr"><img src="data:image/png;base64,([^"]+)"`).FindAllStringSubmatch(body, -1)
	if len(cards) != len(pageFeeds) {
		t.Fatalf("%d QR codes, want %d", len(cards), len(pageFeeds))
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

// TestPageHolidayCard: the page offers every public holiday's days off and
// make-up working days as a card like the others, in both languages.
func TestPageHolidayCard(t *testing.T) {
	srv := pageServer(t, testBaseURL)
	for lang, title := range map[string]string{"en": "China's public holidays", "zh": "全部法定节假日"} {
		file := map[string]string{"en": "China_public_holidays_in_English", "zh": "China_public_holidays_in_Chinese"}[lang]
		body := html.UnescapeString(get(t, srv, "/?lang="+lang).Body.String())
		card := regexp.MustCompile(`(?s)<section class="card" id="feed-holidays">(.*?)</section>`).FindStringSubmatch(body)
		if card == nil {
			t.Fatalf("%s: no card of every holiday", lang)
		}
		feedURL := testBaseURL + "/calendars/" + file + ".ics"
		for _, want := range []string{
			"<h3>" + title + "</h3>",
			`<div class="url" title="`, ">" + feedURL + "</div>",
			`href="webcal://feed.example.org/calendars/` + file + `.ics"`,
			`<div class="qr"><img src="data:image/png;base64,`,
			`href="` + testBaseURL + "/calendars/" + file + `_with_3h_reminders.ics"`,
		} {
			if !strings.Contains(card[1], want) {
				t.Errorf("%s: the card lacks %q:\n%s", lang, want, card[1])
			}
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

// TestPageContrast computes, from page.css itself, the contrast of the
// page's text colours on their backgrounds, the past events' included, and
// holds them to WCAG 2.1 AA (4.5:1 for text). An opacity on past events
// blends their text and background with the page behind, so it counts.
func TestPageContrast(t *testing.T) {
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`--([a-z-]+):(#[0-9a-fA-F]{3,6})`).FindAllStringSubmatch(pageStyle, -1) {
		vars[m[1]] = m[2]
	}
	color := func(name string) [3]float64 {
		t.Helper()
		hex, ok := vars[name]
		if !ok {
			t.Fatalf("page.css defines no --%s", name)
		}
		hex = strings.TrimPrefix(hex, "#")
		if len(hex) == 3 {
			hex = string([]byte{hex[0], hex[0], hex[1], hex[1], hex[2], hex[2]})
		}
		var c [3]float64
		for i := range c {
			v, _ := strconv.ParseUint(hex[2*i:2*i+2], 16, 8)
			c[i] = float64(v)
		}
		return c
	}
	past := regexp.MustCompile(`\.event\.past\{([^}]*)\}`).FindStringSubmatch(pageStyle)
	if past == nil {
		t.Fatal("page.css has no rule for past events")
	}
	opacity := 1.0
	if m := regexp.MustCompile(`opacity:([0-9.]+)`).FindStringSubmatch(past[1]); m != nil {
		opacity, _ = strconv.ParseFloat(m[1], 64)
	}
	pastBG, pastInk := "card", "ink"
	if m := regexp.MustCompile(`background:var\(--([a-z-]+)\)`).FindStringSubmatch(past[1]); m != nil {
		pastBG = m[1]
	}
	if m := regexp.MustCompile(`(?:^|;)color:var\(--([a-z-]+)\)`).FindStringSubmatch(past[1]); m != nil {
		pastInk = m[1]
	}
	blend := func(c [3]float64) [3]float64 { // over the page's background
		bg := color("bg")
		for i := range c {
			c[i] = opacity*c[i] + (1-opacity)*bg[i]
		}
		return c
	}
	for _, tc := range []struct {
		what   string
		fg, bg [3]float64
	}{
		{"text on a card", color("ink"), color("card")},
		{"muted text on a card", color("muted"), color("card")},
		{"muted text on the page", color("muted"), color("bg")},
		{"links on a card", color("link"), color("card")},
		{"links on the page", color("link"), color("bg")},
		{"a button's text", color("accent-ink"), color("accent")},
		{"past events' text", blend(color(pastInk)), blend(color(pastBG))},
		{"past events' muted text", blend(color("muted")), blend(color(pastBG))},
		{"past events' links", blend(color("link")), blend(color(pastBG))},
	} {
		if r := contrastRatio(tc.fg, tc.bg); r < 4.5 {
			t.Errorf("%s: contrast %.2f:1, WCAG AA asks 4.5:1", tc.what, r)
		}
	}
}

// contrastRatio is WCAG 2.1's ratio of relative luminances.
func contrastRatio(a, b [3]float64) float64 {
	lum := func(c [3]float64) float64 {
		var l [3]float64
		for i, v := range c {
			v /= 255
			if v <= 0.03928 {
				l[i] = v / 12.92
			} else {
				l[i] = math.Pow((v+0.055)/1.055, 2.4)
			}
		}
		return 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2]
	}
	la, lb := lum(a), lum(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
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
