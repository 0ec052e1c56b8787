// Package notice reads the General Office of the State Council's yearly
// notice on holiday arrangements (国务院办公厅关于YYYY年部分节假日安排的通知)
// and turns it into catalog events: each holiday's break as one day-off
// event and each make-up working day as one workday event.
//
// It reads the notice as the gov.cn page (saved from a browser or fetched
// with curl) or as its text pasted into a file, in the wordings the notices
// have used since 2022. It reads the whole notice or nothing: anything it
// cannot read is an error that quotes the line, never a partial year.
package notice

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"feed/events"
)

// MaxSize bounds the input. A gov.cn notice page is about 50 KB; a
// megabyte leaves room for a page saved with its inline scripts.
const MaxSize = 1 << 20

// Options are what the notice itself may not say.
type Options struct {
	// URL is the notice's address. It overrides the page's canonical link
	// (or og:url), or the line of pasted text that is only a URL; without
	// either it is required.
	URL string
}

// Notice is one year's arrangement.
type Notice struct {
	Year  int    // the year the notice arranges, from its title
	Title string // 国务院办公厅关于YYYY年部分节假日安排的通知
	URL   string
	// Breaks are in the notice's order.
	Breaks []Break
}

// Break is one numbered paragraph of the notice: one holiday's days off
// and make-up working days (or two holidays' shared ones).
type Break struct {
	Holiday     events.Holiday
	First, Last events.Date // the whole break, inclusive, weekend days joined by 与周末连休 included
	Workdays    []events.Date
	// Sentence is the paragraph as the notice words it, without its
	// number: "劳动节：4月30日至5月4日放假调休，共5天。4月24日（星期日）、5月7日（星期六）上班。"
	Sentence string
	Line     int // the input line the paragraph starts on
}

// Days is the number of days of the break.
func (b Break) Days() int { return daysBetween(b.First, b.Last) + 1 }

// Error is a line of the input that the notice cannot be read past.
type Error struct {
	Line int    // 1-based input line; 0 when the problem is the whole input
	Text string // the line, as read
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	b.WriteString(e.Msg)
	if e.Text != "" {
		text := e.Text
		if utf8.RuneCountInString(text) > 200 {
			text = string([]rune(text)[:200]) + "…"
		}
		fmt.Fprintf(&b, "\n\t%s", text)
	}
	return b.String()
}

// Parse reads a notice from r, HTML or text, in UTF-8.
func Parse(r io.Reader, opts Options) (*Notice, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read notice: %w", err)
	}
	if len(data) > MaxSize {
		return nil, &Error{Msg: fmt.Sprintf("the input is larger than %d bytes: a notice page is about 50 KB; is this the right file?", MaxSize)}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, &Error{Msg: "the input is not UTF-8: save the page or text as UTF-8"}
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	var lines []line
	address := ""
	if looksLikeHTML(text) {
		lines, address = htmlLines(text)
	} else {
		lines, address = textLines(text)
	}
	if opts.URL != "" {
		address = opts.URL
	}
	n, err := parseLines(lines)
	if err != nil {
		return nil, err
	}
	switch {
	case address == "":
		return nil, &Error{Msg: "the notice's address is unknown: the input has no canonical link, og:url or line with only the URL; give it with -url"}
	case !checkAddress(address):
		return nil, &Error{Msg: fmt.Sprintf("the notice's address %q is not an absolute http or https URL", address)}
	}
	n.URL = address
	return n, nil
}

var (
	titlePattern = regexp.MustCompile(`国务院办公厅关于(\d{4})年部分节假日安排的通知`)
	// A holiday paragraph: a Chinese ordinal, the holiday's name or names,
	// a colon, and its arrangement.
	paragraphPattern = regexp.MustCompile(`^([一二三四五六七八九十]+)、([^：]{1,20})：(.*)$`)
	continuation     = regexp.MustCompile(`^(?:\d{4}年)?\d{1,2}月\d{1,2}日`)
)

// holidayByName maps the notices' names to the catalog's holidays.
var holidayByName = func() map[string]events.Holiday {
	m := make(map[string]events.Holiday)
	for _, h := range events.Holidays() {
		if h != events.HolidayMidAutumnNationalDay {
			m[h.Name().ZH] = h
		}
	}
	return m
}()

