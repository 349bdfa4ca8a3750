#!/usr/bin/env bash
# admin_api.sh - every malformed input of the admin API is answered with the right 4xx, a JSON error naming
# the field, and NO row written (rows of every table counted before and after each request); plus the
# admin key check (constant-time hash compare: wrong, missing, other schemes).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_setup admin

BPORT="$(it_free_port)"
BROKER="http://127.0.0.1:$BPORT"
it_write_json "$IT_DIR/services.json" '[
  {"service_name": "gmail", "display_name": "Gmail", "port": 49296, "type": "oauth", "provider": "google", "active": true},
  {"service_name": "dormant", "display_name": "Dormant", "port": 49298, "type": "oauth", "provider": "google", "active": false},
  {"service_name": "keysvc", "display_name": "API key service", "port": 49299, "type": "api_key", "active": true},
  {"service_name": "noplugin", "display_name": "No plugin", "port": 49300, "type": "oauth", "provider": "nosuchprovider", "active": true}]'
it_broker_config "$BPORT" "{
  \"database\": {\"pool_size\": 2},
  \"providers\": {\"google\": {}}}"
it_broker "$IT_DIR/broker.json" || exit 1

counts() { psql_q "SELECT (SELECT count(*) FROM mcp_service_table) || '/' || (SELECT count(*) FROM mcp_credentials) || '/' || (SELECT count(*) FROM token_audit_log) || '/' || (SELECT count(*) FROM oauth_state_nonces)"; }

# expect METHOD PATH BODY STATUS CODE FIELD [auth header]
expect() {
    local method="$1" path="$2" body="$3" status="$4" code="$5" field="$6" auth="${7:-authorization: Bearer $ADMIN_KEY}"
    local before after
    before="$(counts)"
    [[ "$before" =~ ^[0-9]+/[0-9]+/[0-9]+/[0-9]+$ ]] || { check "row counts readable" false; return; }
    http "$method" "$BROKER$path" "$body" "$auth"
    after="$(counts)"
    local ok=1
    [[ "$STATUS" == "$status" ]] || ok=0
    [[ -z "$code" ]] || jq_eq .code "$code" || ok=0
    if [[ "$field" == "-" ]]; then jq -e 'has("field")|not' <<<"$BODY" >/dev/null || ok=0
    elif [[ -n "$field" ]]; then jq_eq .field "$field" || ok=0; fi
    [[ "$before" == "$after" ]] || ok=0
    check "$method $path ${body:0:60} -> $status $code ${field} (rows $before -> $after)" eq "$ok" 1
}

V='"service":"gmail","user_id":"u1","client_id":"cid","client_secret":"csecret"'
long() { head -c "$1" /dev/zero | tr '\0' "${2:-x}"; }
U=00000000-0000-4000-8000-000000000000

# authentication
expect POST /instances "{$V}" 401 unauthorized "" "x-nothing: 1"
expect POST /instances "{$V}" 401 unauthorized "" "authorization: Bearer wrong-admin-key"
expect POST /instances "{$V}" 401 unauthorized "" "authorization: Basic $(printf 'admin:%s' "$ADMIN_KEY" | base64 -w0)"
expect POST /instances "{$V}" 401 unauthorized "" "authorization: Bearer ${ADMIN_KEY}x"
expect GET "/instances?user_id=u1" "" 401 unauthorized "" "authorization: Bearer "
expect GET "/instances/$U" "" 401 unauthorized "" "x-nothing: 1"
expect PATCH "/instances/$U" '{"status":"inactive"}' 401 unauthorized "" "x-nothing: 1"
expect DELETE "/instances/$U" "" 401 unauthorized "" "x-nothing: 1"

