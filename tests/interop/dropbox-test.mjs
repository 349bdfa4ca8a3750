// dropbox-test.mjs - the official SDK client drives mcp-dropbox against fake-dropbox.mjs (Dropbox API v2, RPC and
// content routes on one server) and the broker: every tool, the requests Dropbox saw (route, Content-Type, JSON body
// or Dropbox-API-Arg header, bytes, bearer), list_folder and search cursors, non-ASCII names escaped in the header,
// the Dropbox-API-Result metadata, upload sessions (offsets, a resumed incorrect_offset), write conflicts, the existing
// shared link, error mapping (409 path errors naming the path, 401 refresh and re-authorize, missing_scope, 403, 429
// Retry-After, plain-text 400 and 5xx), and hostile arguments refused before any upstream call.
// Usage: node dropbox-test.mjs <mcp base> <broker url> <broker config.json> <api base (…/2)>
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { check, connect, done, drain, json, text } from './svc-harness.mjs';

const [base, brokerUrl, cfgPath, api] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
const inst = cfg.instances.find((i) => i.id === 'inst-active');
const bearer = `Bearer ${inst.access_token}`;
const REAUTH = 'http://127.0.0.1/authorize/inst-active';
const fakeBroker = process.env.BROKER_IS_REAL !== '1';
const root = api.replace(/\/2$/, '');
const hooks = root; // the fake's test hooks live at its root
if (fakeBroker) await json(`${brokerUrl}/_set`, { id: inst.id, authorize_url: REAUTH });
const client = await connect(base, inst.id, inst.key);
await drain(hooks);
const call = (name, args = {}) => client.callTool({ name, arguments: args });
const one = async () => { const r = await drain(hooks); return r.length === 1 ? r[0] : { count: r.length, r }; };
const stored = (p) => fetch(`${hooks}/_file?${new URLSearchParams({ path: p })}`).then(async (x) => (x.status === 200 ? x.json() : null));
const fail = (f) => json(`${hooks}/_fail`, f);
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const MiB = 1024 * 1024;
const paths = (list) => (list ?? []).map((e) => e.path);

// ---- tools/list
const { tools } = await client.listTools();
const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
const names = ['list_folder', 'search', 'get_metadata', 'download', 'upload', 'create_folder', 'move', 'copy', 'delete', 'create_shared_link'];
check('tools/list has the 10 Dropbox tools', names.every((n) => byName[n]) && tools.length === 10, Object.keys(byName));
check('schemas carry the API limits (limit 1..2000, max_results 1..1000, query 1000, upload 10 MiB as base64)',
  byName.list_folder.inputSchema.properties.limit.maximum === 2000 && byName.search.inputSchema.properties.max_results.maximum === 1000 &&
  byName.search.inputSchema.properties.query.maxLength === 1000 && byName.upload.inputSchema.properties.content.maxLength === 13981016, byName.list_folder.inputSchema);
check('annotations: reads read-only, delete and upload destructive, delete idempotent',
  ['list_folder', 'search', 'get_metadata', 'download'].every((n) => byName[n].annotations?.readOnlyHint === true) &&
  byName.delete.annotations?.destructiveHint === true && byName.delete.annotations?.idempotentHint === true &&
  byName.upload.annotations?.destructiveHint === true && byName.create_folder.annotations?.readOnlyHint === false, tools.map((t) => t.annotations));

// ---- list_folder and its cursor
let r = await call('list_folder', { limit: 3 });
let seen = await one();
check('list_folder: POST /2/files/list_folder, JSON body with path "" and limit, the broker token', seen.route === 'files/list_folder' && seen.method === 'POST' &&
  seen.contentType === 'application/json' && same(seen.arg, { path: '', recursive: false, limit: 3, include_deleted: false }) && seen.auth === bearer, seen);
check('list_folder: first page of 3, has_more and next_cursor, text lists the paths', same(paths(r.structuredContent?.entries), ['/Archive', '/big.bin', '/Documents']) &&
  r.structuredContent.has_more === true && typeof r.structuredContent.next_cursor === 'string' && text(r).includes('/Documents/') && text(r).includes('next_cursor'), r);
