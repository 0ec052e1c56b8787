package notice

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"feed/events"
)

// noticeURLs are the notices' addresses, which the texts under testdata
// carry on their first line, as pasted from the address bar.
var noticeURLs = map[int]string{
	2022: "https://www.gov.cn/zhengce/content/2021-10/25/content_5644835.htm",
	2023: "https://www.gov.cn/zhengce/content/2022-12/08/content_5730844.htm",
	2024: "https://www.gov.cn/zhengce/content/202310/content_6911527.htm",
	2025: "https://www.gov.cn/zhengce/content/202411/content_6986382.htm",
	2026: "https://www.gov.cn/zhengce/content/202511/content_7047090.htm",
}

var modified = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// want is the table of every holiday 2022–2026: the break and the
// make-up working days, as the notices set them.
type wantBreak struct {
	holiday     events.Holiday
	first, last string
	workdays    []string
}

var wantYears = map[int][]wantBreak{
	2022: {
		{events.HolidayNewYear, "2022-01-01", "2022-01-03", nil},
		{events.HolidaySpringFestival, "2022-01-31", "2022-02-06", []string{"2022-01-29", "2022-01-30"}},
		{events.HolidayQingming, "2022-04-03", "2022-04-05", []string{"2022-04-02"}},
		{events.HolidayLabourDay, "2022-04-30", "2022-05-04", []string{"2022-04-24", "2022-05-07"}},
		{events.HolidayDragonBoat, "2022-06-03", "2022-06-05", nil},
		{events.HolidayMidAutumn, "2022-09-10", "2022-09-12", nil},
		{events.HolidayNationalDay, "2022-10-01", "2022-10-07", []string{"2022-10-08", "2022-10-09"}},
	},
	2023: {
		{events.HolidayNewYear, "2022-12-31", "2023-01-02", nil},
		{events.HolidaySpringFestival, "2023-01-21", "2023-01-27", []string{"2023-01-28", "2023-01-29"}},
		{events.HolidayQingming, "2023-04-05", "2023-04-05", nil},
		{events.HolidayLabourDay, "2023-04-29", "2023-05-03", []string{"2023-04-23", "2023-05-06"}},
		{events.HolidayDragonBoat, "2023-06-22", "2023-06-24", []string{"2023-06-25"}},
		{events.HolidayMidAutumnNationalDay, "2023-09-29", "2023-10-06", []string{"2023-10-07", "2023-10-08"}},
	},
	2024: {
		{events.HolidayNewYear, "2023-12-30", "2024-01-01", nil},
		{events.HolidaySpringFestival, "2024-02-10", "2024-02-17", []string{"2024-02-04", "2024-02-18"}},
		{events.HolidayQingming, "2024-04-04", "2024-04-06", []string{"2024-04-07"}},
		{events.HolidayLabourDay, "2024-05-01", "2024-05-05", []string{"2024-04-28", "2024-05-11"}},
		{events.HolidayDragonBoat, "2024-06-08", "2024-06-10", nil},
		{events.HolidayMidAutumn, "2024-09-15", "2024-09-17", []string{"2024-09-14"}},
		{events.HolidayNationalDay, "2024-10-01", "2024-10-07", []string{"2024-09-29", "2024-10-12"}},
	},
	2025: {
		{events.HolidayNewYear, "2025-01-01", "2025-01-01", nil},
		{events.HolidaySpringFestival, "2025-01-28", "2025-02-04", []string{"2025-01-26", "2025-02-08"}},
		{events.HolidayQingming, "2025-04-04", "2025-04-06", nil},
		{events.HolidayLabourDay, "2025-05-01", "2025-05-05", []string{"2025-04-27"}},
		{events.HolidayDragonBoat, "2025-05-31", "2025-06-02", nil},
		{events.HolidayMidAutumnNationalDay, "2025-10-01", "2025-10-08", []string{"2025-09-28", "2025-10-11"}},
	},
	2026: {
		{events.HolidayNewYear, "2026-01-01", "2026-01-03", []string{"2026-01-04"}},
		{events.HolidaySpringFestival, "2026-02-15", "2026-02-23", []string{"2026-02-14", "2026-02-28"}},
		{events.HolidayQingming, "2026-04-04", "2026-04-06", nil},
		{events.HolidayLabourDay, "2026-05-01", "2026-05-05", []string{"2026-05-09"}},
		{events.HolidayDragonBoat, "2026-06-19", "2026-06-21", nil},
		{events.HolidayMidAutumn, "2026-09-25", "2026-09-27", nil},
		{events.HolidayNationalDay, "2026-10-01", "2026-10-07", []string{"2026-09-20", "2026-10-10"}},
	},
}

