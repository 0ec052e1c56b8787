package feed

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"feed/events"
)

// Variant is what a subscriber chose through the feed's URL: which kinds of
// event, which holidays' days off and make-up working days, which language,
// whether to be reminded, and whether make-up working days carry working
// hours. The zero Variant is the full feed in both languages with no
// reminders and Labour Day's days off and make-up working days.
type Variant struct {
	// Kinds keeps only events of these kinds, in events.Kinds order; nil
	// keeps every kind.
	Kinds []events.Kind
	// Holidays keeps the days off and make-up working days of these
	// holidays, in events.Holidays order; nil keeps Labour Day's only, the
	// holiday the feed began with, so that the URLs subscribed before the
	// other holidays were added keep their events. Events of other kinds
	// are kept whatever it holds.
	Holidays []events.Holiday
	// Lang is the language of names and descriptions; "" means both.
	Lang Lang
	// Alarm, when set, adds a reminder that long before each event starts.
	// An all-day event starts at midnight in the catalog's zone, so 3h rings
	// at 21:00 Beijing time the evening before (reminderInstant).
	Alarm *time.Duration
	// WorkHours, when set, turns make-up working days into timed events with
	// these hours in the catalog's time zone.
	WorkHours *WorkHours
}

// WorkHours are the hours of a working day, as minutes after midnight.
type WorkHours struct{ Start, End int }

func (w WorkHours) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", w.Start/60, w.Start%60, w.End/60, w.End%60)
}

// The query parameters a feed URL may carry.
const (
	paramKind      = "kind"
	paramHoliday   = "holiday"
	paramLang      = "lang"
	paramAlarm     = "alarm"
	paramWorkHours = "workhours"
)

// maxAlarm bounds reminders: a week ahead is already more than any client
// shows usefully.
const maxAlarm = 7 * 24 * time.Hour

// ParamError is a query parameter that the feed does not accept. Its message
// names the parameter and what it accepts, and is meant for the client.
type ParamError struct {
	Param string
	Msg   string
}

func (e *ParamError) Error() string { return "parameter " + strconv.Quote(e.Param) + ": " + e.Msg }

// ParseFeedVariant reads a feed URL's query. Names and values are not case
// sensitive and may come in any order; anything unknown, repeated or
// malformed is an error, never a silent default.
func ParseFeedVariant(rawQuery string) (Variant, error) {
	return parseVariant(rawQuery, feedParams)
}

// ParseEventVariant reads the query of an event's own calendar as
// ParseFeedVariant reads a feed's, but refuses the kind and holiday
// parameters, which choose among a feed's events.
func ParseEventVariant(rawQuery string) (Variant, error) {
	return parseVariant(rawQuery, eventParams)
}

// The parameters that a feed URL and an event's own calendar accept, in
// the order the error messages list them.
var (
	feedParams  = []string{paramKind, paramHoliday, paramLang, paramAlarm, paramWorkHours}
	eventParams = []string{paramLang, paramAlarm, paramWorkHours}
)

// parseVariant reads a query whose parameters are among known.
func parseVariant(rawQuery string, known []string) (Variant, error) {
	var v Variant
	if rawQuery == "" {
		return v, nil
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return v, &ParamError{Param: "query", Msg: "is not a valid URL query"}
	}
	seen := make(map[string]bool)
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, rawName := range names {
		name := strings.ToLower(rawName)
		values := q[rawName]
		if !slices.Contains(known, name) {
			if name == paramKind || name == paramHoliday {
				return v, &ParamError{Param: name, Msg: "chooses among a feed's events and is not a parameter of an event's own calendar; known parameters: " + strings.Join(known, ", ")}
			}
			return v, &ParamError{Param: rawName, Msg: "is not a parameter of this feed; known parameters: " + strings.Join(known, ", ")}
		}
		if seen[name] || len(values) > 1 {
			return v, &ParamError{Param: name, Msg: "is given more than once; give it once (kinds go in one comma-separated list)"}
		}
		seen[name] = true
		value := strings.ToLower(strings.TrimSpace(values[0]))
		switch name {
		case paramKind:
			v.Kinds, err = parseKinds(value)
		case paramHoliday:
			v.Holidays, err = parseHolidays(value)
		case paramLang:
			v.Lang, err = parseLang(value)
		case paramAlarm:
			var d time.Duration
			d, err = parseAlarm(value)
			v.Alarm = &d
		case paramWorkHours:
			var w WorkHours
			w, err = parseWorkHours(value)
			v.WorkHours = &w
		}
		if err != nil {
			return Variant{}, &ParamError{Param: name, Msg: err.Error()}
		}
	}
	return v, nil
}

