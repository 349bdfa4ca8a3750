// fake-notion.mjs - a local Notion API (the subset mcp-notion uses, Notion-Version 2022-06-28) following the
// documented shapes (developers.notion.com/reference): POST /v1/search, GET/PATCH /v1/pages/{id}, POST /v1/pages,
// GET/PATCH /v1/blocks/{id}/children, GET /v1/databases/{id}, POST /v1/databases/{id}/query. Pages, databases and a
// block tree; the Notion-Version header required (400 missing_version); paging by start_cursor / page_size (1..100,
// else 400) with has_more / next_cursor; the request limits as 400 validation_error in Notion's words (more than 100
// children, text.content over 2,000 characters counted as JavaScript counts them, more than 100 rich_text objects,
// more than two levels of nesting in one request); 404 object_not_found (also for what is not shared), 401
// unauthorized, 403 restricted_resource, 429 rate_limited with Retry-After. Errors are
// {"object":"error","status","code","message","request_id"}.
// Usage: node fake-notion.mjs <accepted bearer token>; prints "fake-notion listening on 127.0.0.1:<port>" (PORT or
// a free port). With FAKE_TOKENINFO_URL a bearer is accepted while that endpoint knows it (fake-auth.mjs).
// filter_properties narrows the properties of GET /v1/pages/{id} and of a query's pages.
// Hooks: GET /_requests (method, path, query, filterProperties, body, auth, version, contentType), POST /_reset, POST /_token {token},
// POST /_fail {path (regex), method?, status, code?, message?, retry_after?, times?, skip?} (the next matching
// requests fail, after skip of them passed).
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { bearerAuth } from './fake-auth.mjs';

