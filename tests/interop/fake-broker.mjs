// fake-broker.mjs - a small broker implementing exactly the runtime's broker contract
// (mcp-servers/runtime/src/tokens/broker_api.h, docs/mcp-broker-protocol.md) for the interop tests.
// Usage: node fake-broker.mjs <config.json>   config: {service, secret, instances:[{id, key, status,
//        access_token, expires_in, authorize_url, instance_expires_at?}]}. Prints "fake-broker listening on
//        127.0.0.1:<port>". Every instance has a "version" (per instance, monotonic: starts at 1, +1 per change),
//        sent in mcp-auth and token answers; mcp-auth answers carry "expires_at" (instance_expires_at, unix s, or null).
// Test hooks: GET /_stats (calls seen, usage received), POST /_set {id, status?, access_token?,
//        instance_expires_at?} to change state (bumps the version; answers {ok, version}), POST /_delete {id} to
//        forget an instance (then 404, as the broker answers for a deleted one). Neither pushes anything.
//        POST /_outage {ms, mode?}: the broker is away for ms: mode "down" (default) closes the listener and every
//        connection (connections refused, as during a restart) and listens on the same port again afterwards;
//        "5xx" answers the broker API 503 meanwhile. Answers before the outage starts.
// Authorization server side (docs/mcp-authorization.md): GET /as/jwks.json publishes the ES256 keys (Cache-Control
//        max-age=300); mcp-auth also takes {"grant_id"} (200 as for a key while the grant exists, is the instance's and
//        is not revoked, else 401 invalid_grant). The issuer is cfg.issuer or this broker's URL.
//        POST /_mint {sub, aud, scope?, gid?, exp_in?, nbf_in?, iat_in?, iss?, typ?, alg?, kid?, unpublished?,
//        claims?} answers {token, gid}: an access token signed with the current key (ES256, JOSE signature r||s),
//        the grant created for sub unless gid names one; typ null omits it; alg "none" (empty signature) or "HS256"
//        (HMAC with the public JWK text as the secret) forge one; unpublished signs with a key never published (kid
//        "kid-unpublished"); claims are merged last. POST /_revoke {gid, push_to?}: the grant is revoked; with
//        push_to (an MCP server base URL) a signed grant_revoked push is sent there first (answers {pushed: status}).
//        /_stats counts jwks fetches and grant checks.
import { createServer } from 'node:http';
import { createHash, createHmac, generateKeyPairSync, hkdfSync, randomUUID, sign as cryptoSign, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const derive = (label) => Buffer.from(hkdfSync('sha256', Buffer.from(cfg.secret), Buffer.alloc(0), Buffer.from(label), 32));
const bearer = derive('mcp-service-bearer-v1').toString('hex');
const instances = new Map(cfg.instances.map((i) => [i.id, { version: 1, ...i, key_sha256: createHash('sha256').update(i.key).digest('hex') }]));
const stats = { auth: 0, token: 0, token_refresh: 0, usage: [], bad_service: 0, jwks: 0, grant_auth: 0 };
const pushKey = derive('mcp-push-v1');
const b64u = (b) => Buffer.from(b).toString('base64url');
const newKey = (kid) => { const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' }); return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' } }; };
const signingKey = newKey('kid-1');
const unpublishedKey = newKey('kid-unpublished');
const grants = new Map(); // gid -> {instance, revoked}
let issuer = cfg.issuer; // set once listening when the config names none
const mint = (o) => {
  const now = Math.floor(Date.now() / 1000);
  const gid = o.gid ?? randomUUID();
  if (!grants.has(gid)) grants.set(gid, { instance: o.sub, revoked: false });
  const key = o.unpublished ? unpublishedKey : signingKey;
  const header = { alg: o.alg ?? 'ES256', kid: o.kid ?? key.kid };
  if (o.typ !== null) header.typ = o.typ ?? 'at+jwt';
  const claims = { iss: o.iss ?? issuer, aud: o.aud, sub: o.sub, client_id: 'https://client.test/cimd.json', scope: o.scope ?? 'mcp:read mcp:write',
    jti: randomUUID(), iat: now + (o.iat_in ?? 0), nbf: now + (o.nbf_in ?? 0), exp: now + (o.exp_in ?? 3600), gid, service: cfg.service, ...(o.claims ?? {}) };
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`;
  let sig;
  if (header.alg === 'none') sig = '';
  else if (header.alg === 'HS256') sig = b64u(createHmac('sha256', JSON.stringify(signingKey.jwk)).update(input).digest());
  else sig = b64u(cryptoSign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' }));
  return { token: `${input}.${sig}`, gid };
};
const pushRevoked = async (to, instance, gid) => {
  const body = JSON.stringify({ id: `revoke-${randomUUID()}`, events: [{ type: 'grant_revoked', instance_id: instance, grant_id: gid }] });
  const ts = String(Math.floor(Date.now() / 1000));
  const r = await fetch(`${to}/cache-tokens`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-broker-timestamp': ts,
    'x-broker-signature': `sha256=${createHmac('sha256', pushKey).update(`${ts}.${body}`).digest('hex')}` }, body });
  await r.arrayBuffer();
  return r.status;
};
let failUntil = 0; // "5xx" outage: the broker API answers 503 until then (ms)

const send = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body === undefined ? '' : JSON.stringify(body));
};
const eq = (a, b) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
const readBody = (req) => new Promise((resolve) => {
  let data = '';
  req.on('data', (c) => { data += c; });
  req.on('end', () => { try { resolve(data ? JSON.parse(data) : null); } catch { resolve(undefined); } });
});
const instanceError = (i) => {
  const code = i.status === 'expired' ? 'instance_expired' : i.status === 'needs_reauth' ? 'needs_reauth' : 'instance_inactive';
  return { code, message: `instance is ${i.status}`, status: i.status, authorize_url: i.authorize_url };
};

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const body = await readBody(req);
  if (url.pathname === '/health') return send(res, 200, { status: 'ok' });
  if (url.pathname === '/_stats') return send(res, 200, stats);
  if (url.pathname === '/as/jwks.json') {
    stats.jwks++;
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' });
    return res.end(JSON.stringify({ keys: [signingKey.jwk] }));
  }
  if (url.pathname === '/_mint') return send(res, 200, mint(body));
  if (url.pathname === '/_revoke') {
    const g = grants.get(body?.gid);
    if (!g) return send(res, 404, {});
    const pushed = body.push_to ? await pushRevoked(body.push_to, g.instance, body.gid) : null;
    g.revoked = true;
    return send(res, 200, { pushed });
  }
  if (url.pathname === '/_delete') { // the instance disappears without a push (a push the server missed)
    return send(res, instances.delete(body?.id) ? 200 : 404, {});
  }
  if (url.pathname === '/_set') {
    const i = instances.get(body.id);
    if (!i) return send(res, 404, {});
    const { version, ...changes } = body;
    Object.assign(i, changes);
    i.version = Math.max(i.version + 1, Number.isInteger(version) ? version : 0);
    return send(res, 200, { ok: true, version: i.version });
  }
  if (url.pathname === '/_outage') {
    const ms = Math.min(Math.max(Number(body?.ms) || 0, 0), 60000);
    if (body?.mode === '5xx') { failUntil = Date.now() + ms; return send(res, 200, { ok: true }); }
    res.on('finish', () => {
      const port = server.address().port;
      server.close();
      server.closeAllConnections();
      setTimeout(() => server.listen(port, '127.0.0.1'), ms);
    });
    return send(res, 200, { ok: true });
  }
  if (Date.now() < failUntil) return send(res, 503, { code: 'database_unavailable', message: 'outage' });
  const auth = req.headers.authorization ?? '';
  if (!eq(auth, `Bearer ${bearer}`) || req.headers['x-mcp-service'] !== cfg.service) {
    stats.bad_service++;
    return send(res, 401, { code: 'invalid_service_credentials', message: 'bad service bearer' });
  }
  let m;
  if (req.method === 'POST' && (m = url.pathname.match(/^\/instances\/([^/]+)\/mcp-auth$/))) {
    stats.auth++;
    const i = instances.get(m[1]);
    if (!i) return send(res, 404, { code: 'instance_not_found', message: 'unknown instance' });
    if (typeof body?.grant_id === 'string') {
      stats.grant_auth++;
      const g = grants.get(body.grant_id);
      if (!g || g.revoked || g.instance !== i.id) return send(res, 401, { code: 'invalid_grant', message: 'grant revoked or unknown' });
    } else if (!body || typeof body.key_sha256 !== 'string' || !eq(body.key_sha256, i.key_sha256))
      return send(res, 401, { code: 'invalid_key', message: 'key does not match' });
    return send(res, 200, { instance_id: i.id, service: cfg.service, status: i.status, authorize_url: i.authorize_url,
      expires_at: i.instance_expires_at ?? null, version: i.version });
  }
  if (req.method === 'GET' && (m = url.pathname.match(/^\/instances\/([^/]+)\/token$/))) {
    stats.token++;
    if (url.searchParams.get('refresh') === '1') stats.token_refresh++;
    const i = instances.get(m[1]);
    if (!i) return send(res, 404, { code: 'instance_not_found', message: 'unknown instance' });
    if (i.status !== 'active') return send(res, 409, instanceError(i));
    return send(res, 200, { access_token: i.access_token, token_type: 'Bearer', expires_at: Math.floor(Date.now() / 1000) + (i.expires_in ?? 3600), scope: 'read', instance_status: 'active', version: i.version });
  }
  if (req.method === 'POST' && url.pathname === '/instances/usage') {
    if (!body || body.service !== cfg.service || !Array.isArray(body.usage)) return send(res, 400, { code: 'invalid_request', message: 'bad usage body' });
    stats.usage.push(...body.usage);
    return send(res, 204);
  }
  send(res, 404, { code: 'not_found', message: 'no such endpoint' });
});
server.listen(0, '127.0.0.1', () => {
  issuer ??= `http://127.0.0.1:${server.address().port}`;
  console.log(`fake-broker listening on 127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
