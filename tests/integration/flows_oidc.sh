#!/usr/bin/env bash
# flows_oidc.sh - the consent flow against a real authorization server: the `oidc-provider` npm package
# (tests/fakes/oidc-server.mjs), configured as two custom providers of the broker, one per client
# authentication method (client_secret_basic, client_secret_post), with PKCE S256 required by the server,
# the per-provider callback path (oauth.callback_per_provider) and refresh tokens (offline_access). The
# browser part runs in headless Chromium (oidc-provider's login and consent pages need a real browser).
# Then: tokens stored encrypted, vending, revocation at the provider on delete (RFC 7009).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_setup oidc
[[ -x "${CHROMIUM:-/usr/bin/chromium}" ]] || it_skip "chromium is not installed (apt-get install chromium)"

BPORT="$(it_free_port)"
MPORT="$(it_free_port)"
BROKER="http://127.0.0.1:$BPORT"
MCP="http://127.0.0.1:$MPORT" # this test's stand-in for the MCP servers: every push goes there
it_write_json "$IT_DIR/oidc.json" "{\"redirect_uris\": [\"$BROKER/oauth/callback/oidcbasic\", \"$BROKER/oauth/callback/oidcpost\"]}"
it_start oidc node "$IT_FAKES/oidc-server.mjs" "$IT_DIR/oidc.json"
ISSUER="$(it_wait_line "$IT_DIR/oidc.log" "oidc-server listening on" | awk '{print $NF}')" || exit 1
http GET "$ISSUER/.well-known/openid-configuration"
AUTHZ="$(jq -r .authorization_endpoint <<<"$BODY")"
TOKEN="$(jq -r .token_endpoint <<<"$BODY")"
REVOKE="$(jq -r .revocation_endpoint <<<"$BODY")"
check "oidc-provider discovery" bash -c '[[ "$0" == http* && "$1" == http* && "$2" == http* ]]' "$AUTHZ" "$TOKEN" "$REVOKE"

provider() { # provider NAME CLIENT_AUTH
    printf '{"name": "%s", "authorization_endpoint": "%s", "token_endpoint": "%s", "revocation_endpoint": "%s",
      "client_auth": "%s", "pkce": true, "default_scopes": "openid offline_access",
      "extra_authorize_params": {"prompt": "consent"}}' "$1" "$AUTHZ" "$TOKEN" "$REVOKE" "$2"
}
it_write_json "$IT_DIR/services.json" '[
  {"service_name": "oidcbasic", "display_name": "OIDC basic", "port": 49901, "type": "oauth", "provider": "oidcbasic",
   "default_scopes": "openid offline_access email", "active": true},
  {"service_name": "oidcpost", "display_name": "OIDC post", "port": 49902, "type": "oauth", "provider": "oidcpost",
   "default_scopes": "openid offline_access email", "active": true}]'
it_write_json "$IT_DIR/broker.json" "{
  \"listen\": {\"host\": \"127.0.0.1\", \"port\": $BPORT}, \"base_url\": \"$BROKER\",
  \"database\": {\"url\": \"$IT_DB_URL\", \"pool_size\": 2},
  \"plugin_dir\": \"${OB_PLUGIN_DIR:-$IT_BUILD/plugins}\", \"migrations_dir\": \"$IT_SRC/db/migrations\",
  \"services_file\": \"$IT_DIR/services.json\",
  \"keys\": {\"data_key_file\": \"$IT_DIR/keys/data.keys\", \"admin_key_file\": \"$IT_DIR/keys/admin.key\",
           \"services_dir\": \"$IT_DIR/keys/services\"},
  \"oauth\": {\"callback_per_provider\": true, \"instance_cache_ttl_ms\": 300},
  \"push\": {\"urls\": {\"oidcbasic\": \"$MCP\", \"oidcpost\": \"$MCP\"}},
  \"providers\": {\"custom\": {\"providers\": [$(provider oidcbasic basic), $(provider oidcpost post)]}}}"
