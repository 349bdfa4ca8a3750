// googledrive-test.mjs - the official SDK client drives mcp-googledrive against fake-googledrive.mjs (Google Drive API
// v3) and the broker: every tool, the requests Drive saw (method, path, query, body, bearer token, fields), paging by
// pageToken, exports, multipart and resumable uploads (308 + Range, a short chunk resumed from Range), the error
// mapping (401 refresh and re-authorize, 403 scope, 403 usage limits and 429 with Retry-After, 404 naming the id,
// 403 reasons that are no scope), hostile arguments refused before any upstream call, and the fake's own fidelity.
// Usage: node googledrive-test.mjs <mcp base> <broker url> <broker config.json> <api base>
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { check, connect, done, drain, json, text } from './svc-harness.mjs';

const [base, brokerUrl, cfgPath, api] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
const inst = cfg.instances.find((i) => i.id === 'inst-active');
const bearer = `Bearer ${inst.access_token}`;
const realBroker = process.env.BROKER_IS_REAL === '1';
const AUTH_URL = 'http://127.0.0.1/authorize/inst-active';
if (!realBroker) await json(`${brokerUrl}/_set`, { id: inst.id, authorize_url: AUTH_URL });
const client = await connect(base, inst.id, inst.key);
await drain(api);
const call = (name, args = {}) => client.callTool({ name, arguments: args });
const one = async () => { const r = await drain(api); return r.length === 1 ? r[0] : { count: r.length, r }; };
const stored = (id) => json(`${api}/_file/${id}`);
const md5 = (b) => createHash('md5').update(b).digest('hex');
const short = (x) => JSON.stringify(x).slice(0, 1500);

// ---- tools/list
const { tools } = await client.listTools();
const by = Object.fromEntries(tools.map((t) => [t.name, t]));
const names = ['search_files', 'list_folder', 'get_file_metadata', 'read_file', 'upload_file', 'create_folder', 'move_file', 'copy_file',
  'rename_file', 'trash_file', 'share_file', 'list_permissions', 'get_storage_quota'];
check('tools/list: the 13 Drive tools', tools.length === 13 && names.every((n) => by[n]), Object.keys(by));
check('tools/list: closed input schemas, output schemas', tools.every((t) => !t.inputSchema.properties || t.inputSchema.additionalProperties === false) &&
  tools.every((t) => t.outputSchema?.type === 'object'));
check('annotations: reads read-only, trash destructive+idempotent, share/upload/copy not idempotent, all open-world',
  ['search_files', 'list_folder', 'get_file_metadata', 'read_file', 'list_permissions', 'get_storage_quota'].every((n) => by[n].annotations?.readOnlyHint === true) &&
  by.trash_file.annotations?.destructiveHint === true && by.trash_file.annotations?.idempotentHint === true &&
  ['share_file', 'upload_file', 'copy_file', 'create_folder'].every((n) => by[n].annotations?.idempotentHint === false && by[n].annotations?.readOnlyHint === false) &&
  by.rename_file.annotations?.idempotentHint === true && tools.every((t) => t.annotations?.openWorldHint === true), by.trash_file.annotations);
check('schemas carry the real limits', by.search_files.inputSchema.properties.page_size.maximum === 1000 && by.list_permissions.inputSchema.properties.page_size.maximum === 100 &&
  by.upload_file.inputSchema.properties.content_base64.maxLength === 22369624 && by.share_file.inputSchema.properties.role.enum.length === 5 &&
  !by.share_file.inputSchema.properties.role.enum.includes('owner'));

// ---- search_files: helpers, paging
let r = await call('search_files', { name_contains: 'Report', in_folder: 'fld-reports', page_size: 5 });
let q = await one();
check('search_files: GET /drive/v3/files with the helpers as one q, pageSize, fields and the broker token',
  q.method === 'GET' && q.path === '/drive/v3/files' && q.query.q === "name contains 'Report' and 'fld-reports' in parents and trashed = false" &&
  q.query.pageSize === '5' && q.query.supportsAllDrives === 'true' && q.query.includeItemsFromAllDrives === 'true' && /^nextPageToken,incompleteSearch,files\(id,name,mimeType,size,modifiedTime,parents,trashed,webViewLink\)$/.test(q.query.fields) && q.auth === bearer, q);
check('search_files: first page of 5 with next_cursor in text and structuredContent', !r.isError && r.structuredContent?.files?.length === 5 &&
  r.structuredContent.files[0].name === 'Report 1.pdf' && r.structuredContent.files[0].size === 17 && r.structuredContent.files[0].kind === 'file' &&
  typeof r.structuredContent.next_cursor === 'string' && text(r).includes(`cursor=${r.structuredContent.next_cursor}`) && /Report 1\.pdf \(id rep-01\)/.test(text(r)), short(r));