func parseLines(lines []line) (*Notice, error) {
	for i := range lines {
		lines[i].text = normalize(lines[i].text)
	}
	// The first title is the notice's: a page's <title> comes first, and
	// its links to other years' notices come after the text.
	n := &Notice{}
	for _, l := range lines {
		if m := titlePattern.FindStringSubmatch(l.text); m != nil {
			n.Year, _ = strconv.Atoi(m[1])
			n.Title = m[0]
			break
		}
	}
	if n.Year == 0 {
		return nil, &Error{Msg: "not a notice on holiday arrangements: no title 国务院办公厅关于YYYY年部分节假日安排的通知 found"}
	}
	if n.Year < 2000 || n.Year > 2200 {
		return nil, &Error{Msg: fmt.Sprintf("the title's year %d is not one a notice could arrange", n.Year)}
	}
	seen := make(map[events.Holiday]int) // holiday → line
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		m := paragraphPattern.FindStringSubmatch(l.text)
		if m == nil {
			continue
		}
		// A paragraph broken by a <br> or a line break goes on until its
		// last sentence ends, and on to a line that starts with a date:
		// make-up working days are never a paragraph of their own.
		for i+1 < len(lines) && lines[i+1].text != "" && !paragraphPattern.MatchString(lines[i+1].text) &&
			(!strings.HasSuffix(l.text, "。") || continuation.MatchString(lines[i+1].text)) &&
			utf8.RuneCountInString(l.text) < 300 {
			i++
			l.text += lines[i].text
		}
		m = paragraphPattern.FindStringSubmatch(l.text)
		b, err := parseParagraph(n.Year, m[2], m[3], l)
		if err != nil {
			return nil, err
		}
		festivals := []events.Holiday{b.Holiday}
		if b.Holiday == events.HolidayMidAutumnNationalDay {
			festivals = []events.Holiday{events.HolidayMidAutumn, events.HolidayNationalDay}
		}
		for _, h := range festivals {
			if prev, dup := seen[h]; dup {
				return nil, &Error{Line: l.num, Text: l.text, Msg: fmt.Sprintf("%s is arranged twice (first at line %d)", h.Name().ZH, prev)}
			}
			seen[h] = l.num
		}
		n.Breaks = append(n.Breaks, b)
	}
	if len(n.Breaks) == 0 {
		return nil, &Error{Msg: fmt.Sprintf("not a notice on holiday arrangements: %s has no paragraph such as 一、元旦：…放假…", n.Title)}
	}
	var missing []string
	for _, h := range events.Holidays() {
		if h == events.HolidayMidAutumnNationalDay {
			continue
		}
		if _, ok := seen[h]; !ok {
			missing = append(missing, h.Name().ZH)
		}
	}
	if len(missing) > 0 {
		return nil, &Error{Msg: fmt.Sprintf("the notice has no paragraph for %s: every notice arranges all the statutory holidays, so a paragraph was not recognised (each starts with its number, such as 三、清明节：)", strings.Join(missing, "、"))}
	}
	return n, nil
}

// isForbiddenControl reports the control characters that catalog text may
// not hold: all but tab and newline.
func isForbiddenControl(r rune) bool { return unicode.IsControl(r) && r != '\t' && r != '\n' }

// normalize writes the notice's punctuation one way: half-width brackets,
// colons and commas as the full-width ones the notices use, full-width
// digits as ASCII, and no white space, which Chinese text does not need
// and pages scatter through it.
func normalize(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff':
			continue
		case r >= '０' && r <= '９':
			r = '0' + (r - '０')
		case r == '(':
			r = '（'
		case r == ')':
			r = '）'
		case r == ':':
			r = '：'
		case r == ',':
			r = '，'
		case r == ';':
			r = '；'
		}
		b.WriteRune(r)
	}
	return b.String()
}

var (
	dateToken   = `(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:（([^（）]*)）)?`
	datePattern = regexp.MustCompile(dateToken)
	// The break: a day or a range, then 放假 and how it is counted.
	breakPattern = regexp.MustCompile(`^(` + dateToken + `)(?:至(` + dateToken + `))?放假(调休)?(\d+天)?$`)
	countPattern = regexp.MustCompile(`^共(\d+)天$`)
	// The make-up working days: days joined by 、 and 上班.
	workdayPattern = regexp.MustCompile(`^((?:` + dateToken + `、?)+)上班$`)
)

