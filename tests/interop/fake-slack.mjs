// fake-slack.mjs - a stand-in for the Slack Web API (the methods mcp-slack uses), as Slack documents it:
// POST|GET /api/<method> with the token as Authorization: Bearer; bodies form-encoded (every method) or JSON (only
// the methods that accept JSON: chat.postMessage, chat.update, reactions.add, files.completeUploadExternal; other
// methods ignore a JSON body, as Slack does; JSON without charset=utf-8 gets the missing_charset warning); errors
// inside HTTP 200 as {"ok": false, "error", "response_metadata"?}; missing_scope with needed/provided (and the
// X-OAuth-Scopes / X-Accepted-OAuth-Scopes headers); cursor paging (limit, response_metadata.next_cursor, "" on the
// last page, invalid_cursor); per-method rate-limit tiers per token (Tier 2 20/min, Tier 3 50/min, Tier 4 100/min,
// chat.postMessage ~1/s per channel with short bursts): over the tier HTTP 429 + Retry-After and
// {"ok":false,"error":"ratelimited"}; search.messages for user tokens only (a bot token, xoxb-... or rotated xoxe.xoxb-..., gets
// not_allowed_token_type); the upload flow files.getUploadURLExternal -> POST the bytes to upload_url (which refuses
// an Authorization header, 200 "OK - <n>") -> files.completeUploadExternal (file_not_found before the bytes arrive).
// Usage: node fake-slack.mjs <access token>; prints "fake-slack listening on 127.0.0.1:<port>" (env PORT or 0).
// Env FAKE_RATE_LIMITS=off turns the rate-limit tiers off (for load runs).
// Hooks: GET /_requests (method, path, api, query, params, json, contentType, auth, bytes; at the upload URL the
// bytes' sha256 and, up to 64 KiB, the body as base64), POST /_reset (requests,
// rate windows and failures; the data stays), POST /_token {token}, POST /_scopes {scopes} (granted scopes, space
// or comma separated), POST /_fail {api, error?, status?, retry_after?, needed?, provided?, times?} (the next call of
// that method answers ok:false error, or HTTP status).
// With FAKE_TOKENINFO_URL set a bearer is accepted while that endpoint knows it (tests/interop/fake-auth.mjs).
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { bearerAuth } from './fake-auth.mjs';

const auth = bearerAuth(process.argv[2] ?? 'xoxp-slack-token');
const ME = 'U0ALICE0001';
const ALL_SCOPES = ['channels:read', 'groups:read', 'im:read', 'mpim:read', 'channels:history', 'groups:history', 'im:history', 'mpim:history',
  'chat:write', 'reactions:write', 'search:read', 'users:read', 'users:read.email', 'files:write'];
let scopes = [...ALL_SCOPES];
let requests = [], failures = [], windows = new Map();
let base = '';
let seq = 1;

// ---- data
const channels = new Map();
const addChannel = (c) => channels.set(c.id, { is_channel: !c.is_im, is_group: false, is_im: false, is_mpim: false, is_private: false, is_archived: false, is_member: true,
  num_members: 3, topic: { value: '' }, purpose: { value: '' }, created: 1600000000, ...c, messages: [] });
