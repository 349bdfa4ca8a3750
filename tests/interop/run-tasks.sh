#!/usr/bin/env bash
# The tasks extension (2026-07-28) over HTTP against the mcp-conformance fixture, with a short task ttl and a small
# per-instance bound so that expiry and refusal are seen within seconds.
set -u
. "$(dirname "$0")/lib.sh"
interop_init "$CONFORMANCE_BIN" mcp-conformance
TTL_MS=3000
MAX_PER_INSTANCE=4
start_conformance "$WORK/server.log" MCP_AUTH=none MCP_TASK_TTL_MS=$TTL_MS \
    MCP_MAX_TASKS_PER_INSTANCE=$MAX_PER_INSTANCE || exit 1
status=0
timeout 120 node "$INTEROP_DIR/tasks-test.mjs" "http://127.0.0.1:$MCP_PORT_BOUND" $TTL_MS $MAX_PER_INSTANCE || status=1
stop_and_check_sanitizers "$WORK/server.log" || status=1
exit $status
