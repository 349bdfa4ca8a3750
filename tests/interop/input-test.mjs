// input-test.mjs - tools asking the client for input (elicitation, sampling, roots) through the official SDK clients
// in both eras (v1: 2025-11-25 server requests on the call's SSE stream; v2: the same, and 2026-07-28 input_required
// auto-fulfilled), and the refusals on the wire: an undeclared capability, a tampered or foreign requestState, a
// response from another session or to an unknown id, decline and cancel, too many pending requests, a client that
// never answers. Usage: node input-test.mjs <base url of mcp-conformance, MCP_AUTH=none, MCP_INPUT_TIMEOUT_S=2,
// MCP_INPUT_MAX_PENDING=2>
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import * as v2 from '@modelcontextprotocol/client';

const base = process.argv[2];
const url = new URL(`${base}/inst-in/mcp`);
let passed = 0, failed = 0;
const check = (name, ok, detail = '') => {
  if (ok) { passed++; console.log(`ok - ${name}`); } else { failed++; console.log(`not ok - ${name} ${detail}`); }
};
const text = (r) => r?.content?.[0]?.text ?? '';
const H = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

// ---- v1 SDK, 2025-11-25: the server's requests arrive on the call's stream, the client's answers go back by POST
async function v1(capabilities, handlers) {
  const client = new Client({ name: 'input-v1', version: '1.0.0' }, { capabilities });
  if (handlers.elicit) client.setRequestHandler(ElicitRequestSchema, handlers.elicit);
  if (handlers.sample) client.setRequestHandler(CreateMessageRequestSchema, handlers.sample);
  if (handlers.roots) client.setRequestHandler(ListRootsRequestSchema, handlers.roots);
  const transport = new StreamableHTTPClientTransport(url);
  await client.connect(transport);
  return { client, transport };
}
{
  let asked = null;
  const { client } = await v1({ elicitation: {}, sampling: {}, roots: {} }, {
    elicit: async (req) => { asked = req.params; return { action: 'accept', content: { username: 'ada', email: 'ada@example.com' } }; },
    sample: async (req) => ({ role: 'assistant', content: { type: 'text', text: `echo ${req.params.messages[0].content.text}` }, model: 'm' }),
    roots: async () => ({ roots: [{ uri: 'file:///work', name: 'work' }] }),
  });
  const r = await client.callTool({ name: 'test_elicitation', arguments: { message: 'Who are you?' } });
  check('v1: elicitation answered, the tool ran again with the answer', /action=accept/.test(text(r)) && /ada@example.com/.test(text(r)), JSON.stringify(r));
  check('v1: the form request carried the message and the schema', asked?.message === 'Who are you?' && asked?.requestedSchema?.required?.length === 2, JSON.stringify(asked));
  const s = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'hi there' } });
  check('v1: sampling answered', text(s) === 'LLM response: echo hi there', JSON.stringify(s));
  const m = await client.callTool({ name: 'test_input_required_result_list_roots', arguments: {} });
  check('v1: roots/list answered', text(m) === 'Roots: file:///work', JSON.stringify(m));
  await client.close();
}
{
  let round = 0;
  const { client } = await v1({ elicitation: {} }, {
    elicit: async (req) => { round++; return { action: 'accept', content: /color/.test(req.params.message) ? { color: 'blue' } : { name: 'Alice' } }; },
  });
  const r = await client.callTool({ name: 'test_input_required_result_multi_round', arguments: {} });
  check('v1: two rounds of questions in one call', text(r) === 'Alice likes blue.' && round === 2, `${round} ${JSON.stringify(r)}`);
  let first = true;
  const r2 = await client.callTool({ name: 'test_input_required_result_elicitation', arguments: {} });
  check('v1: same session, next call', text(r2) === 'Hello, Alice!', JSON.stringify(r2));
  await client.close();
  void first;
}
for (const action of ['decline', 'cancel']) {
  const { client } = await v1({ elicitation: {} }, { elicit: async () => ({ action }) });
  const r = await client.callTool({ name: 'test_elicitation', arguments: { message: 'Who?' } });
  check(`v1: ${action} reaches the tool`, new RegExp(`action=${action}`).test(text(r)), JSON.stringify(r));
  await client.close();
}
{
  const { client } = await v1({}, {});
  const r = await client.callTool({ name: 'test_elicitation', arguments: { message: 'Who?' } });
  check('v1: undeclared elicitation -> tool error naming the capability', r.isError === true && /elicitation capability/.test(text(r)), JSON.stringify(r));
  const s = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'x' } });
  check('v1: undeclared sampling -> tool error naming the capability', s.isError === true && /sampling capability/.test(text(s)), JSON.stringify(s));
  await client.close();
}
{
  // MCP_INPUT_MAX_PENDING=2: three questions at once do not fit
  const { client } = await v1({ elicitation: {}, sampling: {}, roots: {} }, {
    elicit: async () => ({ action: 'accept', content: { name: 'A' } }),
    sample: async () => ({ role: 'assistant', content: { type: 'text', text: 'Hi' }, model: 'm' }),
    roots: async () => ({ roots: [] }),
  });
  const r = await client.callTool({ name: 'test_input_required_result_multiple_inputs', arguments: {} });
  check('v1: more pending requests than a session may have -> tool error', r.isError === true && /Too many requests/.test(text(r)), JSON.stringify(r));
  await client.close();
}

