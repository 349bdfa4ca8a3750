// fake-gmail.mjs - a local Gmail REST API v1 for the tests, following the documented request and response shapes:
// users.messages list/get/send/trash/delete/modify/attachments.get, users.drafts create/list/get/send,
// media uploads of users.messages.send and users.drafts.create (POST /upload/gmail/v1/users/me/messages/send or
// /drafts, uploadType=multipart: multipart/related with an application/json metadata part and a message/rfc822 part;
// uploadType=media: the message/rfc822 body alone), stored as the raw (JSON) path stores a message; format=raw gets,
// users.labels list/create/delete, users.threads get, users.getProfile; errors {"error":{code,message,status,
// errors:[...]}}; list pagination with pageToken/nextPageToken, maxResults, resultSizeEstimate; requests over 35 MB
// get 413. Message "mbig" carries attachments of 9 MiB (att-big) and 12 MiB (att-huge).
// Usage: node fake-gmail.mjs <accepted bearer token>. Prints "fake-gmail listening on 127.0.0.1:<port>" (port
// FAKE_PORT, default one the kernel picks).
// With FAKE_TOKENINFO_URL set (e.g. tests/fakes/fake-google.mjs's /tokeninfo) a bearer is accepted when that
// endpoint knows it as a live access token, as Google's APIs do; the token argument and /_token are then unused.
// Test hooks: GET /_requests (every API request: method, path, query, auth, contentType, bytes, body; an upload's body
// is its metadata plus raw (the message part as base64url), above 1 MiB {large, raw_length, ...metadata}; a request's
// message id, when one was stored, in stored), POST /_token {token} (the one
// accepted token), POST /_fail {path (regex), method?, status, times?, retry_after?, www_authenticate?, message?, reason?},
// POST /_delay {ms} + GET /_stats (see itemDelay).
import { createServer } from 'node:http';
import { bearerAuth } from './fake-auth.mjs';

const auth = bearerAuth(process.argv[2] ?? 'gmail-token');
const authorized = auth.authorized;
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
  if (format === 'raw') { const { payload, ...rest } = m; return rest; }
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

