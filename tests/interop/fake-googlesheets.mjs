// fake-googlesheets.mjs - a local Google Sheets API v4 for the tests, following Google's documented shapes:
// spreadsheets.create / get (fields partial responses, includeGridData) / batchUpdate (addSheet, deleteSheet: atomic;
// a duplicate title, an unknown sheet id, deleting the last sheet -> 400 as Google words it), values.get / batchGet
// (valueRenderOption FORMATTED_VALUE / UNFORMATTED_VALUE / FORMULA, majorDimension, trailing empties left out, no
// `values` for an empty range), values.update / append (valueInputOption required: 400 without; RAW stores as given,
// USER_ENTERED parses numbers, booleans, percentages and =formulas roughly: SUM/AVERAGE/MIN/MAX of a range, cell
// references and arithmetic; append finds the table in the range and writes after its last row, INSERT_ROWS inserts
// rows, OVERWRITE writes over what follows), values.clear. A1 ranges are parsed as Google does (quoted titles with ''
// escapes, A1, A1:B2, A:A, 1:2, A5:C, a title alone, cells alone = the first visible sheet): anything else, or an
// unknown sheet, is 400 "Unable to parse range: <range>"; a range past the grid is 400 "exceeds grid limits".
// Errors: {"error":{code,message,status,errors?:[{message,domain,reason}],details?}}; an unknown spreadsheet is 404,
// a token without the scope an endpoint needs (POST /_scopes) 403 with ACCESS_TOKEN_SCOPE_INSUFFICIENT and
// WWW-Authenticate; 10 MiB request payload and 50,000 characters a cell, 10 million cells a spreadsheet.
// Usage: node fake-googlesheets.mjs <accepted bearer token>. Prints "fake-googlesheets listening on 127.0.0.1:<port>".
// With FAKE_TOKENINFO_URL set a bearer is accepted when that endpoint knows it (fake-auth.mjs).
// Test hooks: GET /_requests (method, path, range (decoded), query (repeated names as arrays), auth, body),
// POST /_reset (forgets the requests), /_token {token}, /_scopes {scopes: [...]} (granted to the token; default both),
// /_fail {path (regex), method?, kind: 'rate403' | 'userRate403' | 'quota429' | 'scope403', status?, message?,
// retry_after?, times?} (the next matching request fails with Google's body for that case), GET /_sheet?id=&title=
// (a sheet's stored cells, for checks).
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { bearerAuth } from './fake-auth.mjs';

const auth = bearerAuth(process.argv[2] ?? 'googlesheets-token');
const SCOPE_RW = 'https://www.googleapis.com/auth/spreadsheets';
const SCOPE_RO = 'https://www.googleapis.com/auth/spreadsheets.readonly';
const MAX_PAYLOAD = 10485760, MAX_CELL = 50000, MAX_CELLS = 10000000;
let requests = [];
let failures = [];
let scopes = [SCOPE_RW];
let nextSheetId = 1000;
const books = new Map();

