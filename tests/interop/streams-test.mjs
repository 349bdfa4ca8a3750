// streams-test.mjs - the runtime's event streams, with the official v1 SDK client where it speaks them and raw
// fetch / sockets where a test must misbehave (drop a connection at a chosen event, never read).
// Usage: node streams-test.mjs <mcp base url> <broker.json> <fake upstream log> <server pid>
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  LoggingMessageNotificationSchema, ResourceUpdatedNotificationSchema, ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';

const [base, cfgPath, upstreamLog, serverPid] = process.argv.slice(2);
const key = JSON.parse(readFileSync(cfgPath, 'utf8')).instances.find((i) => i.id === 'inst-active').key;
const url = new URL(`${base}/inst-active/mcp`);
const auth = { Authorization: `Bearer ${key}` };
let passed = 0, failed = 0;
const check = (name, ok, detail = '') => {
  if (ok) { passed++; console.log(`ok - ${name}`); } else { failed++; console.log(`not ok - ${name} ${detail}`); }
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const until = async (pred, ms) => { const t0 = Date.now(); while (!pred() && Date.now() - t0 < ms) await sleep(50); return pred(); };
const health = () => fetch(`${base}/health`).then((r) => r.json());
const rssKiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${serverPid}/status`, 'utf8'))[1]);

// ---- raw legacy helpers
const post = (sid, body, extra = {}) => fetch(url, {
  method: 'POST',
  headers: { ...auth, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25', ...(sid ? { 'mcp-session-id': sid } : {}), ...extra },
  body: JSON.stringify(body),
});
const rawSession = async () => {
  const r = await post(null, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } });
  await r.text();
  const sid = r.headers.get('mcp-session-id');
  await (await post(sid, { jsonrpc: '2.0', method: 'notifications/initialized' })).text();
  return sid;
};
const callRaw = async (sid, id, name, args) => (await post(sid, { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } })).text();
// Reads SSE events ({id, data}) from a fetch response into out until stop() or the stream ends.
const pump = async (res, out) => {
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return 'end';
      buf += dec.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i); buf = buf.slice(i + 2);
        const ev = {};
        for (const line of block.split('\n')) {
          if (line.startsWith('id: ')) ev.id = line.slice(4);
          else if (line.startsWith('data: ')) ev.data = line.slice(6);
        }
        if (ev.data) { try { ev.msg = JSON.parse(ev.data); } catch { /* priming */ } }
        if (ev.id || ev.data) out.push(ev);
      }
    }
  } catch { return 'aborted'; }
};
const getStream = (sid, lastEventId, signal) => fetch(url, {
  headers: { ...auth, accept: 'text/event-stream', 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
  signal,
});
const seqs = (events) => events.filter((e) => e.msg?.params?.logger === 'stream').map((e) => e.msg.params.data.seq);

// 1. v1 SDK: the GET stream it opens after initialize carries list_changed and resources/updated; a call's stream
//    carries logging and progress; a POST stream dropped mid-way is resumed with Last-Event-ID.
{
  let dropped = 0;
  // drops the response of test_tool_with_progress right after its first event (the connection goes away)
  const cutFetch = async (u, init) => {
    const res = await fetch(u, init);
    if (init?.method !== 'POST' || !String(init.body).includes('"test_tool_with_progress"') ||
        !res.headers.get('content-type')?.includes('text/event-stream')) return res;
    const reader = res.body.getReader();
    let sent = false;
    const body = new ReadableStream({
      async pull(ctrl) {
        if (sent) { dropped++; await reader.cancel(); ctrl.error(new Error('connection dropped by the test')); return; }
        let text = '';
        while (!text.includes('\n\n')) {
          const { value, done } = await reader.read();
          if (done) break;
          text += new TextDecoder().decode(value);
        }
        ctrl.enqueue(new TextEncoder().encode(text.slice(0, text.indexOf('\n\n') + 2)));
        sent = true;
      },
    });
    return new Response(body, { status: res.status, headers: res.headers });
  };
  const client = new Client({ name: 'streams-v1', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(url, {
    requestInit: { headers: auth }, fetch: cutFetch,
    reconnectionOptions: { initialReconnectionDelay: 100, maxReconnectionDelay: 1000, reconnectionDelayGrowFactor: 1.5, maxRetries: 3 },
  });
  let listChanged = 0;
  const updated = [], logs = [];
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => { listChanged++; });
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => { updated.push(n.params.uri); });
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => { logs.push(n.params); });
  await client.connect(transport);
  check('v1: tools capability advertises listChanged', client.getServerCapabilities()?.tools?.listChanged === true);
  await sleep(300); // the SDK opens its GET stream after notifications/initialized
  let r = await client.callTool({ name: 'test_trigger_tool_change', arguments: {} });
  check('list_changed went out on one GET stream', r.content?.[0]?.text === '1', JSON.stringify(r));
  check('v1: notifications/tools/list_changed arrived on the GET stream', await until(() => listChanged === 1, 3000), String(listChanged));

  await client.subscribeResource({ uri: 'test://static-text' });
  r = await client.callTool({ name: 'test_resource_updated', arguments: { uri: 'test://static-text' } });
  check('resources/updated sent to the subscribed session', r.content?.[0]?.text === '1', JSON.stringify(r));
  check('v1: notifications/resources/updated arrived', await until(() => updated.length === 1, 3000), JSON.stringify(updated));
  r = await client.callTool({ name: 'test_resource_updated', arguments: { uri: 'test://other' } });
  check('no update for a URI nobody subscribed to', r.content?.[0]?.text === '0', JSON.stringify(r));
  await client.unsubscribeResource({ uri: 'test://static-text' });
  r = await client.callTool({ name: 'test_resource_updated', arguments: { uri: 'test://static-text' } });
  check('resources/unsubscribe ends the updates', r.content?.[0]?.text === '0', JSON.stringify(r));

  await client.setLoggingLevel('info');
  await client.callTool({ name: 'test_tool_with_logging', arguments: {} });
  check('v1: logging/setLevel then notifications/message on the call stream', logs.filter((l) => l.logger === 'conformance').length === 3, JSON.stringify(logs));

  const progress = [];
  r = await client.callTool({ name: 'test_tool_with_progress', arguments: {} }, undefined, { onprogress: (p) => progress.push(p.progress), timeout: 10000 });
  check('the POST stream was dropped after its first event', dropped === 1, String(dropped));
  check('v1: resumed with Last-Event-ID, the result arrived', r.content?.[0]?.text === 'Tool with progress executed successfully', JSON.stringify(r));
  check('v1: exactly the missed progress events were replayed (no loss, no repeat)', JSON.stringify(progress) === '[0,50,100]', JSON.stringify(progress));

  // notifications/cancelled mid-upstream-call: the upstream request is aborted, the second step never starts
  const ac = new AbortController();
  const started = Date.now();
  const call = client.callTool({ name: 'upstream_two_steps', arguments: { ms: 2500 } }, undefined, { signal: ac.signal }).then(() => 'result', (e) => `rejected: ${e}`);
  const log = () => readFileSync(upstreamLog, 'utf8');
  check('the two-step tool reached the slow upstream request', await until(() => log().includes('request /slow'), 5000), log());
  ac.abort('the user cancelled');
  check('the cancelled call settles on the client side', (await call).startsWith('rejected'));
  check('the upstream saw its connection closed', await until(() => log().includes('slow closed early'), 3000), log());
  await sleep(Math.max(0, started + 3500 - Date.now())); // past the time the slow answer and the second step would have come
  check('the second step never started', !log().includes('step2'), log());
  check('health counts the cancelled call', (await health()).streams?.cancelled_calls >= 1);
  await transport.terminateSession();
  await client.close();
}

// 2. the GET stream dropped mid-way; reconnecting with Last-Event-ID gets exactly the missed events
{
  const sid = await rawSession();
  const ac = new AbortController();
  const first = [];
  const g = await getStream(sid, null, ac.signal);
  check('GET opens the session stream', g.status === 200 && g.headers.get('content-type') === 'text/event-stream', String(g.status));
  const pumping = pump(g, first);
  await callRaw(sid, 2, 'test_stream_notify', { count: 6 });
  await until(() => seqs(first).length >= 2, 3000);
  ac.abort();
  await pumping;
  const got = seqs(first);
  const last = first.filter((e) => e.msg?.params?.logger === 'stream')[got.length - 1].id;
  check('every event carries an id <stream>-<seq>', first.every((e) => /^0-\d+$/.test(e.id ?? '')), JSON.stringify(first.map((e) => e.id)));
  await sleep(900); // the rest is sent while no GET is open
  const again = [];
  const ac2 = new AbortController();
  const g2 = await getStream(sid, last, ac2.signal);
  const p2 = pump(g2, again);
  await sleep(500);
  ac2.abort(); await p2;
  const want = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6'].slice(got.length);
  check('resumed GET replays exactly the missed events', JSON.stringify(seqs(again)) === JSON.stringify(want), `${JSON.stringify(got)} then ${JSON.stringify(seqs(again))}`);
  // the replay buffer is bounded (64 KiB here): after 20 x 8 KiB the oldest events are gone, and a resume that cannot
  // be exact is refused
  await callRaw(sid, 3, 'test_stream_notify', { count: 20, size: 8192, burst: true });
  await sleep(400);
  const g3 = await getStream(sid, '0-1');
  check('resume past the bounded replay buffer -> 404', g3.status === 404, String(g3.status));
  await g3.text();
  const g4 = await getStream(sid, 'garbage');
  check('malformed Last-Event-ID -> 400', g4.status === 400, String(g4.status));
  await g4.text();
  const g5 = await fetch(url, { headers: { ...auth, accept: 'text/event-stream' } });
  check('GET without a session -> 405', g5.status === 405, String(g5.status));
  await g5.text();
  await (await fetch(url, { method: 'DELETE', headers: { ...auth, 'mcp-session-id': sid } })).text(); // ends its GET
}

// 3. a reader that does not read is dropped; the server's memory stays bounded
{
  console.log(`# open streams before the slow reader: ${JSON.stringify((await health()).streams)}`);
  const sid = await rawSession();
  const asan = (() => { try { return execFileSync('ldd', [`/proc/${serverPid}/exe`]).toString().includes('asan'); } catch { return false; } })();
  const sock = net.connect(Number(url.port), '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  sock.pause(); // never reads: the kernel buffers fill, then h2o's, then ours
  sock.write(`GET ${url.pathname} HTTP/1.1\r\nHost: 127.0.0.1:${url.port}\r\nAuthorization: Bearer ${key}\r\nAccept: text/event-stream\r\nMcp-Session-Id: ${sid}\r\nMcp-Protocol-Version: 2025-11-25\r\n\r\n`);
  await sleep(300);
  const before = rssKiB();
  const droppedBefore = (await health()).streams?.dropped_slow_readers;
  const pushedMiB = 32;
  await callRaw(sid, 2, 'test_stream_notify', { count: pushedMiB * 16, size: 65536, burst: true });
  await sleep(1500); // the burst goes out at the fixture's next 100 ms tick
  const h = await health();
  check('the slow reader was dropped', h.streams?.dropped_slow_readers === droppedBefore + 1, JSON.stringify(h.streams));
  const grown = (rssKiB() - before) / 1024;
  // under ASan freed memory sits in its quarantine (256 MiB), so RSS says nothing there; the other checks still do
  if (asan) console.log(`# RSS +${grown.toFixed(1)} MiB under ASan (quarantine): not judged`);
  else check(`server memory bounded while ${pushedMiB} MiB went to a reader that does not read (RSS +${grown.toFixed(1)} MiB)`, grown < 12, `${grown} MiB`);
  // what the reader can still get is what the kernel buffered before the drop: far less than what was sent
  let received = 0;
  sock.on('data', (d) => { received += d.length; });
  sock.resume();
  const closed = await new Promise((r) => { sock.once('close', () => r(true)); sock.once('error', () => {}); setTimeout(() => r(false), 5000); });
  check(`the dropped connection is closed (${(received / 1048576).toFixed(1)} MiB were buffered before it)`, closed && received < pushedMiB * 1048576 / 2, `${closed} ${received}`);
  let open;
  for (let i = 0; i < 30 && open !== 0; i++) { open = (await health()).streams?.open; if (open !== 0) await sleep(100); }
  check('health: no GET stream left open', open === 0, String(open));
}

// 4. 2026-07-28: subscriptions/listen acknowledges the honoured filter first, then tags every notification
{
  const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
  const modern = (id, method, params, signal) => fetch(url, {
    method: 'POST', signal,
    headers: { ...auth, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': method, ...(params.name ? { 'mcp-name': params.name } : {}) },
    body: JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, _meta: meta } }),
  });
  const ac = new AbortController();
  const events = [];
  const l = await modern('sub-1', 'subscriptions/listen', { notifications: { toolsListChanged: true, promptsListChanged: true, resourceSubscriptions: ['test://static-text'] } }, ac.signal);
  check('subscriptions/listen answers an event stream', l.status === 200 && l.headers.get('content-type') === 'text/event-stream', String(l.status));
  const p = pump(l, events);
  await until(() => events.length >= 1, 2000);
  const ack = events[0]?.msg;
  check('first event: notifications/subscriptions/acknowledged with the honoured filter',
    ack?.method === 'notifications/subscriptions/acknowledged' && ack.params.notifications.toolsListChanged === true &&
    ack.params.notifications.promptsListChanged === undefined && ack.params._meta?.['io.modelcontextprotocol/subscriptionId'] === 'sub-1', JSON.stringify(ack));
  await (await modern('c1', 'tools/call', { name: 'test_trigger_tool_change', arguments: {} })).text();
  await (await modern('c2', 'tools/call', { name: 'test_resource_updated', arguments: { uri: 'test://static-text' } })).text();
  await until(() => events.length >= 3, 2000);
  ac.abort(); await p;
  const rest = events.slice(1).map((e) => e.msg);
  check('list_changed and resources/updated on the listen stream, tagged with the subscription id',
    rest.length === 2 && rest[0].method === 'notifications/tools/list_changed' && rest[1].method === 'notifications/resources/updated' &&
    rest.every((m) => m.params?._meta?.['io.modelcontextprotocol/subscriptionId'] === 'sub-1'), JSON.stringify(rest));
  const bad = await modern('sub-2', 'subscriptions/listen', {});
  check('subscriptions/listen without notifications -> 400 -32602', bad.status === 400 && (await bad.json()).error?.code === -32602);
}

console.log(`streams: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
