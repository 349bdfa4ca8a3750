// mcp-auth-client.mjs - an MCP client that knows nothing but an MCP URL and signs in the way the official TypeScript
// SDKs do (MCP authorization: 401 -> Protected Resource Metadata -> authorization server metadata -> a Client ID
// Metadata Document or Dynamic Client Registration -> authorization code + PKCE in the browser -> token), with
// either SDK: v1 (@modelcontextprotocol/sdk, an OAuthClientProvider) or v2 (@modelcontextprotocol/client, which
// checks the iss of the authorization response, RFC 9207). The person in the browser is tests/fakes/as-consent.mjs
// (headless Chromium); the redirect comes back to a loopback listener on an ephemeral port
// (http://127.0.0.1:<port>/callback, RFC 8252). Then tools/list and one tools/call with the token.
//
// Usage: node mcp-auth-client.mjs --url <MCP URL> [--sdk v1|v2] [--cimd <client metadata URL>] [--action allow|deny]
//        [--access-key <instance key>] [--tool <name>] [--out <file for the tokens>]
// Prints one JSON line: {sdk, mode: "cimd"|"dcr", client_id, http: [{method, url, status}], registrations,
//   consent, callback: {code, iss, state_ok, error, error_description}, finish, tools, call, error}
// (tokens go to --out only, never to stdout).
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import * as v2 from '@modelcontextprotocol/client';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { consent } from '../fakes/as-consent.mjs';

const { values: opt } = parseArgs({ options: {
  url: { type: 'string' }, sdk: { type: 'string', default: 'v1' }, cimd: { type: 'string' },
  action: { type: 'string', default: 'allow' }, 'access-key': { type: 'string' }, tool: { type: 'string', default: 'list_labels' },
  out: { type: 'string' } } });
const out = { sdk: opt.sdk, mode: opt.cimd ? 'cimd' : 'dcr', client_id: null, http: [], registrations: 0 };

// every HTTP request the SDK makes (discovery, registration, token, MCP), for the assertions on what was sent
const recorded = async (input, init) => {
  const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
  const url = String(input instanceof Request ? input.url : input);
  const res = await fetch(input, init);
  out.http.push({ method, url, status: res.status });
  return res;
};

// the loopback redirect listener: its first /callback request ends the wait
let onCallback;
const callback = new Promise((resolve) => { onCallback = resolve; });
const listener = createServer((req, res) => {
  const u = new URL(req.url, 'http://127.0.0.1');
  if (u.pathname !== '/callback') { res.writeHead(404); return res.end(); }
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('You can close this window.');
  onCallback(u.searchParams);
});
await new Promise((r) => listener.listen(0, '127.0.0.1', r));
const redirectUrl = `http://127.0.0.1:${listener.address().port}/callback`;

// an in-memory OAuthClientProvider (both SDKs' interface; v2 passes an {issuer} context, ignored: one AS here)
const state = randomBytes(16).toString('base64url');
const store = {};
const provider = {
  get redirectUrl() { return redirectUrl; },
  clientMetadataUrl: opt.cimd,
  get clientMetadata() {
    return { client_name: `ob-it SDK ${opt.sdk} client`, redirect_uris: [redirectUrl], grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'], token_endpoint_auth_method: 'none' };
  },
  state: () => state,
  clientInformation: () => store.client,
  saveClientInformation: (c) => { store.client = c; },
  tokens: () => store.tokens,
  saveTokens: (t) => { store.tokens = t; },
  redirectToAuthorization: (u) => { store.authorizationUrl = u; },
  saveCodeVerifier: (v) => { store.verifier = v; },
  codeVerifier: () => store.verifier,
  saveDiscoveryState: (s) => { store.discovery = s; },
  discoveryState: () => store.discovery,
  invalidateCredentials: (scope) => {
    if (scope === 'all' || scope === 'client') delete store.client;
    if (scope === 'all' || scope === 'tokens') delete store.tokens;
    if (scope === 'all' || scope === 'verifier') delete store.verifier;
    if (scope === 'all' || scope === 'discovery') delete store.discovery;
  },
};

const v1 = opt.sdk === 'v1';
const makeClient = () => (v1 ? new ClientV1({ name: 'ob-it-auth-v1', version: '1.0.0' })
  : new v2.Client({ name: 'ob-it-auth-v2', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } }));