// A media upload (developers.google.com/gmail/api/guides/uploads): { metadata, raw (base64url) } or { error } (the
// text of Google's 400). uploadType=multipart: Content-Type multipart/related; boundary=...; exactly two parts, the
// first application/json (the metadata), the second message/* (the RFC 822 message itself, not base64), each part
// headers + blank line + content, the parts delimited by CRLF--boundary, the last followed by --.
const parseUpload = (uploadType, contentType, buf) => {
  const ct = (contentType ?? '').toLowerCase();
  const message = (b) => {
    const text = b.toString('latin1');
    if (!b.length) return 'Media is empty.';
    const head = text.slice(0, text.indexOf('\r\n\r\n'));
    if (text.indexOf('\r\n\r\n') < 0 || !/^[!-9;-~]+:/.test(head)) return 'The message part is not an RFC 822 message.';
    return null;
  };
  if (uploadType === 'media') {
    if (!/^message\//.test(ct)) return { error: `Media type '${ct}' is not supported. Valid media types: [message/*]` };
    const e = message(buf);
    return e ? { error: e } : { metadata: {}, raw: buf.toString('base64url') };
  }
  if (uploadType !== 'multipart') return { error: `Invalid upload type: ${uploadType ?? '(none)'}` };
  const bm = /^multipart\/related\s*;(?:.*;)?\s*boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType ?? '');
  if (!bm) return { error: 'Content-Type must be multipart/related with a boundary for uploadType=multipart.' };
  const delim = `--${bm[1] ?? bm[2]}`;
  const text = buf.toString('latin1');
  if (!text.startsWith(`${delim}\r\n`)) return { error: 'Malformed multipart body: it does not start with the boundary.' };
  const end = text.indexOf(`\r\n${delim}--`);
  if (end < 0 || !/^(\r\n)?$/.test(text.slice(end + delim.length + 4))) return { error: 'Malformed multipart body: no closing boundary.' };
  const parts = text.slice(delim.length + 2, end).split(`\r\n${delim}\r\n`).map((p) => {
    const i = p.indexOf('\r\n\r\n');
    if (i < 0) return null;
    const headers = Object.fromEntries(p.slice(0, i).split('\r\n').map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    return { headers, body: Buffer.from(p.slice(i + 4), 'latin1') };
  });
  if (parts.length !== 2 || parts.includes(null)) return { error: `Malformed multipart body: expected 2 parts (metadata, media), got ${parts.length}.` };
  if (!/^application\/json\s*(;|$)/i.test(parts[0].headers['content-type'] ?? '')) return { error: 'The first part must be application/json metadata.' };
  let metadata;
  try { metadata = JSON.parse(parts[0].body.toString('utf8')); } catch { return { error: 'Invalid JSON payload received in the metadata part.' }; }
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return { error: 'The metadata part must be a JSON object.' };
  if (!/^message\//i.test(parts[1].headers['content-type'] ?? '')) return { error: `Media type '${parts[1].headers['content-type'] ?? ''}' is not supported. Valid media types: [message/*]` };
  const e = message(parts[1].body);
  return e ? { error: e } : { metadata, raw: parts[1].body.toString('base64url') };
};

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => { chunks.push(c); });
  req.on('end', async () => {
    const url = new URL(req.url, 'http://x');
    const buf = Buffer.concat(chunks);
    const data = buf.toString('utf8');
    const upload = /^\/upload\//.test(url.pathname);
    let body = null, up = null;
    if (upload) {
      up = parseUpload(url.searchParams.get('uploadType'), req.headers['content-type'], buf);
      // stored as the metadata URI's JSON would carry it: a Message {threadId, raw}, or a Draft {message: {threadId, raw}}
      body = up.error ? null : /\/drafts$/.test(url.pathname) ? { ...up.metadata, message: { ...(up.metadata.message ?? {}), raw: up.raw } } : { ...up.metadata, raw: up.raw };
    } else {
      try { body = data ? JSON.parse(data) : null; } catch { return gerr(res, 400, 'Invalid JSON payload received.', 'INVALID_ARGUMENT', 'badRequest'); }
    }
    if (url.pathname === '/_requests') return send(res, 200, requests);
    if (url.pathname === '/_token') { auth.setToken(body.token); return send(res, 200, { ok: true }); }
    if (url.pathname === '/_fail') { failures.push({ times: 1, ...body }); return send(res, 200, { ok: true }); }
    if (url.pathname === '/_delay') { itemDelay = body.ms ?? 0; maxInflight = 0; return send(res, 200, { ok: true }); }
    if (url.pathname === '/_stats') return send(res, 200, { maxInflight });
    // a large body (a message with big attachments) is kept as its size and a digest, not itself
    const bytes = buf.length;
    const kept = bytes > MiB ? { ...(upload ? up.metadata : {}), large: true, raw_length: (body?.raw ?? body?.message?.raw ?? '').length } : body;
    const logged = { method: req.method, path: url.pathname, query: url.search, auth: req.headers.authorization ?? '', contentType: req.headers['content-type'] ?? '', body: kept, bytes };
    requests.push(logged);
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
    const p = url.pathname.replace(/^(\/upload)?\/gmail\/v1\/users\/me/, '');
    if (bytes > 35 * 1000 * 1000) return gerr(res, 413, 'Request payload size exceeds the limit: 35000000 bytes.', 'FAILED_PRECONDITION', 'uploadTooLarge');
    if (p === url.pathname) return notFound(res);
    if (upload && !(req.method === 'POST' && (p === '/messages/send' || p === '/drafts'))) return notFound(res);
    if (upload && up.error) return gerr(res, 400, up.error, 'INVALID_ARGUMENT', 'badRequest');
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
      logged.stored = m.id;
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
      const msg = fromRaw(body.message.raw, body.message.threadId);
      msg.labelIds = ['DRAFT'];
      logged.stored = msg.id;
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
server.listen(Number(process.env.FAKE_PORT ?? 0), '127.0.0.1', () => console.log(`fake-gmail listening on 127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
