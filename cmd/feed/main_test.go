package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"feed/events"
)

// start runs the program with args and env until the test ends, and returns
// the feed URL it announces.
func start(t *testing.T, args []string, env map[string]string) string {
	t.Helper()
	return startLogging(t, args, env, io.Discard)
}

// startLogging is start with the program's log written to stderr.
func startLogging(t *testing.T, args []string, env map[string]string, stderr io.Writer) string {
	t.Helper()
	if _, ok := env["FEED_NOTICES"]; !ok {
		// No test reaches gov.cn: one that fetches notices points the
		// service at a stand-in.
		env = maps.Clone(env)
		if env == nil {
			env = map[string]string{}
		}
		env["FEED_NOTICES"] = "off"
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"feed"}, args...), func(k string) string { return env[k] }, pw, stderr)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run returned %v after shutdown", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("run did not return after its context ended")
		}
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("the program announced no URL: %v", err)
	}
	go io.Copy(io.Discard, pr)
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "Subscribe to ")
	if !ok {
		t.Fatalf("first line %q", line)
	}
	return url
}

func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// TestRestartServesSameBytes starts the service twice, as a restart does,
// and expects byte-identical feeds with equal ETags.
func TestRestartServesSameBytes(t *testing.T) {
	var bodies [2][]byte
	var etags [2]string
	for i := range 2 {
		url := start(t, []string{"-addr", "127.0.0.1:0"}, nil)
		resp, body := get(t, url)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/calendar; charset=utf-8" {
			t.Fatalf("GET %s: %s %s", url, resp.Status, resp.Header.Get("Content-Type"))
		}
		if !strings.Contains(string(body), "UID:craftsmen-conference-2022-opening@") {
			t.Fatalf("the feed lacks the opening ceremony")
		}
		bodies[i], etags[i] = body, resp.Header.Get("ETag")
	}
	if string(bodies[0]) != string(bodies[1]) || etags[0] != etags[1] || etags[0] == "" {
		t.Fatalf("restart changed the feed: ETags %s and %s", etags[0], etags[1])
	}
}

func TestFlagsFromEnvironment(t *testing.T) {
	url := start(t, nil, map[string]string{"FEED_ADDR": "127.0.0.1:0", "FEED_BASE_URL": "https://feed.example.org/"})
	if url != "https://feed.example.org/calendar.ics" {
		t.Fatalf("announced %s", url)
	}
}

func TestCatalogFile(t *testing.T) {
	url := start(t, []string{"-addr", "127.0.0.1:0", "-catalog", filepath.Join("..", "..", "testdata", "full.toml")}, nil)
	_, body := get(t, url)
	if !strings.Contains(string(body), "UID:summit@") {
		t.Fatal("the feed does not come from the catalog file")
	}
}

