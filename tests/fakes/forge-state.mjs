// forge-state.mjs - seals an OAuth state the way the broker does (oauth-service/src/oauth/state.h), from the
// broker's data key file, so the tests can present states the broker would never issue itself (already
// expired ones). Format: base64url(0x01 | key id length | key id | iv(12) | AES-256-GCM ciphertext | tag(16)),
// AAD "ob-state-v1\0" + key id, key = HKDF-SHA256(raw key, no salt, "oauth-broker oauth-state aes-256-gcm v1").
// Plaintext: flags(1, bit 0 popup, bit 1 no OIDC nonce sent) | expires_at(8, BE) | len(1) instance id | len(1) provider | len(1) verifier |
// len(1) nonce | len(2, BE) return URL.
//
// Usage: node forge-state.mjs <data.keys> '{"i": id, "p": provider, "v": verifier, "n": nonce, "e": unix s,
//        "w"?: popup, "r"?: return URL}'
//        node forge-state.mjs <data.keys> --open STATE   prints the plaintext's flags byte (decimal) of a broker state
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

const [keyFile, payload] = process.argv.slice(2);
const lines = readFileSync(keyFile, 'utf8').split(/[\n,;]/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const [kid, hex] = lines[lines.length - 1].split(/[\s:]+/);
const key = Buffer.from(hkdfSync('sha256', Buffer.from(hex, 'hex'), Buffer.alloc(0),
  Buffer.from('oauth-broker oauth-state aes-256-gcm v1'), 32));
if (payload === '--open') {
  const blob = Buffer.from(process.argv[4], 'base64url');
  const k = blob.subarray(2, 2 + blob[1]).toString();
  const d = createDecipheriv('aes-256-gcm', key, blob.subarray(2 + blob[1], 14 + blob[1]));
  d.setAAD(Buffer.concat([Buffer.from('ob-state-v1\0'), Buffer.from(k)]));
  d.setAuthTag(blob.subarray(blob.length - 16));
  const pt = Buffer.concat([d.update(blob.subarray(14 + blob[1], blob.length - 16)), d.final()]);
  console.log(pt[0]);
  process.exit(0);
}
const iv = randomBytes(12);
const c = createCipheriv('aes-256-gcm', key, iv);
c.setAAD(Buffer.concat([Buffer.from('ob-state-v1\0'), Buffer.from(kid)]));
const st = JSON.parse(payload);
const str = (v, n) => { const b = Buffer.from(v ?? ''); const h = Buffer.alloc(n); if (n === 1) h.writeUInt8(b.length); else h.writeUInt16BE(b.length); return Buffer.concat([h, b]); };
const head = Buffer.alloc(9);
head.writeUInt8(st.w ? 1 : 0, 0);
head.writeBigInt64BE(BigInt(st.e), 1);
const pt = Buffer.concat([head, str(st.i, 1), str(st.p, 1), str(st.v, 1), str(st.n, 1), str(st.r, 2)]);
const ct = Buffer.concat([c.update(pt), c.final()]);
const blob = Buffer.concat([Buffer.from([1, kid.length]), Buffer.from(kid), iv, ct, c.getAuthTag()]);
console.log(blob.toString('base64url'));
