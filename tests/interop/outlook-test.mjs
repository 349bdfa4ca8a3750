// outlook-test.mjs - the official SDK client drives mcp-outlook against fake-outlook.mjs (Microsoft Graph mail) and
// the broker: every tool, the requests Graph saw (method, path, query, body, bearer token), paging through
// @odata.nextLink, a 401 -> broker refresh -> retry, error mapping, invalid arguments.
// Usage: node outlook-test.mjs <mcp base> <broker url> <broker config.json> <graph url>
import { readFileSync } from 'node:fs';
import { check, connect, done, drain, json, text } from './svc-harness.mjs';

const [base, brokerUrl, cfgPath, graph] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
const inst = cfg.instances.find((i) => i.id === 'inst-active');
const bearer = `Bearer ${inst.access_token}`;
const client = await connect(base, inst.id, inst.key);
await drain(graph);
const call = (name, args = {}) => client.callTool({ name, arguments: args });
const one = async () => { const r = await drain(graph); return r.length === 1 ? r[0] : { count: r.length, r }; };

// tools/list
const { tools } = await client.listTools();
const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
const names = ['list_messages', 'get_message', 'search_messages', 'send_mail', 'reply_to_message', 'list_folders', 'move_message', 'delete_message'];
check('tools/list has the 8 mail tools', names.every((n) => byName[n]), Object.keys(byName));
check('schemas are closed (additionalProperties false)', names.every((n) => byName[n].inputSchema.additionalProperties === false));
check('annotations: list_messages read-only, delete_message destructive+idempotent, send_mail not read-only',
  byName.list_messages.annotations?.readOnlyHint === true && byName.delete_message.annotations?.destructiveHint === true &&
  byName.delete_message.annotations?.idempotentHint === true && byName.send_mail.annotations?.readOnlyHint === false &&
  byName.send_mail.annotations?.openWorldHint === true, byName.delete_message.annotations);
check('list_messages has an outputSchema', byName.list_messages.outputSchema?.type === 'object');

