package notice

import (
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

// tamperedCases are notices that read as notices but say something wrong:
// each is 2022's notice with one replacement, and each must be refused
// with the line quoted. They are FuzzNotice's seeds too.
var tamperedCases = []struct {
	name, old, new string
	want           []string // in the message
}{
	{"count of zero", "共7天。10月8日", "共0天。10月8日", []string{"line 14", "共0天 does not match", "7 days", "七、国庆节"}},
	{"count of zero on a 3-day break", "6月3日至5日放假，共3天", "6月3日至5日放假，共0天", []string{"line 12", "共0天 does not match"}},
	{"make-up day in another year", "10月9日（星期日）上班", "2030年5月11日（周六）上班", []string{"line 14", "2030-05-11", "not in the notice's year 2022"}},
	{"make-up day in the year before, not New Year", "1月29日（星期六）、", "2021年12月25日（星期六）、1月29日（星期六）、", []string{"line 9", "2021-12-25", "not in the notice's year 2022"}},
	{"same make-up day under two holidays", "4月24日（星期日）、5月7日（星期六）上班", "4月2日（星期六）、4月24日（星期日）、5月7日（星期六）上班", []string{"line 11", "2022-04-02", "also a make-up working day of 清明节 (line 10)"}},
	{"make-up day inside another break", "4月24日（星期日）、5月7日（星期六）上班", "4月3日（星期日）、5月7日（星期六）上班", []string{"line 11", "2022-04-03", "inside the 清明节 break", "(line 10)"}},
	{"make-up day inside a later break", "4月2日（星期六）上班", "4月2日（星期六）、4月30日（星期六）上班", []string{"line 10", "2022-04-30", "inside the 劳动节 break"}},
	{"lunar date of another day", "1月31日至2月6日", "1月31日（农历正月十五）至2月6日", []string{"line 9", "农历正月十五", "2022-01-31 is 除夕"}},
	{"lunar date a day off", "1月31日至2月6日", "1月31日（农历正月初一、周一）至2月6日", []string{"line 9", "农历正月初一", "除夕"}},
	{"lunar date without 农历, correct", "1月29日（星期六）", "1月29日（腊月二十七、星期六）", nil},
	{"lunar day unreadable", "1月31日至2月6日", "1月31日（农历正月三十五）至2月6日", []string{"line 9", "正月三十五"}},
	{"break without its statutory day", "六、中秋节：9月10日至12日放假，与周末连休。", "六、中秋节：9月12日放假，共1天。", []string{"line 13", "does not contain", "Mid-Autumn", "2022-09-10"}},
	{"Labour Day without 1 May", "4月30日至5月4日放假调休，共5天", "5月2日至5月4日放假调休，共3天", []string{"line 11", "does not contain", "2022-05-01"}},
	{"a break of another year", "1月31日至2月6日放假调休，共7天", "2021年12月31日至2022年1月6日放假调休，共7天", []string{"line 9", "not in the notice's year 2022"}},
	{"a make-up day far from its break", "4月24日（星期日）、5月7日（星期六）上班", "4月24日（星期日）、12月24日（星期六）上班", []string{"line 11", "2022-12-24 is 234 days from the break", "at most 31"}},
	{"a make-up day a month before its break", "10月8日（星期六）、10月9日（星期日）上班", "8月27日（星期六）、10月9日（星期日）上班", []string{"line 14", "2022-08-27 is 35 days from the break"}},
	{"a make-up day left out", "10月8日（星期六）、10月9日（星期日）上班", "10月9日（星期日）上班", []string{"line 14", "do not add up", "not statutory days: 4; make-up working days: 1;", "shared by two holidays: 2"}},
	{"a day longer, counted", "6月3日至5日放假，共3天", "6月3日至6日放假，共4天", []string{"line 12", "do not add up", "not statutory days: 1; make-up working days: 0;"}},
	{"two breaks overlap", "10月1日至7日放假调休，共7天", "9月12日至10月7日放假调休，共26天", []string{"line 14", "overlaps the 中秋节 break", "(line 13)"}},
}

func TestTampered(t *testing.T) {
	base, err := os.ReadFile(filepath.Join("testdata", "2022.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tamperedCases {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.Replace(string(base), tc.old, tc.new, 1)
			if text == string(base) {
				t.Fatalf("%q is not in the notice", tc.old)
			}
			n, err := Parse(strings.NewReader(text), Options{URL: noticeURLs[2022]})
			if tc.want == nil {
				if err != nil {
					t.Fatalf("a correct wording is refused: %v", err)
				}
				return
			}
			checkRefused(t, n, err, tc.want)
		})
	}
}

