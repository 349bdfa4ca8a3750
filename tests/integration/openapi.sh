#!/usr/bin/env bash
# openapi.sh - docs/openapi.yaml against the real broker (private PostgreSQL cluster):
#  1. the document lints clean with Redocly CLI (tests/openapi/redocly.yaml: no error, no warning);
#  2. routes, both ways:
#     - every cm_server_route() call of the broker's sources (oauth-service/src, common/src) is a documented operation
#       and every documented operation is registered by one (check.mjs source);
#     - the running broker itself: each documented path is asked with a method no route uses (PROPFIND); its router
#       answers 405 with `Allow` = every method it serves there (or 404 when nothing is served), which must equal the
#       documented methods (check.mjs probe). oauth.callback_per_provider is on, so /oauth/callback/{provider} exists;
#  3. answers recorded from the broker (instances create/list/show/patch/delete, vend, mcp-auth, usage, imports,
#     refresh, revoke, health, providers, a plugin reload, the authorization server's metadata, keys, clients and token errors, the
#     browser flow, and errors of every kind) match the document: status documented, content type documented, body
#     valid against the schema (Ajv, JSON Schema 2020-12; check.mjs validate); and the request bodies: every one the
#     broker accepted (2xx) is valid against the documented request schema, every one it refused as unknown_field,
#     invalid_field or field_too_large is not.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OA_DIR="$IT_SRC/tests/openapi"
DOC="$IT_SRC/docs/openapi.yaml"
it_setup_private_pg openapi
STATUS="" BODY="" # for check's failure lines before the first request

stamp="$OA_DIR/node_modules/.package-lock.json"
if [[ ! -f "$stamp" || "$OA_DIR/package-lock.json" -nt "$stamp" ]]; then
    (cd "$OA_DIR" && npm ci --no-audit --no-fund --loglevel=error) >"$IT_DIR/npm-ci.log" 2>&1 ||
        it_skip "npm ci in tests/openapi failed (see $IT_DIR/npm-ci.log)"
fi

# 1. lint
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
(cd "$OA_DIR" && timeout 120 node node_modules/@redocly/cli/bin/cli.js lint --config redocly.yaml --format stylish \
    "$DOC") >"$IT_DIR/lint.log" 2>&1
lint_rc=$?
check "redocly lint: exit 0" eq "$lint_rc" 0
check "redocly lint: no error and no warning" bash -c '! grep -qE "^ +[0-9]+:[0-9]+ +(error|warning) " "$0"' "$IT_DIR/lint.log"
grep -E "^ +[0-9]+:[0-9]+ +(error|warning) " "$IT_DIR/lint.log" | head -20

# 2a. the sources' routes
node "$OA_DIR/check.mjs" source "$DOC" "$IT_SRC" >"$IT_DIR/source.log" 2>&1
src_rc=$?
grep -vE '^ok ' "$IT_DIR/source.log"
check "every route of the sources is documented and every documented route is in the sources" eq "$src_rc" 0

# the broker
it_gmail_registry 49296
it_broker_config "$(it_free_port)" "{
  \"database\": {\"pool_size\": 3}, \"refresh\": {\"enabled\": false},
  \"oauth\": {\"callback_per_provider\": true},
  \"push\": {\"retries\": 0, \"urls\": {\"gmail\": \"http://127.0.0.1:$(it_free_port)\"}},
  \"providers\": {\"google\": {\"authorization_endpoint\": \"http://127.0.0.1:9/auth\",
                             \"token_endpoint\": \"http://127.0.0.1:9/token\"}}}"
it_broker "$IT_DIR/broker.json" || exit 1

# 2b. the broker's own routing table
node "$OA_DIR/check.mjs" probe "$DOC" "$BROKER" "$IT_SRC" >"$IT_DIR/probe.log" 2>&1
probe_rc=$?
grep -vE '^ok ' "$IT_DIR/probe.log"
check "every documented path is served with exactly its documented methods" eq "$probe_rc" 0

