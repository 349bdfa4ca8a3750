// fake-onedrive.mjs - a stand-in for Microsoft Graph v1.0 OneDrive (/me/drive, the subset mcp-onedrive uses),
// following the documented shapes (/work/shared/notes/provider-apis.md section 5):
// - items by id (/me/drive/items/{id}), by path (/me/drive/root:/a/b, /root:/a/b:/children, /items/{id}:/name:/...);
//   OData collections {"value", "@odata.nextLink"} with an opaque $skiptoken, $top 1..999 (400 otherwise),
//   $select (unknown property -> 400);
// - search: /me/drive/root/search(q='...') with the OData literal rules (a quote inside is doubled; else 400);
// - GET .../content -> 302 to a pre-authenticated /_download/<token> URL that REFUSES a request carrying
//   Authorization (401): the bearer must not follow the redirect;
// - simple upload PUT .../{name}:/content (at most 4 MiB, 413 above; conflictBehavior, default replace);
// - createUploadSession -> an /_upload/<id> URL: fragments with Content-Range in order, a multiple of 320 KiB except
//   the last (400), overlapping or out-of-order ranges (416), Authorization refused (401); 202 + nextExpectedRanges
//   until the last fragment, then 201/200 with the item (409 nameAlreadyExists when the name appeared and the
//   behaviour is fail); DELETE cancels (204);
// - create folder (POST children, conflictBehavior fail (default) / rename / replace, 409 nameAlreadyExists),
//   PATCH name / parentReference, DELETE (204), createLink (201 new, 200 existing; type view|edit|embed, scope
//   anonymous|organization|users);
// - copy: 202 + Location /_monitor/<id> (Authorization refused there too); the first poll answers 202 inProgress, the
//   next completed with resourceId (or failed with nameAlreadyExists);
// - errors {"error":{"code","message","innerError"}}: 401 InvalidAuthenticationToken on a wrong bearer, item ids
//   "forbidden" (403 accessDenied), "throttled" (429 Retry-After 7), "unavailable" (503 Retry-After 3), 404
//   itemNotFound.
// Usage: node fake-onedrive.mjs <access token>. Prints "fake-onedrive listening on 127.0.0.1:<port>". The API base is
// http://127.0.0.1:<port>/v1.0.
// Test hooks: GET /_requests (every request: method, path (decoded), query, body, bytes, auth, contentRange, ...),
// POST /_reset (the request log), POST /_token {token}, POST /_fail {path (regex), method?, status, code?, message?,
// retry_after?, times?} (inject an error, also on the pre-authenticated URLs), POST /_copy_redirect (the next
// completed copy monitor answers 303 to the new item instead of its JSON status), GET /_item?id= (an item as stored, with its content as base64).
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { bearerAuth } from './fake-auth.mjs';

const auth = bearerAuth(process.argv[2] ?? 'graph-token');
let requests = [];
const failures = [];
let base = '', origin = '';
const KiB = 1024, MiB = 1024 * KiB;
const SELECTABLE = new Set(['id', 'name', 'size', 'createdDateTime', 'lastModifiedDateTime', 'webUrl', 'folder', 'file',
  'parentReference', 'eTag', 'cTag', 'description', 'createdBy', 'lastModifiedBy', 'fileSystemInfo', 'shared', 'root',
  '@microsoft.graph.downloadUrl']);
const DRIVE = 'b!drive1';
const user = { user: { displayName: 'Megan Bowen', id: 'u-1' } };