// checkRefused checks that err is a *Error that says every one of want.
func checkRefused(t *testing.T, n *Notice, err error, want []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; read %d breaks", len(n.Breaks))
	}
	if n != nil {
		t.Errorf("a notice came back with the error")
	}
	var ne *Error
	if !errors.As(err, &ne) {
		t.Errorf("error %T, want *Error", err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
}

// weekendDays are the Saturdays and Sundays of year outside first–last,
// in order.
func weekendDays(year int, first, last events.Date, n int) []string {
	var out []string
	for d := (events.Date{Year: year, Month: time.January, Day: 1}); d.Year == year && len(out) < n; d = d.AddDays(1) {
		if isWeekend(d) && (d.Before(first) || last.Before(d)) {
			out = append(out, fmt.Sprintf("%d月%d日", d.Month, d.Day))
		}
	}
	return out
}

func TestTooManyWorkdays(t *testing.T) {
	base, err := os.ReadFile(filepath.Join("testdata", "2022.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		days int
		want []string
	}{
		{maxWorkdays + 1, []string{"line 14", fmt.Sprintf("%d make-up working days", maxWorkdays+1), fmt.Sprintf("at most %d", maxWorkdays)}},
		{100, []string{"line 14", "characters"}},
	} {
		t.Run(fmt.Sprint(tc.days), func(t *testing.T) {
			days := weekendDays(2022, events.Date{Year: 2022, Month: 10, Day: 1}, events.Date{Year: 2022, Month: 10, Day: 7}, tc.days)
			if len(days) != tc.days {
				t.Fatalf("%d days", len(days))
			}
			text := strings.Replace(string(base), "10月8日（星期六）、10月9日（星期日）上班", strings.Join(days, "、")+"上班", 1)
			n, err := Parse(strings.NewReader(text), Options{URL: noticeURLs[2022]})
			checkRefused(t, n, err, tc.want)
		})
	}
	// At the limit, it is read: a break of 11 days with 4 make-up days.
	text := strings.Replace(string(base), "10月1日至7日放假调休，共7天。10月8日（星期六）、10月9日（星期日）上班", "10月1日至11日放假调休，共11天。9月24日、9月25日、10月15日、10月16日上班", 1)
	if _, err := Parse(strings.NewReader(text), Options{URL: noticeURLs[2022]}); err != nil {
		t.Errorf("%d make-up days: %v", maxWorkdays, err)
	}
}

// minimalNotice is a notice for year with a one-day break for each holiday
// and no weekdays or make-up days: well formed, whatever the year.
func minimalNotice(year int) string {
	return fmt.Sprintf(`https://www.gov.cn/zhengce/content/%d/content_1.htm
国务院办公厅关于%d年部分节假日安排的通知
一、元旦：1月1日放假，共1天。
二、春节：2月1日至7日放假调休，共7天。
三、清明节：4月5日放假，共1天。
四、劳动节：5月1日至5日放假调休，共5天。
五、端午节：6月5日放假，共1天。
六、中秋节：9月15日放假，共1天。
七、国庆节：10月1日至7日放假调休，共7天。
`, year, year)
}

// A notice may arrange the next year at most: one titled 2150 would end
// the statutory days and the warnings of every year before it.
func TestYearWindow(t *testing.T) {
	at := time.Date(2026, 12, 3, 13, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		input string
		now   time.Time
		want  []string
	}{
		{"a notice titled 2150", minimalNotice(2150), time.Time{}, []string{"line 2", "2150", "more than a year after"}},
		{"two years ahead", minimalNotice(2028), at, []string{"line 2", "2028", "more than a year after 2026"}},
		{"before the modelled regulations", minimalNotice(2013), at, []string{"line 2", "2013", "2014"}},
		{"2026 read in 2024", mustRead(t, "2026.txt"), time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), []string{"2026", "more than a year after 2024"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := Parse(strings.NewReader(tc.input), Options{Now: tc.now})
			checkRefused(t, n, err, tc.want)
		})
	}
	// The year is China's: 16:30 UTC on 31 December 2024 is 2025 there,
	// when 2026's notice is the next year's.
	newYear := time.Date(2024, 12, 31, 16, 30, 0, 0, time.UTC)
	if _, err := Parse(strings.NewReader(mustRead(t, "2026.txt")), Options{Now: newYear}); err != nil {
		t.Errorf("2026 notice read on 1 January 2025 in China: %v", err)
	}
	if _, err := Parse(strings.NewReader(mustRead(t, "2026.txt")), Options{Now: newYear.Add(-time.Hour)}); err == nil {
		t.Errorf("2026 notice read on 31 December 2024 in China: accepted")
	}
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestExpectedTitle(t *testing.T) {
	if got, want := ExpectedTitle(2027), "国务院办公厅关于2027年部分节假日安排的通知"; got != want {
		t.Errorf("ExpectedTitle(2027) = %q, want %q", got, want)
	}
	text := mustRead(t, "2022.txt")
	if _, err := Parse(strings.NewReader(text), Options{Title: ExpectedTitle(2022)}); err != nil {
		t.Errorf("the expected title: %v", err)
	}
	n, err := Parse(strings.NewReader(text), Options{Title: ExpectedTitle(2023)})
	checkRefused(t, n, err, []string{"line 3", "国务院办公厅关于2022年部分节假日安排的通知", "not the expected", "2023"})

	// A page whose <title> and heading disagree is not read.
	page := mustRead(t, "2025.html")
	tampered := strings.Replace(page, `<h1 id="ti">国务院办公厅关于2025年部分节假日安排的通知`, `<h1 id="ti">国务院办公厅关于2024年部分节假日安排的通知`, 1)
	n, err = Parse(strings.NewReader(tampered), Options{})
	checkRefused(t, n, err, []string{"国务院办公厅关于2024年部分节假日安排的通知", "title"})
}

// Notices of the General Office that are not a year's arrangement are
// held for the operator, whatever else the page links to.
func TestNotAYearlyArrangement(t *testing.T) {
	extension := `https://www.gov.cn/zhengce/content/2020-01/27/content_5472352.htm
国务院办公厅关于延长2020年春节假期的通知
国办发明电〔2020〕1号
各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
经国务院批准，现将延长2020年春节假期有关事项通知如下。
一、延长2020年春节假期至2月2日（农历正月初九，星期日），2月3日（星期一）起正常上班。
国务院办公厅
2020年1月27日
相关文件：国务院办公厅关于2020年部分节假日安排的通知
`
	page := strings.NewReplacer(
		"<title>国务院办公厅关于2025年部分节假日安排的通知_国务院文件_中国政府网</title>", "<title>国务院办公厅关于延长2020年春节假期的通知_国务院文件_中国政府网</title>",
		`<h1 id="ti">国务院办公厅关于2025年部分节假日安排的通知`, `<h1 id="ti">国务院办公厅关于延长2020年春节假期的通知`,
		`<p style="text-align:center">国务院办公厅关于2025年部分节假日安排的通知</p>`, `<p style="text-align:center">国务院办公厅关于延长2020年春节假期的通知</p>`,
	).Replace(mustRead(t, "2025.html"))
	for name, input := range map[string]string{"text": extension, "page": page} {
		t.Run(name, func(t *testing.T) {
			n, err := Parse(strings.NewReader(input), Options{})
			checkRefused(t, n, err, []string{"国务院办公厅关于延长2020年春节假期的通知", "not a yearly arrangement; held for the operator"})
		})
	}
}

// The text is read from #UCAP-CONTENT when the page has it: what is
// around it (menus, related documents, sharing widgets) is not the notice.
func TestUCAPContent(t *testing.T) {
	page := mustRead(t, "2025.html")
	const open = `<div id="UCAP-CONTENT" class="pages_content">`
	if !strings.Contains(page, open) {
		t.Fatal("no #UCAP-CONTENT in the test page")
	}
	want, err := Parse(strings.NewReader(page), Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantEvents := summaries(want.Events(modified))

	// The old layout: a table cell, inside nested tables, beside a
	// cell that holds something shaped like a paragraph.
	start, end := strings.Index(page, open), strings.Index(page, `</div>
</div>
<div class="related">`)
	inner := page[start+len(open) : end]
	oldLayout := page[:start] + `<table><tr><td class="nav"><p>一、元旦：1月1日（周三）至3日（周五）放假调休，共3天。</p></td>
<td class="b12c" id="UCAP-CONTENT"><table><tr><td>` + inner + `</td></tr></table></td></tr></table><table><tr><td><p>七、国庆节：10月1日至7日放假，共7天。</p></td></tr></table>` + page[end+len("</div>"):]

	sidebar := strings.Replace(page, open, `<div class="sidebar"><p>一、元旦：1月1日（周三）至3日（周五）放假调休，共3天。</p></div>`+open, 1)
	single := strings.Replace(page, `id="UCAP-CONTENT" class="pages_content"`, `class="pages_content" id='UCAP-CONTENT'`, 1)
	heading := strings.Replace(page, open, `<h2>一、元旦：1月1日（周三）至3日（周五）放假调休，共3天。</h2>`+open, 1)
	for name, input := range map[string]string{"old layout": oldLayout, "paragraph outside": sidebar, "attributes in another order": single, "paragraph in a heading": heading} {
		t.Run(name, func(t *testing.T) {
			n, err := Parse(strings.NewReader(input), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := summaries(n.Events(modified)); !slices.Equal(got, wantEvents) {
				t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantEvents, "\n"))
			}
		})
	}

	empty := strings.Replace(page, open, open+`</div><div class="text">`, 1)
	n, err := Parse(strings.NewReader(empty), Options{})
	checkRefused(t, n, err, []string{"#UCAP-CONTENT", "empty"})
	blank := strings.Replace(page, open, open+"\n&nbsp; <p> </p><br></div><div class=\"text\">", 1)
	n, err = Parse(strings.NewReader(blank), Options{})
	checkRefused(t, n, err, []string{"#UCAP-CONTENT", "empty"})
}

func summaries(evs []events.Event) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, summary(ev))
	}
	return out
}

