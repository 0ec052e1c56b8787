package feed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"feed/events"
	"feed/internal/resource"
)

// The day-status API: whether a date is a working day in mainland China,
// from the same catalog as the feed. A year's file has the shape of
// NateScarlet/holiday-cn's YYYY.json, so that programs reading those files
// can read these.
const (
	// DaysIndexPath lists the covered years; /days/ answers the same.
	DaysIndexPath = "/days.json"
	// DaysTodayPath answers for today in Beijing.
	DaysTodayPath = "/days/today.json"
	daysPrefix    = "/days/"
	// daysRoute is one template for years, dates and today, so that the
	// router's fast path matches it byte by byte; serveDay tells them
	// apart and says what is wrong with anything else.
	daysRoute = "/days/{day:[0-9A-Za-z._-]+}.json"
)

// DaysPath is the path of a year's file (2026) or a date's answer
// (2026-10-10).
func DaysPath(yearOrDate string) string { return daysPrefix + yearOrDate + ".json" }

// beijing is China Standard Time, the time by which "today" is told. It
// has had no daylight saving since 1991, so a fixed zone is exact for
// every covered date and needs no time zone database.
var beijing = time.FixedZone("CST", 8*60*60)

// dayAnswers are the answers of the day-status API: the index and every
// covered year's file, made when the catalog loads, and every covered
// date's answer, made on its first request and kept.
type dayAnswers struct {
	days  *events.Days
	index *resource.Resource
	years map[int]*resource.Resource
	// dates holds each covered date's answer once prepared, from
	// days.First.
	dates []atomic.Pointer[resource.Resource]
	first int // dayNumber of days.First
}

// daysHeaders are those of the index and the year files; the date answers
// get their Cache-Control from serveDay, as one of them is also today's.
var (
	daysHeaders     = []resource.Option{resource.Vary("Accept-Encoding"), resource.CacheControl(cacheControl)}
	dayCacheControl = []string{cacheControl}
)

const jsonContentType = "application/json"

func buildDayAnswers(cat *events.Catalog, baseURL string) (*dayAnswers, error) {
	days := cat.Days()
	a := &dayAnswers{days: days, years: make(map[int]*resource.Resource)}
	idx := daysIndexJSON{Today: baseURL + DaysTodayPath, Date: baseURL + DaysPath("{YYYY-MM-DD}"), Years: []daysIndexYear{}}
	if years := days.Years(); len(years) > 0 {
		idx.First, idx.Last = days.First.String(), days.Last.String()
	}
	for _, y := range days.Years() {
		name := strconv.Itoa(y.Year)
		file := yearJSON{Year: y.Year, Papers: y.Papers, Days: make([]yearDayJSON, 0, len(y.Days)), Provisional: y.Provisional}
		if file.Papers == nil {
			file.Papers = []string{}
		}
		for _, d := range y.Days {
			file.Days = append(file.Days, yearDayJSON{Name: d.Name, Date: d.Date.String(), IsOffDay: d.Type == events.DayOff})
		}
		res, err := newJSONResource(file, cat.Modified, name+".json", DaysPath(name), daysHeaders...)
		if err != nil {
			return nil, err
		}
		a.years[y.Year] = res
		idx.Years = append(idx.Years, daysIndexYear{Year: y.Year, URL: baseURL + DaysPath(name), Provisional: y.Provisional,
			Papers: file.Papers, Source: y.Source})
	}
	var err error
	if a.index, err = newJSONResource(idx, cat.Modified, "days.json", DaysIndexPath, daysHeaders...); err != nil {
		return nil, err
	}
	if len(days.Years()) > 0 {
		a.first = dayNumber(days.First)
		a.dates = make([]atomic.Pointer[resource.Resource], dayNumber(days.Last)-a.first+1)
	}
	return a, nil
}

