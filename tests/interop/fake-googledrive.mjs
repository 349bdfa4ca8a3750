// fake-googledrive.mjs - a local Google Drive API v3 for the tests, following Google's documented requests and answers:
//   GET /drive/v3/files (files.list: q parsed and evaluated for name / fullText / mimeType / modifiedTime / createdTime /
//     trashed / starred / 'x' in parents|owners with and, or, not, parentheses; a malformed q is Google's 400 "Invalid
//     Value" (reason invalid, location q); pageSize 1..1000 (default 100), opaque pageToken / nextPageToken; orderBy
//     refused with fullText), GET /files/{id} (alt=media for blob files: the bytes; 403 fileNotDownloadable for Google
//     files), GET /files/{id}/export?mimeType= (Google's export types per source type, 400 otherwise; 403
//     fileNotExportable for blob files; 403 exportSizeLimitExceeded above 10 MB), POST /files (metadata only: folders),
//     PATCH /files/{id} (name, trashed, description; addParents / removeParents), POST /files/{id}/copy (403
//     cannotCopyFile for folders), GET/POST /files/{id}/permissions, GET /about (fields required),
//   uploads: POST /upload/drive/v3/files?uploadType=multipart (multipart/related, the application/json metadata part
//     first, then the media; 400 when malformed or above 5 MB), uploadType=resumable (200 + Location: the session URI;
//     PUT chunks with Content-Range, every chunk but the last a multiple of 256 KiB, 308 with Range: bytes=0-N until
//     complete, then 200 with the File; PUT bytes */total asks for the status),
//   fields= partial responses on every call (a bad selection is 400 "Invalid field selection"), without fields the
//   default ones (kind,id,name,mimeType); a shared-drive file (sd-roadmap) is 404 without supportsAllDrives=true and
//   listed only with includeItemsFromAllDrives=true (403 without supportsAllDrives); errors {"error": {code, message, errors: [{domain, reason, message}],
//   status}}; 404 notFound "File not found: <id>."; bearer required (401).
// Usage: node fake-googledrive.mjs <accepted bearer token>. Prints "fake-googledrive listening on 127.0.0.1:<port>".
// Test hooks: GET /_requests (method, path, query object, auth, contentType, headers subset, bytes, body (JSON), or
// for uploads {metadata, media_length, media_type, media_head}), POST /_reset (forget requests), POST /_token {token},
// POST /_fail {path (regex), method?, status, reason?, message?, retry_after?, www_authenticate?, times?},
// POST /_short {bytes} (the next resumable chunk keeps only that many of its bytes: a client must resume from Range),
// POST /_location {url} (the next resumable session URI is that URL, e.g. another host),
// GET /_file/{id} (a stored file with its content length and the first bytes as base64).
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { bearerAuth } from './fake-auth.mjs';

const auth = bearerAuth(process.argv[2] ?? 'googledrive-token');
let requests = [];
const failures = [];
let shortNext = null, nextLocation = null;
const MiB = 1024 * 1024, KiB256 = 256 * 1024;
const G = 'application/vnd.google-apps.';
const FOLDER = `${G}folder`;
let seq = 1;
const files = new Map();
const now = () => new Date(Date.UTC(2024, 5, 1, 12, 0, seq++)).toISOString();
const md5 = (b) => createHash('md5').update(b).digest('hex');
const ME = { kind: 'drive#user', displayName: 'Test User', emailAddress: 'me@example.com', permissionId: '0123', me: true };
const add = (f) => {
  const content = f.content === undefined ? undefined : Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content);
  const blob = content !== undefined && !f.mimeType.startsWith(G);
  const file = { kind: 'drive#file', parents: ['root-id'], trashed: false, starred: false, createdTime: now(), modifiedTime: now(),
    owners: [ME], shared: false, description: undefined, ...f, content,
    ...(blob ? { size: String(content.length), md5Checksum: md5(content) } : {}) };
  file.webViewLink = `https://drive.google.com/file/d/${file.id}/view`;
  file.permissions = [{ kind: 'drive#permission', id: '0123', type: 'user', role: 'owner', emailAddress: ME.emailAddress, displayName: ME.displayName }];
  files.set(file.id, file);
  return file;
};
add({ id: 'root-id', name: 'My Drive', mimeType: FOLDER, parents: [] });
add({ id: 'fld-reports', name: 'Reports', mimeType: FOLDER });
add({ id: 'fld-archive', name: 'Archive', mimeType: FOLDER });
add({ id: 'doc-plan', name: 'Project plan', mimeType: `${G}document`, description: 'The plan',
  content: '# Project plan\n\nMilestones for Q3 — café launch.\n', text: 'Project plan\n\nMilestones for Q3 — café launch.\n' });
