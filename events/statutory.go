package events

import (
	"fmt"
	"strings"
	"time"

	"github.com/6tail/lunar-go/calendar"
)

// The national holiday regulations (全国年节及纪念日放假办法) fix which days
// are public holidays for all citizens; each year's State Council notice then
// arranges the break and the make-up working days around them. Until a year's
// notice is in the catalog, the feed can still show the days the law fixes.

// Regulations is one revision of the national holiday regulations: the
// statutory days of every holiday, for the years it is in force.
type Regulations struct {
	// FirstYear is the first year the revision applies to.
	FirstYear int
	Title     Text
	URL       string
	// Labour Day's and Spring Festival's length changed in 2025: one day
	// and three days before, two and four from then.
	labourDays        int
	springEve         bool // lunar New Year's Eve is a statutory day
	springDescription Text
}

// regulations lists the revisions that matter to the feed's years, newest
// last. The 2013 revision applied from 2014; Decree No. 795 (signed on
// 10 November 2024, published on 12 November) from 1 January 2025.
var regulations = []Regulations{
	{
		FirstYear: 2014,
		Title:     Text{EN: "national holiday regulations, 2013 revision", ZH: "全国年节及纪念日放假办法（2013年修订）"},
		URL:       "https://www.gov.cn/zhengce/content/202411/content_6986380.htm",

		labourDays: 1,
		springDescription: Text{
			EN: "the first three days of the first lunar month",
			ZH: "农历正月初一至初三",
		},
	},
	{
		FirstYear: 2025,
		Title:     Text{EN: "national holiday regulations, as amended by State Council Decree No. 795 (2024)", ZH: "全国年节及纪念日放假办法（2024年国务院令第795号修订）"},
		URL:       "https://www.gov.cn/zhengce/content/202411/content_6986380.htm",

		labourDays: 2,
		springEve:  true,
		springDescription: Text{
			EN: "lunar New Year's Eve and the first three days of the first lunar month",
			ZH: "农历除夕、正月初一至初三",
		},
	},
}

// statutoryRevision is when the derived events' text or rules last changed.
// Their DTSTAMP and LAST-MODIFIED come from it rather than from the clock, so
// that the feed's bytes stay the same across restarts and days; raise it
// (and statutorySequence) whenever the derivation changes what subscribers
// see.
var statutoryRevision = Revision{Modified: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Sequence: 0}

// earliestStatutoryYear and latestStatutoryYear bound the years the
// derivation answers for: the rules before 2014 are not modelled, and the
// lunar tables are checked only so far ahead.
const (
	earliestStatutoryYear = 2014
	latestStatutoryYear   = 2100
)

// RegulationsIn returns the revision of the regulations in force in year.
func RegulationsIn(year int) (Regulations, bool) {
	if year < earliestStatutoryYear || year > latestStatutoryYear {
		return Regulations{}, false
	}
	r := regulations[0]
	for _, next := range regulations[1:] {
		if year >= next.FirstYear {
			r = next
		}
	}
	return r, true
}

// StatutoryDays are the days the regulations fix for one holiday in one
// year, as one or two runs of consecutive days (a shared Mid-Autumn and
// National Day break has two when the festival is not inside 1–3 October).
type StatutoryDays []DayRange

// DayRange is a run of consecutive days, both ends inclusive.
type DayRange struct{ First, Last Date }

// Contains reports whether every statutory day lies within first–last.
func (s StatutoryDays) Contains(first, last Date) bool {
	for _, r := range s {
		if r.First.Before(first) || last.Before(r.Last) {
			return false
		}
	}
	return len(s) > 0
}

// String lists the days as an error message names them: "2027-02-05 to
// 2027-02-08", runs joined by "and".
func (s StatutoryDays) String() string {
	var runs []string
	for _, r := range s {
		if r.First == r.Last {
			runs = append(runs, r.First.String())
		} else {
			runs = append(runs, r.First.String()+" to "+r.Last.String())
		}
	}
	return strings.Join(runs, " and ")
}

