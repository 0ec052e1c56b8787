package events

import (
	"testing"
	"time"
)

func TestArrangedYears(t *testing.T) {
	cat, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if first, last := cat.ArrangedYears(); first != 2022 || last != 2026 {
		t.Errorf("default catalog arranges %d–%d, want 2022–2026", first, last)
	}
	day := func(y int, m time.Month, d int) Date { return Date{y, m, d} }
	c := &Catalog{Events: []Event{
		{ID: "conf", Kind: KindConference, When: When{AllDay: true, First: day(2030, 1, 1), Last: day(2030, 1, 1)}},
		{ID: "ny", Kind: KindDayOff, When: When{AllDay: true, First: day(2023, 12, 30), Last: day(2024, 1, 1)}},
		{ID: "wd", Kind: KindWorkday, When: When{AllDay: true, First: day(2025, 12, 28), Last: day(2025, 12, 28)}},
		{ID: "gone", Kind: KindDayOff, Status: StatusCancelled, When: When{AllDay: true, First: day(2027, 1, 1), Last: day(2027, 1, 1)}},
	}}
	if first, last := c.ArrangedYears(); first != 2024 || last != 2024 {
		t.Errorf("ArrangedYears = %d, %d; want 2024, 2024 (the break's end, no workday, nothing cancelled)", first, last)
	}
	if got := (&Catalog{}).LastArrangedYear(); got != 0 {
		t.Errorf("empty catalog: %d", got)
	}
}

func TestArrangementDue(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	day := Date{2026, time.October, 1}
	c := &Catalog{Timezone: shanghai, Events: []Event{{ID: "nd", Kind: KindDayOff, When: When{AllDay: true, First: day, Last: day}}}}
	for _, tc := range []struct {
		now  time.Time
		want bool
	}{
		{time.Date(2026, 10, 31, 23, 59, 59, 0, shanghai), false},
		{time.Date(2026, 11, 1, 0, 0, 0, 0, shanghai), true},
		{time.Date(2026, 10, 31, 16, 0, 0, 0, time.UTC), true}, // midnight in Shanghai
		{time.Date(2027, 3, 1, 0, 0, 0, 0, shanghai), true},
	} {
		next, due := c.ArrangementDue(tc.now)
		if due != tc.want || next != 2027 {
			t.Errorf("at %s: %d, %v; want 2027, %v", tc.now, next, due, tc.want)
		}
	}
	next := Date{2027, time.January, 1}
	c.Events = append(c.Events, Event{ID: "ny", Kind: KindDayOff, When: When{AllDay: true, First: next, Last: next}})
	if _, due := c.ArrangementDue(time.Date(2026, 12, 1, 0, 0, 0, 0, shanghai)); due {
		t.Error("due after the next year was added")
	}
	if _, due := (&Catalog{}).ArrangementDue(time.Now()); due {
		t.Error("a catalog with no arrangement is due")
	}
}