add({ id: 'sheet-budget', name: 'Budget 2024', mimeType: `${G}spreadsheet`, parents: ['fld-reports'], content: 'item,amount\nrent,1200\nfood,300\n' });
add({ id: 'slides-deck', name: 'Kickoff deck', mimeType: `${G}presentation`, content: 'Kickoff\nAgenda\n' });
add({ id: 'form-survey', name: 'Survey', mimeType: `${G}form` });
add({ id: 'doc-huge', name: 'Huge doc', mimeType: `${G}document`, content: 'x', exportSize: 11 * 1000 * 1000 });
add({ id: 'txt-notes', name: "Notes 'quoted'.txt", mimeType: 'text/plain', content: 'Meeting notes: buy milk.\nLine 2 — ünïcode\n' });
add({ id: 'json-config', name: 'config.json', mimeType: 'application/json', content: '{"a":1}' });
add({ id: 'bin-logo', name: 'logo.png', mimeType: 'image/png', content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 255]) });
add({ id: 'bin-big', name: 'video.mp4', mimeType: 'video/mp4', content: Buffer.alloc(6 * MiB, 7) });
add({ id: 'old-trashed', name: 'Old report draft', mimeType: 'text/plain', content: 'old', trashed: true, parents: ['fld-reports'] });
// on a shared drive: seen only with supportsAllDrives=true (and, in lists, includeItemsFromAllDrives=true)
add({ id: 'sd-roadmap', name: 'Team roadmap', mimeType: 'text/plain', content: 'roadmap', driveId: 'sd-team', parents: ['sd-team'] });
for (let i = 1; i <= 12; i++)
  add({ id: `rep-${String(i).padStart(2, '0')}`, name: `Report ${i}.pdf`, mimeType: 'application/pdf', parents: ['fld-reports'], content: `%PDF-1.4 report ${i}` });

// ---- errors (developers.google.com/drive/api/guides/handle-errors)
const send = (res, status, body, extra = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...extra });
  res.end(body === undefined ? '' : JSON.stringify(body));
};
const STATUS = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE' };
const gerr = (res, code, message, reason, extra = {}, more = {}) =>
  send(res, code, { error: { code, message, errors: [{ message, domain: more.domain ?? 'global', reason, ...(more.location ? { location: more.location, locationType: 'parameter' } : {}) }], status: STATUS[code] ?? 'FAILED_PRECONDITION' } }, extra);
const notFound = (res, id) => gerr(res, 404, `File not found: ${id}.`, 'notFound', {}, { location: 'fileId' });
const badRequest = (res, message, location) => gerr(res, 400, message, location === 'q' ? 'invalid' : 'badRequest', {}, { location });

// ---- fields: partial responses (developers.google.com/drive/api/guides/fields-parameter)
// "a,b/c,d(e,f)" -> {a: true, b: {c: true}, d: {e: true, f: true}}; null when malformed
const parseFields = (s) => {
  let i = 0;
  const name = () => { const m = /^[A-Za-z0-9_*]+/.exec(s.slice(i)); if (!m) return null; i += m[0].length; return m[0]; };
  const list = () => {
    const out = {};
    for (;;) {
      while (s[i] === ' ') i++;
      let n = name();
      if (n === null) return null;
      let node = out, key = n;
      while (s[i] === '/') { i++; node[key] = typeof node[key] === 'object' ? node[key] : {}; node = node[key]; key = name(); if (key === null) return null; }
      if (s[i] === '(') { i++; const sub = list(); if (sub === null || s[i] !== ')') return null; i++; node[key] = typeof node[key] === 'object' ? { ...node[key], ...sub } : sub; }
      else node[key] = node[key] ?? true;
      while (s[i] === ' ') i++;
      if (s[i] !== ',') return out;
      i++;
    }
  };
  const t = list();
  return t !== null && i === s.length ? t : null;
};
const FILE_KEYS = ['kind', 'driveId', 'id', 'name', 'mimeType', 'description', 'starred', 'trashed', 'parents', 'owners', 'size', 'md5Checksum', 'createdTime', 'modifiedTime', 'webViewLink', 'shared', 'permissions'];
const KNOWN = {
  file: { keys: FILE_KEYS, sub: { owners: ['kind', 'displayName', 'emailAddress', 'permissionId', 'me'], permissions: null } },
  list: { keys: ['kind', 'nextPageToken', 'incompleteSearch', 'files'], sub: { files: 'file' } },
  permission: { keys: ['kind', 'id', 'type', 'role', 'emailAddress', 'domain', 'displayName'] },
  permissionList: { keys: ['kind', 'nextPageToken', 'permissions'], sub: { permissions: 'permission' } },
  about: { keys: ['kind', 'user', 'storageQuota', 'exportFormats', 'importFormats', 'maxUploadSize'], sub: { user: ['kind', 'displayName', 'emailAddress', 'permissionId', 'me'], storageQuota: ['limit', 'usage', 'usageInDrive', 'usageInDriveTrash'] } },
};
// the first unknown name of a selection, or null
const unknownField = (tree, type) => {
  const spec = typeof type === 'string' ? KNOWN[type] : { keys: type };
  if (!spec?.keys) return null;
  for (const [k, v] of Object.entries(tree)) {
    if (k === '*') continue;
    if (!spec.keys.includes(k)) return k;
    const sub = spec.sub?.[k];
    if (typeof v === 'object' && sub) { const u = unknownField(v, sub); if (u) return `${k}/${u}`; }
  }
  return null;
};
const select = (obj, tree) => {
  if (Array.isArray(obj)) return obj.map((o) => select(o, tree));
  if (obj === null || typeof obj !== 'object' || tree === true) return obj;
  const out = {};
  for (const [k, v] of Object.entries(tree)) {
    if (k === '*') { for (const [kk, vv] of Object.entries(obj)) if (vv !== undefined && !(kk in out)) out[kk] = vv; continue; }
    if (obj[k] !== undefined) out[k] = select(obj[k], v);
  }
  return out;
};
// the fields of an answer: {tree} or {error}; defaults when fields is absent
const fieldsOf = (url, type, defaults) => {
  const f = url.searchParams.get('fields');
  if (f === null) return { tree: defaults };
  const tree = parseFields(f);
  const bad = tree === null ? f : unknownField(tree, type);
  return bad ? { error: `Invalid field selection ${bad}` } : { tree };
};
const fileView = (f) => { const { content, text, exportSize, ...rest } = f; return rest; };
const DEFAULT_FILE = { kind: true, id: true, name: true, mimeType: true };