func TestStartupErrors(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	broken := filepath.Join(t.TempDir(), "broken.toml")
	if err := os.WriteFile(broken, []byte("[calendar]\nname.en = \"x\"\nname.zh = \"y\"\n\n[[event]]\nid = \"a\"\nkind = \"day-off\"\nholiday = \"labour-day\"\nname.en = \"A\"\nname.zh = \"甲\"\nstart = 2025-05-05\nend = 2025-05-01\nmodified = 2025-01-01T00:00:00Z\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"address taken", []string{"-addr", taken.Addr().String()}, "listen on " + taken.Addr().String()},
		{"invalid catalog", []string{"-addr", "127.0.0.1:0", "-catalog", broken}, broken + ":12: event[0].end: last day 2025-05-01 is before the first day 2025-05-05"},
		{"missing catalog", []string{"-addr", "127.0.0.1:0", "-catalog", "/nonexistent/catalog.toml"}, `load catalog "/nonexistent/catalog.toml"`},
		{"bad base URL", []string{"-addr", "127.0.0.1:0", "-base-url", "feed.example.org"}, "base URL"},
		{"markup in the base URL", []string{"-addr", "127.0.0.1:0", "-base-url", `http://x"><script>`}, `base URL "http://x\"><script>": byte 8`},
		{"base URL port out of range", []string{"-addr", "127.0.0.1:0", "-base-url", "http://feed.example.org:99999"}, "port must be a number from 1 to 65535"},
		{"base URL with a query", []string{"-addr", "127.0.0.1:0", "-base-url", "https://feed.example.org/?x=1"}, "query"},
		{"export with a user name in the base URL", []string{"export", "-o", t.TempDir(), "-base-url", "https://u@feed.example.org"}, "user name"},
		{"unknown flag", []string{"-port", "80"}, "flag provided but not defined"},
		{"unknown command", []string{"serve-now"}, `unknown command "serve-now"`},
		{"bad log format", []string{"-log-format", "xml"}, `-log-format "xml"`},
		{"bad access log sampling", []string{"-access-log", "1/0"}, `-access-log "1/0"`},
		{"stray argument", []string{"serve", "now"}, `unexpected argument "now"`},
		{"export without a directory", []string{"export", "-base-url", "https://feed.example.org"}, "export needs -o DIR"},
		{"export without a base URL", []string{"export", "-o", t.TempDir()}, "export needs -base-url"},
		{"check without files", []string{"check"}, "check needs at least one catalog file"},
		{"render a bad variant", []string{"render", "-query", "kind=holiday"}, `parameter "kind"`},
		{"render an event with a feed's parameter", []string{"render", "-event", "international-workers-day", "-query", "kind=day-off"}, `parameter "kind": chooses among a feed's events`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr strings.Builder
			// Bounded: a service that starts when it should not would
			// otherwise serve until the test binary's timeout.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := run(ctx, append([]string{"feed"}, tc.args...), func(string) string { return "" }, io.Discard, &stderr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("run = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestWarnsWithoutBaseURLBeyondLoopback: a service that other machines can
// reach and that has no -base-url says at start that its page's links
// follow the request's Host.
func TestWarnsWithoutBaseURLBeyondLoopback(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		warn bool
	}{
		{"every interface, no base URL", []string{"-addr", "0.0.0.0:0"}, true},
		{"loopback, no base URL", []string{"-addr", "127.0.0.1:0"}, false},
		{"every interface, base URL", []string{"-addr", "0.0.0.0:0", "-base-url", "https://feed.example.org"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log syncBuffer
			startLogging(t, tc.args, nil, &log)
			// The warning comes before the announcement that start waits for.
			if warned := strings.Contains(log.String(), "level=WARN msg=\"listening beyond loopback without -base-url"); warned != tc.warn {
				t.Errorf("warned %v, want %v; log:\n%s", warned, tc.warn, log.String())
			}
		})
	}
}

// TestCheckReportsEveryError runs feed check on each broken catalog of the
// events tests: it prints the expected positions and fails.
func TestCheckReportsEveryError(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "events", "testdata", "invalid", "*.toml"))
	if len(files) == 0 {
		t.Fatal("no broken catalogs")
	}
	for _, file := range files {
		var stdout strings.Builder
		err := run(context.Background(), []string{"feed", "check", file}, func(string) string { return "" }, &stdout, io.Discard)
		if err == nil {
			t.Errorf("%s: check passed", file)
			continue
		}
		data, _ := os.ReadFile(file)
		for line := range strings.SplitSeq(string(data), "\n") {
			want, ok := strings.CutPrefix(line, "# want: ")
			if !ok {
				continue
			}
			lineNo, field, _ := strings.Cut(want, " ")
			field, _, _ = strings.Cut(field, ": ")
			prefix := file
			if lineNo != "0" {
				prefix += ":" + lineNo
			}
			if field != "" {
				prefix += ": " + field + ": "
			}
			if !strings.Contains(stdout.String(), prefix) {
				t.Errorf("%s: output lacks %q:\n%s", file, prefix, stdout.String())
			}
		}
	}
	var stdout strings.Builder
	if err := run(context.Background(), []string{"feed", "check", filepath.Join("..", "..", "events", "catalog.toml")}, func(string) string { return "" }, &stdout, io.Discard); err != nil {
		t.Fatalf("the default catalog fails check: %v\n%s", err, stdout.String())
	}
	if !strings.Contains(stdout.String(), "ok, 99 events") {
		t.Errorf("check output %q", stdout.String())
	}
}

func TestRender(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"render"}, []string{"BEGIN:VCALENDAR\r\n", "UID:craftsmen-conference-2022-opening@"}},
		{[]string{"render", "-query", "kind=workday&lang=en", "-base-url", "https://feed.example.org"},
			[]string{"SUMMARY:Make-up working day (China\\, Labour Day)", "SOURCE;VALUE=URI:https://feed.example.org/calendars/Labour_Day_make-up"}},
		{[]string{"render", "-format", "json", "-event", "international-workers-day"}, []string{`["vcalendar",`, `"rrule",{},"recur",{"freq":"YEARLY"}`}},
		{[]string{"render", filepath.Join("..", "..", "testdata", "full.toml")}, []string{"UID:summit@"}},
	} {
		var stdout strings.Builder
		if err := run(context.Background(), append([]string{"feed"}, tc.args...), func(string) string { return "" }, &stdout, io.Discard); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(stdout.String(), w) {
				t.Errorf("%v: output lacks %q", tc.args, w)
			}
		}
	}
}