let cur = r.structuredContent?.next_cursor;
r = await call('search_files', { name_contains: 'Report', in_folder: 'fld-reports', page_size: 5, cursor: cur });
q = await one();
check('search_files: cursor -> pageToken, the next 5', q.query?.pageToken === cur && r.structuredContent?.files?.[0]?.name === 'Report 3.pdf' && r.structuredContent?.files?.length === 5, short({ q, s: r.structuredContent }));
r = await call('search_files', { name_contains: 'Report', in_folder: 'fld-reports', page_size: 5, cursor: r.structuredContent?.next_cursor ?? 'x' });
await drain(api);
check('search_files: last page, 12 reports in all, no next_cursor, trashed one left out', r.structuredContent?.files?.length === 2 && !('next_cursor' in r.structuredContent) &&
  !JSON.stringify(r.structuredContent).includes('Old report'), short(r));
r = await call('search_files', { name_contains: "Notes 'quoted'", mime_type: 'text/plain', modified_after: '2024-01-01' });
q = await one();
check("search_files: quotes escaped as \\', mime type, a date as UTC midnight", q.query?.q === "name contains 'Notes \\'quoted\\'' and mimeType = 'text/plain' and modifiedTime > '2024-01-01T00:00:00Z' and trashed = false" &&
  r.structuredContent?.files?.length === 1 && r.structuredContent.files[0].id === 'txt-notes', short({ q, r }));
r = await call('search_files', { q: "fullText contains 'milestones' or name = 'Budget 2024'", modified_after: '2024-06-01T00:00:00+02:00' });
q = await one();
check('search_files: a raw q is one parenthesised term of the conjunction', q.query?.q === "(fullText contains 'milestones' or name = 'Budget 2024') and modifiedTime > '2024-06-01T00:00:00+02:00' and trashed = false" &&
  r.structuredContent?.count === 2 && r.structuredContent.files.some((f) => f.kind === 'Google Doc'), short({ q, r }));
r = await call('search_files', { name_contains: 'Old', include_trashed: true });
q = await one();
check('search_files: include_trashed drops the trashed filter', q.query?.q === "name contains 'Old'" && r.structuredContent?.files?.[0]?.trashed === true && /in trash/.test(text(r)), short({ q, r }));
r = await call('search_files', { q: "name contains 'x' and and" });
q = await one();
check("search_files: a malformed q -> Google's 400 Invalid Value in the tool error", r.isError === true && /400/.test(text(r)) && /Invalid Value/.test(text(r)) && q.method === 'GET', short(r));
r = await call('search_files', { q: "fullText contains 'plan'", order_by: 'modifiedTime desc' });
check("search_files: orderBy with fullText -> Google's 400 message", r.isError === true && /Sorting is not supported/.test(text(r)) && (await one()).query?.orderBy === 'modifiedTime desc', short(r));