func kindNames() string {
	names := make([]string, 0, len(events.Kinds()))
	for _, k := range events.Kinds() {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ")
}

func parseKinds(value string) ([]events.Kind, error) {
	chosen := make(map[events.Kind]bool)
	for part := range strings.SplitSeq(value, ",") {
		k := events.Kind(strings.TrimSpace(part))
		if !k.Valid() {
			return nil, fmt.Errorf("%q is not a kind; accepted: a comma-separated list of %s", string(k), kindNames())
		}
		chosen[k] = true
	}
	if len(chosen) == len(events.Kinds()) {
		return nil, nil // every kind: the full feed, under its one canonical URL
	}
	var kinds []events.Kind
	for _, k := range events.Kinds() {
		if chosen[k] {
			kinds = append(kinds, k)
		}
	}
	return kinds, nil
}

// allHolidays is what holiday=all chooses: every holiday, the shared
// Mid-Autumn and National Day break being already the break of both.
func allHolidays() []events.Holiday {
	var out []events.Holiday
	for _, h := range events.Holidays() {
		if h != events.HolidayMidAutumnNationalDay {
			out = append(out, h)
		}
	}
	return out
}

func holidayNames() string {
	names := make([]string, 0, len(events.Holidays()))
	for _, h := range events.Holidays() {
		names = append(names, string(h))
	}
	return strings.Join(names, ", ")
}

// parseHolidays reads all, or a comma-separated list of holidays, into the
// one list that names those events: the shared Mid-Autumn and National Day
// break is left out of a list that names both festivals, which holds it
// already.
func parseHolidays(value string) ([]events.Holiday, error) {
	if value == "all" {
		return allHolidays(), nil
	}
	chosen := make(map[events.Holiday]bool)
	for part := range strings.SplitSeq(value, ",") {
		h := events.Holiday(strings.TrimSpace(part))
		if !h.Valid() {
			return nil, fmt.Errorf("%q is not a holiday; accepted: all, or a comma-separated list of %s", string(h), holidayNames())
		}
		chosen[h] = true
	}
	if chosen[events.HolidayMidAutumn] && chosen[events.HolidayNationalDay] {
		delete(chosen, events.HolidayMidAutumnNationalDay)
	}
	if len(chosen) == 1 && chosen[events.HolidayLabourDay] {
		return nil, nil // Labour Day alone is the default, under its one canonical URL
	}
	var out []events.Holiday
	for _, h := range events.Holidays() {
		if chosen[h] {
			out = append(out, h)
		}
	}
	return out, nil
}

func parseLang(value string) (Lang, error) {
	switch Lang(value) {
	case LangEnglish, LangChinese:
		return Lang(value), nil
	case LangBoth:
		return "", nil
	}
	return "", fmt.Errorf("%q is not a language; accepted: en, zh, both", value)
}

var alarmPattern = regexp.MustCompile(`^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$`)

// parseAlarm reads a lead time such as 15m, 3h, 1d or 1h30m.
func parseAlarm(value string) (time.Duration, error) {
	m := alarmPattern.FindStringSubmatch(value)
	if value == "" || m == nil {
		return 0, fmt.Errorf("%q is not a lead time; accepted: days, hours and minutes such as 15m, 3h, 1d or 1h30m, up to 7d", value)
	}
	var d time.Duration
	for i, unit := range []time.Duration{24 * time.Hour, time.Hour, time.Minute} {
		if m[i+1] == "" {
			continue
		}
		n, err := strconv.Atoi(m[i+1])
		if err != nil || n > int(maxAlarm/unit) {
			return 0, fmt.Errorf("%q is more than 7d; accepted: up to 7d", value)
		}
		d += time.Duration(n) * unit
	}
	if d > maxAlarm {
		return 0, fmt.Errorf("%q is more than 7d; accepted: up to 7d", value)
	}
	return d, nil
}

// formatAlarm writes a lead time in the largest units that state it
// exactly, so that 90m and 1h30m name the same canonical feed.
func formatAlarm(d time.Duration) string {
	if d == 0 {
		return "0m"
	}
	var b strings.Builder
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}} {
		if n := d / u.unit; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			d -= n * u.unit
		}
	}
	return b.String()
}

