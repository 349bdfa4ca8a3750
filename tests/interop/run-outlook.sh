#!/usr/bin/env bash
# Interop: mcp-outlook against fake-graph.mjs (Microsoft Graph mail) and the fake broker, driven by the official
# SDK client (outlook-test.mjs): every tool, requests and bearer tokens seen by Graph, paging, 401 refresh, errors.
set -u
. "$(dirname "$0")/lib.sh"
BIN=$BUILD_DIR/mcp-servers/outlook/mcp-outlook
[ -x "$BIN" ] || { echo "missing $BIN (build target mcp-outlook)"; exit 1; }
ensure_node_modules || exit 1
WORK=$(mktemp -d)
trap 'cleanup; rm -rf "$WORK"' EXIT
TOKEN=graph-$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')
start_fake_broker outlook "$WORK" "$TOKEN" || exit 1
start_fake_api fake-graph.mjs "$WORK/graph.log" "$TOKEN" || exit 1
GRAPH="http://127.0.0.1:$FAKE_API_PORT"
# the service must be PIDS[0] for stop_and_check_sanitizers: start it first in the list
PIDS_BEFORE=("${PIDS[@]}"); PIDS=()
start_service "$BIN" "$WORK/server.log" BROKER_URL="$BROKER_URL" MCP_SERVICE_SECRET_FILE="$WORK/secret" MCP_USAGE_FLUSH_MS=300 \
    GRAPH_API_BASE="$GRAPH/v1.0" || { PIDS+=("${PIDS_BEFORE[@]}"); exit 1; }
PIDS+=("${PIDS_BEFORE[@]}")
status=0
timeout 120 node "$INTEROP_DIR/outlook-test.mjs" "http://127.0.0.1:$MCP_PORT_BOUND" "$BROKER_URL" "$WORK/broker.json" \
    "$GRAPH/v1.0" || status=1
# let the periodic usage flush finish first: the flush at shutdown leaks its unfinished broker call (runtime)
sleep 1
stop_and_check_sanitizers "$WORK/server.log" || status=1
if grep -Eq "$SECRETS_TO_HIDE" "$WORK/server.log"; then echo "not ok - a secret appeared in the server log"; status=1; else echo "ok - no secret in the server log"; fi
[ $status -eq 0 ] && echo "interop outlook: 1 passed, 0 failed" || { echo "interop outlook: 0 passed, 1 failed"; tail -20 "$WORK/server.log"; }
exit $status
