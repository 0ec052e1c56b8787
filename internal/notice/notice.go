// Package notice reads the General Office of the State Council's yearly
// notice on holiday arrangements (国务院办公厅关于YYYY年部分节假日安排的通知)
// and turns it into catalog events: each holiday's break as one day-off
// event and each make-up working day as one workday event.
//
// It reads the notice as the gov.cn page (saved from a browser or fetched
// with curl) or as its text pasted into a file, in the wordings the notices
// have used since 2022. It reads the whole notice or nothing: anything it
// cannot read is an error that quotes the line, never a partial year.
//
// What it returns is proved, since it may reach every subscriber without
// a person reading it: the title is a yearly arrangement's (and the one
// expected), the year is at most the next, and every date, weekday, lunar
// date, count, break and make-up day agrees with the calendar, the
// national holiday regulations and the other holidays (docs/notice.md).
package notice

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"slices"
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
	// Title, when given, is the title the notice must have, such as
	// ExpectedTitle(2027) or a search result's: a page with another title
	// is refused.
	Title string
	// Now is the time the notice is read (zero: the clock's). A notice
	// arranges at most the year after Now's year in China: one for a later
	// year would end the statutory days and the warnings of every year
	// before it.
	Now time.Time
}

// ExpectedTitle is the title of the notice that arranges year:
// 国务院办公厅关于2027年部分节假日安排的通知.
func ExpectedTitle(year int) string {
	return fmt.Sprintf("国务院办公厅关于%d年部分节假日安排的通知", year)
}

// The bounds of what a notice says, well above what any has said, so that
// a page that is not a notice cannot become a catalog full of it.
const (
	// maxParagraph bounds a holiday's paragraph, in characters: it becomes
	// the days-off event's Chinese description. The longest in the
	// notices of 2022–2026 has 68.
	maxParagraph = 500
	// maxWorkdays bounds the make-up working days of one paragraph: the
	// notices of 2022–2026 give two at most.
	maxWorkdays = 4
	// maxWorkdayGap bounds how far a make-up working day is from its
	// break, in days: the farthest in the notices of 2022–2026 is 11
	// (20 September 2026, for National Day).
	maxWorkdayGap = 31
	// maxQuote bounds what an error message quotes of the input.
	maxQuote = 80
)

// china is the time zone the notices' years are in.
var china = time.FixedZone("CST", 8*60*60)

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

// clip cuts s for quoting in a message: an unreadable sentence may be
// the whole input.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= maxQuote {
		return s
	}
	return string([]rune(s)[:maxQuote]) + "…"
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
	address, content := "", false
	if looksLikeHTML(text) {
		p := htmlLines(text)
		lines, address, content = p.lines, p.address, p.content
	} else {
		lines, address = textLines(text)
	}
	if opts.URL != "" {
		address = opts.URL
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	n, err := parseLines(lines, content, opts.Title, now.In(china).Year())
	if err != nil {
		return nil, err
	}
	if address == "" {
		return nil, &Error{Msg: "the notice's address is unknown: the input has no canonical link, og:url or line with only the URL; give it with -url"}
	}
	if err := events.CheckURL(address); err != nil {
		return nil, &Error{Msg: fmt.Sprintf("the notice's address %v", err)}
	}
	n.URL = address
	// Every event must have its own id, or a catalog refuses the whole
	// output; the checks above make this so, and this keeps it so.
	ids := make(map[string]bool)
	for _, ev := range n.Events(time.Time{}) {
		if ids[ev.ID] {
			return nil, &Error{Msg: fmt.Sprintf("the notice gives the event %s twice", ev.ID)}
		}
		ids[ev.ID] = true
	}
	return n, nil
}

