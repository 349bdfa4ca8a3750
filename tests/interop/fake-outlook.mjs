// fake-outlook.mjs - a stand-in for Microsoft Graph v1.0 mail (the subset mcp-outlook uses), following the
// documented request and response shapes: OData collections {"value", "@odata.nextLink"}, $top/$skip/$select/
// $search/$skiptoken, $filter + $orderby with Graph's InefficientFilter rule, sendMail/reply 202 with an empty body, move 201, delete 204, and Graph errors
// {"error":{"code","message","innerError"}} (401 on a wrong bearer token, 403/404, 429/503 with Retry-After).
// Usage: node fake-outlook.mjs <access token>. Prints "fake-outlook listening on 127.0.0.1:<port>".
// Test hooks: GET /_requests (every request: method, path, query, body, auth, consistencylevel, prefer),
// POST /_reset, POST /_token {token} (the token accepted from now on).
// With FAKE_TOKENINFO_URL set (tests/fakes/fake-google.mjs with FAKE_FLAVOR=microsoft: its /tokeninfo hook stands
// for Graph's local JWT validation) a bearer is accepted while that endpoint knows it as a live access token.
import { createServer } from 'node:http';
import { bearerAuth } from './fake-auth.mjs';

const auth = bearerAuth(process.argv[2] ?? 'graph-token');
const authorized = auth.authorized;
let requests = [];
let base = '';
const folders = [
  { id: 'AAMkInbox', displayName: 'Inbox', wellKnown: 'inbox', parentFolderId: 'AAMkRoot', childFolderCount: 1, unreadItemCount: 2, totalItemCount: 5 },
  { id: 'AAMkSent', displayName: 'Sent Items', wellKnown: 'sentitems', parentFolderId: 'AAMkRoot', childFolderCount: 0, unreadItemCount: 0, totalItemCount: 1 },
  { id: 'AAMkDeleted', displayName: 'Deleted Items', wellKnown: 'deleteditems', parentFolderId: 'AAMkRoot', childFolderCount: 0, unreadItemCount: 0, totalItemCount: 0 },
  { id: 'AAMkArchive', displayName: 'Archive', wellKnown: 'archive', parentFolderId: 'AAMkRoot', childFolderCount: 0, unreadItemCount: 0, totalItemCount: 0 },
  { id: 'AAMkProjects', displayName: 'Projects', parentFolderId: 'AAMkInbox', childFolderCount: 0, unreadItemCount: 0, totalItemCount: 0 },
];
const addr = (name, address) => ({ emailAddress: { name, address } });
const messages = [1, 2, 3, 4, 5].map((n) => ({
  id: `AAMkMsg${n}=`,
  subject: n === 3 ? 'Quarterly budget report' : `Hello number ${n}`,
  from: addr(`Sender ${n}`, `sender${n}@example.com`),
  toRecipients: [addr('Me', 'me@example.com')],
  ccRecipients: n === 2 ? [addr('Carol', 'carol@example.com')] : [],
  bccRecipients: [],
  receivedDateTime: `2024-05-0${6 - n}T10:00:00Z`,
  sentDateTime: `2024-05-0${6 - n}T09:59:00Z`,
  isRead: n > 2,
  hasAttachments: n === 4,
  bodyPreview: `Preview of message ${n}`,
  conversationId: `conv${n}`,
  importance: 'normal',
  webLink: `https://outlook.office.com/owa/?ItemID=AAMkMsg${n}`,
  parentFolderId: 'AAMkInbox',
  html: `<html><head><style>p{color:red}</style></head><body><p>Hello <b>there</b>, message ${n}.</p><p>Budget &amp; plans</p><ul><li>one</li><li>two</li></ul></body></html>`,
}));

