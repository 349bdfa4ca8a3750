// forge-state.mjs - seals an OAuth state the way the broker does (oauth-service/src/oauth/state.h), from the
// broker's data key file, so the tests can present states the broker would never issue itself (already
// expired ones). Format: base64url(0x01 | key id length | key id | iv(12) | AES-256-GCM ciphertext | tag(16)),
// AAD "ob-state-v1\0" + key id, key = HKDF-SHA256(raw key, no salt, "oauth-broker oauth-state aes-256-gcm v1").
//
// Usage: node forge-state.mjs <data.keys> '<plaintext JSON {"i","p","v","n","e",...}>'
import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

const [keyFile, payload] = process.argv.slice(2);
const lines = readFileSync(keyFile, 'utf8').split(/[\n,;]/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const [kid, hex] = lines[lines.length - 1].split(/[\s:]+/);
const key = Buffer.from(hkdfSync('sha256', Buffer.from(hex, 'hex'), Buffer.alloc(0),
  Buffer.from('oauth-broker oauth-state aes-256-gcm v1'), 32));
const iv = randomBytes(12);
const c = createCipheriv('aes-256-gcm', key, iv);
c.setAAD(Buffer.concat([Buffer.from('ob-state-v1\0'), Buffer.from(kid)]));
const ct = Buffer.concat([c.update(Buffer.from(payload)), c.final()]);
const blob = Buffer.concat([Buffer.from([1, kid.length]), Buffer.from(kid), iv, ct, c.getAuthTag()]);
console.log(blob.toString('base64url'));
