// googlecalendar-test.mjs - the official SDK client drives mcp-googlecalendar against fake-googlecalendar.mjs (Google
// Calendar API v3) and the broker: every tool, the requests the API saw (method, path, query, body, bearer), paging
// through cursor / next_cursor, Meet links through conferenceData (conferenceDataVersion=1), the error paths (401 ->
// broker refresh -> retry, 401 twice, 403 missing scope, 403 rate limit and 429 with Retry-After, 404 / 410 naming
// the event) and hostile arguments refused before any upstream call.
// Usage: node googlecalendar-test.mjs <mcp base> <broker url> <broker config.json> <api base>
import { readFileSync } from 'node:fs';
import { check, connect, done, drain, json, text } from './svc-harness.mjs';

const [base, brokerUrl, cfgPath, api] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
const inst = cfg.instances.find((i) => i.id === 'inst-active');
const bearer = `Bearer ${inst.access_token}`;
// the instance's re-authorize page, which the broker hands out with the instance's status: 401 / 403 texts name it
const AUTHORIZE_URL = process.env.BROKER_IS_REAL === '1' ? null : 'http://127.0.0.1/authorize/inst-active';
if (AUTHORIZE_URL) await json(`${brokerUrl}/_set`, { id: inst.id, authorize_url: AUTHORIZE_URL });
const names = (r, url) => !url || text(r).includes(url);
const client = await connect(base, inst.id, inst.key);
await drain(api);
const call = (name, args = {}) => client.callTool({ name, arguments: args });
const one = async () => { const r = await drain(api); return r.length === 1 ? r[0] : { count: r.length, r }; };
const V3 = '/calendar/v3';
const fail = (spec) => json(`${api}/_fail`, spec);
// straight to the fake, as Google would be asked by another client
const direct = (method, path, body) => fetch(`${api}${V3}${path}`, { method, headers: { authorization: bearer, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined })
  .then(async (x) => ({ status: x.status, body: x.status === 204 ? null : await x.json() }));
const nothingUpstream = async () => (await drain(api)).length === 0;

// ---- tools/list ----
{
  const { tools } = await client.listTools();
  const by = Object.fromEntries(tools.map((t) => [t.name, t]));
  const names = ['list_calendars', 'list_events', 'get_event', 'create_event', 'update_event', 'delete_event', 'respond_to_event', 'quick_add', 'find_free_busy'];
  check('tools/list: the 9 calendar tools', tools.length === 9 && names.every((n) => by[n]), tools.map((t) => t.name));
  check('tools/list: closed input schemas and output schemas', tools.every((t) => t.inputSchema.additionalProperties === false && t.outputSchema?.type === 'object'));
  const h = (n) => by[n].annotations ?? {};
  check('annotations: reads read-only; create not idempotent; delete destructive + idempotent; respond not destructive',
    ['list_calendars', 'list_events', 'get_event', 'find_free_busy'].every((n) => h(n).readOnlyHint === true) && h('create_event').idempotentHint === false &&
    h('create_event').readOnlyHint === false && h('delete_event').destructiveHint === true && h('delete_event').idempotentHint === true &&
    h('respond_to_event').destructiveHint === false && h('quick_add').idempotentHint === false && tools.every((t) => t.annotations?.openWorldHint === true), tools.map((t) => [t.name, t.annotations]));
  const le = by.list_events.inputSchema.properties;
  check('schemas: the real limits (maxResults 2500 / 250, 50 free/busy calendars, 5 reminder overrides, sendUpdates enum)',
    le.max_results.maximum === 2500 && by.list_calendars.inputSchema.properties.max_results.maximum === 250 &&
    by.find_free_busy.inputSchema.properties.calendar_ids.maxItems === 50 && by.create_event.inputSchema.properties.reminders.properties.overrides.maxItems === 5 &&
    JSON.stringify(by.create_event.inputSchema.properties.send_updates.enum) === '["all","externalOnly","none"]', le);
}

// ---- list_calendars ----
let r = await call('list_calendars', { max_results: 3 });
let q = await one();
check('list_calendars: GET /users/me/calendarList with maxResults, fields and the broker token', q.method === 'GET' && q.path === `${V3}/users/me/calendarList` &&
  q.query.maxResults === '3' && /items\(id,summary/.test(q.query.fields) && /nextPageToken/.test(q.query.fields) && q.auth === bearer && /^mcp-googlecalendar\//.test(q.userAgent ?? ''), q);
check('list_calendars: calendars with the primary one and a next_cursor', !r.isError && r.structuredContent?.calendars?.length === 3 &&
  r.structuredContent.calendars[0].primary === true && r.structuredContent.calendars[0].access_role === 'owner' && typeof r.structuredContent.next_cursor === 'string' &&
  /me@example.com \(primary\)/.test(text(r)) && text(r).includes(`cursor=${r.structuredContent.next_cursor}`), r);
r = await call('list_calendars', { max_results: 3, cursor: r.structuredContent?.next_cursor ?? 'x' });
q = await one();
check('list_calendars: cursor -> pageToken, the next page', q.query?.pageToken && r.structuredContent?.calendars?.[0]?.id === 'project1@group.calendar.google.com', { q, s: r.structuredContent });
r = await call('list_calendars', { show_hidden: true, min_access_role: 'reader' });
q = await one();
check('list_calendars: showHidden and minAccessRole passed', q.query?.showHidden === 'true' && q.query.minAccessRole === 'reader' &&
  r.structuredContent?.calendars?.some((c) => c.id === 'hidden@group.calendar.google.com') && !r.structuredContent.next_cursor, { q, s: r.structuredContent });

// ---- list_events ----
r = await call('list_events', { time_min: '2026-01-05T00:00:00Z', time_max: '2026-01-08T00:00:00+01:00' });
q = await one();
check('list_events: GET /calendars/primary/events, window, singleEvents with orderBy startTime, fields', q.method === 'GET' && q.path === `${V3}/calendars/primary/events` &&
  q.query.timeMin === '2026-01-05T00:00:00Z' && q.query.timeMax === '2026-01-08T00:00:00+01:00' && q.query.singleEvents === 'true' && q.query.orderBy === 'startTime' &&
  q.query.maxResults === '50' && /^nextPageToken,summary,timeZone,items\(/.test(q.query.fields) && q.auth === bearer, q);
const evs = r.structuredContent?.events ?? [];
check('list_events: recurring events expanded, in start order, readable', !r.isError && evs.length === 5 && evs[0].id === 'standup_20260105T080000Z' &&
  evs[0].recurring_event_id === 'standup' && evs.map((e) => e.summary).join('|') === 'Daily standup|Daily standup|Weekly review|Daily standup|Quarterly budget review' &&
  /2026-01-05T09:00:00\+01:00 -> 2026-01-05T09:15:00\+01:00: Daily standup \(id standup_20260105T080000Z\), recurring/.test(text(r)) &&
  r.structuredContent.time_zone === 'Europe/Berlin' && text(r).startsWith('Events of me@example.com (time zone Europe/Berlin):\n- '), r);
check('list_events: a Meet link and the attendees in the summaries', evs[4]?.meet_link === 'https://meet.google.com/rev-iew0-q1x' && evs[4].attendees?.length === 3 &&
  evs[4].attendees[1].self === true && /Meet https:\/\/meet.google.com\/rev-iew0-q1x/.test(text(r)), evs[4]);
r = await call('list_events', { time_min: '2026-01-05T00:00:00Z', max_results: 2, query: 'STANDUP', time_zone: 'America/New_York' });
q = await one();
check('list_events: q, timeZone (times in that zone), maxResults, next_cursor', q.query?.q === 'STANDUP' && q.query.timeZone === 'America/New_York' && q.query.maxResults === '2' &&
  r.structuredContent?.events?.length === 2 && typeof r.structuredContent.next_cursor === 'string' && r.structuredContent.time_zone === 'America/New_York' &&
  r.structuredContent.events[0].start === '2026-01-05T03:00:00-05:00', { q, s: r.structuredContent });
r = await call('list_events', { time_min: '2026-01-05T00:00:00Z', max_results: 2, query: 'STANDUP', cursor: r.structuredContent?.next_cursor ?? 'x' });
q = await one();
r = await call('list_events', { time_min: '2026-01-05T00:00:00Z', max_results: 2, query: 'STANDUP', cursor: r.structuredContent?.next_cursor ?? 'x' });
const q3 = await one();
check('list_events: paging to the end (5 standups: 2 + 2 + 1)', typeof q.query?.pageToken === 'string' && q3.query?.pageToken && r.structuredContent?.events?.length === 1 &&
  !r.structuredContent.next_cursor && r.structuredContent.events[0].id === 'standup_20260109T080000Z', { q3, s: r.structuredContent });
r = await call('list_events', { single_events: false, time_min: '2026-01-05T00:00:00Z', time_max: '2026-01-06T00:00:00Z' });
q = await one();
check('list_events: single_events false -> no orderBy, the recurring event with its RRULE', q.query?.singleEvents === 'false' && !('orderBy' in q.query) &&
  r.structuredContent?.events?.some((e) => e.id === 'standup' && e.recurrence?.[0] === 'RRULE:FREQ=DAILY;COUNT=5') && /Daily standup \(id standup\)/.test(text(r)), { q, r });
r = await call('list_events', { calendar_id: 'en.german#holiday@group.v.calendar.google.com' });
q = await one();
check('list_events: a calendar id with # and @ is one escaped path segment', q.path === `${V3}/calendars/en.german%23holiday%40group.v.calendar.google.com/events` && !r.isError &&
  /No events/.test(text(r)), q);
r = await call('list_events', { single_events: false, order_by: 'startTime' });
check('list_events: order_by startTime without single_events -> tool error, nothing upstream', r.isError === true && /single_events/.test(text(r)) && await nothingUpstream(), r);
r = await call('list_events', { time_min: '2026-13-05T00:00:00Z' });
check('list_events: month 13 -> tool error naming time_min, nothing upstream', r.isError === true && /time_min/.test(text(r)) && /RFC 3339/.test(text(r)) && await nothingUpstream(), r);
r = await call('list_events', { time_min: '2026-02-30T00:00:00Z' });
check('list_events: February 30 -> tool error, nothing upstream', r.isError === true && /time_min/.test(text(r)) && await nothingUpstream(), r);
r = await call('list_events', { time_max: '2026-01-05T10:00:00' });
check('list_events: a date-time without offset -> tool error naming time_max, nothing upstream', r.isError === true && /time_max/.test(text(r)) && await nothingUpstream(), r);
r = await call('list_events', { time_min: '2026-01-06T00:00:00Z', time_max: '2026-01-06T01:00:00+02:00' });
check('list_events: time_max before time_min -> tool error, nothing upstream', r.isError === true && /time_max must be later than time_min/.test(text(r)) && await nothingUpstream(), r);
r = await call('list_events', { time_zone: 'Mars/Olympus_Mons' });
await drain(api);
check('list_events: an unknown time zone -> Google\'s 400 message', r.isError === true && /Invalid time zone definition: Mars\/Olympus_Mons/.test(text(r)), r);
r = await call('list_events', { calendar_id: 'nobody@example.com' });
check('list_events: unknown calendar -> 404 naming the calendar', r.isError === true && /Calendar nobody@example.com was not found \(404\)/.test(text(r)), r);
await drain(api);
{
  const badTime = await direct('GET', '/calendars/primary/events?timeMin=2026-01-05');
  const badOrder = await direct('GET', '/calendars/primary/events?orderBy=startTime');
  const empty = await direct('GET', '/calendars/primary/events?timeMin=2026-01-06T00:00:00Z&timeMax=2026-01-05T00:00:00Z');
  const bigPage = await direct('GET', '/calendars/primary/events?maxResults=2501');
  await drain(api);
  check('fake: Google\'s 400s (bad RFC 3339, orderBy startTime without singleEvents, empty range, maxResults > 2500)',
    badTime.status === 400 && badTime.body.error?.errors?.[0]?.reason === 'badRequest' && badOrder.status === 400 && /ordering is not available/.test(badOrder.body.error?.message) &&
    empty.status === 400 && empty.body.error?.errors?.[0]?.reason === 'timeRangeEmpty' && bigPage.status === 400, { badTime, badOrder, empty, bigPage });
}

// ---- get_event ----
r = await call('get_event', { event_id: 'review' });
q = await one();
check('get_event: GET /calendars/primary/events/review with fields', q.method === 'GET' && q.path === `${V3}/calendars/primary/events/review` && /attendees\(/.test(q.query.fields) && q.auth === bearer, q);
check('get_event: attendees with answers, Meet link, reminders, description', !r.isError && r.structuredContent?.location === 'Room 4' &&
  r.structuredContent.reminders?.overrides?.[0]?.minutes === 10 && r.structuredContent.organizer === 'alice@example.com' &&
  /Attendees: alice@example.com \(accepted\), me@example.com \(needsAction, you\), bob@example.com \(tentative, optional\)/.test(text(r)) &&
  /Google Meet: https:\/\/meet.google.com\/rev-iew0-q1x/.test(text(r)) && /Reminder: popup 10 minutes before/.test(text(r)) && /Numbers for Q1/.test(text(r)), r);
r = await call('get_event', { event_id: 'standup_20260107T080000Z', time_zone: 'Europe/Berlin' });
q = await one();
check('get_event: an instance of a recurring event, timeZone passed', !r.isError && r.structuredContent?.recurring_event_id === 'standup' && q.query?.timeZone === 'Europe/Berlin', { q, r });
r = await call('get_event', { event_id: 'nosuchevent' });
check('get_event: 404 names the event and the calendar', r.isError === true && /Event nosuchevent in calendar primary was not found \(404\)/.test(text(r)), r);
r = await call('get_event', { event_id: '../../users/me/calendarList' });
check('get_event: an id with a path -> tool error naming event_id, nothing upstream', r.isError === true && /event_id/.test(text(r)) && (await drain(api)).length === 1, r);

// ---- create_event ----
r = await call('create_event', { summary: 'Planning', description: 'Roadmap', location: 'Room 1', start: '2026-01-12T10:00:00+01:00', end: '2026-01-12T11:00:00+01:00',
  time_zone: 'Europe/Berlin', attendees: [{ email: 'alice@example.com', display_name: 'Alice' }, { email: 'bob@example.com', optional: true }],
  reminders: { overrides: [{ method: 'email', minutes: 60 }, { method: 'popup', minutes: 10 }] }, recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'], add_meet_link: true, send_updates: 'all' });
q = await one();
const cr = q.body?.conferenceData?.createRequest;
check('create_event: POST /calendars/primary/events with conferenceDataVersion=1, sendUpdates=all, fields', q.method === 'POST' && q.path === `${V3}/calendars/primary/events` &&
  q.query.conferenceDataVersion === '1' && q.query.sendUpdates === 'all' && /conferenceData/.test(q.query.fields) && /^application\/json/.test(q.contentType) && q.auth === bearer, q);
check('create_event: the event body (times with timeZone, attendees, reminders, RRULE, Meet createRequest with a fresh requestId)',
  q.body?.summary === 'Planning' && q.body.start?.dateTime === '2026-01-12T10:00:00+01:00' && q.body.start.timeZone === 'Europe/Berlin' && q.body.end?.timeZone === 'Europe/Berlin' &&
  JSON.stringify(q.body.attendees) === '[{"email":"alice@example.com","displayName":"Alice"},{"email":"bob@example.com","optional":true}]' &&
  q.body.reminders?.useDefault === false && q.body.reminders.overrides?.length === 2 && q.body.recurrence?.[0] === 'RRULE:FREQ=WEEKLY;COUNT=3' &&
  /^[0-9a-f]{32}$/.test(cr?.requestId ?? '') && cr.conferenceSolutionKey?.type === 'hangoutsMeet', q.body);
const created = r.structuredContent;
check('create_event: the created event with its Meet link', !r.isError && /^ev\d+$/.test(created?.id ?? '') && /^https:\/\/meet.google.com\//.test(created.meet_link ?? '') &&
  created.conference_status === 'success' && created.recurrence?.[0] === 'RRULE:FREQ=WEEKLY;COUNT=3' && created.attendees?.[0]?.response_status === 'needsAction' &&
  /Created event ev\d+/.test(text(r)) && /Google Meet: https:/.test(text(r)), r);
r = await call('create_event', { summary: 'Planning 2', start: '2026-01-13T10:00:00Z', end: '2026-01-13T11:00:00Z', add_meet_link: true });
q = await one();
check('create_event: each Meet request has its own requestId', q.body?.conferenceData?.createRequest?.requestId !== cr?.requestId && !!r.structuredContent?.meet_link, q.body);
r = await call('create_event', { summary: 'Holiday', start: '2026-02-01', end: '2026-02-03', reminders: { use_default: true } });
q = await one();
check('create_event: all-day (dates), no conference parameters, default reminders', JSON.stringify(q.body?.start) === '{"date":"2026-02-01"}' && JSON.stringify(q.body.end) === '{"date":"2026-02-03"}' &&
  !('conferenceDataVersion' in q.query) && !('sendUpdates' in q.query) && !('conferenceData' in q.body) && q.body.reminders?.useDefault === true &&
  r.structuredContent?.all_day === true && /all day/.test(text(r)), { q, r });
r = await call('create_event', { summary: 'Local time', start: '2026-07-20T09:00:00', end: '2026-07-20T09:30:00', time_zone: 'Europe/Berlin' });
q = await one();
check('create_event: a local date-time with time_zone is sent as is; Google answers with the zone\'s offset', q.body?.start?.dateTime === '2026-07-20T09:00:00' &&
  q.body.start.timeZone === 'Europe/Berlin' && r.structuredContent?.start === '2026-07-20T09:00:00+02:00' && r.structuredContent.time_zone === 'Europe/Berlin', { q, r });
r = await call('list_events', { query: 'planning', time_min: '2026-01-12T00:00:00Z' });
await drain(api);
check('create_event: the new recurring event is listed in its instances', r.structuredContent?.events?.filter((e) => e.summary === 'Planning').length === 3, r.structuredContent);
{
  const noVersion = await direct('POST', '/calendars/primary/events', { summary: 'x', start: { dateTime: '2026-03-01T10:00:00Z' }, end: { dateTime: '2026-03-01T11:00:00Z' },
    conferenceData: { createRequest: { requestId: 'abc', conferenceSolutionKey: { type: 'hangoutsMeet' } } } });
  const noTz = await direct('POST', '/calendars/primary/events', { summary: 'x', start: { dateTime: '2026-03-01T10:00:00Z' }, end: { dateTime: '2026-03-01T11:00:00Z' }, recurrence: ['RRULE:FREQ=DAILY;COUNT=2'] });
  await drain(api);
  check('fake: no conference without conferenceDataVersion=1; a recurring date-time event without timeZone is refused',
    noVersion.status === 200 && !noVersion.body.conferenceData && !noVersion.body.hangoutLink && noVersion.status === 200 &&
    noTz.status === 400 && /Missing time zone/.test(noTz.body.error?.message), { noVersion, noTz });
}
const refusals = [
  [{ summary: 'x', start: '2026-01-12T11:00:00Z', end: '2026-01-12T10:00:00Z' }, /end must be later than start/],
  [{ summary: 'x', start: '2026-01-12', end: '2026-01-12T10:00:00Z' }, /both be dates/],
  [{ summary: 'x', start: '2026-01-12T10:00:00Z', end: '2026-01-12T11:00:00Z', recurrence: ['RRULE:FREQ=DAILY;COUNT=2'] }, /time_zone/],
  [{ summary: 'x', start: '2026-02-30', end: '2026-03-01' }, /start/],
  [{ summary: 'x', start: '2026-01-12T10:00:00', end: '2026-01-12T11:00:00' }, /start has no UTC offset; give time_zone/],
  [{ summary: 'x', start: '2026-01-12T25:00:00Z', end: '2026-01-12T26:00:00Z' }, /start/],
  [{ summary: 'x', start: '2026-01-12T10:00:00Z', end: '2026-01-12T11:00:00Z', reminders: { use_default: true, overrides: [{ method: 'popup', minutes: 5 }] } }, /use_default/],
  [{ summary: 'x', start: '2026-01-12T10:00:00Z', end: '2026-01-12T11:00:00Z', reminders: { overrides: Array.from({ length: 6 }, () => ({ method: 'popup', minutes: 5 })) } }, /overrides/],
  [{ summary: 'x', start: '2026-01-12T10:00:00Z', end: '2026-01-12T11:00:00Z', reminders: { overrides: [{ method: 'sms', minutes: 5 }] } }, /method/],
  [{ summary: 'x', start: '2026-01-12T10:00:00Z', end: '2026-01-12T11:00:00Z', attendees: [{ email: 'not-an-address' }] }, /email/],
  [{ summary: 'x', start: '2026-01-12T10:00:00Z', end: '2026-01-12T11:00:00Z', recurrence: ['FREQ=DAILY'] }, /recurrence/],
  [{ summary: 'x', start: '2026-01-12T10:00:00Z', end: '2026-01-12T11:00:00Z', send_updates: 'everyone' }, /send_updates/],
  [{ summary: 'x'.repeat(100000), start: '2026-01-12T10:00:00Z', end: '2026-01-12T11:00:00Z' }, /summary/],
  [{ summary: 'x', start: '2026-01-12T10:00:00Z', end: '2026-01-12T11:00:00Z', color: 'red' }, /color/],
  [{ summary: 'x', start: '2026-01-12T10:00:00Z' }, /end/],
  [{ calendar_id: '..', summary: 'x', start: '2026-01-12T10:00:00Z', end: '2026-01-12T11:00:00Z' }, /calendar_id/],
  [{ calendar_id: 'a b', summary: 'x', start: '2026-01-12T10:00:00Z', end: '2026-01-12T11:00:00Z' }, /calendar_id/],
];
for (const [args, re] of refusals) {
  r = await call('create_event', args);
  check(`create_event refused before any request: ${JSON.stringify(args).slice(0, 110)}`, r.isError === true && re.test(text(r)) && await nothingUpstream(), text(r).slice(0, 300));
}

// ---- update_event ----
r = await call('update_event', { event_id: created?.id ?? 'x', summary: 'Planning (moved)', send_updates: 'externalOnly' });
q = await one();
check('update_event: PATCH with only the given field', q.method === 'PATCH' && q.path === `${V3}/calendars/primary/events/${created?.id}` &&
  JSON.stringify(q.body) === '{"summary":"Planning (moved)"}' && q.query.sendUpdates === 'externalOnly' && !('conferenceDataVersion' in q.query), q);
check('update_event: the rest of the event is kept', !r.isError && r.structuredContent?.summary === 'Planning (moved)' && r.structuredContent.location === 'Room 1' &&
  r.structuredContent.attendees?.length === 2 && r.structuredContent.meet_link === created?.meet_link && /Updated event/.test(text(r)), r);
r = await call('update_event', { event_id: created?.id ?? 'x', attendees: [{ email: 'carol@example.com' }], description: '', start: '2026-01-12T12:00:00+01:00', end: '2026-01-12T13:00:00+01:00', time_zone: 'Europe/Berlin' });
q = await one();
check('update_event: attendees replaced, description cleared, times moved', JSON.stringify(q.body?.attendees) === '[{"email":"carol@example.com"}]' && q.body.description === '' &&
  q.body.start?.dateTime === '2026-01-12T12:00:00+01:00' && r.structuredContent?.attendees?.length === 1 && r.structuredContent.start === '2026-01-12T12:00:00+01:00', { q, r });
r = await call('update_event', { event_id: 'offsite', end: '2026-01-07' });
check('update_event: an end before the stored start -> Google\'s 400 message', r.isError === true && /time range is empty/.test(text(r)), r);
await drain(api);
r = await call('update_event', { event_id: 'review' });
check('update_event: nothing to change -> tool error, nothing upstream', r.isError === true && /nothing to change/.test(text(r)) && await nothingUpstream(), r);
r = await call('update_event', { event_id: 'review', time_zone: 'Europe/Berlin' });
check('update_event: time_zone alone -> tool error, nothing upstream', r.isError === true && /time_zone/.test(text(r)) && await nothingUpstream(), r);

// ---- respond_to_event ----
r = await call('respond_to_event', { event_id: 'review', response: 'accepted', comment: 'See you there', send_updates: 'all' });
let seen = await drain(api);
const patch = seen[1];
check('respond_to_event: GET the attendees, then PATCH them all back', seen.length === 2 && seen[0].method === 'GET' && seen[0].query.fields === 'id,attendees' &&
  patch?.method === 'PATCH' && patch.path === `${V3}/calendars/primary/events/review` && patch.query.sendUpdates === 'all' && patch.body?.attendees?.length === 3 && Object.keys(patch.body).length === 1, seen);
check('respond_to_event: only the own response changes', patch?.body?.attendees?.[1]?.responseStatus === 'accepted' && patch.body.attendees[1].comment === 'See you there' &&
  patch.body.attendees[0].responseStatus === 'accepted' && patch.body.attendees[2].responseStatus === 'tentative' && patch.body.attendees[2].optional === true, patch?.body);
check('respond_to_event: the answer in the result', !r.isError && /Answered accepted to event review/.test(text(r)) &&
  r.structuredContent?.attendees?.find((a) => a.self)?.response_status === 'accepted', r);
r = await call('respond_to_event', { event_id: 'board', response: 'declined' });
seen = await drain(api);
check('respond_to_event: not an attendee -> tool error, no PATCH', r.isError === true && /only an invited attendee can respond/.test(text(r)) && seen.length === 1 && seen[0].method === 'GET', { r, seen });
r = await call('respond_to_event', { event_id: 'review', response: 'maybe' });
check('respond_to_event: response outside the enum -> tool error, nothing upstream', r.isError === true && /response/.test(text(r)) && await nothingUpstream(), r);

// ---- quick_add ----
r = await call('quick_add', { text: 'Lunch with Sam tomorrow 12:30-13:30 at Cafe Roma', send_updates: 'none' });
q = await one();
check('quick_add: POST /events/quickAdd?text=... (no body), sendUpdates', q.method === 'POST' && q.path === `${V3}/calendars/primary/events/quickAdd` &&
  q.query.text === 'Lunch with Sam tomorrow 12:30-13:30 at Cafe Roma' && q.query.sendUpdates === 'none' && q.body === null, q);
check('quick_add: the parsed event', !r.isError && r.structuredContent?.summary === 'Lunch with Sam' && r.structuredContent.location === 'Cafe Roma' &&
  r.structuredContent.start === '2026-01-06T12:30:00+01:00' && /Created event/.test(text(r)), r);
r = await call('quick_add', { text: '' });
check('quick_add: empty text -> tool error, nothing upstream', r.isError === true && /text/.test(text(r)) && await nothingUpstream(), r);

// ---- delete_event ----
r = await call('delete_event', { event_id: 'lunch', send_updates: 'none' });
q = await one();
check('delete_event: DELETE with sendUpdates -> 204 -> deleted', q.method === 'DELETE' && q.path === `${V3}/calendars/primary/events/lunch` && q.query.sendUpdates === 'none' &&
  !r.isError && r.structuredContent?.deleted === true && r.structuredContent.event_id === 'lunch' && /Deleted event lunch/.test(text(r)), { q, r });
r = await call('delete_event', { event_id: 'lunch' });
check('delete_event: again -> 410 naming the event', r.isError === true && /Event lunch in calendar primary has been deleted \(410 Gone\)/.test(text(r)), r);
r = await call('delete_event', { event_id: 'nothere' });
check('delete_event: unknown -> 404 naming the event', r.isError === true && /Event nothere in calendar primary was not found/.test(text(r)), r);
await drain(api);
r = await call('delete_event', { event_id: 'standup_20260108T080000Z' });
q = await one();
check('delete_event: an instance id deletes one occurrence', q.method === 'DELETE' && q.path === `${V3}/calendars/primary/events/standup_20260108T080000Z` && !r.isError, { q, r });
r = await call('update_event', { event_id: 'standup_20260109T080000Z', summary: 'Standup (demo day)' });
await drain(api);
check('update_event: an instance id changes one occurrence', !r.isError && r.structuredContent?.summary === 'Standup (demo day)' && r.structuredContent.recurring_event_id === 'standup', r);
r = await call('list_events', { query: 'standup', time_min: '2026-01-05T00:00:00Z' });
await drain(api);
check('list_events: the other occurrences stay', JSON.stringify((r.structuredContent?.events ?? []).map((e) => `${e.id.slice(-16, -8)} ${e.summary}`)) ===
  '["20260105 Daily standup","20260106 Daily standup","20260107 Daily standup","20260109 Standup (demo day)"]', r.structuredContent);
r = await call('delete_event', { calendar_id: 'project1@group.calendar.google.com', event_id: 'p1e1' });
check('delete_event: a read-only calendar -> 403 with Google\'s message', r.isError === true && /403/.test(text(r)) && /writer access/.test(text(r)), r);
await drain(api);

// ---- find_free_busy ----
r = await call('find_free_busy', { calendar_ids: ['primary', 'team@group.calendar.google.com', 'nobody@example.com'], time_min: '2026-01-07T00:00:00Z', time_max: '2026-01-08T00:00:00Z', time_zone: 'UTC' });
q = await one();
check('find_free_busy: POST /freeBusy {timeMin, timeMax, timeZone, items}', q.method === 'POST' && q.path === `${V3}/freeBusy` && q.body?.timeMin === '2026-01-07T00:00:00Z' &&
  q.body.timeMax === '2026-01-08T00:00:00Z' && q.body.timeZone === 'UTC' && JSON.stringify(q.body.items) === '[{"id":"primary"},{"id":"team@group.calendar.google.com"},{"id":"nobody@example.com"}]' && q.auth === bearer, q);
const cals = r.structuredContent?.calendars ?? [];
check('find_free_busy: busy intervals per calendar (a transparent event is free), errors of an unknown calendar', !r.isError && cals.length === 3 &&
  cals[0].busy.length === 2 && cals[0].busy[1].start === '2026-01-07T13:00:00Z' && cals[1].busy.length === 1 && cals[1].busy[0].start === '2026-01-07T10:00:00Z' &&
  cals[2].errors[0] === 'notFound' && /team@group.calendar.google.com: busy 2026-01-07T10:00:00Z -> 2026-01-07T11:00:00Z/.test(text(r)) && /nobody@example.com: could not be read \(notFound\)/.test(text(r)), r);
r = await call('find_free_busy', { calendar_ids: ['project2@group.calendar.google.com'], time_min: '2026-01-07T00:00:00Z', time_max: '2026-01-08T00:00:00Z' });
await drain(api);
check('find_free_busy: an empty calendar is free', /free for the whole window/.test(text(r)) && r.structuredContent?.calendars?.[0]?.busy?.length === 0, r);
r = await call('find_free_busy', { calendar_ids: Array.from({ length: 51 }, (_, i) => `c${i}@example.com`), time_min: '2026-01-07T00:00:00Z', time_max: '2026-01-08T00:00:00Z' });
check('find_free_busy: 51 calendars -> tool error, nothing upstream', r.isError === true && /calendar_ids/.test(text(r)) && await nothingUpstream(), r);
r = await call('find_free_busy', { calendar_ids: ['primary'], time_min: '2026-01-08T00:00:00Z', time_max: '2026-01-07T00:00:00Z' });
check('find_free_busy: reversed window -> tool error, nothing upstream', r.isError === true && /later than/.test(text(r)) && await nothingUpstream(), r);
r = await call('find_free_busy', { calendar_ids: [], time_min: '2026-01-07T00:00:00Z', time_max: '2026-01-08T00:00:00Z' });
check('find_free_busy: no calendars -> tool error, nothing upstream', r.isError === true && /calendar_ids/.test(text(r)) && await nothingUpstream(), r);
{
  const many = await direct('POST', '/freeBusy', { timeMin: '2026-01-07T00:00:00Z', timeMax: '2026-01-08T00:00:00Z', items: Array.from({ length: 51 }, (_, i) => ({ id: `c${i}` })) });
  await drain(api);
  check('fake: freeBusy over 50 calendars -> 400 tooManyCalendarsRequested', many.status === 400 && many.body.error?.errors?.[0]?.reason === 'tooManyCalendarsRequested', many);
}

// ---- hostile arguments: refused before any request ----
const hostile = [
  ['list_events', { query: 'x'.repeat(200000) }, /query/],
  ['list_events', { cursor: 'a b' }, /cursor/],
  ['list_events', { cursor: 'x'.repeat(5000) }, /cursor/],
  ['list_events', { max_results: 2501 }, /max_results/],
  ['list_events', { time_zone: 'Europe/Berlin; rm -rf' }, /time_zone/],
  ['list_events', { time_min: `2026-01-05T00:00:00Z${'0'.repeat(100)}` }, /time_min/],
  ['list_calendars', { max_results: 251 }, /max_results/],
  ['list_calendars', { unexpected: true }, /unexpected/],
  ['get_event', { event_id: 'x'.repeat(2000) }, /event_id/],
  ['get_event', { event_id: 'a?b=c' }, /event_id/],
  ['get_event', { event_id: 'review', calendar_id: 'primary\r\nX-Evil: 1' }, /calendar_id/],
  ['get_event', {}, /event_id/],
  ['delete_event', { event_id: 'review', extra: 1 }, /extra/],
  ['quick_add', { text: 'y'.repeat(5000) }, /text/],
  ['respond_to_event', { event_id: 'review' }, /response/],
];
for (const [tool, args, re] of hostile) {
  r = await call(tool, args);
  check(`${tool} refuses ${JSON.stringify(args).slice(0, 80)} before any request`, r.isError === true && re.test(text(r)) && await nothingUpstream(), text(r).slice(0, 300));
}

// ---- error mapping ----
await fail({ path: '/events$', method: 'POST', status: 403, reason: 'insufficientPermissions', message: 'Request had insufficient authentication scopes.',
  www_authenticate: 'Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="https://www.googleapis.com/auth/calendar.readonly"' });
r = await call('create_event', { summary: 'x', start: '2026-01-12T10:00:00Z', end: '2026-01-12T11:00:00Z' });
check('403 insufficientPermissions -> the missing scope (calendar.events) named, with Google\'s message', r.isError === true && /403/.test(text(r)) &&
  /Missing scope: this tool needs https:\/\/www.googleapis.com\/auth\/calendar.events/.test(text(r)) && /insufficient authentication scopes/.test(text(r)) && /Google names: https:\/\/www.googleapis.com\/auth\/calendar.readonly/.test(text(r)) &&
  names(r, `Re-authorize this instance with them at ${AUTHORIZE_URL}`), text(r));
await fail({ path: '/calendarList$', status: 403, reason: 'insufficientPermissions', message: 'Request had insufficient authentication scopes.' });
r = await call('list_calendars', {});
check('403 on a read -> calendar.readonly named', r.isError === true && /Missing scope: this tool needs https:\/\/www.googleapis.com\/auth\/calendar.readonly/.test(text(r)), text(r));
await fail({ path: '/events$', method: 'GET', status: 403, reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded', retry_after: 9 });
r = await call('list_events', {});
check('403 rateLimitExceeded -> usage limit with Retry-After, not a scope error', r.isError === true && /usage limit/.test(text(r)) && /rateLimitExceeded/.test(text(r)) &&
  /retry after 9 seconds/.test(text(r)) && !/Missing scope/.test(text(r)), text(r));
await fail({ path: '/freeBusy$', status: 403, reason: 'userRateLimitExceeded', message: 'User Rate Limit Exceeded' });
r = await call('find_free_busy', { calendar_ids: ['primary'], time_min: '2026-01-07T00:00:00Z', time_max: '2026-01-08T00:00:00Z' });
check('403 userRateLimitExceeded (usageLimits) -> usage limit, retry later', r.isError === true && /usage limit/.test(text(r)) && /userRateLimitExceeded/.test(text(r)) && !/Missing scope/.test(text(r)), text(r));
await fail({ path: '/events/review$', status: 429, reason: 'rateLimitExceeded', message: 'Too many requests', retry_after: 4 });
r = await call('get_event', { event_id: 'review' });
check('429 -> rate limited, retry after 4 seconds', r.isError === true && /429/.test(text(r)) && /4 seconds/.test(text(r)), text(r));
await fail({ path: '/events/review$', status: 503, message: 'Backend Error', reason: 'backendError' });
r = await call('get_event', { event_id: 'review' });
check('503 -> unavailable with Google\'s message', r.isError === true && /503/.test(text(r)) && /Backend Error/.test(text(r)), text(r));
await drain(api);

// 401 -> one refresh through the broker, retry with the new token; then 401 twice -> re-authorize
if (process.env.BROKER_IS_REAL !== '1') {
  const before = (await json(`${brokerUrl}/_stats`)).token_refresh;
  await json(`${brokerUrl}/_set`, { id: inst.id, access_token: `${inst.access_token}-2` });
  await json(`${api}/_token`, { token: `${inst.access_token}-2` });
  r = await call('list_calendars', { max_results: 1 });
  seen = await drain(api);
  const after = (await json(`${brokerUrl}/_stats`)).token_refresh;
  check('401 -> one broker refresh -> retried with the new token, invisible to the client', !r.isError && after === before + 1 && seen.length === 2 &&
    seen[0].auth === bearer && seen[1].auth === `${bearer}-2`, { r, seen, before, after });
  await json(`${api}/_token`, { token: 'revoked-elsewhere' });
  r = await call('list_calendars', {});
  seen = await drain(api);
  check('401 again after the refresh -> re-authorize error with the instance\'s authorize URL', r.isError === true && /re-authorize/i.test(text(r)) && names(r, AUTHORIZE_URL) && seen.length === 2, { r, seen });
  await json(`${api}/_token`, { token: `${inst.access_token}-2` });
}

const reauth = cfg.instances.find((i) => i.id === 'inst-reauth');
let refused = '';
try {
  const other = await connect(base, reauth.id, reauth.key);
  const rr = await other.callTool({ name: 'list_calendars', arguments: {} });
  refused = rr.isError ? text(rr) : '';
  await other.close();
} catch (e) {
  refused = String(e);
}
check('an instance that needs re-authorization is refused with its authorize URL', /authoriz/i.test(refused) && refused.includes(reauth.authorize_url), refused);
await client.close();
done();
