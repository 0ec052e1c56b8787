package events

import (
	_ "embed"
	"errors"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/pelletier/go-toml/v2"
)

//go:embed catalog.toml
var defaultCatalog []byte

// DefaultFile is the name under which the embedded catalog reports errors.
const DefaultFile = "events/catalog.toml (embedded)"

// DefaultRefreshInterval is how often clients are asked to poll when the
// catalog does not say.
const DefaultRefreshInterval = 12 * time.Hour

// Catalog is a validated set of events and what the calendar that carries
// them is called.
type Catalog struct {
	Name        Text
	Description Text
	// Timezone is the zone that calendar clients should show the feed in
	// (X-WR-TIMEZONE); nil when the catalog names none.
	Timezone        *time.Location
	RefreshInterval time.Duration
	// Modified is the latest revision time of the catalog's data.
	Modified time.Time
	// Events are in file order, followed by the statutory events derived
	// for the years after the last arrangement.
	Events []Event
	// StatutoryUntil is the last year for which statutory days are derived
	// when no arrangement is in the catalog; 0 derives none.
	StatutoryUntil int

	byID map[string]int // index into Events
}

// Event returns the event with the given ID.
func (c *Catalog) Event(id string) (Event, bool) {
	if c.byID == nil { // a Catalog built by hand rather than by Parse
		i := slices.IndexFunc(c.Events, func(e Event) bool { return e.ID == id })
		return c.eventAt(i)
	}
	i, ok := c.byID[id]
	if !ok {
		return Event{}, false
	}
	return c.eventAt(i)
}

func (c *Catalog) eventAt(i int) (Event, bool) {
	if i < 0 {
		return Event{}, false
	}
	return c.Events[i], true
}

// Default returns the catalog embedded in the program.
func Default() (*Catalog, error) {
	return Parse(DefaultFile, defaultCatalog)
}

// DefaultSource returns the bytes of the embedded catalog, for a person who
// wants to start their own from it.
func DefaultSource() []byte { return slices.Clone(defaultCatalog) }