BASIC_BEARER="$(it_service_secret oidcbasic)"
POST_BEARER="$(it_service_secret oidcpost)"
FAKE_PORT="$MPORT" it_start mcp node "$IT_FAKES/fake-mcp.mjs" "$IT_DIR/keys/services/oidcbasic.secret" "$IT_DIR/keys/services/oidcpost.secret"
it_wait_line "$IT_DIR/mcp.log" "listening" >/dev/null || exit 1
it_broker "$IT_DIR/broker.json" || exit 1

run_flow() { # run_flow SERVICE CLIENT_ID SECRET BEARER
    local service="$1" id out
    admin POST /instances "{\"service\":\"$service\",\"user_id\":\"alice\",\"client_id\":\"$2\",\"client_secret\":\"$3\"}"
    check "$service: create 201" eq "$STATUS" 201
    id="$(jq -r .instance_id <<<"$BODY")"
    out="$(node "$IT_FAKES/browser-flow.mjs" "$BROKER/oauth/authorize?instance_id=$id" oidc-approve)"
    check "$service: chromium login + consent at oidc-provider -> success page" bash -c 'jq -e ".result==\"success\" and .status==200" <<<"$0" >/dev/null || { echo "$0" >&2; false; }' "$out"
    check "$service: completed, access + refresh token stored encrypted" eq "$(psql_q "SELECT s.oauth_status||','||(c.access_token_enc IS NOT NULL)||','||(c.refresh_token_enc IS NOT NULL)||','||c.access_token_key_id FROM mcp_service_table s JOIN mcp_credentials c USING (instance_id) WHERE instance_id='$id'")" "completed,true,true,k1"
    http GET "$BROKER/instances/$id/token" "" "authorization: Bearer $4" "x-mcp-service: $service"
    check "$service: vend 200" bash -c '[[ "$0" == 200 ]] && jq -e ".access_token|length > 10" <<<"$1" >/dev/null' "$STATUS" "$BODY"
    local at
    at="$(jq -r .access_token <<<"$BODY")"
    check "$service: the vended token is not stored in plaintext" bash -c '[[ "$(psql_q "SELECT row_to_json(c)::text FROM mcp_credentials c WHERE instance_id='"'"'$1'"'"'")" != *"$0"* ]]' "$at" "$id"
    # the token is genuine: oidc-provider's userinfo accepts it
    http GET "$ISSUER/me" "" "authorization: Bearer $at"
    check "$service: oidc-provider's userinfo accepts the vended token" bash -c '[[ "$0" == 200 ]] && jq -e ".sub==\"alice\"" <<<"$1" >/dev/null' "$STATUS" "$BODY"
    admin DELETE "/instances/$id"
    check "$service: delete revokes at oidc-provider (RFC 7009)" bash -c '[[ "$0" == 200 ]] && jq -e ".revoked" <<<"$1" >/dev/null' "$STATUS" "$BODY"
}
export -f psql_q
export IT_DB_URL
run_flow oidcbasic basic-client basic-secret-0123456789abcdef "$BASIC_BEARER"
run_flow oidcpost post-client post-secret-0123456789abcdef "$POST_BEARER"

# a client secret that oidc-provider rejects: invalid_client at the exchange, nothing stored
admin POST /instances '{"service":"oidcbasic","user_id":"bob","client_id":"basic-client","client_secret":"wrong"}'
id="$(jq -r .instance_id <<<"$BODY")"
out="$(node "$IT_FAKES/browser-flow.mjs" "$BROKER/oauth/authorize?instance_id=$id" oidc-approve)"
check "wrong secret at oidc-provider: error page token_exchange_failed" bash -c 'jq -e ".result==\"error\" and .code==\"token_exchange_failed\" and .status==400" <<<"$0" >/dev/null || { echo "$0" >&2; false; }' "$out"
check "wrong secret: failed, nothing stored" eq "$(psql_q "SELECT s.oauth_status||','||(c.access_token_enc IS NULL) FROM mcp_service_table s JOIN mcp_credentials c USING (instance_id) WHERE instance_id='$id'")" "failed,true"

it_done
