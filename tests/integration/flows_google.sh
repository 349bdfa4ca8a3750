#!/usr/bin/env bash
# flows_google.sh - the browser consent flow, the encrypted store, vending and the admin API of one real
# broker against the real PostgreSQL and tests/fakes/fake-google.mjs (Google's documented endpoints and
# errors): consent approve/deny, invalid_client, redirect_uri_mismatch, invalid_grant (cross-instance code +
# PKCE), 5xx; state tampering, replay, expiry, cross-provider use; return URLs; service-key scoping;
# ciphertext in PostgreSQL read directly; statuses; revoke-then-delete; key rotation (rotate-keys);
# and the headless Chromium round trip (tests/fakes/browser-flow.mjs).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_setup google

GPORT="$(it_free_port)"
BPORT="$(it_free_port)"
MPORT="$(it_free_port)"
BROKER="http://127.0.0.1:$BPORT"
MCP="http://127.0.0.1:$MPORT" # this test's stand-in for the MCP servers: every push goes there
GOOGLE="http://127.0.0.1:$GPORT"
CB="$BROKER/oauth/callback"

it_write_json "$IT_DIR/google.json" "{\"clients\": [
  {\"client_id\": \"gclient\", \"client_secret\": \"gsecret-PLAINTEXT-0001\", \"redirect_uris\": [\"$CB\"]},
  {\"client_id\": \"gclient-elsewhere\", \"client_secret\": \"gsecret-2\", \"redirect_uris\": [\"https://elsewhere.example/cb\"]}]}"
it_write_json "$IT_DIR/services.json" '[
  {"service_name": "gmail", "display_name": "Gmail", "port": 49296, "type": "oauth", "provider": "google",
   "default_scopes": "openid email https://www.googleapis.com/auth/gmail.modify", "active": true},
  {"service_name": "googledrive", "display_name": "Drive", "port": 49297, "type": "oauth", "provider": "google",
   "default_scopes": "openid email", "active": true},
  {"service_name": "dormant", "display_name": "Dormant", "port": 49298, "type": "oauth", "provider": "google",
   "active": false}]'
GMAIL_BEARER="$(it_service_secret gmail)"
DRIVE_BEARER="$(it_service_secret googledrive)"
write_config() {
    it_broker_config "$BPORT" "{
  \"database\": {\"pool_size\": 2, \"query_timeout_ms\": 5000}, \"log_level\": \"info\",
  \"oauth\": {\"allowed_return_urls\": [\"$BROKER/health\"], \"state_ttl_s\": 600, \"instance_cache_ttl_ms\": 300},
  \"push\": {\"urls\": {\"gmail\": \"$MCP\", \"googledrive\": \"$MCP\"}},
  \"providers\": {\"google\": $(it_google_endpoints)}}"
}
write_config
FAKE_PORT="$GPORT" it_start google node "$IT_FAKES/fake-google.mjs" "$IT_DIR/google.json"
FAKE_PORT="$MPORT" it_start mcp node "$IT_FAKES/fake-mcp.mjs" "$IT_DIR/keys/services/gmail.secret" "$IT_DIR/keys/services/googledrive.secret"
it_wait_line "$IT_DIR/google.log" "listening" >/dev/null || exit 1
it_wait_line "$IT_DIR/mcp.log" "listening" >/dev/null || exit 1
it_broker "$IT_DIR/broker.json" || exit 1

svc() { printf 'authorization: Bearer %s\nx-mcp-service: %s' "$1" "$2"; }
vend() { # vend ID BEARER SERVICE
    http GET "$BROKER/instances/$1/token" "" "authorization: Bearer $2" "x-mcp-service: $3"
}
create() { # create CLIENT_ID SECRET [extra json members]
    admin POST /instances "{\"service\":\"gmail\",\"user_id\":\"user-1\",\"client_id\":\"$1\",\"client_secret\":\"$2\"${3:-}}"
    IID="$(jq -r .instance_id <<<"$BODY")"
    MCP_KEY="$(jq -r .mcp_access_key <<<"$BODY")"
}
# consent ID DECISION [authorize query]: authorize -> fake consent -> decision; sets CB_URL (the provider's
# redirect back to the broker) or FAKE_STATUS/FAKE_BODY when the fake refused to redirect.
consent() {
    CB_URL=""
    http GET "$BROKER/oauth/authorize?instance_id=$1${3:-}"
    AUTH_STATUS="$STATUS"
    local loc
    loc="$(header location)"
    [[ "$STATUS" == 302 && "$loc" == "$GOOGLE"* ]] || return 1
    AUTHZ_LOCATION="$loc"
    http GET "$loc"
    FAKE_STATUS="$STATUS"
    FAKE_BODY="$BODY"
    local rid
    rid="$(grep -o 'name="rid" value="[^"]*"' <<<"$BODY" | cut -d'"' -f4)"
    [[ -n "$rid" ]] || return 1
    STATUS="$(curl -s -o /dev/null -D "$IT_DIR/consent.hdrs" -w '%{http_code}' -X POST "$GOOGLE/o/oauth2/consent" \
        --data "rid=$rid&decision=$2")"
    CB_URL="$(tr -d '\r' <"$IT_DIR/consent.hdrs" | grep -i '^location:' | cut -d' ' -f2-)"
}
qparam() { node -e 'try { console.log(new URL(process.argv[1]).searchParams.get(process.argv[2]) ?? "") } catch { console.log("") }' "$1" "$2"; }
export -f qparam psql_q
export IT_DB_URL
count_rows() { psql_q "SELECT (SELECT count(*) FROM mcp_service_table) || '/' || (SELECT count(*) FROM mcp_credentials) || '/' || (SELECT count(*) FROM token_audit_log)"; }

# ---- create, read, vend before authorization
create gclient gsecret-PLAINTEXT-0001
check "create: 201" eq "$STATUS" 201
check "create: pending, with URLs and a one-time key" jq_eq '[.status,.oauth_status,(.authorize_url|startswith("'"$BROKER"'/oauth/authorize?instance_id=")),(.mcp_url|contains("49296")),(.mcp_access_key|length>=43)]|map(tostring)|join(",")' "active,pending,true,true,true"
check "create: no-store" eq "$(header cache-control)" "no-store"
A="$IID"
A_KEY="$MCP_KEY"
admin GET "/instances/$A"
check "get: 200 without secrets or the key" bash -c '[[ "$0" == 200 && "$1" != *gsecret* && "$1" != *mcp_access_key* && "$1" != *"'"$A_KEY"'"* ]]' "$STATUS" "$BODY"
check "stored key hash is the SHA-256 of the key" eq "$(psql_q "SELECT mcp_key_hash FROM mcp_service_table WHERE instance_id='$A'")" "$(printf '%s' "$A_KEY" | sha256sum | cut -c1-64)"
vend "$A" "$GMAIL_BEARER" gmail
check "vend before authorization: 409 needs_reauth" bash -c '[[ "$0" == 409 ]] && jq -e ".code==\"needs_reauth\" and (.authorize_url|length>0)" <<<"$1" >/dev/null' "$STATUS" "$BODY"

# ---- the consent flow (curl), authorize writes nothing
nonces_before="$(psql_q 'SELECT count(*) FROM oauth_state_nonces')"
rows_before="$(count_rows)"
consent "$A" approve
check "authorize: 302 to the provider" eq "$AUTH_STATUS" 302
check "authorize: PKCE S256, offline, exact redirect_uri" bash -c '[[ "$(qparam "$0" code_challenge_method)" == S256 && -n "$(qparam "$0" code_challenge)" && "$(qparam "$0" redirect_uri)" == "$1" && "$(qparam "$0" access_type)" == offline && -n "$(qparam "$0" state)" ]]' "$AUTHZ_LOCATION" "$CB"
check "authorize: the verifier is not in the URL" bash -c '[[ "$(qparam "$0" code_challenge)" != *"$(qparam "$0" state)"* ]]' "$AUTHZ_LOCATION"
check "authorize wrote nothing" eq "$(count_rows)/$(psql_q 'SELECT count(*) FROM oauth_state_nonces')" "$rows_before/$nonces_before"
check "consent: redirect back with a code" bash -c '[[ "$0" == "$1?"* && -n "$(qparam "$0" code)" ]]' "$CB_URL" "$CB"
A_CB="$CB_URL"
http GET "$A_CB"
check "callback: 200 success page" bash -c '[[ "$0" == 200 && "$1" == *data-result=\"success\"* ]]' "$STATUS" "$BODY"
csp="$(header content-security-policy)"
check "callback page: strict CSP with a nonce" bash -c '[[ "$0" == *"default-src '"'"'none'"'"'"* && "$0" == *"script-src '"'"'nonce-"* && "$1" == *"<script nonce="* ]]' "$csp" "$BODY"
check "callback: oauth_status completed" eq "$(psql_q "SELECT oauth_status FROM mcp_service_table WHERE instance_id='$A'")" completed
check "callback: nonce consumed (stored as a hash)" eq "$(psql_q "SELECT count(*) FROM oauth_state_nonces WHERE instance_id='$A' AND nonce ~ '^[0-9a-f]{64}\$'")" 1
check "callback: the upstream account from the verified ID token" eq "$(psql_q "SELECT upstream_subject FROM mcp_service_table WHERE instance_id='$A'")" "https://accounts.google.com|110169484474386276334"
check "callback: identified through the provider's keys, not user-info" eq "$(curl -fsS "$GOOGLE/_stats" | jq -r '[.certs_calls, .userinfo_calls]|map(tostring)|join(",")')" "1,0"

# ---- replay
http GET "$A_CB"
check "replay: 400 state_already_used" bash -c '[[ "$0" == 400 && "$1" == *state_already_used* ]]' "$STATUS" "$BODY"

# ---- ciphertext at rest, read directly
http GET "$GOOGLE/_stats"
AT="$(jq -r '.issued[-1].access_token' <<<"$BODY")"
RT="$(jq -r '.issued[-1].refresh_token' <<<"$BODY")"
row="$(psql_q "SELECT row_to_json(c)::text FROM mcp_credentials c WHERE instance_id='$A'")"
hex_of() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
no_plain() { # no_plain TEXT SECRET...
    local t="$1" s
    shift
    for s in "$@"; do
        [[ "$t" != *"$s"* && "$t" != *"$(hex_of "$s")"* && "$t" != *"$(printf '%s' "$s" | base64 -w0)"* ]] || return 1
    done
}
check "db: tokens and client secret exist only as ciphertext" no_plain "$row" "$AT" "$RT" "gsecret-PLAINTEXT-0001"
check "db: key ids and GCM sizes" eq "$(psql_q "SELECT access_token_key_id||','||refresh_token_key_id||','||client_secret_key_id||','||(octet_length(access_token_enc)=length('$AT')+28)||','||(octet_length(refresh_token_enc)=length('$RT')+28) FROM mcp_credentials WHERE instance_id='$A'")" "k1,k1,k1,true,true"
check "db: no secret in the audit log" no_plain "$(psql_q "SELECT string_agg(detail::text, ' ') FROM token_audit_log")" "$AT" "$RT" "gsecret-PLAINTEXT-0001" "$A_KEY"
check "db: audit rows created + authorized" eq "$(psql_q "SELECT string_agg(event, ',' ORDER BY id) FROM token_audit_log WHERE instance_id='$A'")" "created,authorized"
check "broker log: no secret" no_plain "$(cat "$IT_DIR/broker.log")" "$AT" "$RT" "gsecret-PLAINTEXT-0001" "$A_KEY"

# ---- vending and service-key scoping
vend "$A" "$GMAIL_BEARER" gmail
check "vend: 200 with the provider's token" bash -c '[[ "$0" == 200 ]] && jq -e --arg at "$2" ".access_token==\$at and .token_type==\"Bearer\" and .instance_status==\"active\" and (.expires_at > now + 3000) and (has(\"refresh_token\")|not) and (has(\"client_secret\")|not)" <<<"$1" >/dev/null' "$STATUS" "$BODY" "$AT"
check "vend: no-store" eq "$(header cache-control)" "no-store"
vend "$A" "$DRIVE_BEARER" googledrive
check "vend with another service's key: 403 forbidden" bash -c '[[ "$0" == 403 && "$1" == *forbidden* ]]' "$STATUS" "$BODY"
vend "$A" "$DRIVE_BEARER" gmail
check "vend with a bearer of the wrong service: 401" bash -c '[[ "$0" == 401 && "$1" == *invalid_service_credentials* ]]' "$STATUS" "$BODY"
vend "$A" "0000000000000000000000000000000000000000000000000000000000000000" gmail
check "vend with a wrong bearer: 401" eq "$STATUS" 401
http GET "$BROKER/instances/$A/token" "" "authorization: Bearer $GMAIL_BEARER"
check "vend without X-MCP-Service: 401" eq "$STATUS" 401
vend "00000000-0000-4000-8000-000000000000" "$GMAIL_BEARER" gmail
check "vend of an unknown instance: 404" bash -c '[[ "$0" == 404 && "$1" == *instance_not_found* ]]' "$STATUS" "$BODY"
vend "not-a-uuid" "$GMAIL_BEARER" gmail
check "vend of a malformed id: 404" eq "$STATUS" 404
keyhash="$(printf '%s' "$A_KEY" | sha256sum | cut -c1-64)"
http POST "$BROKER/instances/$A/mcp-auth" "{\"key_sha256\":\"$keyhash\"}" "authorization: Bearer $GMAIL_BEARER" "x-mcp-service: gmail"
check "mcp-auth: 200 active" bash -c '[[ "$0" == 200 ]] && jq -e ".status==\"active\" and .service==\"gmail\"" <<<"$1" >/dev/null' "$STATUS" "$BODY"
http POST "$BROKER/instances/$A/mcp-auth" "{\"key_sha256\":\"$(printf x | sha256sum | cut -c1-64)\"}" "authorization: Bearer $GMAIL_BEARER" "x-mcp-service: gmail"
check "mcp-auth with a wrong key: 401 invalid_key" bash -c '[[ "$0" == 401 && "$1" == *invalid_key* ]]' "$STATUS" "$BODY"
http POST "$BROKER/instances/$A/mcp-auth" "{\"key_sha256\":\"$keyhash\"}" "authorization: Bearer $DRIVE_BEARER" "x-mcp-service: googledrive"
check "mcp-auth from another service: 404" eq "$STATUS" 404
http POST "$BROKER/instances/usage" "{\"service\":\"gmail\",\"usage\":[{\"instance_id\":\"$A\",\"count\":17,\"last_used_at\":1800000000}]}" "authorization: Bearer $GMAIL_BEARER" "x-mcp-service: gmail"
check "usage: 204 and counted" eq "$STATUS/$(psql_q "SELECT usage_count FROM mcp_service_table WHERE instance_id='$A'")" "204/17"
http POST "$BROKER/instances/usage" "{\"service\":\"gmail\",\"usage\":[{\"instance_id\":\"$A\",\"count\":5}]}" "authorization: Bearer $DRIVE_BEARER" "x-mcp-service: googledrive"
check "usage for another service's instance: 403, not counted" eq "$STATUS/$(psql_q "SELECT usage_count FROM mcp_service_table WHERE instance_id='$A'")" "403/17"

# ---- statuses: each refused with its own code
admin PATCH "/instances/$A" '{"status":"inactive"}'
check "patch inactive: 200" bash -c '[[ "$0" == 200 ]] && jq -e ".status==\"inactive\"" <<<"$1" >/dev/null' "$STATUS" "$BODY"
vend "$A" "$GMAIL_BEARER" gmail
check "vend inactive (at once, cache invalidated): 409 instance_inactive" bash -c '[[ "$0" == 409 && "$1" == *instance_inactive* ]]' "$STATUS" "$BODY"
http GET "$BROKER/oauth/authorize?instance_id=$A"
check "authorize an inactive instance: 403 page" bash -c '[[ "$0" == 403 && "$1" == *instance_inactive* ]]' "$STATUS" "$BODY"
admin PATCH "/instances/$A" '{"status":"active","custom_name":"Work mail"}'
vend "$A" "$GMAIL_BEARER" gmail
check "patch active again: vend 200" eq "$STATUS" 200
psql_q "UPDATE mcp_service_table SET status='needs_reauth' WHERE instance_id='$A'" >/dev/null
sleep 0.5
vend "$A" "$GMAIL_BEARER" gmail
check "vend needs_reauth (another replica's change, after the cache TTL): 409 needs_reauth" bash -c '[[ "$0" == 409 ]] && jq -e ".code==\"needs_reauth\" and .status==\"needs_reauth\"" <<<"$1" >/dev/null' "$STATUS" "$BODY"
admin PATCH "/instances/$A" '{"status":"active"}'
check "patch needs_reauth -> active: 409 invalid_status_transition" bash -c '[[ "$0" == 409 && "$1" == *invalid_status_transition* ]]' "$STATUS" "$BODY"
psql_q "UPDATE mcp_service_table SET status='active', expires_at=now()-interval '1 second' WHERE instance_id='$A'" >/dev/null
sleep 0.5
vend "$A" "$GMAIL_BEARER" gmail
check "vend expired: 409 instance_expired" bash -c '[[ "$0" == 409 && "$1" == *instance_expired* ]]' "$STATUS" "$BODY"
psql_q "UPDATE mcp_service_table SET status='active', expires_at=NULL WHERE instance_id='$A'" >/dev/null
sleep 0.5

# ---- state tampering, cross-provider, expiry
create gclient gsecret-PLAINTEXT-0001
B="$IID"
consent "$B" approve
state="$(qparam "$CB_URL" state)"
code="$(qparam "$CB_URL" code)"
tampered="${state:0:20}$([[ "${state:20:1}" == A ]] && echo B || echo A)${state:21}"
http GET "$CB?code=$code&state=$tampered"
check "tampered state: 400 invalid_state" bash -c '[[ "$0" == 400 && "$1" == *invalid_state* ]]' "$STATUS" "$BODY"
http GET "$CB?code=$code&state=${state}xx"
check "state with appended bytes: 400 invalid_state" eq "$STATUS" 400
http GET "$CB/oidcbasic?code=$code&state=$state"
check "state used on another provider's callback: 400 invalid_state" bash -c '[[ "$0" == 400 && "$1" == *invalid_state* ]]' "$STATUS" "$BODY"
check "nothing stored for B after tampering (the valid state on the wrong provider marks it failed)" eq "$(psql_q "SELECT oauth_status||','||(access_token_enc IS NULL) FROM mcp_service_table s JOIN mcp_credentials c USING (instance_id) WHERE instance_id='$B'")" "failed,true"
past=$(($(date +%s) - 5))
expired_state="$(node "$IT_FAKES/forge-state.mjs" "$IT_DIR/keys/data.keys" "{\"i\":\"$B\",\"p\":\"google\",\"v\":\"$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 50)xxxxxxxxxxxxxx\",\"n\":\"expired-nonce-0123456789abcdef\",\"e\":$past}")"
http GET "$CB?code=$code&state=$expired_state"
check "expired state: 400 state_expired" bash -c '[[ "$0" == 400 && "$1" == *state_expired* ]]' "$STATUS" "$BODY"
check "expired state: pending instance marked failed, nothing stored" eq "$(psql_q "SELECT oauth_status||','||(access_token_enc IS NULL) FROM mcp_service_table s JOIN mcp_credentials c USING (instance_id) WHERE instance_id='$B'")" "failed,true"
http GET "$CB?code=$code&state="
check "empty state: 400" eq "$STATUS" 400
http GET "$CB?code=$code"
check "missing state: 400" eq "$STATUS" 400
# the untouched state still works once (tampering did not consume it)
http GET "$CB_URL"
check "the genuine state still works after the tampering attempts" eq "$STATUS" 200

# ---- cross-instance: A's state with a code issued for C's consent (same client): PKCE binds the code
create gclient gsecret-PLAINTEXT-0001
C="$IID"
consent "$C" approve
c_code="$(qparam "$CB_URL" code)"
create gclient gsecret-PLAINTEXT-0001
D="$IID"
consent "$D" approve
d_state="$(qparam "$CB_URL" state)"
http GET "$CB?code=$c_code&state=$d_state"
check "cross-instance code (PKCE mismatch at the provider): 400 token_exchange_failed invalid_grant" bash -c '[[ "$0" == 400 && "$1" == *token_exchange_failed* && "$1" == *invalid_grant* ]]' "$STATUS" "$BODY"
check "cross-instance: nothing stored for either" eq "$(psql_q "SELECT string_agg((access_token_enc IS NULL)::text, ',' ORDER BY instance_id) FROM mcp_credentials WHERE instance_id IN ('$C','$D')")" "true,true"

# ---- provider errors
create gclient gsecret-PLAINTEXT-0001
E="$IID"
consent "$E" deny
http GET "$CB_URL"
check "consent denied: 403 access_denied page" bash -c '[[ "$0" == 403 && "$1" == *access_denied* && "$1" == *data-result=\"error\"* ]]' "$STATUS" "$BODY"
check "consent denied: failed, nothing stored" eq "$(psql_q "SELECT oauth_status||','||(access_token_enc IS NULL) FROM mcp_service_table s JOIN mcp_credentials c USING (instance_id) WHERE instance_id='$E'")" "failed,true"
http GET "$CB_URL"
check "denied state replayed: 400 state_already_used" eq "$STATUS" 400
create gclient wrong-secret
F="$IID"
consent "$F" approve
http GET "$CB_URL"
check "wrong client secret: 400 token_exchange_failed (invalid_client)" bash -c '[[ "$0" == 400 && "$1" == *invalid_client* ]]' "$STATUS" "$BODY"
create gclient-elsewhere gsecret-2
consent "$IID" approve
check "redirect_uri not registered: the provider shows redirect_uri_mismatch and never redirects" bash -c '[[ "$0" == 400 && "$1" == *redirect_uri_mismatch* && -z "$2" ]]' "$FAKE_STATUS" "$FAKE_BODY" "$CB_URL"
create gclient gsecret-PLAINTEXT-0001
G="$IID"
consent "$G" approve
http POST "$GOOGLE/_fail" '{"status": 503}'
http GET "$CB_URL"
check "provider 503 at the token endpoint: 4xx token_exchange_failed, nothing stored" bash -c '[[ "$0" == 400 && "$1" == *token_exchange_failed* ]]' "$STATUS" "$BODY"
check "503: nothing stored" eq "$(psql_q "SELECT (access_token_enc IS NULL)::text FROM mcp_credentials WHERE instance_id='$G'")" "true"
# an account that cannot be identified (its ID token signed with a key the provider does not publish): the
# authorization completes all the same, and nothing is recorded
http POST "$GOOGLE/_mode" '{"rogue_id_key": true}'
create gclient gsecret-PLAINTEXT-0001
H="$IID"
consent "$H" approve
http GET "$CB_URL"
check "unidentified account: the authorization still completes" bash -c '[[ "$0" == 200 && "$1" == *data-result=\"success\"* ]]' "$STATUS" "$BODY"
check "unidentified account: upstream_subject stays NULL" eq "$(psql_q "SELECT coalesce(upstream_subject, 'NULL') FROM mcp_service_table WHERE instance_id='$H'")" "NULL"
http POST "$GOOGLE/_mode" '{"rogue_id_key": false}'
http GET "$CB?error=access_denied"
check "provider error without state: 400" eq "$STATUS" 400

# ---- return URLs (allow-list)
create gclient gsecret-PLAINTEXT-0001
H="$IID"
ret="$BROKER/health"
consent "$H" approve "&return_url=$(node -e 'console.log(encodeURIComponent(process.argv[1]))' "$ret")"
http GET "$CB_URL"
check "allowed return URL: 303 back with status=success" bash -c '[[ "$0" == 303 && "$1" == "$2?status=success&instance_id=$3"* ]]' "$STATUS" "$(header location)" "$ret" "$H"
http GET "$BROKER/oauth/authorize?instance_id=$H&return_url=https%3A%2F%2Fevil.example%2F"
check "return URL off the allow-list: 400 return_url_not_allowed" bash -c '[[ "$0" == 400 && "$1" == *return_url_not_allowed* ]]' "$STATUS" "$BODY"
http GET "$BROKER/oauth/authorize?instance_id=$H&return_url=http%3A%2F%2F127.0.0.1%3A$BPORT%2Fhealthx"
check "return URL sharing only a text prefix: 400" eq "$STATUS" 400
http GET "$BROKER/oauth/authorize?instance_id=00000000-0000-4000-8000-000000000000"
check "authorize an unknown instance: 404 page" eq "$STATUS" 404
http GET "$BROKER/oauth/authorize?instance_id=nope"
check "authorize with a malformed id: 400 page" eq "$STATUS" 400

# ---- headless Chromium round trips
if [[ -x "${CHROMIUM:-/usr/bin/chromium}" ]]; then
    create gclient gsecret-PLAINTEXT-0001
    out="$(node "$IT_FAKES/browser-flow.mjs" "$BROKER/oauth/authorize?instance_id=$IID" google-approve)"
    check "chromium: authorize -> consent -> approve -> success page" bash -c 'jq -e ".result==\"success\" and .status==200" <<<"$0" >/dev/null' "$out"
    check "chromium: instance completed" eq "$(psql_q "SELECT oauth_status FROM mcp_service_table WHERE instance_id='$IID'")" completed
    create gclient gsecret-PLAINTEXT-0001
    out="$(node "$IT_FAKES/browser-flow.mjs" "$BROKER/oauth/authorize?instance_id=$IID" google-deny)"
    check "chromium: deny -> access_denied page" bash -c 'jq -e ".result==\"error\" and .code==\"access_denied\" and .status==403" <<<"$0" >/dev/null' "$out"
    create gclient gsecret-PLAINTEXT-0001
    out="$(node "$IT_FAKES/browser-flow.mjs" "$BROKER/oauth/authorize?instance_id=$IID&popup=1" google-approve popup)"
    check "chromium popup: the opener receives oauth_success" bash -c 'jq -e --arg id "$1" ".opener_messages|any(.type==\"oauth_success\" and .instance_id==\$id)" <<<"$0" >/dev/null' "$out" "$IID"
else
    # the browser round trip is part of the test: scripts/install-deps.sh installs chromium
    check "chromium is installed (${CHROMIUM:-/usr/bin/chromium})" false
fi

# ---- key rotation: add k2, restart, rotate-keys, drop k1, restart: tokens still vend
kill -TERM "$BROKER_PID"
wait "$BROKER_PID" 2>/dev/null
(umask 077 && printf 'k2 %s\n' "$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')" >>"$IT_DIR/keys/data.keys")
it_broker "$IT_DIR/broker.json" || exit 1
ver_before="$(psql_q "SELECT row_version FROM mcp_credentials WHERE instance_id='$A'")"
it_cli --config "$IT_DIR/broker.json" rotate-keys >"$IT_DIR/rotate.log" 2>&1
check "rotate-keys: exit 0" eq "$?" 0
check "rotate-keys: everything under k2" eq "$(psql_q "SELECT count(*) FROM mcp_credentials WHERE client_secret_key_id<>'k2' OR access_token_key_id<>'k2' OR refresh_token_key_id<>'k2'")" 0
check "rotate-keys: row_version bumped, audit row" eq "$(psql_q "SELECT (row_version>$ver_before)::text FROM mcp_credentials WHERE instance_id='$A'")/$(psql_q "SELECT count(*)>0 FROM token_audit_log WHERE event='keys_rotated' AND instance_id='$A'")" "true/t"
check "rotate-keys: still no plaintext" no_plain "$(psql_q "SELECT row_to_json(c)::text FROM mcp_credentials c WHERE instance_id='$A'")" "$AT" "$RT" "gsecret-PLAINTEXT-0001"
it_cli --config "$IT_DIR/broker.json" rotate-keys >>"$IT_DIR/rotate.log" 2>&1
check "rotate-keys again: nothing to do" bash -c 'tail -n 1 "$0" | grep -q ": 0 rows re-encrypted"' "$IT_DIR/rotate.log"
kill -TERM "$BROKER_PID"
wait "$BROKER_PID" 2>/dev/null
sed -i '/^k1 /d' "$IT_DIR/keys/data.keys"
it_broker "$IT_DIR/broker.json" || exit 1
vend "$A" "$GMAIL_BEARER" gmail
check "after rotation and dropping k1: vend 200 with the same token" bash -c '[[ "$0" == 200 ]] && jq -e --arg at "$2" ".access_token==\$at" <<<"$1" >/dev/null' "$STATUS" "$BODY" "$AT"

# ---- a ciphertext moved to another row does not open
psql_q "UPDATE mcp_credentials SET access_token_enc=(SELECT access_token_enc FROM mcp_credentials WHERE instance_id='$A'), access_token_key_id='k2' WHERE instance_id='$B'" >/dev/null
sleep 0.5
vend "$B" "$GMAIL_BEARER" gmail
check "moved ciphertext: not served (409 needs_reauth)" bash -c '[[ "$0" == 409 && "$1" != *"$2"* ]]' "$STATUS" "$BODY" "$AT"

# ---- revoke, then delete
admin DELETE "/instances/$A"
check "delete: 200, revoked at the provider" bash -c '[[ "$0" == 200 ]] && jq -e ".deleted and .revoked" <<<"$1" >/dev/null' "$STATUS" "$BODY"
http GET "$GOOGLE/_stats"
check "delete: the refresh token reached the revocation endpoint" bash -c 'jq -e --arg rt "$1" ".revoked|index(\$rt) != null" <<<"$0" >/dev/null' "$BODY" "$RT"
check "delete: rows gone (cascade), audit kept" eq "$(psql_q "SELECT (SELECT count(*) FROM mcp_service_table WHERE instance_id='$A') || '/' || (SELECT count(*) FROM mcp_credentials WHERE instance_id='$A') || '/' || (SELECT count(*) FROM token_audit_log WHERE instance_id='$A' AND event='deleted')")" "0/0/1"
vend "$A" "$GMAIL_BEARER" gmail
check "vend after delete: 404" eq "$STATUS" 404
admin DELETE "/instances/$A"
check "delete again: 404" eq "$STATUS" 404

# every push went to this test's own fake MCP server (push.urls), signed with the services' keys
check "pushes: delivered to the test's own MCP fake, none rejected" \
    eq "$(curl -s "$MCP/_pushes" | jq -c '[(.accepted|length) > 0, (.rejected|length)]')" "[true,0]"
it_done