r = await call('list_folder', { cursor: r.structuredContent?.next_cursor ?? 'x' });
seen = await one();
check('list_folder cursor: files/list_folder/continue with the cursor only, the rest, no next_cursor', seen.route === 'files/list_folder/continue' &&
  Object.keys(seen.arg ?? {}).join() === 'cursor' && same(paths(r.structuredContent?.entries), ['/Photos', '/README.md']) &&
  r.structuredContent.has_more === false && !('next_cursor' in r.structuredContent), { seen, r: r.structuredContent });
r = await call('list_folder', { path: '/', recursive: true });
seen = await one();
check('list_folder: "/" is sent as "" (Dropbox refuses "/"); recursive reaches nested files', seen.arg?.path === '' && seen.arg.recursive === true &&
  paths(r.structuredContent?.entries).includes('/Archive/2023/old notes.txt'), { seen, r: paths(r.structuredContent?.entries) });
r = await call('list_folder', { path: '/Nope' });
check('list_folder: 409 path/not_found -> a tool error naming the path and the error summary', r.isError === true && text(r).includes("path '/Nope'") &&
  /nothing exists/.test(text(r)) && text(r).includes('path/not_found'), text(r));
r = await call('list_folder', { path: '/README.md' });
check('list_folder on a file -> path/not_folder explained', r.isError === true && /is a file, not a folder/.test(text(r)), text(r));
await drain(hooks);

// ---- search
r = await call('search', { query: 'budget' });
seen = await one();
check('search: files/search_v2 with query and options (max_results, file_status, filename_only)', seen.route === 'files/search_v2' &&
  same(seen.arg, { query: 'budget', options: { max_results: 100, file_status: 'active', filename_only: false } }), seen);
check('search: the content match found', same(paths(r.structuredContent?.matches), ['/Archive/2023/old notes.txt']) && r.structuredContent.has_more === false, r);
r = await call('search', { query: 'photo', max_results: 2, path: '/Photos', filename_only: true });
seen = await one();
check('search: path and max_results sent, a page of 2 with next_cursor', seen.arg?.options?.path === '/Photos' && seen.arg.options.max_results === 2 &&
  seen.arg.options.filename_only === true && r.structuredContent?.matches?.length === 2 && typeof r.structuredContent.next_cursor === 'string', { seen, r: r.structuredContent });
r = await call('search', { cursor: r.structuredContent?.next_cursor ?? 'x' });
seen = await one();
check('search cursor: files/search/continue_v2 {cursor} gives the next page', seen.route === 'files/search/continue_v2' && Object.keys(seen.arg ?? {}).join() === 'cursor' &&
  same(paths(r.structuredContent?.matches), ['/Photos/photo3.jpg', '/Photos/photo4.jpg']), { seen, r: r.structuredContent });
r = await call('search', {});
check('search without query or cursor -> tool error, nothing sent', r.isError === true && /query/.test(text(r)) && (await drain(hooks)).length === 0, text(r));

// ---- get_metadata
r = await call('get_metadata', { path: '/Documents/report.txt' });
seen = await one();
const report = r.structuredContent;
check('get_metadata: files/get_metadata {path}; file metadata (size, rev, id, content hash)', seen.route === 'files/get_metadata' && seen.arg?.path === '/Documents/report.txt' &&
  report?.type === 'file' && report.size === 52 && /^[0-9a-f]{9,}$/.test(report.rev) && report.id?.startsWith('id:') && report.content_hash?.length === 64 &&
  text(r).includes(report.id), r);
r = await call('get_metadata', { path: report?.id ?? 'id:x' });
check('get_metadata by id:...', r.structuredContent?.path === '/Documents/report.txt', r);
await drain(hooks);

// ---- download (content endpoint)
r = await call('download', { path: '/Documents/report.txt' });
seen = await one();
check('download: POST /2/files/download, the argument in Dropbox-API-Arg, no Content-Type, no body', seen.route === 'files/download' &&
  seen.argRaw === '{"path":"/Documents/report.txt"}' && seen.contentType === null && seen.bytes === 0 && seen.auth === bearer, seen);
check('download: text content with the Dropbox-API-Result metadata', r.structuredContent?.content === 'Quarterly report: revenue up 12%.\nNext steps: hire.\n' &&
  r.structuredContent.encoding === 'text' && r.structuredContent.rev === report?.rev && text(r).includes('revenue up 12%'), r);
