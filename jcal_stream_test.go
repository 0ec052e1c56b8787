package feed

import (
	"bytes"
	"encoding/json"
	"testing"

	"feed/events"
	"feed/internal/ical"
)

// TestJCalWrittenEventByEvent: the jCal written one event at a time is
// byte for byte the jCal of the whole calendar built first, and valid JSON.
func TestJCalWrittenEventByEvent(t *testing.T) {
	for _, n := range []int{0, 10, 3000} {
		cat := defaultCatalog(t)
		if n > 0 {
			cat = generated(t, n)
		}
		streamed, err := mustModel(t, cat).jcal()
		if err != nil {
			t.Fatal(err)
		}
		whole, err := ical.EncodeJCal(mustModel(t, cat).full())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(streamed, whole) {
			t.Fatalf("%d events: the jCal written event by event differs\n%s", n, firstDifference(whole, streamed))
		}
		if !json.Valid(streamed) {
			t.Fatalf("%d events: not JSON", n)
		}
	}
}

func mustModel(t *testing.T, cat *events.Catalog) *draft {
	t.Helper()
	d, err := calendarModel(cat, Options{BaseURL: testBaseURL, Variant: Variant{Lang: LangChinese}})
	if err != nil {
		t.Fatal(err)
	}
	return d
}