// ---- q (developers.google.com/drive/api/guides/search-files, ref-search-terms)
const qError = Symbol('invalid q');
const parseQ = (src) => {
  const toks = [];
  const re = /\s*(?:'((?:\\.|[^'\\])*)'|(<=|>=|!=|=|<|>|\(|\))|([A-Za-z_][A-Za-z0-9_.]*)|(\S))/gy;
  let m;
  while (re.lastIndex < src.length && (m = re.exec(src))) {
    if (m[4] !== undefined) throw qError;
    if (m[1] !== undefined) {
      if (/\\[^'\\]/.test(m[1])) throw qError;
      toks.push({ t: 'str', v: m[1].replace(/\\(['\\])/g, '$1') });
    } else if (m[2] !== undefined) toks.push({ t: 'op', v: m[2] });
    else toks.push({ t: 'word', v: m[3] });
  }
  if (re.lastIndex < src.length && src.slice(re.lastIndex).trim()) throw qError;
  let i = 0;
  const peek = () => toks[i], next = () => toks[i++];
  const isWord = (w) => peek()?.t === 'word' && peek().v.toLowerCase() === w;
  const TIME = ['modifiedTime', 'createdTime', 'viewedByMeTime'];
  const BOOL = ['trashed', 'starred', 'sharedWithMe'];
  const OPS = { name: ['contains', '=', '!='], fullText: ['contains'], mimeType: ['contains', '=', '!='] };
  const term = () => {
    const a = next();
    if (!a) throw qError;
    if (a.t === 'str') { // 'value' in parents|owners|writers|readers
      if (!isWord('in')) throw qError;
      next();
      const f = next();
      if (!f || f.t !== 'word' || !['parents', 'owners', 'writers', 'readers'].includes(f.v)) throw qError;
      return { field: f.v, op: 'in', value: a.v };
    }
    if (a.t !== 'word') throw qError;
    const field = a.v;
    const opTok = next();
    if (!opTok) throw qError;
    const op = opTok.t === 'op' ? opTok.v : opTok.v.toLowerCase();
    const v = next();
    if (!v) throw qError;
    if (BOOL.includes(field)) {
      if (!['=', '!='].includes(op) || v.t !== 'word' || !['true', 'false'].includes(v.v)) throw qError;
      return { field, op, value: v.v === 'true' };
    }
    if (TIME.includes(field)) {
      if (!['<', '<=', '=', '!=', '>', '>='].includes(op) || v.t !== 'str' || !/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(v.v) || Number.isNaN(Date.parse(v.v))) throw qError;
      return { field, op, value: v.v };
    }
    if (!OPS[field] || !OPS[field].includes(op) || v.t !== 'str') throw qError;
    return { field, op, value: v.v };
  };
  const primary = () => {
    if (peek()?.t === 'op' && peek().v === '(') { next(); const e = or(); const c = next(); if (!c || c.v !== ')') throw qError; return e; }
    return term();
  };
  const not = () => { if (isWord('not')) { next(); return { not: not() }; } return primary(); };
  const and = () => { let l = not(); while (isWord('and')) { next(); l = { and: [l, not()] }; } return l; };
  const or = () => { let l = and(); while (isWord('or')) { next(); l = { or: [l, and()] }; } return l; };
  const e = or();
  if (i !== toks.length) throw qError;
  return e;
};
const hasFullText = (e) => !!e && (e.field === 'fullText' || (e.not && hasFullText(e.not)) || (e.and ?? e.or ?? []).some(hasFullText));
const evalQ = (e, f) => {
  if (e.and) return evalQ(e.and[0], f) && evalQ(e.and[1], f);
  if (e.or) return evalQ(e.or[0], f) || evalQ(e.or[1], f);
  if (e.not) return !evalQ(e.not, f);
  const { field, op, value } = e;
  const cmp = (a, b) => ({ '=': a === b, '!=': a !== b, '<': a < b, '<=': a <= b, '>': a > b, '>=': a >= b })[op];
  switch (field) {
    case 'name': return op === 'contains' ? f.name.toLowerCase().split(/[^\p{L}\p{N}]+/u).some((w) => w.startsWith(value.toLowerCase())) || f.name.toLowerCase().startsWith(value.toLowerCase()) : cmp(f.name, value);
    case 'fullText': return `${f.name} ${f.description ?? ''} ${f.text ?? (f.content && /^(text\/|application\/vnd\.google-apps\.)/.test(f.mimeType) ? f.content.toString('utf8') : '')}`.toLowerCase().includes(value.toLowerCase());
    case 'mimeType': return op === 'contains' ? f.mimeType.includes(value) : cmp(f.mimeType, value);
    case 'modifiedTime': case 'createdTime': case 'viewedByMeTime': {
      const v = Date.parse(/[zZ]|[+-]\d{2}:\d{2}$/.test(value) || value.length === 10 ? value : `${value}Z`);
      return cmp(Date.parse(f[field] ?? f.modifiedTime), v);
    }
    case 'trashed': case 'starred': return cmp(!!f[field], value);
    case 'sharedWithMe': return cmp(false, value);
    case 'parents': return f.parents.includes(value === 'root' ? 'root-id' : value);
    case 'owners': case 'writers': case 'readers': return value === 'me' || f.owners.some((o) => o.emailAddress === value);
    default: return false;
  }
};

// ---- paging: opaque tokens bound to the query they continue
const tokens = new Map();
const newToken = (key, offset) => { const t = `pt_${Buffer.from(`${seq++}:${offset}`).toString('base64url')}`; tokens.set(t, { key, offset }); return t; };

// ---- exports (developers.google.com/drive/api/guides/ref-export-formats)
const EXPORTS = {
  [`${G}document`]: ['text/plain', 'text/markdown', 'text/html', 'application/zip', 'application/pdf', 'application/rtf', 'application/epub+zip',
    'application/vnd.oasis.opendocument.text', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  [`${G}spreadsheet`]: ['text/csv', 'text/tab-separated-values', 'application/pdf', 'application/zip', 'application/x-vnd.oasis.opendocument.spreadsheet',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  [`${G}presentation`]: ['text/plain', 'application/pdf', 'image/jpeg', 'image/png', 'image/svg+xml', 'application/vnd.oasis.opendocument.presentation',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
  [`${G}drawing`]: ['application/pdf', 'image/jpeg', 'image/png', 'image/svg+xml'],
};
const exported = (f, type) => {
  if (type === 'text/plain' && f.text) return Buffer.from(f.text);
  if (/^text\//.test(type)) return f.content ?? Buffer.alloc(0);
  return Buffer.from(`%${type} export of ${f.name}`);
};

// ---- multipart/related (developers.google.com/drive/api/guides/manage-uploads#multipart)
const parseMultipart = (contentType, buf) => {
  const bm = /^multipart\/related\s*;(?:.*;)?\s*boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType ?? '');
  if (!bm) return { error: 'Content-Type must be multipart/related with a boundary for uploadType=multipart.' };
  const delim = Buffer.from(`--${bm[1] ?? bm[2]}`);
  if (buf.indexOf(delim) !== 0 || buf.slice(delim.length, delim.length + 2).toString() !== '\r\n') return { error: 'Malformed multipart body.' };
  const parts = [];
  let pos = delim.length + 2;
  for (;;) {
    const nextAt = buf.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), pos);
    if (nextAt < 0) return { error: 'Malformed multipart body: no closing boundary.' };
    const part = buf.slice(pos, nextAt);
    const hEnd = part.indexOf('\r\n\r\n');
    if (hEnd < 0) return { error: 'Malformed multipart body: a part without headers.' };
    const headers = Object.fromEntries(part.slice(0, hEnd).toString('latin1').split('\r\n').map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    parts.push({ headers, body: part.slice(hEnd + 4) });
    pos = nextAt + 2 + delim.length;
    const tail = buf.slice(pos, pos + 2).toString();
    if (tail === '--') break;
    if (tail !== '\r\n') return { error: 'Malformed multipart body.' };
    pos += 2;
  }
  if (parts.length !== 2) return { error: `Malformed multipart body: expected 2 parts (metadata, media), got ${parts.length}.` };
  if (!/^application\/json\s*(;|$)/i.test(parts[0].headers['content-type'] ?? '')) return { error: 'The first part of a multipart upload must be the application/json metadata.' };
  let metadata;
  try { metadata = JSON.parse(parts[0].body.toString('utf8')); } catch { return { error: 'Invalid JSON payload received in the metadata part.' }; }
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return { error: 'The metadata part must be a JSON object.' };
  return { metadata, media: parts[1].body, mediaType: parts[1].headers['content-type'] ?? 'application/octet-stream' };
};
const sessions = new Map();
const createFile = (meta, media, mediaType) => {
  const parents = meta.parents ?? ['root-id'];
  for (const p of parents) if (!files.get(p === 'root' ? 'root-id' : p)) return { missing: p };
  const mimeType = meta.mimeType ?? (media ? mediaType.split(';')[0].trim() : 'application/octet-stream');
  return { file: add({ id: `new-${seq++}`, name: meta.name ?? 'Untitled', mimeType, description: meta.description, parents: parents.map((p) => (p === 'root' ? 'root-id' : p)), ...(media ? { content: media } : {}) }) };
};
const fileOr404 = (res, id, q) => { let f = files.get(id === 'root' ? 'root-id' : id); if (f?.driveId && q.get('supportsAllDrives') !== 'true') f = undefined; if (!f) notFound(res, id); return f; };

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const url = new URL(req.url, 'http://x');
    const buf = Buffer.concat(chunks);
    const p = url.pathname;
    if (p === '/_requests') return send(res, 200, requests);
    if (p === '/_reset') { requests = []; return send(res, 200, {}); }
    const hookBody = () => { try { return JSON.parse(buf.toString() || '{}'); } catch { return {}; } };
    if (p === '/_token') { auth.setToken(hookBody().token); return send(res, 200, {}); }
    if (p === '/_fail') { failures.push({ times: 1, ...hookBody() }); return send(res, 200, {}); }
    if (p === '/_short') { shortNext = hookBody().bytes; return send(res, 200, {}); }
    if (p === '/_location') { nextLocation = hookBody().url; return send(res, 200, {}); }
    if (p.startsWith('/_file/')) { const f = files.get(p.slice(7)); return f ? send(res, 200, { ...fileView(f), content_length: f.content?.length ?? 0, content_head: f.content?.slice(0, 64).toString('base64') ?? '', content_md5: f.content ? md5(f.content) : '' }) : notFound(res, p.slice(7)); }
    const upload = p.startsWith('/upload/');
    const logged = { method: req.method, path: p, query: Object.fromEntries(url.searchParams), auth: req.headers.authorization ?? '',
      contentType: req.headers['content-type'] ?? '', contentRange: req.headers['content-range'], xUpload: [req.headers['x-upload-content-type'], req.headers['x-upload-content-length']], bytes: buf.length, body: null };
    requests.push(logged);
    if (!(await auth.authorized(req.headers.authorization)))
      return gerr(res, 401, 'Request had invalid authentication credentials. Expected OAuth 2 access token.', 'authError', { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' });
    const fl = failures.find((x) => x.times > 0 && new RegExp(x.path).test(p) && (!x.method || x.method === req.method));
    if (fl) {
      fl.times--;
      const extra = {};
      if (fl.retry_after) extra['retry-after'] = String(fl.retry_after);
      if (fl.www_authenticate) extra['www-authenticate'] = fl.www_authenticate;
      const defaults = { 403: ['Insufficient Permission: Request had insufficient authentication scopes.', 'insufficientPermissions'], 429: ['Rate Limit Exceeded', 'rateLimitExceeded'], 500: ['Internal Error', 'backendError'], 503: ['Service unavailable', 'backendError'] };
      const [dm, dr] = defaults[fl.status] ?? [`injected ${fl.status}`, 'injected'];
      return gerr(res, fl.status, fl.message ?? dm, fl.reason ?? dr, extra, { domain: /RateLimit/.test(fl.reason ?? '') ? 'usageLimits' : 'global' });
    }
    let body = null;
    if (!upload && buf.length) {
      try { body = JSON.parse(buf.toString('utf8')); } catch { return gerr(res, 400, 'Invalid JSON payload received.', 'parseError'); }
      logged.body = body;
    }
    const q = url.searchParams;
    let m;
    // ---- uploads
    if (upload) {
      const type = q.get('uploadType');
      if (p !== '/upload/drive/v3/files') return notFound(res, p);
      if (req.method === 'POST' && type === 'multipart') {
        const mp = parseMultipart(req.headers['content-type'], buf);
        if (mp.error) return badRequest(res, mp.error);
        logged.body = { metadata: mp.metadata, media_length: mp.media.length, media_type: mp.mediaType, media_head: mp.media.slice(0, 64).toString('base64') };
        if (mp.media.length > 5 * MiB) return badRequest(res, 'Media larger than 5 MB must be sent with uploadType=resumable.');
        const fo = fieldsOf(url, 'file', DEFAULT_FILE);
        if (fo.error) return badRequest(res, fo.error, 'fields');
        const made = createFile(mp.metadata, mp.media, mp.mediaType);
        if (made.missing) return notFound(res, made.missing);
        return send(res, 200, select(fileView(made.file), fo.tree));
      }
      if (req.method === 'POST' && type === 'resumable') {
        let meta = {};
        if (buf.length) { try { meta = JSON.parse(buf.toString('utf8')); } catch { return gerr(res, 400, 'Invalid JSON payload received.', 'parseError'); } }
        logged.body = meta;
        const fo = fieldsOf(url, 'file', DEFAULT_FILE);
        if (fo.error) return badRequest(res, fo.error, 'fields');
        const id = `sess${seq++}`;
        const total = req.headers['x-upload-content-length'] !== undefined ? Number(req.headers['x-upload-content-length']) : null;
        sessions.set(id, { meta, tree: fo.tree, total, type: req.headers['x-upload-content-type'] ?? 'application/octet-stream', data: Buffer.alloc(0) });
        const loc = nextLocation ?? `http://${req.headers.host}/upload/drive/v3/files?uploadType=resumable&upload_id=${id}`;
        nextLocation = null;
        res.writeHead(200, { location: loc, 'content-length': '0' });
        return res.end();
      }
      if (req.method === 'PUT' && type === 'resumable') {
        const s = sessions.get(q.get('upload_id'));
        if (!s) return gerr(res, 404, 'Upload session not found or expired.', 'notFound');
        const cr = /^bytes (?:(\d+)-(\d+)|\*)\/(\d+|\*)$/.exec(req.headers['content-range'] ?? '');
        if (!cr) return badRequest(res, 'Invalid Content-Range header.');
        const total = cr[3] === '*' ? null : Number(cr[3]);
        if (total !== null && s.total !== null && total !== s.total) return badRequest(res, 'The total size does not match X-Upload-Content-Length.');
        const incomplete = () => { res.writeHead(308, s.data.length ? { range: `bytes=0-${s.data.length - 1}`, 'content-length': '0' } : { 'content-length': '0' }); res.end(); };
        const finish = () => {
          const made = createFile(s.meta, s.data, s.type);
          sessions.delete(q.get('upload_id'));
          if (made.missing) return notFound(res, made.missing);
          return send(res, 200, select(fileView(made.file), s.tree));
        };
        if (cr[1] === undefined) { // status query
          if (buf.length) return badRequest(res, 'A status query has no body.');
          return total !== null && s.data.length === total ? finish() : incomplete();
        }
        const first = Number(cr[1]), last = Number(cr[2]);
        if (last < first || buf.length !== last - first + 1) return badRequest(res, 'Content-Range does not match the request body length.');
        if (first !== s.data.length) return badRequest(res, `Expected the next chunk to start at byte ${s.data.length}.`);
        const isLast = total !== null && last + 1 === total;
        if (!isLast && buf.length % KiB256 !== 0) return badRequest(res, 'Chunk size must be a multiple of 256 KiB (262144 bytes) except for the last chunk.');
        if (total !== null && last >= total) return badRequest(res, 'Content-Range is beyond the total size.');
        let kept = buf;
        if (shortNext !== null) { kept = buf.slice(0, shortNext); shortNext = null; }
        s.data = Buffer.concat([s.data, kept]);
        logged.body = { kept: kept.length };
        return total !== null && s.data.length === total ? finish() : incomplete();
      }
      return badRequest(res, `Invalid upload type: ${type ?? '(none)'}`, 'uploadType');
    }
    if (!p.startsWith('/drive/v3/')) return notFound(res, p);
    const r = p.slice('/drive/v3'.length);
    // ---- about
    if (r === '/about' && req.method === 'GET') {
      if (!q.get('fields')) return gerr(res, 400, "The 'fields' parameter is required for this method.", 'required', {}, { location: 'fields' });
      const fo = fieldsOf(url, 'about', null);
      if (fo.error) return badRequest(res, fo.error, 'fields');
      const usage = [...files.values()].reduce((a, f) => a + (f.content && !f.mimeType.startsWith(G) ? f.content.length : 0), 0);
      const trash = [...files.values()].reduce((a, f) => a + (f.trashed && f.content ? f.content.length : 0), 0);
      return send(res, 200, select({ kind: 'drive#about', user: ME, storageQuota: { limit: '16106127360', usage: String(usage + 1000), usageInDrive: String(usage), usageInDriveTrash: String(trash) } }, fo.tree));
    }
    // ---- files.list
    if (r === '/files' && req.method === 'GET') {
      const size = q.has('pageSize') ? Number(q.get('pageSize')) : 100;
      if (!Number.isInteger(size) || size < 1 || size > 1000) return gerr(res, 400, `Invalid value '${q.get('pageSize')}'. Values must be within the range: [1, 1000]`, 'invalid', {}, { location: 'pageSize' });
      let expr = null;
      if (q.has('q')) { try { expr = parseQ(q.get('q')); } catch { return badRequest(res, 'Invalid Value', 'q'); } }
      const orderBy = q.get('orderBy');
      if (orderBy && hasFullText(expr)) return badRequest(res, 'Sorting is not supported for queries with fullText terms. Results are always in descending relevance order.', 'orderBy');
      const fo = fieldsOf(url, 'list', { kind: true, nextPageToken: true, incompleteSearch: true, files: DEFAULT_FILE });
      if (fo.error) return badRequest(res, fo.error, 'fields');
      const allDrives = q.get('includeItemsFromAllDrives') === 'true';
      if (allDrives && q.get('supportsAllDrives') !== 'true') return gerr(res, 403, 'The includeItemsFromAllDrives parameter can only be set to true if supportsAllDrives is true.', 'teamDrivesParameterNotSupported');
      let list = [...files.values()].filter((f) => f.id !== 'root-id' && (!f.driveId || allDrives) && (!expr || evalQ(expr, f)));
      const keys = (orderBy ?? 'folder,name').split(',').map((k) => k.trim().split(' '));
      list.sort((a, b) => {
        for (const [k, dir] of keys) {
          const av = k === 'folder' ? (a.mimeType === FOLDER ? 0 : 1) : a[k === 'name_natural' ? 'name' : k] ?? '';
          const bv = k === 'folder' ? (b.mimeType === FOLDER ? 0 : 1) : b[k === 'name_natural' ? 'name' : k] ?? '';
          if (av !== bv) return (av < bv ? -1 : 1) * (dir === 'desc' ? -1 : 1);
        }
        return 0;
      });
      const key = JSON.stringify([q.get('q'), orderBy]);
      let start = 0;
      if (q.has('pageToken')) {
        const t = tokens.get(q.get('pageToken'));
        if (!t || t.key !== key) return gerr(res, 400, 'Invalid Value', 'invalid', {}, { location: 'pageToken' });
        start = t.offset;
      }
      const pageFiles = list.slice(start, start + size);
      const out = { kind: 'drive#fileList', incompleteSearch: false, files: pageFiles.map(fileView) };
      if (start + size < list.length) out.nextPageToken = newToken(key, start + size);
      return send(res, 200, select(out, fo.tree));
    }
    // ---- create (metadata only)
    if (r === '/files' && req.method === 'POST') {
      const fo = fieldsOf(url, 'file', DEFAULT_FILE);
      if (fo.error) return badRequest(res, fo.error, 'fields');
      if (!body || typeof body.name !== 'string') return badRequest(res, 'A name is required.');
      const made = createFile(body, null);
      if (made.missing) return notFound(res, made.missing);
      return send(res, 200, select(fileView(made.file), fo.tree));
    }
    if ((m = /^\/files\/([^/]+)(\/export|\/copy|\/permissions)?$/.exec(r))) {
      const id = decodeURIComponent(m[1]);
      const f = fileOr404(res, id, q);
      if (!f) return undefined;
      const what = m[2] ?? '';
      if (what === '/export' && req.method === 'GET') {
        const type = q.get('mimeType');
        if (!type) return gerr(res, 400, 'Required parameter: mimeType', 'required', {}, { location: 'mimeType' });
        if (!EXPORTS[f.mimeType]) return gerr(res, 403, 'Export only supports Docs Editors files.', 'fileNotExportable');
        if (!EXPORTS[f.mimeType].includes(type)) return badRequest(res, 'The requested conversion is not supported.', 'convertTo');
        if ((f.exportSize ?? 0) > 10 * 1000 * 1000) return gerr(res, 403, 'This file is too large to be exported.', 'exportSizeLimitExceeded');
        res.writeHead(200, { 'content-type': type });
        return res.end(exported(f, type));
      }
      if (what === '/copy' && req.method === 'POST') {
        const fo = fieldsOf(url, 'file', DEFAULT_FILE);
        if (fo.error) return badRequest(res, fo.error, 'fields');
        if (f.mimeType === FOLDER) return gerr(res, 403, 'This file cannot be copied by the user.', 'cannotCopyFile');
        const made = createFile({ name: body?.name ?? `Copy of ${f.name}`, parents: body?.parents ?? f.parents, mimeType: f.mimeType, description: f.description }, f.content, f.mimeType);
        if (made.missing) return notFound(res, made.missing);
        if (f.text) made.file.text = f.text;
        return send(res, 200, select(fileView(made.file), fo.tree));
      }
      if (what === '/permissions' && req.method === 'GET') {
        const size = q.has('pageSize') ? Number(q.get('pageSize')) : 100;
        if (!Number.isInteger(size) || size < 1 || size > 100) return gerr(res, 400, `Invalid value '${q.get('pageSize')}'. Values must be within the range: [1, 100]`, 'invalid', {}, { location: 'pageSize' });
        const fo = fieldsOf(url, 'permissionList', { kind: true, nextPageToken: true, permissions: { kind: true, id: true, type: true, role: true } });
        if (fo.error) return badRequest(res, fo.error, 'fields');
        const key = `perm:${f.id}`;
        let start = 0;
        if (q.has('pageToken')) { const t = tokens.get(q.get('pageToken')); if (!t || t.key !== key) return gerr(res, 400, 'Invalid Value', 'invalid', {}, { location: 'pageToken' }); start = t.offset; }
        const out = { kind: 'drive#permissionList', permissions: f.permissions.slice(start, start + size) };
        if (start + size < f.permissions.length) out.nextPageToken = newToken(key, start + size);
        return send(res, 200, select(out, fo.tree));
      }
      if (what === '/permissions' && req.method === 'POST') {
        const fo = fieldsOf(url, 'permission', { kind: true, id: true, type: true, role: true });
        if (fo.error) return badRequest(res, fo.error, 'fields');
        const roles = ['owner', 'organizer', 'fileOrganizer', 'writer', 'commenter', 'reader'], types = ['user', 'group', 'domain', 'anyone'];
        if (!body || !roles.includes(body.role)) return gerr(res, 400, 'The permission role field is required or invalid.', 'invalid', {}, { location: 'permission.role' });
        if (!types.includes(body.type)) return gerr(res, 400, 'The permission type field is required or invalid.', 'invalid', {}, { location: 'permission.type' });
        if (['user', 'group'].includes(body.type) && !body.emailAddress) return gerr(res, 400, 'The permission emailAddress field is required for type user or group.', 'required', {}, { location: 'permission.emailAddress' });
        if (body.type === 'domain' && !body.domain) return gerr(res, 400, 'The permission domain field is required for type domain.', 'required', {}, { location: 'permission.domain' });
        if (body.role === 'owner' && q.get('transferOwnership') !== 'true') return gerr(res, 403, 'The transferOwnership parameter must be enabled when the permission role is owner.', 'forbidden');
        if (q.get('sendNotificationEmail') === 'false' && q.has('emailMessage')) return badRequest(res, 'An emailMessage cannot be sent without a notification email.', 'emailMessage');
        if (q.has('sendNotificationEmail') && !['user', 'group'].includes(body.type)) return badRequest(res, 'Notification emails are only sent to users and groups.', 'sendNotificationEmail');
        const perm = { kind: 'drive#permission', id: body.type === 'anyone' ? 'anyoneWithLink' : `perm-${seq++}`, type: body.type, role: body.role,
          ...(body.emailAddress ? { emailAddress: body.emailAddress, displayName: body.emailAddress.split('@')[0] } : {}), ...(body.domain ? { domain: body.domain } : {}) };
        f.permissions.push(perm);
        f.shared = true;
        return send(res, 200, select(perm, fo.tree));
      }
      if (what === '' && req.method === 'GET') {
        if (q.get('alt') === 'media') {
          if (f.mimeType.startsWith(G)) return gerr(res, 403, 'Only files with binary content can be downloaded. Use Export with Docs Editors files.', 'fileNotDownloadable');
          res.writeHead(200, { 'content-type': f.mimeType });
          return res.end(f.content ?? Buffer.alloc(0));
        }
        const fo = fieldsOf(url, 'file', DEFAULT_FILE);
        if (fo.error) return badRequest(res, fo.error, 'fields');
        return send(res, 200, select(fileView(f), fo.tree));
      }
      if (what === '' && req.method === 'PATCH') {
        const fo = fieldsOf(url, 'file', DEFAULT_FILE);
        if (fo.error) return badRequest(res, fo.error, 'fields');
        const allowed = ['name', 'trashed', 'description', 'starred', 'mimeType'];
        const bad = Object.keys(body ?? {}).find((k) => !allowed.includes(k));
        if (bad) return gerr(res, 403, `The resource body includes fields which are not directly writable: ${bad}`, 'fieldNotWritable');
        const adds = (q.get('addParents') ?? '').split(',').filter(Boolean), remove = (q.get('removeParents') ?? '').split(',').filter(Boolean);
        for (const pid of adds) { const pf = files.get(pid === 'root' ? 'root-id' : pid); if (!pf) return notFound(res, pid); if (pf.mimeType !== FOLDER) return badRequest(res, `The parent ${pid} is not a folder.`, 'addParents'); }
        const parents = f.parents.filter((x) => !remove.map((r2) => (r2 === 'root' ? 'root-id' : r2)).includes(x)).concat(adds.map((x) => (x === 'root' ? 'root-id' : x)));
        // Drive v3: a file has exactly one parent (multi-parenting ended in 2020)
        if (adds.length && new Set(parents).size > 1) return gerr(res, 403, 'Increasing the number of parents is not allowed.', 'cannotAddParent');
        f.parents = [...new Set(parents)];
        Object.assign(f, body ?? {});
        f.modifiedTime = now();
        return send(res, 200, select(fileView(f), fo.tree));
      }
    }
    return notFound(res, p);
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(`fake-googledrive listening on 127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
