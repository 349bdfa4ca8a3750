#!/usr/bin/env bash
# refresh_oidc.sh - refresh and revoke against a real authorization server, the `oidc-provider` npm package
# (tests/fakes/oidc-server.mjs: rotating refresh tokens, reuse detection, RFC 7009 revocation):
# - refresh with rotation: every refresh spends the stored refresh token and stores the new one; repeated
#   refreshes (forced, on read after expiry, across a broker restart) never reuse a spent token, so
#   oidc-provider's reuse detection never fires and the grant stays alive;
# - reuse detection: when a spent refresh token is put back (a clobbered row, the classic broker bug), the
#   refresh gets invalid_grant, oidc-provider revokes the whole grant and the broker marks needs_reauth + pushes;
# - revocation: POST /oauth/revoke reaches oidc-provider (RFC 7009) and ends the grant there.
# The browser part (login + consent at oidc-provider) runs in headless Chromium.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_setup roidc
[[ -x "${CHROMIUM:-/usr/bin/chromium}" ]] || it_skip "chromium is not installed (apt-get install chromium)"

it_oidc_fake oidcbasic || exit 1
MPORT="$(it_free_port)"
MCP="http://127.0.0.1:$MPORT"
it_write_json "$IT_DIR/services.json" '[
  {"service_name": "oidcbasic", "display_name": "OIDC basic", "port": 49901, "type": "oauth", "provider": "oidcbasic",
   "default_scopes": "openid offline_access email", "active": true}]'
BEARER="$(it_service_secret oidcbasic)"
it_broker_config "$BPORT" "{
  \"database\": {\"pool_size\": 2},
  \"oauth\": {\"callback_per_provider\": true, \"instance_cache_ttl_ms\": 300},
  \"refresh\": {\"enabled\": false},
  \"push\": {\"retries\": 2, \"backoff_base_ms\": 200, \"backoff_max_ms\": 1000, \"urls\": {\"oidcbasic\": \"$MCP\"}},
  \"providers\": {\"custom\": {\"providers\": [{\"name\": \"oidcbasic\", \"authorization_endpoint\": \"$AUTHZ\",
     \"token_endpoint\": \"$TOKEN\", \"revocation_endpoint\": \"$REVOKE\", \"client_auth\": \"basic\", \"pkce\": true,
     \"default_scopes\": \"openid offline_access\", \"extra_authorize_params\": {\"prompt\": \"consent\"}}]}}}"
FAKE_PORT="$MPORT" it_start mcp node "$IT_FAKES/fake-mcp.mjs" "$IT_DIR/keys/services/oidcbasic.secret"
it_wait_line "$IT_DIR/mcp.log" "listening" >/dev/null || exit 1
it_broker "$IT_DIR/broker.json" || exit 1
export -f psql_q
export IT_DB_URL

ostat() { curl -s "$ISSUER/_stats" | jq -r "$1"; }
vend() { http GET "$BROKER/instances/$1/token" "" "authorization: Bearer $BEARER" "x-mcp-service: oidcbasic"; }
me() { curl -s -o /dev/null -w '%{http_code}' -H "authorization: Bearer $1" "$ISSUER/me"; }
# expire ID: the stored access token expires (in the database, behind the broker's back), then the broker's instance
# cache (instance_cache_ttl_ms 300) is let lapse so that the next vend sees it
expire() {
    psql_q "UPDATE mcp_credentials SET token_expires_at = now() - interval '10 seconds' WHERE instance_id='$1'" >/dev/null
    sleep 0.4
}
rt_enc() { psql_q "SELECT encode(refresh_token_enc, 'hex') FROM mcp_credentials WHERE instance_id='$1'"; }
connect() { # connect USER -> IID (login + consent in Chromium)
    admin POST /instances "{\"service\":\"oidcbasic\",\"user_id\":\"$1\",\"client_id\":\"basic-client\",\"client_secret\":\"basic-secret-0123456789abcdef\"}"
    IID="$(jq -r .instance_id <<<"$BODY")"
    local out
    out="$(node "$IT_FAKES/browser-flow.mjs" "$BROKER/oauth/authorize?instance_id=$IID" oidc-approve)"
    check "$1: connected at oidc-provider (refresh token stored)" bash -c 'jq -e ".result==\"success\"" <<<"$0" >/dev/null && [[ "$1" == true ]]' "$out" \
        "$(psql_q "SELECT (refresh_token_enc IS NOT NULL)::text FROM mcp_credentials WHERE instance_id='$IID'")"
}