// ---- list_folder
r = await call('list_folder');
q = await one();
check("list_folder: root by default, folders first ('root' in parents, orderBy folder,name, pageSize 100)", q.query?.q === "'root' in parents and trashed = false" &&
  q.query.orderBy === 'folder,name' && q.query.pageSize === '100' && /files\(/.test(q.query.fields) && r.structuredContent?.files?.[0]?.kind === 'folder' &&
  r.structuredContent.files.some((f) => f.id === 'doc-plan') && /^Folder root: \d+ files\./.test(text(r)), short({ q, r }));
r = await call('list_folder', { folder_id: 'fld-reports', page_size: 3, order_by: 'name desc' });
q = await one();
check('list_folder: a folder, its page size and order', q.query?.q === "'fld-reports' in parents and trashed = false" && q.query.orderBy === 'name desc' &&
  r.structuredContent?.files?.length === 3 && typeof r.structuredContent.next_cursor === 'string', short({ q, r }));

// ---- get_file_metadata
r = await call('get_file_metadata', { file_id: 'doc-plan' });
q = await one();
check('get_file_metadata: GET /files/{id} with fields incl. owners, supportsAllDrives', q.path === '/drive/v3/files/doc-plan' && q.query.supportsAllDrives === 'true' && /owners\(displayName,emailAddress\)/.test(q.query.fields) &&
  r.structuredContent?.kind === 'Google Doc' && r.structuredContent.owners?.[0] === 'me@example.com' && r.structuredContent.description === 'The plan' &&
  /Owners: me@example\.com/.test(text(r)) && /Link: https:\/\/drive\.google\.com/.test(text(r)), short({ q, r }));
r = await call('get_file_metadata', { file_id: 'nope123' });
check('404 -> not found naming the id', r.isError === true && /404/.test(text(r)) && /File not found: nope123/.test(text(r)), short(r));
await drain(api);

r = await call('search_files', { name_contains: 'Team' });
await drain(api);
check('search_files: shared-drive items are listed (includeItemsFromAllDrives + supportsAllDrives)', r.structuredContent?.files?.some((f) => f.id === 'sd-roadmap'), short(r));
r = await call('get_file_metadata', { file_id: 'sd-roadmap' });
await drain(api);
check('get_file_metadata: a shared-drive file (supportsAllDrives)', !r.isError && r.structuredContent?.name === 'Team roadmap', short(r));

// ---- read_file
r = await call('read_file', { file_id: 'doc-plan' });
let seen = await drain(api);
check('read_file: a Google Doc -> metadata, then files.export as markdown', seen.length === 2 && seen[0].query.fields === 'id,name,mimeType,size' &&
  seen[1].path === '/drive/v3/files/doc-plan/export' && seen[1].query.mimeType === 'text/markdown' && !r.isError &&
  r.structuredContent?.content?.startsWith('# Project plan') && r.structuredContent.exported_as === 'text/markdown' && /café launch/.test(text(r)), short({ seen, r }));
r = await call('read_file', { file_id: 'doc-plan', format: 'text' });
seen = await drain(api);
check('read_file: format text -> text/plain export', seen[1]?.query?.mimeType === 'text/plain' && r.structuredContent?.content?.startsWith('Project plan'), short({ seen, r }));
r = await call('read_file', { file_id: 'sheet-budget' });
seen = await drain(api);
check('read_file: a Sheet -> CSV', seen[1]?.query?.mimeType === 'text/csv' && r.structuredContent?.content === 'item,amount\nrent,1200\nfood,300\n', short({ seen, r }));
r = await call('read_file', { file_id: 'slides-deck' });
seen = await drain(api);
check('read_file: Slides -> text/plain', seen[1]?.query?.mimeType === 'text/plain' && /Agenda/.test(r.structuredContent?.content ?? ''), short(r));
r = await call('read_file', { file_id: 'sheet-budget', format: 'markdown' });
seen = await drain(api);
check('read_file: a Sheet as markdown is refused after the metadata, no export', r.isError === true && /csv/.test(text(r)) && seen.length === 1, short({ r, seen }));
r = await call('read_file', { file_id: 'form-survey' });
seen = await drain(api);
check('read_file: a Google Form cannot be read', r.isError === true && /cannot be read/.test(text(r)) && seen.length === 1, short(r));
r = await call('read_file', { file_id: 'doc-huge' });
seen = await drain(api);
check('read_file: 403 exportSizeLimitExceeded -> the 10 MB export limit, not a usage limit', r.isError === true && /10 MB/.test(text(r)) && /exportSizeLimitExceeded/.test(text(r)) &&
  !/usage limit/i.test(text(r)) && seen.length === 2, short(r));
r = await call('read_file', { file_id: 'txt-notes' });
seen = await drain(api);
check('read_file: a text file via alt=media, as text', seen[1]?.query?.alt === 'media' && seen[1].path === '/drive/v3/files/txt-notes' && r.structuredContent?.encoding === 'text' &&
  /ünïcode/.test(r.structuredContent.content) && r.structuredContent.truncated === false, short({ seen, r }));
r = await call('read_file', { file_id: 'txt-notes', max_chars: 10 });
await drain(api);
check('read_file: cut at max_chars characters', r.structuredContent?.content === 'Meeting no' && r.structuredContent.truncated === true && /truncated/.test(text(r)), short(r));
r = await call('read_file', { file_id: 'bin-logo' });
await drain(api);
check('read_file: a binary file as base64', r.structuredContent?.encoding === 'base64' && Buffer.from(r.structuredContent.content_base64, 'base64').equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 255])) &&
  /binary/.test(text(r)), short(r));
r = await call('read_file', { file_id: 'bin-big' });
seen = await drain(api);
check('read_file: a 6 MiB file is refused from its metadata size, nothing downloaded', r.isError === true && /6291456 bytes/.test(text(r)) && /5 MiB/.test(text(r)) && seen.length === 1, short({ r, seen }));

