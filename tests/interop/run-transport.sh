#!/usr/bin/env bash
# Wire-level strictness of the Streamable HTTP endpoint (both eras) against the mcp-conformance fixture.
set -u
. "$(dirname "$0")/lib.sh"
interop_init "$CONFORMANCE_BIN" mcp-conformance
start_conformance "$WORK/server.log" MCP_AUTH=none MCP_TOOL_TIMEOUT_MS=500 || exit 1
status=0
timeout 120 node "$INTEROP_DIR/transport-test.mjs" "http://127.0.0.1:$MCP_PORT_BOUND" || status=1
stop_and_check_sanitizers "$WORK/server.log" || status=1

# the instance status window of a server that missed the broker's push (broker auth, default lifetimes), and a
# broker outage ridden out for the stale-if-error bound (8 s here rather than 30 s, to keep the test short)
PIDS=()
SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
printf '%s' "$SECRET" >"$WORK/secret"; chmod 600 "$WORK/secret"
keys=()
for _ in 1 2 3 4 5; do keys+=("$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"); done
cat >"$WORK/broker.json" <<JSON
{"service": "conformance", "secret": "$SECRET", "instances": [
  {"id": "inst-a", "key": "${keys[0]}", "status": "active", "access_token": "t-a"},
  {"id": "inst-b", "key": "${keys[1]}", "status": "active", "access_token": "t-b"},
  {"id": "inst-c", "key": "${keys[2]}", "status": "active", "access_token": "t-c"},
  {"id": "inst-d", "key": "${keys[3]}", "status": "active", "access_token": "t-d"},
  {"id": "inst-e", "key": "${keys[4]}", "status": "active", "access_token": "t-e"}]}
JSON
node "$INTEROP_DIR/fake-broker.mjs" "$WORK/broker.json" >"$WORK/broker.log" 2>&1 &
BROKER_PID=$!
# the MCP server must be PIDS[0] (stop_and_check_sanitizers); the broker is stopped by the trap
start_conformance_with_broker() {
    BROKER_PORT=$(wait_for_log "$WORK/broker.log" 'listening on' 10 | sed -E 's/.*:([0-9]+)$/\1/') || return 1
    start_conformance "$WORK/server-broker.log" MCP_AUTH=broker BROKER_URL="http://127.0.0.1:$BROKER_PORT" \
        MCP_SERVICE_SECRET_FILE="$WORK/secret" MCP_AUTH_STALE_IF_ERROR_S=8
}
start_conformance_with_broker; rc=$?
PIDS+=("$BROKER_PID")
[ $rc -eq 0 ] || exit 1
timeout 120 node "$INTEROP_DIR/status-window-test.mjs" "http://127.0.0.1:$MCP_PORT_BOUND" \
    "http://127.0.0.1:$BROKER_PORT" "$WORK/broker.json" || status=1
stop_and_check_sanitizers "$WORK/server-broker.log" || status=1
exit $status
