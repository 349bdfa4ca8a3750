// bench/peers/grant-server.mjs - the grant peer of the broker's GET /oauth/authorize: grant 5 (OAuth proxy middleware)
// on express 5 with express-session's memory store, provider google with state and PKCE, so GET /connect/google
// answers 302 to the provider's authorization endpoint with a fresh state and code challenge kept in the session
// (what the broker seals into its state parameter instead). Loopback only; prints "listening on PORT".
// Env: PORT (0 = any free port).
import express from 'express';
import session from 'express-session';
import grant from 'grant';

const app = express();
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`grant peer listening on ${server.address().port}`);
});
app.use(session({ secret: 'bench-session-secret', resave: false, saveUninitialized: false }));
app.use(grant.express({
  defaults: { origin: 'http://127.0.0.1', transport: 'session', state: true, nonce: false },
  google: { key: 'bench', secret: 'bench-secret', scope: ['openid', 'email'], pkce: true, callback: '/done' },
}));
app.get('/done', (req, res) => res.json({ ok: true }));
