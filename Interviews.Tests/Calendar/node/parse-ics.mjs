// Parses an RFC 5545 calendar from stdin with ical.js (a third-party parser) and prints its events as JSON.
import ICAL from "ical.js";

let text = "";
for await (const chunk of process.stdin) text += chunk;
const calendar = new ICAL.Component(ICAL.parse(text));
const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  return {
    uid: event.uid,
    sequence: event.sequence,
    status: vevent.getFirstPropertyValue("status"),
    summary: event.summary,
    location: event.location,
    description: event.description,
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
    dtstamp: vevent.getFirstPropertyValue("dtstamp")?.toString() ?? null,
    attendees: vevent.getAllProperties("attendee").length,
    organizer: vevent.getFirstPropertyValue("organizer") ?? null,
    attendeeAddresses: vevent.getAllProperties("attendee").map((a) => a.getFirstValue()),
    alarms: vevent.getAllSubcomponents("valarm").length,
  };
});
const refresh = calendar.getFirstProperty("refresh-interval");
process.stdout.write(JSON.stringify({
  method: calendar.getFirstPropertyValue("method"),
  // RFC 7986: a DURATION value, which ical.js reads as one only when VALUE=DURATION is declared.
  refreshInterval: refresh ? { type: refresh.type, value: refresh.getFirstValue().toString() } : null,
  publishedTtl: calendar.getFirstPropertyValue("x-published-ttl")?.toString() ?? null,
  events,
}));