const send = (res, status, body, headers = {}) => {
  res.writeHead(status, { ...(body === undefined ? {} : { 'content-type': 'application/json; odata.metadata=minimal; charset=utf-8' }), ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
};
const gerr = (res, status, code, message, headers) =>
  send(res, status, { error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': 'req-1', 'client-request-id': 'creq-1' } } }, headers);
const readBody = (req) => new Promise((resolve) => {
  let d = '';
  req.on('data', (c) => { d += c; });
  req.on('end', () => resolve(d));
});
const select = (obj, sel) => {
  if (!sel) return obj;
  const out = {};
  for (const k of sel.split(',')) if (k in obj) out[k] = obj[k];
  return out;
};
const folderOf = (name) => folders.find((f) => f.id === name || f.wellKnown === name.toLowerCase());
const view = (m, sel, prefer) => {
  // the Prefer header is honoured, except for message 4 (a test hook standing in for bodies served as HTML anyway)
  const textWanted = /outlook\.body-content-type="text"/.test(prefer ?? '') && m.id !== 'AAMkMsg4=';
  const full = { ...m, body: textWanted ? { contentType: 'text', content: `Hello there, message ${m.id}.\nBudget & plans` } : { contentType: 'html', content: m.html } };
  delete full.html;
  return select(full, sel);
};
// errors selected by the id in the path
const special = (res, id) => {
  if (id === 'forbidden') return gerr(res, 403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.'), true;
  if (id === 'throttled') return gerr(res, 429, 'ApplicationThrottled', 'Application is over its MailboxConcurrency limit.', { 'retry-after': '7' }), true;
  if (id === 'unavailable') return gerr(res, 503, 'ServiceUnavailable', 'Service unavailable.', { 'retry-after': '3' }), true;
  return false;
};
// $filter / $orderby on messages, as Graph documents them (list messages, "Using filter and orderby in the same
// query"; the 2018 "Update to Filtering and Sorting" post): with both present, every $orderby property must also
// appear in $filter, in the same order, and before any property that is not in $orderby; otherwise 400
// InefficientFilter "The restriction or sort order is too complex for this operation." Only the clauses the tests
// need are evaluated (<prop> eq|ne|ge|gt|le|lt <literal> joined by "and"); anything else is a 400 BadRequest.
const clauseRe = /^\s*([A-Za-z][\w/]*)\s+(eq|ne|ge|gt|le|lt)\s+('(?:[^']|'')*'|true|false|null|[\d:.TZ+-]+)\s*$/;
const parseFilter = (f) => {
  const clauses = f.split(/\s+and\s+/i).map((c) => clauseRe.exec(c));
  if (clauses.some((c) => !c)) return null;
  return clauses.map(([, prop, op, lit]) => ({ prop, op, value: lit === 'true' ? true : lit === 'false' ? false : lit === 'null' ? null : lit.replace(/^'|'$/g, '').replace(/''/g, "'") }));
};
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const matches = (m, c) => {
  let v = m[c.prop];
  let w = c.value;
  if (c.prop.endsWith('DateTime')) { v = Date.parse(v); w = Date.parse(w); }
  const d = cmp(v, w);
  return { eq: d === 0, ne: d !== 0, ge: d >= 0, gt: d > 0, le: d <= 0, lt: d < 0 }[c.op];
};
// items filtered and sorted by q's $filter/$orderby, or an error already sent (null)
const filterAndSort = (res, items, q) => {
  const orderby = q.has('$orderby') ? q.get('$orderby').split(',').map((o) => o.trim().split(/\s+/)) : [];
  let clauses = [];
  if (q.has('$filter')) {
    clauses = parseFilter(q.get('$filter'));
    if (!clauses) return gerr(res, 400, 'BadRequest', `Invalid filter clause: ${q.get('$filter')}`), null;
    const props = clauses.map((c) => c.prop);
    if (orderby.length && !orderby.every(([p], i) => props[i] === p))
      return gerr(res, 400, 'InefficientFilter', 'The restriction or sort order is too complex for this operation.'), null;
  }
  let out = items.filter((m) => clauses.every((c) => matches(m, c)));
  for (const [p, dir] of [...orderby].reverse()) out = [...out].sort((a, b) => cmp(a[p], b[p]) * (dir?.toLowerCase() === 'desc' ? -1 : 1));
  return out;
};
const page = (res, items, q, path, sel, prefer) => {
  const top = Number(q.get('$top') ?? 10);
  const token = q.get('$skiptoken');
  const skip = token ? Number(Buffer.from(token, 'base64url').toString()) : Number(q.get('$skip') ?? 0);
  const value = items.slice(skip, skip + top).map((m) => view(m, sel, prefer));
  const body = { '@odata.context': `${base}/$metadata#users('me')/messages`, value };
  if (skip + top < items.length) {
    const next = new URLSearchParams(q);
    if (q.has('$search')) { next.delete('$skip'); next.set('$skiptoken', Buffer.from(String(skip + top)).toString('base64url')); }
    else next.set('$skip', String(skip + top));
    body['@odata.nextLink'] = `${base}${path}?${next.toString()}`;
  }
  send(res, 200, body);
};

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const raw = await readBody(req);
  const path = url.pathname.replace(/^\/v1\.0/, '');
  if (path === '/_requests') return send(res, 200, requests);
  if (path === '/_reset') { requests = []; return send(res, 200, {}); }
  if (path === '/_token') { auth.setToken(JSON.parse(raw).token); return send(res, 200, {}); }
  let body = null;
  try { body = raw ? JSON.parse(raw) : null; } catch { body = undefined; }
  requests.push({ method: req.method, path, query: Object.fromEntries(url.searchParams), body, auth: req.headers.authorization,
    consistencylevel: req.headers.consistencylevel, prefer: req.headers.prefer, contentType: req.headers['content-type'],
    userAgent: req.headers['user-agent'] });
  if (!(await authorized(req.headers.authorization)))
    return gerr(res, 401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
  if (body === undefined) return gerr(res, 400, 'BadRequest', 'Unable to read JSON request payload.');
  const q = url.searchParams;
  const sel = q.get('$select');
  let m;
  if (req.method === 'GET' && (m = path.match(/^\/me\/mailFolders\/([^/]+)\/messages$/))) {
    const name = decodeURIComponent(m[1]);
    if (special(res, name)) return;
    const f = folderOf(name);
    if (!f) return gerr(res, 404, 'ErrorInvalidIdMalformed', 'Id is malformed.');
    let items = f.wellKnown === 'inbox' ? messages : [];
    if (q.has('$search') && q.has('$filter')) return gerr(res, 400, 'ErrorInvalidUrlQuery', 'The query parameter \'$filter\' is invalid with $search.');
    if (!(items = filterAndSort(res, items, q))) return;
    if (q.has('$search')) {
      if (q.has('$orderby')) return gerr(res, 400, 'ErrorInvalidUrlQuery', 'The query parameter \'$orderBy\' is invalid with $search.');
      const term = q.get('$search').replace(/^"|"$/g, '').toLowerCase();
      items = items.filter((x) => x.subject.toLowerCase().includes(term) || x.bodyPreview.toLowerCase().includes(term));
    }
    return page(res, items, q, path, sel, req.headers.prefer);
  }
  if (req.method === 'GET' && path === '/me/messages') {
    if (!q.has('$search')) {
      const items = filterAndSort(res, messages, q);
      return items && page(res, items, q, path, sel, req.headers.prefer);
    }
    if (q.has('$filter')) return gerr(res, 400, 'ErrorInvalidUrlQuery', 'The query parameter \'$filter\' is invalid with $search.');
    if (q.has('$orderby') || q.has('$skip')) return gerr(res, 400, 'ErrorInvalidUrlQuery', '$search cannot be combined with $orderby or $skip.');
    const s = q.get('$search');
    if (!/^".*"$/.test(s)) return gerr(res, 400, 'BadRequest', 'Syntax error: the search query must be quoted.');
    const terms = s.slice(1, -1).replace(/\\"/g, '"').toLowerCase().split(/\s+/).filter(Boolean);
    const items = messages.filter((x) => terms.every((t) => `${x.subject} ${x.bodyPreview}`.toLowerCase().includes(t)) || terms[0] === 'hello');
    return page(res, items, q, path, sel, req.headers.prefer);
  }
  if ((m = path.match(/^\/me\/messages\/([^/]+)(?:\/(reply|replyAll|move))?$/))) {
    const id = decodeURIComponent(m[1]);
    if (special(res, id)) return;
    const msg = messages.find((x) => x.id === id);
    if (!msg) return gerr(res, 404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    if (req.method === 'GET' && !m[2]) return send(res, 200, view(msg, sel, req.headers.prefer));
    if (req.method === 'DELETE' && !m[2]) return send(res, 204);
    if (req.method === 'POST' && (m[2] === 'reply' || m[2] === 'replyAll')) {
      if (typeof body?.comment !== 'string') return gerr(res, 400, 'ErrorInvalidRequest', 'comment is required');
      return send(res, 202);
    }
    if (req.method === 'POST' && m[2] === 'move') {
      const f = folderOf(body?.destinationId ?? '');
      if (!f) return gerr(res, 400, 'ErrorInvalidIdMalformed', 'Id is malformed.');
      return send(res, 201, { ...view(msg, null, null), id: `${id}-moved`, parentFolderId: f.id });
    }
  }
  if (req.method === 'POST' && path === '/me/sendMail') {
    const msg = body?.message;
    const rcpt = (l) => l === undefined || (Array.isArray(l) && l.every((r) => typeof r?.emailAddress?.address === 'string'));
    if (!msg || !Array.isArray(msg.toRecipients) || !msg.toRecipients.length || !rcpt(msg.toRecipients) || !rcpt(msg.ccRecipients) || !rcpt(msg.bccRecipients))
      return gerr(res, 400, 'ErrorInvalidRecipients', 'At least one recipient is not valid.');
    if (!['Text', 'HTML'].includes(msg.body?.contentType)) return gerr(res, 400, 'BadRequest', 'Invalid body contentType.');
    if (msg.subject === 'forbidden') return gerr(res, 403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    return send(res, 202);
  }
  if (req.method === 'GET' && (m = path.match(/^\/me\/mailFolders(?:\/([^/]+)\/childFolders)?$/))) {
    let list = folders.filter((f) => f.parentFolderId === 'AAMkRoot');
    if (m[1]) {
      const parent = folderOf(decodeURIComponent(m[1]));
      if (!parent) return gerr(res, 404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
      list = folders.filter((f) => f.parentFolderId === parent.id);
    }
    const top = Number(q.get('$top') ?? 10), skip = Number(q.get('$skip') ?? 0);
    const out = { value: list.slice(skip, skip + top).map(({ wellKnown, ...f }) => select(f, sel)) };
    if (skip + top < list.length) {
      const next = new URLSearchParams(q);
      next.set('$skip', String(skip + top));
      out['@odata.nextLink'] = `${base}${path}?${next.toString()}`;
    }
    return send(res, 200, out);
  }
  gerr(res, 400, 'BadRequest', `Resource not found for the segment '${path}'.`);
});
server.listen(0, '127.0.0.1', () => {
  base = `http://127.0.0.1:${server.address().port}/v1.0`;
  console.log(`fake-outlook listening on 127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
