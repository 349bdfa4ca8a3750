// googlesheets-test.mjs - the official SDK client drives mcp-googlesheets against fake-googlesheets.mjs and the broker:
// every tool (the request Google saw: method, path, range, query, body, bearer; and the result), A1 ranges sent in
// their canonical form, the errors (404 naming the spreadsheet, Google's 400 texts, 403 missing scope with the
// re-authorize URL, 403 rateLimitExceeded and 429 with Retry-After, 401 -> broker refresh -> retry, 401 twice ->
// re-authorize) and hostile arguments refused before any request (bad A1, huge strings, limits, unknown fields).
// Usage: node googlesheets-test.mjs <mcp base> <broker url> <broker config.json> <api base>
import { readFileSync } from 'node:fs';
import { check, connect, done, drain, json, text } from './svc-harness.mjs';

const [base, brokerUrl, cfgPath, api] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
const inst = cfg.instances.find((i) => i.id === 'inst-active');
const bearer = `Bearer ${inst.access_token}`;
const hooks = process.env.BROKER_IS_REAL !== '1';
const AUTHORIZE = 'http://127.0.0.1/authorize/inst-active';
if (hooks) await json(`${brokerUrl}/_set`, { id: inst.id, authorize_url: AUTHORIZE }); // before the first status call
const root = api.replace(/\/v4$/, '');
const client = await connect(base, inst.id, inst.key);
await drain(root);
const call = (name, args = {}) => client.callTool({ name, arguments: args });
const seen = () => drain(root);
const one = async () => { const r = await seen(); return r.length === 1 ? r[0] : { count: r.length, r }; };
const ID = '1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms';
const P = `/v4/spreadsheets/${ID}`;
const sheet = (title) => json(`${root}/_sheet?id=${ID}&title=${encodeURIComponent(title)}`);

// 1. tools/list
const { tools } = await client.listTools();
const by = Object.fromEntries(tools.map((t) => [t.name, t]));
const names = ['create_spreadsheet', 'get_spreadsheet', 'read_range', 'batch_read', 'write_range', 'append_rows', 'clear_range', 'add_sheet', 'delete_sheet'];
check('tools/list: the 9 tools, closed input schemas, output schemas', tools.length === 9 && names.every((n) => by[n]?.inputSchema?.additionalProperties === false && by[n].outputSchema), Object.keys(by));
check('annotations: reads read-only; write/clear/delete destructive; append and create not idempotent',
  ['get_spreadsheet', 'read_range', 'batch_read'].every((n) => by[n].annotations?.readOnlyHint === true) &&
  ['write_range', 'clear_range', 'delete_sheet'].every((n) => by[n].annotations?.destructiveHint === true && by[n].annotations?.readOnlyHint === false) &&
  by.append_rows.annotations?.idempotentHint === false && by.append_rows.annotations?.destructiveHint === false && by.create_spreadsheet.annotations?.idempotentHint === false &&
  tools.every((t) => t.annotations?.openWorldHint === true), tools.map((t) => [t.name, t.annotations]));
check('schemas: the real limits (cell 50000 chars, 10000 rows, enums, ranges 100)', by.write_range.inputSchema.properties.values.items.items.maxLength === 50000 &&
  by.write_range.inputSchema.properties.values.maxItems === 10000 && by.write_range.inputSchema.properties.value_input_option.enum.join() === 'RAW,USER_ENTERED' &&
  by.read_range.inputSchema.properties.value_render_option.enum.join() === 'FORMATTED_VALUE,UNFORMATTED_VALUE,FORMULA' && by.batch_read.inputSchema.properties.ranges.maxItems === 100 &&
  by.add_sheet.inputSchema.properties.title.maxLength === 100);