// ---- raw 2025-11-25: who may answer
async function session(caps) {
  const r = await fetch(url, { method: 'POST', headers: H, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: caps, clientInfo: { name: 'raw', version: '0' } } }) });
  await r.text();
  const sid = r.headers.get('mcp-session-id');
  const h = { ...H, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' };
  await fetch(url, { method: 'POST', headers: h, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
  return h;
}
// Starts a tools/call and reads its SSE stream: resolves the first server request, then (.rest) the final response.
async function streamCall(h, name, args, signal) {
  const res = await fetch(url, { method: 'POST', headers: h, signal, body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name, arguments: args } }) });
  return events(res);
}
// The messages of an SSE response, one per next() (null at its end); lastId() is the id of the last one read.
function events(res) {
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '', last = null;
  const next = async () => {
    for (;;) {
      const i = buf.indexOf('\n\n');
      if (i >= 0) {
        const ev = buf.slice(0, i).split('\n'); buf = buf.slice(i + 2);
        const data = ev.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('');
        if (data) {
          last = ev.find((l) => l.startsWith('id:'))?.slice(3).trim() ?? null;
          return JSON.parse(data);
        }
        continue;
      }
      const { value, done } = await reader.read();
      if (done) return null;
      buf += dec.decode(value, { stream: true });
    }
  };
  return { status: res.status, type: res.headers.get('content-type'), next, lastId: () => last };
}
{
  const a = await session({ elicitation: {} });
  const b = await session({ elicitation: {} });
  const call = await streamCall(a, 'test_input_required_result_elicitation', {});
  const req = await call.next();
  check('raw: the call switches to SSE and sends elicitation/create with an id', call.type?.startsWith('text/event-stream') && req?.method === 'elicitation/create' && Number.isInteger(req?.id), JSON.stringify(req));
  const answer = { jsonrpc: '2.0', id: req.id, result: { action: 'accept', content: { name: 'Bob' } } };
  const other = await fetch(url, { method: 'POST', headers: b, body: JSON.stringify(answer) });
  const otherBody = await other.json().catch(() => null);
  check('raw: another session answering -> 400 -32600', other.status === 400 && otherBody?.error?.code === -32600, `${other.status} ${JSON.stringify(otherBody)}`);
  const unknown = await fetch(url, { method: 'POST', headers: a, body: JSON.stringify({ ...answer, id: 987654 }) });
  await unknown.text();
  check('raw: a response to an unknown id -> 400', unknown.status === 400, String(unknown.status));
  const ok = await fetch(url, { method: 'POST', headers: a, body: JSON.stringify(answer) });
  await ok.text();
  check('raw: the owning session answers -> 202', ok.status === 202, String(ok.status));
  const fin = await call.next();
  check('raw: the original stream carries the result', fin?.id === 7 && fin?.result?.content?.[0]?.text === 'Hello, Bob!', JSON.stringify(fin));
  const again = await fetch(url, { method: 'POST', headers: a, body: JSON.stringify(answer) });
  await again.text();
  check('raw: answering the same id twice -> 400', again.status === 400, String(again.status));

  // a client error response ends the call with a tool error
  const call2 = await streamCall(a, 'test_input_required_result_elicitation', {});
  const req2 = await call2.next();
  const err = await fetch(url, { method: 'POST', headers: a, body: JSON.stringify({ jsonrpc: '2.0', id: req2.id, error: { code: -32600, message: 'user closed the dialog' } }) });
  await err.text();
  const fin2 = await call2.next();
  check('raw: an error response -> tool error, nothing done', err.status === 202 && fin2?.result?.isError === true && /did not answer/.test(fin2?.result?.content?.[0]?.text ?? ''), JSON.stringify(fin2));

  // the client goes away while the call waits: a disconnect is no cancellation (2025-11-25), so the call still takes
  // the answer, and the client resumes the stream with Last-Event-ID to read the result
  const ac = new AbortController();
  const call4 = await streamCall(a, 'test_input_required_result_elicitation', {}, ac.signal);
  const req4 = await call4.next();
  const reqEventId = call4.lastId();
  ac.abort();
  await new Promise((r) => setTimeout(r, 300));
  const late = await fetch(url, { method: 'POST', headers: a, body: JSON.stringify({ jsonrpc: '2.0', id: req4.id, result: { action: 'accept', content: { name: 'Late' } } }) });
  await late.text();
  check('raw: the stream closed while waiting -> the call still takes the answer (202)', late.status === 202 && !!reqEventId, `${late.status} ${reqEventId}`);
  const resumed = events(await fetch(url, { method: 'GET', headers: { ...a, accept: 'text/event-stream', 'last-event-id': reqEventId } }));
  const fin4 = await resumed.next();
  check('raw: resuming after the input request with Last-Event-ID gets the result', resumed.status === 200 && fin4?.id === 7 &&
    text(fin4?.result) === 'Hello, Late!', `${resumed.status} ${JSON.stringify(fin4)}`);

  // MCP_INPUT_TIMEOUT_S=2: nobody answers
  const t0 = Date.now();
  const call3 = await streamCall(a, 'test_input_required_result_elicitation', {});
  await call3.next();
  const fin3 = await call3.next();
  const waited = Date.now() - t0;
  check('raw: unanswered -> tool error after the input timeout', fin3?.result?.isError === true && /within 2 seconds/.test(fin3?.result?.content?.[0]?.text ?? '') && waited >= 1900 && waited < 5000, `${waited} ms ${JSON.stringify(fin3)}`);
}