// date returns a covered date's answer, preparing it on its first
// request: preparing all of them (3,287 for 2022–2030) made a catalog's
// load several times slower, most of it compressing, and each is kept once
// made, so memory stays within one answer per covered date whatever the
// requests.
func (a *dayAnswers) date(d events.Date) (*resource.Resource, bool, error) {
	i := dayNumber(d) - a.first
	if i < 0 || i >= len(a.dates) {
		return nil, false, nil
	}
	slot := &a.dates[i]
	if res := slot.Load(); res != nil {
		return res, true, nil
	}
	day, ok := a.days.Day(d)
	if !ok {
		return nil, false, nil
	}
	// No Last-Modified: the same answer is today's, and a client holding
	// yesterday's must not get a 304 for it by date.
	res, err := newJSONResource(dayJSONOf(day), time.Time{}, d.String()+".json", DaysPath(d.String()))
	if err != nil {
		return nil, true, err
	}
	// Two first requests may both prepare it; every request gets the one
	// kept.
	if !slot.CompareAndSwap(nil, res) {
		res = slot.Load()
	}
	return res, true, nil
}

// dayNumber counts days from 1 March of year 0 in the proleptic Gregorian
// calendar, by arithmetic alone: a request's date is found without the
// time package's conversions, which took more than the rest of the answer.
func dayNumber(d events.Date) int {
	y, m := d.Year, int(d.Month)
	if m <= 2 {
		y--
		m += 12
	}
	return 365*y + y/4 - y/100 + y/400 + (153*(m-3)+2)/5 + d.Day - 1
}

// exportURLs are the API's answers a static host can serve: the index,
// the years and the dates. Today's answer changes at midnight, which a
// static file cannot.
func (a *dayAnswers) exportURLs() []string {
	urls := []string{DaysIndexPath}
	for _, y := range a.days.Years() {
		urls = append(urls, DaysPath(strconv.Itoa(y.Year)))
	}
	for date := a.days.First; len(a.days.Years()) > 0 && !a.days.Last.Before(date); date = date.AddDays(1) {
		if a.days.Covered(date) {
			urls = append(urls, DaysPath(date.String()))
		}
	}
	return urls
}

func newJSONResource(v any, modified time.Time, filename, location string, opts ...resource.Option) (*resource.Resource, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // the notices' URLs stay readable
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("render %s: %w", location, err)
	}
	return resource.New(jsonContentType, buf.Bytes(), modified, filename, location, opts...)
}

// yearJSON is a year's file, in holiday-cn's shape (year, papers, days with
// name, date, isOffDay), and provisional beside it.
type yearJSON struct {
	Year        int           `json:"year"`
	Papers      []string      `json:"papers"`
	Days        []yearDayJSON `json:"days"`
	Provisional bool          `json:"provisional"`
}

type yearDayJSON struct {
	Name     string `json:"name"`
	Date     string `json:"date"`
	IsOffDay bool   `json:"isOffDay"`
}

// dayJSON is a date's answer.
type dayJSON struct {
	Date        string         `json:"date"`
	Weekday     int            `json:"weekday"` // ISO 8601: 1 Monday … 7 Sunday
	Type        events.DayType `json:"type"`
	Workday     bool           `json:"workday"`
	Holiday     *dayHoliday    `json:"holiday"`
	Provisional bool           `json:"provisional"`
	Source      *string        `json:"source"`
}

type dayHoliday struct {
	ID   events.Holiday `json:"id"`
	Name dayName        `json:"name"`
}

type dayName struct {
	EN string `json:"en"`
	ZH string `json:"zh"`
}

func dayJSONOf(d events.Day) dayJSON {
	wd := int(d.Date.Weekday())
	if wd == 0 {
		wd = 7
	}
	out := dayJSON{Date: d.Date.String(), Weekday: wd, Type: d.Type, Workday: d.Type.Working(), Provisional: d.Provisional}
	if d.Holiday != "" {
		n := d.Holiday.Name()
		out.Holiday = &dayHoliday{ID: d.Holiday, Name: dayName{EN: n.EN, ZH: n.ZH}}
	}
	if d.Source != "" {
		out.Source = &d.Source
	}
	return out
}

// daysIndexJSON is /days.json: the covered dates and years, and where each
// year comes from.
type daysIndexJSON struct {
	First string          `json:"first,omitempty"`
	Last  string          `json:"last,omitempty"`
	Today string          `json:"today"`
	Date  string          `json:"date"`
	Years []daysIndexYear `json:"years"`
}

type daysIndexYear struct {
	Year        int      `json:"year"`
	URL         string   `json:"url"`
	Provisional bool     `json:"provisional"`
	Papers      []string `json:"papers"`
	Source      string   `json:"source,omitempty"`
}