// Span is the first and the last of the days.
func (s StatutoryDays) Span() DayRange {
	span := s[0]
	for _, r := range s[1:] {
		if r.First.Before(span.First) {
			span.First = r.First
		}
		if span.Last.Before(r.Last) {
			span.Last = r.Last
		}
	}
	return span
}

// Statutory returns the days that the regulations in force in year fix for
// holiday h: fixed dates, lunar dates (leap months included) and the
// Qingming solar term, all as days in China.
func Statutory(year int, h Holiday) (StatutoryDays, error) {
	rules, ok := RegulationsIn(year)
	if !ok {
		return nil, fmt.Errorf("statutory days are known from %d to %d, not for %d", earliestStatutoryYear, latestStatutoryYear, year)
	}
	day := func(d Date) DayRange { return DayRange{d, d} }
	switch h {
	case HolidayNewYear:
		return StatutoryDays{day(Date{year, time.January, 1})}, nil
	case HolidaySpringFestival:
		first := lunarDate(year, 1, 1)
		r := DayRange{first, first.AddDays(2)}
		if rules.springEve {
			r.First = first.AddDays(-1)
		}
		return StatutoryDays{r}, nil
	case HolidayQingming:
		return StatutoryDays{day(qingming(year))}, nil
	case HolidayLabourDay:
		first := Date{year, time.May, 1}
		return StatutoryDays{{first, first.AddDays(rules.labourDays - 1)}}, nil
	case HolidayDragonBoat:
		return StatutoryDays{day(lunarDate(year, 5, 5))}, nil
	case HolidayMidAutumn:
		return StatutoryDays{day(lunarDate(year, 8, 15))}, nil
	case HolidayNationalDay:
		return StatutoryDays{{Date{year, time.October, 1}, Date{year, time.October, 3}}}, nil
	case HolidayMidAutumnNationalDay:
		mid, _ := Statutory(year, HolidayMidAutumn)
		national, _ := Statutory(year, HolidayNationalDay)
		if national.Contains(mid[0].First, mid[0].Last) {
			return national, nil
		}
		return append(mid, national...), nil
	}
	return nil, fmt.Errorf("unknown holiday %q", h)
}

// lunarDate is the Gregorian day of a day of a lunar year's ordinary
// (non-leap) month: the library numbers a leap month negatively, so a leap
// fifth month never moves Mid-Autumn.
func lunarDate(year, month, day int) Date {
	s := calendar.NewLunarFromYmd(year, month, day).GetSolar()
	return Date{s.GetYear(), time.Month(s.GetMonth()), s.GetDay()}
}

// qingming is the day of the Qingming solar term (清明) in China's time.
func qingming(year int) Date {
	// Any day of the lunar year that holds April carries the term table.
	s := calendar.NewSolarFromYmd(year, 6, 1).GetLunar().GetJieQiTable()["清明"]
	return Date{s.GetYear(), time.Month(s.GetMonth()), s.GetDay()}
}

// statutoryHolidays are the holidays that have statutory events: the shared
// Mid-Autumn and National Day break is a notice's arrangement, not a
// holiday of the regulations.
func statutoryHolidays() []Holiday {
	return []Holiday{
		HolidayNewYear, HolidaySpringFestival, HolidayQingming, HolidayLabourDay,
		HolidayDragonBoat, HolidayMidAutumn, HolidayNationalDay,
	}
}

// statutoryRule says how a holiday's days are found when they move from
// year to year; fixed dates need no words.
func statutoryRule(h Holiday, rules Regulations) Text {
	switch h {
	case HolidaySpringFestival:
		return rules.springDescription
	case HolidayQingming:
		return Text{EN: "the day of the Qingming solar term", ZH: "清明当日"}
	case HolidayDragonBoat:
		return Text{EN: "the fifth day of the fifth lunar month", ZH: "农历五月初五"}
	case HolidayMidAutumn:
		return Text{EN: "the fifteenth day of the eighth lunar month", ZH: "农历八月十五"}
	}
	return Text{}
}

