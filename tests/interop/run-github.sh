#!/usr/bin/env bash
# Interop: mcp-github against fake-github.mjs (the GitHub REST API) and the fake broker, driven by the official
# SDK client (github-test.mjs): every tool, requests and bearer tokens seen by GitHub, paging, 401 refresh, errors.
set -u
. "$(dirname "$0")/lib.sh"
BIN=$BUILD_DIR/mcp-servers/github/mcp-github
[ -x "$BIN" ] || { echo "missing $BIN (build target mcp-github)"; exit 1; }
ensure_node_modules || exit 1
WORK=$(mktemp -d)
trap 'cleanup; rm -rf "$WORK"' EXIT
TOKEN=gho_$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')
start_fake_broker github "$WORK" "$TOKEN" || exit 1
start_fake_api fake-github.mjs "$WORK/github.log" "$TOKEN" || exit 1
API="http://127.0.0.1:$FAKE_API_PORT"
# the service must be PIDS[0] for stop_and_check_sanitizers: start it first in the list
PIDS_BEFORE=("${PIDS[@]}"); PIDS=()
start_service "$BIN" "$WORK/server.log" BROKER_URL="$BROKER_URL" MCP_SERVICE_SECRET_FILE="$WORK/secret" MCP_USAGE_FLUSH_MS=300 \
    GITHUB_API_BASE="$API" || { PIDS+=("${PIDS_BEFORE[@]}"); exit 1; }
PIDS+=("${PIDS_BEFORE[@]}")
status=0
timeout 120 node "$INTEROP_DIR/github-test.mjs" "http://127.0.0.1:$MCP_PORT_BOUND" "$BROKER_URL" "$WORK/broker.json" \
    "$API" || status=1
# let the periodic usage flush finish first: the flush at shutdown leaks its unfinished broker call (runtime)
sleep 1
stop_and_check_sanitizers "$WORK/server.log" || status=1
if grep -Eq "$SECRETS_TO_HIDE" "$WORK/server.log"; then echo "not ok - a secret appeared in the server log"; status=1; else echo "ok - no secret in the server log"; fi
[ $status -eq 0 ] && echo "interop github: 1 passed, 0 failed" || { echo "interop github: 0 passed, 1 failed"; tail -20 "$WORK/server.log"; }
exit $status
