// fake-googlecalendar.mjs - a local Google Calendar API v3 for the tests, following the documented request and response
// shapes (developers.google.com/calendar/api/v3/reference): calendarList.list, events list/get/insert/patch/delete/
// quickAdd, freeBusy.query, under /calendar/v3.
// - paging: pageToken / nextPageToken (opaque), maxResults 1..2500 for events (default 250), 1..250 for the calendar
//   list (default 100); anything else is Google's 400;
// - events.list: timeMin / timeMax (RFC 3339 with an offset, else 400 Bad Request; timeMax <= timeMin: 400
//   timeRangeEmpty), singleEvents=true expands DAILY / WEEKLY RRULEs with COUNT, UNTIL and INTERVAL into instances
//   (id <event>_<yyyymmddThhmmssZ>, recurringEventId), orderBy=startTime only with singleEvents=true (400 otherwise,
//   as Google), orderBy=updated, q (case-insensitive in summary, description, location, attendees), showDeleted,
//   timeZone (the answer's dateTimes in that zone's offset, an unknown zone 400);
// - `fields` partial responses (a,b/c,d(e,f)) on every answer;
// - insert / patch: start and end both date or both dateTime, end after start, a dateTime without offset or a
//   recurring dateTime event needs a timeZone (a local dateTime is stored with that zone's offset), recurrence
//   lines RRULE/EXRULE/RDATE/EXDATE stored verbatim, at most 5 reminder overrides and not together with useDefault; conferenceData.createRequest creates a Meet link only with
//   conferenceDataVersion=1 (a reused requestId creates nothing); sendUpdates all|externalOnly|none (else 400);
//   patch replaces arrays and start / end as a whole;
// - an instance id (<event>_<time>) changed or deleted becomes an exception of its own (Google's exceptions);
// - delete: 204, the event kept as cancelled; delete / patch of a cancelled event -> 410 deleted; unknown -> 404
//   notFound; quickAdd text parsing (a date YYYY-MM-DD, today or tomorrow; HH:MM[-HH:MM], one hour by default;
//   "at <Place>"); freeBusy.query: busy intervals clipped to the window, per-calendar errors notFound, at most 50
//   calendars (400 tooManyCalendarsRequested).
// Errors are {"error":{code,message,status,errors:[{domain,reason,message}]}}.
// Usage: node fake-googlecalendar.mjs <accepted bearer token>. Prints "fake-googlecalendar listening on 127.0.0.1:<port>"
// (port from PORT, else free). With FAKE_TOKENINFO_URL set, bearers are checked there (fake-auth.mjs).
// Test hooks: GET /_requests (method, path, query, auth, contentType, userAgent, body), POST /_reset (forget the
// requests and pending failures; the data stays), POST /_token {token}, POST /_fail {path (regex), method?, status,
// times?, retry_after?, www_authenticate?, message?, reason?} (an injected Google error, once by default).
import { createServer } from 'node:http';
import { bearerAuth } from './fake-auth.mjs';

const auth = bearerAuth(process.argv[2] ?? 'googlecalendar-token');
let requests = [];
let failures = [];
const ME = 'me@example.com';
const TODAY = '2026-01-05'; // the fake's "today" for quickAdd
let seq = 1;
let updatedSeq = 0;
const stamp = () => new Date(Date.UTC(2026, 0, 1) + (updatedSeq++) * 60000).toISOString();

// ---- calendars and events ----
const calendars = new Map();
const addCal = (c) => calendars.set(c.id, { kind: 'calendar#calendarListEntry', timeZone: 'Europe/Berlin', events: new Map(), ...c });
addCal({ id: ME, summary: ME, primary: true, accessRole: 'owner', description: 'My calendar' });
addCal({ id: 'team@group.calendar.google.com', summary: 'Team', accessRole: 'writer' });
addCal({ id: 'en.german#holiday@group.v.calendar.google.com', summary: 'Holidays in Germany', accessRole: 'reader' });
for (let i = 1; i <= 4; i++) addCal({ id: `project${i}@group.calendar.google.com`, summary: `Project ${i}`, accessRole: 'reader', timeZone: 'UTC' });
addCal({ id: 'hidden@group.calendar.google.com', summary: 'Hidden', accessRole: 'reader', hidden: true });
const calOf = (id) => calendars.get(id === 'primary' ? ME : id);