func TestExportCommand(t *testing.T) {
	dir := t.TempDir()
	args := []string{"feed", "export", "-o", dir, "-base-url", "https://feed.example.org"}
	var stdout strings.Builder
	if err := run(context.Background(), args, func(string) string { return "" }, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"calendar.ics", "calendar.ics.gz", "calendar.json", "_q/calendar.ics/kind=day-off.ics", "events/international-workers-day.ics", "nginx.conf", "_headers"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("export lacks %s", name)
		}
	}
	stdout.Reset()
	if err := run(context.Background(), args, func(string) string { return "" }, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "(0 changed)") {
		t.Errorf("a rerun changed files: %s", stdout.String())
	}
}

// TestExportRefusals: an export into a directory it must not write fails
// with exit status 1 and a reason, and writes nothing.
func TestExportRefusals(t *testing.T) {
	foreign := t.TempDir()
	for name, content := range map[string]string{"about.html": "mine", "config.json": "{}", "logo.png": "png", "personal.ics": "ics", "sub/data.json": "[]"} {
		p := filepath.Join(foreign, name)
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	locked := t.TempDir()
	lock, err := os.OpenFile(filepath.Join(locked, ".feed-export.lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	moduleRoot, _ := filepath.Abs(filepath.Join("..", ".."))
	for _, tc := range []struct {
		name, dir, want string
	}{
		{"foreign files", foreign, "refusing to export into a directory that no export wrote: " + foreign + " holds about.html, config.json, logo.png and 2 more, and no .feed-export-manifest; export into a new or empty directory, or pass -into-existing to write beside these files (they are never deleted)"},
		{"the root", "/", "refusing to export into /: it is the root directory"},
		{"the source tree", filepath.Join("..", ".."), "refusing to export into " + moduleRoot + ": it holds the Go module at " + moduleRoot},
		{"the command's sources", ".", "refusing to export into " + moduleRoot + "/cmd/feed: it holds Go sources ("},
		{"another export", locked, "another export is writing " + locked + "; try again when it has finished"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := os.ReadDir(tc.dir)
			args := []string{"feed", "export", "-o", tc.dir, "-base-url", "https://feed.example.org"}
			err := run(context.Background(), args, func(string) string { return "" }, io.Discard, io.Discard)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("run = %v\nwant %s", err, tc.want)
			}
			if after, _ := os.ReadDir(tc.dir); len(after) != len(before) {
				t.Errorf("the refused export wrote into %s", tc.dir)
			}
		})
	}

	// -into-existing writes beside the foreign files, and keeps them.
	for range 2 {
		args := []string{"feed", "export", "-o", foreign, "-into-existing", "-base-url", "https://feed.example.org"}
		if err := run(context.Background(), args, func(string) string { return "" }, io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"about.html", "config.json", "logo.png", "personal.ics", "sub/data.json", "calendar.ics", ".feed-export-manifest"} {
			if _, err := os.Stat(filepath.Join(foreign, name)); err != nil {
				t.Errorf("after export -into-existing: %v", err)
			}
		}
	}
}

func TestAccessLogFlags(t *testing.T) {
	for flag, want := range map[string]int{"off": 0, "all": 1, "1/100": 100} {
		if got, err := parseSampling(flag); err != nil || got != want {
			t.Errorf("parseSampling(%q) = %d, %v; want %d", flag, got, err, want)
		}
	}
}

// TestCPUProfile: -cpuprofile leaves a profile that go tool pprof reads (a
// gzipped protocol buffer) once the service has shut down.
func TestCPUProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cpu.prof")
	t.Cleanup(func() { // runs after start's own cleanup has shut the service down
		data, err := os.ReadFile(path)
		if err != nil || len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
			t.Errorf("no profile written: %v, %d bytes", err, len(data))
		}
	})
	url := start(t, []string{"-addr", "127.0.0.1:0", "-cpuprofile", path}, nil)
	get(t, url)
}

