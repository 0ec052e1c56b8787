package feed

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"feed/events"
	"feed/internal/resource"
)

// A person adding a calendar picks it by its name and tells it from the
// others by name and colour, often in a narrow list that shows the first
// twenty-odd characters (the tests hold sibling names apart within 24). So
// a calendar's name leads with what sets it apart (its subject), then says
// whether it rings or has working hours, and fits in maxNameRunes; each set
// of events has a colour of its own.

// maxNameRunes bounds a calendar's name: Thunderbird 153.8 widened its
// calendar list to fit a 150-character name and squeezed the month view.
const maxNameRunes = 48

// calendarColor is a calendar's colour in the two forms clients read: a CSS3
// colour name for RFC 7986's COLOR, and #RRGGBB for WebDAV's calendar-color
// and Apple's X-APPLE-CALENDAR-COLOR. Every colour has a contrast of at
// least 3:1 against white and against a dark theme's background, so that an
// event's colour bar reads on both.
type calendarColor struct{ Name, Hex string }

// feedSet is a choice of events the service names and colours: a kind and
// holiday set of Variant, in every language, with or without reminders.
type feedSet struct {
	kinds    []events.Kind
	holidays []events.Holiday
	// name is the subject of the calendar's name; zhShort, when set, is the
	// Chinese half of a bilingual name, where both halves must fit.
	name    events.Text
	zhShort string
	color   calendarColor
	// file names its feeds' addresses under /calendars/ (CalendarFilePath)
	// in ASCII words; "" for a set no page links to.
	file string
}

func (f feedSet) variant(lang Lang) Variant {
	return Variant{Kinds: f.kinds, Holidays: f.holidays, Lang: lang}
}

// key is what a variant holds, whatever its language, reminder or hours.
func (f feedSet) key() string { return f.variant("").Query() }

// otherHolidays are the holidays besides Labour Day: the feed of the other
// public holidays holds their days, the feed of Workers' Day and Labour Day
// Labour Day's.
func otherHolidays() []events.Holiday {
	var out []events.Holiday
	for _, h := range allHolidays() {
		if h != events.HolidayLabourDay {
			out = append(out, h)
		}
	}
	return out
}

var (
	conferenceKinds = []events.Kind{events.KindConference, events.KindCeremony}
	labourDayKinds  = []events.Kind{events.KindObservance, events.KindDayOff, events.KindWorkday, events.KindStatutory}
)

// The three sets discovery offers: together they hold every event of the
// service, each in exactly one of them.
var (
	conferenceSet = feedSet{kinds: conferenceKinds,
		name: events.Text{EN: "Craftsmen Conference", ZH: "大国工匠大会"}, color: calendarColor{"royalblue", "#4169E1"},
		file: "Craftsmen_of_the_Nation_conference"}
	labourDaySet = feedSet{kinds: labourDayKinds,
		name: events.Text{EN: "Workers' Day & Labour Day", ZH: "劳动节与放假调休"}, zhShort: "劳动节",
		color: calendarColor{"crimson", "#DC143C"}, file: "Workers_Day_and_Labour_Day"}
	otherHolidaysSet = feedSet{kinds: everyHolidayKinds, holidays: otherHolidays(),
		name: events.Text{EN: "Other public holidays", ZH: "其他法定节假日"}, color: calendarColor{"seagreen", "#2E8B57"},
		file: "China_public_holidays_other_than_Labour_Day"}
)

// discoverySets are what PROPFIND Depth 1 on the site lists, in this order.
var discoverySets = []feedSet{conferenceSet, labourDaySet, otherHolidaysSet}

// The other sets the page offers.
var (
	// everythingSet's calendar goes by the catalog's name (calendarName);
	// this one names it where no catalog is at hand.
	everythingSet = feedSet{name: events.Text{EN: "Craftsmen & Labour Day", ZH: "工匠大会与劳动节"}, zhShort: "大会与劳动节",
		color: calendarColor{"mediumvioletred", "#C71585"}, file: "Craftsmen_of_the_Nation_and_Labour_Day"}
	labourDaysOffSet = feedSet{kinds: []events.Kind{events.KindDayOff},
		name: events.Text{EN: "Labour Day days off", ZH: "劳动节放假"}, color: calendarColor{"orangered", "#FF4500"},
		file: "Labour_Day_days_off"}
	labourWorkdaysSet = feedSet{kinds: []events.Kind{events.KindWorkday},
		name: events.Text{EN: "Labour Day make-up days", ZH: "劳动节调休上班"}, zhShort: "劳动节调休",
		color: calendarColor{"slateblue", "#6A5ACD"}, file: "Labour_Day_make-up_working_days"}
	everyHolidaySet = feedSet{kinds: everyHolidayKinds, holidays: allHolidays(),
		name: events.Text{EN: "China's public holidays", ZH: "全部法定节假日"}, zhShort: "法定节假日",
		color: calendarColor{"darkgoldenrod", "#B8860B"}, file: "China_public_holidays"}
)

