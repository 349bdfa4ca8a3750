// fake-googledocs.mjs - a local Google Docs API v1 and the Drive v3 export that mcp-googledocs calls, following the
// documented shapes (developers.google.com/docs/api/concepts/structure, .../reference/rest/v1/documents):
//   POST /v1/documents {title} -> a new Document (its body: the section break 0-1 and one empty paragraph 1-2);
//   GET /v1/documents/{id}[?fields=] -> the Document: body.content of structural elements with startIndex/endIndex
//     (the first, the section break, has no startIndex: 0 is omitted as Google omits zero values), paragraphs of
//     textRun elements (runs split at style changes) with paragraphStyle.namedStyleType and bullet {listId,
//     nestingLevel}, tables (tableRows / tableCells / content), pageBreak elements, the lists map (glyphType for
//     numbered levels, glyphSymbol for bullets); `fields` keeps the top-level fields it names;
//   POST /v1/documents/{id}:batchUpdate {requests, writeControl?} -> {documentId, replies, writeControl}: insertText
//     (location.index or endOfSegmentLocation), deleteContentRange, replaceAllText (containsText.matchCase),
//     updateTextStyle, updateParagraphStyle, createParagraphBullets, insertTable, insertPageBreak; indexes in UTF-16
//     code units, validated as Google does (400 "Invalid requests[i].insertText: Index N must be less than the end
//     index of the referenced segment, E.", insertion outside a paragraph, empty ranges, the segment's final
//     newline), applied in order and atomically (one bad request: nothing changes), the revision bumped;
//     writeControl.requiredRevisionId other than the current revision -> 400;
//   GET /drive/v3/files/{id}/export?mimeType= -> the bytes in that format for the MIME types Drive lists for Docs
//     (400 for another; mimeType required); an export over 10 MB -> 403 exportSizeLimitExceeded.
// Errors are Google's envelope {"error": {code, message, status, errors?: [{message, domain, reason}]}}: 401 on a
// wrong bearer (with WWW-Authenticate), 404 "Requested entity was not found." (Docs) / "File not found: <id>."
// (Drive), 403 insufficient scope (ACCESS_TOKEN_SCOPE_INSUFFICIENT, WWW-Authenticate error="insufficient_scope"),
// when POST /_scopes {scopes} narrowed the token's scopes; injected 429 / 403 rateLimitExceeded with Retry-After.
// Usage: node fake-googledocs.mjs <accepted bearer token>; prints "fake-googledocs listening on 127.0.0.1:<port>".
// Test hooks: GET /_requests (method, path, query, body, auth, bytes), POST /_reset, POST /_token {token},
// POST /_scopes {scopes: [short names] | null}, POST /_fail {path (regex), method?, status, reason?, message?,
// retry_after?, www_authenticate?, times?}, GET /_doc/{id} (the stored document as the API gives it).
import { createServer } from 'node:http';
import { bearerAuth } from './fake-auth.mjs';

const auth = bearerAuth(process.argv[2] ?? 'googledocs-token');
let requests = [];
let failures = [];
let scopes = null; // null: every scope granted
const MB = 1000 * 1000;
const docs = new Map();
let seq = 0;

// ---- the document model: a body is a list of items, each a character (one UTF-16 code unit: {c, ts, ps?}; a
// paragraph's "\n" carries its paragraph style ps and bullet) or a table {table: rows of cells, each cell a list of
// characters}. Indexes: the section break is 0-1, then 1 per character; a table is 1 (its start) + per row 1 + per
// cell 1 + the cell's characters, + 1 (its end).
const nl = (ps = { namedStyleType: 'NORMAL_TEXT' }, bullet) => ({ c: '\n', ts: {}, ps: { ...ps }, ...(bullet ? { bullet: { ...bullet } } : {}) });
const chars = (text, ts = {}) => [...Array(text.length).keys()].map((i) => ({ c: text[i], ts: { ...ts } }));
const cellOf = (text) => [...chars(text), nl()];
const para = (runs, style = 'NORMAL_TEXT', bullet) => [...runs.flatMap(([t, ts]) => chars(t, ts)), nl({ namedStyleType: style }, bullet)];
const itemLen = (it) => (it.table ? 2 + it.table.reduce((n, row) => n + 1 + row.reduce((m, cell) => m + 1 + cell.length, 0), 0) : 1);
const listLen = (list) => list.reduce((n, it) => n + itemLen(it), 0);
const revId = (d) => `ALBJ4Ls${String(d.revision).padStart(6, '0')}`;

