// fake-github.mjs - a stand-in for the GitHub REST API (the subset mcp-github uses), following the documented
// shapes: Accept application/vnd.github+json, X-GitHub-Api-Version 2022-11-28 and a User-Agent required, Link
// header pagination (per_page/page), issues that include pull requests ("pull_request" key), base64 contents with
// line breaks, directories as arrays, files over 1 MB without content (encoding "none"), code search, and errors
// {"message","documentation_url"}: 401 Bad credentials, 403 rate limit (X-RateLimit-Remaining: 0 + reset),
// 403 missing scope (X-Accepted-OAuth-Scopes vs X-OAuth-Scopes), 404 for private repositories, 422 validation.
// Usage: node fake-github.mjs <access token>. Hooks: GET /_requests, POST /_reset, POST /_token {token}.
// With FAKE_TOKENINFO_URL set (tests/fakes/fake-google.mjs with FAKE_FLAVOR=github, its /tokeninfo hook) a bearer is
// accepted while that endpoint knows it as a live access token.
import { createServer } from 'node:http';
import { bearerAuth } from './fake-auth.mjs';

const auth = bearerAuth(process.argv[2] ?? 'gh-token');
const authorized = auth.authorized;
let requests = [];
let base = '';
const DOCS = 'https://docs.github.com/rest';
const user = { login: 'octocat', id: 1, name: 'The Octocat', email: 'octocat@github.com', company: '@github', html_url: 'https://github.com/octocat', public_repos: 8, followers: 20, created_at: '2011-01-25T18:44:36Z' };
const repos = [1, 2, 3, 4, 5].map((n) => ({ id: n, name: `repo${n}`, full_name: `octocat/repo${n}`, private: n === 2, fork: n === 3, description: `Repository ${n}`, language: 'C', stargazers_count: n * 10, default_branch: 'main', updated_at: `2024-0${n}-01T00:00:00Z`, html_url: `https://github.com/octocat/repo${n}` }));
const issue = (n, pr) => ({ number: n, title: pr ? `PR ${n}` : `Issue ${n}`, state: 'open', user: { login: 'alice' }, labels: [{ name: 'bug' }], assignees: [{ login: 'bob' }], comments: n, created_at: '2024-01-01T00:00:00Z', updated_at: '2024-02-01T00:00:00Z', html_url: `https://github.com/octocat/repo1/${pr ? 'pull' : 'issues'}/${n}`, body: `Body of ${n}`, ...(pr ? { pull_request: { url: `x/pulls/${n}` } } : {}) });
const issues = [issue(1), issue(2, true), issue(3), issue(4), issue(5, true)];
const pulls = [2, 5].map((n) => ({ ...issue(n, true), pull_request: undefined, head: { ref: `feature-${n}` }, base: { ref: 'main' }, draft: n === 5 }));
const b64lines = (s) => Buffer.from(s).toString('base64').replace(/(.{60})/g, '$1\n');
const files = {
  'README.md': { type: 'file', content: '# repo1\nHéllo wörld\n' },
  'src/main.c': { type: 'file', content: 'int main(void) { return 0; }\n' },
  'logo.png': { type: 'file', content: '\x89PNG\r\n\x1a\n\0\0\0' },
  'big.bin': { type: 'file', big: true },
};

