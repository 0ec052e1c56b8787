package events

import (
	"testing"
	"time"
)

func allDay(id string, kind Kind, h Holiday, first, last Date) Event {
	return Event{ID: id, Kind: kind, Holiday: h, URL: "https://notice.example/" + id,
		When: When{AllDay: true, First: first, Last: last}, Status: StatusConfirmed}
}

// TestDaysAcrossYears: a break and its make-up day that start in the year
// before belong to the next year's notice; a year without a notice between
// two covered ones is not covered; cancelled events arrange nothing.
func TestDaysAcrossYears(t *testing.T) {
	cat := &Catalog{Events: []Event{
		// 2019's notice: New Year 30 December 2018 – 1 January 2019,
		// Saturday 29 December 2018 a working day.
		allDay("ny-2019", KindDayOff, HolidayNewYear, d(2018, 12, 30), d(2019, 1, 1)),
		allDay("ny-2019-work", KindWorkday, HolidayNewYear, d(2018, 12, 29), d(2018, 12, 29)),
		allDay("labour-2021", KindDayOff, HolidayLabourDay, d(2021, 5, 1), d(2021, 5, 5)),
		allDay("labour-2021-work", KindWorkday, HolidayLabourDay, d(2021, 4, 25), d(2021, 4, 25)),
	}}
	cancelled := allDay("labour-2021-extra", KindDayOff, HolidayLabourDay, d(2021, 5, 6), d(2021, 5, 6))
	cancelled.Status = StatusCancelled
	cat.Events = append(cat.Events, cancelled)
	days := cat.Days()
	if days.First != d(2019, 1, 1) || days.Last != d(2021, 12, 31) {
		t.Errorf("covered %s to %s", days.First, days.Last)
	}
	var years []int
	for _, y := range days.Years() {
		years = append(years, y.Year)
	}
	if len(years) != 2 || years[0] != 2019 || years[1] != 2021 {
		t.Fatalf("years %v, want 2019 and 2021", years)
	}
	y2019, _ := days.Year(2019)
	if len(y2019.Days) != 4 || y2019.Days[0].Date != d(2018, 12, 29) || y2019.Days[0].Type != DayMakeUp ||
		y2019.Days[1].Date != d(2018, 12, 30) || y2019.Days[3].Date != d(2019, 1, 1) || y2019.Days[3].Type != DayOff {
		t.Errorf("2019: %+v", y2019.Days)
	}
	if len(y2019.Papers) != 2 || y2019.Papers[0] != "https://notice.example/ny-2019-work" || y2019.Source != y2019.Papers[0] {
		t.Errorf("2019 papers %v, source %s", y2019.Papers, y2019.Source)
	}
	for _, tc := range []struct {
		date    Date
		covered bool
		typ     DayType
	}{
		{d(2018, 12, 31), false, ""}, // 2018 has no notice, though this day is 2019's
		{d(2019, 1, 1), true, DayOff},
		{d(2019, 1, 2), true, DayWorkday},
		{d(2019, 1, 5), true, DayWeekend},
		{d(2020, 5, 1), false, ""}, // no notice for 2020
		{d(2021, 4, 25), true, DayMakeUp},
		{d(2021, 5, 6), true, DayWorkday}, // the cancelled day off
		{d(2022, 1, 1), false, ""},
	} {
		day, ok := days.Day(tc.date)
		if ok != tc.covered || day.Type != tc.typ || (ok && day.Date != tc.date) {
			t.Errorf("%s: %+v, %v; want %s, %v", tc.date, day, ok, tc.typ, tc.covered)
		}
		if ok && day.Type.Working() != (tc.typ == DayWorkday || tc.typ == DayMakeUp) {
			t.Errorf("%s: Working() wrong", tc.date)
		}
	}
}

func TestDaysOfCatalogWithoutArrangements(t *testing.T) {
	cat := &Catalog{Events: []Event{{ID: "c", Kind: KindConference, When: When{AllDay: true, First: d(2022, 4, 27), Last: d(2022, 4, 29)}}}}
	days := cat.Days()
	if len(days.Years()) != 0 {
		t.Errorf("years %v", days.Years())
	}
	if _, ok := days.Day(DateOf(time.Date(2022, 4, 27, 0, 0, 0, 0, time.UTC))); ok {
		t.Error("a date is covered without any arrangement")
	}
}