r = await call('download', { path: '/Documents/Résumé Zoë.txt' });
seen = await one();
check('download: non-ASCII path escaped as \\uXXXX in the header (pure ASCII sent)', seen.argRaw === '{"path":"/Documents/R\\u00e9sum\\u00e9 Zo\\u00eb.txt"}' &&
  !/[^\x20-\x7e]/.test(seen.argRaw), seen);
check('download: the escaped Dropbox-API-Result decoded (name and content)', r.structuredContent?.name === 'Résumé Zoë.txt' && r.structuredContent.content === 'CV of Zoë Müller\n', r);
r = await call('download', { path: '/Documents/A\u007fB😀.txt' });
seen = await one();
check('download: DEL and astral characters escaped too (\\u007f, surrogate pair), then path/not_found named',
  seen.argRaw === '{"path":"/Documents/A\\u007fB\\ud83d\\ude00.txt"}' && r.isError === true && /nothing exists/.test(text(r)), { seen, r: text(r) });
r = await call('download', { path: '/Documents/logo.png' });
check('download: binary as base64', r.structuredContent?.encoding === 'base64' &&
  Buffer.from(r.structuredContent.content, 'base64').equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 255])), r);
r = await call('download', { path: '/big.bin', max_bytes: 1000 });
check('download: a file above max_bytes -> refused with the cap named', r.isError === true && /download cap of 1000 bytes/.test(text(r)) && text(r).includes('/big.bin'), text(r));
r = await call('download', { path: '/Photos' });
check('download of a folder -> path/not_file explained', r.isError === true && /is a folder, not a file/.test(text(r)) && text(r).includes("path '/Photos'"), text(r));
await drain(hooks);

// the fake's strictness (what the real API refuses)
const rawPost = (route, headers, body = '') => new Promise((resolve) => {
  const u = new URL(`${api}/${route}`);
  const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { authorization: bearer, ...headers } }, (res) => {
    let b = ''; res.on('data', (c) => { b += c; }); res.on('end', () => resolve({ status: res.statusCode, body: b }));
  });
  req.end(body);
});
let raw = await rawPost('files/download', { 'Dropbox-API-Arg': '{"path":"/Documents/R\u00e9sum\u00e9 Zo\u00eb.txt"}' });
let esc = await rawPost('files/download', { 'Dropbox-API-Arg': '{"path":"/Documents/R\\u00e9sum\\u00e9 Zo\\u00eb.txt"}' });
check('fake: a raw non-ASCII byte in Dropbox-API-Arg -> 400 plain text; the escaped form works', raw.status === 400 && /could not decode input as JSON/.test(raw.body) &&
  esc.status === 200 && esc.body === 'CV of Zoë Müller\n', { raw, esc: esc.status });
raw = await rawPost('files/list_folder', { 'content-type': 'application/x-www-form-urlencoded' }, '{"path":""}');
esc = await rawPost('users/get_current_account', {}, '{}');
const nul = await rawPost('users/get_current_account', {}, 'null');
check('fake: RPC needs Content-Type application/json (400); a route without arguments refuses a body but takes "null"',
  raw.status === 400 && /Content-Type/.test(raw.body) && esc.status === 400 && nul.status === 200, { raw, esc, nul: nul.status });
await drain(hooks);

// ---- upload: single request, conflicts, modes
r = await call('upload', { path: '/Notes/new.txt', content: 'hello dropbox' });
seen = await one();
check('upload: files/upload, Dropbox-API-Arg commit (mode add, autorename false), octet-stream body', seen.route === 'files/upload' &&
  seen.contentType === 'application/octet-stream' && same(seen.arg, { path: '/Notes/new.txt', mode: 'add', autorename: false, mute: false }) &&
  seen.text === 'hello dropbox' && r.structuredContent?.upload === 'single request' && r.structuredContent.size === 13, { seen, r });
check('upload: stored by the fake', (await stored('/Notes/new.txt'))?.content_base64 === Buffer.from('hello dropbox').toString('base64'));
const firstRev = r.structuredContent?.rev;
r = await call('upload', { path: '/Notes/new.txt', content: 'again' });
check('upload onto an existing file with mode add -> conflict naming the path', r.isError === true && text(r).includes("a file already exists at path '/Notes/new.txt'") &&
  text(r).includes('path/conflict/file'), text(r));
