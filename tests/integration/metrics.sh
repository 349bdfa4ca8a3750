#!/usr/bin/env bash
# metrics.sh - GET /metrics of the REAL broker and the REAL mcp-gmail (with tests/fakes/fake-google.mjs and
# tests/interop/fake-gmail.mjs), both configured to need the metrics token (broker: metrics.allow_loopback false +
# metrics.token_file; mcp-gmail: MCP_METRICS_LOOPBACK=0 + MCP_METRICS_TOKEN_FILE): without the token 403 JSON, with it
# the text format that `promtool check metrics` accepts; then traffic moves the counters: the broker's requests by
# route pattern (never the raw path with the instance id) and vends by cache hit/miss, mcp-gmail's tool calls,
# provider requests with their latency, token cache hits/misses and open sessions. A broker with the default
# configuration serves loopback without a token.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
INTEROP="$IT_SRC/tests/interop"
GMAIL_BIN="$IT_BUILD/mcp-servers/gmail/mcp-gmail"
PROMTOOL="$(command -v promtool || true)"
[[ -x "$GMAIL_BIN" ]] || it_skip "mcp-gmail is not built in $IT_BUILD"
[[ -n "$PROMTOOL" ]] || it_skip "promtool is not installed (Debian package prometheus: scripts/install-deps.sh)"
it_setup metrics

printf 'metrics-token-%s\n' "$RANDOM$RANDOM" >"$IT_DIR/metrics.token"
chmod 600 "$IT_DIR/metrics.token"
MTOKEN="$(tr -d '\n' <"$IT_DIR/metrics.token")"
it_google_fake 49297 || exit 1
MPORT="$(it_free_port)"
MCP="http://127.0.0.1:$MPORT"
FAKE_TOKENINFO_URL="$GOOGLE/tokeninfo" it_start gmailapi node "$INTEROP/fake-gmail.mjs" unused
GMAIL_API="http://127.0.0.1:$(it_wait_line "$IT_DIR/gmailapi.log" "listening on" | sed -E 's/.*:([0-9]+)$/\1/')" || exit 1
it_google_broker "{\"refresh\": {\"enabled\": false},
  \"metrics\": {\"allow_loopback\": false, \"token_file\": \"$IT_DIR/metrics.token\"},
  \"push\": {\"retries\": 0, \"urls\": {\"gmail\": \"http://127.0.0.1:$(it_free_port)\"}}}" || exit 1
it_start mcp-gmail env -u DATABASE_URL MCP_HOST=127.0.0.1 MCP_PORT="$MPORT" BROKER_URL="$BROKER" \
    MCP_SERVICE_SECRET_FILE="$IT_DIR/keys/services/gmail.secret" GMAIL_API_BASE="$GMAIL_API" \
    MCP_METRICS_LOOPBACK=0 MCP_METRICS_TOKEN_FILE="$IT_DIR/metrics.token" "$GMAIL_BIN"
it_wait_line "$IT_DIR/mcp-gmail.log" "listening on 127\.0\.0\.1:$MPORT" >/dev/null || exit 1

# scrape NAME URL: the metrics (with the token) in $IT_DIR/NAME.prom; promtool's verdict in $IT_DIR/NAME.promtool
scrape() {
    http GET "$2/metrics" "" "authorization: Bearer $MTOKEN"
    printf '%s\n' "$BODY" >"$IT_DIR/$1.prom"
    [[ "$STATUS" == 200 ]] && "$PROMTOOL" check metrics <"$IT_DIR/$1.prom" >"$IT_DIR/$1.promtool" 2>&1
}
# value NAME SAMPLE: the value of the sample (name with its labels, exactly as rendered) in NAME.prom, 0 when absent
value() { awk -v k="$2" '$1 == k { v = $2 } END { print v + 0 }' "$IT_DIR/$1.prom"; }
# mcp METHOD PARAMS_JSON [ID]: one JSON-RPC request on the session; the JSON-RPC answer in $RPC
mcp() {
    local msg
    msg="$(jq -cn --arg m "$1" --argjson p "$2" --argjson id "${3:-null}" \
        'if $id == null then {jsonrpc:"2.0",method:$m,params:$p} else {jsonrpc:"2.0",id:$id,method:$m,params:$p} end')"
    http POST "$MCP/$IID/mcp" "$msg" "authorization: Bearer $KEY" "accept: application/json, text/event-stream" \
        "mcp-protocol-version: 2025-11-25" ${SID:+"mcp-session-id: $SID"}
    RPC="$BODY"
    [[ "$(header content-type)" == text/event-stream* ]] && RPC="$(sed -n 's/^data: //p' <<<"$BODY" | tail -n 1)"
    return 0
}

