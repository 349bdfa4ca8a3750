// googledocs-test.mjs - the official SDK client drives mcp-googledocs against fake-googledocs.mjs (Docs v1 and the
// Drive v3 export) and the fake broker: every tool (the request the fake saw: method, path, query, body, bearer; and
// the result), the markdown rendering of headings, lists, tables and styled runs, batchUpdate's schema, Google's
// index errors, exports and their size limits, the error paths (401 -> refresh -> retry, 401 twice -> re-authorize,
// 403 missing scope, 403 rateLimitExceeded and 429 with Retry-After, 404 naming the id), hostile arguments refused
// before any upstream call.
// Usage: node googledocs-test.mjs <mcp base> <broker url> <broker config.json> <api base>
import { readFileSync } from 'node:fs';
import { check, connect, done, drain, json, text } from './svc-harness.mjs';

const [base, brokerUrl, cfgPath, api] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
const inst = cfg.instances.find((i) => i.id === 'inst-active');
const bearer = `Bearer ${inst.access_token}`;
const AUTHORIZE = 'http://127.0.0.1/authorize/inst-active';
const fakeBroker = process.env.BROKER_IS_REAL !== '1';
if (fakeBroker) await json(`${brokerUrl}/_set`, { id: inst.id, authorize_url: AUTHORIZE });
const client = await connect(base, inst.id, inst.key);
await drain(api);
const call = (name, args = {}) => client.callTool({ name, arguments: args });
const doc = (id) => json(`${api}/_doc/${id}`);
const RICH = '1QpL4nW7rIcHdOcAbCdEfGhIjKlMnOpQrStUvWxYz012';
const EMPTY = '1EmPtYdOcUmEnT00000000000000000000000000000';
const HUGE = '1BiGeXpOrTdOcUmEnT000000000000000000000000';
const LARGE = '1MiDeXpOrTdOcUmEnT000000000000000000000000';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const bodyText = (d) => d.body.content.flatMap((e) => e.paragraph?.elements ?? e.table?.tableRows.flatMap((r) => r.tableCells.flatMap((c) => c.content.flatMap((x) => x.paragraph.elements))) ?? [])
  .map((el) => el.textRun?.content ?? (el.pageBreak ? '\f' : '')).join('');

// ---- tools/list
{
  const { tools } = await client.listTools();
  const by = Object.fromEntries(tools.map((t) => [t.name, t]));
  const names = ['create_document', 'get_document_text', 'append_text', 'insert_text', 'replace_all_text', 'export_document', 'batch_update'];
  check('tools/list: the 7 tools', tools.length === 7 && names.every((n) => by[n]), tools.map((t) => t.name));
  check('tools/list: closed input schemas, output schemas', names.every((n) => by[n].inputSchema.additionalProperties === false && by[n].outputSchema?.type === 'object'));
  check('annotations: reads read-only, create/append/insert not destructive, replace/batch destructive, none idempotent but reads',
    by.get_document_text.annotations?.readOnlyHint === true && by.export_document.annotations?.readOnlyHint === true &&
    by.create_document.annotations?.idempotentHint === false && by.append_text.annotations?.destructiveHint === false &&
    by.insert_text.annotations?.destructiveHint === false && by.replace_all_text.annotations?.destructiveHint === true &&
    by.batch_update.annotations?.destructiveHint === true && tools.every((t) => t.annotations?.openWorldHint === true), tools.map((t) => t.annotations));
  check('limits in the schemas and descriptions', by.insert_text.inputSchema.properties.text.maxLength === 100000 && by.insert_text.inputSchema.properties.index.minimum === 1 &&
    by.get_document_text.inputSchema.properties.max_chars.maximum === 500000 && by.batch_update.inputSchema.properties.requests.maxItems === 100 &&
    /at most 5 MiB/.test(by.export_document.description) && /100000 characters/.test(by.insert_text.description), by.export_document.description);
}

