package feed

import (
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	goical "github.com/emersion/go-ical"

	"feed/events"
)

// nameProblem says what is wrong with a calendar's name for its language,
// or "": at most 48 characters, English words only in English, Chinese only
// in Chinese, both in a bilingual calendar.
func nameProblem(name string, lang Lang) string {
	if n := utf8.RuneCountInString(name); n > 48 {
		return strconv.Itoa(n) + " characters, more than 48"
	}
	han, latin := false, false
	for _, r := range name {
		han = han || unicode.Is(unicode.Han, r)
		latin = latin || unicode.IsLetter(r) && r < 0x80
	}
	switch {
	case lang == LangEnglish && han:
		return "Chinese in an English name"
	case lang == LangChinese && latin:
		return "English in a Chinese name"
	case (lang == LangBoth || lang == "") && !(han && latin):
		return "not bilingual"
	}
	return ""
}

func prefixRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}

// TestLinkedVariantNames holds every linked variant's name to its
// distinguishing subject, first, in its language, with the reminder after
// it, in at most 48 characters; among the variants of one language and
// reminder, the first 24 characters tell each apart.
func TestLinkedVariantNames(t *testing.T) {
	subjects := map[string][3]string{ // canonical query without lang and alarm: en, zh, both
		"":                         {"Craftsmen & Labour Day (China)", "大国工匠大会与劳动节", "Craftsmen & Labour Day (China) · 大国工匠大会与劳动节"},
		"kind=day-off":             {"Labour Day days off", "劳动节放假", "Labour Day days off · 劳动节放假"},
		"kind=workday":             {"Labour Day make-up days", "劳动节调休上班", "Labour Day make-up days · 劳动节调休"},
		"kind=conference,ceremony": {"Craftsmen Conference", "大国工匠大会", "Craftsmen Conference · 大国工匠大会"},
		"kind=day-off,workday,statutory&holiday=all": {"China's public holidays", "全部法定节假日", "China's public holidays · 法定节假日"},
		"kind=day-off&holiday=all":                   {"Holiday days off", "节假日放假", "Holiday days off · 节假日放假"},
		"kind=workday&holiday=all":                   {"Make-up working days", "节假日调休上班", "Make-up working days · 调休上班"},
		"kind=statutory&holiday=all":                 {"Statutory days ahead", "法定假日（待通知）", "Statutory days ahead · 法定假日"},
		"kind=observance,day-off,workday,statutory":  {"Workers' Day & Labour Day", "劳动节与放假调休", "Workers' Day & Labour Day · 劳动节"},
		"kind=day-off,workday,statutory&holiday=new-year,spring-festival,qingming,dragon-boat,mid-autumn,national-day": {"Other public holidays", "其他法定节假日", "Other public holidays · 其他法定节假日"},
	}
	reminders := map[Lang]string{LangEnglish: " (3h reminder)", LangChinese: "（提前3小时提醒）", LangBoth: " (3h reminder 提醒)"}
	seen := map[string]string{} // language, reminder and first 24 characters: the query
	cat := defaultCatalog(t)
	for _, v := range LinkedVariants() {
		plain := Variant{Kinds: v.Kinds, Holidays: v.Holidays}
		s, ok := subjects[plain.Query()]
		if !ok {
			t.Errorf("%s: no expected name", v.Query())
			continue
		}
		want := map[Lang]string{LangEnglish: s[0], LangChinese: s[1], LangBoth: s[2]}[v.lang()]
		if v.Alarm != nil {
			want += reminders[v.lang()]
		}
		// The one name too long with its reminder: the catalog's bilingual
		// name gives way to the qualifier, which tells it from its twin.
		if v.Query() == "alarm=3h" {
			want = "Craftsmen & Labour Day (China)… (3h reminder 提醒)"
		}
		name := calendarName(cat, v)
		if name != want {
			t.Errorf("%s: named %q, want %q", v.Query(), name, want)
		}
		if reason := nameProblem(name, v.lang()); reason != "" {
			t.Errorf("%s: %q: %s", v.Query(), name, reason)
		}
		key := string(v.lang()) + strconv.FormatBool(v.Alarm != nil) + "|" + prefixRunes(name, 24)
		if other, dup := seen[key]; dup {
			t.Errorf("%s and %s share the first 24 characters %q", other, v.Query(), prefixRunes(name, 24))
		}
		seen[key] = v.Query()
	}

	// Variants no page links to are named from what they hold, and fit.
	for _, query := range []string{
		"holiday=qingming,dragon-boat,mid-autumn&kind=workday&workhours=09:00-18:00&alarm=6d23h59m",
		"holiday=new-year,spring-festival,qingming,labour-day,dragon-boat&kind=day-off,workday&workhours=09:30-17:45&alarm=1d2h30m&lang=zh",
		"kind=conference,ceremony,observance,statutory&holiday=mid-autumn-national-day&lang=en&alarm=0m",
		"holiday=all", "kind=observance&lang=en", "kind=day-off&holiday=qingming&lang=en&workhours=09:00-18:00",
	} {
		v, err := ParseFeedVariant(query)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		name := calendarName(cat, v)
		if reason := nameProblem(name, v.lang()); reason != "" {
			t.Errorf("%s: %q: %s", query, name, reason)
		}
		if v.Alarm != nil && !strings.Contains(name, "提醒") && !strings.Contains(name, "reminder") {
			t.Errorf("%s: %q does not say it has a reminder", query, name)
		}
	}
	if got := calendarName(cat, Variant{Kinds: []events.Kind{events.KindDayOff}, Holidays: []events.Holiday{events.HolidayQingming}, Lang: LangEnglish}); got != "Qingming Festival: days off" {
		t.Errorf("Qingming's days off named %q", got)
	}
}

