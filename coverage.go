package feed

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"feed/events"
)

// CoverageWarning says, from 1 November of the catalog's last arranged
// year, that the next year's holiday arrangement is not in the catalog;
// it is empty when there is nothing to say. The notice comes out between
// late October and early December, and until someone imports it the feed
// simply has no days off for the next year, which no error would show.
func CoverageWarning(cat *events.Catalog, now time.Time) string {
	next, due := cat.ArrangementDue(now)
	if !due {
		return ""
	}
	return fmt.Sprintf("the catalog has no holiday arrangement for %d (its last is %d): the State Council's notice comes out between late October and early December; once it is published, feed serve applies it by itself (unless -notices off), and feed notice fetch prints it for a catalog kept in git (see docs/notice.md)", next, next-1)
}

// coverageText is what the page says of the years the feed covers, and,
// while the next year's arrangement is due but not in, that subscribers
// will get it without doing anything. It is empty for a catalog without
// holiday arrangements.
func coverageText(cat *events.Catalog, lang Lang, now time.Time) string {
	first, last := cat.ArrangedYears()
	if last == 0 {
		return ""
	}
	next, due := cat.ArrangementDue(now)
	if lang == LangChinese {
		s := fmt.Sprintf("放假安排：%d年。", first)
		if first != last {
			s = fmt.Sprintf("放假安排：%d—%d年。", first, last)
		}
		if due {
			s += fmt.Sprintf("%d年的放假安排尚未收录；国务院办公厅发布后，订阅者会自动收到。", next)
		}
		return s
	}
	s := fmt.Sprintf("Holiday arrangements: %d.", first)
	if first != last {
		s = fmt.Sprintf("Holiday arrangements: %d–%d.", first, last)
	}
	if due {
		s += fmt.Sprintf(" The arrangement for %d is not in yet; once the State Council publishes it, subscribers get it automatically.", next)
	}
	return s
}

// sourcesText says, after coverageText, where each year's days come from:
// the years whose notice the service fetched, with the notice's date; and
// the years shown with their statutory days until their notice is out.
func sourcesText(cat *events.Catalog, lang Lang, fetched map[int]time.Time) string {
	years := make([]int, 0, len(fetched))
	for y := range fetched {
		years = append(years, y)
	}
	slices.Sort(years)
	var s strings.Builder
	for _, y := range years {
		d := fetched[y].In(chinaTime)
		if lang == LangChinese {
			fmt.Fprintf(&s, "%d年的放假安排来自%d年%d月%d日发布的国务院办公厅通知（本服务自中国政府网获取）。", y, d.Year(), d.Month(), d.Day())
		} else {
			fmt.Fprintf(&s, " %d: from the notice of %d %s %d, fetched from gov.cn by this service.", y, d.Day(), d.Month(), d.Year())
		}
	}
	first, last := 0, 0
	for _, ev := range cat.Events {
		if ev.Kind != events.KindStatutory {
			continue
		}
		if y := ev.When.Last.Year; first == 0 || y < first {
			first = y
		}
		if y := ev.When.Last.Year; y > last {
			last = y
		}
	}
	if first != 0 {
		span := strconv.Itoa(first)
		if last != first {
			span += "–" + strconv.Itoa(last)
		}
		if lang == LangChinese {
			fmt.Fprintf(&s, "%s年：通知发布前列出法定假日。", strings.ReplaceAll(span, "–", "—"))
		} else {
			fmt.Fprintf(&s, " %s: the statutory days until each year's notice.", span)
		}
	}
	return s.String()
}

// chinaTime is the zone of the notices' dates.
var chinaTime = time.FixedZone("CST", 8*3600)
