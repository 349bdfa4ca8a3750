// fake-dropbox.mjs - a stand-in for the Dropbox API v2 (the routes mcp-dropbox uses), following Dropbox's documented
// shapes (/work/shared/notes/provider-apis.md section 9, dropbox-api-spec files.stone / sharing.stone / auth.stone):
// - every route is POST /2/<namespace>/<route>; one server answers the RPC and the content routes (the service's
//   content base defaults to its API base);
// - RPC routes take a JSON body with Content-Type application/json (any other type, or JSON that does not parse, is a
//   400 in plain text, as Dropbox answers bad input); a route without arguments (users/get_current_account) refuses
//   a body other than none or "null";
// - content routes take their argument in the Dropbox-API-Arg header: JSON that must be pure ASCII (a raw byte above
//   0x7E is a 400: Dropbox requires \uXXXX escapes in HTTP headers); uploads need Content-Type
//   application/octet-stream and take at most 150 MiB a request (409 payload_too_large); files/download wants no
//   Content-Type and no body, and answers the bytes with the metadata in the Dropbox-API-Result header (escaped the
//   same way);
// - a file tree with ids ("id:..."), revs (hex) and content hashes (Dropbox's 4 MiB block SHA-256); paths are case
//   insensitive (path_lower) and "" is the root;
// - files/list_folder (limit 1..2000, recursive) and /continue with opaque cursors and has_more; files/search_v2
//   (max_results 1..1000, path, file_status active|deleted, filename_only) and search/continue_v2;
// - writes: upload (mode add / overwrite / {update: rev}, autorename, conflicts), upload sessions (start, append_v2
//   and finish with the cursor {session_id, offset}: a wrong offset is 409 incorrect_offset with correct_offset),
//   create_folder_v2, move_v2, copy_v2, delete_v2, with Dropbox's LookupError / WriteError tags;
// - sharing: create_shared_link_with_settings (409 shared_link_already_exists, with the link's metadata unless the
//   request carried settings), list_shared_links (direct_only);
// - errors {"error_summary": "tag/sub/..", "error": {".tag": ...}}: 409 route errors, 401 expired_access_token on a
//   wrong bearer, 429 with Retry-After and a RateLimitError body.
// Usage: node fake-dropbox.mjs <access token>. Prints "fake-dropbox listening on 127.0.0.1:<port>" (env PORT or 0);
// the API base is http://127.0.0.1:<port>/2.
// Test hooks: GET /_requests (route, contentType, arg (parsed), argRaw, bytes, text, auth), POST /_reset (the log),
// POST /_token {token}, POST /_fail {route (regex), status, tag?, retry_after?, error? (the error member), times?}
// (answers the next matching requests with that error), GET /_file?path= (a stored file, content as base64).
import { createServer } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { bearerAuth } from './fake-auth.mjs';

const auth = bearerAuth(process.argv[2] ?? 'dropbox-token');
let requests = [];
let failures = [];
const MiB = 1024 * 1024;
const NOW = '2024-05-01T10:00:00Z';

