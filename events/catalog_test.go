package events

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestInvalidCatalogs decodes every broken catalog in testdata/invalid and
// compares the errors with the "# want:" lines at the end of the file: each
// problem must be reported, at its line and field, and nothing else.
func TestInvalidCatalogs(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test catalogs: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			wants := wantedErrors(t, file)
			_, err := Load(file)
			var got Errors
			if !errors.As(err, &got) {
				t.Fatalf("Load = %v, want a list of errors", err)
			}
			if len(got) != len(wants) {
				t.Errorf("got %d errors, want %d:\n%v", len(got), len(wants), err)
			}
			for i := range min(len(got), len(wants)) {
				g, w := got[i], wants[i]
				if g.File != file || g.Line != w.line || g.Field != w.field || !strings.HasPrefix(g.Msg, w.msg) {
					t.Errorf("error %d:\n got %s\nwant line %d field %q message starting %q", i, g, w.line, w.field, w.msg)
				}
			}
		})
	}
}

type wantedError struct {
	line       int
	field, msg string
}

func wantedErrors(t *testing.T, file string) []wantedError {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var wants []wantedError
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, MaxCatalogBytes) // a test of the string limit has a line longer than the default
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "# want: ")
		if !ok {
			continue
		}
		lineStr, rest, _ := strings.Cut(rest, " ")
		field, msg, _ := strings.Cut(rest, ": ")
		line, err := strconv.Atoi(lineStr)
		if err != nil {
			t.Fatalf("bad want line %q", sc.Text())
		}
		wants = append(wants, wantedError{line, field, msg})
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if len(wants) == 0 {
		t.Fatalf("%s has no # want: lines", file)
	}
	return wants
}

func TestErrorMessageNamesFileLineField(t *testing.T) {
	_, err := Parse("my.toml", []byte("[calendar]\nname.en = \"x\"\nname.zh = \"y\"\n\n[[event]]\nid = \"a\"\n"))
	if err == nil {
		t.Fatal("accepted an event with no kind, name or start")
	}
	first := strings.Split(err.Error(), "\n")[0]
	if first != "my.toml:5: event[0].kind: missing" {
		t.Errorf("first error reads %q", first)
	}
}

func TestKeyLines(t *testing.T) {
	doc := `
[calendar]
name.en = "x"

[[event]]
id = "a"
location = { name = { en = "p" } }
sources = [
  { title = "t", url = "u" },
  { title = "t2",
    url = "u2" },
]

[[event]]
id = "b"
[event.location]
name.zh = "地"
`
	lines, tooDeep := keyLines([]byte(doc), MaxFieldDepth)
	if len(tooDeep) > 0 {
		t.Errorf("too deep: %v", tooDeep)
	}
	for path, want := range map[string]int{
		"calendar": 2, "calendar.name": 3, "calendar.name.en": 3,
		"event": 5, "event[0]": 5, "event[0].id": 6, "event[0].location.name.en": 7,
		"event[0].sources": 8, "event[0].sources[0]": 9, "event[0].sources[0].url": 9,
		"event[0].sources[1]": 10, "event[0].sources[1].url": 11,
		"event[1]": 14, "event[1].id": 15, "event[1].location": 16, "event[1].location.name.zh": 17,
	} {
		if got := lines[path]; got != want {
			t.Errorf("line of %s = %d, want %d", path, got, want)
		}
	}
}