r = await call('upload', { path: '/Notes/new.txt', content: 'again', autorename: true });
check('upload with autorename -> Dropbox picks a free name', r.structuredContent?.path === '/Notes/new (1).txt', r);
r = await call('upload', { path: '/Notes/new.txt', content: 'v2', mode: 'update', rev: 'deadbeef00' });
check('upload mode update with a stale rev -> conflict', r.isError === true && /already exists/.test(text(r)), text(r));
await drain(hooks);
r = await call('upload', { path: '/Notes/new.txt', content: 'v2', mode: 'update', rev: firstRev ?? 'x' });
seen = await one();
check('upload mode update with the current rev: {".tag":"update","update":rev}', !r.isError && same(seen.arg?.mode, { '.tag': 'update', update: firstRev }), { seen, r: text(r) });
r = await call('upload', { path: '/Notes/new.txt', content: 'v3', mode: 'overwrite' });
check('upload mode overwrite replaces', !r.isError && (await stored('/Notes/new.txt'))?.content_base64 === Buffer.from('v3').toString('base64'), text(r));
await drain(hooks);

// ---- upload sessions
const big = Buffer.alloc(9 * MiB);
for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 12)) & 0xff;
r = await call('upload', { path: '/Backups/big.bin', content: big.toString('base64'), encoding: 'base64' });
seen = await drain(hooks);
check('upload 9 MiB: upload_session/start (4 MiB), append_v2 (offset 4 MiB), finish (offset 8 MiB, 1 MiB, the commit)',
  !r.isError && seen.length === 3 && seen[0].route === 'files/upload_session/start' && seen[0].bytes === 4 * MiB && same(seen[0].arg, { close: false }) &&
  seen[1].route === 'files/upload_session/append_v2' && typeof seen[1].arg?.cursor?.session_id === 'string' && seen[1].arg.cursor.offset === 4 * MiB &&
  seen[1].arg.close === false && seen[1].bytes === 4 * MiB && seen[2].route === 'files/upload_session/finish' &&
  seen[2].arg?.cursor?.session_id === seen[1].arg.cursor.session_id && seen[2].arg.cursor.offset === 8 * MiB && seen[2].bytes === MiB &&
  same(seen[2].arg.commit, { path: '/Backups/big.bin', mode: 'add', autorename: false, mute: false }) &&
  seen.every((s) => s.contentType === 'application/octet-stream'), { r: text(r), seen: seen.map((s) => [s.route, s.arg, s.bytes]) });
check('upload session: the file assembled byte for byte', (await stored('/Backups/big.bin'))?.content_base64 === big.toString('base64') && r.structuredContent?.upload === 'upload session');
// an append answered incorrect_offset (as if an earlier answer was lost): the upload resumes from the offset Dropbox holds
await fail({ route: 'upload_session/append_v2$', status: 409, tag: 'incorrect_offset', error: { '.tag': 'incorrect_offset', incorrect_offset: { correct_offset: 0 } } });
r = await call('upload', { path: '/Backups/big2.bin', content: big.toString('base64'), encoding: 'base64' });
seen = await drain(hooks);
check('upload session: incorrect_offset -> resumed from correct_offset (the fake then corrects to 4 MiB), file intact',
  !r.isError && same(seen.map((s) => s.arg?.cursor?.offset ?? 'start'), ['start', 4 * MiB, 0, 4 * MiB, 8 * MiB]) &&
  (await stored('/Backups/big2.bin'))?.content_base64 === big.toString('base64'), { r: text(r), seen: seen.map((s) => [s.route, s.arg?.cursor?.offset]) });
r = await call('upload', { path: '/Backups/big.bin', content: big.toString('base64'), encoding: 'base64' });
seen = await drain(hooks);
check('upload session finish onto an existing file -> conflict naming the path', r.isError === true && text(r).includes("path '/Backups/big.bin'") &&
  /already exists/.test(text(r)) && seen.at(-1)?.route === 'files/upload_session/finish', text(r));
