// fake-gmail.mjs - a local Gmail REST API v1 for the tests, following the documented request and response shapes:
// users.messages list/get/send/trash/delete/modify/attachments.get, users.drafts create/list/get/send,
// users.labels list/create/delete, users.threads get, users.getProfile; errors {"error":{code,message,status,
// errors:[...]}}; list pagination with pageToken/nextPageToken, maxResults, resultSizeEstimate; requests over 35 MB
// get 413. Message "mbig" carries attachments of 9 MiB (att-big) and 12 MiB (att-huge).
// Usage: node fake-gmail.mjs <accepted bearer token>. Prints "fake-gmail listening on 127.0.0.1:<port>".
// With FAKE_TOKENINFO_URL set (e.g. tests/fakes/fake-google.mjs's /tokeninfo) a bearer is accepted when that
// endpoint knows it as a live access token, as Google's APIs do; the token argument and /_token are then unused.
// Test hooks: GET /_requests (every API request: method, path, query, auth, body), POST /_token {token} (the one
// accepted token), POST /_fail {path (regex), method?, status, times?, retry_after?, www_authenticate?, message?, reason?},
// POST /_delay {ms} + GET /_stats (see itemDelay).
import { createServer } from 'node:http';

let token = process.argv[2] ?? 'gmail-token';
const tokeninfoUrl = process.env.FAKE_TOKENINFO_URL;
const authorized = async (header) => {
  if (!tokeninfoUrl) return header === `Bearer ${token}`;
  const m = /^Bearer (\S+)$/.exec(header ?? '');
  if (!m) return false;
  const r = await fetch(`${tokeninfoUrl}?access_token=${encodeURIComponent(m[1])}`, { signal: AbortSignal.timeout(5000) }).catch(() => null);
  return r?.status === 200;
};
const requests = [];
const failures = [];
// GET /messages/{id} and /drafts/{id} answer after itemDelay ms (POST /_delay {ms}); the most of them in flight at
// once since then is in GET /_stats {maxInflight}
let itemDelay = 0, inflight = 0, maxInflight = 0;
const b64u = (s) => Buffer.from(s).toString('base64url');
const hdrs = (o) => Object.entries(o).map(([name, value]) => ({ name, value }));
const messages = new Map();
const labels = new Map([
  ['INBOX', { id: 'INBOX', name: 'INBOX', type: 'system' }], ['UNREAD', { id: 'UNREAD', name: 'UNREAD', type: 'system' }],
  ['SENT', { id: 'SENT', name: 'SENT', type: 'system' }], ['TRASH', { id: 'TRASH', name: 'TRASH', type: 'system' }],
  ['Label_1', { id: 'Label_1', name: 'Work', type: 'user' }]]);
const drafts = new Map();
let seq = 1000;

const addMessage = (m) => { messages.set(m.id, { labelIds: ['INBOX'], snippet: '', sizeEstimate: 100, historyId: '1', internalDate: String(1700000000000 + messages.size * 1000), ...m }); };
for (let i = 1; i <= 25; i++) {
  const id = `m${String(i).padStart(2, '0')}`;
  addMessage({ id, threadId: `t${id}`, labelIds: i % 2 ? ['INBOX', 'UNREAD'] : ['INBOX'], snippet: `Snippet &amp; number ${i}`,
    payload: { partId: '', mimeType: 'text/plain', filename: '', headers: hdrs({ From: `Sender ${i} <s${i}@example.com>`, To: 'me@example.com', Subject: `Message ${i}`, Date: 'Mon, 1 Jan 2024 10:00:00 +0000', 'Message-ID': `<m${i}@example.com>` }),
      body: { size: 10, data: b64u(`Body of message ${i}`) } } });
}
addMessage({ id: 'mhtml', threadId: 'thtml', payload: { mimeType: 'multipart/alternative', filename: '', headers: hdrs({ From: '=?UTF-8?B?SsO2cmcgTcO8bGxlcg==?= <joerg@example.com>', Subject: '=?UTF-8?Q?Gr=C3=BC=C3=9Fe?= HTML', 'Message-ID': '<html@example.com>' }),
  body: { size: 0 }, parts: [{ partId: '0', mimeType: 'text/html', filename: '', headers: hdrs({ 'Content-Type': 'text/html; charset="UTF-8"' }),
    body: { size: 200, data: b64u('<html><head><style>p{color:red}</style><title>T</title></head><body><script>alert("x")</script><h1>Hello   World</h1><p>Tom &amp; Jerry &lt;3 &#233;t&eacute;</p><p>See <a href="https://example.com/x">the report</a>.</p><ul><li>one</li><li>two</li></ul></body></html>') } }] } });