// TestDefaultCatalogFacts holds the embedded catalog to the checked facts:
// the conference, its opening, Workers' Day, and each year's Labour Day
// days off and make-up working days as the State Council's notices set them.
func TestDefaultCatalogFacts(t *testing.T) {
	cat, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	shanghai, _ := time.LoadLocation("Asia/Shanghai")

	conf := mustEvent(t, cat, "craftsmen-conference-2022")
	if conf.Kind != KindConference || !conf.When.AllDay || conf.When.First != (Date{2022, 4, 27}) || conf.When.Last != (Date{2022, 4, 29}) {
		t.Errorf("conference: %+v", conf.When)
	}
	for _, want := range []string{"Craftsmanship and Innovation Makes China Stronger", "All-China Federation of Trade Unions", "Shenzhen Convention & Exhibition Center", "77 exchange areas"} {
		if !strings.Contains(conf.Description.EN, want) {
			t.Errorf("conference description lacks %q", want)
		}
	}
	if conf.Name.ZH != "首届大国工匠创新交流大会" || !strings.Contains(conf.Description.ZH, "技能强国，创新有我") {
		t.Errorf("conference Chinese text: %q", conf.Name.ZH)
	}

	opening := mustEvent(t, cat, "craftsmen-conference-2022-opening")
	if opening.Kind != KindCeremony || opening.When.AllDay || opening.When.HasEnd() ||
		!opening.When.Start.Equal(time.Date(2022, 4, 27, 10, 0, 0, 0, shanghai)) || opening.When.Zone.String() != "Asia/Shanghai" {
		t.Errorf("opening ceremony: %+v", opening.When)
	}
	if !strings.Contains(opening.Location.Name.EN, "Beijing") {
		t.Errorf("opening venue %q", opening.Location.Name.EN)
	}

	workers := mustEvent(t, cat, "international-workers-day")
	if workers.Recur != RecurYearly || workers.When.First.Month != time.May || workers.When.First.Day != 1 || workers.When.Last != workers.When.First {
		t.Errorf("Workers' Day: %+v %s", workers.When, workers.Recur)
	}

	type arrangement struct {
		first, last Date
		workdays    []Date
		notice      string
	}
	labour := map[int]arrangement{
		2022: {Date{2022, 4, 30}, Date{2022, 5, 4}, []Date{{2022, 4, 24}, {2022, 5, 7}}, "https://www.gov.cn/zhengce/content/2021-10/25/content_5644835.htm"},
		2023: {Date{2023, 4, 29}, Date{2023, 5, 3}, []Date{{2023, 4, 23}, {2023, 5, 6}}, "https://www.gov.cn/zhengce/content/2022-12/08/content_5730844.htm"},
		2024: {Date{2024, 5, 1}, Date{2024, 5, 5}, []Date{{2024, 4, 28}, {2024, 5, 11}}, "https://www.gov.cn/zhengce/content/202310/content_6911527.htm"},
		2025: {Date{2025, 5, 1}, Date{2025, 5, 5}, []Date{{2025, 4, 27}}, "https://www.gov.cn/zhengce/content/202411/content_6986382.htm"},
		2026: {Date{2026, 5, 1}, Date{2026, 5, 5}, []Date{{2026, 5, 9}}, "https://www.gov.cn/zhengce/content/202511/content_7047090.htm"},
	}
	for year, want := range labour {
		off := mustEvent(t, cat, fmt.Sprintf("cn-labour-day-%d-days-off", year))
		if off.Kind != KindDayOff || !off.When.AllDay || off.When.First != want.first || off.When.Last != want.last || off.URL != want.notice {
			t.Errorf("%d days off: %s–%s %s", year, off.When.First, off.When.Last, off.URL)
		}
		var workdays []Date
		for _, ev := range cat.Events {
			if ev.Kind == KindWorkday && ev.When.First.Year == year {
				workdays = append(workdays, ev.When.First)
				if ev.When.Last != ev.When.First || ev.URL != want.notice {
					t.Errorf("%s: %s–%s %s", ev.ID, ev.When.First, ev.When.Last, ev.URL)
				}
				if wd := ev.When.First.Weekday(); wd != time.Saturday && wd != time.Sunday {
					t.Errorf("%s falls on a %s; make-up working days are weekend days", ev.ID, wd)
				}
			}
		}
		if fmt.Sprint(workdays) != fmt.Sprint(want.workdays) {
			t.Errorf("%d make-up working days %v, want %v", year, workdays, want.workdays)
		}
	}
	if n := 3 + 5 + 8; len(cat.Events) != n {
		t.Errorf("the default catalog has %d events, the facts make %d", len(cat.Events), n)
	}
	for _, ev := range cat.Events {
		if len(ev.Sources) == 0 || ev.Name.EN == "" || ev.Name.ZH == "" || ev.Description.EN == "" || ev.Description.ZH == "" {
			t.Errorf("%s lacks a source, a name or a description", ev.ID)
		}
	}
}

func mustEvent(t *testing.T, cat *Catalog, id string) Event {
	t.Helper()
	ev, ok := cat.Event(id)
	if !ok {
		t.Fatalf("no event %q", id)
	}
	return ev
}

// FuzzParse: whatever the input, Parse never panics, and a rejection is a
// list of errors each of which says where to look.
func FuzzParse(f *testing.F) {
	f.Add(DefaultSource())
	seeds, _ := filepath.Glob("testdata/invalid/*.toml")
	for _, s := range seeds {
		b, _ := os.ReadFile(s)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cat, err := Parse("fuzz.toml", data)
		if err == nil {
			if cat == nil || len(cat.Events) == 0 {
				t.Fatal("accepted a catalog without events")
			}
			return
		}
		var list Errors
		if !errors.As(err, &list) || len(list) == 0 {
			t.Fatalf("error is not a list of positioned errors: %v", err)
		}
		for _, e := range list {
			if e.File != "fuzz.toml" || (e.Line == 0 && e.Field == "") || e.Msg == "" {
				t.Fatalf("error without a position: %#v", e)
			}
		}
	})
}

func ExampleParse() {
	_, err := Parse("holidays.toml", []byte(`
[calendar]
name.en = "Holidays"
name.zh = "假日"

[[event]]
id = "labour-day"
kind = "day-off"
holiday = "labour-day"
name.en = "Labour Day"
start = 2025-05-05
end = 2025-05-01
modified = 2025-01-01T00:00:00Z
`))
	fmt.Println(err)
	// Output:
	// holidays.toml:10: event[0].name.zh: missing
	// holidays.toml:12: event[0].end: last day 2025-05-01 is before the first day 2025-05-05
}