r = await call('upload', { path: '/Backups/huge.bin', content: 'x'.repeat(10 * MiB + 1) });
check('upload above 10 MiB -> refused before any request, the limit named', r.isError === true && /10485760/.test(text(r)) && (await drain(hooks)).length === 0, text(r));
r = await call('upload', { path: '/x.bin', content: 'not base64!', encoding: 'base64' });
check('upload: invalid base64 refused', r.isError === true && /base64/.test(text(r)) && (await drain(hooks)).length === 0, text(r));

// ---- create_folder, move, copy, delete
r = await call('create_folder', { path: '/Projects/2025' });
seen = await one();
check('create_folder: files/create_folder_v2 {path, autorename}; folder metadata', seen.route === 'files/create_folder_v2' &&
  same(seen.arg, { path: '/Projects/2025', autorename: false }) && r.structuredContent?.type === 'folder' && r.structuredContent.path === '/Projects/2025', { seen, r });
r = await call('create_folder', { path: '/Projects/2025' });
check('create_folder on an existing folder -> path/conflict/folder naming the path', r.isError === true &&
  text(r).includes("a folder already exists at path '/Projects/2025'") && text(r).includes('path/conflict/folder'), text(r));
r = await call('create_folder', { path: '/README.md/sub' });
check('create_folder under a file -> file_ancestor explained', r.isError === true && /parent folder is a file/.test(text(r)), text(r));
await drain(hooks);
r = await call('move', { from_path: '/Notes/new.txt', to_path: '/Projects/2025/moved.txt' });
seen = await one();
check('move: files/move_v2 {from_path, to_path, autorename, allow_ownership_transfer}; the new path', seen.route === 'files/move_v2' &&
  same(seen.arg, { from_path: '/Notes/new.txt', to_path: '/Projects/2025/moved.txt', autorename: false, allow_ownership_transfer: false }) &&
  r.structuredContent?.path === '/Projects/2025/moved.txt' && (await stored('/Notes/new.txt')) === null, { seen, r });
r = await call('move', { from_path: '/missing.txt', to_path: '/x.txt' });
check('move from a missing path -> from_lookup/not_found naming from_path', r.isError === true && text(r).includes("nothing exists at from_path '/missing.txt'") &&
  text(r).includes('from_lookup/not_found'), text(r));
r = await call('move', { from_path: '/Projects/2025/moved.txt', to_path: '/README.md' });
check('move onto an existing file -> to/conflict naming to_path', r.isError === true && text(r).includes("a file already exists at to_path '/README.md'"), text(r));
r = await call('move', { from_path: '/Projects', to_path: '/Projects/2025/inner' });
check('move a folder into itself -> explained', r.isError === true && /into itself/.test(text(r)), text(r));
await drain(hooks);
r = await call('copy', { from_path: '/README.md', to_path: '/Projects/README copy.md' });
seen = await one();
check('copy: files/copy_v2; the copy has its own id', seen.route === 'files/copy_v2' && same(seen.arg, { from_path: '/README.md', to_path: '/Projects/README copy.md', autorename: false }) &&
  r.structuredContent?.path === '/Projects/README copy.md' && r.structuredContent.id !== undefined && (await stored('/README.md')) !== null, { seen, r });
r = await call('copy', { from_path: '/README.md', to_path: '/Projects/README copy.md', autorename: true });
check('copy with autorename -> a free name', r.structuredContent?.path === '/Projects/README copy (1).md', r);
await drain(hooks);
r = await call('delete', { path: '/Projects/2025/moved.txt' });
seen = await one();
check('delete: files/delete_v2 {path}; the deleted item named', seen.route === 'files/delete_v2' && same(seen.arg, { path: '/Projects/2025/moved.txt' }) &&
  r.structuredContent?.path === '/Projects/2025/moved.txt' && /Deleted/.test(text(r)) && (await stored('/Projects/2025/moved.txt')) === null, { seen, r });
r = await call('delete', { path: '/Projects/2025/moved.txt' });
check('delete again -> path_lookup/not_found naming the path', r.isError === true && text(r).includes("nothing exists at path '/Projects/2025/moved.txt'") &&
  text(r).includes('path_lookup/not_found'), text(r));
await drain(hooks);
r = await call('search', { query: 'moved', file_status: 'deleted' });
seen = await one();
check('search file_status deleted -> the deleted file, typed deleted', seen.arg?.options?.file_status === 'deleted' &&
  r.structuredContent?.matches?.[0]?.type === 'deleted' && r.structuredContent.matches[0].path === '/Projects/2025/moved.txt' && /\(deleted\)/.test(text(r)), { seen, r });