// ---- A1 notation ----
const colNum = (s) => [...s.toUpperCase()].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);
const colName = (n) => { let s = ''; for (; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s; return s; };
const endpoint = (s) => {
  const m = /^([A-Za-z]{0,3})([1-9][0-9]{0,7})?$/.exec(s);
  if (!m || (!m[1] && !m[2])) return null;
  const c = m[1] ? colNum(m[1]) : 0, r = m[2] ? Number(m[2]) : 0;
  if (r > MAX_CELLS) return null;
  return { c, r, kind: c && r ? 'cell' : c ? 'col' : 'row' };
};
// cells: {c1, r1, c2, r2} 1-based, 0 = unbounded; null when not cells
const cells = (s) => {
  const parts = s.split(':');
  if (parts.length > 2) return null;
  const a = endpoint(parts[0]);
  if (!a) return null;
  if (parts.length === 1) return a.kind === 'cell' ? { c1: a.c, r1: a.r, c2: a.c, r2: a.r } : null;
  const b = endpoint(parts[1]);
  if (!b || !(a.kind === b.kind || (a.kind === 'cell' && b.kind === 'col'))) return null;
  const lo = (x, y) => (y && x > y ? y : x), hi = (x, y) => (y && x > y ? x : y);
  return { c1: lo(a.c, b.c), c2: hi(a.c, b.c), r1: lo(a.r, b.r), r2: hi(a.r, b.r) };
};
// {title, cells|null} or null
const splitA1 = (s) => {
  if (s.startsWith("'")) {
    let i = 1, t = '';
    for (;; i++) {
      if (i >= s.length) return null;
      if (s[i] === "'") { if (s[i + 1] === "'") { t += "'"; i++; continue; } break; }
      t += s[i];
    }
    const rest = s.slice(i + 1);
    if (rest === '') return { title: t, cells: null };
    if (!rest.startsWith('!')) return null;
    const c = cells(rest.slice(1));
    return c ? { title: t, cells: c } : null;
  }
  const bang = s.indexOf('!');
  if (bang >= 0) { const c = cells(s.slice(bang + 1)); return c && bang > 0 ? { title: s.slice(0, bang), cells: c } : null; }
  const c = cells(s);
  return c ? { title: null, cells: c } : { title: s, cells: null };
};
const quoteTitle = (t) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(t) && !cells(t) ? t : `'${t.replaceAll("'", "''")}'`);
const gridOf = (sh) => sh.properties.gridProperties;
// A parsed range bound to its sheet, every side bounded by the grid: {sheet, c1, r1, c2, r2, single}; or {error}
const resolve = (book, str) => {
  const p = typeof str === 'string' && str.length ? splitA1(str) : null;
  const bad = { error: [400, `Unable to parse range: ${str}`] };
  if (!p) return bad;
  const sheet = p.title === null ? book.sheets.find((s) => !s.properties.hidden) ?? book.sheets[0] : book.sheets.find((s) => s.properties.title === p.title);
  if (!sheet) return bad;
  const g = gridOf(sheet);
  const c = p.cells ?? { c1: 0, r1: 0, c2: 0, r2: 0 };
  const r = { sheet, c1: c.c1 || 1, r1: c.r1 || 1, c2: c.c2 || (c.c1 && !c.r1 ? c.c2 : g.columnCount), r2: c.r2 || g.rowCount, single: !!p.cells && c.c1 === c.c2 && c.r1 === c.r2 && c.r1 > 0 && c.c1 > 0 };
  if (!c.c2 && !c.c1) r.c2 = g.columnCount;
  if (Math.max(r.r1, r.r2) > g.rowCount || Math.max(r.c1, r.c2) > g.columnCount)
    return { error: [400, `Range (${quoteTitle(sheet.properties.title)}!${str.includes('!') ? str.slice(str.lastIndexOf('!') + 1) : str}) exceeds grid limits. Max rows: ${g.rowCount}, max columns: ${g.columnCount}`] };
  return r;
};
const a1Of = (sheet, c1, r1, c2, r2) => `${quoteTitle(sheet.properties.title)}!${colName(c1)}${r1}${c1 === c2 && r1 === r2 ? '' : `:${colName(c2)}${r2}`}`;