// TestRenderEveryHoliday: feed render with every holiday's days off and
// make-up working days lists exactly the breaks and make-up days of the
// State Council's notices, 2022–2026, and nothing else. The dates are
// written out here from the published notices, apart from the catalog.
func TestRenderEveryHoliday(t *testing.T) {
	// First and last day of every break, and every make-up working day.
	breaks := []string{
		"20220101-20220103", "20220131-20220206", "20220403-20220405", "20220430-20220504", "20220603-20220605", "20220910-20220912", "20221001-20221007",
		"20221231-20230102", "20230121-20230127", "20230405-20230405", "20230429-20230503", "20230622-20230624", "20230929-20231006",
		"20231230-20240101", "20240210-20240217", "20240404-20240406", "20240501-20240505", "20240608-20240610", "20240915-20240917", "20241001-20241007",
		"20250101-20250101", "20250128-20250204", "20250404-20250406", "20250501-20250505", "20250531-20250602", "20251001-20251008",
		"20260101-20260103", "20260215-20260223", "20260404-20260406", "20260501-20260505", "20260619-20260621", "20260925-20260927", "20261001-20261007",
	}
	workdays := []string{
		"20220129", "20220130", "20220402", "20220424", "20220507", "20221008", "20221009",
		"20230128", "20230129", "20230423", "20230506", "20230625", "20231007", "20231008",
		"20240204", "20240218", "20240407", "20240428", "20240511", "20240914", "20240929", "20241012",
		"20250126", "20250208", "20250427", "20250928", "20251011",
		"20260104", "20260214", "20260228", "20260509", "20260920", "20261010",
	}
	var stdout strings.Builder
	args := []string{"feed", "render", "-query", "holiday=all&kind=day-off,workday"}
	if err := run(context.Background(), args, func(string) string { return "" }, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	var gotBreaks, gotWorkdays []string
	for _, block := range strings.Split(stdout.String(), "BEGIN:VEVENT\r\n")[1:] {
		props := map[string]string{}
		for _, line := range strings.Split(block, "\r\n") {
			if name, value, ok := strings.Cut(line, ":"); ok {
				props[name] = value
			}
		}
		uid, start, end := props["UID"], props["DTSTART;VALUE=DATE"], props["DTEND;VALUE=DATE"]
		first, err1 := time.Parse("20060102", start)
		after, err2 := time.Parse("20060102", end)
		if err1 != nil || err2 != nil {
			t.Errorf("%s: not an all-day event: %q–%q", uid, start, end)
			continue
		}
		last := after.AddDate(0, 0, -1).Format("20060102")
		switch {
		case strings.Contains(uid, "-days-off@"):
			gotBreaks = append(gotBreaks, start+"-"+last)
		case strings.Contains(uid, "-workday-"):
			if last != start {
				t.Errorf("%s: a make-up working day of several days", uid)
			}
			if wd := first.Weekday(); wd != time.Saturday && wd != time.Sunday {
				t.Errorf("%s falls on a %s", uid, wd)
			}
			gotWorkdays = append(gotWorkdays, start)
		default:
			t.Errorf("the feed holds %s, neither a day off nor a make-up working day", uid)
		}
	}
	slices.Sort(gotBreaks)
	slices.Sort(gotWorkdays)
	if !slices.Equal(gotBreaks, breaks) {
		t.Errorf("breaks:\n got %v\nwant %v", gotBreaks, breaks)
	}
	if !slices.Equal(gotWorkdays, workdays) {
		t.Errorf("make-up working days:\n got %v\nwant %v", gotWorkdays, workdays)
	}
}

// renderedDays renders the default catalog with query and returns each
// all-day event's UID with its first and last day, YYYYMMDD-YYYYMMDD.
func renderedDays(t *testing.T, query string) map[string]string {
	t.Helper()
	var stdout strings.Builder
	if err := run(context.Background(), []string{"feed", "render", "-query", query}, func(string) string { return "" }, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	days := map[string]string{}
	for _, block := range strings.Split(stdout.String(), "BEGIN:VEVENT\r\n")[1:] {
		props := map[string]string{}
		for _, line := range strings.Split(block, "\r\n") {
			if name, value, ok := strings.Cut(line, ":"); ok {
				props[name] = value
			}
		}
		after, err := time.Parse("20060102", props["DTEND;VALUE=DATE"])
		if err != nil {
			days[props["UID"]] = "not all-day"
			continue
		}
		days[strings.TrimSuffix(props["UID"], "@"+events.UIDDomain)] = props["DTSTART;VALUE=DATE"] + "-" + after.AddDate(0, 0, -1).Format("20060102")
	}
	return days
}

// TestRenderStatutory: the years after the last notice (2026) up to the
// catalog's statutory_until (2030) hold each holiday's statutory days, as
// the project's facts list them, and nothing else; the default feed holds
// Labour Day's.
func TestRenderStatutory(t *testing.T) {
	want := map[string]string{}
	for _, row := range []struct {
		year                                int
		spring, qingming, dragon, midAutumn string
	}{
		{2027, "0205-0208", "0405", "0609", "0915"},
		{2028, "0125-0128", "0404", "0528", "1003"},
		{2029, "0212-0215", "0404", "0616", "0922"},
		{2030, "0202-0205", "0405", "0605", "0912"},
	} {
		y := strconv.Itoa(row.year)
		day := func(md string) string {
			first, last, ok := strings.Cut(md, "-")
			if !ok {
				last = first
			}
			return y + first + "-" + y + last
		}
		want["cn-new-year-"+y+"-statutory"] = day("0101")
		want["cn-spring-festival-"+y+"-statutory"] = day(row.spring)
		want["cn-qingming-"+y+"-statutory"] = day(row.qingming)
		want["cn-labour-day-"+y+"-statutory"] = day("0501-0502")
		want["cn-dragon-boat-"+y+"-statutory"] = day(row.dragon)
		want["cn-mid-autumn-"+y+"-statutory"] = day(row.midAutumn)
		want["cn-national-day-"+y+"-statutory"] = day("1001-1003")
	}
	if got := renderedDays(t, "holiday=all&kind=statutory"); !maps.Equal(got, want) {
		t.Errorf("holiday=all&kind=statutory:\n got %v\nwant %v", got, want)
	}
	full := renderedDays(t, "")
	for y := 2027; y <= 2030; y++ {
		id := fmt.Sprintf("cn-labour-day-%d-statutory", y)
		if full[id] != want[id] {
			t.Errorf("the default feed has %s as %q, want %q", id, full[id], want[id])
		}
	}
	for id := range full {
		if strings.HasSuffix(id, "-statutory") && !strings.HasPrefix(id, "cn-labour-day-") {
			t.Errorf("the default feed holds %s: only Labour Day's belong there", id)
		}
	}
}