// ---- the tree: path_lower -> entry
const tree = new Map();
const deleted = new Map();
let seq = 0;
const newId = () => `id:a4ayc_80_OEAAAAAAAAA${(++seq).toString().padStart(3, '0')}`;
const newRev = () => (0x5e0000000 + ++seq * 7).toString(16) + '0';
const contentHash = (buf) => {
  const blocks = [];
  for (let i = 0; i < buf.length || (i === 0 && blocks.length === 0); i += 4 * MiB) blocks.push(createHash('sha256').update(buf.subarray(i, i + 4 * MiB)).digest());
  return createHash('sha256').update(Buffer.concat(blocks)).digest('hex');
};
const parentOf = (p) => p.slice(0, p.lastIndexOf('/'));
const baseName = (p) => p.slice(p.lastIndexOf('/') + 1);
const put = (display, content) => {
  const e = { display, name: baseName(display), id: newId() };
  if (content !== undefined) Object.assign(e, { content: Buffer.isBuffer(content) ? content : Buffer.from(content), rev: newRev(), modified: NOW });
  tree.set(display.toLowerCase(), e);
  return e;
};
put('/Documents');
put('/Documents/report.txt', 'Quarterly report: revenue up 12%.\nNext steps: hire.\n');
put('/Documents/Résumé Zoë.txt', 'CV of Zoë Müller\n');
put('/Documents/logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 255]));
put('/Photos');
for (let i = 1; i <= 5; i++) put(`/Photos/photo${i}.jpg`, Buffer.alloc(100 * i, i));
put('/Archive');
put('/Archive/2023');
put('/Archive/2023/old notes.txt', 'Old notes about the budget.\n');
put('/big.bin', Buffer.alloc(4096, 7));
put('/README.md', '# My Dropbox\n');
const links = new Map(); // path_lower -> SharedLinkMetadata
const sessions = new Map(); // session_id -> {chunks, offset, closed}

const isFolder = (e) => e.content === undefined;
const meta = (e) => {
  const m = { '.tag': isFolder(e) ? 'folder' : 'file', name: e.name, path_lower: e.display.toLowerCase(), path_display: e.display, id: e.id };
  if (!isFolder(e)) Object.assign(m, { client_modified: e.modified, server_modified: e.modified, rev: e.rev, size: e.content.length, is_downloadable: true, content_hash: contentHash(e.content) });
  return m;
};
const byId = (id) => [...tree.values()].find((e) => e.id === id);
// "/a/b", "id:...", "" (root) -> the path_lower it names ('' for the root), or null for a malformed path
const norm = (p) => {
  if (p === '') return '';
  if (p.startsWith('id:')) { const e = byId(p); return e ? e.display.toLowerCase() : `\u0000missing`; }
  if (!p.startsWith('/') || p.endsWith('/') || p.includes('//')) return null;
  return p.toLowerCase();
};
const below = (dir, rec) => [...tree.entries()].filter(([k]) => k.startsWith(dir + '/') && (rec || !k.slice(dir.length + 1).includes('/'))).map(([, e]) => e)
  .sort((a, b) => a.display.localeCompare(b.display));
const freeName = (p) => {
  const dot = p.lastIndexOf('.'), slash = p.lastIndexOf('/');
  const [stem, ext] = dot > slash + 1 ? [p.slice(0, dot), p.slice(dot)] : [p, ''];
  for (let n = 1; ; n++) { const cand = `${stem} (${n})${ext}`; if (!tree.has(cand.toLowerCase())) return cand; }
};

// ---- answers
class Reply { constructor(status, body, headers = {}) { Object.assign(this, { status, body, headers }); } }
const routeError = (summary, error) => new Reply(409, { error_summary: `${summary}/..`, error });
const lookupErr = (outer, tag) => routeError(`${outer}/${tag}`, { '.tag': outer, [outer]: { '.tag': tag } });
const conflictErr = (outer, kind, wrap) => {
  const we = { '.tag': 'conflict', conflict: { '.tag': kind } };
  return routeError(`${outer}/conflict/${kind}`, { '.tag': outer, [outer]: wrap ? { reason: we, upload_session_id: 'pid_upload_session:ABC' } : we });
};
const badInput = (route, msg) => new Reply(400, `Error in call to API function "${route}": ${msg}`);

// Looks up an existing entry: [entry] or [null, Reply]
const lookup = (p, outer) => {
  const k = norm(p);
  if (k === null) return [null, lookupErr(outer, 'malformed_path')];
  const e = tree.get(k);
  return e ? [e] : [null, lookupErr(outer, 'not_found')];
};
// Where a new item may go: [path_display] or [null, Reply]
const target = (p, outer, autorename, wrap, replaceOk) => {
  if (norm(p) === null || p === '' || p.startsWith('id:')) return [null, lookupErr(outer, 'malformed_path')];
  for (let a = parentOf(p); a; a = parentOf(a)) if (tree.get(a.toLowerCase()) && !isFolder(tree.get(a.toLowerCase()))) return [null, conflictErr(outer, 'file_ancestor', wrap)];
  const ex = tree.get(p.toLowerCase());
  if (!ex || (replaceOk && replaceOk(ex))) return [ex ? ex.display : p];
  if (autorename) return [freeName(p)];
  return [null, conflictErr(outer, isFolder(ex) ? 'folder' : 'file', wrap)];
};
const ensureParents = (p) => { for (let a = parentOf(p); a; a = parentOf(a)) if (!tree.has(a.toLowerCase())) put(a); };
const writeFile = (display, bytes) => {
  ensureParents(display);
  const old = tree.get(display.toLowerCase());
  const e = put(display, bytes);
  if (old) e.id = old.id;
  return meta(e);
};
const modeOf = (m) => (typeof m === 'string' ? { tag: m } : { tag: m?.['.tag'] ?? 'add', rev: m?.update });
const commitFile = (c, bytes, wrap, outer = 'path') => {
  const mode = modeOf(c.mode ?? 'add');
  if (!['add', 'overwrite', 'update'].includes(mode.tag)) return new Reply(400, 'mode: unknown tag');
  const [display, err] = target(c.path ?? '', outer, c.autorename === true, wrap,
    (ex) => !isFolder(ex) && (mode.tag === 'overwrite' || (mode.tag === 'update' && ex.rev === mode.rev)));
  if (err) return err;
  return new Reply(200, writeFile(display, bytes));
};

// cursors: opaque to clients
const encCursor = (o) => 'AAG' + Buffer.from(JSON.stringify(o)).toString('base64url');
const decCursor = (c) => { try { return typeof c === 'string' && c.startsWith('AAG') ? JSON.parse(Buffer.from(c.slice(3), 'base64url')) : null; } catch { return null; } };
const page = (all, off, lim, key, extra) => {
  const slice = all.slice(off, off + lim);
  const more = off + lim < all.length;
  return { [key]: slice, has_more: more, cursor: encCursor({ ...extra, off: off + lim, lim }) };
};

const ROUTES = {
  'files/list_folder': (a, r) => {
    if (typeof a.path !== 'string') return badInput(r, 'request body: missing required field \'path\'');
    if (a.path === '/') return badInput(r, 'request body: path: Specify the root folder as an empty string rather than as "/".');
    const lim = a.limit ?? 2000;
    if (!Number.isInteger(lim) || lim < 1 || lim > 2000) return badInput(r, `request body: limit: ${lim} is not within range [1, 2000]`);
    const [e, err] = a.path === '' ? [{ display: '' }] : lookup(a.path, 'path');
    if (err) return err;
    if (a.path !== '' && !isFolder(e)) return lookupErr('path', 'not_folder');
    const all = below(e.display.toLowerCase(), a.recursive === true).map(meta);
    return new Reply(200, page(all, 0, lim, 'entries', { dir: e.display.toLowerCase(), rec: a.recursive === true }));
  },
  'files/list_folder/continue': (a, r) => {
    const c = decCursor(a.cursor);
    if (!c || c.dir === undefined) return badInput(r, 'request body: cursor: invalid cursor');
    if (c.dir !== '' && !tree.has(c.dir)) return routeError('reset', { '.tag': 'reset' });
    return new Reply(200, page(below(c.dir, c.rec).map(meta), c.off, c.lim, 'entries', { dir: c.dir, rec: c.rec }));
  },
  'files/search_v2': (a, r) => {
    if (typeof a.query !== 'string' || a.query.length > 1000) return badInput(r, 'request body: query: must be a string of at most 1000 characters');
    const o = a.options ?? {};
    const max = o.max_results ?? 100;
    if (!Number.isInteger(max) || max < 1 || max > 1000) return badInput(r, `request body: options.max_results: ${max} is not within range [1, 1000]`);
    if (o.file_status !== undefined && !['active', 'deleted'].includes(o.file_status)) return badInput(r, 'request body: options.file_status: unknown tag');
    let dir = '';
    if (o.path !== undefined && o.path !== '') {
      const [e, err] = lookup(o.path, 'path');
      if (err) return err;
      dir = e.display.toLowerCase();
    }
    const s = { q: a.query, dir, del: o.file_status === 'deleted', fn: o.filename_only === true };
    return new Reply(200, page(searchAll(s), 0, max, 'matches', { s }));
  },
  'files/search/continue_v2': (a, r) => {
    const c = decCursor(a.cursor);
    if (!c || !c.s) return badInput(r, 'request body: cursor: invalid cursor');
    return new Reply(200, page(searchAll(c.s), c.off, c.lim, 'matches', { s: c.s }));
  },
  'files/get_metadata': (a, r) => {
    if (typeof a.path !== 'string') return badInput(r, 'request body: missing required field \'path\'');
    if (a.path === '') return badInput(r, 'request body: path: The root folder is unsupported.');
    const [e, err] = lookup(a.path, 'path');
    if (err && a.include_deleted && deleted.has(norm(a.path))) {
      const d = deleted.get(norm(a.path));
      return new Reply(200, { '.tag': 'deleted', name: d.name, path_lower: d.display.toLowerCase(), path_display: d.display });
    }
    return err ?? new Reply(200, meta(e));
  },
  'files/create_folder_v2': (a) => {
    const [display, err] = target(a.path ?? '', 'path', a.autorename === true, false);
    if (err) return err;
    ensureParents(display);
    return new Reply(200, { metadata: meta(put(display)) });
  },
  'files/move_v2': (a) => relocate(a, true),
  'files/copy_v2': (a) => relocate(a, false),
  'files/delete_v2': (a) => {
    const [e, err] = lookup(a.path ?? '', 'path_lookup');
    if (err) return err;
    const k = e.display.toLowerCase();
    const m = meta(e);
    for (const key of [...tree.keys()]) if (key === k || key.startsWith(k + '/')) { deleted.set(key, tree.get(key)); tree.delete(key); }
    links.delete(k);
    return new Reply(200, { metadata: m });
  },
  'sharing/create_shared_link_with_settings': (a) => {
    const [e, err] = lookup(a.path ?? '', 'path');
    if (err) return err;
    const k = e.display.toLowerCase();
    if (links.has(k)) {
      // the existing link's metadata is left out when the request carried settings (they could differ)
      const inner = a.settings ? {} : { '.tag': 'metadata', metadata: links.get(k) };
      return routeError('shared_link_already_exists', { '.tag': 'shared_link_already_exists', shared_link_already_exists: inner });
    }
    const s = a.settings ?? {};
    if (s.audience !== undefined && !['public', 'team', 'no_one', 'password', 'members'].includes(s.audience)) return badInput('sharing/create_shared_link_with_settings', 'request body: settings.audience: unknown tag');
    const link = { '.tag': isFolder(e) ? 'folder' : 'file', url: `https://www.dropbox.com/scl/fi/${randomBytes(9).toString('hex')}/${encodeURIComponent(e.name)}?rlkey=${randomBytes(6).toString('hex')}&dl=0`,
      name: e.name, path_lower: k, id: e.id, link_permissions: { resolved_visibility: { '.tag': s.audience ?? 'public' }, can_revoke: true } };
    if (s.expires) link.expires = s.expires;
    links.set(k, link);
    return new Reply(200, link);
  },
  'sharing/list_shared_links': (a) => {
    let list = [...links.entries()];
    if (a.path !== undefined) {
      const [e, err] = lookup(a.path, 'path');
      if (err) return err;
      const k = e.display.toLowerCase();
      list = list.filter(([p]) => p === k || (!a.direct_only && k.startsWith(p + '/')));
    }
    return new Reply(200, { links: list.map(([, l]) => l), has_more: false });
  },
  'users/get_current_account': () => new Reply(200, { account_id: 'dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc', name: { display_name: 'Franz Ferdinand' }, email: 'franz@example.com' }),
};
const NO_ARGS = new Set(['users/get_current_account']);

function searchAll({ q, dir, del, fn }) {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  const pool = del ? [...deleted.values()] : below(dir, true);
  const hits = pool.filter((e) => e.display.toLowerCase().startsWith(dir + '/') && words.every((w) => e.name.toLowerCase().includes(w) ||
    (!fn && !isFolder(e) && e.content.toString('utf8').toLowerCase().includes(w))));
  return hits.map((e) => ({ match_type: { '.tag': words.every((w) => e.name.toLowerCase().includes(w)) ? 'filename' : 'file_content' },
    metadata: { '.tag': 'metadata', metadata: del ? { '.tag': 'deleted', name: e.name, path_lower: e.display.toLowerCase(), path_display: e.display } : meta(e) } }));
}

function relocate(a, move) {
  const [src, err] = lookup(a.from_path ?? '', 'from_lookup');
  if (err) return err;
  const from = src.display;
  if (typeof a.to_path === 'string' && (a.to_path.toLowerCase() + '/').startsWith(from.toLowerCase() + '/') && isFolder(src) && a.to_path.toLowerCase() !== from.toLowerCase())
    return routeError('cant_move_folder_into_itself', { '.tag': 'cant_move_folder_into_itself' });
  const [display, terr] = target(a.to_path ?? '', 'to', a.autorename === true, false, (ex) => move && ex === src);
  if (terr) return terr;
  ensureParents(display);
  const fk = from.toLowerCase();
  const moved = [...tree.entries()].filter(([k]) => k === fk || k.startsWith(fk + '/'));
  for (const [k, e] of moved) {
    const nd = display + e.display.slice(from.length);
    const ne = { ...e, display: nd, name: baseName(nd) };
    if (!move) { ne.id = newId(); if (!isFolder(e)) ne.rev = newRev(); } else tree.delete(k);
    tree.set(nd.toLowerCase(), ne);
  }
  return new Reply(200, { metadata: meta(tree.get(display.toLowerCase())) });
}

// ---- upload routes (arg from the header, body = bytes)
const UPLOADS = {
  'files/upload': (a, bytes) => commitFile(a, bytes, true),
  'files/upload_session/start': (a, bytes) => {
    const id = `pid_upload_session:${randomBytes(12).toString('base64url')}`;
    sessions.set(id, { chunks: [bytes], offset: bytes.length, closed: a.close === true });
    return new Reply(200, { session_id: id });
  },
  'files/upload_session/append_v2': (a, bytes) => {
    const err = sessionCheck(a.cursor, '');
    if (err) return err;
    const s = sessions.get(a.cursor.session_id);
    s.chunks.push(bytes);
    s.offset += bytes.length;
    s.closed = a.close === true;
    return new Reply(200, null);
  },
  'files/upload_session/finish': (a, bytes) => {
    const err = sessionCheck(a.cursor, 'lookup_failed');
    if (err) return err;
    const s = sessions.get(a.cursor.session_id);
    const all = Buffer.concat([...s.chunks, bytes]);
    const res = commitFile(a.commit ?? {}, all, false);
    if (res.status === 200) sessions.delete(a.cursor.session_id);
    return res;
  },
};
// UploadSessionLookupError, wrapped in lookup_failed by finish
function sessionCheck(cursor, wrap) {
  const s = sessions.get(cursor?.session_id);
  const e = (tag, body) => {
    const inner = { '.tag': tag, ...body };
    return wrap ? routeError(`${wrap}/${tag}`, { '.tag': wrap, [wrap]: inner }) : routeError(tag, inner);
  };
  if (!s) return e('not_found');
  if (cursor.offset !== s.offset) return e('incorrect_offset', { incorrect_offset: { correct_offset: s.offset } });
  if (s.closed && !wrap) return e('closed');
  return null;
}

// ---- HTTP
const send = (res, reply) => {
  const json = typeof reply.body !== 'string';
  res.writeHead(reply.status, { 'content-type': json ? 'application/json' : 'text/plain; charset=utf-8', ...reply.headers });
  res.end(json ? JSON.stringify(reply.body) : reply.body);
};
const readBody = (req, cap) => new Promise((resolve) => {
  const chunks = [];
  let n = 0;
  req.on('data', (c) => { n += c.length; if (n <= cap) chunks.push(c); });
  req.on('end', () => resolve(n > cap ? null : Buffer.concat(chunks)));
});
// JSON that must be pure ASCII (Dropbox's rule for HTTP headers), as the JS SDK escapes it
const headerJson = (o) => JSON.stringify(o).replace(/[\u007f-\uffff]/g, (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'));
const RPC_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain; charset=dropbox-cors-hack'];

async function hooks(req, res, url) {
  const body = req.method === 'POST' ? JSON.parse((await readBody(req, MiB)).toString() || '{}') : {};
  if (url.pathname === '/_requests') return send(res, new Reply(200, requests));
  if (url.pathname === '/_reset') { requests = []; return send(res, new Reply(200, {})); }
  if (url.pathname === '/_token') { auth.setToken(body.token); return send(res, new Reply(200, {})); }
  if (url.pathname === '/_fail') { failures.push({ ...body, times: body.times ?? 1 }); return send(res, new Reply(200, {})); }
  if (url.pathname === '/_file') {
    const e = tree.get((url.searchParams.get('path') ?? '').toLowerCase());
    return send(res, e ? new Reply(200, { ...meta(e), content_base64: e.content?.toString('base64') }) : new Reply(404, { error: 'no such file' }));
  }
  return send(res, new Reply(404, { error: 'unknown hook' }));
}

function injected(route) {
  const f = failures.find((x) => x.times > 0 && new RegExp(x.route).test(route));
  if (!f) return null;
  f.times--;
  const tag = f.tag ?? { 401: 'expired_access_token', 403: 'invalid_account_type', 429: 'too_many_requests' }[f.status];
  if (f.status === 429) {
    const ra = f.retry_after ?? 1;
    return new Reply(429, { error_summary: `${tag}/..`, error: { reason: { '.tag': tag }, retry_after: ra } }, f.no_header ? {} : { 'retry-after': String(ra) });
  }
  if (f.status === 400 || f.status >= 500) return new Reply(f.status, f.text ?? (f.status >= 500 ? 'Internal Server Error' : `Error in call to API function "${route}": bad input`));
  return new Reply(f.status, { error_summary: `${tag}/..`, error: f.error ?? { '.tag': tag } });
}

async function api(req, res, url) {
  const route = url.pathname.slice(3);
  const ct = req.headers['content-type'];
  const rawArg = req.headers['dropbox-api-arg'];
  const rec = { method: req.method, route, contentType: ct ?? null, argRaw: rawArg ?? null, auth: req.headers.authorization ?? null };
  requests.push(rec);
  const isUpload = route in UPLOADS, isDownload = route === 'files/download';
  const contentLength = Number(req.headers['content-length'] ?? 0);
  const bytes = await readBody(req, 150 * MiB);
  rec.bytes = bytes ? bytes.length : contentLength;
  try { rec.arg = JSON.parse(isUpload || isDownload ? rawArg : bytes.toString('utf8')); } catch { /* refused below */ }
  if (req.method !== 'POST') return send(res, badInput(route, `Unsupported method "${req.method}"`));
  if (!(await auth.authorized(req.headers.authorization)))
    return send(res, new Reply(401, { error_summary: 'expired_access_token/..', error: { '.tag': 'expired_access_token' } }));
  const fail = injected(route);
  if (fail) return send(res, fail);
  if (!(route in ROUTES) && !isUpload && !isDownload) return send(res, badInput(route, 'Unknown API function'));
  let arg;
  if (isUpload || isDownload) {
    if (rawArg === undefined) return send(res, badInput(route, 'Must provide HTTP header "Dropbox-API-Arg" or URL parameter "arg".'));
    // node reads header bytes as latin1: a raw UTF-8 byte shows up as a character above 0x7E
    if (/[^\x20-\x7e]/.test(rawArg)) return send(res, badInput(route, 'HTTP header "Dropbox-API-Arg": could not decode input as JSON'));
    try { arg = JSON.parse(rawArg); } catch { return send(res, badInput(route, 'HTTP header "Dropbox-API-Arg": could not decode input as JSON')); }
    rec.arg = arg;
    if (isDownload) {
      if (ct !== undefined && ct !== '' && ct !== 'text/plain; charset=dropbox-cors-hack')
        return send(res, badInput(route, `Bad HTTP "Content-Type" header: "${ct}".  Expecting one of "", "text/plain; charset=dropbox-cors-hack".`));
      if (bytes && bytes.length) return send(res, badInput(route, 'this function takes no request body'));
      if (typeof arg.path !== 'string') return send(res, badInput(route, 'HTTP header "Dropbox-API-Arg": path: missing'));
      const [e, err] = lookup(arg.path, 'path');
      if (err) return send(res, err);
      if (isFolder(e)) return send(res, lookupErr('path', 'not_file'));
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'dropbox-api-result': headerJson(meta(e)), 'content-length': e.content.length });
      return res.end(e.content);
    }
    if (ct !== 'application/octet-stream' && ct !== 'text/plain; charset=dropbox-cors-hack')
      return send(res, badInput(route, `Bad HTTP "Content-Type" header: "${ct ?? ''}".  Expecting one of "application/octet-stream", "text/plain; charset=dropbox-cors-hack".`));
    if (bytes === null) return send(res, routeError('payload_too_large', { '.tag': 'payload_too_large' }));
    if (bytes.length <= 4096) rec.text = bytes.toString('utf8');
    return send(res, UPLOADS[route](arg, bytes));
  }
  // RPC
  const text = bytes ? bytes.toString('utf8') : '';
  if (NO_ARGS.has(route)) {
    if (text !== '' && text !== 'null') return send(res, badInput(route, 'request body: this function takes no arguments; send no body or "null"'));
    return send(res, ROUTES[route]({}, route));
  }
  if (!RPC_TYPES.includes(ct)) return send(res, badInput(route, `Bad HTTP "Content-Type" header: "${ct ?? ''}".  Expecting one of "application/json", "application/json; charset=utf-8", "text/plain; charset=dropbox-cors-hack".`));
  try { arg = JSON.parse(text); } catch { return send(res, badInput(route, 'request body: could not decode input as JSON')); }
  rec.arg = arg;
  if (typeof arg !== 'object' || arg === null || Array.isArray(arg)) return send(res, badInput(route, 'request body: expected an object'));
  return send(res, ROUTES[route](arg, route));
}

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const go = url.pathname.startsWith('/_') ? hooks(req, res, url) : url.pathname.startsWith('/2/') ? api(req, res, url) : Promise.resolve(send(res, new Reply(404, 'Not Found')));
  go.catch((e) => { if (!res.headersSent) send(res, new Reply(500, String(e?.stack ?? e))); });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(`fake-dropbox listening on 127.0.0.1:${server.address().port}`));