// chineseDuration writes a lead time as 1天2小时30分钟.
func chineseDuration(d time.Duration) string {
	if d == 0 {
		return "0分钟"
	}
	var b strings.Builder
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{24 * time.Hour, "天"}, {time.Hour, "小时"}, {time.Minute, "分钟"}} {
		if n := d / u.unit; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			d -= n * u.unit
		}
	}
	return b.String()
}

var workHoursPattern = regexp.MustCompile(`^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$`)

func parseWorkHours(value string) (WorkHours, error) {
	m := workHoursPattern.FindStringSubmatch(value)
	bad := fmt.Errorf("%q is not working hours; accepted: start-end on a 24-hour clock, such as 09:00-18:00", value)
	if m == nil {
		return WorkHours{}, bad
	}
	n := func(s string) int { i, _ := strconv.Atoi(s); return i }
	sh, sm, eh, em := n(m[1]), n(m[2]), n(m[3]), n(m[4])
	if sh > 23 || eh > 24 || sm > 59 || em > 59 || eh == 24 && em != 0 {
		return WorkHours{}, bad
	}
	w := WorkHours{Start: sh*60 + sm, End: eh*60 + em}
	if w.End <= w.Start {
		return WorkHours{}, fmt.Errorf("%q ends before it starts; accepted: start-end within one day, such as 09:00-18:00", value)
	}
	return w, nil
}

// Query is the variant's canonical query string: parameters in a fixed
// order, defaults left out, values in one spelling. Two URLs that choose the
// same feed have the same canonical query, and so the same bytes and ETag.
func (v Variant) Query() string {
	var parts []string
	if v.Kinds != nil {
		kinds := make([]string, len(v.Kinds))
		for i, k := range v.Kinds {
			kinds[i] = string(k)
		}
		parts = append(parts, paramKind+"="+strings.Join(kinds, ","))
	}
	if v.Holidays != nil {
		parts = append(parts, paramHoliday+"="+v.holidayValue())
	}
	if v.Lang != "" && v.Lang != LangBoth {
		parts = append(parts, paramLang+"="+string(v.Lang))
	}
	if v.Alarm != nil {
		parts = append(parts, paramAlarm+"="+formatAlarm(*v.Alarm))
	}
	if v.WorkHours != nil {
		parts = append(parts, paramWorkHours+"="+v.WorkHours.String())
	}
	return strings.Join(parts, "&")
}

func (v Variant) holidayValue() string {
	if slices.Equal(v.Holidays, allHolidays()) {
		return "all"
	}
	names := make([]string, len(v.Holidays))
	for i, h := range v.Holidays {
		names[i] = string(h)
	}
	return strings.Join(names, ",")
}

// includes reports whether events of kind k belong in the variant.
func (v Variant) includes(k events.Kind) bool {
	return v.Kinds == nil || slices.Contains(v.Kinds, k)
}

// selects reports whether the event belongs in the variant: its kind is
// chosen and, for a day off or make-up working day, so is its holiday.
func (v Variant) selects(ev events.Event) bool {
	if !v.includes(ev.Kind) {
		return false
	}
	if !ev.Kind.HasHoliday() {
		return true
	}
	if v.Holidays == nil {
		return ev.Holiday.Includes(events.HolidayLabourDay)
	}
	for _, h := range v.Holidays {
		if ev.Holiday.Includes(h) {
			return true
		}
	}
	return false
}

func (v Variant) lang() Lang {
	if v.Lang == "" {
		return LangBoth
	}
	return v.Lang
}

// holidayLabel names the chosen holidays, or all of them in a few words.
func (v Variant) holidayLabel() events.Text {
	if slices.Equal(v.Holidays, allHolidays()) {
		return events.Text{EN: "every public holiday", ZH: "全部法定节假日"}
	}
	en := make([]string, len(v.Holidays))
	zh := make([]string, len(v.Holidays))
	for i, h := range v.Holidays {
		en[i], zh[i] = h.Name().EN, h.Name().ZH
	}
	return events.Text{EN: strings.Join(en, ", "), ZH: strings.Join(zh, "、")}
}

var kindPluralLabels = map[events.Kind]events.Text{
	events.KindConference: {EN: "conferences", ZH: "会议"},
	events.KindCeremony:   {EN: "ceremonies", ZH: "仪式"},
	events.KindObservance: {EN: "observances", ZH: "纪念日"},
	events.KindDayOff:     {EN: "days off", ZH: "放假"},
	events.KindWorkday:    {EN: "make-up working days", ZH: "调休上班"},
	events.KindStatutory:  {EN: "statutory days", ZH: "法定假日"},
}
