// fake-upstream.mjs - a stand-in provider API for tests and the benchmark: GET /items?q=... answers a small
// JSON document; /status/<code> answers that status (Retry-After: 2 on 429); /slow?ms=N answers after N ms and logs
// "slow closed early" when the client closes the connection first; every request path is logged ("request <path>").
// Checks the Bearer token.
import { createServer } from 'node:http';
const token = process.argv[2] ?? 'upstream-token';
const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (req.headers.authorization !== `Bearer ${token}`) {
    res.writeHead(401, { 'content-type': 'application/json' });
    return res.end('{"error":"invalid_token"}');
  }
  console.log(`request ${req.url}`);
  if (url.pathname === '/slow') {
    const timer = setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"items":[],"total":0}');
    }, Number(url.searchParams.get('ms') ?? 0));
    res.on('close', () => { if (!res.writableEnded) { clearTimeout(timer); console.log('slow closed early'); } });
    return;
  }
  const m = url.pathname.match(/^\/status\/(\d{3})$/);
  if (m) {
    res.writeHead(Number(m[1]), { 'content-type': 'application/json', ...(m[1] === '429' ? { 'retry-after': '2' } : {}) });
    return res.end(JSON.stringify({ error: `status ${m[1]}` }));
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ items: [{ id: 1, name: url.searchParams.get('q') ?? 'x' }], total: 1 }));
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(`fake-upstream listening on 127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
