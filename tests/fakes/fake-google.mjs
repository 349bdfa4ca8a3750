// fake-google.mjs - a local authorization server for the broker's integration tests that behaves like
// Google's documented OAuth 2.0 endpoints (https://developers.google.com/identity/protocols/oauth2/web-server):
//
//   GET  /o/oauth2/v2/auth   authorization endpoint: checks client_id (401 page "invalid_client"), redirect_uri
//                            (400 page "redirect_uri_mismatch": Google shows an error page and never redirects),
//                            response_type=code, PKCE S256; then shows a consent page (form: Allow / Cancel).
//   POST /o/oauth2/consent   the consent decision: 302 to redirect_uri with ?code&state&scope, or
//                            ?error=access_denied&state (what Google sends when the user cancels).
//   POST /token              code and refresh grants, client_secret_post (or Basic); errors as Google answers:
//                            400 {"error":"invalid_grant","error_description":"Bad Request"} (unknown/used/expired
//                            code, wrong PKCE verifier), 401 {"error":"invalid_client"}, 400 redirect_uri_mismatch.
//   POST /revoke             RFC 7009 style: token=...; 200 {} (400 invalid_token for an unknown token).
//   An authorization-code answer for scopes with openid carries an id_token (ES256, kid "fake-google-1"): iss
//   https://accounts.google.com (config issuer), aud = azp = the client, sub = config subject (default
//   110169484474386276334), email, iat, exp, and the nonce of the authorization request when it had one.
//   GET  /oauth2/v3/certs    the JWK Set of that key (Google's https://www.googleapis.com/oauth2/v3/certs).
//   GET  /v1/userinfo        OpenID user-info with a Bearer access token: {sub, email, email_verified}; 401 otherwise.
//   GET  /tokeninfo?access_token=...   Google's token information endpoint (what Google's APIs check a bearer
//                            against): 200 {azp, aud, scope, exp, expires_in, access_type} or
//                            400 {"error":"invalid_token","error_description":"Invalid Value"}.
//
// Test hooks (not Google):
//   POST /_fail {"status": 500|503|..., "error"?: "...", "count"?: 1, "delay_ms"?: 0, "retry_after"?: s}  the next
//        `count` token calls fail with that status (5xx bodies are HTML like Google's front end; retry_after adds a
//        Retry-After header);
//   GET  /_stats   {token_calls, codes_issued, issued: [{access_token, refresh_token}], revoked: [...], refresh_calls,
//                   revoke_calls, revoke_hints: [...], certs_calls, userinfo_calls}.
//   POST /_mode {"rotate"?: bool, "revoke_empty"?: bool, "delay_ms"?: n, "rogue_id_key"?: bool}  rogue_id_key: ID tokens
//        are signed with a key the JWK Set does not publish;  rotate: refresh answers carry a new refresh
//        token and the old one stops working; revoke_empty: /revoke answers 200 with an empty body; delay_ms: every
//        refresh-grant answer waits that long (a slow provider; the refresh is done when the wait starts).
//   POST /_seed {"client_id", "refresh_token", "scope"?}   registers a refresh token issued "elsewhere" (imports).
//   POST /_expire {"access_token"}   that access token expires now (tokeninfo answers invalid_token).
//   The consent form's optional field "account" (an account chooser: [A-Za-z0-9]{1,64}) signs in as that subject
//        instead of the configured one (ID token and user-info of the tokens issued for that code).
//
// FAKE_FLAVOR=microsoft: the Microsoft identity platform v2.0 instead
// (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow):
//   GET  /{tenant}/oauth2/v2.0/authorize, POST /{tenant}/oauth2/v2.0/token (tenant: common, organizations,
//        consumers, a GUID or a domain); a refresh token only when the scope has offline_access; every refresh
//        answer carries a new refresh token; ext_expires_in; errors carry AADSTS codes in error_description and
//        error_codes; no revocation endpoint (404). /tokeninfo stays as a test hook (Graph validates its JWTs locally).
//
// FAKE_FLAVOR=github: GitHub's OAuth web flow for a GitHub App with expiring user tokens
// (https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens):
//   GET /login/oauth/authorize, POST /login/oauth/access_token (JSON with Accept: application/json, else
//   form-encoded; errors answered with HTTP 200 {"error": "bad_verification_code" | "bad_refresh_token" |
//   "incorrect_client_credentials" | "redirect_uri_mismatch", error_description, error_uri}); ghu_ access tokens
//   (expires_in 28800), ghr_ refresh tokens (refresh_token_expires_in 15811200) rotated on every refresh; granted
//   scopes comma separated; DELETE /applications/{client_id}/grant (Basic client_id:client_secret, JSON
//   {"access_token"}) revokes the grant: 204, 404 when unknown.
//
// FAKE_FLAVOR=slack: Slack's OAuth v2 (https://docs.slack.dev/authentication/installing-with-oauth,
// https://docs.slack.dev/authentication/using-token-rotation):
//   GET /oauth/v2/authorize (user_scope: the user token's scopes, scope: the bot's, both comma separated),
//   POST /api/oauth.v2.access (client credentials as Basic or in the form; every answer is HTTP 200: errors are
//   {"ok": false, "error": "invalid_code" | "bad_redirect_uri" | "invalid_refresh_token" | "invalid_client_id" |
//   "bad_client_secret" | "invalid_grant_type"}); the user token under authed_user {id, scope, access_token,
//   token_type: "user"}, the bot token (only when bot scopes were asked) at the top level with token_type "bot".
//   With token rotation (config token_rotation, default true) tokens are xoxe.xoxp-1-... / xoxe.xoxb-1-... with
//   expires_in 43200 and a refresh_token xoxe-1-...; a refresh answers the token at the top level (token_type "user"
//   or "bot") with a new refresh token. Without rotation: xoxp- / xoxb- tokens that never expire, no refresh token.
//   POST /api/auth.revoke (form token) -> {"ok": true, "revoked": true}; GET|POST /api/auth.test (Bearer) ->
//   {ok, url, team, user, team_id, user_id} or {"ok": false, "error": "invalid_auth"}.
//
// FAKE_FLAVOR=notion: Notion's public integration OAuth (https://developers.notion.com/docs/authorization):
//   GET /v1/oauth/authorize (owner=user required; no PKCE), POST /v1/oauth/token (HTTP Basic client credentials only;
//   body JSON or form) -> {access_token: "ntn_...", token_type: "bearer", bot_id, workspace_id, workspace_name,
//   workspace_icon, owner: {type: "user", user}, duplicated_template_id, request_id}: no expires_in, no refresh
//   token (the access token lives until the user removes the integration), so a refresh grant is invalid_grant.
//
// FAKE_FLAVOR=dropbox: Dropbox OAuth 2 (https://developers.dropbox.com/oauth-guide):
//   GET /oauth2/authorize (token_access_type=offline for a refresh token; PKCE S256), POST /oauth2/token (client
//   credentials in the form or Basic) -> {access_token: "sl.u....", expires_in: 14400, token_type: "bearer", scope,
//   account_id: "dbid:...", uid, refresh_token (offline only)}; a refresh answers {access_token, token_type,
//   expires_in} and keeps the refresh token; errors 400 {"error": "invalid_grant", "error_description"};
//   POST /2/auth/token/revoke (Bearer) -> 200 null.
//
// Usage: node fake-google.mjs <config.json>  config {clients: [{client_id, client_secret, redirect_uris: []}],
//        access_ttl_s?: 3599}. Prints "fake-google listening on 127.0.0.1:<port>".
import { createServer } from 'node:http';
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const ms = process.env.FAKE_FLAVOR === 'microsoft';
const gh = process.env.FAKE_FLAVOR === 'github';
const sl = process.env.FAKE_FLAVOR === 'slack';
const nt = process.env.FAKE_FLAVOR === 'notion';
const db = process.env.FAKE_FLAVOR === 'dropbox';
const google = !ms && !gh && !sl && !nt && !db;
const FLAVOR = google ? 'google' : process.env.FAKE_FLAVOR;
const slRotation = sl && cfg.token_rotation !== false;
const SL_ERR = { invalid_client: 'invalid_client_id', redirect_uri_mismatch: 'bad_redirect_uri', unsupported_grant_type: 'invalid_grant_type',
  invalid_request: 'invalid_arguments' };