// ---- upload_file: multipart
r = await call('upload_file', { name: 'hello.txt', folder_id: 'fld-reports', content_text: 'Hallo Welt — ü\n', description: 'greeting' });
q = await one();
check('upload_file: multipart/related to /upload/drive/v3/files?uploadType=multipart, the metadata part first', q.method === 'POST' && q.path === '/upload/drive/v3/files' &&
  q.query.uploadType === 'multipart' && q.query.supportsAllDrives === 'true' && /^multipart\/related; boundary=/.test(q.contentType) && q.body?.metadata?.name === 'hello.txt' &&
  q.body.metadata.parents?.[0] === 'fld-reports' && q.body.metadata.description === 'greeting' && q.body.media_type === 'text/plain; charset=UTF-8' &&
  q.query.fields === 'id,name,mimeType,size,modifiedTime,parents,trashed,webViewLink' && q.auth === bearer, short(q));
let st = r.structuredContent?.id ? await stored(r.structuredContent.id) : {};
check('upload_file: the file stored with its bytes', !r.isError && st.name === 'hello.txt' && Buffer.from(st.content_head, 'base64').toString('utf8') === 'Hallo Welt — ü\n' && /Uploaded/.test(text(r)), short({ r, st }));
const bin = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 31) & 0xff));
r = await call('upload_file', { name: 'data.bin', content_base64: bin.toString('base64'), mime_type: 'application/x-test' });
q = await one();
st = r.structuredContent?.id ? await stored(r.structuredContent.id) : {};
check('upload_file: base64 content, its MIME type in part and metadata, bytes intact', q.body?.media_type === 'application/x-test' && q.body.metadata.mimeType === 'application/x-test' &&
  st.content_md5 === md5(bin) && st.mimeType === 'application/x-test', short({ q, st }));

// ---- upload_file: resumable (above 5 MiB)
const big = Buffer.alloc(6 * 1024 * 1024 + 123);
for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 9)) & 0xff;
const gdProgress = [];
r = await client.callTool({ name: 'upload_file', arguments: { name: 'big.bin', content_base64: big.toString('base64') } }, undefined,
  { onprogress: (p) => gdProgress.push([p.progress, p.total]) });
check('upload_file: notifications/progress per chunk (bytes Google kept of the total)', JSON.stringify(gdProgress) === JSON.stringify([[0, big.length], [4194304, big.length]]), JSON.stringify(gdProgress));
seen = await drain(api);
st = r.structuredContent?.id ? await stored(r.structuredContent.id) : {};
check('upload_file: above 5 MiB -> resumable: POST uploadType=resumable with the metadata and X-Upload-Content-*', seen[0]?.method === 'POST' && seen[0].query.uploadType === 'resumable' &&
  seen[0].body?.name === 'big.bin' && seen[0].xUpload[0] === 'application/octet-stream' && seen[0].xUpload[1] === String(big.length) && seen[0].auth === bearer, short(seen[0]));
check('upload_file: PUT chunks of 4 MiB (a multiple of 256 KiB) to the session URI with Content-Range, 308 then 200',
  seen.length === 3 && seen[1].method === 'PUT' && seen[1].query.upload_id && seen[1].contentRange === `bytes 0-4194303/${big.length}` &&
  seen[2].contentRange === `bytes 4194304-${big.length - 1}/${big.length}` && seen[2].auth === bearer, short(seen.slice(1)));
check('upload_file: the stored file is the whole content', !r.isError && st.content_length === big.length && st.content_md5 === md5(big), short({ r, st }));
await json(`${api}/_short`, { bytes: 1000 });
r = await call('upload_file', { name: 'big2.bin', content_base64: big.toString('base64'), folder_id: 'fld-archive' });
seen = await drain(api);
st = r.structuredContent?.id ? await stored(r.structuredContent.id) : {};
check('upload_file: Google kept only 1000 bytes of a chunk (Range: bytes=0-999) -> the next chunk starts at 1000',
  seen[2]?.contentRange === `bytes 1000-4195303/${big.length}` && seen[3]?.contentRange === `bytes 4195304-${big.length - 1}/${big.length}` &&
  st.content_md5 === md5(big) && st.parents?.[0] === 'fld-archive', short({ seen: seen.map((s) => s.contentRange), st }));
await json(`${api}/_fail`, { path: '^/upload/drive/v3/files$', method: 'PUT', status: 503 });
r = await call('upload_file', { name: 'big3.bin', content_base64: big.toString('base64') });
seen = await drain(api);
st = r.structuredContent?.id ? await stored(r.structuredContent.id) : {};
check('upload_file: a 503 on a chunk -> a status query (bytes */total), then the upload resumes from what was kept',
  !r.isError && seen.length === 5 && seen[2].contentRange === `bytes */${big.length}` && seen[2].bytes === 0 && seen[3].contentRange === `bytes 0-4194303/${big.length}` &&
  st.content_md5 === md5(big), short({ r, seen: seen.map((x) => x.contentRange) }));