const addEvent = (calId, e) => {
  const ev = { kind: 'calendar#event', etag: `"${seq}"`, status: 'confirmed', created: stamp(), updated: stamp(), iCalUID: `${e.id}@google.com`,
    htmlLink: `https://www.google.com/calendar/event?eid=${e.id}`, organizer: { email: ME, self: true }, creator: { email: ME, self: true },
    reminders: { useDefault: true }, ...e };
  calOf(calId).events.set(ev.id, ev);
  return ev;
};
addEvent(ME, { id: 'standup', summary: 'Daily standup', start: { dateTime: '2026-01-05T09:00:00+01:00', timeZone: 'Europe/Berlin' },
  end: { dateTime: '2026-01-05T09:15:00+01:00', timeZone: 'Europe/Berlin' }, recurrence: ['RRULE:FREQ=DAILY;COUNT=5'] });
addEvent(ME, { id: 'weekly', summary: 'Weekly review', start: { dateTime: '2026-01-06T14:00:00Z', timeZone: 'UTC' },
  end: { dateTime: '2026-01-06T15:00:00Z', timeZone: 'UTC' }, recurrence: ['RRULE:FREQ=WEEKLY;UNTIL=20260201T000000Z'] });
addEvent(ME, { id: 'review', summary: 'Quarterly budget review', description: 'Numbers for Q1', location: 'Room 4',
  start: { dateTime: '2026-01-07T13:00:00Z' }, end: { dateTime: '2026-01-07T14:00:00Z' },
  organizer: { email: 'alice@example.com', displayName: 'Alice' },
  attendees: [{ email: 'alice@example.com', displayName: 'Alice', organizer: true, responseStatus: 'accepted' },
    { email: ME, self: true, responseStatus: 'needsAction' }, { email: 'bob@example.com', responseStatus: 'tentative', optional: true }],
  hangoutLink: 'https://meet.google.com/rev-iew0-q1x',
  conferenceData: { conferenceId: 'rev-iew0-q1x', entryPoints: [{ entryPointType: 'video', uri: 'https://meet.google.com/rev-iew0-q1x' }], conferenceSolution: { key: { type: 'hangoutsMeet' }, name: 'Google Meet' } },
  reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 10 }] } });
addEvent(ME, { id: 'offsite', summary: 'Team offsite', start: { date: '2026-01-08' }, end: { date: '2026-01-10' } });
addEvent(ME, { id: 'lunch', summary: 'Lunch with Ana', location: 'Cafe Roma', start: { dateTime: '2026-01-09T12:00:00+01:00' }, end: { dateTime: '2026-01-09T13:00:00+01:00' } });
addEvent(ME, { id: 'board', summary: 'Board meeting', start: { dateTime: '2026-01-09T15:00:00Z' }, end: { dateTime: '2026-01-09T16:00:00Z' },
  organizer: { email: 'carol@example.com' }, attendees: [{ email: 'carol@example.com', organizer: true, responseStatus: 'accepted' }] });
addEvent(ME, { id: 'cancelled1', summary: 'Old sync', status: 'cancelled', start: { dateTime: '2026-01-06T08:00:00Z' }, end: { dateTime: '2026-01-06T08:30:00Z' } });
addEvent('team@group.calendar.google.com', { id: 'teamsync', summary: 'Team sync', start: { dateTime: '2026-01-07T10:00:00Z' }, end: { dateTime: '2026-01-07T11:00:00Z' } });
addEvent('team@group.calendar.google.com', { id: 'teamfree', summary: 'Focus (free)', transparency: 'transparent', start: { dateTime: '2026-01-07T12:00:00Z' }, end: { dateTime: '2026-01-07T12:30:00Z' } });
for (let i = 1; i <= 7; i++) addEvent('project1@group.calendar.google.com', { id: `p1e${i}`, summary: `Project item ${i}`, start: { dateTime: `2026-02-0${i}T10:00:00Z` }, end: { dateTime: `2026-02-0${i}T11:00:00Z` } });
const conferenceRequests = new Set();