// ---- v2 client: legacy (server requests) and modern (input_required, auto-fulfilled) with the same handlers
for (const mode of ['legacy', 'modern']) {
  const client = new v2.Client({ name: 'input-v2', version: '1.0.0' }, {
    capabilities: { elicitation: { form: {} }, sampling: {}, roots: {} },
    ...(mode === 'modern' ? { versionNegotiation: { mode: 'auto' } } : {}),
  });
  let elicited = 0;
  client.setRequestHandler('elicitation/create', async (req) => { elicited++; return { action: 'accept', content: /color/.test(req.params.message) ? { color: 'green' }
    : /context/.test(req.params.message) ? { context: 'tests' } : { name: 'Eve', username: 'eve', email: 'eve@example.com' } }; });
  client.setRequestHandler('sampling/createMessage', async () => ({ role: 'assistant', content: { type: 'text', text: 'Paris' }, model: 'm' }));
  client.setRequestHandler('roots/list', async () => ({ roots: [{ uri: 'file:///v2' }] }));
  await client.connect(new v2.StreamableHTTPClientTransport(url));
  check(`v2 ${mode}: era`, (client.getProtocolEra?.() ?? 'legacy') === mode, String(client.getProtocolEra?.()));
  const e = await client.callTool({ name: 'test_elicitation', arguments: { message: 'Who?' } });
  check(`v2 ${mode}: elicitation`, /action=accept/.test(text(e)) && /eve@example.com/.test(text(e)), JSON.stringify(e));
  const s = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'capital?' } });
  check(`v2 ${mode}: sampling`, text(s) === 'LLM response: Paris', JSON.stringify(s));
  elicited = 0;
  const r = await client.callTool({ name: 'test_input_required_result_multi_round', arguments: {} });
  check(`v2 ${mode}: two rounds`, text(r) === 'Eve likes green.' && elicited === 2, `${elicited} ${JSON.stringify(r)}`);
  const all = await client.callTool({ name: 'test_input_required_result_multiple_inputs', arguments: {} });
  if (mode === 'modern') // in legacy MCP_INPUT_MAX_PENDING=2 refuses three at once (checked above)
    check('v2 modern: three kinds of input in one round', /Paris, Eve!/.test(text(all)) && /file:\/\/\/v2/.test(all.content?.[1]?.text ?? ''), JSON.stringify(all));
  if (mode === 'modern') {
    const p = await client.getPrompt({ name: 'test_input_required_result_prompt' }).catch((err) => ({ err: String(err) }));
    check('v2 modern: prompts/get asks for input, then answers', /Use this context: tests/.test(p.messages?.[0]?.content?.text ?? ''), JSON.stringify(p));
  }
  await client.close();
}

