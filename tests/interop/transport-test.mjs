// transport-test.mjs - wire-level strictness of the runtime's Streamable HTTP endpoint (both eras), the parts the
// conformance suite does not pin: status codes, JSON-RPC error codes, sessions, limits, SSE switching.
// Usage: node transport-test.mjs <base url of an MCP_AUTH=none server>
import { connect } from 'node:net';

const base = process.argv[2];
const url = `${base}/inst-t/mcp`;
let passed = 0, failed = 0;
const check = (name, ok, detail = '') => {
  if (ok) { passed++; console.log(`ok - ${name}`); } else { failed++; console.log(`not ok - ${name} ${detail}`); }
};
const H = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const post = async (body, headers = {}, u = url) => {
  const r = await fetch(u, { method: 'POST', headers: { ...H, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* SSE or empty */ }
  return { status: r.status, headers: r.headers, text, json };
};
const code = (r) => r.json?.error?.code;
const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
const modern = (method, params = {}, extra = {}) => post({ jsonrpc: '2.0', id: 'm1', method, params: { ...params, _meta: meta } },
  { 'mcp-protocol-version': '2026-07-28', 'mcp-method': method, ...(params.name ? { 'mcp-name': params.name } : {}), ...extra });

// legacy session
const init = await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
const sid = init.headers.get('mcp-session-id');
check('initialize negotiates the requested version and issues a session', init.status === 200 && init.json?.result?.protocolVersion === '2025-06-18' && /^[0-9a-f]{64}$/.test(sid ?? ''));
const S = { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' };
let r = await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, S);
check('notification -> 202 without body', r.status === 202 && r.text === '');
r = await post({ jsonrpc: '2.0', id: 5, result: {} }, S);
check('client response to no pending request -> 400 -32600', r.status === 400 && code(r) === -32600);
r = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { accept: 'application/json' , 'mcp-session-id': sid });
check('Accept without text/event-stream -> 406', r.status === 406);
r = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'content-type': 'text/plain', ...S });
check('non-JSON Content-Type -> 415', r.status === 415);
r = await post('{"jsonrpc":"2.0","id":2,', S);
check('parse error -> 400, -32700, id null', r.status === 400 && code(r) === -32700 && r.json.id === null);
r = await post([{ jsonrpc: '2.0', id: 2, method: 'tools/list' }], S);
check('batch -> 400, -32600 (batches removed in 2025-06-18)', r.status === 400 && code(r) === -32600);
r = await post({ jsonrpc: '2.0', id: 77, method: 'tools/list', params: 'x' }, S);
check('invalid request echoes the id', code(r) === -32600 && r.json.id === 77);
r = await post({ jsonrpc: '2.0', id: 'str-id', method: 'no/such' }, S);
check('unknown method -> -32601, string id echoed', code(r) === -32601 && r.json.id === 'str-id');
r = await post({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'nope' } }, S);
check('unknown tool -> -32602', code(r) === -32602);
r = await post({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'echo', arguments: { text: 5 } } }, S);
check('invalid arguments -> isError naming the field', r.json?.result?.isError === true && /field 'text'/.test(r.json.result.content[0].text));
r = await post({ jsonrpc: '2.0', id: 4, method: 'tools/list' }, { 'mcp-protocol-version': '2025-06-18' });
check('missing session id -> 400', r.status === 400);
r = await post({ jsonrpc: '2.0', id: 4, method: 'tools/list' }, { ...S, 'mcp-session-id': 'f'.repeat(64) });
check('unknown session -> 404', r.status === 404);
r = await post({ jsonrpc: '2.0', id: 4, method: 'tools/list' }, { ...S, 'mcp-protocol-version': '1999-01-01' });
check('unsupported MCP-Protocol-Version -> 400', r.status === 400);
r = await post({ jsonrpc: '2.0', id: 4, method: 'tools/list' }, S, `${base}/other-instance/mcp`);
check('session bound to its instance (other instance -> 404)', r.status === 404);
r = await post({ jsonrpc: '2.0', id: 4, method: 'tools/list' }, S, `${base}/inst-t`);
check('/{instanceId} alias serves MCP', r.status === 200 && Array.isArray(r.json?.result?.tools));
// h2o answers 413 as soon as it sees Content-Length and closes: the client may see the status or a reset write
r = await post({ jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x'.repeat(2 * 1024 * 1024) } } }, S)
  .catch((e) => ({ status: e?.cause?.code === 'ECONNRESET' || e?.cause?.code === 'EPIPE' ? 413 : 0 }));
check('oversized body -> 413', r.status === 413, String(r.status));
// refused before the body is read (declared length / chunked body far over the limit): the same JSON error
const raw = (head, chunks = 0) => new Promise((resolve) => {
  const u = new URL(url);
  const sock = connect(Number(u.port), u.hostname);
  let data = '';
  const done = () => { clearTimeout(timer); sock.destroy(); resolve(data); };
  const timer = setTimeout(done, 5000);
  sock.on('data', (d) => { data += d.toString('latin1'); });
  sock.on('end', done);
  sock.on('error', done);
  sock.on('connect', () => {
    sock.write(head);
    const piece = Buffer.concat([Buffer.from('10000\r\n'), Buffer.alloc(65536, 0x78), Buffer.from('\r\n')]);
    for (let i = 0; i < chunks; i++) sock.write(piece);
  });
});
const rawHead = `POST ${new URL(url).pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n`;
const jsonBody = (text) => { try { return JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)); } catch { return null; } };
let t = await raw(`${rawHead}Content-Length: 50000000\r\n\r\n`);
check('declared Content-Length far over the limit -> 413 JSON body_too_large', /^HTTP\/1\.1 413/.test(t) && /content-type: application\/json/i.test(t) && jsonBody(t)?.code === 'body_too_large', t.slice(0, 300));
t = await raw(`${rawHead}Transfer-Encoding: chunked\r\n\r\n`, 40);
check('chunked body far over the limit -> 413 JSON body_too_large', /^HTTP\/1\.1 413/.test(t) && /content-type: application\/json/i.test(t) && jsonBody(t)?.code === 'body_too_large', t.slice(0, 300));
// integer ids beyond 64 bits: valid JSON, so -32600 (not -32700), id null (it cannot be carried exactly)
for (const big of ['9223372036854775808', '1000000000000000000000000000000', '-99999999999999999999', '1e30']) {
  r = await post(`{"jsonrpc":"2.0","id":${big},"method":"tools/list"}`, S);
  check(`id ${big} -> 400 -32600 with id null`, r.status === 400 && code(r) === -32600 && r.json.id === null, r.text);
}
r = await post('{"jsonrpc":"2.0","id":12,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x","n":123456789012345678901234567890}}}', S);
check('an integer beyond 64 bits elsewhere -> -32600, the id echoed', r.status === 400 && code(r) === -32600 && r.json.id === 12, r.text);
r = await fetch(url, { method: 'DELETE' });
const del = await r.json().catch(() => null);
check('DELETE without Mcp-Session-Id -> 400 with a JSON-RPC error', r.status === 400 && del?.jsonrpc === '2.0' && Number.isInteger(del?.error?.code) && del.id === null, `${r.status} ${JSON.stringify(del)}`);
r = await post({ jsonrpc: '2.0', id: 7, method: 'logging/setLevel', params: { level: 'info' } }, S);
r = await post({ jsonrpc: '2.0', id: 8, method: 'tools/call', params: { name: 'test_tool_with_logging', arguments: {} } }, S);
check('tool with notifications answers as SSE', r.headers.get('content-type') === 'text/event-stream' && (r.text.match(/event: message/g) ?? []).length === 4 && r.text.includes('"id":8'));
r = await post({ jsonrpc: '2.0', id: 'slow', method: 'tools/call', params: { name: 'test_sleep', arguments: { ms: 1500 } } }, S);
check('tool past the server tool timeout -> isError, request answered', r.status === 200 && r.json?.id === 'slow' && r.json?.result?.isError === true && /did not finish/.test(r.json.result.content[0].text), JSON.stringify(r.json));
await new Promise((res) => setTimeout(res, 1500)); // the abandoned call finishes later: its result is dropped
r = await post({ jsonrpc: '2.0', id: 9, method: 'tools/list' }, { ...S, origin: 'http://evil.example' });
check('foreign Origin -> 403', r.status === 403);
r = await post({ jsonrpc: '2.0', id: 9, method: 'tools/list' }, { ...S, origin: 'http://localhost:1234' });
check('localhost Origin accepted', r.status === 200);
r = await fetch(url, { headers: { accept: 'text/event-stream' } });
check('GET -> 405 with Allow', r.status === 405 && /POST/.test(r.headers.get('allow') ?? ''));
r = await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': sid } });
check('DELETE ends the session', r.status === 200);
r = await post({ jsonrpc: '2.0', id: 10, method: 'tools/list' }, S);
check('ended session -> 404', r.status === 404);

