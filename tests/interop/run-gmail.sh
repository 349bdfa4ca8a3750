#!/usr/bin/env bash
# Interop: mcp-gmail against a fake Gmail API (fake-gmail.mjs) and a broker, driven by the official SDK client
# (gmail-test.mjs): the 20 tools, MIME of what was sent, threading, attachments (large ones and attachment replies
# through the /upload URI, uploadType=multipart), pagination, HTML bodies, provider
# errors, 401 refresh through the broker.
# Broker: fake-broker.mjs by default. To run against the real broker, set GMAIL_BROKER_URL, GMAIL_INSTANCE_ID,
# GMAIL_INSTANCE_KEY, MCP_SERVICE_SECRET_FILE and UPSTREAM_TOKEN (the token the broker vends for the instance); the
# checks that need the fake broker's test hooks (/_set, /_stats) are then skipped.
set -u
. "$(dirname "$0")/lib.sh"
GMAIL_BIN=$BUILD_DIR/mcp-servers/gmail/mcp-gmail
interop_init "$GMAIL_BIN" mcp-gmail
rnd() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

# the server is started first (PIDS[0]) so that stop_and_check_sanitizers stops it; the fakes go after it
if [ -n "${GMAIL_BROKER_URL:-}" ]; then
    BROKER_URL=$GMAIL_BROKER_URL INSTANCE=$GMAIL_INSTANCE_ID KEY=$GMAIL_INSTANCE_KEY SECRET_FILE=$MCP_SERVICE_SECRET_FILE
    HOOKS=0; AUTHORIZE_URL=${AUTHORIZE_URL:-}
else
    SECRET=$(rnd 32); KEY=$(rnd 32); INSTANCE=inst-gmail; HOOKS=1
    UPSTREAM_TOKEN=ya29.fake-$(rnd 8)
    AUTHORIZE_URL="http://127.0.0.1/authorize/$INSTANCE"
    SECRET_FILE=$WORK/secret; printf '%s' "$SECRET" >"$SECRET_FILE"; chmod 600 "$SECRET_FILE"
    cat >"$WORK/broker.json" <<JSON
{"service": "gmail", "secret": "$SECRET", "instances": [
  {"id": "$INSTANCE", "key": "$KEY", "status": "active", "access_token": "$UPSTREAM_TOKEN", "expires_in": 3600,
   "authorize_url": "$AUTHORIZE_URL"}]}
JSON
fi
node "$INTEROP_DIR/fake-gmail.mjs" "$UPSTREAM_TOKEN" >"$WORK/gmail.log" 2>&1 & GMAIL_PID=$!
GMAIL_PORT=$(wait_for_log "$WORK/gmail.log" 'listening on' 10 | sed -E 's/.*:([0-9]+)$/\1/') || exit 1
if [ "$HOOKS" = 1 ]; then
    node "$INTEROP_DIR/fake-broker.mjs" "$WORK/broker.json" >"$WORK/broker.log" 2>&1 & BROKER_PID=$!
    BROKER_PORT=$(wait_for_log "$WORK/broker.log" 'listening on' 10 | sed -E 's/.*:([0-9]+)$/\1/') || exit 1
    BROKER_URL="http://127.0.0.1:$BROKER_PORT"
fi

env MCP_HOST=127.0.0.1 MCP_PORT=0 MCP_AUTH=broker BROKER_URL="$BROKER_URL" MCP_SERVICE_SECRET_FILE="$SECRET_FILE" \
    GMAIL_API_BASE="http://127.0.0.1:$GMAIL_PORT" MCP_USAGE_FLUSH_MS=300 "$GMAIL_BIN" >"$WORK/server.log" 2>&1 &
PIDS=($! $GMAIL_PID ${BROKER_PID:-})
line=$(wait_for_log "$WORK/server.log" 'listening on 127\.0\.0\.1:[0-9]+' 10) || exit 1
PORT=$(echo "$line" | sed -E 's/.*listening on 127\.0\.0\.1:([0-9]+).*/\1/')

status=0
UPSTREAM_TOKEN=$UPSTREAM_TOKEN AUTHORIZE_URL=$AUTHORIZE_URL BROKER_HOOKS=$HOOKS timeout 180 \
    node "$INTEROP_DIR/gmail-test.mjs" "http://127.0.0.1:$PORT" "$INSTANCE" "$KEY" "http://127.0.0.1:$GMAIL_PORT" "$BROKER_URL" || status=1
stop_and_check_sanitizers "$WORK/server.log" || status=1
if grep -qF -e "$KEY" -e "$UPSTREAM_TOKEN" -e "rotated-token" "$WORK/server.log" || { [ -n "${SECRET:-}" ] && grep -qF -e "$SECRET" "$WORK/server.log"; }; then
    echo "not ok - a secret appeared in the server log"; status=1
else
    echo "ok - no secret in the server log"
fi
[ $status -eq 0 ] && echo "interop gmail: 1 passed, 0 failed" || { echo "interop gmail: 0 passed, 1 failed"; tail -30 "$WORK/server.log"; }
exit $status
