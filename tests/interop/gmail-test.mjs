// gmail-test.mjs - the official SDK client (v1, legacy era) drives mcp-gmail against fake-gmail.mjs and a broker
// (fake-broker.mjs, or the real one: the broker hooks are only used when BROKER_HOOKS=1).
// Usage: node gmail-test.mjs <mcp base url> <instance id> <instance key> <fake gmail url> <broker url>
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const [base, instance, key, gmailUrl, brokerUrl] = process.argv.slice(2);
const hooks = process.env.BROKER_HOOKS === '1';
let passed = 0, failed = 0;
const check = (name, ok, detail = '') => {
  if (ok) { passed++; console.log(`ok - ${name}`); } else { failed++; console.log(`not ok - ${name} ${String(detail).slice(0, 1500)}`); }
};
const post = (u, body) => fetch(u, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
const requests = () => fetch(`${gmailUrl}/_requests`).then((r) => r.json());
const fail = (spec) => post(`${gmailUrl}/_fail`, spec);
const text = (r) => (r.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');

// RFC 5322 message parsing for the checks
const unfold = (h) => h.replace(/\r\n[ \t]/g, ' ');
const decodeWords = (s) => s.replace(/=\?UTF-8\?B\?([^?]*)\?=(\s+(?==\?))?/gi, (_, b) => Buffer.from(b, 'base64').toString('utf8'))
  .replace(/=\?UTF-8\?Q\?([^?]*)\?=(\s+(?==\?))?/gi, (_, q) => Buffer.from(q.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (__, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'));
const parse = (raw) => {
  const i = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, i), body = raw.slice(i + 4);
  const headers = {};
  for (const line of unfold(head).split('\r\n')) { const k = line.slice(0, line.indexOf(':')).toLowerCase(); headers[k] = line.slice(line.indexOf(':') + 1).trim(); }
  return { head, body, headers };
};
const parts = (raw, boundary) => raw.split(`--${boundary}`).slice(1, -1).map((p) => parse(p.replace(/^\r\n/, '')));
// the last POST to path, on the metadata URI or on its /upload media URI
const lastSend = async (path = '/gmail/v1/users/me/messages/send') => (await requests()).filter((r) => r.method === 'POST' && (r.path === path || r.path === `/upload${path}`)).at(-1);
const UPLOAD_SEND = '/upload/gmail/v1/users/me/messages/send';
const viaUpload = (r) => r?.path?.startsWith('/upload/') && new URLSearchParams(r.query).get('uploadType') === 'multipart' && /^multipart\/related; boundary=/.test(r.contentType);
const viaRaw = (r) => !!r && !r.path.startsWith('/upload/') && /^application\/json/.test(r.contentType) && typeof (r.body.raw ?? r.body.message?.raw) === 'string';
// a stored message as Gmail's users.messages.get format=raw gives it
const storedRaw = (id) => fetch(`${gmailUrl}/gmail/v1/users/me/messages/${id}?format=raw`, { headers: { authorization: `Bearer ${process.env.UPSTREAM_TOKEN}` } })
  .then((r) => r.json()).then((j) => Buffer.from(j.raw ?? '', 'base64url').toString('latin1'));
const rawOf = (r) => Buffer.from(r.body.raw ?? r.body.message.raw, 'base64url').toString('utf8');

const client = new Client({ name: 'gmail-interop', version: '1.0.0' });
await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/${instance}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${key}` } } }));
// MCP_TEST_TIMEOUT_MS: the per-call bound (the SDK's 60 s unless set; tests/integration/mcp_e2e.sh stretches it under valgrind)
const call = (name, args) => client.callTool({ name, arguments: args }, undefined, { timeout: Number(process.env.MCP_TEST_TIMEOUT_MS || 60000) });
const token0 = (await requests()).length; // nothing yet
void token0;

// 1. tools/list
{
  const { tools } = await client.listTools();
  const names = ['send_email', 'fetch_emails', 'fetch_message_by_id', 'reply_to_email', 'create_draft', 'send_draft', 'list_drafts', 'delete_message', 'move_to_trash', 'list_labels', 'create_label', 'modify_labels', 'search_emails', 'get_thread', 'mark_as_read', 'mark_as_unread', 'list_attachments', 'download_attachment', 'send_email_with_attachments', 'delete_label'];
  check('tools/list: the 20 tools', tools.length === 20 && names.every((n) => tools.some((t) => t.name === n)), JSON.stringify(tools.map((t) => t.name)));
  check('tools/list: strict input schemas', tools.every((t) => t.inputSchema?.additionalProperties === false));
  const by = Object.fromEntries(tools.map((t) => [t.name, t]));
  check('annotations: read-only / destructive / idempotent hints', by.fetch_emails.annotations?.readOnlyHint === true && by.delete_message.annotations?.destructiveHint === true &&
    by.send_email.annotations?.idempotentHint === false && by.send_email.annotations?.readOnlyHint === false && by.mark_as_read.annotations?.idempotentHint === true &&
    tools.every((t) => t.annotations?.openWorldHint === true), JSON.stringify(by.delete_message.annotations));
  check('fetch_emails: max_results default and limit in the schema', by.fetch_emails.inputSchema.properties.max_results.default === 10 && by.fetch_emails.inputSchema.properties.max_results.maximum === 50);
}

// 2. send_email with non-ASCII subject and display name
{
  const subject = 'Grüße aus Köln – 東京の会議についての長いお知らせ、よろしくお願いします (Quartalsbericht)';
  const r = await call('send_email', { to: 'Jörg Müller <joerg@example.com>, "Doe, Jane" <jane@example.com>', cc: 'cc@example.org', subject, body: 'Hallo Jörg,\nZeile 2\n' });
  check('send_email: ok', !r.isError && /sent/i.test(text(r)) && typeof r.structuredContent?.id === 'string', JSON.stringify(r));
  const req = await lastSend();
  check('send_email: bearer token from the broker', req?.auth === `Bearer ${process.env.UPSTREAM_TOKEN}`, req?.auth);
  check('send_email: a small message without attachments goes as JSON raw to the metadata URI', viaRaw(req) && req.path === '/gmail/v1/users/me/messages/send', JSON.stringify({ path: req?.path, ct: req?.contentType }));
  const raw = rawOf(req);
  const { head, body, headers } = parse(raw);
  check('send_email: CRLF only', !/[^\r]\n/.test(raw) && !/\r(?!\n)/.test(raw));
  check('send_email: subject as RFC 2047 encoded-words, round trip', /=\?UTF-8\?[BQ]\?/i.test(headers.subject) && decodeWords(headers.subject) === subject, headers.subject);
  check('send_email: encoded-words <= 75 chars, lines <= 76', (head.match(/=\?[^?]+\?[BQ]\?[^?]*\?=/gi) ?? []).every((w) => w.length <= 75) && head.split('\r\n').filter((l) => l.includes('=?')).every((l) => l.length <= 76), head);
  check('send_email: display names encoded / quoted', /=\?UTF-8\?B\?[^?]+\?= <joerg@example.com>/i.test(headers.to) && decodeWords(headers.to).startsWith('Jörg Müller <joerg@example.com>') && headers.to.includes('"Doe, Jane" <jane@example.com>'), headers.to);
  check('send_email: MIME headers', headers['mime-version'] === '1.0' && /text\/plain; charset="UTF-8"/.test(headers['content-type']) && headers['content-transfer-encoding'] === 'base64' && headers.cc === 'cc@example.org' && !!headers.date, head);
  check('send_email: body round trip with CRLF', Buffer.from(body.replace(/\r\n/g, ''), 'base64').toString('utf8') === 'Hallo Jörg,\r\nZeile 2\r\n', body);
}

// 3. invalid input: header injection, bad address, schema violations
{
  const before = (await requests()).length;
  let r = await call('send_email', { to: 'a@example.com', subject: 'Hi\r\nBcc: evil@example.com', body: 'x' });
  check('header injection in subject -> isError naming subject', r.isError === true && /subject/.test(text(r)), JSON.stringify(r));
  r = await call('send_email', { to: 'Evil <a@example.com>\nBcc: x@example.com', subject: 's', body: 'x' });
  check('header injection in to -> isError naming to', r.isError === true && /\bto\b/.test(text(r)), JSON.stringify(r));
  r = await call('send_email', { to: 'not-an-address', subject: 's', body: 'x' });
  check('invalid address -> isError naming to', r.isError === true && /\bto\b/.test(text(r)) && /not-an-address/.test(text(r)), JSON.stringify(r));
  r = await call('fetch_message_by_id', {});
  check('missing required argument -> isError naming message_id', r.isError === true && /message_id/.test(text(r)), JSON.stringify(r));
  r = await call('fetch_emails', { max_results: 500 });
  check('max_results above the limit -> isError naming max_results', r.isError === true && /max_results/.test(text(r)), JSON.stringify(r));
  r = await call('fetch_message_by_id', { message_id: '../labels' });
  check('id with a path -> isError naming message_id', r.isError === true && /message_id/.test(text(r)), JSON.stringify(r));
  r = await call('send_email', { to: 'a@example.com', subject: 's', body: 'x', extra: 1 });
  check('unknown argument -> isError', r.isError === true && /extra/.test(text(r)), JSON.stringify(r));
  check('invalid calls reached nothing upstream', (await requests()).length === before);
}

// 4. replies
{
  let r = await call('reply_to_email', { message_id: 'morig', body: 'Thanks!' });
  check('reply_to_email: ok', !r.isError, JSON.stringify(r));
  let req = await lastSend();
  let { headers } = parse(rawOf(req));
  check('reply: threadId of the original', req.body.threadId === 'torig', JSON.stringify(req.body.threadId));
  check('reply without attachments: JSON raw on the metadata URI', viaRaw(req), JSON.stringify({ path: req?.path, ct: req?.contentType }));
  check('reply: In-Reply-To and References', headers['in-reply-to'] === '<orig-1@example.com>' && headers.references === '<root@example.com> <orig-1@example.com>', JSON.stringify(headers));
  check('reply: Re: subject, to the sender only', headers.subject === 'Re: Quarterly report' && headers.to === 'alice@example.com' && !headers.cc, JSON.stringify(headers));
  r = await call('reply_to_email', { message_id: 'morig', body: 'All', reply_all: true });
  ({ headers } = parse(rawOf(await lastSend())));
  check('reply_all: others in Cc, not me', headers.cc === 'carol@example.com, bob@example.com' && !/me@example.com/.test(headers.cc), JSON.stringify(headers));
  r = await call('reply_to_email', { message_id: 'mre', body: 'ok' });
  ({ headers } = parse(rawOf(await lastSend())));
  check('reply: "Re:" only once', headers.subject === 'RE: Lunch', headers.subject);
}

// 4b. a reply with attachments: the upload URI, the threadId in the metadata part
{
  const before = (await requests()).length;
  let r = await call('reply_to_email', { message_id: 'morig', body: 'x', attachments: [{ filename: 'a.bin', content_base64: '***' }] });
  check('reply with bad base64 -> isError naming the field, nothing upstream', r.isError === true && /attachments\[0\]\.content_base64/.test(text(r)) && (await requests()).length === before, JSON.stringify(r));
  const file = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 31) & 0xff));
  r = await call('reply_to_email', { message_id: 'mre', body: 'Numbers attached.', attachments: [{ filename: 'numbers.bin', content_base64: file.toString('base64') }] });
  const req = await lastSend();
  check('reply with attachments: ok, through the upload URI (uploadType=multipart)', !r.isError && req.path === UPLOAD_SEND && viaUpload(req), JSON.stringify({ r, path: req?.path, q: req?.query, ct: req?.contentType }));
  check('reply with attachments: threadId of the original in the metadata part, kept by Gmail', req.body.threadId === 'tre' && r.structuredContent?.threadId === 'tre', JSON.stringify({ meta: req.body.threadId, sc: r.structuredContent }));
  const { headers, body } = parse(await storedRaw(r.structuredContent?.id));
  const boundary = /boundary="([^"]+)"/.exec(headers['content-type'] ?? '')?.[1];
  const ps = boundary ? parts(body, boundary) : [];
  check('reply with attachments: In-Reply-To, Re: subject and the file in the stored message', headers['in-reply-to'] === '<re-1@example.com>' && headers.subject === 'RE: Lunch' &&
    ps.length === 2 && /numbers\.bin/.test(ps[1].headers['content-disposition']) && Buffer.from(ps[1].body.replace(/\s/g, ''), 'base64').equals(file), JSON.stringify({ headers, n: ps.length }));
}

// 5. attachments
{
  const pdf = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x10, 0x80]);
  const r = await call('send_email_with_attachments', { to: 'a@example.com', subject: 'Files', body: 'See attached.', attachments: [
    { filename: 'report.pdf', content_base64: pdf.toString('base64') }, { filename: 'Übersicht 2024.txt', content_base64: Buffer.from('Zahlen: 1,2,3').toString('base64'), mime_type: 'text/plain' }] });
  check('send_email_with_attachments: ok', !r.isError, JSON.stringify(r));
  const up = await lastSend();
  check('attachments: sent through the upload URI (multipart/related), stored as Gmail stores the message', viaUpload(up) && up.path === UPLOAD_SEND && up.stored === r.structuredContent?.id &&
    (await storedRaw(up.stored)) === Buffer.from(up.body.raw, 'base64url').toString('latin1'), JSON.stringify({ path: up?.path, q: up?.query, ct: up?.contentType, stored: up?.stored }));
  const { headers, body } = parse(rawOf(up));
  const boundary = /boundary="([^"]+)"/.exec(headers['content-type'])?.[1];
  check('attachments: multipart/mixed with a boundary', /^multipart\/mixed;/.test(headers['content-type']) && !!boundary, headers['content-type']);
  const ps = boundary ? parts(body, boundary) : [];
  check('attachments: 3 parts (text + 2 files)', ps.length === 3 && /text\/plain/.test(ps[0].headers['content-type']), ps.length);
  check('attachments: binary file base64 round trip', ps[1] && /application\/pdf/.test(ps[1].headers['content-type']) && /attachment;\s*filename=report.pdf/.test(ps[1].headers['content-disposition']) && Buffer.from(ps[1].body.replace(/\s/g, ''), 'base64').equals(pdf), JSON.stringify(ps[1]?.headers));
  check('attachments: non-ASCII filename as RFC 2231', ps[2] && ps[2].headers['content-disposition'].includes("filename*=UTF-8''%C3%9Cbersicht%202024.txt") && Buffer.from(ps[2].body.replace(/\s/g, ''), 'base64').toString() === 'Zahlen: 1,2,3', JSON.stringify(ps[2]?.headers));
  const bad = await call('send_email_with_attachments', { to: 'a@example.com', subject: 'x', body: 'x', attachments: [{ filename: 'a.bin', content_base64: '***' }] });
  check('attachments: bad base64 -> isError naming the field', bad.isError === true && /attachments\[0\]\.content_base64/.test(text(bad)), JSON.stringify(bad));
}

// 5b. size limits: what the descriptions promise is what the service accepts
{
  const { tools } = await client.listTools();
  const by = Object.fromEntries(tools.map((t) => [t.name, t]));
  check('limits: descriptions state 10 MiB for sending and downloading', /10 MiB in total/.test(by.send_email_with_attachments.description) &&
    /at most 10 MiB/.test(by.download_attachment.description) && by.send_email_with_attachments.inputSchema.properties.attachments.maxItems === 10,
  `${by.send_email_with_attachments.description} | ${by.download_attachment.description}`);
  // MCP_TEST_SKIP_LARGE=1: not the 9-12 MiB payloads (mcp_e2e.sh under valgrind, where each costs minutes)
  if (process.env.MCP_TEST_SKIP_LARGE !== '1') {
    const MiB = 1024 * 1024;
    const nine = Buffer.alloc(9 * MiB);
    for (let i = 0; i < nine.length; i++) nine[i] = (i * 13 + (i >> 10)) & 0xff;
    let r = await call('send_email_with_attachments', { to: 'a@example.com', subject: 'Big', body: 'Big file attached.', attachments: [{ filename: 'big.bin', content_base64: nine.toString('base64') }] });
    const sent = await lastSend();
    check('limits: a 9 MiB attachment (12 MB of base64 in the request) is sent, not refused with 413', !r.isError && sent?.body?.large === true &&
      sent.body.raw_length > (9 * MiB * 4) / 3, JSON.stringify(r).slice(0, 300));
    check('limits: the 9 MiB message went to the upload URI with uploadType=multipart, as message/rfc822 (not base64 JSON)', sent.path === UPLOAD_SEND && viaUpload(sent) &&
      sent.bytes < (9 * MiB * 4) / 3 * 1.1 + 64 * 1024 && sent.stored === r.structuredContent?.id, JSON.stringify({ path: sent?.path, q: sent?.query, ct: sent?.contentType, bytes: sent?.bytes }));
    {
      const { headers, body } = parse(await storedRaw(r.structuredContent?.id));
      const boundary = /boundary="([^"]+)"/.exec(headers['content-type'] ?? '')?.[1];
      const ps = boundary ? parts(body, boundary) : [];
      const att = ps.find((x) => /filename=big\.bin/.test(x.headers['content-disposition'] ?? ''));
      check('limits: the stored message decodes to the same 9 MiB attachment bytes', headers.subject === 'Big' && !!att && Buffer.from(att.body.replace(/\s/g, ''), 'base64').equals(nine), JSON.stringify({ headers, n: ps.length }));
    }
    const half = Buffer.alloc(5.5 * MiB, 0x41).toString('base64');
    r = await call('send_email_with_attachments', { to: 'a@example.com', subject: 'Too big', body: 'x', attachments: [{ filename: 'a.bin', content_base64: half }, { filename: 'b.bin', content_base64: half }] });
    check('limits: 11 MiB of attachments -> a tool error naming the 10 MiB limit', r.isError === true && /more than 10 MiB/.test(text(r)), JSON.stringify(r).slice(0, 300));
    r = await call('download_attachment', { message_id: 'mbig', attachment_id: 'att-big', filename: 'big.bin' });
    check('limits: download_attachment returns a 9 MiB attachment', !r.isError && r.structuredContent?.size === 9 * MiB &&
      Buffer.from(r.structuredContent.data_base64, 'base64').length === 9 * MiB, JSON.stringify(r).slice(0, 300));
    r = await call('download_attachment', { message_id: 'mbig', attachment_id: 'att-huge', filename: 'huge.bin' });
    check('limits: a 12 MiB attachment -> "larger than download_attachment returns", not "could not be reached"', r.isError === true &&
      /larger than download_attachment returns \(at most 10 MiB\)/.test(text(r)) && !/could not be reached/.test(text(r)), JSON.stringify(r).slice(0, 300));
  }
}

// 6. listing and pagination
{
  let r = await call('fetch_emails', { max_results: 10 });
  const first = r.structuredContent;
  check('fetch_emails: a page of 10 with next_page_token', !r.isError && first?.count === 10 && typeof first.next_page_token === 'string', JSON.stringify(r).slice(0, 500));
  const listReq = (await requests()).filter((x) => x.path === '/gmail/v1/users/me/messages').at(-1);
  check('fetch_emails: maxResults and labelIds=INBOX sent', /maxResults=10/.test(listReq.query) && /labelIds=INBOX/.test(listReq.query), listReq.query);
  check('fetch_emails: readable text with sender, subject, snippet (entities decoded)', /From: Sender 1 <s1@example.com>/.test(text(r)) && /Subject: Message 1/.test(text(r)) && /Snippet & number 1/.test(text(r)) && /page_token/.test(text(r)), text(r).slice(0, 400));
  r = await call('fetch_emails', { max_results: 10, page_token: first.next_page_token });
  const second = r.structuredContent;
  check('fetch_emails: page 2 is different', second?.count === 10 && second.messages[0].id !== first.messages[0].id && /pageToken=10/.test((await requests()).filter((x) => x.path === '/gmail/v1/users/me/messages').at(-1).query), JSON.stringify(second?.messages?.[0]));
  r = await call('search_emails', { query: 'Quarterly' });
  check('search_emails: q passed, result found', !r.isError && r.structuredContent?.messages?.[0]?.id === 'morig' && /q=Quarterly/.test((await requests()).filter((x) => x.path === '/gmail/v1/users/me/messages').at(-1).query), JSON.stringify(r).slice(0, 400));
}

// 6b. the listed messages are fetched in parallel (at most 8 at a time), in the list's order; an item's error keeps
// the Gmail hook's detail (the missing scope)
{
  await post(`${gmailUrl}/_delay`, { ms: 150 });
  const t0 = Date.now();
  let r = await call('fetch_emails', { max_results: 24 });
  const ms = Date.now() - t0;
  const { maxInflight } = await fetch(`${gmailUrl}/_stats`).then((x) => x.json());
  await post(`${gmailUrl}/_delay`, { ms: 0 });
  const ids = r.structuredContent?.messages?.map((m) => m.id) ?? [];
  check('listing: 24 items fetched 8 at a time (not one after the other), in list order', !r.isError && ids.length === 24 &&
    ids.every((id, i) => i === 0 || id > ids[i - 1]) && maxInflight === 8 && ms < 24 * 75, JSON.stringify({ maxInflight, ms, ids }));
  await fail({ path: '/messages/m05$', method: 'GET', status: 403, message: 'Request had insufficient authentication scopes.', reason: 'insufficientPermissions',
    www_authenticate: 'Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="https://www.googleapis.com/auth/gmail.readonly"' });
  r = await call('fetch_emails', { max_results: 10 });
  check('listing: an item\'s 403 fails the call naming the missing scope (the Gmail error hook)', r.isError === true &&
    /Missing scope: this tool needs https:\/\/www.googleapis.com\/auth\/gmail.readonly/.test(text(r)) && /insufficient authentication scopes/.test(text(r)), text(r));
  await fail({ path: '/labels$', method: 'GET', status: 403, reason: 'userRateLimitExceeded', retry_after: 5, message: 'User-rate limit exceeded.' });
  r = await call('list_labels', {});
  check('403 userRateLimitExceeded -> a usage-limit error with Retry-After, not "missing scope"', r.isError === true &&
    /usage limit reached \(403 userRateLimitExceeded\); retry after 5 seconds/.test(text(r)) && !/Missing scope/.test(text(r)), text(r));
  r = await call('fetch_emails', { max_results: 3 });
  check('listing: the next call works again', !r.isError && r.structuredContent?.count === 3, JSON.stringify(r).slice(0, 300));
}

// 7. bodies: HTML converted, charset, attachments
{
  let r = await call('fetch_message_by_id', { message_id: 'mhtml' });
  const t = text(r);
  check('HTML body converted to text', /Hello World/.test(t) && /Tom & Jerry <3 été/.test(t) && /the report \(https:\/\/example\.com\/x\)/.test(t) && /- one\n- two/.test(t) && !/alert|color:red|<p>/.test(t), t);
  check('encoded-word headers decoded', r.structuredContent?.from === 'Jörg Müller <joerg@example.com>' && r.structuredContent?.subject === 'Grüße HTML', JSON.stringify(r.structuredContent));
  r = await call('fetch_message_by_id', { message_id: 'matt' });
  check('ISO-8859-1 text part to UTF-8', r.structuredContent?.body === 'Café!', JSON.stringify(r.structuredContent));
  r = await call('list_attachments', { message_id: 'matt' });
  check('list_attachments', r.structuredContent?.attachments?.length === 2 && r.structuredContent.attachments[0].attachment_id === 'att-1' && /data\.csv/.test(text(r)), JSON.stringify(r));
  r = await call('download_attachment', { message_id: 'matt', attachment_id: 'att-1', filename: 'data.csv' });
  check('download_attachment: text', r.structuredContent?.size === 8 && r.content?.some((c) => c.type === 'resource' && c.resource.text === 'a,b\n1,2\n'), JSON.stringify(r));
  r = await call('download_attachment', { message_id: 'matt', attachment_id: 'att-2', filename: 'pic.png' });
  check('download_attachment: binary as base64', r.content?.some((c) => c.type === 'resource' && c.resource.blob === Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64') && c.resource.mimeType === 'image/png'), JSON.stringify(r));
  r = await call('get_thread', { thread_id: 'torig' });
  check('get_thread: the original and the two replies in it', r.structuredContent?.messages?.length === 3 && /Hi me/.test(text(r)) && r.structuredContent.messages[1].subject === 'Re: Quarterly report', JSON.stringify(r).slice(0, 300));
}

// 8. labels, drafts, modify, trash, delete
{
  let r = await call('list_labels', {});
  check('list_labels', r.structuredContent?.labels?.some((l) => l.name === 'Work') && /Work \(user, id Label_1\)/.test(text(r)), JSON.stringify(r).slice(0, 300));
  r = await call('create_label', { name: 'Projekt Ä' });
  const lid = r.structuredContent?.id;
  const lreq = (await requests()).filter((x) => x.method === 'POST' && x.path.endsWith('/labels')).at(-1);
  check('create_label: defaults sent', !r.isError && lreq.body.labelListVisibility === 'labelShow' && lreq.body.messageListVisibility === 'show' && lreq.body.name === 'Projekt Ä', JSON.stringify(lreq.body));
  r = await call('create_label', { name: 'Projekt Ä' });
  check('create_label twice: Gmail\'s conflict message in the error', r.isError === true && /409/.test(text(r)) && /exists/.test(text(r)), text(r));
  r = await call('modify_labels', { message_id: 'm01', add_label_ids: [lid], remove_label_ids: ['INBOX'] });
  const mreq = (await requests()).filter((x) => x.path.endsWith('/messages/m01/modify')).at(-1);
  check('modify_labels', !r.isError && mreq.body.addLabelIds[0] === lid && mreq.body.removeLabelIds[0] === 'INBOX' && r.structuredContent.labelIds.includes(lid), JSON.stringify(r));
  r = await call('modify_labels', { message_id: 'm01' });
  check('modify_labels without labels -> isError', r.isError === true, JSON.stringify(r));
  r = await call('mark_as_read', { message_id: 'm03' });
  check('mark_as_read removes UNREAD', !r.isError && !r.structuredContent.labelIds.includes('UNREAD') && (await requests()).at(-1).body.removeLabelIds[0] === 'UNREAD', JSON.stringify(r));
  r = await call('mark_as_unread', { message_id: 'm03' });
  check('mark_as_unread adds UNREAD', !r.isError && r.structuredContent.labelIds.includes('UNREAD'), JSON.stringify(r));
  r = await call('delete_label', { label_id: lid });
  check('delete_label', !r.isError && (await requests()).at(-1).method === 'DELETE', JSON.stringify(r));
  r = await call('create_draft', { to: 'x@example.com', subject: 'Entwurf ü', body: 'draft body' });
  const did = r.structuredContent?.draft_id;
  const dreq = await lastSend('/gmail/v1/users/me/drafts');
  check('create_draft: raw message in message.raw', !r.isError && viaRaw(dreq) && dreq.path === '/gmail/v1/users/me/drafts' && /=\?UTF-8\?B\?/.test(parse(rawOf(dreq)).headers.subject), JSON.stringify(r));
  {
    // text + HTML of 500000 four-byte characters each: over 4 MiB of MIME -> the drafts upload URI
    const wide = '\u{1F600}'.repeat(500000);
    const big = await call('create_draft', { to: 'x@example.com', subject: 'Big draft', body: wide, html_body: `<p>${'\u{1F600}'.repeat(499990)}</p>` });
    const up = await lastSend('/gmail/v1/users/me/drafts');
    check('create_draft above 4 MiB: the drafts upload URI, stored as a draft', !big.isError && up.path === '/upload/gmail/v1/users/me/drafts' && viaUpload(up) && up.body.large === true &&
      up.stored === big.structuredContent?.message_id && parse(await storedRaw(up.stored)).headers.subject === 'Big draft', JSON.stringify({ big: JSON.stringify(big).slice(0, 300), path: up?.path, q: up?.query, bytes: up?.bytes }));
  }
  r = await call('list_drafts', {});
  check('list_drafts', r.structuredContent?.drafts?.[0]?.draft_id === did && /draft_id/.test(text(r)), JSON.stringify(r).slice(0, 400));
  r = await call('send_draft', { draft_id: did });
  check('send_draft', !r.isError && (await lastSend('/gmail/v1/users/me/drafts/send')).body.id === did, JSON.stringify(r));
  r = await call('move_to_trash', { message_id: 'm05' });
  check('move_to_trash', !r.isError && (await requests()).at(-1).path.endsWith('/messages/m05/trash'), JSON.stringify(r));
  r = await call('delete_message', { message_id: 'm06' });
  check('delete_message', !r.isError && (await requests()).at(-1).method === 'DELETE', JSON.stringify(r));
}

// 9. provider errors
{
  let r = await call('fetch_message_by_id', { message_id: 'nope' });
  check('404 -> clear tool error', r.isError === true && /404/.test(text(r)) && /not exist|not found/i.test(text(r)), text(r));
  await fail({ path: '/labels$', method: 'POST', status: 403, www_authenticate: 'Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="https://www.googleapis.com/auth/gmail.labels"', message: 'Request had insufficient authentication scopes.' });
  r = await call('create_label', { name: 'Denied' });
  check('403 -> missing scope named, with the instance\'s re-authorize URL', r.isError === true && /403/.test(text(r)) && /Missing scope/.test(text(r)) &&
    /gmail\.labels/.test(text(r)) && (!process.env.AUTHORIZE_URL || text(r).includes(`Re-authorize this instance with them at ${process.env.AUTHORIZE_URL}`)), text(r));
  await fail({ path: '/messages/m07$', method: 'DELETE', status: 403, message: 'Request had insufficient authentication scopes.', reason: 'insufficientPermissions' });
  r = await call('delete_message', { message_id: 'm07' });
  check('403 on permanent delete names https://mail.google.com/', r.isError === true && /https:\/\/mail\.google\.com\//.test(text(r)), text(r));
  await fail({ path: '/labels$', status: 429, retry_after: 7, message: 'Too many requests' });
  r = await call('list_labels', {});
  check('429 -> rate limited with Retry-After', r.isError === true && /429/.test(text(r)) && /7 seconds/.test(text(r)), text(r));
  await fail({ path: '/labels$', status: 503 });
  r = await call('list_labels', {});
  check('5xx -> provider unavailable', r.isError === true && /503/.test(text(r)) && /try again/i.test(text(r)), text(r));
  await fail({ path: '/messages/m09$', status: 500 });
  r = await call('fetch_emails', { max_results: 10 });
  check('error in the middle of a listing -> one tool error', r.isError === true && /500/.test(text(r)), text(r));
}

// 9b. the upload URI: provider errors mapped as on the metadata URI; malformed uploads refused by (fake) Gmail
{
  const att = [{ filename: 'a.txt', content_base64: Buffer.from('hello').toString('base64') }];
  const mail = { to: 'a@example.com', subject: 'Up', body: 'x', attachments: att };
  await fail({ path: '^/upload/gmail/v1/users/me/messages/send$', method: 'POST', status: 403, message: 'Request had insufficient authentication scopes.', reason: 'insufficientPermissions',
    www_authenticate: 'Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="https://www.googleapis.com/auth/gmail.readonly"' });
  let r = await call('send_email_with_attachments', mail);
  check('upload 403 -> missing scope gmail.send named', r.isError === true && /403/.test(text(r)) && /Missing scope: this tool needs https:\/\/www.googleapis.com\/auth\/gmail.send/.test(text(r)) && /insufficient authentication scopes/.test(text(r)), text(r));
  await fail({ path: '^/upload/gmail/v1/users/me/messages/send$', status: 429, retry_after: 4, message: 'Too many requests' });
  r = await call('send_email_with_attachments', mail);
  check('upload 429 -> rate limited with Retry-After', r.isError === true && /429/.test(text(r)) && /4 seconds/.test(text(r)), text(r));
  await fail({ path: '^/upload/gmail/v1/users/me/messages/send$', status: 503 });
  r = await call('send_email_with_attachments', mail);
  check('upload 5xx -> provider unavailable', r.isError === true && /503/.test(text(r)) && /try again/i.test(text(r)), text(r));
  r = await call('send_email_with_attachments', mail);
  check('upload: the next call works again', !r.isError && (await lastSend()).path === UPLOAD_SEND, JSON.stringify(r));

  const auth = { authorization: `Bearer ${process.env.UPSTREAM_TOKEN}` };
  const msg = 'To: a@example.com\r\nSubject: direct\r\n\r\nhi\r\n';
  const mp = (b, partsText) => `--${b}\r\n${partsText.join(`\r\n--${b}\r\n`)}\r\n--${b}--\r\n`;
  const good = mp('xyz', ['Content-Type: application/json; charset=UTF-8\r\n\r\n{"threadId":"tdirect"}', `Content-Type: message/rfc822\r\n\r\n${msg}`]);
  const up = (q, ct, body) => fetch(`${gmailUrl}${UPLOAD_SEND}?${q}`, { method: 'POST', headers: { ...auth, 'content-type': ct }, body }).then(async (x) => ({ status: x.status, json: await x.json() }));
  const ok = await up('uploadType=multipart', 'multipart/related; boundary=xyz', good);
  check('fake: a well-formed multipart upload is stored with its metadata threadId', ok.status === 200 && ok.json.threadId === 'tdirect' && (await storedRaw(ok.json.id)) === msg, JSON.stringify(ok));
  const n0 = (await requests()).filter((x) => x.stored).length;
  const bad = [
    ['no uploadType', '', 'multipart/related; boundary=xyz', good],
    ['not multipart/related', 'uploadType=multipart', 'application/json', good],
    ['no boundary', 'uploadType=multipart', 'multipart/related', good],
    ['other boundary', 'uploadType=multipart', 'multipart/related; boundary=abc', good],
    ['one part', 'uploadType=multipart', 'multipart/related; boundary=xyz', mp('xyz', [`Content-Type: message/rfc822\r\n\r\n${msg}`])],
    ['metadata not JSON', 'uploadType=multipart', 'multipart/related; boundary=xyz', mp('xyz', ['Content-Type: application/json\r\n\r\n{nope', `Content-Type: message/rfc822\r\n\r\n${msg}`])],
    ['media not message/*', 'uploadType=multipart', 'multipart/related; boundary=xyz', mp('xyz', ['Content-Type: application/json\r\n\r\n{}', `Content-Type: text/plain\r\n\r\n${msg}`])],
    ['media base64, not RFC 822', 'uploadType=multipart', 'multipart/related; boundary=xyz', mp('xyz', ['Content-Type: application/json\r\n\r\n{}', `Content-Type: message/rfc822\r\n\r\n${Buffer.from(msg).toString('base64url')}`])],
    ['no closing boundary', 'uploadType=multipart', 'multipart/related; boundary=xyz', good.replace('--xyz--', '--xyz')],
  ];
  const answers = [];
  for (const [name, q, ct, body] of bad) answers.push([name, await up(q, ct, body)]);
  check('fake: malformed uploads -> 400 in Google\'s error shape, nothing stored', answers.every(([, a]) => a.status === 400 && a.json.error?.code === 400 && a.json.error.status === 'INVALID_ARGUMENT' &&
    typeof a.json.error.message === 'string' && a.json.error.errors?.[0]?.reason === 'badRequest') && (await requests()).filter((x) => x.stored).length === n0,
  JSON.stringify(answers.filter(([, a]) => a.status !== 400)));
}

// 10. 401: one refresh through the broker, retried with the new token; then re-authorize
if (hooks) {
  const stats0 = await fetch(`${brokerUrl}/_stats`).then((r) => r.json());
  await post(`${gmailUrl}/_token`, { token: 'rotated-token' });
  await post(`${brokerUrl}/_set`, { id: instance, access_token: 'rotated-token' });
  let r = await call('list_labels', {});
  const stats1 = await fetch(`${brokerUrl}/_stats`).then((x) => x.json());
  const seen = (await requests()).filter((x) => x.path.endsWith('/labels')).slice(-2).map((x) => x.auth);
  check('401 -> refreshed once through the broker, retried with the new token', !r.isError && stats1.token_refresh === stats0.token_refresh + 1 && seen[0] === `Bearer ${process.env.UPSTREAM_TOKEN}` && seen[1] === 'Bearer rotated-token', JSON.stringify({ r, seen, s0: stats0.token_refresh, s1: stats1.token_refresh }));
  r = await call('list_labels', {});
  check('the new token is cached (no further refresh)', !r.isError && (await fetch(`${brokerUrl}/_stats`).then((x) => x.json())).token_refresh === stats1.token_refresh);
  // the same on the upload URI: the multipart body is sent again, whole, with the refreshed token
  await post(`${gmailUrl}/_token`, { token: 'rotated-token-2' });
  await post(`${brokerUrl}/_set`, { id: instance, access_token: 'rotated-token-2' });
  const file = Buffer.from('after the refresh');
  r = await call('send_email_with_attachments', { to: 'a@example.com', subject: 'Refreshed', body: 'x', attachments: [{ filename: 'r.txt', content_base64: file.toString('base64') }] });
  const ups = (await requests()).filter((x) => x.path === UPLOAD_SEND).slice(-2);
  const stats2 = await fetch(`${brokerUrl}/_stats`).then((x) => x.json());
  check('upload 401 -> refreshed once, the upload retried whole with the new token', !r.isError && stats2.token_refresh === stats1.token_refresh + 1 &&
    ups[0]?.auth === 'Bearer rotated-token' && ups[1]?.auth === 'Bearer rotated-token-2' && ups[0].bytes === ups[1].bytes && ups[1].stored === r.structuredContent?.id, JSON.stringify({ r, ups: ups.map((x) => [x.auth, x.bytes]) }));
  await post(`${gmailUrl}/_token`, { token: 'nobody-has-this' });
  r = await call('list_labels', {});
  check('401 after the refresh -> re-authorize at <authorize URL>', r.isError === true && /re-authorize/i.test(text(r)) && text(r).includes(process.env.AUTHORIZE_URL), text(r));
}

await client.close();
console.log(`gmail interop: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
