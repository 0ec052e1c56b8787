package notice

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"feed/events"
)

// TestDefaultCatalogEqualsImport reads the notices of 2022–2026 (texts
// written for the tests from the published dates) and compares what the
// importer makes of them with the default catalog's holiday events: the
// same ids and the same days, no more and no fewer. A typing error in the
// catalog, or a misreading by the importer, shows here.
func TestDefaultCatalogEqualsImport(t *testing.T) {
	cat, err := events.Default()
	if err != nil {
		t.Fatal(err)
	}
	days := func(ev events.Event) string {
		return fmt.Sprintf("%s %s %s %s", ev.ID, ev.Kind, ev.When.First, ev.When.Last)
	}
	var fromCatalog, imported []string
	for _, ev := range cat.Events {
		if ev.Kind == events.KindDayOff || ev.Kind == events.KindWorkday {
			fromCatalog = append(fromCatalog, days(ev))
		}
	}
	for year := 2022; year <= 2026; year++ {
		f, err := os.Open(filepath.Join("testdata", fmt.Sprintf("%d.txt", year)))
		if err != nil {
			t.Fatal(err)
		}
		n, err := Parse(f, Options{})
		f.Close()
		if err != nil {
			t.Fatalf("%d: %v", year, err)
		}
		for _, ev := range n.Events(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) {
			imported = append(imported, days(ev))
		}
	}
	slices.Sort(fromCatalog)
	slices.Sort(imported)
	for _, missing := range diff(imported, fromCatalog) {
		t.Errorf("the notices have %s; the catalog has not", missing)
	}
	for _, extra := range diff(fromCatalog, imported) {
		t.Errorf("the catalog has %s; the notices have not", extra)
	}
	if len(imported) != 66 {
		t.Errorf("%d events imported, want 33 breaks and 33 make-up days", len(imported))
	}
}

// diff lists what a has and b has not.
func diff(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}
