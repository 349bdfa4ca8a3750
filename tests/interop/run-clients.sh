#!/usr/bin/env bash
# Interop: the official TypeScript SDK clients (v1 legacy era, v2 modern era) and the MCP Inspector CLI
# connect to a real service built on the runtime (mcp-conformance with broker auth), with the instance access
# key, list tools and call them; the broker side is tests/interop/fake-broker.mjs implementing broker_api.h.
set -u
. "$(dirname "$0")/lib.sh"
interop_init "$CONFORMANCE_BIN" mcp-conformance
SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
KEY2=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
UPSTREAM_TOKEN=upstream-$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')
printf '%s' "$SECRET" >"$WORK/secret"; chmod 600 "$WORK/secret"
cat >"$WORK/broker.json" <<JSON
{"service": "conformance", "secret": "$SECRET", "instances": [
  {"id": "inst-active", "key": "$KEY", "status": "active", "access_token": "$UPSTREAM_TOKEN", "expires_in": 3600},
  {"id": "inst-reauth", "key": "$KEY2", "status": "needs_reauth", "authorize_url": "http://127.0.0.1/authorize/inst-reauth"}]}
JSON
node "$INTEROP_DIR/fake-broker.mjs" "$WORK/broker.json" >"$WORK/broker.log" 2>&1 & PIDS+=($!)
BROKER_PORT=$(wait_for_log "$WORK/broker.log" 'listening on' 10 | sed -E 's/.*:([0-9]+)$/\1/') || exit 1
node "$INTEROP_DIR/fake-upstream.mjs" "$UPSTREAM_TOKEN" >"$WORK/upstream.log" 2>&1 & PIDS+=($!)
UP_PORT=$(wait_for_log "$WORK/upstream.log" 'listening on' 10 | sed -E 's/.*:([0-9]+)$/\1/') || exit 1
start_conformance "$WORK/server.log" MCP_AUTH=broker BROKER_URL="http://127.0.0.1:$BROKER_PORT" \
    MCP_SERVICE_SECRET_FILE="$WORK/secret" UPSTREAM_URL="http://127.0.0.1:$UP_PORT" MCP_USAGE_FLUSH_MS=300 MCP_AUTH_STATUS_TTL_S=1 || exit 1
BASE="http://127.0.0.1:$MCP_PORT_BOUND"
status=0
# /health probes the broker itself (maintenance tick), before any MCP request has touched the broker
probe_health() { # URL WANT: polls up to 4 s for broker.status == WANT
    node -e '
const [url, want] = process.argv.slice(1);
const t0 = Date.now();
(async () => {
  for (;;) {
    const h = await fetch(url).then((r) => r.json()).catch(() => ({}));
    if (h.broker?.status === want && h.broker?.probed_at > 0) { console.log(`ok - /health probed the broker: ${want}`); process.exit(0); }
    if (Date.now() - t0 > 4000) { console.log(`not ok - /health broker status ${JSON.stringify(h.broker)} (want ${want})`); process.exit(1); }
    await new Promise((r) => setTimeout(r, 200));
  }
})();' "$1" "$2"
}
probe_health "$BASE/health" reachable || status=1
start_conformance "$WORK/server-paged.log" MCP_AUTH=none MCP_PAGE_SIZE=2 || exit 1
PAGED_BASE="http://127.0.0.1:$MCP_PORT_BOUND"; PAGED_PID=${PIDS[-1]}
timeout 120 node "$INTEROP_DIR/client-test.mjs" "$BASE" "http://127.0.0.1:$BROKER_PORT" "$WORK/broker.json" "$PAGED_BASE" || status=1

# MCP Inspector CLI (legacy era by default, then modern)
URL="$BASE/inst-active/mcp"
ins() { timeout 60 mcp-inspector --cli "$URL" --transport http --header "Authorization: Bearer $KEY" "$@" 2>"$WORK/inspector.err"; }
out=$(ins --method tools/list)
if echo "$out" | grep -q '"echo"'; then echo "ok - inspector: tools/list"; else echo "not ok - inspector: tools/list: $out $(cat "$WORK/inspector.err")"; status=1; fi
out=$(ins --method tools/call --tool-name echo --tool-arg text=inspected --format json -q)
if echo "$out" | grep -q '"echoed":"inspected"'; then echo "ok - inspector: tools/call"; else echo "not ok - inspector: tools/call: $out $(cat "$WORK/inspector.err")"; status=1; fi
out=$(ins --protocol-era modern --method tools/list)
if echo "$out" | grep -q '"echo"'; then echo "ok - inspector: modern era tools/list"; else echo "not ok - inspector modern: $out $(cat "$WORK/inspector.err")"; status=1; fi
timeout 60 mcp-inspector --cli "$URL" --transport http --header "Authorization: Bearer wrong" --method tools/list >/dev/null 2>&1
rc=$?
if [ $rc -eq 3 ]; then echo "ok - inspector: wrong key -> auth required (exit 3)"; else echo "not ok - inspector: wrong key exit $rc"; status=1; fi
stop_and_check_sanitizers "$WORK/server.log" || status=1
kill "$PAGED_PID" 2>/dev/null; wait "$PAGED_PID" 2>/dev/null
if grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:' "$WORK/server-paged.log"; then
    echo "not ok - sanitizer report in the paged server's log"; head -40 "$WORK/server-paged.log"; status=1
fi
# a broker that is down: /health says unreachable without any request having failed first
DEAD_PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();})')
MAIN_PIDS=("${PIDS[@]}")
PIDS=()
start_conformance "$WORK/server-dead.log" MCP_AUTH=broker BROKER_URL="http://127.0.0.1:$DEAD_PORT" \
    MCP_SERVICE_SECRET_FILE="$WORK/secret" || status=1
probe_health "http://127.0.0.1:$MCP_PORT_BOUND/health" unreachable || status=1
stop_and_check_sanitizers "$WORK/server-dead.log" || status=1
PIDS=("${MAIN_PIDS[@]}" "${PIDS[@]}")
if grep -q -F -e "$KEY" -e "$SECRET" -e "$UPSTREAM_TOKEN" "$WORK/server.log"; then echo "not ok - a secret appeared in the server log"; status=1; else echo "ok - no secret in the server log"; fi
[ $status -eq 0 ] && echo "interop clients: 1 passed, 0 failed" || echo "interop clients: 0 passed, 1 failed"
exit $status
