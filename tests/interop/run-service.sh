#!/usr/bin/env bash
# Interop of one service made from the service template (docs/adding-a-service.md):
#   run-service.sh NAME API_ENV [API_PATH]
# mcp-NAME against fake-NAME.mjs (its provider's API, as the provider documents it) and the fake broker, driven by
# the official SDK client (NAME-test.mjs, invoked with: MCP base URL, broker URL, broker.json, API base). API_ENV
# is the variable that points the service at the fake (e.g. GITHUB_API_BASE), API_PATH what the API base adds to
# the fake's root (e.g. /v1.0). Afterwards: no sanitizer report and no secret in the server log.
set -u
. "$(dirname "$0")/lib.sh"
SVC=${1:?usage: run-service.sh NAME API_ENV [API_PATH]}
API_ENV=${2:?usage: run-service.sh NAME API_ENV [API_PATH]}
API_PATH=${3:-}
BIN=$BUILD_DIR/mcp-servers/$SVC/mcp-$SVC
interop_init "$BIN" mcp-$SVC
TOKEN=tok-$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')
start_fake_broker "$SVC" "$WORK" "$TOKEN" || exit 1
start_fake_api "fake-$SVC.mjs" "$WORK/api.log" "$TOKEN" || exit 1
API="http://127.0.0.1:$FAKE_API_PORT$API_PATH"
# the service must be PIDS[0] for stop_and_check_sanitizers: start it first in the list
PIDS_BEFORE=("${PIDS[@]}"); PIDS=()
start_service "$BIN" "$WORK/server.log" BROKER_URL="$BROKER_URL" MCP_SERVICE_SECRET_FILE="$WORK/secret" MCP_USAGE_FLUSH_MS=300 \
    "$API_ENV=$API" || { PIDS+=("${PIDS_BEFORE[@]}"); exit 1; }
PIDS+=("${PIDS_BEFORE[@]}")
status=0
timeout 120 node "$INTEROP_DIR/$SVC-test.mjs" "http://127.0.0.1:$MCP_PORT_BOUND" "$BROKER_URL" "$WORK/broker.json" \
    "$API" || status=1
# let the periodic usage flush finish first: the flush at shutdown leaks its unfinished broker call (runtime)
sleep 1
stop_and_check_sanitizers "$WORK/server.log" || status=1
if grep -Eq -e "$SECRETS_TO_HIDE" "$WORK/server.log"; then echo "not ok - a secret appeared in the server log"; status=1; else echo "ok - no secret in the server log"; fi
[ $status -eq 0 ] && echo "interop $SVC: 1 passed, 0 failed" || { echo "interop $SVC: 0 passed, 1 failed"; tail -20 "$WORK/server.log"; }
exit $status