# 3. recorded answers: rec TEMPLATE WHAT appends the last http call's answer to records.jsonl
RECORDS="$IT_DIR/records.jsonl"
: >"$RECORDS"
LAST_METHOD=""
LAST_REQ="" LAST_REQ_TYPE=""
call() { # call METHOD URL BODY HEADERS...
    LAST_METHOD="$1" LAST_REQ="${3:-}" LAST_REQ_TYPE=application/json
    http "$@"
}
form() { # form URL DATA [HEADERS...]: a form-encoded POST, answer as for http
    local url="$1" data="$2" h
    shift 2
    local -a args=(-s -o "$IT_DIR/last.body" -D "$IT_DIR/last.hdrs" -w '%{http_code}' --max-time 20 --data "$data")
    for h in "$@"; do args+=(-H "$h"); done
    LAST_METHOD=POST LAST_REQ="$data" LAST_REQ_TYPE=application/x-www-form-urlencoded
    STATUS="$(curl "${args[@]}" "$url")"
    BODY="$(cat "$IT_DIR/last.body")"
    # shellcheck disable=SC2034 # read by lib.sh's header
    HDRS="$(cat "$IT_DIR/last.hdrs")"
}
rec() {
    jq -cn --arg m "$LAST_METHOD" --arg p "$1" --arg what "$2" --argjson s "$STATUS" --arg ct "$(header content-type)" \
        --arg rq "$LAST_REQ" --arg rqt "$LAST_REQ_TYPE" --rawfile b "$IT_DIR/last.body" \
        '{method: $m, path: $p, what: $what, status: $s, content_type: $ct, body: $b, request: $rq, request_type: $rqt}' \
        >>"$RECORDS"
}
A="authorization: Bearer $ADMIN_KEY"
S=("authorization: Bearer $GMAIL_BEARER" "x-mcp-service: gmail")
U=00000000-0000-4000-8000-000000000000

call GET "$BROKER/health" ""
rec /health "healthy"
check "health: 200" eq "$STATUS" 200
call GET "$BROKER/providers" ""
rec /providers "the providers"
check "providers: 200" eq "$STATUS" 200
call POST "$BROKER/providers/reload" "" "$A"
rec /providers/reload "a reload"
check "providers reload: 200" eq "$STATUS" 200
call POST "$BROKER/providers/reload" ""
rec /providers/reload "no admin key"
check "providers reload without the admin key: 401" eq "$STATUS" 401

call POST "$BROKER/instances" '{"service":"gmail","user_id":"u1","client_id":"gclient","client_secret":"s","custom_name":"Mail","expires_in":86400}' "$A"
rec /instances "create"
check "create: 201" eq "$STATUS" 201
IID="$(jq -r .instance_id <<<"$BODY")"
KEY="$(jq -r .mcp_access_key <<<"$BODY")"
call POST "$BROKER/instances" '{"service":"gmail","user_id":"u1","client_id":"c"}' "$A"
rec /instances "missing client_secret"
call POST "$BROKER/instances" '{"service":"gmail","user_id":"u1","client_id":"c","client_secret":"s","x":1}' "$A"
rec /instances "unknown field"
call POST "$BROKER/instances" '{"service":"nosuch","user_id":"u1","client_id":"c","client_secret":"s"}' "$A"
rec /instances "unknown service"
call POST "$BROKER/instances" "{\"service\":\"gmail\",\"user_id\":\"$(head -c 300 /dev/zero | tr '\0' x)\",\"client_id\":\"c\",\"client_secret\":\"s\"}" "$A"
rec /instances "field too large"
call POST "$BROKER/instances" "{\"custom_name\":\"$(head -c 70000 /dev/zero | tr '\0' x)\"}" "$A"
rec /instances "body over 64 KiB"
call POST "$BROKER/instances" '{}' "authorization: Bearer wrong"
rec /instances "wrong admin key"
call GET "$BROKER/instances?user_id=u1" "" "$A"
rec /instances "list"
check "list: 200, 1 instance" eq "$STATUS/$(jq -r .count <<<"$BODY")" "200/1"
call GET "$BROKER/instances" "" "$A"
rec /instances "list without user_id"
call GET "$BROKER/instances/$IID" "" "$A"
rec "/instances/{instance_id}" "show"
check "show: 200" eq "$STATUS" 200
call GET "$BROKER/instances/not-a-uuid" "" "$A"
rec "/instances/{instance_id}" "bad id"
call GET "$BROKER/instances/$U" "" "$A"
rec "/instances/{instance_id}" "unknown id"

