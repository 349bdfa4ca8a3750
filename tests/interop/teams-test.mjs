// teams-test.mjs - the official SDK client drives mcp-teams against fake-teams.mjs (Microsoft Graph Teams
// messaging) and the broker: every tool, the requests Graph saw (method, path, query, body, bearer token), paging
// through @odata.nextLink, messages rendered for a model (sender, time, HTML as text, reply counts), sends (text,
// HTML checked, size limit), error mapping (401 refresh, 403 permission + re-authorize URL, 404 naming the id,
// 429 burst and 503 with Retry-After), and hostile arguments refused before any upstream call.
// Usage: node teams-test.mjs <mcp base> <broker url> <broker config.json> <graph url>
import { readFileSync } from 'node:fs';
import { check, connect, done, drain, json, text } from './svc-harness.mjs';

const [base, brokerUrl, cfgPath, graph] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
const inst = cfg.instances.find((i) => i.id === 'inst-active');
const bearer = `Bearer ${inst.access_token}`;
const REAUTH = 'http://127.0.0.1/authorize/inst-active';
const fakeBroker = process.env.BROKER_IS_REAL !== '1';
if (fakeBroker) await json(`${brokerUrl}/_set`, { id: inst.id, authorize_url: REAUTH });
const client = await connect(base, inst.id, inst.key);
await drain(graph);
const call = (name, args = {}) => client.callTool({ name, arguments: args });
const one = async () => { const r = await drain(graph); return r.length === 1 ? r[0] : { count: r.length, r }; };
const stored = (q) => fetch(`${graph}/_messages?${new URLSearchParams(q)}`).then((x) => x.json());
const T = 'team-eng', GEN = '19:general@thread.tacv2', FALCON = '19:falcon@thread.v2';

// ---- tools/list
const { tools } = await client.listTools();
const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
const names = ['list_joined_teams', 'list_channels', 'list_channel_messages', 'send_channel_message', 'reply_to_message', 'list_chats', 'list_chat_messages', 'send_chat_message'];
check('tools/list has the 8 Teams tools', names.every((n) => byName[n]) && tools.length === 8, Object.keys(byName));
check('schemas are closed (additionalProperties false) and every tool has an outputSchema',
  names.every((n) => byName[n].inputSchema.additionalProperties === false && byName[n].outputSchema?.type === 'object'));
const ann = (n) => byName[n].annotations ?? {};
check('annotations: listings read-only; sends neither read-only, destructive nor idempotent; all open-world',
  names.filter((n) => n.startsWith('list_')).every((n) => ann(n).readOnlyHint === true) &&
  ['send_channel_message', 'reply_to_message', 'send_chat_message'].every((n) => ann(n).readOnlyHint === false && ann(n).destructiveHint === false && ann(n).idempotentHint === false) &&
  names.every((n) => ann(n).openWorldHint === true), tools.map((t) => [t.name, t.annotations]));
check('schemas: $top at most 50, content at most 28 KB', byName.list_channel_messages.inputSchema.properties.top.maximum === 50 &&
  byName.list_chats.inputSchema.properties.top.maximum === 50 && byName.send_chat_message.inputSchema.properties.content.maxLength === 28672);