function newDoc(id, title, body, lists = {}, extra = {}) {
  const d = { documentId: id, title, revision: 1, body, lists, ...extra };
  docs.set(id, d);
  return d;
}
function seed() {
  docs.clear();
  const bulletLevels = Array.from({ length: 9 }, (_, i) => ({ glyphSymbol: ['●', '○', '■'][i % 3], glyphFormat: `%${i}`, startNumber: 1 }));
  const numberLevels = Array.from({ length: 9 }, (_, i) => ({ glyphType: ['DECIMAL', 'ALPHA', 'ROMAN'][i % 3], glyphFormat: `%${i}.`, startNumber: 1 }));
  const lists = { 'kix.bullets1': { listProperties: { nestingLevels: bulletLevels } }, 'kix.numbers1': { listProperties: { nestingLevels: numberLevels } } };
  const B = (level) => ({ listId: 'kix.bullets1', nestingLevel: level }), N = (level) => ({ listId: 'kix.numbers1', nestingLevel: level });
  newDoc('1QpL4nW7rIcHdOcAbCdEfGhIjKlMnOpQrStUvWxYz012', 'Quarterly Plan', [
    ...para([['Quarterly Plan']], 'TITLE'),
    ...para([['Goals']], 'HEADING_1'),
    ...para([['We ship the '], ['new editor', { bold: true }], [' and '], ['measure', { italic: true }], [' it. See '],
      ['the roadmap', { link: { url: 'https://example.com/roadmap' }, underline: true }], ['.']]),
    ...para([['First point']], 'NORMAL_TEXT', B(0)),
    ...para([['Sub point']], 'NORMAL_TEXT', B(1)),
    ...para([['Second point']], 'NORMAL_TEXT', B(0)),
    ...para([['Steps']], 'HEADING_2'),
    ...para([['Plan']], 'NORMAL_TEXT', N(0)),
    ...para([['Build']], 'NORMAL_TEXT', N(0)),
    ...para([['Test *carefully*']], 'NORMAL_TEXT', N(1)),
    ...para([['Release']], 'NORMAL_TEXT', N(0)),
    ...para([['Owners']], 'HEADING_2'),
    { table: [[cellOf('Owner'), cellOf('Task')], [cellOf('Ada'), cellOf('Parser | lexer')], [cellOf('Linus'), [...chars('Kernel', { bold: true }), nl()]]] },
    ...para([['Thanks 🙂 for reading, {{name}}. {{NAME}} and {{name}} again.']]),
  ], lists);
  newDoc('1EmPtYdOcUmEnT00000000000000000000000000000', 'Empty', [nl()]);
  newDoc('1BiGeXpOrTdOcUmEnT000000000000000000000000', 'Huge export', para([['Many images.']]), {}, { exportBytes: 12 * MB });
  newDoc('1MiDeXpOrTdOcUmEnT000000000000000000000000', 'Large export', para([['Some images.']]), {}, { exportBytes: 6 * 1024 * 1024 });
}
seed();

