package feed_test

import (
	"fmt"
	"strings"

	"feed"
	"feed/events"
)

// A make-up working day is an all-day event whose DTEND is the day after:
// iCalendar's end of an all-day event is exclusive.
func ExampleRenderEvent() {
	cat, err := events.Default()
	if err != nil {
		panic(err)
	}
	ev, _ := cat.Event("cn-labour-day-2025-workday-04-27")
	ics, err := feed.RenderEvent(cat, ev, feed.Options{Variant: feed.Variant{Lang: feed.LangEnglish}})
	if err != nil {
		panic(err)
	}
	for _, line := range strings.Split(string(ics), "\r\n") {
		for _, name := range []string{"UID", "DTSTART", "DTEND", "SUMMARY", "TRANSP"} {
			if strings.HasPrefix(line, name+":") || strings.HasPrefix(line, name+";") {
				fmt.Println(line)
			}
		}
	}
	// Output:
	// UID:cn-labour-day-2025-workday-04-27@craftsmen-feed.invalid
	// DTSTART;VALUE=DATE:20250427
	// DTEND;VALUE=DATE:20250428
	// SUMMARY:Make-up working day (China\, Labour Day)
	// TRANSP:TRANSPARENT
}