addChannel({ id: 'C0GENERAL01', name: 'general', num_members: 5, topic: { value: 'Company-wide announcements' } });
addChannel({ id: 'C0RANDOM001', name: 'random' });
addChannel({ id: 'C0NOTMEMBR1', name: 'announcements', is_member: false });
addChannel({ id: 'C0ARCHIVED1', name: 'old-stuff', is_archived: true });
addChannel({ id: 'G0PRIVATE01', name: 'secret-plans', is_private: true, is_group: true });
addChannel({ id: 'D0DIRECT001', is_im: true, is_private: true, user: 'U0BOB000001' });
addChannel({ id: 'G0MPIM00001', name: 'mpdm-alice--bob--carol-1', is_mpim: true, is_private: true });
for (let i = 1; i <= 12; i++) addChannel({ id: `C0TEAM${String(i).padStart(5, '0')}`, name: `team-${String(i).padStart(2, '0')}`, is_member: i % 2 === 0 });
const users = [
  { id: ME, name: 'alice', real_name: 'Alice Archer', is_admin: true, tz: 'Europe/Berlin', profile: { display_name: 'alice', real_name: 'Alice Archer', title: 'Engineer', email: 'alice@example.com' } },
  { id: 'U0BOB000001', name: 'bob', real_name: 'Bob Baker', tz: 'America/New_York', profile: { display_name: 'bobby', real_name: 'Bob Baker', title: 'Designer', email: 'bob@example.com' } },
  { id: 'U0CAROL0001', name: 'carol', real_name: 'Carol Cole', profile: { display_name: 'carol', real_name: 'Carol Cole', title: '', email: 'carol@example.com' } },
  { id: 'U0BOT000001', name: 'deploybot', real_name: 'Deploy Bot', is_bot: true, profile: { display_name: 'deploybot', real_name: 'Deploy Bot' } },
  { id: 'W0DELETED01', name: 'dave', real_name: 'Dave Former', deleted: true, profile: { display_name: 'dave', real_name: 'Dave Former' } },
].map((u) => ({ team_id: 'T0FAKE0001', deleted: false, is_bot: false, is_admin: false, ...u }));
const EMOJI = new Set(['thumbsup', '+1', 'eyes', 'tada', 'white_check_mark', 'heart', 'shipit']);
const general = channels.get('C0GENERAL01');
for (let i = 1; i <= 30; i++) {
  const ts = `${1700000000 + i * 100}.000100`;
  general.messages.push({ type: 'message', user: i % 3 === 0 ? 'U0BOB000001' : ME, text: `Message number ${i} about the deploy`, ts });
}
const parent = general.messages[9]; // ts 1700001000.000100
parent.text = 'Release 2.0 is out :tada:';
parent.reactions = [{ name: 'tada', count: 2, users: [ME, 'U0BOB000001'] }];
for (let r = 1; r <= 3; r++) general.messages.push({ type: 'message', user: r === 2 ? ME : 'U0BOB000001', text: `Reply ${r} to the release`, ts: `1700001000.00020${r}`, thread_ts: parent.ts, parent_user_id: parent.user });
parent.thread_ts = parent.ts;
general.messages.push({ type: 'message', subtype: 'bot_message', bot_id: 'B0DEPLOY01', username: 'deploybot', text: 'Deployed build 4711', ts: '1700003500.000100',
  files: [{ id: 'F0SEEDED001', name: 'build.log', mimetype: 'text/plain', permalink: 'https://fake.slack.com/files/U0BOT000001/F0SEEDED001/build.log' }] });
channels.get('C0RANDOM001').messages.push({ type: 'message', user: 'U0CAROL0001', text: 'Lunch at noon? Grüße aus Köln', ts: '1700000500.000100' });
const files = new Map(); // id -> {filename, length, alt_txt, bytes?}

// ---- helpers
const send = (res, status, body, headers = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
};
const slackErr = (res, error, extra = {}, headers = {}) => send(res, 200, { ok: false, error, ...extra }, headers);
const cursorOf = (n) => Buffer.from(`offset:${n}`).toString('base64');
const offsetOf = (c) => {
  if (c === undefined || c === '') return 0;
  const m = /^offset:(\d+)$/.exec(Buffer.from(c, 'base64').toString('utf8'));
  return m ? Number(m[1]) : -1;
};
// a page of list by cursor and limit (Slack may answer fewer than limit; this fake does not)
const page = (list, p, max) => {
  const limit = p.limit === undefined ? 100 : Number(p.limit);
  if (!Number.isInteger(limit) || limit < 0 || limit > max) return { error: 'invalid_limit' };
  const start = offsetOf(p.cursor);
  if (start < 0 || start > list.length) return { error: 'invalid_cursor' };
  const n = limit === 0 ? 100 : limit;
  const next = start + n < list.length ? cursorOf(start + n) : '';
  return { items: list.slice(start, start + n), next, has_more: next !== '' };
};
const isBot = (token) => /^(xoxe\.)?xoxb-/.test(token); // bot tokens, rotated or not
const truthy = (v) => v === true || v === 'true' || v === '1' || v === 1;
const tsNum = (t) => Number(t);
const newTs = () => `${Math.floor(Date.now() / 1000)}.${String(seq++).padStart(6, '0')}`;
const view = (c) => { const { messages, ...rest } = c; return rest; };
const userView = (u) => { const v = structuredClone(u); if (!scopes.includes('users:read.email')) delete v.profile.email; return v; };
const permalink = (ch, ts) => `https://fake.slack.com/archives/${ch}/p${ts.replace('.', '')}`;
const scopeFor = (c, kind) => {
  const t = c.is_im ? 'im' : c.is_mpim ? 'mpim' : c.is_private ? 'groups' : 'channels';
  return `${t}:${kind}`;
};

