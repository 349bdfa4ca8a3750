// e2e-service.mjs - one service of tests/integration/services_e2e.sh end to end: the official SDK client against
// mcp-<service> backed by the REAL broker, the fake authorization server (tests/fakes/fake-google.mjs in the
// provider's flavor) and the service's fake API checking bearers at that server's /tokeninfo:
//   1. the spec's read tool with the token the broker vended at consent: no error, expect_in_text in the text, the
//      fake API saw that bearer;
//   2. the spec's write tool, when it has one: no error (and its expect_in_text);
//   3. unless the spec says no_refresh: the provider expires the access token (POST /_expire) -> the same read call
//      succeeds again (401 -> one refresh through the broker -> one retry), invisible to the client; exactly one
//      refresh grant at the provider, a new access token, the fake API saw it; a further call uses it without another
//      refresh.
// Usage: node e2e-service.mjs <spec.json> <MCP base url> <instance id> <MCP key> <fake API root url> <provider url>
// Environment: UPSTREAM_TOKEN (the access token issued at consent), E2E_NO_REFRESH (the provider's tokens never
// expire: the reason; skips step 3 as the spec's no_refresh does). Prints "ok - ..." / "not ok - ..." lines and a
// summary; exit 1 when a check failed.
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const [specFile, base, instance, key, apiRoot, providerUrl] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(specFile, 'utf8'));
let passed = 0, failed = 0;
const check = (name, ok, detail = '') => {
  if (ok) { passed++; console.log(`ok - ${name}`); } else { failed++; console.log(`not ok - ${name} ${String(detail).slice(0, 1500)}`); }
};
const timeout = () => AbortSignal.timeout(10000);
const get = (u) => fetch(u, { signal: timeout() }).then((r) => r.json());
const post = (u, body) => fetch(u, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: timeout() });
const text = (r) => (r?.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');
// the fakes log requests with differently named fields (auth, authorization, headers.authorization): a request
// carried a bearer when its record holds the exact header value anywhere
const sawBearer = (r, token) => JSON.stringify(r).includes(`"Bearer ${token}"`);
const requests = async () => {
  const r = await get(`${apiRoot}/_requests`).catch((e) => ({ error: String(e) }));
  return Array.isArray(r) ? r : Array.isArray(r?.requests) ? r.requests : [];
};
const short = (t) => (t ? `${t.slice(0, 6)}...` : String(t));

const client = new Client({ name: 'services-e2e', version: '1.0.0' });
await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/${instance}/mcp`),
  { requestInit: { headers: { Authorization: `Bearer ${key}` } } }));
const call = async (tool) => {
  try {
    return await client.callTool({ name: tool.name, arguments: tool.arguments ?? {} });
  } catch (e) {
    return { isError: true, content: [{ type: 'text', text: `JSON-RPC error: ${e?.message ?? e}` }] };
  }
};
const expect = spec.expect_in_text;

// 1. the read tool with the consent token
const t0 = process.env.UPSTREAM_TOKEN;
let r = await call(spec.read_tool);
let seen = await requests();
check(`${spec.read_tool.name}: no error, "${expect}" in the text`, !r.isError && text(r).includes(expect), text(r));
check(`${spec.read_tool.name}: the fake API saw the bearer vended at consent`, seen.some((x) => sawBearer(x, t0)),
  `${seen.length} requests logged`);

// 2. the write tool
if (spec.write_tool) {
  r = await call(spec.write_tool);
  const want = spec.write_tool.expect_in_text;
  check(`${spec.write_tool.name}: no error${want ? `, "${want}" in the text` : ''}`, !r.isError && (!want || text(r).includes(want)), text(r));
}

// 3. the access token expires at the provider
const noRefresh = spec.no_refresh || process.env.E2E_NO_REFRESH;
if (noRefresh) {
  console.log(`# refresh step skipped: ${noRefresh}`);
} else {
  let stats = await get(`${providerUrl}/_stats`);
  const refresh0 = stats.refresh_calls;
  const issued0 = stats.issued.length;
  check('the provider expired the access token', (await post(`${providerUrl}/_expire`, { access_token: t0 })).status === 200);
  const n0 = (await requests()).length;
  r = await call(spec.read_tool);
  stats = await get(`${providerUrl}/_stats`);
  const t1 = stats.issued.length > issued0 ? stats.issued.at(-1).access_token : null;
  seen = (await requests()).slice(n0);
  check(`expired: ${spec.read_tool.name} succeeds again (refresh invisible to the client)`, !r.isError && text(r).includes(expect), text(r));
  check('expired: exactly one refresh grant at the provider, a new access token', stats.refresh_calls - refresh0 === 1 && t1 && t1 !== t0,
    `refresh calls ${refresh0} -> ${stats.refresh_calls}`);
  // whether a fake logs the requests it refuses is its own business: the old bearer's 401 is reported, not required
  const firstNew = seen.findIndex((x) => sawBearer(x, t1));
  check('expired: the fake API saw the new bearer', t1 && firstNew >= 0, JSON.stringify({ t0: short(t0), t1: short(t1), seen: seen.length }));
  const refused = seen.slice(0, Math.max(firstNew, 0)).filter((x) => sawBearer(x, t0)).length;
  console.log(`# expired: ${refused} request(s) with the expired bearer logged before the new one`);
  const n1 = (await requests()).length;
  r = await call(spec.read_tool);
  seen = (await requests()).slice(n1);
  const after = await get(`${providerUrl}/_stats`);
  check('the refreshed token is cached: the next call uses it without another refresh',
    !r.isError && seen.length > 0 && seen.every((x) => sawBearer(x, t1)) && after.refresh_calls === stats.refresh_calls, text(r));
}

await client.close().catch(() => {});
console.log(`${spec.service}: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