const auth = bearerAuth(process.argv[2] ?? 'notion-token');
let requests = [];
const failures = [];
const VERSION = '2022-06-28';
const T0 = '2026-01-01T10:00:00.000Z';
const id = (n) => `${String(n).padStart(8, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`;
const url = (i, title) => `https://www.notion.so/${(title ?? 'Untitled').replace(/\W+/g, '-')}-${i.replace(/-/g, '')}`;
const rt = (s, extra = {}) => ({ type: 'text', text: { content: s, link: extra.link ? { url: extra.link } : null },
  annotations: { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default', ...(extra.annotations ?? {}) },
  plain_text: s, href: extra.link ?? null });
const plain = (list) => (list ?? []).map((t) => t.plain_text ?? t.text?.content ?? '').join('');
const user = { object: 'user', id: id(900) };

export const PAGE = id(1), SUB = id(2), DB = id(3), NOTES = id(4), RESTRICTED = id(5), BIG = id(6);
const pages = new Map(), databases = new Map(), blocks = new Map(), children = new Map();
const withRich = (list) => (list ?? []).map((t) => (t.type === 'text' || t.text ? { ...rt(t.text.content, { link: t.text.link?.url, annotations: t.annotations }) } : { ...t, plain_text: t.plain_text ?? '' }));

function addPage(pid, title, parent, props = null) {
  const properties = props ?? { title: { id: 'title', type: 'title', title: [rt(title)] } };
  pages.set(pid, { object: 'page', id: pid, created_time: T0, last_edited_time: T0, created_by: user, last_edited_by: user,
    cover: null, icon: null, parent, archived: false, properties, url: url(pid, title) });
  children.set(pid, []);
}
let seq = 1000;
function addBlock(parentId, type, body = {}, kids = null) {
  const bid = id(seq++);
  const b = { object: 'block', id: bid, parent: pages.has(parentId) ? { type: 'page_id', page_id: parentId } : { type: 'block_id', block_id: parentId },
    created_time: T0, last_edited_time: T0, created_by: user, last_edited_by: user, has_children: false, archived: false, type, [type]: body };
  blocks.set(bid, b);
  children.set(bid, []);
  if (!children.has(parentId)) children.set(parentId, []);
  children.get(parentId).push(bid);
  if (blocks.has(parentId)) blocks.get(parentId).has_children = true;
  for (const k of kids ?? []) addBlock(bid, ...k);
  return bid;
}

// seeded workspace
addPage(PAGE, 'Project Plan', { type: 'workspace', workspace: true });
addBlock(PAGE, 'heading_1', { rich_text: [rt('Project Plan')], is_toggleable: false, color: 'default' });
addBlock(PAGE, 'paragraph', { rich_text: [rt('The plan is '), rt('important', { annotations: { bold: true } }), rt(': see '), rt('the docs', { link: 'https://example.com/docs' }), rt('.')], color: 'default' });
addBlock(PAGE, 'bulleted_list_item', { rich_text: [rt('First point')], color: 'default' }, [['bulleted_list_item', { rich_text: [rt('A nested point')], color: 'default' }]]);
addBlock(PAGE, 'bulleted_list_item', { rich_text: [rt('Second point')], color: 'default' });
addBlock(PAGE, 'numbered_list_item', { rich_text: [rt('Step one')], color: 'default' });
addBlock(PAGE, 'numbered_list_item', { rich_text: [rt('Step two')], color: 'default' });
addBlock(PAGE, 'to_do', { rich_text: [rt('Write the spec')], checked: true, color: 'default' });
addBlock(PAGE, 'to_do', { rich_text: [rt('Ship it')], checked: false, color: 'default' });
addBlock(PAGE, 'code', { rich_text: [rt('print("hello")')], language: 'python', caption: [] });
addBlock(PAGE, 'quote', { rich_text: [rt('Simplicity is prerequisite for reliability.')], color: 'default' });
addBlock(PAGE, 'callout', { rich_text: [rt('Remember the deadline')], icon: { type: 'emoji', emoji: '⚠️' }, color: 'default' });
addBlock(PAGE, 'toggle', { rich_text: [rt('Details')], color: 'default' },
  [['paragraph', { rich_text: [rt('Hidden level 2')], color: 'default' }, [['paragraph', { rich_text: [rt('Deep level 3')], color: 'default' }, [['paragraph', { rich_text: [rt('Deeper level 4')], color: 'default' }]]]]]]);
addBlock(PAGE, 'divider', {});
addPage(SUB, 'Sub page', { type: 'page_id', page_id: PAGE });
{ // a child_page block has the page's id
  const b = { object: 'block', id: SUB, parent: { type: 'page_id', page_id: PAGE }, created_time: T0, last_edited_time: T0, has_children: true, archived: false, type: 'child_page', child_page: { title: 'Sub page' } };
  blocks.set(SUB, b); children.get(PAGE).push(SUB);
  addBlock(SUB, 'paragraph', { rich_text: [rt('Inside the sub page')], color: 'default' });
}
const dbSchema = {
  Name: { id: 'title', name: 'Name', type: 'title', title: {} },
  Stage: { id: 'st%3A', name: 'Stage', type: 'select', select: { options: ['Todo', 'Doing', 'Done'].map((n, i) => ({ id: `o${i}`, name: n, color: 'default' })) } },
  Count: { id: 'cnt', name: 'Count', type: 'number', number: { format: 'number' } },
  Done: { id: 'dn', name: 'Done', type: 'checkbox', checkbox: {} },
  Due: { id: 'due', name: 'Due', type: 'date', date: {} },
  Tags: { id: 'tg', name: 'Tags', type: 'multi_select', multi_select: { options: [{ id: 't1', name: 'red', color: 'red' }, { id: 't2', name: 'blue', color: 'blue' }] } },
  Notes: { id: 'nt', name: 'Notes', type: 'rich_text', rich_text: {} },
};
databases.set(DB, { object: 'database', id: DB, created_time: T0, last_edited_time: T0, title: [rt('Tasks')], description: [], icon: null, cover: null,
  properties: dbSchema, parent: { type: 'page_id', page_id: PAGE }, url: url(DB, 'Tasks'), archived: false, is_inline: false });
{
  const b = { object: 'block', id: DB, parent: { type: 'page_id', page_id: PAGE }, created_time: T0, last_edited_time: T0, has_children: false, archived: false, type: 'child_database', child_database: { title: 'Tasks' } };
  blocks.set(DB, b); children.get(PAGE).push(DB);
}
const taskProps = (name, stage, count, done, due, tags) => ({
  Name: { id: 'title', type: 'title', title: [rt(name)] }, Stage: { id: 'st%3A', type: 'select', select: stage ? { id: 'x', name: stage, color: 'default' } : null },
  Count: { id: 'cnt', type: 'number', number: count }, Done: { id: 'dn', type: 'checkbox', checkbox: done },
  Due: { id: 'due', type: 'date', date: due ? { start: due, end: null, time_zone: null } : null },
  Tags: { id: 'tg', type: 'multi_select', multi_select: tags.map((t) => ({ id: t, name: t, color: 'default' })) },
  Notes: { id: 'nt', type: 'rich_text', rich_text: [] } });
[['Task 1', 'Todo', 1, false, '2026-02-01', ['red']], ['Task 2', 'Doing', 5, false, '2026-03-01', []], ['Task 3', 'Done', 8, true, null, ['blue']],
  ['Task 4', 'Done', 2, true, '2026-01-15', ['red', 'blue']], ['Task 5', 'Todo', 13, false, null, []]].forEach((t, i) => {
  addPage(id(100 + i), t[0], { type: 'database_id', database_id: DB }, taskProps(...t));
  pages.get(id(100 + i)).last_edited_time = `2026-01-0${i + 1}T10:00:00.000Z`;
});
addPage(NOTES, 'Meeting notes', { type: 'workspace', workspace: true });
pages.get(NOTES).last_edited_time = '2026-02-01T10:00:00.000Z';
addPage(RESTRICTED, 'Restricted', { type: 'workspace', workspace: true });
addPage(BIG, 'Big page', { type: 'workspace', workspace: true });
for (let i = 1; i <= 130; i++) addBlock(BIG, 'paragraph', { rich_text: [rt(`Line ${i}`)], color: 'default' });

// ---- helpers
const send = (res, status, body, headers = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
};
const nerr = (res, status, code, message, headers) => send(res, status, { object: 'error', status, code, message, request_id: randomUUID() }, headers);
const vErr = (res, message) => nerr(res, 400, 'validation_error', message);
const notFound = (res, kind, i) => nerr(res, 404, 'object_not_found', `Could not find ${kind} with ID: ${i}. Make sure the relevant pages and databases are shared with your integration.`);
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const norm = (s) => { const h = s.replace(/-/g, '').toLowerCase(); return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`; };
const cursors = new Map(); // cursor -> offset, as Notion's opaque cursors
function paginate(res, list, q, type) {
  const size = q.page_size === undefined ? 100 : Number(q.page_size);
  if (!Number.isInteger(size) || size < 1 || size > 100) return vErr(res, `body failed validation: body.page_size should be ≤ \`100\`, instead was \`${q.page_size}\`.`);
  let start = 0;
  if (q.start_cursor !== undefined && q.start_cursor !== null) {
    if (!cursors.has(q.start_cursor)) return vErr(res, `start_cursor provided is invalid: ${q.start_cursor}`);
    start = cursors.get(q.start_cursor);
  }
  const slice = list.slice(start, start + size);
  const more = start + size < list.length;
  let next = null;
  if (more) { next = randomUUID(); cursors.set(next, start + size); }
  return send(res, 200, { object: 'list', results: slice, next_cursor: next, has_more: more, type, [type]: {} });
}
const titleOf = (o) => (o.object === 'database' ? plain(o.title) : plain(Object.values(o.properties).find((p) => p.type === 'title')?.title));
// filter_properties (GET /v1/pages/{id}, POST /v1/databases/{id}/query): only the properties with those ids, which
// Notion hands out percent-encoded and matches decoded
const onlyProps = (page, ids) => (ids.length ? { ...page, properties: Object.fromEntries(Object.entries(page.properties)
  .filter(([, v]) => ids.includes(decodeURIComponent(v.id)))) } : page);