// ---- cells: a sheet's data is rows[r][c] = {v: effective value, f?: formula} (0-based) ----
const getCell = (sh, r, c) => sh.data[r]?.[c];
const setCell = (sh, r, c, cell) => { (sh.data[r] ??= [])[c] = cell; };
const numOf = (v) => (typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : Number.isFinite(Number(v)) && v !== '' ? Number(v) : 0);
const evalFormula = (sh, f) => {
  const ref = (a) => { const e = endpoint(a); return e?.kind === 'cell' ? numOf(getCell(sh, e.r - 1, e.c - 1)?.v ?? 0) : NaN; };
  const rangeVals = (a) => {
    const c = cells(a); const out = [];
    if (!c) return out;
    for (let r = c.r1; r <= (c.r2 || gridOf(sh).rowCount); r++) for (let k = c.c1; k <= (c.c2 || c.c1); k++) { const v = getCell(sh, r - 1, k - 1)?.v; if (typeof v === 'number') out.push(v); }
    return out;
  };
  const fn = { SUM: (x) => x.reduce((a, b) => a + b, 0), AVERAGE: (x) => (x.length ? x.reduce((a, b) => a + b, 0) / x.length : 0), MIN: (x) => Math.min(...x), MAX: (x) => Math.max(...x) };
  let expr = f.slice(1).replace(/\b(SUM|AVERAGE|MIN|MAX)\(([A-Za-z]+[0-9]+:[A-Za-z]+[0-9]+)\)/gi, (_, n, a) => String(fn[n.toUpperCase()](rangeVals(a))));
  expr = expr.replace(/\b([A-Za-z]{1,3}[0-9]+)\b/g, (a) => String(ref(a)));
  if (!/^[0-9+\-*/(). eE]+$/.test(expr)) return '#ERROR!';
  try { const v = Function(`"use strict"; return (${expr});`)(); return Number.isFinite(v) ? v : '#DIV/0!'; } catch { return '#ERROR!'; }
};
const fmt = (v) => (typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : typeof v === 'number' ? String(Math.round(v * 1e10) / 1e10) : v);
const render = (cell, how) => {
  if (cell === undefined) return '';
  if (how === 'FORMULA' && cell.f) return cell.f;
  if (how === 'UNFORMATTED_VALUE' || how === 'FORMULA') return cell.v;
  return cell.display ?? fmt(cell.v);
};
// a written value as Google stores it
const parseInput = (sh, v, option) => {
  if (typeof v !== 'string' || option === 'RAW') return { v };
  const s = v.trim();
  if (s.startsWith('=')) return { f: s, v: null };
  if (/^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$/.test(s)) return { v: Number(s.replaceAll(',', '')), display: s };
  if (/^[+-]?\d+(\.\d+)?%$/.test(s)) return { v: Number(s.slice(0, -1)) / 100, display: s };
  if (/^(true|false)$/i.test(s)) return { v: /^true$/i.test(s) };
  return { v };
};
const recalc = (sh) => { for (const row of sh.data) for (const cell of row ?? []) if (cell?.f) cell.v = evalFormula(sh, cell.f); };
const readValues = (r, how, major) => {
  let rows = [];
  for (let i = r.r1; i <= r.r2; i++) {
    const row = [];
    for (let k = r.c1; k <= r.c2; k++) row.push(render(getCell(r.sheet, i - 1, k - 1), how));
    rows.push(row);
  }
  if (major === 'COLUMNS') rows = rows.length ? rows[0].map((_, k) => rows.map((row) => row[k])) : [];
  rows = rows.map((row) => { let n = row.length; while (n > 0 && row[n - 1] === '') n--; return row.slice(0, n); });
  while (rows.length && rows.at(-1).length === 0) rows.pop();
  return rows;
};
const valueRange = (r, q) => {
  const major = q.get('majorDimension') ?? 'ROWS';
  const values = readValues(r, q.get('valueRenderOption') ?? 'FORMATTED_VALUE', major);
  return { range: a1Of(r.sheet, r.c1, r.r1, r.c2, r.r2), majorDimension: major, ...(values.length ? { values } : {}) };
};
const countCells = (book) => book.sheets.reduce((n, s) => n + gridOf(s).rowCount * gridOf(s).columnCount, 0);

// ---- spreadsheets ----
const newId = () => randomBytes(33).toString('base64url').slice(0, 44);
const sheetOf = (title, index, sheetId, rows = 1000, cols = 26) => ({ properties: { sheetId, title, index, sheetType: 'GRID', gridProperties: { rowCount: rows, columnCount: cols } }, data: [] });
const addBook = (id, title, sheetTitles, extra = {}) => {
  const book = { spreadsheetId: id, properties: { title, locale: 'en_US', autoRecalc: 'ON_CHANGE', timeZone: 'Etc/GMT', ...extra },
    sheets: sheetTitles.map((t, i) => sheetOf(t, i, i === 0 ? 0 : nextSheetId++)), namedRanges: [], spreadsheetUrl: `https://docs.google.com/spreadsheets/d/${id}/edit` };
  books.set(id, book);
  return book;
};
const seed = () => {
  books.clear();
  nextSheetId = 1000;
  const b = addBook('1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms', 'Budget 2026', ['Sheet1', 'Q1 Data', "Jon's Data"]);
  const [s1, q1, jon] = b.sheets;
  const put = (sh, rows, option = 'USER_ENTERED') => rows.forEach((row, i) => row.forEach((v, k) => { if (v !== null) setCell(sh, i, k, parseInput(sh, v, option)); }));
  put(s1, [['Item', 'Amount', 'Paid'], ['Rent', '1,200', 'TRUE'], ['Food', '350.5', 'FALSE'], ['Total', '=SUM(B2:B3)']]);
  recalc(s1);
  put(q1, [['Month', 'Sales'], ['Jan', 10], ['Feb', 20], ['Mar', 30]], 'RAW');
  put(jon, [['Jon was here']], 'RAW');
  q1.properties.gridProperties = { rowCount: 100, columnCount: 5, frozenRowCount: 1 };
  jon.properties.hidden = true;
  b.namedRanges.push({ namedRangeId: 'nr-amounts', name: 'Amounts', range: { sheetId: 0, startRowIndex: 1, endRowIndex: 3, startColumnIndex: 1, endColumnIndex: 2 } });
  b.namedRanges.push({ namedRangeId: 'nr-months', name: 'Months', range: { sheetId: q1.properties.sheetId, startColumnIndex: 0, endColumnIndex: 1 } });
};
seed();