// What the importer copies into a catalog is bounded, and so is what an
// error quotes.
func TestLongInput(t *testing.T) {
	base := mustRead(t, "2022.txt")
	advice := "鼓励各单位" + strings.Repeat("安排职工休息", 270<<10/len("安排职工休息")) + "。"
	n, err := Parse(strings.NewReader(strings.Replace(base, "1月30日（星期日）上班。", "1月30日（星期日）上班。"+advice, 1)), Options{})
	checkRefused(t, n, err, []string{"line 9", "characters", fmt.Sprint(maxParagraph)})

	unreadable := strings.Repeat("另行通知", 900<<10/len("另行通知"))
	n, err = Parse(strings.NewReader(strings.Replace(base, "4月2日（星期六）上班。", "4月2日（星期六）上班。"+unreadable+"。", 1)), Options{})
	checkRefused(t, n, err, []string{"line 10"})
	if err != nil && len(err.Error()) > 2000 {
		t.Errorf("the error is %d bytes long", len(err.Error()))
	}

	// A long run of text that is not a paragraph is no concern, but one
	// clause quoted in an error is cut.
	clause := strings.Repeat("酌情", 5000)
	n, err = Parse(strings.NewReader(strings.Replace(base, "共3天。\n六", "共3天，"+clause+"。\n六", 1)), Options{})
	checkRefused(t, n, err, []string{"line 12"})
	if err != nil && len(err.Error()) > 2000 {
		t.Errorf("the error is %d bytes long", len(err.Error()))
	}
}

