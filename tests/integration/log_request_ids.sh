#!/usr/bin/env bash
# log_request_ids.sh - JSON logs and request ids across processes: the REAL broker and the REAL mcp-gmail with
# LOG_FORMAT=json (the broker through its config's log.format), at debug level, flood control off.
#   - X-Request-Id: a well-formed one is echoed, a malformed one is replaced by a generated one (32 hex);
#   - a tools/call sent with an id: mcp-gmail logs it under that id and its vend at the broker carries it (the
#     broker's line for GET /instances/<id>/token has the same request_id);
#   - an admin token import sent with an id: the broker's push to mcp-gmail carries it (the push line of the broker
#     and mcp-gmail's line for POST /cache-tokens);
#   - every line of both logs is one JSON object with ts, level, comp, msg, and no secret is in any line.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
GMAIL_BIN="$IT_BUILD/mcp-servers/gmail/mcp-gmail"
[[ -x "$GMAIL_BIN" ]] || it_skip "mcp-gmail is not built in $IT_BUILD"
it_setup log_rids
export LOG_RATE_LIMIT_MS=0

MPORT="$(it_registry_port)"
MCP="http://127.0.0.1:$MPORT"
it_google_fake "$MPORT" || exit 1
it_google_broker "{\"log_level\": \"debug\", \"log\": {\"format\": \"json\"}, \"refresh\": {\"enabled\": false},
  \"push\": {\"retries\": 0}}" || exit 1
it_start mcp-gmail env -u DATABASE_URL LOG_FORMAT=json LOG_LEVEL=debug MCP_HOST=127.0.0.1 MCP_PORT="$MPORT" \
    BROKER_URL="$BROKER" MCP_SERVICE_SECRET_FILE="$IT_DIR/keys/services/gmail.secret" "$GMAIL_BIN"
it_wait_line "$IT_DIR/mcp-gmail.log" "listening on 127\.0\.0\.1:$MPORT" >/dev/null || exit 1

# lines LOG JQ_FILTER: the lines of a JSON log the filter selects, compact
lines() { jq -c "select($2)" "$IT_DIR/$1.log" 2>/dev/null; }
# wait_line LOG JQ_FILTER: waits (bounded) until such a line is there
wait_line() {
    for _ in $(seq 1 $((50 * IT_WAIT_SCALE))); do
        [[ -n "$(lines "$1" "$2")" ]] && return 0
        sleep 0.1
    done
    return 1
}

# ---- X-Request-Id echoed when well-formed, generated otherwise
# admin_rid RID METHOD PATH BODY: an admin call sent with an X-Request-Id
admin_rid() { http "$2" "$BROKER$3" "$4" "authorization: Bearer $ADMIN_KEY" "x-request-id: $1"; }
admin_rid it-create.1_A-b POST /instances '{"service":"gmail","user_id":"u1","client_id":"gclient","client_secret":"gsecret-1"}'
IID="$(jq -r .instance_id <<<"$BODY")"
KEY="$(jq -r .mcp_access_key <<<"$BODY")"
check "create: 201, the well-formed X-Request-Id echoed" bash -c '[[ "$0" == 201 && "$1" == it-create.1_A-b ]]' \
    "$STATUS" "$(header x-request-id)"
http GET "$BROKER/health" "" "x-request-id: not well formed!"
check "a malformed X-Request-Id is replaced by a generated one (32 hex)" \
    bash -c '[[ "$0" =~ ^[0-9a-f]{32}$ ]]' "$(header x-request-id)"
http GET "$BROKER/health"
GEN="$(header x-request-id)"
check "no X-Request-Id: one is generated" bash -c '[[ "$0" =~ ^[0-9a-f]{32}$ ]]' "$GEN"
check "the broker logged the create under its id" \
    wait_line broker '.request_id == "it-create.1_A-b" and .msg == "request method=POST path=/instances"'

# ---- a tools/call followed into the broker: the vend it causes carries its id
mcp() {
    local msg
    msg="$(jq -cn --arg m "$1" --argjson p "$2" --argjson id "${3:-null}" \
        'if $id == null then {jsonrpc:"2.0",method:$m,params:$p} else {jsonrpc:"2.0",id:$id,method:$m,params:$p} end')"
    http POST "$MCP/$IID/mcp" "$msg" "authorization: Bearer $KEY" "accept: application/json, text/event-stream" \
        "mcp-protocol-version: 2025-11-25" ${SID:+"mcp-session-id: $SID"} ${RID:+"x-request-id: $RID"}
}
SID="" RID=""
mcp initialize '{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"rids","version":"0"}}' 1
SID="$(header mcp-session-id)"
mcp notifications/initialized '{}'
RID="it-tool-call-7"
mcp tools/call '{"name":"list_labels","arguments":{}}' 2
check "tools/call: answered, its id echoed by mcp-gmail" bash -c '[[ "$0" == 200 && "$1" == it-tool-call-7 ]]' \
    "$STATUS" "$(header x-request-id)"
check "mcp-gmail logged the tools/call under its id" \
    wait_line mcp-gmail ".request_id == \"$RID\" and .msg == \"request method=POST path=/$IID/mcp\""
check "the broker logged the vend it caused under the same id" \
    wait_line broker ".request_id == \"$RID\" and .msg == \"request method=GET path=/instances/$IID/token\""
echo "# the tools/call across processes:"
{ lines mcp-gmail ".request_id == \"$RID\""; lines broker ".request_id == \"$RID\""; } | sed 's/^/#   /'
RID=""

# ---- an admin request followed into the push it causes, and into mcp-gmail
TOKEN="ya29.imported-$RANDOM$RANDOM"
admin_rid it-import-3 POST /cache-tokens \
    "{\"instance_id\":\"$IID\",\"access_token\":\"$TOKEN\",\"refresh_token\":\"1//seed-rids\",\"expires_in\":3600}"
check "import: accepted" bash -c '[[ "$0" == 200 || "$0" == 201 || "$0" == 204 ]]' "$STATUS"
check "mcp-gmail received the push under the admin request's id" \
    wait_line mcp-gmail '.request_id == "it-import-3" and .msg == "request method=POST path=/cache-tokens"'
check "the broker logged the push's delivery under the same id" \
    wait_line broker '.request_id == "it-import-3" and .comp == "push" and (.msg | test("delivered"))'
echo "# the import across processes:"
{ lines broker '.request_id == "it-import-3"'; lines mcp-gmail '.request_id == "it-import-3"'; } | sed 's/^/#   /'

# ---- every line is JSON with the four members; no secret anywhere
it_stop_all
for log in broker mcp-gmail; do
    bad="$(jq -R -c 'fromjson? // "NOT JSON"
        | if type == "object" and (.ts|type) == "string" and (.level|type) == "string" and (.comp|type) == "string"
             and (.msg|type) == "string" then empty else . end' "$IT_DIR/$log.log" | head -3)"
    check "every line of $log.log is a JSON object with ts, level, comp, msg ($(wc -l <"$IT_DIR/$log.log") lines)" \
        eq "$bad" ""
done
printf '%s\n' "$KEY" "$TOKEN" "gsecret-1" "1//seed-rids" "$ADMIN_KEY" "$(it_service_secret gmail)" >"$IT_DIR/secrets.txt"
check "no secret in any line of the broker's or mcp-gmail's JSON log" \
    bash -c '! grep -q -F -f "$0" "$1" "$2" && ! grep -q -E "ya29\.|1//0|eyJ0eXAi" "$1" "$2"' \
    "$IT_DIR/secrets.txt" "$IT_DIR/broker.log" "$IT_DIR/mcp-gmail.log"
it_done
