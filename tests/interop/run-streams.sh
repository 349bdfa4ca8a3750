#!/usr/bin/env bash
# Event streams of the runtime (mcp-conformance with broker auth, a fake provider API): the official v1 SDK client
# on the GET stream (list_changed, resources/updated), logging and progress on a call's stream, resumption of a
# dropped POST stream and of a dropped GET stream with Last-Event-ID, notifications/cancelled aborting the upstream
# request of a two-step tool, a slow reader dropped with memory bounded, subscriptions/listen (2026-07-28).
set -u
. "$(dirname "$0")/lib.sh"
interop_init "$CONFORMANCE_BIN" mcp-conformance
UPSTREAM_TOKEN=upstream-$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')
start_fake_broker conformance "$WORK" "$UPSTREAM_TOKEN" || exit 1
start_fake_api fake-upstream.mjs "$WORK/upstream.log" "$UPSTREAM_TOKEN" || exit 1
start_conformance "$WORK/server.log" MCP_AUTH=broker BROKER_URL="$BROKER_URL" MCP_SERVICE_SECRET_FILE="$WORK/secret" \
    UPSTREAM_URL="http://127.0.0.1:$FAKE_API_PORT" MCP_SSE_MAX_QUEUED_BYTES=262144 MCP_SSE_REPLAY_BYTES=65536 || exit 1
SERVER_PID=${PIDS[-1]}
status=0
timeout 180 node "$INTEROP_DIR/streams-test.mjs" "http://127.0.0.1:$MCP_PORT_BOUND" "$WORK/broker.json" \
    "$WORK/upstream.log" "$SERVER_PID" || status=1
kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null
if grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:' "$WORK/server.log"; then
    echo "not ok - sanitizer report in the server log"; grep -E -A15 'AddressSanitizer|LeakSanitizer|runtime error:' "$WORK/server.log" | head -60
    status=1
fi
exit $status