const send = (res, status, body, headers = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-oauth-scopes': 'repo, read:user', 'x-ratelimit-remaining': '4999', 'x-ratelimit-reset': '1900000000', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
};
const err = (res, status, message, headers) => send(res, status, { message, documentation_url: DOCS }, headers);
const readBody = (req) => new Promise((resolve) => { let d = ''; req.on('data', (c) => { d += c; }); req.on('end', () => resolve(d)); });
const paged = (res, list, q, path) => {
  const per = Math.min(Number(q.get('per_page') ?? 30), 100), page = Number(q.get('page') ?? 1);
  const last = Math.max(1, Math.ceil(list.length / per));
  const link = (p, rel) => { const n = new URLSearchParams(q); n.set('page', String(p)); return `<${base}${path}?${n}>; rel="${rel}"`; };
  const links = [];
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
  send(res, 200, list.slice((page - 1) * per, page * per), links.length ? { link: links.join(', ') } : {});
};

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const raw = await readBody(req);
  const path = url.pathname, q = url.searchParams;
  if (path === '/_requests') return send(res, 200, requests);
  if (path === '/_reset') { requests = []; return send(res, 200, {}); }
  if (path === '/_token') { auth.setToken(JSON.parse(raw).token); return send(res, 200, {}); }
  let body = null;
  try { body = raw ? JSON.parse(raw) : null; } catch { body = undefined; }
  requests.push({ method: req.method, path, query: Object.fromEntries(q), body, auth: req.headers.authorization, accept: req.headers.accept,
    apiVersion: req.headers['x-github-api-version'], userAgent: req.headers['user-agent'], contentType: req.headers['content-type'] });
  if (!req.headers['user-agent']) return err(res, 403, 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header.');
  if (!(await authorized(req.headers.authorization))) return err(res, 401, 'Bad credentials');
  if (req.headers['x-github-api-version'] !== '2022-11-28') return err(res, 400, 'Unsupported API version');
  if (body === undefined) return err(res, 400, 'Problems parsing JSON');
  if (req.method === 'GET' && path === '/user') return send(res, 200, user);
  if (req.method === 'GET' && path === '/user/repos') {
    if (['affiliation', 'visibility'].some((k) => q.has(k)) && q.has('type')) return err(res, 422, 'Validation Failed');
    let list = repos;
    if (q.get('type') === 'private') list = repos.filter((r) => r.private);
    return paged(res, list, q, path);
  }
  if (req.method === 'GET' && path === '/search/code') {
    if (!q.get('q')) return err(res, 422, 'Validation Failed');
    const items = [1, 2, 3].map((n) => ({ name: `f${n}.c`, path: `src/f${n}.c`, sha: `sha${n}`, html_url: `https://github.com/octocat/repo1/blob/main/src/f${n}.c`, repository: { full_name: 'octocat/repo1' } }));
    const per = Number(q.get('per_page') ?? 30), page = Number(q.get('page') ?? 1);
    if ((page - 1) * per >= 1000) return err(res, 422, 'Only the first 1000 search results are available');
    const hdr = {};
    if (page * per < items.length) hdr.link = `<${base}${path}?q=${encodeURIComponent(q.get('q'))}&per_page=${per}&page=${page + 1}>; rel="next"`;
    return send(res, 200, { total_count: items.length, incomplete_results: false, items: items.slice((page - 1) * per, page * per) }, hdr);
  }
  const m = path.match(/^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/);
  if (!m) return err(res, 404, 'Not Found');
  const [, owner, name, rest = ''] = m;
  if (name === 'private') return err(res, 404, 'Not Found');
  if (name === 'ratelimited') return err(res, 403, 'API rate limit exceeded for user ID 1.', { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 120) });
  if (name === 'noscope' && req.method === 'POST') return err(res, 403, 'Resource not accessible by integration', { 'x-accepted-oauth-scopes': 'repo', 'x-oauth-scopes': 'read:user' });
  if (name === 'secondary') return err(res, 403, 'You have exceeded a secondary rate limit.', { 'retry-after': '30' });
  let mm;
  if (req.method === 'GET' && rest === '/issues') {
    let list = issues;
    if (q.get('labels')) list = list.filter((i) => q.get('labels').split(',').every((l) => i.labels.some((x) => x.name === l)));
    return paged(res, list, q, path);
  }
  if (req.method === 'GET' && rest === '/pulls') return paged(res, pulls, q, path);
  if (req.method === 'POST' && rest === '/issues') {
    if (typeof body?.title !== 'string' || !body.title) return send(res, 422, { message: 'Validation Failed', errors: [{ resource: 'Issue', field: 'title', code: 'missing_field' }], documentation_url: DOCS });
    return send(res, 201, { ...issue(42), title: body.title, body: body.body ?? null, html_url: `https://github.com/${owner}/${name}/issues/42` });
  }
  if ((mm = rest.match(/^\/issues\/(\d+)$/)) && req.method === 'GET') {
    const it = issues.find((i) => i.number === Number(mm[1]));
    return it ? send(res, 200, it) : err(res, 404, 'Not Found');
  }
  if ((mm = rest.match(/^\/issues\/(\d+)\/comments$/)) && req.method === 'POST') {
    if (typeof body?.body !== 'string') return err(res, 422, 'Validation Failed');
    return send(res, 201, { id: 777, body: body.body, html_url: `https://github.com/${owner}/${name}/issues/${mm[1]}#issuecomment-777` });
  }
  if ((mm = rest.match(/^\/contents(?:\/(.*))?$/)) && req.method === 'GET') {
    const p = decodeURIComponent(mm[1] ?? '');
    const dir = p === '' || p === 'src';
    if (dir) {
      const entries = Object.keys(files).filter((f) => (p === '' ? !f.includes('/') : f.startsWith('src/'))).map((f) => ({ name: f.split('/').pop(), path: f, type: 'file', size: files[f].content?.length ?? 2000000 }));
      if (p === '') entries.push({ name: 'src', path: 'src', type: 'dir', size: 0 });
      return send(res, 200, entries);
    }
    const f = files[p];
    if (!f) return err(res, 404, 'Not Found');
    const common = { name: p.split('/').pop(), path: p, sha: 'abc123', type: 'file', html_url: `https://github.com/${owner}/${name}/blob/main/${p}`, download_url: `https://raw.githubusercontent.com/${owner}/${name}/main/${p}` };
    if (f.big) return send(res, 200, { ...common, size: 2000000, encoding: 'none', content: '' });
    return send(res, 200, { ...common, size: Buffer.byteLength(f.content, 'latin1'), encoding: 'base64', content: b64lines(Buffer.from(f.content, p === 'logo.png' ? 'latin1' : 'utf8')) });
  }
  err(res, 404, 'Not Found');
});
server.listen(0, '127.0.0.1', () => {
  base = `http://127.0.0.1:${server.address().port}`;
  console.log(`fake-github listening on 127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