r = await call('get_metadata', { path: '/Projects/2025/moved.txt', include_deleted: true });
check('get_metadata include_deleted -> the deleted entry', r.structuredContent?.type === 'deleted', r);
await drain(hooks);

// ---- create_shared_link
r = await call('create_shared_link', { path: '/Documents/report.txt' });
seen = await one();
const url = r.structuredContent?.url;
check('create_shared_link: sharing/create_shared_link_with_settings {path}; a new link', seen.route === 'sharing/create_shared_link_with_settings' &&
  same(seen.arg, { path: '/Documents/report.txt' }) && /^https:\/\/www\.dropbox\.com\/scl\/fi\//.test(url) && r.structuredContent.existing === false && text(r).includes(url), { seen, r });
r = await call('create_shared_link', { path: '/Documents/report.txt' });
seen = await drain(hooks);
check('create_shared_link again: 409 shared_link_already_exists with its metadata -> the existing link, one request', !r.isError &&
  r.structuredContent?.url === url && r.structuredContent.existing === true && seen.length === 1, { r, seen: seen.length });
r = await call('create_shared_link', { path: '/Documents/report.txt', audience: 'public', expires: '2030-01-31T12:00:00Z' });
seen = await drain(hooks);
check('create_shared_link with settings on a linked path: no metadata in the 409 -> sharing/list_shared_links direct_only', !r.isError &&
  r.structuredContent?.url === url && r.structuredContent.existing === true && seen.length === 2 && same(seen[0].arg?.settings, { audience: 'public', expires: '2030-01-31T12:00:00Z' }) &&
  seen[1].route === 'sharing/list_shared_links' && same(seen[1].arg, { path: '/Documents/report.txt', direct_only: true }), { r, seen });
r = await call('create_shared_link', { path: '/nothing.txt' });
check('create_shared_link on a missing path -> path/not_found naming it', r.isError === true && text(r).includes("nothing exists at path '/nothing.txt'"), text(r));
await drain(hooks);

// ---- error mapping
await fail({ route: 'files/create_folder_v2', status: 429, tag: 'too_many_write_operations', retry_after: 7 });
r = await call('create_folder', { path: '/Busy' });
check('429 too_many_write_operations with Retry-After 7 -> rate-limit error with the seconds and the reason', r.isError === true &&
  /retry after 7 seconds/.test(text(r)) && /too_many_write_operations/.test(text(r)), text(r));
await fail({ route: 'files/list_folder$', status: 429, retry_after: 4, no_header: true });
r = await call('list_folder', {});
check('429 without the header -> the body retry_after (4 s)', r.isError === true && /retry after 4 seconds/.test(text(r)) && /too_many_requests/.test(text(r)), text(r));
r = await call('list_folder', { limit: 1 });
await fail({ route: 'files/list_folder/continue', status: 409, tag: 'reset', error: { '.tag': 'reset' } });
r = await call('list_folder', { cursor: r.structuredContent?.next_cursor ?? 'x' });
check('list_folder/continue 409 reset -> the cursor is no longer valid', r.isError === true && /cursor is no longer valid/.test(text(r)) && text(r).includes('reset/..'), text(r));
raw = await rawPost('files/list_folder', { 'content-type': 'application/json' }, '{"path":"","limit":2001}');
esc = await rawPost('files/list_folder', { 'content-type': 'application/json' }, '{"path":"/"}');
check('fake: limit outside 1..2000 and "/" for the root -> 400 plain text', raw.status === 400 && /limit/.test(raw.body) && esc.status === 400 && /empty string/.test(esc.body), { raw, esc });
await fail({ route: 'files/get_metadata', status: 403, tag: 'invalid_account_type' });
r = await call('get_metadata', { path: '/README.md' });
check('403 -> Dropbox access error with its tag (not a scope problem)', r.isError === true && /403, invalid_account_type/.test(text(r)), text(r));
await fail({ route: 'files/get_metadata', status: 400, text: 'Error in call to API function "files/get_metadata": request body: path: weird' });
r = await call('get_metadata', { path: '/README.md' });
check('400 plain text -> the text in the tool error', r.isError === true && text(r).includes('Dropbox says: Error in call to API function "files/get_metadata"'), text(r));
await fail({ route: 'files/get_metadata', status: 503 });
r = await call('get_metadata', { path: '/README.md' });
check('503 -> provider trouble, try later', r.isError === true && /having problems \(HTTP 503\)/.test(text(r)), text(r));
if (fakeBroker) {
  await fail({ route: 'sharing/create_shared_link_with_settings', status: 401, tag: 'missing_scope', error: { '.tag': 'missing_scope', required_scope: 'sharing.write' }, times: 2 });
  r = await call('create_shared_link', { path: '/README.md' });
  check('401 missing_scope (after the one refresh) -> the scope named with the re-authorize URL', r.isError === true && text(r).includes('sharing.write') &&
    text(r).includes(REAUTH), text(r));
}
await drain(hooks);

// ---- hostile arguments: refused before any request
const hostile = [
  ['list_folder', { path: 'relative/path' }, /path/],
  ['list_folder', { path: '/' + 'a'.repeat(5000) }, /path/],
  ['list_folder', { limit: 2001 }, /limit/],
  ['list_folder', { limit: 0 }, /limit/],
  ['list_folder', { cursor: 'bad cursor with spaces' }, /cursor/],
  ['list_folder', { unknown_field: 1 }, /unknown_field|additional/i],
  ['search', { query: 'q'.repeat(1001) }, /query/],
  ['search', { query: 'x', max_results: 1001 }, /max_results/],
  ['search', { query: 'x', file_status: 'purged' }, /file_status/],
  ['get_metadata', { path: '/a\u0001b' }, /control characters/],
  ['get_metadata', {}, /path/],
  ['download', { path: '/a', max_bytes: 10 * MiB + 1 }, /max_bytes/],
  ['upload', { path: '/dir/', content: 'x' }, /path/],
  ['upload', { path: '/a.txt', content: 'x', mode: 'update' }, /rev/],
  ['upload', { path: '/a.txt', content: 'x', mode: 'clobber' }, /mode/],
  ['create_folder', { path: 'id:abc' }, /path/],
  ['move', { from_path: '/a', to_path: '/b\nc' }, /control characters|to_path/],
  ['create_shared_link', { path: '/a', expires: 'tomorrow' }, /expires/],
  ['create_shared_link', { path: '/a', audience: 'everyone' }, /audience/],
];
for (const [tool, args, re] of hostile) {
  let rr, msg;
  try { rr = await call(tool, args); msg = text(rr); } catch (e) { rr = { isError: true }; msg = String(e); }
  const sent = await drain(hooks);
  check(`hostile ${tool} ${JSON.stringify(args).slice(0, 60)} -> refused, nothing sent`, rr.isError === true && re.test(msg) && sent.length === 0, { msg, sent: sent.length });
}

// ---- 401 -> one refresh through the broker, retry with the new token; 401 again -> re-authorize
if (fakeBroker) {
  const before = (await json(`${brokerUrl}/_stats`)).token_refresh;
  await json(`${brokerUrl}/_set`, { id: inst.id, access_token: `${inst.access_token}-2` });
  await json(`${hooks}/_token`, { token: `${inst.access_token}-2` });
  r = await call('download', { path: '/README.md' });
  seen = await drain(hooks);
  const after = (await json(`${brokerUrl}/_stats`)).token_refresh;
  check('401 expired_access_token on the content endpoint -> broker refresh once -> retried with the new token', !r.isError && after === before + 1 &&
    seen.length === 2 && seen[0].auth === bearer && seen[1].auth === `Bearer ${inst.access_token}-2` && r.structuredContent?.content === '# My Dropbox\n', { r, seen, before, after });
  await json(`${hooks}/_token`, { token: 'revoked-elsewhere' });
  r = await call('list_folder', {});
  seen = await drain(hooks);
  check('401 again after the refresh -> re-authorize error with the URL and Dropbox\'s tag', r.isError === true && /re-authorize/i.test(text(r)) &&
    text(r).includes(REAUTH) && text(r).includes('expired_access_token') && seen.length === 2, { r: text(r), seen: seen.length });
}
await client.close();
done();
