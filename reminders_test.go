package feed

import (
	"strings"
	"testing"
	"time"

	"feed/events"
	"feed/internal/ical"
)

// wantReminder is the instant a reminder lead before ev must ring in every
// client: for an all-day event, lead before its first day starts in
// Asia/Shanghai; for a timed one, lead before its start. A recurring
// all-day event keeps a relative trigger, which libraries read as a
// floating time: lead before midnight wherever the viewer is.
func wantReminder(ev events.Event, lead time.Duration) string {
	w := ev.When
	if !w.AllDay {
		return w.Start.Add(-lead).UTC().Format(time.RFC3339)
	}
	if ev.Recur != events.RecurNone {
		return "floating:" + w.First.In(time.UTC).Add(-lead).Format("2006-01-02T15:04:05")
	}
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	return w.First.In(shanghai).Add(-lead).UTC().Format(time.RFC3339)
}

// TestReminderInstants: ical.js and libical, computing each reminder from
// the feed as a client does, ring at the same instants, and those are the
// expected ones, for all-day and timed events, in the feed and in an
// event's own calendar.
func TestReminderInstants(t *testing.T) {
	cat := defaultCatalog(t)
	lead := ReminderLead
	hours := &WorkHours{Start: 9 * 60, End: 18 * 60}
	for _, v := range []Variant{
		{Holidays: allHolidays(), Alarm: &lead},
		{Kinds: []events.Kind{events.KindWorkday}, Holidays: allHolidays(), WorkHours: hours, Alarm: &lead},
	} {
		t.Run(v.Query(), func(t *testing.T) {
			var want []events.Event
			for _, ev := range cat.Events {
				if !v.selects(ev) {
					continue
				}
				timed, err := applyWorkHours(cat, ev, v)
				if err != nil {
					t.Fatal(err)
				}
				if timed == nil {
					timed = []events.Event{ev}
				}
				want = append(want, timed...)
			}
			body := mustRender(t, cat, v)
			js := icaljs(t, body)
			rows := libical(t, body)
			d, err := calendarModel(cat, Options{BaseURL: testBaseURL, Variant: v})
			if err != nil {
				t.Fatal(err)
			}
			jcal, err := ical.EncodeJCal(d.full())
			if err != nil {
				t.Fatal(err)
			}
			fromJCal := icaljs(t, jcal, "--jcal")
			if len(fromJCal.Events) != len(want) {
				t.Fatalf("ical.js read %d events from jCal, want %d", len(fromJCal.Events), len(want))
			}
			if len(js.Events) != len(want) || len(rows) != len(want) {
				t.Fatalf("ical.js read %d events, libical %d, want %d", len(js.Events), len(rows), len(want))
			}
			for i, ev := range want {
				exp := wantReminder(ev, lead)
				if ev.Status == events.StatusCancelled {
					exp = ""
				}
				var got string
				if a := js.Events[i].Alarms; len(a) == 1 {
					got = a[0].At
				}
				if got != exp {
					t.Errorf("%s: ical.js rings at %q, want %q", ev.ID, got, exp)
				}
				if a := fromJCal.Events[i].Alarms; exp != "" && (len(a) != 1 || a[0].At != exp) {
					t.Errorf("%s: from jCal, ical.js reads %+v, want a reminder at %q", ev.ID, a, exp)
				}
				lib := rows[i][5]
				if exp == "" && lib != "-" || exp != "" && lib != exp {
					t.Errorf("%s: libical rings at %q, want %q", ev.ID, lib, exp)
				}
			}
		})
	}

	// Hand-typed: the make-up working day of Saturday 9 May 2026 rings at
	// 21:00 Beijing time the evening before; the opening, 10:00 on 27 April
	// 2022, at 07:00.
	for id, at := range map[string]string{
		"cn-labour-day-2026-workday-05-09":  "2026-05-08T13:00:00Z",
		"craftsmen-conference-2022-opening": "2022-04-26T23:00:00Z",
	} {
		ev, ok := cat.Event(id)
		if !ok {
			t.Fatalf("no event %s", id)
		}
		one, err := RenderEvent(cat, ev, Options{Variant: Variant{Alarm: &lead}})
		if err != nil {
			t.Fatal(err)
		}
		js := icaljs(t, one)
		if len(js.Events) != 1 || len(js.Events[0].Alarms) != 1 || js.Events[0].Alarms[0].At != at {
			t.Errorf("%s: ical.js reads %+v, want one reminder at %s", id, js.Events, at)
		}
		if rows := libical(t, one); len(rows) != 1 || rows[0][5] != at {
			t.Errorf("%s: libical reads %v, want one reminder at %s", id, rows, at)
		}
	}
}

// TestOpeningHasNoEnd: the opening ceremony's end was never published, and
// no parser reads one after its 10:00 start.
func TestOpeningHasNoEnd(t *testing.T) {
	cat := defaultCatalog(t)
	ev, ok := cat.Event("craftsmen-conference-2022-opening")
	if !ok {
		t.Fatal("no opening ceremony")
	}
	body, err := RenderEvent(cat, ev, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"DTEND", "DURATION"} {
		if strings.Contains(string(body), "\r\n"+name) {
			t.Errorf("the opening carries %s:\n%s", name, body)
		}
	}
	js := icaljs(t, body)
	if len(js.Events) != 1 || js.Events[0].Start != "2022-04-27T02:00:00Z" || js.Events[0].End != nil || js.Events[0].IsDate {
		t.Errorf("ical.js reads %+v, want a 10:00 Beijing-time start and no end", js.Events)
	}
	if rows := libical(t, body); len(rows) != 1 || rows[0][1] != "2022-04-27T02:00:00Z" || rows[0][2] != "-" {
		t.Errorf("libical reads %v, want a 10:00 Beijing-time start and no end", rows)
	}
}
