// as-load.mjs - load for bench/broker/as.sh: the broker's authorization server under concurrent requests over
// loopback (fetch with keep-alive), reported as requests/s. Not a test.
//
//   node as-load.mjs codes <broker> <client_id> <redirect_uri> <resource> <access key> <n> <conc> <out.json>
//       n consents answered (GET /as/authorize, POST /as/consent with the page's cookie and the key); the codes (one
//       PKCE verifier for all) written to out.json. Prints {rps, ok, failed}.
//   node as-load.mjs token <broker> <codes.json> <conc>
//       every code redeemed once at POST /as/token (authorization_code). Prints {rps, ok, failed}.
//   node as-load.mjs authorize <broker> <client_id base> <redirect_uri> <resource> <n> <conc> <unique 0|1>
//       GET /as/authorize until the consent page (200); unique=1: client_id = <base>/<i>.json, a document the broker
//       has not cached (fetch + validate each time); unique=0: <base>/0.json every time (cached). Prints {rps, ok, failed}.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const [mode, broker, ...rest] = process.argv.slice(2);
const verifier = randomBytes(32).toString('base64url');
const challenge = createHash('sha256').update(verifier).digest('base64url');
const authzUrl = (clientId, redirect, resource) => `${broker}/as/authorize?${new URLSearchParams({ response_type: 'code',
  client_id: clientId, redirect_uri: redirect, code_challenge: challenge, code_challenge_method: 'S256', resource, state: 's' })}`;

// run(n, conc, fn): fn(i) for i in 0..n-1, conc at a time; resolves {rps, ok, failed}
async function run(n, conc, fn) {
  let next = 0, ok = 0, failed = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(conc, n) }, async () => {
    while (next < n) {
      const i = next++;
      try { (await fn(i)) ? ok++ : failed++; } catch { failed++; }
    }
  }));
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { rps: Math.round((ok / s) * 10) / 10, ok, failed, seconds: Math.round(s * 100) / 100 };
}

const consentOnce = async (url, key) => {
  const r1 = await fetch(url, { redirect: 'manual' });
  const html = await r1.text();
  const rid = html.match(/name="request_id" value="([^"]*)"/)?.[1];
  if (r1.status !== 200 || !rid) return null;
  const cookie = r1.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const r2 = await fetch(`${broker}/as/consent`, { method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: new URL(broker).origin },
    body: new URLSearchParams({ request_id: rid, access_key: key, action: 'allow' }) });
  await r2.arrayBuffer();
  return new URL(r2.headers.get('location') ?? 'x:').searchParams.get('code');
};

if (mode === 'codes') {
  const [clientId, redirect, resource, key, n, conc, out] = rest;
  const codes = [];
  const r = await run(Number(n), Number(conc), async () => {
    const code = await consentOnce(authzUrl(clientId, redirect, resource), key);
    if (code) codes.push(code);
    return Boolean(code);
  });
  writeFileSync(out, JSON.stringify({ client_id: clientId, redirect_uri: redirect, verifier, codes }));
  console.log(JSON.stringify(r));
} else if (mode === 'token') {
  const [file, conc] = rest;
  const c = JSON.parse(readFileSync(file, 'utf8'));
  const r = await run(c.codes.length, Number(conc), async (i) => {
    const res = await fetch(`${broker}/as/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: c.codes[i], redirect_uri: c.redirect_uri,
        code_verifier: c.verifier, client_id: c.client_id }) });
    const j = await res.json();
    return res.status === 200 && typeof j.access_token === 'string';
  });
  console.log(JSON.stringify(r));
} else if (mode === 'authorize') {
  const [base, redirect, resource, n, conc, unique] = rest;
  const tag = randomBytes(4).toString('hex');
  const r = await run(Number(n), Number(conc), async (i) => {
    const res = await fetch(authzUrl(`${base}/${unique === '1' ? `${tag}-${i}` : '0'}.json`, redirect, resource), { redirect: 'manual' });
    await res.arrayBuffer();
    return res.status === 200;
  });
  console.log(JSON.stringify(r));
} else {
  console.error('usage: node as-load.mjs codes|token|authorize ...');
  process.exit(2);
}
