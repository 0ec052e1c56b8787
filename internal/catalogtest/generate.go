// Package catalogtest writes large, valid catalogs for benchmarks and load
// tests.
package catalogtest

import (
	"bytes"
	"fmt"
	"time"
)

// Generate writes a catalog of n events of every kind: all-day days off,
// make-up days, conferences and observances, and timed ceremonies in
// Asia/Shanghai, one in 97 yearly. The same n always gives the same bytes.
func Generate(n int) []byte {
	var b bytes.Buffer
	b.WriteString("[calendar]\nname.en = \"Generated catalog\"\nname.zh = \"生成的目录\"\ntimezone = \"Asia/Shanghai\"\nmodified = 2026-01-01T00:00:00Z\n")
	kinds := []string{"conference", "ceremony", "observance", "day-off", "workday"}
	for i := range n {
		day := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%1500)
		kind := kinds[i%len(kinds)]
		fmt.Fprintf(&b, "\n[[event]]\nid = \"event-%d\"\nkind = %q\n", i, kind)
		if kind == "day-off" || kind == "workday" {
			b.WriteString("holiday = \"labour-day\"\n")
		}
		fmt.Fprintf(&b, "name.en = \"Event %d, with a name long enough to read\"\nname.zh = \"事件%d\"\n", i, i)
		fmt.Fprintf(&b, "description.en = \"Description of event %d; long enough to be folded over more than one line of seventy-five octets.\"\n", i)
		fmt.Fprintf(&b, "description.zh = \"事件%d的说明，足够长，需要折行：劳动节放假调休安排以国务院办公厅通知为准。\"\n", i)
		switch kind {
		case "ceremony":
			fmt.Fprintf(&b, "start = %sT10:00:00\nzone = \"Asia/Shanghai\"\n", day.Format("2006-01-02"))
		case "day-off":
			// A break must hold its holiday's statutory days.
			fmt.Fprintf(&b, "start = %d-05-01\nend = %d-05-05\n", day.Year(), day.Year())
		default:
			fmt.Fprintf(&b, "start = %s\n", day.Format("2006-01-02"))
		}
		if i%97 == 0 && !(day.Month() == time.February && day.Day() == 29) {
			b.WriteString("recur = \"yearly\"\n")
		}
		fmt.Fprintf(&b, "url = \"https://example.org/events/%d\"\n", i)
		b.WriteString("modified = 2026-01-01T00:00:00Z\n")
	}
	return b.Bytes()
}
