// sdk-server.mjs - the official TypeScript SDK (@modelcontextprotocol/sdk, v1 McpServer + Streamable HTTP, the
// pinned version in tests/interop/package.json) doing the same work as the C runtime's mcp-conformance
// fixture: tools "echo" (validated input, structured output) and "upstream_items" (fetch to the fake upstream
// with a Bearer token). Stateful sessions, JSON responses, DNS-rebinding protection on, like ours.
// With BEARER_KEY set, every request must carry "Authorization: Bearer <BEARER_KEY>" (its SHA-256 compared in
// constant time, as the C runtime checks an instance key), else 401.
// Usage: PORT=0 UPSTREAM_URL=http://127.0.0.1:N UPSTREAM_TOKEN=t [BEARER_KEY=k] node sdk-server.mjs
import { createServer } from 'node:http';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

const upstream = process.env.UPSTREAM_URL;
const upstreamToken = process.env.UPSTREAM_TOKEN ?? 'upstream-token';

function newServer() {
  const server = new McpServer({ name: 'sdk-bench', version: '1.0.0' });
  server.registerTool('echo', {
    description: 'Echoes the text back',
    inputSchema: { text: z.string().min(1).max(10000) },
    outputSchema: { echoed: z.string() },
    annotations: { readOnlyHint: true },
  }, async ({ text }) => ({ content: [{ type: 'text', text }], structuredContent: { echoed: text } }));
  server.registerTool('upstream_items', {
    description: 'Searches the (fake) provider API for items',
    inputSchema: { q: z.string().max(200) },
    outputSchema: { items: z.array(z.any()), count: z.number().int() },
  }, async ({ q }) => {
    const res = await fetch(`${upstream}/items?q=${encodeURIComponent(q)}`, {
      headers: { authorization: `Bearer ${upstreamToken}`, 'user-agent': 'sdk-bench/1.0' },
      signal: AbortSignal.timeout(15000),
    });
    if (!res.ok) return { isError: true, content: [{ type: 'text', text: `Upstream error ${res.status}` }] };
    const text = await res.text();
    const body = JSON.parse(text);
    return { content: [{ type: 'text', text }], structuredContent: { items: body.items, count: body.items.length } };
  });
  return server;
}

const keyHash = process.env.BEARER_KEY ? createHash('sha256').update(process.env.BEARER_KEY).digest() : null;
function authorized(req) {
  if (keyHash === null) return true;
  const h = req.headers.authorization ?? '';
  return h.startsWith('Bearer ') && timingSafeEqual(createHash('sha256').update(h.slice(7)).digest(), keyHash);
}

const transports = new Map();
const http = createServer(async (req, res) => {
  if (req.method !== 'POST') { res.writeHead(405).end(); return; }
  if (!authorized(req)) { res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_token"}'); return; }
  const chunks = [];
  for await (const c of req) chunks.push(c);
  let body;
  try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { res.writeHead(400).end(); return; }
  const sid = req.headers['mcp-session-id'];
  let transport = sid ? transports.get(sid) : undefined;
  if (!transport) {
    if (sid || !isInitializeRequest(body)) { res.writeHead(sid ? 404 : 400).end(); return; }
    transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: true,
      enableDnsRebindingProtection: true,
      allowedHosts: [`127.0.0.1:${http.address().port}`, `localhost:${http.address().port}`],
      onsessioninitialized: (id) => transports.set(id, transport),
    });
    await newServer().connect(transport);
  }
  await transport.handleRequest(req, res, body);
});
http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(`sdk-server listening on 127.0.0.1:${http.address().port}`));
process.on('SIGTERM', () => { http.close(); process.exit(0); });
