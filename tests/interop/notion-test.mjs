// notion-test.mjs - the official SDK client drives mcp-notion against fake-notion.mjs and the fake broker:
// tools/list, list_items page by page with the broker's token, schema limits, the provider's error text, a 401 that
// the broker's refresh cures, and an instance that needs re-authorization. Add a block of checks for each new tool.
// Usage: node notion-test.mjs <mcp base> <broker url> <broker config.json> <api base>
import { readFileSync } from 'node:fs';
import { check, connect, done, drain, json, text } from './svc-harness.mjs';

const [base, brokerUrl, cfgPath, api] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
const inst = cfg.instances.find((i) => i.id === 'inst-active');
const client = await connect(base, inst.id, inst.key);
await drain(api);
const call = (name, args = {}) => client.callTool({ name, arguments: args });

const { tools } = await client.listTools();
const tool = tools.find((t) => t.name === 'list_items');
check('tools/list: list_items with its schemas and read-only hint', tool?.inputSchema?.properties?.page_size?.maximum === 100 &&
  tool.outputSchema?.required?.[0] === 'items' && tool.annotations?.readOnlyHint === true, tools);

let r = await call('list_items');
let seen = await drain(api);
check('list_items: GET /v1/items with the default page_size and the broker token', seen.length === 1 && seen[0].path === '/v1/items' &&
  seen[0].query.page_size === '20' && seen[0].auth === `Bearer ${inst.access_token}`, seen);
check('list_items: first page, next_page_token in text and structuredContent', r.structuredContent?.items?.length === 20 &&
  r.structuredContent.items[0].id === 'item-1' && typeof r.structuredContent.next_page_token === 'string' &&
  text(r).includes(`page_token=${r.structuredContent.next_page_token}`), r);
r = await call('list_items', { page_token: r.structuredContent?.next_page_token ?? 'x' });
check('list_items: last page has the rest and no next_page_token', r.structuredContent?.items?.length === 5 &&
  r.structuredContent.items[4].id === 'item-25' && !('next_page_token' in r.structuredContent), r);

await drain(api);
r = await call('list_items', { page_size: 101 });
check('list_items: page_size above the schema maximum is a tool error, the API is not called', r.isError === true &&
  /page_size/.test(text(r)) && (await drain(api)).length === 0, r);
r = await call('list_items', { page_token: 'bogus' });
check("list_items: the provider's 400 message reaches the tool error", r.isError === true && /page_token is not valid/.test(text(r)), r);

// a 401 -> the runtime asks the broker for a fresh token once and retries (the fake broker's and fake API's hooks)
await drain(api);
const before = (await json(`${brokerUrl}/_stats`)).token_refresh;
await json(`${brokerUrl}/_set`, { id: inst.id, access_token: `${inst.access_token}-2` });
await json(`${api}/_token`, { token: `${inst.access_token}-2` });
r = await call('list_items', { page_size: 1 });
seen = await drain(api);
const after = (await json(`${brokerUrl}/_stats`)).token_refresh;
check('401 -> one broker refresh -> retried with the new token', !r.isError && after === before + 1 && seen.length === 2 &&
  seen[1].auth === `Bearer ${inst.access_token}-2`, { r, seen, before, after });

const reauth = cfg.instances.find((i) => i.id === 'inst-reauth');
let refused = '';
try {
  const other = await connect(base, reauth.id, reauth.key);
  const rr = await other.callTool({ name: 'list_items', arguments: {} });
  refused = rr.isError ? text(rr) : '';
  await other.close();
} catch (e) {
  refused = String(e); // the server may refuse the session itself
}
check('an instance that needs re-authorization is refused with a pointer to its authorization', /authoriz/i.test(refused), refused);
await client.close();
done();