// list_messages + paging
let r = await call('list_messages', { top: 2 });
let q = await one();
check('list_messages: GET /me/mailFolders/inbox/messages with $top, $select, $orderby and the broker token',
  q.method === 'GET' && q.path === '/me/mailFolders/inbox/messages' && q.query.$top === '2' && /receivedDateTime/.test(q.query.$select) &&
  q.query.$orderby === 'receivedDateTime desc' && q.auth === bearer && /^mcp-outlook\//.test(q.userAgent ?? ''), q);
check('list_messages: readable text and structured messages', !r.isError && /Hello number 1/.test(text(r)) && /\[unread\]/.test(text(r)) &&
  r.structuredContent?.messages?.length === 2 && r.structuredContent.messages[0].from?.address === 'sender1@example.com', r);
const token = r.structuredContent?.next_page_token;
check('list_messages: @odata.nextLink exposed as next_page_token', typeof token === 'string' && token.startsWith(graph), r.structuredContent);
r = await call('list_messages', { page_token: token });
q = await one();
check('list_messages: page_token follows the nextLink ($skip=2)', q.query?.$skip === '2' && q.auth === bearer && r.structuredContent?.messages?.[0]?.id === 'AAMkMsg3=', { q, s: r.structuredContent });
r = await call('list_messages', { page_token: 'https://evil.example/v1.0/me/messages' });
check('list_messages: a page token off the API base is refused', r.isError === true && /page_token/.test(text(r)) && (await drain(graph)).length === 0, r);
r = await call('list_messages', { folder: 'trash', unread_only: true, skip: 5 });
q = await one();
check('list_messages: folder alias trash -> deleteditems, unread filter, $skip', q.path === '/me/mailFolders/deleteditems/messages' &&
  q.query.$filter === 'receivedDateTime ge 1900-01-01T00:00:00Z and isRead eq false' && q.query.$orderby === 'receivedDateTime desc' && q.query.$skip === '5' && !r.isError, q);
r = await call('list_messages', { unread_only: true });
q = await one();
check('list_messages: unread_only with $orderby is accepted by Graph\'s filter rule and lists only unread mail, newest first',
  !r.isError && r.structuredContent?.messages?.length === 2 && r.structuredContent.messages.every((m) => m.is_read === false) &&
  r.structuredContent.messages[0].id === 'AAMkMsg1=' && /^receivedDateTime ge /.test(q.query?.$filter ?? ''), { r, q });
// the fake enforces Graph's documented rule, so the old form of the request would be caught
{
  const get = (query) => fetch(`${graph}/me/mailFolders/inbox/messages?${new URLSearchParams(query)}`, { headers: { authorization: bearer } })
    .then(async (x) => ({ status: x.status, body: await x.json() }));
  const bad = await get({ $orderby: 'receivedDateTime desc', $filter: 'isRead eq false' });
  const order = await get({ $orderby: 'receivedDateTime desc', $filter: 'isRead eq false and receivedDateTime ge 1900-01-01T00:00:00Z' });
  const good = await get({ $orderby: 'receivedDateTime desc', $filter: 'receivedDateTime ge 1900-01-01T00:00:00Z and isRead eq false' });
  await drain(graph);
  check('fake-outlook: $orderby property missing from $filter or not first -> 400 InefficientFilter',
    bad.status === 400 && bad.body.error?.code === 'InefficientFilter' && /too complex/.test(bad.body.error.message) &&
    order.status === 400 && order.body.error?.code === 'InefficientFilter' && good.status === 200 && good.body.value.length === 2, { bad, order, good });
}

// get_message
r = await call('get_message', { message_id: 'AAMkMsg2=' });
q = await one();
check('get_message: GET /me/messages/{id} asking for a text body (Prefer)', q.method === 'GET' && decodeURIComponent(q.path) === '/me/messages/AAMkMsg2=' &&
  q.prefer === 'outlook.body-content-type="text"' && /body/.test(q.query.$select) && q.auth === bearer, q);
check('get_message: headers and body text', !r.isError && /Subject: Hello number 2/.test(text(r)) && /Cc: Carol <carol@example.com>/.test(text(r)) &&
  /Budget & plans/.test(r.structuredContent?.body ?? '') && r.structuredContent?.body_truncated === false, r);

r = await call('get_message', { message_id: 'AAMkMsg4=', max_chars: 100 });
await drain(graph);
check('get_message: an HTML body becomes readable text (no tags, no style, entities decoded)', !r.isError &&
  /Hello there, message 4\./.test(r.structuredContent?.body ?? '') && /Budget & plans/.test(r.structuredContent.body) && /- one/.test(r.structuredContent.body) &&
  !/[<>]|color:red/.test(r.structuredContent.body) && /Has attachments/.test(text(r)), r);

// search_messages + paging by $skiptoken
r = await call('search_messages', { query: 'budget' });
q = await one();
check('search_messages: $search quoted, ConsistencyLevel eventual, no $orderby/$skip', q.path === '/me/messages' && q.query.$search === '"budget"' &&
  q.consistencylevel === 'eventual' && !('$orderby' in q.query) && !('$skip' in q.query) && q.auth === bearer, q);
check('search_messages: the matching message', !r.isError && r.structuredContent?.messages?.length === 1 && /Quarterly budget/.test(text(r)), r);
r = await call('search_messages', { query: 'hello "x"', top: 2 });
q = await one();
check('search_messages: inner quotes escaped', q.query?.$search === '"hello \\"x\\""', q);
r = await call('search_messages', { page_token: r.structuredContent?.next_page_token ?? 'none', query: 'hello' });
q = await one();
check('search_messages: paging by $skiptoken', typeof q.query?.$skiptoken === 'string' && q.consistencylevel === 'eventual' && !r.isError, q);

// send_mail
r = await call('send_mail', { to: ['bob@example.com'], cc: ['carol@example.com'], subject: 'Hi', body: '<p>Hello</p>', body_type: 'html' });
q = await one();
check('send_mail: POST /me/sendMail with recipients, HTML body, saveToSentItems', q.method === 'POST' && q.path === '/me/sendMail' &&
  q.body?.message?.toRecipients?.[0]?.emailAddress?.address === 'bob@example.com' && q.body.message.ccRecipients?.[0]?.emailAddress?.address === 'carol@example.com' &&
  q.body.message.body?.contentType === 'HTML' && q.body.message.body.content === '<p>Hello</p>' && q.body.saveToSentItems === true &&
  !('bccRecipients' in q.body.message) && /application\/json/.test(q.contentType ?? '') && q.auth === bearer, q);
check('send_mail: 202 with an empty body = success', !r.isError && r.structuredContent?.sent === true, r);
r = await call('send_mail', { to: ['not-an-email'], subject: 'x', body: 'y' });
check('send_mail: invalid address -> isError naming to[0]', r.isError === true && /to\[0\]/.test(text(r)) && (await drain(graph)).length === 0, r);
r = await call('send_mail', { to: ['a@b.example'], body: 'y' });
check('send_mail: missing subject -> isError naming subject', r.isError === true && /subject/.test(text(r)), r);
r = await call('send_mail', { to: [], subject: 's', body: 'y' });
check('send_mail: empty to -> isError naming to', r.isError === true && /'to'/.test(text(r)), r);
r = await call('send_mail', { to: ['a@b.example'], subject: 'forbidden', body: 'y' });
await drain(graph);
check('send_mail: 403 names Mail.Send and Graph\'s message', r.isError === true && /403/.test(text(r)) && /Mail\.Send/.test(text(r)) && /ErrorAccessDenied/.test(text(r)), r);

// reply_to_message
r = await call('reply_to_message', { message_id: 'AAMkMsg1=', comment: 'Thanks!' });
q = await one();
check('reply_to_message: POST /me/messages/{id}/reply {comment}', q.method === 'POST' && decodeURIComponent(q.path) === '/me/messages/AAMkMsg1=/reply' && q.body?.comment === 'Thanks!' && !r.isError, q);
r = await call('reply_to_message', { message_id: 'AAMkMsg1=', comment: 'All', reply_all: true });
q = await one();
check('reply_to_message: reply_all -> /replyAll', /\/replyAll$/.test(q.path ?? '') && !r.isError, q);

// list_folders + paging + child folders
r = await call('list_folders', { top: 2 });
q = await one();
check('list_folders: GET /me/mailFolders with $top and $select', q.path === '/me/mailFolders' && q.query.$top === '2' && /unreadItemCount/.test(q.query.$select) && q.auth === bearer, q);
check('list_folders: folders with counts and a next page', r.structuredContent?.folders?.[0]?.name === 'Inbox' && r.structuredContent.folders[0].unread === 2 &&
  typeof r.structuredContent.next_page_token === 'string' && /Inbox \(2 unread \/ 5 total, has subfolders\)/.test(text(r)), r);
r = await call('list_folders', { page_token: r.structuredContent?.next_page_token });
q = await one();
check('list_folders: second page', q.query?.$skip === '2' && r.structuredContent?.folders?.length === 2 && !r.structuredContent.next_page_token, { q, s: r.structuredContent });
r = await call('list_folders', { parent_folder_id: 'inbox' });
q = await one();
check('list_folders: child folders', q.path === '/me/mailFolders/inbox/childFolders' && r.structuredContent?.folders?.[0]?.name === 'Projects', q);

// move_message, delete_message
r = await call('move_message', { message_id: 'AAMkMsg4=', destination: 'Archive' });
q = await one();
check('move_message: POST /me/messages/{id}/move {destinationId}', q.method === 'POST' && /\/move$/.test(q.path) && q.body?.destinationId === 'archive' &&
  r.structuredContent?.id === 'AAMkMsg4=-moved' && /new id/.test(text(r)), { q, r });
r = await call('delete_message', { message_id: 'AAMkMsg5=' });
q = await one();
check('delete_message: DELETE /me/messages/{id} (204)', q.method === 'DELETE' && decodeURIComponent(q.path) === '/me/messages/AAMkMsg5=' && !r.isError && r.structuredContent?.deleted === true, { q, r });

// errors
r = await call('get_message', { message_id: 'nope' });
check('404 -> not found with Graph\'s code', r.isError === true && /404/.test(text(r)) && /ErrorItemNotFound/.test(text(r)), r);
r = await call('get_message', { message_id: 'forbidden' });
check('403 -> permission error naming Mail.Read', r.isError === true && /403/.test(text(r)) && /Mail\.Read/.test(text(r)), r);
r = await call('delete_message', { message_id: 'throttled' });
check('429 -> rate limited, retry after 7 s', r.isError === true && /429/.test(text(r)) && /7 seconds/.test(text(r)), r);
r = await call('list_messages', { folder: 'unavailable' });
check('503 -> unavailable, retry after 3 s', r.isError === true && /503/.test(text(r)) && /3 seconds/.test(text(r)), r);
r = await call('get_message', {});
check('missing message_id -> isError naming message_id', r.isError === true && /message_id/.test(text(r)), r);
r = await call('list_messages', { top: 500 });
check('top above the limit -> isError naming top', r.isError === true && /top/.test(text(r)), r);
await drain(graph);

// 401 -> one refresh through the broker, retry with the new token
if (process.env.BROKER_IS_REAL !== '1') {
  const before = (await json(`${brokerUrl}/_stats`)).token_refresh;
  await json(`${brokerUrl}/_set`, { id: inst.id, access_token: `${inst.access_token}-2` });
  await json(`${graph}/_token`, { token: `${inst.access_token}-2` });
  r = await call('list_folders', {});
  const seen = await drain(graph);
  const after = (await json(`${brokerUrl}/_stats`)).token_refresh;
  check('401 -> broker refresh once -> retried with the new token, invisible to the client', !r.isError && after === before + 1 && seen.length === 2 &&
    seen[0].auth === bearer && seen[1].auth === `Bearer ${inst.access_token}-2`, { r, seen, before, after });
  await json(`${graph}/_token`, { token: 'revoked-elsewhere' });
  r = await call('list_folders', {});
  const seen2 = await drain(graph);
  check('401 again after the refresh -> re-authorize error', r.isError === true && /re-authorize/i.test(text(r)) && seen2.length === 2, { r, seen2 });
}
await client.close();
done();