// ---- helpers ----
const send = (res, status, body, extra = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...extra });
  res.end(body === undefined ? '' : JSON.stringify(body));
};
const STATUS = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 409: 'ALREADY_EXISTS', 410: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE' };
const gerr = (res, code, message, reason, extra, status) => send(res, code, { error: { code, message, status: status ?? STATUS[code] ?? 'FAILED_PRECONDITION', errors: [{ domain: reason === 'usageLimits' ? 'usageLimits' : 'global', reason, message }] } }, extra);
const bad = (res, message = 'Bad Request', reason = 'badRequest') => gerr(res, 400, message, reason);
const notFound = (res) => gerr(res, 404, 'Not Found', 'notFound');
const gone = (res) => gerr(res, 410, 'Resource has been deleted', 'deleted');

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
// ms since the epoch of an RFC 3339 date-time with offset, or NaN (also for days that do not exist)
const rfc3339 = (s) => {
  const m = RFC3339.exec(s ?? '');
  if (!m) return NaN;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number);
  const t = Date.UTC(y, mo - 1, d, h, mi, se);
  const dt = new Date(t);
  if (dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d || h > 23 || mi > 59 || se > 60) return NaN;
  const off = /^[Zz]$/.test(m[8]) ? 0 : (m[8][0] === '-' ? -1 : 1) * (Number(m[8].slice(1, 3)) * 60 + Number(m[8].slice(4, 6))) * 60000;
  return t - off + (m[7] ? Math.round(Number(m[7]) * 1000) : 0);
};
const isDate = (s) => { const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s ?? ''); if (!m) return false; const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])); return d.getUTCDate() === +m[3] && d.getUTCMonth() === +m[2] - 1; };
const offsetOf = (s) => { const m = RFC3339.exec(s); return m ? m[8].toUpperCase() : 'Z'; };
// ms -> RFC 3339 in the given offset ("Z" or "+01:00")
const fmt = (ms, off) => {
  const mins = off === 'Z' ? 0 : (off[0] === '-' ? -1 : 1) * (Number(off.slice(1, 3)) * 60 + Number(off.slice(4, 6)));
  return new Date(ms + mins * 60000).toISOString().replace(/\.\d{3}Z$/, off === 'Z' ? 'Z' : off);
};
// the UTC offset ("Z", "+01:00") of an IANA time zone at an instant; throws RangeError for an unknown zone
const zoneOffset = (tz, t) => {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' }).formatToParts(t).find((x) => x.type === 'timeZoneName').value;
  return name === 'GMT' ? 'Z' : name.slice(3);
};
const offMs = (off) => (off === 'Z' ? 0 : (off[0] === '-' ? -1 : 1) * (Number(off.slice(1, 3)) * 60 + Number(off.slice(4, 6))) * 60000);
const LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;
// a local date-time in a zone -> RFC 3339 with the zone's offset then, as Google answers it
const localToRfc = (local, tz) => {
  const wall = Date.parse(`${local}Z`);
  const off = zoneOffset(tz, wall - offMs(zoneOffset(tz, wall)));
  return `${local}${off}`;
};
// start / end with a timeZone: the zone must exist; a local dateTime gets the zone's offset. null or Google's message.
const normalize = (ev) => {
  for (const k of ['start', 'end']) {
    const w = ev[k];
    if (!w?.timeZone) continue;
    try { zoneOffset(w.timeZone, 0); } catch { return `Invalid time zone definition for ${k} time.`; }
    if (LOCAL.test(w.dateTime ?? '')) ev[k] = { ...w, dateTime: localToRfc(w.dateTime, w.timeZone) };
  }
  return null;
};
// an event's times shown in the time zone a reader asked for (timeZone parameter)
const inZone = (ev, tz) => {
  if (!tz) return ev;
  const conv = (w) => (w?.dateTime ? { ...w, dateTime: fmt(rfc3339(w.dateTime), zoneOffset(tz, rfc3339(w.dateTime))) } : w);
  return { ...ev, start: conv(ev.start), end: conv(ev.end), ...(ev.originalStartTime ? { originalStartTime: conv(ev.originalStartTime) } : {}) };
};
const zoneOk = (tz) => { try { if (tz !== null) zoneOffset(tz, 0); return true; } catch { return false; } };
// start / end of an event in ms (an all-day date is its UTC midnight)
const ms = (w) => (w?.date ? Date.UTC(...w.date.split('-').map((x, i) => Number(x) - (i === 1 ? 1 : 0))) : rfc3339(w?.dateTime));

