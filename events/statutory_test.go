package events

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func d(y int, m time.Month, day int) Date { return Date{y, m, day} }

// TestStatutoryDaysAhead checks the derived days for the years without a
// notice against the table in the project's facts, computed there with an
// independent implementation. 2028 is the leap-month year: Mid-Autumn on
// 3 October, not a month early.
func TestStatutoryDaysAhead(t *testing.T) {
	type row struct {
		year                                int
		spring, qingming, dragon, midAutumn Date
		springLast                          Date
	}
	rows := []row{
		{2027, d(2027, 2, 5), d(2027, 4, 5), d(2027, 6, 9), d(2027, 9, 15), d(2027, 2, 8)},
		{2028, d(2028, 1, 25), d(2028, 4, 4), d(2028, 5, 28), d(2028, 10, 3), d(2028, 1, 28)},
		{2029, d(2029, 2, 12), d(2029, 4, 4), d(2029, 6, 16), d(2029, 9, 22), d(2029, 2, 15)},
		{2030, d(2030, 2, 2), d(2030, 4, 5), d(2030, 6, 5), d(2030, 9, 12), d(2030, 2, 5)},
	}
	for _, r := range rows {
		want := map[Holiday]DayRange{
			HolidayNewYear:        {d(r.year, 1, 1), d(r.year, 1, 1)},
			HolidaySpringFestival: {r.spring, r.springLast},
			HolidayQingming:       {r.qingming, r.qingming},
			HolidayLabourDay:      {d(r.year, 5, 1), d(r.year, 5, 2)},
			HolidayDragonBoat:     {r.dragon, r.dragon},
			HolidayMidAutumn:      {r.midAutumn, r.midAutumn},
			HolidayNationalDay:    {d(r.year, 10, 1), d(r.year, 10, 3)},
		}
		for h, w := range want {
			got, err := Statutory(r.year, h)
			if err != nil {
				t.Fatalf("Statutory(%d, %s): %v", r.year, h, err)
			}
			if len(got) != 1 || got[0] != w {
				t.Errorf("Statutory(%d, %s) = %v, want %v", r.year, h, got, w)
			}
		}
	}
}

