package events

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
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
// the conference, its opening, Workers' Day, and each year's days off and
// make-up working days of every holiday as the State Council's notices set
// them.
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

	// The Guangdong federation, Shenzhen and the technical association
	// organised the conference (承办); the co-organisers (协办) are others.
	if !strings.Contains(conf.Description.EN, "organised by the Guangdong Provincial Federation of Trade Unions, the Shenzhen Municipal Government and the China Workers' Technical Association; co-organised by the Shenzhen Municipal Federation of Trade Unions and the Guangdong Workers' Technical Association") ||
		!strings.Contains(conf.Description.ZH, "广东省总工会、深圳市人民政府、中国职工技术协会承办；深圳市总工会、广东职工技术协会协办") {
		t.Errorf("conference organisers: %q / %q", conf.Description.EN, conf.Description.ZH)
	}

	opening := mustEvent(t, cat, "craftsmen-conference-2022-opening")
	for _, s := range []string{opening.Description.EN, opening.Location.Name.EN} {
		if !strings.Contains(s, "central state-owned enterprises") {
			t.Errorf("opening: %q lacks the central state-owned enterprises' sub-venues", s)
		}
	}
	for _, s := range []string{opening.Description.ZH, opening.Location.Name.ZH} {
		if !strings.Contains(s, "有关中央企业分会场") {
			t.Errorf("opening: %q lacks 有关中央企业分会场", s)
		}
	}
	if opening.Kind != KindCeremony || opening.When.AllDay || opening.When.HasEnd() ||
		!opening.When.Start.Equal(time.Date(2022, 4, 27, 10, 0, 0, 0, shanghai)) || opening.When.Zone.String() != "Asia/Shanghai" {
		t.Errorf("opening ceremony: %+v", opening.When)
	}
	if !strings.Contains(opening.Location.Name.EN, "Beijing") {
		t.Errorf("opening venue %q", opening.Location.Name.EN)
	}

	checkConferenceEditions(t, cat)

	workers := mustEvent(t, cat, "international-workers-day")
	if workers.Recur != RecurYearly || workers.When.First.Month != time.May || workers.When.First.Day != 1 || workers.When.Last != workers.When.First {
		t.Errorf("Workers' Day: %+v %s", workers.When, workers.Recur)
	}
	if !strings.Contains(workers.Description.EN, "Decree No. 795, signed on 10 November 2024 and published on 12 November 2024") ||
		!strings.Contains(workers.Description.ZH, "国务院令第795号（2024年11月10日签署、11月12日公布）") {
		t.Errorf("Workers' Day does not name the decree that amended the regulations: %q", workers.Description.EN)
	}

	checkHolidayFacts(t, cat)
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

// noticeURLs are the State Council's yearly notices on holiday arrangements.
var noticeURLs = map[int]string{
	2022: "https://www.gov.cn/zhengce/content/2021-10/25/content_5644835.htm",
	2023: "https://www.gov.cn/zhengce/content/2022-12/08/content_5730844.htm",
	2024: "https://www.gov.cn/zhengce/content/202310/content_6911527.htm",
	2025: "https://www.gov.cn/zhengce/content/202411/content_6986382.htm",
	2026: "https://www.gov.cn/zhengce/content/202511/content_7047090.htm",
}