// the instances of a recurring event: DAILY / WEEKLY with COUNT, UNTIL, INTERVAL (else the event itself); an instance
// changed or cancelled on its own is a stored exception (its own event, recurringEventId set) and replaces the
// generated one
const expand = (ev, cal) => {
  const rule = (ev.recurrence ?? []).find((l) => l.startsWith('RRULE:'));
  if (!rule) return [ev];
  const p = Object.fromEntries(rule.slice(6).split(';').map((kv) => kv.split('=')));
  const step = { DAILY: 86400000, WEEKLY: 7 * 86400000 }[p.FREQ];
  if (!step) return [ev];
  const interval = Number(p.INTERVAL ?? 1), count = p.COUNT ? Number(p.COUNT) : 730;
  const u = p.UNTIL ? /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/.exec(p.UNTIL) : null;
  const until = u ? Date.UTC(+u[1], +u[2] - 1, +u[3], +(u[4] ?? 23), +(u[5] ?? 59), +(u[6] ?? 59)) : Infinity;
  const s0 = ms(ev.start), dur = ms(ev.end) - s0, out = [];
  for (let i = 0; i < count && out.length < 730; i++) {
    const s = s0 + i * interval * step;
    if (s > until) break;
    const w = (t) => (ev.start.date ? { date: new Date(t).toISOString().slice(0, 10) } : { dateTime: fmt(t, offsetOf(ev.start.dateTime)), ...(ev.start.timeZone ? { timeZone: ev.start.timeZone } : {}) });
    const tag = ev.start.date ? new Date(s).toISOString().slice(0, 10).replace(/-/g, '') : new Date(s).toISOString().replace(/[-:]|\.\d{3}/g, '');
    const { recurrence, ...rest } = ev;
    if (cal?.events.has(`${ev.id}_${tag}`)) continue;
    out.push({ ...rest, id: `${ev.id}_${tag}`, recurringEventId: ev.id, originalStartTime: w(s), start: w(s), end: w(s + dur) });
  }
  return out;
};
const findEvent = (cal, id) => {
  if (cal.events.has(id)) return cal.events.get(id);
  const m = /^(.+)_(\d{8}(?:T\d{6}Z)?)$/.exec(id);
  return m && cal.events.has(m[1]) ? expand(cal.events.get(m[1])).find((x) => x.id === id) : undefined;
};

