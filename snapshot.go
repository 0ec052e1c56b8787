package feed

import (
	"context"
	"fmt"
	"strings"
	"time"

	"feed/events"
	"feed/internal/resource"
)

// Snapshot is one catalog rendered into what requests can receive. The full
// feed, every variant that a page links to and every event's calendar are
// rendered when the catalog loads; other variants are rendered on first use
// and kept in a bounded cache. A snapshot never changes once built, so
// requests share it without locks on the rendered bytes.
type Snapshot struct {
	Catalog *events.Catalog
	BaseURL string
	// FetchedNotices are the publication times of the notices the service
	// fetched and applied, by the year they arrange, for the page to say
	// where each year's days come from; set before the snapshot is served.
	FetchedNotices map[int]time.Time
	cache          *renderCache

	// linked holds the iCalendar feeds of LinkedVariants by canonical
	// query, "" for the full feed: the URLs that subscribers copy from the
	// page, answered without parsing their query.
	linked map[string]*resource.Resource
	// events holds each event's own iCalendar file by id, the form the
	// feed links to: answered without building its cache key.
	events map[string]*resource.Resource
	// days holds the day-status API's answers (days.go), from the same
	// catalog, so that a swap changes them with the feed.
	days *dayAnswers

	buildTime time.Duration            // how long Build took
	onRender  func(took time.Duration) // told of every render on request; set before the snapshot is served
}

// Format is the syntax a calendar is written in.
type Format int

// The formats of a calendar.
const (
	FormatICS  Format = iota // text/calendar (RFC 5545)
	FormatJCal               // application/calendar+json (RFC 7265)
)

func (f Format) ext() string {
	if f == FormatJCal {
		return ".json"
	}
	return ".ics"
}

// ReminderLead is the reminder that linked variants offer: all-day events
// start at midnight in the catalog's zone, so this rings at 21:00 Beijing
// time the evening before.
const ReminderLead = 3 * time.Hour

// LinkedVariants are the feeds that the service's pages link to: the full
// feed, Labour Day's days off, its make-up working days, the conference,
// every holiday's days off and make-up working days together and each
// alone, and the two feeds that discovery offers beside the conference
// (Workers' Day with Labour Day, and the other holidays), each in both
// languages, English and Chinese, with and without reminders. They are
// rendered when the catalog loads.
func LinkedVariants() []Variant {
	lead := ReminderLead
	var out []Variant
	for _, f := range linkedSets {
		for _, lang := range []Lang{"", LangEnglish, LangChinese} {
			plain := f.variant(lang)
			remind := plain
			remind.Alarm = &lead
			out = append(out, plain, remind)
		}
	}
	return out
}

// everyHolidayKinds are what the feed of every public holiday holds: the
// published days off and make-up working days, and the statutory days of
// the years whose notice is not yet out.
var everyHolidayKinds = []events.Kind{events.KindDayOff, events.KindWorkday, events.KindStatutory}

// Build renders a catalog for serving at baseURL (empty when unknown).
func Build(cat *events.Catalog, baseURL string) (*Snapshot, error) {
	began := time.Now()
	s := &Snapshot{Catalog: cat, BaseURL: baseURL, cache: newRenderCache(defaultCacheEntries, defaultCacheBytes, renderSlots),
		linked: make(map[string]*resource.Resource), events: make(map[string]*resource.Resource, len(cat.Events))}
	for _, v := range LinkedVariants() {
		res, err := s.renderCalendar(v, FormatICS)
		if err != nil {
			return nil, err
		}
		s.cache.pin(calendarKey(v, FormatICS), res)
		s.linked[v.Query()] = res
	}
	jcal, err := s.renderCalendar(Variant{}, FormatJCal)
	if err != nil {
		return nil, err
	}
	s.cache.pin(calendarKey(Variant{}, FormatJCal), jcal)
	for _, ev := range cat.Events {
		res, err := s.renderEvent(ev, Variant{}, FormatICS)
		if err != nil {
			return nil, err
		}
		s.events[ev.ID] = res
	}
	if s.days, err = buildDayAnswers(cat, baseURL); err != nil {
		return nil, err
	}
	s.buildTime = time.Since(began)
	return s, nil
}

// CalendarBytes returns the rendered full feed, uncompressed.
func (s *Snapshot) CalendarBytes() []byte { return s.fullFeed().Body() }

// ETag returns the full feed's entity tag.
func (s *Snapshot) ETag() string { return s.fullFeed().ETag() }

func (s *Snapshot) fullFeed() *resource.Resource { return s.linked[""] }

// Calendar returns the feed that a variant selects, rendering it if this is
// its first request. A render waits for one of the process's render slots,
// at most 10 seconds: it may fail with a *BusyError.
func (s *Snapshot) Calendar(v Variant, f Format) (*resource.Resource, error) {
	return s.calendar(context.Background(), v, f)
}

// calendar is Calendar for a request: it gives up waiting when ctx ends.
func (s *Snapshot) calendar(ctx context.Context, v Variant, f Format) (*resource.Resource, error) {
	return s.cache.get(ctx, calendarKey(v, f), func() (*resource.Resource, error) {
		return s.timed(func() (*resource.Resource, error) { return s.renderCalendar(v, f) })
	})
}

// Event returns the calendar of one event, or false when there is no such
// event. Like Calendar, it may fail with a *BusyError.
func (s *Snapshot) Event(id string, v Variant, f Format) (*resource.Resource, bool, error) {
	return s.event(context.Background(), id, v, f)
}

