#!/usr/bin/env bash
# mcp_e2e.sh - the MCP services end to end with the REAL broker: PostgreSQL-backed broker + tests/fakes/fake-google.mjs
# (authorization server, /tokeninfo) + tests/interop/fake-gmail.mjs (bearers checked at the fake's /tokeninfo, as
# Google's APIs do) + mcp-gmail:
#   admin API creates an instance -> consent against the fake provider (curl through the redirect chain) ->
#   the official SDK client (tests/interop/gmail-test.mjs: the 20 tools) calls tools with the instance's MCP key ->
#   the fake API saw the requests with the vended bearer; then tests/interop/e2e-session.mjs: a token expired at the
#   provider mid-session and a forced POST /oauth/refresh are invisible to the client; POST /oauth/revoke -> the
#   re-authorize error naming the broker's authorize URL.
# The same for mcp-outlook (when built) against fake-google.mjs in its Microsoft flavor (FAKE_FLAVOR=microsoft) and
# tests/interop/fake-outlook.mjs: consent, a tool call with the vended bearer, then e2e-session.mjs.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
INTEROP="$IT_SRC/tests/interop"
GMAIL_BIN="$IT_BUILD/mcp-servers/gmail/mcp-gmail"
[[ -x "$GMAIL_BIN" ]] || it_skip "mcp-gmail is not built in $IT_BUILD"
[[ -d "$INTEROP/node_modules/@modelcontextprotocol/sdk" ]] || it_skip "tests/interop/node_modules is missing (npm ci in tests/interop)"
it_setup mcp_e2e
# the broker and the MCP servers log JSON (docs/logging.md): every line is checked to be one object, and the secret
# grep at the end runs over that format
export LOG_FORMAT=json
export LSAN_OPTIONS="suppressions=$INTEROP/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

OUTLOOK_BIN="$IT_BUILD/mcp-servers/outlook/mcp-outlook"
GITHUB_BIN="$IT_BUILD/mcp-servers/github/mcp-github"
WITH_OUTLOOK=0
WITH_GITHUB=0
[[ -x "$OUTLOOK_BIN" && -f "${OB_PLUGIN_DIR:-$IT_BUILD/plugins}/microsoft.so" ]] && WITH_OUTLOOK=1
[[ -x "$GITHUB_BIN" && -f "${OB_PLUGIN_DIR:-$IT_BUILD/plugins}/github.so" ]] && WITH_GITHUB=1
SECRETS=()
# the registry allows ports 49000..50000 only: a free one in 49400..49899 (clear of config/services.json's ports)
registry_port() {
    node -e 'const net=require("net");let n=0;const t=()=>{if(++n>50)process.exit(1);const p=49400+Math.floor(Math.random()*500);
      const s=net.createServer();s.once("error",t);s.listen(p,"127.0.0.1",()=>{s.close(()=>console.log(p))})};t()'
}
GPORT="$(it_free_port)"
MSPORT="$(it_free_port)"
BPORT="$(it_free_port)"
MPORT="$(registry_port)" || exit 1
for _ in $(seq 1 20); do
    OPORT="$(registry_port)" || exit 1
    [[ "$OPORT" != "$MPORT" ]] && break
done
for _ in $(seq 1 20); do
    HPORT="$(registry_port)" || exit 1
    [[ "$HPORT" != "$MPORT" && "$HPORT" != "$OPORT" ]] && break
done
GHPORT="$(it_free_port)"
GHAS="http://127.0.0.1:$GHPORT"
GMCP="http://127.0.0.1:$HPORT"
BROKER="http://127.0.0.1:$BPORT"
GOOGLE="http://127.0.0.1:$GPORT"
MSFT="http://127.0.0.1:$MSPORT"
MCP="http://127.0.0.1:$MPORT"
OMCP="http://127.0.0.1:$OPORT"