// holidayFacts is the table of every break, 2022–2026, copied by hand from
// the checked facts with the weekdays they give, so that a wrong date or a
// wrong weekday in either the table or the catalog shows up.
var holidayFacts = []struct {
	year        int
	holiday     Holiday
	first, last string
	workdays    []string
}{
	{2022, HolidayNewYear, "Sat 1 Jan 2022", "Mon 3 Jan 2022", nil},
	{2022, HolidaySpringFestival, "Mon 31 Jan 2022", "Sun 6 Feb 2022", []string{"Sat 29 Jan 2022", "Sun 30 Jan 2022"}},
	{2022, HolidayQingming, "Sun 3 Apr 2022", "Tue 5 Apr 2022", []string{"Sat 2 Apr 2022"}},
	{2022, HolidayLabourDay, "Sat 30 Apr 2022", "Wed 4 May 2022", []string{"Sun 24 Apr 2022", "Sat 7 May 2022"}},
	{2022, HolidayDragonBoat, "Fri 3 Jun 2022", "Sun 5 Jun 2022", nil},
	{2022, HolidayMidAutumn, "Sat 10 Sep 2022", "Mon 12 Sep 2022", nil},
	{2022, HolidayNationalDay, "Sat 1 Oct 2022", "Fri 7 Oct 2022", []string{"Sat 8 Oct 2022", "Sun 9 Oct 2022"}},
	{2023, HolidayNewYear, "Sat 31 Dec 2022", "Mon 2 Jan 2023", nil},
	{2023, HolidaySpringFestival, "Sat 21 Jan 2023", "Fri 27 Jan 2023", []string{"Sat 28 Jan 2023", "Sun 29 Jan 2023"}},
	{2023, HolidayQingming, "Wed 5 Apr 2023", "Wed 5 Apr 2023", nil},
	{2023, HolidayLabourDay, "Sat 29 Apr 2023", "Wed 3 May 2023", []string{"Sun 23 Apr 2023", "Sat 6 May 2023"}},
	{2023, HolidayDragonBoat, "Thu 22 Jun 2023", "Sat 24 Jun 2023", []string{"Sun 25 Jun 2023"}},
	{2023, HolidayMidAutumnNationalDay, "Fri 29 Sep 2023", "Fri 6 Oct 2023", []string{"Sat 7 Oct 2023", "Sun 8 Oct 2023"}},
	{2024, HolidayNewYear, "Sat 30 Dec 2023", "Mon 1 Jan 2024", nil},
	{2024, HolidaySpringFestival, "Sat 10 Feb 2024", "Sat 17 Feb 2024", []string{"Sun 4 Feb 2024", "Sun 18 Feb 2024"}},
	{2024, HolidayQingming, "Thu 4 Apr 2024", "Sat 6 Apr 2024", []string{"Sun 7 Apr 2024"}},
	{2024, HolidayLabourDay, "Wed 1 May 2024", "Sun 5 May 2024", []string{"Sun 28 Apr 2024", "Sat 11 May 2024"}},
	{2024, HolidayDragonBoat, "Sat 8 Jun 2024", "Mon 10 Jun 2024", nil},
	{2024, HolidayMidAutumn, "Sun 15 Sep 2024", "Tue 17 Sep 2024", []string{"Sat 14 Sep 2024"}},
	{2024, HolidayNationalDay, "Tue 1 Oct 2024", "Mon 7 Oct 2024", []string{"Sun 29 Sep 2024", "Sat 12 Oct 2024"}},
	{2025, HolidayNewYear, "Wed 1 Jan 2025", "Wed 1 Jan 2025", nil},
	{2025, HolidaySpringFestival, "Tue 28 Jan 2025", "Tue 4 Feb 2025", []string{"Sun 26 Jan 2025", "Sat 8 Feb 2025"}},
	{2025, HolidayQingming, "Fri 4 Apr 2025", "Sun 6 Apr 2025", nil},
	{2025, HolidayLabourDay, "Thu 1 May 2025", "Mon 5 May 2025", []string{"Sun 27 Apr 2025"}},
	{2025, HolidayDragonBoat, "Sat 31 May 2025", "Mon 2 Jun 2025", nil},
	{2025, HolidayMidAutumnNationalDay, "Wed 1 Oct 2025", "Wed 8 Oct 2025", []string{"Sun 28 Sep 2025", "Sat 11 Oct 2025"}},
	{2026, HolidayNewYear, "Thu 1 Jan 2026", "Sat 3 Jan 2026", []string{"Sun 4 Jan 2026"}},
	{2026, HolidaySpringFestival, "Sun 15 Feb 2026", "Mon 23 Feb 2026", []string{"Sat 14 Feb 2026", "Sat 28 Feb 2026"}},
	{2026, HolidayQingming, "Sat 4 Apr 2026", "Mon 6 Apr 2026", nil},
	{2026, HolidayLabourDay, "Fri 1 May 2026", "Tue 5 May 2026", []string{"Sat 9 May 2026"}},
	{2026, HolidayDragonBoat, "Fri 19 Jun 2026", "Sun 21 Jun 2026", nil},
	{2026, HolidayMidAutumn, "Fri 25 Sep 2026", "Sun 27 Sep 2026", nil},
	{2026, HolidayNationalDay, "Thu 1 Oct 2026", "Wed 7 Oct 2026", []string{"Sun 20 Sep 2026", "Sat 10 Oct 2026"}},
}