// `fields` partial responses: "a,b/c,d(e,f)" -> {a: true, b: {c: true}, d: {e: true, f: true}}
const parseFields = (s) => {
  let i = 0;
  const list = () => {
    const out = {};
    for (;;) {
      let name = '';
      while (i < s.length && !',()/'.includes(s[i])) name += s[i++];
      name = name.trim();
      let sub = true;
      if (s[i] === '/') { i++; sub = list1(); } else if (s[i] === '(') { i++; sub = list(); if (s[i] !== ')') throw new Error('fields'); i++; }
      if (!name) throw new Error('fields');
      out[name] = sub === true || out[name] === true ? sub : { ...(out[name] ?? {}), ...sub };
      if (s[i] === ',') { i++; continue; }
      return out;
    }
  };
  const list1 = () => { // after "/": one path element
    let name = '';
    while (i < s.length && !',()/'.includes(s[i])) name += s[i++];
    let sub = true;
    if (s[i] === '/') { i++; sub = list1(); } else if (s[i] === '(') { i++; sub = list(); i++; }
    return { [name.trim()]: sub };
  };
  const t = list();
  if (i !== s.length) throw new Error('fields');
  return t;
};
const pick = (v, sel) => {
  if (sel === true || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => pick(x, sel));
  return Object.fromEntries(Object.entries(sel).filter(([k]) => k in v).map(([k, s]) => [k, pick(v[k], s)]));
};
const answer = (res, url, body, status = 200) => {
  const f = url.searchParams.get('fields');
  if (!f) return send(res, status, body);
  let sel;
  try { sel = parseFields(f); } catch { return bad(res, `Invalid field selection ${f}`, 'invalidParameter'); }
  return send(res, status, pick(body, sel));
};
const page = (res, items, url, max, dflt) => {
  const n = Number(url.searchParams.get('maxResults') ?? dflt);
  if (!Number.isInteger(n) || n < 1 || n > max) return { error: () => bad(res, `Invalid value '${url.searchParams.get('maxResults')}'. Values must be within the range: [1, ${max}]`, 'invalidParameter') };
  let start = 0;
  const tok = url.searchParams.get('pageToken');
  if (tok !== null) {
    const m = /^o:(\d+)$/.exec(Buffer.from(tok, 'base64url').toString());
    if (!m) return { error: () => bad(res, 'Invalid page token value.', 'invalid') };
    start = Number(m[1]);
  }
  const slice = items.slice(start, start + n);
  return { slice, next: start + n < items.length ? Buffer.from(`o:${start + n}`).toString('base64url') : undefined };
};
const sendUpdatesOk = (url) => !url.searchParams.has('sendUpdates') || ['all', 'externalOnly', 'none'].includes(url.searchParams.get('sendUpdates'));

// a new or patched event's checks, as Google answers them; null when valid
const invalid = (ev) => {
  if (!ev.start || !ev.end) return 'Missing end time.';
  const sd = 'date' in ev.start, ed = 'date' in ev.end;
  if (sd !== ed) return 'Invalid start and end times: both must be dates or both date-times.';
  for (const w of [ev.start, ev.end]) {
    if (w.date !== undefined && !isDate(w.date)) return 'Invalid value for date.';
    if (w.dateTime !== undefined) {
      const local = LOCAL.test(w.dateTime);
      if (local && !w.timeZone) return 'Missing time zone definition for start time.';
      if (!local && Number.isNaN(rfc3339(w.dateTime))) return 'Invalid value for dateTime.';
    }
  }
  if (!(ms(ev.end) > ms(ev.start))) return 'The specified time range is empty.';
  for (const l of ev.recurrence ?? []) if (!/^(RRULE|EXRULE|RDATE|EXDATE)[:;]/.test(l)) return 'Invalid recurrence rule.';
  if ((ev.recurrence ?? []).length && !sd && !ev.start.timeZone) return 'Missing time zone definition for start time.';
  const r = ev.reminders;
  if (r?.overrides?.length > 5) return 'Cannot specify more than 5 override reminders.';
  if (r?.useDefault && r?.overrides?.length) return 'Cannot specify both default reminders and overrides at the same time.';
  for (const o of r?.overrides ?? []) if (!['email', 'popup'].includes(o.method) || !(o.minutes >= 0 && o.minutes <= 40320)) return 'Invalid reminder.';
  for (const a of ev.attendees ?? []) if (!/^[^@\s]+@[^@\s]+$/.test(a.email ?? '')) return 'Invalid attendee email.';
  return null;
};
// conferenceData.createRequest -> a Meet conference, only with conferenceDataVersion=1 and a new requestId
const conference = (ev, url, body, old) => {
  const cr = body?.conferenceData?.createRequest;
  if (!cr || url.searchParams.get('conferenceDataVersion') !== '1' || conferenceRequests.has(cr.requestId)) {
    if (old) ev.conferenceData = old; else delete ev.conferenceData;
    return;
  }
  conferenceRequests.add(cr.requestId);
  const code = `mee-${String(seq).padStart(4, '0')}-cal`;
  ev.conferenceData = { createRequest: { ...cr, status: { statusCode: 'success' } }, conferenceId: code,
    entryPoints: [{ entryPointType: 'video', uri: `https://meet.google.com/${code}`, label: `meet.google.com/${code}` }],
    conferenceSolution: { key: { type: 'hangoutsMeet' }, name: 'Google Meet' } };
  ev.hangoutLink = `https://meet.google.com/${code}`;
};
const withAttendees = (ev) => { if (ev.attendees) ev.attendees = ev.attendees.map((a) => ({ responseStatus: 'needsAction', ...a, ...(a.email === ME ? { self: true } : {}) })); return ev; };