const blockView = (b) => { const { children: _c, ...rest } = b; return rest; };

// Notion's request limits for block children (developers.notion.com/reference/request-limits); JavaScript's length
// is what Notion counts: UTF-16 code units.
function checkRich(list, where) {
  if (!Array.isArray(list)) return `${where} should be an array, instead was \`${JSON.stringify(list)}\`.`;
  if (list.length > 100) return `${where}.length should be ≤ \`100\`, instead was \`${list.length}\`.`;
  for (const [i, t] of list.entries()) {
    const c = t?.text?.content;
    if (typeof c !== 'string') return `${where}[${i}].text should be defined, instead was \`undefined\`.`;
    if (c.length > 2000) return `${where}[${i}].text.content.length should be ≤ \`2000\`, instead was \`${c.length}\`.`;
    if (t.text.link && (typeof t.text.link.url !== 'string' || !/^(https?:\/\/|mailto:)/.test(t.text.link.url))) return `Invalid URL for link.`;
  }
  return null;
}
const LANGS = new Set(['abap', 'arduino', 'bash', 'basic', 'c', 'clojure', 'coffeescript', 'c++', 'c#', 'css', 'dart', 'diff', 'docker', 'elixir', 'elm', 'erlang', 'flow', 'fortran', 'f#', 'gherkin', 'glsl', 'go', 'graphql', 'groovy', 'haskell', 'html', 'java', 'javascript', 'json', 'julia', 'kotlin', 'latex', 'less', 'lisp', 'livescript', 'lua', 'makefile', 'markdown', 'markup', 'matlab', 'mermaid', 'nix', 'objective-c', 'ocaml', 'pascal', 'perl', 'php', 'plain text', 'powershell', 'prolog', 'protobuf', 'python', 'r', 'reason', 'ruby', 'rust', 'sass', 'scala', 'scheme', 'scss', 'shell', 'sql', 'swift', 'typescript', 'vb.net', 'verilog', 'vhdl', 'visual basic', 'webassembly', 'xml', 'yaml', 'java/c/c++/c#']);
const TEXT_TYPES = ['paragraph', 'heading_1', 'heading_2', 'heading_3', 'bulleted_list_item', 'numbered_list_item', 'to_do', 'quote', 'toggle', 'callout', 'code'];
function checkBlocks(list, where, level) {
  if (!Array.isArray(list)) return `${where} should be an array.`;
  if (list.length > 100) return `${where}.length should be ≤ \`100\`, instead was \`${list.length}\`.`;
  for (const [i, b] of list.entries()) {
    const w = `${where}[${i}]`;
    const type = b?.type ?? Object.keys(b ?? {}).find((k) => k !== 'object');
    if (type === 'divider') continue;
    if (!TEXT_TYPES.includes(type)) return `${w} should be a valid block type, instead was \`${type}\`.`;
    const body = b[type];
    const e = checkRich(body?.rich_text, `${w}.${type}.rich_text`);
    if (e) return e;
    if (type === 'code' && !LANGS.has(body.language)) return `${w}.code.language should be one of the supported languages, instead was \`${body.language}\`.`;
    if (body.children) {
      if (level >= 2) return `${w}.${type}.children should be not present, instead was \`[...]\`.`; // at most two levels in one request
      const ce = checkBlocks(body.children, `${w}.${type}.children`, level + 1);
      if (ce) return ce;
    }
  }
  return null;
}
function insertBlocks(parentId, list, afterId) {
  const made = [];
  const kids = children.get(parentId);
  let at = afterId ? kids.indexOf(afterId) + 1 : kids.length;
  for (const b of list) {
    const type = b.type ?? Object.keys(b).find((k) => k !== 'object');
    const { children: sub, ...body } = b[type] ?? {};
    if (body.rich_text) body.rich_text = withRich(body.rich_text);
    const bid = id(seq++);
    const nb = { object: 'block', id: bid, parent: pages.has(parentId) ? { type: 'page_id', page_id: parentId } : { type: 'block_id', block_id: parentId },
      created_time: T0, last_edited_time: T0, created_by: user, last_edited_by: user, has_children: false, archived: false, type, [type]: body };
    blocks.set(bid, nb);
    children.set(bid, []);
    kids.splice(at++, 0, bid);
    if (blocks.has(parentId)) blocks.get(parentId).has_children = true;
    if (sub) insertBlocks(bid, sub);
    made.push(nb);
  }
  return made;
}
// property values checked against a database's schema (or only title under a page)
function applyProps(res, page, props) {
  const schema = page.parent.type === 'database_id' ? databases.get(page.parent.database_id).properties : { title: { id: 'title', type: 'title' } };
  for (const [name, v] of Object.entries(props ?? {})) {
    const def = schema[name] ?? Object.values(schema).find((p) => p.id === name);
    if (!def) { vErr(res, `${name} is not a property that exists.`); return false; }
    const type = def.type;
    if (!(type in v)) { vErr(res, `${name} is expected to be ${type}.`); return false; }
    if (type === 'title' || type === 'rich_text') { const e = checkRich(v[type], `body.properties.${name}.${type}`); if (e) { vErr(res, `body failed validation: ${e}`); return false; } }
    if (type === 'select' && v.select && typeof v.select.name !== 'string' && typeof v.select.id !== 'string') { vErr(res, `body failed validation: body.properties.${name}.select.name should be defined.`); return false; }
    if (type === 'number' && v.number !== null && typeof v.number !== 'number') { vErr(res, `body failed validation: body.properties.${name}.number should be a number or \`null\`.`); return false; }
    const key = Object.keys(page.properties).find((k) => k === name || page.properties[k].id === name) ?? name;
    let val = v[type];
    if (type === 'title' || type === 'rich_text') val = withRich(val);
    page.properties[key] = { id: def.id, type, [type]: val };
  }
  return true;
}
// a filter of POST /v1/databases/{id}/query applied to a page (enough of Notion's semantics for the tests)
function matches(page, f) {
  if (f.and) return f.and.every((x) => matches(page, x));
  if (f.or) return f.or.some((x) => matches(page, x));
  if (f.timestamp) { const c = f[f.timestamp]; const v = page[f.timestamp]; return c.after ? v > c.after : c.before ? v < c.before : true; }
  const p = page.properties[f.property];
  if (!p) return false;
  const type = Object.keys(f).find((k) => k !== 'property');
  const [op, arg] = Object.entries(f[type])[0];
  let v = p[p.type];
  if (p.type === 'title' || p.type === 'rich_text') v = plain(v);
  if (p.type === 'select' || p.type === 'status') v = v?.name ?? null;
  if (p.type === 'multi_select') v = v.map((o) => o.name);
  if (p.type === 'date') v = v?.start ?? null;
  switch (op) {
    case 'equals': return v === arg;
    case 'does_not_equal': return v !== arg;
    case 'contains': return Array.isArray(v) ? v.includes(arg) : String(v ?? '').toLowerCase().includes(String(arg).toLowerCase());
    case 'does_not_contain': return Array.isArray(v) ? !v.includes(arg) : !String(v ?? '').includes(arg);
    case 'starts_with': return String(v ?? '').startsWith(arg);
    case 'ends_with': return String(v ?? '').endsWith(arg);
    case 'greater_than': return v !== null && v > arg;
    case 'less_than': return v !== null && v < arg;
    case 'greater_than_or_equal_to': return v !== null && v >= arg;
    case 'less_than_or_equal_to': return v !== null && v <= arg;
    case 'is_empty': return v === null || v === '' || (Array.isArray(v) && !v.length);
    case 'is_not_empty': return !(v === null || v === '' || (Array.isArray(v) && !v.length));
    case 'before': return v !== null && v < arg;
    case 'after': return v !== null && v > arg;
    default: return true;
  }
}
function validFilter(f, depth) {
  if (typeof f !== 'object' || f === null) return false;
  if (f.and || f.or) return depth < 2 && (f.and ?? f.or).every((x) => validFilter(x, depth + 1));
  return typeof f.property === 'string' || typeof f.timestamp === 'string';
}

