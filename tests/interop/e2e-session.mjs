// e2e-session.mjs - one MCP session (the official SDK client) against an MCP service (mcp-gmail, mcp-outlook) backed by
// the REAL broker, a fake authorization server (tests/fakes/fake-google.mjs, Google or Microsoft flavor) and the fake
// provider API (fake-gmail.mjs, fake-outlook.mjs) validating bearers at the authorization server's /tokeninfo:
//   1. a tool call uses the token the broker vended after consent;
//   2. the token expires at the provider in the middle of the session -> 401 -> one refresh through the broker ->
//      retried with the new token, invisible to the client;
//   3. a forced refresh (POST /oauth/refresh) is pushed to the MCP server: the next call uses the new token at once;
//   4. POST /oauth/revoke -> the session and a new connection get the re-authorize error naming the authorize URL.
// Usage: node e2e-session.mjs <mcp base url> <instance id> <instance key> <fake API url> <fake google url> <broker url>
// Environment: ADMIN_KEY (the broker's admin key), UPSTREAM_TOKEN (the access token issued at consent),
// E2E_TOOL (a read-only tool without arguments, default list_labels) and E2E_API_PATH (the one GET it makes,
// default /gmail/v1/users/me/labels).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const [base, instance, key, apiUrl, googleUrl, brokerUrl] = process.argv.slice(2);
const authorizeUrl = `${brokerUrl}/oauth/authorize?instance_id=${instance}`;
let passed = 0, failed = 0;
const check = (name, ok, detail = '') => {
  if (ok) { passed++; console.log(`ok - ${name}`); } else { failed++; console.log(`not ok - ${name} ${String(detail).slice(0, 1500)}`); }
};
const post = (u, body, headers = {}) => fetch(u, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(10000) })
  .then(async (r) => ({ status: r.status, body: await r.json().catch(() => null) }));
const get = (u) => fetch(u, { signal: AbortSignal.timeout(10000) }).then((r) => r.json());
const admin = (path, body) => post(`${brokerUrl}${path}`, body, { authorization: `Bearer ${process.env.ADMIN_KEY}` });
const tool = process.env.E2E_TOOL ?? 'list_labels';
const apiPath = process.env.E2E_API_PATH ?? '/gmail/v1/users/me/labels';
const apiRequests = async () => (await get(`${apiUrl}/_requests`)).filter((r) => r.path === apiPath && r.method === 'GET');
const text = (r) => (r.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');
const connect = async () => {
  const c = new Client({ name: 'e2e', version: '1.0.0' });
  await c.connect(new StreamableHTTPClientTransport(new URL(`${base}/${instance}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${key}` } } }));
  return c;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const client = await connect();
const call = (name, args) => client.callTool({ name, arguments: args });

// 1. the vended token reaches the API
const t0 = process.env.UPSTREAM_TOKEN;
let r = await call(tool, {});
let seen = await apiRequests();
check('tool call with the consent token', !r.isError && seen.at(-1)?.auth === `Bearer ${t0}`, JSON.stringify({ r, auth: seen.at(-1)?.auth?.slice(0, 20) }));

// 2. the token expires at the provider mid-session
let stats = await get(`${googleUrl}/_stats`);
const refresh0 = stats.refresh_calls;
check('provider expired the token', (await post(`${googleUrl}/_expire`, { access_token: t0 })).status === 200);
const n0 = seen.length;
r = await call(tool, {});
stats = await get(`${googleUrl}/_stats`);
const t1 = stats.issued.at(-1).access_token;
seen = await apiRequests();
check('expired mid-session: the call succeeds (refresh invisible to the client)', !r.isError && text(r).length > 0, text(r));
check('expired mid-session: 401 with the old token, retried with the refreshed one',
  seen.length - n0 === 2 && seen[n0].auth === `Bearer ${t0}` && seen[n0 + 1].auth === `Bearer ${t1}` && t1 !== t0,
  JSON.stringify(seen.slice(n0).map((x) => x.auth.slice(0, 16))));
check('expired mid-session: exactly one refresh at the provider', stats.refresh_calls - refresh0 === 1, `${refresh0} -> ${stats.refresh_calls}`);
r = await call(tool, {});
seen = await apiRequests();
check('the refreshed token is cached by the MCP server', !r.isError && seen.length - n0 === 3 && seen.at(-1).auth === `Bearer ${t1}` &&
  (await get(`${googleUrl}/_stats`)).refresh_calls === stats.refresh_calls);

// 3. forced refresh at the broker, pushed to the MCP server
let a = await admin('/oauth/refresh', { instance_id: instance });
stats = await get(`${googleUrl}/_stats`);
const t2 = stats.issued.at(-1).access_token;
check('POST /oauth/refresh: refreshed', a.status === 200 && a.body?.outcome === 'refreshed' && t2 !== t1, JSON.stringify(a));
await post(`${googleUrl}/_expire`, { access_token: t1 });
// the push is asynchronous: give it a moment (bounded)
let ok = false;
for (let i = 0; i < 20 && !ok; i++) {
  await sleep(150);
  const n1 = (await apiRequests()).length;
  r = await call(tool, {});
  seen = await apiRequests();
  ok = !r.isError && seen.length - n1 === 1 && seen.at(-1).auth === `Bearer ${t2}`;
  if (r.isError) break;
}
check('forced refresh: pushed token used at once (no 401 round trip)', ok, JSON.stringify({ r: text(r), auth: seen.at(-1)?.auth?.slice(0, 16) }));
check('forced refresh: invisible to the client', !r.isError, text(r));

// 4. revoke -> re-authorize error naming the broker's authorize URL
a = await admin('/oauth/revoke', { instance_id: instance });
check('POST /oauth/revoke: 200 needs_reauth', a.status === 200 && a.body?.status === 'needs_reauth', JSON.stringify(a));
const before = (await get(`${apiUrl}/_requests`)).length;
let msg = '';
for (let i = 0; i < 20; i++) {
  await sleep(150);
  try {
    r = await call(tool, {});
    msg = text(r);
    if (r.isError && msg.includes(authorizeUrl)) break;
  } catch (e) {
    msg = String(e?.message ?? e);
    if (msg.includes(authorizeUrl)) break;
  }
}
check('revoked: the open session gets the re-authorize error with the authorize URL', /re-?authoriz/i.test(msg) && msg.includes(authorizeUrl), msg);
msg = '';
let code = null;
try {
  const c2 = await connect();
  msg = 'connected';
  await c2.close();
} catch (e) {
  msg = String(e?.message ?? e);
  code = e?.code ?? null;
}
check('revoked: a new connection is refused (HTTP 403) naming the authorize URL', code === 403 && /re-?authoriz/i.test(msg) && msg.includes(authorizeUrl), `${code} ${msg}`);
check('revoked: nothing reached the API', (await get(`${apiUrl}/_requests`)).length === before);

await client.close().catch(() => {});
console.log(`e2e session: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