# ---- the guard
for target in "$BROKER" "$MCP"; do
    http GET "$target/metrics"
    check "guard: $target/metrics without the token is 403 JSON (loopback not allowed here)" \
        bash -c '[[ "$0" == 403 && "$(jq -r .code <<<"$1")" == forbidden ]]' "$STATUS" "$BODY"
    http GET "$target/metrics" "" "authorization: Bearer wrong-$MTOKEN"
    check "guard: $target/metrics with a wrong token is 403" eq "$STATUS" 403
done
check "scrape: the broker's metrics pass promtool check metrics" scrape broker0 "$BROKER"
check "scrape: mcp-gmail's metrics pass promtool check metrics" scrape gmail0 "$MCP"
check "scrape: text format 0.0.4" bash -c '[[ "$0" == "text/plain; version=0.0.4"* ]]' "$(header content-type)"
for m in http_requests_total http_request_duration_seconds oauth_broker_vends_total oauth_broker_refreshes_total \
    oauth_broker_pushes_total oauth_broker_instances oauth_broker_plugin_load_failures_total pg_pool_in_use \
    pg_pool_size pg_pool_wait_seconds; do
    check "broker: $m is declared" grep -q "^# TYPE $m " "$IT_DIR/broker0.prom"
done
for m in http_requests_total mcp_sessions_open; do
    check "mcp-gmail: $m is declared" grep -q "^# TYPE $m " "$IT_DIR/gmail0.prom"
done

# ---- traffic
admin POST /instances '{"service":"gmail","user_id":"u1","client_id":"gclient","client_secret":"gsecret-1"}'
IID="$(jq -r .instance_id <<<"$BODY")"
KEY="$(jq -r .mcp_access_key <<<"$BODY")"
curl -s -X POST "$GOOGLE/_seed" -d '{"client_id":"gclient","refresh_token":"1//seed-M"}' >/dev/null
admin POST /cache-tokens "{\"instance_id\":\"$IID\",\"access_token\":\"imported-$RANDOM\",\"refresh_token\":\"1//seed-M\",\"expires_in\":3600}"
check "setup: token imported" bash -c '[[ "$0" == 2* ]]' "$STATUS"
SID=""
mcp initialize '{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"metrics","version":"0"}}' 1
SID="$(header mcp-session-id)"
mcp notifications/initialized '{}'
mcp tools/call '{"name":"list_labels","arguments":{}}' 2
check "traffic: list_labels answered" bash -c '[[ "$(jq -r ".result.isError // false" <<<"$0")" == false ]]' "$RPC"
mcp tools/call '{"name":"list_labels","arguments":{}}' 3
mcp tools/call '{"name":"get_thread","arguments":{}}' 4 # invalid arguments: a tool error
VEND=(GET "$BROKER/instances/$IID/token" "" "authorization: Bearer $(it_service_secret gmail)" "x-mcp-service: gmail")
http "${VEND[@]}"
http "${VEND[@]}"
check "traffic: a vend with the service secret answers 200" eq "$STATUS" 200
# an instance nothing has read yet (the MCP server's key check above loaded the first one into the broker's cache):
# its first vend misses the cache, the second hits it (change notifications keep cached rows without a lifetime)
admin POST /instances '{"service":"gmail","user_id":"u2","client_id":"gclient","client_secret":"gsecret-2"}'
IID2="$(jq -r .instance_id <<<"$BODY")"
admin POST /cache-tokens "{\"instance_id\":\"$IID2\",\"access_token\":\"imported2-$RANDOM\",\"expires_in\":3600}"
http GET "$BROKER/instances/$IID2/token" "" "authorization: Bearer $(it_service_secret gmail)" "x-mcp-service: gmail"
http GET "$BROKER/instances/$IID2/token" "" "authorization: Bearer $(it_service_secret gmail)" "x-mcp-service: gmail"
check "traffic: the second instance's vends answer 200" eq "$STATUS" 200