// parseParagraph reads one holiday's paragraph: its break and its make-up
// working days.
func parseParagraph(year int, names, body string, l line) (Break, error) {
	fail := func(format string, args ...any) (Break, error) {
		return Break{}, &Error{Line: l.num, Text: l.text, Msg: fmt.Sprintf(format, args...)}
	}
	if i := strings.IndexFunc(l.text, isForbiddenControl); i >= 0 {
		// The paragraph becomes the event's Chinese description, which a
		// catalog refuses with such a character in it.
		return fail("contains the control character %U, which a catalog cannot hold", []rune(l.text[i:])[0])
	}
	b := Break{Line: l.num, Sentence: strings.TrimPrefix(l.text, paragraphPattern.FindStringSubmatch(l.text)[1]+"、")}
	var hs []events.Holiday
	for name := range strings.SplitSeq(names, "、") {
		h, ok := holidayByName[name]
		if !ok {
			return fail("%q is not a holiday the notices arrange (known: 元旦、春节、清明节、劳动节、端午节、中秋节、国庆节)", name)
		}
		hs = append(hs, h)
	}
	switch {
	case len(hs) == 1:
		b.Holiday = hs[0]
	case len(hs) == 2 && (hs[0] == events.HolidayMidAutumn && hs[1] == events.HolidayNationalDay ||
		hs[0] == events.HolidayNationalDay && hs[1] == events.HolidayMidAutumn):
		b.Holiday = events.HolidayMidAutumnNationalDay
	default:
		return fail("only Mid-Autumn and National Day share a paragraph; %q cannot be read", names)
	}
	if !strings.HasSuffix(body, "。") {
		return fail("the paragraph does not end with 。: it may be cut short")
	}
	sentences := strings.Split(strings.TrimSuffix(body, "。"), "。")
	// The first sentence is the break; its clauses after the first say
	// how it is counted.
	clauses := strings.Split(sentences[0], "，")
	m := breakPattern.FindStringSubmatch(clauses[0])
	if m == nil {
		return fail("cannot read the days off in %q: expected a day or a range such as 4月30日（星期六）至5月4日（星期三） and 放假", clauses[0])
	}
	first, err := parseDate(year, 0, m[1])
	if err != nil {
		return fail("%v", err)
	}
	last := first
	if m[6] != "" {
		if last, err = parseDate(first.Year, first.Month, m[6]); err != nil {
			return fail("%v", err)
		}
		if !first.Before(last) {
			return fail("the break ends (%s) before it begins (%s)", last, first)
		}
	}
	count, joinWeekend, counted := 0, false, false
	if m[12] != "" {
		count, _ = strconv.Atoi(strings.TrimSuffix(m[12], "天"))
		counted = true
	}
	for _, c := range clauses[1:] {
		switch {
		case c == "与周末连休":
			joinWeekend = true
		case c == "不调休":
			counted = true // a break the notice says is not moved is the days it names
		case countPattern.MatchString(c):
			if counted && count != 0 {
				return fail("the number of days is given twice")
			}
			count, _ = strconv.Atoi(countPattern.FindStringSubmatch(c)[1])
			counted = true
		default:
			return fail("cannot read %q: expected 共N天, 与周末连休 or 不调休", c)
		}
	}
	if !counted && !joinWeekend {
		return fail("the paragraph does not say how long the break is (共N天, 与周末连休 or 不调休): it may be cut short")
	}
	if joinWeekend {
		for isWeekend(first.AddDays(-1)) {
			first = first.AddDays(-1)
		}
		for isWeekend(last.AddDays(1)) {
			last = last.AddDays(1)
		}
	}
	b.First, b.Last = first, last
	if days := b.Days(); count != 0 && count != days {
		return fail("共%d天 does not match the break %s to %s, which is %d days", count, first, last, days)
	}
	if days := b.Days(); days > 31 {
		return fail("a break of %d days is longer than any notice has given", days)
	}
	if earliest, latest := (events.Date{Year: year - 1, Month: time.December, Day: 1}), (events.Date{Year: year, Month: time.December, Day: 31}); first.Before(earliest) || latest.Before(last) {
		return fail("the break %s to %s is not in the notice's year %d", first, last, year)
	}
	for _, s := range sentences[1:] {
		switch {
		case workdayPattern.MatchString(s):
			for _, tok := range datePattern.FindAllString(strings.TrimSuffix(s, "上班"), -1) {
				d, err := parseDate(year, 0, tok)
				if err != nil {
					return fail("%v", err)
				}
				if !isWeekend(d) {
					return fail("make-up working day %s is a %s: make-up working days are weekend days", d, d.Weekday())
				}
				if !d.Before(b.First) && !b.Last.Before(d) {
					return fail("make-up working day %s is inside the break %s to %s", d, b.First, b.Last)
				}
				if n := len(b.Workdays); n > 0 && !b.Workdays[n-1].Before(d) {
					return fail("make-up working days must be in order, each once: %s after %s", d, b.Workdays[n-1])
				}
				b.Workdays = append(b.Workdays, d)
			}
		case strings.HasPrefix(s, "鼓励"):
			// Advice to employers (鼓励各单位…安排职工在除夕休息) is
			// not an arrangement; the description keeps it.
		default:
			return fail("cannot read the sentence %q: expected make-up working days such as 4月24日（星期日）上班", s)
		}
	}
	if joinWeekend && len(b.Workdays) > 0 {
		return fail("a break joined with the weekend (与周末连休) has no make-up working days")
	}
	return b, nil
}