// quickAdd: "<what> [YYYY-MM-DD|today|tomorrow] [HH:MM[-HH:MM]] [at <Place>]"
const quickAdd = (text, tz) => {
  let rest = ` ${text} `;
  let day = TODAY, from = null, to = null, where;
  const d = /\s(\d{4}-\d{2}-\d{2}|today|tomorrow)\s/i.exec(rest);
  if (d) { day = /tomorrow/i.test(d[1]) ? '2026-01-06' : /today/i.test(d[1]) ? TODAY : d[1]; rest = rest.replace(d[0], ' '); }
  const t = /\s(\d{1,2}):(\d{2})(?:\s*-\s*(\d{1,2}):(\d{2}))?\s/.exec(rest);
  if (t) { from = [+t[1], +t[2]]; to = t[3] ? [+t[3], +t[4]] : [from[0] + 1, from[1]]; rest = rest.replace(t[0], ' '); }
  const a = /\sat\s+([A-Z][^,]*?)\s*$/.exec(rest);
  if (a) { where = a[1].trim(); rest = rest.slice(0, a.index); }
  const summary = rest.trim().replace(/\s+(on|at)$/i, '') || text;
  const hm = (x) => `${String(x[0]).padStart(2, '0')}:${String(x[1]).padStart(2, '0')}:00`;
  const next = new Date(Date.UTC(...day.split('-').map((x, i) => Number(x) - (i === 1 ? 1 : 0))) + 86400000).toISOString().slice(0, 10);
  return { summary, ...(where ? { location: where } : {}),
    start: from ? { dateTime: `${day}T${hm(from)}+01:00`, timeZone: tz } : { date: day },
    end: from ? { dateTime: `${day}T${hm(to)}+01:00`, timeZone: tz } : { date: next } };
};

const listEvents = (res, url, cal) => {
  const sp = url.searchParams;
  const tmin = sp.get('timeMin'), tmax = sp.get('timeMax');
  if (tmin !== null && Number.isNaN(rfc3339(tmin))) return bad(res);
  if (tmax !== null && Number.isNaN(rfc3339(tmax))) return bad(res);
  if (tmin !== null && tmax !== null && rfc3339(tmax) <= rfc3339(tmin)) return bad(res, 'The specified time range is empty.', 'timeRangeEmpty');
  if (!zoneOk(sp.get('timeZone'))) return bad(res, `Invalid time zone definition: ${sp.get('timeZone')}`, 'invalid');
  const single = sp.get('singleEvents') === 'true';
  const order = sp.get('orderBy');
  if (order !== null && !['startTime', 'updated'].includes(order)) return bad(res, `Invalid value '${order}' for orderBy.`, 'invalidParameter');
  if (order === 'startTime' && !single) return bad(res, 'The requested ordering is not available for the particular query.', 'badRequest');
  let items = [...cal.events.values()];
  if (single) items = items.flatMap((e) => (e.status === 'cancelled' || e.recurringEventId ? [e] : expand(e, cal)));
  if (sp.get('showDeleted') !== 'true') items = items.filter((e) => e.status !== 'cancelled');
  if (tmin !== null) items = items.filter((e) => ms(e.end) > rfc3339(tmin) || (e.recurrence && !single));
  if (tmax !== null) items = items.filter((e) => ms(e.start) < rfc3339(tmax));
  const q = sp.get('q')?.toLowerCase();
  if (q) items = items.filter((e) => [e.summary, e.description, e.location, ...(e.attendees ?? []).flatMap((a) => [a.email, a.displayName])].some((x) => x?.toLowerCase().includes(q)));
  if (order === 'startTime') items.sort((a, b) => ms(a.start) - ms(b.start));
  if (order === 'updated') items.sort((a, b) => a.updated.localeCompare(b.updated));
  const pg = page(res, items, url, 2500, 250);
  if (pg.error) return pg.error();
  const tz = sp.get('timeZone');
  pg.slice = pg.slice.map((e) => inZone(e, tz));
  return answer(res, url, { kind: 'calendar#events', summary: cal.summary, updated: stamp(), timeZone: sp.get('timeZone') ?? cal.timeZone,
    accessRole: cal.accessRole, defaultReminders: [{ method: 'popup', minutes: 30 }], items: pg.slice, ...(pg.next ? { nextPageToken: pg.next } : {}) });
};