// An address in a catalog must be a clean absolute URL: it reaches the
// feed, the page and every calendar as it is.
func TestAddressRefused(t *testing.T) {
	text := mustRead(t, "2022.txt")
	for _, u := range []string{
		`https://www.gov.cn/a b"<x>.htm`,
		"https://www.gov.cn/a\"b.htm",
		"https://www.gov.cn/<script>.htm",
		"https://www.gov.cn/a'b.htm",
		"https://user:secret@www.gov.cn/x.htm",
		"https://user@www.gov.cn/x.htm",
		"ftp://www.gov.cn/x.htm",
		"javascript:alert(1)",
		"file:///etc/passwd",
		"https:///x.htm",
		"https://www.gov.cn/\x7fx.htm",
		"https://www.gov.cn/x\\y.htm",
		"https://www.gov.cn/" + strings.Repeat("a", 3000) + " .htm",
	} {
		t.Run(u[:min(len(u), 40)], func(t *testing.T) {
			n, err := Parse(strings.NewReader(text), Options{URL: u})
			checkRefused(t, n, err, []string{"address"})
			if err != nil && len(err.Error()) > 2000 {
				t.Errorf("the error is %d bytes long", len(err.Error()))
			}
		})
	}
	// A page's canonical link is held to the same rule.
	page := strings.Replace(mustRead(t, "2025.html"), `href="https://www.gov.cn/zhengce/content/202411/content_6986382.htm"`, `href="https://www.gov.cn/zhengce/content/202411/content_6986382.htm&quot;&gt;"`, 1)
	n, err := Parse(strings.NewReader(page), Options{})
	checkRefused(t, n, err, []string{"address"})
}

