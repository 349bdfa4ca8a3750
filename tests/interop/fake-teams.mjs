// fake-teams.mjs - a stand-in for Microsoft Graph v1.0 Teams messaging (the subset mcp-teams uses), following the
// documented shapes (/work/shared/notes/provider-apis.md section 6):
// - GET /me/joinedTeams (id, displayName, description, isArchived, tenantId; no OData options);
// - GET /teams/{id}/channels with $select and $filter=membershipType eq '...';
// - GET /teams/{t}/channels/{c}/messages (root messages, newest first) with $top 1..50 (default 20; 400 otherwise)
//   and $expand=replies (at most 1000 replies per message, then replies@odata.nextLink); .../messages/{m}/replies
//   with $top 1..50;
// - GET /me/chats with $top 1..50, $expand members (capped at 25) and/or lastMessagePreview, $orderby only
//   lastMessagePreview/createdDateTime desc (and only with that expansion); GET /chats/{id}/messages with $top 1..50
//   and $orderby lastModifiedDateTime|createdDateTime desc (never asc);
// - collections {"value", "@odata.nextLink"} where the next link carries an opaque $skiptoken (an unknown one: 400);
// - POST channel messages, replies and chat messages: body {contentType text|html, content} (400 otherwise), the
//   message (content + subject) at most 28 KB (413 RequestEntityTooLarge), 201 with the chatMessage; a burst of sends
//   into one conversation (more than 10 in 10 s, per app per tenant) -> 429 TooManyRequests with Retry-After;
// - errors {"error":{"code","message","innerError"}}: 401 InvalidAuthenticationToken on a wrong bearer, 403 Forbidden
//   "Missing scope permissions on the request. API requires one of '...'" when the token lacks every permission the
//   endpoint accepts (the granted scopes are set by /_scopes; all by default), 404 NotFound for unknown ids.
// Usage: node fake-teams.mjs <access token>. Prints "fake-teams listening on 127.0.0.1:<port>". The API base is
// http://127.0.0.1:<port>/v1.0.
// Test hooks: GET /_requests (every request: method, path (decoded), rawPath, query, body, auth, ...), POST /_reset
// (the request log), POST /_token {token}, POST /_scopes {scopes: [...] | null (all)}, POST /_fail {path (regex),
// method?, status, code?, message?, retry_after?, times?} (inject an error), GET /_messages?chat=|channel= (stored).
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { bearerAuth } from './fake-auth.mjs';

const auth = bearerAuth(process.argv[2] ?? 'graph-token');
let requests = [];
const failures = [];
let base = '';
let scopes = null; // null = every permission granted
const MAX_MESSAGE_BYTES = 28 * 1024;
const SEND_WINDOW_MS = 10000, SEND_LIMIT = 10;
const sends = new Map(); // conversation -> timestamps of recent sends