// linkedSets are the sets of LinkedVariants, in the order the service has
// always listed them, then the discovery sets they lacked.
var linkedSets = []feedSet{
	everythingSet, labourDaysOffSet, labourWorkdaysSet, conferenceSet, everyHolidaySet,
	{kinds: []events.Kind{events.KindDayOff}, holidays: allHolidays(),
		name: events.Text{EN: "Holiday days off", ZH: "节假日放假"}, color: calendarColor{"olivedrab", "#6B8E23"},
		file: "China_public_holidays_days_off"},
	{kinds: []events.Kind{events.KindWorkday}, holidays: allHolidays(),
		name: events.Text{EN: "Make-up working days", ZH: "节假日调休上班"}, zhShort: "调休上班",
		color: calendarColor{"chocolate", "#D2691E"}, file: "China_make-up_working_days"},
	{kinds: []events.Kind{events.KindStatutory}, holidays: allHolidays(),
		name: events.Text{EN: "Statutory days ahead", ZH: "法定假日（待通知）"}, zhShort: "法定假日",
		color: calendarColor{"slategray", "#708090"}, file: "China_statutory_holidays"},
	labourDaySet,
	otherHolidaysSet,
}

// namedSets are every set with a name of its own: the linked ones and
// every event at once, which no page links to.
var namedSets = append(slices.Clip(linkedSets), feedSet{holidays: allHolidays(),
	name: events.Text{EN: "Every event", ZH: "全部日程"}, color: calendarColor{"teal", "#008080"}})

// otherColor is the colour of a variant no set names.
var otherColor = calendarColor{"gray", "#808080"}

// setOf finds the named set that holds what v holds.
func setOf(v Variant) (feedSet, bool) {
	key := Variant{Kinds: v.Kinds, Holidays: v.Holidays}.Query()
	for _, f := range namedSets {
		if f.key() == key {
			return f, true
		}
	}
	return feedSet{}, false
}

// colorOf is a variant's colour: its set's, whatever its language, reminder
// or working hours.
func colorOf(v Variant) calendarColor {
	if f, ok := setOf(v); ok {
		return f.color
	}
	return otherColor
}

// eventColor is the colour of an event's own calendar: that of the
// discovery calendar that holds it.
func eventColor(ev events.Event) calendarColor {
	for _, f := range discoverySets {
		if f.variant("").selects(ev) {
			return f.color
		}
	}
	return otherColor
}

// calendarName is the one place a calendar's name comes from: its
// X-WR-CALNAME and NAME, its WebDAV displayname, its card on the page and
// the name a subscribe link proposes. It is the subject, in the variant's
// language (a bilingual calendar pairs the English and a short Chinese
// name), then its reminder and working hours, in at most maxNameRunes.
func calendarName(cat *events.Catalog, v Variant) string {
	subject, short := subjectOf(v)
	// The calendar of every event of a catalog goes by the catalog's own
	// name, so that a catalog of other events is not named for these.
	if cat != nil && v.Kinds == nil && v.Holidays == nil && cat.Name.EN != "" {
		subject, short = cat.Name, cat.Name.ZH
	}
	lang := v.lang()
	var name string
	switch lang {
	case LangEnglish:
		name = subject.EN
	case LangChinese:
		name = subject.ZH
	default:
		name = subject.EN + " · " + short
	}
	return fitName(name, qualifiers(v, lang))
}