// TestStatutoryDaysInsidePublishedBreaks checks the derivation for the
// years that have notices: every break in the facts' table contains the
// statutory days of the rules in force that year (the 2013 revision before
// 2025: a three-day Spring Festival without New Year's Eve, a one-day
// Labour Day).
func TestStatutoryDaysInsidePublishedBreaks(t *testing.T) {
	breaks := []struct {
		year        int
		h           Holiday
		first, last Date
	}{
		{2022, HolidayNewYear, d(2022, 1, 1), d(2022, 1, 3)},
		{2022, HolidaySpringFestival, d(2022, 1, 31), d(2022, 2, 6)},
		{2022, HolidayQingming, d(2022, 4, 3), d(2022, 4, 5)},
		{2022, HolidayLabourDay, d(2022, 4, 30), d(2022, 5, 4)},
		{2022, HolidayDragonBoat, d(2022, 6, 3), d(2022, 6, 5)},
		{2022, HolidayMidAutumn, d(2022, 9, 10), d(2022, 9, 12)},
		{2022, HolidayNationalDay, d(2022, 10, 1), d(2022, 10, 7)},
		{2023, HolidayNewYear, d(2022, 12, 31), d(2023, 1, 2)},
		{2023, HolidaySpringFestival, d(2023, 1, 21), d(2023, 1, 27)},
		{2023, HolidayQingming, d(2023, 4, 5), d(2023, 4, 5)},
		{2023, HolidayLabourDay, d(2023, 4, 29), d(2023, 5, 3)},
		{2023, HolidayDragonBoat, d(2023, 6, 22), d(2023, 6, 24)},
		{2023, HolidayMidAutumnNationalDay, d(2023, 9, 29), d(2023, 10, 6)},
		{2024, HolidayNewYear, d(2023, 12, 30), d(2024, 1, 1)},
		{2024, HolidaySpringFestival, d(2024, 2, 10), d(2024, 2, 17)},
		{2024, HolidayQingming, d(2024, 4, 4), d(2024, 4, 6)},
		{2024, HolidayLabourDay, d(2024, 5, 1), d(2024, 5, 5)},
		{2024, HolidayDragonBoat, d(2024, 6, 8), d(2024, 6, 10)},
		{2024, HolidayMidAutumn, d(2024, 9, 15), d(2024, 9, 17)},
		{2024, HolidayNationalDay, d(2024, 10, 1), d(2024, 10, 7)},
		{2025, HolidayNewYear, d(2025, 1, 1), d(2025, 1, 1)},
		{2025, HolidaySpringFestival, d(2025, 1, 28), d(2025, 2, 4)},
		{2025, HolidayQingming, d(2025, 4, 4), d(2025, 4, 6)},
		{2025, HolidayLabourDay, d(2025, 5, 1), d(2025, 5, 5)},
		{2025, HolidayDragonBoat, d(2025, 5, 31), d(2025, 6, 2)},
		{2025, HolidayMidAutumnNationalDay, d(2025, 10, 1), d(2025, 10, 8)},
		{2026, HolidayNewYear, d(2026, 1, 1), d(2026, 1, 3)},
		{2026, HolidaySpringFestival, d(2026, 2, 15), d(2026, 2, 23)},
		{2026, HolidayQingming, d(2026, 4, 4), d(2026, 4, 6)},
		{2026, HolidayLabourDay, d(2026, 5, 1), d(2026, 5, 5)},
		{2026, HolidayDragonBoat, d(2026, 6, 19), d(2026, 6, 21)},
		{2026, HolidayMidAutumn, d(2026, 9, 25), d(2026, 9, 27)},
		{2026, HolidayNationalDay, d(2026, 10, 1), d(2026, 10, 7)},
	}
	for _, b := range breaks {
		days, err := Statutory(b.year, b.h)
		if err != nil {
			t.Fatal(err)
		}
		if !days.Contains(b.first, b.last) {
			t.Errorf("%d %s: break %s–%s does not contain the statutory days %v", b.year, b.h, b.first, b.last, days)
		}
	}
	// The rules changed in 2025: the eve joined Spring Festival, 2 May
	// joined Labour Day.
	if got, _ := Statutory(2024, HolidaySpringFestival); got[0] != (DayRange{d(2024, 2, 10), d(2024, 2, 12)}) {
		t.Errorf("2024 Spring Festival = %v, want 10–12 February (2013 rules: no eve)", got)
	}
	if got, _ := Statutory(2025, HolidaySpringFestival); got[0] != (DayRange{d(2025, 1, 28), d(2025, 1, 31)}) {
		t.Errorf("2025 Spring Festival = %v, want 28–31 January (eve included from 2025)", got)
	}
	if got, _ := Statutory(2024, HolidayLabourDay); got[0].Last != d(2024, 5, 1) {
		t.Errorf("2024 Labour Day = %v, want 1 May only", got)
	}
	// 2025's Mid-Autumn (6 October) lies outside 1–3 October: the shared
	// break must hold both runs.
	if got, _ := Statutory(2025, HolidayMidAutumnNationalDay); len(got) != 2 || got.Contains(d(2025, 10, 1), d(2025, 10, 5)) {
		t.Errorf("2025 shared break statutory days = %v, want 1–3 and 6 October", got)
	}
}

func TestStatutoryOutsideKnownYears(t *testing.T) {
	for _, year := range []int{2013, 2101} {
		if _, err := Statutory(year, HolidayNewYear); err == nil {
			t.Errorf("Statutory(%d) succeeded: the rules before 2014 are not modelled", year)
		}
	}
}

const statutoryCatalog = `[calendar]
name.en = "T"
name.zh = "测"
statutory_until = %d

[[event]]
id = "cn-labour-day-%d-days-off"
kind = "day-off"
holiday = "labour-day"
name.en = "A"
name.zh = "甲"
start = %d-05-01
end = %d-05-05
modified = 2026-01-01T00:00:00Z
`