var (
	titlePattern = regexp.MustCompile(`^国务院办公厅关于(\d{4})年部分节假日安排的通知$`)
	// documentTitle is the title of any notice of the General Office:
	// the yearly arrangement, or an extension, an extra day off, an
	// amendment, which are not read.
	documentTitle = regexp.MustCompile(`国务院办公厅关于[^，。：；、“”《》]{1,40}?的通知`)
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

// parseLines reads the notice from its lines: only those marked content
// when the page has a #UCAP-CONTENT element. expected is the title the
// caller requires ("" for any year's); thisYear is the year it is in China.
func parseLines(lines []line, content bool, expected string, thisYear int) (*Notice, error) {
	for i := range lines {
		lines[i].text = normalize(lines[i].text)
	}
	var heads []line // a page's title and headings outside its text
	if content {
		var text []line
		for _, l := range lines {
			switch {
			case l.content:
				text = append(text, l)
			case l.heading:
				heads = append(heads, l)
			}
		}
		empty := true
		for _, l := range text {
			if l.text != "" {
				empty = false
				break
			}
		}
		if empty {
			return nil, &Error{Msg: "the page's #UCAP-CONTENT, where gov.cn puts a notice's text, is empty: the page's layout may have changed, and nothing else on it is read"}
		}
		lines = text
	}
	n, titleLine, err := findTitle(heads, lines, expected)
	if err != nil {
		return nil, err
	}
	fail := func(format string, args ...any) (*Notice, error) {
		return nil, &Error{Line: titleLine.num, Text: titleLine.text, Msg: fmt.Sprintf(format, args...)}
	}
	if n.Year > thisYear+1 {
		return fail("the title's year %d is more than a year after %d, the year it is now in China: a notice arranges the next year at most", n.Year, thisYear)
	}
	if _, ok := events.RegulationsIn(n.Year); !ok || n.Year < earliestYear {
		return fail("the title's year %d is not one the importer reads: it checks a notice against the national holiday regulations, which it models from %d", n.Year, earliestYear)
	}
	seen := make(map[events.Holiday]int) // holiday → line
	var paragraphs []line                // each break's, for errors found across breaks
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
		if count := utf8.RuneCountInString(l.text); count > maxParagraph {
			return nil, &Error{Line: l.num, Text: l.text, Msg: fmt.Sprintf("the paragraph has %d characters: a notice's paragraph has a few hundred at most, and this importer reads %d", count, maxParagraph)}
		}
		m = paragraphPattern.FindStringSubmatch(l.text)
		// A holiday given twice is named as such before its paragraph's
		// days are read: they are likely the other holiday's.
		for _, h := range festivalsOf(m[2]) {
			if prev, dup := seen[h]; dup {
				return nil, &Error{Line: l.num, Text: l.text, Msg: fmt.Sprintf("%s is arranged twice (first at line %d)", h.Name().ZH, prev)}
			}
			seen[h] = l.num
		}
		b, err := parseParagraph(n.Year, m[2], m[3], l)
		if err != nil {
			return nil, err
		}
		if err := checkAcross(b, l, n.Breaks, paragraphs); err != nil {
			return nil, err
		}
		paragraphs = append(paragraphs, l)
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
	if err := checkDaysOff(n, paragraphs); err != nil {
		return nil, err
	}
	return n, nil
}

// checkDaysOff checks that the days off add up as the regulations have
// them: every weekday off that is not a statutory day is either a day in
// lieu of a statutory day that falls on a weekend or on another holiday's
// statutory day (Article 6), or is made up by a make-up working day
// (Article 7). The notices of 2022–2026 add up so over the year (the
// tests read them); the sum is over the year because a day in lieu may be
// given in another holiday's break, and a break that does not add up on
// its own is named only when the year does not either.
func checkDaysOff(n *Notice, paragraphs []line) error {
	holidays := make(map[events.Date]int) // statutory day → holidays it is one of
	for _, h := range events.Holidays() {
		if h == events.HolidayMidAutumnNationalDay {
			continue
		}
		days, err := events.Statutory(n.Year, h)
		if err != nil {
			return &Error{Msg: err.Error()}
		}
		for _, r := range days {
			for d := r.First; !r.Last.Before(d); d = d.AddDays(1) {
				holidays[d]++
			}
		}
	}
	type sum struct{ off, madeUp, inLieu int }
	var year sum
	sums := make([]sum, len(n.Breaks))
	for i, b := range n.Breaks {
		for d := b.First; !b.Last.Before(d); d = d.AddDays(1) {
			c, statutory := holidays[d]
			switch {
			case !statutory && !isWeekend(d):
				sums[i].off++
			case statutory && isWeekend(d):
				sums[i].inLieu += c
			case statutory:
				sums[i].inLieu += c - 1
			}
		}
		sums[i].madeUp = len(b.Workdays)
		year.off += sums[i].off
		year.madeUp += sums[i].madeUp
		year.inLieu += sums[i].inLieu
	}
	if year.off == year.madeUp+year.inLieu {
		return nil
	}
	for i, s := range sums {
		if s.off != s.madeUp+s.inLieu {
			b, l := n.Breaks[i], paragraphs[i]
			return &Error{Line: l.num, Text: l.text, Msg: fmt.Sprintf(
				"the days off do not add up: in the break %s to %s, weekdays off that are not statutory days: %d; make-up working days: %d; days in lieu of statutory days on a weekend or shared by two holidays: %d "+
					"(over the year: %d; %d; %d): each such weekday off is made up or given in lieu",
				b.First, b.Last, s.off, s.madeUp, s.inLieu, year.off, year.madeUp, year.inLieu)}
		}
	}
	return &Error{Msg: "the days off do not add up"} // a year that does not add up has a break that does not
}

// earliestYear is the first year whose notice is read: the regulations
// are modelled from 2014 (events.RegulationsIn).
const earliestYear = 2014

// findTitle finds the notice's title: the first title of a notice of the
// General Office in a page's title and headings, or in the text before the
// first paragraph, which every other title there must repeat, and which
// must be a yearly arrangement's (and expected, when it is given).
func findTitle(heads, text []line, expected string) (*Notice, line, error) {
	var title line
	found := ""
	for i, l := range slices.Concat(heads, text) {
		if i >= len(heads) && paragraphPattern.MatchString(l.text) {
			break
		}
		for _, t := range documentTitle.FindAllString(l.text, -1) {
			switch {
			case found == "":
				found, title = t, l
				if !titlePattern.MatchString(t) {
					return nil, l, &Error{Line: l.num, Text: l.text, Msg: fmt.Sprintf("%s is not a yearly arrangement; held for the operator: only notices titled 国务院办公厅关于YYYY年部分节假日安排的通知 are read", t)}
				}
			case t != found:
				return nil, l, &Error{Line: l.num, Text: l.text, Msg: fmt.Sprintf("the page has two titles, %s (line %d) and %s: it is not read", found, title.num, t)}
			}
		}
	}
	if found == "" {
		return nil, line{}, &Error{Msg: "not a notice on holiday arrangements: no title 国务院办公厅关于YYYY年部分节假日安排的通知 found"}
	}
	if expected != "" && found != expected {
		return nil, title, &Error{Line: title.num, Text: title.text, Msg: fmt.Sprintf("the title %s is not the expected %s", found, clip(expected))}
	}
	n := &Notice{Title: found}
	n.Year, _ = strconv.Atoi(titlePattern.FindStringSubmatch(found)[1])
	return n, title, nil
}

// checkAcross checks a break against those before it: no day is in two
// breaks, no make-up working day is in a break, and none is given twice.
// l is b's paragraph and paragraphs those of the breaks before.
func checkAcross(b Break, l line, before []Break, paragraphs []line) error {
	fail := func(at line, format string, args ...any) error {
		return &Error{Line: at.num, Text: at.text, Msg: fmt.Sprintf(format, args...)}
	}
	inside := func(d events.Date, b Break) bool { return !d.Before(b.First) && !b.Last.Before(d) }
	for i, p := range before {
		name := p.Holiday.Name().ZH
		if !b.Last.Before(p.First) && !p.Last.Before(b.First) {
			return fail(l, "the break %s to %s overlaps the %s break %s to %s (line %d)", b.First, b.Last, name, p.First, p.Last, p.Line)
		}
		for _, d := range b.Workdays {
			if inside(d, p) {
				return fail(l, "make-up working day %s is inside the %s break %s to %s (line %d): a day cannot be both off and worked", d, name, p.First, p.Last, p.Line)
			}
			if slices.Contains(p.Workdays, d) {
				return fail(l, "make-up working day %s is also a make-up working day of %s (line %d)", d, name, p.Line)
			}
		}
		for _, d := range p.Workdays {
			if inside(d, b) {
				return fail(paragraphs[i], "make-up working day %s is inside the %s break %s to %s (line %d): a day cannot be both off and worked", d, b.Holiday.Name().ZH, b.First, b.Last, b.Line)
			}
		}
	}
	return nil
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
	h, err := holidayOf(names)
	if err != nil {
		return fail("%v", err)
	}
	b.Holiday = h
	if !strings.HasSuffix(body, "。") {
		return fail("the paragraph does not end with 。: it may be cut short")
	}
	sentences := strings.Split(strings.TrimSuffix(body, "。"), "。")
	// The first sentence is the break; its clauses after the first say
	// how it is counted.
	clauses := strings.Split(sentences[0], "，")
	m := breakPattern.FindStringSubmatch(clauses[0])
	if m == nil {
		return fail("cannot read the days off in %q: expected a day or a range such as 4月30日（星期六）至5月4日（星期三） and 放假", clip(clauses[0]))
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
	// count is the number of days the notice gives (共N天, 放假N天),
	// which must be the break's, whatever it is: -1 when it gives none.
	count, joinWeekend, notMoved := -1, false, false
	if m[12] != "" {
		count = atoi(strings.TrimSuffix(m[12], "天"))
	}
	for _, c := range clauses[1:] {
		switch {
		case c == "与周末连休":
			joinWeekend = true
		case c == "不调休":
			notMoved = true // a break the notice says is not moved is the days it names
		case countPattern.MatchString(c):
			if count >= 0 {
				return fail("the number of days is given twice")
			}
			count = atoi(countPattern.FindStringSubmatch(c)[1])
		default:
			return fail("cannot read %q: expected 共N天, 与周末连休 or 不调休", clip(c))
		}
	}
	if count < 0 && !notMoved && !joinWeekend {
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
	if days := b.Days(); count >= 0 && count != days {
		return fail("共%d天 does not match the break %s to %s, which is %d days", count, first, last, days)
	}
	if days := b.Days(); days > 31 {
		return fail("a break of %d days is longer than any notice has given", days)
	}
	// A break is in the notice's year; only New Year's may start in the
	// December before, as 2023's did on 31 December 2022.
	if !inYear(year, b.Holiday, first) || last.Year != year {
		return fail("the break %s to %s is not in the notice's year %d", first, last, year)
	}
	if err := checkStatutory(year, b); err != nil {
		return fail("%v", err)
	}
	for _, s := range sentences[1:] {
		switch {
		case workdayPattern.MatchString(s):
			toks := datePattern.FindAllString(strings.TrimSuffix(s, "上班"), -1)
			if len(toks)+len(b.Workdays) > maxWorkdays {
				return fail("%d make-up working days in one paragraph: a notice gives at most %d", len(toks)+len(b.Workdays), maxWorkdays)
			}
			for _, tok := range toks {
				d, err := parseDate(year, 0, tok)
				if err != nil {
					return fail("%v", err)
				}
				if !inYear(year, b.Holiday, d) {
					return fail("make-up working day %s is not in the notice's year %d", d, year)
				}
				if !isWeekend(d) {
					return fail("make-up working day %s is a %s: make-up working days are weekend days", d, d.Weekday())
				}
				if !d.Before(b.First) && !b.Last.Before(d) {
					return fail("make-up working day %s is inside the break %s to %s", d, b.First, b.Last)
				}
				if gap := max(daysBetween(d, b.First), daysBetween(b.Last, d)); gap > maxWorkdayGap {
					return fail("make-up working day %s is %d days from the break %s to %s: a make-up day is near the break it makes up for (at most %d days)", d, gap, b.First, b.Last, maxWorkdayGap)
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
			return fail("cannot read the sentence %q: expected make-up working days such as 4月24日（星期日）上班", clip(s))
		}
	}
	if joinWeekend && len(b.Workdays) > 0 {
		return fail("a break joined with the weekend (与周末连休) has no make-up working days")
	}
	return b, nil
}

// holidayOf is the holiday of a paragraph that names names: one holiday,
// or Mid-Autumn and National Day together.
func holidayOf(names string) (events.Holiday, error) {
	var hs []events.Holiday
	for name := range strings.SplitSeq(names, "、") {
		h, ok := holidayByName[name]
		if !ok {
			return "", fmt.Errorf("%q is not a holiday the notices arrange (known: 元旦、春节、清明节、劳动节、端午节、中秋节、国庆节)", clip(name))
		}
		hs = append(hs, h)
	}
	switch {
	case len(hs) == 1:
		return hs[0], nil
	case len(hs) == 2 && (hs[0] == events.HolidayMidAutumn && hs[1] == events.HolidayNationalDay ||
		hs[0] == events.HolidayNationalDay && hs[1] == events.HolidayMidAutumn):
		return events.HolidayMidAutumnNationalDay, nil
	}
	return "", fmt.Errorf("only Mid-Autumn and National Day share a paragraph; %q cannot be read", clip(names))
}

// festivalsOf are the holidays a paragraph that names names arranges;
// none when it cannot be read.
func festivalsOf(names string) []events.Holiday {
	h, err := holidayOf(names)
	switch {
	case err != nil:
		return nil
	case h == events.HolidayMidAutumnNationalDay:
		return []events.Holiday{events.HolidayMidAutumn, events.HolidayNationalDay}
	}
	return []events.Holiday{h}
}

// inYear reports whether a day of h's paragraph may be d in the notice
// of year: a day of that year, or, for New Year, of the December before.
func inYear(year int, h events.Holiday, d events.Date) bool {
	return d.Year == year || h == events.HolidayNewYear && d.Year == year-1 && d.Month == time.December
}

// checkStatutory checks that b contains the days that the regulations in
// force in year fix for its holiday.
func checkStatutory(year int, b Break) error {
	days, err := events.Statutory(year, b.Holiday)
	if err != nil {
		return err
	}
	if days.Contains(b.First, b.Last) {
		return nil
	}
	rules, _ := events.RegulationsIn(year)
	return fmt.Errorf("the break %s to %s does not contain %s's statutory days of %d (%s) under the %s",
		b.First, b.Last, b.Holiday.Name().EN, year, days, rules.Title.EN)
}

// atoi reads a number of the notice's digits; one too long for an int
// reads as a number no date or count has.
func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 1 << 30
	}
	return n
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
		return events.Date{}, fmt.Errorf("cannot read the date %q", clip(tok))
	}
	if m[1] != "" {
		year = atoi(m[1])
	}
	if m[2] != "" {
		month = time.Month(atoi(m[2]))
	}
	if month == 0 {
		return events.Date{}, fmt.Errorf("the date %q has no month", clip(tok))
	}
	day := atoi(m[3])
	d := events.Date{Year: year, Month: month, Day: day}
	if month > 12 || day < 1 || events.DateOf(d.In(time.UTC)) != d {
		return events.Date{}, fmt.Errorf("%q is not a date", clip(tok))
	}
	if m[4] == "" {
		return d, nil
	}
	for item := range strings.SplitSeq(m[4], "、") {
		switch {
		case strings.HasPrefix(item, "农历") || lunarDay.MatchString(item):
			// The Gregorian date decides, but a lunar date that is not
			// its day says the notice was misread or mistyped.
			if err := checkLunar(d, item); err != nil {
				return events.Date{}, fmt.Errorf("%q: %w", clip(tok), err)
			}
		case strings.HasPrefix(item, "星期") || strings.HasPrefix(item, "周"):
			name := strings.TrimPrefix(strings.TrimPrefix(item, "星期"), "周")
			wd, ok := weekdays[name]
			if !ok {
				return events.Date{}, fmt.Errorf("cannot read the weekday %q in %q", clip(item), clip(tok))
			}
			if wd != d.Weekday() {
				return events.Date{}, fmt.Errorf("%q: %s is a %s, not %s", clip(tok), d, d.Weekday(), clip(item))
			}
		default:
			return events.Date{}, fmt.Errorf("cannot read %q in the brackets of %q: expected a weekday (星期六 or 周六) or a lunar date (农历…)", clip(item), clip(tok))
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
