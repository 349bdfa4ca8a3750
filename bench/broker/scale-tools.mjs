// scale-tools.mjs - helpers of bench/broker/scale.sh. Not a test.
//
//   node scale-tools.mjs seed <data.keys> <n> <ids.txt> <instances.tsv> <credentials.tsv>
//       n vendable gmail instances (active, authorized, a token valid for a day) as COPY text files for
//       mcp_service_table and mcp_credentials; each access token sealed exactly as the broker seals it
//       (oauth-service/src/store/cred_crypto.h: AES-256-GCM under the newest key's credentials sub-key, associated
//       data "ob-cred-v1" NUL <instance id> NUL "access_token"), so the broker opens it like one it wrote itself.
//       The ids go to ids.txt, one a line (wrk's vend script reads them).
//   node scale-tools.mjs propagate <broker A> <broker B> <admin key> <service bearer> <instance id> <changes>
//       changes PATCHes at A alternating inactive/active; after each, B is vended in a tight loop (keep-alive) until
//       it answers accordingly (409 / 200). Delay = A's 200 received (the change committed) -> B's first answer
//       that reflects it. Prints {n, p50_ms, p99_ms, max_ms, timeouts}.
import { createCipheriv, createHash, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';

const [mode, ...args] = process.argv.slice(2);

function seed(keysFile, n, idsFile, instFile, credFile) {
  const lines = readFileSync(keysFile, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const [keyId, hex] = lines[lines.length - 1].split(/[\s:]+/); // the newest (last) key seals
  const sub = Buffer.from(hkdfSync('sha256', Buffer.from(hex, 'hex'), Buffer.alloc(0),
    Buffer.from('oauth-broker credentials aes-256-gcm v1'), 32));
  const expires = new Date(Date.now() + 86400e3).toISOString();
  const ids = [], inst = [], cred = [];
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', sub, iv);
    c.setAAD(Buffer.concat([Buffer.from('ob-cred-v1\0'), Buffer.from(id + '\0'), Buffer.from('access_token')]));
    const ct = Buffer.concat([iv, c.update(Buffer.from(`bulk-token-${i}`)), c.final(), c.getAuthTag()]);
    ids.push(id);
    inst.push([id, 'bench', 'gmail', 'active', 'completed', createHash('sha256').update(id).digest('hex')].join('\t'));
    cred.push([id, 'bench', '\\\\x' + ct.toString('hex'), keyId, expires, 'Bearer'].join('\t'));
  }
  writeFileSync(idsFile, ids.join('\n') + '\n');
  writeFileSync(instFile, inst.join('\n') + '\n');
  writeFileSync(credFile, cred.join('\n') + '\n');
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
function request(url, method, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function propagate(a, b, adminKey, bearer, id, changes) {
  const vendHeaders = { authorization: `Bearer ${bearer}`, 'x-mcp-service': 'gmail' };
  const adminHeaders = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
  const delays = [];
  let timeouts = 0;
  for (let i = 0; i < changes; i++) {
    const status = i % 2 === 0 ? 'inactive' : 'active';
    const want = status === 'inactive' ? 409 : 200;
    const st = await request(`${a}/instances/${id}`, 'PATCH', adminHeaders, JSON.stringify({ status }));
    if (st !== 200) throw new Error(`PATCH answered ${st}`);
    const t0 = process.hrtime.bigint();
    for (;;) {
      const got = await request(`${b}/instances/${id}/token`, 'GET', vendHeaders);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (got === want) { delays.push(ms); break; }
      if (ms > 2000) { timeouts++; break; }
    }
  }
  delays.sort((x, y) => x - y);
  const q = (p) => delays.length ? delays[Math.min(delays.length - 1, Math.floor(p * delays.length))] : null;
  const r = (v) => (v == null ? null : Math.round(v * 100) / 100);
  console.log(JSON.stringify({ n: delays.length, p50_ms: r(q(0.5)), p99_ms: r(q(0.99)), max_ms: r(delays[delays.length - 1]), timeouts }));
  agent.destroy();
}

if (mode === 'seed') seed(args[0], Number(args[1]), args[2], args[3], args[4]);
else if (mode === 'propagate') await propagate(args[0], args[1], args[2], args[3], args[4], Number(args[5]));
else { console.error('usage: see the header'); process.exit(2); }
