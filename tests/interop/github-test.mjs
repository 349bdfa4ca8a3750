// github-test.mjs - the official SDK client drives mcp-github against fake-github.mjs and the broker: every tool,
// the requests GitHub saw (method, path, query, body, headers, bearer token), Link-header paging, pull requests in
// the issues list, file contents, a 401 -> broker refresh -> retry, rate limit / scope / 404 errors, bad arguments.
// Usage: node github-test.mjs <mcp base> <broker url> <broker config.json> <github api url>
import { readFileSync } from 'node:fs';
import { check, connect, done, drain, json, text } from './svc-harness.mjs';

const [base, brokerUrl, cfgPath, api] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
const inst = cfg.instances.find((i) => i.id === 'inst-active');
const bearer = `Bearer ${inst.access_token}`;
const client = await connect(base, inst.id, inst.key);
await drain(api);
const call = (name, args = {}) => client.callTool({ name, arguments: args });
const one = async () => { const r = await drain(api); return r.length === 1 ? r[0] : { count: r.length, r }; };
const ghHeaders = (q) => q.auth === bearer && q.accept === 'application/vnd.github+json' && q.apiVersion === '2022-11-28' && /^mcp-github\//.test(q.userAgent ?? '');

const { tools } = await client.listTools();
const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
const names = ['get_authenticated_user', 'list_repositories', 'list_issues', 'get_issue', 'create_issue', 'comment_on_issue', 'list_pull_requests', 'get_file_contents', 'search_code'];
check('tools/list has the 9 tools', names.every((n) => byName[n]), Object.keys(byName));
check('schemas closed, annotations: reads read-only, create_issue not read-only nor destructive',
  names.every((n) => byName[n].inputSchema.additionalProperties === false) && byName.list_issues.annotations?.readOnlyHint === true &&
  byName.create_issue.annotations?.readOnlyHint === false && byName.create_issue.annotations?.destructiveHint === false && byName.search_code.annotations?.openWorldHint === true);

let r = await call('get_authenticated_user');
let q = await one();
check('get_authenticated_user: GET /user with the GitHub headers and the broker token', q.method === 'GET' && q.path === '/user' && ghHeaders(q), q);
check('get_authenticated_user: login', r.structuredContent?.login === 'octocat' && /octocat \(The Octocat\)/.test(text(r)), r);

r = await call('list_repositories', { per_page: 2, sort: 'pushed', type: 'owner' });
q = await one();
check('list_repositories: GET /user/repos with type, sort, per_page, page', q.path === '/user/repos' && q.query.type === 'owner' && q.query.sort === 'pushed' &&
  q.query.per_page === '2' && q.query.page === '1' && ghHeaders(q), q);
check('list_repositories: Link rel=next exposed as next_page', r.structuredContent?.next_page === 2 && r.structuredContent.repositories.length === 2 &&
  /octocat\/repo2 \[private\]/.test(text(r)) && /page=2/.test(text(r)), r);
r = await call('list_repositories', { per_page: 2, page: 3 });
q = await one();
check('list_repositories: last page has no next_page', q.query.page === '3' && r.structuredContent?.repositories?.length === 1 && !('next_page' in r.structuredContent), r.structuredContent);

r = await call('list_issues', { repo: 'octocat/repo1', labels: ['bug'], state: 'all', per_page: 5 });
q = await one();
check('list_issues: GET /repos/o/r/issues with state, labels, per_page', q.path === '/repos/octocat/repo1/issues' && q.query.state === 'all' && q.query.labels === 'bug' && q.query.per_page === '5' && ghHeaders(q), q);
check('list_issues: pull requests left out and counted', r.structuredContent?.issues?.length === 3 && r.structuredContent.pull_requests_omitted === 2 &&
  r.structuredContent.issues.every((i) => i.is_pull_request === false) && /2 pull requests/.test(text(r)), r);
