// status-window-test.mjs - how long a server that missed the broker's push keeps serving an instance the broker
// has disabled or deleted (docs/mcp-runtime.md: at most MCP_AUTH_STATUS_TTL_S, about MCP_AUTH_RECHECK_MS plus a
// broker round trip under traffic), and that the status is not re-asked per request.
// Usage: node status-window-test.mjs <server base url> <fake broker url> <broker.json>   (server at default settings)
import { readFileSync } from 'node:fs';

const [base, brokerUrl, cfgPath] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
const keyOf = (id) => cfg.instances.find((i) => i.id === id).key;
let passed = 0, failed = 0;
const check = (name, ok, detail = '') => {
  if (ok) { passed++; console.log(`ok - ${name}`); } else { failed++; console.log(`not ok - ${name} ${detail}`); }
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'w', version: '0' } } };
const call = (id) => fetch(`${base}/${id}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${keyOf(id)}` }, body: JSON.stringify(init) })
  .then(async (r) => { await r.arrayBuffer(); return r.status; });
const brokerPost = (path, body) => fetch(`${brokerUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const authCalls = () => fetch(`${brokerUrl}/_stats`).then((r) => r.json()).then((s) => s.auth);

// Requests every 100 ms (bounded: 12 s) until the status differs from 200; returns [status, ms after the change].
const servedFor = async (id) => {
  const t0 = Date.now();
  for (let i = 0; i < 120; i++) {
    const st = await call(id);
    if (st !== 200) return [st, Date.now() - t0];
    await sleep(100);
  }
  return [200, Date.now() - t0];
};

check('instance served', (await call('inst-a')) === 200 && (await call('inst-b')) === 200);
// steady traffic: the status is not asked for per request (one background call per second at most)
let before = await authCalls();
const t0 = Date.now();
for (let i = 0; i < 30; i++) { await call('inst-a'); await sleep(50); }
const calls = (await authCalls()) - before, secs = (Date.now() - t0) / 1000;
check(`no per-request broker call (${calls} status calls for 30 requests in ${secs.toFixed(1)} s)`, calls <= Math.ceil(secs) + 1, String(calls));

// the change lands right after a background recheck answered "active": the longest wait under traffic
before = await authCalls();
for (let i = 0; i < 40 && (await authCalls()) === before; i++) { await call('inst-a'); await sleep(50); }
await brokerPost('/_set', { id: 'inst-a', status: 'inactive' });
let [st, ms] = await servedFor('inst-a');
console.log(`# disabled without a push: served for ${ms} ms, then ${st}`);
check('disabled instance refused about a recheck interval (1 s) + a round trip after the change, not 30 s', st === 403 && ms <= 2000, `${st} after ${ms} ms`);

await brokerPost('/_delete', { id: 'inst-b' });
[st, ms] = await servedFor('inst-b');
console.log(`# deleted without a push: served for ${ms} ms, then ${st}`);
check('deleted instance refused within the documented worst case (5 s), not 30 s', st === 404 && ms <= 5000, `${st} after ${ms} ms`);

// idle instance: a status older than the lifetime is not served; the request waits for the broker's answer
check('third instance served', (await call('inst-c')) === 200);
await sleep(5200);
await brokerPost('/_set', { id: 'inst-c', status: 'needs_reauth' });
check('idle past the lifetime: the first request already sees the broker state', (await call('inst-c')) === 403);

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
