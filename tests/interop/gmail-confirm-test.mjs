// gmail-confirm-test.mjs - mcp-gmail started with MCP_CONFIRM_DESTRUCTIVE=1: sending and destructive tools ask the
// user through elicitation (when the client declares it) before anything goes to the Gmail API; decline, cancel or
// an unchecked box ends the call with a tool result saying nothing was done, and the fake API saw no request.
// Usage: node gmail-confirm-test.mjs <mcp base> <instance> <key> <fake gmail base>
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import * as v2 from '@modelcontextprotocol/client';

const [base, instance, key, gmailBase] = process.argv.slice(2);
const url = new URL(`${base}/${instance}/mcp`);
const auth = { requestInit: { headers: { Authorization: `Bearer ${key}` } } };
let passed = 0, failed = 0;
const check = (name, ok, detail = '') => {
  if (ok) { passed++; console.log(`ok - ${name}`); } else { failed++; console.log(`not ok - ${name} ${detail}`); }
};
const text = (r) => r?.content?.[0]?.text ?? '';
const requests = async () => (await fetch(`${gmailBase}/_requests`)).json();
const writes = async () => (await requests()).filter((q) => q.method !== 'GET');
const mail = { to: 'bob@example.com', subject: 'Quarterly numbers', body: 'See attached.' };

async function v1(answer, capabilities = { elicitation: {} }) {
  const asked = [];
  const client = new Client({ name: 'confirm-v1', version: '1.0.0' }, { capabilities });
  if (capabilities.elicitation) client.setRequestHandler(ElicitRequestSchema, async (req) => { asked.push(req.params); return answer; });
  await client.connect(new StreamableHTTPClientTransport(url, auth));
  return { client, asked };
}

for (const [label, answer] of [['decline', { action: 'decline' }], ['cancel', { action: 'cancel' }],
  ['accept without the box checked', { action: 'accept', content: { confirm: false } }]]) {
  const before = (await writes()).length;
  const { client, asked } = await v1(answer);
  const r = await client.callTool({ name: 'send_email', arguments: mail });
  check(`send_email, ${label}: a result saying nothing was done`, r.isError === true && /Nothing was done/.test(text(r)) && /no request was sent/.test(text(r)), JSON.stringify(r));
  check(`send_email, ${label}: nothing reached the Gmail API`, (await writes()).length === before);
  check(`send_email, ${label}: the user was asked once, with the tool and its arguments`, asked.length === 1 && /Send email/.test(asked[0].message) && /Quarterly numbers/.test(asked[0].message) && asked[0].requestedSchema?.properties?.confirm?.type === 'boolean', JSON.stringify(asked));
  await client.close();
}
{
  const before = (await writes()).length;
  const { client, asked } = await v1({ action: 'accept', content: { confirm: true } });
  const r = await client.callTool({ name: 'send_email', arguments: mail });
  const w = await writes();
  check('send_email, confirmed: sent', !r.isError && /sent/i.test(text(r)) && w.length === before + 1 && /messages\/send/.test(w.at(-1).path), JSON.stringify(r));
  const d = await client.callTool({ name: 'delete_message', arguments: { message_id: 'm06' } });
  check('delete_message (destructiveHint), confirmed: deleted', !d.isError && (await writes()).at(-1).method === 'DELETE', JSON.stringify(d));
  const ro = await client.callTool({ name: 'list_labels', arguments: {} });
  check('read-only tools are never confirmed', !ro.isError && asked.length === 2, `${asked.length}`);
  await client.close();
}
{
  const before = (await writes()).length;
  const { client } = await v1({ action: 'decline' });
  const d = await client.callTool({ name: 'delete_message', arguments: { message_id: 'm07' } });
  check('delete_message, declined: not deleted', d.isError === true && /Nothing was done/.test(text(d)) && (await writes()).length === before, JSON.stringify(d));
  await client.close();
}
{
  // a client that cannot be asked: the tool runs as without confirmation
  const before = (await writes()).length;
  const { client } = await v1(null, {});
  const r = await client.callTool({ name: 'send_email', arguments: mail });
  check('no elicitation capability: not asked, sent', !r.isError && (await writes()).length === before + 1, JSON.stringify(r));
  await client.close();
}
for (const [action, sends] of [['decline', false], ['accept', true]]) {
  // 2026-07-28: the confirmation is an input_required round, auto-fulfilled by the v2 client
  const before = (await writes()).length;
  const client = new v2.Client({ name: 'confirm-v2', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: 'auto' } });
  client.setRequestHandler('elicitation/create', async () => (action === 'accept' ? { action, content: { confirm: true } } : { action }));
  await client.connect(new v2.StreamableHTTPClientTransport(url, auth));
  const r = await client.callTool({ name: 'send_email', arguments: mail });
  const n = (await writes()).length - before;
  check(`v2 modern, ${action}: ${sends ? 'sent once' : 'nothing sent'}`, client.getProtocolEra() === 'modern' && (sends ? !r.isError && n === 1 : r.isError === true && n === 0), `${n} ${JSON.stringify(r)}`);
  await client.close();
}
console.log(`gmail confirm: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