// ---- rate limits: a sliding minute per (token, method); chat.postMessage: a bucket per channel (burst 5, 1/s)
const TIERS = { 'conversations.list': 20, 'search.messages': 20, 'users.list': 20, 'conversations.history': 50, 'conversations.replies': 50,
  'chat.update': 50, 'reactions.add': 50, 'users.info': 100, 'files.getUploadURLExternal': 100, 'files.completeUploadExternal': 100 };
const limited = (token, api, p) => {
  if (process.env.FAKE_RATE_LIMITS === 'off') return 0; // a benchmark measures calls, not 429s (bench/mcp/services.sh)
  const now = Date.now();
  if (api === 'chat.postMessage') {
    const key = `${token} ${api} ${p.channel}`;
    const b = windows.get(key) ?? { tokens: 5, at: now };
    b.tokens = Math.min(5, b.tokens + (now - b.at) / 1000);
    b.at = now;
    windows.set(key, b);
    if (b.tokens < 1) return Math.ceil(1 - b.tokens);
    b.tokens -= 1;
    return 0;
  }
  const per = TIERS[api];
  if (!per) return 0;
  const key = `${token} ${api}`;
  const w = (windows.get(key) ?? []).filter((t) => now - t < 60000);
  windows.set(key, w);
  if (w.length >= per) return Math.max(1, Math.ceil((w[0] + 60000 - now) / 1000));
  w.push(now);
  return 0;
};

const JSON_OK = new Set(['chat.postMessage', 'chat.update', 'reactions.add', 'files.completeUploadExternal']);
const NEEDS = { 'chat.postMessage': 'chat:write', 'chat.update': 'chat:write', 'reactions.add': 'reactions:write', 'search.messages': 'search:read',
  'users.list': 'users:read', 'users.info': 'users:read', 'files.getUploadURLExternal': 'files:write', 'files.completeUploadExternal': 'files:write' };

