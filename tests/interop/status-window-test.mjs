// status-window-test.mjs - how long a server that missed the broker's push keeps serving an instance the broker
// has disabled or deleted (docs/mcp-runtime.md: at most MCP_AUTH_STATUS_TTL_S, about MCP_AUTH_RECHECK_MS plus a
// broker round trip under traffic), and that the status is not re-asked per request. Then a broker outage (the fake
// broker stops listening, as during a restart): the last ACTIVE status is still served until MCP_AUTH_STALE_IF_ERROR_S
// after it was last confirmed (read from /health), refused 503 after that; an instance with no status known gets 503
// at once; /health counts the stale answers; the broker back: served again.
// Usage: node status-window-test.mjs <server base url> <fake broker url> <broker.json>   (server at default settings
//        except MCP_AUTH_STALE_IF_ERROR_S; instances inst-a..inst-e active)
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

// ---- broker outage: stale-if-error, bounded
const health = () => fetch(`${base}/health`).then((r) => r.json());
const bound = (await health()).auth_cache?.stale_if_error_s;
check('health reports the stale-if-error bound', Number.isInteger(bound) && bound > 5 && bound <= 15, String(bound));
check('fourth instance served', (await call('inst-d')) === 200);
for (let i = 0; i < 15; i++) { await call('inst-d'); await sleep(100); } // traffic: confirmed within the last second
const outageMs = (bound + 3) * 1000;
await brokerPost('/_outage', { ms: outageMs });
const tOut = Date.now();
let lastOk = 0, firstRefused = 0, refusedStatus = 0, staleSeen = null;
for (let i = 0; i < 200 && Date.now() - tOut < (bound + 2) * 1000; i++) { // bounded: 200 requests, bound + 2 s
  const st = await call('inst-d');
  if (st === 200 && !firstRefused) lastOk = Date.now() - tOut;
  else if (st !== 200 && !firstRefused) { firstRefused = Date.now() - tOut; refusedStatus = st; }
  if (staleSeen === null && Date.now() - tOut > 6000) staleSeen = (await health()).auth_cache;
  if (firstRefused) break;
  await sleep(200);
}
console.log(`# broker down: inst-d served for ${lastOk} ms after the outage began, then ${refusedStatus} at ${firstRefused} ms (bound ${bound} s)`);
check('broker down: the active status is served past its 5 s lifetime, up to the stale bound (confirmed at most ~1 s before the outage)',
  lastOk >= (bound - 1.5) * 1000, `${lastOk} ms`);
check('broker down: refused 503 once the bound has passed', refusedStatus === 503 && firstRefused <= (bound + 1) * 1000, `${refusedStatus} at ${firstRefused} ms`);
check('health while serving stale: stale answers counted, serving_stale', staleSeen?.stale_served > 0 && staleSeen?.serving_stale === true, JSON.stringify(staleSeen));
check('broker down: an instance with no status known gets 503 at once', (await call('inst-e')) === 503);
const h = await health();
check('health: the broker is not reachable meanwhile', h.broker?.consecutive_failures > 0, JSON.stringify(h.broker));
await sleep(Math.max(0, outageMs - (Date.now() - tOut)) + 300);
let back = 0;
for (let i = 0; i < 30 && back !== 200; i++) { back = await call('inst-d'); if (back !== 200) await sleep(200); } // bounded: 6 s
check('broker back: served again', back === 200, String(back));
check('broker back: a new instance too', (await call('inst-e')) === 200);

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