await json(`${api}/_fail`, { path: '^/upload/drive/v3/files$', method: 'PUT', status: 503, times: 3 });
r = await call('upload_file', { name: 'big3.bin', content_base64: big.toString('base64') });
seen = await drain(api);
check('upload_file: 5xx on the chunk and on two status queries -> tool error saying how far it got', r.isError === true && /0 of 6291579 bytes/.test(text(r)) && /503/.test(text(r)) &&
  seen.length === 4, short({ r, seen: seen.map((x) => x.contentRange) }));

await json(`${api}/_location`, { url: 'http://evil.example/upload/drive/v3/files?upload_id=x' });
r = await call('upload_file', { name: 'big4.bin', content_base64: big.toString('base64') });
seen = await drain(api);
check('upload_file: a session URI off the upload base is not followed (the token stays home)', r.isError === true && /session URI/.test(text(r)) && seen.length === 1, short({ r, seen }));

// ---- upload_file: bad input, nothing sent
for (const [args, re, what] of [[{ name: 'x', content_base64: '***' }, /content_base64/, 'bad base64'], [{ name: 'x' }, /exactly one/, 'no content'],
  [{ name: 'x', content_text: 'a', content_base64: 'YQ==' }, /exactly one/, 'both contents'], [{ name: 'a\nb', content_text: 'a' }, /name/, 'a newline in the name'],
  [{ name: 'x', content_text: 'a', folder_id: '../about' }, /folder_id/, 'a path as folder_id']]) {
  r = await call('upload_file', args);
  check(`upload_file: ${what} -> tool error, nothing upstream`, r.isError === true && re.test(text(r)) && (await drain(api)).length === 0, short(r));
}

// ---- create_folder, move, copy, rename, trash
r = await call('create_folder', { name: 'Q3', parent_id: 'fld-reports' });
q = await one();
check('create_folder: POST /drive/v3/files with the folder MIME type and parent', q.method === 'POST' && q.path === '/drive/v3/files' && q.body?.mimeType === 'application/vnd.google-apps.folder' &&
  q.body.name === 'Q3' && q.body.parents?.[0] === 'fld-reports' && q.query.fields && r.structuredContent?.kind === 'folder' && /Created folder/.test(text(r)), short({ q, r }));
const q3 = r.structuredContent?.id;
r = await call('move_file', { file_id: 'txt-notes', to_folder_id: 'fld-archive' });
seen = await drain(api);
check('move_file: its parents looked up, then PATCH addParents / removeParents', seen.length === 2 && seen[0].query.fields === 'id,parents' && seen[1].method === 'PATCH' &&
  seen[1].query.addParents === 'fld-archive' && seen[1].query.removeParents === 'root-id' && r.structuredContent?.parents?.[0] === 'fld-archive' && r.structuredContent.parents.length === 1, short({ seen, r }));
r = await call('move_file', { file_id: 'txt-notes', to_folder_id: q3 ?? 'x', from_folder_id: 'fld-archive' });
q = await one();
check('move_file: from_folder_id -> one PATCH', q.method === 'PATCH' && q.query.removeParents === 'fld-archive' && q.query.addParents === q3 && r.structuredContent?.parents?.[0] === q3, short({ q, r }));
r = await call('copy_file', { file_id: 'doc-plan', name: 'Plan copy', folder_id: 'fld-archive' });
q = await one();
check('copy_file: POST /files/{id}/copy with name and parents', q.method === 'POST' && q.path === '/drive/v3/files/doc-plan/copy' && q.body?.name === 'Plan copy' &&
  q.body.parents?.[0] === 'fld-archive' && r.structuredContent?.name === 'Plan copy' && r.structuredContent.id !== 'doc-plan', short({ q, r }));
r = await call('copy_file', { file_id: 'fld-reports' });
await drain(api);
check('copy_file: a folder -> 403 cannotCopyFile named as such, no scope blamed', r.isError === true && /cannotCopyFile/.test(text(r)) && /cannot be copied/.test(text(r)) && !/scope/i.test(text(r)), short(r));
r = await call('rename_file', { file_id: 'sheet-budget', new_name: 'Budget 2025' });
q = await one();
check('rename_file: PATCH {name}', q.method === 'PATCH' && q.path === '/drive/v3/files/sheet-budget' && JSON.stringify(q.body) === '{"name":"Budget 2025"}' && r.structuredContent?.name === 'Budget 2025', short({ q, r }));
r = await call('trash_file', { file_id: 'rep-12' });
q = await one();
check('trash_file: PATCH {trashed: true}', q.method === 'PATCH' && JSON.stringify(q.body) === '{"trashed":true}' && r.structuredContent?.trashed === true && /trash/.test(text(r)), short({ q, r }));

