package feed

import (
	"strconv"
	"time"

	"feed/events"
)

// programsSection is the page's short part for programs: the day-status
// API (days.go), with a shell and a JavaScript example.
type programsSection struct {
	Title, Intro, Fields string
	Curl, JS             string
	IndexURL, YearURL    string
	Year                 int
}

// programsFor fills the part for programs, or returns nil for a catalog
// without holiday arrangements, which the API has nothing to say of.
func programsFor(snap *Snapshot, lang Lang, base string, now time.Time) *programsSection {
	years := snap.days.days.Years()
	if len(years) == 0 {
		return nil
	}
	year := years[0].Year
	if this := now.In(beijing).Year(); snap.days.days.Covered(events.Date{Year: this, Month: time.January, Day: 1}) {
		year = this
	}
	p := &programsSection{
		IndexURL: base + DaysIndexPath, YearURL: base + DaysPath(strconv.Itoa(year)), Year: year,
		Curl: "curl " + base + DaysPath(strconv.Itoa(year)+"-10-01"),
		JS: "const day = await (await fetch(\"" + base + DaysTodayPath + "\")).json();\n" +
			"if (!day.workday) console.log(day.type, day.holiday?.name.en);",
	}
	if lang == LangChinese {
		p.Title = "程序接口"
		p.Intro = "程序可以按日期查询某天是否上班，数据与上面的日历相同：每年的文件与 holiday-cn 的 YYYY.json 格式相同，另有单日和今天（北京时间）的查询。"
		p.Fields = "单日字段：type（workday、weekend、day-off、make-up-workday）、workday（是否上班）、holiday、provisional（当年通知尚未发布）、source（通知）。年份列表："
		p.JS = "const day = await (await fetch(\"" + base + DaysTodayPath + "\")).json();\n" +
			"if (!day.workday) console.log(day.type, day.holiday?.name.zh);"
		return p
	}
	p.Title = "For programs"
	p.Intro = "Programs can ask whether a date is a working day, from the same data as the calendars above: " +
		"each year's file in the shape of holiday-cn's YYYY.json, and one date or today (Beijing time) at a time."
	p.Fields = "A date's fields: type (workday, weekend, day-off, make-up-workday), workday (whether people work), " +
		"holiday, provisional (the year's notice is not out yet) and source (the notice). The years:"
	return p
}
