// onedrive-test.mjs - the official SDK client drives mcp-onedrive against fake-onedrive.mjs (Microsoft Graph
// /me/drive) and the broker: every tool, the requests Graph saw (method, path, query, body, bearer token), paging
// through @odata.nextLink, the download redirect and upload session and copy monitor reached WITHOUT the bearer,
// conflict behaviours, error mapping (401 refresh, 403 permission + re-authorize URL, 404, 429/503 Retry-After),
// and hostile arguments refused before any upstream call.
// Usage: node onedrive-test.mjs <mcp base> <broker url> <broker config.json> <graph url>
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { check, connect, done, drain, json, text } from './svc-harness.mjs';

const [base, brokerUrl, cfgPath, graph] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
const inst = cfg.instances.find((i) => i.id === 'inst-active');
const bearer = `Bearer ${inst.access_token}`;
const REAUTH = 'http://127.0.0.1/authorize/inst-active';
const fakeBroker = process.env.BROKER_IS_REAL !== '1';
if (fakeBroker) await json(`${brokerUrl}/_set`, { id: inst.id, authorize_url: REAUTH });
const client = await connect(base, inst.id, inst.key);
await drain(graph);
const call = (name, args = {}) => client.callTool({ name, arguments: args });
const one = async () => { const r = await drain(graph); return r.length === 1 ? r[0] : { count: r.length, r }; };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const stored = (q) => fetch(`${graph}/_item?${new URLSearchParams(q)}`).then(async (x) => (x.status === 200 ? x.json() : null));
const KiB = 1024, MiB = 1024 * KiB;

// ---- tools/list
const { tools } = await client.listTools();
const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
const names = ['list_children', 'search', 'get_item', 'download', 'upload', 'create_folder', 'move_or_rename', 'copy', 'delete', 'create_share_link'];
check('tools/list has the 10 OneDrive tools', names.every((n) => byName[n]) && tools.length === 10, Object.keys(byName));
check('schemas are closed (additionalProperties false) and every tool has an outputSchema',
  names.every((n) => byName[n].inputSchema.additionalProperties === false && byName[n].outputSchema?.type === 'object'));
const ann = (n) => byName[n].annotations ?? {};
check('annotations: reads read-only; delete destructive+idempotent; upload destructive (replace); copy and create_folder not idempotent',
  ['list_children', 'search', 'get_item', 'download'].every((n) => ann(n).readOnlyHint === true) && ann('delete').destructiveHint === true &&
  ann('delete').idempotentHint === true && ann('upload').destructiveHint === true && ann('upload').readOnlyHint === false &&
  ann('copy').idempotentHint === false && ann('create_folder').idempotentHint === false && ann('create_folder').destructiveHint === false &&
  names.every((n) => ann(n).openWorldHint === true), tools.map((t) => [t.name, t.annotations]));