// WorkdayID keeps the year of a make-up day of the year before, so that
// it cannot be taken for the same day of the notice's year.
func TestWorkdayIDOfTheYearBefore(t *testing.T) {
	before := events.Date{Year: 2018, Month: 12, Day: 29}
	same := events.Date{Year: 2019, Month: 12, Day: 29}
	a, b := WorkdayID(events.HolidayNewYear, 2019, before), WorkdayID(events.HolidayNewYear, 2019, same)
	if a == b {
		t.Errorf("both days have the id %q", a)
	}
	if want := "cn-new-year-2019-workday-2018-12-29"; a != want {
		t.Errorf("WorkdayID = %q, want %q", a, want)
	}
	if want := "cn-new-year-2019-workday-12-29"; b != want {
		t.Errorf("WorkdayID = %q, want %q", b, want)
	}
}

// A New Year make-up day may be in the December before, as 2019's was.
func TestNewYearWorkdayTheYearBefore(t *testing.T) {
	text := strings.Replace(mustRead(t, "2026.txt"), "一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。",
		"一、元旦：2025年12月31日（周三）至2026年1月3日（周六）放假调休，共4天。2025年12月27日（周六）、1月4日（周日）上班。", 1)
	n, err := Parse(strings.NewReader(text), Options{})
	if err != nil {
		t.Fatal(err)
	}
	evs := n.Events(modified)
	if evs[1].ID != "cn-new-year-2026-workday-2025-12-27" || evs[1].When.First.String() != "2025-12-27" {
		t.Errorf("the make-up day is %s %s", evs[1].ID, evs[1].When.First)
	}
}

// The days off add up over the year with days in lieu: of a statutory day
// on a weekend, and of one shared by two holidays, as when Mid-Autumn was
// on 1 October in 2020 (a notice in that year's shape). Without the day in
// lieu of the shared day, the same break does not add up.
func TestDaysInLieu(t *testing.T) {
	shared := `https://notice.example.org/2020.htm
国务院办公厅关于2020年部分节假日安排的通知
一、元旦：2020年1月1日放假，共1天。
二、春节：1月24日至30日放假调休，共7天。1月19日（星期日）、2月1日（星期六）上班。
三、清明节：4月4日至6日放假，共3天。
四、劳动节：5月1日至5日放假调休，共5天。4月26日（星期日）、5月9日（星期六）上班。
五、端午节：6月25日至27日放假调休，共3天。6月28日（星期日）上班。
六、国庆节、中秋节：10月1日至8日放假调休，共8天。9月27日（星期日）、10月10日（星期六）上班。
`
	if _, err := Parse(strings.NewReader(shared), Options{}); err != nil {
		t.Fatal(err)
	}
	longer := strings.Replace(shared, "10月1日至8日放假调休，共8天", "10月1日至9日放假调休，共9天", 1)
	n, err := Parse(strings.NewReader(longer), Options{})
	checkRefused(t, n, err, []string{"line 8", "do not add up", "not statutory days: 5; make-up working days: 2;", "shared by two holidays: 2"})
}