check "scrape after traffic: broker passes promtool" scrape broker1 "$BROKER"
check "scrape after traffic: mcp-gmail passes promtool" scrape gmail1 "$MCP"
B='http_requests_total{route="/instances/*/token",method="GET",status="200"}'
check "broker: vends counted under the route pattern (>= 3: the MCP server's and ours)" \
    bash -c '[[ $(( $1 - $0 )) -ge 3 ]]' "$(value broker0 "$B")" "$(value broker1 "$B")"
check "broker: the instance id never appears in a label" bash -c '! grep -q "$0" "$1"' "$IID" "$IT_DIR/broker1.prom"
check "broker: the second instance's first vend missed the instance cache" \
    bash -c '[[ "$0" -ge 1 ]]' "$(value broker1 'oauth_broker_vends_total{cache="miss"}')"
check "broker: the other vends hit it" \
    bash -c '[[ "$0" -ge 1 ]]' "$(value broker1 'oauth_broker_vends_total{cache="hit"}')"
check "broker: the admin create counted with its status" \
    bash -c '[[ "$0" -ge 1 ]]' "$(value broker1 'http_requests_total{route="/instances",method="POST",status="201"}')"
check "broker: latency histogram of the vend route counted" \
    bash -c '[[ "$0" -ge 3 ]]' "$(value broker1 'http_request_duration_seconds_count{route="/instances/*/token"}')"
check "broker: the instance count (every 15 s) shows both instances" \
    bash -c 'for _ in $(seq 1 40); do curl -s -H "authorization: Bearer $1" "$0/metrics" |
        grep -q "^oauth_broker_instances{status=\"active\"} 2$" && exit 0; sleep 0.5; done; exit 1' "$BROKER" "$MTOKEN"
check "mcp-gmail: two list_labels calls ok" eq "$(value gmail1 'mcp_tool_calls_total{tool="list_labels",outcome="ok"}')" 2
check "mcp-gmail: the bad call counted as a tool error" \
    eq "$(value gmail1 'mcp_tool_calls_total{tool="get_thread",outcome="tool_error"}')" 1
check "mcp-gmail: provider requests by service, tool and status" \
    bash -c '[[ "$0" -ge 2 ]]' "$(value gmail1 'mcp_upstream_requests_total{service="gmail",tool="list_labels",status="200"}')"
check "mcp-gmail: provider latency observed" \
    bash -c '[[ "$0" -ge 2 ]]' "$(value gmail1 'mcp_upstream_request_duration_seconds_count{service="gmail",tool="list_labels"}')"
check "mcp-gmail: token cache: one miss, then a hit" \
    bash -c '[[ "$0" -ge 1 && "$1" -ge 1 ]]' "$(value gmail1 mcp_token_cache_misses_total)" "$(value gmail1 mcp_token_cache_hits_total)"
check "mcp-gmail: one session open" eq "$(value gmail1 mcp_sessions_open)" 1
check "mcp-gmail: requests counted by endpoint pattern" \
    bash -c '[[ "$0" -ge 4 ]]' "$(value gmail1 'http_requests_total{route="/*/mcp",method="*",status="200"}')"
check "no token in a log" bash -c '! grep -q "$0" "$1"/*.log' "$MTOKEN" "$IT_DIR"
it_done
