// bulk-instances.mjs - creates N gmail instances through a broker's admin API and imports one token set into each
// (POST /instances, then POST /cache-tokens), a bounded number of requests in flight; prints the instance ids, one a
// line, in creation order. Every instance gets the same refresh token: the caller seeds it once at the fake provider
// (POST /_seed), which does not rotate it unless told to. Used by the refresh backlog test and benchmark, which need
// thousands of refreshable instances quickly.
//
//   node bulk-instances.mjs BROKER_URL ADMIN_KEY_FILE COUNT REFRESH_TOKEN [CLIENT_ID CLIENT_SECRET [IN_FLIGHT]]
//
// Exits 1 on the first request that does not answer 2xx (its status and code on stderr, never a token).
import http from 'node:http';
import { readFileSync } from 'node:fs';

const [base, keyFile, countStr, refreshToken, clientId = 'gclient', clientSecret = 'gsecret-1', inFlightStr = '16'] =
  process.argv.slice(2);
const count = Number(countStr);
const inFlight = Number(inFlightStr);
if (!base || !keyFile || !refreshToken || !(count >= 1 && count <= 200000) || !(inFlight >= 1 && inFlight <= 256)) {
  console.error('usage: bulk-instances.mjs BROKER_URL ADMIN_KEY_FILE COUNT(1..200000) REFRESH_TOKEN [CLIENT_ID CLIENT_SECRET [IN_FLIGHT]]');
  process.exit(2);
}
const adminKey = readFileSync(keyFile, 'utf8').trim();
const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });

function post(path, body) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request(`${base}${path}`, {
      method: 'POST', agent, timeout: 30000,
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
    }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => {
        if (res.statusCode < 200 || res.statusCode > 299) {
          let code = '';
          try { code = JSON.parse(text).code ?? ''; } catch { /* not JSON */ }
          reject(new Error(`${path}: ${res.statusCode} ${code}`));
          return;
        }
        try { resolve(JSON.parse(text)); } catch (e) { reject(new Error(`${path}: unparsable answer`)); }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${path}: timeout`)));
    req.on('error', reject);
    req.end(data);
  });
}

const ids = new Array(count);
let next = 0;
async function worker() {
  for (;;) {
    const i = next++;
    if (i >= count) return;
    const inst = await post('/instances', { service: 'gmail', user_id: `bulk${i}`, client_id: clientId, client_secret: clientSecret });
    await post('/cache-tokens', { instance_id: inst.instance_id, access_token: `imported-${i}`, refresh_token: refreshToken, expires_in: 86400 });
    ids[i] = inst.instance_id;
  }
}
try {
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
} catch (e) {
  console.error(`bulk-instances: ${e.message}`);
  process.exit(1);
}
agent.destroy();
process.stdout.write(ids.join('\n') + '\n');
