package events

import (
	"fmt"
	"strings"
	"testing"
)

// springFestivalDaysOff is a catalog of n valid 2025 Spring Festival
// breaks, each of its own id.
func springFestivalDaysOff(n int) []byte {
	var b strings.Builder
	b.WriteString("[calendar]\nname.en = \"Breaks\"\nname.zh = \"假期\"\n")
	for i := range n {
		fmt.Fprintf(&b, "\n[[event]]\nid = \"break-%d\"\nkind = \"day-off\"\nholiday = \"spring-festival\"\nname.en = \"Spring Festival\"\nname.zh = \"春节\"\nstart = 2025-01-28\nend = 2025-02-04\nmodified = 2026-01-01T00:00:00Z\n", i)
	}
	return []byte(b.String())
}

// BenchmarkParseSpringFestivalBreaks parses 20,000 Spring Festival breaks,
// each checked against the statutory days.
func BenchmarkParseSpringFestivalBreaks(b *testing.B) {
	data := springFestivalDaysOff(MaxEvents)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("breaks.toml", data); err != nil {
			b.Fatal(err)
		}
	}
}