// the body decoded once whole: a character split between two chunks must not become two replacement characters
const readBody = (req) => new Promise((resolve) => { const parts = []; req.on('data', (c) => parts.push(c)); req.on('end', () => resolve(Buffer.concat(parts).toString('utf8'))); });
const server = createServer(async (req, res) => {
  const u = new URL(req.url, 'http://x');
  const raw = await readBody(req);
  const path = u.pathname, q = Object.fromEntries(u.searchParams);
  if (path === '/_requests') return send(res, 200, requests);
  if (path === '/_reset') { requests = []; return send(res, 200, {}); }
  if (path === '/_token') { auth.setToken(JSON.parse(raw).token); return send(res, 200, {}); }
  if (path === '/_fail') { failures.push({ times: 1, skip: 0, ...JSON.parse(raw) }); return send(res, 200, {}); }
  let body = null;
  try { body = raw ? JSON.parse(raw) : null; } catch { body = undefined; }
  const fprops = u.searchParams.getAll('filter_properties');
  requests.push({ method: req.method, path, query: q, filterProperties: fprops, body, auth: req.headers.authorization, version: req.headers['notion-version'], contentType: req.headers['content-type'] });
  if (!(await auth.authorized(req.headers.authorization))) return nerr(res, 401, 'unauthorized', 'API token is invalid.');
  if (!req.headers['notion-version']) return nerr(res, 400, 'missing_version', 'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.');
  if (req.headers['notion-version'] !== VERSION) return vErr(res, `Notion-Version header failed validation: this fake serves ${VERSION}, instead was \`${req.headers['notion-version']}\`.`);
  const fi = failures.findIndex((f) => new RegExp(f.path).test(path) && (!f.method || f.method === req.method));
  if (fi >= 0 && failures[fi].skip > 0) failures[fi].skip--;
  else if (fi >= 0) {
    const f = failures[fi];
    if (--f.times <= 0) failures.splice(fi, 1);
    const codes = { 400: 'validation_error', 403: 'restricted_resource', 404: 'object_not_found', 409: 'conflict_error', 429: 'rate_limited', 500: 'internal_server_error', 503: 'service_unavailable' };
    return nerr(res, f.status, f.code ?? codes[f.status] ?? 'internal_server_error', f.message ?? 'Injected failure.', f.retry_after !== undefined ? { 'retry-after': String(f.retry_after) } : {});
  }
  if (body === undefined) return nerr(res, 400, 'invalid_json', 'Error parsing JSON body.');
  let m;
  if (path === '/v1/search' && req.method === 'POST') {
    const b = body ?? {};
    if (b.filter && (b.filter.property !== 'object' || !['page', 'database'].includes(b.filter.value))) return vErr(res, `body failed validation: body.filter.value should be \`"page"\` or \`"database"\`, instead was \`${JSON.stringify(b.filter.value)}\`.`);
    let list = [...pages.values(), ...databases.values()].filter((o) => !o.archived && o.id !== RESTRICTED);
    if (b.filter) list = list.filter((o) => o.object === b.filter.value);
    if (b.query) list = list.filter((o) => titleOf(o).toLowerCase().includes(b.query.toLowerCase()));
    if (b.sort) list.sort((x, y) => (b.sort.direction === 'ascending' ? 1 : -1) * x.last_edited_time.localeCompare(y.last_edited_time));
    return paginate(res, list, b, 'page_or_database');
  }
  if ((m = path.match(/^\/v1\/pages\/([^/]+)$/))) {
    if (!UUID.test(m[1])) return vErr(res, `path failed validation: path.page_id should be a valid uuid, instead was \`"${m[1]}"\`.`);
    const pid = norm(m[1]);
    if (pid === RESTRICTED) return nerr(res, 403, 'restricted_resource', 'Insufficient permissions for this endpoint.');
    const page = pages.get(pid);
    if (!page) return notFound(res, 'page', pid);
    if (req.method === 'GET') return send(res, 200, onlyProps(page, fprops));
    if (req.method === 'PATCH') {
      if (body?.properties && !applyProps(res, page, body.properties)) return;
      if (typeof body?.archived === 'boolean') page.archived = body.archived;
      if (body?.icon) page.icon = body.icon;
      page.last_edited_time = '2026-06-01T10:00:00.000Z';
      return send(res, 200, page);
    }
  }
  if (path === '/v1/pages' && req.method === 'POST') {
    const parent = body?.parent ?? {};
    const pid = parent.page_id ?? parent.database_id;
    if (!pid || !UUID.test(pid)) return vErr(res, 'body failed validation: body.parent.page_id should be defined, instead was `undefined`.');
    const isDb = Boolean(parent.database_id);
    if (isDb ? !databases.has(norm(pid)) : !pages.has(norm(pid))) return notFound(res, isDb ? 'database' : 'page', norm(pid));
    if (!isDb && Object.keys(body.properties ?? {}).some((k) => k !== 'title')) return vErr(res, 'body failed validation: body.properties only title is allowed for a page parent.');
    if (body.children) { const e = checkBlocks(body.children, 'body.children', 1); if (e) return vErr(res, `body failed validation: ${e}`); }
    const nid = randomUUID();
    const title = plain(Object.values(body.properties ?? {}).find((v) => v.title)?.title);
    const props = isDb ? Object.fromEntries(Object.entries(dbSchema).map(([k, d]) => [k, { id: d.id, type: d.type, [d.type]: d.type === 'title' || d.type === 'rich_text' || d.type === 'multi_select' ? [] : d.type === 'checkbox' ? false : null }])) : undefined;
    addPage(nid, title, isDb ? { type: 'database_id', database_id: norm(pid) } : { type: 'page_id', page_id: norm(pid) }, props);
    const page = pages.get(nid);
    if (!applyProps(res, page, body.properties ?? {})) { pages.delete(nid); return; }
    if (body.icon) page.icon = body.icon;
    if (body.children) insertBlocks(nid, body.children);
    return send(res, 200, page);
  }
  if ((m = path.match(/^\/v1\/blocks\/([^/]+)\/children$/))) {
    if (!UUID.test(m[1])) return vErr(res, `path failed validation: path.block_id should be a valid uuid, instead was \`"${m[1]}"\`.`);
    const bid = norm(m[1]);
    if (bid === RESTRICTED) return nerr(res, 403, 'restricted_resource', 'Insufficient permissions for this endpoint.');
    if (!children.has(bid) || databases.has(bid)) return notFound(res, 'block', bid);
    if (req.method === 'GET') return paginate(res, children.get(bid).map((c) => blockView(blocks.get(c))), q, 'block');
    if (req.method === 'PATCH') {
      if (!body?.children) return vErr(res, 'body failed validation: body.children should be defined, instead was `undefined`.');
      const e = checkBlocks(body.children, 'body.children', 1);
      if (e) return vErr(res, `body failed validation: ${e}`);
      if (body.after !== undefined && !children.get(bid).includes(norm(body.after))) return vErr(res, `Block ${body.after} is not a child of ${bid}.`);
      const made = insertBlocks(bid, body.children, body.after ? norm(body.after) : null);
      return send(res, 200, { object: 'list', results: made.map(blockView), next_cursor: null, has_more: false, type: 'block', block: {} });
    }
  }
  if ((m = path.match(/^\/v1\/databases\/([^/]+)(\/query)?$/))) {
    if (!UUID.test(m[1])) return vErr(res, `path failed validation: path.database_id should be a valid uuid, instead was \`"${m[1]}"\`.`);
    const did = norm(m[1]);
    const db = databases.get(did);
    if (!db) return notFound(res, 'database', did);
    if (!m[2] && req.method === 'GET') return send(res, 200, db);
    if (m[2] && req.method === 'POST') {
      const b = body ?? {};
      if (b.filter !== undefined && !validFilter(b.filter, 0)) return vErr(res, 'body failed validation: body.filter should be a property or compound filter nested at most two levels.');
      for (const p of (function props(f) { return f.and || f.or ? (f.and ?? f.or).flatMap(props) : f.property ? [f.property] : []; })(b.filter ?? {}))
        if (!db.properties[p]) return vErr(res, `Could not find property with name or id: ${p}`);
      let list = [...pages.values()].filter((p) => p.parent.database_id === did && !p.archived);
      if (b.filter) list = list.filter((p) => matches(p, b.filter));
      for (const s of [...(b.sorts ?? [])].reverse()) {
        if (s.property && !db.properties[s.property]) return vErr(res, `Could not find sort property with name or id: ${s.property}`);
        const key = (p) => { if (s.timestamp) return p[s.timestamp]; const v = p.properties[s.property]; const x = v[v.type]; return v.type === 'title' ? plain(x) : x?.name ?? x?.start ?? x; };
        list.sort((x, y) => { // empty values last in either direction
          const a = key(x), c = key(y);
          if (a === c) return 0;
          if (a === null || c === null) return a === null ? 1 : -1;
          return (a < c ? -1 : 1) * (s.direction === 'descending' ? -1 : 1);
        });
      }
      return paginate(res, list.map((p) => onlyProps(p, fprops)), b, 'page_or_database');
    }
  }
  return nerr(res, 400, 'invalid_request_url', 'Invalid request URL.');
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(`fake-notion listening on 127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
