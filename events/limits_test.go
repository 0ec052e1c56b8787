package events

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// smallCatalog is a valid catalog with n events of a few lines each,
// followed by a comment that pads it to size bytes when size is larger.
func smallCatalog(n, size int) []byte {
	var b bytes.Buffer
	b.WriteString("[calendar]\nname.en = \"Test\"\nname.zh = \"测试\"\n")
	for i := range n {
		fmt.Fprintf(&b, "\n[[event]]\nid = \"e%d\"\nkind = \"observance\"\nname.en = \"A\"\nname.zh = \"甲\"\nstart = 2022-05-01\nmodified = 2026-01-01T00:00:00Z\n", i)
	}
	if pad := size - b.Len(); pad > 0 {
		// A comment of pad bytes: "#", filler, newline.
		b.WriteString("#")
		b.WriteString(strings.Repeat("x", max(pad-2, 0)))
		if pad > 1 {
			b.WriteString("\n")
		}
	}
	return b.Bytes()
}

// onlyError returns the single error of a rejected catalog.
func onlyError(t *testing.T, err error) *FieldError {
	t.Helper()
	var list Errors
	if !errors.As(err, &list) || len(list) != 1 {
		t.Fatalf("got %v, want exactly one catalog error", err)
	}
	return list[0]
}

func TestCatalogSizeLimit(t *testing.T) {
	atLimit := smallCatalog(1, MaxCatalogBytes)
	if len(atLimit) != MaxCatalogBytes {
		t.Fatalf("built %d bytes, want %d", len(atLimit), MaxCatalogBytes)
	}
	if _, err := Parse("limit.toml", atLimit); err != nil {
		t.Fatalf("a catalog of exactly %d bytes was refused: %v", MaxCatalogBytes, err)
	}
	over := append(atLimit[:len(atLimit):len(atLimit)], '\n')
	e := onlyError(t, parseOnly(Parse("over.toml", over)))
	// The limit falls after the comment's newline, on the line after it.
	if e.File != "over.toml" || e.Line != bytes.Count(atLimit, []byte("\n"))+1 || !strings.Contains(e.Msg, "larger than the limit of 8388608 bytes (8 MiB)") {
		t.Errorf("one byte over: %v (line %d)", e, e.Line)
	}

	dir := t.TempDir()
	for name, data := range map[string][]byte{"at-limit.toml": atLimit, "over.toml": over} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Load(filepath.Join(dir, "at-limit.toml")); err != nil {
		t.Errorf("Load refused a file of exactly %d bytes: %v", MaxCatalogBytes, err)
	}
	path := filepath.Join(dir, "over.toml")
	if e := onlyError(t, parseOnly(Load(path))); e.File != path || e.Line == 0 || !strings.Contains(e.Msg, "larger than the limit") {
		t.Errorf("Load of a file one byte over: %v", e)
	}
}

func parseOnly(_ *Catalog, err error) error { return err }

// TestLoadEndlessFile reads /dev/zero, which never ends: Load stops one byte
// past the limit instead of reading until memory runs out.
func TestLoadEndlessFile(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	done := make(chan error, 1)
	go func() { done <- parseOnly(Load("/dev/zero")) }()
	select {
	case err := <-done:
		if e := onlyError(t, err); e.File != "/dev/zero" || e.Line != 1 || !strings.Contains(e.Msg, "larger than the limit") {
			t.Errorf("Load(/dev/zero) = %v", e)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Load(/dev/zero) did not return")
	}
}

func TestEventLimit(t *testing.T) {
	if _, err := Parse("limit.toml", smallCatalog(MaxEvents, 0)); err != nil {
		t.Fatalf("%d events were refused: %v", MaxEvents, err)
	}
	data := smallCatalog(MaxEvents+1, 0)
	e := onlyError(t, parseOnly(Parse("over.toml", data)))
	// The header of the event past the limit: eight lines per event after
	// the three of [calendar].
	if e.Field != "event[20000]" || e.Line != 3+8*MaxEvents+2 || !strings.HasPrefix(e.Msg, "too many events: a catalog holds at most 20000, this one has 20001") {
		t.Errorf("one event over: %v", e)
	}

	small := Limits{Events: 2}
	if _, err := ParseWithLimits("limit.toml", smallCatalog(2, 0), small); err != nil {
		t.Errorf("2 events with a limit of 2: %v", err)
	}
	if e := onlyError(t, parseOnly(ParseWithLimits("over.toml", smallCatalog(3, 0), small))); e.Field != "event[2]" || e.Line != 21 {
		t.Errorf("3 events with a limit of 2: %v", e)
	}
}

func TestStringLimit(t *testing.T) {
	catalog := func(n int) []byte {
		return bytes.Replace(smallCatalog(1, 0), []byte(`name.en = "A"`), []byte(`name.en = "`+strings.Repeat("A", n)+`"`), 1)
	}
	if _, err := Parse("limit.toml", catalog(MaxStringBytes)); err != nil {
		t.Fatalf("a string of %d bytes was refused: %v", MaxStringBytes, err)
	}
	e := onlyError(t, parseOnly(Parse("over.toml", catalog(MaxStringBytes+1))))
	if e.Field != "event[0].name.en" || e.Line != 8 || !strings.HasPrefix(e.Msg, "is 65537 bytes long; a value may have at most 65536 (64 KiB)") {
		t.Errorf("one byte over: %v", e)
	}
}

// TestDepthLimit holds the embedded catalog, whose deepest fields have five
// levels, to a limit of five and then of four.
func TestDepthLimit(t *testing.T) {
	if _, err := ParseWithLimits(DefaultFile, DefaultSource(), Limits{Depth: 5}); err != nil {
		t.Fatalf("the embedded catalog does not fit a depth of 5: %v", err)
	}
	_, err := ParseWithLimits(DefaultFile, DefaultSource(), Limits{Depth: 4})
	var list Errors
	if !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("a depth of 4 gave %v", err)
	}
	for _, e := range list {
		if e.Line == 0 || strings.Count(e.Field, ".")+strings.Count(e.Field, "[") != 4 || !strings.HasPrefix(e.Msg, "nested more than 4 levels deep") {
			t.Errorf("a depth of 4: %v", e)
		}
	}
}