// event is Event for a request: it gives up waiting when ctx ends.
func (s *Snapshot) event(ctx context.Context, id string, v Variant, f Format) (*resource.Resource, bool, error) {
	if f == FormatICS && v.Query() == "" {
		res, ok := s.events[id]
		return res, ok, nil
	}
	ev, ok := s.Catalog.Event(id)
	if !ok {
		return nil, false, nil
	}
	res, err := s.cache.get(ctx, eventKey(id, v, f), func() (*resource.Resource, error) {
		return s.timed(func() (*resource.Resource, error) { return s.renderEvent(ev, v, f) })
	})
	return res, true, err
}

func (s *Snapshot) timed(render func() (*resource.Resource, error)) (*resource.Resource, error) {
	began := time.Now()
	res, err := render()
	if s.onRender != nil {
		s.onRender(time.Since(began))
	}
	return res, err
}

func calendarKey(v Variant, f Format) string { return withQuery("/calendar"+f.ext(), v.Query()) }

func eventKey(id string, v Variant, f Format) string {
	return withQuery(eventPrefix+id+f.ext(), v.Query())
}

func (s *Snapshot) renderCalendar(v Variant, f Format) (*resource.Resource, error) {
	d, err := calendarModel(s.Catalog, Options{BaseURL: s.BaseURL, Variant: v})
	if err != nil {
		return nil, err
	}
	location, filename := calendarKey(v, f), "calendar"+f.ext()
	if p, ok := CalendarFilePath(v); ok && f == FormatICS {
		// A linked feed's named address is its canonical one, and names
		// the file a person downloads.
		location, filename = p, strings.TrimPrefix(p, CalendarsDir)
	}
	return s.encode(d, f, location, filename, s.Catalog.Modified)
}

func (s *Snapshot) renderEvent(ev events.Event, v Variant, f Format) (*resource.Resource, error) {
	d, err := eventModel(s.Catalog, ev, Options{BaseURL: s.BaseURL, Variant: v})
	if err != nil {
		return nil, err
	}
	return s.encode(d, f, eventKey(ev.ID, v, f), ev.ID+f.ext(), ev.Revision.Modified)
}

func (s *Snapshot) encode(d *draft, f Format, location, filename string, modified time.Time) (*resource.Resource, error) {
	var (
		body        []byte
		err         error
		contentType = calendarContentType
	)
	if f == FormatJCal {
		body, err = d.jcal()
		contentType = jcalContentType
	} else {
		body, err = d.serialize()
	}
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", location, err)
	}
	return resource.New(contentType, body, modified, filename, location, feedHeaders...)
}

const calendarContentType = "text/calendar; charset=utf-8"

const jcalContentType = "application/calendar+json" // RFC 7265

// cacheControl lets clients and caches keep a feed for an hour and serve a
// stale copy while the origin is unreachable; ETag and Last-Modified make
// every later poll a cheap 304. Calendar clients poll every few hours at
// most, so an hour's staleness is never what a subscriber notices.
const cacheControl = "public, max-age=3600, stale-if-error=604800"

// feedHeaders are the fields of every feed and event file: the answer
// depends on Accept (jCal from a .ics URL) as well as on Accept-Encoding.
var feedHeaders = []resource.Option{resource.Vary("Accept, Accept-Encoding"), resource.CacheControl(cacheControl)}

// NormalizeBaseURL checks a public base URL and strips its trailing slash.
// The empty string stays empty: the feed then names no URL of its own.
// The URL is written as is into every feed (URL, SOURCE) and into the
// page's links, so only a plain http or https origin passes, with a path
// if the service is served under one: no user name, query or fragment, a
// host and port that checkHost accepts, and a path of characters that need
// no escaping (or are percent-encoded), without quotes.
func NormalizeBaseURL(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	bad := func(why string) error {
		return fmt.Errorf("base URL %q: %s; use a plain http or https origin, with a path if the service is under one, such as https://feed.example.org", s, why)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || strings.IndexByte(`"'<>\^`+"`{|}", c) >= 0 {
			return "", bad(fmt.Sprintf("byte %d, %q, is not allowed: no spaces, quotes, angle brackets or other characters a URL must escape", i, c))
		}
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || (!strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https")) {
		return "", bad("the scheme must be http:// or https://")
	}
	if strings.ContainsAny(rest, "?#") {
		return "", bad("it must not carry a query or fragment")
	}
	authority, path := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		authority, path = rest[:i], rest[i:]
	}
	if strings.Contains(authority, "@") {
		return "", bad("it must not carry a user name")
	}
	if he := checkHost(authority); he != nil {
		return "", bad(he.Reason)
	}
	for i := 0; i < len(path); i++ {
		switch c := path[i]; {
		case c == '%':
			if i+2 >= len(path) || !isHex(path[i+1]) || !isHex(path[i+2]) {
				return "", bad("a '%' in the path must start a %XX escape")
			}
		case !pathByte(c):
			return "", bad(fmt.Sprintf("the path may not hold %q", c))
		}
	}
	return strings.ToLower(scheme) + "://" + authority + strings.TrimRight(path, "/"), nil
}

// pathByte reports whether c may appear unescaped in a URL path (RFC
// 3986's pchar and '/'), quotes and '%' aside, which NormalizeBaseURL
// handles on its own.
func pathByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("-._~!$&()*+,;=:@/", c) >= 0
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
