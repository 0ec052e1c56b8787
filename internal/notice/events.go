package notice

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"feed/events"
)

// DaysOffID is the id of a holiday's day-off event in year's notice, as
// the catalog names them: cn-labour-day-2022-days-off.
func DaysOffID(h events.Holiday, year int) string {
	return fmt.Sprintf("cn-%s-%d-days-off", h, year)
}

// WorkdayID is the id of a make-up working day of a holiday in year's
// notice: cn-labour-day-2022-workday-04-24. A day of another year (a New
// Year make-up day in the December before) names its year, so that it
// cannot take the id of the same day of the notice's year:
// cn-new-year-2019-workday-2018-12-29.
func WorkdayID(h events.Holiday, year int, d events.Date) string {
	if d.Year != year {
		return fmt.Sprintf("cn-%s-%d-workday-%s", h, year, d)
	}
	return fmt.Sprintf("cn-%s-%d-workday-%02d-%02d", h, year, d.Month, d.Day)
}

// Events are the catalog events of the notice, in its order: each break's
// day-off event, then its make-up working days. modified is their revision
// time; their sequence is 0.
func (n *Notice) Events(modified time.Time) []events.Event {
	source := []events.Source{{Title: n.Title, URL: n.URL}}
	rev := events.Revision{Modified: modified.UTC().Truncate(time.Second)}
	var out []events.Event
	for _, b := range n.Breaks {
		name := b.Holiday.Name()
		out = append(out, events.Event{
			ID:      DaysOffID(b.Holiday, n.Year),
			Kind:    events.KindDayOff,
			Holiday: b.Holiday,
			Name:    events.Text{EN: name.EN + " holiday (China): days off", ZH: name.ZH + "放假"},
			Description: events.Text{
				EN: breakDescription(n.Year, b),
				ZH: b.Sentence,
			},
			URL:      n.URL,
			Sources:  source,
			When:     events.When{AllDay: true, First: b.First, Last: b.Last},
			Status:   events.StatusConfirmed,
			Revision: rev,
		})
		for _, d := range b.Workdays {
			out = append(out, events.Event{
				ID:      WorkdayID(b.Holiday, n.Year, d),
				Kind:    events.KindWorkday,
				Holiday: b.Holiday,
				Name:    events.Text{EN: "Make-up working day (China, " + name.EN + ")", ZH: name.ZH + "调休上班"},
				Description: events.Text{
					EN: fmt.Sprintf("%s is a working day in mainland China, made up for the %s days off (%s).",
						enDayBeside(d, noYear), name.EN, enRange(b.First, b.Last)),
					ZH: fmt.Sprintf("%d年%d月%d日（星期%s）上班，为%s放假（%s）调休。",
						d.Year, d.Month, d.Day, zhWeekdays[d.Weekday()], name.ZH, zhRange(b.First, b.Last)),
				},
				URL:      n.URL,
				Sources:  source,
				When:     events.When{AllDay: true, First: d, Last: d},
				Status:   events.StatusConfirmed,
				Revision: rev,
			})
		}
	}
	return out
}

func breakDescription(year int, b Break) string {
	var s strings.Builder
	fmt.Fprintf(&s, "Mainland China's %s holiday %d: ", b.Holiday.Name().EN, year)
	// A break across the year's end names the year of both its ends.
	breakYear := b.First.Year
	if b.Last.Year != breakYear {
		breakYear = noYear
	}
	if b.First == b.Last {
		fmt.Fprintf(&s, "one day off, %s.", enDayBeside(b.First, breakYear))
	} else {
		fmt.Fprintf(&s, "days off from %s to %s (%d days).", enDayBeside(b.First, breakYear), enDayBeside(b.Last, breakYear), b.Days())
	}
	switch len(b.Workdays) {
	case 0:
		s.WriteString(" No make-up working days.")
	case 1:
		fmt.Fprintf(&s, " Make-up working day: %s.", enDayBeside(b.Workdays[0], year))
	default:
		days := make([]string, len(b.Workdays))
		for i, d := range b.Workdays {
			days[i] = enDayBeside(d, year)
		}
		fmt.Fprintf(&s, " Make-up working days: %s and %s.", strings.Join(days[:len(days)-1], ", "), days[len(days)-1])
	}
	return s.String()
}

// noYear is a year no date has: beside it, every date names its year.
const noYear = 0

// enDayBeside is "Sunday 24 April" in a text about the year known, and
// "Saturday 31 December 2022" for a day of another year.
func enDayBeside(d events.Date, known int) string {
	s := fmt.Sprintf("%s %d %s", d.Weekday(), d.Day, d.Month)
	if d.Year != known {
		s += " " + strconv.Itoa(d.Year)
	}
	return s
}

