// fake-notion.mjs - a stand-in for the Notion API that mcp-notion calls: GET /v1/items pages through 25
// items (page_size 1..100, default 20; an opaque next_page_token while more remain), a bearer token is required
// (401 otherwise), and every error is {"error": {"code", "message"}}: 400 for a bad page_size or an unknown
// page_token, 404 for an unknown path. Make it behave as the provider documents its API when the service grows.
// Usage: node fake-notion.mjs <access token>. Hooks: GET /_requests (what it saw), POST /_reset, POST /_token {token}.
import { createServer } from 'node:http';
import { bearerAuth } from './fake-auth.mjs';

const auth = bearerAuth(process.argv[2] ?? 'notion-token');
const items = Array.from({ length: 25 }, (_, i) => ({ id: `item-${i + 1}`, name: `Item ${i + 1}` }));
let requests = [];

const send = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
};
const fail = (res, status, code, message) => send(res, status, { error: { code, message } });

const readBody = (req) => new Promise((resolve) => { let d = ''; req.on('data', (c) => { d += c; }); req.on('end', () => resolve(d)); });

const server = createServer(async (req, res) => {
  const raw = await readBody(req);
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/_requests') return send(res, 200, requests);
  if (url.pathname === '/_reset') { requests = []; return send(res, 200, {}); }
  if (url.pathname === '/_token') { auth.setToken(JSON.parse(raw).token); return send(res, 200, {}); }
  const q = url.searchParams;
  requests.push({ method: req.method, path: url.pathname, query: Object.fromEntries(q), auth: req.headers.authorization });
  if (!(await auth.authorized(req.headers.authorization))) return fail(res, 401, 'unauthenticated', 'Missing or invalid access token');
  if (req.method !== 'GET' || url.pathname !== '/v1/items') return fail(res, 404, 'not_found', `No such endpoint: ${req.method} ${url.pathname}`);
  const size = Number(q.get('page_size') ?? 20);
  if (!Number.isInteger(size) || size < 1 || size > 100) return fail(res, 400, 'invalid_argument', 'page_size must be between 1 and 100');
  let start = 0;
  if (q.has('page_token')) {
    const m = /^offset:(\d+)$/.exec(Buffer.from(q.get('page_token'), 'base64url').toString());
    start = m ? Number(m[1]) : -1;
    if (start < 1 || start >= items.length) return fail(res, 400, 'invalid_argument', 'page_token is not valid');
  }
  const page = items.slice(start, start + size);
  const more = start + size < items.length;
  send(res, 200, { items: page, ...(more ? { next_page_token: Buffer.from(`offset:${start + size}`).toString('base64url') } : {}) });
});
server.listen(0, '127.0.0.1', () => console.log(`fake-notion listening on 127.0.0.1:${server.address().port}`));