# vend: never authorized, then with imported tokens
call GET "$BROKER/instances/$IID/token" "" "${S[@]}"
rec "/instances/{instance_id}/token" "never authorized"
check "vend before any token: 409 needs_reauth" eq "$STATUS/$(jq -r .code <<<"$BODY")" "409/needs_reauth"
call POST "$BROKER/cache-tokens" "{\"instance_id\":\"$IID\",\"access_token\":\"at-1\",\"expires_in\":3600,\"scope\":\"openid email\"}" "$A"
rec /cache-tokens "import"
check "import: 200" eq "$STATUS" 200
call GET "$BROKER/audit?instance_id=$IID&limit=5" "" "$A"
rec /audit "audit tail"
call GET "$BROKER/audit?limit=0" "" "$A"
rec /audit "audit: limit out of range"
call POST "$BROKER/cache-tokens" "{\"instance_id\":\"$IID\",\"access_token\":\"at-1\",\"expires_in\":3600,\"expires_at\":1}" "$A"
rec /cache-tokens "both expiries"
call GET "$BROKER/instances/$IID/token" "" "${S[@]}"
rec "/instances/{instance_id}/token" "vend"
check "vend: 200" eq "$STATUS/$(jq -r .access_token <<<"$BODY")" "200/at-1"
call GET "$BROKER/instances/$IID/token" "" "authorization: Bearer 00" "x-mcp-service: gmail"
rec "/instances/{instance_id}/token" "wrong service bearer"
call GET "$BROKER/instances/$U/token" "" "${S[@]}"
rec "/instances/{instance_id}/token" "unknown instance"
KEYHASH="$(printf '%s' "$KEY" | sha256sum | cut -d' ' -f1)"
call POST "$BROKER/instances/$IID/mcp-auth" "{\"key_sha256\":\"$KEYHASH\"}" "${S[@]}"
rec "/instances/{instance_id}/mcp-auth" "the key"
check "mcp-auth: 200" eq "$STATUS" 200
call POST "$BROKER/instances/$IID/mcp-auth" "{\"key_sha256\":\"$(printf x | sha256sum | cut -d' ' -f1)\"}" "${S[@]}"
rec "/instances/{instance_id}/mcp-auth" "another key"
call POST "$BROKER/instances/usage" "{\"service\":\"gmail\",\"usage\":[{\"instance_id\":\"$IID\",\"count\":2,\"last_used_at\":$(date +%s)}]}" "${S[@]}"
rec /instances/usage "usage"
check "usage: 204" eq "$STATUS" 204
call POST "$BROKER/instances/usage" '{"service":"other","usage":[]}' "${S[@]}"
rec /instances/usage "another service's usage"
call POST "$BROKER/instances/$IID/mcp-auth" '{"grant_id":"not-a-uuid"}' "${S[@]}"
rec "/instances/{instance_id}/mcp-auth" "a grant id that is no UUID"
call POST "$BROKER/oauth/refresh" "{\"instance_id\":\"$IID\"}" "$A"
rec /oauth/refresh "no refresh token"
call POST "$BROKER/oauth/refresh" "{\"instance_id\":\"$U\"}" "$A"
rec /oauth/refresh "unknown instance"
call PATCH "$BROKER/instances/$IID" '{"status":"inactive"}' "$A"
rec "/instances/{instance_id}" "disable"
call GET "$BROKER/instances/$IID/token" "" "${S[@]}"
rec "/instances/{instance_id}/token" "inactive"
call PATCH "$BROKER/instances/$IID" '{"status":"active","custom_name":null}' "$A"
rec "/instances/{instance_id}" "enable"
call PATCH "$BROKER/instances/$IID" '{"status":"expired"}' "$A"
rec "/instances/{instance_id}" "bad status"
call GET "$BROKER/instances/$IID/grants" "" "$A"
rec "/instances/{instance_id}/grants" "no grants"
call DELETE "$BROKER/instances/$IID/grants/$U" "" "$A"
rec "/instances/{instance_id}/grants/{grant_id}" "unknown grant"

# browser flow
call GET "$BROKER/oauth/authorize?instance_id=$IID" ""
rec /oauth/authorize "to the provider"
check "authorize: 302" eq "$STATUS" 302
call GET "$BROKER/oauth/authorize?instance_id=$IID&return_url=https://elsewhere.example/x" ""
rec /oauth/authorize "return_url not allowed"
call GET "$BROKER/oauth/callback?code=c&state=forged" ""
rec /oauth/callback "forged state"
call GET "$BROKER/oauth/callback/google?code=c&state=forged" ""
rec "/oauth/callback/{provider}" "forged state"

