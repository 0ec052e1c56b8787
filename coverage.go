package feed

import (
	"fmt"
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
	return fmt.Sprintf("the catalog has no holiday arrangement for %d (its last is %d): the State Council's notice comes out between late October and early December; once it is published, import it with feed notice (see docs/notice.md)", next, next-1)
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