func TestStatutoryEventsHandOver(t *testing.T) {
	cat, err := Parse("t.toml", fmt.Appendf(nil, statutoryCatalog, 2030, 2026, 2026, 2026))
	if err != nil {
		t.Fatal(err)
	}
	if cat.LastArrangedYear() != 2026 {
		t.Errorf("LastArrangedYear = %d, want 2026", cat.LastArrangedYear())
	}
	var ids []string
	for _, ev := range cat.Events[1:] {
		ids = append(ids, ev.ID)
		if ev.Kind != KindStatutory || !ev.When.AllDay || ev.Revision != statutoryRevision {
			t.Errorf("%s: kind %s, all-day %v, revision %v", ev.ID, ev.Kind, ev.When.AllDay, ev.Revision)
		}
	}
	if len(ids) != 4*7 || ids[0] != "cn-new-year-2027-statutory" || ids[len(ids)-1] != "cn-national-day-2030-statutory" {
		t.Errorf("derived %d events %v, want 28 from cn-new-year-2027-statutory to cn-national-day-2030-statutory", len(ids), ids)
	}
	spring, ok := cat.Event("cn-spring-festival-2027-statutory")
	if !ok || spring.When.First != d(2027, 2, 5) || spring.When.Last != d(2027, 2, 8) || spring.Name.EN != "Spring Festival (statutory days)" || spring.Name.ZH != "春节（法定假日）" {
		t.Errorf("Spring Festival 2027 = %+v", spring)
	}
	if !strings.Contains(spring.Description.EN, "not yet published") || !strings.Contains(spring.Description.ZH, "尚未发布") {
		t.Errorf("description does not say the notice is not yet published: %+v", spring.Description)
	}

	// A catalog that holds the 2027 notice has no 2027 statutory events.
	cat, err = Parse("t.toml", fmt.Appendf(nil, statutoryCatalog, 2030, 2027, 2027, 2027))
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range cat.Events {
		if ev.Kind == KindStatutory && ev.When.First.Year <= 2027 {
			t.Errorf("%s derived although 2027's arrangement is in the catalog", ev.ID)
		}
	}
	if _, ok := cat.Event("cn-new-year-2028-statutory"); !ok {
		t.Error("no 2028 statutory events after the 2027 notice")
	}
}

func TestStatutoryCatalogErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		src       string
		line      int
		field, in string
	}{
		"break without its statutory day": {
			strings.Replace(fmt.Sprintf(statutoryCatalog, 2026, 2024, 2024, 2024), "start = 2024-05-01", "start = 2024-05-02", 1),
			12, "event[0].start", "do not contain Labour Day's statutory days of 2024 (2024-05-01)",
		},
		"statutory kind written by hand": {
			strings.Replace(fmt.Sprintf(statutoryCatalog, 2026, 2024, 2024, 2024), `kind = "day-off"`, `kind = "statutory"`, 1),
			8, "event[0].kind", "statutory events are derived",
		},
		"too far ahead": {
			fmt.Sprintf(statutoryCatalog, 2040, 2026, 2026, 2026),
			4, "calendar.statutory_until", "2040 is more than 10 years after",
		},
		"at the last arrangement": {
			fmt.Sprintf(statutoryCatalog, 2026, 2026, 2026, 2026),
			4, "calendar.statutory_until", "2026 is not after the last arranged year 2026, so no statutory days would be derived",
		},
		"before the last arrangement": {
			fmt.Sprintf(statutoryCatalog, 2027, 2028, 2028, 2028),
			4, "calendar.statutory_until", "2027 is not after the last arranged year 2028",
		},
		"a break far ahead ends the statutory days": {
			fmt.Sprintf(statutoryCatalog, 2030, 2099, 2099, 2099),
			4, "calendar.statutory_until", "2030 is not after the last arranged year 2099",
		},
		"before the modelled rules": {
			fmt.Sprintf(statutoryCatalog, 1999, 2026, 2026, 2026),
			4, "calendar.statutory_until", "must be a year from 2014",
		},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("t.toml", []byte(tc.src))
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("Parse = %v, want errors", err)
			}
			found := false
			for _, e := range errs {
				if e.Field == tc.field && e.Line == tc.line && strings.Contains(e.Msg, tc.in) {
					found = true
				}
			}
			if !found {
				t.Errorf("got %v, want line %d %s: …%s…", err, tc.line, tc.field, tc.in)
			}
		})
	}
}