const users = {
  megan: { id: 'u-megan', displayName: 'Megan Bowen', userIdentityType: 'aadUser' },
  adele: { id: 'u-adele', displayName: 'Adele Vance', userIdentityType: 'aadUser' },
  alex: { id: 'u-alex', displayName: 'Alex Wilber', userIdentityType: 'aadUser' },
  lee: { id: 'u-lee', displayName: 'Lee Gu', userIdentityType: 'aadUser' },
};
const TENANT = 't-contoso';
const teams = [
  { id: 'team-eng', displayName: 'Contoso Engineering', description: 'Builds the product', isArchived: false, tenantId: TENANT },
  { id: 'team-mkt', displayName: 'Marketing', description: 'Campaigns', isArchived: true, tenantId: TENANT },
];
const channels = {
  'team-eng': [
    { id: '19:general@thread.tacv2', displayName: 'General', description: 'Everything', membershipType: 'standard' },
    { id: '19:releases@thread.tacv2', displayName: 'Releases', description: 'Ship it', membershipType: 'private' },
  ],
  'team-mkt': [{ id: '19:mktgeneral@thread.tacv2', displayName: 'General', description: '', membershipType: 'standard' }],
};
let seq = 1700000000000;
const t0 = Date.parse('2024-05-01T09:00:00Z');
let clock = 0;
const stamp = () => new Date(t0 + (clock++) * 60000).toISOString();
const msg = (from, content, contentType = 'html', extra = {}) => {
  const created = stamp();
  return { id: String(++seq), replyToId: null, etag: String(seq), messageType: 'message', createdDateTime: created, lastModifiedDateTime: created,
    deletedDateTime: null, subject: null, importance: 'normal', locale: 'en-us', webUrl: `https://teams.microsoft.com/l/message/${seq}`,
    from: { application: null, device: null, user: { ...from, tenantId: TENANT } }, body: { contentType, content }, attachments: [], mentions: [], reactions: [], ...extra };
};
// channel messages: key `${team}/${channel}` -> roots (oldest first), each with .replies (oldest first)
const channelMsgs = new Map();
const chanKey = (t, c) => `${t}/${c}`;
{
  const g = [];
  const welcome = msg(users.megan, '<p>Welcome to <b>Contoso Engineering</b>! Read the <a href="https://contoso.example/wiki">wiki</a>.</p>', 'html', { subject: 'Welcome' });
  welcome.replies = [msg(users.adele, 'Thanks Megan!', 'text'), msg(users.alex, '<p>Glad to be here &amp; ready</p>')];
  g.push(welcome);
  const deploy = msg(users.alex, '<div>Deploy <i>v2.3</i> is live:<ul><li>faster sync</li><li>fixes</li></ul></div>');
  deploy.attachments = [{ id: 'att-1', contentType: 'reference', name: 'notes.docx' }];
  deploy.replies = [];
  g.push(deploy);
  const mention = msg(users.adele, '<p><at id="0">Lee Gu</at> can you review the budget?</p>', 'html', { mentions: [{ id: 0, mentionText: 'Lee Gu', mentioned: { user: users.lee } }] });
  mention.replies = [msg(users.lee, 'On it.', 'text')];
  g.push(mention);
  const busy = msg(users.megan, 'Standup thread for the week', 'text');
  busy.replies = [];
  for (let i = 1; i <= 1003; i++) busy.replies.push(msg(i % 2 ? users.alex : users.adele, `standup note ${i}`, 'text'));
  g.push(busy);
  const sys = msg(users.megan, '<systemEventMessage/>', 'html', { messageType: 'systemEventMessage', from: null, eventDetail: { '@odata.type': '#microsoft.graph.membersAddedEventMessageDetail' } });
  sys.replies = [];
  g.push(sys);
  for (let i = 1; i <= 4; i++) { const m = msg(users.alex, `Build ${i} passed`, 'text'); m.replies = []; g.push(m); }
  const deleted = msg(users.alex, '', 'html', { deletedDateTime: stamp() });
  deleted.replies = [];
  g.push(deleted);
  const long = msg(users.lee, `<p>${'Long design notes. '.repeat(400)}</p>`);
  long.replies = [];
  g.push(long);
  channelMsgs.set(chanKey('team-eng', '19:general@thread.tacv2'), g);
  channelMsgs.set(chanKey('team-eng', '19:releases@thread.tacv2'), []);
  channelMsgs.set(chanKey('team-mkt', '19:mktgeneral@thread.tacv2'), []);
  for (const list of channelMsgs.values()) for (const r of list) for (const rep of r.replies ?? []) rep.replyToId = r.id;
}
const member = (u, roles = ['owner']) => ({ '@odata.type': '#microsoft.graph.aadUserConversationMember', id: `m-${u.id}`, roles, displayName: u.displayName, userId: u.id, email: `${u.id.slice(2)}@contoso.example`, tenantId: TENANT });
const chats = [
  { id: '19:megan_adele@unq.gbl.spaces', topic: null, chatType: 'oneOnOne', members: [users.megan, users.adele] },
  { id: '19:falcon@thread.v2', topic: 'Project Falcon', chatType: 'group', members: [users.megan, users.adele, users.alex, users.lee] },
  { id: '19:meeting_standup@thread.v2', topic: 'Daily standup', chatType: 'meeting', members: [users.megan, users.alex] },
  { id: '19:burst@thread.v2', topic: 'Alerts', chatType: 'group', members: [users.megan, users.lee] },
];
const chatMsgs = new Map();
for (const c of chats) {
  Object.assign(c, { createdDateTime: stamp(), tenantId: TENANT, webUrl: `https://teams.microsoft.com/l/chat/${encodeURIComponent(c.id)}/0` });
  chatMsgs.set(c.id, []);
}
chatMsgs.get('19:megan_adele@unq.gbl.spaces').push(msg(users.adele, 'Lunch at noon?', 'text'), msg(users.megan, '<p>Sure, see you at <b>Cafe 34</b></p>'));
for (let i = 1; i <= 7; i++) chatMsgs.get('19:falcon@thread.v2').push(msg(i % 2 ? users.alex : users.lee, `Falcon update ${i}`, 'text'));
chatMsgs.get('19:meeting_standup@thread.v2').push(msg(users.alex, 'Notes from the standup', 'text'));
for (const [id, list] of chatMsgs) for (const m of list) m.chatId = id;

