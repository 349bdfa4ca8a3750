#!/usr/bin/env bash
# flows_oidc.sh - the consent flow against a real authorization server: the `oidc-provider` npm package
# (tests/fakes/oidc-server.mjs), configured as two custom providers of the broker, one per client
# authentication method (client_secret_basic, client_secret_post), with PKCE S256 required by the server,
# the per-provider callback path (oauth.callback_per_provider) and refresh tokens (offline_access). The
# browser part runs in headless Chromium (oidc-provider's login and consent pages need a real browser).
# Then: tokens stored encrypted, vending, revocation at the provider on delete (RFC 7009).
# The fake refuses an openid request without a nonce, so the two explicit-endpoint providers (not declared
# OIDC) prove the nonce goes out with the openid scope. A third provider is a public client (client_auth none,
# found by OIDC discovery): created without a secret, revoked with its client_id (RFC 7009 2.1), and its
# callbacks checked against RFC 9207 (iss). Then the callback's own refusals: repeated parameters, a tampered
# or missing iss, and access_denied recorded before the page is answered.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_setup oidc
[[ -x "${CHROMIUM:-/usr/bin/chromium}" ]] || it_skip "chromium is not installed (apt-get install chromium)"

it_oidc_fake oidcbasic oidcpost oidcpublic || exit 1
MPORT="$(it_free_port)"
MCP="http://127.0.0.1:$MPORT" # this test's stand-in for the MCP servers: every push goes there
check "oidc-provider discovery" bash -c '[[ "$0" == http* && "$1" == http* && "$2" == http* ]]' "$AUTHZ" "$TOKEN" "$REVOKE"
check "oidc-provider advertises RFC 9207 iss" jq_eq .authorization_response_iss_parameter_supported true

provider() { # provider NAME CLIENT_AUTH
    printf '{"name": "%s", "authorization_endpoint": "%s", "token_endpoint": "%s", "revocation_endpoint": "%s",
      "client_auth": "%s", "pkce": true, "default_scopes": "openid offline_access",
      "extra_authorize_params": {"prompt": "consent"}}' "$1" "$AUTHZ" "$TOKEN" "$REVOKE" "$2"
}
it_write_json "$IT_DIR/services.json" '[
  {"service_name": "oidcbasic", "display_name": "OIDC basic", "port": 49901, "type": "oauth", "provider": "oidcbasic",
   "default_scopes": "openid offline_access email", "active": true},
  {"service_name": "oidcpost", "display_name": "OIDC post", "port": 49902, "type": "oauth", "provider": "oidcpost",
   "default_scopes": "openid offline_access email", "active": true},
  {"service_name": "oidcpublic", "display_name": "OIDC public", "port": 49903, "type": "oauth", "provider": "oidcpublic",
   "default_scopes": "openid offline_access email", "active": true}]'