const SL_TEAM = { id: 'T0FAKETEAM', name: 'Fake Workspace' };
const NT_WORKSPACE = '5a3e2b1c-0d9f-4e8a-b7c6-1f2e3d4c5b6a';
const GH_ERR = { invalid_grant: 'bad_verification_code', invalid_client: 'incorrect_client_credentials' };
const MS_TENANT = /^\/(common|organizations|consumers|[0-9a-f-]{36}|[A-Za-z0-9.-]+\.[A-Za-z]{2,})\/oauth2\/v2\.0\/(authorize|token)$/;
const AADSTS = { invalid_grant: [70000, 'The provided value for the input parameter \'refresh_token\' or \'assertion\' is not valid.'],
  invalid_client: [7000215, 'Invalid client secret provided.'], redirect_uri_mismatch: [50011, 'The redirect URI does not match.'],
  invalid_request: [900144, 'The request body must contain the parameter.'], unsupported_grant_type: [70003, 'The app requested an unsupported grant type.'] };
const clients = new Map(cfg.clients.map((c) => [c.client_id, c]));
const pending = new Map(); // consent request id -> auth request
const codes = new Map(); // code -> {client_id, redirect_uri, challenge, scope, expires, used}
const refreshTokens = new Map(); // refresh token -> {client_id, scope}
const accessTokens = new Map(); // access token -> {client_id, scope, expires}
const stats = { token_calls: 0, codes_issued: 0, issued: [], revoked: [], refresh_calls: 0 };
let failPlan = null;
const mode = { rotate: false, revoke_empty: false, delay_ms: 0, rogue_id_key: false };
stats.revoke_calls = 0;
stats.certs_calls = 0;
stats.userinfo_calls = 0;
stats.revoke_hints = [];