// ---- the drive tree
const items = new Map();
let seq = 100;
const newId = () => `01ITEM${++seq}`;
const add = (id, name, parentId, content, mimeType) => {
  const now = '2024-05-01T10:00:00Z';
  const it = { id, name, parentId, createdDateTime: now, lastModifiedDateTime: now, eTag: `"{${id}},1"`, createdBy: user, lastModifiedBy: user };
  if (content === undefined) it.folder = true;
  else { it.content = Buffer.isBuffer(content) ? content : Buffer.from(content); it.mimeType = mimeType ?? 'application/octet-stream'; }
  items.set(id, it);
  return it;
};
add('01ROOT', 'root', null);
add('01DOCS', 'Documents', '01ROOT');
add('01REPORT', 'report.txt', '01DOCS', 'Quarterly report: revenue up 12%.\nNext steps: hire.\n', 'text/plain');
add('01BIN', 'logo.png', '01DOCS', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 255]), 'image/png');
add('01QUOTE', "O'Brien notes.txt", '01DOCS', 'Notes from the meeting with Pat O\'Brien.\n', 'text/plain');
add('01PHOTOS', 'Photos', '01ROOT');
for (let i = 1; i <= 5; i++) add(`01PH${i}`, `photo${i}.jpg`, '01PHOTOS', Buffer.alloc(100 * i, i), 'image/jpeg');
add('01ARCH', 'Archive', '01ROOT');
const big = add('01BIG', 'video.mp4', '01ROOT', Buffer.alloc(16), 'video/mp4');
big.sizeOverride = 12 * MiB; // too big to download: the tool must refuse it from the metadata
add('01README', 'README.md', '01ROOT', '# My drive\n', 'text/markdown');

const children = (id) => [...items.values()].filter((x) => x.parentId === id).sort((a, b) => a.name.localeCompare(b.name));
const childNamed = (id, name) => children(id).find((x) => x.name.toLowerCase() === name.toLowerCase());
const pathOf = (it) => {
  const parts = [];
  for (let p = items.get(it.parentId); p && p.id !== '01ROOT'; p = items.get(p.parentId)) parts.unshift(p.name);
  return `/drive/root:${parts.length ? '/' + parts.join('/') : ''}`;
};
const sizeOf = (it) => it.folder ? children(it.id).reduce((s, c) => s + sizeOf(c), 0) : it.sizeOverride ?? it.content.length;
const view = (it) => {
  const v = { id: it.id, name: it.name, size: sizeOf(it), createdDateTime: it.createdDateTime, lastModifiedDateTime: it.lastModifiedDateTime,
    webUrl: `https://contoso-my.sharepoint.com/personal/megan/Documents/${encodeURIComponent(it.name)}`, eTag: it.eTag, cTag: it.eTag.replace('{', 'c:{'),
    createdBy: it.createdBy, lastModifiedBy: it.lastModifiedBy };
  if (it.id === '01ROOT') v.root = {};
  else v.parentReference = { driveId: DRIVE, driveType: 'business', id: it.parentId, path: pathOf(it) };
  if (it.folder) v.folder = { childCount: children(it.id).length };
  else v.file = { mimeType: it.mimeType, hashes: { quickXorHash: 'AAAA' } };
  return v;
};
const select = (obj, sel) => {
  if (!sel) return obj;
  const out = {};
  for (const k of sel.split(',')) if (k in obj) out[k] = obj[k];
  return out;
};
const isUnder = (it, ancestorId) => { for (let p = it; p; p = items.get(p.parentId)) if (p.id === ancestorId) return true; return false; };
const freeName = (parentId, name) => {
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let n = 1; ; n++) { const cand = `${stem} ${n}${ext}`; if (!childNamed(parentId, cand)) return cand; }
};
const removeTree = (id) => { for (const c of children(id)) removeTree(c.id); items.delete(id); };
const cloneTree = (src, parentId, name) => {
  const id = newId();
  const copy = { ...src, id, parentId, name, eTag: `"{${id}},1"` };
  items.set(id, copy);
  if (src.folder) for (const c of children(src.id)) cloneTree(c, id, c.name);
  return copy;
};