it_broker_config "$BPORT" "{
  \"database\": {\"pool_size\": 2},
  \"oauth\": {\"callback_per_provider\": true, \"instance_cache_ttl_ms\": 300},
  \"push\": {\"urls\": {\"oidcbasic\": \"$MCP\", \"oidcpost\": \"$MCP\", \"oidcpublic\": \"$MCP\"}},
  \"providers\": {\"custom\": {\"providers\": [$(provider oidcbasic basic), $(provider oidcpost post),
    {\"name\": \"oidcpublic\", \"issuer\": \"$ISSUER\", \"client_auth\": \"none\", \"pkce\": true,
     \"default_scopes\": \"openid offline_access\", \"extra_authorize_params\": {\"prompt\": \"consent\"}}]}}}"
BASIC_BEARER="$(it_service_secret oidcbasic)"
POST_BEARER="$(it_service_secret oidcpost)"
PUBLIC_BEARER="$(it_service_secret oidcpublic)"
# check-config: the explicit-endpoint providers are asked for openid without an issuer to check ID tokens against
out="$(it_cli --config "$IT_DIR/broker.json" check-config 2>/dev/null)"
rc=$?
check "check-config: exit 0 with a warning for each openid service whose provider has no issuer" bash -c '[[ "$1" == 0 ]] && grep -q "^warning: service \"oidcbasic\" asks provider \"oidcbasic\" for the openid scope" <<<"$0" && grep -q "^warning: service \"oidcpost\"" <<<"$0" && ! grep -q "oidcpublic" <<<"$0" && grep -q "^config ok" <<<"$0" || { echo "$0" >&2; false; }' "$out" "$rc"
# a registry file the broker could not start with fails the check: exit 2, the reason on stderr, stdout empty
out="$(OB_SERVICES_FILE="$IT_DIR/no-such-services.json" it_cli --config "$IT_DIR/broker.json" check-config 2>"$IT_DIR/cc.err")"
rc=$?
check "check-config with a missing services file: exit 2, stderr names it, nothing on stdout" bash -c '[[ "$1" == 2 && -z "$0" ]] && grep -q "no-such-services.json" "$2" || { echo "rc=$1 out=$0" >&2; cat "$2" >&2; false; }' "$out" "$rc" "$IT_DIR/cc.err"
FAKE_PORT="$MPORT" it_start mcp node "$IT_FAKES/fake-mcp.mjs" "$IT_DIR/keys/services/oidcbasic.secret" "$IT_DIR/keys/services/oidcpost.secret" "$IT_DIR/keys/services/oidcpublic.secret"
it_wait_line "$IT_DIR/mcp.log" "listening" >/dev/null || exit 1
it_broker "$IT_DIR/broker.json" || exit 1

run_flow() { # run_flow SERVICE CLIENT_ID SECRET BEARER UPSTREAM (SECRET "" = a public client: no client_secret member;
    # UPSTREAM the upstream_subject expected after the authorization, NULL when the provider cannot identify accounts)
    local service="$1" id out secret=""
    [[ -n "$3" ]] && secret=",\"client_secret\":\"$3\""
    admin POST /instances "{\"service\":\"$service\",\"user_id\":\"alice\",\"client_id\":\"$2\"$secret}"
    check "$service: create 201" eq "$STATUS" 201
    id="$(jq -r .instance_id <<<"$BODY")"
    out="$(node "$IT_FAKES/browser-flow.mjs" "$BROKER/oauth/authorize?instance_id=$id" oidc-approve)"
    check "$service: chromium login + consent at oidc-provider -> success page" bash -c 'jq -e ".result==\"success\" and .status==200" <<<"$0" >/dev/null || { echo "$0" >&2; false; }' "$out"
    check "$service: completed, access + refresh token stored encrypted" eq "$(psql_q "SELECT s.oauth_status||','||(c.access_token_enc IS NOT NULL)||','||(c.refresh_token_enc IS NOT NULL)||','||c.access_token_key_id FROM mcp_service_table s JOIN mcp_credentials c USING (instance_id) WHERE instance_id='$id'")" "completed,true,true,k1"
    check "$service: upstream account recorded" eq "$(psql_q "SELECT coalesce(upstream_subject, 'NULL') FROM mcp_service_table WHERE instance_id='$id'")" "$5"
    http GET "$BROKER/instances/$id/token" "" "authorization: Bearer $4" "x-mcp-service: $service"
    check "$service: vend 200" bash -c '[[ "$0" == 200 ]] && jq -e ".access_token|length > 10" <<<"$1" >/dev/null' "$STATUS" "$BODY"
    local at
    at="$(jq -r .access_token <<<"$BODY")"
    check "$service: the vended token is not stored in plaintext" bash -c '[[ "$(psql_q "SELECT row_to_json(c)::text FROM mcp_credentials c WHERE instance_id='"'"'$1'"'"'")" != *"$0"* ]]' "$at" "$id"
    # the token is genuine: oidc-provider's userinfo accepts it
    http GET "$ISSUER/me" "" "authorization: Bearer $at"
    check "$service: oidc-provider's userinfo accepts the vended token" bash -c '[[ "$0" == 200 ]] && jq -e ".sub==\"alice\"" <<<"$1" >/dev/null' "$STATUS" "$BODY"
    local before
    before="$(curl -s "$ISSUER/_stats" | jq -c '[.revocations, .revocations_refused]')"
    admin DELETE "/instances/$id"
    check "$service: delete revokes at oidc-provider (RFC 7009)" bash -c '[[ "$0" == 200 ]] && jq -e ".revoked" <<<"$1" >/dev/null || { echo "$0 $1" >&2; false; }' "$STATUS" "$BODY"
    check "$service: oidc-provider got the revocation and accepted its client authentication" eq "$(curl -s "$ISSUER/_stats" | jq -c --argjson b "$before" '[.revocations - $b[0], .revocations_refused - $b[1]]')" "[1,0]"
}
export -f psql_q
export IT_DB_URL
# the explicit-endpoint providers have neither keys nor user-info configured: nothing to identify the account with
run_flow oidcbasic basic-client basic-secret-0123456789abcdef "$BASIC_BEARER" NULL
run_flow oidcpost post-client post-secret-0123456789abcdef "$POST_BEARER" NULL
check "the openid requests of the explicit-endpoint providers carried a nonce (none refused)" eq "$(curl -s "$ISSUER/_stats" | jq .nonce_refusals)" 0

# ---- a public client: no secret asked for, one sent anyway refused, revocation with client_id ----
admin POST /instances '{"service":"oidcpublic","user_id":"carol","client_id":"public-client","client_secret":"unused-secret"}'
check "public client: a client_secret is refused 400 invalid_field" bash -c '[[ "$0" == 400 ]] && jq -e ".code==\"invalid_field\" and .field==\"client_secret\"" <<<"$1" >/dev/null' "$STATUS" "$BODY"
admin POST /instances '{"service":"oidcpublic","user_id":"carol","client_id":"public-client","client_secret":""}'
check "public client: an empty client_secret is refused too" bash -c '[[ "$0" == 400 ]] && jq -e ".field==\"client_secret\"" <<<"$1" >/dev/null' "$STATUS" "$BODY"
check "public client: nothing stored for carol" eq "$(psql_q "SELECT count(*) FROM mcp_service_table WHERE user_id='carol'")" 0
admin POST /instances '{"service":"oidcbasic","user_id":"carol","client_id":"basic-client"}'
check "confidential client: client_secret still required" bash -c '[[ "$0" == 400 ]] && jq -e ".code==\"missing_field\" and .field==\"client_secret\"" <<<"$1" >/dev/null' "$STATUS" "$BODY"
# discovery names oidc-provider's jwks_uri: its RS256 ID token is verified and its sub recorded
run_flow oidcpublic public-client "" "$PUBLIC_BEARER" "$ISSUER|alice"
# the public client refreshes and revokes (POST /oauth/revoke) with its client_id alone
admin POST /instances '{"service":"oidcpublic","user_id":"erin","client_id":"public-client"}'
id="$(jq -r .instance_id <<<"$BODY")"
out="$(node "$IT_FAKES/browser-flow.mjs" "$BROKER/oauth/authorize?instance_id=$id" oidc-approve)"
check "oidcpublic: second consent -> success page" bash -c 'jq -e ".result==\"success\"" <<<"$0" >/dev/null || { echo "$0" >&2; false; }' "$out"
admin POST /oauth/refresh "{\"instance_id\":\"$id\"}"
check "oidcpublic: refresh without a secret -> refreshed" bash -c '[[ "$0" == 200 ]] && jq -e ".outcome==\"refreshed\"" <<<"$1" >/dev/null || { echo "$0 $1" >&2; false; }' "$STATUS" "$BODY"
admin POST /oauth/revoke "{\"instance_id\":\"$id\"}"
check "oidcpublic: POST /oauth/revoke -> provider_revoked true (RFC 7009 2.1 client_id)" bash -c '[[ "$0" == 200 ]] && jq -e ".revoked and .provider_revoked" <<<"$1" >/dev/null || { echo "$0 $1" >&2; false; }' "$STATUS" "$BODY"

# ---- the callback's own checks, driven with curl: a state from /oauth/authorize, the callback by hand ----
new_instance() { # new_instance SERVICE CLIENT_ID [SECRET] -> IID
    local secret=""
    [[ -n "${3:-}" ]] && secret=",\"client_secret\":\"$3\""
    admin POST /instances "{\"service\":\"$1\",\"user_id\":\"dave\",\"client_id\":\"$2\"$secret}"
    jq -r .instance_id <<<"$BODY"
}
state_of() { # state_of IID -> the state of a fresh authorization request
    http GET "$BROKER/oauth/authorize?instance_id=$1"
    header location | sed -n 's/.*[?&]state=\([^&]*\).*/\1/p'
}
page_code() { sed -n 's/.*id="ob-code">\([^<]*\)<.*/\1/p' <<<"$BODY"; }
callback() { http GET "$BROKER/oauth/callback/$1?$2"; }
oauth_status() { psql_q "SELECT oauth_status FROM mcp_service_table WHERE instance_id='$1'"; }

# repeated parameters (RFC 6749 3.1): refused before the state is touched, so the same state still works after
id="$(new_instance oidcbasic basic-client basic-secret-0123456789abcdef)"
st="$(state_of "$id")"
check "authorize hands out a state" bash -c '[[ ${#0} -gt 20 ]]' "$st"
callback oidcbasic "state=$st&code=a&code=b"
check "repeated code: 400 invalid_request page" bash -c '[[ "$0" == 400 && "$1" == invalid_request ]]' "$STATUS" "$(page_code)"
callback oidcbasic "state=$st&code=a&state=$st"
check "repeated state: 400 invalid_request page" bash -c '[[ "$0" == 400 && "$1" == invalid_request ]]' "$STATUS" "$(page_code)"
callback oidcbasic "state=$st&error=access_denied&error=server_error"
check "repeated error: 400 invalid_request page" bash -c '[[ "$0" == 400 && "$1" == invalid_request ]]' "$STATUS" "$(page_code)"
callback oidcbasic "state=$st&code=a&session_state=x&session_state=y"
check "repeated parameter we do not read (session_state): 400 invalid_request page" bash -c '[[ "$0" == 400 && "$1" == invalid_request ]]' "$STATUS" "$(page_code)"
check "repeated parameters: the instance is still pending" eq "$(oauth_status "$id")" pending
callback oidcbasic "state=$st&code=not-a-real-code"
check "the state was not consumed by the refused callbacks (the code itself is then refused)" bash -c '[[ "$0" == 400 && "$1" == token_exchange_failed ]]' "$STATUS" "$(page_code)"
http GET "$BROKER/oauth/authorize?instance_id=$id&popup=1&popup=1"
check "authorize: a repeated parameter is refused too" bash -c '[[ "$0" == 400 && "$1" == invalid_request ]]' "$STATUS" "$(page_code)"
http GET "$BROKER/oauth/authorize?instance_id=$id&utm=a&utm=b"
check "authorize: a repeated parameter it does not read is refused too, the page says so" bash -c '[[ "$0" == 400 && "$1" == invalid_request && "$2" == *"parameter is repeated"* ]]' "$STATUS" "$(page_code)" "$BODY"

# the state records whether the nonce went out (an ID token must then hold it): oidcbasic is not declared OIDC,
# so only an openid scope sends it; with a login_hint the URL is built per request, the record the same
flags_of() { node "$IT_FAKES/forge-state.mjs" "$IT_DIR/keys/data.keys" --open "$1"; }
state_in() { sed -n 's/.*[?&]state=\([^&]*\).*/\1/p' <<<"$1"; }
admin POST /instances '{"service":"oidcbasic","user_id":"dave","client_id":"basic-client","client_secret":"basic-secret-0123456789abcdef","scopes":"profile"}'
noid="$(jq -r .instance_id <<<"$BODY")"
http GET "$BROKER/oauth/authorize?instance_id=$noid"
loc="$(header location)"
check "no openid scope: no nonce in the authorization URL, the state says none was sent" bash -c '[[ "$0" == *state=* && "$0" != *nonce=* && $(( $1 & 2 )) == 2 ]]' "$loc" "$(flags_of "$(state_in "$loc")")"
http GET "$BROKER/oauth/authorize?instance_id=$noid&login_hint=dave"
loc="$(header location)"
check "no openid scope, login_hint: none sent, the state says so" bash -c '[[ "$0" == *login_hint=dave* && "$0" != *nonce=* && $(( $1 & 2 )) == 2 ]]' "$loc" "$(flags_of "$(state_in "$loc")")"
http GET "$BROKER/oauth/authorize?instance_id=$id&login_hint=dave"
loc="$(header location)"
check "openid scope (login_hint too): nonce sent, the state says so" bash -c '[[ "$0" == *nonce=* && $(( $1 & 2 )) == 0 ]]' "$loc" "$(flags_of "$(state_in "$loc")")"

# RFC 9207: the public provider advertises iss (discovery); a different or missing iss is refused, state spent
id="$(new_instance oidcpublic public-client)"
st="$(state_of "$id")"
callback oidcpublic "state=$st&code=stolen-code&iss=http%3A%2F%2F127.0.0.1%3A1%2Fevil"
check "foreign iss: 400 invalid_issuer page" bash -c '[[ "$0" == 400 && "$1" == invalid_issuer ]]' "$STATUS" "$(page_code)"
check "foreign iss: failed, nothing stored" eq "$(psql_q "SELECT s.oauth_status||','||(c.access_token_enc IS NULL) FROM mcp_service_table s JOIN mcp_credentials c USING (instance_id) WHERE instance_id='$id'")" "failed,true"
callback oidcpublic "state=$st&code=stolen-code&iss=$(jq -rn --arg v "$ISSUER" '$v|@uri')"
check "foreign iss: the state cannot be retried (400 state_already_used)" bash -c '[[ "$0" == 400 && "$1" == state_already_used ]]' "$STATUS" "$(page_code)"
id="$(new_instance oidcpublic public-client)"
st="$(state_of "$id")"
callback oidcpublic "state=$st&code=stolen-code"
check "missing iss: 400 invalid_issuer page" bash -c '[[ "$0" == 400 && "$1" == invalid_issuer ]]' "$STATUS" "$(page_code)"
st="$(state_of "$id")"
callback oidcpublic "state=$st&error=access_denied&iss=http%3A%2F%2Fevil.test"
check "an error response with a foreign iss: 400 invalid_issuer" bash -c '[[ "$0" == 400 && "$1" == invalid_issuer ]]' "$STATUS" "$(page_code)"

# access_denied: oauth_status is recorded before the page. A transaction holds the instance row for 1.5 s, so the
# status write waits; the page must wait with it.
id="$(new_instance oidcbasic basic-client basic-secret-0123456789abcdef)"
st="$(state_of "$id")"
psql -X -q "$IT_DB_URL" -c "BEGIN; SELECT 1 FROM mcp_service_table WHERE instance_id='$id' FOR NO KEY UPDATE; SELECT pg_sleep(1.5); COMMIT;" >/dev/null &
LOCKER=$!
for _ in $(seq 1 100); do # until the holder sleeps (its row lock taken)
    [[ "$(psql_q "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%pg_sleep(1.5)%' AND pid <> pg_backend_pid()")" != 0 ]] && break
    sleep 0.02
done
sleep 0.1
callback oidcbasic "state=$st&error=access_denied"
status_after="$(oauth_status "$id")"
wait "$LOCKER"
check "access_denied: 403 page" bash -c '[[ "$0" == 403 && "$1" == access_denied ]]' "$STATUS" "$(page_code)"
check "access_denied: oauth_status is failed as soon as the page is there" eq "$status_after" failed

# a client secret that oidc-provider rejects: invalid_client at the exchange, nothing stored
admin POST /instances '{"service":"oidcbasic","user_id":"bob","client_id":"basic-client","client_secret":"wrong"}'
id="$(jq -r .instance_id <<<"$BODY")"
out="$(node "$IT_FAKES/browser-flow.mjs" "$BROKER/oauth/authorize?instance_id=$id" oidc-approve)"
check "wrong secret at oidc-provider: error page token_exchange_failed" bash -c 'jq -e ".result==\"error\" and .code==\"token_exchange_failed\" and .status==400" <<<"$0" >/dev/null || { echo "$0" >&2; false; }' "$out"
check "wrong secret: failed, nothing stored" eq "$(psql_q "SELECT s.oauth_status||','||(c.access_token_enc IS NULL) FROM mcp_service_table s JOIN mcp_credentials c USING (instance_id) WHERE instance_id='$id'")" "failed,true"

it_done