# ---- refresh with rotation: the stored refresh token changes on every refresh, the grant stays alive
connect alice
A="$IID"
vend "$A"
AT0="$(jq -r .access_token <<<"$BODY")"
RT0="$(rt_enc "$A")"
r0="$(ostat .refresh_calls)"
admin POST /oauth/refresh "{\"instance_id\":\"$A\"}"
check "forced refresh at oidc-provider: refreshed" jq_eq .outcome refreshed
RT1="$(rt_enc "$A")"
check "rotation: a new refresh token is stored (the sealed value changed)" bash -c '[[ -n "$0" && "$0" != "$1" ]]' "$RT1" "$RT0"
vend "$A"
AT1="$(jq -r .access_token <<<"$BODY")"
check "rotation: a new access token is vended and oidc-provider accepts it" eq "$([[ "$AT1" != "$AT0" ]] && echo new),$(me "$AT1")" "new,200"
expire "$A"
sleep 0.5 # the vending cache (instance_cache_ttl_ms 300) forgets the token vended just before
seq 20 | xargs -P 20 -I{} curl -s -o /dev/null -w '%{http_code}\n' -H "authorization: Bearer $BEARER" \
    -H "x-mcp-service: oidcbasic" "$BROKER/instances/$A/token" >"$IT_DIR/storm.codes"
check "20 concurrent vends of the expired token: all 200, one refresh" eq "$(grep -c '^200$' "$IT_DIR/storm.codes"),$(( $(ostat .refresh_calls) - r0 ))" "20,2"
kill -TERM "$BROKER_PID"; wait "$BROKER_PID" 2>/dev/null
it_broker "$IT_DIR/broker.json" || exit 1
admin POST /oauth/refresh "{\"instance_id\":\"$A\"}"
check "after a broker restart the rotated token refreshes" jq_eq .outcome refreshed
check "three rotations, no reuse: oidc-provider revoked no grant" eq "$(( $(ostat .refresh_calls) - r0 )),$(ostat .grants_revoked)" "3,0"
vend "$A"
ATN="$(jq -r .access_token <<<"$BODY")"
check "the grant is alive: the latest token works at oidc-provider" eq "$(me "$ATN")" 200
check "audit: three 'refreshed' rows, each a rotation" eq "$(psql_q "SELECT count(*) || ',' || bool_and((detail->>'rotated')::boolean) FROM token_audit_log WHERE instance_id='$A' AND event='refreshed'")" "3,true"

# ---- reuse detection: a spent refresh token put back into the row (a clobbered write) -> invalid_grant,
# oidc-provider revokes the grant, the broker records needs_reauth and pushes an invalidation
psql_q "UPDATE mcp_credentials SET refresh_token_enc = decode('$RT0', 'hex'), row_version = row_version + 1 WHERE instance_id='$A'" >/dev/null
admin POST /oauth/refresh "{\"instance_id\":\"$A\"}"
check "reuse of a spent refresh token: needs_reauth" bash -c '[[ "$0" == 409 || "$(jq -r .outcome <<<"$1")" == needs_reauth ]] || [[ "$(jq -r .code <<<"$1")" == needs_reauth ]]' "$STATUS" "$BODY"
check "reuse detected at oidc-provider: the grant is revoked, the latest access token is dead" eq "$(ostat .grants_revoked),$(me "$ATN")" "1,401"
check "reuse: status needs_reauth, audit invalid_grant" eq "$(psql_q "SELECT s.status || ',' || (SELECT detail->>'error' FROM token_audit_log WHERE instance_id='$A' AND event='refresh_failed' ORDER BY id DESC LIMIT 1) FROM mcp_service_table s WHERE instance_id='$A'")" "needs_reauth,invalid_grant"
sleep 0.5
check "reuse: invalidation pushed to the MCP server" eq "$(curl -s "$MCP/_pushes" | jq "[.accepted[].events[]|select(.instance_id==\"$A\" and .type==\"invalidate\" and .status==\"needs_reauth\")]|length")" 1

# ---- revocation (RFC 7009) reaches oidc-provider and ends the grant there
connect bob
B="$IID"
vend "$B"
ATB="$(jq -r .access_token <<<"$BODY")"
check "bob: the vended token works at oidc-provider" eq "$(me "$ATB")" 200
v0="$(ostat .revocations)"
g0="$(ostat .grants_revoked)"
admin POST /oauth/revoke "{\"instance_id\":\"$B\"}"
check "revoke: 200, provider_revoked" bash -c '[[ "$0" == 200 ]] && jq -e ".provider_revoked==true" <<<"$1" >/dev/null' "$STATUS" "$BODY"
check "revoke: one RFC 7009 request at oidc-provider, the grant revoked, the access token dead" eq "$(( $(ostat .revocations) - v0 )),$(( $(ostat .grants_revoked) - g0 )),$(me "$ATB")" "1,1,401"
check "revoke: tokens purged locally" eq "$(psql_q "SELECT (access_token_enc IS NULL AND refresh_token_enc IS NULL)::text FROM mcp_credentials WHERE instance_id='$B'")" true
grep -q -F -e "$AT0" -e "$ATN" -e "$ATB" "$IT_DIR/broker.log" && check "no token in the broker log" false || check "no token in the broker log" true

it_done
