/*
 * Reads an iCalendar stream on standard input with libical, the library
 * behind Evolution and GNOME Calendar, and prints what it understood, for
 * the Go tests to compare with the catalog.
 *
 * Every problem libical notices while parsing becomes an X-LIC-ERROR
 * property; each is printed to standard error and makes the exit status 1.
 * For each VEVENT one line goes to standard output, tab-separated:
 *
 *   UID  DTSTART  DTEND-or-"-"  RRULE-or-"-"  OCCURRENCES-or-"-"  ALARMS-or-"-"
 *
 * ALARMS are the instants the event's VALARMs ring, comma-separated, as
 * libical's trigger type gives them: an absolute trigger as it stands, a
 * relative one added to DTSTART. A relative trigger on a DATE gives a
 * floating time, which depends on the viewer's zone; it is written
 * "floating:YYYY-MM-DDTHH:MM:SS".
 *
 * A DATE is written YYYY-MM-DD; a DATE-TIME is converted to UTC through the
 * VTIMEZONE carried in the stream (never libical's own zone database) and
 * written YYYY-MM-DDTHH:MM:SSZ. Occurrences are expanded by libical's
 * recurrence iterator up to the end of 2031.
 */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int problems = 0;

static void report_errors(icalcomponent *c)
{
	for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY)) {
		fprintf(stderr, "%s: %s\n", icalcomponent_kind_to_string(icalcomponent_isa(c)), icalproperty_get_xlicerror(p));
		problems++;
	}
	for (icalcomponent *sub = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); sub;
	     sub = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
		report_errors(sub);
}

/* format writes t, in UTC unless it is a DATE, resolving its TZID only
 * against the calendar's own VTIMEZONE components. */
static void format(icalcomponent *cal, icalproperty *prop, struct icaltimetype t, char *out, size_t n)
{
	if (t.is_date) {
		snprintf(out, n, "%04d-%02d-%02d", t.year, t.month, t.day);
		return;
	}
	if (prop) {
		icalparameter *tzid = icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER);
		if (tzid) {
			icaltimezone *zone = icalcomponent_get_timezone(cal, icalparameter_get_tzid(tzid));
			if (!zone) {
				fprintf(stderr, "TZID %s has no VTIMEZONE in the stream\n", icalparameter_get_tzid(tzid));
				problems++;
				snprintf(out, n, "?");
				return;
			}
			t = icaltime_set_timezone(&t, zone);
		} else if (!icaltime_is_utc(t)) {
			fprintf(stderr, "floating time %s\n", icaltime_as_ical_string(t));
			problems++;
		}
	}
	t = icaltime_convert_to_zone(t, icaltimezone_get_utc_timezone());
	snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02dZ", t.year, t.month, t.day, t.hour, t.minute, t.second);
}

/* print_alarms writes the ALARMS column of one event. */
static void print_alarms(icalcomponent *cal, icalcomponent *ev, icalproperty *dtstart)
{
	int first = 1;
	for (icalcomponent *a = icalcomponent_get_first_component(ev, ICAL_VALARM_COMPONENT); a;
	     a = icalcomponent_get_next_component(ev, ICAL_VALARM_COMPONENT)) {
		icalproperty *tp = icalcomponent_get_first_property(a, ICAL_TRIGGER_PROPERTY);
		char at[48];
		if (!tp) {
			fprintf(stderr, "VALARM without TRIGGER\n");
			problems++;
			continue;
		}
		struct icaltriggertype trig = icalproperty_get_trigger(tp);
		if (!icaltime_is_null_time(trig.time)) {
			format(cal, tp, trig.time, at, sizeof at);
		} else {
			struct icaltimetype st = icalproperty_get_dtstart(dtstart);
			if (st.is_date) {
				st.is_date = 0;
				st = icaltime_add(st, trig.duration);
				snprintf(at, sizeof at, "floating:%04d-%02d-%02dT%02d:%02d:%02d", st.year, st.month, st.day, st.hour, st.minute, st.second);
			} else {
				icalparameter *tzid = icalproperty_get_first_parameter(dtstart, ICAL_TZID_PARAMETER);
				if (tzid)
					st = icaltime_set_timezone(&st, icalcomponent_get_timezone(cal, icalparameter_get_tzid(tzid)));
				st = icaltime_add(st, trig.duration);
				format(cal, NULL, st, at, sizeof at);
			}
		}
		printf("%s%s", first ? "" : ",", at);
		first = 0;
	}
	if (first)
		printf("-");
}

static char *read_all(FILE *f)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += got;
		if (len + 1 == cap)
			buf = realloc(buf, cap *= 2);
	}
	if (buf)
		buf[len] = 0;
	return buf;
}

int main(void)
{
	char *text = read_all(stdin);
	if (!text)
		return 2;
	icalcomponent *cal = icalparser_parse_string(text);
	if (!cal || icalcomponent_isa(cal) != ICAL_VCALENDAR_COMPONENT) {
		fprintf(stderr, "not a VCALENDAR\n");
		return 1;
	}
	report_errors(cal);
	/* RFC 5545/5546 restrictions on which properties a component may hold. */
	icalrestriction_check(cal);
	report_errors(cal);

	for (icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev;
	     ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		char start[32], end[32] = "-";
		icalproperty *dtstart = icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
		icalproperty *dtend = icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY);
		struct icaltimetype st = icalproperty_get_dtstart(dtstart);
		format(cal, dtstart, st, start, sizeof start);
		if (dtend)
			format(cal, dtend, icalproperty_get_dtend(dtend), end, sizeof end);
		printf("%s\t%s\t%s\t", icalcomponent_get_uid(ev), start, end);

		icalproperty *rrule = icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY);
		if (!rrule) {
			printf("-\t-\t");
			print_alarms(cal, ev, dtstart);
			printf("\n");
			continue;
		}
		struct icalrecurrencetype recur = icalproperty_get_rrule(rrule);
		printf("%s\t", icalrecurrencetype_as_string(&recur));
		/* Expand in the event's own zone, so that wall-clock time holds
		 * across daylight-saving changes. */
		icalparameter *tzid = icalproperty_get_first_parameter(dtstart, ICAL_TZID_PARAMETER);
		if (tzid)
			st = icaltime_set_timezone(&st, icalcomponent_get_timezone(cal, icalparameter_get_tzid(tzid)));
		icalrecur_iterator *it = icalrecur_iterator_new(recur, st);
		int first = 1;
		for (struct icaltimetype next = icalrecur_iterator_next(it); !icaltime_is_null_time(next) && next.year <= 2031;
		     next = icalrecur_iterator_next(it)) {
			char occ[32];
			format(cal, NULL, next, occ, sizeof occ);
			printf("%s%s", first ? "" : ",", occ);
			first = 0;
		}
		icalrecur_iterator_free(it);
		printf("\t");
		print_alarms(cal, ev, dtstart);
		printf("\n");
	}
	icalcomponent_free(cal);
	free(text);
	return problems ? 1 : 0;
}