// StatutoryEvents derives one all-day event per holiday and year for the
// years after the catalog's last arrangement, up to and including until.
// The events carry the statutory days only: the break and make-up working
// days wait for the State Council's notice, and when a year's notice is
// added these events leave the feed for the days-off events that replace
// them.
func StatutoryEvents(lastArranged, until int) ([]Event, error) {
	var out []Event
	for year := lastArranged + 1; year <= until; year++ {
		rules, ok := RegulationsIn(year)
		if !ok {
			return nil, fmt.Errorf("statutory days are known from %d to %d, not for %d", earliestStatutoryYear, latestStatutoryYear, year)
		}
		for _, h := range statutoryHolidays() {
			days, err := Statutory(year, h)
			if err != nil {
				return nil, err
			}
			out = append(out, statutoryEvent(year, h, days, rules))
		}
	}
	return out, nil
}

func statutoryEvent(year int, h Holiday, days StatutoryDays, rules Regulations) Event {
	name := h.Name()
	span := days.Span()
	when := Text{EN: formatSpanEN(span), ZH: formatSpanZH(span)}
	if rule := statutoryRule(h, rules); !rule.IsZero() {
		// A lunar or solar-term date says where it comes from.
		when.EN += " (" + rule.EN + ")"
		when.ZH += "（" + rule.ZH + "）"
	}
	en := fmt.Sprintf("The days that the national holiday regulations fix for %s %d: %s. "+
		"The days off and make-up working days around them follow the State Council's notice for %d, "+
		"not yet published; this feed will carry them once it is.",
		name.EN, year, when.EN, year)
	zh := fmt.Sprintf("《全国年节及纪念日放假办法》规定的%d年%s假日：%s。"+
		"放假调休安排以国务院办公厅关于%d年部分节假日安排的通知为准，通知尚未发布；发布后本日历将随之更新。",
		year, name.ZH, when.ZH, year)
	return Event{
		ID:          fmt.Sprintf("cn-%s-%d-statutory", h, year),
		Kind:        KindStatutory,
		Holiday:     h,
		Name:        Text{EN: name.EN + " (statutory days)", ZH: name.ZH + "（法定假日）"},
		Description: Text{EN: en, ZH: zh},
		URL:         rules.URL,
		Sources:     []Source{{Title: rules.Title.ZH, URL: rules.URL}},
		When:        When{AllDay: true, First: span.First, Last: span.Last},
		Status:      StatusConfirmed,
		Revision:    statutoryRevision,
	}
}

func formatSpanEN(r DayRange) string {
	if r.First == r.Last {
		return fmt.Sprintf("%s %d %s", r.First.Weekday(), r.First.Day, r.First.Month)
	}
	if r.First.Month == r.Last.Month {
		return fmt.Sprintf("%s %d – %s %d %s", r.First.Weekday(), r.First.Day, r.Last.Weekday(), r.Last.Day, r.Last.Month)
	}
	return fmt.Sprintf("%s %d %s – %s %d %s", r.First.Weekday(), r.First.Day, r.First.Month, r.Last.Weekday(), r.Last.Day, r.Last.Month)
}

var zhWeekdays = [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

func formatSpanZH(r DayRange) string {
	if r.First == r.Last {
		return fmt.Sprintf("%d月%d日（%s）", r.First.Month, r.First.Day, zhWeekdays[r.First.Weekday()])
	}
	if r.First.Month == r.Last.Month {
		return fmt.Sprintf("%d月%d日至%d日", r.First.Month, r.First.Day, r.Last.Day)
	}
	return fmt.Sprintf("%d月%d日至%d月%d日", r.First.Month, r.First.Day, r.Last.Month, r.Last.Day)
}