addMessage({ id: 'morig', threadId: 'torig', payload: { mimeType: 'text/plain', filename: '', headers: hdrs({ From: 'Alice <alice@example.com>', To: 'me@example.com, carol@example.com', Cc: 'Bob <bob@example.com>', Subject: 'Quarterly report', 'Message-ID': '<orig-1@example.com>', References: '<root@example.com>' }), body: { size: 5, data: b64u('Hi me') } } });
addMessage({ id: 'mre', threadId: 'tre', payload: { mimeType: 'text/plain', filename: '', headers: hdrs({ From: 'dave@example.com', To: 'me@example.com', Subject: 'RE: Lunch', 'Message-ID': '<re-1@example.com>' }), body: { size: 2, data: b64u('ok') } } });
addMessage({ id: 'matt', threadId: 'tatt', payload: { mimeType: 'multipart/mixed', filename: '', headers: hdrs({ From: 'erin@example.com', Subject: 'Files', 'Message-ID': '<att@example.com>' }), body: { size: 0 },
  parts: [{ partId: '0', mimeType: 'text/plain', filename: '', headers: hdrs({ 'Content-Type': 'text/plain; charset=ISO-8859-1' }), body: { size: 5, data: Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x21]).toString('base64url') } },
    { partId: '1', mimeType: 'text/csv', filename: 'data.csv', headers: hdrs({ 'Content-Type': 'text/csv; name="data.csv"' }), body: { size: 8, attachmentId: 'att-1' } },
    { partId: '2', mimeType: 'image/png', filename: 'pic.png', headers: hdrs({ 'Content-Type': 'image/png' }), body: { size: 4, attachmentId: 'att-2' } }] } });
const MiB = 1024 * 1024;
// large attachments (binary, made when first asked for): 9 MiB fits download_attachment's 10 MiB, 12 MiB does not
const big = (n) => { const b = Buffer.alloc(n); for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >> 8)) & 0xff; return b; };
const attachments = { 'att-1': Buffer.from('a,b\n1,2\n'), 'att-2': Buffer.from([0x89, 0x50, 0x4e, 0x47]) };
const lazy = { 'att-big': 9 * MiB, 'att-huge': 12 * MiB };
for (const [id, n] of Object.entries(lazy)) Object.defineProperty(attachments, id, { enumerable: true, configurable: true, get() { const v = big(n); Object.defineProperty(this, id, { value: v }); return v; } });
addMessage({ id: 'mbig', threadId: 'tbig', payload: { mimeType: 'multipart/mixed', filename: '', headers: hdrs({ From: 'erin@example.com', Subject: 'Big files', 'Message-ID': '<big@example.com>' }), body: { size: 0 },
  parts: [{ partId: '0', mimeType: 'text/plain', filename: '', headers: hdrs({ 'Content-Type': 'text/plain' }), body: { size: 2, data: b64u('hi') } },
    { partId: '1', mimeType: 'application/octet-stream', filename: 'big.bin', headers: hdrs({ 'Content-Type': 'application/octet-stream' }), body: { size: lazy['att-big'], attachmentId: 'att-big' } },
    { partId: '2', mimeType: 'application/octet-stream', filename: 'huge.bin', headers: hdrs({ 'Content-Type': 'application/octet-stream' }), body: { size: lazy['att-huge'], attachmentId: 'att-huge' } }] } });

