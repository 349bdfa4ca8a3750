#!/usr/bin/env bash
# mcp_provider_outage.sh - a provider outage seen through an MCP server, end to end: the REAL broker (PostgreSQL) +
# the REAL mcp-gmail + tests/fakes/fake-google.mjs (token endpoint, /tokeninfo) + tests/interop/fake-gmail.mjs.
# The instance's token has expired and Google's token endpoint answers 503 (Retry-After 3): the broker answers the
# vend 503 provider_unavailable with Retry-After and retry_after_s, and a tools/call gets a tool error (isError)
# that says the failure is temporary and after how many seconds to retry (the broker's figure, 1..3 s). Google back:
# the same call, retried after those seconds, succeeds with the token the provider issued.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
INTEROP="$IT_SRC/tests/interop"
GMAIL_BIN="$IT_BUILD/mcp-servers/gmail/mcp-gmail"
[[ -x "$GMAIL_BIN" ]] || it_skip "mcp-gmail is not built in $IT_BUILD"
it_setup mcp_outage

# the registry port is not used to reach mcp-gmail (push.urls names a port nobody listens on): the server's token
# cache stays empty, so the tool call has to vend the expired token from the broker
it_google_fake 49297 || exit 1
MPORT="$(it_free_port)"
MCP="http://127.0.0.1:$MPORT"
FAKE_TOKENINFO_URL="$GOOGLE/tokeninfo" it_start gmailapi node "$INTEROP/fake-gmail.mjs" unused
GMAIL_API="http://127.0.0.1:$(it_wait_line "$IT_DIR/gmailapi.log" "listening on" | sed -E 's/.*:([0-9]+)$/\1/')" || exit 1
it_google_broker "{\"refresh\": {\"enabled\": false, \"backoff_base_ms\": 10000, \"expired_backoff_max_ms\": 3000},
  \"push\": {\"retries\": 0, \"urls\": {\"gmail\": \"http://127.0.0.1:$(it_free_port)\"}}}" || exit 1
it_start mcp-gmail env -u DATABASE_URL MCP_HOST=127.0.0.1 MCP_PORT="$MPORT" BROKER_URL="$BROKER" \
    MCP_SERVICE_SECRET_FILE="$IT_DIR/keys/services/gmail.secret" GMAIL_API_BASE="$GMAIL_API" "$GMAIL_BIN"
it_wait_line "$IT_DIR/mcp-gmail.log" "listening on 127\.0\.0\.1:$MPORT" >/dev/null || exit 1

gstat() { curl -s "$GOOGLE/_stats" | jq -r "$1"; }
gfail() { curl -s -X POST "$GOOGLE/_fail" -d "$1" >/dev/null; }
# mcp METHOD PARAMS_JSON [ID]: one JSON-RPC request on the session; the JSON-RPC answer (JSON or one SSE event) in $RPC
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
tool_text() { jq -r '.result.content[0].text // empty' <<<"$RPC"; }

admin POST /instances '{"service":"gmail","user_id":"u1","client_id":"gclient","client_secret":"gsecret-1"}'
IID="$(jq -r .instance_id <<<"$BODY")"
KEY="$(jq -r .mcp_access_key <<<"$BODY")"
curl -s -X POST "$GOOGLE/_seed" -d '{"client_id":"gclient","refresh_token":"1//seed-M"}' >/dev/null
admin POST /cache-tokens "{\"instance_id\":\"$IID\",\"access_token\":\"imported-$RANDOM\",\"refresh_token\":\"1//seed-M\",\"expires_in\":3600}"
check "setup: token imported" bash -c '[[ "$0" == 200 || "$0" == 201 || "$0" == 204 ]]' "$STATUS"

SID=""
mcp initialize '{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"outage","version":"0"}}' 1
SID="$(header mcp-session-id)"
check "initialize: a session" bash -c '[[ "$0" == 200 && -n "$1" && "$(jq -r .result.protocolVersion <<<"$2")" == 2025-11-25 ]]' "$STATUS" "$SID" "$RPC"
mcp notifications/initialized '{}'
check "initialized: accepted" eq "$STATUS" 202

# ---- Google's token endpoint down, the token expired
gfail '{"status":503,"count":100000,"retry_after":3}'
psql_q "UPDATE mcp_credentials SET token_expires_at = now() - interval '10 seconds' WHERE instance_id='$IID'" >/dev/null
sleep 0.4 # the broker's instance cache (300 ms) lapses
t0="$(gstat .token_calls)"
mcp tools/call '{"name":"list_labels","arguments":{}}' 2
TEXT="$(tool_text)"
SECS="$(sed -nE 's/.*This is temporary; retry after ([0-9]+) seconds\..*/\1/p' <<<"$TEXT")"
echo "# outage: $TEXT"
check "outage: tools/call answers 200 with a tool error (isError), not a JSON-RPC error" \
    bash -c '[[ "$0" == 200 && "$(jq -r .result.isError <<<"$1")" == true && "$(jq -r .error <<<"$1")" == null ]]' "$STATUS" "$RPC"
check "outage: the error says the provider is unavailable and that it is temporary" \
    bash -c '[[ "$0" == *"No access token for"*"right now"* && "$0" == *"This is temporary"* ]]' "$TEXT"
check "outage: the error says after how many seconds to retry (the broker's Retry-After, 1..3 s)" \
    bash -c '[[ "$0" =~ ^[0-9]+$ && "$0" -ge 1 && "$0" -le 3 ]]' "$SECS"
check "outage: the broker tried the provider once" eq "$(($(gstat .token_calls) - t0))" 1
# the vend the MCP server saw: 503 provider_unavailable with the same figure in Retry-After and retry_after_s
http GET "$BROKER/instances/$IID/token" "" "authorization: Bearer $(it_service_secret gmail)" "x-mcp-service: gmail"
check "outage: the broker's vend is 503 provider_unavailable, Retry-After = retry_after_s" \
    bash -c '[[ "$0" == 503 && "$(jq -r .code <<<"$1")" == provider_unavailable && "$(jq -r .retry_after_s <<<"$1")" == "$2" ]]' \
    "$STATUS" "$BODY" "$(header retry-after)"

# ---- Google back: the client retries as told (bounded: 6 attempts) and the call succeeds with the new token
gfail '{"count":0}'
ok=0
for i in $(seq 3 8); do
    sleep "${SECS:-1}"
    mcp tools/call '{"name":"list_labels","arguments":{}}' "$i"
    if [[ "$(jq -r '.result.isError // false' <<<"$RPC")" == false && -n "$(tool_text)" ]]; then
        ok=1
        break
    fi
    TEXT="$(tool_text)"
    SECS="$(sed -nE 's/.*retry after ([0-9]+) seconds.*/\1/p' <<<"$TEXT")"
done
echo "# back: $(tool_text | head -c 200)"
check "back: the tool call succeeds after the advised wait" eq "$ok" 1
check "back: it lists the mailbox's labels (the fake API accepted the provider's new token)" \
    bash -c '[[ "$0" == *INBOX* ]]' "$(jq -c .result <<<"$RPC")"
check "back: the provider issued that token (one refresh)" bash -c '[[ "$0" -ge 1 && "$1" == ya29.* ]]' \
    "$(($(gstat .token_calls) - t0))" "$(gstat '.issued[-1].access_token')"
it_done
