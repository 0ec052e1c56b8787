// Reads an iCalendar stream (or jCal with --jcal) on standard input with
// Mozilla's ical.js and prints what a client would show, as JSON, for the
// Go tests to compare against the catalog. Time zones come only from the
// stream's own VTIMEZONE components: ical.js has no zone database.
import ICAL from "ical.js";
import { readFileSync } from "node:fs";

const input = readFileSync(0, "utf8");
const jcal = process.argv.includes("--jcal") ? JSON.parse(input) : ICAL.parse(input);
const cal = new ICAL.Component(jcal);

for (const vtz of cal.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtz);
}

// A DATE stays a day; a DATE-TIME becomes the UTC instant it stands for.
function show(t) {
  if (!t) return null;
  if (t.isDate) return t.toString();
  if (t.zone === ICAL.Timezone.localTimezone) throw new Error(`floating time ${t}`);
  if (t.timezone && !ICAL.TimezoneService.has(t.timezone)) throw new Error(`TZID ${t.timezone} has no VTIMEZONE`);
  return new Date(t.toUnixTime() * 1000).toISOString().replace(".000Z", "Z");
}

// when is the instant an alarm rings as ical.js computes it: an absolute
// trigger as it stands, a relative one added to DTSTART. A relative trigger
// on a DATE gives a floating time, which depends on the viewer's zone.
function when(trigger, start) {
  if (trigger instanceof ICAL.Time) return show(trigger);
  const t = start.clone();
  if (t.isDate) {
    t.isDate = false;
    t.addDuration(trigger);
    return "floating:" + t.toString();
  }
  t.addDuration(trigger);
  return show(t);
}

const until = ICAL.Time.fromDateString("2032-01-01");
const out = {
  calendar: Object.fromEntries(
    cal.getAllProperties().map((p) => [p.name, String(p.getFirstValue())]),
  ),
  events: cal.getAllSubcomponents("vevent").map((vevent) => {
    const ev = new ICAL.Event(vevent);
    const occurrences = [];
    if (ev.isRecurring()) {
      const it = ev.iterator();
      for (let next = it.next(); next && next.compare(until) < 0; next = it.next()) {
        occurrences.push(show(next));
      }
    }
    return {
      uid: ev.uid,
      summary: ev.summary,
      description: ev.description,
      location: ev.location,
      url: vevent.getFirstPropertyValue("url"),
      categories: vevent.getAllProperties("categories").flatMap((p) => p.getValues()),
      status: vevent.getFirstPropertyValue("status"),
      transp: vevent.getFirstPropertyValue("transp"),
      sequence: ev.sequence,
      geo: vevent.getFirstPropertyValue("geo"),
      isDate: ev.startDate.isDate,
      start: show(ev.startDate),
      end: vevent.hasProperty("dtend") ? show(ev.endDate) : null,
      rrule: vevent.hasProperty("rrule") ? vevent.getFirstPropertyValue("rrule").toString() : null,
      occurrences,
      alarms: vevent.getAllSubcomponents("valarm").map((a) => ({
        action: a.getFirstPropertyValue("action"),
        trigger: a.getFirstPropertyValue("trigger").toString(),
        at: when(a.getFirstPropertyValue("trigger"), ev.startDate),
        description: a.getFirstPropertyValue("description"),
      })),
    };
  }),
};
process.stdout.write(JSON.stringify(out, null, 1) + "\n");