// factDate reads a day as the facts write it, "Sat 1 Jan 2022", and fails
// the test when the weekday is not that day's.
func factDate(t *testing.T, s string) Date {
	t.Helper()
	tm, err := time.Parse("Mon 2 Jan 2006", s)
	if err != nil {
		t.Fatalf("fact %q: %v", s, err)
	}
	if got := tm.Weekday().String()[:3]; got != s[:3] {
		t.Errorf("fact %q: that day is a %s", s, tm.Weekday())
	}
	return DateOf(tm)
}

func checkHolidayFacts(t *testing.T, cat *Catalog) {
	t.Helper()
	want := map[string]bool{}
	for _, f := range holidayFacts {
		first, last := factDate(t, f.first), factDate(t, f.last)
		notice := noticeURLs[f.year]
		days := int(last.In(time.UTC).Sub(first.In(time.UTC)).Hours()/24) + 1
		id := fmt.Sprintf("cn-%s-%d-days-off", f.holiday, f.year)
		want[id] = true
		off := mustEvent(t, cat, id)
		if off.Kind != KindDayOff || off.Holiday != f.holiday || !off.When.AllDay || off.When.First != first || off.When.Last != last {
			t.Errorf("%s: %s %s %s–%s, want %s %s–%s", id, off.Kind, off.Holiday, off.When.First, off.When.Last, f.holiday, first, last)
		}
		if off.Name.EN != f.holiday.Name().EN+" holiday (China): days off" || off.Name.ZH != f.holiday.Name().ZH+"放假" {
			t.Errorf("%s is named %q / %q", id, off.Name.EN, off.Name.ZH)
		}
		enDays, zhDays := fmt.Sprintf("(%d days)", days), fmt.Sprintf("共%d天", days)
		if days == 1 {
			enDays, zhDays = "one day off", "1天"
		}
		if !strings.Contains(off.Description.EN, enDays) || !strings.Contains(off.Description.ZH, zhDays) {
			t.Errorf("%s: the description does not say %q / %q", id, enDays, zhDays)
		}
		checkNotice(t, off, f.year, notice)
		checkWeekdays(t, off, f.year)
		var workdays []Date
		for _, w := range f.workdays {
			day := factDate(t, w)
			workdays = append(workdays, day)
			if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
				t.Errorf("fact %s: make-up working days are weekend days", w)
			}
			id := fmt.Sprintf("cn-%s-%d-workday-%02d-%02d", f.holiday, f.year, day.Month, day.Day)
			want[id] = true
			ev := mustEvent(t, cat, id)
			if ev.Kind != KindWorkday || ev.Holiday != f.holiday || !ev.When.AllDay || ev.When.First != day || ev.When.Last != day {
				t.Errorf("%s: %s %s %s–%s, want %s", id, ev.Kind, ev.Holiday, ev.When.First, ev.When.Last, day)
			}
			if ev.Name.EN != "Make-up working day (China, "+f.holiday.Name().EN+")" || ev.Name.ZH != f.holiday.Name().ZH+"调休上班" {
				t.Errorf("%s is named %q / %q", id, ev.Name.EN, ev.Name.ZH)
			}
			checkNotice(t, ev, f.year, notice)
			checkWeekdays(t, ev, f.year)
		}
		// The break's description names each make-up day.
		for _, d := range workdays {
			if zh := fmt.Sprintf("%d月%d日（%s）", d.Month, d.Day, chineseWeekdays[d.Weekday()]); !strings.Contains(off.Description.ZH, zh) {
				t.Errorf("%s: the Chinese description does not name %s", id, zh)
			}
			if en := fmt.Sprintf("%s %d %s", d.Weekday(), d.Day, d.Month); !strings.Contains(off.Description.EN, en) {
				t.Errorf("%s: the English description does not name %s", id, en)
			}
		}
	}
	statutory := 0
	for _, ev := range cat.Events {
		if ev.Kind == KindStatutory {
			// Derived for the years without a notice: 2027 to 2030, seven
			// holidays each (their days: TestStatutoryDaysAhead).
			if y := ev.When.Last.Year; y < 2027 || y > 2030 {
				t.Errorf("%s: statutory days derived for %d, a year with a notice or beyond statutory_until", ev.ID, y)
			}
			statutory++
			continue
		}
		if ev.Kind.HasHoliday() && !want[ev.ID] {
			t.Errorf("%s is not in the facts", ev.ID)
		}
	}
	if statutory != 4*7 {
		t.Errorf("%d statutory events, want 28 (2027–2030)", statutory)
	}
	// The conference's editions, its opening and Workers' Day.
	if n := len(conferenceEditions) + 2 + len(want) + statutory; len(cat.Events) != n {
		t.Errorf("the default catalog has %d events, the facts make %d", len(cat.Events), n)
	}
}