// Load reads and parses a catalog file of at most MaxCatalogBytes.
func Load(path string) (*Catalog, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse decodes and validates a catalog within the default limits (see
// MaxCatalogBytes and the other Max constants). On failure the error is an
// Errors value holding every problem found, each with file, line and field.
func Parse(file string, data []byte) (*Catalog, error) {
	return ParseWithLimits(file, data, Limits{})
}

// ParseWithLimits is Parse with other limits, for benchmarks and tests that
// need catalogs larger than a server should load.
func ParseWithLimits(file string, data []byte, limits Limits) (*Catalog, error) {
	limits = limits.withDefaults()
	if len(data) > limits.Bytes {
		return nil, Errors{tooLarge(file, data, limits.Bytes)}
	}
	// Indexing the keys first checks their depth, which go-toml does not
	// bound for dotted keys, before it builds the document.
	lines, tooDeep := keyLines(data, limits.Depth)
	if len(tooDeep) > 0 {
		errs := make(Errors, len(tooDeep))
		for i, f := range tooDeep {
			errs[i] = &FieldError{File: file, Line: f.line, Field: f.path,
				Msg: fmt.Sprintf("nested more than %d levels deep: a catalog's deepest field, event[0].location.name.en, has five", limits.Depth)}
		}
		return nil, errs
	}
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		fe := &FieldError{File: file, Msg: err.Error()}
		var de *toml.DecodeError
		if errors.As(err, &de) {
			fe.Line, _ = de.Position()
			fe.Field = strings.Join(de.Key(), ".")
			fe.Msg = "invalid TOML: " + de.Error()
		}
		return nil, Errors{fe}
	}
	d := &decoder{file: file, lines: lines, limits: limits, statutoryOf: Statutory}
	cat := d.catalog(doc)
	if len(d.errs) > 0 {
		sort.SliceStable(d.errs, func(i, j int) bool { return d.errs[i].Line < d.errs[j].Line })
		return nil, d.errs
	}
	return cat, nil
}

// decoder turns the generic TOML tree into a Catalog, collecting every
// problem instead of stopping at the first.
type decoder struct {
	file   string
	lines  map[string]int
	limits Limits
	errs   Errors

	// statutoryOf finds a holiday's statutory days (Statutory), and
	// statutory keeps its answers: the lunar calendar takes far longer
	// than the rest of an event's checks, and a catalog has many events
	// of one holiday and year.
	statutoryOf func(year int, h Holiday) (StatutoryDays, error)
	statutory   map[statutoryKey]statutoryAnswer
}

type statutoryKey struct {
	year    int
	holiday Holiday
}

type statutoryAnswer struct {
	days StatutoryDays
	err  error
}

// statutoryDays is Statutory, asked once per year and holiday of a file.
func (d *decoder) statutoryDays(year int, h Holiday) (StatutoryDays, error) {
	k := statutoryKey{year, h}
	if a, ok := d.statutory[k]; ok {
		return a.days, a.err
	}
	days, err := d.statutoryOf(year, h)
	if d.statutory == nil {
		d.statutory = map[statutoryKey]statutoryAnswer{}
	}
	d.statutory[k] = statutoryAnswer{days, err}
	return days, err
}

func (d *decoder) errorf(path, format string, args ...any) {
	d.errs = append(d.errs, &FieldError{File: d.file, Line: d.line(path), Field: path, Msg: fmt.Sprintf(format, args...)})
}

// line finds the line of path, or of the nearest enclosing table when the
// field is missing.
func (d *decoder) line(path string) int {
	for p := path; p != ""; p = parentPath(p) {
		if l, ok := d.lines[p]; ok {
			return l
		}
	}
	return 0
}

// table reads the fields of one TOML table and reports the ones nobody
// asked for.
type table struct {
	d    *decoder
	path string
	m    map[string]any
	used map[string]bool
}

func (d *decoder) table(path string, v any) *table {
	m, ok := v.(map[string]any)
	if !ok && v != nil {
		d.errorf(path, "must be a table")
	}
	return &table{d: d, path: path, m: m, used: make(map[string]bool)}
}

func (t *table) field(key string) string { return join(t.path, key) }

func (t *table) get(key string) (any, bool) {
	t.used[key] = true
	v, ok := t.m[key]
	return v, ok
}

// done reports unknown fields: a typo in a key must not silently drop data.
func (t *table) done(known ...string) {
	keys := make([]string, 0, len(t.m))
	for key := range t.m {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		if !t.used[key] {
			t.d.errorf(t.field(key), "unknown field (known fields: %s)", strings.Join(known, ", "))
		}
	}
}

// presence says whether a field must be given: a required one that is
// missing or empty is an error, an optional one reads as "".
type presence int

const (
	optional presence = iota
	required
)

func (t *table) str(key string, p presence) string {
	v, ok := t.get(key)
	if !ok {
		if p == required {
			t.d.errorf(t.field(key), "missing")
		}
		return ""
	}
	s, ok := v.(string)
	if !ok {
		t.d.errorf(t.field(key), "must be a string, not %s", tomlType(v))
		return ""
	}
	if limit := t.d.limits.String; len(s) > limit {
		t.d.errorf(t.field(key), "is %d bytes long; a value may have at most %d (%s)", len(s), limit, sizeName(limit))
		return ""
	}
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if i := strings.IndexFunc(s, isForbiddenControl); i >= 0 {
		t.d.errorf(t.field(key), "contains control character %U at byte %d", []rune(s[i:])[0], i)
		return ""
	}
	if p == required && s == "" {
		t.d.errorf(t.field(key), "must not be empty")
	}
	return s
}

// isForbiddenControl reports control characters that iCalendar TEXT cannot
// carry: only tab and newline are allowed through.
func isForbiddenControl(r rune) bool {
	return unicode.IsControl(r) && r != '\t' && r != '\n'
}

// text reads a {en, zh} table; a required one must have both languages.
func (t *table) text(key string, p presence) Text {
	v, ok := t.get(key)
	if !ok {
		if p == required {
			t.d.errorf(t.field(key), "missing (give %s.en and %s.zh)", key, key)
		}
		return Text{}
	}
	sub := t.d.table(t.field(key), v)
	txt := Text{EN: sub.str("en", p), ZH: sub.str("zh", p)}
	sub.done("en", "zh")
	return txt
}

func (t *table) url(key string, p presence) string {
	s := t.str(key, p)
	if s != "" {
		if err := CheckURL(s); err != nil {
			t.d.errorf(t.field(key), "%v", err)
			return ""
		}
	}
	return s
}

// CheckURL accepts a clean absolute http or https URL, as a catalog's url
// fields must be: it reaches calendars and the page as it is written, so
// it may hold no white space, quotes, angle brackets, backslashes or other
// characters that a URL must percent-encode, and no user name or password.
func CheckURL(s string) error {
	quoted := s
	if len(quoted) > 200 {
		quoted = strings.ToValidUTF8(quoted[:200], "") + "…"
	}
	for i := 0; i < len(s); i++ {
		if !urlByte(s[i]) {
			return fmt.Errorf("must be an absolute http or https URL, not %q: a URL cannot hold %q unless percent-encoded", quoted, rune(s[i]))
		}
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" || u.Hostname() == "" {
		return fmt.Errorf("must be an absolute http or https URL, not %q", quoted)
	}
	if u.User != nil {
		return fmt.Errorf("must not carry a user name or password: %q", quoted)
	}
	return nil
}

// urlByte reports the bytes RFC 3986 lets a URL hold as they are: the
// unreserved and reserved characters and the percent sign, less the
// apostrophe, which would end a quoted attribute.
func urlByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~:/?#[]@!$&()*+,;=%", c) >= 0
}

var idPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$`)

func (d *decoder) catalog(doc map[string]any) *Catalog {
	root := d.table("", doc)
	cat := &Catalog{RefreshInterval: DefaultRefreshInterval, byID: make(map[string]int)}

	calV, ok := root.get("calendar")
	if !ok {
		d.errorf("calendar", "missing: the catalog needs a [calendar] table with at least name.en and name.zh")
		calV = map[string]any{"name": map[string]any{"en": "-", "zh": "-"}}
	}
	cal := d.table("calendar", calV)
	cat.Name = cal.text("name", required)
	cat.Description = cal.text("description", optional)
	if zone := cal.str("timezone", optional); zone != "" {
		cat.Timezone = d.zone(cal.field("timezone"), zone)
	}
	if s := cal.str("refresh_interval", optional); s != "" {
		cat.RefreshInterval = d.refresh(cal.field("refresh_interval"), s)
	}
	if v, ok := cal.get("modified"); ok {
		cat.Modified = d.instant(cal.field("modified"), v)
	}
	var untilPath string
	if v, ok := cal.get("statutory_until"); ok {
		untilPath = cal.field("statutory_until")
		n, isInt := v.(int64)
		if !isInt || n < earliestStatutoryYear || n > latestStatutoryYear {
			d.errorf(untilPath, "must be a year from %d to %d", earliestStatutoryYear, latestStatutoryYear)
		} else {
			cat.StatutoryUntil = int(n)
		}
	}
	cal.done("name", "description", "timezone", "refresh_interval", "modified", "statutory_until")

	evV, ok := root.get("event")
	list, isList := evV.([]any)
	switch {
	case !ok:
		d.errorf("event", "missing: the catalog needs at least one [[event]]")
	case !isList:
		d.errorf("event", "must be an array of tables, written [[event]]")
	}
	if limit := d.limits.Events; len(list) > limit {
		// Only the first events are checked: the line named is that of the
		// first event past the limit.
		d.errorf(fmt.Sprintf("event[%d]", limit), "too many events: a catalog holds at most %d, this one has %d", limit, len(list))
		list = list[:limit]
	}
	firstLine := make(map[string]string) // id → field path of its first use
	for i, v := range list {
		path := fmt.Sprintf("event[%d]", i)
		ev, ok := d.event(path, v)
		if prev, dup := firstLine[ev.ID]; dup && ev.ID != "" {
			d.errorf(path+".id", "duplicate id %q (first used at line %d): every event needs its own id, or clients merge the two", ev.ID, d.line(prev))
			continue
		}
		firstLine[ev.ID] = path + ".id"
		if !ok {
			continue
		}
		if ev.Kind == KindDayOff {
			d.checkStatutory(path, ev)
		}
		cat.add(ev)
	}
	root.done("calendar", "event")
	d.deriveStatutory(cat, untilPath, firstLine)
	return cat
}

func (c *Catalog) add(ev Event) {
	c.byID[ev.ID] = len(c.Events)
	c.Events = append(c.Events, ev)
	if ev.Revision.Modified.After(c.Modified) {
		c.Modified = ev.Revision.Modified
	}
}

// maxStatutoryYears bounds how far ahead of the last arrangement the
// catalog may ask for statutory days: a notice comes every year.
const maxStatutoryYears = 10

// deriveStatutory adds the statutory events for the years after the last
// arrangement up to statutory_until: a year whose notice is in the catalog
// has its days-off events instead.
func (d *decoder) deriveStatutory(cat *Catalog, untilPath string, ids map[string]string) {
	if cat.StatutoryUntil == 0 {
		return
	}
	last := cat.LastArrangedYear()
	if last == 0 {
		d.errorf(untilPath, "needs at least one day-off event: statutory days are derived for the years after the last arrangement in the catalog")
		return
	}
	if cat.StatutoryUntil <= last {
		// Nothing would be derived: the warning that the arrangements run
		// out would be all that is left of the years after the last one.
		d.errorf(untilPath, "%d is not after the last arranged year %d, so no statutory days would be derived: raise it (at most %d) or remove it", cat.StatutoryUntil, last, min(last+maxStatutoryYears, latestStatutoryYear))
		return
	}
	if cat.StatutoryUntil-last > maxStatutoryYears {
		d.errorf(untilPath, "%d is more than %d years after the last arrangement (%d)", cat.StatutoryUntil, maxStatutoryYears, last)
		return
	}
	derived, err := StatutoryEvents(last, cat.StatutoryUntil)
	if err != nil {
		d.errorf(untilPath, "%v", err)
		return
	}
	for _, ev := range derived {
		if prev, dup := ids[ev.ID]; dup {
			d.errorf(prev, "id %q is the id of a derived statutory event: choose another", ev.ID)
			continue
		}
		cat.add(ev)
	}
}

// checkStatutory reports a holiday break that does not contain the days
// the regulations in force that year fix for its holiday: a typing error in
// the catalog, or a misreading of a notice.
func (d *decoder) checkStatutory(path string, ev Event) {
	year := ev.When.Last.Year // a New Year break may start in the year before
	if _, ok := RegulationsIn(year); !ok || !ev.When.AllDay || !ev.Holiday.Valid() {
		return
	}
	days, err := d.statutoryDays(year, ev.Holiday)
	if err != nil || days.Contains(ev.When.First, ev.When.Last) {
		return
	}
	rules, _ := RegulationsIn(year)
	d.errorf(path+".start", "the days off %s to %s do not contain %s's statutory days of %d (%s) under the %s",
		ev.When.First, ev.When.Last, ev.Holiday.Name().EN, year, days, rules.Title.EN)
}

func (d *decoder) zone(path, name string) *time.Location {
	if name == "Local" {
		d.errorf(path, "must be an IANA zone such as Asia/Shanghai; Local depends on the machine")
		return nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		d.errorf(path, "unknown time zone %q: use an IANA name such as Asia/Shanghai", name)
		return nil
	}
	return loc
}

func (d *decoder) refresh(path, s string) time.Duration {
	dur, err := time.ParseDuration(s)
	switch {
	case err != nil:
		d.errorf(path, "must be a duration such as 12h or 90m, not %q", s)
	case dur < time.Hour || dur > 7*24*time.Hour:
		d.errorf(path, "must be between 1h and 168h: clients poll no more often than hourly and should not wait more than a week")
	case dur%time.Minute != 0:
		d.errorf(path, "must be whole minutes")
	default:
		return dur
	}
	return DefaultRefreshInterval
}

func (d *decoder) instant(path string, v any) time.Time {
	t, ok := v.(time.Time)
	if !ok {
		d.errorf(path, "must be a date-time with a UTC offset such as 2026-11-25T00:00:00Z, not %s", tomlType(v))
		return time.Time{}
	}
	return t.UTC()
}

// eventFields lists every key an [[event]] may have, for the unknown-field message.
var eventFields = []string{"id", "kind", "holiday", "name", "description", "start", "end", "zone", "recur", "status", "url", "sources", "location", "modified", "sequence"}

func (d *decoder) event(path string, v any) (Event, bool) {
	before := len(d.errs)
	t := d.table(path, v)
	var ev Event

	ev.ID = t.str("id", required)
	if ev.ID != "" && !idPattern.MatchString(ev.ID) {
		d.errorf(t.field("id"), "%q is not a valid id: use 1 to 64 lower-case letters, digits and inner hyphens, as it becomes part of the UID and the URL", ev.ID)
	}
	ev.Kind = Kind(t.str("kind", required))
	if ev.Kind != "" && !ev.Kind.Valid() {
		d.errorf(t.field("kind"), "unknown kind %q (known kinds: %s)", ev.Kind, kindList())
	}
	if ev.Kind == KindStatutory {
		d.errorf(t.field("kind"), "statutory events are derived from the national holiday regulations for the years after the last arrangement (see [calendar] statutory_until), not written in a catalog")
	}
	ev.Holiday = Holiday(t.str("holiday", optional))
	switch {
	case ev.Holiday != "" && !ev.Holiday.Valid():
		d.errorf(t.field("holiday"), "unknown holiday %q (known holidays: %s)", ev.Holiday, holidayList())
	case ev.Holiday == "" && ev.Kind.HasHoliday():
		d.errorf(t.field("holiday"), "missing: a %s event names its holiday (one of %s)", ev.Kind, holidayList())
	case ev.Holiday != "" && ev.Kind.Valid() && !ev.Kind.HasHoliday():
		d.errorf(t.field("holiday"), "only day-off and workday events name a holiday; this event's kind is %s", ev.Kind)
	}
	ev.Name = t.text("name", required)
	ev.Description = t.text("description", optional)
	ev.URL = t.url("url", optional)
	ev.When = d.when(t)
	ev.Recur = Recurrence(t.str("recur", optional))
	switch ev.Recur {
	case RecurNone:
	case RecurYearly:
		if ev.When.AllDay && ev.When.First.Month == time.February && ev.When.First.Day == 29 ||
			!ev.When.AllDay && ev.When.Start.Month() == time.February && ev.When.Start.Day() == 29 {
			d.errorf(t.field("recur"), "a yearly event cannot start on 29 February: clients skip it three years in four")
		}
	default:
		d.errorf(t.field("recur"), "unknown recurrence %q (known: yearly)", ev.Recur)
	}
	ev.Status = Status(t.str("status", optional))
	switch ev.Status {
	case "":
		ev.Status = StatusConfirmed
	case StatusConfirmed, StatusTentative, StatusCancelled:
	default:
		d.errorf(t.field("status"), "unknown status %q (known: confirmed, tentative, cancelled)", ev.Status)
	}
	ev.Sources = d.sources(t)
	ev.Location = d.location(t)

	if mv, ok := t.get("modified"); ok {
		ev.Revision.Modified = d.instant(t.field("modified"), mv)
	} else {
		d.errorf(t.field("modified"), "missing: give the UTC time this event's data last changed, such as 2026-11-25T00:00:00Z")
	}
	if sv, ok := t.get("sequence"); ok {
		n, isInt := sv.(int64)
		if !isInt || n < 0 || n > math.MaxInt32 {
			d.errorf(t.field("sequence"), "must be a whole number from 0, raised by one with every change subscribers should see")
		} else {
			ev.Revision.Sequence = int(n)
		}
	}
	t.done(eventFields...)
	return ev, len(d.errs) == before
}

func kindList() string {
	names := make([]string, 0, len(Kinds()))
	for _, k := range Kinds() {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ")
}

// when reads start, end and zone: a date gives an all-day event, a local
// date-time with a zone gives a timed one.
func (d *decoder) when(t *table) When {
	var w When
	startV, hasStart := t.get("start")
	endV, hasEnd := t.get("end")
	zoneName := t.str("zone", optional)
	if !hasStart {
		d.errorf(t.field("start"), "missing: give a date (2022-04-27) or a local date-time with a zone (2022-04-27T10:00:00)")
		return w
	}
	switch start := startV.(type) {
	case toml.LocalDate:
		w.AllDay = true
		w.First = Date{start.Year, time.Month(start.Month), start.Day}
		w.Last = w.First
		if zoneName != "" {
			d.errorf(t.field("zone"), "an all-day event has no zone: its days are the same days everywhere")
		}
		if hasEnd {
			end, ok := endV.(toml.LocalDate)
			if !ok {
				d.errorf(t.field("end"), "must be a date like start (the last day, inclusive), not %s", tomlType(endV))
				break
			}
			w.Last = Date{end.Year, time.Month(end.Month), end.Day}
			if w.Last.Before(w.First) {
				d.errorf(t.field("end"), "last day %s is before the first day %s", w.Last, w.First)
			}
		}
	case toml.LocalDateTime:
		if zoneName == "" {
			d.errorf(t.field("zone"), "missing: a timed event needs an IANA zone such as Asia/Shanghai, or it floats into each viewer's own zone")
			return w
		}
		w.Zone = d.zone(t.field("zone"), zoneName)
		if w.Zone == nil {
			return w
		}
		var ok bool
		if w.Start, ok = d.wallClock(t.field("start"), start, w.Zone); !ok {
			return w
		}
		if hasEnd {
			end, isLocal := endV.(toml.LocalDateTime)
			if !isLocal {
				d.errorf(t.field("end"), "must be a local date-time like start, not %s", tomlType(endV))
				break
			}
			if w.End, ok = d.wallClock(t.field("end"), end, w.Zone); ok && !w.End.After(w.Start) {
				d.errorf(t.field("end"), "end %s is not after start %s; leave end out when it is not known",
					w.End.Format("2006-01-02T15:04:05"), w.Start.Format("2006-01-02T15:04:05"))
			}
		}
	default:
		d.errorf(t.field("start"), "must be a date (2022-04-27) or a local date-time (2022-04-27T10:00:00) with zone, not %s", tomlType(startV))
	}
	d.checkYear(t.field("start"), startV)
	if hasEnd {
		d.checkYear(t.field("end"), endV)
	}
	return w
}

// checkYear refuses a date or date-time outside MinYear..MaxYear.
func (d *decoder) checkYear(path string, v any) {
	year := 0
	switch v := v.(type) {
	case toml.LocalDate:
		year = v.Year
	case toml.LocalDateTime:
		year = v.Year
	default:
		return
	}
	if year < MinYear || year > MaxYear {
		d.errorf(path, "the year %d is outside the years a catalog may hold, %d to %d", year, MinYear, MaxYear)
	}
}

// wallClock places a local date-time in loc and rejects times that the zone
// skips (such as 02:30 on a spring-forward night), which would otherwise
// silently move.
func (d *decoder) wallClock(path string, ldt toml.LocalDateTime, loc *time.Location) (time.Time, bool) {
	t := time.Date(ldt.Year, time.Month(ldt.Month), ldt.Day, ldt.Hour, ldt.Minute, ldt.Second, 0, loc)
	if ldt.Nanosecond != 0 {
		d.errorf(path, "must be whole seconds")
		return time.Time{}, false
	}
	if t.Year() != ldt.Year || int(t.Month()) != ldt.Month || t.Day() != ldt.Day || t.Hour() != ldt.Hour || t.Minute() != ldt.Minute {
		d.errorf(path, "%s does not exist in %s (the clocks skip it)", ldt, loc)
		return time.Time{}, false
	}
	return t, true
}

func (d *decoder) sources(t *table) []Source {
	v, ok := t.get("sources")
	if !ok {
		return nil
	}
	list, isList := v.([]any)
	if !isList {
		d.errorf(t.field("sources"), "must be a list of {title, url} tables")
		return nil
	}
	var out []Source
	for i, sv := range list {
		st := d.table(fmt.Sprintf("%s[%d]", t.field("sources"), i), sv)
		src := Source{Title: st.str("title", required), URL: st.url("url", required)}
		st.done("title", "url")
		out = append(out, src)
	}
	return out
}

func (d *decoder) location(t *table) Location {
	v, ok := t.get("location")
	if !ok {
		return Location{}
	}
	lt := d.table(t.field("location"), v)
	loc := Location{Name: lt.text("name", required), Address: lt.text("address", optional)}
	if gv, ok := lt.get("geo"); ok {
		loc.Geo = d.geo(lt.field("geo"), gv)
	}
	lt.done("name", "address", "geo")
	return loc
}

func (d *decoder) geo(path string, v any) *Geo {
	list, ok := v.([]any)
	if !ok || len(list) != 2 {
		d.errorf(path, "must be [latitude, longitude] in decimal degrees")
		return nil
	}
	var deg [2]float64
	for i, x := range list {
		switch n := x.(type) {
		case float64:
			deg[i] = n
		case int64:
			deg[i] = float64(n)
		default:
			d.errorf(path, "must be [latitude, longitude] in decimal degrees")
			return nil
		}
	}
	if math.Abs(deg[0]) > 90 || math.Abs(deg[1]) > 180 {
		d.errorf(path, "latitude must be within ±90 and longitude within ±180")
		return nil
	}
	return &Geo{Lat: deg[0], Lon: deg[1]}
}

// tomlType names the TOML type of a decoded value for error messages.
func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case toml.LocalDate:
		return "a date"
	case toml.LocalDateTime:
		return "a local date-time"
	case toml.LocalTime:
		return "a time of day"
	case time.Time:
		return "a date-time with offset"
	case []any:
		return "a list"
	case map[string]any:
		return "a table"
	default:
		return fmt.Sprintf("%T", v)
	}
}