const rnd = (n) => randomBytes(n).toString('base64url');
// the ID token signing key (ES256) and its JWK Set
const idKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ID_KID = 'fake-google-1';
const jwks = { keys: [{ ...idKey.publicKey.export({ format: 'jwk' }), kid: ID_KID, alg: 'ES256', use: 'sig' }] };
const SUBJECT = cfg.subject ?? '110169484474386276334';
const rogueKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }); // signs when mode.rogue_id_key: never published
function idToken(clientId, nonce, sub = SUBJECT) {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: cfg.issuer ?? 'https://accounts.google.com', azp: clientId, aud: clientId, sub,
    email: 'user@example.com', email_verified: true, iat: now, exp: now + 3600 };
  if (nonce) claims.nonce = nonce;
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const rogue = mode.rogue_id_key;
  const input = `${b64({ alg: 'ES256', kid: rogue ? 'rogue-1' : ID_KID, typ: 'JWT' })}.${b64(claims)}`;
  const sig = sign('sha256', Buffer.from(input), { key: (rogue ? rogueKey : idKey).privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
// GitHub's token endpoint quirks apply to its answers only (res.ghToken: JSON only when Accept asks for it)
const json = (res, status, body) => {
  if (res.ghToken && body?.error && status < 500) {
    const e = body.error === 'invalid_grant' && /refresh/.test(body.error_description ?? '') ? 'bad_refresh_token' : GH_ERR[body.error] ?? body.error;
    body = { error: e, error_description: body.error_description ?? e, error_uri: `https://docs.github.com/apps/troubleshooting#${e}` };
    status = 200;
  }
  if (res.slToken && body?.error && status < 500) {
    const e = body.error === 'invalid_grant' ? (res.slGrant === 'refresh_token' ? 'invalid_refresh_token' : 'invalid_code')
      : body.error === 'invalid_client' && res.slClientKnown ? 'bad_client_secret' : SL_ERR[body.error] ?? body.error;
    body = { ok: false, error: e };
    status = 200;
  }
  if (res.ghToken && !res.ghAcceptJson && status === 200) {
    res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });
    return res.end(new URLSearchParams(Object.entries(body).map(([k, v]) => [k, String(v)])).toString());
  }
  if (ms && body?.error && AADSTS[body.error]) {
    const [code, text] = AADSTS[body.error];
    body = { error: body.error === 'redirect_uri_mismatch' ? 'invalid_grant' : body.error,
      error_description: `AADSTS${code}: ${text} Trace ID: ${rnd(8)} Timestamp: ${new Date().toISOString()}`,
      error_codes: [code], timestamp: new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z', trace_id: rnd(8), correlation_id: rnd(8) };
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
};
// FAKE_BANNER (the offline demo, scripts/demo.sh): a note at the top of the consent page saying what this server is
const banner = process.env.FAKE_BANNER ? `<p id="banner" role="note"><strong>${esc(process.env.FAKE_BANNER)}</strong></p>` : '';
const page = (res, status, title, body) => {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body>${body}</body></html>`);
};
const errorPage = (res, status, code, text) =>
  page(res, status, `Error ${status}: ${code}`, `<h1 id="error">Error ${status}: ${esc(code)}</h1><p>${esc(text)}</p>`);
const readBody = (req) => new Promise((resolve) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
});
const eq = (a, b) => typeof a === 'string' && typeof b === 'string' && a.length === b.length &&
  timingSafeEqual(Buffer.from(a), Buffer.from(b));

function authorize(res, q) {
  const client = clients.get(q.get('client_id') ?? '');
  if (!client) return errorPage(res, 401, 'invalid_client', 'The OAuth client was not found.');
  const redirect = q.get('redirect_uri') ?? '';
  if (!client.redirect_uris.includes(redirect))
    return errorPage(res, 400, 'redirect_uri_mismatch', `You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy. redirect_uri=${redirect}`);
  if (q.get('response_type') !== 'code') return errorPage(res, 400, 'invalid_request', 'response_type must be code');
  const challenge = q.get('code_challenge');
  if (challenge && q.get('code_challenge_method') !== 'S256')
    return errorPage(res, 400, 'invalid_request', 'code_challenge_method must be S256');
  if (nt && q.get('owner') !== 'user') return errorPage(res, 400, 'invalid_request', 'owner must be user');
  const rid = rnd(12);
  const scope = sl ? q.get('user_scope') ?? '' : nt ? '' : q.get('scope') ?? 'openid email';
  pending.set(rid, { client_id: client.client_id, redirect, state: q.get('state'), scope, bot_scope: sl ? q.get('scope') ?? '' : '',
    challenge, access_type: db ? q.get('token_access_type') : q.get('access_type'), nonce: q.get('nonce') });
  page(res, 200, 'Sign in - Google Accounts',
    `<h1>Fake Google</h1>${banner}<p id="app">${esc(client.client_id)} wants to access: <span id="scope">${esc(q.get('scope') ?? '')}</span></p>
     <form method="post" action="/o/oauth2/consent"><input type="hidden" name="rid" value="${rid}">
     <button id="approve" name="decision" value="approve">Allow</button>
     <button id="deny" name="decision" value="deny">Cancel</button></form>
     <p id="next">Allow lets the app use your account within these permissions; Cancel sends you back with nothing shared.</p>`);
}

function consent(res, form) {
  const r = pending.get(form.get('rid') ?? '');
  if (!r) return errorPage(res, 400, 'invalid_request', 'This consent request is unknown or was already answered.');
  pending.delete(form.get('rid'));
  const url = new URL(r.redirect);
  if (form.get('decision') !== 'approve') {
    url.searchParams.set('error', 'access_denied');
  } else {
    const code = `4/0A${rnd(24)}`;
    const account = form.get('account');
    const sub = account && /^[A-Za-z0-9]{1,64}$/.test(account) ? account : SUBJECT;
    codes.set(code, { ...r, sub, expires: Date.now() + 60_000, used: false });
    stats.codes_issued++;
    url.searchParams.set('code', code);
    if (google || ms || gh) url.searchParams.set('scope', r.scope);
  }
  if (r.state != null) url.searchParams.set('state', r.state);
  res.writeHead(302, { location: url.toString() });
  res.end();
}

function clientAuth(req, form, res) {
  let id = nt ? null : form.get('client_id'), secret = nt ? null : form.get('client_secret');
  const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
  if (basic) {
    const [u, p] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
    id = decodeURIComponent(u); secret = decodeURIComponent(p ?? '');
  }
  const c = clients.get(id ?? '');
  if (res) res.slClientKnown = !!c;
  return c && eq(secret ?? '', c.client_secret) ? c : null;
}

const digits = (n) => Array.from(randomBytes(n), (b) => b % 10).join('');
function accessTokenText(kind) {
  if (ms) return `eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.${rnd(48)}.${rnd(32)}`;
  if (gh) return `ghu_${rnd(27)}`;
  if (sl) return slRotation ? `xoxe.xox${kind}-1-${rnd(40)}` : `xox${kind}-${digits(12)}-${digits(13)}-${rnd(24)}`;
  if (nt) return `ntn_${digits(11)}${rnd(30)}`;
  if (db) return `sl.u.${rnd(120)}`;
  return `ya29.${rnd(48)}`;
}
// seconds an access token lives; null: it never expires (Notion, Slack without token rotation)
const accessTtl = () => (nt || (sl && !slRotation) ? null : sl ? 43200 : db ? 14400 : gh ? 28800 : cfg.access_ttl_s ?? 3599);

function issue(client, scope, withRefresh, kind = 'p') {
  const access = accessTokenText(kind);
  const ttl = cfg.access_ttl_s ?? accessTtl();
  accessTokens.set(access, { client_id: client.client_id, scope, expires: ttl == null ? Infinity : Date.now() + ttl * 1000 });
  const body = { access_token: access, expires_in: gh ? 28800 : ttl, scope, token_type: 'Bearer' };
  if (ttl == null) delete body.expires_in;
  if (sl) { body.token_type = kind === 'b' ? 'bot' : 'user'; body.scope = scope.split(/[ ,]+/).filter(Boolean).join(','); }
  if (nt || db) body.token_type = 'bearer';
  if (nt) delete body.scope;
  if (gh) { body.scope = scope.split(' ').filter(Boolean).join(','); body.token_type = 'bearer'; }
  if (ms) body.ext_expires_in = body.expires_in;
  if (withRefresh) {
    body.refresh_token = ms ? `M.C5${rnd(60)}` : gh ? `ghr_${rnd(56)}` : sl ? `xoxe-1-${rnd(60)}` : db ? rnd(48) : `1//0${rnd(40)}`;
    if (gh) body.refresh_token_expires_in = 15811200;
    refreshTokens.set(body.refresh_token, { client_id: client.client_id, scope, kind });
  }
  stats.issued.push({ access_token: access, refresh_token: body.refresh_token ?? null });
  return body;
}

// Slack's oauth.v2.access answer to a code: the user token under authed_user, the bot token (bot scopes asked) on top.
// The bot token is issued first so that _stats.issued ends with the user token, the one an instance uses.
function slackInstall(client, c) {
  const body = { ok: true, app_id: 'A0FAKEAPP' };
  if (c.bot_scope) Object.assign(body, issue(client, c.bot_scope, slRotation, 'b'), { bot_user_id: 'U0FAKEBOT' });
  if (c.scope) {
    const u = issue(client, c.scope, slRotation, 'p');
    body.authed_user = { id: 'U0FAKEUSER', ...u };
  } else {
    body.authed_user = { id: 'U0FAKEUSER' };
  }
  return Object.assign(body, { team: SL_TEAM, enterprise: null, is_enterprise_install: false });
}

function notionWorkspace() {
  return { bot_id: randomUUID(), workspace_id: NT_WORKSPACE, workspace_name: 'Fake Workspace', workspace_icon: null,
    owner: { type: 'user', user: { object: 'user', id: 'a1b2c3d4-0000-4000-8000-00000000f00d', name: 'Fake User', avatar_url: null,
      type: 'person', person: { email: 'user@example.com' } } }, duplicated_template_id: null, request_id: randomUUID() };
}

// GET|POST /api/auth.test with a Bearer token: who the token is (the slack plugin identifies accounts with it)
function slackAuthTest(req, res) {
  const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
  const t = bearer && accessTokens.get(bearer[1]);
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  if (!t || t.expires <= Date.now()) return res.end(JSON.stringify({ ok: false, error: 'invalid_auth' }));
  res.end(JSON.stringify({ ok: true, url: 'https://fake-workspace.slack.com/', team: SL_TEAM.name, user: 'fakeuser',
    team_id: SL_TEAM.id, user_id: 'U0FAKEUSER', is_enterprise_install: false }));
}

// Slack's auth.revoke and Dropbox's /2/auth/token/revoke: the token from the form (Slack) or the bearer (Dropbox)
function bearerOrFormRevoke(req, res, form) {
  stats.revoke_calls++;
  const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
  const t = sl ? form.get('token') ?? bearer?.[1] ?? '' : bearer?.[1] ?? '';
  const known = accessTokens.has(t);
  accessTokens.delete(t);
  if (known) stats.revoked.push(t);
  if (db) {
    if (!known) { res.writeHead(401, { 'content-type': 'application/json' }); return res.end(JSON.stringify({ error_summary: 'invalid_access_token/...', error: { '.tag': 'invalid_access_token' } })); }
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end('null');
  }
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(known ? { ok: true, revoked: true } : { ok: false, error: 'invalid_auth' }));
}