call POST "$BROKER/oauth/revoke" "{\"instance_id\":\"$IID\"}" "$A"
rec /oauth/revoke "revoke"
check "revoke: 200" eq "$STATUS" 200

# authorization server
call GET "$BROKER/.well-known/oauth-authorization-server" ""
rec /.well-known/oauth-authorization-server "metadata"
check "AS metadata: 200" eq "$STATUS" 200
call GET "$BROKER/.well-known/openid-configuration" ""
rec /.well-known/openid-configuration "none"
call GET "$BROKER/.well-known/oauth-authorization-server/tenant/x" ""
rec "/.well-known/oauth-authorization-server/{issuer_path}" "another issuer"
call GET "$BROKER/as/jwks.json" ""
rec /as/jwks.json "keys"
call GET "$BROKER/as/signing-keys" "" "$A"
rec /as/signing-keys "keys"
call POST "$BROKER/as/signing-keys/rotate" "" "$A"
rec /as/signing-keys/rotate "rotate"
call POST "$BROKER/as/register" '{"redirect_uris":["http://127.0.0.1:7777/cb"],"token_endpoint_auth_method":"none","client_name":"probe"}'
rec /as/register "registration"
CID="$(jq -r .client_id <<<"$BODY")"
call POST "$BROKER/as/register" '{"redirect_uris":["javascript:alert(1)"]}'
rec /as/register "bad redirect uri"
call GET "$BROKER/as/clients/$CID" "" "$A"
rec "/as/clients/{client_id}" "show"
call DELETE "$BROKER/as/clients/$CID" "" "$A"
rec "/as/clients/{client_id}" "delete"
call GET "$BROKER/as/clients/$CID" "" "$A"
rec "/as/clients/{client_id}" "deleted"
form "$BROKER/as/token" 'grant_type=authorization_code&code=nope&client_id=nope'
rec /as/token "unknown client"
form "$BROKER/as/introspect" 'token=nope' "authorization: Bearer $GMAIL_BEARER" "x-mcp-service: gmail"
rec /as/introspect "unknown token"

call OPTIONS "$BROKER/as/token" "" "origin: http://127.0.0.1:7777" "access-control-request-method: POST"
rec /as/token "preflight"
call GET "$BROKER/.well-known/openid-configuration/tenant" ""
rec "/.well-known/openid-configuration/{issuer_path}" "none"
call POST "$BROKER/as/clients" '{"redirect_uris":["http://127.0.0.1:7777/cb"],"token_endpoint_auth_method":"client_secret_basic","client_name":"pre"}' "$A"
rec /as/clients "pre-registered"
check "admin client: 201" eq "$STATUS" 201
call POST "$BROKER/as/clients" '{"redirect_uris":["http://127.0.0.1:7777/cb"]}' "authorization: Bearer wrong"
rec /as/clients "wrong admin key"
call GET "$BROKER/as/authorize?response_type=code&redirect_uri=http://127.0.0.1:7777/cb" ""
rec /as/authorize "no client_id"
form "$BROKER/as/consent" 'request_id=nope&action=allow'
rec /as/consent "no csrf cookie"
form "$BROKER/as/revoke" "token=nope&client_id=$CID"
rec /as/revoke "a deleted client"
call POST "$BROKER/as/register" '{"redirect_uris":["http://127.0.0.1:7777/cb"],"token_endpoint_auth_method":"none"}'
PUB="$(jq -r .client_id <<<"$BODY")"
form "$BROKER/as/revoke" "token=nope&client_id=$PUB"
rec /as/revoke "unknown token"
check "revocation of an unknown token: 200" eq "$STATUS" 200
if [[ -f "$IT_SRC/common/src/httpd_metrics.c" ]]; then
    call GET "$BROKER/metrics" ""
    rec /metrics "scrape from loopback"
fi

call DELETE "$BROKER/instances/$IID" "" "$A"
rec "/instances/{instance_id}" "delete"
check "delete: 200" eq "$STATUS" 200

node "$OA_DIR/check.mjs" validate "$DOC" "$RECORDS" >"$IT_DIR/validate.log" 2>&1
val_rc=$?
cat "$IT_DIR/validate.log"
check "every recorded answer matches the document (status, content type, schema)" eq "$val_rc" 0
check "at least 50 answers recorded" test "$(wc -l <"$RECORDS")" -ge 50

it_done
