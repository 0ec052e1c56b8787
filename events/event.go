// Package events holds the event model and the catalog that the feed is built
// from. It knows nothing of HTTP or iCalendar: it decodes and validates a
// human-edited catalog and hands out plain values.
package events

import (
	"time"
)

// UIDDomain is the right-hand side of every event's UID. UIDs need to be
// globally unique, not resolvable; a name under the reserved .invalid
// top-level domain (RFC 6761) can never collide with a domain that someone
// else owns, and it never changes with where the feed happens to be hosted.
const UIDDomain = "craftsmen-feed.invalid"

// Kind says what sort of day or happening an event is. Subscribers filter by
// kind, and the kind decides how the event blocks time in their calendar.
type Kind string

// The kinds of event a catalog may hold.
const (
	KindConference Kind = "conference" // a multi-day gathering, all-day
	KindCeremony   Kind = "ceremony"   // a timed session such as an opening
	KindObservance Kind = "observance" // a day marked worldwide or nationally
	KindDayOff     Kind = "day-off"    // public-holiday days off, moved weekend days included
	KindWorkday    Kind = "workday"    // a weekend day that becomes a make-up working day
	// KindStatutory marks the days that the national holiday regulations
	// fix for a year whose arrangement is not yet published. Such events
	// are derived, never written in a catalog.
	KindStatutory Kind = "statutory"
)

// Kinds lists every kind in a fixed order, for validation messages and menus.
func Kinds() []Kind {
	return []Kind{KindConference, KindCeremony, KindObservance, KindDayOff, KindWorkday, KindStatutory}
}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool {
	for _, known := range Kinds() {
		if k == known {
			return true
		}
	}
	return false
}

// BlocksTime reports whether an event of this kind makes its attendee busy.
// Days off, observances and make-up working days describe the day rather
// than occupy it, and a multi-day conference shown all-day must not mark a
// subscriber busy for three days; a timed ceremony is an appointment.
func (k Kind) BlocksTime() bool { return k == KindCeremony }

// Status is the iCalendar status of an event. A withdrawn event stays in the
// catalog as cancelled, so that subscribers' copies are updated rather than
// silently kept.
type Status string

// The statuses an event may have; confirmed is the default.
const (
	StatusConfirmed Status = "confirmed"
	StatusTentative Status = "tentative"
	StatusCancelled Status = "cancelled"
)

// Recurrence is how an event repeats.
type Recurrence string

// The recurrences a catalog may give; the empty value means the event
// happens once.
const (
	RecurNone   Recurrence = ""
	RecurYearly Recurrence = "yearly"
)

// Text is a string given in English and in Chinese (Simplified).
type Text struct {
	EN string
	ZH string
}

// IsZero reports whether neither language is given.
func (t Text) IsZero() bool { return t.EN == "" && t.ZH == "" }

// Location is where an event takes place.
type Location struct {
	Name    Text
	Address Text // optional
	Geo     *Geo // optional
}

// Geo is a WGS 84 position in decimal degrees.
type Geo struct {
	Lat float64
	Lon float64
}

// Source is a page that backs an event's data.
type Source struct {
	Title string
	URL   string
}

// Revision records when an event's data last changed. Sequence goes up by one
// with every change that subscribers should see, so that a corrected event
// keeps its UID and replaces the old copy instead of sitting beside it.
type Revision struct {
	Modified time.Time // UTC
	Sequence int
}

// When is an event's time: either a range of whole days or a start at a
// local wall-clock time in an IANA zone.
type When struct {
	AllDay bool

	// For all-day events: the first and the last day, both inclusive.
	First, Last Date

	// For timed events: the start, and the end if one is known, as times in
	// Zone. An unknown end stays zero: it is never made up.
	Start, End time.Time
	Zone       *time.Location
}

// HasEnd reports whether a timed event has a known end.
func (w When) HasEnd() bool { return !w.End.IsZero() }

// Event is one entry of the catalog.
type Event struct {
	ID   string
	Kind Kind
	// Holiday is the statutory holiday that a day-off or make-up working
	// day belongs to; empty for every other kind.
	Holiday     Holiday
	Name        Text
	Description Text
	Location    Location
	URL         string   // the main page for the event, such as the official notice
	Sources     []Source // pages that back the data
	When        When
	Recur       Recurrence
	Status      Status
	Revision    Revision
}

// UID is the event's iCalendar UID: stable for as long as the ID is.
func (e Event) UID() string { return e.ID + "@" + UIDDomain }
