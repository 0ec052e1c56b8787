package feed

import (
	"testing"
	"time"

	"feed/events"
)

// TestFormatDays pins how the subscribe page writes an all-day range: the
// year once for a range within a year (first in Chinese, last in English),
// on both ends for a range across New Year.
func TestFormatDays(t *testing.T) {
	may1 := events.Date{Year: 2026, Month: time.May, Day: 1}
	may5 := events.Date{Year: 2026, Month: time.May, Day: 5}
	dec31 := events.Date{Year: 2026, Month: time.December, Day: 31}
	jan2 := events.Date{Year: 2027, Month: time.January, Day: 2}
	for _, tc := range []struct {
		first, last events.Date
		lang        Lang
		want        string
	}{
		{may1, may1, LangEnglish, "Fri 1 May 2026"},
		{may1, may1, LangChinese, "2026年5月1日（星期五）"},
		{may1, may5, LangEnglish, "Fri 1 May – Tue 5 May 2026"},
		{may1, may5, LangChinese, "2026年5月1日（星期五）至5月5日（星期二）"},
		{dec31, jan2, LangEnglish, "Thu 31 Dec 2026 – Sat 2 Jan 2027"},
		{dec31, jan2, LangChinese, "2026年12月31日（星期四）至2027年1月2日（星期六）"},
	} {
		if got := formatDays(tc.first, tc.last, tc.lang); got != tc.want {
			t.Errorf("formatDays(%v, %v, %s) = %q; want %q", tc.first, tc.last, tc.lang, got, tc.want)
		}
	}
}