// ---- share_file, list_permissions
r = await call('share_file', { file_id: 'doc-plan', role: 'writer', type: 'user', email_address: 'bob@example.com', email_message: 'Have a look' });
q = await one();
check('share_file: permissions.create with role, type, emailAddress, sendNotificationEmail and the message', q.method === 'POST' && q.path === '/drive/v3/files/doc-plan/permissions' &&
  q.query.sendNotificationEmail === 'true' && q.query.emailMessage === 'Have a look' && q.body?.role === 'writer' && q.body.type === 'user' && q.body.emailAddress === 'bob@example.com' &&
  /emailAddress/.test(q.query.fields) && r.structuredContent?.email_address === 'bob@example.com' && /notification email sent/.test(text(r)), short({ q, r }));
r = await call('share_file', { file_id: 'doc-plan', role: 'commenter', type: 'group', email_address: 'team@example.com', send_notification_email: false });
q = await one();
check('share_file: send_notification_email false', q.query?.sendNotificationEmail === 'false' && !('emailMessage' in q.query) && !r.isError, short(q));
r = await call('share_file', { file_id: 'doc-plan', role: 'reader', type: 'anyone' });
q = await one();
check('share_file: anyone with the link, no notification parameter', !('sendNotificationEmail' in (q.query ?? {})) && JSON.stringify(q.body) === '{"role":"reader","type":"anyone"}' && r.structuredContent?.type === 'anyone', short(q));
r = await call('share_file', { file_id: 'doc-plan', role: 'reader', type: 'domain', domain: 'example.com' });
q = await one();
check('share_file: a domain', q.body?.domain === 'example.com' && r.structuredContent?.domain === 'example.com', short(q));
for (const [args, what] of [[{ file_id: 'doc-plan', role: 'reader', type: 'user' }, 'a user without email_address'], [{ file_id: 'doc-plan', role: 'reader', type: 'domain' }, 'a domain without domain'],
  [{ file_id: 'doc-plan', role: 'owner', type: 'user', email_address: 'a@example.com' }, 'role owner'], [{ file_id: 'doc-plan', role: 'reader', type: 'user', email_address: 'not an email' }, 'a bad email'],
  [{ file_id: 'doc-plan', role: 'reader', type: 'anyone', email_message: 'hi' }, 'a message without a notification']]) {
  r = await call('share_file', args);
  check(`share_file: ${what} -> tool error, nothing upstream`, r.isError === true && (await drain(api)).length === 0, short(r));
}
r = await call('list_permissions', { file_id: 'doc-plan', page_size: 2 });
q = await one();
check('list_permissions: GET /files/{id}/permissions with pageSize and fields', q.path === '/drive/v3/files/doc-plan/permissions' && q.query.pageSize === '2' &&
  q.query.fields === 'nextPageToken,permissions(id,type,role,emailAddress,domain,displayName)' && r.structuredContent?.permissions?.[0]?.role === 'owner' &&
  r.structuredContent.count === 2 && typeof r.structuredContent.next_cursor === 'string' && /owner user me@example\.com/.test(text(r)), short({ q, r }));
r = await call('list_permissions', { file_id: 'doc-plan', page_size: 100, cursor: r.structuredContent?.next_cursor ?? 'x' });
q = await one();
check('list_permissions: the next page by cursor', typeof q.query?.pageToken === 'string' && r.structuredContent?.count === 3 && !('next_cursor' in r.structuredContent), short(r));

// ---- get_storage_quota
r = await call('get_storage_quota');
q = await one();
check('get_storage_quota: about.get with fields=storageQuota,user(...)', q.path === '/drive/v3/about' && !('supportsAllDrives' in q.query) && q.query.fields === 'storageQuota,user(displayName,emailAddress)' &&
  r.structuredContent?.limit === 16106127360 && r.structuredContent.email_address === 'me@example.com' && r.structuredContent.unlimited === false &&
  typeof r.structuredContent.usage_in_drive === 'number' && /15\.00 GiB/.test(text(r)), short({ q, r }));

// ---- error mapping
await json(`${api}/_fail`, { path: '^/drive/v3/files$', status: 403, reason: 'insufficientPermissions', www_authenticate: 'Bearer error="insufficient_scope", scope="https://www.googleapis.com/auth/drive.metadata.readonly"' });
r = await call('list_folder');
check('403 insufficientPermissions -> missing scope named, with the re-authorize URL', r.isError === true && /Missing scope/.test(text(r)) && /drive\.metadata\.readonly/.test(text(r)) &&
  (realBroker || text(r).includes(AUTH_URL)), text(r));
