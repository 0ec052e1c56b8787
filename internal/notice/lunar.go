package notice

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/6tail/lunar-go/calendar"

	"feed/events"
)

// The notices write lunar dates in the brackets beside a date: 农历除夕,
// 农历正月初七, 腊月二十八. They are checked against the date with the
// lunar calendar that the statutory days come from.

var lunarPattern = regexp.MustCompile(`^(闰)?(正|一|二|三|四|五|六|七|八|九|十|十一|冬|十二|腊)月(.{1,3})$`)

var lunarMonths = map[string]int{
	"正": 1, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
	"十": 10, "十一": 11, "冬": 11, "十二": 12, "腊": 12,
}

var lunarMonthNames = [...]string{"", "正", "二", "三", "四", "五", "六", "七", "八", "九", "十", "冬", "腊"}

// lunarDays maps the day names to days: 初一–初十, 十一–十九, 二十,
// 廿一–廿九 (also written 二十一–二十九) and 三十.
var lunarDays = func() map[string]int {
	digits := []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}
	m := map[string]int{"二十": 20, "三十": 30}
	for i := 1; i <= 10; i++ {
		m["初"+digits[i]] = i
	}
	for i := 1; i <= 9; i++ {
		m["十"+digits[i]] = 10 + i
		m["廿"+digits[i]] = 20 + i
		m["二十"+digits[i]] = 20 + i
	}
	return m
}()

// lunarName is d's lunar date as the notices write it: 除夕（腊月廿九）,
// 正月初七.
func lunarName(l *calendar.Lunar, eve bool) string {
	month := l.GetMonth()
	name := ""
	if month < 0 {
		name, month = "闰", -month
	}
	name += lunarMonthNames[month] + "月" + l.GetDayInChinese()
	if eve {
		return "除夕（" + name + "）"
	}
	return name
}

// checkLunar checks that item, a lunar date with or without 农历, is d's.
func checkLunar(d events.Date, item string) error {
	l := calendar.NewSolarFromYmd(d.Year, int(d.Month), d.Day).GetLunar()
	next := d.AddDays(1)
	nl := calendar.NewSolarFromYmd(next.Year, int(next.Month), next.Day).GetLunar()
	eve := nl.GetMonth() == 1 && nl.GetDay() == 1
	name := strings.TrimPrefix(item, "农历")
	if name == "除夕" {
		if !eve {
			return fmt.Errorf("%s is %s, not %s", d, lunarName(l, eve), clip(item))
		}
		return nil
	}
	m := lunarPattern.FindStringSubmatch(name)
	if m == nil {
		return fmt.Errorf("cannot read the lunar date %q", clip(item))
	}
	month, day := lunarMonths[m[2]], lunarDays[m[3]]
	if day == 0 {
		return fmt.Errorf("cannot read the lunar date %q", clip(item))
	}
	if m[1] != "" {
		month = -month // the library numbers a leap month negatively
	}
	if l.GetMonth() != month || l.GetDay() != day {
		return fmt.Errorf("%s is %s, not %s", d, lunarName(l, eve), clip(item))
	}
	return nil
}