r = await call('list_issues', { repo: 'octocat/repo1', include_pull_requests: true, per_page: 2 });
await drain(api);
check('list_issues: include_pull_requests marks them, paging', r.structuredContent?.issues?.length === 2 && r.structuredContent.issues[1].is_pull_request === true &&
  /\[PR\]/.test(text(r)) && r.structuredContent.next_page === 2, r);

r = await call('get_issue', { repo: 'octocat/repo1', number: 3 });
q = await one();
check('get_issue: GET /repos/o/r/issues/3', q.path === '/repos/octocat/repo1/issues/3' && ghHeaders(q) && r.structuredContent?.body === 'Body of 3' &&
  /#3 \[open\] Issue 3/.test(text(r)) && /assignees: bob/.test(text(r)), { q, r });

r = await call('create_issue', { repo: 'octocat/repo1', title: 'New bug', body: 'It breaks', labels: ['bug'], assignees: ['bob'] });
q = await one();
check('create_issue: POST /repos/o/r/issues {title, body, labels, assignees}', q.method === 'POST' && q.path === '/repos/octocat/repo1/issues' &&
  q.body?.title === 'New bug' && q.body.body === 'It breaks' && q.body.labels?.[0] === 'bug' && q.body.assignees?.[0] === 'bob' && /application\/json/.test(q.contentType ?? '') && ghHeaders(q), q);
check('create_issue: number and URL', r.structuredContent?.number === 42 && /issues\/42/.test(text(r)), r);

r = await call('comment_on_issue', { repo: 'octocat/repo1', number: 3, body: 'Looks good' });
q = await one();
check('comment_on_issue: POST /repos/o/r/issues/3/comments {body}', q.method === 'POST' && q.path === '/repos/octocat/repo1/issues/3/comments' && q.body?.body === 'Looks good' &&
  r.structuredContent?.id === 777, { q, r });

r = await call('list_pull_requests', { repo: 'octocat/repo1', state: 'open', base: 'main' });
q = await one();
check('list_pull_requests: GET /repos/o/r/pulls with state and base', q.path === '/repos/octocat/repo1/pulls' && q.query.state === 'open' && q.query.base === 'main' &&
  r.structuredContent?.pull_requests?.length === 2 && /feature-2 -> main/.test(text(r)) && /draft/.test(text(r)), { q, r });

r = await call('get_file_contents', { repo: 'octocat/repo1', path: 'README.md', ref: 'dev' });
q = await one();
check('get_file_contents: GET /repos/o/r/contents/README.md?ref=dev', q.path === '/repos/octocat/repo1/contents/README.md' && q.query.ref === 'dev' && ghHeaders(q), q);
check('get_file_contents: base64 (with line breaks) decoded as UTF-8 text', r.structuredContent?.content === '# repo1\nHéllo wörld\n' && /Héllo wörld/.test(text(r)), r);
r = await call('get_file_contents', { repo: 'octocat/repo1', path: 'src' });
await drain(api);
check('get_file_contents: directory listed', r.structuredContent?.type === 'dir' && r.structuredContent.entries?.[0]?.path === 'src/main.c', r);
r = await call('get_file_contents', { repo: 'octocat/repo1' });
q = await one();
check('get_file_contents: root directory by default', q.path === '/repos/octocat/repo1/contents' && /src\//.test(text(r)), { q, r });
r = await call('get_file_contents', { repo: 'octocat/repo1', path: 'logo.png' });
await drain(api);
check('get_file_contents: binary file described, not shown', r.structuredContent?.binary === true && /binary/.test(text(r)), r);
r = await call('get_file_contents', { repo: 'octocat/repo1', path: 'big.bin' });
await drain(api);
check('get_file_contents: file over 1 MB -> clear error with the download URL', r.isError === true && /too large/.test(text(r)) && /raw\.githubusercontent/.test(text(r)), r);
r = await call('get_file_contents', { repo: 'octocat/repo1', path: 'src/../../x' });
check('get_file_contents: ".." refused naming path', r.isError === true && /'path'/.test(text(r)) && (await drain(api)).length === 0, r);

r = await call('search_code', { q: 'main repo:octocat/repo1', per_page: 2 });
q = await one();
check('search_code: GET /search/code with q, per_page, page', q.path === '/search/code' && q.query.q === 'main repo:octocat/repo1' && q.query.per_page === '2' && q.query.page === '1' && ghHeaders(q), q);
check('search_code: results and next_page', r.structuredContent?.total_count === 3 && r.structuredContent.items.length === 2 && r.structuredContent.next_page === 2 && /octocat\/repo1: src\/f1\.c/.test(text(r)), r);

r = await call('search_code', { q: 'main', per_page: 100, page: 11 });
check('search_code: a page past the first 1000 results is refused up front, naming the last page', r.isError === true &&
  /first 1000 results/.test(text(r)) && /last page is 10/.test(text(r)) && (await drain(api)).length === 0, r);
{
  const x = await fetch(`${api}/search/code?q=main&per_page=100&page=11`, { headers: { authorization: bearer, 'x-github-api-version': '2022-11-28' } });
  check('fake-github: search past 1000 results -> 422 as GitHub documents', x.status === 422 && /first 1000/.test((await x.json()).message), x.status);
  await drain(api);
}

// errors
r = await call('list_issues', { repo: 'octocat/private' });
check('404 -> not found or no access to a private repository', r.isError === true && /404/.test(text(r)) && /private/.test(text(r)), r);
r = await call('list_issues', { repo: 'octocat/ratelimited' });
check('403 with X-RateLimit-Remaining 0 -> rate limit with the reset time', r.isError === true && /rate limit exceeded/.test(text(r)) && /resets at \d{4}-\d\d-\d\dT/.test(text(r)), r);
r = await call('create_issue', { repo: 'octocat/noscope', title: 't' });
check('403 with X-Accepted-OAuth-Scopes -> names the missing scope', r.isError === true && /scope repo/.test(text(r)) && /granted: read:user/.test(text(r)), r);
r = await call('get_issue', { repo: 'octocat/secondary', number: 1 });
check('403 with Retry-After -> secondary rate limit, retry after', r.isError === true && /secondary rate limit/.test(text(r)) && /30 seconds/.test(text(r)), r);
r = await call('get_issue', { repo: 'not a repo', number: 1 });
check('invalid repo -> isError naming repo', r.isError === true && /'repo'/.test(text(r)), r);
r = await call('get_issue', { repo: 'octocat/repo1', number: 0 });
check('number below 1 -> isError naming number', r.isError === true && /number/.test(text(r)), r);
r = await call('list_repositories', { per_page: 1000 });
check('per_page above 100 -> isError naming per_page', r.isError === true && /per_page/.test(text(r)), r);
r = await call('create_issue', { repo: 'octocat/repo1' });
check('create_issue without title -> isError naming title', r.isError === true && /title/.test(text(r)), r);
await drain(api);

if (process.env.BROKER_IS_REAL !== '1') {
  const before = (await json(`${brokerUrl}/_stats`)).token_refresh;
  await json(`${brokerUrl}/_set`, { id: inst.id, access_token: `${inst.access_token}-2` });
  await json(`${api}/_token`, { token: `${inst.access_token}-2` });
  r = await call('get_authenticated_user');
  const seen = await drain(api);
  const after = (await json(`${brokerUrl}/_stats`)).token_refresh;
  check('401 -> broker refresh once -> retried with the new token', !r.isError && after === before + 1 && seen.length === 2 &&
    seen[0].auth === bearer && seen[1].auth === `Bearer ${inst.access_token}-2`, { r, seen, before, after });
  await json(`${api}/_token`, { token: 'revoked' });
  r = await call('get_authenticated_user');
  await drain(api);
  check('401 after the refresh -> re-authorize error', r.isError === true && /re-authorize/i.test(text(r)), r);
}
await client.close();
done();
