// notion-test.mjs - the official SDK client drives mcp-notion against fake-notion.mjs and the broker: every tool, the
// requests Notion saw (method, path, query, body, bearer, Notion-Version) and the results; cursors; the block tree
// read to a depth and a budget; content split under Notion's limits (100 blocks a request in order, 2,000 UTF-16
// units a text object); filters refused before any request; 401 -> refresh -> retry, 401 twice, 403
// restricted_resource, 404 naming the id, 429 with Retry-After, a failure in the middle of an append.
// Usage: node notion-test.mjs <mcp base> <broker url> <broker config.json> <api base>
import { readFileSync } from 'node:fs';
import { check, connect, done, drain, json, text } from './svc-harness.mjs';

const [base, brokerUrl, cfgPath, api] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
const inst = cfg.instances.find((i) => i.id === 'inst-active');
const hooks = process.env.BROKER_IS_REAL !== '1';
const AUTH_URL = 'http://127.0.0.1/authorize/inst-active';
if (hooks) await json(`${brokerUrl}/_set`, { id: inst.id, authorize_url: AUTH_URL }); // before the instance is confirmed
const client = await connect(base, inst.id, inst.key);
await drain(api);
const bearer = `Bearer ${inst.access_token}`;
const call = (name, args = {}) => client.callTool({ name, arguments: args });
const one = async () => { const r = await drain(api); return r.length === 1 ? r[0] : { count: r.length, r }; };
const nh = (q) => q.auth === bearer && q.version === '2022-06-28';
const fail = (f) => json(`${api}/_fail`, f);
const nid = (n) => `${String(n).padStart(8, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`;
const PAGE = nid(1), SUB = nid(2), DB = nid(3), RESTRICTED = nid(5), BIG = nid(6);
const direct = (method, path, body) => fetch(`${api}${path}`, { method, headers: { authorization: bearer, 'notion-version': '2022-06-28', 'content-type': 'application/json' },
  body: body === undefined ? undefined : JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json() }));
async function allChildren(bid) { // straight from the fake, every page
  const all = [];
  let cursor = null;
  do {
    const page = await direct('GET', `/v1/blocks/${bid}/children?page_size=100${cursor ? `&start_cursor=${cursor}` : ''}`);
    all.push(...(page.body.results ?? []));
    cursor = page.body.has_more ? page.body.next_cursor : null;
  } while (cursor);
  await drain(api);
  return all;
}
const plainOf = (b) => (b?.[b?.type]?.rich_text ?? []).map((t) => t.plain_text).join('');

const { tools } = await client.listTools();
const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
const names = ['search', 'get_page', 'get_page_content', 'create_page', 'update_page_properties', 'append_blocks', 'query_database', 'get_database', 'archive_page'];
check('tools/list has the 9 tools, closed schemas', names.every((n) => byName[n]?.inputSchema?.additionalProperties === false), Object.keys(byName));
check('annotations: reads read-only; archive destructive; create not idempotent',
  ['search', 'get_page', 'get_page_content', 'query_database', 'get_database'].every((n) => byName[n].annotations?.readOnlyHint === true) &&
  byName.archive_page.annotations?.destructiveHint === true && byName.create_page.annotations?.idempotentHint === false &&
  byName.append_blocks.annotations?.readOnlyHint === false && byName.search.annotations?.openWorldHint === true, tools.map((t) => t.annotations));
check('schemas state the limits: page_size 1..100, content maxLength, max_depth', byName.search.inputSchema.properties.page_size.maximum === 100 &&
  byName.append_blocks.inputSchema.properties.content.maxLength === 200000 && byName.get_page_content.inputSchema.properties.max_depth.maximum === 5, '');

