// cimd-server.mjs - an https server on a free loopback port that serves OAuth Client ID Metadata Documents
// (draft-ietf-oauth-client-id-metadata-document) for the MCP authorization tests: the broker fetches the document a
// client_id URL names; the official SDK clients accept only an https clientMetadataUrl, hence TLS with a test CA.
//
//   GET /clients/good.json       a correct document (client_id = its own URL, port-less loopback redirect URI, as the
//                                published documents of real clients list; RFC 8252 lets any port match it)
//   GET /clients/mismatch.json   a document whose client_id names another URL
//   GET /clients/big.json        a correct document padded past 5 KiB (the broker's cap)
//   GET /clients/slow.json       a correct document answered after CIMD_SLOW_MS (default 8000: past the 5 s limit)
//   GET /clients/text.json       a correct document served as text/plain
//   GET /clients/redirect.json   302 to good.json (CIMD fetches follow no redirect)
//   GET /clients/secret.json     a document that claims a client_secret and client_secret_post
//   GET /clients/norz.json       a document without redirect_uris
//   GET /clients/n/<name>.json   a correct document for any name (a client_id the broker has not cached yet: benchmarks)
//   GET /_stats                  {"requests": {path: count}} (the test checks whether and how often the broker fetched)
//
// Usage: node cimd-server.mjs <cert.pem> <key.pem>   (CIMD_SLOW_MS, CIMD_REDIRECT_URI optional)
// Prints "cimd-server listening on https://127.0.0.1:<port>".
import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';

const [certFile, keyFile] = process.argv.slice(2);
const slowMs = Number(process.env.CIMD_SLOW_MS ?? 8000);
const redirectUri = process.env.CIMD_REDIRECT_URI ?? 'http://127.0.0.1/callback';
const requests = {};
let origin = '';

const doc = (path, extra = {}) => ({
  client_id: `${origin}${path}`,
  client_name: 'CIMD Test Client',
  client_uri: origin,
  redirect_uris: [redirectUri],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
  ...extra,
});

const routes = {
  '/clients/good.json': (p) => ({ body: doc(p) }),
  '/clients/mismatch.json': (p) => ({ body: doc(p, { client_id: `${origin}/clients/good.json` }) }),
  '/clients/big.json': (p) => ({ body: doc(p, { software_statement_note: 'x'.repeat(6000) }) }),
  '/clients/slow.json': (p) => ({ body: doc(p), delay: slowMs }),
  '/clients/text.json': (p) => ({ body: doc(p), type: 'text/plain' }),
  '/clients/redirect.json': () => ({ status: 302, location: `${origin}/clients/good.json` }),
  '/clients/secret.json': (p) => ({ body: doc(p, { client_secret: 'not-a-public-client', token_endpoint_auth_method: 'client_secret_post' }) }),
  '/clients/norz.json': (p) => {
    const d = doc(p);
    delete d.redirect_uris;
    return { body: d };
  },
};

const srv = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (req, res) => {
  const path = new URL(req.url, origin).pathname;
  if (path === '/_stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ requests }));
  }
  requests[path] = (requests[path] ?? 0) + 1;
  const route = routes[path] ?? (/^\/clients\/n\/[A-Za-z0-9_-]{1,64}\.json$/.test(path) ? routes['/clients/good.json'] : undefined);
  if (!route || req.method !== 'GET') {
    res.writeHead(404, { 'content-type': 'application/json' });
    return res.end('{"error":"not_found"}');
  }
  const r = route(path);
  const send = () => {
    if (r.status === 302) {
      res.writeHead(302, { location: r.location });
      return res.end();
    }
    res.writeHead(200, { 'content-type': r.type ?? 'application/json', 'cache-control': 'max-age=300' });
    res.end(JSON.stringify(r.body));
  };
  if (r.delay) {
    const t = setTimeout(send, r.delay);
    res.on('close', () => clearTimeout(t));
  } else {
    send();
  }
});
srv.listen(0, '127.0.0.1', () => {
  origin = `https://127.0.0.1:${srv.address().port}`;
  console.log(`cimd-server listening on ${origin}`);
});