// ---- HTTP plumbing
const send = (res, status, body, headers = {}) => {
  res.writeHead(status, { ...(body === undefined ? {} : { 'content-type': 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8' }), ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
};
const gerr = (res, status, code, message, headers) =>
  send(res, status, { error: { code, message, innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': 'req-1', 'client-request-id': 'creq-1' } } }, headers);
const readBody = (req) => new Promise((resolve) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => resolve(Buffer.concat(chunks)));
});

// ---- paging: $skiptoken is an opaque handle of (listing, offset); an unknown one is refused
const tokens = new Map();
const page = (res, items, q, path, top, extra = {}) => {
  let offset = 0;
  if (q.has('$skiptoken')) {
    const t = tokens.get(q.get('$skiptoken'));
    if (!t || t.path !== path) return gerr(res, 400, 'BadRequest', 'Invalid skip token.');
    offset = t.offset;
  }
  const slice = items.slice(offset, offset + top);
  const body = { '@odata.context': `${base}/$metadata#${path}`, '@odata.count': undefined, value: slice, ...extra };
  delete body['@odata.count'];
  if (offset + top < items.length) {
    const tok = randomBytes(12).toString('base64url');
    tokens.set(tok, { path, offset: offset + top });
    const next = new URLSearchParams(q);
    next.delete('$skiptoken');
    next.set('$skiptoken', tok);
    body['@odata.nextLink'] = `${base}${path}?${next.toString()}`;
  }
  send(res, 200, body);
};
const topOf = (res, q, dflt, max, what) => {
  if (!q.has('$top')) return dflt;
  const v = q.get('$top');
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) {
    gerr(res, 400, 'BadRequest', `Invalid page size requested: ${v}. The ${what} page size must be between 1 and ${max}.`);
    return null;
  }
  return Number(v);
};

// ---- permissions: any one of these, in the order Graph lists them
const PERMS = {
  teams: ['Team.ReadBasic.All', 'TeamSettings.Read.All', 'TeamSettings.ReadWrite.All', 'User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  channels: ['Channel.ReadBasic.All', 'ChannelSettings.Read.All', 'ChannelSettings.ReadWrite.All', 'Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  chmsgRead: ['ChannelMessage.Read.All', 'Group.Read.All', 'Group.ReadWrite.All'],
  chmsgSend: ['ChannelMessage.Send', 'Group.ReadWrite.All'],
  chats: ['Chat.ReadBasic', 'Chat.Read', 'Chat.ReadWrite'],
  chatRead: ['Chat.Read', 'Chat.ReadWrite'],
  chatSend: ['ChatMessage.Send', 'Chat.ReadWrite', 'Group.ReadWrite.All'],
};
const permitted = (res, need) => {
  if (scopes === null || need.some((p) => scopes.includes(p))) return true;
  gerr(res, 403, 'Forbidden', `Missing scope permissions on the request. API requires one of '${need.join(', ')}'. Scopes on the request '${scopes.join(', ')}'`);
  return false;
};

const stripReplies = ({ replies, ...m }) => m; // eslint-disable-line no-unused-vars
const withReplies = (m) => {
  const { replies = [], ...rest } = m;
  const newest = [...replies].reverse();
  const out = { ...rest, 'replies@odata.context': `${base}/$metadata#teams/channels/messages/replies`, replies: newest.slice(0, 1000) };
  if (newest.length > 1000) out['replies@odata.nextLink'] = `${base}/teams/x/channels/x/messages/${m.id}/replies?$skiptoken=more`;
  return out;
};

// A send into a conversation: body checks, size limit, the burst limit. Returns the new message or null (answered).
const newMessage = (res, body, conv, extra) => {
  const b = body?.body;
  if (!b || typeof b.content !== 'string' || (b.contentType !== undefined && !['text', 'html'].includes(b.contentType)))
    return gerr(res, 400, 'BadRequest', 'Invalid request body: body.content is required and contentType must be text or html.'), null;
  if (!b.content.trim()) return gerr(res, 400, 'BadRequest', 'Message body cannot be empty.'), null;
  const size = Buffer.byteLength(b.content) + Buffer.byteLength(body.subject ?? '');
  if (size > MAX_MESSAGE_BYTES) return gerr(res, 413, 'RequestEntityTooLarge', `Message size ${size} bytes exceeds the maximum allowed message size of ${MAX_MESSAGE_BYTES} bytes.`), null;
  if (/<at\b/i.test(b.content) && !(body.mentions?.length)) return gerr(res, 400, 'BadRequest', 'Mention in the message body does not have a matching entity in mentions.'), null;
  const now = Date.now();
  const recent = (sends.get(conv) ?? []).filter((t) => now - t < SEND_WINDOW_MS);
  if (recent.length >= SEND_LIMIT) {
    sends.set(conv, recent);
    const wait = Math.max(1, Math.ceil((recent[0] + SEND_WINDOW_MS - now) / 1000));
    return gerr(res, 429, 'TooManyRequests', 'Too many requests: the limit of message sends per app per tenant for this conversation was reached.', { 'retry-after': String(wait) }), null;
  }
  recent.push(now);
  sends.set(conv, recent);
  const created = new Date().toISOString();
  return { ...msg(users.megan, b.content, b.contentType ?? 'text', extra), createdDateTime: created, lastModifiedDateTime: created, subject: body.subject ?? null };
};

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const buf = await readBody(req);
  const raw = url.pathname.replace(/^\/v1\.0/, '');
  if (raw === '/_requests') return send(res, 200, requests);
  if (raw === '/_reset') { requests = []; return send(res, 200, {}); }
  if (raw === '/_token') { auth.setToken(JSON.parse(buf.toString()).token); return send(res, 200, {}); }
  if (raw === '/_scopes') { scopes = JSON.parse(buf.toString()).scopes ?? null; return send(res, 200, {}); }
  if (raw === '/_fail') { failures.push({ times: 1, ...JSON.parse(buf.toString()) }); return send(res, 200, {}); }
  if (raw === '/_messages') {
    const c = url.searchParams.get('chat'), ch = url.searchParams.get('channel');
    return send(res, 200, c ? chatMsgs.get(c) ?? [] : (channelMsgs.get(ch) ?? []).map((m) => ({ ...m, replies: (m.replies ?? []).slice(-5) })));
  }
  let path = raw;
  try { path = decodeURIComponent(raw); } catch { /* logged raw */ }
  const isJson = /json/.test(req.headers['content-type'] ?? '');
  let body = null;
  if (buf.length && isJson) { try { body = JSON.parse(buf.toString()); } catch { body = undefined; } }
  requests.push({ method: req.method, path, rawPath: raw, query: Object.fromEntries(url.searchParams), body: isJson ? body : null,
    bytes: buf.length, auth: req.headers.authorization, contentType: req.headers['content-type'], userAgent: req.headers['user-agent'] });
  if (!(await auth.authorized(req.headers.authorization)))
    return gerr(res, 401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
  const f = failures.find((x) => x.times > 0 && new RegExp(x.path).test(path) && (!x.method || x.method === req.method));
  if (f) {
    f.times--;
    return gerr(res, f.status, f.code ?? 'generalException', f.message ?? 'Injected failure.', f.retry_after !== undefined ? { 'retry-after': String(f.retry_after) } : {});
  }
  if (body === undefined) return gerr(res, 400, 'BadRequest', 'Unable to read JSON request payload.');
  const q = url.searchParams;
  let m;
  if (req.method === 'GET' && path === '/me/joinedTeams') {
    if (!permitted(res, PERMS.teams)) return;
    return page(res, teams, q, '/me/joinedTeams', 1000);
  }
  if (req.method === 'GET' && path === '/me/chats') {
    if (!permitted(res, PERMS.chats)) return;
    const top = topOf(res, q, 50, 50, 'chats');
    if (top === null) return;
    const expand = (q.get('$expand') ?? '').split(',').filter(Boolean);
    if (expand.some((e) => !['members', 'lastMessagePreview'].includes(e))) return gerr(res, 400, 'BadRequest', `Could not find a property named '${expand.join(',')}' to expand.`);
    const orderby = q.get('$orderby');
    if (orderby !== null && (orderby !== 'lastMessagePreview/createdDateTime desc' || !expand.includes('lastMessagePreview')))
      return gerr(res, 400, 'BadRequest', 'Query option $orderby is only supported as lastMessagePreview/createdDateTime desc with $expand=lastMessagePreview.');
    const lastOf = (c) => chatMsgs.get(c.id).at(-1);
    let list = [...chats];
    if (orderby) list.sort((a, b) => (lastOf(b)?.createdDateTime ?? '').localeCompare(lastOf(a)?.createdDateTime ?? ''));
    list = list.map((c) => {
      const v = { id: c.id, topic: c.topic, createdDateTime: c.createdDateTime, lastUpdatedDateTime: lastOf(c)?.createdDateTime ?? c.createdDateTime, chatType: c.chatType, webUrl: c.webUrl, tenantId: c.tenantId };
      if (expand.includes('members')) v.members = c.members.slice(0, 25).map((u) => member(u));
      if (expand.includes('lastMessagePreview')) {
        const l = lastOf(c);
        v.lastMessagePreview = l ? { id: l.id, createdDateTime: l.createdDateTime, isDeleted: false, messageType: 'message', body: l.body, from: l.from } : null;
      }
      return v;
    });
    return page(res, list, q, '/me/chats', top);
  }
  if ((m = /^\/chats\/([^/]+)\/messages$/.exec(path))) {
    const chat = chats.find((c) => c.id === m[1]);
    if (req.method === 'GET') {
      if (!permitted(res, PERMS.chatRead)) return;
      if (!chat) return gerr(res, 404, 'NotFound', `Chat ${m[1]} not found.`);
      const top = topOf(res, q, 20, 50, 'messages');
      if (top === null) return;
      const orderby = q.get('$orderby');
      if (orderby !== null && !['lastModifiedDateTime desc', 'createdDateTime desc'].includes(orderby))
        return gerr(res, 400, 'BadRequest', `Unsupported $orderby '${orderby}': only lastModifiedDateTime desc or createdDateTime desc.`);
      const key = orderby?.split(' ')[0] ?? 'lastModifiedDateTime';
      const list = [...chatMsgs.get(chat.id)].sort((a, b) => b[key].localeCompare(a[key]));
      return page(res, list, q, path, top);
    }
    if (req.method === 'POST') {
      if (!permitted(res, PERMS.chatSend)) return;
      if (!chat) return gerr(res, 404, 'NotFound', `Chat ${m[1]} not found.`);
      const nm = newMessage(res, body, chat.id, { chatId: chat.id });
      if (!nm) return;
      chatMsgs.get(chat.id).push(nm);
      return send(res, 201, nm);
    }
  }
  if ((m = /^\/teams\/([^/]+)\/channels(?:\/([^/]+)(?:\/messages(?:\/([^/]+)(\/replies)?)?)?)?$/.exec(path))) {
    const [, tid, cid, mid, isReplies] = m;
    const team = teams.find((t) => t.id === tid);
    const need = !cid ? PERMS.channels : req.method === 'POST' ? PERMS.chmsgSend : PERMS.chmsgRead;
    if (!permitted(res, need)) return;
    if (!team) return gerr(res, 404, 'NotFound', `No team found with Group Id ${tid}`);
    if (!cid && req.method === 'GET') {
      let list = channels[tid].map((c) => ({ ...c, createdDateTime: '2024-01-01T00:00:00Z', webUrl: `https://teams.microsoft.com/l/channel/${encodeURIComponent(c.id)}/${encodeURIComponent(c.displayName)}` }));
      const filter = q.get('$filter');
      if (filter !== null) {
        const f = /^membershipType eq '(standard|private|shared)'$/.exec(filter);
        if (!f) return gerr(res, 400, 'BadRequest', `Invalid filter clause: ${filter}`);
        list = list.filter((c) => c.membershipType === f[1]);
      }
      const sel = q.get('$select');
      if (sel !== null) {
        const fields = sel.split(',');
        const known = ['id', 'displayName', 'description', 'membershipType', 'webUrl', 'createdDateTime', 'email', 'isFavoriteByDefault', 'tenantId'];
        const bad = fields.find((x) => !known.includes(x));
        if (bad) return gerr(res, 400, 'BadRequest', `Could not find a property named '${bad}' on type 'microsoft.graph.channel'.`);
        list = list.map((c) => Object.fromEntries(fields.filter((k) => k in c).map((k) => [k, c[k]])));
      }
      return page(res, list, q, path, 1000);
    }
    const list = cid ? channelMsgs.get(chanKey(tid, cid)) : undefined;
    if (!list) return gerr(res, 404, 'NotFound', `Channel ${cid} not found in team ${tid}.`);
    const root = mid ? list.find((x) => x.id === mid) : undefined;
    if (mid && !root) return gerr(res, 404, 'NotFound', `Message ${mid} not found.`);
    if (req.method === 'GET' && !mid) {
      const top = topOf(res, q, 20, 50, 'messages');
      if (top === null) return;
      const expand = q.get('$expand');
      if (expand !== null && expand !== 'replies') return gerr(res, 400, 'BadRequest', `Could not find a property named '${expand}' to expand.`);
      const newest = [...list].reverse().map((x) => (expand ? withReplies(x) : stripReplies(x)));
      return page(res, newest, q, path, top);
    }
    if (req.method === 'GET' && isReplies) {
      const top = topOf(res, q, 20, 50, 'replies');
      if (top === null) return;
      return page(res, [...root.replies].reverse(), q, path, top);
    }
    if (req.method === 'GET' && !isReplies) return send(res, 200, stripReplies(root));
    if (req.method === 'POST' && (!mid || isReplies)) {
      if (root && root.replyToId) return gerr(res, 400, 'BadRequest', 'Replies can only be posted to root messages.');
      const nm = newMessage(res, body, chanKey(tid, cid), { channelIdentity: { teamId: tid, channelId: cid }, replyToId: root?.id ?? null });
      if (!nm) return;
      if (root) root.replies.push(nm);
      else list.push({ ...nm, replies: [] });
      return send(res, 201, nm);
    }
  }
  gerr(res, 400, 'BadRequest', `Resource not found for the segment '${raw.split('/')[1] ?? raw}'.`);
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  base = `http://127.0.0.1:${server.address().port}/v1.0`;
  console.log(`fake-teams listening on 127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
