#!/usr/bin/env bash
# bench/mcp/sse-fanout.sh - STREAMS (default 10000) concurrent idle SSE streams (the GET stream of as many legacy
# sessions) held by one MCP server (mcp-conformance, MCP_AUTH=none, Release build), over loopback: the server's RSS
# per open stream, and the latency of one notification (notifications/tools/list_changed) fanned out to all of them,
# from the trigger (a tools/call) to its receipt on each stream: p50 / p99 / max over the streams, median of ROUNDS
# (default 5) rounds. The load tool is sse-fanout.mjs (raw sockets, one node process). Prints a markdown table.
# Env: BUILD_DIR (default <repo>/build-bench), STREAMS, ROUNDS.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROUNDS=${ROUNDS:-5}
STREAMS=${STREAMS:-10000}
# shellcheck source=bench/mcp/lib.sh
source "$HERE/lib.sh"
# two descriptors per stream on the box (server and client side) plus headroom
want=$((STREAMS + 1024))
ulimit -n "$(ulimit -Hn)" 2>/dev/null
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge "$want" ] || { echo "ulimit -n $(ulimit -n) < $want (raise the hard limit)"; exit 1; }
env MCP_HOST=127.0.0.1 MCP_PORT=0 MCP_AUTH=none MCP_MAX_SESSIONS=$((STREAMS + 100)) \
    MCP_MAX_SESSIONS_PER_INSTANCE=$((STREAMS + 100)) MCP_SSE_MAX_STREAMS=$((STREAMS + 100)) \
    MCP_SSE_MAX_STREAMS_PER_INSTANCE=$((STREAMS + 100)) MCP_SSE_IDLE_S=0 \
    "$BUILD_DIR/mcp-servers/conformance/mcp-conformance" >"$WORK/server.log" 2>&1 & PIDS+=($!)
SERVER_PID=${PIDS[-1]}
PORT=$(wait_port "$WORK/server.log") || exit 1
out=$(timeout 600 node "$HERE/sse-fanout.mjs" "$PORT" "$SERVER_PID" "$STREAMS" "$ROUNDS") || { echo "load tool failed: $out"; exit 1; }
echo "$out" >"$WORK/result.json"
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const ok = r.received.every((n) => n === r.streams) && r.fanned.every((n) => n === r.streams);
console.log(`| idle SSE streams | server RSS (sessions only) | server RSS (+ streams) | RSS per stream | server CPU per fan-out | trigger answered | fan-out p50 | fan-out p99 | fan-out max | every stream got every round |`);
console.log(`|---|---|---|---|---|---|---|---|---|---|`);
console.log(`| ${r.streams} | ${(r.rss_sessions_kib / 1024).toFixed(1)} MiB | ${(r.rss_streams_kib / 1024).toFixed(1)} MiB | ${(r.rss_per_stream_bytes / 1024).toFixed(1)} KiB | ${r.server_cpu_ms} ms | ${r.answered_ms.toFixed(1)} ms | ${r.p50_ms.toFixed(1)} ms | ${r.p99_ms.toFixed(1)} ms | ${r.max_ms.toFixed(1)} ms | ${ok ? "yes" : "NO " + JSON.stringify(r.received)} |`);
console.log(`\nrounds: ${r.rounds_detail.map((d) => `p50 ${d.p50_ms.toFixed(1)} / p99 ${d.p99_ms.toFixed(1)} ms`).join("; ")}`);
' "$WORK/result.json"
