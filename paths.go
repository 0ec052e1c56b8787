package feed

import "strings"

// Calendar clients that are given a feed's URL without WebDAV discovery
// name the calendar after the URL's file: GNOME Calendar 43 (the base name
// of the path, its extension cut and underscores made spaces), Thunderbird's
// ics provider (the last path segment without its extension) and Evolution
// when it opens a webcal: link. /calendar.ics?kind=day-off is "calendar" in
// all of them, as is every other variant. So each linked variant also has
// an address under /calendars/ whose file says what it holds, such as
// /calendars/Labour_Day_days_off_in_English.ics. The query form stays, and
// answers the same bytes.
//
// The names are ASCII words. GNOME Calendar 43 and Thunderbird take the
// path as it is written in the URL, percent escapes and all: a Chinese file
// name would show as %E5%8A%B3… in both (GNOME Calendar parses with
// GLib's GUri and libsoup's flags, which keep the path encoded; Thunderbird
// reads nsIURL.filePath, which is escaped). The language is therefore
// named in English words: "in Chinese", "in English", nothing for both.

// CalendarsDir is the directory of the linked feeds' named addresses.
const CalendarsDir = "/calendars/"

// CalendarFilePath is the named address of a linked variant, such as
// /calendars/Labour_Day_days_off.ics, and false for any other variant,
// which has only its query form.
func CalendarFilePath(v Variant) (string, bool) {
	if v.WorkHours != nil || v.Alarm != nil && *v.Alarm != ReminderLead {
		return "", false
	}
	f, ok := setOf(v)
	if !ok || f.file == "" {
		return "", false
	}
	name := f.file
	var b strings.Builder
	b.WriteString(CalendarsDir)
	b.WriteString(name)
	switch v.Lang {
	case LangEnglish:
		b.WriteString("_in_English")
	case LangChinese:
		b.WriteString("_in_Chinese")
	}
	if v.Alarm != nil {
		b.WriteString("_with_" + formatAlarm(*v.Alarm) + "_reminders")
	}
	b.WriteString(".ics")
	return b.String(), true
}

// calendarAddress is where a feed is found: its named address when it has
// one, else its query form.
func calendarAddress(v Variant) string {
	if p, ok := CalendarFilePath(v); ok {
		return p
	}
	return withQuery(CalendarPath, v.Query())
}