// lunarDay is a lunar date written without 农历: 除夕, 正月初七, 腊月二十八.
var lunarDay = regexp.MustCompile(`^(?:除夕|(?:正|腊|[一二三四五六七八九十冬]{1,2})月[初十廿二三][一二三四五六七八九十]{0,2})$`)

var weekdays = map[string]time.Weekday{
	"日": time.Sunday, "天": time.Sunday, "一": time.Monday, "二": time.Tuesday, "三": time.Wednesday,
	"四": time.Thursday, "五": time.Friday, "六": time.Saturday,
}

// parseDate reads one date as the notices write it: the year and month may
// be left out when they are those of the notice or of the range's first
// day; the brackets may give the weekday (星期六, 周六) and the lunar date
// (农历除夕), and a weekday must be the date's.
func parseDate(year int, month time.Month, tok string) (events.Date, error) {
	m := datePattern.FindStringSubmatch(tok)
	if m == nil || m[0] != tok {
		return events.Date{}, fmt.Errorf("cannot read the date %q", tok)
	}
	if m[1] != "" {
		year, _ = strconv.Atoi(m[1])
	}
	if m[2] != "" {
		mo, _ := strconv.Atoi(m[2])
		month = time.Month(mo)
	}
	if month == 0 {
		return events.Date{}, fmt.Errorf("the date %q has no month", tok)
	}
	day, _ := strconv.Atoi(m[3])
	d := events.Date{Year: year, Month: month, Day: day}
	if month > 12 || day < 1 || events.DateOf(d.In(time.UTC)) != d {
		return events.Date{}, fmt.Errorf("%q is not a date", tok)
	}
	if m[4] == "" {
		return d, nil
	}
	for item := range strings.SplitSeq(m[4], "、") {
		switch {
		case strings.HasPrefix(item, "农历") || lunarDay.MatchString(item):
			// The lunar date is for readers; the Gregorian date decides.
		case strings.HasPrefix(item, "星期") || strings.HasPrefix(item, "周"):
			name := strings.TrimPrefix(strings.TrimPrefix(item, "星期"), "周")
			wd, ok := weekdays[name]
			if !ok {
				return events.Date{}, fmt.Errorf("cannot read the weekday %q in %q", item, tok)
			}
			if wd != d.Weekday() {
				return events.Date{}, fmt.Errorf("%q: %s is a %s, not %s", tok, d, d.Weekday(), item)
			}
		default:
			return events.Date{}, fmt.Errorf("cannot read %q in the brackets of %q: expected a weekday (星期六 or 周六) or a lunar date (农历…)", item, tok)
		}
	}
	return d, nil
}

func isWeekend(d events.Date) bool {
	wd := d.Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

func daysBetween(a, b events.Date) int {
	return int(b.In(time.UTC).Sub(a.In(time.UTC)).Hours() / 24)
}
