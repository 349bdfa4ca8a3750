// broker-load.mjs - a bounded, sequential load on the broker for the outage tests, one line per answer (the test
// reads the timeline). One request at a time, keep-alive, each bounded by 10 s; stops when STOPFILE exists or after
// MAX requests, pausing PAUSE_MS (default 0) between them. A failed request (no answer) is written with code 000.
// Usage: BROKER=http://127.0.0.1:P node broker-load.mjs MODE OUT STOPFILE MAX
//   vend  (BEARER, SERVICE, IDS=id,id,...): GET /instances/{id}/token round robin -> "<ms> <code>"
//   write (ADMIN_KEY, SERVICE): POST /instances, then POST /cache-tokens of a fresh token for the instance created
//         -> "<ms> create|import <code> <seconds> <json code or -> <instance id or -> <access token or ->"
//   verify (BEARER, SERVICE; OUT is a write log, STOPFILE and MAX unused): vends every instance whose import was
//         answered 2xx and prints "<imports checked> <not vended back with the imported token>"
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

const [mode, out, stopFile, maxArg] = process.argv.slice(2);
const { BROKER: broker, SERVICE: service = 'gmail' } = process.env;
const max = Number(maxArg);
if (!['vend', 'write', 'verify'].includes(mode) || !out || !stopFile || !(max > 0) || !broker) {
  console.error('usage: BROKER=url node broker-load.mjs vend|write OUT STOPFILE MAX');
  process.exit(2);
}

async function call(method, path, headers, body) {
  const t0 = performance.now();
  try {
    const res = await fetch(broker + path, {
      method, headers: body ? { ...headers, 'content-type': 'application/json' } : headers,
      body: body ? JSON.stringify(body) : undefined, signal: AbortSignal.timeout(10000),
    });
    const text = await res.text();
    let json = {};
    try { json = JSON.parse(text); } catch { /* not JSON: the test sees code "-" */ }
    return { code: res.status, secs: (performance.now() - t0) / 1000, json };
  } catch {
    return { code: '000', secs: (performance.now() - t0) / 1000, json: {} };
  }
}

const line = (s) => appendFileSync(out, `${Date.now()} ${s}\n`);
const ids = (process.env.IDS ?? '').split(',').filter(Boolean);
const vendHeaders = { authorization: `Bearer ${process.env.BEARER}`, 'x-mcp-service': service };
const adminHeaders = { authorization: `Bearer ${process.env.ADMIN_KEY}` };

const pause = Number(process.env.PAUSE_MS ?? 0);

if (mode === 'verify') {
  const acked = readFileSync(out, 'utf8').split('\n').map((l) => l.split(' '))
    .filter((f) => f[1] === 'import' && /^2/.test(f[2]));
  let lost = 0;
  for (const f of acked) {
    const r = await call('GET', `/instances/${f[5]}/token`, vendHeaders);
    if (r.code !== 200 || r.json.access_token !== f[6]) lost++;
  }
  console.log(`${acked.length} ${lost}`);
  process.exit(0);
}

for (let n = 0; n < max && !existsSync(stopFile); n++) {
  if (pause > 0) await new Promise((r) => setTimeout(r, pause));
  if (mode === 'vend') {
    const r = await call('GET', `/instances/${ids[n % ids.length]}/token`, vendHeaders);
    line(`${r.code}`);
    continue;
  }
  const c = await call('POST', '/instances', adminHeaders,
    { service, user_id: 'u-load', client_id: 'gclient', client_secret: 'gsecret-1' });
  const id = c.json.instance_id ?? '-';
  line(`create ${c.code} ${c.secs.toFixed(3)} ${c.json.code ?? '-'} ${id} -`);
  if (c.code !== 201) continue;
  const at = `at-load-${n}-${Math.random().toString(36).slice(2, 10)}`;
  const i = await call('POST', '/cache-tokens', adminHeaders, { instance_id: id, access_token: at, expires_in: 3600 });
  line(`import ${i.code} ${i.secs.toFixed(3)} ${i.json.code ?? '-'} ${id} ${at}`);
}