// ---- list_joined_teams
let r = await call('list_joined_teams');
let q = await one();
check('list_joined_teams: GET /me/joinedTeams without OData options, the broker token, the User-Agent', q.method === 'GET' && q.path === '/me/joinedTeams' &&
  Object.keys(q.query).length === 0 && q.auth === bearer && /^mcp-teams\//.test(q.userAgent ?? ''), q);
check('list_joined_teams: names, descriptions, archived flag and ids', !r.isError && /Contoso Engineering: Builds the product\n  id: team-eng/.test(text(r)) &&
  /Marketing \[archived\]/.test(text(r)) && r.structuredContent?.teams?.length === 2 && r.structuredContent.teams[1].is_archived === true, r);

// ---- list_channels
r = await call('list_channels', { team_id: T });
q = await one();
check('list_channels: GET /teams/{id}/channels with $select', q.path === `/teams/${T}/channels` && /membershipType/.test(q.query.$select ?? '') && !q.query.$filter && q.auth === bearer, q);
check('list_channels: names, kinds, ids', !r.isError && /General \(standard\): Everything\n  id: 19:general@thread\.tacv2/.test(text(r)) &&
  r.structuredContent?.channels?.length === 2 && r.structuredContent.channels[1].membership_type === 'private', r);
r = await call('list_channels', { team_id: T, membership_type: 'private' });
q = await one();
check('list_channels: membership_type -> $filter=membershipType eq \'private\'', q.query.$filter === "membershipType eq 'private'" &&
  r.structuredContent?.channels?.length === 1 && r.structuredContent.channels[0].name === 'Releases', { q, r: r.structuredContent });

// ---- list_channel_messages
r = await call('list_channel_messages', { team_id: T, channel_id: GEN });
q = await one();
check('list_channel_messages: GET /teams/{t}/channels/{c}/messages, $top 20, $expand=replies, ids escaped', q.method === 'GET' &&
  q.path === `/teams/${T}/channels/${GEN}/messages` && q.rawPath === `/teams/${T}/channels/19%3Ageneral%40thread.tacv2/messages` &&
  q.query.$top === '20' && q.query.$expand === 'replies' && q.auth === bearer, q);
const msgs = r.structuredContent?.messages ?? [];
const byText = (re) => msgs.find((x) => re.test(x.text ?? ''));
const welcome = byText(/^Welcome/), busy = byText(/^Standup thread/);
check('list_channel_messages: HTML converted to text (bold dropped, link kept), sender, time, subject', !r.isError &&
  welcome?.text === 'Welcome to Contoso Engineering! Read the wiki (https://contoso.example/wiki).' && welcome.from === 'Megan Bowen' &&
  /^2024-05-01T09:00:00/.test(welcome.created) && welcome.subject === 'Welcome' && /\[.*\] Megan Bowen: \[Welcome\] Welcome to Contoso/.test(text(r)), welcome);
check('list_channel_messages: reply counts and the latest replies (max_replies 3), rendered under the message', welcome?.reply_count === 2 &&
  welcome.replies?.length === 2 && welcome.replies[0].text === 'Glad to be here & ready' && welcome.replies[1].from === 'Adele Vance' &&
  /2 replies\n +\[.*\] Alex Wilber: Glad to be here & ready/.test(text(r)), welcome);
check('list_channel_messages: $expand=replies capped at 1000 -> "1000+ replies", 3 shown, how to read more', busy?.reply_count === 1000 &&
  busy.more_replies === true && busy.replies?.length === 3 && busy.replies[0].text === 'standup note 1003' &&
  /1000\+ replies/.test(text(r)) && text(r).includes(`more replies: list_channel_messages with message_id ${busy.id}`), busy);
check('list_channel_messages: lists, mentions, attachments, system events, deleted messages, long bodies cut at max_chars',
  /- faster sync/.test(byText(/^Deploy/)?.text ?? '') && byText(/^Deploy/)?.attachments === 1 &&
  byText(/review the budget/)?.text === 'Lee Gu can you review the budget?' && byText(/review the budget/)?.mentions === 1 &&
  msgs.some((x) => x.message_type === 'systemEventMessage' && x.text === 'membersAddedEventMessageDetail') &&
  msgs.some((x) => x.deleted === true) && /\(deleted\)/.test(text(r)) &&
  byText(/^Long design/)?.text_truncated === true && [...byText(/^Long design/).text].length === 1000 && /\[\.\.\.\]/.test(text(r)), msgs.map((x) => [x.text?.slice(0, 30), x.message_type]));
check('list_channel_messages: newest first', msgs.length === 11 && /^Long design/.test(msgs[0].text) && /^Welcome/.test(msgs[10].text), msgs.map((x) => x.created));
r = await call('list_channel_messages', { team_id: T, channel_id: GEN, top: 4, include_replies: false, max_chars: 50 });
q = await one();
check('list_channel_messages: top 4 without replies -> no $expand, no reply counts, next_cursor', q.query.$top === '4' && !('$expand' in q.query) &&
  r.structuredContent?.messages?.length === 4 && !('reply_count' in r.structuredContent.messages[0]) &&
  typeof r.structuredContent.next_cursor === 'string' && r.structuredContent.next_cursor.startsWith(graph) && /pass next_cursor/.test(text(r)), { q, s: r.structuredContent });
r = await call('list_channel_messages', { cursor: r.structuredContent?.next_cursor, max_chars: 50 });
q = await one();
check('list_channel_messages: cursor follows @odata.nextLink ($skiptoken) with the bearer', q.path === `/teams/${T}/channels/${GEN}/messages` &&
  typeof q.query.$skiptoken === 'string' && q.query.$top === '4' && q.auth === bearer && r.structuredContent?.messages?.length === 4 &&
  r.structuredContent.messages[1].text === 'Build 1 passed', { q, s: r.structuredContent });
r = await call('list_channel_messages', { cursor: r.structuredContent?.next_cursor });
await drain(graph);
check('list_channel_messages: last page has no next_cursor', r.structuredContent?.messages?.length === 3 && !('next_cursor' in r.structuredContent), r.structuredContent);
r = await call('list_channel_messages', { team_id: T, channel_id: GEN, message_id: busy?.id ?? 'x', top: 50 });
q = await one();
check('list_channel_messages: message_id -> GET .../messages/{id}/replies, $top 50, no $expand, paged', q.path === `/teams/${T}/channels/${GEN}/messages/${busy?.id}/replies` &&
  q.query.$top === '50' && !('$expand' in q.query) && r.structuredContent?.messages?.length === 50 && r.structuredContent.messages[0].reply_to_id === busy?.id &&
  typeof r.structuredContent.next_cursor === 'string', { q, n: r.structuredContent?.messages?.length });
r = await call('list_channel_messages', { cursor: r.structuredContent?.next_cursor, max_chars: 100 });
q = await one();
check('list_channel_messages: replies cursor -> the next 50 replies', /\/replies$/.test(q.path) && r.structuredContent?.messages?.[0]?.text === 'standup note 953', r.structuredContent?.messages?.[0]);
{ // the fake refuses what Graph refuses
  const h = { authorization: bearer };
  const big = await fetch(`${graph}/teams/${T}/channels/${encodeURIComponent(GEN)}/messages?$top=51`, { headers: h });
  const chat = await fetch(`${graph}/me/chats?$orderby=createdDateTime%20desc`, { headers: h });
  const tok = await fetch(`${graph}/chats/${encodeURIComponent(FALCON)}/messages?$skiptoken=forged`, { headers: h });
  const asc = await fetch(`${graph}/chats/${encodeURIComponent(FALCON)}/messages?$orderby=createdDateTime%20asc`, { headers: h });
  const bj = await big.json();
  await drain(graph);
  check('fake-teams: $top 51 -> 400 with Graph\'s error body; unsupported $orderby and a forged $skiptoken -> 400', big.status === 400 &&
    bj.error?.code === 'BadRequest' && /between 1 and 50/.test(bj.error.message) && typeof bj.error.innerError?.['request-id'] === 'string' &&
    chat.status === 400 && tok.status === 400 && asc.status === 400, { big: big.status, chat: chat.status, tok: tok.status, asc: asc.status });
}

// ---- list_chats
r = await call('list_chats');
q = await one();
check('list_chats: GET /me/chats, $top 20, $expand=lastMessagePreview, $orderby lastMessagePreview/createdDateTime desc', q.path === '/me/chats' &&
  q.query.$top === '20' && q.query.$expand === 'lastMessagePreview' && q.query.$orderby === 'lastMessagePreview/createdDateTime desc' && q.auth === bearer, q);
const chats = r.structuredContent?.chats ?? [];
check('list_chats: most recent first, topic, kind, the last message as text, ids', !r.isError && chats.length === 4 && chats[0].id === '19:meeting_standup@thread.v2' &&
  chats.find((c) => c.id === '19:megan_adele@unq.gbl.spaces')?.last_message?.text === 'Sure, see you at Cafe 34' &&
  /- Project Falcon \(group\)\n  last: \[.*\] Alex Wilber: Falcon update 7\n  id: 19:falcon@thread\.v2/.test(text(r)) && /\(no topic\) \(oneOnOne\)/.test(text(r)), { chats, t: text(r) });
r = await call('list_chats', { include_members: true, top: 2 });
q = await one();
check('list_chats: include_members -> $expand=members,lastMessagePreview; members named; paged', q.query.$expand === 'members,lastMessagePreview' && q.query.$top === '2' &&
  r.structuredContent?.chats?.length === 2 && r.structuredContent.chats.some((c) => c.members?.includes('Alex Wilber')) &&
  /2 members: Megan Bowen, Alex Wilber/.test(text(r)) && typeof r.structuredContent.next_cursor === 'string', { q, s: r.structuredContent });
r = await call('list_chats', { cursor: r.structuredContent?.next_cursor });
q = await one();
check('list_chats: cursor -> the rest', q.path === '/me/chats' && typeof q.query.$skiptoken === 'string' && r.structuredContent?.chats?.length === 2 && !r.structuredContent.next_cursor, { q, s: r.structuredContent });

// ---- list_chat_messages
r = await call('list_chat_messages', { chat_id: FALCON, top: 5 });
q = await one();
check('list_chat_messages: GET /chats/{id}/messages (escaped), $top 5, $orderby createdDateTime desc', q.path === `/chats/${FALCON}/messages` &&
  q.rawPath === '/chats/19%3Afalcon%40thread.v2/messages' && q.query.$top === '5' && q.query.$orderby === 'createdDateTime desc' && q.auth === bearer, q);
check('list_chat_messages: newest first, sender and text', !r.isError && r.structuredContent?.messages?.length === 5 &&
  r.structuredContent.messages[0].text === 'Falcon update 7' && r.structuredContent.messages[0].from === 'Alex Wilber' &&
  /Alex Wilber: Falcon update 7/.test(text(r)) && typeof r.structuredContent.next_cursor === 'string', r.structuredContent);
r = await call('list_chat_messages', { cursor: r.structuredContent?.next_cursor });
q = await one();
check('list_chat_messages: cursor page', q.path === `/chats/${FALCON}/messages` && typeof q.query.$skiptoken === 'string' &&
  r.structuredContent?.messages?.length === 2 && r.structuredContent.messages[1].text === 'Falcon update 1' && !r.structuredContent.next_cursor, r.structuredContent);
r = await call('list_chat_messages', { cursor: `${graph}/me/joinedTeams?$skiptoken=x` });
check('list_chat_messages: a cursor of another listing is refused, nothing sent', r.isError === true && /cursor/.test(text(r)) && (await drain(graph)).length === 0, r);
r = await call('list_chats', { cursor: `${graph}/chats/${encodeURIComponent(FALCON)}/messages?$skiptoken=x` });
check('list_chats: a chat-messages cursor is refused (another listing), nothing sent', r.isError === true && /cursor/.test(text(r)) && (await drain(graph)).length === 0, r);
r = await call('list_channel_messages', { cursor: `${graph}/chats/${encodeURIComponent(FALCON)}/messages?$skiptoken=x` });
check('list_channel_messages: a chat-messages cursor is refused, nothing sent', r.isError === true && /cursor/.test(text(r)) && (await drain(graph)).length === 0, r);
r = await call('list_chats', { cursor: 'https://evil.example/v1.0/me/chats?$skiptoken=x' });
check('list_chats: a cursor off the API base is refused, nothing sent', r.isError === true && /cursor/.test(text(r)) && (await drain(graph)).length === 0, r);

// ---- sends
r = await call('send_channel_message', { team_id: T, channel_id: GEN, content: 'Release train leaves at 5pm' });
q = await one();
check('send_channel_message: POST .../messages {body:{contentType text, content}} with the bearer', q.method === 'POST' &&
  q.path === `/teams/${T}/channels/${GEN}/messages` && JSON.stringify(q.body) === '{"body":{"contentType":"text","content":"Release train leaves at 5pm"}}' &&
  q.auth === bearer && /application\/json/.test(q.contentType ?? ''), q);
let st = await stored({ channel: `${T}/${GEN}` });
check('send_channel_message: 201 -> the new message (id, sender, text), stored in the channel', !r.isError && typeof r.structuredContent?.id === 'string' &&
  r.structuredContent.text === 'Release train leaves at 5pm' && /Message posted to the channel/.test(text(r)) && st.at(-1)?.id === r.structuredContent.id, r);
const rootId = r.structuredContent?.id;
r = await call('send_channel_message', { team_id: T, channel_id: GEN, content: '<h2>Plan</h2><ul><li><b>ship</b></li></ul><a href="https://contoso.example/x">spec</a>', content_type: 'html', subject: 'Q3' });
q = await one();
check('send_channel_message: HTML with a subject -> contentType html, subject sent, text rendered', q.body?.body?.contentType === 'html' && q.body.subject === 'Q3' &&
  !r.isError && r.structuredContent?.subject === 'Q3' && /Plan\s+- ship\s+spec \(https:\/\/contoso\.example\/x\)/.test(r.structuredContent.text), { q, r });
r = await call('reply_to_message', { team_id: T, channel_id: GEN, message_id: rootId ?? 'x', content: 'I will be there' });
q = await one();
st = await stored({ channel: `${T}/${GEN}` });
check('reply_to_message: POST .../messages/{id}/replies, stored as a reply', q.method === 'POST' && q.path === `/teams/${T}/channels/${GEN}/messages/${rootId}/replies` &&
  q.body?.body?.content === 'I will be there' && !r.isError && r.structuredContent?.reply_to_id === rootId && /Reply posted/.test(text(r)) &&
  st.find((x) => x.id === rootId)?.replies?.[0]?.body?.content === 'I will be there', { q, r });
r = await call('send_chat_message', { chat_id: FALCON, content: '<p>Hi <i>all</i> &mdash; status?</p>', content_type: 'html' });
q = await one();
st = await stored({ chat: FALCON });
check('send_chat_message: POST /chats/{id}/messages with an HTML body, stored', q.method === 'POST' && q.path === `/chats/${FALCON}/messages` &&
  q.body?.body?.contentType === 'html' && !r.isError && r.structuredContent?.text === 'Hi all — status?' && st.at(-1)?.body?.content === '<p>Hi <i>all</i> &mdash; status?</p>' &&
  /Message sent to the chat/.test(text(r)), { q, r });
r = await call('send_chat_message', { chat_id: FALCON, content: 'x'.repeat(28600), content_type: 'text' });
q = await one();
check('send: a 28,600-byte message is sent', !r.isError && q.bytes > 28600, text(r).slice(0, 200));
r = await call('send_channel_message', { team_id: T, channel_id: GEN, content: 'x'.repeat(28600), subject: 'S'.repeat(200) });
q = await one();
check('send: a message Graph finds too large (content + subject above 28 KB) -> 413 with Graph\'s code in the text', q.method === 'POST' && r.isError === true &&
  /413/.test(text(r)) && /RequestEntityTooLarge/.test(text(r)), text(r));
r = await call('send_chat_message', { chat_id: FALCON, content: 'é'.repeat(15000) });
check('send: content above 28 KB in bytes (15000 x 2-byte characters) -> refused before sending', r.isError === true && /30000 bytes/.test(text(r)) &&
  /28672/.test(text(r)) && (await drain(graph)).length === 0, text(r));
const badHtml = [
  ['<p>hi</p><script>alert(1)</script>', /<script>/],
  ['<p onclick="steal()">hi</p>', /onclick/],
  ['<a href="javascript:alert(1)">x</a>', /links must be/],
  ['<a href=data:text/html,x>x</a>', /links must be/],
  ['<img src="https://x.example/a.png">', /<img>/],
  ['<at id="0">Lee</at> hi', /mentions/],
  ['<p class="x"', /not closed/],
  ['<iframe src="https://x.example"></iframe>', /<iframe>/],
  ['<!DOCTYPE html><p>x</p>', /declarations/],
  ['<span style="background:URL(https://x.example/t.gif)">x</span>', /style/],
];
for (const [content, re] of badHtml) {
  r = await call('send_chat_message', { chat_id: FALCON, content, content_type: 'html' });
  check(`send: HTML ${JSON.stringify(content).slice(0, 40)} refused, nothing sent`, r.isError === true && re.test(text(r)) && (await drain(graph)).length === 0, text(r));
}
r = await call('send_chat_message', { chat_id: FALCON, content: 'if a < b && c > d then <script> stays text', content_type: 'text' });
q = await one();
check('send: a text body is sent as it is (no HTML check)', !r.isError && q.body?.body?.contentType === 'text' && /<script>/.test(q.body.body.content), { r: text(r) });
r = await call('send_chat_message', { chat_id: FALCON, content: 'a < b, <!-- note --> ok', content_type: 'html' });
await drain(graph);
check('send: a lone < and a comment are fine in HTML', !r.isError, text(r));
r = await call('send_chat_message', { chat_id: FALCON, content: '   \n ' });
check('send: a blank message is refused, nothing sent', r.isError === true && /empty/.test(text(r)) && (await drain(graph)).length === 0, text(r));

// ---- throttling: a burst of sends into one conversation
{
  const url = `${graph}/chats/${encodeURIComponent('19:burst@thread.v2')}/messages`;
  const statuses = [];
  for (let i = 0; i < 10; i++)
    statuses.push((await fetch(url, { method: 'POST', headers: { authorization: bearer, 'content-type': 'application/json' }, body: JSON.stringify({ body: { content: `alert ${i}` } }) })).status);
  await drain(graph);
  r = await call('send_chat_message', { chat_id: '19:burst@thread.v2', content: 'one more' });
  q = await one();
  check('429: a burst of sends -> Graph\'s 429 TooManyRequests with Retry-After, in the tool error', statuses.every((s) => s === 201) && q.method === 'POST' &&
    r.isError === true && /429/.test(text(r)) && /retry after (\d+) seconds/.test(text(r)) && Number(/retry after (\d+)/.exec(text(r))?.[1]) >= 1 &&
    /TooManyRequests/.test(text(r)), { statuses, t: text(r) });
}
await json(`${graph}/_fail`, { path: '^/me/joinedTeams$', status: 503, code: 'serviceNotAvailable', message: 'Service unavailable, retry later.', retry_after: 3 });
r = await call('list_joined_teams');
await drain(graph);
check('503 with Retry-After -> the retry time in the text', r.isError === true && /503/.test(text(r)) && /3 seconds/.test(text(r)) && /serviceNotAvailable/.test(text(r)), text(r));
await json(`${graph}/_fail`, { path: '/messages$', method: 'GET', status: 429, code: 'TooManyRequests', retry_after: 11 });
r = await call('list_chat_messages', { chat_id: FALCON });
await drain(graph);
check('429 on a read -> retry after 11 seconds', r.isError === true && /11 seconds/.test(text(r)), text(r));

// ---- 403: the permission the tool needs, and where to re-authorize
const grant = (s) => json(`${graph}/_scopes`, { scopes: s });
await grant(['Team.ReadBasic.All', 'Channel.ReadBasic.All', 'ChannelMessage.Send', 'Chat.Read', 'ChatMessage.Send']);
r = await call('list_channel_messages', { team_id: T, channel_id: GEN });
await drain(graph);
check('403 on channel messages -> ChannelMessage.Read.All named, Graph\'s message, the re-authorize URL', r.isError === true && /403/.test(text(r)) &&
  /needs the ChannelMessage\.Read\.All/.test(text(r)) && /Missing scope permissions/.test(text(r)) && (!fakeBroker || text(r).includes(REAUTH)), text(r));
await grant(['Chat.Read']);
const perms = [['send_chat_message', { chat_id: FALCON, content: 'x' }, 'ChatMessage.Send'], ['send_channel_message', { team_id: T, channel_id: GEN, content: 'x' }, 'ChannelMessage.Send'],
  ['reply_to_message', { team_id: T, channel_id: GEN, message_id: rootId ?? '1', content: 'x' }, 'ChannelMessage.Send'], ['list_joined_teams', {}, 'Team.ReadBasic.All'],
  ['list_channels', { team_id: T }, 'Channel.ReadBasic.All']];
for (const [tool, args, perm] of perms) {
  r = await call(tool, args);
  await drain(graph);
  check(`403 on ${tool} -> ${perm} named`, r.isError === true && text(r).includes(`needs the ${perm}`), text(r));
}
await grant([]);
r = await call('list_chats');
await drain(graph);
check('403 on list_chats -> Chat.Read named', r.isError === true && /needs the Chat\.Read/.test(text(r)), text(r));
await grant(null);

// ---- 404: the id named
const missing = [['list_channels', { team_id: 'team-nope' }, "Team 'team-nope'"], ['list_channel_messages', { team_id: T, channel_id: '19:nope@thread.tacv2' }, "Channel '19:nope@thread.tacv2' of team 'team-eng'"],
  ['list_chat_messages', { chat_id: '19:nope@thread.v2' }, "Chat '19:nope@thread.v2'"], ['reply_to_message', { team_id: T, channel_id: GEN, message_id: '42', content: 'x' }, "Message '42' in channel"],
  ['send_chat_message', { chat_id: '19:gone@thread.v2', content: 'x' }, "Chat '19:gone@thread.v2'"]];
for (const [tool, args, what] of missing) {
  r = await call(tool, args);
  await drain(graph);
  check(`404 on ${tool} -> ${what} named, Graph's code`, r.isError === true && /404/.test(text(r)) && text(r).includes(what) && /was not found \(404\)/.test(text(r)) && /NotFound/.test(text(r)), text(r));
}

// ---- hostile arguments: refused before any upstream call
const hostile = [
  ['list_channels', { team_id: '../me' }, /team_id/],
  ['list_channels', { team_id: 'a/b' }, /team_id/],
  ['list_channels', {}, /team_id/],
  ['list_channels', { team_id: 'x'.repeat(300) }, /team_id/],
  ['list_channels', { team_id: T, membership_type: 'secret' }, /membership_type/],
  ['list_channel_messages', { team_id: T }, /channel_id/],
  ['list_channel_messages', { team_id: T, channel_id: GEN, top: 51 }, /top/],
  ['list_channel_messages', { team_id: T, channel_id: GEN, top: 0 }, /top/],
  ['list_channel_messages', { team_id: T, channel_id: GEN, max_replies: 11 }, /max_replies/],
  ['list_channel_messages', { team_id: T, channel_id: GEN, cursor: 'ftp://x' }, /cursor/],
  ['list_chats', { top: 100 }, /top/],
  ['list_chats', { filter: "chatType eq 'group'" }, /filter|additional/i],
  ['list_chat_messages', { chat_id: `${FALCON}\r\nX-Injected: 1` }, /chat_id/],
  ['list_joined_teams', { extra: 1 }, /extra|additional/i],
  ['send_chat_message', { chat_id: FALCON, content: 'x'.repeat(28673) }, /content/],
  ['send_chat_message', { chat_id: FALCON, content: 'x', content_type: 'markdown' }, /content_type/],
  ['send_chat_message', { chat_id: FALCON }, /content/],
  ['send_channel_message', { team_id: T, channel_id: GEN, content: 'x', subject: 's'.repeat(256) }, /subject/],
  ['reply_to_message', { team_id: T, channel_id: GEN, content: 'x' }, /message_id/],
];
for (const [tool, args, re] of hostile) {
  r = await call(tool, args).catch((e) => ({ isError: true, content: [{ type: 'text', text: String(e.message) }] }));
  const sent = await drain(graph);
  check(`hostile ${tool} ${JSON.stringify(args).slice(0, 60)} -> refused, nothing sent`, r.isError === true && re.test(text(r)) && sent.length === 0, { r: text(r), sent: sent.length });
}

// ---- 401 -> one refresh through the broker, retry with the new token
if (fakeBroker) {
  const before = (await json(`${brokerUrl}/_stats`)).token_refresh;
  await json(`${brokerUrl}/_set`, { id: inst.id, access_token: `${inst.access_token}-2` });
  await json(`${graph}/_token`, { token: `${inst.access_token}-2` });
  r = await call('list_chats');
  let seen = await drain(graph);
  const after = (await json(`${brokerUrl}/_stats`)).token_refresh;
  check('401 -> broker refresh once -> retried with the new token, invisible to the client', !r.isError && after === before + 1 && seen.length === 2 &&
    seen[0].auth === bearer && seen[1].auth === `Bearer ${inst.access_token}-2`, { r: text(r), seen, before, after });
  await json(`${graph}/_token`, { token: 'revoked-elsewhere' });
  r = await call('send_chat_message', { chat_id: FALCON, content: 'after revocation' });
  seen = await drain(graph);
  check('401 again after the refresh -> re-authorize error with the URL, the send not repeated beyond the one retry', r.isError === true && /re-authorize/i.test(text(r)) &&
    text(r).includes(REAUTH) && seen.length === 2, { r: text(r), seen: seen.length });
}
await client.close();
done();
