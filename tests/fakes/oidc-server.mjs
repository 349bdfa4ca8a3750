// oidc-server.mjs - the `oidc-provider` npm package as a real OpenID Connect authorization server for the
// broker's integration tests: authorization code + PKCE S256, refresh tokens (offline_access, rotating),
// RFC 7009 revocation, two confidential clients, one per client authentication method:
//   client_secret_basic ("basic-client") and client_secret_post ("post-client"),
// and a public client ("public-client", token_endpoint_auth_method none: PKCE, no secret; RFC 7009 2.1 makes it
// identify itself with client_id when it revokes). oidc-provider sends iss in every authorization response and
// advertises authorization_response_iss_parameter_supported (RFC 9207). Like the strict servers met in the wild,
// an authorization request with the openid scope but without a nonce is refused (error=invalid_request,
// "nonce required"); GET /_stats counts those refusals as nonce_refusals.
// Login and consent are oidc-provider's own development interaction pages (any login/password).
//
// Usage: node oidc-server.mjs <config.json>  config {redirect_uris: [...], port?: 0}
// Prints "oidc-server listening on http://127.0.0.1:<port>" once ready (the issuer is that URL).
import Provider from 'oidc-provider';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const srv = createServer();
await new Promise((resolve) => srv.listen(cfg.port ?? 0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${srv.address().port}`;

const common = {
  redirect_uris: cfg.redirect_uris,
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
};
const provider = new Provider(issuer, {
  clients: [
    { ...common, client_id: 'basic-client', client_secret: 'basic-secret-0123456789abcdef', token_endpoint_auth_method: 'client_secret_basic' },
    { ...common, client_id: 'post-client', client_secret: 'post-secret-0123456789abcdef', token_endpoint_auth_method: 'client_secret_post' },
    { ...common, client_id: 'public-client', token_endpoint_auth_method: 'none' },
  ],
  pkce: { required: () => true },
  scopes: ['openid', 'offline_access', 'email'],
  features: { devInteractions: { enabled: true }, revocation: { enabled: true } },
  findAccount: async (ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, email: `${sub}@example.test` }) }),
  ttl: { AccessToken: cfg.access_ttl_s ?? 3600, AuthorizationCode: 60, Interaction: 600, Session: 600, Grant: 3600 },
  rotateRefreshToken: true,
  // oidc-provider issues refresh tokens only to offline_access requests consented with prompt=consent;
  // the broker's custom provider asks for both.
  cookies: { keys: ['oidc-test-cookie-key-0123456789'] },
});
provider.proxy = false;
// GET /_stats {token_calls, refresh_calls, grants_revoked, revocations}: what reached the server (refresh_calls:
// refresh_token grants, including refused ones; grants_revoked: reuse detection or RFC 7009 revocation)
const stats = { token_calls: 0, refresh_calls: 0, grants_revoked: 0, revocations: 0, revocations_refused: 0, nonce_refusals: 0 };
provider.on('grant.success', () => { stats.token_calls++; });
provider.on('grant.revoked', () => { stats.grants_revoked++; });
provider.use(async (ctx, next) => {
  if (ctx.method === 'GET' && ctx.path === '/auth') {
    const scope = String(ctx.query.scope ?? '').split(' ');
    if (scope.includes('openid') && !ctx.query.nonce) {
      stats.nonce_refusals++;
      if (!cfg.redirect_uris.includes(String(ctx.query.redirect_uri))) {
        ctx.status = 400;
        ctx.body = 'unknown redirect_uri';
        return undefined;
      }
      const back = new URL(String(ctx.query.redirect_uri));
      back.searchParams.set('error', 'invalid_request');
      back.searchParams.set('error_description', 'nonce required');
      if (ctx.query.state) back.searchParams.set('state', String(ctx.query.state));
      back.searchParams.set('iss', issuer);
      return ctx.redirect(back.href);
    }
  }
  if (ctx.method === 'POST' && ctx.path === '/token/revocation') stats.revocations++;
  await next();
  if (ctx.method === 'POST' && ctx.path === '/token/revocation' && ctx.status >= 400) stats.revocations_refused++;
  if (ctx.oidc?.params?.grant_type === 'refresh_token') stats.refresh_calls++;
});
provider.on('server_error', (ctx, err) => console.error('oidc server_error', err));

const callback = provider.callback();
srv.on('request', (req, res) => {
  if (req.url === '/_stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify(stats));
  }
  callback(req, res);
});
console.log(`oidc-server listening on ${issuer}`);
process.on('SIGTERM', () => srv.close(() => process.exit(0)));