const send = (res, status, body, extra = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...extra });
  res.end(body === undefined ? '' : JSON.stringify(body));
};
const gerr = (res, code, message, status, reason, extra) => send(res, code, { error: { code, message, status, errors: [{ message, domain: 'global', reason }] } }, extra);
const notFound = (res) => gerr(res, 404, 'Requested entity was not found.', 'NOT_FOUND', 'notFound');
const view = (m, format) => {
  if (format === 'minimal') { const { payload, ...rest } = m; return rest; }
  if (format === 'metadata') return { ...m, payload: { mimeType: m.payload.mimeType, headers: m.payload.headers } };
  const { raw, ...rest } = m;
  return rest;
};
const page = (items, url) => {
  const max = Math.min(Number(url.searchParams.get('maxResults') ?? 100), 500);
  const start = Number(url.searchParams.get('pageToken') ?? 0);
  const slice = items.slice(start, start + max);
  return { slice, next: start + max < items.length ? String(start + max) : undefined, total: items.length };
};
const fromRaw = (raw, threadId) => {
  const text = Buffer.from(raw, 'base64url').toString('latin1');
  const head = text.split('\r\n\r\n')[0].replace(/\r\n[ \t]/g, ' ');
  const h = Object.fromEntries(head.split('\r\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
  const id = `sent${seq++}`;
  const m = { id, threadId: threadId ?? `t${id}`, labelIds: ['SENT'], raw, payload: { mimeType: 'text/plain', filename: '', headers: hdrs({ To: h.To ?? '', Subject: h.Subject ?? '' }), body: { size: 0 } } };
  return m;
};

const server = createServer((req, res) => {
  let data = '';
  req.on('data', (c) => { data += c; });
  req.on('end', async () => {
    const url = new URL(req.url, 'http://x');
    let body = null;
    try { body = data ? JSON.parse(data) : null; } catch { return gerr(res, 400, 'Invalid JSON payload received.', 'INVALID_ARGUMENT', 'badRequest'); }
    if (url.pathname === '/_requests') return send(res, 200, requests);
    if (url.pathname === '/_token') { token = body.token; return send(res, 200, { ok: true }); }
    if (url.pathname === '/_fail') { failures.push({ times: 1, ...body }); return send(res, 200, { ok: true }); }
    if (url.pathname === '/_delay') { itemDelay = body.ms ?? 0; maxInflight = 0; return send(res, 200, { ok: true }); }
    if (url.pathname === '/_stats') return send(res, 200, { maxInflight });
    // a large body (a message with big attachments) is kept as its size and a digest, not itself
    const bytes = Buffer.byteLength(data);
    const kept = bytes > MiB ? { large: true, raw_length: (body?.raw ?? body?.message?.raw ?? '').length } : body;
    requests.push({ method: req.method, path: url.pathname, query: url.search, auth: req.headers.authorization ?? '', body: kept, bytes });
    if (!(await authorized(req.headers.authorization)))
      return gerr(res, 401, 'Request had invalid authentication credentials.', 'UNAUTHENTICATED', 'authError', { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' });
    if (itemDelay > 0 && req.method === 'GET' && /^\/gmail\/v1\/users\/me\/(messages|drafts)\/[^/]+$/.test(url.pathname)) {
      inflight++;
      maxInflight = Math.max(maxInflight, inflight);
      await new Promise((r) => setTimeout(r, itemDelay * (0.5 + Math.random()))); // jitter: answers come out of order
      inflight--;
    }
    const f = failures.find((x) => x.times > 0 && new RegExp(x.path).test(url.pathname) && (!x.method || x.method === req.method));
    if (f) {
      f.times--;
      const extra = {};
      if (f.retry_after) extra['retry-after'] = String(f.retry_after);
      if (f.www_authenticate) extra['www-authenticate'] = f.www_authenticate;
      const st = { 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE' }[f.status] ?? 'FAILED_PRECONDITION';
      return gerr(res, f.status, f.message ?? `injected ${f.status}`, st, f.reason ?? 'injected', extra);
    }
    const p = url.pathname.replace(/^\/gmail\/v1\/users\/me/, '');
    if (bytes > 35 * 1000 * 1000) return gerr(res, 413, 'Request payload size exceeds the limit: 35000000 bytes.', 'FAILED_PRECONDITION', 'uploadTooLarge');
    if (p === url.pathname) return notFound(res);
    let m;
    if (req.method === 'GET' && p === '/profile') return send(res, 200, { emailAddress: 'me@example.com', messagesTotal: messages.size, threadsTotal: messages.size, historyId: '1' });
    if (req.method === 'GET' && p === '/messages') {
      const want = url.searchParams.getAll('labelIds');
      let items = [...messages.values()].filter((x) => want.every((l) => x.labelIds.includes(l)));
      const q = url.searchParams.get('q');
      if (q) items = items.filter((x) => JSON.stringify(x.payload.headers).toLowerCase().includes(q.toLowerCase()));
      const pg = page(items, url);
      return send(res, 200, { ...(pg.slice.length ? { messages: pg.slice.map((x) => ({ id: x.id, threadId: x.threadId })) } : {}), ...(pg.next ? { nextPageToken: pg.next } : {}), resultSizeEstimate: pg.total });
    }
    if (req.method === 'POST' && p === '/messages/send') {
      if (!body?.raw) return gerr(res, 400, "Invalid value for ByteString: ", 'INVALID_ARGUMENT', 'invalidArgument');
      m = fromRaw(body.raw, body.threadId);
      messages.set(m.id, m);
      return send(res, 200, { id: m.id, threadId: m.threadId, labelIds: m.labelIds });
    }
    if ((m = p.match(/^\/messages\/([^/]+)\/attachments\/([^/]+)$/)) && req.method === 'GET') {
      if (!messages.has(m[1]) || !attachments[m[2]]) return notFound(res);
      return send(res, 200, { attachmentId: m[2], size: attachments[m[2]].length, data: attachments[m[2]].toString('base64url') });
    }
    if ((m = p.match(/^\/messages\/([^/]+)(\/trash|\/modify)?$/))) {
      const msg = messages.get(m[1]);
      if (!msg) return notFound(res);
      if (req.method === 'GET' && !m[2]) return send(res, 200, view(msg, url.searchParams.get('format') ?? 'full'));
      if (req.method === 'DELETE' && !m[2]) { messages.delete(m[1]); return send(res, 204); }
      if (req.method === 'POST' && m[2] === '/trash') { msg.labelIds = [...msg.labelIds.filter((l) => l !== 'INBOX'), 'TRASH']; return send(res, 200, view(msg, 'minimal')); }
      if (req.method === 'POST' && m[2] === '/modify') {
        for (const l of body?.addLabelIds ?? []) { if (!labels.has(l)) return gerr(res, 400, `Invalid label: ${l}`, 'INVALID_ARGUMENT', 'invalidArgument'); if (!msg.labelIds.includes(l)) msg.labelIds.push(l); }
        msg.labelIds = msg.labelIds.filter((l) => !(body?.removeLabelIds ?? []).includes(l));
        return send(res, 200, view(msg, 'minimal'));
      }
    }
    if ((m = p.match(/^\/threads\/([^/]+)$/)) && req.method === 'GET') {
      const list = [...messages.values()].filter((x) => x.threadId === m[1]);
      if (!list.length) return notFound(res);
      return send(res, 200, { id: m[1], historyId: '1', messages: list.map((x) => view(x, url.searchParams.get('format') ?? 'full')) });
    }
    if (p === '/labels' && req.method === 'GET') return send(res, 200, { labels: [...labels.values()] });
    if (p === '/labels' && req.method === 'POST') {
      if (!body?.name) return gerr(res, 400, 'Invalid label name', 'INVALID_ARGUMENT', 'invalidArgument');
      if ([...labels.values()].some((l) => l.name.toLowerCase() === body.name.toLowerCase())) return gerr(res, 409, 'Label name exists or conflicts', 'ALREADY_EXISTS', 'duplicate');
      const l = { id: `Label_${seq++}`, name: body.name, type: 'user', labelListVisibility: body.labelListVisibility, messageListVisibility: body.messageListVisibility };
      labels.set(l.id, l);
      return send(res, 200, l);
    }
    if ((m = p.match(/^\/labels\/([^/]+)$/)) && req.method === 'DELETE') {
      if (!labels.has(m[1]) || labels.get(m[1]).type === 'system') return notFound(res);
      labels.delete(m[1]);
      return send(res, 204);
    }
    if (p === '/drafts' && req.method === 'POST') {
      if (!body?.message?.raw) return gerr(res, 400, 'Missing draft message', 'INVALID_ARGUMENT', 'invalidArgument');
      const msg = fromRaw(body.message.raw);
      msg.labelIds = ['DRAFT'];
      messages.set(msg.id, msg);
      const d = { id: `r${seq++}`, message: msg };
      drafts.set(d.id, d);
      return send(res, 200, { id: d.id, message: { id: msg.id, threadId: msg.threadId, labelIds: msg.labelIds } });
    }
    if (p === '/drafts' && req.method === 'GET') {
      const pg = page([...drafts.values()], url);
      return send(res, 200, { ...(pg.slice.length ? { drafts: pg.slice.map((d) => ({ id: d.id, message: { id: d.message.id, threadId: d.message.threadId } })) } : {}), ...(pg.next ? { nextPageToken: pg.next } : {}), resultSizeEstimate: pg.total });
    }
    if ((m = p.match(/^\/drafts\/([^/]+)$/)) && req.method === 'GET') {
      const d = drafts.get(m[1]);
      if (!d) return notFound(res);
      return send(res, 200, { id: d.id, message: view(d.message, url.searchParams.get('format') ?? 'full') });
    }
    if (p === '/drafts/send' && req.method === 'POST') {
      const d = drafts.get(body?.id);
      if (!d) return notFound(res);
      drafts.delete(d.id);
      d.message.labelIds = ['SENT'];
      return send(res, 200, { id: d.message.id, threadId: d.message.threadId, labelIds: d.message.labelIds });
    }
    return notFound(res);
  });
});
server.listen(0, '127.0.0.1', () => console.log(`fake-gmail listening on 127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