// ---- raw 2026-07-28: capabilities and requestState
const meta = (caps) => ({ 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': caps });
const modern = async (name, extra = {}, caps = { elicitation: {} }) => {
  const r = await fetch(url, { method: 'POST', headers: { ...H, 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': name },
    body: JSON.stringify({ jsonrpc: '2.0', id: 'm', method: 'tools/call', params: { name, arguments: {}, ...extra, _meta: meta(caps) } }) });
  return { status: r.status, json: await r.json().catch(() => null) };
};
{
  const r1 = await modern('test_input_required_result_request_state');
  const st = r1.json?.result?.requestState;
  check('modern: input_required with inputRequests and a requestState', r1.json?.result?.resultType === 'input_required' && r1.json?.result?.inputRequests?.confirm?.method === 'elicitation/create' && typeof st === 'string', JSON.stringify(r1.json));
  const yes = { confirm: { action: 'accept', content: { ok: true } } };
  const r2 = await modern('test_input_required_result_request_state', { inputResponses: yes, requestState: st });
  check('modern: the retry completes', r2.json?.result?.resultType === 'complete' && /state-ok: confirmed=true/.test(r2.json?.result?.content?.[0]?.text ?? ''), JSON.stringify(r2.json));
  const flipped = st.slice(0, 5) + (st[5] === 'A' ? 'B' : 'A') + st.slice(6);
  const r3 = await modern('test_input_required_result_request_state', { inputResponses: yes, requestState: flipped });
  check('modern: tampered requestState -> -32602', r3.json?.error?.code === -32602, JSON.stringify(r3.json));
  // a well-formed payload with answers the server never saw, under the old MAC
  const [body, mac] = st.split('.');
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
  payload.r = { confirm: { action: 'accept', content: { ok: false } } };
  const forged = `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${mac}`;
  const rf = await modern('test_input_required_result_request_state', { requestState: forged });
  check('modern: requestState with altered answers (old MAC) -> -32602', rf.json?.error?.code === -32602, JSON.stringify(rf.json));
  const r4 = await modern('test_input_required_result_tampered_state', { inputResponses: yes, requestState: st });
  check('modern: requestState of another tool -> -32602', r4.json?.error?.code === -32602, JSON.stringify(r4.json));
  const r5 = await modern('test_input_required_result_elicitation', {}, {});
  check('modern: undeclared capability -> HTTP 400 -32021 naming it', r5.status === 400 && r5.json?.error?.code === -32021 && r5.json?.error?.data?.requiredCapabilities?.elicitation !== undefined, `${r5.status} ${JSON.stringify(r5.json)}`);
  const r6 = await modern('test_input_required_result_elicitation', { inputResponses: { user_name: 'Alice' } });
  check('modern: an inputResponse that is no object -> -32602', r6.json?.error?.code === -32602, JSON.stringify(r6.json));
  const r7 = await modern('test_input_required_result_elicitation', { inputResponses: { user_name: { action: 'accept', content: { name: 42 } } } });
  check('modern: content not matching the requested schema is asked again', r7.json?.result?.resultType === 'input_required', JSON.stringify(r7.json));
  const big = await modern('test_input_required_result_multi_round', { inputResponses: { step1: { action: 'accept', content: { name: 'x'.repeat(70000) } } } });
  check('modern: a requestState beyond MCP_INPUT_MAX_STATE -> tool error', big.json?.result?.isError === true && /limit/.test(big.json?.result?.content?.[0]?.text ?? ''), JSON.stringify(big.json).slice(0, 300));
}

console.log(`input: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