await json(`${api}/_fail`, { path: '/permissions$', method: 'POST', status: 403, reason: 'insufficientPermissions' });
r = await call('share_file', { file_id: 'doc-plan', role: 'reader', type: 'anyone' });
check('403 on share_file names the drive scope', r.isError === true && /auth\/drive \(drive\.file/.test(text(r)), text(r));
await json(`${api}/_fail`, { path: '^/drive/v3/about$', status: 403, reason: 'userRateLimitExceeded', message: 'User Rate Limit Exceeded', retry_after: 9 });
r = await call('get_storage_quota');
check('403 userRateLimitExceeded -> usage limit with Retry-After, no scope', r.isError === true && /usage limit/.test(text(r)) && /9 seconds/.test(text(r)) && !/scope/i.test(text(r)), text(r));
await json(`${api}/_fail`, { path: '^/drive/v3/about$', status: 403, reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded' });
r = await call('get_storage_quota');
check('403 rateLimitExceeded -> usage limit', r.isError === true && /usage limit/.test(text(r)) && /rateLimitExceeded/.test(text(r)), text(r));
await json(`${api}/_fail`, { path: '^/drive/v3/files/doc-plan$', status: 429, retry_after: 5 });
r = await call('get_file_metadata', { file_id: 'doc-plan' });
check('429 -> rate limited, retry after 5 seconds', r.isError === true && /429/.test(text(r)) && /5 seconds/.test(text(r)), text(r));
await json(`${api}/_fail`, { path: '^/drive/v3/files/txt-notes$', status: 403, reason: 'insufficientFilePermissions', message: 'The user does not have sufficient permissions for this file.' });
r = await call('rename_file', { file_id: 'txt-notes', new_name: 'n' });
check('403 insufficientFilePermissions -> the file access, not a scope', r.isError === true && /insufficientFilePermissions/.test(text(r)) && !/Missing scope/.test(text(r)), text(r));
await drain(api);

// ---- hostile arguments: refused before any upstream call
for (const [tool, args, re, what] of [
  ['search_files', { q: 'x'.repeat(3000) }, /q/, 'a 3000-character q'],
  ['search_files', { page_size: 1001 }, /page_size/, 'page_size 1001'],
  ['search_files', { modified_after: 'yesterday' }, /modified_after/, 'a date that is not RFC 3339'],
  ['search_files', { modified_after: '2024-13-01T00:00:00Z' }, /modified_after/, 'month 13'],
  ['search_files', { mime_type: "text/plain' or name contains 'x" }, /mime_type/, 'an injected MIME type'],
  ['search_files', { name_contains: 'a\u0001b' }, /name_contains/, 'a control character'],
  ['search_files', { cursor: 'has space' }, /cursor/, 'a cursor with a space'],
  ['search_files', { order_by: 'name; drop' }, /order_by/, 'a bad order_by'],
  ['search_files', { unknown: 1 }, /unknown/, 'an unknown argument'],
  ['get_file_metadata', { file_id: '../about' }, /file_id/, 'a path as file_id'],
  ['get_file_metadata', { file_id: 'a'.repeat(300) }, /file_id/, 'a 300-character id'],
  ['get_file_metadata', {}, /file_id/, 'a missing file_id'],
  ['read_file', { file_id: 'doc-plan', format: 'pdf' }, /format/, 'format pdf'],
  ['read_file', { file_id: 'doc-plan', max_chars: 0 }, /max_chars/, 'max_chars 0'],
  ['rename_file', { file_id: 'doc-plan', new_name: 'x'.repeat(2000) }, /new_name/, 'a 2000-character name'],
  ['list_permissions', { file_id: 'doc-plan', page_size: 101 }, /page_size/, 'permissions page_size 101'],
  ['upload_file', { name: 'x', content_text: 'y'.repeat(1000001) }, /content_text/, 'content_text above 1,000,000 characters'],
]) {
  r = await call(tool, args);
  check(`${tool}: ${what} -> tool error naming the argument, nothing upstream`, r.isError === true && re.test(text(r)) && (await drain(api)).length === 0, short(r));
}

// ---- the fake's fidelity (what the service relies on is what Google does)
{
  const get = (path) => fetch(`${api}${path}`, { headers: { authorization: bearer } }).then(async (x) => ({ status: x.status, headers: x.headers, body: await x.text() }));
  let x = await get('/drive/v3/files/doc-plan');
  check('fake: no fields -> only kind, id, name, mimeType', x.status === 200 && JSON.stringify(Object.keys(JSON.parse(x.body)).sort()) === '["id","kind","mimeType","name"]', x.body);
  x = await get('/drive/v3/files/doc-plan?fields=files(id');
  check('fake: a malformed fields -> 400 Invalid field selection', x.status === 400 && /Invalid field selection/.test(x.body), x.body);
  x = await get('/drive/v3/files?pageSize=0');
  check('fake: pageSize 0 -> 400', x.status === 400 && /\[1, 1000\]/.test(x.body), x.body);
  x = await get(`/drive/v3/files?q=${encodeURIComponent("name = 'a")}`);
  const e = JSON.parse(x.body).error;
  check("fake: an unterminated string in q -> Google's 400 body (Invalid Value, reason invalid, location q)", x.status === 400 && e.message === 'Invalid Value' && e.errors[0].reason === 'invalid' && e.errors[0].location === 'q', x.body);
  x = await get('/drive/v3/about');
  check('fake: about without fields -> 400', x.status === 400 && /fields/.test(x.body), x.body);
  x = await get('/drive/v3/files/doc-plan?alt=media');
  check('fake: alt=media on a Google Doc -> 403 fileNotDownloadable', x.status === 403 && /fileNotDownloadable/.test(x.body), x.body);
  x = await get('/drive/v3/files/doc-plan/export?mimeType=text/csv');
  check('fake: an export type the source does not offer -> 400', x.status === 400, x.body);
  const post = (path, headers, body, method = 'POST') => fetch(`${api}${path}`, { method, headers: { authorization: bearer, ...headers }, body }).then(async (y) => ({ status: y.status, headers: y.headers, body: await y.text() }));
  x = await post('/upload/drive/v3/files?uploadType=multipart', { 'content-type': 'multipart/related; boundary=b' }, '--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Type: application/json\r\n\r\n{}\r\n--b--');
  check('fake: multipart with the media part first -> 400', x.status === 400 && /metadata/.test(x.body), x.body);
  x = await post('/upload/drive/v3/files?uploadType=resumable', { 'content-type': 'application/json', 'x-upload-content-length': '600000' }, '{"name":"r"}');
  const loc = x.headers.get('location');
  check('fake: resumable initiation -> 200 with a session URI', x.status === 200 && /upload_id=/.test(loc ?? ''), loc);
  const sess = loc.slice(loc.indexOf('/upload/'));
  x = await post(sess, { 'content-range': 'bytes 0-99999/600000' }, Buffer.alloc(100000), 'PUT');
  check('fake: a chunk that is no multiple of 256 KiB (and not the last) -> 400', x.status === 400 && /256 KiB/.test(x.body), x.body);
  x = await post(sess, { 'content-range': 'bytes 0-262143/600000' }, Buffer.alloc(262144), 'PUT');
  check('fake: a 256 KiB chunk -> 308 with Range bytes=0-262143', x.status === 308 && x.headers.get('range') === 'bytes=0-262143', x.status);
  x = await post(sess, { 'content-range': 'bytes */600000' }, undefined, 'PUT');
  check('fake: a status query -> 308 with the Range kept', x.status === 308 && x.headers.get('range') === 'bytes=0-262143', x.status);
  await drain(api);
}

// ---- 401 -> one refresh through the broker, retried with the new token; then re-authorize
if (!realBroker) {
  const before = (await json(`${brokerUrl}/_stats`)).token_refresh;
  await json(`${brokerUrl}/_set`, { id: inst.id, access_token: `${inst.access_token}-2` });
  await json(`${api}/_token`, { token: `${inst.access_token}-2` });
  r = await call('get_storage_quota');
  seen = await drain(api);
  const after = (await json(`${brokerUrl}/_stats`)).token_refresh;
  check('401 -> one broker refresh -> retried with the new token', !r.isError && after === before + 1 && seen.length === 2 && seen[0].auth === bearer &&
    seen[1].auth === `Bearer ${inst.access_token}-2`, short({ r, seen, before, after }));
  await json(`${api}/_token`, { token: 'revoked-elsewhere' });
  r = await call('get_storage_quota');
  seen = await drain(api);
  check('401 again after the refresh -> re-authorize at the instance URL', r.isError === true && /re-authorize/i.test(text(r)) && text(r).includes(AUTH_URL) && seen.length === 2, short({ r, seen }));
}
const reauth = cfg.instances.find((i) => i.id === 'inst-reauth');
let refused = '';
try {
  const other = await connect(base, reauth.id, reauth.key);
  const rr = await other.callTool({ name: 'get_storage_quota', arguments: {} });
  refused = rr.isError ? text(rr) : '';
  await other.close();
} catch (err) {
  refused = String(err);
}
check('an instance that needs re-authorization is refused with a pointer to its authorization', /authoriz/i.test(refused), refused);
await client.close();
done();