const makeTransport = () => (v1 ? new TransportV1(new URL(opt.url), { authProvider: provider, fetch: recorded })
  : new v2.StreamableHTTPClientTransport(new URL(opt.url), { authProvider: provider, fetch: recorded }));
const errText = (e) => `${e?.name ?? 'Error'}: ${String(e?.message ?? e).split('\n')[0]}`;

try {
  // 1. the first connect meets the 401 and ends at the browser (UnauthorizedError)
  const first = makeTransport();
  let unauthorized = false;
  try {
    await makeClient().connect(first);
  } catch (e) {
    unauthorized = e instanceof (v1 ? (await import('@modelcontextprotocol/sdk/client/auth.js')).UnauthorizedError : v2.UnauthorizedError)
      || /unauthori/i.test(String(e?.message));
    if (!unauthorized) throw e;
  }
  if (!store.authorizationUrl) throw new Error('the SDK asked for no authorization (connected without one?)');
  const authz = new URL(store.authorizationUrl);
  out.client_id = authz.searchParams.get('client_id');
  out.authorize = { resource: authz.searchParams.get('resource'), scope: authz.searchParams.get('scope'),
    code_challenge_method: authz.searchParams.get('code_challenge_method'), origin: authz.origin, path: authz.pathname };
  out.registrations = out.http.filter((r) => r.method === 'POST' && /\/register$/.test(new URL(r.url).pathname)).length;

  // 2. the person in the browser
  const seen = await consent(authz.href, { action: opt.action, accessKey: opt['access-key'], redirectPrefix: redirectUrl });
  out.consent = { shown: Boolean(seen.consent), asked_key: seen.consent?.asked_key ?? false, csp: seen.consent?.csp ?? null,
    text: seen.consent?.text ?? null, pages: seen.pages, error: seen.error, error_page: seen.error_page };
  const params = await Promise.race([callback, new Promise((r) => setTimeout(() => r(null), seen.redirect ? 10_000 : 1))]);
  if (!params) throw new Error(`no redirect reached the loopback listener (${seen.error ?? JSON.stringify(seen.error_page)})`);
  out.callback = { code: params.has('code'), iss: params.get('iss'), state_ok: params.get('state') === state,
    error: params.get('error'), error_description: params.get('error_description') };

  // 3. finish: the code for tokens (v2 checks iss against the metadata's issuer before it sends the code)
  if (params.has('code')) {
    try {
      await (v1 ? first.finishAuth(params.get('code')) : first.finishAuth(params));
      out.finish = 'ok';
    } catch (e) {
      out.finish = errText(e);
    }
  }
  if (out.finish === 'ok') {
    if (opt.out) writeFileSync(opt.out, JSON.stringify({ ...store.tokens, client_id: store.client?.client_id ?? out.client_id, redirect_uri: redirectUrl }), { mode: 0o600 });
    // 4. a new connection with the token: tools/list, tools/call
    const client = makeClient();
    await client.connect(makeTransport());
    const { tools } = await client.listTools();
    out.tools = tools.map((t) => t.name);
    const res = await client.callTool({ name: opt.tool, arguments: {} });
    out.call = { isError: res.isError === true, text: String(res.content?.[0]?.text ?? '').slice(0, 300) };
    await client.close();
  }
  out.registrations = out.http.filter((r) => r.method === 'POST' && /\/register$/.test(new URL(r.url).pathname)).length;
} catch (e) {
  out.error = errText(e);
} finally {
  listener.close();
}
console.log(JSON.stringify(out));
process.exit(0);