it_write_json "$IT_DIR/google.json" "{\"clients\": [
  {\"client_id\": \"gclient\", \"client_secret\": \"gsecret-e2e-1\", \"redirect_uris\": [\"$BROKER/oauth/callback\"]}]}"
it_write_json "$IT_DIR/microsoft.json" "{\"clients\": [
  {\"client_id\": \"6731de76-14a6-49ae-97bc-6eba6914391e\", \"client_secret\": \"ms~secret.e2e\", \"redirect_uris\": [\"$BROKER/oauth/callback\"]}]}"
it_write_json "$IT_DIR/github.json" "{\"clients\": [
  {\"client_id\": \"Iv23liE2eClient\", \"client_secret\": \"gh-secret-e2e\", \"redirect_uris\": [\"$BROKER/oauth/callback\"]}]}"
# the registry entry's port is where mcp-gmail listens: the broker derives the MCP URL and the push URL from it
it_write_json "$IT_DIR/services.json" "[
  {\"service_name\": \"gmail\", \"display_name\": \"Gmail\", \"port\": $MPORT, \"type\": \"oauth\", \"provider\": \"google\",
   \"default_scopes\": \"openid email https://www.googleapis.com/auth/gmail.modify\", \"active\": true},
  {\"service_name\": \"outlook\", \"display_name\": \"Outlook\", \"port\": $OPORT, \"type\": \"oauth\", \"provider\": \"microsoft\",
   \"default_scopes\": \"offline_access User.Read Mail.ReadWrite Mail.Send\", \"active\": true},
  {\"service_name\": \"github\", \"display_name\": \"GitHub\", \"port\": $HPORT, \"type\": \"oauth\", \"provider\": \"github\",
   \"default_scopes\": \"repo read:user\", \"active\": true}]"
it_service_secret gmail >/dev/null
it_service_secret outlook >/dev/null
it_service_secret github >/dev/null
it_broker_config "$BPORT" "{
  \"database\": {\"pool_size\": 4, \"query_timeout_ms\": 5000}, \"log_level\": \"info\",
  \"oauth\": {\"instance_cache_ttl_ms\": 300},
  \"refresh\": {\"enabled\": false},
  \"push\": {\"retries\": 3, \"backoff_base_ms\": 100, \"backoff_max_ms\": 500},
  \"providers\": {\"google\": $(it_google_endpoints),
                \"microsoft\": {\"authorization_endpoint\": \"$MSFT/{tenant}/oauth2/v2.0/authorize\",
                                \"token_endpoint\": \"$MSFT/{tenant}/oauth2/v2.0/token\",
                                \"jwks_uri\": \"$MSFT/discovery/v2.0/keys\", \"userinfo_endpoint\": \"$MSFT/oidc/userinfo\"},
                \"github\": {\"authorization_endpoint\": \"$GHAS/login/oauth/authorize\",
                             \"token_endpoint\": \"$GHAS/login/oauth/access_token\", \"api_base\": \"$GHAS\"}}}"

FAKE_PORT="$GPORT" it_start google node "$IT_FAKES/fake-google.mjs" "$IT_DIR/google.json"
FAKE_TOKENINFO_URL="$GOOGLE/tokeninfo" it_start gmailapi node "$INTEROP/fake-gmail.mjs" unused
FAKE_PORT="$MSPORT" FAKE_FLAVOR=microsoft it_start microsoft node "$IT_FAKES/fake-google.mjs" "$IT_DIR/microsoft.json"
FAKE_TOKENINFO_URL="$MSFT/tokeninfo" it_start graph node "$INTEROP/fake-outlook.mjs" unused
FAKE_PORT="$GHPORT" FAKE_FLAVOR=github it_start github-as node "$IT_FAKES/fake-google.mjs" "$IT_DIR/github.json"
FAKE_TOKENINFO_URL="$GHAS/tokeninfo" it_start github-api node "$INTEROP/fake-github.mjs" unused
it_wait_line "$IT_DIR/google.log" "listening" >/dev/null || exit 1
it_wait_line "$IT_DIR/github-as.log" "listening" >/dev/null || exit 1
GHAPI="http://127.0.0.1:$(it_wait_line "$IT_DIR/github-api.log" "listening on" | sed -E 's/.*:([0-9]+)$/\1/')" || exit 1
it_wait_line "$IT_DIR/microsoft.log" "listening" >/dev/null || exit 1
GRAPH="http://127.0.0.1:$(it_wait_line "$IT_DIR/graph.log" "listening on" | sed -E 's/.*:([0-9]+)$/\1/')" || exit 1
GMAIL_API="http://127.0.0.1:$(it_wait_line "$IT_DIR/gmailapi.log" "listening on" | sed -E 's/.*:([0-9]+)$/\1/')" || exit 1
it_broker "$IT_DIR/broker.json" || exit 1
it_start mcp-gmail env -u DATABASE_URL MCP_HOST=127.0.0.1 MCP_PORT="$MPORT" BROKER_URL="$BROKER" \
    MCP_SERVICE_SECRET_FILE="$IT_DIR/keys/services/gmail.secret" GMAIL_API_BASE="$GMAIL_API" MCP_USAGE_FLUSH_MS=300 "${IT_WRAP[@]}" "$GMAIL_BIN"
it_wait_line "$IT_DIR/mcp-gmail.log" "listening on 127\.0\.0\.1:$MPORT" >/dev/null || exit 1
if ((WITH_OUTLOOK)); then
    it_start mcp-outlook env -u DATABASE_URL MCP_HOST=127.0.0.1 MCP_PORT="$OPORT" BROKER_URL="$BROKER" \
        MCP_SERVICE_SECRET_FILE="$IT_DIR/keys/services/outlook.secret" GRAPH_API_BASE="$GRAPH/v1.0" MCP_USAGE_FLUSH_MS=300 "${IT_WRAP[@]}" "$OUTLOOK_BIN"
    it_wait_line "$IT_DIR/mcp-outlook.log" "listening on 127\.0\.0\.1:$OPORT" >/dev/null || exit 1
fi
if ((WITH_GITHUB)); then
    it_start mcp-github env -u DATABASE_URL MCP_HOST=127.0.0.1 MCP_PORT="$HPORT" BROKER_URL="$BROKER" \
        MCP_SERVICE_SECRET_FILE="$IT_DIR/keys/services/github.secret" GITHUB_API_BASE="$GHAPI" MCP_USAGE_FLUSH_MS=300 "${IT_WRAP[@]}" "$GITHUB_BIN"
    it_wait_line "$IT_DIR/mcp-github.log" "listening on 127\.0\.0\.1:$HPORT" >/dev/null || exit 1
fi

# consent NAME AS_URL: broker authorize -> fake authorization server's consent page -> approve -> broker callback
consent() {
    local name="$1" as="$2" loc rid cb
    http GET "$AUTHZ"
    loc="$(header location)"
    AUTH_LOC="$loc"
    check "$name authorize: 302 to the provider" bash -c '[[ "$0" == 302 && "$1" == "$2"/* ]]' "$STATUS" "$loc" "$as"
    http GET "$loc"
    rid="$(grep -o 'name="rid" value="[^"]*"' <<<"$BODY" | cut -d'"' -f4)"
    check "$name provider: consent page" bash -c '[[ "$0" == 200 && -n "$1" ]]' "$STATUS" "$rid"
    STATUS="$(curl -s -o /dev/null -D "$IT_DIR/consent.hdrs" -w '%{http_code}' --max-time 10 -X POST "$as/o/oauth2/consent" \
        --data "rid=$rid&decision=approve")"
    cb="$(tr -d '\r' <"$IT_DIR/consent.hdrs" | grep -i '^location:' | cut -d' ' -f2-)"
    check "$name provider: approve -> 302 to the broker's callback" bash -c '[[ "$0" == 302 && "$1" == "$2"/oauth/callback\?* ]]' "$STATUS" "$cb" "$BROKER"
    http GET "$cb"
    check "$name callback: success page" bash -c '[[ "$0" == 200 && "$1" == *data-result=\"success\"* ]]' "$STATUS" "$BODY"
    admin GET "/instances/$IID"
    check "$name instance active, consent completed" jq_eq '[.status,.oauth_status]|join(",")' "active,completed"
    TOKEN0="$(curl -s "$as/_stats" | jq -r '.issued[-1].access_token')"
}

# ---- create an instance through the admin API
admin POST /instances '{"service":"gmail","user_id":"user-e2e","client_id":"gclient","client_secret":"gsecret-e2e-1"}'
IID="$(jq -r .instance_id <<<"$BODY")"
KEY="$(jq -r .mcp_access_key <<<"$BODY")"
AUTHZ="$(jq -r .authorize_url <<<"$BODY")"
check "create: 201 with an MCP key" bash -c '[[ "$0" == 201 && ${#1} -ge 32 ]]' "$STATUS" "$KEY"
check "create: MCP URL on mcp-gmail's port, authorize URL on the broker" \
    eq "$(jq -r .mcp_url <<<"$BODY") $AUTHZ" "$MCP/$IID/mcp $BROKER/oauth/authorize?instance_id=$IID"

# before consent there is no token: a tool call says where to authorize
http GET "$BROKER/instances/$IID/token" "" "authorization: Bearer $(it_service_secret gmail)" "x-mcp-service: gmail"
check "before consent: vend -> 409 naming the authorize URL" bash -c '[[ "$0" == 409 && "$(jq -r .authorize_url <<<"$1")" == "$2" ]]' "$STATUS" "$BODY" "$AUTHZ"

# ---- consent
consent gmail "$GOOGLE"
check "provider issued an access token at consent" bash -c '[[ "$0" == ya29.* ]]' "$TOKEN0"
# the callback's signed push reached mcp-gmail: the token is in its cache before any tool call pulled one
for _ in $(seq 1 $((30 * IT_WAIT_SCALE))); do
    [[ "$(curl -s "$MCP/health" | jq '.token_cache.entries')" -ge 1 ]] 2>/dev/null && break
    sleep 0.1
done
pushed="$(curl -s "$MCP/health" | jq -c '[.counters.pushes_ok >= 1, .counters.pushes_rejected, .token_cache.entries, .token_cache.fetches]')"
echo "# mcp-gmail after the callback: [pushes_ok >= 1, pushes_rejected, token_cache.entries, token_cache.fetches] = $pushed"
check "callback: token pushed to the MCP server (accepted, cached, nothing pulled)" eq "$pushed" "[true,0,1,0]"

# ---- the 20 tools through the official SDK client, bearer = the token vended by the real broker
UPSTREAM_TOKEN="$TOKEN0" AUTHORIZE_URL="$AUTHZ" BROKER_HOOKS=0 MCP_TEST_SKIP_LARGE=$((${#IT_WRAP[@]} > 0)) MCP_TEST_TIMEOUT_MS=$((60000 * IT_WAIT_SCALE)) timeout $((180 * IT_WAIT_SCALE)) \
    node "$INTEROP/gmail-test.mjs" "$MCP" "$IID" "$KEY" "$GMAIL_API" "$BROKER" >"$IT_DIR/gmail-test.out" 2>&1
rc=$?
grep -E '^not ok' "$IT_DIR/gmail-test.out"
check "gmail-test.mjs (20 tools) against the real broker: $(tail -n1 "$IT_DIR/gmail-test.out")" eq "$rc" 0

# usage counters reached the broker (flush every 300 ms)
for _ in $(seq 1 $((30 * IT_WAIT_SCALE))); do
    [[ "$(psql_q "SELECT usage_count > 0 FROM mcp_service_table WHERE instance_id='$IID'")" == t ]] && break
    sleep 0.2
done
check "usage counted by the broker" eq "$(psql_q "SELECT usage_count > 0 FROM mcp_service_table WHERE instance_id='$IID'")" t

# ---- refresh mid-session, forced refresh pushed, revoke
ADMIN_KEY="$ADMIN_KEY" UPSTREAM_TOKEN="$TOKEN0" timeout $((120 * IT_WAIT_SCALE)) \
    node "$INTEROP/e2e-session.mjs" "$MCP" "$IID" "$KEY" "$GMAIL_API" "$GOOGLE" "$BROKER" >"$IT_DIR/e2e-session.out" 2>&1
rc=$?
cat "$IT_DIR/e2e-session.out"
check "e2e-session.mjs: refresh invisible, revoke -> re-authorize" eq "$rc" 0
check "revoke reached the provider" bash -c '[[ "$(curl -s "$0/_stats" | jq .revoke_calls)" -ge 1 ]]' "$GOOGLE"
SECRETS+=("$KEY" "$TOKEN0")

# ---- outlook and github: the same against the Microsoft / GitHub flavors of the fake authorization server
# svc_e2e SERVICE CLIENT_ID CLIENT_SECRET AS_URL MCP_URL API_URL TOOL API_PATH
svc_e2e() {
    local svc="$1" cid="$2" csecret="$3" as="$4" mcp="$5" api="$6" tool="$7" path="$8" rc
    admin POST /instances "{\"service\":\"$svc\",\"user_id\":\"user-e2e\",\"client_id\":\"$cid\",\"client_secret\":\"$csecret\"}"
    IID="$(jq -r .instance_id <<<"$BODY")"
    KEY="$(jq -r .mcp_access_key <<<"$BODY")"
    AUTHZ="$(jq -r .authorize_url <<<"$BODY")"
    SECRETS+=("$KEY")
    check "$svc create: 201, MCP URL on mcp-$svc's port" eq "$STATUS $(jq -r .mcp_url <<<"$BODY")" "201 $mcp/$IID/mcp"
    consent "$svc" "$as"
    SECRETS+=("$TOKEN0")
    ADMIN_KEY="$ADMIN_KEY" UPSTREAM_TOKEN="$TOKEN0" E2E_TOOL="$tool" E2E_API_PATH="$path" timeout $((120 * IT_WAIT_SCALE)) \
        node "$INTEROP/e2e-session.mjs" "$mcp" "$IID" "$KEY" "$api" "$as" "$BROKER" >"$IT_DIR/e2e-$svc.out" 2>&1
    rc=$?
    sed "s/^/$svc: /" "$IT_DIR/e2e-$svc.out"
    check "$svc e2e-session.mjs: refresh invisible, revoke -> re-authorize" eq "$rc" 0
}
if ((WITH_OUTLOOK)); then
    svc_e2e outlook 6731de76-14a6-49ae-97bc-6eba6914391e "ms~secret.e2e" "$MSFT" "$OMCP" "$GRAPH" list_folders /me/mailFolders
    check "outlook: authorize went to the tenant endpoint asking for offline_access" \
        bash -c '[[ "$0" == "$1"/common/oauth2/v2.0/authorize\?*scope=*offline_access* ]]' "$AUTH_LOC" "$MSFT"
    check "outlook: Microsoft issued refresh tokens (rotated on refresh)" \
        eq "$(curl -s "$MSFT/_stats" | jq -r '[.issued[].refresh_token|select(.!=null)|startswith("M.C5")]|length')" 3
else
    echo "# outlook part skipped: mcp-outlook or the microsoft plugin is not built in $IT_BUILD"
fi
if ((WITH_GITHUB)); then
    svc_e2e github Iv23liE2eClient "gh-secret-e2e" "$GHAS" "$GMCP" "$GHAPI" get_authenticated_user /user
    check "github: tokens from the web flow are ghu_/ghr_ (expiring user tokens)" \
        eq "$(curl -s "$GHAS/_stats" | jq -r '.issued[0]|[(.access_token|startswith("ghu_")),(.refresh_token|startswith("ghr_"))]|map(tostring)|join(",")')" true,true
    check "github: revoke deleted the grant at GitHub" eq "$(curl -s "$GHAS/_stats" | jq -r '.revoke_calls')" 1
else
    echo "# github part skipped: mcp-github or the github plugin is not built in $IT_BUILD"
fi

# ---- stop everything; sanitizer reports and secrets in the MCP server's log fail the test
it_stop_all
for log in "$IT_DIR"/mcp-*.log; do
    if grep -q -E "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$log"; then
        grep -E -A12 "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$log" | head -60
        check "no sanitizer report in $(basename "$log")" false
    else
        check "no sanitizer report in $(basename "$log")" true
    fi
done
for log in "$IT_DIR"/mcp-*.log "$IT_DIR/broker.log"; do
    bad="$(jq -R -c 'fromjson? // "NOT JSON" | if type == "object" and (.msg|type) == "string" then empty else . end' \
        "$log" | head -3)"
    check "every line of $(basename "$log") is a JSON object (LOG_FORMAT=json)" eq "$bad" ""
done
printf '%s\n' "${SECRETS[@]}" >"$IT_DIR/secrets.txt"
grep -q -F -f "$IT_DIR/secrets.txt" "$IT_DIR"/mcp-*.log "$IT_DIR/broker.log" ||
    grep -q -E 'ya29\.|1//0|eyJ0eXAi|M\.C5|gh[ur]_' "$IT_DIR"/mcp-*.log "$IT_DIR/broker.log"
check "no MCP key or provider token in the logs" eq "$?" 1
it_done