const freeBusy = (res, url, body) => {
  const a = rfc3339(body?.timeMin), b = rfc3339(body?.timeMax);
  if (Number.isNaN(a) || Number.isNaN(b)) return bad(res, Number.isNaN(a) ? 'Missing timeMin parameter.' : 'Missing timeMax parameter.', 'required');
  if (b <= a) return bad(res, 'The specified time range is empty.', 'timeRangeEmpty');
  const items = body.items ?? [];
  if (items.length > 50) return bad(res, 'Too many calendars requested.', 'tooManyCalendarsRequested');
  const out = {};
  for (const { id } of items) {
    const cal = calOf(id);
    if (!cal) { out[id] = { errors: [{ domain: 'global', reason: 'notFound' }], busy: [] }; continue; }
    const busy = [...cal.events.values()].flatMap((e) => (e.recurringEventId ? [e] : expand(e, cal))).filter((e) => e.status !== 'cancelled' && e.transparency !== 'transparent')
      .map((e) => [Math.max(ms(e.start), a), Math.min(ms(e.end), b)]).filter(([s, e]) => e > s).sort((x, y) => x[0] - y[0])
      .map(([s, e]) => ({ start: fmt(s, 'Z'), end: fmt(e, 'Z') }));
    out[id] = { busy };
  }
  return answer(res, url, { kind: 'calendar#freeBusy', timeMin: fmt(a, 'Z'), timeMax: fmt(b, 'Z'), calendars: out });
};

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const url = new URL(req.url, 'http://x');
    const data = Buffer.concat(chunks).toString('utf8');
    let body = null;
    try { body = data ? JSON.parse(data) : null; } catch { return bad(res, 'Parse Error', 'parseError'); }
    if (url.pathname === '/_requests') return send(res, 200, requests);
    if (url.pathname === '/_reset') { requests = []; failures = []; return send(res, 200, {}); }
    if (url.pathname === '/_token') { auth.setToken(body.token); return send(res, 200, { ok: true }); }
    if (url.pathname === '/_fail') { failures.push({ times: 1, ...body }); return send(res, 200, { ok: true }); }
    requests.push({ method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), auth: req.headers.authorization,
      contentType: req.headers['content-type'], userAgent: req.headers['user-agent'], body });
    if (!(await auth.authorized(req.headers.authorization)))
      return gerr(res, 401, 'Request had invalid authentication credentials.', 'authError', { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' });
    const f = failures.find((x) => x.times > 0 && new RegExp(x.path).test(url.pathname) && (!x.method || x.method === req.method));
    if (f) {
      f.times--;
      const extra = {};
      if (f.retry_after) extra['retry-after'] = String(f.retry_after);
      if (f.www_authenticate) extra['www-authenticate'] = f.www_authenticate;
      return gerr(res, f.status, f.message ?? `injected ${f.status}`, f.reason ?? 'injected', extra);
    }
    const p = url.pathname.startsWith('/calendar/v3/') ? url.pathname.slice('/calendar/v3'.length) : null;
    if (p === null) return notFound(res);
    let m;
    if (p === '/users/me/calendarList' && req.method === 'GET') {
      const role = ['freeBusyReader', 'reader', 'writer', 'owner'];
      const min = url.searchParams.get('minAccessRole');
      if (min !== null && !role.includes(min)) return bad(res, `Invalid value '${min}' for minAccessRole.`, 'invalidParameter');
      const items = [...calendars.values()].filter((c) => url.searchParams.get('showHidden') === 'true' || !c.hidden)
        .filter((c) => !min || role.indexOf(c.accessRole) >= role.indexOf(min)).map(({ events, ...c }) => c);
      const pg = page(res, items, url, 250, 100);
      if (pg.error) return pg.error();
      return answer(res, url, { kind: 'calendar#calendarList', items: pg.slice, ...(pg.next ? { nextPageToken: pg.next } : {}) });
    }
    if (p === '/freeBusy' && req.method === 'POST') return freeBusy(res, url, body);
    if (!(m = /^\/calendars\/([^/]+)\/events(?:\/([^/]+))?$/.exec(p))) return notFound(res);
    const cal = calOf(decodeURIComponent(m[1]));
    if (!cal) return notFound(res);
    const id = m[2] !== undefined ? decodeURIComponent(m[2]) : undefined;
    const writes = ['owner', 'writer'].includes(cal.accessRole);
    if (req.method !== 'GET' && !writes) return gerr(res, 403, 'You need to have writer access to this calendar.', 'requiredAccessLevel');
    if (req.method !== 'GET' && !sendUpdatesOk(url)) return bad(res, `Invalid value '${url.searchParams.get('sendUpdates')}' for sendUpdates.`, 'invalidParameter');
    if (id === undefined && req.method === 'GET') return listEvents(res, url, cal);
    if (id === undefined && req.method === 'POST') {
      const ev = withAttendees({ ...body, id: `ev${seq++}` });
      if (body?.id !== undefined) return bad(res, 'Invalid resource id value.', 'invalidResourceId');
      const why = normalize(ev) ?? invalid(ev);
      if (why) return bad(res, why, why.includes('time range') ? 'timeRangeEmpty' : 'invalid');
      conference(ev, url, body);
      return answer(res, url, addEvent(cal.id, ev));
    }
    if (id === 'quickAdd' && req.method === 'POST') {
      const text = url.searchParams.get('text');
      if (!text) return bad(res, 'Required parameter: text', 'required');
      return answer(res, url, addEvent(cal.id, { id: `ev${seq++}`, ...quickAdd(text, cal.timeZone) }));
    }
    let ev = findEvent(cal, id);
    if (!ev) return notFound(res);
    if (req.method === 'GET') {
      if (!zoneOk(url.searchParams.get('timeZone'))) return bad(res, `Invalid time zone definition: ${url.searchParams.get('timeZone')}`, 'invalid');
      return answer(res, url, inZone(ev, url.searchParams.get('timeZone')));
    }
    // changing or deleting one occurrence makes it an exception of its own
    if (ev.recurringEventId && !cal.events.has(ev.id)) { ev = { ...ev }; cal.events.set(ev.id, ev); }
    if (ev.status === 'cancelled') return gone(res);
    if (req.method === 'DELETE') { ev.status = 'cancelled'; ev.updated = stamp(); return send(res, 204); }
    if (req.method === 'PATCH' || req.method === 'PUT') {
      const next = withAttendees({ ...(req.method === 'PATCH' ? ev : { id: ev.id, kind: ev.kind }), ...body, id: ev.id });
      const why = normalize(next) ?? invalid(next);
      if (why) return bad(res, why, why.includes('time range') ? 'timeRangeEmpty' : 'invalid');
      conference(next, url, body, ev.conferenceData);
      next.updated = stamp();
      next.etag = `"${seq++}"`;
      cal.events.set(ev.id, next);
      return answer(res, url, next);
    }
    return notFound(res);
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(`fake-googlecalendar listening on 127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
