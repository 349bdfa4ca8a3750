// slack-test.mjs - the official SDK client drives mcp-slack against fake-slack.mjs and the broker: every tool (the
// Web API request Slack saw: HTTP method, path, form or JSON body with its content type, bearer; and the result),
// cursor paging, the three-step upload (no bearer at the upload URL), Slack's ok:false errors (not_in_channel,
// channel_not_found, missing_scope with the scope and the re-authorize URL, invalid_auth -> one broker refresh and
// retry, a bot token on search.messages), the Tier 3 rate limit of conversations.history (429 + Retry-After), and
// hostile arguments refused before any upstream call.
// Usage: node slack-test.mjs <mcp base> <broker url> <broker config.json> <slack api base>
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { check, connect, done, drain, json, text } from './svc-harness.mjs';

const [base, brokerUrl, cfgPath, api] = process.argv.slice(2);
const origin = new URL(api).origin;
const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
const inst = cfg.instances.find((i) => i.id === 'inst-active');
const bearer = `Bearer ${inst.access_token}`;
const fakeBroker = process.env.BROKER_IS_REAL !== '1';
const AUTHORIZE = 'http://127.0.0.1/authorize/inst-active';
if (fakeBroker) await json(`${brokerUrl}/_set`, { id: inst.id, authorize_url: AUTHORIZE });
const client = await connect(base, inst.id, inst.key);
await json(`${origin}/_reset`, {});
const reset = () => drain(origin);
const call = (name, args = {}) => client.callTool({ name, arguments: args });
const one = async () => { const r = await reset(); return r.length === 1 ? r[0] : { count: r.length, r }; };
const form = (q, apiName) => q.method === 'POST' && q.path === `/api/${apiName}` && q.auth === bearer && /^application\/x-www-form-urlencoded/.test(q.contentType) && q.json === undefined;
const jsonPost = (q, apiName) => q.method === 'POST' && q.path === `/api/${apiName}` && q.auth === bearer && q.contentType === 'application/json; charset=utf-8' && typeof q.json === 'object';

const { tools } = await client.listTools();
const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
const names = ['list_channels', 'get_channel_history', 'get_thread_replies', 'post_message', 'reply_in_thread', 'update_message', 'add_reaction', 'search_messages', 'list_users', 'get_user_info', 'upload_file'];
check('tools/list has the 11 tools', names.every((n) => byName[n]) && tools.length === 11, Object.keys(byName));
check('schemas closed; reads read-only, post not idempotent, update destructive', names.every((n) => byName[n].inputSchema.additionalProperties === false) &&
  ['list_channels', 'get_channel_history', 'get_thread_replies', 'search_messages', 'list_users', 'get_user_info'].every((n) => byName[n].annotations?.readOnlyHint === true) &&
  byName.post_message.annotations?.readOnlyHint === false && byName.post_message.annotations?.idempotentHint === false &&
  byName.update_message.annotations?.destructiveHint === true && byName.upload_file.annotations?.openWorldHint === true);

// ---- list_channels
let r = await call('list_channels');
let q = await one();
check('list_channels: POST /api/conversations.list form-encoded with types, exclude_archived, limit, the bearer', form(q, 'conversations.list') &&
  q.params.types === 'public_channel' && q.params.exclude_archived === 'true' && q.params.limit === '200' && q.params.cursor === undefined, q);
