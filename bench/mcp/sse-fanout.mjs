// sse-fanout.mjs - the load tool of bench/mcp/sse-fanout.sh: opens N legacy sessions on one MCP server, holds one
// idle GET stream (SSE) per session over raw sockets, reports the server's RSS per stream, then fans out
// notifications/tools/list_changed (the fixture's test_trigger_tool_change) ROUNDS times and reports the latency from
// the trigger to each stream's receipt (p50, p99, max over all streams; the median round), and the time until the
// trigger's own answer came back (the server answers it after it has queued the notification on every stream).
// Usage: node sse-fanout.mjs <port> <server pid> <streams> <rounds>
import { readFileSync } from 'node:fs';
import net from 'node:net';

const [port, pid, streams, rounds] = process.argv.slice(2).map(Number);
const url = `http://127.0.0.1:${port}/bench/mcp`;
// utime + stime of the server in clock ticks (10 ms on Linux's USER_HZ = 100)
const cpuTicks = () => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return Number(f[11]) + Number(f[12]); };
const rssKiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const post = (sid, body) => fetch(url, {
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25', ...(sid ? { 'mcp-session-id': sid } : {}) },
  body: JSON.stringify(body),
});
const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } };

// sessions, 64 at a time
const sids = [];
for (let i = 0; i < streams; i += 64) {
  const batch = await Promise.all(Array.from({ length: Math.min(64, streams - i) }, async () => {
    const r = await post(null, init);
    await r.text();
    return r.headers.get('mcp-session-id');
  }));
  sids.push(...batch);
}
if (sids.some((s) => !s)) { console.error('a session could not be opened'); process.exit(1); }
await sleep(500);
const rssSessions = rssKiB();

// one idle GET stream per session; each records when the current round's notification reaches it
let round = 0, t0 = 0n;
const arrivals = [];
const socks = [];
const open = (sid) => new Promise((resolve, reject) => {
  const s = net.connect(port, '127.0.0.1');
  let head = false, buf = '';
  s.setEncoding('utf8');
  s.on('error', reject);
  s.on('data', (d) => {
    buf += d;
    if (!head && buf.includes('\r\n\r\n')) {
      if (!buf.startsWith('HTTP/1.1 200')) { reject(new Error(buf.slice(0, 200))); return; }
      head = true; resolve(s);
    }
    if (buf.includes('list_changed')) {
      arrivals.push(Number(process.hrtime.bigint() - t0) / 1000);
      buf = '';
    } else if (buf.length > 4096) {
      buf = buf.slice(-64);
    }
  });
  s.write(`GET /bench/mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\nMcp-Session-Id: ${sid}\r\nMcp-Protocol-Version: 2025-11-25\r\n\r\n`);
});
for (let i = 0; i < sids.length; i += 250) socks.push(...await Promise.all(sids.slice(i, i + 250).map(open)));
await sleep(1000);
const rssStreams = rssKiB();

// the trigger goes over a raw keep-alive socket too: t0 is taken right before its bytes are written
const trigger = net.connect(port, '127.0.0.1');
await new Promise((r) => trigger.once('connect', r));
trigger.setNoDelay(true);
let answer = '';
trigger.setEncoding('utf8');
let answeredUs = 0;
trigger.on('data', (d) => {
  answer += d;
  if (answer.includes('"text"') && !answeredUs) answeredUs = Number(process.hrtime.bigint() - t0) / 1000;
});
const fire = (id) => {
  const body = JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'test_trigger_tool_change', arguments: {} } });
  answer = '';
  answeredUs = 0;
  t0 = process.hrtime.bigint();
  trigger.write(`POST /bench/mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nMcp-Session-Id: ${sids[0]}\r\nMcp-Protocol-Version: 2025-11-25\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
};

const pct = (a, p) => a[Math.min(a.length - 1, Math.floor((a.length * p) / 100))];
const results = [];
for (round = 1; round <= rounds; round++) {
  arrivals.length = 0;
  const c0 = cpuTicks();
  fire(2 + round);
  for (let i = 0; i < 400 && (arrivals.length < streams || !answer.includes('"text"')); i++) await sleep(5);
  const cpuMs = (cpuTicks() - c0) * 10;
  const fanned = Number(/"text":"(\d+)"/.exec(answer)?.[1]);
  const a = arrivals.slice().sort((x, y) => x - y);
  results.push({ fanned, got: a.length, p50: pct(a, 50), p99: pct(a, 99), max: a[a.length - 1], answered: answeredUs, cpu: cpuMs });
  await sleep(300);
}
const med = (k) => results.map((r) => r[k]).sort((x, y) => x - y)[Math.floor(results.length / 2)];
console.log(JSON.stringify({
  streams, rounds, rss_sessions_kib: rssSessions, rss_streams_kib: rssStreams,
  rss_per_stream_bytes: Math.round(((rssStreams - rssSessions) * 1024) / streams),
  fanned: results.map((r) => r.fanned), received: results.map((r) => r.got),
  p50_ms: med('p50') / 1000, p99_ms: med('p99') / 1000, max_ms: med('max') / 1000, answered_ms: med('answered') / 1000, server_cpu_ms: med('cpu'),
  rounds_detail: results.map((r) => ({ p50_ms: r.p50 / 1000, p99_ms: r.p99 / 1000, max_ms: r.max / 1000 })),
}));
for (const s of socks) s.destroy();
trigger.destroy();
process.exit(0);