# bodies
expect POST /instances "" 400 invalid_json ""
expect POST /instances "not json" 400 invalid_json ""
expect POST /instances "[1,2]" 400 invalid_json ""
expect POST /instances '{"a":1,"a":2}' 400 invalid_json ""
expect POST /instances "{}" 400 missing_field service
expect POST /instances '{"user_id":"u1","client_id":"c","client_secret":"s"}' 400 missing_field service
expect POST /instances '{"service":"gmail","client_id":"c","client_secret":"s"}' 400 missing_field user_id
expect POST /instances '{"service":"gmail","user_id":"u1","client_secret":"s"}' 400 missing_field client_id
expect POST /instances '{"service":"gmail","user_id":"u1","client_id":"c"}' 400 missing_field client_secret
expect POST /instances "{$V,\"admin\":true}" 400 unknown_field admin
expect POST /instances '{"service":["gmail"],"user_id":"u1","client_id":"c","client_secret":"s"}' 400 invalid_field service
expect POST /instances '{"service":"GMAIL","user_id":"u1","client_id":"c","client_secret":"s"}' 400 invalid_field service
expect POST /instances '{"service":"gmail","user_id":"","client_id":"c","client_secret":"s"}' 400 invalid_field user_id
expect POST /instances '{"service":"gmail","user_id":"u\u0000x","client_id":"c","client_secret":"s"}' 400 invalid_json ""
expect POST /instances '{"service":"gmail","user_id":"u\u0001x","client_id":"c","client_secret":"s"}' 400 invalid_field user_id
expect POST /instances '{"service":"gmail","user_id":12,"client_id":"c","client_secret":"s"}' 400 invalid_field user_id
expect POST /instances "{$V,\"scopes\":\"a\\\\b\"}" 400 invalid_field scopes
expect POST /instances "{$V,\"scopes\":\"\"}" 400 invalid_field scopes
expect POST /instances "{$V,\"expires_in\":-5}" 400 invalid_field expires_in
expect POST /instances "{$V,\"expires_in\":\"60\"}" 400 invalid_field expires_in
expect POST /instances "{$V,\"provider_options\":\"tenant\"}" 400 invalid_field provider_options
expect POST /instances "{$V,\"custom_name\":{}}" 400 invalid_field custom_name
expect POST /instances "{\"service\":\"gmail\",\"user_id\":\"$(long 257)\",\"client_id\":\"c\",\"client_secret\":\"s\"}" 413 field_too_large user_id
expect POST /instances "{\"service\":\"gmail\",\"user_id\":\"u\",\"client_id\":\"$(long 513)\",\"client_secret\":\"s\"}" 413 field_too_large client_id
expect POST /instances "{\"service\":\"gmail\",\"user_id\":\"u\",\"client_id\":\"c\",\"client_secret\":\"$(long 4097)\"}" 413 field_too_large client_secret
expect POST /instances "{$V,\"custom_name\":\"$(long 256)\"}" 413 field_too_large custom_name
expect POST /instances "{$V,\"scopes\":\"$(long 2049)\"}" 413 field_too_large scopes
expect POST /instances "{$V,\"provider_options\":{\"k\":\"$(long 5000)\"}}" 413 field_too_large provider_options
before="$(counts)"
http POST "$BROKER/instances" "{$V,\"custom_name\":\"$(long 70000)\"}" "authorization: Bearer $ADMIN_KEY"
check "a body over 64 KiB: 413, nothing written" eq "$STATUS/$(counts)" "413/$before"
check "a body over 64 KiB: JSON error body_too_large" eq "$(jq -r .code <<<"$BODY" 2>/dev/null)" "body_too_large"
# registry
expect POST /instances '{"service":"nosuch","user_id":"u1","client_id":"c","client_secret":"s"}' 404 unknown_service service
expect POST /instances '{"service":"dormant","user_id":"u1","client_id":"c","client_secret":"s"}' 400 service_inactive service
expect POST /instances '{"service":"keysvc","user_id":"u1","client_id":"c","client_secret":"s"}' 400 unsupported_service service
expect POST /instances '{"service":"noplugin","user_id":"u1","client_id":"c","client_secret":"s"}' 503 provider_unavailable service

