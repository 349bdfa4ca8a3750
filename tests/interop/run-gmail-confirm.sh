#!/usr/bin/env bash
# mcp-gmail with MCP_CONFIRM_DESTRUCTIVE=1 against the fake Gmail API and the fake broker: sending and destructive
# tools are confirmed with the user through elicitation first (gmail-confirm-test.mjs, official SDK clients, both eras).
set -u
. "$(dirname "$0")/lib.sh"
GMAIL_BIN=$BUILD_DIR/mcp-servers/gmail/mcp-gmail
interop_init "$GMAIL_BIN" mcp-gmail
rnd() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }
SECRET=$(rnd 32); KEY=$(rnd 32); INSTANCE=inst-gmail; UPSTREAM_TOKEN=ya29.fake-$(rnd 8)
printf '%s' "$SECRET" >"$WORK/secret"; chmod 600 "$WORK/secret"
cat >"$WORK/broker.json" <<JSON
{"service": "gmail", "secret": "$SECRET", "instances": [
  {"id": "$INSTANCE", "key": "$KEY", "status": "active", "access_token": "$UPSTREAM_TOKEN", "expires_in": 3600}]}
JSON
node "$INTEROP_DIR/fake-gmail.mjs" "$UPSTREAM_TOKEN" >"$WORK/gmail.log" 2>&1 & GMAIL_PID=$!
GMAIL_PORT=$(wait_for_log "$WORK/gmail.log" 'listening on' 10 | sed -E 's/.*:([0-9]+)$/\1/') || exit 1
node "$INTEROP_DIR/fake-broker.mjs" "$WORK/broker.json" >"$WORK/broker.log" 2>&1 & BROKER_PID=$!
BROKER_PORT=$(wait_for_log "$WORK/broker.log" 'listening on' 10 | sed -E 's/.*:([0-9]+)$/\1/') || exit 1
# the server is PIDS[0] so that stop_and_check_sanitizers stops it
env MCP_HOST=127.0.0.1 MCP_PORT=0 MCP_AUTH=broker BROKER_URL="http://127.0.0.1:$BROKER_PORT" \
    MCP_SERVICE_SECRET_FILE="$WORK/secret" GMAIL_API_BASE="http://127.0.0.1:$GMAIL_PORT" MCP_CONFIRM_DESTRUCTIVE=1 \
    "$GMAIL_BIN" >"$WORK/server.log" 2>&1 &
PIDS=($! $GMAIL_PID $BROKER_PID)
line=$(wait_for_log "$WORK/server.log" 'listening on 127\.0\.0\.1:[0-9]+' 10) || exit 1
PORT=$(echo "$line" | sed -E 's/.*listening on 127\.0\.0\.1:([0-9]+).*/\1/')
status=0
timeout 120 node "$INTEROP_DIR/gmail-confirm-test.mjs" "http://127.0.0.1:$PORT" "$INSTANCE" "$KEY" \
    "http://127.0.0.1:$GMAIL_PORT" || status=1
stop_and_check_sanitizers "$WORK/server.log" || status=1
[ $status -eq 0 ] && echo "interop gmail confirm: 1 passed, 0 failed" || { echo "interop gmail confirm: 0 passed, 1 failed"; tail -30 "$WORK/server.log"; }
exit $status