// ---- list_children + paging
let r = await call('list_children', {});
let q = await one();
check('list_children: root -> GET /me/drive/root/children with $top, $select and the broker token', q.method === 'GET' &&
  q.path === '/me/drive/root/children' && q.query.$top === '50' && /parentReference/.test(q.query.$select) && q.auth === bearer &&
  /^mcp-onedrive\//.test(q.userAgent ?? ''), q);
check('list_children: readable text and structured items (folders with counts, files with sizes)', !r.isError &&
  /Documents\/ \(folder, 3 items\)/.test(text(r)) && /README\.md \(11 bytes, text\/markdown\)/.test(text(r)) &&
  r.structuredContent?.items?.find((i) => i.name === 'Documents')?.type === 'folder' && !r.structuredContent.next_cursor, r);
r = await call('list_children', { path: '/Photos/', top: 2 });
q = await one();
check('list_children: by path -> /me/drive/root:/Photos:/children, $top 2', q.path === '/me/drive/root:/Photos:/children' && q.query.$top === '2' &&
  r.structuredContent?.items?.length === 2 && r.structuredContent.items[0].name === 'photo1.jpg', { q, s: r.structuredContent });
const cursor = r.structuredContent?.next_cursor;
check('list_children: @odata.nextLink exposed as next_cursor (below the API base)', typeof cursor === 'string' && cursor.startsWith(graph) && /%24skiptoken=|\$skiptoken=/.test(cursor), r.structuredContent);
r = await call('list_children', { cursor });
q = await one();
check('list_children: cursor follows the nextLink ($skiptoken) with the bearer', typeof q.query?.$skiptoken === 'string' && q.auth === bearer &&
  r.structuredContent?.items?.[0]?.name === 'photo3.jpg' && typeof r.structuredContent.next_cursor === 'string', { q, s: r.structuredContent });
r = await call('list_children', { cursor: r.structuredContent?.next_cursor });
await drain(graph);
check('list_children: last page has no next_cursor', r.structuredContent?.items?.length === 1 && !('next_cursor' in r.structuredContent), r.structuredContent);
r = await call('list_children', { cursor: 'https://evil.example/v1.0/me/drive/root/children?$skiptoken=x' });
check('list_children: a cursor off the API base is refused, nothing sent', r.isError === true && /cursor/.test(text(r)) && (await drain(graph)).length === 0, r);
r = await call('list_children', { item_id: '01DOCS', select: ['size', 'file'] });
q = await one();
check('list_children: by item id with $select id,name + the chosen fields', q.path === '/me/drive/items/01DOCS/children' && q.query.$select === 'id,name,size,file' &&
  r.structuredContent?.items?.some((i) => i.name === 'report.txt' && i.size > 0 && i.mime_type === 'text/plain'), { q, r });

// ---- search
r = await call('search', { query: "O'Brien" });
q = await one();
check('search: /me/drive/root/search(q=\'...\') with the quote doubled and escaped', q.path === "/me/drive/root/search(q='O''Brien')" &&
  /search\(q='O%27%27Brien'\)$/.test(q.rawPath) && q.auth === bearer && q.query.$top === '50', q);
check('search: finds the file', !r.isError && r.structuredContent?.items?.[0]?.id === '01QUOTE' && /O'Brien notes\.txt/.test(text(r)) && /found/.test(text(r)), r);
r = await call('search', { query: 'photo', top: 3 });
q = await one();
check('search: paging ($top 3, next_cursor)', q.query.$top === '3' && r.structuredContent?.items?.length === 3 && typeof r.structuredContent.next_cursor === 'string', { q, s: r.structuredContent });
r = await call('search', { cursor: r.structuredContent?.next_cursor });
q = await one();
check('search: cursor page', /^\/me\/drive\/root\/search/.test(q.path ?? '') && typeof q.query.$skiptoken === 'string' && r.structuredContent?.items?.length === 3 && !r.structuredContent.next_cursor, { q, s: r.structuredContent });

// ---- get_item
r = await call('get_item', { path: '/Documents/report.txt' });
q = await one();
check('get_item: by path -> GET /me/drive/root:/Documents/report.txt with $select', q.method === 'GET' && q.path === '/me/drive/root:/Documents/report.txt' &&
  /createdBy/.test(q.query.$select) && q.auth === bearer, q);
check('get_item: metadata (size, type, mime, parent path, author)', !r.isError && r.structuredContent?.id === '01REPORT' && r.structuredContent.type === 'file' &&
  r.structuredContent.mime_type === 'text/plain' && r.structuredContent.parent_path === '/drive/root:/Documents' && r.structuredContent.created_by === 'Megan Bowen' &&
  /Web URL: https:/.test(text(r)), r);
r = await call('get_item', { item_id: '01DOCS', select: ['folder'] });
q = await one();
check('get_item: by id with $select', q.path === '/me/drive/items/01DOCS' && q.query.$select === 'id,name,folder' && r.structuredContent?.child_count === 3, { q, r });

// ---- download
r = await call('download', { path: '/Documents/report.txt' });
let seen = await drain(graph);
check('download: metadata, then /content with the bearer (302), then the download URL WITHOUT the bearer', seen.length === 3 &&
  seen[0].path === '/me/drive/root:/Documents/report.txt' && seen[0].auth === bearer &&
  seen[1].path === '/me/drive/items/01REPORT/content' && seen[1].auth === bearer &&
  /^\/_download\//.test(seen[2].path) && seen[2].auth === undefined, seen);
check('download: text returned as text', !r.isError && r.structuredContent?.encoding === 'text' && /revenue up 12%/.test(r.structuredContent.content) &&
  /revenue up 12%/.test(text(r)) && r.structuredContent.size === 52, r);
r = await call('download', { item_id: '01BIN' });
await drain(graph);
check('download: binary returned as base64', !r.isError && r.structuredContent?.encoding === 'base64' &&
  r.structuredContent.content === Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 255]).toString('base64') &&
  r.structuredContent.mime_type === 'image/png', r);
r = await call('download', { item_id: '01BIG' });
seen = await drain(graph);
check('download: a file above the cap is refused from its metadata (no /content request)', r.isError === true && /12582912 bytes/.test(text(r)) &&
  /cap/.test(text(r)) && seen.length === 1, { r, seen });
r = await call('download', { item_id: '01REPORT', max_bytes: 10 });
check('download: max_bytes below the size -> clear error', r.isError === true && /above the download cap of 10 bytes/.test(text(r)) && (await drain(graph)).length === 1, r);
r = await call('download', { path: '/Documents' });
check('download: a folder is refused', r.isError === true && /folder/.test(text(r)) && (await drain(graph)).length === 1, r);
{ // the fake's download URL refuses a bearer: a client that forwarded it would fail
  const res = await fetch(`${graph}/me/drive/items/01REPORT/content`, { headers: { authorization: bearer }, redirect: 'manual' });
  const loc = res.headers.get('location');
  const withBearer = await fetch(loc, { headers: { authorization: bearer } });
  await drain(graph);
  check('fake-onedrive: /content answers 302, the download URL refuses Authorization (401)', res.status === 302 && withBearer.status === 401, { status: res.status, loc });
}

// ---- upload (simple)
r = await call('upload', { parent_path: '/Documents', name: 'notes.md', content: '# Notes\nhello' });
q = await one();
check('upload: simple PUT /me/drive/root:/Documents/notes.md:/content, conflictBehavior fail, the bytes', q.method === 'PUT' &&
  q.path === '/me/drive/root:/Documents/notes.md:/content' && q.query['@microsoft.graph.conflictBehavior'] === 'fail' && q.text === '# Notes\nhello' &&
  q.auth === bearer, q);
check('upload: 201 -> created item', !r.isError && r.structuredContent?.new_file === true && r.structuredContent.upload === 'simple upload' && /Created notes\.md/.test(text(r)), r);
r = await call('upload', { parent_id: '01DOCS', name: 'notes.md', content: 'again' });
q = await one();
check('upload: same name with fail -> 409 nameAlreadyExists', r.isError === true && /409|already exists/.test(text(r)) && /nameAlreadyExists/.test(text(r)) &&
  q.path === '/me/drive/items/01DOCS:/notes.md:/content', { r, q });
r = await call('upload', { parent_id: '01DOCS', name: 'notes.md', content: 'AAEC/w==', encoding: 'base64', conflict_behavior: 'replace' });
q = await one();
let st = await stored({ name: 'notes.md' });
check('upload: replace -> 200, base64 decoded before sending', !r.isError && r.structuredContent?.new_file === false && q.bytes === 4 &&
  st?.content === 'AAEC/w==', { r, q, st });
r = await call('upload', { name: 'bad.bin', content: 'not base64!', encoding: 'base64' });
check('upload: invalid base64 refused, nothing sent', r.isError === true && /base64/.test(text(r)) && (await drain(graph)).length === 0, r);

// ---- upload session (above 4 MiB)
const bigBytes = Buffer.alloc(5 * MiB);
for (let i = 0; i < bigBytes.length; i++) bigBytes[i] = (i * 7 + (i >> 12)) & 0xff;
const sha = (b) => createHash('sha256').update(b).digest('hex');
const odProgress = [];
r = await client.callTool({ name: 'upload', arguments: { parent_path: '/Archive', name: 'big.bin', content: bigBytes.toString('base64'), encoding: 'base64' } },
  undefined, { onprogress: (p) => odProgress.push([p.progress, p.total]) });
check('upload session: notifications/progress per fragment (bytes of the total)', JSON.stringify(odProgress) === JSON.stringify([[0, 5 * MiB], [3276800, 5 * MiB]]), JSON.stringify(odProgress));
seen = await drain(graph);
const frags = seen.filter((x) => x.method === 'PUT');
check('upload session: createUploadSession with the bearer and item {conflictBehavior, name, fileSize}', seen[0]?.method === 'POST' &&
  seen[0].path === '/me/drive/root:/Archive/big.bin:/createUploadSession' && seen[0].auth === bearer &&
  seen[0].body?.item?.['@microsoft.graph.conflictBehavior'] === 'fail' && seen[0].body.item.name === 'big.bin' && seen[0].body.item.fileSize === 5 * MiB, seen[0]);
check('upload session: fragments without Authorization, Content-Range in order, multiples of 320 KiB but the last',
  frags.length === 2 && frags.every((f) => f.auth === undefined && /^\/_upload\//.test(f.path)) &&
  frags[0].contentRange === `bytes 0-3276799/${5 * MiB}` && frags[0].bytes % (320 * KiB) === 0 &&
  frags[1].contentRange === `bytes 3276800-${5 * MiB - 1}/${5 * MiB}` && frags[1].bytes === 5 * MiB - 3276800, frags.map(({ path, contentRange, bytes, auth }) => ({ path, contentRange, bytes, auth })));
st = await stored({ name: 'big.bin' });
check('upload session: 202 then 201, the stored bytes are the file', !r.isError && r.structuredContent?.upload === 'upload session' && r.structuredContent.new_file === true &&
  st && sha(Buffer.from(st.content, 'base64')) === sha(bigBytes), { r: r.structuredContent, size: st?.size });
r = await call('upload', { parent_path: '/Archive', name: 'big.bin', content: bigBytes.toString('base64'), encoding: 'base64' });
await sleep(300);
seen = await drain(graph);
check('upload session: name clash at commit (fail) -> nameAlreadyExists, the session cancelled (DELETE)', r.isError === true && /nameAlreadyExists/.test(text(r)) &&
  seen.some((x) => x.method === 'DELETE' && /^\/_upload\//.test(x.path) && x.auth === undefined), { r: text(r), seen: seen.map((x) => [x.method, x.path]) });
{ // the fake enforces the fragment rules
  const s = await fetch(`${graph}/me/drive/root:/Archive/x.bin:/createUploadSession`, { method: 'POST', headers: { authorization: bearer, 'content-type': 'application/json' }, body: '{}' }).then((x) => x.json());
  const put = (range, n, h = {}) => fetch(s.uploadUrl, { method: 'PUT', headers: { 'content-range': range, ...h }, body: Buffer.alloc(n) }).then((x) => x.status);
  const odd = await put('bytes 0-99999/1000000', 100000);
  const auth = await put(`bytes 0-${320 * KiB - 1}/1000000`, 320 * KiB, { authorization: bearer });
  const ok = await put(`bytes 0-${320 * KiB - 1}/1000000`, 320 * KiB);
  const overlap = await put(`bytes 0-${320 * KiB - 1}/1000000`, 320 * KiB);
  await drain(graph);
  check('fake-onedrive: fragment not a multiple of 320 KiB -> 400, Authorization -> 401, 202, overlapping range -> 416', odd === 400 && auth === 401 && ok === 202 && overlap === 416, { odd, auth, ok, overlap });
}

// ---- create_folder
r = await call('create_folder', { parent_path: '/Documents', name: 'Plans' });
q = await one();
check('create_folder: POST /me/drive/root:/Documents:/children {name, folder:{}, conflictBehavior fail}', q.method === 'POST' &&
  q.path === '/me/drive/root:/Documents:/children' && q.body?.name === 'Plans' && JSON.stringify(q.body.folder) === '{}' &&
  q.body['@microsoft.graph.conflictBehavior'] === 'fail' && q.auth === bearer && /application\/json/.test(q.contentType ?? ''), q);
check('create_folder: the new folder', !r.isError && r.structuredContent?.type === 'folder' && r.structuredContent.name === 'Plans' && /Folder created/.test(text(r)), r);
r = await call('create_folder', { parent_id: '01DOCS', name: 'Plans' });
q = await one();
check('create_folder: existing name with fail -> 409 nameAlreadyExists', r.isError === true && /nameAlreadyExists/.test(text(r)) && q.path === '/me/drive/items/01DOCS/children', { r, q });
r = await call('create_folder', { parent_id: '01DOCS', name: 'Plans', conflict_behavior: 'rename' });
q = await one();
check('create_folder: rename -> a free name', !r.isError && r.structuredContent?.name === 'Plans 1' && q.body?.['@microsoft.graph.conflictBehavior'] === 'rename', { r, q });
r = await call('create_folder', { name: 'Top' });
q = await one();
check('create_folder: no parent -> /me/drive/root/children', q.path === '/me/drive/root/children' && !r.isError, q);

// ---- move_or_rename
r = await call('move_or_rename', { item_id: '01REPORT', new_name: 'report-2024.txt' });
q = await one();
check('move_or_rename: rename -> PATCH /me/drive/items/{id} {name}', q.method === 'PATCH' && q.path === '/me/drive/items/01REPORT' &&
  JSON.stringify(q.body) === '{"name":"report-2024.txt"}' && r.structuredContent?.name === 'report-2024.txt' && /renamed/.test(text(r)), { q, r });
r = await call('move_or_rename', { path: '/Documents/report-2024.txt', new_parent_id: '01ARCH' });
q = await one();
check('move_or_rename: move by path -> PATCH /me/drive/root:/Documents/report-2024.txt {parentReference:{id}}', q.method === 'PATCH' &&
  q.path === '/me/drive/root:/Documents/report-2024.txt' && q.body?.parentReference?.id === '01ARCH' && !('name' in q.body) &&
  r.structuredContent?.parent_id === '01ARCH' && /moved/.test(text(r)), { q, r });
r = await call('move_or_rename', { item_id: '01REPORT' });
check('move_or_rename: neither new_name nor new_parent_id -> refused, nothing sent', r.isError === true && /new_name/.test(text(r)) && (await drain(graph)).length === 0, r);
r = await call('move_or_rename', { item_id: '01PH2', new_name: 'photo1.jpg' });
await drain(graph);
check('move_or_rename: name clash -> 409 nameAlreadyExists', r.isError === true && /nameAlreadyExists/.test(text(r)), r);

// ---- copy
r = await call('copy', { item_id: '01PH1', destination_parent_id: '01ARCH' });
seen = await drain(graph);
const mon = seen.filter((x) => /^\/_monitor\//.test(x.path));
check('copy: POST /me/drive/items/{id}/copy {parentReference:{id}} with the bearer', seen[0]?.method === 'POST' && seen[0].path === '/me/drive/items/01PH1/copy' &&
  seen[0].body?.parentReference?.id === '01ARCH' && seen[0].auth === bearer, seen[0]);
check('copy: the monitor URL polled WITHOUT the bearer until completed (inProgress, then completed)', mon.length === 2 && mon.every((x) => x.auth === undefined && x.method === 'GET'), mon);
st = r.structuredContent?.item_id ? await stored({ id: r.structuredContent.item_id }) : null;
check('copy: the new item id returned, the copy exists in the destination', !r.isError && r.structuredContent?.status === 'completed' &&
  st?.name === 'photo1.jpg' && st.parentReference?.id === '01ARCH' && /new item's id/.test(text(r)), { r, st });
r = await call('copy', { item_id: '01PH1', destination_parent_id: '01ARCH' });
await drain(graph);
check('copy: a failed copy (name exists) -> error with Graph\'s code', r.isError === true && /copy failed/.test(text(r)) && /nameAlreadyExists/.test(text(r)), r);
r = await call('copy', { path: '/Photos/photo2.jpg', new_name: 'photo2 copy.jpg' });
q = (await drain(graph))[0];
check('copy: same folder under a new name (by path)', !r.isError && q?.path === '/me/drive/root:/Photos/photo2.jpg:/copy' && q.body?.name === 'photo2 copy.jpg' &&
  !('parentReference' in q.body), { r, q });
await json(`${graph}/_copy_redirect`, {});
r = await call('copy', { item_id: '01PH3', destination_parent_id: '01ARCH' });
seen = await drain(graph);
st = r.structuredContent?.item_id ? await stored({ id: r.structuredContent.item_id }) : null;
check('copy: a monitor ending in 303 See Other -> the new item id from its Location, not followed with the bearer', !r.isError &&
  r.structuredContent?.status === 'completed' && st?.name === 'photo3.jpg' && !seen.some((x) => /\/drives\//.test(x.path)), { r, seen: seen.map((x) => x.path) });
r = await call('copy', { item_id: '01PH1' });
check('copy: neither destination nor name -> refused, nothing sent', r.isError === true && (await drain(graph)).length === 0, r);

// ---- create_share_link
r = await call('create_share_link', { item_id: '01README' });
q = await one();
check('create_share_link: POST createLink {type view, scope anonymous} -> 201 new link', q.method === 'POST' && q.path === '/me/drive/items/01README/createLink' &&
  q.body?.type === 'view' && q.body.scope === 'anonymous' && q.auth === bearer && !r.isError && r.structuredContent?.existing === false &&
  /^https:\/\//.test(r.structuredContent.url) && /New view link \(anonymous\)/.test(text(r)), { q, r });
const firstUrl = r.structuredContent?.url;
r = await call('create_share_link', { path: '/README.md' });
q = await one();
check('create_share_link: the same link again -> 200, the existing link', q.path === '/me/drive/root:/README.md:/createLink' && r.structuredContent?.existing === true &&
  r.structuredContent.url === firstUrl && /Existing/.test(text(r)), { q, r });
r = await call('create_share_link', { item_id: '01README', type: 'edit', scope: 'organization', expiration: '2030-01-01T00:00:00Z' });
q = await one();
check('create_share_link: edit / organization / expiration', q.body?.type === 'edit' && q.body.scope === 'organization' && q.body.expirationDateTime === '2030-01-01T00:00:00Z' &&
  r.structuredContent?.expires === '2030-01-01T00:00:00Z' && r.structuredContent.type === 'edit', { q, r });
r = await call('create_share_link', { item_id: '01README', scope: 'users' });
check('create_share_link: a scope outside the enum is refused, nothing sent', r.isError === true && /scope/.test(text(r)) && (await drain(graph)).length === 0, r);

// ---- delete
r = await call('delete', { path: '/Documents/notes.md' });
q = await one();
check('delete: DELETE /me/drive/root:/Documents/notes.md -> 204', q.method === 'DELETE' && q.path === '/me/drive/root:/Documents/notes.md' && q.auth === bearer &&
  !r.isError && r.structuredContent?.deleted === true && (await stored({ name: 'notes.md' })) === null, { q, r });
r = await call('delete', { item_id: '01PH5' });
q = await one();
check('delete: by id', q.path === '/me/drive/items/01PH5' && !r.isError, q);
r = await call('delete', { path: '/' });
check('delete: the root is refused, nothing sent', r.isError === true && /root/.test(text(r)) && (await drain(graph)).length === 0, r);

// ---- errors
r = await call('get_item', { item_id: 'nope' });
await drain(graph);
check('404 -> not found with Graph\'s code', r.isError === true && /404/.test(text(r)) && /itemNotFound/.test(text(r)), r);
r = await call('get_item', { item_id: 'forbidden' });
await drain(graph);
check('403 -> the permission named (Files.Read), Graph\'s code, and the re-authorize URL', r.isError === true && /403/.test(text(r)) && /Files\.Read/.test(text(r)) &&
  /accessDenied/.test(text(r)) && (!fakeBroker || text(r).includes(REAUTH)), text(r));
r = await call('delete', { item_id: 'forbidden' });
await drain(graph);
check('403 on a write -> Files.ReadWrite named', r.isError === true && /Files\.ReadWrite/.test(text(r)), text(r));
r = await call('list_children', { item_id: 'throttled' });
await drain(graph);
check('429 -> rate limited, retry after 7 s', r.isError === true && /429/.test(text(r)) && /7 seconds/.test(text(r)), text(r));
r = await call('download', { item_id: 'unavailable' });
await drain(graph);
check('503 throttling -> Retry-After 3 s in the text', r.isError === true && /503/.test(text(r)) && /3 seconds/.test(text(r)), text(r));
await json(`${graph}/_fail`, { path: '^/me/drive/items/01DOCS/content$|^/me/drive/root/children$', status: 429, code: 'activityLimitReached', retry_after: 11 });
r = await call('list_children', {});
await drain(graph);
check('injected 429 with Retry-After 11 -> in the text', r.isError === true && /11 seconds/.test(text(r)), text(r));

if (fakeBroker) { // the /content request takes every status (for its 302) but still gets the 401 -> refresh -> retry
  const before = (await json(`${brokerUrl}/_stats`)).token_refresh;
  await json(`${graph}/_fail`, { path: '/content$', method: 'GET', status: 401, code: 'InvalidAuthenticationToken', message: 'Token expired.' });
  r = await call('download', { item_id: '01README' });
  seen = await drain(graph);
  const after = (await json(`${brokerUrl}/_stats`)).token_refresh;
  check('download: a 401 on /content -> one broker refresh, retried, then the redirect followed', !r.isError && r.structuredContent?.content === '# My drive\n' &&
    after === before + 1 && seen.map((x) => x.path.replace(/\/_download\/.*/, '/_download')).join(' ') ===
    '/me/drive/items/01README /me/drive/items/01README/content /me/drive/items/01README/content /_download', { r, seen: seen.map((x) => x.path), before, after });
}
// ---- failures of the pre-authenticated URLs (no token there: mapped from their own answers)
await json(`${graph}/_fail`, { path: '^/_download/', status: 404, code: 'itemNotFound', message: 'The download URL expired.' });
r = await call('download', { item_id: '01README' });
await drain(graph);
check('download: the redirect target failing -> a clear error with Graph\'s message', r.isError === true && /download URL/.test(text(r)) &&
  /404/.test(text(r)) && /expired/.test(text(r)), text(r));
await json(`${graph}/_fail`, { path: '^/_upload/', method: 'PUT', status: 503, code: 'serviceNotAvailable', retry_after: 4 });
r = await call('upload', { name: 'big2.bin', content: bigBytes.toString('base64'), encoding: 'base64' });
await sleep(300);
seen = await drain(graph);
check('upload session: a throttled fragment (503 + Retry-After) -> the retry time in the text, the session cancelled', r.isError === true &&
  /503/.test(text(r)) && /4 seconds/.test(text(r)) && /Fragment at byte 0/.test(text(r)) &&
  seen.some((x) => x.method === 'DELETE' && /^\/_upload\//.test(x.path)), { r: text(r), seen: seen.map((x) => [x.method, x.path, x.auth]) });
await json(`${graph}/_fail`, { path: '^/_monitor/', status: 500, code: 'generalException', message: 'Monitor broke.' });
r = await call('copy', { item_id: '01README', new_name: 'README copy.md' });
await drain(graph);
check('copy: the monitor failing -> a clear error', r.isError === true && /progress/.test(text(r)) && /500/.test(text(r)) && /Monitor broke/.test(text(r)), text(r));

// ---- hostile arguments: refused before any upstream call
const hostile = [
  ['list_children', { path: '/' + 'a'.repeat(500) }, /path/],
  ['list_children', { path: '/Documents/../secret' }, /path/],
  ['list_children', { item_id: '01DOCS/../x' }, /item_id/],
  ['list_children', { top: 0 }, /top/],
  ['list_children', { top: 1000 }, /top/],
  ['list_children', { select: ['password'] }, /select/],
  ['list_children', { item_id: '01DOCS', path: '/Documents' }, /not both/],
  ['get_item', { item_id: 'x', extra: 1 }, /extra|additional/i],
  ['search', { query: 'x'.repeat(300) }, /query/],
  ['search', {}, /query/],
  ['download', {}, /item_id|path/],
  ['download', { item_id: '01REPORT', max_bytes: 20 * MiB }, /max_bytes/],
  ['upload', { name: 'a/b.txt', content: 'x' }, /name/],
  ['upload', { name: 'a.txt', content: 'x', conflict_behavior: 'overwrite' }, /conflict_behavior/],
  ['create_folder', { name: 'bad:name' }, /name/],
  ['create_folder', { name: '..' }, /name/],
  ['create_share_link', { item_id: '01README', expiration: 'tomorrow' }, /expiration/],
  ['move_or_rename', { item_id: '01REPORT', new_name: 'x'.repeat(300) }, /new_name/],
  ['copy', { item_id: '01REPORT', new_name: 'a/b' }, /new_name/],
  ['upload', { parent_path: '/Documents/./x', name: 'a.txt', content: 'x' }, /parent_path/],
  ['upload', { name: 'a.txt', content: 'x'.repeat(14 * MiB) }, /content|too large|body/i],
];
for (const [tool, args, re] of hostile) {
  r = await call(tool, args).catch((e) => ({ isError: true, content: [{ type: 'text', text: String(e.message) }] }));
  const sent = await drain(graph);
  check(`hostile ${tool} ${JSON.stringify(args).slice(0, 60)} -> refused, nothing sent`, r.isError === true && re.test(text(r)) && sent.length === 0, { r: text(r), sent: sent.length });
}

// ---- 401 -> one refresh through the broker, retry with the new token
if (fakeBroker) {
  const before = (await json(`${brokerUrl}/_stats`)).token_refresh;
  await json(`${brokerUrl}/_set`, { id: inst.id, access_token: `${inst.access_token}-2` });
  await json(`${graph}/_token`, { token: `${inst.access_token}-2` });
  r = await call('get_item', { item_id: '01DOCS' });
  seen = await drain(graph);
  const after = (await json(`${brokerUrl}/_stats`)).token_refresh;
  check('401 -> broker refresh once -> retried with the new token, invisible to the client', !r.isError && after === before + 1 && seen.length === 2 &&
    seen[0].auth === bearer && seen[1].auth === `Bearer ${inst.access_token}-2`, { r, seen, before, after });
  await json(`${graph}/_token`, { token: 'revoked-elsewhere' });
  r = await call('list_children', {});
  seen = await drain(graph);
  check('401 again after the refresh -> re-authorize error with the URL', r.isError === true && /re-authorize/i.test(text(r)) && text(r).includes(REAUTH) && seen.length === 2, { r: text(r), seen: seen.length });
}
await client.close();
done();