// fields: "a,b(c,d),e/f" -> a mask tree; applied to objects and through arrays
const parseFields = (s) => {
  let i = 0;
  const list = () => {
    const out = {};
    while (i < s.length && s[i] !== ')') {
      let name = '';
      while (i < s.length && !',()'.includes(s[i])) name += s[i++];
      const path = name.trim().split('/');
      let node = out;
      for (let k = 0; k < path.length - 1; k++) node = node[path[k]] = node[path[k]] === true ? true : node[path[k]] ?? {};
      const last = path.at(-1);
      if (s[i] === '(') { i++; node[last] = list(); i++; } else node[last] = true;
      if (s[i] === ',') i++;
    }
    return out;
  };
  return list();
};
const applyMask = (v, mask) => {
  if (mask === true || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => applyMask(x, mask));
  const out = {};
  for (const [k, m] of Object.entries(mask)) if (k in v) out[k] = applyMask(v[k], m);
  return out;
};
const publicBook = (book, grid) => ({ ...book, sheets: book.sheets.map((s) => (grid ? { properties: s.properties, data: [{ rowData: s.data.map((row) => ({ values: (row ?? []).map((c) => ({ effectiveValue: c?.v })) })) }] } : { properties: s.properties })) });

// ---- HTTP ----
const send = (res, status, body, extra = {}) => { res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...extra }); res.end(JSON.stringify(body)); };
const STATUS = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE' };
const gerr = (res, code, message, extra = {}, more = {}) => send(res, code, { error: { code, message, status: STATUS[code] ?? 'UNKNOWN', ...more } }, extra);
const scopeError = (res, need) => gerr(res, 403, 'Request had insufficient authentication scopes.',
  { 'www-authenticate': `Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="${need}"` },
  { errors: [{ message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' }],
    details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT', domain: 'googleapis.com', metadata: { service: 'sheets.googleapis.com', method: 'google.apps.sheets.v4.SpreadsheetsService' } }] });
const injected = (res, f) => {
  const extra = f.retry_after ? { 'retry-after': String(f.retry_after) } : {};
  if (f.kind === 'scope403') return scopeError(res, SCOPE_RW);
  if (f.kind === 'rate403' || f.kind === 'userRate403') {
    const reason = f.kind === 'rate403' ? 'rateLimitExceeded' : 'userRateLimitExceeded';
    const message = f.kind === 'rate403' ? 'Rate Limit Exceeded' : 'User Rate Limit Exceeded';
    return gerr(res, 403, message, extra, { errors: [{ message, domain: 'usageLimits', reason }] });
  }
  if (f.kind === 'quota429')
    return gerr(res, 429, "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' of service 'sheets.googleapis.com' for consumer 'project_number:123456'.", extra,
      { details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'RATE_LIMIT_EXCEEDED', domain: 'googleapis.com', metadata: { quota_limit: 'ReadRequestsPerMinutePerUser', service: 'sheets.googleapis.com' } }] });
  return gerr(res, f.status ?? 500, f.message ?? `injected ${f.status}`, extra);
};
const queryOf = (q) => { const o = {}; for (const [k, v] of q) o[k] = k in o ? [].concat(o[k], v) : v; return o; };
const VIO = ['RAW', 'USER_ENTERED'];
const checkEnums = (q) => {
  const enums = { valueRenderOption: ['FORMATTED_VALUE', 'UNFORMATTED_VALUE', 'FORMULA'], majorDimension: ['ROWS', 'COLUMNS'], dateTimeRenderOption: ['SERIAL_NUMBER', 'FORMATTED_STRING'], insertDataOption: ['OVERWRITE', 'INSERT_ROWS'], valueInputOption: VIO };
  for (const [k, allowed] of Object.entries(enums)) if (q.has(k) && !allowed.includes(q.get(k))) return `Invalid value at '${k.replace(/[A-Z]/g, (x) => `_${x.toLowerCase()}`)}' (${q.get(k)})`;
  return null;
};

// writes values (rows, or columns with COLUMNS) from (r1, c1); bounded by lim {r2, c2} when given. An error string or null.
const writeValues = (sh, r1, c1, values, major, option, lim) => {
  if (!Array.isArray(values) || !values.every(Array.isArray)) return 'Invalid values: a list of lists expected';
  const rows = major === 'COLUMNS' ? (values[0] ?? []).map((_, k) => values.map((col) => col[k])) : values;
  const width = major === 'COLUMNS' ? values.length : Math.max(0, ...values.map((row) => row.length));
  const height = major === 'COLUMNS' ? Math.max(0, ...values.map((col) => col.length)) : values.length;
  if (lim && r1 + height - 1 > lim.r2) return `Requested writing within range [${lim.a1}], but tried writing to row [${r1 + height - 1}]`;
  if (lim && c1 + width - 1 > lim.c2) return `Requested writing within range [${lim.a1}], but tried writing to column [${colName(c1 + width - 1)}]`;
  const g = gridOf(sh);
  if (r1 + height - 1 > g.rowCount || c1 + width - 1 > g.columnCount) return `Range (${a1Of(sh, c1, r1, c1 + Math.max(width, 1) - 1, r1 + Math.max(height, 1) - 1)}) exceeds grid limits. Max rows: ${g.rowCount}, max columns: ${g.columnCount}`;
  for (const row of rows) for (const v of row ?? []) if (typeof v === 'string' && v.length > MAX_CELL) return `Your input contains more than the maximum of ${MAX_CELL} characters in a single cell.`;
  let n = 0;
  rows.forEach((row, i) => (row ?? []).forEach((v, k) => { if (v === null || v === undefined) return; setCell(sh, r1 - 1 + i, c1 - 1 + k, parseInput(sh, v, option)); n++; }));
  recalc(sh);
  return { updatedRange: a1Of(sh, c1, r1, c1 + Math.max(width, 1) - 1, r1 + Math.max(height, 1) - 1), updatedRows: height, updatedColumns: width, updatedCells: n };
};

const batchUpdate = (book, body) => {
  if (!Array.isArray(body?.requests)) return [400, 'Invalid JSON payload received. Expected requests.'];
  const copy = structuredClone(book.sheets), replies = [];
  for (const [i, rq] of body.requests.entries()) {
    const kind = Object.keys(rq ?? {})[0];
    if (kind === 'addSheet') {
      const p = rq.addSheet?.properties ?? {};
      const title = p.title ?? `Sheet${copy.length + 1}`;
      if (copy.some((s) => s.properties.title.toLowerCase() === String(title).toLowerCase()))
        return [400, `Invalid requests[${i}].addSheet: A sheet with the name "${title}" already exists. Please enter another name.`];
      if (typeof title !== 'string' || !title.length || title.length > 100) return [400, `Invalid requests[${i}].addSheet: Invalid sheet name.`];
      const g = { rowCount: 1000, columnCount: 26, ...(p.gridProperties ?? {}) };
      if (countCells({ sheets: copy }) + g.rowCount * g.columnCount > MAX_CELLS) return [400, `Invalid requests[${i}].addSheet: This action would increase the number of cells in the workbook above the limit of ${MAX_CELLS} cells.`];
      const index = Math.min(p.index ?? copy.length, copy.length);
      const sh = sheetOf(title, index, p.sheetId ?? nextSheetId++, g.rowCount, g.columnCount);
      copy.splice(index, 0, sh);
      copy.forEach((s, k) => { s.properties.index = k; });
      replies.push({ addSheet: { properties: sh.properties } });
    } else if (kind === 'deleteSheet') {
      const k = copy.findIndex((s) => s.properties.sheetId === rq.deleteSheet?.sheetId);
      if (k < 0) return [400, `Invalid requests[${i}].deleteSheet: No grid with id: ${rq.deleteSheet?.sheetId}`];
      if (copy.length === 1) return [400, `Invalid requests[${i}].deleteSheet: You can't remove all the sheets in a document.`];
      copy.splice(k, 1);
      copy.forEach((s, j) => { s.properties.index = j; });
      replies.push({});
    } else return [400, `Invalid JSON payload received. Unknown name "${kind}" at 'requests[${i}]': Cannot find field.`];
  }
  book.sheets = copy; // atomic: only a batch without errors changes anything
  return [200, { spreadsheetId: book.spreadsheetId, replies }];
};

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const buf = Buffer.concat(chunks);
    const url = new URL(req.url, 'http://x');
    const q = url.searchParams;
    let body = null;
    if (url.pathname.startsWith('/_')) {
      body = buf.length ? JSON.parse(buf.toString('utf8')) : {};
      if (url.pathname === '/_requests') return send(res, 200, requests);
      if (url.pathname === '/_reset') { requests = []; failures = []; scopes = [SCOPE_RW]; if (body.seed) seed(); return send(res, 200, {}); }
      if (url.pathname === '/_token') { auth.setToken(body.token); return send(res, 200, {}); }
      if (url.pathname === '/_scopes') { scopes = body.scopes ?? []; return send(res, 200, {}); }
      if (url.pathname === '/_fail') { failures.push({ times: 1, ...body }); return send(res, 200, {}); }
      if (url.pathname === '/_sheet') {
        const sh = books.get(q.get('id'))?.sheets.find((s) => s.properties.title === q.get('title'));
        return sh ? send(res, 200, { properties: sh.properties, rows: sh.data.map((row) => (row ?? []).map((c) => (c ? { v: c.v, ...(c.f ? { f: c.f } : {}) } : null))) }) : send(res, 404, {});
      }
      return send(res, 404, {});
    }
    const m = /^\/v4\/spreadsheets(?:\/([^/:]+))?(?::(batchUpdate))?(?:\/values(?::(batchGet)|\/(.+?)(?::(append|clear))?))?$/.exec(url.pathname);
    let range = null;
    try { range = m?.[4] !== undefined ? decodeURIComponent(m[4]) : null; } catch { range = m[4]; }
    if (buf.length <= MAX_PAYLOAD) { try { body = buf.length ? JSON.parse(buf.toString('utf8')) : null; } catch { body = undefined; } }
    requests.push({ method: req.method, path: url.pathname, range, query: queryOf(q), auth: req.headers.authorization ?? '', contentType: req.headers['content-type'] ?? '', body: buf.length > 1024 * 1024 ? { large: true, bytes: buf.length } : body });
    if (!(await auth.authorized(req.headers.authorization)))
      return gerr(res, 401, 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.', { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' });
    const f = failures.find((x) => x.times > 0 && new RegExp(x.path).test(url.pathname) && (!x.method || x.method === req.method));
    if (f) { f.times--; return injected(res, f); }
    if (!m) return gerr(res, 404, `Method not found: ${req.method} ${url.pathname}`);
    const [, id, batch, batchGet, , op] = m;
    const write = !(req.method === 'GET');
    if (!(scopes.includes(SCOPE_RW) || (!write && scopes.includes(SCOPE_RO)))) return scopeError(res, write ? SCOPE_RW : `${SCOPE_RO} ${SCOPE_RW}`);
    if (buf.length > MAX_PAYLOAD) return gerr(res, 400, `Request payload size exceeds the limit: ${MAX_PAYLOAD} bytes.`);
    if (body === undefined) return gerr(res, 400, 'Invalid JSON payload received.');
    const bad = checkEnums(q);
    if (bad) return gerr(res, 400, bad);
    const fields = q.has('fields') ? parseFields(q.get('fields')) : null;
    const answer = (obj) => send(res, 200, fields ? applyMask(obj, fields) : obj);
    if (!id) {
      if (req.method !== 'POST' || batch || batchGet || range !== null) return gerr(res, 404, `Method not found: ${req.method} ${url.pathname}`);
      const titles = (body?.sheets ?? []).map((s) => s?.properties?.title).filter(Boolean);
      if (new Set(titles.map((t) => t.toLowerCase())).size !== titles.length) return gerr(res, 400, `Invalid spreadsheet: A sheet with the name "${titles.find((t, i) => titles.findIndex((x) => x.toLowerCase() === t.toLowerCase()) !== i)}" already exists. Please enter another name.`);
      const book = addBook(newId(), body?.properties?.title ?? 'Untitled spreadsheet', titles.length ? titles : ['Sheet1'],
        { ...(body?.properties?.locale ? { locale: body.properties.locale } : {}), ...(body?.properties?.timeZone ? { timeZone: body.properties.timeZone } : {}) });
      return answer(publicBook(book, false));
    }
    const book = books.get(id);
    if (!book) return gerr(res, 404, 'Requested entity was not found.');
    if (batch) {
      if (req.method !== 'POST') return gerr(res, 404, 'Method not found.');
      const [st, out] = batchUpdate(book, body);
      return st === 200 ? answer(out) : gerr(res, st, out);
    }
    if (batchGet) {
      if (req.method !== 'GET') return gerr(res, 404, 'Method not found.');
      const ranges = q.getAll('ranges');
      const rs = ranges.map((r) => resolve(book, r));
      const e = rs.find((r) => r.error);
      if (e) return gerr(res, ...e.error);
      return answer({ spreadsheetId: id, valueRanges: rs.map((r) => valueRange(r, q)) });
    }
    if (range === null) {
      if (req.method !== 'GET') return gerr(res, 404, 'Method not found.');
      return answer(publicBook(book, q.get('includeGridData') === 'true'));
    }
    const r = resolve(book, range);
    if (r.error) return gerr(res, ...r.error);
    if (op === undefined && req.method === 'GET') return answer(valueRange(r, q));
    if (op === 'clear' && req.method === 'POST') {
      for (let i = r.r1; i <= r.r2; i++) for (let k = r.c1; k <= r.c2; k++) if (r.sheet.data[i - 1]?.[k - 1]) delete r.sheet.data[i - 1][k - 1];
      recalc(r.sheet);
      return answer({ spreadsheetId: id, clearedRange: a1Of(r.sheet, r.c1, r.r1, r.c2, r.r2) });
    }
    if (!((op === undefined && req.method === 'PUT') || (op === 'append' && req.method === 'POST'))) return gerr(res, 404, 'Method not found.');
    // values.update / values.append
    if (!q.has('valueInputOption')) return gerr(res, 400, "'valueInputOption' is required but not specified");
    const option = q.get('valueInputOption'), major = body?.majorDimension ?? 'ROWS';
    if (body?.range !== undefined) {
      const b = resolve(book, body.range);
      if (b.error || b.sheet !== r.sheet || b.r1 !== r.r1 || b.c1 !== r.c1 || b.r2 !== r.r2 || b.c2 !== r.c2)
        return gerr(res, 400, `Invalid data[0]: The range in the request body [${body.range}] does not match the range in the URL [${range}].`);
    }
    if (op === undefined) {
      const lim = r.single ? null : { r2: r.r2, c2: r.c2, a1: range };
      const out = writeValues(r.sheet, r.r1, r.c1, body?.values, major, option, lim);
      return typeof out === 'string' ? gerr(res, 400, out) : answer({ spreadsheetId: id, ...out });
    }
    // append: the table is the first run of non-empty rows in the range's columns; the values go below it
    const sh = r.sheet;
    const rowEmpty = (i) => { for (let k = r.c1; k <= r.c2; k++) if (getCell(sh, i - 1, k - 1) !== undefined) return false; return true; };
    let top = r.r1;
    while (top <= gridOf(sh).rowCount && rowEmpty(top)) top++;
    let bottom = top;
    while (bottom + 1 <= gridOf(sh).rowCount && !rowEmpty(bottom + 1)) bottom++;
    const found = top <= gridOf(sh).rowCount;
    let c2 = r.c1;
    if (found) for (let i = top; i <= bottom; i++) for (let k = r.c1; k <= r.c2; k++) if (getCell(sh, i - 1, k - 1) !== undefined) c2 = Math.max(c2, k);
    const at = found ? bottom + 1 : r.r1;
    const n = Array.isArray(body?.values) ? (major === 'COLUMNS' ? Math.max(0, ...body.values.map((x) => x.length)) : body.values.length) : 0;
    const insert = (q.get('insertDataOption') ?? 'OVERWRITE') === 'INSERT_ROWS';
    const g = gridOf(sh);
    if (insert) { sh.data.splice(at - 1, 0, ...Array.from({ length: n }, () => [])); g.rowCount += n; } else if (at + n - 1 > g.rowCount) g.rowCount = at + n - 1;
    const out = writeValues(sh, at, r.c1, body?.values, major, option, null);
    if (typeof out === 'string') return gerr(res, 400, out);
    return answer({ spreadsheetId: id, ...(found ? { tableRange: a1Of(sh, r.c1, top, c2, bottom) } : {}), updates: { spreadsheetId: id, ...out } });
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(`fake-googlesheets listening on 127.0.0.1:${server.address().port}`));