async function token(req, res, form) {
  stats.token_calls++;
  if (failPlan && failPlan.count > 0) {
    failPlan.count--;
    const plan = failPlan;
    if (plan.delay_ms) await new Promise((r) => setTimeout(r, plan.delay_ms));
    if (plan.retry_after != null) res.setHeader('retry-after', String(plan.retry_after));
    if (plan.status >= 500) { res.writeHead(plan.status, { 'content-type': 'text/html' }); return res.end('<html><body>Server Error</body></html>'); }
    return json(res, plan.status, { error: plan.error ?? 'invalid_request', error_description: 'Injected failure' });
  }
  const client = clientAuth(req, form, res);
  if (!client) return json(res, db ? 400 : 401, { error: 'invalid_client', error_description: db ? 'Invalid client_id or client_secret' : 'Unauthorized' });
  const grant = form.get('grant_type');
  if (grant === 'authorization_code') {
    const c = codes.get(form.get('code') ?? '');
    if (!c || c.used || c.expires < Date.now() || c.client_id !== client.client_id) {
      if (c) c.used = true;
      return json(res, 400, { error: 'invalid_grant', error_description: 'Bad Request' });
    }
    c.used = true;
    if ((form.get('redirect_uri') ?? '') !== c.redirect) return json(res, 400, { error: 'redirect_uri_mismatch', error_description: 'Bad Request' });
    if (c.challenge) {
      const v = form.get('code_verifier') ?? '';
      if (createHash('sha256').update(v).digest('base64url') !== c.challenge)
        return json(res, 400, { error: 'invalid_grant', error_description: 'Invalid code verifier.' });
    } else if (form.get('code_verifier')) {
      return json(res, 400, { error: 'invalid_grant', error_description: 'code_verifier without challenge' });
    }
    const offline = gh || slRotation || (ms ? c.scope.split(' ').includes('offline_access') : c.access_type === 'offline');
    if (sl) return json(res, 200, slackInstall(client, c));
    const body = issue(client, c.scope, offline && !nt);
    accessTokens.get(body.access_token).sub = c.sub;
    if (google && c.scope.split(' ').includes('openid')) body.id_token = idToken(client.client_id, c.nonce, c.sub);
    if (nt) Object.assign(body, notionWorkspace());
    if (db) Object.assign(body, { account_id: 'dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc', uid: '12345' });
    return json(res, 200, body);
  }
  if (grant === 'refresh_token') {
    stats.refresh_calls++;
    const r = refreshTokens.get(form.get('refresh_token') ?? '');
    if (!r || r.client_id !== client.client_id) return json(res, 400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
    // Google keeps the refresh token (no rotation) unless told; Microsoft answers a new one every time (the old one
    // keeps working until it expires, unless rotate is set)
    const body = issue(client, r.scope, (mode.rotate || ms || gh || sl) && !db, r.kind);
    if (mode.rotate || gh) refreshTokens.delete(form.get('refresh_token')); // GitHub: the old one is spent
    if (db) delete body.scope; // Dropbox keeps the refresh token and answers the access token alone
    if (sl) Object.assign(body, { ok: true, app_id: 'A0FAKEAPP', team: SL_TEAM, enterprise: null, is_enterprise_install: false },
      r.kind === 'b' ? { bot_user_id: 'U0FAKEBOT' } : { user_id: 'U0FAKEUSER' });
    if (mode.delay_ms) await new Promise((r) => setTimeout(r, mode.delay_ms));
    return json(res, 200, body);
  }
  return json(res, 400, { error: 'unsupported_grant_type', error_description: `Invalid grant_type: ${grant}` });
}

// GitHub's "Delete an app authorization": the whole grant of that access token (its refresh tokens too) goes
function ghRevoke(req, res, clientId, raw) {
  stats.revoke_calls++;
  const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
  const [u, p] = basic ? Buffer.from(basic[1], 'base64').toString('utf8').split(':') : [];
  const c = clients.get(u ?? '');
  if (!c || u !== clientId || !eq(p ?? '', c.client_secret)) {
    res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
    return res.end(JSON.stringify({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest/apps/oauth-applications#delete-an-app-authorization' }));
  }
  let t = null;
  try { t = JSON.parse(raw || '{}').access_token; } catch { /* 422 below */ }
  if (typeof t !== 'string') {
    res.writeHead(422, { 'content-type': 'application/json; charset=utf-8' });
    return res.end(JSON.stringify({ message: 'Invalid request.', documentation_url: 'https://docs.github.com/rest' }));
  }
  if (!accessTokens.has(t)) { res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' }); return res.end(JSON.stringify({ message: 'Not Found' })); }
  accessTokens.delete(t);
  for (const [rt, r] of refreshTokens) if (r.client_id === clientId) refreshTokens.delete(rt);
  stats.revoked.push(t);
  res.writeHead(204);
  res.end();
}

function tokeninfo(res, q) {
  const t = accessTokens.get(q.get('access_token') ?? '');
  if (!t || t.expires <= Date.now()) return json(res, 400, { error: 'invalid_token', error_description: 'Invalid Value' });
  if (t.expires === Infinity) return json(res, 200, { azp: t.client_id, aud: t.client_id, scope: t.scope, access_type: 'offline' });
  const left = Math.floor((t.expires - Date.now()) / 1000);
  json(res, 200, { azp: t.client_id, aud: t.client_id, scope: t.scope, exp: String(Math.floor(t.expires / 1000)),
    expires_in: String(left), access_type: 'offline' });
}

function revoke(res, form, q) {
  stats.revoke_calls++;
  stats.revoke_hints.push(form.get('token_type_hint') ?? null);
  const t = form.get('token') ?? q.get('token') ?? '';
  if (!accessTokens.has(t) && !refreshTokens.has(t)) return json(res, 400, { error: 'invalid_token', error_description: 'Bad Request' });
  accessTokens.delete(t);
  refreshTokens.delete(t);
  stats.revoked.push(t);
  if (mode.revoke_empty) { res.writeHead(200); return res.end(); }
  json(res, 200, {});
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const raw = req.method === 'POST' || req.method === 'DELETE' ? await readBody(req) : '';
  let form = new URLSearchParams(raw);
  try {
    if (nt && /application\/json/.test(req.headers['content-type'] ?? '') && raw)
      form = new URLSearchParams(Object.entries(JSON.parse(raw)).map(([k, v]) => [k, String(v)]));
    const msPath = ms ? MS_TENANT.exec(url.pathname) : null;
    const authorizePath = sl ? '/oauth/v2/authorize' : nt ? '/v1/oauth/authorize' : db ? '/oauth2/authorize' : '/o/oauth2/v2/auth';
    if (req.method === 'GET' && (ms ? msPath?.[2] === 'authorize' : url.pathname === authorizePath)) return authorize(res, url.searchParams);
    const tokenPath = sl ? '/api/oauth.v2.access' : nt ? '/v1/oauth/token' : db ? '/oauth2/token' : null;
    if (tokenPath && req.method === 'POST' && url.pathname === tokenPath) {
      res.slToken = sl;
      // Slack's grant_type is optional: a code exchange without one
      if (sl && !form.has('grant_type')) form.set('grant_type', 'authorization_code');
      res.slGrant = form.get('grant_type');
      return await token(req, res, form);
    }
    if (sl && url.pathname === '/api/auth.test' && (req.method === 'GET' || req.method === 'POST')) return slackAuthTest(req, res);
    if ((sl && url.pathname === '/api/auth.revoke' || db && url.pathname === '/2/auth/token/revoke') && req.method === 'POST')
      return bearerOrFormRevoke(req, res, form);
    if (req.method === 'POST' && msPath?.[2] === 'token') return await token(req, res, form);
    if (gh && req.method === 'GET' && url.pathname === '/login/oauth/authorize') return authorize(res, url.searchParams);
    if (gh && req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      res.ghToken = true;
      res.ghAcceptJson = /application\/json/.test(req.headers.accept ?? '');
      return await token(req, res, form);
    }
    const grant = gh ? /^\/applications\/([^/]+)\/grant$/.exec(url.pathname) : null;
    if (grant && req.method === 'DELETE') return ghRevoke(req, res, grant[1], raw);
    if (req.method === 'POST' && url.pathname === '/o/oauth2/consent') return consent(res, form);
    if (google && req.method === 'POST' && url.pathname === '/token') return await token(req, res, form);
    if (google && req.method === 'POST' && url.pathname === '/revoke') return revoke(res, form, url.searchParams);
    if (req.method === 'GET' && url.pathname === '/tokeninfo') return tokeninfo(res, url.searchParams);
    if (google && req.method === 'GET' && url.pathname === '/oauth2/v3/certs') { stats.certs_calls++; return json(res, 200, jwks); }
    if (google && req.method === 'GET' && url.pathname === '/v1/userinfo') {
      stats.userinfo_calls++;
      const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
      const t = bearer && accessTokens.get(bearer[1]);
      if (!t || t.expires <= Date.now()) return json(res, 401, { error: 'invalid_request', error_description: 'Invalid Credentials' });
      return json(res, 200, { sub: t.sub ?? SUBJECT, email: 'user@example.com', email_verified: true });
    }
    if (req.method === 'GET' && url.pathname === '/_stats') return json(res, 200, stats);
    if (req.method === 'POST' && url.pathname === '/_expire') {
      const t = accessTokens.get(JSON.parse(raw || '{}').access_token ?? '');
      if (t) t.expires = Date.now() - 1000;
      return json(res, t ? 200 : 404, { ok: !!t });
    }
    if (req.method === 'POST' && url.pathname === '/_mode') {
      Object.assign(mode, JSON.parse(raw || '{}'));
      return json(res, 200, mode);
    }
    if (req.method === 'POST' && url.pathname === '/_seed') {
      const p = JSON.parse(raw || '{}');
      refreshTokens.set(p.refresh_token, { client_id: p.client_id, scope: p.scope ?? 'openid email' });
      return json(res, 200, { ok: true });
    }
    if (req.method === 'POST' && url.pathname === '/_fail') {
      const p = JSON.parse(raw || '{}');
      failPlan = { status: p.status ?? 500, error: p.error, count: p.count ?? 1, delay_ms: p.delay_ms ?? 0,
        retry_after: p.retry_after };
      return json(res, 200, { ok: true });
    }
    errorPage(res, 404, 'not_found', 'no such endpoint');
  } catch (e) {
    json(res, 500, { error: 'server_error', error_description: String(e) });
  }
});
server.listen(Number(process.env.FAKE_PORT ?? 0), '127.0.0.1', () =>
  console.log(`fake-${FLAVOR} listening on 127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