// subjectOf is what a variant holds, in a few words: its set's name, or
// one made of its holidays and kinds; and the Chinese half of a bilingual
// name.
func subjectOf(v Variant) (events.Text, string) {
	if f, ok := setOf(v); ok {
		short := f.zhShort
		if short == "" {
			short = f.name.ZH
		}
		return f.name, short
	}
	var en, zh []string
	holidayKinds := 0
	for _, k := range events.Kinds() {
		if !v.includes(k) {
			continue
		}
		if k.HasHoliday() {
			holidayKinds++
			continue
		}
		en = append(en, kindPluralLabels[k].EN)
		zh = append(zh, kindPluralLabels[k].ZH)
	}
	if holidayKinds > 0 {
		label := events.Text{EN: events.HolidayLabourDay.Name().EN, ZH: events.HolidayLabourDay.Name().ZH}
		if v.Holidays != nil {
			label = v.holidayLabel()
		}
		if holidayKinds < len(everyHolidayKinds) {
			var ken, kzh []string
			for _, k := range events.Kinds() {
				if k.HasHoliday() && v.includes(k) {
					ken = append(ken, kindPluralLabels[k].EN)
					kzh = append(kzh, kindPluralLabels[k].ZH)
				}
			}
			label.EN += ": " + strings.Join(ken, ", ")
			label.ZH += strings.Join(kzh, "、")
		}
		en = append(en, label.EN)
		zh = append(zh, label.ZH)
	}
	t := events.Text{EN: capitalize(strings.Join(en, ", ")), ZH: strings.Join(zh, "、")}
	return t, t.ZH
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}

// qualifiers say, after the subject, what a variant adds to its events:
// working hours and a reminder; "" when it adds neither.
func qualifiers(v Variant, lang Lang) string {
	var parts []string
	if v.WorkHours != nil {
		hours := v.WorkHours.String()
		parts = append(parts, pick(lang, "work "+hours, "上班"+hours, "work 上班 "+hours))
	}
	if v.Alarm != nil {
		lead := formatAlarm(*v.Alarm)
		parts = append(parts, pick(lang, lead+" reminder", "提前"+chineseDuration(*v.Alarm)+"提醒", lead+" reminder 提醒"))
	}
	if len(parts) == 0 {
		return ""
	}
	if lang == LangChinese {
		return "（" + strings.Join(parts, "，") + "）"
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func pick(lang Lang, en, zh, both string) string {
	switch lang {
	case LangEnglish:
		return en
	case LangChinese:
		return zh
	}
	return both
}

// fitName joins a subject and its qualifiers in at most maxNameRunes,
// shortening the subject with an ellipsis when both do not fit: the
// qualifiers are what tells a variant from its plain twin.
func fitName(subject, quals string) string {
	// The longest qualifiers, working hours and a reminder of 6d23h59m in
	// both languages, take 45 characters: the subject keeps at least two.
	room := max(maxNameRunes-utf8.RuneCountInString(quals), 2)
	if utf8.RuneCountInString(subject) > room {
		runes := []rune(subject)
		subject = strings.TrimRight(string(runes[:room-1]), " ·,") + "…"
	}
	return subject + quals
}

// discoveryLang is the language of the calendars discovery lists: Chinese
// or English, whichever Accept-Language prefers (by q-value, then by
// order), and both when it names neither. Thunderbird 153.8 sends its
// intl.accept_languages: English in the English build.
func discoveryLang(r *http.Request) Lang {
	best, bestQ := LangBoth, 0.0
	for part := range strings.SplitSeq(resource.RequestHeader(r, "Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		var lang Lang
		switch primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-"); primary {
		case "zh":
			lang = LangChinese
		case "en":
			lang = LangEnglish
		default:
			continue
		}
		if q := quality(params); q > bestQ {
			best, bestQ = lang, q
		}
	}
	return best
}

// quality is the q-value of an Accept-Language element's parameters: 1
// when absent, 0 when malformed (RFC 9110 §12.4.2).
func quality(params string) float64 {
	for p := range strings.SplitSeq(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		v = strings.TrimSpace(v)
		q, err := strconv.ParseFloat(v, 64)
		if err != nil || len(v) > 5 || q < 0 || q > 1 {
			return 0
		}
		return q
	}
	return 1
}

// colorCSS gives each card of the page its calendar's colour, as a custom
// property of the card's id.
func colorCSS() string {
	var b strings.Builder
	for _, f := range pageFeeds {
		fmt.Fprintf(&b, "#feed-%s{--cal:%s}\n", f.id, colorOf(f.set.variant("")).Hex)
	}
	return b.String()
}
