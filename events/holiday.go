package events

import "strings"

// Holiday is one of mainland China's statutory public holidays, as the State
// Council's yearly notice names them. Every day-off and make-up working day
// belongs to one, so that subscribers can choose the holidays they follow.
type Holiday string

// The holidays a catalog may name. MidAutumnNationalDay is the one break
// that the 2023 and 2025 notices give the two festivals together.
const (
	HolidayNewYear              Holiday = "new-year"
	HolidaySpringFestival       Holiday = "spring-festival"
	HolidayQingming             Holiday = "qingming"
	HolidayLabourDay            Holiday = "labour-day"
	HolidayDragonBoat           Holiday = "dragon-boat"
	HolidayMidAutumn            Holiday = "mid-autumn"
	HolidayNationalDay          Holiday = "national-day"
	HolidayMidAutumnNationalDay Holiday = "mid-autumn-national-day"
)

// Holidays lists every holiday in the order of the year, the order the
// notices use, for validation messages, menus and the importer.
func Holidays() []Holiday {
	return []Holiday{
		HolidayNewYear, HolidaySpringFestival, HolidayQingming, HolidayLabourDay,
		HolidayDragonBoat, HolidayMidAutumn, HolidayNationalDay, HolidayMidAutumnNationalDay,
	}
}

// holidayNames is the one place where the holidays' names live, in the
// words the notices use.
var holidayNames = map[Holiday]Text{
	HolidayNewYear:              {EN: "New Year's Day", ZH: "元旦"},
	HolidaySpringFestival:       {EN: "Spring Festival", ZH: "春节"},
	HolidayQingming:             {EN: "Qingming Festival", ZH: "清明节"},
	HolidayLabourDay:            {EN: "Labour Day", ZH: "劳动节"},
	HolidayDragonBoat:           {EN: "Dragon Boat Festival", ZH: "端午节"},
	HolidayMidAutumn:            {EN: "Mid-Autumn Festival", ZH: "中秋节"},
	HolidayNationalDay:          {EN: "National Day", ZH: "国庆节"},
	HolidayMidAutumnNationalDay: {EN: "Mid-Autumn Festival and National Day", ZH: "中秋节、国庆节"},
}

// Valid reports whether h is one of Holidays.
func (h Holiday) Valid() bool {
	_, ok := holidayNames[h]
	return ok
}

// Name is the holiday's name in English and Chinese.
func (h Holiday) Name() Text { return holidayNames[h] }

// Includes reports whether the break of h covers the festival other:
// a shared Mid-Autumn and National Day break is the break of both.
func (h Holiday) Includes(other Holiday) bool {
	if h == other {
		return true
	}
	return h == HolidayMidAutumnNationalDay && (other == HolidayMidAutumn || other == HolidayNationalDay)
}

// HasHoliday reports whether events of kind k belong to a holiday.
func (k Kind) HasHoliday() bool { return k == KindDayOff || k == KindWorkday || k == KindStatutory }

func holidayList() string {
	names := make([]string, 0, len(Holidays()))
	for _, h := range Holidays() {
		names = append(names, string(h))
	}
	return strings.Join(names, ", ")
}
