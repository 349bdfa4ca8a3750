// tasks-test.mjs - the tasks extension (2026-07-28, io.modelcontextprotocol/tasks) driven over HTTP: a long tool call
// created as a task, polled with tasks/get to its inlined result, cancelled mid-way, expired after its ttl, refused to
// another instance; the per-instance bound; a client without the extension; tools that ask for input (the
// multi-round-trip composition: a task parked in input_required, resumed by tasks/update).
// Usage: node tasks-test.mjs <base url of an MCP_AUTH=none server> <its MCP_TASK_TTL_MS> <its MCP_MAX_TASKS_PER_INSTANCE>
const [base, ttlArg, maxArg] = process.argv.slice(2);
const TTL = Number(ttlArg), MAX_PER_INSTANCE = Number(maxArg);
const EXT = 'io.modelcontextprotocol/tasks';
let passed = 0, failed = 0, nextId = 1;
const check = (name, ok, detail = '') => {
  if (ok) { passed++; console.log(`ok - ${name}`); } else { failed++; console.log(`not ok - ${name} ${detail}`); }
};
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

// One modern request: _meta per request, Mcp-Method and Mcp-Name (tool name or taskId) as SEP-2243 asks.
async function rpc(method, params = {}, { instance = 'inst-tasks', tasks = true, headers = {}, clientCaps = {} } = {}) {
  const caps = { ...(tasks ? { extensions: { [EXT]: {} } } : {}), ...clientCaps };
  const body = {
    jsonrpc: '2.0', id: nextId++, method,
    params: { ...params, _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': caps } },
  };
  const name = params.name ?? params.taskId;
  const r = await fetch(`${base}/${instance}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json', accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28', 'mcp-method': method, ...(name ? { 'mcp-name': name } : {}), ...headers,
    },
    body: JSON.stringify(body),
  });
  const json = await r.json();
  return { status: r.status, result: json.result, error: json.error };
}
const call = (name, args, opts) => rpc('tools/call', { name, arguments: args }, opts);
const get = (taskId, opts) => rpc('tasks/get', { taskId }, opts);

// Polls tasks/get until the task leaves `working` (bounded by limitMs); returns the last tasks/get.
async function poll(taskId, limitMs = 10000, opts) {
  const until = Date.now() + limitMs;
  let r;
  do {
    r = await get(taskId, opts);
    if (r.error || r.result.status !== 'working') return r;
    await sleep(100);
  } while (Date.now() < until);
  return r;
}
const iso = (s) => typeof s === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(s);

// discovery
let r = await rpc('server/discover');
check('server/discover advertises the extension under capabilities.extensions',
  r.result?.capabilities?.extensions?.[EXT] !== undefined && r.result.capabilities.tasks === undefined, JSON.stringify(r.result?.capabilities));
r = await rpc('tools/list');
const support = Object.fromEntries((r.result?.tools ?? []).map((t) => [t.name, t.execution?.taskSupport]));
check('tools/list states execution.taskSupport', support.slow_compute === 'optional' && support.failing_job === 'required' && support.greet === undefined,
  JSON.stringify(support));

// create, poll, inlined result
const t0 = Date.now();
r = await call('slow_compute', { seconds: 2, label: 'long' });
const created = r.result ?? {};
check('a long call from a declaring client answers at once with a CreateTaskResult',
  r.status === 200 && created.resultType === 'task' && /^[0-9a-f]{32}$/.test(created.taskId ?? '') && created.status === 'working' &&
  Date.now() - t0 < 1500 && !('result' in created) && !('task' in created), JSON.stringify(r));
check('CreateTaskResult wire fields: ttlMs, pollIntervalMs (integers), createdAt/lastUpdatedAt (ISO 8601)',
  created.ttlMs === TTL && Number.isInteger(created.pollIntervalMs) && created.pollIntervalMs > 0 && !('ttl' in created) &&
  iso(created.createdAt) && iso(created.lastUpdatedAt), JSON.stringify(created));
const id = created.taskId;
r = await get(id);
check('tasks/get right after creation: working, no result yet', r.result?.status === 'working' && r.result.taskId === id &&
  r.result.resultType === 'complete' && !('result' in r.result), JSON.stringify(r));
r = await get(id, { instance: 'other-instance' });
check('another instance asking for the task: -32602 unknown task', r.error?.code === -32602, JSON.stringify(r));
r = await rpc('tasks/cancel', { taskId: id }, { instance: 'other-instance' });
check('another instance cancelling the task: -32602, and the task runs on', r.error?.code === -32602 &&
  (await get(id)).result?.status === 'working', JSON.stringify(r));
r = await poll(id);
check('the task completes with the tool result inlined on tasks/get',
  r.result?.status === 'completed' && r.result.result?.content?.[0]?.text === 'computed long' && Date.now() - t0 >= 1900 &&
  r.result.lastUpdatedAt >= r.result.createdAt && r.result.result.resultType === undefined, JSON.stringify(r));
r = await rpc('tasks/get', { taskId: id }, { headers: { 'mcp-name': 'not-the-task' } });
check('tasks/get with an Mcp-Name other than the taskId: 400 -32020', r.status === 400 && r.error?.code === -32020, JSON.stringify(r));
r = await rpc('tasks/result', { taskId: id });
check('tasks/result does not exist in this revision: 404 -32601', r.status === 404 && r.error?.code === -32601, JSON.stringify(r));

// outcomes
r = await call('slow_compute', { seconds: 0, label: 'now' });
check('immediate-result shortcut: a call that answered at once is the plain result, no task',
  r.result?.resultType === 'complete' && r.result.content?.[0]?.text === 'computed now' && !('taskId' in r.result), JSON.stringify(r));
r = await call('failing_job', {});
let done = await poll(r.result?.taskId);
check('a tool error completes the task with result.isError', done.result?.status === 'completed' && done.result.result?.isError === true,
  JSON.stringify(done));
r = await call('protocol_error_job', {});
done = await poll(r.result?.taskId);
check('a protocol error fails the task with the inlined error, no result',
  done.result?.status === 'failed' && done.result.error?.code === -32603 && !('result' in done.result), JSON.stringify(done));

// cancel mid-way
r = await call('slow_compute', { seconds: 30, label: 'cancelled' });
const cid = r.result?.taskId;
await sleep(300);
check('the long task is working', (await get(cid)).result?.status === 'working');
r = await rpc('tasks/cancel', { taskId: cid });
check('tasks/cancel: an empty ack with resultType complete', r.result?.resultType === 'complete' &&
  ['taskId', 'status', 'result', 'error'].every((k) => !(k in r.result)), JSON.stringify(r));
r = await get(cid);
check('the cancelled task reads cancelled', r.result?.status === 'cancelled' && !('result' in r.result), JSON.stringify(r));
await sleep(400); // the abandoned work reaches its next step and ends: its result is dropped
r = await rpc('tasks/cancel', { taskId: cid });
const again = await get(cid);
check('cancel again: the same ack; the task stays cancelled, no late result',
  r.result?.resultType === 'complete' && again.result?.status === 'cancelled' && !('result' in again.result), JSON.stringify(again));

// a client without the extension
r = await call('slow_compute', { seconds: 1, label: 'sync' }, { tasks: false });
check('without the extension an optional tool answers directly (no task)', r.result?.resultType === 'complete' &&
  r.result.content?.[0]?.text === 'computed sync' && !('taskId' in r.result), JSON.stringify(r));
r = await call('failing_job', {}, { tasks: false });
check('without the extension a task-only tool: 400 -32021 naming the extension', r.status === 400 && r.error?.code === -32021 &&
  r.error.data?.requiredCapabilities?.extensions?.[EXT] !== undefined, JSON.stringify(r));
r = await get(id, { tasks: false });
check('without the extension tasks/get: -32021', r.error?.code === -32021, JSON.stringify(r));

// ttl: kept for all of it (whatever the status), gone after it; a task outliving its ttl is dropped while running
r = await call('slow_compute', { seconds: 1, label: 'ttl' }, { instance: 'inst-ttl' });
const tid = r.result?.taskId, tCreated = Date.now();
r = await call('slow_compute', { seconds: 60, label: 'outlives' }, { instance: 'inst-ttl' });
const lid = r.result?.taskId;
await sleep(Math.max(0, TTL - 400 - (Date.now() - tCreated)));
r = await get(tid, { instance: 'inst-ttl' });
check('shortly before its ttl the task is still there with its result', r.result?.status === 'completed', JSON.stringify(r));
await sleep(Math.max(0, TTL + 300 - (Date.now() - tCreated)));
r = await get(tid, { instance: 'inst-ttl' });
check('after its ttl the task is gone: -32602', r.error?.code === -32602, JSON.stringify(r));
r = await get(lid, { instance: 'inst-ttl' });
check('a task still running at its ttl is dropped too: -32602', r.error?.code === -32602, JSON.stringify(r));

// the bound per instance: tasks count until their ttl, then make room
const ids = [];
for (let i = 0; i < MAX_PER_INSTANCE; i++) ids.push((await call('slow_compute', { seconds: 60, label: `b${i}` }, { instance: 'inst-bound' })).result?.taskId);
r = await call('slow_compute', { seconds: 60, label: 'over' }, { instance: 'inst-bound' });
check(`the ${MAX_PER_INSTANCE + 1}th task of an instance is refused with an error`, r.error?.code === -32603 && /Too many tasks/.test(r.error.message),
  JSON.stringify(r));
r = await call('slow_compute', { seconds: 60, label: 'elsewhere' }, { instance: 'inst-bound-2' });
check('another instance still gets its task', r.result?.resultType === 'task', JSON.stringify(r));
for (const t of [...ids, r.result?.taskId]) await rpc('tasks/cancel', { taskId: t }, { instance: ids.includes(t) ? 'inst-bound' : 'inst-bound-2' });
r = await call('slow_compute', { seconds: 60, label: 'still' }, { instance: 'inst-bound' });
check('cancelled tasks still count until their ttl', r.error?.code === -32603, JSON.stringify(r));

const health = await fetch(`${base}/health`).then((x) => x.json());
check('/health counts the tasks', health.tasks?.created >= 11 && health.tasks.cancelled >= 6 && health.tasks.expired >= 2 &&
  health.tasks.refused === 2 && health.tasks.active >= 5, JSON.stringify(health.tasks));

// tools that ask for input: the task parks in input_required and tasks/update resumes its call with the answers
const asker = { instance: 'inst-mrtr', clientCaps: { elicitation: {} } };
async function pollWhile(taskId, status, opts) {
  const until = Date.now() + 2500;
  let x;
  do {
    x = await get(taskId, opts);
    if (x.error || x.result.status !== status) return x;
    await sleep(50);
  } while (Date.now() < until);
  return x;
}
r = await call('confirm_delete', { filename: 'f.txt' }, asker);
const askId = r.result?.taskId;
check('a tool that asks after going asynchronous creates a task', r.result?.resultType === 'task' && !!askId, JSON.stringify(r));
r = await pollWhile(askId, 'working', asker);
check('the task parks in input_required with its inputRequests, never its requestState',
  r.result?.status === 'input_required' && r.result.inputRequests?.confirm?.method === 'elicitation/create' &&
  !('requestState' in r.result), JSON.stringify(r));
r = await rpc('tasks/update', { taskId: askId, inputResponses: { confirm: { action: 'accept', content: { confirm: false } } } },
  { ...asker, instance: 'other-instance' });
check('another instance answering: -32602, and the task still waits', r.error?.code === -32602 &&
  (await get(askId, asker)).result?.status === 'input_required', JSON.stringify(r));
r = await rpc('tasks/update', { taskId: askId, inputResponses: { confirm: { action: 'accept', content: { confirm: false } } } }, asker);
check('tasks/update is acked with an empty complete result', r.result?.resultType === 'complete' && !('status' in r.result), JSON.stringify(r));
r = await pollWhile(askId, 'working', asker);
check('the resumed call sees the answer and the task completes', r.result?.status === 'completed' &&
  r.result.result?.content?.[0]?.text === 'Kept f.txt', JSON.stringify(r));

r = await call('confirm_delete', { filename: 'g.txt' }, { instance: 'inst-mrtr' });
r = await pollWhile(r.result?.taskId, 'working', { instance: 'inst-mrtr' });
check('a task asking for a capability the client did not declare fails with -32021',
  r.result?.status === 'failed' && r.result.error?.code === -32021, JSON.stringify(r));

r = await call('test_tool_with_task', {}, asker);
const round1 = r.result ?? {};
check('asking before returning: a plain input_required round, no task', round1.resultType === 'input_required' &&
  !('taskId' in round1) && typeof round1.requestState === 'string' && !!round1.inputRequests?.user_name, JSON.stringify(r));
const answers = { user_name: { action: 'accept', content: { name: 'Alice' } } };
r = await rpc('tools/call', { name: 'test_tool_with_task', arguments: {}, inputResponses: answers, requestState: round1.requestState + 'x' }, asker);
check('the retry with a tampered requestState: -32602, no task', r.error?.code === -32602 && !r.result, JSON.stringify(r));
r = await rpc('tools/call', { name: 'test_tool_with_task', arguments: {}, inputResponses: answers, requestState: round1.requestState }, asker);
check('the retry with the answers becomes a task, without requestState', r.result?.resultType === 'task' && !!r.result.taskId &&
  !('requestState' in r.result) && !('inputRequests' in r.result), JSON.stringify(r));
r = await pollWhile(r.result?.taskId, 'working', asker);
check('that task completes with the answer of the first round', r.result?.status === 'completed' &&
  r.result.result?.content?.[0]?.text === 'Hello, Alice!', JSON.stringify(r));

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
