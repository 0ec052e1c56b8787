package feed

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"rsc.io/qr"

	"feed/events"
	"feed/internal/ical"
	"feed/internal/resource"
)

// The subscribe page at / turns "I want these dates in my calendar" into one
// click: subscribe buttons for each linked feed, a QR code for phones, and
// the events themselves. It is plain HTML with one inline style sheet: no
// script, no font, nothing fetched from elsewhere, so it works with
// JavaScript off and behind any firewall.

//go:embed site/page.html site/page.css
var siteFiles embed.FS

var (
	pageTemplate = template.Must(template.ParseFS(siteFiles, "site/page.html"))
	pageStyle    = mustRead(siteFiles, "site/page.css") + colorCSS()
	// pageCSP allows the one inline style sheet by its hash, QR codes as
	// data: images, and nothing else.
	pageCSP = "default-src 'none'; style-src 'sha256-" + sha256Base64(pageStyle) + "'; img-src data:; " +
		"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

func mustRead(fsys embed.FS, name string) string {
	b, err := fsys.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func sha256Base64(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// pageLang picks the page's language: ?lang= when given, else the first of
// Chinese or English in Accept-Language, else English. Any other parameter
// is refused, whichever order the query lists them in.
func pageLang(r *http.Request) (Lang, error) {
	if r.URL.RawQuery != "" {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return "", &ParamError{Param: "query", Msg: "is not a valid URL query"}
		}
		// Names are checked in sorted order, not the map's, so that the
		// same query always gets the same answer.
		for _, name := range slices.Sorted(maps.Keys(q)) {
			if name != paramLang {
				return "", &ParamError{Param: name, Msg: "is not a parameter of this page; known parameters: lang"}
			}
		}
		values := q[paramLang]
		if len(values) != 1 || (values[0] != "en" && values[0] != "zh") {
			return "", &ParamError{Param: paramLang, Msg: "accepted: en, zh"}
		}
		return Lang(values[0]), nil
	}
	for part := range strings.SplitSeq(resource.RequestHeader(r, "Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !resource.QualityAboveZero(params) {
			continue
		}
		switch primary, _, _ := strings.Cut(strings.ToLower(tag), "-"); primary {
		case "zh":
			return LangChinese, nil
		case "en":
			return LangEnglish, nil
		}
	}
	return LangEnglish, nil
}

// HostError is a Host header (or the host of an absolute request URI) that
// is not a host and port the page can link to. Its message says why, and
// is meant for the client.
type HostError struct {
	Reason string
}

func (e *HostError) Error() string {
	return "the request's host is not a valid host[:port]: " + e.Reason
}

// maxHostLength is DNS's bound on a name; an IPv6 literal with a port is
// far shorter.
const maxHostLength = 253

// checkHost accepts the hosts that a link can name: a DNS-style name made
// of RFC 3986's unreserved characters (letters, digits, '-', '.', '_',
// '~') in non-empty labels of at most 63 bytes, a dotted IPv4 address, or
// an IPv6 literal in brackets; then, optionally, a port from 1 to 65535.
// It is stricter than RFC 3986's reg-name, which also allows
// percent-encoding and sub-delimiters such as '(', '!' and the apostrophe:
// no real host needs them, and every link and QR code on the page is
// built from this string.
func checkHost(hostport string) *HostError {
	if hostport == "" {
		return &HostError{Reason: "it is empty"}
	}
	if len(hostport) > maxHostLength+len(":65535") {
		return &HostError{Reason: "it is longer than " + strconv.Itoa(maxHostLength) + " bytes"}
	}
	host, port := hostport, ""
	if hostport[0] == '[' {
		end := strings.IndexByte(hostport, ']')
		if end < 0 {
			return &HostError{Reason: "an IPv6 literal lacks its closing ']'"}
		}
		host, port = hostport[:end+1], hostport[end+1:]
		if port != "" && port[0] != ':' {
			return &HostError{Reason: "only a port may follow an IPv6 literal"}
		}
		addr, err := netip.ParseAddr(host[1 : len(host)-1])
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return &HostError{Reason: "the bracketed address is not an IPv6 address"}
		}
	} else {
		if i := strings.IndexByte(hostport, ':'); i >= 0 {
			host, port = hostport[:i], hostport[i:]
		}
		if reason := checkHostName(host); reason != "" {
			return &HostError{Reason: reason}
		}
	}
	if port != "" {
		n, err := strconv.ParseUint(port[1:], 10, 32)
		if err != nil || n < 1 || n > 65535 {
			return &HostError{Reason: "the port must be a number from 1 to 65535"}
		}
	}
	return nil
}

// checkHostName says what is wrong with a host name, or "" when nothing
// is. A name whose last label is all digits must be a dotted IPv4 address,
// as browsers read it as one.
func checkHostName(host string) string {
	if host == "" {
		return "the host name is empty"
	}
	if len(host) > maxHostLength {
		return "the host name is longer than " + strconv.Itoa(maxHostLength) + " bytes"
	}
	label, numeric := 0, true
	for i := 0; i < len(host); i++ {
		c := host[i]
		switch {
		case c == '.':
			if label == 0 {
				return "the host name has an empty label"
			}
			label, numeric = 0, true
			continue
		case '0' <= c && c <= '9':
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == '-', c == '_', c == '~':
			numeric = false
		default:
			return "the host name may hold only letters, digits, '-', '.', '_' and '~'"
		}
		label++
		if label > 63 {
			return "a label of the host name is longer than 63 bytes"
		}
	}
	if label == 0 {
		return "the host name has an empty label"
	}
	if numeric {
		if addr, err := netip.ParseAddr(host); err != nil || !addr.Is4() {
			return "the host name ends in a number but is not an IPv4 address"
		}
	}
	return ""
}

// origin is where the page's links point: the configured base URL, or else
// the host the request came to, once checkHost accepts it.
func origin(base string, r *http.Request) (string, error) {
	if base != "" {
		return base, nil
	}
	if he := checkHost(r.Host); he != nil {
		return "", he
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host, nil
}

// servePage answers / from the snapshot's cache: one rendering per
// language, origin and day (the split between upcoming and past events
// moves with the date).
func (s *Server) servePage(w http.ResponseWriter, r *http.Request) {
	lang, err := pageLang(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	snap := s.snap.Load()
	base, err := origin(snap.BaseURL, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.now()
	key := "page " + string(lang) + " " + base + " " + now.UTC().Format("2006-01-02")
	res, err := snap.cache.get(r.Context(), key, func() (*resource.Resource, error) { return renderPage(snap, lang, base, now) })
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res.Serve(w, r)
}

type pageStrings struct {
	Subscribe, SubscribeHint, Apple, AppleShort, Google, Outlook, CopyHint, QRAlt, QRHint string
	WithReminder, Link, Upcoming, Past, Download, AddGoogle, Footer, Switch               string
	// Series heads a card's list of the events it carries, newest first.
	Series string

	// Desktop tells GNOME Calendar and Evolution users to paste the plain
	// address: both open a webcal:// link as https:// only (GNOME Calendar
	// 43.1's gcal-source-discoverer.c, evolution-data-server 3.46.4's
	// e-cal-backend-http.c), which fails where the service is plain http.
	Desktop string
	// YearCount labels a folded year of past events with its number of
	// events, as a format with one %d.
	YearCount string
}

var pageText = map[Lang]pageStrings{
	LangEnglish: {
		Subscribe:     "Add these dates to your calendar",
		SubscribeHint: "Subscribe once and your calendar keeps itself up to date. No reminders unless you choose them. The first three calendars together hold every event once; a calendar app given this page's address offers those three.",
		Desktop:       "GNOME Calendar and Evolution: copy a feed's address below and paste it there (GNOME Calendar: Manage Calendars… → Add Calendar… → the web address field; Evolution: File → New → Calendar, type “On The Web”). Both open a webcal:// link as https:// only.",
		Apple:         "Apple Calendar / Outlook", AppleShort: "Apple / Outlook",
		Google: "Google Calendar", Outlook: "Outlook.com",
		CopyHint: "The feed's address, to paste into any calendar app",
		QRAlt:    "QR code of", QRHint: "Scan with a phone to open the feed's address.",
		WithReminder: "With a reminder 3 hours before (21:00 Beijing time the evening before an all-day event):",
		Link:         "link",
		Upcoming:     "Coming up", Past: "Past",
		Download: "Download .ics", AddGoogle: "Add to Google Calendar",
		Footer: "The whole feed:", Switch: "中文",
		YearCount: "%d events",
		Series:    "Editions, newest first",
	},
	LangChinese: {
		Subscribe:     "把这些日程加入你的日历",
		SubscribeHint: "订阅一次，日历会自动更新。除非你选择，否则不会有提醒。前三个日历合起来包含每个日程各一次；在日历应用中输入本页地址，即可找到这三个日历。",
		Desktop:       "GNOME 日历和 Evolution：请复制下方的订阅地址，粘贴到应用中（GNOME 日历：管理日历 → 添加日历 → 网址栏；Evolution：文件 → 新建 → 日历，类型选网络日历 On The Web）。这两个应用只会以 https:// 打开 webcal:// 链接。",
		Apple:         "Apple 日历 / Outlook", AppleShort: "Apple / Outlook",
		Google: "Google 日历", Outlook: "Outlook.com",
		CopyHint: "订阅地址，可粘贴到任何日历应用",
		QRAlt:    "二维码", QRHint: "用手机扫码打开订阅地址。",
		WithReminder: "带提醒（提前 3 小时；全天日程为北京时间前一天 21:00）：",
		Link:         "链接",
		Upcoming:     "即将到来", Past: "已过去",
		Download: "下载 .ics", AddGoogle: "添加到 Google 日历",
		Footer: "完整订阅：", Switch: "English",
		YearCount: "%d个日程",
		Series:    "历届（由近及远）",
	},
}

// pageFeeds are the feeds the page offers, each a set of LinkedVariants,
// titled with the calendar's own name. The first three are discovery's:
// together they hold every event once. A card with a series lists that
// kind's events on it, newest first: the conference's editions, so that a
// person sees what the feed brings before subscribing.
var pageFeeds = []struct {
	id     string
	set    feedSet
	blurb  events.Text
	series events.Kind
}{
	{"conference", conferenceSet,
		events.Text{EN: "Every edition of the Innovation Exchange Conference for Craftsmen of the Nation, held with the Craftsmen of the Nation Forum since 2023, and the first edition's opening ceremony. A new edition is added once it is announced.", ZH: "历届大国工匠创新交流大会（2023年起与大国工匠论坛同时举办）及首届的开幕式。新一届公布后将加入订阅。"},
		events.KindConference},
	{"labour-day", labourDaySet,
		events.Text{EN: "International Workers' Day (1 May) and China's Labour Day holiday: its days off and make-up working days, year by year, as the State Council's notices set them, and the statutory days of the years whose notice is not out.", ZH: "国际劳动节（5月1日）与劳动节假期：国务院办公厅通知的历年放假和调休上班日，以及通知发布前各年的法定假日。"}, ""},
	{"other-holidays", otherHolidaysSet, otherHolidaysBlurb(), ""},
	{"all", everythingSet,
		events.Text{EN: "Every edition of the conference and the first one's opening, International Workers' Day, and every Labour Day day off and make-up working day.", ZH: "历届大会及首届开幕式、国际劳动节，以及每年劳动节的放假和调休上班日。"}, ""},
	{"holidays", everyHolidaySet, everyHolidayBlurb(), ""},
	{"day-off", labourDaysOffSet,
		events.Text{EN: "China's Labour Day days off, year by year, as the State Council's notices set them.", ZH: "国务院办公厅通知的历年劳动节放假安排。"}, ""},
	{"workday", labourWorkdaysSet,
		events.Text{EN: "The weekend days around Labour Day that become working days, as all-day events, to colour apart.", ZH: "劳动节前后因调休而上班的周末，作为全天日程，可单独设置颜色。"}, ""},
}

// otherHolidaysBlurb describes the feed of every holiday but Labour Day,
// naming them as the notices do.
func otherHolidaysBlurb() events.Text {
	var en, zh []string
	for _, h := range otherHolidays() {
		en = append(en, h.Name().EN)
		zh = append(zh, h.Name().ZH)
	}
	return events.Text{
		EN: "Every other statutory holiday (" + strings.Join(en[:len(en)-1], ", ") + " and " + en[len(en)-1] +
			"): days off and make-up working days as the State Council's notices set them, and the statutory days of the years whose notice is not out.",
		ZH: "其他法定节假日（" + strings.Join(zh, "、") + "）：国务院办公厅通知的放假和调休上班日，以及通知发布前各年的法定假日。",
	}
}

// everyHolidayBlurb describes the feed of every holiday, naming them as
// the notices do.
func everyHolidayBlurb() events.Text {
	var en, zh []string
	for _, h := range allHolidays() {
		en = append(en, h.Name().EN)
		zh = append(zh, h.Name().ZH)
	}
	return events.Text{
		EN: "The days off and make-up working days of every statutory holiday, as the State Council's notices set them: " +
			strings.Join(en[:len(en)-1], ", ") + " and " + en[len(en)-1] + ". For the years ahead, the days the national holiday regulations fix, until each year's notice is out.",
		ZH: "国务院办公厅通知的全部法定节假日放假和调休上班日：" + strings.Join(zh, "、") + "。此后各年在通知发布前，列出《全国年节及纪念日放假办法》规定的法定假日。",
	}
}

type pageData struct {
	HTMLLang, SwitchLang, SwitchURL, SwitchLabel string
	Title, Description                           string
	Coverage                                     string // the years of holiday arrangements, and whether next year's is awaited
	Style                                        template.CSS
	T                                            pageStrings
	Feeds                                        []feedCard
	Upcoming, Past                               []yearOfEvents
	FeedURL, JCalURL                             string
	Programs                                     *programsSection // the day-status API, site_programs.go
}

// yearOfEvents is one year's events on the page: upcoming years are shown,
// past years folded away, latest first.
type yearOfEvents struct {
	Year   int
	Count  string
	Events []eventItem
	// Folded years show their count until opened: the past, and the
	// upcoming years after the next, which hold only statutory days.
	Folded bool
}

// openUpcomingYears is how many upcoming years the page shows unfolded:
// this year and the next are what a person plans.
const openUpcomingYears = 2

// byYear groups events, already in the page's order, by the year they
// start in.
func byYear(items []eventItem, countFormat string) []yearOfEvents {
	var out []yearOfEvents
	for _, it := range items {
		y := it.start.Year()
		if len(out) == 0 || out[len(out)-1].Year != y {
			out = append(out, yearOfEvents{Year: y})
		}
		out[len(out)-1].Events = append(out[len(out)-1].Events, it)
	}
	for i := range out {
		out[i].Count = fmt.Sprintf(countFormat, len(out[i].Events))
	}
	return out
}

type feedCard struct {
	ID, Title, Blurb, HTTPS                                        string
	Webcal, Google, Outlook, QR                                    template.URL
	ReminderHTTPS, ReminderWebcal, ReminderGoogle, ReminderOutlook template.URL
	Series                                                         []eventItem
}

type eventItem struct {
	ID, Name, When, Place, Kind, KindLabel string
	Note                                   string // what a statutory day is, beside it
	Sources                                []events.Source
	ICS                                    string
	Google                                 template.URL
	Past                                   bool
	T                                      pageStrings
	start                                  time.Time
}

func renderPage(snap *Snapshot, lang Lang, base string, now time.Time) (*resource.Resource, error) {
	cat := snap.Catalog
	other := LangChinese
	if lang == LangChinese {
		other = LangEnglish
	}
	d := pageData{
		HTMLLang: htmlLang(lang), SwitchLang: htmlLang(other), SwitchURL: "/?lang=" + string(other),
		SwitchLabel: pageText[lang].Switch,
		Title:       localized(cat.Name, lang, ""), Description: localized(cat.Description, lang, ""),
		Style: template.CSS(pageStyle), T: pageText[lang],
		FeedURL: base + calendarAddress(Variant{}), JCalURL: base + "/calendar.json",
	}
	d.Coverage = coverageText(cat, lang, now) + sourcesText(cat, lang, snap.FetchedNotices)
	d.Programs = programsFor(snap, lang, base, now)
	lead := ReminderLead
	for _, f := range pageFeeds {
		plain := f.set.variant(lang)
		remind := plain
		remind.Alarm = &lead
		card := feedCard{ID: f.id, Title: calendarName(cat, plain), Blurb: localized(f.blurb, lang, ""),
			HTTPS: base + calendarAddress(plain)}
		card.Webcal, card.Google, card.Outlook = subscribeLinks(card.HTTPS, card.Title)
		code, err := qr.Encode(card.HTTPS, qr.M)
		if err != nil {
			return nil, fmt.Errorf("QR code of %s: %w", card.HTTPS, err)
		}
		code.Scale = 4
		card.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(code.PNG()))
		reminderURL := base + calendarAddress(remind)
		card.ReminderHTTPS = template.URL(reminderURL)
		card.ReminderWebcal, card.ReminderGoogle, card.ReminderOutlook = subscribeLinks(reminderURL, calendarName(cat, remind))
		if f.series != "" {
			card.Series = seriesOf(cat, f.series, lang, now)
		}
		d.Feeds = append(d.Feeds, card)
	}
	zone := pageZone(cat)
	var upcoming, past []eventItem
	for _, ev := range cat.Events {
		item := eventFor(ev, lang, now, zone)
		item.T = pageText[lang]
		if item.Past {
			past = append(past, item)
		} else {
			upcoming = append(upcoming, item)
		}
	}
	slices.SortStableFunc(upcoming, func(a, b eventItem) int { return a.start.Compare(b.start) })
	slices.SortStableFunc(past, func(a, b eventItem) int { return b.start.Compare(a.start) })
	d.Upcoming = byYear(upcoming, pageText[lang].YearCount)
	for i := openUpcomingYears; i < len(d.Upcoming); i++ {
		d.Upcoming[i].Folded = true
	}
	d.Past = byYear(past, pageText[lang].YearCount)

	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, d); err != nil {
		return nil, fmt.Errorf("render page: %w", err)
	}
	vary, caching := pageVary, pageCacheControl
	if snap.BaseURL == "" {
		// The links name the request's host: a shared cache must not
		// hand one host's page to a client of another.
		vary, caching = pageVaryHost, pageCacheControlPrivate
	}
	return resource.New("text/html; charset=utf-8", buf.Bytes(), time.Time{}, "", withQuery("/", "lang="+string(lang)), vary, caching,
		resource.Headers(http.Header{
			"Content-Security-Policy": {pageCSP},
			"Content-Language":        {htmlLang(lang)},
			"Referrer-Policy":         {"no-referrer"},
		}))
}

func pageZone(cat *events.Catalog) *time.Location {
	if cat.Timezone == nil {
		return time.UTC
	}
	return cat.Timezone
}

// seriesOf lists a kind's events for a card, newest first.
func seriesOf(cat *events.Catalog, kind events.Kind, lang Lang, now time.Time) []eventItem {
	var items []eventItem
	for _, ev := range cat.Events {
		if ev.Kind == kind {
			items = append(items, eventFor(ev, lang, now, pageZone(cat)))
		}
	}
	slices.SortStableFunc(items, func(a, b eventItem) int { return b.start.Compare(a.start) })
	return items
}

var (
	pageVary         = resource.Vary("Accept-Language, Accept-Encoding")
	pageVaryHost     = resource.Vary("Accept-Language, Accept-Encoding, Host")
	pageCacheControl = resource.CacheControl(cacheControl)
	// pageCacheControlPrivate keeps a page built from the request's host
	// out of shared caches; the browser may keep it as long as a feed.
	pageCacheControlPrivate = resource.CacheControl("private, max-age=3600")
)

func htmlLang(l Lang) string {
	if l == LangChinese {
		return "zh-Hans"
	}
	return "en"
}

// subscribeLinks are the one-click subscriptions: webcal:// for Apple
// Calendar and Outlook desktop, Google Calendar's and Outlook.com's
// add-by-URL pages.
func subscribeLinks(httpsURL, name string) (webcal, google, outlook template.URL) {
	w := "webcal://" + strings.TrimPrefix(strings.TrimPrefix(httpsURL, "https://"), "http://")
	return template.URL(w),
		template.URL("https://calendar.google.com/calendar/render?cid=" + url.QueryEscape(w)),
		template.URL("https://outlook.live.com/calendar/0/addfromweb?url=" + url.QueryEscape(httpsURL) + "&name=" + url.QueryEscape(name))
}

// eventFor describes an event for the page: when it is, in its own zone and
// said so, and whether it is past. A yearly event shows its next occurrence.
// statutoryNote tells a person that a statutory day is not yet the break.
var statutoryNote = events.Text{
	EN: "The days the holiday regulations fix. The days off and make-up working days around them follow the State Council's notice, not yet published.",
	ZH: "《全国年节及纪念日放假办法》规定的假日；放假调休安排以国务院办公厅通知为准，通知尚未发布。",
}

func eventFor(ev events.Event, lang Lang, now time.Time, zone *time.Location) eventItem {
	item := eventItem{
		ID: ev.ID, Name: localized(ev.Name, lang, ""), Place: location(ev.Location, lang),
		Kind: string(ev.Kind), KindLabel: localized(kindLabels[ev.Kind], lang, ""),
		Sources: ev.Sources, ICS: EventPath(ev.ID),
	}
	if ev.Kind == events.KindStatutory {
		item.Note = localized(statutoryNote, lang, " ")
	}
	w := ev.When
	if w.AllDay {
		first, last := w.First, w.Last
		if ev.Recur == events.RecurYearly {
			for years := 0; !last.AddDays(1).In(zone).After(now); years++ {
				first = events.Date{Year: w.First.Year + years + 1, Month: w.First.Month, Day: w.First.Day}
				last = first.AddDays(int(w.Last.In(time.UTC).Sub(w.First.In(time.UTC)).Hours() / 24))
			}
		}
		item.start = first.In(zone)
		item.Past = !last.AddDays(1).In(zone).After(now)
		item.When = formatDays(first, last, lang)
		if ev.Recur == events.RecurYearly {
			item.When = localized(events.Text{EN: "Every year · next: ", ZH: "每年 · 下一次："}, lang, "") + item.When
		}
		item.Google = googleEvent(ev, lang, ical.FormatDate(first)+"/"+ical.FormatDate(last.AddDays(1)), "")
		return item
	}
	item.start = w.Start
	end := w.Start
	if w.HasEnd() {
		end = w.End
	}
	item.Past = !end.After(now) && ev.Recur == events.RecurNone
	item.When = formatTime(w.Start, w.End, lang)
	item.Google = googleEvent(ev, lang, w.Start.Format(ical.LocalLayout)+"/"+end.Format(ical.LocalLayout), w.Zone.String())
	return item
}

func googleEvent(ev events.Event, lang Lang, dates, zone string) template.URL {
	q := url.Values{}
	q.Set("action", "TEMPLATE")
	q.Set("text", localized(ev.Name, lang, ""))
	q.Set("dates", dates)
	q.Set("details", description(ev, lang))
	if loc := location(ev.Location, lang); loc != "" {
		q.Set("location", loc)
	}
	if zone != "" {
		q.Set("ctz", zone)
	}
	if ev.Recur == events.RecurYearly {
		q.Set("recur", "RRULE:FREQ=YEARLY")
	}
	return template.URL("https://calendar.google.com/calendar/render?" + q.Encode())
}

var zhWeekdays = [...]string{"日", "一", "二", "三", "四", "五", "六"}

// formatDay writes a day with its weekday and year.
func formatDay(d events.Date, lang Lang) string {
	if lang == LangChinese {
		return fmt.Sprintf("%d年", d.Year) + formatDayWithoutYear(d, lang)
	}
	return d.In(time.UTC).Format("Mon 2 Jan 2006")
}

// formatDayWithoutYear writes a day with its weekday, for the end of a range
// within one year whose other end shows the year.
func formatDayWithoutYear(d events.Date, lang Lang) string {
	t := d.In(time.UTC)
	if lang == LangChinese {
		return fmt.Sprintf("%d月%d日（星期%s）", d.Month, d.Day, zhWeekdays[t.Weekday()])
	}
	return t.Format("Mon 2 Jan")
}

// formatDays writes an all-day range, which is the same days in every zone.
// A range within one year shows the year once: at its start in Chinese, at
// its end in English.
func formatDays(first, last events.Date, lang Lang) string {
	if first == last {
		return formatDay(first, lang)
	}
	sameYear := first.Year == last.Year
	if lang == LangChinese {
		if sameYear {
			return formatDay(first, lang) + "至" + formatDayWithoutYear(last, lang)
		}
		return formatDay(first, lang) + "至" + formatDay(last, lang)
	}
	if sameYear {
		return formatDayWithoutYear(first, lang) + " – " + formatDay(last, lang)
	}
	return formatDay(first, lang) + " – " + formatDay(last, lang)
}

// formatTime writes a timed event in its own zone, naming the zone and its
// offset, since a reader may be anywhere.
func formatTime(start, end time.Time, lang Lang) string {
	clock := start.Format("15:04")
	if !end.IsZero() {
		clock += "–" + end.Format("15:04")
	}
	_, offset := start.Zone()
	zone := fmt.Sprintf("%s, UTC%+d", start.Location(), offset/3600)
	if offset%3600 != 0 {
		zone = fmt.Sprintf("%s, UTC%+d:%02d", start.Location(), offset/3600, abs(offset%3600)/60)
	}
	day := formatDay(events.DateOf(start), lang)
	if lang == LangChinese {
		return day + " " + clock + "（" + zone + "）"
	}
	return day + ", " + clock + " (" + zone + ")"
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