// ---- rendering the model as Google's Document JSON
function elementsOf(chs, start) {
  const els = [];
  let cur = null;
  chs.forEach((ch, i) => {
    const idx = start + i;
    if (ch.pb) { els.push({ startIndex: idx, endIndex: idx + 1, pageBreak: { textStyle: {} } }); cur = null; return; }
    const key = JSON.stringify(ch.ts);
    if (cur && cur.key === key) { cur.el.endIndex++; cur.el.textRun.content += ch.c; return; }
    cur = { key, el: { startIndex: idx, endIndex: idx + 1, textRun: { content: ch.c, textStyle: { ...ch.ts } } } };
    els.push(cur.el);
  });
  return els;
}
function contentOf(list, start) {
  const out = [];
  let idx = start, pending = [], pstart = start;
  for (const it of list) {
    if (it.table) {
      const t = { startIndex: idx, table: { rows: it.table.length, columns: it.table[0].length, tableRows: [] } };
      let j = idx + 1;
      for (const row of it.table) {
        const r = { startIndex: j, tableCells: [] };
        j++;
        for (const cell of row) {
          r.tableCells.push({ startIndex: j, endIndex: j + 1 + cell.length, content: contentOf(cell, j + 1) });
          j += 1 + cell.length;
        }
        r.endIndex = j;
        t.table.tableRows.push(r);
      }
      t.endIndex = j + 1;
      out.push(t);
      idx = j + 1;
      pstart = idx;
      continue;
    }
    pending.push(it);
    idx++;
    if (it.c === '\n') {
      const p = { elements: elementsOf(pending, pstart), paragraphStyle: { ...it.ps, direction: 'LEFT_TO_RIGHT' } };
      if (it.bullet) p.bullet = { listId: it.bullet.listId, ...(it.bullet.nestingLevel ? { nestingLevel: it.bullet.nestingLevel } : {}) };
      out.push({ startIndex: pstart, endIndex: idx, paragraph: p });
      pending = [];
      pstart = idx;
    }
  }
  return out;
}
const docJSON = (d) => ({
  documentId: d.documentId, title: d.title, revisionId: revId(d),
  body: { content: [{ endIndex: 1, sectionBreak: { sectionStyle: { columnSeparatorStyle: 'NONE', contentDirection: 'LEFT_TO_RIGHT', sectionType: 'CONTINUOUS' } } }, ...contentOf(d.body, 1)] },
  lists: d.lists,
  documentStyle: { pageSize: { height: { magnitude: 792, unit: 'PT' }, width: { magnitude: 612, unit: 'PT' } } },
  namedStyles: { styles: [{ namedStyleType: 'NORMAL_TEXT', textStyle: { fontSize: { magnitude: 11, unit: 'PT' } } }] },
  suggestionsViewMode: 'SUGGESTIONS_INLINE',
});
// partial response: the top-level names of a fields mask ("a,b.c(d),e(f,g)" -> a, b, e)
const topFields = (mask) => {
  const out = [];
  let depth = 0, cur = '';
  for (const ch of mask) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) { out.push(cur); cur = ''; } else cur += ch;
  }
  out.push(cur);
  return out.map((f) => f.trim().split(/[.(/]/)[0]).filter(Boolean);
};

// ---- locating an index: {list, pos} of a character, or why not
class ApiError extends Error { constructor(code, message, reason) { super(message); this.code = code; this.reason = reason; } }
function locate(list, start, index) {
  let idx = start;
  for (let i = 0; i < list.length; i++) {
    const it = list[i];
    if (!it.table) { if (idx === index) return { list, pos: i, top: list }; idx++; continue; }
    const end = idx + itemLen(it);
    if (index >= idx && index < end) {
      let j = idx + 1;
      for (const row of it.table) {
        j++;
        for (const cell of row) {
          j++;
          if (index >= j && index < j + cell.length) return { list: cell, pos: index - j, cell: true };
          j += cell.length;
        }
      }
      return { outside: true };
    }
    idx = end;
  }
  return { beyond: true };
}
// every character with its index, in order (cells included)
function* walk(list, start) {
  let idx = start;
  for (let i = 0; i < list.length; i++) {
    const it = list[i];
    if (!it.table) { yield { list, pos: i, idx }; idx++; continue; }
    let j = idx + 1;
    for (const row of it.table) { j++; for (const cell of row) { j++; yield* walk(cell, j); j += cell.length; } }
    idx = j + 1;
  }
}
// list.splice(pos, del, ...items) without spreading a long text into the argument list (the call stack's limit)
const spliceIn = (list, pos, del, items) => {
  list.splice(pos, del);
  for (let k = 0; k < items.length; k += 8192) list.splice(pos + k, 0, ...items.slice(k, k + 8192));
};
const paraEnd = (list, pos) => { let k = pos; while (k < list.length && list[k].c !== '\n') k++; return list[k]; };