// deepKey is a catalog with one dotted key of n segments.
func deepKey(n int) []byte {
	return append(smallCatalog(1, 0), "x"+strings.Repeat(".x", n-1)+" = 1\n"...)
}

// TestDeepKeyCostIsLinear parses a catalog with a dotted key ten times as
// long as another: the bytes allocated must grow about ten times, not a
// hundred as when every prefix of the key was kept.
func TestDeepKeyCostIsLinear(t *testing.T) {
	allocated := func(data []byte) uint64 {
		least := uint64(0)
		for range 3 {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := Parse("deep.toml", data)
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Fatal("accepted a key 2,000 levels deep")
			}
			if n := after.TotalAlloc - before.TotalAlloc; least == 0 || n < least {
				least = n
			}
		}
		return least
	}
	short, long := allocated(deepKey(2_000)), allocated(deepKey(20_000))
	t.Logf("%d and %d bytes", short, long)
	if ratio := float64(long) / float64(short); ratio > 25 {
		t.Errorf("a key ten times as deep allocated %.0f times as much (%d and %d bytes)", ratio, short, long)
	}
}

// BenchmarkParseDeepKey is the hostile catalog of one dotted key of
// 100,000 segments (about 200 KB). Its cost is that of reading the key
// once; the decoder refuses it before building the document.
func BenchmarkParseDeepKey(b *testing.B) {
	data := deepKey(100_000)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("deep.toml", data); err == nil {
			b.Fatal("accepted a key 100,000 levels deep")
		}
	}
}

// TestYearLimit: an event's days and times lie within MinYear..MaxYear; a
// year outside is refused with the line and field, for all-day and timed
// events, start and end alike.
func TestYearLimit(t *testing.T) {
	event := func(when string) []byte {
		return []byte("[calendar]\nname.en = \"Y\"\nname.zh = \"年\"\n\n[[event]]\nid = \"e\"\nkind = \"ceremony\"\nname.en = \"A\"\nname.zh = \"甲\"\n" +
			when + "modified = 2026-01-01T00:00:00Z\n")
	}
	for _, tc := range []struct {
		when, field string // field "" when accepted
		year        int
	}{
		{"start = 1900-01-01\n", "", 0},
		{"start = 2100-12-31\n", "", 0},
		{"start = 2100-12-31T23:00:00\nend = 2100-12-31T23:59:59\nzone = \"Europe/London\"\n", "", 0},
		{"start = 1899-12-31\n", "event[0].start", 1899},
		{"start = 2100-12-31\nend = 2101-01-01\n", "event[0].end", 2101},
		{"start = 0001-01-01T10:00:00\nzone = \"Europe/London\"\n", "event[0].start", 1},
		{"start = 9999-06-01T10:00:00\nzone = \"Europe/London\"\n", "event[0].start", 9999},
		{"start = 2100-06-01T10:00:00\nend = 2101-06-01T10:00:00\nzone = \"Europe/London\"\n", "event[0].end", 2101},
	} {
		_, err := Parse("years.toml", event(tc.when))
		if tc.field == "" {
			if err != nil {
				t.Errorf("%q: %v", tc.when, err)
			}
			continue
		}
		e := onlyError(t, err)
		if e.Field != tc.field || e.Line == 0 || !strings.Contains(e.Msg, fmt.Sprintf("the year %d is outside the years a catalog may hold, 1900 to 2100", tc.year)) {
			t.Errorf("%q: %v", tc.when, e)
		}
	}
}
