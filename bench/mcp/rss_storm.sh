#!/usr/bin/env bash
# bench/mcp/rss_storm.sh - memory of one C MCP server (mcp-conformance) through push storms: ROUNDS storms, each of
# PUSHES signed broker pushes (/cache-tokens, 50 token events each, instances drawn from INSTANCES ids, versions
# increasing) sent over CONNECTIONS concurrent connections, then IDLE seconds without traffic. VmRSS is read from
# /proc/<pid>/status at the start, after each storm and after each idle period. The token cache holds
# MCP_TOKEN_CACHE_SIZE instances (default 10000): the first storm fills it (INSTANCES > that evicts, and the versions
# of the evicted instances are kept, tokens/versions.h), so the steady level is the one after the first storm; the
# later storms must come back to it. Prints a markdown table. Not part of CI: a measurement for docs/benchmarks.md.
# Env: BUILD_DIR (default <repo>/build-bench, configured Release when missing), ROUNDS (default 3), PUSHES (default
#      2000), INSTANCES (default 20000), CONNECTIONS (default 500), IDLE (s, default 12).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROUNDS=${ROUNDS:-3}
PUSHES=${PUSHES:-2000}
INSTANCES=${INSTANCES:-20000}
CONNECTIONS=${CONNECTIONS:-500}
IDLE=${IDLE:-12}
# shellcheck source=bench/mcp/lib.sh
source "$HERE/lib.sh"
SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
printf '%s' "$SECRET" >"$WORK/secret"
chmod 600 "$WORK/secret"
printf '{"service": "conformance", "secret": "%s", "instances": []}\n' "$SECRET" >"$WORK/broker.json"
node "$INTEROP/fake-broker.mjs" "$WORK/broker.json" >"$WORK/broker.log" 2>&1 &
PIDS+=($!)
BROKER=$(wait_port "$WORK/broker.log") || exit 1
env MCP_HOST=127.0.0.1 MCP_PORT=0 MCP_AUTH=broker BROKER_URL="http://127.0.0.1:$BROKER" MCP_SERVICE_SECRET_FILE="$WORK/secret" \
    MCP_PUSH_REPLAY_CAP=$((PUSHES * (ROUNDS + 1))) "$BUILD_DIR/mcp-servers/conformance/mcp-conformance" >"$WORK/ours.log" 2>&1 &
PIDS+=($!)
SERVER_PID=${PIDS[-1]}
PORT=$(wait_port "$WORK/ours.log") || exit 1

cat >"$WORK/storm.mjs" <<'JS'
import http from 'node:http';
import { createHmac, hkdfSync, randomUUID } from 'node:crypto';
const [port, secret, pushesStr, instStr, connStr, round] = process.argv.slice(2);
const key = Buffer.from(hkdfSync('sha256', Buffer.from(secret), Buffer.alloc(0), Buffer.from('mcp-push-v1'), 32));
const pushes = Number(pushesStr), ninst = Number(instStr), conns = Number(connStr);
const ids = Array.from({ length: ninst }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
const agent = new http.Agent({ keepAlive: false, maxSockets: conns });
let bad = 0, next = 0;
const one = (n) => new Promise((resolve) => {
  const events = Array.from({ length: 50 }, (_, j) => ({ type: 'token', instance_id: ids[(n * 50 + j) % ninst],
    access_token: `ya29.${randomUUID()}${randomUUID()}`, expires_at: Math.floor(Date.now() / 1000) + 3600, version: Number(round) * 1000000 + n }));
  const body = JSON.stringify({ id: `storm-${round}-${n}-${randomUUID()}`, events });
  const ts = String(Math.floor(Date.now() / 1000));
  const req = http.request({ host: '127.0.0.1', port, path: '/cache-tokens', method: 'POST', agent, timeout: 30000, headers: {
    'content-type': 'application/json', 'x-broker-timestamp': ts,
    'x-broker-signature': 'sha256=' + createHmac('sha256', key).update(ts + '.' + body).digest('hex') } }, (res) => {
    res.resume();
    res.on('end', () => { if (res.statusCode !== 200) bad++; resolve(); });
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', () => { bad++; resolve(); });
  req.end(body);
});
const worker = async () => { for (;;) { const n = next++; if (n >= pushes) return; await one(n); } };
await Promise.all(Array.from({ length: conns }, worker));
console.log(bad);
JS
rss() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"; }
rows=("| start | $(rss) | |")
for r in $(seq 1 "$ROUNDS"); do
    bad=$(node "$WORK/storm.mjs" "$PORT" "$SECRET" "$PUSHES" "$INSTANCES" "$CONNECTIONS" "$r")
    rows+=("| after storm $r | $(rss) | $bad |")
    sleep "$IDLE"
    rows+=("| after storm $r + ${IDLE} s idle | $(rss) | |")
done
echo "mcp-conformance (Release), $ROUNDS storms of $PUSHES signed pushes x 50 token events over $INSTANCES instances, $CONNECTIONS concurrent connections, token cache ${MCP_TOKEN_CACHE_SIZE:-10000}; $(nproc) cores shared ($(date -u +%F))"
echo
echo "| moment | VmRSS (MB) | pushes not answered 200 |"
echo "|---|---:|---:|"
printf '%s\n' "${rows[@]}"
