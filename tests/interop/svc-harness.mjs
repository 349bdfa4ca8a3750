// svc-harness.mjs - shared by the service interop drivers (outlook-test.mjs, github-test.mjs): connects the
// official SDK client (v1, legacy era) to a service instance with its access key, TAP-style checks, and the hooks
// of the fake broker / fake provider API. Broker-agnostic: only the /_stats and /_set hooks are fake-specific and
// are skipped when the broker does not offer them (BROKER_IS_REAL=1).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export const results = { passed: 0, failed: 0 };
export const check = (name, ok, detail = '') => {
  if (ok) { results.passed++; console.log(`ok - ${name}`); } else { results.failed++; console.log(`not ok - ${name} ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`); }
};
export async function connect(base, instance, key) {
  const client = new Client({ name: 'svc-interop', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/${instance}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${key}` } } }));
  return client;
}
export const text = (r) => (r.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');
export const json = (url, body) => fetch(url, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
// The fake API's requests since the last reset, then resets.
export async function drain(api) {
  const r = await json(`${api}/_requests`);
  await json(`${api}/_reset`, {});
  return r;
}
export const done = () => {
  console.log(`# ${results.passed} passed, ${results.failed} failed`);
  process.exit(results.failed ? 1 : 0);
};