// ---- methods: (p, ctx) -> [status?, body]; p = the parameters, ctx = {token, res}
const need = (scope) => (scopes.includes(scope) ? null : { ok: false, error: 'missing_scope', needed: scope, provided: scopes.join(',') });
// The channel whose messages a token may read, or the error Slack answers: [channel, null] or [null, error].
const readable = (id, token) => {
  const c = channels.get(id);
  if (!c) return [null, { ok: false, error: 'channel_not_found' }];
  const e = need(scopeFor(c, 'history'));
  if (e) return [null, e];
  if (!c.is_member && c.is_private) return [null, { ok: false, error: 'channel_not_found' }];
  // a user reads any public channel; a bot only those it was invited to
  if (!c.is_member && isBot(token)) return [null, { ok: false, error: 'not_in_channel' }];
  return [c, null];
};
const methods = {
  'conversations.list': (p) => {
    const types = String(p.types ?? 'public_channel').split(',');
    if (types.some((t) => !['public_channel', 'private_channel', 'mpim', 'im'].includes(t))) return { ok: false, error: 'invalid_types' };
    const tscope = { public_channel: 'channels:read', private_channel: 'groups:read', mpim: 'mpim:read', im: 'im:read' };
    for (const t of types) { const e = need(tscope[t]); if (e) return e; }
    const kind = (c) => (c.is_im ? 'im' : c.is_mpim ? 'mpim' : c.is_private ? 'private_channel' : 'public_channel');
    let list = [...channels.values()].filter((c) => types.includes(kind(c)));
    if (truthy(p.exclude_archived)) list = list.filter((c) => !c.is_archived);
    const pg = page(list, p, 1000);
    if (pg.error) return { ok: false, error: pg.error };
    return { ok: true, channels: pg.items.map(view), response_metadata: { next_cursor: pg.next } };
  },
  'conversations.history': (p, ctx) => {
    const [c, e] = readable(p.channel, ctx.token);
    if (e) return e;
    if (p.oldest !== undefined && !/^\d+(\.\d+)?$/.test(p.oldest)) return { ok: false, error: 'invalid_ts_oldest' };
    if (p.latest !== undefined && !/^\d+(\.\d+)?$/.test(p.latest)) return { ok: false, error: 'invalid_ts_latest' };
    const inc = truthy(p.inclusive);
    let list = c.messages.filter((m) => !m.thread_ts || m.thread_ts === m.ts || m.subtype === 'thread_broadcast');
    if (p.oldest !== undefined) list = list.filter((m) => (inc ? tsNum(m.ts) >= tsNum(p.oldest) : tsNum(m.ts) > tsNum(p.oldest)));
    if (p.latest !== undefined) list = list.filter((m) => (inc ? tsNum(m.ts) <= tsNum(p.latest) : tsNum(m.ts) < tsNum(p.latest)));
    list = [...list].sort((a, b) => tsNum(b.ts) - tsNum(a.ts)).map((m) => (m.thread_ts === m.ts ? { ...m, reply_count: c.messages.filter((r) => r.thread_ts === m.ts && r.ts !== m.ts).length } : m));
    const pg = page(list, p, 999);
    if (pg.error) return { ok: false, error: pg.error };
    return { ok: true, messages: pg.items, has_more: pg.has_more, pin_count: 0, response_metadata: { next_cursor: pg.next } };
  },
  'conversations.replies': (p, ctx) => {
    const [c, e] = readable(p.channel, ctx.token);
    if (e) return e;
    const root = c.messages.find((m) => m.ts === p.ts);
    if (!root) return { ok: false, error: 'thread_not_found' };
    let list = root.thread_ts === root.ts ? c.messages.filter((m) => m.thread_ts === root.ts) : [root];
    list = [...list].sort((a, b) => (a.ts === root.ts ? -1 : b.ts === root.ts ? 1 : tsNum(a.ts) - tsNum(b.ts)));
    const inc = truthy(p.inclusive);
    if (p.oldest !== undefined) list = list.filter((m) => m === root || (inc ? tsNum(m.ts) >= tsNum(p.oldest) : tsNum(m.ts) > tsNum(p.oldest)));
    if (p.latest !== undefined) list = list.filter((m) => m === root || (inc ? tsNum(m.ts) <= tsNum(p.latest) : tsNum(m.ts) < tsNum(p.latest)));
    list = list.map((m) => (m === root && root.thread_ts ? { ...m, reply_count: list.length - 1 } : m));
    const pg = page(list, p, 999);
    if (pg.error) return { ok: false, error: pg.error };
    return { ok: true, messages: pg.items, has_more: pg.has_more, response_metadata: { next_cursor: pg.next } };
  },
  'chat.postMessage': (p) => {
    const c = channels.get(p.channel);
    if (!c) return { ok: false, error: 'channel_not_found' };
    if (c.is_archived) return { ok: false, error: 'is_archived' };
    if (!c.is_member) return { ok: false, error: 'not_in_channel' };
    if ((p.text ?? '') === '' && !p.blocks && !p.attachments) return { ok: false, error: 'no_text' };
    if (String(p.text).length > 40000) return { ok: false, error: 'msg_too_long' };
    const m = { type: 'message', user: ME, text: String(p.text), ts: newTs() };
    if (p.thread_ts !== undefined) {
      // Slack does not check that thread_ts names a message: the reply is stored under it either way
      const root = c.messages.find((x) => x.ts === p.thread_ts);
      if (root) root.thread_ts = root.ts;
      m.thread_ts = String(p.thread_ts);
      if (root) m.parent_user_id = root.user;
      if (truthy(p.reply_broadcast)) m.subtype = 'thread_broadcast';
    }
    c.messages.push(m);
    return { ok: true, channel: c.id, ts: m.ts, message: m };
  },
  'chat.update': (p) => {
    const c = channels.get(p.channel);
    if (!c) return { ok: false, error: 'channel_not_found' };
    const m = c.messages.find((x) => x.ts === p.ts);
    if (!m) return { ok: false, error: 'message_not_found' };
    if (m.user !== ME) return { ok: false, error: 'cant_update_message' };
    if ((p.text ?? '') === '' && !p.blocks) return { ok: false, error: 'no_text' };
    m.text = String(p.text);
    m.edited = { user: ME, ts: newTs() };
    return { ok: true, channel: c.id, ts: m.ts, text: m.text, message: m };
  },
  'reactions.add': (p) => {
    const c = channels.get(p.channel);
    if (!c) return { ok: false, error: 'channel_not_found' };
    const m = c.messages.find((x) => x.ts === p.timestamp);
    if (!m) return { ok: false, error: 'message_not_found' };
    const name = String(p.name ?? '').replace(/::skin-tone-[2-6]$/, '');
    if (!EMOJI.has(name)) return { ok: false, error: 'invalid_name' };
    m.reactions ??= [];
    let r = m.reactions.find((x) => x.name === name);
    if (r?.users.includes(ME)) return { ok: false, error: 'already_reacted' };
    if (!r) m.reactions.push((r = { name, count: 0, users: [] }));
    r.count++;
    r.users.push(ME);
    return { ok: true };
  },
  'search.messages': (p, ctx) => {
    if (isBot(ctx.token)) return { ok: false, error: 'not_allowed_token_type' };
    if (!p.query) return { ok: false, error: 'no_query' };
    const count = Math.min(Number(p.count ?? 20), 100), pageNo = Number(p.page ?? 1);
    let words = String(p.query).split(/\s+/).filter(Boolean);
    const inCh = words.find((w) => w.startsWith('in:#'));
    words = words.filter((w) => !w.includes(':')).map((w) => w.toLowerCase());
    let hits = [];
    for (const c of channels.values()) {
      if (c.is_im || (inCh && c.name !== inCh.slice(4))) continue;
      for (const m of c.messages) if (words.every((w) => m.text.toLowerCase().includes(w))) hits.push({ c, m });
    }
    if (p.sort === 'timestamp') hits.sort((a, b) => (p.sort_dir === 'asc' ? 1 : -1) * (tsNum(a.m.ts) - tsNum(b.m.ts)));
    const total = hits.length, pages = Math.max(1, Math.ceil(total / count));
    if (pageNo < 1 || pageNo > 100) return { ok: false, error: 'invalid_page' };
    const matches = hits.slice((pageNo - 1) * count, pageNo * count).map(({ c, m }) => ({ iid: `iid-${m.ts}`, type: 'message', channel: { id: c.id, name: c.name, is_private: c.is_private },
      user: m.user, username: users.find((u) => u.id === m.user)?.name ?? m.username, text: m.text, ts: m.ts, permalink: permalink(c.id, m.ts) }));
    return { ok: true, query: p.query, messages: { total, matches, paging: { count, total, page: pageNo, pages },
      pagination: { total_count: total, page: pageNo, per_page: count, page_count: pages, first: (pageNo - 1) * count + 1, last: Math.min(pageNo * count, total) } } };
  },
  'users.list': (p) => {
    const pg = page(users, p, 1000);
    if (pg.error) return { ok: false, error: pg.error };
    return { ok: true, members: pg.items.map(userView), cache_ts: Math.floor(Date.now() / 1000), response_metadata: { next_cursor: pg.next } };
  },
  'users.info': (p) => {
    const u = users.find((x) => x.id === p.user);
    return u ? { ok: true, user: userView(u) } : { ok: false, error: 'user_not_found' };
  },
  'files.getUploadURLExternal': (p) => {
    const length = Number(p.length);
    if (!p.filename || p.length === undefined || !Number.isInteger(length) || length < 1) return { ok: false, error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] missing required field: length'] } };
    const id = `F0UP${String(seq++).padStart(7, '0')}`;
    files.set(id, { filename: p.filename, length, alt_txt: p.alt_txt });
    return { ok: true, upload_url: `${base}/upload/v1/${id}-${Math.random().toString(36).slice(2)}`, file_id: id };
  },
  'files.completeUploadExternal': (p) => {
    let list = p.files;
    if (typeof list === 'string') { try { list = JSON.parse(list); } catch { return { ok: false, error: 'invalid_arguments' }; } }
    if (!Array.isArray(list) || list.length === 0) return { ok: false, error: 'invalid_arguments' };
    const c = p.channel_id !== undefined ? channels.get(p.channel_id) : null;
    if (p.channel_id !== undefined && !c) return { ok: false, error: 'channel_not_found' };
    if (c && !c.is_member) return { ok: false, error: 'not_in_channel' };
    const out = [];
    for (const f of list) {
      const st = files.get(f?.id);
      if (!st || st.bytes === undefined) return { ok: false, error: 'file_not_found' };
      st.title = f.title ?? st.filename;
      out.push({ id: f.id, name: st.filename, title: st.title, mimetype: st.filename.endsWith('.txt') ? 'text/plain' : 'application/octet-stream', size: st.length,
        permalink: `https://fake.slack.com/files/${ME}/${f.id}/${encodeURIComponent(st.filename)}`, channels: c ? [c.id] : [] });
    }
    if (c) {
      const m = { type: 'message', user: ME, text: p.initial_comment ?? '', ts: newTs(), files: out.map((f) => ({ id: f.id, name: f.name, mimetype: f.mimetype, permalink: f.permalink })) };
      if (p.thread_ts !== undefined) m.thread_ts = p.thread_ts;
      c.messages.push(m);
    }
    return { ok: true, files: out };
  },
};

