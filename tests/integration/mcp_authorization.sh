#!/usr/bin/env bash
# mcp_authorization.sh - MCP authorization end to end (docs/mcp-authorization.md) with real clients and a real browser:
# a private PostgreSQL, the real broker (the authorization server), the real mcp-gmail (the resource server) with the
# fake Google and Gmail API, an https server of Client ID Metadata Documents signed by a throwaway test CA
# (tests/fakes/cimd-server.mjs, allow-listed in the broker's config), headless Chromium at the consent page.
#   1. the official SDK v1 client with Dynamic Client Registration and the v2 client (which checks iss, RFC 9207) with
#      a Client ID Metadata Document, each knowing nothing but the instance URL, through the consent page (the
#      instance's access key as proof of ownership) to tools/list and tools/call; Deny in the browser;
#   2. the refusals at HTTP level, each with its clear error and nothing stored (rows of as_clients, as_requests,
#      as_codes, as_grants counted): PKCE missing or plain, a resource that is not ours, redirect URI mismatches,
#      CIMD documents refused (client_id mismatch, non-allow-listed private address, oversized, slow, text/plain,
#      redirect, secret, no redirect_uris), Deny, CSRF, a wrong verifier, a reused code (the grant revoked), a reused
#      refresh token (the grant revoked, its access token refused by the MCP server), insufficient scope, a token for
#      instance A at instance B and at service URLs, a tampered signature, alg none, an expired token;
#   3. the service URL sign-in with operator app credentials (skipped with a message when the broker says no operator
#      app is configured).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
INTEROP="$IT_SRC/tests/interop"
GMAIL_BIN="$IT_BUILD/mcp-servers/gmail/mcp-gmail"
GITHUB_BIN="$IT_BUILD/mcp-servers/github/mcp-github"
[[ -x "$GMAIL_BIN" ]] || it_skip "mcp-gmail is not built in $IT_BUILD"
[[ -d "$INTEROP/node_modules/@modelcontextprotocol/client" ]] || it_skip "tests/interop/node_modules is missing (npm ci in tests/interop)"
[[ -x "${CHROMIUM:-/usr/bin/chromium}" ]] || it_skip "chromium is not installed (${CHROMIUM:-/usr/bin/chromium})"
it_setup_private_pg mcp_authorization
export LSAN_OPTIONS="suppressions=$INTEROP/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
[[ -d "$IT_FAKES/node_modules/playwright-core" ]] ||
    (cd "$IT_FAKES" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) >"$IT_DIR/npm-ci.log" 2>&1 ||
    it_skip "npm ci in tests/fakes failed"
SECRETS=()

# ---- the parts
it_test_ca || exit 1
it_cimd_server || exit 1
CIMD_ALLOWED="$CIMD"
# a second document server that is NOT allow-listed: a fetch of it by the broker would show in its counter
it_start cimd2 node "$IT_FAKES/cimd-server.mjs" "$IT_TLS_CERT" "$IT_TLS_KEY"
CIMD2="$(it_wait_line "$IT_DIR/cimd2.log" "cimd-server listening on" | awk '{print $NF}')" || exit 1
export NODE_EXTRA_CA_CERTS="$IT_CA"

GPORT="$(it_free_port)"
BPORT="$(it_free_port)"
MPORT="$(it_registry_port)" || exit 1
for _ in $(seq 1 20); do
    HPORT="$(it_registry_port)" || exit 1
    [[ "$HPORT" != "$MPORT" ]] && break
done
BROKER="http://127.0.0.1:$BPORT"
GOOGLE="http://127.0.0.1:$GPORT"
MCP="http://127.0.0.1:$MPORT"
GHMCP="http://127.0.0.1:$HPORT"
WITH_GITHUB=0
[[ -x "$GITHUB_BIN" ]] && WITH_GITHUB=1