func (s *Server) serveDaysIndex(w http.ResponseWriter, r *http.Request) {
	s.snap.Load().days.index.Serve(w, r)
}

// serveDay answers /days/{year}.json, /days/{YYYY-MM-DD}.json and
// /days/today.json.
func (s *Server) serveDay(w http.ResponseWriter, r *http.Request, value string) {
	a := s.snap.Load().days
	switch {
	case value == "today":
		now := s.now().In(beijing)
		res, ok, err := a.date(events.DateOf(now))
		switch {
		case !ok:
			daysError(w, http.StatusNotFound, "today, "+events.DateOf(now).String()+" in Beijing, is not covered: "+a.coveredText())
			return
		case err != nil:
			s.fail(w, r, err)
			return
		}
		w.Header()["Cache-Control"] = []string{todayCacheControl(now)}
		res.Serve(w, r)
	case len(value) == 4 && allDigits(value):
		year, _ := strconv.Atoi(value)
		res, ok := a.years[year]
		if !ok {
			daysError(w, http.StatusNotFound, "no days for "+value+": "+a.coveredText())
			return
		}
		res.Serve(w, r)
	case len(value) == 10:
		d, ok := parseDate(value)
		if !ok {
			daysError(w, http.StatusBadRequest, strconv.Quote(value)+" is not a date: write YYYY-MM-DD, a real day, such as "+DaysPath("2026-10-10"))
			return
		}
		res, ok, err := a.date(d)
		switch {
		case !ok:
			daysError(w, http.StatusNotFound, value+" is not covered: "+a.coveredText())
			return
		case err != nil:
			s.fail(w, r, err)
			return
		}
		w.Header()["Cache-Control"] = dayCacheControl
		res.Serve(w, r)
	default:
		if len(value) > 40 {
			value = value[:40] + "…"
		}
		daysError(w, http.StatusBadRequest, strconv.Quote(value)+" is not a year or a date: ask for "+
			DaysPath("YYYY")+", "+DaysPath("YYYY-MM-DD")+" or "+DaysTodayPath+"; "+DaysIndexPath+" lists the years")
	}
}

// daysError answers an error a browser's program may read: with CORS, as
// the API's answers have.
func daysError(w http.ResponseWriter, status int, reason string) {
	w.Header()["Access-Control-Allow-Origin"] = allowAnyOrigin
	httpError(w, status, reason)
}

// coveredText says which dates the API answers for.
func (a *dayAnswers) coveredText() string {
	years := a.days.Years()
	if len(years) == 0 {
		return "the catalog has no holiday arrangements, so no date is covered"
	}
	var runs []string
	for i := 0; i < len(years); {
		j := i
		for j+1 < len(years) && years[j+1].Year == years[j].Year+1 {
			j++
		}
		run := strconv.Itoa(years[i].Year)
		if j > i {
			run += "–" + strconv.Itoa(years[j].Year)
		}
		runs = append(runs, run)
		i = j + 1
	}
	return "the covered years are " + strings.Join(runs, ", ") + " (" + a.days.First.String() + " to " + a.days.Last.String() + "); " + DaysIndexPath + " lists them"
}

// todayCacheControl lets caches keep today's answer until the next
// midnight in Beijing, and no longer than any other answer.
func todayCacheControl(now time.Time) string {
	y, m, d := now.Date()
	left := time.Date(y, m, d+1, 0, 0, 0, 0, beijing).Sub(now)
	secs := min(int(left/time.Second), 3600)
	return "public, max-age=" + strconv.Itoa(secs)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// parseDate reads YYYY-MM-DD strictly: four, two and two digits, and a day
// that exists (no 2026-02-30).
func parseDate(s string) (events.Date, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' || !allDigits(s[:4]) || !allDigits(s[5:7]) || !allDigits(s[8:]) {
		return events.Date{}, false
	}
	num := func(b string) int {
		n := 0
		for i := 0; i < len(b); i++ {
			n = n*10 + int(b[i]-'0')
		}
		return n
	}
	y, m, d := num(s[:4]), num(s[5:7]), num(s[8:])
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return events.Date{}, false
	}
	return events.Date{Year: y, Month: time.Month(m), Day: d}, true
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