check('list_channels: public channels, archived left out, membership shown, last page without next_cursor', r.structuredContent?.channels?.some((c) => c.id === 'C0GENERAL01' && c.name === 'general' && c.is_member) &&
  !r.structuredContent.channels.some((c) => c.id === 'C0ARCHIVED1' || c.kind !== 'public_channel') && !('next_cursor' in r.structuredContent) &&
  /#general \[member\] \(5 members\) topic: Company-wide announcements/.test(text(r)), r);
r = await call('list_channels', { limit: 5 });
await reset();
const cur = r.structuredContent?.next_cursor;
check('list_channels: limit 5 -> five and a next_cursor', r.structuredContent?.channels?.length === 5 && typeof cur === 'string' && cur.length > 0 && text(r).includes(`cursor=${cur}`), r);
const seen = new Set(r.structuredContent.channels.map((c) => c.id));
let pages = 1, c2 = cur;
while (c2 && pages < 10) {
  r = await call('list_channels', { limit: 5, cursor: c2 });
  q = await one();
  if (pages === 1) check('list_channels: the cursor goes back unchanged', q.params.cursor === cur && q.params.limit === '5', q);
  r.structuredContent.channels.forEach((c) => seen.add(c.id));
  c2 = r.structuredContent.next_cursor;
  pages++;
}
check('list_channels: following next_cursor reaches every public channel once, then stops ("" = done)', pages === 3 && seen.size === 15 && c2 === undefined, { pages, size: seen.size });
r = await call('list_channels', { types: ['private_channel', 'im', 'mpim'], exclude_archived: false });
q = await one();
check('list_channels: types joined with commas, exclude_archived false', q.params.types === 'private_channel,im,mpim' && q.params.exclude_archived === 'false' &&
  r.structuredContent?.channels?.length === 3 && /D0DIRECT001: direct message with U0BOB000001/.test(text(r)) && /#secret-plans \[private\]/.test(text(r)), { q, r });

// ---- get_channel_history, get_thread_replies
r = await call('get_channel_history', { channel: 'C0GENERAL01', limit: 5 });
q = await one();
check('get_channel_history: POST /api/conversations.history form {channel, limit}', form(q, 'conversations.history') && q.params.channel === 'C0GENERAL01' && q.params.limit === '5' &&
  q.params.oldest === undefined && q.params.inclusive === undefined, q);
const msgs = r.structuredContent?.messages ?? [];
check('get_channel_history: newest first, bot message with its file, has_more and next_cursor', msgs.length === 5 && msgs[0].ts === '1700003500.000100' && msgs[0].files?.[0]?.name === 'build.log' &&
  msgs[1].ts === '1700003000.000100' && r.structuredContent.has_more === true && r.structuredContent.next_cursor && /\[1700003500\.000100\] deploybot \(bot_message\): Deployed build 4711 \[file build\.log\]/.test(text(r)), r);
r = await call('get_channel_history', { channel: 'C0GENERAL01', oldest: '1700000900.000100', latest: '1700001100.000100', inclusive: true, max_chars: 10 });
q = await one();
check('get_channel_history: oldest, latest, inclusive sent', q.params.oldest === '1700000900.000100' && q.params.latest === '1700001100.000100' && q.params.inclusive === 'true', q);
const thr = r.structuredContent?.messages?.find((m) => m.ts === '1700001000.000100');
check('get_channel_history: window with the thread parent (reply count, reactions), text cut to max_chars', r.structuredContent?.messages?.length === 3 && thr?.reply_count === 3 &&
  thr.reactions?.[0]?.name === 'tada' && thr.text === 'Release 2.' && thr.text_truncated === true && /\(thread: 3 replies\) :tada: x2/.test(text(r)) && !r.structuredContent.next_cursor, r);
r = await call('get_thread_replies', { channel: 'C0GENERAL01', ts: '1700001000.000100' });
q = await one();
check('get_thread_replies: POST /api/conversations.replies {channel, ts}', form(q, 'conversations.replies') && q.params.ts === '1700001000.000100' && q.params.channel === 'C0GENERAL01' && q.params.limit === '100', q);
check('get_thread_replies: parent first, then the replies in order', r.structuredContent?.messages?.length === 4 && r.structuredContent.messages[0].ts === '1700001000.000100' &&
  r.structuredContent.messages[3].text === 'Reply 3 to the release' && r.structuredContent.thread_ts === '1700001000.000100' && /Thread 1700001000\.000100 in C0GENERAL01: 4 messages/.test(text(r)) &&
  /\(reply in thread 1700001000\.000100\)/.test(text(r)), r);

// ---- search_messages
r = await call('search_messages', { query: 'deploy in:#general', count: 5, page: 2, sort: 'timestamp', sort_dir: 'asc' });
q = await one();
check('search_messages: POST /api/search.messages form {query, count, page, sort, sort_dir}', form(q, 'search.messages') && q.params.query === 'deploy in:#general' &&
  q.params.count === '5' && q.params.page === '2' && q.params.sort === 'timestamp' && q.params.sort_dir === 'asc', q);
check('search_messages: matches with channel and permalink, paging and next_page', r.structuredContent?.total === 30 && r.structuredContent.matches.length === 5 &&
  r.structuredContent.page === 2 && r.structuredContent.pages === 6 && r.structuredContent.next_page === 3 && r.structuredContent.matches[0].channel === 'C0GENERAL01' &&
  /^https:\/\/fake\.slack\.com\/archives\/C0GENERAL01\/p/.test(r.structuredContent.matches[0].permalink) && /- #general \[1700000600\.000100\] U0BOB000001: Message number 6/.test(text(r)) && /page=3/.test(text(r)), r);

// ---- post_message, reply_in_thread, update_message, add_reaction
r = await call('post_message', { channel: 'C0RANDOM001', text: 'Hello *team* — grüße', unfurl_links: false });
q = await one();
check('post_message: POST /api/chat.postMessage as JSON with charset=utf-8 {channel, text, unfurl_links}', jsonPost(q, 'chat.postMessage') && q.json.channel === 'C0RANDOM001' &&
  q.json.text === 'Hello *team* — grüße' && q.json.unfurl_links === false && !('mrkdwn' in q.json), q);
const posted = r.structuredContent?.ts;
check('post_message: channel and ts of the new message', r.structuredContent?.channel === 'C0RANDOM001' && /^\d+\.\d{6}$/.test(posted ?? '') && text(r).includes(`ts ${posted}`), r);
r = await call('reply_in_thread', { channel: 'C0RANDOM001', thread_ts: posted, text: 'A reply', reply_broadcast: true });
q = await one();
check('reply_in_thread: chat.postMessage with thread_ts and reply_broadcast', jsonPost(q, 'chat.postMessage') && q.json.thread_ts === posted && q.json.reply_broadcast === true && q.json.text === 'A reply' &&
  r.structuredContent?.thread_ts === posted && r.structuredContent.ts !== posted, { q, r });
r = await call('update_message', { channel: 'C0RANDOM001', ts: posted, text: 'Hello again' });
q = await one();
check('update_message: POST /api/chat.update JSON {channel, ts, text}', jsonPost(q, 'chat.update') && q.json.ts === posted && q.json.text === 'Hello again' &&
  r.structuredContent?.text === 'Hello again' && /Updated in C0RANDOM001/.test(text(r)), { q, r });
r = await call('get_thread_replies', { channel: 'C0RANDOM001', ts: posted });
await reset();
check('the thread holds the edited parent and the reply', r.structuredContent?.messages?.length === 2 && r.structuredContent.messages[0].edited === true && r.structuredContent.messages[1].text === 'A reply', r);
r = await call('update_message', { channel: 'C0GENERAL01', ts: '1700000300.000100', text: 'not mine' });
await reset();
check('update_message of another user\'s message -> cant_update_message explained', r.isError === true && /cant_update_message/.test(text(r)) && /only its own messages/.test(text(r)), r);
r = await call('add_reaction', { channel: 'C0GENERAL01', ts: '1700000100.000100', name: 'thumbsup' });
q = await one();
check('add_reaction: POST /api/reactions.add JSON {channel, timestamp, name}', jsonPost(q, 'reactions.add') && q.json.channel === 'C0GENERAL01' && q.json.timestamp === '1700000100.000100' &&
  q.json.name === 'thumbsup' && r.structuredContent?.name === 'thumbsup' && /Added :thumbsup:/.test(text(r)), { q, r });
r = await call('add_reaction', { channel: 'C0GENERAL01', ts: '1700000100.000100', name: 'thumbsup' });
await reset();
check('add_reaction twice -> already_reacted', r.isError === true && /already_reacted/.test(text(r)), r);
r = await call('add_reaction', { channel: 'C0GENERAL01', ts: '1700000100.000100', name: 'nosuchemoji' });
await reset();
check('add_reaction unknown emoji -> invalid_name', r.isError === true && /invalid_name/.test(text(r)) && /without colons/.test(text(r)), r);
r = await call('add_reaction', { channel: 'C0GENERAL01', ts: '1600000000.000100', name: 'eyes' });
await reset();
check('add_reaction on a missing message -> message_not_found naming the message', r.isError === true && /message 1600000000\.000100 in channel C0GENERAL01/.test(text(r)) && /message_not_found/.test(text(r)), r);

// ---- list_users, get_user_info
r = await call('list_users', { limit: 2 });
q = await one();
check('list_users: POST /api/users.list form {limit}', form(q, 'users.list') && q.params.limit === '2', q);
check('list_users: members with titles and e-mail, next_cursor', r.structuredContent?.users?.length === 2 && r.structuredContent.users[0].email === 'alice@example.com' && r.structuredContent.next_cursor &&
  /U0ALICE0001: @alice \(Alice Archer\), Engineer <alice@example\.com> \[admin\]/.test(text(r)), r);
r = await call('list_users', { limit: 2, cursor: r.structuredContent.next_cursor });
await reset();
r = await call('list_users', { limit: 2, cursor: r.structuredContent.next_cursor });
await reset();
check('list_users: the last page has the deactivated account and no next_cursor', r.structuredContent?.users?.length === 1 && r.structuredContent.users[0].deleted === true &&
  !('next_cursor' in r.structuredContent) && /\[deactivated\]/.test(text(r)), r);
r = await call('get_user_info', { user: 'U0BOB000001' });
q = await one();
check('get_user_info: POST /api/users.info form {user}', form(q, 'users.info') && q.params.user === 'U0BOB000001' && r.structuredContent?.display_name === 'bobby' &&
  r.structuredContent.tz === 'America/New_York' && /@bob \(Bob Baker\), Designer/.test(text(r)), { q, r });
r = await call('get_user_info', { user: 'W0NOSUCH001' });
await reset();
check('get_user_info: unknown user -> user_not_found naming the id', r.isError === true && /user W0NOSUCH001/.test(text(r)) && /user_not_found/.test(text(r)), r);

// ---- upload_file
r = await call('upload_file', { filename: 'notes.txt', content: 'Grüße\nline 2\n', channel: 'C0GENERAL01', title: 'Notes', initial_comment: 'Here are the notes' });
let seq3 = await reset();
const [u1, u2, u3] = seq3;
check('upload_file: three requests (get URL, bytes, complete)', seq3.length === 3, seq3);
check('upload_file: files.getUploadURLExternal form {filename, length in bytes}', u1 && form(u1, 'files.getUploadURLExternal') && u1.params.filename === 'notes.txt' && u1.params.length === String(Buffer.byteLength('Grüße\nline 2\n')), u1);
check('upload_file: the bytes POSTed to upload_url without Authorization', u2?.method === 'POST' && /^\/upload\/v1\//.test(u2.path) && u2.auth === undefined &&
  Buffer.from(u2.body, 'base64').toString('utf8') === 'Grüße\nline 2\n', u2);
check('upload_file: files.completeUploadExternal JSON {files:[{id,title}], channel_id, initial_comment}', u3 && jsonPost(u3, 'files.completeUploadExternal') && u3.json.files?.[0]?.title === 'Notes' &&
  /^F0UP/.test(u3.json.files[0].id) && u3.json.channel_id === 'C0GENERAL01' && u3.json.initial_comment === 'Here are the notes' && u3.json.thread_ts === undefined, u3);
check('upload_file: file id, size, permalink, channel', /^F0UP/.test(r.structuredContent?.file_id ?? '') && r.structuredContent.size === 15 && r.structuredContent.channel === 'C0GENERAL01' &&
  /shared in C0GENERAL01/.test(text(r)) && /fake\.slack\.com\/files/.test(r.structuredContent.permalink), r);
r = await call('get_channel_history', { channel: 'C0GENERAL01', limit: 1 });
await reset();
check('upload_file: the file appears in the channel with the comment', r.structuredContent?.messages?.[0]?.text === 'Here are the notes' && r.structuredContent.messages[0].files?.[0]?.name === 'notes.txt', r);
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
r = await call('upload_file', { filename: 'pic.png', content_base64: png.toString('base64') });
seq3 = await reset();
check('upload_file: base64 bytes, no channel -> private, no channel_id', !r.isError && seq3.length === 3 && seq3[0].params.length === '8' && Buffer.from(seq3[1].body, 'base64').equals(png) &&
  seq3[2].json.channel_id === undefined && /not shared/.test(text(r)), { r, seq3 });
{
  const g = await fetch(`${api}/files.getUploadURLExternal`, { method: 'POST', headers: { authorization: bearer, 'content-type': 'application/x-www-form-urlencoded' }, body: 'filename=a.txt&length=3' }).then((x) => x.json());
  const withBearer = await fetch(g.upload_url, { method: 'POST', headers: { authorization: bearer }, body: 'abc' });
  const early = await fetch(`${api}/files.completeUploadExternal`, { method: 'POST', headers: { authorization: bearer, 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ files: [{ id: g.file_id }] }) }).then((x) => x.json());
  check('fake-slack: the upload URL refuses a bearer; completing before the bytes -> file_not_found', g.ok && withBearer.status === 401 && early.ok === false && early.error === 'file_not_found', { g, status: withBearer.status, early });
  const nocharset = await fetch(`${api}/chat.postMessage`, { method: 'POST', headers: { authorization: bearer, 'content-type': 'application/json' }, body: JSON.stringify({ channel: 'C0RANDOM001', text: 'x' }) }).then((x) => x.json());
  const jsonToForm = await fetch(`${api}/conversations.history`, { method: 'POST', headers: { authorization: bearer, 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ channel: 'C0GENERAL01' }) }).then((x) => x.json());
  check('fake-slack: JSON without charset -> missing_charset warning; JSON to a form-only method is ignored', nocharset.ok && nocharset.warning === 'missing_charset' &&
    jsonToForm.ok === false && jsonToForm.error === 'channel_not_found', { nocharset, jsonToForm });
  await reset();
}
{ // the largest file upload_file sends: 5 MiB (a 6.7 MB base64 argument, within the service's request body limit)
  const big = Buffer.alloc(5 * 1024 * 1024, 7);
  big.write('end', big.length - 3);
  r = await call('upload_file', { filename: 'big.bin', content_base64: big.toString('base64'), channel: 'C0RANDOM001' });
  seq3 = await reset();
  check('upload_file: 5 MiB sent whole to the upload URL', !r.isError && seq3.length === 3 && seq3[0].params.length === String(big.length) && seq3[1].bytes === big.length &&
    seq3[1].sha256 === createHash('sha256').update(big).digest('hex') && r.structuredContent.size === big.length, { r: text(r), n: seq3.length });
  r = await call('upload_file', { filename: 'big.bin', content_base64: Buffer.alloc(5 * 1024 * 1024 + 1, 7).toString('base64') });
  check('upload_file: 5 MiB + 1 byte refused before any upstream call', r.isError === true && /5242881 bytes/.test(text(r)) && /5 MiB/.test(text(r)) && (await reset()).length === 0, r);
}
r = await call('upload_file', { filename: 'x.bin', content_base64: 'not base64!' });
check('upload_file: bad base64 refused before any upstream call', r.isError === true && /content_base64/.test(text(r)) && (await reset()).length === 0, r);
r = await call('upload_file', { filename: 'x.txt', content: 'a', content_base64: 'YQ==' });
check('upload_file: content and content_base64 together refused', r.isError === true && /exactly one/.test(text(r)) && (await reset()).length === 0, r);
r = await call('upload_file', { filename: 'x.txt', content: 'a', thread_ts: '1700001000.000100' });
check('upload_file: thread_ts without channel refused', r.isError === true && /thread_ts/.test(text(r)) && (await reset()).length === 0, r);

// ---- Slack's errors
r = await call('post_message', { channel: 'C0NOTMEMBR1', text: 'hi' });
await reset();
check('not_in_channel -> says to join the channel', r.isError === true && /not_in_channel/.test(text(r)) && /join it/.test(text(r)) && /C0NOTMEMBR1/.test(text(r)), r);
r = await call('get_channel_history', { channel: 'C0NOTMEMBR1' });
await reset();
check('a user token reads a public channel it has not joined', !r.isError && r.structuredContent?.messages?.length === 0 && /0 messages in C0NOTMEMBR1/.test(text(r)), r);
r = await call('get_thread_replies', { channel: 'C0GENERAL01', ts: '1600000000.000100' });
await reset();
check('get_thread_replies: no such thread -> thread_not_found naming the channel', r.isError === true && /thread_not_found/.test(text(r)) && /channel C0GENERAL01/.test(text(r)), r);
r = await call('get_channel_history', { channel: 'C0NOSUCH001' });
await reset();
check('channel_not_found -> names the channel', r.isError === true && /channel C0NOSUCH001/.test(text(r)) && /channel_not_found/.test(text(r)) && /list_channels/.test(text(r)), r);
r = await call('post_message', { channel: 'C0ARCHIVED1', text: 'hi' });
await reset();
check('is_archived explained', r.isError === true && /is_archived/.test(text(r)) && /archived/.test(text(r)), r);
await json(`${origin}/_scopes`, { scopes: 'channels:read,channels:history,chat:write,users:read' });
r = await call('add_reaction', { channel: 'C0GENERAL01', ts: '1700000200.000100', name: 'eyes' });
await reset();
check('missing_scope -> the needed scope, the granted ones and the re-authorize URL', r.isError === true && /missing_scope/.test(text(r)) && /scope reactions:write/.test(text(r)) &&
  /granted: channels:read,channels:history,chat:write,users:read/.test(text(r)) && (!fakeBroker || text(r).includes(AUTHORIZE)), r);
r = await call('list_channels', { types: ['private_channel'] });
await reset();
check('missing_scope for a conversation type names groups:read', r.isError === true && /scope groups:read/.test(text(r)), r);
await json(`${origin}/_scopes`, { scopes: 'channels:read groups:read im:read mpim:read channels:history groups:history im:history mpim:history chat:write reactions:write search:read users:read users:read.email files:write' });
await json(`${origin}/_fail`, { api: 'chat.postMessage', error: 'invalid_arguments', messages: ['[ERROR] missing required field: channel'] });
r = await call('post_message', { channel: 'C0RANDOM001', text: 'x' });
await reset();
check('Slack\'s response_metadata.messages added to the error', r.isError === true && /invalid_arguments/.test(text(r)) && /missing required field: channel/.test(text(r)), r);
await json(`${origin}/_fail`, { api: 'users.info', status: 503, error: 'service_unavailable' });
r = await call('get_user_info', { user: 'U0BOB000001' });
await reset();
check('HTTP 503 -> Slack is having problems', r.isError === true && /503/.test(text(r)) && /try again later/.test(text(r)), r);
await json(`${origin}/_fail`, { api: 'users.list', status: 429, retry_after: 7 });
r = await call('list_users');
await reset();
check('HTTP 429 with Retry-After 7 -> rate limit, retry after 7 seconds', r.isError === true && /rate limit/.test(text(r)) && /7 seconds/.test(text(r)), r);
{ // Tier 3: conversations.history allows 50 calls a minute per token; the 51st is refused with Retry-After
  const burst = await Promise.all(Array.from({ length: 50 }, () => fetch(`${api}/conversations.history`, { method: 'POST', headers: { authorization: bearer, 'content-type': 'application/x-www-form-urlencoded' }, body: 'channel=C0RANDOM001&limit=1' })));
  const statuses = burst.map((x) => x.status);
  await Promise.all(burst.map((x) => x.arrayBuffer()));
  r = await call('get_channel_history', { channel: 'C0RANDOM001' });
  const last = (await reset()).pop();
  check('Tier 3 burst: 50 calls pass, the 51st -> 429 + Retry-After -> rate-limit error with the wait', statuses.every((s) => s === 200) && last?.api === 'conversations.history' &&
    r.isError === true && /rate limit reached/.test(text(r)) && /retry after \d+ seconds/.test(text(r)), { statuses: [...new Set(statuses)], r });
}

// ---- hostile arguments: refused before any upstream call
const hostile = [
  ['get_channel_history', { channel: 'general' }, /channel/],
  ['get_channel_history', { channel: 'C0GENERAL01', limit: 1000 }, /limit/],
  ['get_channel_history', { channel: 'C0GENERAL01', oldest: 'yesterday' }, /oldest/],
  ['get_channel_history', { channel: 'C0GENERAL01', oldest: '1700002000.000000', latest: '1700001000.000000' }, /oldest.*after latest/],
  ['get_thread_replies', { channel: 'C0GENERAL01' }, /ts/],
  ['list_channels', { limit: 1001 }, /limit/],
  ['list_channels', { types: ['public_channel', 'public_channel'] }, /types/],
  ['list_channels', { types: ['everything'] }, /types/],
  ['list_channels', { cursor: 'abc def\r\nX-Evil: 1' }, /cursor/],
  ['post_message', { channel: 'C0RANDOM001', text: 'x'.repeat(40001) }, /text/],
  ['post_message', { channel: 'C0RANDOM001', text: '' }, /text/],
  ['post_message', { channel: 'C0RANDOM001', text: 'hi', as_user: true }, /as_user|additional/i],
  ['add_reaction', { channel: 'C0GENERAL01', ts: '1700000100.000100', name: ':thumbsup:' }, /name/],
  ['search_messages', { query: 'x', count: 101 }, /count/],
  ['search_messages', { query: 'q'.repeat(1001) }, /query/],
  ['get_user_info', { user: 'alice' }, /user/],
  ['upload_file', { filename: 'x'.repeat(256), content: 'a' }, /filename/],
];
for (const [tool, args, re] of hostile) {
  r = await call(tool, args);
  const sent = await reset();
  check(`hostile ${tool} ${JSON.stringify(args).slice(0, 60)} refused, nothing sent`, r.isError === true && re.test(text(r)) && sent.length === 0, { r, sent: sent.length });
}

// ---- tokens: invalid_auth (HTTP 200) -> one broker refresh and retry; a bot token on search; re-authorize
if (fakeBroker) {
  const before = (await json(`${brokerUrl}/_stats`)).token_refresh;
  await json(`${brokerUrl}/_set`, { id: inst.id, access_token: `${inst.access_token}-2` });
  await json(`${origin}/_token`, { token: `${inst.access_token}-2` });
  r = await call('get_user_info', { user: 'U0BOB000001' });
  let s = await reset();
  const after = (await json(`${brokerUrl}/_stats`)).token_refresh;
  check('invalid_auth inside HTTP 200 -> broker refresh once -> retried with the new token', !r.isError && after === before + 1 && s.length === 2 &&
    s[0].auth === bearer && s[1].auth === `Bearer ${inst.access_token}-2`, { r, s, before, after });
  await json(`${brokerUrl}/_set`, { id: inst.id, access_token: 'xoxb-bot-token' });
  await json(`${origin}/_token`, { token: 'xoxb-bot-token' });
  r = await call('search_messages', { query: 'release' });
  s = await reset();
  check('search_messages with a bot token -> not_allowed_token_type: needs a user token with search:read, and the URL', r.isError === true && /not_allowed_token_type/.test(text(r)) &&
    /user token/.test(text(r)) && /search:read/.test(text(r)) && text(r).includes(AUTHORIZE) && s.length === 2, { r, s });
  r = await call('get_channel_history', { channel: 'C0NOTMEMBR1' });
  await reset();
  check('a bot token on a channel it was not invited to -> not_in_channel', r.isError === true && /not_in_channel/.test(text(r)) && /invite the app/.test(text(r)), r);
  await json(`${origin}/_token`, { token: 'revoked-everywhere' });
  r = await call('list_channels');
  s = await reset();
  check('invalid_auth after the refresh -> re-authorize error with the URL', r.isError === true && /re-authorize/i.test(text(r)) && /invalid_auth/.test(text(r)) &&
    text(r).includes(AUTHORIZE) && s.length === 2, { r, s });
}
await client.close();
done();