func checkNotice(t *testing.T, ev Event, year int, notice string) {
	t.Helper()
	title := fmt.Sprintf("国务院办公厅关于%d年部分节假日安排的通知", year)
	if ev.URL != notice || len(ev.Sources) != 1 || ev.Sources[0].URL != notice || ev.Sources[0].Title != title {
		t.Errorf("%s links %s %+v, want the %d notice %s", ev.ID, ev.URL, ev.Sources, year, notice)
	}
}

var chineseWeekdays = [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

var (
	englishDay = regexp.MustCompile(`(Sunday|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday) (\d{1,2}) (January|February|March|April|May|June|July|August|September|October|November|December)(?: (\d{4}))?`)
	chineseDay = regexp.MustCompile(`(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日（(星期.)）`)
)

// checkWeekdays holds every weekday an event's descriptions name to its
// date; a day without a year is in the notice's year.
func checkWeekdays(t *testing.T, ev Event, year int) {
	t.Helper()
	yearOf := func(s string) int {
		if s == "" {
			return year
		}
		y, _ := strconv.Atoi(s)
		return y
	}
	for _, m := range englishDay.FindAllStringSubmatch(ev.Description.EN, -1) {
		day, _ := strconv.Atoi(m[2])
		month, _ := time.Parse("January", m[3])
		if wd := (Date{yearOf(m[4]), month.Month(), day}).Weekday().String(); wd != m[1] {
			t.Errorf("%s: %q is a %s", ev.ID, m[0], wd)
		}
	}
	for _, m := range chineseDay.FindAllStringSubmatch(ev.Description.ZH, -1) {
		month, _ := strconv.Atoi(m[2])
		day, _ := strconv.Atoi(m[3])
		if wd := chineseWeekdays[(Date{yearOf(m[1]), time.Month(month), day}).Weekday()]; wd != m[4] {
			t.Errorf("%s: %q is a %s", ev.ID, m[0], wd)
		}
	}
}

// conferenceEditions is the series of the Innovation Exchange Conference for
// Craftsmen of the Nation, copied by hand from the checked facts: each
// edition's days (with their weekdays), city and venue, hosts, theme and
// the pages and outlets that report it. Unpublished facts are listed so
// that the description must say they were not published.
var conferenceEditions = []struct {
	id, nameEN, nameZH string
	first, last        string
	placeEN, placeZH   string
	// hostsZH and themeZH are as published; inEN and inZH are further
	// phrases each description must hold (hosts, organisers, venue, what
	// was not published, sources cited by name).
	hostsZH, themeZH string
	inEN, inZH       []string
	url              string
	sources          []string
}{
	{
		id: "craftsmen-conference-2022", nameEN: "The First Innovation Exchange Conference for Craftsmen of the Nation", nameZH: "首届大国工匠创新交流大会",
		first: "Wed 27 Apr 2022", last: "Fri 29 Apr 2022",
		placeEN: "Shenzhen Convention & Exhibition Center", placeZH: "深圳会展中心",
		hostsZH: "中华全国总工会主办", themeZH: "技能强国，创新有我",
		inEN: []string{"All-China Federation of Trade Unions", "Opened by video in Beijing on Wednesday 27 April"},
		inZH: []string{"广东省总工会、深圳市人民政府、中国职工技术协会承办"},
		url:  "http://en.people.cn/n3/2022/0428/c90000-10090244.html",
		sources: []string{
			"http://en.people.cn/n3/2022/0428/c90000-10090244.html",
			"http://wp.rexun.cn/shehui/2022/0428/042870809.html",
			"https://workercn.cn/papers/grrb/2022/04/30/1/news-5.html",
		},
	},
	{
		id: "craftsmen-conference-2023", nameEN: "The Second Innovation Exchange Conference for Craftsmen of the Nation and Craftsmen of the Nation Forum", nameZH: "第二届大国工匠创新交流大会暨大国工匠论坛",
		first: "Fri 28 Jul 2023", last: "Sun 30 Jul 2023",
		placeEN: "Beijing Exhibition Center, Beijing", placeZH: "北京展览馆（北京）",
		hostsZH: "中华全国总工会、中共北京市委、北京市人民政府共同主办", themeZH: "匠心筑梦 技能报国",
		inEN: []string{
			"Craftsmen of the Nation Forum", "Crafting dreams with ingenuity, serving the country with skills",
			"the All-China Federation of Trade Unions (ACFTU), the CPC Beijing Municipal Committee and the Beijing Municipal Government",
			"organised by the ACFTU's Department of Labour and Economic Work and the Beijing Federation of Trade Unions",
			"Three days", "on the morning of 28 July (the clock time was not published)", "closing ceremony was held there on the morning of 30 July",
			"Xinwen Lianbo", "28 July 2023", "Workers' Daily",
		},
		inZH: []string{"中华全国总工会劳动和经济工作部、北京市总工会承办", "为期三天", "7月28日上午开幕（具体时间未公布）", "闭幕式于7月30日上午在北京展览馆举行", "《新闻联播》", "《工人日报》"},
		url:  "http://bj.people.com.cn/n2/2023/0729/c82837-40511938.html",
		sources: []string{
			"http://bj.people.com.cn/n2/2023/0729/c82837-40511938.html",
			"http://www.sxgrw.com/2023/07/31/9961887.html",
		},
	},
	{
		id: "craftsmen-conference-2025", nameEN: "The Third Innovation Exchange Conference for Craftsmen of the Nation and Craftsmen of the Nation Forum", nameZH: "第三届大国工匠创新交流大会暨大国工匠论坛",
		first: "Tue 23 Sep 2025", last: "Fri 26 Sep 2025",
		placeEN: "Chongqing", placeZH: "重庆",
		hostsZH: "中华全国总工会、中共重庆市委、重庆市人民政府共同主办", themeZH: "匠心铸梦，向新而行",
		inEN: []string{
			"Craftsmen of the Nation Forum",
			"the All-China Federation of Trade Unions (ACFTU), the CPC Chongqing Municipal Committee and the Chongqing Municipal Government",
			"the organisers were not published", "declared open at about 11:00; no start time of an opening ceremony was published",
			"four days (23–26 September), comes from one source only", "Hualong", "The main venue was not published",
			"Yuelai International Convention Center on the afternoon of 24 September", "Workers' Daily (工人日报) on 24 September 2025, page 2",
		},
		inZH: []string{"承办单位未公布", "11时许宣布开幕", "开幕式开始时间未公布", "会期4天", "仅见于华龙网", "主会场未公布", "悦来国际会议中心", "《工人日报》2025年9月24日第2版"},
		url:  "https://cq.news.cn/20250924/cd9c5201939346778628b097e681bd50/c.html",
		sources: []string{
			"https://cq.news.cn/20250924/cd9c5201939346778628b097e681bd50/c.html",
		},
	},
}

// checkConferenceEditions holds each edition of the conference to the
// facts: an all-day event of its days, in both languages, with its place,
// hosts, theme and sources; no clock time where none was published; and no
// other series (the Changsha forum of 2022, the yearly award broadcasts)
// passed off as an edition.
func checkConferenceEditions(t *testing.T, cat *Catalog) {
	t.Helper()
	want := map[string]bool{}
	for _, e := range conferenceEditions {
		want[e.id] = true
		ev := mustEvent(t, cat, e.id)
		first, last := factDate(t, e.first), factDate(t, e.last)
		if ev.Kind != KindConference || !ev.When.AllDay || ev.When.First != first || ev.When.Last != last || ev.Recur != RecurNone || ev.Status != StatusConfirmed {
			t.Errorf("%s: %s %+v %s %s, want an all-day conference %s–%s", e.id, ev.Kind, ev.When, ev.Recur, ev.Status, first, last)
		}
		if ev.Name.EN != e.nameEN || ev.Name.ZH != e.nameZH {
			t.Errorf("%s is named %q / %q", e.id, ev.Name.EN, ev.Name.ZH)
		}
		if !strings.Contains(ev.Location.Name.EN, e.placeEN) || !strings.Contains(ev.Location.Name.ZH, e.placeZH) {
			t.Errorf("%s: place %q / %q, want %q / %q", e.id, ev.Location.Name.EN, ev.Location.Name.ZH, e.placeEN, e.placeZH)
		}
		for _, s := range append([]string{e.hostsZH, e.themeZH}, e.inZH...) {
			if !strings.Contains(ev.Description.ZH, s) {
				t.Errorf("%s: the Chinese description lacks %q", e.id, s)
			}
		}
		for _, s := range e.inEN {
			if !strings.Contains(ev.Description.EN, s) {
				t.Errorf("%s: the English description lacks %q", e.id, s)
			}
		}
		var urls []string
		for _, s := range ev.Sources {
			urls = append(urls, s.URL)
		}
		if ev.URL != e.url || !slices.Equal(urls, e.sources) {
			t.Errorf("%s links %s and %v, want %s and %v", e.id, ev.URL, urls, e.url, e.sources)
		}
		checkWeekdays(t, ev, first.Year)
	}
	// 2023's theme is 筑梦, 2025's 铸梦: neither borrows the other's.
	if strings.Contains(mustEvent(t, cat, "craftsmen-conference-2025").Description.ZH, "筑梦") ||
		strings.Contains(mustEvent(t, cat, "craftsmen-conference-2023").Description.ZH, "铸梦") {
		t.Error("the 2023 and 2025 themes are mixed up")
	}
	for _, ev := range cat.Events {
		if ev.Kind == KindConference && !want[ev.ID] {
			t.Errorf("%s is a conference the facts do not list", ev.ID)
		}
		if ev.Kind == KindCeremony && ev.ID != "craftsmen-conference-2022-opening" {
			t.Errorf("%s is a ceremony; the only one with a published time is the 2022 opening", ev.ID)
		}
		for _, other := range []string{"首届大国工匠论坛", "Changsha", "长沙", "年度人物"} {
			if strings.Contains(ev.Name.EN+ev.Name.ZH+ev.Description.EN+ev.Description.ZH, other) {
				t.Errorf("%s names %q, of another series", ev.ID, other)
			}
		}
	}
}