// css3 are the CSS3 colour names the feeds use, as the CSS Color Module
// Level 3 defines them.
var css3 = map[string]string{
	"royalblue": "#4169E1", "crimson": "#DC143C", "seagreen": "#2E8B57", "mediumvioletred": "#C71585",
	"orangered": "#FF4500", "slateblue": "#6A5ACD", "darkgoldenrod": "#B8860B", "olivedrab": "#6B8E23",
	"chocolate": "#D2691E", "slategray": "#708090", "teal": "#008080", "gray": "#808080",
}

// contrast is WCAG 2's contrast ratio of two #RRGGBB colours.
func contrast(t *testing.T, a, b string) float64 {
	lum := func(hex string) float64 {
		n, err := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
		if err != nil || len(hex) != 7 {
			t.Fatalf("%q is not #RRGGBB", hex)
		}
		var l float64
		for i, w := range []float64{0.2126, 0.7152, 0.0722} {
			c := float64(n>>(16-8*i)&0xff) / 255
			if c <= 0.03928 {
				c /= 12.92
			} else {
				c = math.Pow((c+0.055)/1.055, 2.4)
			}
			l += w * c
		}
		return l
	}
	la, lb := lum(a), lum(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

// TestColors: every colour is a CSS3 name with the hex discovery gives,
// readable as a colour bar on white and on a dark theme (3:1, WCAG's bound
// for graphics), and each set of events has its own.
func TestColors(t *testing.T) {
	seen := map[string]string{}
	for _, c := range append([]calendarColor{otherColor}, func() (out []calendarColor) {
		for _, f := range namedSets {
			out = append(out, f.color)
		}
		return out
	}()...) {
		if css3[c.Name] != c.Hex {
			t.Errorf("%s is %s in CSS3, not %s", c.Name, css3[c.Name], c.Hex)
		}
		for _, bg := range []string{"#FFFFFF", "#1E1E1E"} {
			if r := contrast(t, c.Hex, bg); r < 3 {
				t.Errorf("%s has a contrast of %.2f:1 on %s, want at least 3:1", c.Name, r, bg)
			}
		}
		if prev, dup := seen[c.Hex]; dup {
			t.Errorf("%s and %s are one colour", prev, c.Name)
		}
		seen[c.Hex] = c.Name
	}
}

func TestDiscoveryLang(t *testing.T) {
	for header, want := range map[string]Lang{
		"":                             LangBoth,
		"zh-CN,zh;q=0.9,en;q=0.8":      LangChinese,
		"en-US,en;q=0.5":               LangEnglish,
		"en-US;q=0.5, zh-TW;q=0.8":     LangChinese,
		"fr-FR, de;q=0.9":              LangBoth,
		"fr, en;q=0.3":                 LangEnglish,
		"zh;q=0, en;q=0.1":             LangEnglish,
		"zh;q=0":                       LangBoth,
		"zh;q=abc, en":                 LangEnglish,
		"EN-gb, zh":                    LangEnglish,
		"zh-Hans-CN;q=1.0, en;q=1.000": LangChinese,
	} {
		req := httptest.NewRequest("PROPFIND", "/", nil)
		if header != "" {
			req.Header.Set("Accept-Language", header)
		}
		if got := discoveryLang(req); got != want {
			t.Errorf("Accept-Language %q: %q, want %q", header, got, want)
		}
	}
}

// TestDiscoveryPartition sends Thunderbird's Depth 1 request to the site in
// each language: a few calendars, named apart within 24 characters, in the
// request's language, each its own colour, which together hold every event
// of the service once.
func TestDiscoveryPartition(t *testing.T) {
	srv, snap := newTestServer(t)
	every := map[string]bool{}
	for _, ev := range snap.Catalog.Events {
		every[ev.UID()] = true
	}
	for _, tc := range []struct {
		acceptLanguage string
		lang           Lang
	}{
		{"zh-CN,zh;q=0.9,en-US;q=0.8,en;q=0.7", LangChinese},
		{"en-US,en;q=0.5", LangEnglish},
		{"", LangBoth},
		{"de-DE,en;q=0.3,zh;q=0.6", LangChinese},
	} {
		t.Run(string(tc.lang)+" "+tc.acceptLanguage, func(t *testing.T) {
			req := httptest.NewRequest("PROPFIND", "/", strings.NewReader(thunderbirdDepth1))
			req.Header.Set("Depth", "1")
			if tc.acceptLanguage != "" {
				req.Header.Set("Accept-Language", tc.acceptLanguage)
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			ms := parseMultistatus(t, rec)
			if !strings.Contains(rec.Header().Get("Vary"), "Accept-Language") {
				t.Errorf("Vary %q", rec.Header().Get("Vary"))
			}
			members := ms.Responses[1:]
			if len(members) < 2 || len(members) > 8 {
				t.Fatalf("%d members, want 2 to 8", len(members))
			}
			names, colors := map[string]string{}, map[string]string{}
			holder := map[string]string{}
			for _, m := range members {
				p := m.Propstats[0].Prop
				name, color := *p.DisplayName, *p.Color
				if reason := nameProblem(name, tc.lang); reason != "" {
					t.Errorf("%s: %q: %s", m.Href, name, reason)
				}
				if prev, dup := names[prefixRunes(name, 24)]; dup {
					t.Errorf("%s and %s share the first 24 characters of %q", prev, m.Href, name)
				}
				names[prefixRunes(name, 24)] = m.Href
				if prev, dup := colors[strings.ToUpper(color)]; dup {
					t.Errorf("%s and %s are both %s", prev, m.Href, color)
				}
				colors[strings.ToUpper(color)] = m.Href
				if contrast(t, color, "#FFFFFF") < 3 || contrast(t, color, "#1E1E1E") < 3 {
					t.Errorf("%s: %s is hard to read on white or dark", m.Href, color)
				}

				res := get(t, srv, m.Href)
				if res.Code != http.StatusOK {
					t.Fatalf("%s: %d", m.Href, res.Code)
				}
				cal, err := goical.NewDecoder(res.Body).Decode()
				if err != nil {
					t.Fatalf("%s: go-ical: %v", m.Href, err)
				}
				calName, _ := cal.Props.Text("X-WR-CALNAME")
				rfcName, _ := cal.Props.Text("NAME")
				cssName, _ := cal.Props.Text("COLOR")
				apple, _ := cal.Props.Text("X-APPLE-CALENDAR-COLOR")
				if calName != name || rfcName != name || css3[cssName] != color || apple != color {
					t.Errorf("%s: X-WR-CALNAME %q NAME %q COLOR %q X-APPLE-CALENDAR-COLOR %q; discovery %q %q", m.Href, calName, rfcName, cssName, apple, name, color)
				}
				for _, ev := range cal.Events() {
					uid, _ := ev.Props.Text("UID")
					if prev, dup := holder[uid]; dup {
						t.Errorf("%s is in %s and in %s", uid, prev, m.Href)
					}
					holder[uid] = m.Href
					if !every[uid] {
						t.Errorf("%s: %s is not an event of the catalog", m.Href, uid)
					}
				}
			}
			for uid := range every {
				if holder[uid] == "" {
					t.Errorf("%s is in no member", uid)
				}
			}
		})
	}
}

// FuzzCalendarName: whatever variant a query chooses, its name is valid
// UTF-8, not empty, at most 48 characters, and says so when it rings.
func FuzzCalendarName(f *testing.F) {
	for _, seed := range []string{"", "kind=day-off&holiday=qingming,dragon-boat&lang=zh&alarm=6d23h59m&workhours=00:00-23:59",
		"holiday=all", "kind=observance,statutory&holiday=mid-autumn-national-day&lang=en&alarm=1d"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, query string) {
		v, err := ParseFeedVariant(query)
		if err != nil {
			return
		}
		name := calendarName(nil, v)
		if !utf8.ValidString(name) || name == "" || utf8.RuneCountInString(name) > 48 {
			t.Fatalf("%q: named %q", query, name)
		}
		if v.Alarm != nil && !strings.Contains(name, "reminder") && !strings.Contains(name, "提醒") {
			t.Fatalf("%q: %q does not say it rings", query, name)
		}
	})
}

// FuzzDiscoveryLang: any Accept-Language gives one of the three languages.
func FuzzDiscoveryLang(f *testing.F) {
	for _, seed := range []string{"", "zh-CN,zh;q=0.9", "en;q=0.5,zh;q=0.5", "zh;q=1e-3", ";;,,q=", "en;q=-1"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		req := httptest.NewRequest("PROPFIND", "/", nil)
		req.Header.Set("Accept-Language", header)
		switch got := discoveryLang(req); got {
		case LangBoth, LangEnglish, LangChinese:
		default:
			t.Fatalf("%q: %q", header, got)
		}
	})
}
