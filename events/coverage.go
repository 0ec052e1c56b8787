package events

import "time"

// ArrangedYears is the span of years for which the catalog has the State
// Council's holiday arrangement: the years of its day-off events' notices.
// Both are 0 when it has none.
//
// A break belongs to the notice of the year it ends in: New Year 2024's
// break starts on 30 December 2023. Make-up working days are not counted,
// as one may fall in the year before its holiday; cancelled events are not
// counted either, since they arrange nothing.
func (c *Catalog) ArrangedYears() (first, last int) {
	for _, ev := range c.Events {
		if ev.Kind != KindDayOff || ev.Status == StatusCancelled || !ev.When.AllDay {
			continue
		}
		year := ev.When.Last.Year
		if first == 0 || year < first {
			first = year
		}
		if year > last {
			last = year
		}
	}
	return first, last
}

// LastArrangedYear is the last year for which the catalog has the holiday
// arrangement, 0 when it has none: after it, the feed has no days off.
func (c *Catalog) LastArrangedYear() int {
	_, last := c.ArrangedYears()
	return last
}

// NoticeSeason is the day from which the next year's notice may be out:
// the notices have come out between late October and early December.
const (
	NoticeSeasonMonth = time.November
	NoticeSeasonDay   = 1
)

// ArrangementDue reports whether the arrangement of the year after the
// last arranged one may have been published but is not in the catalog:
// from 1 November of the last arranged year, in the catalog's time zone
// (UTC when it names none). It returns that next year. A catalog without
// any arrangement is never due.
func (c *Catalog) ArrangementDue(now time.Time) (next int, due bool) {
	last := c.LastArrangedYear()
	if last == 0 {
		return 0, false
	}
	zone := c.Timezone
	if zone == nil {
		zone = time.UTC
	}
	season := time.Date(last, NoticeSeasonMonth, NoticeSeasonDay, 0, 0, 0, 0, zone)
	return last + 1, !now.Before(season)
}
