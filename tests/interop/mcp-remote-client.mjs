// mcp-remote-client.mjs - mcp-remote (npm, pinned in package.json) as a third MCP client, used the way desktop hosts
// use it: a stdio MCP server process (spawned here through the v1 SDK's StdioClientTransport) that proxies to a remote
// MCP URL and signs in by itself (discovery, Dynamic Client Registration, PKCE, its own callback listener at
// http://localhost:<port>/oauth/callback). mcp-remote prints the authorization URL on stderr and tries to open a
// browser; BROWSER=true makes that a no-op, and the person in the browser is tests/fakes/as-consent.mjs (headless
// Chromium) following the printed URL to mcp-remote's listener.
//
// Usage: node mcp-remote-client.mjs <MCP URL> <access key> [tool]   (NODE_EXTRA_CA_CERTS etc. pass through)
// Prints one JSON line: {authorization_url_seen, client_id, redirect_uri, consent, tools, call, error}
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { consent } from '../fakes/as-consent.mjs';

const [mcpUrl, accessKey, tool = 'list_labels'] = process.argv.slice(2);
const here = dirname(fileURLToPath(import.meta.url));
const freePort = () => new Promise((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});
const port = await freePort();
const configDir = mkdtempSync(join(tmpdir(), 'ob-mcp-remote-'));
const out = { authorization_url_seen: false, client_id: null, redirect_uri: null };
const transport = new StdioClientTransport({
  command: process.execPath,
  args: [join(here, 'node_modules/mcp-remote/dist/proxy.js'), mcpUrl, String(port), '--allow-http'],
  env: { ...process.env, MCP_REMOTE_CONFIG_DIR: configDir, BROWSER: 'true' },
  stderr: 'pipe',
});
let stderr = '';
let consentRun = null;
transport.stderr.on('data', (d) => {
  stderr += d.toString();
  const m = stderr.match(/Please authorize this client by visiting:\s*\n(\S+)/);
  if (m && !consentRun) {
    out.authorization_url_seen = true;
    const u = new URL(m[1]);
    out.client_id = u.searchParams.get('client_id');
    out.redirect_uri = u.searchParams.get('redirect_uri');
    consentRun = consent(u.href, { action: 'allow', accessKey, redirectPrefix: out.redirect_uri }).then((r) => {
      out.consent = { shown: Boolean(r.consent), asked_key: r.consent?.asked_key ?? false, redirected: Boolean(r.redirect),
        error: r.error, error_page: r.error_page };
    });
  }
});
const client = new Client({ name: 'ob-it-mcp-remote', version: '1.0.0' });
const deadline = setTimeout(() => { out.error = 'timed out (120 s)'; finish(1); }, 120_000);
async function finish(code) {
  clearTimeout(deadline);
  await client.close().catch(() => {});
  rmSync(configDir, { recursive: true, force: true });
  if (code) out.stderr_tail = stderr.slice(-800);
  console.log(JSON.stringify(out));
  process.exit(0);
}
try {
  // mcp-remote completes its sign-in before it answers initialize
  await client.connect(transport);
  if (consentRun) await consentRun;
  const { tools } = await client.listTools();
  out.tools = tools.map((t) => t.name);
  const res = await client.callTool({ name: tool, arguments: {} });
  out.call = { isError: res.isError === true, text: String(res.content?.[0]?.text ?? '').slice(0, 300) };
  await finish(0);
} catch (e) {
  if (consentRun) await consentRun.catch(() => {});
  out.error = `${e?.name ?? 'Error'}: ${String(e?.message ?? e).split('\n')[0]}`;
  await finish(1);
}
