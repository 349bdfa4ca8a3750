// client-test.mjs - the official TypeScript SDK clients against a real service built on the runtime, with the
// instance access key: v1 SDK (legacy era, sessions) and v2 client (modern era, stateless), then the auth,
// push and usage paths of the broker contract. Usage: node client-test.mjs <mcp base url> <broker url> <config.json>
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import * as v2 from '@modelcontextprotocol/client';
import { createHmac, hkdfSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

const [base, brokerUrl, cfgPath, pagedBase] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
const active = cfg.instances.find((i) => i.id === 'inst-active');
let passed = 0, failed = 0;
const check = (name, ok, detail = '') => {
  if (ok) { passed++; console.log(`ok - ${name}`); } else { failed++; console.log(`not ok - ${name} ${detail}`); }
};
const mcpUrl = (id) => new URL(`${base}/${id}/mcp`);
const headers = (key) => (key ? { Authorization: `Bearer ${key}` } : {});
const rawPost = (id, key, body, extra = {}) => fetch(mcpUrl(id), {
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers(key), ...extra },
  body: JSON.stringify(body),
});
const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '0' } } };

// 1. v1 SDK, legacy era with a session
{
  const client = new Client({ name: 'interop-v1', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(mcpUrl('inst-active'), { requestInit: { headers: headers(active.key) } });
  await client.connect(transport);
  check('v1: connected with a session', typeof transport.sessionId === 'string' && transport.sessionId.length === 64);
  check('v1: negotiated 2025-11-25', transport.protocolVersion === '2025-11-25', transport.protocolVersion);
  const { tools } = await client.listTools();
  check('v1: tools/list has echo', tools.some((t) => t.name === 'echo'), JSON.stringify(tools.map((t) => t.name)));
  const res = await client.callTool({ name: 'echo', arguments: { text: 'hello' } });
  check('v1: tools/call echo', res.content?.[0]?.text === 'hello' && res.structuredContent?.echoed === 'hello', JSON.stringify(res));
  const bad = await client.callTool({ name: 'echo', arguments: {} });
  check('v1: invalid arguments -> isError naming the field', bad.isError === true && /'text'/.test(bad.content?.[0]?.text ?? ''), JSON.stringify(bad));
  const up = await client.callTool({ name: 'upstream_items', arguments: { q: 'abc' } });
  check('v1: tool calling the provider API with the broker token', up.isError !== true && /abc/.test(up.content?.[0]?.text ?? ''), JSON.stringify(up));
  await client.ping();
  check('v1: ping', true);
  await transport.terminateSession();
  const after = await rawPost('inst-active', active.key, { jsonrpc: '2.0', id: 9, method: 'tools/list' }, { 'mcp-session-id': transport.sessionId, 'mcp-protocol-version': '2025-11-25' });
  check('v1: terminated session -> 404', after.status === 404, String(after.status));
  await client.close();
}

// 2. v2 client, modern era (stateless)
{
  const client = new v2.Client({ name: 'interop-v2', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  await client.connect(new v2.StreamableHTTPClientTransport(mcpUrl('inst-active'), { requestInit: { headers: headers(active.key) } }));
  check('v2: modern era negotiated', client.getProtocolEra?.() === 'modern', String(client.getProtocolEra?.()));
  const { tools } = await client.listTools();
  check('v2: tools/list', tools.some((t) => t.name === 'echo'));
  const res = await client.callTool({ name: 'echo', arguments: { text: 'modern' } });
  check('v2: tools/call echo', res.structuredContent?.echoed === 'modern', JSON.stringify(res));
  await client.close();
}

// 2b. tools/list pagination over the wire (a second fixture with MCP_PAGE_SIZE=2, no auth): follow nextCursor
if (pagedBase) {
  const client = new Client({ name: 'interop-pages', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${pagedBase}/conformance-instance/mcp`)));
  const names = [], sizes = [];
  let cursor, pages = 0;
  do {
    const page = await client.listTools(cursor ? { cursor } : {});
    names.push(...page.tools.map((t) => t.name));
    sizes.push(page.tools.length);
    cursor = page.nextCursor;
  } while (cursor && ++pages < 100);
  const all = await (async () => { // the same fixture through the keyed server, page size 50: one page
    const c = new Client({ name: 'interop-one-page', version: '1.0.0' });
    await c.connect(new StreamableHTTPClientTransport(mcpUrl('inst-active'), { requestInit: { headers: headers(active.key) } }));
    const r = await c.listTools(); await c.close(); return r;
  })();
  check('tools/list pages of MCP_PAGE_SIZE=2 followed by nextCursor cover every tool once', sizes.length > 1 && sizes.every((n) => n <= 2) && sizes.slice(0, -1).every((n) => n === 2) && new Set(names).size === names.length && names.length === all.tools.length && all.nextCursor === undefined, `${JSON.stringify(sizes)} ${names.length} vs ${all.tools.length}`);
  let bad = null;
  try { await client.listTools({ cursor: 'not-a-cursor' }); } catch (e) { bad = e; }
  check('tools/list with a bogus cursor -> -32602', bad?.code === -32602, String(bad));
  await client.close();
}

// 3. auth failures
{
  let r = await rawPost('inst-active', null, init);
  const www = r.headers.get('www-authenticate') ?? '';
  check('no key -> 401 with resource metadata, no error code (RFC 6750 3.1)', r.status === 401 && /resource_metadata="[^"]+\/\.well-known\/oauth-protected-resource\/inst-active\/mcp"/.test(www) && !/error=/.test(www), `${r.status} ${www}`);
  const prm = await fetch(`${base}/.well-known/oauth-protected-resource/inst-active/mcp`).then((x) => x.json());
  check('protected resource metadata names the broker', prm.resource?.endsWith('/inst-active/mcp') && prm.authorization_servers?.[0] === brokerUrl, JSON.stringify(prm));
  r = await rawPost('inst-active', 'wrong-key', init);
  check('wrong key -> 401 with error="invalid_token"', r.status === 401 && /error="invalid_token"/.test(r.headers.get('www-authenticate') ?? ''), `${r.status} ${r.headers.get('www-authenticate')}`);
  r = await rawPost('inst-unknown', 'whatever', init);
  check('unknown instance -> 404', r.status === 404, String(r.status));
  const inactive = cfg.instances.find((i) => i.id === 'inst-reauth');
  r = await rawPost('inst-reauth', inactive.key, init);
  const body = await r.json();
  check('needs_reauth -> 403 naming the authorize URL', r.status === 403 && body.error?.data?.authorize_url === inactive.authorize_url && /re-authorize/i.test(body.error?.message ?? ''), JSON.stringify(body));
  r = await rawPost('inst-active', active.key, init, { origin: 'http://evil.example' });
  check('foreign Origin -> 403', r.status === 403, String(r.status));
}

// 4. signed pushes to /cache-tokens
{
  const pushKey = Buffer.from(hkdfSync('sha256', Buffer.from(cfg.secret), Buffer.alloc(0), Buffer.from('mcp-push-v1'), 32));
  const push = async (events, { ts = Math.floor(Date.now() / 1000), id = randomUUID(), key = pushKey, tamper = false } = {}) => {
    const body = JSON.stringify({ id, events });
    const sig = createHmac('sha256', key).update(`${ts}.${body}`).digest('hex');
    const r = await fetch(`${base}/cache-tokens`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-broker-timestamp': String(ts), 'x-broker-signature': `sha256=${sig}` }, body: tamper ? body.replace('inst', 'xnst') : body });
    return { status: r.status, id };
  };
  const ev = [{ type: 'invalidate', instance_id: 'inst-active', status: 'needs_reauth', authorize_url: 'http://broker.example/reauth' }];
  const first = await push(ev);
  check('push accepted', first.status === 200, String(first.status));
  let r = await rawPost('inst-active', active.key, init);
  check('pushed status applies at once (403 on next request)', r.status === 403, String(r.status));
  check('replayed push -> 409', (await push(ev, { id: first.id })).status === 409);
  check('stale push -> 408', (await push(ev, { ts: Math.floor(Date.now() / 1000) - 3600 })).status === 408);
  check('tampered push -> 401', (await push(ev, { tamper: true })).status === 401);
  check('push signed with another key -> 401', (await push(ev, { key: Buffer.alloc(32, 1) })).status === 401);
  const back = await push([{ type: 'invalidate', instance_id: 'inst-active', status: 'active' }, { type: 'token', instance_id: 'inst-active', access_token: active.access_token, expires_at: Math.floor(Date.now() / 1000) + 600 }]);
  check('push reactivates + token event', back.status === 200);
  r = await rawPost('inst-active', active.key, init);
  check('active again -> 200', r.status === 200, String(r.status));
  const ih = await fetch(`${base}/inst-active/health`).then((x) => x.json());
  check('instance health shows the token expiry, no secret', ih.status === 'active' && ih.token_valid_until > 0 && !JSON.stringify(ih).includes(active.access_token), JSON.stringify(ih));
}

// 4b. push ordering (versions) and the instance status re-checked with the broker (MCP_AUTH_STATUS_TTL_S=1)
{
  const pushKey = Buffer.from(hkdfSync('sha256', Buffer.from(cfg.secret), Buffer.alloc(0), Buffer.from('mcp-push-v1'), 32));
  const push = async (events) => {
    const ts = String(Math.floor(Date.now() / 1000)), body = JSON.stringify({ id: randomUUID(), events });
    const r = await fetch(`${base}/cache-tokens`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-broker-timestamp': ts, 'x-broker-signature': 'sha256=' + createHmac('sha256', pushKey).update(`${ts}.${body}`).digest('hex') }, body });
    return { status: r.status, body: await r.json() };
  };
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const set = (change) => fetch(`${brokerUrl}/_set`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'inst-active', ...change }) }).then((x) => x.json());
  const v = (await set({})).version; // the broker's current version of inst-active
  let p = await push([{ type: 'invalidate', instance_id: 'inst-active', status: 'needs_reauth', version: v + 10 }]);
  check('versioned push applied', p.status === 200 && p.body.applied === 1 && p.body.ignored === 0, JSON.stringify(p));
  p = await push([{ type: 'invalidate', instance_id: 'inst-active', status: 'active', version: v + 5 },
                  { type: 'token', instance_id: 'inst-active', access_token: 'older-token', expires_at: Math.floor(Date.now() / 1000) + 600, version: v + 6 }]);
  check('older pushes (lower version) answered 200 and reported ignored', p.status === 200 && p.body.applied === 0 && p.body.ignored === 2, JSON.stringify(p));
  let r = await rawPost('inst-active', active.key, init);
  check('ignored push changed nothing (still 403)', r.status === 403, String(r.status));
  await set({ version: v + 11 }); // the broker catches up (the fake's state is active)
  p = await push([{ type: 'invalidate', instance_id: 'inst-active', status: 'active', version: v + 11 }]);
  check('newer push applied', p.status === 200 && p.body.applied === 1, JSON.stringify(p));
  r = await rawPost('inst-active', active.key, init);
  check('active again after the newer push', r.status === 200, String(r.status));
  // the broker changes state without pushing: seen within the status lifetime (1 s here), not 300 s later
  await set({ status: 'inactive' });
  await sleep(1200);
  r = await rawPost('inst-active', active.key, init);
  check('status change at the broker (no push) seen after the status lifetime', r.status === 403, String(r.status));
  await set({ status: 'active', instance_expires_at: Math.floor(Date.now() / 1000) - 1 });
  await sleep(1200);
  r = await rawPost('inst-active', active.key, init);
  const eb = await r.json();
  check('broker expires_at in the past -> 403 expired, how to re-authorize', r.status === 403 && eb.error?.data?.status === 'expired' && /expired/i.test(eb.error?.message ?? ''), JSON.stringify(eb));
  await set({ instance_expires_at: null });
  await sleep(1200);
  r = await rawPost('inst-active', active.key, init);
  check('not expired any more -> 200', r.status === 200, String(r.status));
}

// 5. provider API helper: 401 -> invalidate, broker refresh, retry once; error mapping
{
  const pushKey = Buffer.from(hkdfSync('sha256', Buffer.from(cfg.secret), Buffer.alloc(0), Buffer.from('mcp-push-v1'), 32));
  const body = JSON.stringify({ id: randomUUID(), events: [{ type: 'token', instance_id: 'inst-active', access_token: 'stale-token', expires_at: Math.floor(Date.now() / 1000) + 600 }] });
  const ts = String(Math.floor(Date.now() / 1000));
  await fetch(`${base}/cache-tokens`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-broker-timestamp': ts, 'x-broker-signature': 'sha256=' + createHmac('sha256', pushKey).update(`${ts}.${body}`).digest('hex') }, body });
  const client = new Client({ name: 'interop-provider', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(mcpUrl('inst-active'), { requestInit: { headers: headers(active.key) } });
  await client.connect(transport);
  const before = (await fetch(`${brokerUrl}/_stats`).then((x) => x.json())).token_refresh;
  const up = await client.callTool({ name: 'upstream_items', arguments: { q: 'after-401' } });
  const after = (await fetch(`${brokerUrl}/_stats`).then((x) => x.json())).token_refresh;
  check('provider 401 -> token refreshed through the broker once, retried, succeeded', up.isError !== true && /after-401/.test(up.content?.[0]?.text ?? '') && after === before + 1, `${JSON.stringify(up)} refresh ${before}->${after}`);
  // concurrent 401s for the same stale token: one broker refresh, every call retried and answered
  const ts2 = String(Math.floor(Date.now() / 1000));
  const body2 = JSON.stringify({ id: randomUUID(), events: [{ type: 'token', instance_id: 'inst-active', access_token: 'stale-token-2', expires_at: Math.floor(Date.now() / 1000) + 600 }] });
  await fetch(`${base}/cache-tokens`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-broker-timestamp': ts2, 'x-broker-signature': 'sha256=' + createHmac('sha256', pushKey).update(`${ts2}.${body2}`).digest('hex') }, body: body2 });
  const before2 = (await fetch(`${brokerUrl}/_stats`).then((x) => x.json())).token_refresh;
  const many = await Promise.all([1, 2, 3, 4].map((n) => client.callTool({ name: 'upstream_items', arguments: { q: `c${n}` } })));
  const after2 = (await fetch(`${brokerUrl}/_stats`).then((x) => x.json())).token_refresh;
  check('4 concurrent provider 401s -> one broker refresh, all retried and answered', many.every((r, k) => r.isError !== true && (r.content?.[0]?.text ?? '').includes(`c${k + 1}`)) && after2 === before2 + 1, `${JSON.stringify(many)} refresh ${before2}->${after2}`);
  const expectError = async (code, re) => {
    const r = await client.callTool({ name: 'upstream_status', arguments: { code } });
    check(`provider ${code} -> clear tool error`, r.isError === true && re.test(r.content?.[0]?.text ?? ''), JSON.stringify(r));
  };
  await expectError(403, /scopes/);
  await expectError(404, /does not exist/);
  await expectError(429, /retry after 2 seconds/);
  await expectError(503, /HTTP 503/);
  await client.close();
}

// 6. usage counters reach the broker in batches; /health
{
  let usage = [];
  for (let i = 0; i < 40 && usage.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    usage = (await fetch(`${brokerUrl}/_stats`).then((x) => x.json())).usage;
  }
  check('usage batch reached the broker', usage.some((u) => u.instance_id === 'inst-active' && u.count > 0 && u.last_used_at > 0), JSON.stringify(usage));
  const h = await fetch(`${base}/health`).then((x) => x.json());
  check('/health reports broker, caches, sessions', h.status === 'ok' && h.broker?.status === 'reachable' && h.token_cache?.capacity > 0 && typeof h.sessions?.active === 'number', JSON.stringify(h));
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