// 2. get_spreadsheet
let r = await call('get_spreadsheet', { spreadsheet_id: ID });
let q = await one();
check('get_spreadsheet: GET /v4/spreadsheets/{id}, includeGridData=false, fields without grid data, broker token', q.method === 'GET' && q.path === P &&
  q.query.includeGridData === 'false' && /sheets\(properties\(/.test(q.query.fields) && /namedRanges\(/.test(q.query.fields) && !/data/.test(q.query.fields.replace('includeGridData', '')) && q.auth === bearer, q);
const sc = r.structuredContent;
check('get_spreadsheet: title, sheets with ids, sizes and hidden flag', !r.isError && sc?.title === 'Budget 2026' && sc.sheets.length === 3 && sc.sheets[1].title === 'Q1 Data' &&
  sc.sheets[1].row_count === 100 && sc.sheets[1].column_count === 5 && sc.sheets[2].hidden === true && sc.locale === 'en_US' && sc.url.includes(ID), r);
check('get_spreadsheet: named ranges as A1 (bounded, and a whole column)', sc?.named_ranges?.[0]?.range === "'Sheet1'!B2:B3" && sc.named_ranges[1].range === "'Q1 Data'!A:A" &&
  /Amounts = 'Sheet1'!B2:B3/.test(text(r)) && /"Q1 Data" \(sheet_id 1000/.test(text(r)) && /hidden/.test(text(r)), text(r));

// 3. read_range
r = await call('read_range', { spreadsheet_id: ID, range: 'Sheet1!A1:C4' });
q = await one();
check('read_range: GET values/{range} with the range canonical and escaped, the defaults sent', q.method === 'GET' && q.range === "'Sheet1'!A1:C4" &&
  q.path === `${P}/values/%27Sheet1%27%21A1%3AC4` && q.query.valueRenderOption === 'FORMATTED_VALUE' && q.query.majorDimension === 'ROWS' && q.auth === bearer, q);
check('read_range: formatted values as a table with row numbers, structuredContent', !r.isError && r.structuredContent?.values?.[1]?.join('|') === 'Rent|1,200|TRUE' &&
  r.structuredContent.rows === 4 && r.structuredContent.columns === 3 && r.structuredContent.range === 'Sheet1!A1:C4' && text(r).includes('2\tRent\t1,200\tTRUE') && text(r).includes('4\tTotal\t1550.5'), r);
r = await call('read_range', { spreadsheet_id: ID, range: 'Sheet1!B2:B4', value_render_option: 'UNFORMATTED_VALUE' });
q = await one();
check('read_range: UNFORMATTED_VALUE -> numbers', q.query.valueRenderOption === 'UNFORMATTED_VALUE' && r.structuredContent?.values?.[0]?.[0] === 1200 && r.structuredContent.values[2][0] === 1550.5, r.structuredContent);
r = await call('read_range', { spreadsheet_id: ID, range: 'Sheet1!B4', value_render_option: 'FORMULA' });
await seen();
check('read_range: FORMULA -> the formula', r.structuredContent?.values?.[0]?.[0] === '=SUM(B2:B3)' && text(r).includes('=SUM(B2:B3)'), r);
r = await call('read_range', { spreadsheet_id: ID, range: 'Sheet1!A1:C2', major_dimension: 'COLUMNS', date_time_render_option: 'FORMATTED_STRING', value_render_option: 'UNFORMATTED_VALUE' });
q = await one();
check('read_range: COLUMNS (each line a column, named by its letter), dateTimeRenderOption passed', q.query.majorDimension === 'COLUMNS' && q.query.dateTimeRenderOption === 'FORMATTED_STRING' &&
  r.structuredContent?.values?.[1]?.join('|') === 'Amount|1200' && r.structuredContent.rows === 2 && r.structuredContent.columns === 3 && text(r).includes('B\tAmount\t1200'), r);
r = await call('read_range', { spreadsheet_id: ID, range: "'Jon''s Data'!A1" });
q = await one();
check("read_range: a quoted title with '' reaches Google as such", q.range === "'Jon''s Data'!A1" && r.structuredContent?.values?.[0]?.[0] === 'Jon was here', { q, r });
r = await call('read_range', { spreadsheet_id: ID, range: 'Q1 Data!A2:B4' });
q = await one();
check('read_range: a bare title with a space is sent quoted', q.range === "'Q1 Data'!A2:B4" && r.structuredContent?.values?.[2]?.[1] === '30', { q, r });
r = await call('read_range', { spreadsheet_id: ID, range: 'Sheet1!H1:J5' });
await seen();
check('read_range: an empty range (Google sends no values) -> empty', !r.isError && r.structuredContent?.values?.length === 0 && /empty/.test(text(r)), r);
r = await call('read_range', { spreadsheet_id: ID, range: 'A1:B1' });
q = await one();
check('read_range: cells without a title -> the first visible sheet', q.range === 'A1:B1' && r.structuredContent?.range === 'Sheet1!A1:B1', { q, r });

// 4. batch_read
r = await call('batch_read', { spreadsheet_id: ID, ranges: ['Sheet1!A1:B2', "'Q1 Data'!A:A", 'Sheet1'], value_render_option: 'UNFORMATTED_VALUE' });
q = await one();
check('batch_read: GET values:batchGet with repeated ranges (canonical), options', q.path === `${P}/values:batchGet` && Array.isArray(q.query.ranges) &&
  q.query.ranges.join('|') === "'Sheet1'!A1:B2|'Q1 Data'!A:A|'Sheet1'" && q.query.valueRenderOption === 'UNFORMATTED_VALUE' && q.auth === bearer, q);
check('batch_read: every range in text and structuredContent', !r.isError && r.structuredContent?.value_ranges?.length === 3 && r.structuredContent.value_ranges[1].values.length === 4 &&
  r.structuredContent.value_ranges[1].values[3][0] === 'Mar' && r.structuredContent.spreadsheet_id === ID && /'Q1 Data'!A1:A100: 4 rows/.test(text(r)), r);

// 5. write_range
r = await call('write_range', { spreadsheet_id: ID, range: 'Sheet1!E1:F2', values: [['a', 1], ['=1+1', true]] });
q = await one();
check('write_range: PUT values/{range}?valueInputOption=RAW (default) with {range, majorDimension, values}', q.method === 'PUT' && q.range === "'Sheet1'!E1:F2" &&
  q.query.valueInputOption === 'RAW' && q.body?.range === "'Sheet1'!E1:F2" && q.body.majorDimension === 'ROWS' && JSON.stringify(q.body.values) === '[["a",1],["=1+1",true]]' &&
  /application\/json/.test(q.contentType) && q.auth === bearer, q);
let s = await sheet('Sheet1');
check('write_range: RAW stores "=1+1" as text, numbers and booleans as such', !r.isError && r.structuredContent?.updated_cells === 4 && r.structuredContent.updated_range === 'Sheet1!E1:F2' &&
  s.rows[1][4]?.v === '=1+1' && !s.rows[1][4].f && s.rows[0][5]?.v === 1 && s.rows[1][5]?.v === true && /Wrote 4 cells \(2 rows x 2 columns\) in Sheet1!E1:F2/.test(text(r)), { r, s: s.rows.slice(0, 2) });
r = await call('write_range', { spreadsheet_id: ID, range: 'Sheet1!G1', values: [['=B2*2', '12.5%'], [null, '3']], value_input_option: 'USER_ENTERED' });
q = await one();
s = await sheet('Sheet1');
check('write_range: USER_ENTERED, a single cell anchors a block, null leaves a cell', q.query.valueInputOption === 'USER_ENTERED' && r.structuredContent?.updated_range === 'Sheet1!G1:H2' &&
  s.rows[0][6]?.f === '=B2*2' && s.rows[0][6].v === 2400 && s.rows[0][7]?.v === 0.125 && s.rows[1][7]?.v === 3 && s.rows[1][6] == null, { r, s: s.rows.slice(0, 2) });
r = await call('write_range', { spreadsheet_id: ID, range: 'Sheet1!E5:E6', values: [['x', 'y']], major_dimension: 'COLUMNS' });
q = await one();
check('write_range: COLUMNS', q.body?.majorDimension === 'COLUMNS' && !r.isError && r.structuredContent.updated_range === 'Sheet1!E5:E6', { q, r });

// 6. append_rows
r = await call('append_rows', { spreadsheet_id: ID, range: 'Q1 Data', values: [['Apr', 40], ['May', 50]] });
q = await one();
s = await sheet('Q1 Data');
check('append_rows: POST values/{range}:append, INSERT_ROWS and RAW by default', q.method === 'POST' && q.path === `${P}/values/%27Q1%20Data%27:append` &&
  q.query.insertDataOption === 'INSERT_ROWS' && q.query.valueInputOption === 'RAW' && JSON.stringify(q.body?.values) === '[["Apr",40],["May",50]]', q);
check('append_rows: written after the table, rows inserted, the table range reported', !r.isError && r.structuredContent?.updated_range === "'Q1 Data'!A5:B6" &&
  r.structuredContent.table_range === "'Q1 Data'!A1:B4" && s.rows[4][0].v === 'Apr' && s.properties.gridProperties.rowCount === 102 && /after the table/.test(text(r)), { r, grid: s.properties.gridProperties });
r = await call('append_rows', { spreadsheet_id: ID, range: 'Q1 Data!A:B', values: [['Jun', '=B6+10']], value_input_option: 'USER_ENTERED', insert_data_option: 'OVERWRITE' });
q = await one();
s = await sheet('Q1 Data');
check('append_rows: OVERWRITE and USER_ENTERED passed', q.query.insertDataOption === 'OVERWRITE' && q.query.valueInputOption === 'USER_ENTERED' && s.rows[6][1]?.v === 60 &&
  s.properties.gridProperties.rowCount === 102, { r, row: s.rows[6] });

// 7. clear_range
r = await call('clear_range', { spreadsheet_id: ID, range: 'Sheet1!E1:F2' });
q = await one();
s = await sheet('Sheet1');
check('clear_range: POST values/{range}:clear with {}, the cells emptied', q.method === 'POST' && q.path === `${P}/values/%27Sheet1%27%21E1%3AF2:clear` && JSON.stringify(q.body) === '{}' &&
  r.structuredContent?.cleared_range === 'Sheet1!E1:F2' && s.rows[0][4] == null && s.rows[1][5] == null && s.rows[0][0]?.v === 'Item', { q, r });

// 8. add_sheet / delete_sheet
r = await call('add_sheet', { spreadsheet_id: ID, title: "Summary 'Q1'", row_count: 50, column_count: 5, index: 1 });
q = await one();
check('add_sheet: POST :batchUpdate {requests:[{addSheet:{properties:{title, index, gridProperties}}}]}', q.method === 'POST' && q.path === `${P}:batchUpdate` &&
  JSON.stringify(q.body) === JSON.stringify({ requests: [{ addSheet: { properties: { title: "Summary 'Q1'", index: 1, gridProperties: { rowCount: 50, columnCount: 5 } } } }] }), q);
const newSheet = r.structuredContent?.sheet_id;
check('add_sheet: the new sheet id, title, size', !r.isError && Number.isInteger(newSheet) && r.structuredContent.title === "Summary 'Q1'" && r.structuredContent.index === 1 &&
  r.structuredContent.row_count === 50 && /Added the sheet/.test(text(r)), r);
r = await call('add_sheet', { spreadsheet_id: ID, title: 'sheet1' });
await seen();
check('add_sheet: a duplicate title -> Google\'s 400 text', r.isError === true && /400/.test(text(r)) && /A sheet with the name "sheet1" already exists/.test(text(r)), text(r));
r = await call('delete_sheet', { spreadsheet_id: ID, sheet_id: newSheet ?? 1 });
q = await one();
check('delete_sheet: POST :batchUpdate {requests:[{deleteSheet:{sheetId}}]}', q.method === 'POST' && q.path === `${P}:batchUpdate` &&
  JSON.stringify(q.body) === JSON.stringify({ requests: [{ deleteSheet: { sheetId: newSheet } }] }) && !r.isError && r.structuredContent?.deleted === true && r.structuredContent.sheet_id === newSheet, { q, r });
r = await call('delete_sheet', { spreadsheet_id: ID, sheet_id: 4242 });
await seen();
check('delete_sheet: an unknown sheet id -> Google\'s 400 text', r.isError === true && /No grid with id: 4242/.test(text(r)), text(r));

// 8b. delete_sheet by title: the id looked up first; a title that is not there; a big read cut in the text only
r = await call('add_sheet', { spreadsheet_id: ID, title: 'Temp', row_count: 3000, column_count: 10 });
const tempId = r.structuredContent?.sheet_id;
await seen();
{
  const rows = Array.from({ length: 2500 }, (_, i) => Array.from({ length: 10 }, (_, k) => `v${i}-${k}-xxxx`));
  r = await call('write_range', { spreadsheet_id: ID, range: 'Temp!A1', values: rows });
  await seen();
  check('write_range: 25000 cells in one call', !r.isError && r.structuredContent?.updated_cells === 25000, text(r));
  r = await call('read_range', { spreadsheet_id: ID, range: 'Temp!A1:J2500' });
  await seen();
  check('read_range: a large read -> the text cut near 64 KiB and saying so, structuredContent whole', !r.isError && text(r).length < 66 * 1024 &&
    /more rows not shown here \(structuredContent has every value\)/.test(text(r)) && r.structuredContent?.rows === 2500 && r.structuredContent.values[2499][9] === 'v2499-9-xxxx',
  { len: text(r).length, rows: r.structuredContent?.rows });
}
r = await call('delete_sheet', { spreadsheet_id: ID, sheet_title: 'Temp' });
{
  const got = await seen();
  check('delete_sheet by title: GET with fields=sheets(properties(sheetId,title)), then deleteSheet of that id', got.length === 2 && got[0].method === 'GET' && got[0].path === P &&
    got[0].query.fields === 'sheets(properties(sheetId,title))' && got[1].path === `${P}:batchUpdate` && got[1].body?.requests?.[0]?.deleteSheet?.sheetId === tempId &&
    !r.isError && r.structuredContent?.sheet_id === tempId && r.structuredContent.title === 'Temp' && /Deleted the sheet "Temp"/.test(text(r)), { got, r });
}
r = await call('delete_sheet', { spreadsheet_id: ID, sheet_title: 'Nope' });
{
  const got = await seen();
  check('delete_sheet by an unknown title -> error listing the sheets, nothing deleted', r.isError === true && got.length === 1 && got[0].method === 'GET' &&
    /No sheet is titled "Nope"/.test(text(r)) && /"Q1 Data"/.test(text(r)), { got, t: text(r) });
}
r = await call('delete_sheet', { spreadsheet_id: ID, sheet_id: 0, sheet_title: 'Sheet1' });
const both = r;
r = await call('delete_sheet', { spreadsheet_id: ID });
check('delete_sheet: both sheet_id and sheet_title, or neither -> refused saying so, nothing sent', both.isError === true && r.isError === true &&
  [both, r].every((x) => /either sheet_id or sheet_title/.test(text(x))) && (await seen()).length === 0, [text(both), text(r)]);

// 9. create_spreadsheet, and the last sheet cannot go
r = await call('create_spreadsheet', { title: 'Plan', sheet_titles: ['Data', 'Notes'], locale: 'de_DE', time_zone: 'Europe/Berlin' });
q = await one();
check('create_spreadsheet: POST /v4/spreadsheets {properties:{title, locale, timeZone}, sheets}, fields', q.method === 'POST' && q.path === '/v4/spreadsheets' &&
  JSON.stringify(q.body) === JSON.stringify({ properties: { title: 'Plan', locale: 'de_DE', timeZone: 'Europe/Berlin' }, sheets: [{ properties: { title: 'Data' } }, { properties: { title: 'Notes' } }] }) &&
  /spreadsheetId/.test(q.query.fields) && q.auth === bearer, q);
const created = r.structuredContent;
check('create_spreadsheet: the id, URL, sheets', !r.isError && /^[A-Za-z0-9_-]{44}$/.test(created?.spreadsheet_id) && created.sheets.length === 2 && created.sheets[0].title === 'Data' &&
  created.time_zone === 'Europe/Berlin' && text(r).includes(created.spreadsheet_id) && /^Created "Plan"/.test(text(r)), r);
r = await call('create_spreadsheet', { title: 'Solo' });
const solo = r.structuredContent?.spreadsheet_id;
q = await one();
check('create_spreadsheet: without sheets -> Google makes Sheet1', !('sheets' in (q.body ?? {})) && r.structuredContent?.sheets?.[0]?.title === 'Sheet1', { q, r });
r = await call('delete_sheet', { spreadsheet_id: solo, sheet_id: 0 });
await seen();
check('delete_sheet: the last sheet -> Google refuses', r.isError === true && /can't remove all the sheets/.test(text(r)), text(r));

// 10. upstream errors
r = await call('read_range', { spreadsheet_id: 'nosuchspreadsheet123', range: 'A1' });
await seen();
check('404 -> not found, naming the spreadsheet id', r.isError === true && /Spreadsheet nosuchspreadsheet123 was not found/.test(text(r)) && /404/.test(text(r)), text(r));
r = await call('get_spreadsheet', { spreadsheet_id: 'nosuchspreadsheet123' });
await seen();
check('404 on get_spreadsheet names the id too', r.isError === true && /nosuchspreadsheet123/.test(text(r)), text(r));
r = await call('read_range', { spreadsheet_id: ID, range: "'No such tab'!A1" });
await seen();
check('an unknown sheet -> Google\'s 400 "Unable to parse range" in the text', r.isError === true && /400/.test(text(r)) && /Unable to parse range: 'No such tab'!A1/.test(text(r)), text(r));
r = await call('write_range', { spreadsheet_id: ID, range: "'Q1 Data'!F1", values: [['x']] });
await seen();
check('past the grid -> Google\'s "exceeds grid limits"', r.isError === true && /exceeds grid limits/.test(text(r)), text(r));
if (hooks) {
  await json(`${root}/_scopes`, { scopes: ['https://www.googleapis.com/auth/spreadsheets.readonly'] });
  r = await call('write_range', { spreadsheet_id: ID, range: 'Sheet1!A10', values: [['x']] });
  check('403 insufficient scope -> names the spreadsheets scope and the re-authorize URL', r.isError === true && /403/.test(text(r)) &&
    /Missing scope: this tool needs https:\/\/www\.googleapis\.com\/auth\/spreadsheets\b/.test(text(r)) && text(r).includes(AUTHORIZE) && /insufficient authentication scopes/.test(text(r)), text(r));
  r = await call('read_range', { spreadsheet_id: ID, range: 'Sheet1!A1' });
  check('spreadsheets.readonly still reads', !r.isError, text(r));
  await json(`${root}/_scopes`, { scopes: [] });
  r = await call('read_range', { spreadsheet_id: ID, range: 'Sheet1!A1' });
  check('403 on a read names spreadsheets.readonly', r.isError === true && /needs https:\/\/www\.googleapis\.com\/auth\/spreadsheets\.readonly/.test(text(r)), text(r));
  await json(`${root}/_scopes`, { scopes: ['https://www.googleapis.com/auth/spreadsheets'] });
  await seen();
  await json(`${root}/_fail`, { path: '/values/', kind: 'rate403', retry_after: 9 });
  r = await call('read_range', { spreadsheet_id: ID, range: 'Sheet1!A1' });
  check('403 rateLimitExceeded -> usage limit with Retry-After, not a scope error', r.isError === true && /usage limit/.test(text(r)) && /rateLimitExceeded/.test(text(r)) &&
    /9 seconds/.test(text(r)) && !/Missing scope/.test(text(r)), text(r));
  await json(`${root}/_fail`, { path: ':batchUpdate', kind: 'userRate403' });
  r = await call('add_sheet', { spreadsheet_id: ID, title: 'Later' });
  check('403 userRateLimitExceeded -> usage limit', r.isError === true && /userRateLimitExceeded/.test(text(r)) && /retry later/.test(text(r)), text(r));
  await json(`${root}/_fail`, { path: 'batchGet', kind: 'quota429', retry_after: 5 });
  r = await call('batch_read', { spreadsheet_id: ID, ranges: ['A1'] });
  check('429 -> rate limited with Retry-After and Google\'s quota message', r.isError === true && /429/.test(text(r)) && /5 seconds/.test(text(r)) && /Quota exceeded/.test(text(r)), text(r));
  await json(`${root}/_fail`, { path: '/values/', status: 503 });
  r = await call('read_range', { spreadsheet_id: ID, range: 'A1' });
  check('5xx -> Google unavailable', r.isError === true && /503/.test(text(r)), text(r));
  await seen();
}

// 11. hostile arguments: refused before any request
{
  const bad = ['Sheet1!A0', 'Sheet1!A1:B2:C3', "'unterminated!A1", 'Sheet1!AAAA1', 'Sheet1!', 'A1:', 'Sheet1!A10000001', "'Sheet1'A1", 'Sheet1!A1:5', "Jon's!A1", ' Sheet1!A1', 'Tab\u0001!A1'];
  const answers = [];
  for (const range of bad) answers.push([range, await call('read_range', { spreadsheet_id: ID, range })]);
  check('bad A1 ranges -> tool errors naming range, with the reason', answers.every(([, x]) => x.isError === true && /'range' is not a range in A1 notation/.test(text(x))),
    answers.filter(([, x]) => !x.isError || !/A1 notation/.test(text(x))).map(([g, x]) => [g, text(x)]));
  r = await call('batch_read', { spreadsheet_id: ID, ranges: ['Sheet1!A1', 'Sheet1!B0'] });
  check('batch_read: a bad range names its index', r.isError === true && /'ranges\[1\]'/.test(text(r)), text(r));
  r = await call('write_range', { spreadsheet_id: ID, range: 'Sheet1!A1:B2', values: [['a', 'b', 'c']] });
  check('write_range: more columns than the range -> refused', r.isError === true && /spans 2 columns/.test(text(r)), text(r));
  r = await call('write_range', { spreadsheet_id: ID, range: 'Sheet1!A1:B2', values: [['a'], ['b'], ['c']] });
  check('write_range: more rows than the range -> refused', r.isError === true && /'range' spans 2/.test(text(r)), text(r));
  r = await call('read_range', { spreadsheet_id: ID, range: `Sheet1!A1${'x'.repeat(5000)}` });
  check('a huge range string -> refused by the schema', r.isError === true && /range/.test(text(r)), text(r).slice(0, 200));
  r = await call('read_range', { spreadsheet_id: '../../etc', range: 'A1' });
  check('a spreadsheet id with a path -> refused naming spreadsheet_id', r.isError === true && /spreadsheet_id/.test(text(r)), text(r));
  r = await call('read_range', { spreadsheet_id: ID, range: 'A1', value_render_option: 'RAW' });
  check('an unknown value_render_option -> refused', r.isError === true && /value_render_option/.test(text(r)), text(r));
  r = await call('read_range', { spreadsheet_id: ID, range: 'A1', extra: 1 });
  check('an unknown argument -> refused', r.isError === true && /extra/.test(text(r)), text(r));
  r = await call('write_range', { spreadsheet_id: ID, range: 'A1', values: [['x'.repeat(50001)]] });
  check('a cell of 50001 characters -> refused', r.isError === true && /values/.test(text(r)), text(r).slice(0, 200));
  r = await call('write_range', { spreadsheet_id: ID, range: 'A1', values: [[{ a: 1 }]] });
  check('a cell that is an object -> refused', r.isError === true && /values/.test(text(r)), text(r).slice(0, 200));
  r = await call('write_range', { spreadsheet_id: ID, range: 'A1', values: Array.from({ length: 10001 }, () => [1]) });
  check('10001 rows -> refused', r.isError === true && /values/.test(text(r)), text(r).slice(0, 200));
  r = await call('write_range', { spreadsheet_id: ID, range: 'A1', values: Array.from({ length: 201 }, () => Array(1000).fill(1)) });
  check('201000 cells -> refused naming the 200000 limit', r.isError === true && /at most 200000/.test(text(r)), text(r).slice(0, 200));
  const big = 'y'.repeat(60);
  r = await call('write_range', { spreadsheet_id: ID, range: 'A1', values: Array.from({ length: 1800 }, () => Array(100).fill(big)) });
  check('a write above Google\'s 10 MiB payload -> refused before sending', r.isError === true && /10485760 bytes/.test(text(r)), text(r).slice(0, 200));
  r = await call('add_sheet', { spreadsheet_id: ID, title: 'Bad\ttitle' });
  check('add_sheet: a control character in the title -> refused', r.isError === true && /control character/.test(text(r)), text(r));
  r = await call('add_sheet', { spreadsheet_id: ID, title: 'Huge', row_count: 10000000, column_count: 26 });
  check('add_sheet: more than 10 million cells -> refused', r.isError === true && /10 million/.test(text(r)), text(r));
  r = await call('create_spreadsheet', { title: 'x', sheet_titles: ['A', 'A'] });
  check('create_spreadsheet: duplicate sheet titles -> refused', r.isError === true && /sheet_titles/.test(text(r)), text(r));
  r = await call('delete_sheet', { spreadsheet_id: ID, sheet_id: -1 });
  check('delete_sheet: a negative id -> refused', r.isError === true && /sheet_id/.test(text(r)), text(r));
  const after = await seen();
  check('none of the refused calls reached Google', after.length === 0, after.map((x) => `${x.method} ${x.path}`));
}

// 12. the fake itself behaves as Google documents
{
  const h = { authorization: bearer, 'content-type': 'application/json' };
  const put = await fetch(`${root}${P}/values/Sheet1!A20`, { method: 'PUT', headers: h, body: JSON.stringify({ values: [['x']] }) }).then(async (x) => ({ status: x.status, j: await x.json() }));
  check('fake: values.update without valueInputOption -> 400', put.status === 400 && /valueInputOption' is required/.test(put.j.error?.message) && put.j.error.status === 'INVALID_ARGUMENT', put);
  const get = await fetch(`${root}${P}/values/Sheet1!A1:B2:C3`, { headers: h }).then(async (x) => ({ status: x.status, j: await x.json() }));
  check('fake: a bad range -> 400 Unable to parse range', get.status === 400 && get.j.error?.message === 'Unable to parse range: Sheet1!A1:B2:C3', get);
  await seen();
}

// 13. 401: one refresh through the broker, retried; a second 401 -> re-authorize
if (hooks) {
  const before = (await json(`${brokerUrl}/_stats`)).token_refresh;
  await json(`${brokerUrl}/_set`, { id: inst.id, access_token: `${inst.access_token}-2` });
  await json(`${root}/_token`, { token: `${inst.access_token}-2` });
  r = await call('read_range', { spreadsheet_id: ID, range: 'Sheet1!A1' });
  const got = await seen();
  const after = (await json(`${brokerUrl}/_stats`)).token_refresh;
  check('401 -> broker refresh once -> retried with the new token', !r.isError && after === before + 1 && got.length === 2 &&
    got[0].auth === bearer && got[1].auth === `Bearer ${inst.access_token}-2`, { r, got, before, after });
  await json(`${root}/_token`, { token: 'revoked' });
  r = await call('read_range', { spreadsheet_id: ID, range: 'Sheet1!A1' });
  await seen();
  check('401 after the refresh -> re-authorize at the instance\'s URL', r.isError === true && /re-authorize/i.test(text(r)) && text(r).includes(AUTHORIZE), text(r));
}
await client.close();
done();
