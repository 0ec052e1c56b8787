package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"feed/events"
)

var (
	noticeDir   = filepath.Join("..", "..", "internal", "notice", "testdata")
	mainCatalog = filepath.Join("..", "..", "events", "catalog.toml")
	noticeClock = func() time.Time { return time.Date(2026, 12, 1, 9, 30, 15, 0, time.UTC) }
)

// withoutEvents writes a copy of the default catalog without the events
// whose id the drop function picks, and returns its path.
func withoutEvents(t *testing.T, drop func(id string) bool) string {
	t.Helper()
	catalog, err := os.ReadFile(mainCatalog)
	if err != nil {
		t.Fatal(err)
	}
	tables := strings.Split(string(catalog), "\n[[event]]\n")
	kept := tables[:1]
	for _, table := range tables[1:] {
		id, _, _ := strings.Cut(strings.TrimPrefix(table, `id = "`), `"`)
		if !drop(id) {
			kept = append(kept, table)
		}
	}
	path := filepath.Join(t.TempDir(), "catalog.toml")
	if err := os.WriteFile(path, []byte(strings.Join(kept, "\n[[event]]\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestNoticeAppends imports a notice page into a copy of the default
// catalog that has only the year's Labour Day events: those are left out,
// the rest are printed, and the catalog with them appended checks clean.
func TestNoticeAppends(t *testing.T) {
	partial := withoutEvents(t, func(id string) bool {
		return strings.Contains(id, "-2025-") && !strings.HasPrefix(id, "cn-labour-day-")
	})
	var stdout, stderr strings.Builder
	err := importNotice([]string{"-catalog", partial, filepath.Join(noticeDir, "2025.html")}, nil, &stdout, &stderr, noticeClock)
	if err != nil {
		t.Fatal(err)
	}
	out := stdout.String()
	if strings.Contains(out, `id = "cn-labour-day-2025`) {
		t.Errorf("the catalog's Labour Day events were printed again:\n%s", out)
	}
	for _, want := range []string{
		`id = "cn-new-year-2025-days-off"`,
		`id = "cn-mid-autumn-national-day-2025-workday-10-11"`,
		"modified = 2026-12-01T09:30:15Z",
		"sequence = 0",
		`url = "https://www.gov.cn/zhengce/content/202411/content_6986382.htm"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s", want)
		}
	}
	if stderr.Len() != 0 {
		t.Errorf("notes on standard error: %s", stderr.String())
	}
	catalog, err := os.ReadFile(partial)
	if err != nil {
		t.Fatal(err)
	}
	appended := filepath.Join(t.TempDir(), "catalog.toml")
	if err := os.WriteFile(appended, append(catalog, out...), 0o644); err != nil {
		t.Fatal(err)
	}
	cat, err := events.Load(appended)
	if err != nil {
		t.Fatalf("the catalog with the output appended: %v", err)
	}
	if _, ok := cat.Event("cn-spring-festival-2025-workday-01-26"); !ok {
		t.Error("the appended catalog lacks the Spring Festival make-up day")
	}

	// Once appended, a second import has nothing to add.
	stdout.Reset()
	if err := importNotice([]string{"-catalog", appended, filepath.Join(noticeDir, "2025.html")}, nil, &stdout, &stderr, noticeClock); err != nil {
		t.Fatal(err)
	}
	if stdout.Len() != 0 || !strings.Contains(stderr.String(), "already has every event") {
		t.Errorf("second import printed %q, noted %q", stdout.String(), stderr.String())
	}
}

// An event the catalog has with other dates comes back as a correction.
func TestNoticeCorrection(t *testing.T) {
	catalog, err := os.ReadFile(mainCatalog)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(catalog), "start = 2026-05-09", "start = 2026-05-10", 1)
	path := filepath.Join(t.TempDir(), "catalog.toml")
	if err := os.WriteFile(path, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	args := []string{"-catalog", path, "-url", "https://www.gov.cn/zhengce/content/202511/content_7047090.htm", "-modified", "2026-11-30T00:00:00Z", filepath.Join(noticeDir, "2026.txt")}
	if err := importNotice(args, nil, &stdout, &stderr, noticeClock); err != nil {
		t.Fatal(err)
	}
	want := "id = \"cn-labour-day-2026-workday-05-09\"\nkind = \"workday\""
	i := strings.Index(stdout.String(), want)
	if i < 0 {
		t.Fatalf("no correction printed:\n%s", stdout.String())
	}
	table := stdout.String()[i:]
	if end := strings.Index(table, "[[event]]"); end >= 0 {
		table = table[:end]
	}
	for _, w := range []string{"start = 2026-05-09", "modified = 2026-11-30T00:00:00Z", "sequence = 1"} {
		if !strings.Contains(table, w) {
			t.Errorf("correction lacks %s:\n%s", w, table)
		}
	}
	if !strings.Contains(stderr.String(), "cn-labour-day-2026-workday-05-09 is in "+path+" with 2026-05-10 to 2026-05-10") {
		t.Errorf("no note on standard error: %q", stderr.String())
	}
}

// A notice it cannot read prints nothing and fails with the line.
func TestNoticeFails(t *testing.T) {
	text, err := os.ReadFile(filepath.Join(noticeDir, "2024.txt"))
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(text), "4月7日（星期日）上班", "4月7日（星期日）照常上班", 1)
	path := filepath.Join(t.TempDir(), "notice.txt")
	if err := os.WriteFile(path, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	_, withoutAddress, _ := strings.Cut(string(text), "\n")
	noAddress := filepath.Join(t.TempDir(), "no-address.txt")
	if err := os.WriteFile(noAddress, []byte(withoutAddress), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unreadable paragraph", []string{path}, "line 10"},
		{"no address", []string{noAddress}, "-url"},
		{"bad -modified", []string{"-modified", "yesterday", path}, "-modified"},
		{"no file", nil, "one file"},
		{"missing file", []string{filepath.Join(noticeDir, "1999.txt")}, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout strings.Builder
			err := importNotice(tc.args, nil, &stdout, io.Discard, noticeClock)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one that says %q", err, tc.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("printed %q", stdout.String())
			}
		})
	}
}

func TestNoticeFromStandardInput(t *testing.T) {
	f, err := os.Open(filepath.Join(noticeDir, "2023.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var stdout strings.Builder
	if err := importNotice([]string{"-url", "https://www.gov.cn/zhengce/content/2022-12/08/content_5730844.htm", "-"}, f, &stdout, io.Discard, noticeClock); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "start = 2022-12-31\nend = 2023-01-02") {
		t.Errorf("output:\n%s", stdout.String())
	}
	// The command is reachable through run.
	err = run(context.Background(), []string{"feed", "notice"}, func(string) string { return "" }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "one file") {
		t.Errorf("run notice: %v", err)
	}
}

// A catalog without a year's notice derives that year's statutory days;
// importing the notice must not ask for them to be cancelled, as they are
// not in the file and give way by themselves.
func TestNoticeLeavesDerivedEventsAlone(t *testing.T) {
	without2026 := withoutEvents(t, func(id string) bool { return strings.Contains(id, "-2026-") })
	cat, err := events.Load(without2026)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cat.Event("cn-new-year-2026-statutory"); !ok {
		t.Fatal("the catalog without 2026's notice derives no statutory events for 2026")
	}
	var stdout, stderr strings.Builder
	if err := importNotice([]string{"-catalog", without2026, filepath.Join(noticeDir, "2026.txt")}, nil, &stdout, &stderr, noticeClock); err != nil {
		t.Fatal(err)
	}
	if stderr.Len() != 0 {
		t.Errorf("notes on standard error: %s", stderr.String())
	}
	catalog, err := os.ReadFile(without2026)
	if err != nil {
		t.Fatal(err)
	}
	appended := filepath.Join(t.TempDir(), "catalog.toml")
	if err := os.WriteFile(appended, append(catalog, stdout.String()...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := events.Load(appended); err != nil {
		t.Errorf("the catalog with the output appended: %v", err)
	}
}

// What the catalog refuses, the importer refuses: an address that is not
// a clean URL, a notice for a year too far ahead.
func TestNoticeRefuses(t *testing.T) {
	notice2026 := filepath.Join(noticeDir, "2026.txt")
	for _, tc := range []struct {
		name string
		args []string
		now  time.Time
		want string
	}{
		{"space and quotes", []string{"-url", `https://www.gov.cn/a b"<x>.htm`, notice2026}, noticeClock(), "cannot hold"},
		{"user info", []string{"-url", "https://user:pw@www.gov.cn/x.htm", notice2026}, noticeClock(), "user name or password"},
		{"another scheme", []string{"-url", "ftp://www.gov.cn/x.htm", notice2026}, noticeClock(), "absolute http or https URL"},
		{"a year too far ahead", []string{notice2026}, time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC), "more than a year after 2024"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout strings.Builder
			err := importNotice(tc.args, nil, &stdout, io.Discard, func() time.Time { return tc.now })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one that says %q", err, tc.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("printed %q", stdout.String())
			}
		})
	}
}