// ---- batchUpdate requests, applied to a copy of the document
function apply(d, req, i) {
  const kinds = Object.keys(req ?? {});
  if (kinds.length !== 1) throw new ApiError(400, `Invalid requests[${i}]: exactly one request kind must be set.`);
  const kind = kinds[0], r = req[kind];
  const where = `Invalid requests[${i}].${kind}`;
  const end = 1 + listLen(d.body);
  const segment = (o) => { if (o?.segmentId) throw new ApiError(400, `${where}: The segment ID '${o.segmentId}' was not found.`); };
  const insertionPoint = (loc, eos) => {
    if (eos) { segment(eos); return { list: d.body, pos: d.body.length - 1, top: d.body }; }
    if (!loc || !Number.isInteger(loc.index)) throw new ApiError(400, `${where}: location or endOfSegmentLocation must be set.`);
    segment(loc);
    if (loc.index >= end) throw new ApiError(400, `${where}: Index ${loc.index} must be less than the end index of the referenced segment, ${end}.`);
    const at = loc.index < 1 ? { outside: true } : locate(d.body, 1, loc.index);
    if (at.outside || at.beyond) throw new ApiError(400, `${where}: The insertion index must be inside the bounds of an existing paragraph. You can still create new paragraphs by inserting newlines.`);
    return at;
  };
  const range = (rg) => {
    segment(rg);
    if (!rg || !Number.isInteger(rg.startIndex) || !Number.isInteger(rg.endIndex)) throw new ApiError(400, `${where}: range.startIndex and range.endIndex must be set.`);
    if (rg.startIndex >= rg.endIndex) throw new ApiError(400, `${where}: The range should not be empty.`);
    if (rg.startIndex < 1) throw new ApiError(400, `${where}: Index ${rg.startIndex} must be greater than or equal to 1.`);
    if (rg.endIndex > end) throw new ApiError(400, `${where}: Index ${rg.endIndex - 1} must be less than the end index of the referenced segment, ${end}.`);
    return [...walk(d.body, 1)].filter((x) => x.idx >= rg.startIndex && x.idx < rg.endIndex);
  };
  const fieldsOf = (f) => { if (!f) throw new ApiError(400, `${where}: At least one field must be listed in 'fields'. (Use '*' to indicate all fields.)`); return f === '*' ? null : f.split(','); };
  switch (kind) {
    case 'insertText': {
      if (typeof r.text !== 'string') throw new ApiError(400, `${where}: text must be set.`);
      const at = insertionPoint(r.location, r.endOfSegmentLocation);
      const before = at.pos > 0 && at.list[at.pos - 1].c !== '\n' ? at.list[at.pos - 1] : at.list[at.pos];
      const owner = paraEnd(at.list, at.pos);
      const add = chars(r.text.replace(/\r/g, ''), before.pb ? {} : before.ts).map((ch) => (ch.c === '\n' ? { ...nl(owner.ps, owner.bullet), ts: ch.ts } : ch));
      spliceIn(at.list, at.pos, 0, add);
      return {};
    }
    case 'deleteContentRange': {
      const hit = range(r.range);
      const lists = new Set(hit.map((x) => x.list));
      const top = r.range.startIndex >= 1 ? locate(d.body, 1, r.range.startIndex) : {};
      if (lists.size !== 1 || hit.length !== r.range.endIndex - r.range.startIndex || top.outside) throw new ApiError(400, `${where}: Invalid deletion range. Cannot delete the requested range.`);
      const list = hit[0].list, from = hit[0].pos;
      if (from + hit.length >= list.length) throw new ApiError(400, `${where}: The range cannot include the newline character at the end of the segment.`);
      list.splice(from, hit.length);
      return {};
    }
    case 'replaceAllText': {
      const find = r.containsText?.text;
      if (!find) throw new ApiError(400, `${where}: containsText.text must not be empty.`);
      const lists = new Set([...walk(d.body, 1)].map((x) => x.list));
      let count = 0;
      for (const list of lists) {
        // maximal runs of characters (a table splits the top-level list)
        for (let b = list.length; b > 0;) {
          if (list[b - 1].table) { b--; continue; }
          let a = b;
          while (a > 0 && !list[a - 1].table) a--;
          const s = list.slice(a, b).map((x) => x.c).join('');
          const hay = r.containsText.matchCase ? s : s.toLowerCase(), needle = r.containsText.matchCase ? find : find.toLowerCase();
          const found = [];
          for (let k = hay.indexOf(needle); k >= 0; k = hay.indexOf(needle, k + needle.length)) found.push(k);
          for (const k of found.reverse()) spliceIn(list, a + k, needle.length, chars(r.replaceText ?? '', list[a + k].ts));
          count += found.length;
          b = a;
        }
      }
      return { replaceAllText: count ? { occurrencesChanged: count } : {} };
    }
    case 'updateTextStyle': {
      const f = fieldsOf(r.fields);
      for (const x of range(r.range)) {
        const ch = x.list[x.pos];
        if (ch.c === '\n' || ch.pb) continue;
        const keys = f ?? Object.keys(r.textStyle ?? {});
        for (const k of keys) { if (r.textStyle?.[k] === undefined) delete ch.ts[k]; else ch.ts[k] = r.textStyle[k]; }
      }
      return {};
    }
    case 'updateParagraphStyle': {
      const f = fieldsOf(r.fields);
      for (const x of range(r.range)) {
        const end = paraEnd(x.list, x.pos);
        for (const k of f ?? Object.keys(r.paragraphStyle ?? {})) { if (r.paragraphStyle?.[k] === undefined) delete end.ps[k]; else end.ps[k] = r.paragraphStyle[k]; }
      }
      return {};
    }
    case 'createParagraphBullets': {
      if (!/^(BULLET|NUMBERED)_[A-Z0-9_]+$/.test(r.bulletPreset ?? '')) throw new ApiError(400, `${where}: Invalid value for bulletPreset.`);
      const id = `kix.list${++seq}`;
      const numbered = r.bulletPreset.startsWith('NUMBERED');
      d.lists[id] = { listProperties: { nestingLevels: Array.from({ length: 9 }, () => (numbered ? { glyphType: 'DECIMAL', glyphFormat: '%0.' } : { glyphSymbol: '●', glyphFormat: '%0' })) } };
      for (const x of range(r.range)) paraEnd(x.list, x.pos).bullet = { listId: id };
      return {};
    }
    case 'insertTable': {
      const at = insertionPoint(r.location, r.endOfSegmentLocation);
      if (!at.top) throw new ApiError(400, `${where}: Tables can only be inserted into the body, not inside a table.`);
      if (!(r.rows >= 1 && r.columns >= 1 && r.columns <= 20)) throw new ApiError(400, `${where}: Invalid table size.`);
      const owner = paraEnd(at.list, at.pos);
      const table = { table: Array.from({ length: r.rows }, () => Array.from({ length: r.columns }, () => [nl()])) };
      at.list.splice(at.pos, 0, nl(owner.ps), table);
      return {};
    }
    case 'insertPageBreak': {
      const at = insertionPoint(r.location, r.endOfSegmentLocation);
      if (!at.top) throw new ApiError(400, `${where}: Page breaks cannot be inserted inside a table, equation, footnote, header or footer.`);
      at.list.splice(at.pos, 0, { c: '\u000c', pb: true, ts: {} });
      return {};
    }
    default:
      throw new ApiError(400, `Invalid JSON payload received. Unknown name "${kind}" at 'requests[${i}]': Cannot find field.`);
  }
}