it_write_json "$IT_DIR/google.json" "{\"clients\": [
  {\"client_id\": \"gclient\", \"client_secret\": \"gsecret-az-1\", \"redirect_uris\": [\"$BROKER/oauth/callback\"]},
  {\"client_id\": \"operator-app\", \"client_secret\": \"operator-secret-1\", \"redirect_uris\": [\"$BROKER/oauth/callback\"]}]}"
it_write_json "$IT_DIR/services.json" "[
  {\"service_name\": \"gmail\", \"display_name\": \"Gmail\", \"port\": $MPORT, \"type\": \"oauth\", \"provider\": \"google\",
   \"default_scopes\": \"openid email https://www.googleapis.com/auth/gmail.modify\", \"active\": true},
  {\"service_name\": \"github\", \"display_name\": \"GitHub\", \"port\": $HPORT, \"type\": \"oauth\", \"provider\": \"github\",
   \"default_scopes\": \"repo read:user\", \"active\": true}]"
it_service_secret gmail >/dev/null
it_service_secret github >/dev/null
GMAIL_BEARER="$(it_service_secret gmail)"
(umask 077 && printf 'operator-secret-1' >"$IT_DIR/keys/operator-gmail.secret")
# broker_config TTL: the broker's config with access tokens living TTL seconds
broker_config() {
    it_broker_config "$BPORT" "{
      \"database\": {\"pool_size\": 4, \"query_timeout_ms\": 5000}, \"log_level\": \"info\",
      \"oauth\": {\"instance_cache_ttl_ms\": 300}, \"refresh\": {\"enabled\": false},
      \"push\": {\"retries\": 3, \"backoff_base_ms\": 100, \"backoff_max_ms\": 500},
      \"providers\": {\"google\": $(it_google_endpoints)},
      \"authorization\": {\"access_token_ttl_s\": $1, \"cimd_allowed_origins\": [\"$CIMD_ALLOWED\"], \"cimd_ca_file\": \"$IT_CA\",
                        \"apps\": {\"gmail\": {\"client_id\": \"operator-app\", \"client_secret_file\": \"$IT_DIR/keys/operator-gmail.secret\"}}}}"
}
broker_config 60
FAKE_PORT="$GPORT" it_start google node "$IT_FAKES/fake-google.mjs" "$IT_DIR/google.json"
FAKE_TOKENINFO_URL="$GOOGLE/tokeninfo" it_start gmailapi node "$INTEROP/fake-gmail.mjs" unused
it_wait_line "$IT_DIR/google.log" "listening" >/dev/null || exit 1
GMAIL_API="http://127.0.0.1:$(it_wait_line "$IT_DIR/gmailapi.log" "listening on" | sed -E 's/.*:([0-9]+)$/\1/')" || exit 1
it_broker "$IT_DIR/broker.json" || exit 1
# a tree whose broker routes no authorization server yet (the feature is being built) skips; in CI it_skip fails
[[ "$(curl -s -o /dev/null -w '%{http_code}' "$BROKER/.well-known/oauth-authorization-server")" != 404 ]] ||
    it_skip "the broker serves no /.well-known/oauth-authorization-server (the authorization server is not in this build)"
it_start mcp-gmail env -u DATABASE_URL MCP_HOST=127.0.0.1 MCP_PORT="$MPORT" MCP_PUBLIC_URL="$MCP" BROKER_URL="$BROKER" MCP_JWT_LEEWAY_S=5 \
    MCP_SERVICE_SECRET_FILE="$IT_DIR/keys/services/gmail.secret" GMAIL_API_BASE="$GMAIL_API" "${IT_WRAP[@]}" "$GMAIL_BIN"
it_wait_line "$IT_DIR/mcp-gmail.log" "listening on 127\.0\.0\.1:$MPORT" >/dev/null || exit 1
if ((WITH_GITHUB)); then
    it_start mcp-github env -u DATABASE_URL MCP_HOST=127.0.0.1 MCP_PORT="$HPORT" MCP_PUBLIC_URL="$GHMCP" BROKER_URL="$BROKER" \
        MCP_SERVICE_SECRET_FILE="$IT_DIR/keys/services/github.secret" GITHUB_API_BASE="http://127.0.0.1:9" "${IT_WRAP[@]}" "$GITHUB_BIN"
    it_wait_line "$IT_DIR/mcp-github.log" "listening on 127\.0\.0\.1:$HPORT" >/dev/null || exit 1
fi

# ---- helpers
# counts: "as_clients,as_requests,as_codes,as_grants" (what a refusal must leave unchanged)
counts() {
    psql_q "SELECT (SELECT count(*) FROM as_clients)||','||(SELECT count(*) FROM as_requests)||','||
                   (SELECT count(*) FROM as_codes)||','||(SELECT count(*) FROM as_grants)"
}
# form_post URL FIELD=VALUE...: POST form-encoded (sets STATUS, BODY, HDRS)
form_post() {
    local url="$1" a
    shift
    local -a args=(-s -o "$IT_DIR/last.body" -D "$IT_DIR/last.hdrs" -w '%{http_code}' --max-time 20)
    for a in "$@"; do
        if [[ "$a" == -H* ]]; then args+=(-H "${a#-H}"); else args+=(--data-urlencode "$a"); fi
    done
    STATUS="$(curl "${args[@]}" "$url")"
    BODY="$(cat "$IT_DIR/last.body")"
    HDRS="$(cat "$IT_DIR/last.hdrs")"
}
# pkce: VERIFIER (43 characters) and CHALLENGE (S256 of it)
pkce() {
    VERIFIER="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n' | head -c 43)"
    CHALLENGE="$(printf '%s' "$VERIFIER" | openssl dgst -sha256 -binary | basenc --base64url | tr -d '=')"
}
# authz_url CLIENT_ID REDIRECT RESOURCE [EXTRA_QUERY]: an authorization request with S256 PKCE (pkce first), state st-1
urlenc() { jq -rn --arg v "$1" '$v|@uri'; }
authz_url() {
    printf '%s/as/authorize?response_type=code&client_id=%s&redirect_uri=%s&code_challenge=%s&code_challenge_method=S256&resource=%s&state=st-1%s' \
        "$BROKER" "$(urlenc "$1")" "$(urlenc "$2")" "$CHALLENGE" "$(urlenc "$3")" "${4:-}"
}
# form URL ACTION [KEY] [FLAGS...]: tests/interop/as-form.mjs (consent at HTTP level); its JSON in FORM
form() { FORM="$(timeout 60 node "$INTEROP/as-form.mjs" "$@")"; }
fq() { jq -r "$1" <<<"$FORM"; }
# jwt_part TOKEN N: the decoded JSON of part N (0 header, 1 claims)
jwt_part() { node -e 'console.log(Buffer.from(process.argv[1].split(".")[process.argv[2]]??"","base64url").toString())' "$1" "$2"; }
# mcp_rpc TOKEN URL METHOD [PARAMS_JSON]: one stateless (2026-07-28) request to an MCP endpoint
mcp_rpc() {
    local params="${4:-}" name
    [[ -n "$params" ]] || params='{}'
    name="$(jq -r '.name // empty' <<<"$params")"
    http POST "$2" "$(jq -nc --arg m "$3" --argjson p "$params" '{jsonrpc: "2.0", id: 1, method: $m,
        params: ($p + {_meta: {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}})}')" \
        "authorization: Bearer $1" "accept: application/json, text/event-stream" "mcp-protocol-version: 2026-07-28" \
        "mcp-method: $3" ${name:+"mcp-name: $name"}
}
# wait_refused TOKEN URL: polls (bounded, 3 s) until the MCP server answers 401 to the token
wait_refused() {
    for _ in $(seq 1 $((30 * IT_WAIT_SCALE))); do
        mcp_rpc "$1" "$2" tools/list
        [[ "$STATUS" == 401 ]] && return 0
        sleep 0.1
    done
    return 1
}
cimd_hits() { curl -s --cacert "$IT_CA" "$1/_stats" | jq -r --arg p "$2" '.requests[$p] // 0'; }
audit_n() { psql_q "SELECT count(*) FROM token_audit_log WHERE event = '$1'"; }

# get_code [SCOPE] [RESOURCE]: CODE, VERIFIER of an allowed request of the curl client
get_code() {
    pkce
    form "$(authz_url "$CID" "$RURI" "${2:-$IURL}" "${1:+&scope=$(urlenc "$1")}")" allow "$KEY"
    CODE="$(fq '.redirect.code // empty')"
    SECRETS+=("$CODE")
}
redeem() { form_post "$BROKER/as/token" grant_type=authorization_code "code=$CODE" "redirect_uri=${2:-$RURI}" "code_verifier=$1" "client_id=$CID" "${@:3}"; }
# refused_token NAME ERROR: the token endpoint's last answer is 400 ERROR, no-store, and no grant was created
refused_token() {
    check "token, $1: 400 $2, Cache-Control no-store" bash -c '[[ "$0" == 400 && "$1" == "$2" && "$3" == *no-store* ]]' \
        "$STATUS" "$(jq -r .error <<<"$BODY" 2>/dev/null)" "$2" "$(header cache-control)"
    check "token, $1: no grant" eq "$(counts | cut -d, -f4)" "$(cut -d, -f4 <<<"$G0")"
}
# ---- an instance created through the admin API, consented at the fake Google with the user's own client
check "instance A created through the admin API, active after the upstream consent" it_google_instance user-az gclient gsecret-az-1
SECRETS+=("$KEY")
IURL="$MCP/$IID/mcp"
# a dynamic client of the test's own for the HTTP-level cases, and one token of the shortest lifetime (60 s) from this
# first broker: the rest of the test runs on a broker restarted with 1 h tokens while it expires (60 s + the MCP
# server's leeway, 5 s here)
http POST "$BROKER/as/register" '{"client_name":"curl client","redirect_uris":["http://127.0.0.1/cb"],"token_endpoint_auth_method":"none"}'
CID="$(jq -r .client_id <<<"$BODY")"
check "DCR: 201 echoing redirect_uris, no secret for a public client" \
    jq_eq '[(.redirect_uris == ["http://127.0.0.1/cb"]), (has("client_secret")|not), (.client_id|startswith("mcp_"))]|all' true
RURI="http://127.0.0.1:5555/cb"
get_code
redeem "$VERIFIER"
ATE="$(jq -r .access_token <<<"$BODY")"
SECRETS+=("$ATE" "$(jq -r .refresh_token <<<"$BODY")")
check "short-lived token: exp = iat + 60" jq -e '.exp - .iat == 60' <<<"$(jwt_part "$ATE" 1)"
EXP="$(jwt_part "$ATE" 1 | jq -r .exp)"
mcp_rpc "$ATE" "$IURL" tools/list
check "short-lived token: accepted while fresh" eq "$STATUS" 200
kill -TERM "$BROKER_PID" && wait "$BROKER_PID" 2>/dev/null
broker_config 3600
it_broker "$IT_DIR/broker.json" || exit 1
admin POST /instances '{"service":"gmail","user_id":"user-az-b","client_id":"gclient","client_secret":"gsecret-az-1"}'
IID_B="$(jq -r .instance_id <<<"$BODY")"
SECRETS+=("$(jq -r .mcp_access_key <<<"$BODY")")

# ---- discovery as a client meets it
export BROKER MCP
http POST "$IURL" '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' "accept: application/json, text/event-stream"
check "MCP server: 401 with resource_metadata naming the instance's PRM" bash -c '[[ "$0" == 401 && "$1" == *resource_metadata=\"$2\"* ]]' \
    "$STATUS" "$(header www-authenticate)" "$MCP/.well-known/oauth-protected-resource/$IID/mcp"
http GET "$MCP/.well-known/oauth-protected-resource/$IID/mcp"
check "PRM: resource = the instance URL, the broker as authorization server" \
    jq_eq '[.resource, .authorization_servers[0]]|join(" ")' "$IURL $BROKER"
http GET "$BROKER/.well-known/oauth-authorization-server"
check "AS metadata: issuer byte for byte, S256 only, CIMD, iss parameter, none among the auth methods" jq_eq \
    '[.issuer == $ENV.BROKER, .code_challenge_methods_supported == ["S256"], .client_id_metadata_document_supported,
      .authorization_response_iss_parameter_supported, (.token_endpoint_auth_methods_supported|index("none") != null),
      .registration_endpoint == ($ENV.BROKER + "/as/register")]|all' true

# ---- 1. SDK v1 + DCR, SDK v2 + CIMD, at the instance URL, through the browser
C0="$(counts)"
REG0="$(audit_n as_client_registered)"
DYN0="$(psql_q "SELECT count(*) FROM as_clients WHERE kind = 'dynamic'")"
timeout 180 node "$INTEROP/mcp-auth-client.mjs" --url "$IURL" --sdk v1 --access-key "$KEY" --out "$IT_DIR/v1.tokens" >"$IT_DIR/v1.json" 2>"$IT_DIR/v1.err"
R="$(cat "$IT_DIR/v1.json")"
echo "# v1 + DCR: $(jq -c 'del(.http, .consent.text)' <<<"$R")"
check "v1 + DCR: the whole flow without error" jq -e '.error == null and .finish == "ok"' <<<"$R"
check "v1 + DCR: one registration request, an mcp_ client id" jq -e '.registrations == 1 and (.client_id|test("^mcp_[A-Za-z0-9]{32}$"))' <<<"$R"
check "v1 + DCR: authorize asked for S256 and the instance URL as resource" \
    jq -e --arg r "$IURL" '.authorize.code_challenge_method == "S256" and .authorize.resource == $r' <<<"$R"
check "v1 + DCR: the consent page asked for the access key, under a CSP without external assets" \
    jq -e '.consent.shown and .consent.asked_key and (.consent.csp // ""|test("default-src .none."))' <<<"$R"
check "v1 + DCR: the redirect carried the code, our state and iss = the issuer" \
    jq -e --arg i "$BROKER" '.callback.code and .callback.state_ok and .callback.iss == $i' <<<"$R"
check "v1 + DCR: tools/list and tools/call list_labels with the token" \
    jq -e '(.tools|index("list_labels")) != null and .call.isError == false and (.call.text|test("INBOX"))' <<<"$R"
check "v1 + DCR: the broker stored the dynamic client and audited its registration" \
    eq "$(($(psql_q "SELECT count(*) FROM as_clients WHERE kind = 'dynamic'") - DYN0)) $(($(audit_n as_client_registered) - REG0))" "1 1"
check "v1 + DCR: one grant for the instance URL" \
    eq "$(psql_q "SELECT count(*) FROM as_grants WHERE instance_id = '$IID' AND resource = '$IURL' AND revoked_at IS NULL
                   AND client_id = '$(jq -r .client_id <<<"$R")'")" 1
V1_AT="$(jq -r .access_token "$IT_DIR/v1.tokens" 2>/dev/null)"
SECRETS+=("$V1_AT" "$(jq -r .refresh_token "$IT_DIR/v1.tokens" 2>/dev/null)")

CL0="$(psql_q "SELECT count(*) FROM as_clients")"
timeout 180 node "$INTEROP/mcp-auth-client.mjs" --url "$IURL" --sdk v2 --cimd "$CIMD/clients/good.json" --access-key "$KEY" \
    --out "$IT_DIR/v2.tokens" >"$IT_DIR/v2.json" 2>"$IT_DIR/v2.err"
R="$(cat "$IT_DIR/v2.json")"
echo "# v2 + CIMD: $(jq -c 'del(.http, .consent.text)' <<<"$R")"
check "v2 + CIMD: the whole flow without error (v2 checked iss before it sent the code)" jq -e '.error == null and .finish == "ok"' <<<"$R"
check "v2 + CIMD: client_id = the document URL, no registration request" \
    jq -e --arg c "$CIMD/clients/good.json" '.client_id == $c and .registrations == 0' <<<"$R"
check "v2 + CIMD: the broker fetched the document, stored no client" \
    eq "$([[ "$(cimd_hits "$CIMD" /clients/good.json)" -ge 1 ]] && echo fetched) $(psql_q "SELECT count(*) FROM as_clients")" "fetched $CL0"
check "v2 + CIMD: the consent page names the client and the host of its client_id" \
    jq -e '.consent.text|test("CIMD Test Client") and test("127\\.0\\.0\\.1")' <<<"$R"
check "v2 + CIMD: tools/list and tools/call" jq -e '(.tools|length) >= 10 and .call.isError == false' <<<"$R"
V2_AT="$(jq -r .access_token "$IT_DIR/v2.tokens" 2>/dev/null)"
SECRETS+=("$V2_AT" "$(jq -r .refresh_token "$IT_DIR/v2.tokens" 2>/dev/null)")
check "v2 + CIMD: a grant of the document's client" \
    eq "$(psql_q "SELECT count(*) FROM as_grants WHERE client_id = '$CIMD/clients/good.json' AND revoked_at IS NULL")" 1

# mcp-remote (npm) as a desktop host runs it: a stdio proxy that registers (DCR, a localhost callback of its own), prints
# the authorization URL (the browser follows it) and proxies tools/list and tools/call
DYN0="$(psql_q "SELECT count(*) FROM as_clients WHERE kind = 'dynamic'")"
timeout 180 node "$INTEROP/mcp-remote-client.mjs" "$IURL" "$KEY" >"$IT_DIR/remote.json" 2>"$IT_DIR/remote.err"
R="$(cat "$IT_DIR/remote.json")"
echo "# mcp-remote: $(jq -c 'del(.tools, .stderr_tail)' <<<"$R")"
check "mcp-remote: registered (DCR) with its localhost callback, consent with the key" \
    jq -e '(.client_id|test("^mcp_")) and (.redirect_uri|test("^http://localhost:[0-9]+/oauth/callback$")) and .consent.asked_key and .consent.redirected' <<<"$R"
check "mcp-remote: tools/list and tools/call through the proxy" jq -e '(.tools|index("list_labels")) != null and .call.isError == false' <<<"$R"
check "mcp-remote: one dynamic client more, one grant of it" eq "$(($(psql_q "SELECT count(*) FROM as_clients WHERE kind = 'dynamic'") - DYN0)) \
$(psql_q "SELECT count(*) FROM as_grants WHERE client_id = '$(jq -r .client_id <<<"$R")'")" "1 1"

C0="$(counts)"
timeout 180 node "$INTEROP/mcp-auth-client.mjs" --url "$IURL" --sdk v1 --cimd "$CIMD/clients/good.json" --action deny >"$IT_DIR/deny.json" 2>"$IT_DIR/deny.err"
R="$(cat "$IT_DIR/deny.json")"
echo "# v1, Deny in the browser: $(jq -c '{error, callback, finish}' <<<"$R")"
check "Deny in the browser: access_denied back at the client, with state and iss" \
    jq -e --arg i "$BROKER" '.callback.error == "access_denied" and .callback.state_ok and .callback.iss == $i and (.callback.code|not)' <<<"$R"
check "Deny in the browser: no code, no grant" eq "$(counts | cut -d, -f3,4)" "$(cut -d, -f3,4 <<<"$C0")"

# ---- 2. refusals at HTTP level, with the dynamic client of the test's own (CID)
# refused_at_authorize NAME EXPECTED_ERROR URL: the error redirected to the client (state, iss), nothing stored
refused_at_authorize() {
    local c0
    c0="$(counts)"
    form "$3" allow
    check "authorize, $1: redirect with error=$2, state and iss" bash -c '[[ "$0" == "$1 $2 st-1 $3" ]] || { echo "# $4"; false; }' \
        "$(fq '[.redirect.to, .redirect.error, .redirect.state, .redirect.iss]|join(" ")')" "$RURI" "$2" "$BROKER" "$FORM"
    check "authorize, $1: nothing stored" eq "$(counts)" "$c0"
}
pkce
refused_at_authorize "no PKCE" invalid_request \
    "$BROKER/as/authorize?response_type=code&client_id=$CID&redirect_uri=$(urlenc "$RURI")&resource=$(urlenc "$IURL")&state=st-1"
refused_at_authorize "plain PKCE" invalid_request \
    "$BROKER/as/authorize?response_type=code&client_id=$CID&redirect_uri=$(urlenc "$RURI")&code_challenge=$CHALLENGE&code_challenge_method=plain&resource=$(urlenc "$IURL")&state=st-1"
refused_at_authorize "PKCE method absent (= plain)" invalid_request \
    "$BROKER/as/authorize?response_type=code&client_id=$CID&redirect_uri=$(urlenc "$RURI")&code_challenge=$CHALLENGE&resource=$(urlenc "$IURL")&state=st-1"
refused_at_authorize "resource not ours" invalid_target "$(authz_url "$CID" "$RURI" "http://127.0.0.1:1/mcp")"
refused_at_authorize "resource: an instance that does not exist" invalid_target \
    "$(authz_url "$CID" "$RURI" "$MCP/00000000-0000-4000-8000-000000000000/mcp")"
refused_at_authorize "resource missing" invalid_target \
    "$BROKER/as/authorize?response_type=code&client_id=$CID&redirect_uri=$(urlenc "$RURI")&code_challenge=$CHALLENGE&code_challenge_method=S256&state=st-1"
refused_at_authorize "response_type token" unsupported_response_type "$(authz_url "$CID" "$RURI" "$IURL" | sed 's/response_type=code/response_type=token/')"
refused_at_authorize "unknown scope" invalid_scope "$(authz_url "$CID" "$RURI" "$IURL" "&scope=admin")"

# refused_page NAME ERROR URL [CIMD_SERVER PATH EXPECTED_HITS]: a 400 page naming ERROR, no redirect, nothing stored
refused_page() {
    local c0 t0 t1
    c0="$(counts)"
    t0="$(date +%s%N)"
    form "$3" allow
    t1="$(date +%s%N)"
    check "authorize, $1: 400 page $2, no redirect" bash -c '[[ "$0" == 400 && -z "$1" && "$2" == *"$3"* ]] || { echo "# $4"; false; }' \
        "$(fq .authorize.status)" "$(fq '.authorize.location // empty')" "$(fq '.page // ""')" "$2" "$FORM"
    check "authorize, $1: nothing stored" eq "$(counts)" "$c0"
    LAST_MS=$(((t1 - t0) / 1000000))
}
refused_page "redirect URI not registered" invalid_redirect_uri "$(authz_url "$CID" "http://127.0.0.1:5555/other" "$IURL")"
refused_page "redirect URI localhost for a 127.0.0.1 registration" invalid_redirect_uri "$(authz_url "$CID" "http://localhost:5555/cb" "$IURL")"
refused_page "unknown client_id" invalid_client "$(authz_url "mcp_unknownunknownunknownunknown12" "$RURI" "$IURL")"
refused_page "repeated parameter" invalid_request "$(authz_url "$CID" "$RURI" "$IURL")&state=st-2"
# the documents' own redirect URI (port-less loopback, any port matches): a document is refused for its content only
CIMD_RURI="http://127.0.0.1:5555/callback"
GOOD_HITS="$(cimd_hits "$CIMD" /clients/good.json)"
for doc in mismatch big text redirect secret norz; do
    h0="$(cimd_hits "$CIMD" "/clients/$doc.json")"
    refused_page "CIMD $doc.json" invalid_client "$(authz_url "$CIMD/clients/$doc.json" "$CIMD_RURI" "$IURL")"
    check "CIMD $doc.json: the broker did fetch it (refused for its content)" eq "$(($(cimd_hits "$CIMD" "/clients/$doc.json") - h0))" 1
done
check "CIMD redirect.json: the redirect was not followed (good.json not fetched)" eq "$(cimd_hits "$CIMD" /clients/good.json)" "$GOOD_HITS"
refused_page "CIMD slow.json (past the 5 s limit)" invalid_client "$(authz_url "$CIMD/clients/slow.json" "$CIMD_RURI" "$IURL")"
check "CIMD slow.json: given up after about 5 s (took ${LAST_MS} ms)" bash -c '(($0 >= 4000 && $0 < 8000))' "$LAST_MS"
refused_page "CIMD on a loopback origin that is not allow-listed" invalid_client "$(authz_url "$CIMD2/clients/good.json" "$CIMD_RURI" "$IURL")"
check "CIMD not allow-listed: never fetched" eq "$(cimd_hits "$CIMD2" /clients/good.json)" 0
refused_page "CIMD on a link-local address" invalid_client "$(authz_url "https://169.254.169.254/clients/good.json" "$CIMD_RURI" "$IURL")"
check "CIMD link-local: refused without a connection attempt (${LAST_MS} ms)" bash -c '(($0 < 3000))' "$LAST_MS"
refused_page "CIMD on a private address" invalid_client "$(authz_url "https://10.255.255.1/clients/good.json" "$CIMD_RURI" "$IURL")"
refused_page "CIMD client_id over http" invalid_client "$(authz_url "http://127.0.0.1:1/clients/good.json" "$CIMD_RURI" "$IURL")"

# consent answered at HTTP level: Deny, CSRF, a wrong key; then codes for the token endpoint
pkce
C0="$(counts)"
form "$(authz_url "$CID" "$RURI" "$IURL")" deny "$KEY"
check "consent page: the access_key field and the action buttons, the CSRF cookie HttpOnly SameSite=Strict" \
    bash -c '[[ "$0" == *access_key* && "$1" == *ob_as_csrf=*HttpOnly* && "$1" == *SameSite=Strict* ]]' "$(fq '.authorize.form_fields|join(",")')" "$(fq '.authorize.cookie|join(";")')"
check "Deny: 303 with error=access_denied, state, iss" eq "$(fq '[.consent.status, .redirect.error, .redirect.state, .redirect.iss]|join(" ")')" "303 access_denied st-1 $BROKER"
check "Deny: no code, no grant" eq "$(counts | cut -d, -f3,4)" "$(cut -d, -f3,4 <<<"$C0")"
C0="$(counts)"
form "$(authz_url "$CID" "$RURI" "$IURL")" allow "$KEY" --no-cookie
check "consent without the CSRF cookie: refused, no code" bash -c '[[ "$0" -ge 400 && -z "$1" ]]' "$(fq .consent.status)" "$(fq '.redirect.code // empty')"
form "$(authz_url "$CID" "$RURI" "$IURL")" allow "$KEY" --origin "http://evil.example"
check "consent from another Origin: refused, no code" bash -c '[[ "$0" -ge 400 && -z "$1" ]]' "$(fq .consent.status)" "$(fq '.redirect.code // empty')"
form "$(authz_url "$CID" "$RURI" "$IURL")" allow "wrong-key-0123456789"
check "consent with a wrong access key: no code" bash -c '[[ -z "$0" ]]' "$(fq '.redirect.code // empty')"
check "refused consents: no code, no grant" eq "$(counts | cut -d, -f3,4)" "$(cut -d, -f3,4 <<<"$C0")"

G0="$(counts)"
get_code
check "consent with the key: 303 with a code, state and iss" bash -c '[[ -n "$0" && "$1" == "303 st-1 $2" ]]' "$CODE" "$(fq '[.consent.status, .redirect.state, .redirect.iss]|join(" ")')" "$BROKER"
redeem "$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n' | head -c 43)"
refused_token "wrong verifier" invalid_grant
get_code
redeem ""
check "token, no verifier: 400 invalid_request or invalid_grant" bash -c '[[ "$0" == 400 && "$1" =~ ^(invalid_request|invalid_grant)$ ]]' "$STATUS" "$(jq -r .error <<<"$BODY")"
get_code
redeem "$VERIFIER" "http://127.0.0.1:5556/cb"
refused_token "redirect_uri other than the request's" invalid_grant
get_code
redeem "$VERIFIER" "$RURI" "resource=$MCP/$IID_B/mcp"
refused_token "resource other than the code's" invalid_target
get_code
form_post "$BROKER/as/token" grant_type=authorization_code "code=$CODE" "redirect_uri=$RURI" "code_verifier=$VERIFIER" "client_id=$CIMD/clients/good.json"
refused_token "code of another client" invalid_grant

# a good redemption, then the same code again: refused and the grant revoked
get_code
GOOD_CODE="$CODE"
redeem "$VERIFIER" "$RURI" "resource=$IURL"
check "token: 200 Bearer with a refresh token, no-store" bash -c '[[ "$0" == 200 && "$1" == Bearer && -n "$2" && "$3" == *no-store* ]]' \
    "$STATUS" "$(jq -r .token_type <<<"$BODY")" "$(jq -r '.refresh_token // empty' <<<"$BODY")" "$(header cache-control)"
AT1="$(jq -r .access_token <<<"$BODY")"
RT1="$(jq -r .refresh_token <<<"$BODY")"
SECRETS+=("$AT1" "$RT1")
check "access token: RFC 9068 header (ES256, at+jwt, kid)" jq -e '.alg == "ES256" and .typ == "at+jwt" and (.kid|length) > 0' <<<"$(jwt_part "$AT1" 0)"
check "access token: iss, aud, sub, client_id, scope, jti, exp = iat + 3600" jq -e --arg i "$BROKER" --arg a "$IURL" --arg s "$IID" --arg c "$CID" \
    '.iss == $i and .aud == $a and .sub == $s and .client_id == $c and .scope == "mcp:read mcp:write" and (.jti|length) >= 16 and .exp - .iat == 3600' \
    <<<"$(jwt_part "$AT1" 1)"
mcp_rpc "$AT1" "$IURL" tools/list
check "the token works at the MCP server" bash -c '[[ "$0" == 200 && "$1" == *list_labels* ]]' "$STATUS" "$BODY"
GID1="$(jwt_part "$AT1" 1 | jq -r .gid)"
CODE="$GOOD_CODE"
redeem "$VERIFIER" "$RURI"
check "token, reused code: 400 invalid_grant" eq "$STATUS $(jq -r .error <<<"$BODY")" "400 invalid_grant"
check "reused code: the grant it produced is revoked and the reuse audited" \
    eq "$(psql_q "SELECT revoked_at IS NOT NULL FROM as_grants WHERE grant_id = '$GID1'") $(audit_n as_code_reuse)" "t 1"
check "reused code: its access token refused by the MCP server (push, within 3 s)" wait_refused "$AT1" "$IURL"
form_post "$BROKER/as/token" grant_type=refresh_token "refresh_token=$RT1" "client_id=$CID"
check "reused code: its refresh token refused (invalid_grant)" eq "$STATUS $(jq -r .error <<<"$BODY")" "400 invalid_grant"

# refresh: rotated; the spent one again revokes the grant
get_code
redeem "$VERIFIER"
AT2="$(jq -r .access_token <<<"$BODY")"
RT2="$(jq -r .refresh_token <<<"$BODY")"
GID2="$(jwt_part "$AT2" 1 | jq -r .gid)"
form_post "$BROKER/as/token" grant_type=refresh_token "refresh_token=$RT2" "client_id=$CID" "resource=$IURL"
AT3="$(jq -r .access_token <<<"$BODY")"
RT3="$(jq -r .refresh_token <<<"$BODY")"
SECRETS+=("$AT2" "$RT2" "$AT3" "$RT3")
check "refresh: 200, a new refresh token (rotated), same grant" bash -c '[[ "$0" == 200 && -n "$1" && "$1" != "$2" && "$3" == "$4" ]]' \
    "$STATUS" "$RT3" "$RT2" "$(jwt_part "$AT3" 1 | jq -r .gid)" "$GID2"
mcp_rpc "$AT3" "$IURL" tools/list
check "refreshed access token works" eq "$STATUS" 200
form_post "$BROKER/as/token" grant_type=refresh_token "refresh_token=$RT2" "client_id=$CID"
check "refresh, spent token again: 400 invalid_grant" eq "$STATUS $(jq -r .error <<<"$BODY")" "400 invalid_grant"
check "refresh reuse: the whole grant revoked and audited" \
    eq "$(psql_q "SELECT revoked_at IS NOT NULL FROM as_grants WHERE grant_id = '$GID2'") $(audit_n as_refresh_reuse)" "t 1"
check "refresh reuse: the grant's access token refused by the MCP server" wait_refused "$AT3" "$IURL"
form_post "$BROKER/as/token" grant_type=refresh_token "refresh_token=$RT3" "client_id=$CID"
check "refresh reuse: the successor refresh token refused too" eq "$STATUS $(jq -r .error <<<"$BODY")" "400 invalid_grant"

# a live token refused where it does not belong, or when altered
get_code
redeem "$VERIFIER"
AT="$(jq -r .access_token <<<"$BODY")"
SECRETS+=("$AT" "$(jq -r .refresh_token <<<"$BODY")")
mcp_rpc "$AT" "$IURL" tools/list
check "a fresh token works at its instance" eq "$STATUS" 200
mcp_rpc "$AT" "$MCP/$IID_B/mcp" tools/list
check "token for instance A at instance B: 401 invalid_token" bash -c '[[ "$0" == 401 && "$1" == *invalid_token* ]]' "$STATUS" "$(header www-authenticate)"
mcp_rpc "$AT" "$MCP/mcp" tools/list
check "token for instance A at the service URL of its own service: 401" eq "$STATUS" 401
if ((WITH_GITHUB)); then
    mcp_rpc "$AT" "$GHMCP/mcp" tools/list
    check "token for a gmail instance at github's service URL: 401" eq "$STATUS" 401
    mcp_rpc "$AT" "$GHMCP/$IID/mcp" tools/list
    check "token for a gmail instance at github's URL of the same instance id: 401" eq "$STATUS" 401
fi
IFS=. read -r H P S <<<"$AT"
flip() { local c="${1:0:1}"; [[ "$c" == A ]] && c=B || c=A; printf '%s%s' "$c" "${1:1}"; }
mcp_rpc "$H.$P.$(flip "$S")" "$IURL" tools/list
check "tampered signature: 401 invalid_token" bash -c '[[ "$0" == 401 && "$1" == *invalid_token* ]]' "$STATUS" "$(header www-authenticate)"
P_B="$(jwt_part "$AT" 1 | jq -c --arg b "$IID_B" '.sub = $b | .aud = ($ENV.MCP + "/" + $b + "/mcp")' | basenc --base64url -w0 | tr -d '=')"
mcp_rpc "$H.$P_B.$S" "$MCP/$IID_B/mcp" tools/list
check "claims rewritten for instance B under A's signature: 401" eq "$STATUS" 401
H_NONE="$(jwt_part "$AT" 0 | jq -c '.alg = "none"' | basenc --base64url -w0 | tr -d '=')"
mcp_rpc "$H_NONE.$P." "$IURL" tools/list
check "alg none: 401 invalid_token" bash -c '[[ "$0" == 401 && "$1" == *invalid_token* ]]' "$STATUS" "$(header www-authenticate)"
H_HS="$(jwt_part "$AT" 0 | jq -c '.alg = "HS256"' | basenc --base64url -w0 | tr -d '=')"
SIG_HS="$(printf '%s' "$H_HS.$P" | openssl dgst -sha256 -hmac "$(curl -s "$BROKER/as/jwks.json")" -binary | basenc --base64url -w0 | tr -d '=')"
mcp_rpc "$H_HS.$P.$SIG_HS" "$IURL" tools/list
check "alg HS256 keyed with the public JWKS: 401" eq "$STATUS" 401

# scope: a read-only token may list and read, not write
get_code "mcp:read"
redeem "$VERIFIER"
ATR="$(jq -r .access_token <<<"$BODY")"
SECRETS+=("$ATR" "$(jq -r .refresh_token <<<"$BODY")")
check "mcp:read token: scope claim mcp:read" eq "$(jwt_part "$ATR" 1 | jq -r .scope)" "mcp:read"
mcp_rpc "$ATR" "$IURL" tools/call '{"name":"list_labels","arguments":{}}'
check "mcp:read token: a read-only tool works" bash -c '[[ "$0" == 200 && "$1" != *isError\":true* ]]' "$STATUS" "$BODY"
mcp_rpc "$ATR" "$IURL" tools/call '{"name":"mark_as_read","arguments":{"message_id":"m01"}}'
check "mcp:read token: a writing tool -> 403 insufficient_scope" bash -c '[[ "$0" == 403 && "$1" == *insufficient_scope* ]]' "$STATUS" "$(header www-authenticate)"

# revocation and introspection (RFC 7009, RFC 7662), admin listing of grants
get_code
redeem "$VERIFIER"
ATX="$(jq -r .access_token <<<"$BODY")"
RTX="$(jq -r .refresh_token <<<"$BODY")"
SECRETS+=("$ATX" "$RTX")
form_post "$BROKER/as/introspect" "token=$ATX" "-Hauthorization: Bearer $GMAIL_BEARER" "-Hx-mcp-service: gmail"
check "introspect (service bearer): active, sub = the instance" jq_eq '[.active, .sub]|map(tostring)|join(" ")' "true $IID"
form_post "$BROKER/as/introspect" "token=$ATX"
check "introspect without authentication: 401" eq "$STATUS" 401
admin GET "/instances/$IID/grants"
check "admin: the instance's grants listed without any token" bash -c '[[ "$0" == 200 && "$1" != *"$2"* ]]' "$STATUS" "$BODY" "$RTX"
form_post "$BROKER/as/revoke" "token=$RTX" "client_id=$CID"
check "revoke the refresh token: 200" eq "$STATUS" 200
check "revoked grant: its access token refused by the MCP server" wait_refused "$ATX" "$IURL"
form_post "$BROKER/as/introspect" "token=$ATX" "-Hauthorization: Bearer $GMAIL_BEARER" "-Hx-mcp-service: gmail"
check "introspect after revocation: active false only" jq_eq '.|tostring' '{"active":false}'

# ---- 3. the service URL: sign-in with the operator's app credentials (when the broker offers it)
http POST "$MCP/mcp" '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' "accept: application/json, text/event-stream"
check "service URL: 401 naming its PRM" bash -c '[[ "$0" == 401 && "$1" == *"$2"* ]]' "$STATUS" "$(header www-authenticate)" "$MCP/.well-known/oauth-protected-resource/mcp"
timeout 180 node "$INTEROP/mcp-auth-client.mjs" --url "$MCP/mcp" --sdk v2 --out "$IT_DIR/svc.tokens" >"$IT_DIR/svc.json" 2>"$IT_DIR/svc.err"
R="$(cat "$IT_DIR/svc.json")"
echo "# v2 + DCR at the service URL: $(jq -c 'del(.http, .consent.text)' <<<"$R")"
# the broker says sign-in with operator app credentials is not available (no app configured, or not built yet)
if jq -e '.finish != "ok" and ([.consent.text, .consent.error_page.text]|map(. // "")|join(" ")|test("upstream_sign_in_unavailable|operator"))' <<<"$R" >/dev/null; then
    echo "# SKIP service URL sign-in: the broker answered: $(jq -r '.consent.error_page.text // .consent.text' <<<"$R" | tr '\n' ' ' | cut -c1-200)"
else
    check "service URL: the whole flow (consent, provider sign-in, token) without error" jq -e '.error == null and .finish == "ok" and .call.isError == false' <<<"$R"
    check "service URL: an instance created by the sign-in, bound to the upstream account" \
        eq "$(psql_q "SELECT count(*) FROM mcp_service_table WHERE origin = 'mcp_login' AND upstream_subject IS NOT NULL")" 1
    SECRETS+=("$(jq -r .access_token "$IT_DIR/svc.tokens" 2>/dev/null)")
fi

# ---- the token of the first broker, expired by now (or after a wait): refused past the leeway
left=$((EXP + 7 - $(date +%s)))
((left <= 0)) || { echo "# waiting ${left} s for the short-lived token to expire"; sleep "$left"; }
mcp_rpc "$ATE" "$IURL" tools/list
check "expired token (past the leeway): 401 invalid_token" bash -c '[[ "$0" == 401 && "$1" == *invalid_token* ]]' "$STATUS" "$(header www-authenticate)"

# ---- no secret in any log
it_stop_all
printf '%s\n' "${SECRETS[@]}" | grep -v -x -e '' -e null >"$IT_DIR/secrets.txt"
grep -q -F -f "$IT_DIR/secrets.txt" "$IT_DIR"/mcp-*.log "$IT_DIR/broker.log"
check "no access key, code or token in the broker's or the MCP servers' logs" eq "$?" 1
it_done
