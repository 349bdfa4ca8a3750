// fake-mcp.mjs - an MCP server's POST /cache-tokens for the broker's push tests (docs/mcp-broker-protocol.md, 4):
// verifies X-Broker-Signature = sha256=hex(HMAC(HKDF(secret, "mcp-push-v1"), ts + "." + body)) and the 300 s
// timestamp window, refuses replayed ids, records what it accepted.
//   GET /_pushes -> {accepted: [{id, events, ts}], rejected: [{code}], attempts}
//   POST /_down {"count": n}  -> the next n pushes get 503 (as if down)
// Usage: FAKE_PORT=.. node fake-mcp.mjs <secret file>...  (several services' secrets: a push signed with any of
// their push keys is accepted, so one fake serves every service of a test)
import { createServer } from 'node:http';
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

const keys = process.argv.slice(2).map((file) => {
  const secret = readFileSync(file, 'utf8').replace(/[\r\n\t ]+$/, '');
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret), Buffer.alloc(0), Buffer.from('mcp-push-v1'), 32));
});
const log = { accepted: [], rejected: [], attempts: 0 };
const seen = new Set();
let down = 0;
const json = (res, s, b) => { res.writeHead(s, { 'content-type': 'application/json' }); res.end(JSON.stringify(b)); };
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks).toString('utf8');
    if (req.url === '/_pushes') return json(res, 200, log);
    if (req.url === '/_down') { down = JSON.parse(raw || '{}').count ?? 1; return json(res, 200, { down }); }
    if (req.method !== 'POST' || req.url !== '/cache-tokens') return json(res, 404, { code: 'not_found' });
    log.attempts++;
    if (down > 0) { down--; return json(res, 503, { code: 'down' }); }
    const ts = req.headers['x-broker-timestamp'], sig = req.headers['x-broker-signature'];
    const reject = (s, code) => { log.rejected.push({ code }); json(res, s, { code }); };
    if (!ts || !sig || !/^\d+$/.test(ts)) return reject(400, 'malformed_push');
    const signedBy = (key) => {
      const want = 'sha256=' + createHmac('sha256', key).update(`${ts}.${raw}`).digest('hex');
      return want.length === sig.length && timingSafeEqual(Buffer.from(want), Buffer.from(sig));
    };
    if (!keys.some(signedBy)) return reject(401, 'bad_signature');
    if (Math.abs(Date.now() / 1000 - Number(ts)) > 300) return reject(408, 'stale_push');
    let doc;
    try { doc = JSON.parse(raw); } catch { return reject(400, 'malformed_push'); }
    if (typeof doc.id !== 'string' || !Array.isArray(doc.events)) return reject(400, 'malformed_push');
    if (seen.has(doc.id)) return reject(409, 'replayed_push');
    seen.add(doc.id);
    log.accepted.push({ id: doc.id, events: doc.events, ts: Number(ts) });
    json(res, 200, { applied: doc.events.length });
  });
});
server.listen(Number(process.env.FAKE_PORT ?? 0), '127.0.0.1', () =>
  console.log(`fake-mcp listening on 127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