// ---- Drive export
const EXPORTS = {
  'text/plain': 'txt', 'text/html': 'html', 'application/zip': 'zip', 'application/pdf': 'pdf', 'text/markdown': 'md',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx', 'application/vnd.oasis.opendocument.text': 'odt',
  'application/rtf': 'rtf', 'application/epub+zip': 'epub',
};
const plainText = (d) => [...walk(d.body, 1)].map((x) => x.list[x.pos].c).join('');
function exportBytes(d, mime) {
  const text = plainText(d);
  let head;
  if (mime === 'application/pdf') head = Buffer.concat([Buffer.from('%PDF-1.7\n%'), Buffer.from([0xe2, 0xe3, 0xcf, 0xd3]), Buffer.from(`\n1 0 obj << /Title (${d.title}) >> endobj\nBT (${text}) Tj ET\n`)]);
  else if (EXPORTS[mime] === 'docx' || EXPORTS[mime] === 'zip' || EXPORTS[mime] === 'odt' || EXPORTS[mime] === 'epub') head = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00]), Buffer.from(`word/document.xml<w:t>${text}</w:t>`)]);
  else head = Buffer.from(text);
  const tail = mime === 'application/pdf' ? Buffer.from('\n%%EOF\n') : Buffer.alloc(0);
  const size = d.exportBytes ?? head.length + tail.length;
  if (size <= head.length + tail.length) return Buffer.concat([head, tail]);
  const pad = Buffer.alloc(size - head.length - tail.length);
  for (let i = 0; i < pad.length; i++) pad[i] = (i * 131 + 7) & 0xff;
  return Buffer.concat([head, pad, tail]);
}

