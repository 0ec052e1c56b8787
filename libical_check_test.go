package feed

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"feed/events"
)

var (
	libicalOnce sync.Once
	libicalBin  string
	libicalErr  error
)

// libical runs clients/libical/validate.c, compiled once per test run, over
// a calendar: it returns one row per VEVENT, or fails the test when libical
// reports a problem. Without a C compiler or libical the test is skipped,
// unless FEED_REQUIRE_CLIENTS is set, as the README's test command does.
func libical(t *testing.T, body []byte) [][]string {
	t.Helper()
	out, stderr, err := runLibical(t, body)
	if err != nil {
		t.Fatalf("libical rejected the calendar: %v\n%s", err, stderr)
	}
	var rows [][]string
	if strings.TrimSpace(out) == "" {
		return nil
	}
	for line := range strings.SplitSeq(strings.TrimSpace(out), "\n") {
		rows = append(rows, strings.Split(line, "\t"))
	}
	return rows
}

func runLibical(t *testing.T, body []byte) (stdout, stderr string, err error) {
	t.Helper()
	libicalOnce.Do(func() {
		dir, mkErr := os.MkdirTemp("", "feed-libical-")
		if mkErr != nil {
			libicalErr = mkErr
			return
		}
		libicalBin = filepath.Join(dir, "validate")
		flags, pcErr := exec.Command("pkg-config", "--cflags", "--libs", "libical").Output()
		if pcErr != nil {
			libicalErr = pcErr
			return
		}
		args := append([]string{"-Wall", "-o", libicalBin, filepath.Join("clients", "libical", "validate.c")}, strings.Fields(string(flags))...)
		if out, ccErr := exec.Command("cc", args...).CombinedOutput(); ccErr != nil {
			libicalErr = ccErr
			t.Logf("cc: %s", out)
		}
	})
	if libicalErr != nil {
		if os.Getenv("FEED_REQUIRE_CLIENTS") != "" {
			t.Fatalf("libical is not available (%v); run make test", libicalErr)
		}
		t.Skipf("libical is not available (%v); make test installs it", libicalErr)
	}
	cmd := exec.Command(libicalBin)
	cmd.Stdin = bytes.NewReader(body)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

// TestLibicalReadsFeeds: libical parses every feed without an error, and
// reads each event on its dates, timed ones at their UTC instant through the
// feed's own VTIMEZONE.
func TestLibicalReadsFeeds(t *testing.T) {
	for _, tc := range []struct {
		name string
		cat  *events.Catalog
	}{
		{"default", defaultCatalog(t)},
		{"full", loadCatalog(t, "testdata/full.toml")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Every holiday, so that the feed holds every event.
			body, err := RenderCalendar(tc.cat, Options{BaseURL: testBaseURL, Variant: Variant{Holidays: allHolidays()}})
			if err != nil {
				t.Fatal(err)
			}
			rows := libical(t, body)
			if len(rows) != len(tc.cat.Events) {
				t.Fatalf("libical read %d events, the catalog has %d", len(rows), len(tc.cat.Events))
			}
			for i, ev := range tc.cat.Events {
				row, exp := rows[i], expect(ev)
				end := exp.end
				if end == "" {
					end = "-"
				}
				if row[0] != ev.UID() || row[1] != exp.start || row[2] != end {
					t.Errorf("%s: libical read %v, want %s %s", ev.ID, row[:3], exp.start, end)
				}
			}
			for _, ev := range tc.cat.Events {
				one, err := RenderEvent(tc.cat, ev, Options{BaseURL: testBaseURL})
				if err != nil {
					t.Fatal(err)
				}
				if rows := libical(t, one); len(rows) != 1 || rows[0][0] != ev.UID() {
					t.Errorf("%s: the single-event calendar reads as %v", ev.ID, rows)
				}
			}
		})
	}
}

func TestLibicalRecurrence(t *testing.T) {
	rows := libical(t, mustRender(t, defaultCatalog(t), Variant{}))
	for _, row := range rows {
		if row[0] == "international-workers-day@"+events.UIDDomain {
			var want []string
			for y := 2022; y <= 2031; y++ {
				want = append(want, time.Date(y, 5, 1, 0, 0, 0, 0, time.UTC).Format("2006-01-02"))
			}
			if row[3] != "FREQ=YEARLY" || row[4] != strings.Join(want, ",") {
				t.Errorf("Workers' Day: %v", row[3:])
			}
		}
	}
	ny, _ := time.LoadLocation("America/New_York")
	for _, row := range libical(t, mustRender(t, loadCatalog(t, "testdata/full.toml"), Variant{})) {
		if row[0] != "spring-forward-lunch@"+events.UIDDomain {
			continue
		}
		var want []string
		for y := 2024; y <= 2031; y++ {
			want = append(want, time.Date(y, 3, 10, 12, 0, 0, 0, ny).UTC().Format(time.RFC3339))
		}
		if row[4] != strings.Join(want, ",") {
			t.Errorf("12:00 New York time, yearly: libical expands to %s, want %s", row[4], strings.Join(want, ","))
		}
	}
}

// TestLibicalReadsVariants: every kind, language, reminders, working hours
// and every holiday, accepted by libical with exactly the catalog's events
// that the variant selects.
func TestLibicalReadsVariants(t *testing.T) {
	cat := defaultCatalog(t)
	lead := ReminderLead
	var variants []Variant
	for _, k := range events.Kinds() {
		for _, lang := range []Lang{LangEnglish, LangChinese, LangBoth} {
			variants = append(variants, Variant{Kinds: []events.Kind{k}, Lang: lang})
		}
	}
	variants = append(variants, Variant{Alarm: &lead}, Variant{Kinds: []events.Kind{events.KindWorkday}, WorkHours: &WorkHours{Start: 540, End: 1080}, Alarm: &lead},
		Variant{Holidays: allHolidays(), Lang: LangChinese}, Variant{Kinds: []events.Kind{events.KindWorkday}, Holidays: allHolidays(), WorkHours: &WorkHours{Start: 540, End: 1080}})
	for _, v := range variants {
		rows := libical(t, mustRender(t, cat, v))
		var want []string
		for _, ev := range cat.Events {
			if v.selects(ev) {
				want = append(want, ev.ID)
			}
		}
		var got []string
		for _, row := range rows {
			got = append(got, strings.TrimSuffix(strings.TrimSuffix(row[0], "@"+events.UIDDomain), "-hours"))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: libical read %v, want %v", v.Query(), got, want)
		}
	}
}

// TestLibicalCatchesProblems shows that the checker can fail: a TZID
// without its VTIMEZONE and a malformed property are both reported.
func TestLibicalCatchesProblems(t *testing.T) {
	for name, cal := range map[string]string{
		"missing VTIMEZONE": "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Asia/Shanghai:20260101T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		"malformed GEO":     "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260101T100000Z\r\nGEO:1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		"unfolded line":     "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20260101T000000Z\r\nDESCRIPTION:a\r\nbroken fold\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
	} {
		if _, stderr, err := runLibical(t, []byte(cal)); err == nil {
			t.Errorf("%s: libical reported nothing", name)
		} else if stderr == "" {
			t.Errorf("%s: failed without saying why", name)
		}
	}
}

func mustRender(t *testing.T, cat *events.Catalog, v Variant) []byte {
	t.Helper()
	body, err := RenderCalendar(cat, Options{BaseURL: testBaseURL, Variant: v})
	if err != nil {
		t.Fatal(err)
	}
	return body
}