// ---- search and its cursor
let r = await call('search', { query: 'task', filter: 'page', sort: 'last_edited_ascending', page_size: 2 });
let q = await one();
check('search: POST /v1/search {query, filter object=page, sort last_edited_time, page_size} with bearer and Notion-Version',
  q.method === 'POST' && q.path === '/v1/search' && nh(q) && q.body?.query === 'task' && q.body.filter?.property === 'object' && q.body.filter.value === 'page' &&
  q.body.sort?.timestamp === 'last_edited_time' && q.body.sort.direction === 'ascending' && q.body.page_size === 2 && !('start_cursor' in q.body) && /application\/json/.test(q.contentType ?? ''), q);
check('search: results and next_cursor', r.structuredContent?.results?.length === 2 && r.structuredContent.results[0].title === 'Task 1' &&
  typeof r.structuredContent.next_cursor === 'string' && text(r).includes(`cursor=${r.structuredContent.next_cursor}`) && /Task 1 \(page 00000100-/.test(text(r)), r);
const cursor = r.structuredContent?.next_cursor;
r = await call('search', { query: 'task', filter: 'page', sort: 'last_edited_ascending', page_size: 2, cursor });
q = await one();
check('search: cursor sent as start_cursor, the next page', q.body?.start_cursor === cursor && r.structuredContent?.results?.[0]?.title === 'Task 3', { q, r });
r = await call('search', { filter: 'database' });
q = await one();
check('search: filter database, default page_size 20, last page without next_cursor', q.body?.filter?.value === 'database' && q.body.page_size === 20 &&
  r.structuredContent?.results?.length === 1 && r.structuredContent.results[0].object === 'database' && r.structuredContent.results[0].title === 'Tasks' &&
  !('next_cursor' in r.structuredContent), r);

// ---- pages
r = await call('get_page', { page_id: PAGE.replace(/-/g, '') });
q = await one();
check('get_page: an id without hyphens -> GET /v1/pages/<8-4-4-4-12>', q.method === 'GET' && q.path === `/v1/pages/${PAGE}` && nh(q), q);
check('get_page: title, url, parent, properties', r.structuredContent?.title === 'Project Plan' && r.structuredContent.parent?.type === 'workspace' &&
  /Project Plan/.test(text(r)) && /url: https:\/\/www\.notion\.so\//.test(text(r)), r);
r = await call('get_page', { page_id: nid(103) });
await drain(api);
check('get_page: database page properties as text', r.structuredContent?.properties?.Stage === 'Done' && r.structuredContent.properties.Count === '2' &&
  r.structuredContent.properties.Tags === 'red, blue' && r.structuredContent.properties.Due === '2026-01-15' && /- Done: yes/.test(text(r)), r);

r = await call('get_page', { page_id: nid(103), filter_properties: ['st%3A', 'cnt'] });
q = await one();
check('get_page: filter_properties -> one query parameter per id (Notion\'s encoded id "st%3A" arrives as "st:")',
  q.method === 'GET' && q.path === `/v1/pages/${nid(103)}` && q.filterProperties?.join() === 'st:,cnt' &&
  Object.keys(r.structuredContent?.properties ?? {}).join() === 'Stage,Count', { q, r: r.structuredContent });

// ---- get_page_content: the tree to a depth, rendered as markdown
r = await call('get_page_content', { page_id: PAGE });
let seen = await drain(api);
const md = r.structuredContent?.markdown ?? '';
check('get_page_content: GET /v1/blocks/{id}/children, then the nested blocks to depth 3 (not child pages)',
  seen.length === 4 && seen.every((s) => s.method === 'GET' && /^\/v1\/blocks\/[0-9a-f-]{36}\/children$/.test(s.path) && nh(s)) &&
  seen[0].path === `/v1/blocks/${PAGE}/children` && seen[0].query.page_size === '100' && !seen.some((s) => s.path.includes(SUB)), seen.map((s) => s.path));
check('get_page_content: headings, bold, links, lists, nested list, numbering, to-dos', md.includes('# Project Plan\n') &&
  md.includes('The plan is **important**: see [the docs](https://example.com/docs).') && md.includes('- First point\n  - A nested point\n- Second point') &&
  md.includes('1. Step one\n2. Step two') && md.includes('- [x] Write the spec\n- [ ] Ship it'), md);
check('get_page_content: code, quote, callout, toggle, divider, child page and database links', md.includes('```python\nprint("hello")\n```') &&
  md.includes('> Simplicity is prerequisite for reliability.') && md.includes('> ⚠️ Remember the deadline') && md.includes('<details><summary>Details</summary>') &&
  md.includes('\n---\n') && md.includes(`[📄 Sub page](https://www.notion.so/${SUB.replace(/-/g, '')})`) && md.includes(`[🗃️ Tasks](https://www.notion.so/${DB.replace(/-/g, '')})`), md);
check('get_page_content: depth 3 reached, level 4 left out and marked', md.includes('Deep level 3') && !md.includes('Deeper level 4') && /not loaded/.test(md) &&
  r.structuredContent.blocks === 18 && text(r).includes(md), r.structuredContent);
r = await call('get_page_content', { page_id: PAGE, max_depth: 1 });
seen = await drain(api);
check('get_page_content: max_depth 1 -> one request, nested content marked', seen.length === 1 && !/A nested point/.test(text(r)) && /not loaded/.test(text(r)), seen.length);
await fail({ path: '^/v1/blocks/[^/]+/children$', method: 'GET', status: 429, retry_after: 3, skip: 1 });
r = await call('get_page_content', { page_id: PAGE });
seen = await drain(api);
check('get_page_content: a 429 below the top level -> what was read, marked truncated, with the error and Retry-After', !r.isError && seen.length === 2 &&
  r.structuredContent?.truncated === true && /# Project Plan/.test(r.structuredContent.markdown) && /reading stopped at an error/.test(text(r)) &&
  /retry after 3 seconds/.test(text(r)) && /not loaded/.test(r.structuredContent.markdown), text(r).slice(0, 400));
r = await call('get_page_content', { page_id: nid(778) });
seen = await drain(api);
check('get_page_content: a missing page -> tool error naming it', r.isError === true && text(r).includes(`page ${nid(778)}`) && /404/.test(text(r)) && seen.length === 1, text(r));
r = await call('get_page_content', { page_id: BIG });
seen = await drain(api);
check('get_page_content: 130 blocks -> two pages through start_cursor', seen.length === 2 && seen[0].query.page_size === '100' && !seen[0].query.start_cursor &&
  typeof seen[1].query.start_cursor === 'string' && seen[1].query.start_cursor.length > 0 && r.structuredContent?.blocks === 130 && /Line 130/.test(text(r)) &&
  r.structuredContent.truncated === false, { seen, s: r.structuredContent?.blocks });
r = await call('get_page_content', { page_id: BIG, max_blocks: 50 });
seen = await drain(api);
check('get_page_content: the block budget asks for no more and says truncated', seen.length === 1 && seen[0].query.page_size === '50' &&
  r.structuredContent?.blocks === 50 && r.structuredContent.truncated === true && /truncated/.test(text(r)) && !/Line 51/.test(text(r)), { seen, s: r.structuredContent });

// ---- create_page under a page: markdown to blocks, the limits
const long = 'é😀'.repeat(1400) + ' end'; // 4,204 UTF-16 units, 2,804 characters
const items = Array.from({ length: 150 }, (_, i) => `- item ${i + 1}`).join('\n');
const content = `# Title here\n\nSome **bold** and *italic* and \`code\` with [a link](https://example.org).\n\n${long}\n\n- [ ] todo\n- [x] done\n\n\`\`\`js\nlet x = 1;\n\`\`\`\n\n> quoted\n\n---\n\n1. one\n2. two\n  - nested\n\n${items}`;
r = await call('create_page', { parent_page_id: PAGE, title: 'New page', content, icon_emoji: '🚀' });
seen = await drain(api);
const created = seen[0]?.body;
const kids = created?.children ?? [];
check('create_page: POST /v1/pages {parent page_id, properties.title, icon, first 100 children}', seen[0]?.method === 'POST' && seen[0].path === '/v1/pages' && nh(seen[0]) &&
  created.parent?.page_id === PAGE && created.properties?.title?.title?.[0]?.text?.content === 'New page' && created.icon?.emoji === '🚀' && kids.length === 100, seen.map((s) => [s.method, s.path, s.body?.children?.length]));
check('create_page: markdown as blocks (heading, annotations, link, to-do, code language, quote, divider, nested item)', kids[0]?.type === 'heading_1' &&
  kids[1]?.paragraph?.rich_text?.find((t) => t.annotations?.bold)?.text?.content === 'bold' && kids[1].paragraph.rich_text.find((t) => t.text.link)?.text?.link?.url === 'https://example.org' &&
  kids[1].paragraph.rich_text.find((t) => t.annotations?.code)?.text?.content === 'code' && kids[3]?.to_do?.checked === false && kids[4]?.to_do?.checked === true &&
  kids[5]?.code?.language === 'javascript' && kids[6]?.type === 'quote' && kids[7]?.type === 'divider' && kids[9]?.numbered_list_item?.children?.[0]?.type === 'bulleted_list_item', kids.slice(0, 10));
const pieces = kids[2]?.paragraph?.rich_text ?? [];
check('create_page: long text split into rich_text objects of at most 2,000 UTF-16 units, no character cut', pieces.length === 3 &&
  pieces.every((t) => t.text.content.length <= 2000) && pieces.map((t) => t.text.content).join('') === long && !pieces.some((t) => /[\ud800-\udbff]$/.test(t.text.content)), pieces.map((t) => t.text.content.length));
const pageId = r.structuredContent?.id;
check('create_page: the rest (60 blocks) appended to the new page in one more request, in order', seen.length === 2 && seen[1].method === 'PATCH' &&
  seen[1].path === `/v1/blocks/${pageId}/children` && seen[1].body.children.length === 60 && !('after' in seen[1].body) &&
  r.structuredContent?.blocks === 160 && r.structuredContent.requests === 2 && /Created page "New page"/.test(text(r)), { r, s: seen.map((s) => s.path) });
{
  const all = await allChildren(pageId);
  check('create_page: the page holds the 160 blocks in markdown order', all.length === 160 && plainOf(all[10]) === 'item 1' && plainOf(all[159]) === 'item 150', all.length);
}

// ---- create_page in a database: the title property looked up, properties in Notion's shapes
r = await call('create_page', { database_id: DB, title: 'Task 6', properties: { Stage: { select: 'Doing' }, Count: { number: 3 }, Done: { checkbox: true },
  Tags: { multi_select: ['red'] }, Due: { date: '2026-05-01' }, Notes: { rich_text: 'a note' } }, content: 'Body text' });
seen = await drain(api);
const cb = seen[1]?.body;
check('create_page in a database: GET the schema, then POST with Name (its title property) and the values', seen.length === 2 && seen[0].method === 'GET' && seen[0].path === `/v1/databases/${DB}` &&
  seen[1].path === '/v1/pages' && cb.parent?.database_id === DB && cb.properties?.Name?.title?.[0]?.text?.content === 'Task 6' && cb.properties.Stage?.select?.name === 'Doing' &&
  cb.properties.Count?.number === 3 && cb.properties.Done?.checkbox === true && cb.properties.Tags?.multi_select?.[0]?.name === 'red' && cb.properties.Due?.date?.start === '2026-05-01' &&
  cb.properties.Notes?.rich_text?.[0]?.text?.content === 'a note' && cb.children?.length === 1, seen.map((s) => [s.method, s.path, s.body]));
check('create_page in a database: the page as Notion made it', r.structuredContent?.title === 'Task 6' && r.structuredContent.properties?.Stage === 'Doing' && r.structuredContent.parent?.type === 'database_id', r);
r = await call('create_page', { parent_page_id: PAGE, title: 'x', properties: { Stage: { select: 'Done' } } });
check('create_page under a page with properties -> refused up front', r.isError === true && /properties/.test(text(r)) && (await drain(api)).length === 0, r);
r = await call('create_page', { parent_page_id: PAGE, database_id: DB, title: 'x' });
check('create_page with both parents -> refused up front', r.isError === true && (await drain(api)).length === 0, r);

// ---- update_page_properties
r = await call('update_page_properties', { page_id: nid(100), properties: { Stage: { select: 'Done' }, Notes: { rich_text: 'hello' }, Count: { number: null } } });
q = await one();
check('update_page_properties: PATCH /v1/pages/{id} {properties} in Notion shapes', q.method === 'PATCH' && q.path === `/v1/pages/${nid(100)}` && nh(q) &&
  q.body?.properties?.Stage?.select?.name === 'Done' && q.body.properties.Notes?.rich_text?.[0]?.text?.content === 'hello' && q.body.properties.Count?.number === null, q);
check('update_page_properties: the updated page', r.structuredContent?.properties?.Stage === 'Done' && r.structuredContent.properties.Notes === 'hello' && /Properties updated/.test(text(r)), r);
r = await call('update_page_properties', { page_id: nid(100), properties: { Nope: { number: 1 } } });
await drain(api);
check("update_page_properties: Notion's 400 validation_error message in the tool error", r.isError === true && /400/.test(text(r)) && /validation_error: Nope is not a property that exists/.test(text(r)), text(r));

// ---- append_blocks: 250 blocks after an anchor -> 3 requests in order, each after the last block of the previous one
{
  const before = await direct('GET', `/v1/blocks/${PAGE}/children?page_size=100`);
  const anchor = before.body.results[1].id, next = before.body.results[2].id;
  await drain(api);
  const many = Array.from({ length: 250 }, (_, i) => `Paragraph ${i + 1}`).join('\n\n');
  r = await call('append_blocks', { block_id: PAGE, content: many, after: anchor });
  seen = await drain(api);
  const ids = r.structuredContent?.block_ids ?? [];
  check('append_blocks: 250 blocks -> PATCH 100, 100, 50, the first after the anchor, the next after the last one appended', seen.length === 3 &&
    seen.every((s) => s.method === 'PATCH' && s.path === `/v1/blocks/${PAGE}/children` && nh(s)) && seen.map((s) => s.body.children.length).join() === '100,100,50' &&
    seen[0].body.after === anchor && seen[1].body.after === ids[99] && seen[2].body.after === ids[199], seen.map((s) => [s.body.children.length, s.body.after]));
  const all = await allChildren(PAGE);
  const at = all.findIndex((b) => b.id === anchor);
  check('append_blocks: the page has them in order right after the anchor', plainOf(all[at + 1]) === 'Paragraph 1' && plainOf(all[at + 250]) === 'Paragraph 250' &&
    all[at + 251]?.id === next && r.structuredContent.blocks === 250 && r.structuredContent.requests === 3 && /Appended 250 blocks/.test(text(r)), at);
  const huge = 'x'.repeat(4500);
  r = await call('append_blocks', { block_id: SUB, content: `\`\`\`\n${huge}\n\`\`\`` });
  q = await one();
  const code = q.body?.children?.[0]?.code;
  check('append_blocks: a 4,500-character code block -> one block, three text objects (2000, 2000, 500)', code?.language === 'plain text' &&
    code.rich_text.map((t) => t.text.content.length).join() === '2000,2000,500' && !r.isError, code?.rich_text?.length);
  const emoji = '😀'.repeat(190000); // 380,000 UTF-16 units: 190 text objects, more than one block holds
  r = await call('append_blocks', { block_id: SUB, content: emoji });
  seen = await drain(api);
  const rts = seen.flatMap((s) => s.body?.children ?? []).map((b) => b.paragraph?.rich_text ?? []);
  check('append_blocks: 190,000 emoji -> 190 text objects of 2,000 units over two paragraphs (100 + 90), two requests under 500 KB',
    !r.isError && seen.length === 2 && rts.length === 2 && rts[0].length === 100 && rts[1].length === 90 &&
    rts.flat().every((t) => t.text.content.length === 2000) && rts.flat().map((t) => t.text.content).join('') === emoji, { n: seen.length, lens: rts.map((x) => x.length), t: text(r) });
  await fail({ path: `/v1/blocks/${SUB}/children`, method: 'PATCH', status: 429, retry_after: 9, skip: 1 });
  r = await call('append_blocks', { block_id: SUB, content: Array.from({ length: 150 }, (_, i) => `- b${i}`).join('\n') });
  seen = await drain(api);
  check('append_blocks: a failure after the first request says how much went in, with Retry-After', r.isError === true && seen.length === 2 &&
    /Appended 100 of 150 blocks/.test(text(r)) && /retry after 9 seconds/.test(text(r)) && /rate_limited/.test(text(r)), text(r));
  r = await call('append_blocks', { block_id: PAGE, content: 'x', after: nid(999) });
  await drain(api);
  check("append_blocks: Notion's 400 for an 'after' that is no child", r.isError === true && /is not a child/.test(text(r)), text(r));
}

// ---- query_database, get_database
r = await call('query_database', { database_id: DB, filter: { or: [{ property: 'Stage', select: { equals: 'Done' } }, { and: [{ property: 'Count', number: { greater_than: 10 } },
  { property: 'Done', checkbox: { equals: false } }] }] }, sorts: [{ property: 'Count', direction: 'descending' }], page_size: 2 });
q = await one();
check('query_database: POST /v1/databases/{id}/query with filter, sorts, page_size as given', q.method === 'POST' && q.path === `/v1/databases/${DB}/query` && nh(q) &&
  q.body?.filter?.or?.[1]?.and?.[0]?.number?.greater_than === 10 && q.body.sorts?.[0]?.property === 'Count' && q.body.page_size === 2, q);
check('query_database: pages with properties, next_cursor', r.structuredContent?.results?.map((p) => p.title).join() === 'Task 5,Task 3' &&
  r.structuredContent.results[0].properties?.Count === '13' && typeof r.structuredContent.next_cursor === 'string' && /Stage: Todo/.test(text(r)), r);
r = await call('query_database', { database_id: DB, filter: { or: [{ property: 'Stage', select: { equals: 'Done' } }, { and: [{ property: 'Count', number: { greater_than: 10 } }, { property: 'Done', checkbox: { equals: false } }] }] },
  sorts: [{ property: 'Count', direction: 'descending' }], page_size: 2, cursor: r.structuredContent?.next_cursor ?? 'x' });
q = await one();
check('query_database: the next page by cursor (an emptied Count last)', q.body?.start_cursor?.length > 0 && r.structuredContent?.results?.map((p) => p.title).join() === 'Task 4,Task 1' && !('next_cursor' in r.structuredContent), r);
r = await call('query_database', { database_id: DB, filter: { timestamp: 'last_edited_time', last_edited_time: { after: '2026-01-03' } }, filter_properties: ['title'] });
q = await one();
check('query_database: a timestamp filter, filter_properties in the query', q.body?.filter?.timestamp === 'last_edited_time' && q.filterProperties?.join() === 'title' &&
  !r.isError && r.structuredContent.results.length > 0 && r.structuredContent.results.every((p) => Object.keys(p.properties).join() === 'Name'), r.structuredContent);
for (const [what, filter, where] of [['three levels of nesting', { and: [{ or: [{ and: [{ property: 'Count', number: { equals: 1 } }] }] }] }, 'filter.and[0].or[0]'],
  ['an unknown operator', { property: 'Count', number: { bigger: 1 } }, 'filter.number.bigger'], ['two operators', { property: 'Count', number: { equals: 1, less_than: 3 } }, 'filter.number'],
  ['a wrong value type', { property: 'Done', checkbox: { equals: 'yes' } }, 'filter.checkbox.equals'], ['a bad date', { property: 'Due', date: { after: 'tomorrow' } }, 'filter.date.after'],
  ['an unknown property type', { property: 'Count', money: { equals: 1 } }, 'filter.money'], ['two property types', { property: 'Count', number: { equals: 1 }, checkbox: { equals: true } }, 'filter'],
  ['an empty and', { and: [] }, 'filter.and'], ['a compound with a property', { property: 'Count', and: [] }, 'filter.property']]) {
  r = await call('query_database', { database_id: DB, filter });
  check(`query_database: ${what} refused before any request, naming ${where}`, r.isError === true && text(r).includes(`'${where}'`) && (await drain(api)).length === 0, text(r));
}
r = await call('query_database', { database_id: DB, sorts: [{ property: 'Count', direction: 'up' }] });
check('query_database: a bad sort direction refused', r.isError === true && text(r).includes("'sorts[0].direction'") && (await drain(api)).length === 0, text(r));
r = await call('get_database', { database_id: DB });
q = await one();
check('get_database: property ids for filter_properties', r.structuredContent?.properties?.find((p) => p.name === 'Stage')?.id === 'st%3A' && /\(select: Todo, Doing, Done\) id st%3A/.test(text(r)), r.structuredContent);
check('get_database: GET /v1/databases/{id}, the schema with options', q.method === 'GET' && q.path === `/v1/databases/${DB}` && nh(q) &&
  r.structuredContent?.title === 'Tasks' && r.structuredContent.properties?.find((p) => p.name === 'Stage')?.options?.join() === 'Todo,Doing,Done' &&
  /- Stage \(select: Todo, Doing, Done\)/.test(text(r)) && /- Name \(title\)/.test(text(r)), r);

// ---- archive_page
r = await call('archive_page', { page_id: nid(104) });
q = await one();
check('archive_page: PATCH /v1/pages/{id} {archived: true}', q.method === 'PATCH' && q.path === `/v1/pages/${nid(104)}` && q.body?.archived === true && nh(q) &&
  r.structuredContent?.archived === true && /archived/i.test(text(r)), { q, r });

// ---- errors
r = await call('get_page', { page_id: nid(777) });
await drain(api);
check('404 object_not_found -> the id named, and sharing explained', r.isError === true && /404/.test(text(r)) && text(r).includes(`page ${nid(777)}`) && /shared/.test(text(r)), text(r));
r = await call('get_page', { page_id: RESTRICTED });
await drain(api);
check('403 restricted_resource -> capabilities, no scopes, the re-authorize URL', r.isError === true && /403 restricted_resource/.test(text(r)) &&
  /no OAuth scopes/.test(text(r)) && /capabilit/.test(text(r)) && (!hooks || text(r).includes(AUTH_URL)), text(r));
await fail({ path: '^/v1/search$', status: 429, retry_after: 7, message: "You have been rate limited. Please try again in a few minutes." });
r = await call('search', { query: 'x' });
await drain(api);
check('429 rate_limited -> Retry-After in the text', r.isError === true && /429/.test(text(r)) && /7 seconds/.test(text(r)) && /rate_limited/.test(text(r)), text(r));
await fail({ path: '^/v1/databases/', status: 503, message: 'Notion is unavailable.' });
r = await call('get_database', { database_id: DB });
await drain(api);
check('503 -> try again later', r.isError === true && /503/.test(text(r)) && /try again/i.test(text(r)), text(r));

// ---- hostile arguments: refused, nothing sent
const bad = [['get_page', { page_id: 'not-an-id' }], ['get_page', { page_id: PAGE, extra: 1 }], ['search', { page_size: 101 }], ['search', { page_size: 0 }],
  ['search', { query: 'q'.repeat(1001) }], ['search', { filter: 'block' }], ['search', { cursor: 'bad cursor/../x' }],
  ['append_blocks', { block_id: PAGE, content: 'x'.repeat(200001) }], ['append_blocks', { block_id: `${PAGE}/../x`, content: 'x' }],
  ['get_page_content', { page_id: PAGE, max_depth: 6 }], ['get_page_content', { page_id: PAGE, max_blocks: 1001 }],
  ['create_page', { parent_page_id: PAGE, title: 't'.repeat(2001) }], ['update_page_properties', { page_id: PAGE, properties: { S: { select: 'a,b' } } }],
  ['update_page_properties', { page_id: PAGE, properties: { S: { select: 'a', number: 1 } } }], ['update_page_properties', { page_id: PAGE, properties: {} }],
  ['query_database', { database_id: DB, sorts: Array.from({ length: 101 }, () => ({ property: 'a', direction: 'ascending' })) }]];
for (const [name, args] of bad) {
  r = await call(name, args);
  check(`refused before any request: ${name} ${JSON.stringify(args).slice(0, 70)}`, r.isError === true && (await drain(api)).length === 0, text(r).slice(0, 200));
}
r = await call('append_blocks', { block_id: PAGE, content: Array.from({ length: 1001 }, (_, i) => `p${i}`).join('\n\n') });
check('append_blocks: more than 1000 blocks refused before any request', r.isError === true && /1000 blocks/.test(text(r)) && (await drain(api)).length === 0, text(r));

// ---- the fake is faithful to what the service relies on
{
  const nov = await fetch(`${api}/v1/pages/${PAGE}`, { headers: { authorization: bearer } });
  check('fake-notion: no Notion-Version -> 400 missing_version', nov.status === 400 && (await nov.json()).code === 'missing_version', nov.status);
  const c101 = await direct('PATCH', `/v1/blocks/${SUB}/children`, { children: Array.from({ length: 101 }, () => ({ type: 'divider', divider: {} })) });
  check('fake-notion: 101 children -> 400 validation_error in Notion\'s words', c101.status === 400 && c101.body.code === 'validation_error' &&
    /body.children.length should be ≤ `100`, instead was `101`/.test(c101.body.message), c101.body);
  const t2001 = await direct('PATCH', `/v1/blocks/${SUB}/children`, { children: [{ type: 'paragraph', paragraph: { rich_text: [{ type: 'text', text: { content: 'x'.repeat(2001) } }] } }] });
  check('fake-notion: 2,001 characters -> 400 validation_error', t2001.status === 400 && /text.content.length should be ≤ `2000`, instead was `2001`/.test(t2001.body.message), t2001.body);
  const ps = await direct('POST', '/v1/search', { page_size: 101 });
  check('fake-notion: page_size 101 -> 400', ps.status === 400 && ps.body.object === 'error' && ps.body.status === 400, ps.body);
  await drain(api);
}

if (hooks) {
  const before = (await json(`${brokerUrl}/_stats`)).token_refresh;
  await json(`${brokerUrl}/_set`, { id: inst.id, access_token: `${inst.access_token}-2` });
  await json(`${api}/_token`, { token: `${inst.access_token}-2` });
  r = await call('get_page', { page_id: PAGE });
  seen = await drain(api);
  const after = (await json(`${brokerUrl}/_stats`)).token_refresh;
  check('401 -> one broker refresh -> retried with the new token', !r.isError && after === before + 1 && seen.length === 2 &&
    seen[0].auth === bearer && seen[1].auth === `Bearer ${inst.access_token}-2` && seen[1].version === '2022-06-28', { r, seen, before, after });
  await json(`${api}/_token`, { token: 'revoked-elsewhere' });
  r = await call('get_page', { page_id: PAGE });
  seen = await drain(api);
  check('401 again after the refresh -> re-authorize with the URL', r.isError === true && /re-authorize/i.test(text(r)) && text(r).includes(AUTH_URL) && seen.length === 2, text(r));
  await json(`${api}/_token`, { token: `${inst.access_token}-2` });
}
const reauth = cfg.instances.find((i) => i.id === 'inst-reauth');
let refused = '';
try {
  const other = await connect(base, reauth.id, reauth.key);
  const rr = await other.callTool({ name: 'get_page', arguments: { page_id: PAGE } });
  refused = rr.isError ? text(rr) : '';
  await other.close();
} catch (e) {
  refused = String(e);
}
check('an instance that needs re-authorization is refused with a pointer to its authorization', /authoriz/i.test(refused), refused);
await client.close();
done();