// ---- HTTP
const send = (res, status, body, headers = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
};
const STATUS = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE' };
const gerr = (res, code, message, reason, headers = {}) =>
  send(res, code, { error: { code, message, status: STATUS[code] ?? 'FAILED_PRECONDITION', ...(reason ? { errors: [{ message, domain: 'global', reason }] } : {}) } }, headers);
const SCOPE = (s) => `https://www.googleapis.com/auth/${s}`;
const NEEDS = { read: ['documents', 'documents.readonly', 'drive', 'drive.readonly', 'drive.file'], write: ['documents', 'drive', 'drive.file'], export: ['drive', 'drive.readonly', 'drive.file'] };
const readBody = (req) => new Promise((resolve) => { const c = []; req.on('data', (x) => c.push(x)); req.on('end', () => resolve(Buffer.concat(c))); });

const server = createServer((req, res) => handle(req, res).catch((e) => gerr(res, 500, `fake: ${e.message}`, 'backendError')));
async function handle(req, res) {
  const buf = await readBody(req);
  const url = new URL(req.url, 'http://x');
  const path = url.pathname;
  let body = null;
  try { body = buf.length ? JSON.parse(buf.toString('utf8')) : null; } catch { if (!path.startsWith('/_')) return gerr(res, 400, 'Invalid JSON payload received.', 'parseError'); }
  if (path === '/_requests') return send(res, 200, requests);
  if (path === '/_reset') { requests = []; failures = []; scopes = null; return send(res, 200, {}); }
  if (path === '/_token') { auth.setToken(body.token); return send(res, 200, {}); }
  if (path === '/_scopes') { scopes = body?.scopes ?? null; return send(res, 200, {}); }
  if (path === '/_fail') { failures.push({ times: 1, ...body }); return send(res, 200, {}); }
  if (path === '/_seed') { seed(); return send(res, 200, {}); }
  if (path.startsWith('/_doc/')) { const d = docs.get(decodeURIComponent(path.slice(6))); return d ? send(res, 200, docJSON(d)) : send(res, 404, {}); }
  requests.push({ method: req.method, path, query: Object.fromEntries(url.searchParams), body, auth: req.headers.authorization ?? '', bytes: buf.length });
  if (!(await auth.authorized(req.headers.authorization)))
    return gerr(res, 401, 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.', undefined, { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' });
  const f = failures.find((x) => x.times > 0 && new RegExp(x.path).test(path) && (!x.method || x.method === req.method));
  if (f) {
    f.times--;
    const h = {};
    if (f.retry_after) h['retry-after'] = String(f.retry_after);
    if (f.www_authenticate) h['www-authenticate'] = f.www_authenticate;
    const msg = f.message ?? (f.status === 429 ? "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per user' of service 'docs.googleapis.com'." : `injected ${f.status}`);
    return gerr(res, f.status, msg, f.reason ?? (f.status === 429 ? 'rateLimitExceeded' : 'backendError'), h);
  }
  const need = (kind) => {
    if (scopes === null || NEEDS[kind].some((s) => scopes.includes(s))) return false;
    gerr(res, 403, 'Request had insufficient authentication scopes.', 'insufficientPermissions',
      { 'www-authenticate': `Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="${NEEDS[kind].map(SCOPE).join(' ')}"` });
    return true;
  };
  let m;
  if (path === '/v1/documents' && req.method === 'POST') {
    if (need('write')) return;
    const id = `1NeW${String(++seq).padStart(4, '0')}dOcUmEnTaBcDeFgHiJkLmNoPqRsTuV`;
    const d = newDoc(id, typeof body?.title === 'string' && body.title ? body.title : 'Untitled document', [nl()]);
    return send(res, 200, docJSON(d));
  }
  if ((m = path.match(/^\/v1\/documents\/([^/:]+)$/)) && req.method === 'GET') {
    if (need('read')) return;
    const d = docs.get(decodeURIComponent(m[1]));
    if (!d) return gerr(res, 404, 'Requested entity was not found.');
    const full = docJSON(d);
    const mask = url.searchParams.get('fields');
    if (!mask || mask === '*') return send(res, 200, full);
    const keep = topFields(mask);
    const bad = keep.find((k) => !(k in full) && !['headers', 'footers', 'footnotes', 'inlineObjects', 'tabs', 'positionedObjects', 'namedRanges', 'suggestedDocumentStyleChanges'].includes(k));
    if (bad) return gerr(res, 400, `Request contains an invalid argument. Invalid field selection ${bad}`, 'badRequest');
    return send(res, 200, Object.fromEntries(keep.filter((k) => k in full).map((k) => [k, full[k]])));
  }
  if ((m = path.match(/^\/v1\/documents\/([^/:]+):batchUpdate$/)) && req.method === 'POST') {
    if (need('write')) return;
    const d = docs.get(decodeURIComponent(m[1]));
    if (!d) return gerr(res, 404, 'Requested entity was not found.');
    if (!Array.isArray(body?.requests) || body.requests.length === 0) return gerr(res, 400, 'Invalid requests: must contain at least one request.', 'badRequest');
    const want = body.writeControl?.requiredRevisionId;
    if (want !== undefined && want !== revId(d)) return gerr(res, 400, 'The document has been modified since the required revision; requiredRevisionId does not match the latest revision.', 'badRequest');
    const copy = structuredClone({ body: d.body, lists: d.lists });
    const replies = [];
    try {
      body.requests.forEach((r, i) => replies.push(apply(copy, r, i)));
    } catch (e) {
      if (e instanceof ApiError) return gerr(res, e.code, e.message, e.reason);
      throw e;
    }
    d.body = copy.body;
    d.lists = copy.lists;
    d.revision++;
    return send(res, 200, { documentId: d.documentId, replies, writeControl: { requiredRevisionId: revId(d) } });
  }
  if ((m = path.match(/^\/drive\/v3\/files\/([^/]+)\/export$/)) && req.method === 'GET') {
    if (need('export')) return;
    const id = decodeURIComponent(m[1]);
    const d = docs.get(id);
    if (!d) return gerr(res, 404, `File not found: ${id}.`, 'notFound');
    const mime = url.searchParams.get('mimeType');
    if (!mime) return gerr(res, 400, 'Required parameter: mimeType', 'required');
    if (!EXPORTS[mime]) return gerr(res, 400, 'The requested conversion is not supported.', 'badRequest');
    if ((d.exportBytes ?? 0) > 10 * MB) return gerr(res, 403, 'This file is too large to be exported.', 'exportSizeLimitExceeded');
    const bytes = exportBytes(d, mime);
    res.writeHead(200, { 'content-type': mime, 'content-length': bytes.length });
    return res.end(bytes);
  }
  return gerr(res, 404, 'Requested entity was not found.');
}
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(`fake-googledocs listening on 127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
