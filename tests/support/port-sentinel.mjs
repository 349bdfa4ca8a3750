// port-sentinel.mjs - listens on the ports of a stack started by scripts/run.sh (config/services.json's registry
// ports and config/broker.json's listen.port) while the tests run, and records every connection, so that a test
// process sending anything to a port it did not start is caught (tests/support/port_sentinel.sh judges).
//
// A port already in use (a running stack, another engineer's sentinel) is left alone and reported as not covered:
// the sentinel never takes over or talks to a server it did not start.
//
// Each connection is attributed before it is answered (the peer's socket is still open then): the peer's
// socket inode from /proc/net/tcp, the process holding it from /proc/PID/fd, and the process is "ours" when
// the test run's root process (ctest) is among its ancestors or its environment carries OB_TEST_RUN=<marker>.
// Only the request line is recorded (method and path, without the query: a push body holds a token), and the
// peer's command line without query strings.
//
// Usage: node port-sentinel.mjs OUT_DIR ROOT_PID MARKER PORT...
//   OUT_DIR/ready        {"covered": [ports], "in_use": [ports], "failed": [{port, error}]} once every bind ran
//   OUT_DIR/events.jsonl one line per connection: {port, at, pid, cmd, ours, request}
// Exits when ROOT_PID is gone, on SIGTERM, or after OB_SENTINEL_MAX_S (default 10800) seconds.
import { createServer } from 'node:net';
import { appendFileSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';

const [outDir, rootArg, marker, ...portArgs] = process.argv.slice(2);
const rootPid = Number(rootArg);
const ports = [...new Set(portArgs.map(Number).filter((p) => Number.isInteger(p) && p > 0 && p < 65536))];
const maxS = Number(process.env.OB_SENTINEL_MAX_S ?? 10800);

const hexPort = (p) => p.toString(16).toUpperCase().padStart(4, '0');

// the inode of the peer's end of a loopback connection to our port: 127.0.0.1:peerPort -> 127.0.0.1:ourPort
function peerSocketInode(peerPort, ourPort) {
  const want = [`0100007F:${hexPort(peerPort)}`, `0100007F:${hexPort(ourPort)}`];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text;
    try { text = readFileSync(file, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      // tcp6 writes an IPv4-mapped address as ...FFFF0000 + the IPv4 word
      const norm = (a) => a.replace(/^0000000000000000FFFF0000/, '');
      if (norm(f[1]) === want[0] && norm(f[2]) === want[1]) return f[9];
    }
  }
  return null;
}

function pidOfInode(inode) {
  const target = `socket:[${inode}]`;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let fds;
    try { fds = readdirSync(`/proc/${name}/fd`); } catch { continue; }
    for (const fd of fds) {
      try { if (readlinkSync(`/proc/${name}/fd/${fd}`) === target) return Number(name); } catch { /* gone */ }
    }
  }
  return null;
}

const parentOf = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
};

function isOurs(pid) {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    if (marker && env.includes(`OB_TEST_RUN=${marker}`)) return true;
  } catch { /* another user's process: the ancestry still tells */ }
  try {
    for (let p = pid, n = 0; p > 1 && n < 64; p = parentOf(p), n++) if (p === rootPid) return true;
  } catch { /* a process on the way exited */ }
  return false;
}

function attribute(sock, port) {
  const ev = { port, at: new Date().toISOString(), pid: null, cmd: null, ours: null, request: null };
  const inode = peerSocketInode(sock.remotePort, port);
  const pid = inode ? pidOfInode(inode) : null;
  if (pid) {
    ev.pid = pid;
    try { ev.cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').replace(/\?\S*/g, '?...').slice(0, 200); } catch { /* gone */ }
    ev.ours = isOurs(pid);
  }
  return ev;
}

function onConnection(sock, port) {
  // attribute first, while the peer still holds its end open
  const ev = attribute(sock, port);
  let buf = '';
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    const m = /^([A-Z]{1,16}) (\S{1,512}) HTTP\/\d/.exec(buf.split('\r\n')[0]);
    ev.request = m ? `${m[1]} ${m[2].split('?')[0]}` : (buf.length ? 'not HTTP' : 'no data');
    appendFileSync(`${outDir}/events.jsonl`, JSON.stringify(ev) + '\n');
    const body = '{"code":"test_isolation_sentinel","message":"a test sent this to a port it did not start"}';
    sock.end(`HTTP/1.1 421 Misdirected Request\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
  };
  sock.setEncoding('latin1');
  sock.on('data', (d) => { buf += d; if (buf.includes('\r\n') || buf.length > 4096) finish(); });
  sock.on('error', () => {});
  sock.on('end', finish);
  setTimeout(finish, 500).unref();
}

const ready = { covered: [], in_use: [], failed: [] };
const servers = [];
await Promise.all(ports.map((port) => new Promise((resolve) => {
  const s = createServer((sock) => onConnection(sock, port));
  s.once('error', (e) => {
    if (e.code === 'EADDRINUSE') ready.in_use.push(port);
    else ready.failed.push({ port, error: e.code || String(e) });
    resolve();
  });
  s.listen({ port, host: '127.0.0.1', exclusive: true }, () => { ready.covered.push(port); servers.push(s); resolve(); });
})));
for (const k of ['covered', 'in_use']) ready[k].sort((a, b) => a - b);
writeFileSync(`${outDir}/events.jsonl`, '', { flag: 'a' });
writeFileSync(`${outDir}/ready`, JSON.stringify(ready) + '\n');

const stop = () => { for (const s of servers) s.close(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setTimeout(stop, maxS * 1000).unref();
setInterval(() => {
  try { process.kill(rootPid, 0); } catch { stop(); }
}, 1000);