// ---- HTTP plumbing
const send = (res, status, body, headers = {}) => {
  res.writeHead(status, { ...(body === undefined ? {} : { 'content-type': 'application/json; odata.metadata=minimal; charset=utf-8' }), ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
};
const gerr = (res, status, code, message, headers) =>
  send(res, status, { error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': 'req-1', 'client-request-id': 'creq-1' } } }, headers);
const readBody = (req) => new Promise((resolve) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => resolve(Buffer.concat(chunks)));
});
const special = (res, id) => {
  if (id === 'forbidden') return gerr(res, 403, 'accessDenied', 'The caller does not have permission to perform the action.'), true;
  if (id === 'throttled') return gerr(res, 429, 'activityLimitReached', 'The app or user has been throttled.', { 'retry-after': '7' }), true;
  if (id === 'unavailable') return gerr(res, 503, 'serviceNotAvailable', 'The service is temporarily unavailable.', { 'retry-after': '3' }), true;
  return false;
};
const notFound = (res) => gerr(res, 404, 'itemNotFound', 'The resource could not be found.');

// Resolves a Graph drive path (still percent-encoded) to {item | parent+name (missing last segment), rest}, or sends
// an error and returns null. Forms: /me/drive/root[rest], /me/drive/items/{id}[rest], either followed by
// :/rel/path[:rest].
const resolve = (res, raw) => {
  let m, it, rest;
  if (raw.startsWith('/me/drive/root')) { it = items.get('01ROOT'); rest = raw.slice('/me/drive/root'.length); }
  else if ((m = /^\/me\/drive\/items\/([^/:]+)(.*)$/.exec(raw))) {
    const id = decodeURIComponent(m[1]);
    if (special(res, id)) return null;
    it = items.get(id);
    if (!it) return notFound(res), null;
    rest = m[2];
  } else return gerr(res, 400, 'BadRequest', `Resource not found for the segment '${raw}'.`), null;
  if (!rest.startsWith(':/') && !(rest === ':')) return { item: it, rest };
  const body = rest.slice(2);
  const colon = body.indexOf(':');
  const rel = colon < 0 ? body : body.slice(0, colon);
  rest = colon < 0 ? '' : body.slice(colon + 1);
  const segs = rel.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  if (segs.some((s) => s === '.' || s === '..' || /[\x00-\x1f"*:<>?\\|]/.test(s))) return gerr(res, 400, 'invalidRequest', 'Invalid path.'), null;
  let cur = it;
  for (let i = 0; i < segs.length; i++) {
    const next = cur.folder ? childNamed(cur.id, segs[i]) : undefined;
    if (!next) return i === segs.length - 1 && cur.folder ? { parent: cur, name: segs[i], rest } : (notFound(res), null);
    cur = next;
  }
  return { item: cur, rest };
};
const topOf = (res, q) => {
  if (!q.has('$top')) return 200;
  const t = q.get('$top');
  if (!/^\d+$/.test(t) || +t < 1 || +t > 999) return gerr(res, 400, 'invalidRequest', `Invalid $top value '${t}': must be between 1 and 999.`), null;
  return +t;
};
const selectOk = (res, sel) => {
  const bad = sel?.split(',').find((k) => !SELECTABLE.has(k));
  if (bad !== undefined) return gerr(res, 400, 'BadRequest', `Could not find a property named '${bad}' on type 'microsoft.graph.driveItem'.`), false;
  return true;
};
const page = (res, list, q, path) => {
  const top = topOf(res, q);
  if (top === null || !selectOk(res, q.get('$select'))) return;
  const skip = q.has('$skiptoken') ? Number(Buffer.from(q.get('$skiptoken'), 'base64url').toString().replace(/^skip:/, '')) : 0;
  const value = list.slice(skip, skip + top).map((it) => select(view(it), q.get('$select')));
  const body = { '@odata.context': `${base}/$metadata#Collection(driveItem)`, value };
  if (skip + top < list.length) {
    const next = new URLSearchParams(q);
    next.set('$skiptoken', Buffer.from(`skip:${skip + top}`).toString('base64url'));
    body['@odata.nextLink'] = `${base}${path}?${next.toString()}`;
  }
  send(res, 200, body);
};
const conflictOf = (v, dflt) => v ?? dflt;

// ---- pre-authenticated URLs (download, upload sessions, copy monitors): no bearer accepted there
const downloads = new Map(), sessions = new Map(), monitors = new Map(), links = new Map();
let copyRedirect = false; // POST /_copy_redirect: the next completed copy monitor answers 303 See Other
const preauth = (req, res, raw) => {
  if (req.headers.authorization !== undefined)
    return gerr(res, 401, 'unauthenticated', 'This URL is pre-authenticated: an Authorization header is not accepted.'), true;
  let m;
  if ((m = /^\/_download\/([\w-]+)$/.exec(raw)) && req.method === 'GET') {
    const it = items.get(downloads.get(m[1]));
    if (!it) return notFound(res), true;
    res.writeHead(200, { 'content-type': it.mimeType, 'content-length': it.content.length });
    res.end(it.content);
    return true;
  }
  if ((m = /^\/_monitor\/([\w-]+)$/.exec(raw)) && req.method === 'GET') {
    const op = monitors.get(m[1]);
    if (!op) return notFound(res), true;
    if (++op.polls < 2) return send(res, 202, { operation: 'ItemCopy', status: 'inProgress', percentageComplete: 50.0 }), true;
    if (op.result === undefined) {
      const src = items.get(op.src), parent = items.get(op.parentId);
      if (!src || !parent) op.result = { status: 'failed', error: { code: 'itemNotFound', message: 'The source or destination went away.' } };
      else if (childNamed(parent.id, op.name)) op.result = { status: 'failed', error: { code: 'nameAlreadyExists', message: 'An item with the same name already exists.' } };
      else op.result = { status: 'completed', resourceId: cloneTree(src, parent.id, op.name).id };
    }
    if (copyRedirect && op.result.status === 'completed') { // the monitor's other documented ending: 303 to the new item
      copyRedirect = false;
      res.writeHead(303, { location: `${base}/drives/${DRIVE}/items/${op.result.resourceId}` });
      return res.end(), true;
    }
    return send(res, 200, { operation: 'ItemCopy', percentageComplete: op.result.status === 'completed' ? 100.0 : 50.0, ...op.result }), true;
  }
  return false;
};
const uploadFragment = (req, res, sid, buf) => {
  const s = sessions.get(sid);
  if (!s) return gerr(res, 404, 'itemNotFound', 'The upload session was not found or has expired.');
  if (req.method === 'DELETE') { sessions.delete(sid); return send(res, 204); }
  if (req.method === 'GET') return send(res, 200, { expirationDateTime: s.expires, nextExpectedRanges: [`${s.next}-`] });
  if (req.method !== 'PUT') return gerr(res, 405, 'invalidRequest', 'Method not allowed.');
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(req.headers['content-range'] ?? '');
  if (!m) return gerr(res, 400, 'invalidRequest', 'A valid Content-Range header is required.');
  const [start, end, total] = [+m[1], +m[2], +m[3]];
  if (s.total !== undefined && total !== s.total) return gerr(res, 400, 'invalidRequest', 'The total size does not match the session.');
  s.total = total;
  if (end < start || end >= total || buf.length !== end - start + 1) return gerr(res, 400, 'invalidRequest', 'Content-Range does not match the body length.');
  if (start !== s.next) return gerr(res, 416, 'invalidRange', `The uploaded fragment overlaps or skips data: expected a range starting at ${s.next}.`);
  if (buf.length >= 60 * MiB) return gerr(res, 413, 'requestTooLarge', 'A fragment must be smaller than 60 MiB.');
  if (end + 1 < total && buf.length % (320 * KiB) !== 0) return gerr(res, 400, 'invalidRequest', 'Fragment size must be a multiple of 320 KiB.');
  s.chunks.push(buf);
  s.next = end + 1;
  if (s.next < total) return send(res, 202, { expirationDateTime: s.expires, nextExpectedRanges: [`${s.next}-`] });
  sessions.delete(sid);
  return commitFile(res, items.get(s.parentId), s.name, Buffer.concat(s.chunks), s.conflict, 'application/octet-stream');
};
// creates or replaces a file: 201 new, 200 replaced, 409 nameAlreadyExists
const commitFile = (res, parent, name, content, conflict, mimeType) => {
  if (!parent?.folder) return notFound(res);
  const existing = childNamed(parent.id, name);
  if (existing && conflict === 'fail') return gerr(res, 409, 'nameAlreadyExists', 'The specified item name already exists.');
  if (existing && conflict === 'replace' && !existing.folder) {
    existing.content = content;
    existing.eTag = `"{${existing.id}},${Number(existing.eTag.split(',')[1].replace('"', '')) + 1}"`;
    return send(res, 200, view(existing));
  }
  if (existing && conflict === 'replace') removeTree(existing.id);
  const it = add(newId(), existing && conflict === 'rename' ? freeName(parent.id, name) : name, parent.id, content, mimeType);
  return send(res, 201, view(it));
};

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const buf = await readBody(req);
  const raw = url.pathname.replace(/^\/v1\.0/, '');
  if (raw === '/_requests') return send(res, 200, requests);
  if (raw === '/_reset') { requests = []; return send(res, 200, {}); }
  if (raw === '/_token') { auth.setToken(JSON.parse(buf.toString()).token); return send(res, 200, {}); }
  if (raw === '/_fail') { failures.push({ times: 1, ...JSON.parse(buf.toString()) }); return send(res, 200, {}); }
  if (raw === '/_copy_redirect') { copyRedirect = true; return send(res, 200, {}); }
  if (raw === '/_item') {
    const it = items.get(url.searchParams.get('id')) ?? [...items.values()].find((x) => x.name === url.searchParams.get('name'));
    return it ? send(res, 200, { ...view(it), content: it.content?.toString('base64') }) : notFound(res);
  }
  let path = raw;
  try { path = decodeURIComponent(raw); } catch { /* logged raw */ }
  const isJson = /json/.test(req.headers['content-type'] ?? '');
  let body = null;
  if (buf.length && isJson) { try { body = JSON.parse(buf.toString()); } catch { body = undefined; } }
  requests.push({ method: req.method, path, rawPath: raw, query: Object.fromEntries(url.searchParams), body: isJson ? body : null,
    bytes: buf.length, text: !isJson && buf.length <= 256 ? buf.toString() : undefined, auth: req.headers.authorization,
    contentType: req.headers['content-type'], contentRange: req.headers['content-range'], userAgent: req.headers['user-agent'] });
  const failure = () => {
    const f = failures.find((x) => x.times > 0 && new RegExp(x.path).test(path) && (!x.method || x.method === req.method));
    if (!f) return false;
    f.times--;
    gerr(res, f.status, f.code ?? 'generalException', f.message ?? 'Injected failure.', f.retry_after !== undefined ? { 'retry-after': String(f.retry_after) } : {});
    return true;
  };
  if (raw.startsWith('/_upload/') || raw.startsWith('/_download/') || raw.startsWith('/_monitor/')) {
    if (req.headers.authorization !== undefined)
      return gerr(res, 401, 'unauthenticated', 'This URL is pre-authenticated: an Authorization header is not accepted.');
    if (failure()) return;
    if (raw.startsWith('/_upload/')) return uploadFragment(req, res, raw.slice('/_upload/'.length), buf);
    return preauth(req, res, raw) || notFound(res);
  }
  if (!(await auth.authorized(req.headers.authorization)))
    return gerr(res, 401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
  if (failure()) return;
  if (body === undefined) return gerr(res, 400, 'BadRequest', 'Unable to read JSON request payload.');
  const q = url.searchParams;
  // search: /me/drive/root/search(q='...'), the literal decoded, quotes doubled inside
  let m = /^\/me\/drive\/root\/search\((.*)\)$/.exec(path);
  if (m && req.method === 'GET') {
    const lit = /^q='((?:[^']|'')*)'$/.exec(m[1]);
    if (!lit) return gerr(res, 400, 'BadRequest', `Syntax error at position in '${m[1]}'.`);
    const term = lit[1].replace(/''/g, "'").toLowerCase();
    const found = [...items.values()].filter((it) => it.id !== '01ROOT' && (it.name.toLowerCase().includes(term) || (it.mimeType?.startsWith('text/') && it.content.toString().toLowerCase().includes(term))));
    return page(res, found, q, raw);
  }
  const r = resolve(res, raw);
  if (!r) return;
  const { item, rest } = r;
  if (r.parent && !(req.method === 'PUT' && rest === '/content') && rest !== '/createUploadSession') return notFound(res);
  if (req.method === 'GET' && rest === '/children') {
    if (!item.folder) return gerr(res, 400, 'invalidRequest', 'The item is not a folder.');
    return page(res, children(item.id), q, raw);
  }
  if (req.method === 'GET' && rest === '') {
    if (!selectOk(res, q.get('$select'))) return;
    return send(res, 200, select(view(item), q.get('$select')));
  }
  if (req.method === 'GET' && rest === '/content') {
    if (item.folder) return gerr(res, 400, 'invalidRequest', 'Only files can be downloaded.');
    const token = randomBytes(9).toString('base64url');
    downloads.set(token, item.id);
    res.writeHead(302, { location: `${origin}/_download/${token}` });
    return res.end();
  }
  if (req.method === 'PUT' && rest === '/content') {
    if (buf.length > 4 * MiB) return gerr(res, 413, 'requestTooLarge', 'The simple upload API supports files up to 4 MB; use an upload session.');
    const conflict = conflictOf(q.get('@microsoft.graph.conflictBehavior'), 'replace');
    if (!['fail', 'rename', 'replace'].includes(conflict)) return gerr(res, 400, 'invalidRequest', 'Invalid conflictBehavior.');
    if (r.parent) return commitFile(res, r.parent, r.name, buf, conflict, req.headers['content-type'] ?? 'application/octet-stream');
    if (item.folder) return gerr(res, 400, 'invalidRequest', 'Cannot upload content to a folder.');
    return commitFile(res, items.get(item.parentId), item.name, buf, conflict, item.mimeType);
  }
  if (req.method === 'POST' && rest === '/createUploadSession') {
    const parent = r.parent ?? items.get(item.parentId);
    const name = r.parent ? r.name : item.name;
    const props = body?.item ?? {};
    const conflict = conflictOf(props['@microsoft.graph.conflictBehavior'], 'replace');
    if (!['fail', 'rename', 'replace'].includes(conflict)) return gerr(res, 400, 'invalidRequest', 'Invalid conflictBehavior.');
    if (props.name !== undefined && props.name !== name) return gerr(res, 400, 'invalidRequest', 'The name in the body does not match the path.');
    const sid = randomBytes(9).toString('base64url');
    const expires = new Date(Date.now() + 3600e3).toISOString();
    sessions.set(sid, { parentId: parent.id, name, conflict, total: props.fileSize, next: 0, chunks: [], expires });
    return send(res, 200, { uploadUrl: `${origin}/_upload/${sid}`, expirationDateTime: expires, nextExpectedRanges: ['0-'] });
  }
  if (req.method === 'POST' && rest === '/children') {
    if (!item.folder) return gerr(res, 400, 'invalidRequest', 'The parent is not a folder.');
    if (typeof body?.name !== 'string' || !body.name || /[\x00-\x1f"*:<>?/\\|]/.test(body.name)) return gerr(res, 400, 'invalidRequest', 'Invalid name.');
    if (!body.folder || typeof body.folder !== 'object') return gerr(res, 400, 'invalidRequest', 'Only folders can be created this way (folder facet missing).');
    const conflict = conflictOf(body['@microsoft.graph.conflictBehavior'], 'fail');
    if (!['fail', 'rename', 'replace'].includes(conflict)) return gerr(res, 400, 'invalidRequest', 'Invalid conflictBehavior.');
    const existing = childNamed(item.id, body.name);
    if (existing && conflict === 'fail') return gerr(res, 409, 'nameAlreadyExists', 'The specified item name already exists.');
    if (existing && conflict === 'replace') removeTree(existing.id);
    return send(res, 201, view(add(newId(), existing && conflict === 'rename' ? freeName(item.id, body.name) : body.name, item.id)));
  }
  if (req.method === 'PATCH' && rest === '') {
    if (item.id === '01ROOT') return gerr(res, 403, 'accessDenied', 'The root cannot be changed.');
    const parentId = body?.parentReference?.id ?? item.parentId;
    const parent = items.get(parentId);
    if (!parent?.folder) return gerr(res, 404, 'itemNotFound', 'The destination folder could not be found.');
    if (isUnder(parent, item.id)) return gerr(res, 400, 'invalidRequest', 'An item cannot be moved into itself.');
    const name = body?.name ?? item.name;
    const clash = childNamed(parentId, name);
    if (clash && clash.id !== item.id) return gerr(res, 409, 'nameAlreadyExists', 'The specified item name already exists.');
    Object.assign(item, { parentId, name, lastModifiedDateTime: new Date().toISOString() });
    return send(res, 200, view(item));
  }
  if (req.method === 'DELETE' && rest === '') {
    if (item.id === '01ROOT') return gerr(res, 403, 'accessDenied', 'The root cannot be deleted.');
    removeTree(item.id);
    return send(res, 204);
  }
  if (req.method === 'POST' && rest === '/copy') {
    const parentId = body?.parentReference?.id ?? item.parentId;
    if (!items.get(parentId)?.folder) return gerr(res, 400, 'invalidRequest', 'The destination is not a folder.');
    const opid = randomBytes(9).toString('base64url');
    monitors.set(opid, { src: item.id, parentId, name: body?.name ?? item.name, polls: 0 });
    res.writeHead(202, { location: `${origin}/_monitor/${opid}` });
    return res.end();
  }
  if (req.method === 'POST' && rest === '/createLink') {
    if (!['view', 'edit', 'embed'].includes(body?.type)) return gerr(res, 400, 'invalidRequest', 'Invalid link type.');
    if (body.scope !== undefined && !['anonymous', 'organization', 'users'].includes(body.scope)) return gerr(res, 400, 'invalidRequest', 'Invalid scope.');
    if (body.type === 'embed') return gerr(res, 400, 'invalidRequest', 'Embed links are only supported on OneDrive personal.');
    if (body.expirationDateTime !== undefined && Number.isNaN(Date.parse(body.expirationDateTime))) return gerr(res, 400, 'invalidRequest', 'Invalid expirationDateTime.');
    const key = `${item.id}/${body.type}/${body.scope ?? 'anonymous'}`;
    const existing = links.get(key);
    if (existing) return send(res, 200, existing);
    const perm = { id: `perm-${links.size + 1}`, roles: [body.type === 'edit' ? 'write' : 'read'],
      link: { type: body.type, scope: body.scope ?? 'anonymous', webUrl: `https://contoso-my.sharepoint.com/:t:/g/personal/megan/${randomBytes(6).toString('base64url')}`, application: { id: 'app-1', displayName: 'MCP' } } };
    if (body.expirationDateTime) perm.expirationDateTime = body.expirationDateTime;
    links.set(key, perm);
    return send(res, 201, perm);
  }
  gerr(res, 400, 'BadRequest', `Resource not found for the segment '${raw}'.`);
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  origin = `http://127.0.0.1:${server.address().port}`;
  base = `${origin}/v1.0`;
  console.log(`fake-onedrive listening on 127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