# ids and queries
expect GET "/instances/not-a-uuid" "" 400 invalid_instance_id instance_id
expect GET "/instances/$U" "" 404 instance_not_found instance_id
expect GET "/instances" "" 400 missing_field user_id
expect GET "/instances?user_id=" "" 400 invalid_field user_id
expect GET "/instances?user_id=$(long 300)" "" 413 field_too_large user_id
expect GET "/instances?user_id=u1&service=nosuch" "" 404 unknown_service service
expect GET "/instances?user_id=%zz" "" 400 invalid_field user_id
expect PATCH "/instances/not-a-uuid" '{"status":"inactive"}' 400 invalid_instance_id instance_id
expect PATCH "/instances/$U" '{"status":"inactive"}' 404 instance_not_found instance_id
expect DELETE "/instances/12345" "" 400 invalid_instance_id instance_id
expect DELETE "/instances/$U" "" 404 instance_not_found instance_id

# a real instance, then malformed patches against it
admin POST /instances "{$V,\"custom_name\":\"Mail\",\"scopes\":\"openid email\",\"expires_in\":86400,\"provider_options\":{\"hd\":\"example.com\"}}"
check "valid create: 201" eq "$STATUS" 201
ID="$(jq -r .instance_id <<<"$BODY")"
expect PATCH "/instances/$ID" '{}' 400 missing_field status
expect PATCH "/instances/$ID" '{"status":"needs_reauth"}' 400 invalid_field status
expect PATCH "/instances/$ID" '{"status":"expired"}' 400 invalid_field status
expect PATCH "/instances/$ID" '{"user_id":"other"}' 400 unknown_field user_id
expect PATCH "/instances/$ID" "{\"custom_name\":\"$(long 256)\"}" 413 field_too_large custom_name
expect PATCH "/instances/$ID" "[]" 400 invalid_json ""
expect PUT "/instances/$ID" '{"status":"inactive"}' 405 method_not_allowed ""
admin GET "/instances/$ID"
check "get: the stored values" bash -c 'jq -e ".custom_name==\"Mail\" and .scopes==\"openid email\" and .provider_options.hd==\"example.com\" and (.expires_at > now) and .status==\"active\"" <<<"$0" >/dev/null' "$BODY"
admin GET "/instances?user_id=u1"
check "list by user: 1" bash -c 'jq -e ".count==1 and .instances[0].instance_id==\"$1\"" <<<"$0" >/dev/null' "$BODY" "$ID"
admin GET "/instances?user_id=u2"
check "list of another user: 0" jq_eq .count 0
admin PATCH "/instances/$ID" '{"custom_name":null}'
check "patch custom_name null: 200" bash -c '[[ "$0" == 200 ]] && jq -e ".custom_name==null" <<<"$1" >/dev/null' "$STATUS" "$BODY"
check "patch: row_version bumped, audit rows" eq "$(psql_q "SELECT row_version FROM mcp_service_table WHERE instance_id='$ID'")/$(psql_q "SELECT string_agg(event, ',' ORDER BY id) FROM token_audit_log WHERE instance_id='$ID'")" "2/created,updated"
check "counts (view mcp_service_counts)" eq "$(psql_q "SELECT total_instances||'/'||active_instances FROM mcp_service_counts WHERE service_name='gmail'")" "1/1"
admin DELETE "/instances/$ID"
check "delete without tokens: 200, revoked false (no_token)" bash -c '[[ "$0" == 200 ]] && jq -e ".revoked==false and .revoke_error==\"no_token\"" <<<"$1" >/dev/null' "$STATUS" "$BODY"
check "delete: counters back to 0" eq "$(psql_q "SELECT total_instances||'/'||active_instances FROM mcp_service_counts WHERE service_name='gmail'")" "0/0"

# MCP-facing calls without the service bearer never reach the data
expect GET "/instances/$U/token" "" 401 invalid_service_credentials "" "authorization: Bearer $ADMIN_KEY"
expect POST "/instances/$U/mcp-auth" '{"key_sha256":"00"}' 401 invalid_service_credentials "" "authorization: Bearer $ADMIN_KEY"
expect POST "/instances/usage" '{"service":"gmail","usage":[]}' 401 invalid_service_credentials "" "authorization: Bearer $ADMIN_KEY"

it_done