// enRange is "30 April – 4 May", "1–5 May", or one day.
func enRange(first, last events.Date) string {
	switch {
	case first == last:
		return fmt.Sprintf("%d %s", first.Day, first.Month)
	case first.Year != last.Year:
		return fmt.Sprintf("%d %s %d – %d %s %d", first.Day, first.Month, first.Year, last.Day, last.Month, last.Year)
	case first.Month == last.Month:
		return fmt.Sprintf("%d–%d %s", first.Day, last.Day, first.Month)
	}
	return fmt.Sprintf("%d %s – %d %s", first.Day, first.Month, last.Day, last.Month)
}

// zhRange is "4月30日至5月4日", "5月1日至5日", or one day.
func zhRange(first, last events.Date) string {
	switch {
	case first == last:
		return fmt.Sprintf("%d月%d日", first.Month, first.Day)
	case first.Year != last.Year:
		return fmt.Sprintf("%d年%d月%d日至%d年%d月%d日", first.Year, first.Month, first.Day, last.Year, last.Month, last.Day)
	case first.Month == last.Month:
		return fmt.Sprintf("%d月%d日至%d日", first.Month, first.Day, last.Day)
	}
	return fmt.Sprintf("%d月%d日至%d月%d日", first.Month, first.Day, last.Month, last.Day)
}

var zhWeekdays = [...]string{"日", "一", "二", "三", "四", "五", "六"}

// Change is what comparing with a catalog found for one event.
type Change struct {
	Event events.Event
	// Old is the catalog's event with the same id when the notice gives it
	// other dates; nil for an event the catalog does not have.
	Old *events.Event
}

// Compare keeps the events that cat does not already have with the same
// dates. An id that cat has with other dates comes back as a correction:
// the same id, its sequence one above the catalog's, so that subscribers'
// copies are replaced. Removed lists the catalog's events of the notice's
// year and holidays that the notice no longer gives; the statutory events
// a catalog derives for a year without its notice are never among them,
// as they are not in its file and give way by themselves.
func Compare(cat *events.Catalog, evs []events.Event) (changes []Change, removed []events.Event) {
	given := make(map[string]bool)
	prefixes := make(map[string]bool)
	for _, ev := range evs {
		given[ev.ID] = true
		if id, ok := strings.CutSuffix(ev.ID, "-days-off"); ok {
			prefixes[id+"-"] = true
		}
		old, ok := cat.Event(ev.ID)
		switch {
		case !ok:
			changes = append(changes, Change{Event: ev})
		case old.When.AllDay && old.When.First == ev.When.First && old.When.Last == ev.When.Last:
		default:
			ev.Revision.Sequence = old.Revision.Sequence + 1
			changes = append(changes, Change{Event: ev, Old: &old})
		}
	}
	for _, old := range cat.Events {
		if given[old.ID] || old.Status == events.StatusCancelled || old.Kind == events.KindStatutory {
			continue
		}
		for p := range prefixes {
			if strings.HasPrefix(old.ID, p) {
				removed = append(removed, old)
				break
			}
		}
	}
	return changes, removed
}

// WriteTOML writes events as the catalog's [[event]] tables, in the
// catalog's own layout, ready to append to it. heading is a comment line
// put before them.
func WriteTOML(w io.Writer, heading string, evs []events.Event) error {
	var b strings.Builder
	b.WriteString("\n")
	if heading != "" {
		for l := range strings.SplitSeq(heading, "\n") {
			b.WriteString("# " + l + "\n")
		}
	}
	for _, ev := range evs {
		b.WriteString("\n[[event]]\n")
		kv(&b, "id", quote(ev.ID))
		kv(&b, "kind", quote(string(ev.Kind)))
		if ev.Holiday != "" {
			kv(&b, "holiday", quote(string(ev.Holiday)))
		}
		kv(&b, "name.en", quote(ev.Name.EN))
		kv(&b, "name.zh", quote(ev.Name.ZH))
		if ev.Description.EN != "" {
			kv(&b, "description.en", quote(ev.Description.EN))
		}
		if ev.Description.ZH != "" {
			kv(&b, "description.zh", quote(ev.Description.ZH))
		}
		kv(&b, "start", ev.When.First.String())
		if ev.When.Last != ev.When.First {
			kv(&b, "end", ev.When.Last.String())
		}
		if ev.Status != "" && ev.Status != events.StatusConfirmed {
			kv(&b, "status", quote(string(ev.Status)))
		}
		if ev.URL != "" {
			kv(&b, "url", quote(ev.URL))
		}
		if len(ev.Sources) > 0 {
			b.WriteString("sources = [\n")
			for _, s := range ev.Sources {
				fmt.Fprintf(&b, "  { title = %s, url = %s },\n", quote(s.Title), quote(s.URL))
			}
			b.WriteString("]\n")
		}
		kv(&b, "modified", ev.Revision.Modified.UTC().Format(time.RFC3339))
		kv(&b, "sequence", strconv.Itoa(ev.Revision.Sequence))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func kv(b *strings.Builder, key, value string) {
	b.WriteString(key)
	b.WriteString(" = ")
	b.WriteString(value)
	b.WriteString("\n")
}

// quote writes s as a TOML basic string.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