// summary is one event as "id start end", the part the table fixes.
func summary(ev events.Event) string {
	return fmt.Sprintf("%s %s %s %s", ev.ID, ev.Kind, ev.When.First, ev.When.Last)
}

func wantSummaries(year int) []string {
	var out []string
	for _, b := range wantYears[year] {
		out = append(out, fmt.Sprintf("cn-%s-%d-days-off day-off %s %s", b.holiday, year, b.first, b.last))
		for _, d := range b.workdays {
			out = append(out, fmt.Sprintf("cn-%s-%d-workday-%s workday %s %s", b.holiday, year, d[5:], d, d))
		}
	}
	return out
}

func parseFile(t *testing.T, name string, opts Options) (*Notice, error) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return Parse(f, opts)
}

func TestYears(t *testing.T) {
	for year := 2022; year <= 2026; year++ {
		t.Run(fmt.Sprint(year), func(t *testing.T) {
			// The address is the text's line with only the URL.
			n, err := parseFile(t, fmt.Sprintf("%d.txt", year), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if n.Year != year || n.Title != fmt.Sprintf("国务院办公厅关于%d年部分节假日安排的通知", year) {
				t.Errorf("year %d, title %q", n.Year, n.Title)
			}
			var got []string
			for _, ev := range n.Events(modified) {
				got = append(got, summary(ev))
				if ev.URL != noticeURLs[year] || len(ev.Sources) != 1 || ev.Sources[0].URL != noticeURLs[year] || ev.Sources[0].Title != n.Title {
					t.Errorf("%s: url %q, sources %v", ev.ID, ev.URL, ev.Sources)
				}
			}
			if want := wantSummaries(year); !slices.Equal(got, want) {
				t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// The Labour Day events must keep the ids and dates the catalog has had
// since before the importer, or subscribers would see them twice.
func TestLabourDayMatchesCatalog(t *testing.T) {
	cat, err := events.Load(filepath.Join("..", "..", "events", "catalog.toml"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, ev := range cat.Events {
		if ev.Holiday == events.HolidayLabourDay && ev.Kind != events.KindStatutory {
			want = append(want, summary(ev)+" "+ev.Name.EN+" "+ev.Name.ZH+" "+ev.URL)
		}
	}
	var got []string
	for year := 2022; year <= 2026; year++ {
		n, err := parseFile(t, fmt.Sprintf("%d.txt", year), Options{URL: noticeURLs[year]})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range n.Events(modified) {
			if ev.Holiday == events.HolidayLabourDay {
				got = append(got, summary(ev)+" "+ev.Name.EN+" "+ev.Name.ZH+" "+ev.URL)
			}
		}
	}
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("labour day events:\n%s\nthe catalog's:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The 2022–2024 Labour Day descriptions in the catalog were written in the
// importer's style; the generated ones must read the same.
func TestLabourDayDescriptions(t *testing.T) {
	cat, err := events.Load(filepath.Join("..", "..", "events", "catalog.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for year := 2022; year <= 2024; year++ {
		n, err := parseFile(t, fmt.Sprintf("%d.txt", year), Options{URL: noticeURLs[year]})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range n.Events(modified) {
			if ev.Holiday != events.HolidayLabourDay {
				continue
			}
			old, ok := cat.Event(ev.ID)
			if !ok {
				t.Fatalf("%s is not in the catalog", ev.ID)
			}
			if ev.Description != old.Description {
				t.Errorf("%s:\n got %q\nwant %q", ev.ID, ev.Description, old.Description)
			}
		}
	}
}

func TestHTML(t *testing.T) {
	page, err := parseFile(t, "2025.html", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if page.URL != noticeURLs[2025] {
		t.Errorf("address %q, want the canonical link %q", page.URL, noticeURLs[2025])
	}
	text, err := parseFile(t, "2025.txt", Options{URL: noticeURLs[2025]})
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	if err := WriteTOML(&a, "", page.Events(modified)); err != nil {
		t.Fatal(err)
	}
	if err := WriteTOML(&b, "", text.Events(modified)); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Errorf("the page and its text differ:\n%s\n---\n%s", a.String(), b.String())
	}

	override, err := parseFile(t, "2025.html", Options{URL: "https://example.org/n"})
	if err != nil {
		t.Fatal(err)
	}
	if override.URL != "https://example.org/n" {
		t.Errorf("-url did not override the canonical link: %q", override.URL)
	}
}

func TestOGURL(t *testing.T) {
	page, err := os.ReadFile(filepath.Join("testdata", "2025.html"))
	if err != nil {
		t.Fatal(err)
	}
	withoutCanonical := strings.Replace(string(page), `rel="canonical"`, `rel="alternate"`, 1)
	n, err := Parse(strings.NewReader(withoutCanonical), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://www.gov.cn/zhengce/zhengceku/202411/content_6986383.htm"; n.URL != want {
		t.Errorf("address %q, want og:url %q", n.URL, want)
	}
}

// A catalog with the output appended still parses: the output is
// complete tables in the catalog's own syntax.
func TestOutputAppends(t *testing.T) {
	base := []byte("[calendar]\nname.en = \"t\"\nname.zh = \"t\"\n\n[[event]]\nid = \"x\"\nkind = \"observance\"\nname.en = \"x\"\nname.zh = \"x\"\nstart = 2022-05-01\nmodified = 2026-11-25T00:00:00Z") // no final newline
	for year := 2022; year <= 2026; year++ {
		n, err := parseFile(t, fmt.Sprintf("%d.txt", year), Options{URL: noticeURLs[year]})
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := WriteTOML(&out, "heading\nsecond line", n.Events(modified)); err != nil {
			t.Fatal(err)
		}
		base = append(base, out.Bytes()...)
	}
	cat, err := events.Parse("appended.toml", base)
	if err != nil {
		t.Fatalf("%v\n%s", err, base)
	}
	total := 1
	for _, bs := range wantYears {
		for _, b := range bs {
			total += 1 + len(b.workdays)
		}
	}
	if len(cat.Events) != total {
		t.Errorf("%d events, want %d", len(cat.Events), total)
	}
	for year := 2022; year <= 2026; year++ {
		n, _ := parseFile(t, fmt.Sprintf("%d.txt", year), Options{URL: noticeURLs[year]})
		for _, want := range n.Events(modified) {
			got, ok := cat.Event(want.ID)
			if !ok {
				t.Fatalf("%s missing", want.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s round trip:\n got %+v\nwant %+v", want.ID, got, want)
			}
		}
	}
}

func TestCompare(t *testing.T) {
	n, err := parseFile(t, "2022.txt", Options{URL: noticeURLs[2022]})
	if err != nil {
		t.Fatal(err)
	}
	evs := n.Events(modified)
	cat := &events.Catalog{}
	for _, ev := range evs {
		switch {
		case ev.ID == "cn-qingming-2022-days-off": // the catalog has other dates
			ev.When.Last = ev.When.Last.AddDays(1)
			ev.Revision.Sequence = 2
		case ev.Holiday == events.HolidayNationalDay: // not in the catalog
			continue
		}
		cat.Events = append(cat.Events, ev)
	}
	stale := events.Event{ID: "cn-labour-day-2022-workday-05-08", Kind: events.KindWorkday, Holiday: events.HolidayLabourDay,
		When: events.When{AllDay: true, First: events.Date{Year: 2022, Month: 5, Day: 8}, Last: events.Date{Year: 2022, Month: 5, Day: 8}}}
	cat.Events = append(cat.Events, stale)

	changes, removed := Compare(cat, evs)
	var got []string
	for _, c := range changes {
		s := fmt.Sprintf("%s seq %d", c.Event.ID, c.Event.Revision.Sequence)
		if c.Old != nil {
			s += " was " + c.Old.When.Last.String()
		}
		got = append(got, s)
	}
	want := []string{
		"cn-qingming-2022-days-off seq 3 was 2022-04-06",
		"cn-national-day-2022-days-off seq 0",
		"cn-national-day-2022-workday-10-08 seq 0",
		"cn-national-day-2022-workday-10-09 seq 0",
	}
	if !slices.Equal(got, want) {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(removed) != 1 || removed[0].ID != stale.ID {
		t.Errorf("removed %v, want %s", removed, stale.ID)
	}
}

// Every wording the notices have used, one paragraph at a time, in a
// notice that is otherwise 2022's.
func TestWordings(t *testing.T) {
	base, err := os.ReadFile(filepath.Join("testdata", "2022.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, old, new string
		first, last    string
		workdays       []string
	}{
		{"weekday as 周X", "4月2日（星期六）上班", "4月2日（周六）上班", "2022-04-03", "2022-04-05", []string{"2022-04-02"}},
		{"weekdays on the range", "4月3日至5日放假调休", "4月3日（星期日）至5日（星期二）放假调休", "2022-04-03", "2022-04-05", []string{"2022-04-02"}},
		{"lunar date", "1月31日至2月6日", "1月31日（农历除夕、周一）至2月6日（农历正月初六、周日）", "2022-01-31", "2022-02-06", []string{"2022-01-29", "2022-01-30"}},
		{"lunar date without 农历", "1月31日至2月6日放假调休，共7天。1月29日（星期六）", "1月31日（除夕、星期一）至2月6日（正月初六、星期日）放假调休，共7天。1月29日（腊月二十七、星期六）", "2022-01-31", "2022-02-06", []string{"2022-01-29", "2022-01-30"}},
		{"with the weekend, after", "6月3日至5日放假，共3天", "6月3日放假，与周末连休", "2022-06-03", "2022-06-05", nil},
		{"with the weekend, before", "1月1日至3日放假，共3天", "1月3日放假，与周末连休", "2022-01-01", "2022-01-03", nil},
		{"not moved", "6月3日至5日放假，共3天", "6月3日（周五）放假1天，不调休", "2022-06-03", "2022-06-03", nil},
		{"half-width punctuation", "四、劳动节：4月30日至5月4日放假调休，共5天。4月24日（星期日）、5月7日（星期六）上班。",
			"四、劳动节: 4月30日至5月4日放假调休, 共5天。4月24日(星期日)、5月7日(星期六)上班。", "2022-04-30", "2022-05-04", []string{"2022-04-24", "2022-05-07"}},
		{"advice on New Year's Eve", "1月30日（星期日）上班。", "1月30日（星期日）上班。鼓励各单位结合带薪年休假等制度落实，安排职工在除夕（1月31日）休息。", "2022-01-31", "2022-02-06", []string{"2022-01-29", "2022-01-30"}},
		{"sentence over two lines", "10月1日至7日放假调休，共7天", "10月1日至7日放假调休，\n共7天", "2022-10-01", "2022-10-07", []string{"2022-10-08", "2022-10-09"}},
		{"paragraph over two lines", "共7天。10月8日", "共7天。\n10月8日", "2022-10-01", "2022-10-07", []string{"2022-10-08", "2022-10-09"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.Replace(string(base), tc.old, tc.new, 1)
			if text == string(base) {
				t.Fatalf("%q is not in the notice", tc.old)
			}
			n, err := Parse(strings.NewReader(text), Options{URL: noticeURLs[2022]})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, b := range n.Breaks {
				if !strings.Contains(tc.new, b.Sentence[:strings.Index(b.Sentence, "：")]) && !strings.Contains(b.Sentence, strings.ReplaceAll(tc.new, "\n", "")) {
					continue
				}
				if b.First.String() == tc.first {
					found = true
					var wd []string
					for _, d := range b.Workdays {
						wd = append(wd, d.String())
					}
					if b.Last.String() != tc.last || !slices.Equal(wd, tc.workdays) {
						t.Errorf("break %s to %s, make-up days %v; want %s to %s, %v", b.First, b.Last, wd, tc.first, tc.last, tc.workdays)
					}
				}
			}
			if !found {
				t.Errorf("no break from %s", tc.first)
			}
		})
	}
}

// Holidays in the other order, and a break across the year's end.
func TestSharedBreakEitherOrder(t *testing.T) {
	for _, file := range []string{"2023.txt", "2025.txt"} {
		year := map[string]int{"2023.txt": 2023, "2025.txt": 2025}[file]
		n, err := parseFile(t, file, Options{URL: noticeURLs[year]})
		if err != nil {
			t.Fatal(err)
		}
		last := n.Breaks[len(n.Breaks)-1]
		if last.Holiday != events.HolidayMidAutumnNationalDay || last.Days() != 8 {
			t.Errorf("%s: last break %s of %d days", file, last.Holiday, last.Days())
		}
	}
}

func TestErrors(t *testing.T) {
	base, err := os.ReadFile(filepath.Join("testdata", "2022.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, old, new string
		want           []string // in the message
	}{
		{"wrong weekday", "4月24日（星期日）", "4月24日（星期一）", []string{"line 11", "2022-04-24 is a Sunday, not 星期一", "四、劳动节"}},
		{"wrong weekday on the range", "1月31日至2月6日", "1月31日（周二）至2月6日", []string{"line 9", "Monday, not 周二"}},
		{"wrong count", "共7天。1月29日", "共6天。1月29日", []string{"line 9", "共6天 does not match", "7 days"}},
		{"not a date", "6月3日至5日", "6月31日至5日", []string{"line 12", "not a date"}},
		{"end before start", "6月3日至5日", "6月3日至1日", []string{"line 12", "before it begins"}},
		{"unknown sentence", "4月2日（星期六）上班。", "4月2日（星期六）上班。另行通知。", []string{"line 10", "另行通知"}},
		{"unknown holiday", "五、端午节：", "五、龙舟节：", []string{"line 12", "龙舟节"}},
		{"unknown clause", "共3天。\n六", "共3天，酌情安排。\n六", []string{"line 12", "酌情安排"}},
		{"no count", "6月3日至5日放假，共3天。", "6月3日至5日放假。", []string{"line 12", "does not say how long"}},
		{"cut short", "10月9日（星期日）上班。", "10月9日（星期日）上班", []string{"line 14", "does not end with 。"}},
		{"workday not a weekend", "4月2日（星期六）上班", "4月1日（星期五）上班", []string{"line 10", "weekend days"}},
		{"workday inside the break", "4月2日（星期六）上班", "4月3日（星期日）上班", []string{"line 10", "inside the break"}},
		{"holiday twice", "五、端午节：", "五、清明节：", []string{"line 12", "清明节 is arranged twice (first at line 10)"}},
		{"holiday missing", "五、端午节：6月3日至5日放假，共3天。\n", "", []string{"no paragraph for 端午节"}},
		{"paragraph not numbered", "五、端午节：", "端午节：", []string{"no paragraph for 端午节"}},
		{"wrong year", "1月1日至3日", "2021年1月1日至3日", []string{"line 8", "not in the notice's year 2022"}},
		{"another year's paragraphs", "节假日期间", "国务院办公厅关于2023年部分节假日安排的通知\n一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。\n节假日期间", []string{"line 17", "元旦 is arranged twice"}},
		{"bad bracket", "4月2日（星期六）", "4月2日（调休）", []string{"line 10", "调休"}},
		{"three holidays", "七、国庆节：", "七、国庆节、中秋节、端午节：", []string{"line 14", "share a paragraph"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.Replace(string(base), tc.old, tc.new, 1)
			if text == string(base) {
				t.Fatalf("%q is not in the notice", tc.old)
			}
			n, err := Parse(strings.NewReader(text), Options{URL: noticeURLs[2022]})
			if err == nil {
				t.Fatalf("no error; read %+v", n)
			}
			if n != nil {
				t.Errorf("a notice came back with the error")
			}
			var ne *Error
			if !errors.As(err, &ne) {
				t.Errorf("error %T, want *Error", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestNotANotice(t *testing.T) {
	for _, tc := range []struct{ name, input, want string }{
		{"a news page", "<html><head><title>新闻</title><link rel=canonical href=https://www.gov.cn/x.htm></head><body><p>一、元旦：</p></body></html>", "no title"},
		{"empty", "", "no title"},
		{"title only", "国务院办公厅关于2027年部分节假日安排的通知\n正文另见。", "has no paragraph"},
		{"not UTF-8", "\xff\xfe国务院", "not UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.input), Options{URL: noticeURLs[2022]})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one that says %q", err, tc.want)
			}
		})
	}
}

func TestAddress(t *testing.T) {
	text, err := os.ReadFile(filepath.Join("testdata", "2022.txt"))
	if err != nil {
		t.Fatal(err)
	}
	text = bytes.Replace(text, []byte(noticeURLs[2022]+"\n"), nil, 1)
	if _, err := Parse(bytes.NewReader(text), Options{}); err == nil || !strings.Contains(err.Error(), "-url") {
		t.Errorf("text without -url: %v, want an error that asks for -url", err)
	}
	if _, err := Parse(bytes.NewReader(text), Options{URL: "www.gov.cn/x.htm"}); err == nil || !strings.Contains(err.Error(), "absolute") {
		t.Errorf("relative -url: %v, want an error", err)
	}
}

// The input limit: a page of exactly MaxSize bytes is read, one byte more
// is refused.
func TestSizeLimit(t *testing.T) {
	page, err := os.ReadFile(filepath.Join("testdata", "2025.html"))
	if err != nil {
		t.Fatal(err)
	}
	pad := func(size int) []byte {
		const open, close = "<!--", "-->"
		filler := size - len(page) - len(open) - len(close)
		return slices.Concat(page, []byte(open), bytes.Repeat([]byte{'x'}, filler), []byte(close))
	}
	at := pad(MaxSize)
	if len(at) != MaxSize {
		t.Fatalf("padded to %d", len(at))
	}
	if _, err := Parse(bytes.NewReader(at), Options{}); err != nil {
		t.Errorf("a page of exactly %d bytes: %v", MaxSize, err)
	}
	_, err = Parse(bytes.NewReader(pad(MaxSize+1)), Options{})
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("a page of %d bytes: %v, want the size error", MaxSize+1, err)
	}
}

func TestQuote(t *testing.T) {
	evs := []events.Event{{
		ID: "cn-new-year-2030-days-off", Kind: events.KindDayOff, Holiday: events.HolidayNewYear,
		Name:        events.Text{EN: `a "quoted" \ name`, ZH: "换行\n制表\t控制\x01"},
		When:        events.When{AllDay: true, First: events.Date{Year: 2030, Month: 1, Day: 1}, Last: events.Date{Year: 2030, Month: 1, Day: 1}},
		Status:      events.StatusConfirmed,
		Revision:    events.Revision{Modified: modified},
		Description: events.Text{EN: "d", ZH: "d"},
	}}
	var out bytes.Buffer
	if err := WriteTOML(&out, "", evs); err != nil {
		t.Fatal(err)
	}
	_, err := events.Parse("q.toml", append([]byte("[calendar]\nname.en = \"t\"\nname.zh = \"t\"\n"), out.Bytes()...))
	// The catalog refuses control characters; the quoting must get the
	// string to it intact, so that it is the catalog's check that fails.
	if err == nil || !strings.Contains(err.Error(), "control character") {
		t.Errorf("parse: %v\n%s", err, out.String())
	}
}

func FuzzNotice(f *testing.F) {
	for _, name := range []string{"2022.txt", "2023.txt", "2024.txt", "2025.txt", "2026.txt", "2025.html"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("国务院办公厅关于2024年部分节假日安排的通知\n一、元旦：1月1日放假，与周末连休。"))
	// The notices that read as notices but are wrong, and the pages
	// whose layout decides what is read.
	base, err := os.ReadFile(filepath.Join("testdata", "2022.txt"))
	if err != nil {
		f.Fatal(err)
	}
	for _, tc := range tamperedCases {
		f.Add([]byte(strings.Replace(string(base), tc.old, tc.new, 1)))
	}
	f.Add([]byte(minimalNotice(2150)))
	f.Add([]byte(minimalNotice(2027)))
	f.Add([]byte(strings.Replace(string(base), "10月8日（星期六）、10月9日（星期日）上班", "10月8日（星期六）、10月9日（星期日）、10月15日、10月16日、10月22日上班", 1)))
	f.Add([]byte(strings.Replace(string(base), "1月30日（星期日）上班。", "1月30日（星期日）上班。鼓励"+strings.Repeat("安排", 300)+"。", 1)))
	f.Add([]byte("国务院办公厅关于延长2020年春节假期的通知\n一、延长2020年春节假期至2月2日（农历正月初九，星期日）。\n国务院办公厅关于2020年部分节假日安排的通知"))
	page, err := os.ReadFile(filepath.Join("testdata", "2025.html"))
	if err != nil {
		f.Fatal(err)
	}
	const open = `<div id="UCAP-CONTENT" class="pages_content">`
	f.Add([]byte(strings.Replace(string(page), open, open+`</div><div class="text">`, 1)))
	f.Add([]byte(strings.Replace(string(page), open, `<table><tr><td class="b12c" id="UCAP-CONTENT"><p>一、元旦：1月1日放假，共1天。</p></td></tr></table>`+open, 1)))
	f.Add([]byte(strings.Replace(string(page), `<h1 id="ti">国务院办公厅关于2025年`, `<h1 id="ti">国务院办公厅关于2024年`, 1)))
	header := []byte("[calendar]\nname.en = \"t\"\nname.zh = \"t\"\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := Parse(bytes.NewReader(data), Options{URL: "https://www.gov.cn/notice.htm", Now: modified})
		if err != nil {
			if n != nil {
				t.Fatal("a notice came back with an error")
			}
			// An error quotes at most a line's start and a few clips of it.
			if len(err.Error()) > 4096 {
				t.Fatalf("the error is %d bytes long", len(err.Error()))
			}
			return
		}
		var out bytes.Buffer
		if err := WriteTOML(&out, n.Title, n.Events(modified)); err != nil {
			t.Fatal(err)
		}
		cat, err := events.Parse("fuzz.toml", append(slices.Clone(header), out.Bytes()...))
		if err != nil {
			t.Fatalf("output does not parse: %v\n%s", err, out.String())
		}
		if len(cat.Events) != len(n.Events(modified)) {
			t.Fatalf("%d events parsed, %d written", len(cat.Events), len(n.Events(modified)))
		}
	})
}