// ---- get_document_text
const EXPECTED = `# Quarterly Plan

# Goals

We ship the **new editor** and *measure* it. See [the roadmap](https://example.com/roadmap).

- First point
    - Sub point
- Second point

## Steps

1. Plan
2. Build
    1. Test \\*carefully\\*
3. Release

## Owners

| Owner | Task |
| --- | --- |
| Ada | Parser \\| lexer |
| Linus | **Kernel** |

Thanks 🙂 for reading, {{name}}. {{NAME}} and {{name}} again.
`;
{
  let r = await call('get_document_text', { document_id: RICH });
  let seen = await drain(api);
  check('get_document_text: GET /v1/documents/{id} with a fields mask and the broker token', seen.length === 1 && seen[0].method === 'GET' &&
    seen[0].path === `/v1/documents/${RICH}` && seen[0].query.fields === 'documentId,title,revisionId,body,lists' && seen[0].auth === bearer, seen);
  const s = r.structuredContent;
  check('get_document_text: headings, nested bullets, numbered lists, a table, bold/italic/link runs as markdown', !r.isError && s?.markdown === EXPECTED, s?.markdown);
  check('get_document_text: structured title, revision, end index, not truncated', s?.title === 'Quarterly Plan' && s.revision_id === 'ALBJ4Ls000001' && s.end_index === 278 &&
    s.truncated === false && s.total_chars === [...EXPECTED].length, s);
  check('get_document_text: the text names the document and carries the markdown', /Document "Quarterly Plan" \(id 1QpL4nW7/.test(text(r)) && text(r).includes('| Ada | Parser \\| lexer |'), text(r));
  r = await call('get_document_text', { document_id: RICH, max_chars: 100 });
  check('get_document_text: max_chars cuts and says so', r.structuredContent?.truncated === true && [...r.structuredContent.markdown].length === 100 &&
    EXPECTED.startsWith(r.structuredContent.markdown) && /\[Truncated: the first 100 of \d+ characters/.test(text(r)), r);
  r = await call('get_document_text', { document_id: EMPTY });
  check('get_document_text: an empty document', !r.isError && r.structuredContent?.markdown === '' && r.structuredContent.end_index === 2 && /empty/.test(text(r)), r);
  r = await call('get_document_text', { document_id: 'nope123' });
  check('get_document_text: 404 names the document', r.isError === true && /Document nope123 was not found/.test(text(r)) && /404/.test(text(r)) &&
    /Requested entity was not found/.test(text(r)), text(r));
  await drain(api);
}

// ---- create_document
let created;
{
  let r = await call('create_document', { title: 'Meeting notes' });
  let seen = await drain(api);
  check('create_document: POST /v1/documents {title}, no batchUpdate without text', seen.length === 1 && seen[0].method === 'POST' && seen[0].path === '/v1/documents' &&
    seen[0].body?.title === 'Meeting notes' && seen[0].auth === bearer, seen);
  check('create_document: id and URL', !r.isError && /^1NeW/.test(r.structuredContent?.document_id) && r.structuredContent.url === `https://docs.google.com/document/d/${r.structuredContent.document_id}/edit` &&
    r.structuredContent.inserted_chars === 0 && text(r).includes(r.structuredContent.url), r);
  r = await call('create_document', { title: 'Draft ü', text: 'Hello 🙂 world' });
  seen = await drain(api);
  created = r.structuredContent?.document_id;
  check('create_document with text: create, then insertText at index 1 of the new document', seen.length === 2 && seen[1].path === `/v1/documents/${created}:batchUpdate` &&
    JSON.stringify(seen[1].body) === JSON.stringify({ requests: [{ insertText: { text: 'Hello 🙂 world', location: { index: 1 } } }] }), seen);
  const d = await doc(created);
  check('create_document with text: stored, UTF-16 length reported, the new revision', !r.isError && bodyText(d) === 'Hello 🙂 world\n' && r.structuredContent.inserted_chars === 14 &&
    r.structuredContent.revision_id === d.revisionId, { r, d: bodyText(d) });
  await json(`${api}/_fail`, { path: ':batchUpdate$', status: 500 });
  r = await call('create_document', { title: 'Half', text: 'x' });
  check('create_document: the text failing after the create says the document exists (its id)', r.isError === true &&
    /Created document "Half" \(id 1NeW\w+\), but inserting its initial text failed/.test(text(r)) && /500/.test(text(r)), text(r));
  await drain(api);
}

// ---- append_text
{
  let r = await call('append_text', { document_id: created, text: 'Second line' });
  let seen = await drain(api);
  check('append_text: reads the end (fields), inserts at endIndex - 1 under the revision read', seen.length === 2 && seen[0].method === 'GET' &&
    seen[0].query.fields === 'revisionId,body.content(startIndex,endIndex)' && seen[1].body?.requests?.[0]?.insertText?.location?.index === 15 &&
    seen[1].body.requests[0].insertText.text === '\nSecond line' && seen[1].body.writeControl?.requiredRevisionId === 'ALBJ4Ls000002', seen);
  check('append_text: a new paragraph at the end', !r.isError && bodyText(await doc(created)) === 'Hello 🙂 world\nSecond line\n' && r.structuredContent?.index === 15 &&
    r.structuredContent.inserted_chars === 12, r);
  r = await call('append_text', { document_id: created, text: ' (cont.)', new_paragraph: false });
  check('append_text: new_paragraph false joins the last paragraph', !r.isError && bodyText(await doc(created)) === 'Hello 🙂 world\nSecond line (cont.)\n', r);
  r = await call('append_text', { document_id: EMPTY, text: 'First' });
  check('append_text: an empty document gets the text in its one paragraph', !r.isError && bodyText(await doc(EMPTY)) === 'First\n', r);
  r = await call('append_text', { document_id: 'gone0001', text: 'x' });
  check('append_text: 404 names the document', r.isError === true && /Document gone0001 was not found/.test(text(r)), text(r));
  await drain(api);
}

// ---- insert_text
{
  let r = await call('insert_text', { document_id: created, index: 7, text: 'big ' });
  let seen = await drain(api);
  check('insert_text: one batchUpdate with insertText at the index', seen.length === 1 && seen[0].method === 'POST' && seen[0].path === `/v1/documents/${created}:batchUpdate` &&
    JSON.stringify(seen[0].body.requests) === JSON.stringify([{ insertText: { text: 'big ', location: { index: 7 } } }]) && !seen[0].body.writeControl && seen[0].auth === bearer, seen);
  check('insert_text: applied', !r.isError && bodyText(await doc(created)).startsWith('Hello big 🙂 world\n') && r.structuredContent?.inserted_chars === 4 && /Inserted 4 characters at index 7/.test(text(r)), r);
  r = await call('insert_text', { document_id: created, index: 5000, text: 'x' });
  check("insert_text: beyond the end -> Google's index error in the tool error", r.isError === true &&
    /Invalid requests\[0\]\.insertText: Index 5000 must be less than the end index of the referenced segment/.test(text(r)) && /400/.test(text(r)), text(r));
  r = await call('insert_text', { document_id: RICH, index: 162, text: 'x' });
  check('insert_text: at a table boundary -> "inside the bounds of an existing paragraph"', r.isError === true && /inside the bounds of an existing paragraph/.test(text(r)), text(r));
  r = await call('insert_text', { document_id: RICH, index: 165, text: 'Lead ' });
  check('insert_text: into a table cell', !r.isError && (await doc(RICH)).body.content.find((e) => e.table).table.tableRows[0].tableCells[0].content[0].paragraph.elements[0].textRun.content === 'Lead Owner\n', r);
  await drain(api);
  r = await call('insert_text', { document_id: RICH, index: 0, text: 'x' });
  const r2 = await call('insert_text', { document_id: RICH, index: 1, text: '' });
  check('insert_text: index 0 and empty text refused before any upstream call', r.isError === true && /index/.test(text(r)) && r2.isError === true && /text/.test(text(r2)) &&
    (await drain(api)).length === 0, [text(r), text(r2)]);
}

// ---- replace_all_text
{
  let r = await call('replace_all_text', { document_id: RICH, find: '{{name}}', replace: 'Ada' });
  let seen = await drain(api);
  check('replace_all_text: replaceAllText with matchCase true by default', seen.length === 1 &&
    JSON.stringify(seen[0].body.requests) === JSON.stringify([{ replaceAllText: { containsText: { text: '{{name}}', matchCase: true }, replaceText: 'Ada' } }]), seen);
  check('replace_all_text: the occurrences changed (case-sensitive)', !r.isError && r.structuredContent?.occurrences_changed === 2 && /Replaced 2 occurrences/.test(text(r)) &&
    /reading, Ada\. \{\{NAME\}\} and Ada again/.test(bodyText(await doc(RICH))), r);
  r = await call('replace_all_text', { document_id: RICH, find: '{{name}}', replace: 'Bob', match_case: false });
  seen = await drain(api);
  check('replace_all_text: match_case false', seen[0]?.body?.requests?.[0]?.replaceAllText?.containsText?.matchCase === false && r.structuredContent?.occurrences_changed === 1 &&
    /Ada\. Bob and Ada/.test(bodyText(await doc(RICH))), r);
  r = await call('replace_all_text', { document_id: RICH, find: 'not there at all', replace: '' });
  check('replace_all_text: no occurrence -> 0 (Google omits the zero)', !r.isError && r.structuredContent?.occurrences_changed === 0, r);
  await drain(api);
}

// ---- export_document
{
  let r = await call('export_document', { document_id: RICH });
  let seen = await drain(api);
  check('export_document: Drive files.export with mimeType application/pdf (default)', seen.length === 1 && seen[0].method === 'GET' &&
    seen[0].path === `/drive/v3/files/${RICH}/export` && seen[0].query.mimeType === 'application/pdf' && seen[0].auth === bearer, seen);
  const direct = Buffer.from(await (await fetch(`${api}/drive/v3/files/${RICH}/export?mimeType=application/pdf`, { headers: { authorization: bearer } })).arrayBuffer());
  await drain(api);
  const got = Buffer.from(r.structuredContent?.data_base64 ?? '', 'base64');
  check('export_document: the PDF bytes as base64 (binary intact), size and MIME type', !r.isError && got.equals(direct) && got.subarray(0, 5).toString() === '%PDF-' &&
    r.structuredContent.size === direct.length && r.structuredContent.mime_type === 'application/pdf' &&
    r.content.some((c) => c.type === 'resource' && c.resource.mimeType === 'application/pdf' && c.resource.blob === r.structuredContent.data_base64), { sc: { ...r.structuredContent, data_base64: undefined } });
  r = await call('export_document', { document_id: RICH, format: 'docx' });
  seen = await drain(api);
  check('export_document: DOCX', !r.isError && seen[0]?.query?.mimeType === DOCX && Buffer.from(r.structuredContent.data_base64, 'base64').subarray(0, 2).toString() === 'PK' &&
    r.structuredContent.format === 'docx', seen);
  r = await call('export_document', { document_id: LARGE });
  check('export_document: a 6 MiB export -> the stated cap, not "unreachable"', r.isError === true && /larger than export_document returns \(at most 5 MiB\)/.test(text(r)), text(r));
  r = await call('export_document', { document_id: HUGE });
  check('export_document: over 10 MB -> Google\'s exportSizeLimitExceeded, said as too large (not a rate limit, not a scope)', r.isError === true &&
    /too large for Google to export \(403 exportSizeLimitExceeded/.test(text(r)) && /too large to be exported/.test(text(r)) && !/usage limit|Missing scope|retry/i.test(text(r)), text(r));
  r = await call('export_document', { document_id: 'missing42' });
  check('export_document: 404 names the document (Drive\'s message)', r.isError === true && /Document missing42 was not found/.test(text(r)) && /File not found: missing42/.test(text(r)), text(r));
  await drain(api);
  const bad = await fetch(`${api}/drive/v3/files/${RICH}/export?mimeType=image/gif`, { headers: { authorization: bearer } }).then(async (x) => ({ status: x.status, body: await x.json() }));
  check('fake: an export MIME type Drive does not list for Docs -> 400', bad.status === 400 && /conversion is not supported/.test(bad.body.error?.message), bad);
  await drain(api);
}

// ---- batch_update
{
  let r = await call('create_document', { title: 'Batch', text: 'Title line\nalpha\nbeta\ngone\nend' });
  const id = r.structuredContent?.document_id;
  await drain(api);
  // Title line 1-11, alpha 12-17, beta 18-22, gone 23-27, end 28-30, the final newline 31, end index 32
  const requests = [
    { deleteContentRange: { range: { startIndex: 23, endIndex: 28 } } },
    { updateParagraphStyle: { range: { startIndex: 1, endIndex: 11 }, paragraphStyle: { namedStyleType: 'HEADING_3' }, fields: 'namedStyleType' } },
    { updateTextStyle: { range: { startIndex: 12, endIndex: 17 }, textStyle: { bold: true }, fields: 'bold' } },
    { createParagraphBullets: { range: { startIndex: 12, endIndex: 22 }, bulletPreset: 'NUMBERED_DECIMAL_ALPHA_ROMAN' } },
    { insertText: { text: 'tail', endOfSegmentLocation: {} } },
    { insertPageBreak: { endOfSegmentLocation: {} } },
    { insertTable: { rows: 2, columns: 2, endOfSegmentLocation: { segmentId: '' } } },
    { replaceAllText: { containsText: { text: 'beta', matchCase: true }, replaceText: 'gamma' } },
  ];
  r = await call('batch_update', { document_id: id, requests });
  let seen = await drain(api);
  check('batch_update: the requests sent as given, in order', seen.length === 1 && seen[0].path === `/v1/documents/${id}:batchUpdate` &&
    JSON.stringify(seen[0].body.requests) === JSON.stringify(requests), seen);
  check('batch_update: replies and the new revision', !r.isError && r.structuredContent?.replies?.length === 8 && r.structuredContent.replies[7].replaceAllText?.occurrencesChanged === 1 &&
    /Applied 8 requests/.test(text(r)) && typeof r.structuredContent.revision_id === 'string', r);
  r = await call('get_document_text', { document_id: id });
  check('batch_update: the edits show in the markdown (heading, bold, numbered list, rule for the page break, table)', !r.isError &&
    r.structuredContent?.markdown === '### Title line\n\n1. **alpha**\n2. gamma\n\nendtail\n\n---\n\n|  |  |\n| --- | --- |\n|  |  |\n', r.structuredContent?.markdown);
  await drain(api);
  const rev = r.structuredContent?.revision_id;
  const before = bodyText(await doc(id));
  r = await call('batch_update', { document_id: id, requests: [{ insertText: { text: 'ok', location: { index: 1 } } }, { insertText: { text: 'x', location: { index: 9999 } } }] });
  check('batch_update: one bad request -> Google\'s error naming requests[1], nothing applied', r.isError === true && /Invalid requests\[1\]\.insertText: Index 9999/.test(text(r)) &&
    bodyText(await doc(id)) === before && (await doc(id)).revisionId === rev, text(r));
  r = await call('batch_update', { document_id: id, requests: [{ deleteContentRange: { range: { startIndex: 1, endIndex: 1000 } } }] });
  check('batch_update: a range past the end -> Google\'s 400', r.isError === true && /Invalid requests\[0\]\.deleteContentRange/.test(text(r)), text(r));
  await drain(api);
  r = await call('batch_update', { document_id: id, requests: [{ insertText: { text: 'v', location: { index: 1 } } }], required_revision_id: 'ALBJ4Ls000001' });
  seen = await drain(api);
  check('batch_update: required_revision_id sent as writeControl; a stale one -> 400', seen[0]?.body?.writeControl?.requiredRevisionId === 'ALBJ4Ls000001' && r.isError === true &&
    /revision/.test(text(r)), { seen, t: text(r) });
  r = await call('batch_update', { document_id: id, requests: [{ insertText: { text: 'v', location: { index: 1 } } }], required_revision_id: rev });
  check('batch_update: the current revision is accepted', !r.isError, r);
  await drain(api);
  const refused = [
    ['an unknown request kind', [{ mergeTableCells: { tableRange: {} } }]],
    ['two kinds in one request', [{ insertText: { text: 'a', location: { index: 1 } }, insertPageBreak: { location: { index: 1 } } }]],
    ['an unknown field', [{ insertText: { text: 'a', location: { index: 1 }, color: 'red' } }]],
    ['insertText without a location', [{ insertText: { text: 'a' } }]],
    ['both location and endOfSegmentLocation', [{ insertText: { text: 'a', location: { index: 1 }, endOfSegmentLocation: {} } }]],
    ['index 0', [{ insertPageBreak: { location: { index: 0 } } }]],
    ['a bad named style', [{ updateParagraphStyle: { range: { startIndex: 1, endIndex: 2 }, paragraphStyle: { namedStyleType: 'HEADING_9' }, fields: 'namedStyleType' } }]],
    ['a javascript: link', [{ updateTextStyle: { range: { startIndex: 1, endIndex: 2 }, textStyle: { link: { url: 'javascript:alert(1)' } }, fields: 'link' } }]],
    ['a bad fields mask', [{ updateTextStyle: { range: { startIndex: 1, endIndex: 2 }, textStyle: { bold: true }, fields: 'bold;drop' } }]],
    ['21 columns', [{ insertTable: { rows: 1, columns: 21, location: { index: 1 } } }]],
    ['no requests', []],
    ['101 requests', Array.from({ length: 101 }, () => ({ insertText: { text: 'a', location: { index: 1 } } }))],
  ];
  const answers = [];
  for (const [name, reqs] of refused) answers.push([name, await call('batch_update', { document_id: id, requests: reqs })]);
  check('batch_update: requests outside the schema refused, nothing upstream', answers.every(([, a]) => a.isError === true) && (await drain(api)).length === 0,
    answers.filter(([, a]) => !a.isError).map(([n]) => n));
  r = await call('batch_update', { document_id: id, requests: [{ insertText: { text: 'a', location: { index: 1 } } }, { deleteContentRange: { range: { startIndex: 5, endIndex: 5 } } }] });
  check('batch_update: an empty range refused naming requests[1], nothing upstream', r.isError === true && /requests\[1\]\.deleteContentRange\.range/.test(text(r)) && (await drain(api)).length === 0, text(r));
}

// ---- provider errors
{
  await json(`${api}/_scopes`, { scopes: ['documents'] });
  let r = await call('export_document', { document_id: RICH });
  check('403 insufficient scope on export -> drive.readonly named, with the re-authorize URL', r.isError === true && /403/.test(text(r)) &&
    /Missing scope: this tool needs https:\/\/www\.googleapis\.com\/auth\/drive\.readonly/.test(text(r)) && /insufficient authentication scopes/.test(text(r)) &&
    (!fakeBroker || text(r).includes(`Re-authorize this instance with them at ${AUTHORIZE}`)), text(r));
  await json(`${api}/_scopes`, { scopes: ['documents.readonly', 'drive.readonly'] });
  r = await call('insert_text', { document_id: RICH, index: 1, text: 'x' });
  const r2 = await call('get_document_text', { document_id: RICH });
  check('403 insufficient scope on a write -> documents named; reading still works with documents.readonly', r.isError === true &&
    /Missing scope: this tool needs https:\/\/www\.googleapis\.com\/auth\/documents \(/.test(text(r)) && !r2.isError, text(r));
  await json(`${api}/_scopes`, { scopes: null });
  await json(`${api}/_fail`, { path: '^/v1/documents/[^/]+$', method: 'GET', status: 403, reason: 'rateLimitExceeded', retry_after: 5, message: 'Rate Limit Exceeded' });
  r = await call('get_document_text', { document_id: RICH });
  check('403 rateLimitExceeded -> usage limit with Retry-After, not a missing scope', r.isError === true &&
    /usage limit reached \(403 rateLimitExceeded\); retry after 5 seconds/.test(text(r)) && !/Missing scope/.test(text(r)), text(r));
  await json(`${api}/_fail`, { path: ':batchUpdate$', status: 429, retry_after: 7 });
  r = await call('replace_all_text', { document_id: RICH, find: 'a', replace: 'b' });
  check('429 -> rate limited, retry after 7 seconds, Google\'s quota message', r.isError === true && /429/.test(text(r)) && /7 seconds/.test(text(r)) && /Quota exceeded/.test(text(r)), text(r));
  await json(`${api}/_fail`, { path: '/export$', status: 503 });
  r = await call('export_document', { document_id: RICH });
  check('503 -> unavailable', r.isError === true && /503/.test(text(r)), text(r));
  await drain(api);
}

// ---- the longest text the schema allows is accepted whole, even \u-escaped (12 bytes a character outside the BMP)
{
  const emoji = '\u{1F600}'.repeat(100000);
  const escaped = JSON.stringify({ jsonrpc: '2.0', id: 'big-1', method: 'tools/call', params: { name: 'insert_text', arguments: { document_id: EMPTY, index: 1, text: emoji } } })
    .replace(/[\u{10000}-\u{10FFFF}]/gu, (ch) => `\\u${ch.charCodeAt(0).toString(16)}\\u${ch.charCodeAt(1).toString(16)}`);
  const session = client.transport.sessionId;
  const res = await fetch(`${base}/${inst.id}/mcp`, { method: 'POST', body: escaped, headers: { authorization: `Bearer ${inst.key}`, 'content-type': 'application/json',
    accept: 'application/json, text/event-stream', 'mcp-session-id': session, 'mcp-protocol-version': client.transport.protocolVersion } });
  const raw = await res.text();
  const seen = await drain(api);
  check('insert_text: 100000 characters outside the BMP, \\u-escaped (1.2 MB of JSON), reach the API whole', res.status === 200 && escaped.length > 1200000 &&
    seen.length === 1 && seen[0].body?.requests?.[0]?.insertText?.text === emoji && /Inserted 200000 characters/.test(raw), { status: res.status, raw: raw.slice(0, 300), n: seen.length });
}

// ---- hostile arguments: refused before any upstream call
{
  const huge = 'x'.repeat(100001);
  const cases = [
    ['insert_text', { document_id: RICH, index: 1, text: huge }, /text/],
    ['append_text', { document_id: RICH, text: huge }, /text/],
    ['create_document', { title: 'x'.repeat(1025) }, /title/],
    ['create_document', { title: '' }, /title/],
    ['get_document_text', { document_id: '../../drive/v3/files' }, /document_id/],
    ['get_document_text', { document_id: RICH, max_chars: 10 }, /max_chars/],
    ['get_document_text', { document_id: 'a'.repeat(129) }, /document_id/],
    ['export_document', { document_id: RICH, format: 'odt' }, /format/],
    ['replace_all_text', { document_id: RICH, find: '', replace: 'x' }, /find/],
    ['insert_text', { document_id: RICH, index: 1, text: 'x', segment: 'kix.1' }, /segment/],
    ['batch_update', { document_id: RICH, requests: [{ insertText: { text: huge, location: { index: 1 } } }] }, /text|requests/],
    ['insert_text', { document_id: RICH, index: '1', text: 'x' }, /index/],
  ];
  const bad = [];
  for (const [tool, args, re] of cases) {
    const r = await call(tool, args);
    if (!(r.isError === true && re.test(text(r)))) bad.push([tool, Object.keys(args), text(r).slice(0, 200)]);
  }
  check('hostile arguments: each refused naming the argument', bad.length === 0, bad);
  check('hostile arguments: nothing reached the API', (await drain(api)).length === 0);
}

// ---- 401: one broker refresh and a retry; twice -> re-authorize
if (fakeBroker) {
  const before = (await json(`${brokerUrl}/_stats`)).token_refresh;
  await json(`${brokerUrl}/_set`, { id: inst.id, access_token: `${inst.access_token}-2` });
  await json(`${api}/_token`, { token: `${inst.access_token}-2` });
  let r = await call('get_document_text', { document_id: EMPTY });
  let seen = await drain(api);
  const after = (await json(`${brokerUrl}/_stats`)).token_refresh;
  check('401 -> one broker refresh -> retried with the new token', !r.isError && after === before + 1 && seen.length === 2 && seen[0].auth === bearer &&
    seen[1].auth === `Bearer ${inst.access_token}-2`, { r, seen, before, after });
  await json(`${api}/_token`, { token: 'revoked-elsewhere' });
  r = await call('export_document', { document_id: EMPTY });
  seen = await drain(api);
  check('401 again after the refresh -> re-authorize with the URL', r.isError === true && /re-authorize/i.test(text(r)) && text(r).includes(AUTHORIZE) && seen.length === 2, { t: text(r), seen });
}

const reauth = cfg.instances.find((i) => i.id === 'inst-reauth');
let refusedText = '';
try {
  const other = await connect(base, reauth.id, reauth.key);
  const rr = await other.callTool({ name: 'get_document_text', arguments: { document_id: RICH } });
  refusedText = rr.isError ? text(rr) : '';
  await other.close();
} catch (e) {
  refusedText = String(e);
}
check('an instance that needs re-authorization is refused with a pointer to its authorization', /authoriz/i.test(refusedText), refusedText);
await client.close();
done();