// modern era
r = await modern('server/discover');
check('server/discover', r.status === 200 && r.json.result.supportedVersions.includes('2026-07-28') && r.json.result.resultType === 'complete');
check('server/discover lists the legacy revision the endpoint also serves', r.json?.result?.supportedVersions?.[0] === '2026-07-28' && r.json.result.supportedVersions.includes('2025-11-25'), JSON.stringify(r.json?.result?.supportedVersions));
check('modern: no session minted', r.headers.get('mcp-session-id') === null);
r = await modern('tools/list');
check('modern tools/list carries ttlMs + cacheScope', Number.isInteger(r.json?.result?.ttlMs) && ['public', 'private'].includes(r.json?.result?.cacheScope));
r = await modern('tools/call', { name: 'echo', arguments: { text: 'hi' } }, { 'mcp-name': 'ECHO' });
check('Mcp-Name mismatch -> 400 -32020', r.status === 400 && code(r) === -32020);
r = await modern('tools/call', { name: 'echo', arguments: { text: 'hi' } }, { 'mcp-name': '=?base64?ZWNobw==?=' });
check('Mcp-Name base64 form accepted', r.status === 200 && r.json?.result?.structuredContent?.echoed === 'hi', JSON.stringify(r.json));
r = await modern('tools/list', {}, { 'mcp-method': 'tools/call' });
check('Mcp-Method mismatch -> 400 -32020', r.status === 400 && code(r) === -32020);
r = await post({ jsonrpc: '2.0', id: 'm2', method: 'tools/list', params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } } }, { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' });
check('modern _meta without clientCapabilities -> 400 -32602', r.status === 400 && code(r) === -32602);
r = await post({ jsonrpc: '2.0', id: 'm3', method: 'tools/list', params: { _meta: { ...meta, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } } }, { 'mcp-protocol-version': '2099-01-01', 'mcp-method': 'tools/list' });
check('unknown modern version -> 400 -32022 with supported list', r.status === 400 && code(r) === -32022 && r.json.error.data.supported.includes('2026-07-28') && r.json.error.data.requested === '2099-01-01');
r = await modern('ping');
check('modern ping -> 404 -32601', r.status === 404 && code(r) === -32601);
r = await modern('tools/call', { name: 'test_custom_header', arguments: { region: 'eu' } }, { 'mcp-param-region': 'us' });
check('x-mcp-header mismatch -> 400 -32020', r.status === 400 && code(r) === -32020);
r = await modern('tools/call', { name: 'test_custom_header', arguments: { region: 'eu' } }, { 'mcp-param-region': 'eu' });
check('x-mcp-header match accepted', r.status === 200 && r.json?.result?.content?.[0]?.text === 'eu');

const health = await fetch(`${base}/health`).then((x) => x.json());
check('/health counts requests', health.counters.requests > 10 && health.sessions.created >= 1);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