const readBody = (req) => new Promise((resolve) => { const parts = []; req.on('data', (c) => parts.push(c)); req.on('end', () => resolve(Buffer.concat(parts))); });

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const buf = await readBody(req);
  const raw = buf.toString('utf8');
  if (url.pathname === '/_requests') return send(res, 200, requests);
  if (url.pathname === '/_reset') { requests = []; windows = new Map(); failures = []; return send(res, 200, {}); }
  if (url.pathname === '/_token') { auth.setToken(JSON.parse(raw).token); return send(res, 200, {}); }
  if (url.pathname === '/_scopes') { scopes = String(JSON.parse(raw).scopes).split(/[ ,]+/).filter(Boolean); return send(res, 200, {}); }
  if (url.pathname === '/_fail') { failures.push({ times: 1, ...JSON.parse(raw) }); return send(res, 200, {}); }
  const ctype = req.headers['content-type'] ?? '';
  let m;
  if ((m = /^\/upload\/v1\/(F0UP\d+)-/.exec(url.pathname))) {
    requests.push({ method: req.method, path: url.pathname, contentType: ctype, auth: req.headers.authorization, bytes: buf.length,
      sha256: createHash('sha256').update(buf).digest('hex'), ...(buf.length <= 65536 ? { body: buf.toString('base64') } : {}) });
    // the upload URL carries its own authorization; a bearer there is refused
    if (req.headers.authorization) { res.writeHead(401, { 'content-type': 'text/plain' }); return res.end('Authorization header not allowed on the upload URL'); }
    const st = files.get(m[1]);
    if (req.method !== 'POST' || !st) { res.writeHead(404, { 'content-type': 'text/plain' }); return res.end('not found'); }
    if (buf.length !== st.length) { res.writeHead(400, { 'content-type': 'text/plain' }); return res.end(`length mismatch: ${buf.length} != ${st.length}`); }
    st.bytes = buf;
    res.writeHead(200, { 'content-type': 'text/plain' });
    return res.end(`OK - ${buf.length}`);
  }
  const api = url.pathname.startsWith('/api/') ? url.pathname.slice(5) : null;
  let params = Object.fromEntries(url.searchParams), json;
  const isJson = /^application\/json/i.test(ctype);
  if (/^application\/x-www-form-urlencoded/i.test(ctype)) params = { ...params, ...Object.fromEntries(new URLSearchParams(raw)) };
  else if (isJson && api && JSON_OK.has(api)) {
    try { json = JSON.parse(raw); } catch { json = undefined; }
    if (json !== undefined) params = { ...params, ...json };
  }
  const hdr = req.headers.authorization;
  requests.push({ method: req.method, path: url.pathname, api, query: Object.fromEntries(url.searchParams), params, json: isJson ? (json ?? raw) : undefined, contentType: ctype, auth: hdr, bytes: buf.length });
  if (!api || !methods[api]) return send(res, 404, { ok: false, error: 'unknown_method', req_method: api });
  if (isJson && JSON_OK.has(api) && json === undefined) return slackErr(res, 'invalid_json');
  if (!hdr) return slackErr(res, 'not_authed');
  if (!(await auth.authorized(hdr))) return slackErr(res, 'invalid_auth');
  const token = hdr.slice(7);
  const f = failures.find((x) => x.api === api && x.times > 0);
  if (f) {
    f.times--;
    if (f.status) return send(res, f.status, { ok: false, error: f.error ?? 'ratelimited' }, f.retry_after !== undefined ? { 'retry-after': String(f.retry_after) } : {});
    return slackErr(res, f.error, { ...(f.needed ? { needed: f.needed, provided: f.provided ?? scopes.join(',') } : {}), ...(f.messages ? { response_metadata: { messages: f.messages } } : {}) });
  }
  const wait = limited(token, api, params);
  if (wait > 0) return send(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(wait) });
  const scopeHdr = { 'x-oauth-scopes': scopes.join(','), 'x-accepted-oauth-scopes': NEEDS[api] ?? '' };
  const e = NEEDS[api] ? need(NEEDS[api]) : null;
  if (e) return send(res, 200, e, scopeHdr);
  const out = methods[api](params, { token });
  if (out.ok && isJson && !/charset=utf-8/i.test(ctype)) { out.warning = 'missing_charset'; out.response_metadata = { ...(out.response_metadata ?? {}), warnings: ['missing_charset'] }; }
  send(res, 200, out, scopeHdr);
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  base = `http://127.0.0.1:${server.address().port}`;
  console.log(`fake-slack listening on 127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
