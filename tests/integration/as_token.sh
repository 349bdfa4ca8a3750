#!/usr/bin/env bash
# as_token.sh - the token side of the broker's authorization server (docs/mcp-authorization.md) with a real broker,
# real PostgreSQL, curl and a fake MCP server receiving pushes (tests/fakes/fake-mcp.mjs): metadata and JWKS; dynamic
# registration (happy paths, each refusal with nothing stored, the per-address limit); admin clients; the token
# endpoint (every error case, the JWT's header, claims and ES256 signature verified with node's crypto against the
# published JWKS); refresh rotation and reuse detection; revocation; introspection; the grants admin API and its
# push; mcp-auth with a grant; a disabled instance (its grants revoked); signing key rotation (published before it signs, the old key kept).
#
# Authorization codes: the /as/authorize flow (consent) is another part of the broker; this test creates codes the
# way that flow stores them, by INSERTing an as_codes row (the SHA-256 of a known code, the S256 challenge of a known
# verifier) with psql, so the token endpoint is tested on its own.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_setup as_token
# jq -e quietly (for check)
jqe() { jq -e "$@" >/dev/null; }

MPORT="$(it_free_port)"
BPORT="$(it_free_port)"
it_write_json "$IT_DIR/services.json" "[
  {\"service_name\": \"gmail\", \"display_name\": \"Gmail\", \"port\": 49296, \"type\": \"oauth\", \"provider\": \"google\", \"active\": true}]"
GMAIL_BEARER="$(it_service_secret gmail)"
FAKE_PORT="$MPORT" it_start mcp node "$IT_FAKES/fake-mcp.mjs" "$IT_DIR/keys/services/gmail.secret"
it_wait_line "$IT_DIR/mcp.log" "listening" >/dev/null || exit 1
DCR_RATE=20
it_broker_config "$BPORT" "{
  \"database\": {\"pool_size\": 3}, \"log_level\": \"info\", \"providers\": {\"google\": {}},
  \"push\": {\"urls\": {\"gmail\": \"http://127.0.0.1:$MPORT\"}},
  \"authorization\": {\"dcr_rate_per_min\": $DCR_RATE, \"access_token_ttl_s\": 120, \"key_publish_ahead_s\": 8}}"
# two replicas starting together on a fresh database create one signing key between them
jq --argjson p "$(it_free_port)" '.listen.port = $p' "$IT_DIR/broker.json" >"$IT_DIR/broker2.json"
BROKER2="http://127.0.0.1:$(jq -r .listen.port "$IT_DIR/broker2.json")"
it_start broker2 env -u OB_DATA_KEYS -u VAR_DIR -u OB_KEYS_DIR DATABASE_URL="$IT_DB_URL" \
    "${IT_WRAP[@]}" "$IT_BUILD/oauth-service/oauth-service" --config "$IT_DIR/broker2.json" run
BROKER2_PID="${IT_PIDS[-1]}"
it_broker "$IT_DIR/broker.json" || exit 1
for _ in $(seq 1 $((150 * IT_WAIT_SCALE))); do
    curl -fsS -o /dev/null --max-time 2 "$BROKER2/health" 2>/dev/null && break
    sleep 0.1
done
check "two replicas started together: one signing key, both publish it" eq "$(psql_q "SELECT count(*) FROM as_signing_keys")/$(curl -s "$BROKER/as/jwks.json" | jq -c .)" "1/$(curl -s "$BROKER2/as/jwks.json" | jq -c .)"
kill -TERM "$BROKER2_PID" 2>/dev/null
wait "$BROKER2_PID" 2>/dev/null

sha256() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
s256() { printf '%s' "$1" | openssl dgst -sha256 -binary | base64 -w0 | tr '+/' '-_' | tr -d '='; }
rand() { head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=' | head -c "${1:-43}"; }
# form METHOD PATH FORM [HEADER...]: an application/x-www-form-urlencoded POST (sets STATUS, BODY, HDRS)
form() {
    local path="$1" data="$2"
    shift 2
    local -a args=(-s -o "$IT_DIR/last.body" -D "$IT_DIR/last.hdrs" -w '%{http_code}' -X POST --max-time 20
        -H 'content-type: application/x-www-form-urlencoded' --data-binary "$data")
    local h
    for h in "$@"; do args+=(-H "$h"); done
    STATUS="$(curl "${args[@]}" "$BROKER$path")"
    BODY="$(cat "$IT_DIR/last.body")"
    HDRS="$(cat "$IT_DIR/last.hdrs")"
}
REG_COUNT=0
register() {
    REG_COUNT=$((REG_COUNT + 1))
    http POST "$BROKER/as/register" "$1"
}
clients_count() { psql_q "SELECT count(*) FROM as_clients"; }

# ---- metadata, JWKS
http GET "$BROKER/.well-known/oauth-authorization-server"
check "metadata 200, issuer = base_url byte for byte" eq "$STATUS/$(jq -r .issuer <<<"$BODY")" "200/$BROKER"
check "metadata endpoints" jqe --arg b "$BROKER" '.authorization_endpoint == "\($b)/as/authorize" and
    .token_endpoint == "\($b)/as/token" and .registration_endpoint == "\($b)/as/register" and
    .jwks_uri == "\($b)/as/jwks.json" and .revocation_endpoint == "\($b)/as/revoke" and
    .introspection_endpoint == "\($b)/as/introspect"' <<<"$BODY"
check "metadata: code, S256 only, grant types, auth methods, scopes, CIMD, iss" jqe '
    .response_types_supported == ["code"] and .code_challenge_methods_supported == ["S256"] and
    .grant_types_supported == ["authorization_code", "refresh_token"] and .response_modes_supported == ["query"] and
    .token_endpoint_auth_methods_supported == ["none", "client_secret_basic", "client_secret_post"] and
    .revocation_endpoint_auth_methods_supported == .token_endpoint_auth_methods_supported and
    .introspection_endpoint_auth_methods_supported == ["bearer"] and
    .scopes_supported == ["mcp:read", "mcp:write"] and .client_id_metadata_document_supported == true and
    .authorization_response_iss_parameter_supported == true and (.service_documentation | type == "string")' <<<"$BODY"
check "metadata: CORS for browser clients" eq "$(header access-control-allow-origin)" "*"
http GET "$BROKER/.well-known/oauth-authorization-server/some/path"
check "other well-known forms: 404 JSON" eq "$STATUS/$(jq -r .code <<<"$BODY")" "404/not_found"
http GET "$BROKER/.well-known/openid-configuration"
check "no OpenID discovery document: 404 JSON" eq "$STATUS/$(jq -r .code <<<"$BODY")" "404/not_found"

http GET "$BROKER/as/jwks.json"
JWKS="$BODY"
KID1="$(jq -r '.keys[0].kid' <<<"$BODY")"
check "jwks: one P-256 key with kid, no private part" jqe '(.keys | length) == 1 and .keys[0].kty == "EC" and
    .keys[0].crv == "P-256" and .keys[0].alg == "ES256" and .keys[0].use == "sig" and (.keys[0].kid | length) > 0 and
    (.keys[0] | has("d") | not)' <<<"$BODY"
check "jwks: Cache-Control public, max-age=300 and CORS" eq "$(header cache-control)/$(header access-control-allow-origin)" "public, max-age=300/*"
check "the signing key is stored sealed (no JWK private member, not the DER in clear)" \
    eq "$(psql_q "SELECT count(*) FROM as_signing_keys WHERE kid = '$KID1' AND public_jwk ? 'd' = false AND position('\\x3081'::bytea in private_key) <> 1")" 1

# ---- dynamic registration
C0="$(clients_count)"
register '{"redirect_uris":["http://127.0.0.1/callback"],"token_endpoint_auth_method":"none","grant_types":["authorization_code","refresh_token"],"client_name":"Test public","application_type":"native","software_id":"x","unknown_member":[1,2]}'
PUB="$(jq -r .client_id <<<"$BODY")"
check "DCR public: 201, mcp_ + 32 alphanumerics, no secret" eq "$STATUS/$([[ "$PUB" =~ ^mcp_[A-Za-z0-9]{32}$ ]] && echo ok)/$(jq -r 'has("client_secret")' <<<"$BODY")" "201/ok/false"
check "DCR public: echoes the registered metadata, issued_at, no unknown member" jqe '.redirect_uris == ["http://127.0.0.1/callback"] and
    .token_endpoint_auth_method == "none" and .grant_types == ["authorization_code", "refresh_token"] and
    .response_types == ["code"] and .application_type == "native" and .client_name == "Test public" and
    .software_id == "x" and (.client_id_issued_at | type == "number") and (has("unknown_member") | not)' <<<"$BODY"
check "DCR answer: Cache-Control no-store" eq "$(header cache-control)" "no-store"
register '{"redirect_uris":["https://app.example/cb"],"client_name":"Confidential"}'
CONF="$(jq -r .client_id <<<"$BODY")"
CONF_SECRET="$(jq -r .client_secret <<<"$BODY")"
check "DCR default method client_secret_basic: a 43-char secret, expires_at 0" eq "$STATUS/$(jq -r '.token_endpoint_auth_method + "/" + (.client_secret | length | tostring) + "/" + (.client_secret_expires_at | tostring)' <<<"$BODY")" "201/client_secret_basic/43/0"
check "DCR: only the secret's SHA-256 is stored, the client expires when idle" eq "$(psql_q "SELECT secret_hash = '$(sha256 "$CONF_SECRET")' AND kind = 'dynamic' AND expires_at > now() + interval '29 days' AND metadata::text NOT LIKE '%$CONF_SECRET%' FROM as_clients WHERE client_id = '$CONF'")" t
check "DCR audited (as_client_registered), no secret in the detail" eq "$(psql_q "SELECT count(*) FROM token_audit_log WHERE event = 'as_client_registered' AND detail->>'client_id' IN ('$PUB', '$CONF') AND detail::text NOT LIKE '%$CONF_SECRET%'")" 2
C1="$(clients_count)"
refuse() {
    register "$1"
    check "DCR refused: ${1:0:70} -> 400 $2, nothing stored" eq "$STATUS/$(jq -r .error <<<"$BODY")/$([[ -n "$(jq -r .error_description <<<"$BODY")" ]] && echo d)/$(clients_count)" "400/$2/d/$C1"
}
refuse '{}' invalid_redirect_uri
refuse '{"redirect_uris":[]}' invalid_redirect_uri
refuse '{"redirect_uris":["javascript:alert(1)"]}' invalid_redirect_uri
refuse '{"redirect_uris":["http://app.example/cb"]}' invalid_redirect_uri
refuse '{"redirect_uris":["https://app.example/cb#f"]}' invalid_redirect_uri
refuse '{"redirect_uris":["https://u:p@app.example/cb"]}' invalid_redirect_uri
refuse '{"redirect_uris":["https://app.example/cb"],"token_endpoint_auth_method":"private_key_jwt"}' invalid_client_metadata
refuse '{"redirect_uris":["https://app.example/cb"],"grant_types":["implicit"]}' invalid_client_metadata
refuse '{"redirect_uris":["https://app.example/cb"],"response_types":["token"]}' invalid_client_metadata
refuse '{"redirect_uris":["https://app.example/cb"],"application_type":"desktop"}' invalid_client_metadata
refuse "{\"redirect_uris\":[\"https://app.example/cb\"],\"client_name\":\"$(head -c 201 /dev/zero | tr '\0' n)\"}" invalid_client_metadata
refuse 'not json' invalid_client_metadata
refuse "{\"redirect_uris\":[\"https://app.example/cb\"],\"pad\":\"$(head -c 17000 /dev/zero | tr '\0' p)\"}" invalid_client_metadata
# the per-address limit: DCR_RATE per minute, counting every registration request of this minute
limited=0
for _ in $(seq 1 $((DCR_RATE + 2))); do
    register '{"redirect_uris":["http://127.0.0.1/cb"],"token_endpoint_auth_method":"none"}'
    if [[ "$STATUS" == 429 ]]; then
        limited=1
        break
    fi
done
check "DCR rate limit: counted per client address (127.0.0.1)" grep -q 'registration from 127.0.0.1 refused' "$IT_DIR/broker.log"
check "DCR rate limit: 429 rate_limited with Retry-After after $DCR_RATE requests" eq "$limited/$(jq -r .error <<<"$BODY")/$((REG_COUNT - 1))/$([[ "$(header retry-after)" =~ ^[0-9]+$ ]] && echo ra)" "1/rate_limited/$DCR_RATE/ra"

# ---- admin clients
http POST "$BROKER/as/clients" '{"redirect_uris":["https://admin.example/cb"]}'
check "admin client without the admin key: 401" eq "$STATUS" 401
admin POST /as/clients '{"redirect_uris":["https://admin.example/cb"],"token_endpoint_auth_method":"client_secret_post","client_name":"Operator app"}'
ADM="$(jq -r .client_id <<<"$BODY")"
ADM_SECRET="$(jq -r .client_secret <<<"$BODY")"
check "admin client: 201 with a secret, kind admin, never expires" eq "$STATUS/${#ADM_SECRET}/$(psql_q "SELECT kind || '/' || (expires_at IS NULL) FROM as_clients WHERE client_id = '$ADM'")" "201/43/admin/true"
admin GET "/as/clients/$ADM"
check "admin client read: metadata, has_secret, no secret" jqe --arg s "$ADM_SECRET" '.client_name == "Operator app" and .kind == "admin" and
    .has_secret == true and (has("client_secret") | not) and (tostring | contains($s) | not)' <<<"$BODY"
admin GET "/as/clients/mcp_nosuchclientnosuchclientnosuchcl"
check "admin client read: unknown -> 404" eq "$STATUS/$(jq -r .code <<<"$BODY")" "404/client_not_found"

# ---- an instance and codes
admin POST /instances '{"service":"gmail","user_id":"as-user","client_id":"gclient","client_secret":"gsecret"}'
IID="$(jq -r .instance_id <<<"$BODY")"
admin POST /instances '{"service":"gmail","user_id":"as-user-2","client_id":"gclient","client_secret":"gsecret"}'
IID2="$(jq -r .instance_id <<<"$BODY")"
check "instances created and active" eq "$(psql_q "SELECT count(*) FROM mcp_service_table WHERE instance_id IN ('$IID', '$IID2') AND status = 'active'")" 2
RES="http://127.0.0.1:49296/$IID/mcp"
REDIR="http://127.0.0.1:53122/callback"
# new_code CLIENT [REDIRECT] [RESOURCE] [TTL_S] [INSTANCE]: stores a code as the consent would; sets CODE, VERIFIER
new_code() {
    CODE="$(rand)"
    VERIFIER="$(rand 64)"
    psql_q "INSERT INTO as_codes (code_hash, instance_id, client_id, client_name, redirect_uri, resource, scope, code_challenge, expires_at)
            VALUES ('$(sha256 "$CODE")', '${5:-$IID}', '$1', 'test client', '${2:-$REDIR}', '${3:-$RES}', 'mcp:read mcp:write',
                    '$(s256 "$VERIFIER")', now() + make_interval(secs => ${4:-60}))" >/dev/null
}
enc() { jq -rn --arg v "$1" '$v|@uri'; }
redeem() { # redeem CLIENT CODE VERIFIER [REDIRECT] [EXTRA FORM] [HEADER...]
    local client="$1" code="$2" verifier="$3" redirect="${4:-$REDIR}" extra="${5:-}"
    shift 5 2>/dev/null || shift $#
    form /as/token "grant_type=authorization_code&code=$code&code_verifier=$verifier&redirect_uri=$(enc "$redirect")${client:+&client_id=$client}$extra" "$@"
}
# verify_jwt TOKEN JWKS: prints the claims when the ES256 signature verifies with the JWKS key of the header's kid
# and the header is {alg: ES256, typ: at+jwt, kid}; else prints nothing
verify_jwt() {
    node -e '
const c = require("crypto"); const [tok, jwks] = process.argv.slice(1);
const [h, p, s] = tok.split("."); const hdr = JSON.parse(Buffer.from(h, "base64url"));
if (hdr.alg !== "ES256" || hdr.typ !== "at+jwt" || !hdr.kid) process.exit(1);
const jwk = JSON.parse(jwks).keys.find((k) => k.kid === hdr.kid); if (!jwk) process.exit(2);
const ok = c.verify("sha256", Buffer.from(h + "." + p), { key: c.createPublicKey({ key: jwk, format: "jwk" }), dsaEncoding: "ieee-p1363" }, Buffer.from(s, "base64url"));
if (!ok) process.exit(3);
console.log(JSON.stringify({ ...JSON.parse(Buffer.from(p, "base64url")), _kid: hdr.kid }));' "$1" "$2"
}
jwks_now() { curl -s "$BROKER/as/jwks.json"; }

# ---- authorization_code: success
new_code "$PUB"
C_OK="$CODE"
V_OK="$VERIFIER"
redeem "$PUB" "$CODE" "$VERIFIER" "$REDIR" "&resource=$(enc "$RES")"
AT="$(jq -r .access_token <<<"$BODY")"
RT="$(jq -r .refresh_token <<<"$BODY")"
check "code -> 200 {access_token, Bearer, expires_in, scope, refresh_token}" eq "$STATUS/$(jq -r '[.token_type, .expires_in, .scope, (.refresh_token | length)] | map(tostring) | join("/")' <<<"$BODY")" "200/Bearer/120/mcp:read mcp:write/43"
check "token answer: Cache-Control no-store, Pragma no-cache" eq "$(header cache-control)/$(header pragma)" "no-store/no-cache"
CLAIMS="$(verify_jwt "$AT" "$(jwks_now)")"
GID="$(jq -r .gid <<<"$CLAIMS" 2>/dev/null)"
check "JWT: ES256 signature verifies with the published key, header typ at+jwt, kid" eq "$(jq -r ._kid <<<"$CLAIMS")" "$KID1"
check "JWT claims: iss, aud, sub, client_id, scope, jti, iat = nbf, exp = iat + 120, gid, service" jqe --arg b "$BROKER" --arg r "$RES" --arg i "$IID" --arg c "$PUB" '
    .iss == $b and .aud == $r and .sub == $i and .client_id == $c and .scope == "mcp:read mcp:write" and
    (.jti | length) >= 16 and .nbf == .iat and .exp == .iat + 120 and (.iat - now | fabs) < 30 and
    (.gid | test("^[0-9a-f-]{36}$")) and .service == "gmail"' <<<"$CLAIMS"
check "grant created with its refresh token; the code points at it" eq "$(psql_q "SELECT count(*) FROM as_grants g JOIN as_codes c ON c.grant_id = g.grant_id JOIN as_refresh_tokens r ON r.grant_id = g.grant_id WHERE g.grant_id = '$GID' AND g.client_id = '$PUB' AND g.resource = '$RES' AND r.token_hash = '$(sha256 "$RT")' AND r.used_at IS NULL")" 1
check "as_token_issued audited, no code or token in any audit row" eq "$(psql_q "SELECT count(*) FILTER (WHERE event = 'as_token_issued' AND detail->>'grant_id' = '$GID') || '/' || count(*) FILTER (WHERE detail::text LIKE '%$C_OK%' OR detail::text LIKE '%$RT%' OR detail::text LIKE '%$V_OK%') FROM token_audit_log")" "1/0"

# ---- authorization_code: refusals
redeem "$PUB" "$C_OK" "$V_OK"
check "reused code -> 400 invalid_grant" eq "$STATUS/$(jq -r .error <<<"$BODY")" "400/invalid_grant"
check "reused code revokes the grant its first use created (code_reuse), audited" eq "$(psql_q "SELECT revoked_reason FROM as_grants WHERE grant_id = '$GID'")/$(psql_q "SELECT count(*) FROM token_audit_log WHERE event = 'as_code_reuse' AND detail->>'grant_id' = '$GID'")" "code_reuse/1"
form /as/token "grant_type=refresh_token&refresh_token=$RT&client_id=$PUB"
check "the revoked grant's refresh token no longer works" eq "$STATUS/$(jq -r .error <<<"$BODY")" "400/invalid_grant"
new_code "$PUB"
redeem "$PUB" "$CODE" "$(rand 64)"
check "wrong code_verifier -> invalid_grant" eq "$STATUS/$(jq -r .error <<<"$BODY")" "400/invalid_grant"
redeem "$PUB" "$CODE" "$VERIFIER"
check "a code that met a wrong verifier is spent" eq "$STATUS/$(jq -r .error <<<"$BODY")" "400/invalid_grant"
new_code "$PUB"
redeem "$PUB" "$CODE" "$VERIFIER" "http://127.0.0.1:53122/other"
check "redirect_uri mismatch -> invalid_grant" eq "$STATUS/$(jq -r .error <<<"$BODY")" "400/invalid_grant"
new_code "$PUB" "$REDIR" "$RES" -5
redeem "$PUB" "$CODE" "$VERIFIER"
check "expired code -> invalid_grant" eq "$STATUS/$(jq -r .error <<<"$BODY")" "400/invalid_grant"
register '{"redirect_uris":["http://127.0.0.1/callback"],"token_endpoint_auth_method":"none"}' # may be rate limited
new_code "$ADM" "https://admin.example/cb"
redeem "$PUB" "$CODE" "$VERIFIER" "https://admin.example/cb"
check "a code of another client -> invalid_grant" eq "$STATUS/$(jq -r .error <<<"$BODY")" "400/invalid_grant"
new_code "$PUB"
redeem "$PUB" "$CODE" "$VERIFIER" "$REDIR" "&resource=$(enc "http://127.0.0.1:49296/$IID2/mcp")"
check "resource differs from the code's -> invalid_target" eq "$STATUS/$(jq -r .error <<<"$BODY")" "400/invalid_target"
new_code "$CONF" "https://app.example/cb"
redeem "$CONF" "$CODE" "$VERIFIER" "https://app.example/cb"
check "confidential client without its secret -> 401 invalid_client" eq "$STATUS/$(jq -r .error <<<"$BODY")" "401/invalid_client"
redeem "" "$CODE" "$VERIFIER" "https://app.example/cb" "" "authorization: Basic $(printf '%s:%s' "$CONF" wrong-secret | base64 -w0)"
check "wrong secret with Basic -> 401 invalid_client + WWW-Authenticate: Basic" eq "$STATUS/$(jq -r .error <<<"$BODY")/$(header www-authenticate | cut -d' ' -f1)" "401/invalid_client/Basic"
redeem "" "$CODE" "$VERIFIER" "https://app.example/cb" "" "authorization: Basic $(printf '%s:%s' "$CONF" "$CONF_SECRET" | base64 -w0)"
check "confidential client with client_secret_basic -> 200" eq "$STATUS/$(jq -r .token_type <<<"$BODY")" "200/Bearer"
new_code "$ADM" "https://admin.example/cb"
redeem "$ADM" "$CODE" "$VERIFIER" "https://admin.example/cb" "&client_secret=$ADM_SECRET"
check "admin client with client_secret_post -> 200" eq "$STATUS/$(jq -r .token_type <<<"$BODY")" "200/Bearer"
new_code "$PUB"
redeem "mcp_nosuchclientnosuchclientnosuchcl" "$CODE" "$VERIFIER"
check "unknown client -> 401 invalid_client" eq "$STATUS/$(jq -r .error <<<"$BODY")" "401/invalid_client"
form /as/token "code=x&client_id=$PUB"
check "no grant_type -> invalid_request" eq "$STATUS/$(jq -r .error <<<"$BODY")" "400/invalid_request"
form /as/token "grant_type=password&client_id=$PUB"
check "grant_type password -> unsupported_grant_type" eq "$STATUS/$(jq -r .error <<<"$BODY")" "400/unsupported_grant_type"
form /as/token "grant_type=authorization_code&code=a&code=b&client_id=$PUB"
check "a repeated parameter -> invalid_request" eq "$STATUS/$(jq -r .error <<<"$BODY")" "400/invalid_request"
http POST "$BROKER/as/token" '{"grant_type":"authorization_code"}'
check "a JSON body -> invalid_request" eq "$STATUS/$(jq -r .error <<<"$BODY")" "400/invalid_request"

# ---- refresh_token: rotation, narrowing, reuse detection
new_code "$PUB"
redeem "$PUB" "$CODE" "$VERIFIER"
RT1="$(jq -r .refresh_token <<<"$BODY")"
GID1="$(verify_jwt "$(jq -r .access_token <<<"$BODY")" "$(jwks_now)" | jq -r .gid)"
form /as/token "grant_type=refresh_token&refresh_token=$RT1&client_id=$PUB&resource=$(enc "$RES")"
RT2="$(jq -r .refresh_token <<<"$BODY")"
check "refresh -> 200 with a new refresh token and a new access token of the same grant" eq "$STATUS/$([[ "$RT2" != "$RT1" && ${#RT2} == 43 ]] && echo new)/$(verify_jwt "$(jq -r .access_token <<<"$BODY")" "$(jwks_now)" | jq -r .gid)" "200/new/$GID1"
form /as/token "grant_type=refresh_token&refresh_token=$RT2&client_id=$PUB&resource=$(enc "http://127.0.0.1:49296/$IID2/mcp")"
check "refresh with another resource -> invalid_target" eq "$STATUS/$(jq -r .error <<<"$BODY")" "400/invalid_target"
form /as/token "grant_type=refresh_token&refresh_token=$RT2&client_id=$PUB&scope=mcp:admin"
check "refresh with an unknown scope -> invalid_scope" eq "$STATUS/$(jq -r .error <<<"$BODY")" "400/invalid_scope"
form /as/token "grant_type=refresh_token&refresh_token=$RT2&client_id=$CONF"
check "refresh by another client -> 401 (no secret) or invalid_grant" eq "$STATUS" 401
form /as/token "grant_type=refresh_token&refresh_token=$RT2&client_id=$PUB&scope=mcp:read"
RT3="$(jq -r .refresh_token <<<"$BODY")"
check "refresh narrowing the scope (the refused attempts did not spend the token)" eq "$STATUS/$(jq -r .scope <<<"$BODY")/$(verify_jwt "$(jq -r .access_token <<<"$BODY")" "$(jwks_now)" | jq -r .scope)" "200/mcp:read/mcp:read"
check "as_token_refreshed audited" eq "$(psql_q "SELECT count(*) FROM token_audit_log WHERE event = 'as_token_refreshed' AND detail->>'grant_id' = '$GID1'")" 2
form /as/token "grant_type=refresh_token&refresh_token=$RT1&client_id=$PUB"
check "a spent refresh token presented again -> invalid_grant" eq "$STATUS/$(jq -r .error <<<"$BODY")" "400/invalid_grant"
check "reuse detection revoked the whole grant (refresh_reuse), audited" eq "$(psql_q "SELECT revoked_reason FROM as_grants WHERE grant_id = '$GID1'")/$(psql_q "SELECT count(*) FROM token_audit_log WHERE event = 'as_refresh_reuse' AND detail->>'grant_id' = '$GID1'")" "refresh_reuse/1"
form /as/token "grant_type=refresh_token&refresh_token=$RT3&client_id=$PUB"
check "the newest refresh token of a revoked grant fails" eq "$STATUS/$(jq -r .error <<<"$BODY")" "400/invalid_grant"

# pushes: grant_revoked for the code reuse and the refresh reuse
pushed() { curl -s "http://127.0.0.1:$MPORT/_pushes" | jq -r --arg g "$1" --arg i "$IID" '[.accepted[].events[] | select(.type == "grant_revoked" and .grant_id == $g and .instance_id == $i)] | length'; }
wait_push() { for _ in $(seq 1 50); do [[ "$(pushed "$1")" -ge 1 ]] && return 0; sleep 0.1; done; return 1; }
check "grant_revoked pushed to the MCP server (code reuse)" wait_push "$GID"
check "grant_revoked pushed to the MCP server (refresh reuse)" wait_push "$GID1"

# ---- revocation (RFC 7009)
new_code "$PUB"
redeem "$PUB" "$CODE" "$VERIFIER"
RTR="$(jq -r .refresh_token <<<"$BODY")"
GIDR="$(verify_jwt "$(jq -r .access_token <<<"$BODY")" "$(jwks_now)" | jq -r .gid)"
form /as/revoke "token=$RTR&token_type_hint=refresh_token&client_id=$CONF"
check "revocation by another client: 401 (it has a secret it did not send)" eq "$STATUS" 401
form /as/revoke "token=$RTR&client_id=$ADM&client_secret=$ADM_SECRET"
check "revocation of another client's token: 200, nothing revoked" eq "$STATUS/$(psql_q "SELECT revoked_at IS NULL FROM as_grants WHERE grant_id = '$GIDR'")" "200/t"
form /as/revoke "token=$RTR&token_type_hint=refresh_token&client_id=$PUB"
check "revoking a refresh token: 200, its grant revoked" eq "$STATUS/$(psql_q "SELECT revoked_reason FROM as_grants WHERE grant_id = '$GIDR'")" "200/client_revoked"
new_code "$PUB"
redeem "$PUB" "$CODE" "$VERIFIER"
ATR="$(jq -r .access_token <<<"$BODY")"
GIDA="$(verify_jwt "$ATR" "$(jwks_now)" | jq -r .gid)"
form /as/revoke "token=$ATR&client_id=$PUB"
check "revoking an access token (JWT): 200, its grant revoked" eq "$STATUS/$(psql_q "SELECT revoked_reason FROM as_grants WHERE grant_id = '$GIDA'")" "200/client_revoked"
form /as/revoke "token=nonsense-token&client_id=$PUB"
check "revoking an unknown token: 200" eq "$STATUS" 200

# ---- introspection (RFC 7662)
new_code "$PUB"
redeem "$PUB" "$CODE" "$VERIFIER"
ATI="$(jq -r .access_token <<<"$BODY")"
RTI="$(jq -r .refresh_token <<<"$BODY")"
GIDI="$(verify_jwt "$ATI" "$(jwks_now)" | jq -r .gid)"
form /as/introspect "token=$ATI"
check "introspection without credentials: 401" eq "$STATUS" 401
form /as/introspect "token=$ATI" "authorization: Bearer $GMAIL_BEARER" "x-mcp-service: gmail"
check "introspection by the MCP server: active access token with its claims" jqe --arg i "$IID" --arg g "$GIDI" --arg r "$RES" '.active == true and .sub == $i and .gid == $g and .aud == $r and .scope == "mcp:read mcp:write" and (.exp | type == "number")' <<<"$BODY"
form /as/introspect "token=$RTI" "authorization: Bearer $ADMIN_KEY"
check "introspection by the admin: active refresh token" jqe --arg g "$GIDI" '.active == true and .token_type == "refresh_token" and .gid == $g' <<<"$BODY"
SIG="${ATI##*.}"
[[ "${SIG:0:1}" == A ]] && T0=B || T0=A
form /as/introspect "token=${ATI%.*}.$T0${SIG:1}" "authorization: Bearer $ADMIN_KEY"
TAMPERED="$BODY"
form /as/introspect "token=${ATI:0:20}x${ATI:21}" "authorization: Bearer $ADMIN_KEY"
check "introspection of a tampered token: {active: false} only" eq "$(jq -c . <<<"$TAMPERED")/$(jq -c . <<<"$BODY")" '{"active":false}/{"active":false}'
form /as/introspect "token=garbage" "authorization: Bearer $ADMIN_KEY"
check "introspection of garbage: {active: false}" eq "$(jq -c . <<<"$BODY")" '{"active":false}'

# ---- grants admin API, its push, mcp-auth with a grant
admin GET "/instances/$IID/grants"
check "grants list: every grant of the instance, no secret" jqe --arg g "$GIDI" --arg rt "$RTI" '(.grants | length) >= 6 and
    ([.grants[] | select(.grant_id == $g and .revoked_at == null and .client_id != null and .scope != null)] | length) == 1 and
    (tostring | contains($rt) | not) and ([.grants[] | keys[]] | unique | index("token_hash") == null)' <<<"$BODY"
http POST "$BROKER/instances/$IID/mcp-auth" "{\"grant_id\":\"$GIDI\"}" "authorization: Bearer $GMAIL_BEARER" "x-mcp-service: gmail"
check "mcp-auth with a live grant: 200 as for a key" jqe --arg i "$IID" '.instance_id == $i and .status == "active" and (.authorize_url | type == "string") and (.version | type == "number") and has("expires_at")' <<<"$BODY"
http POST "$BROKER/instances/$IID2/mcp-auth" "{\"grant_id\":\"$GIDI\"}" "authorization: Bearer $GMAIL_BEARER" "x-mcp-service: gmail"
check "mcp-auth with a grant of another instance: 401 invalid_grant" eq "$STATUS/$(jq -r .code <<<"$BODY")" "401/invalid_grant"
http POST "$BROKER/instances/$IID/mcp-auth" '{"grant_id":"not-a-uuid"}' "authorization: Bearer $GMAIL_BEARER" "x-mcp-service: gmail"
check "mcp-auth with a malformed grant id: 400" eq "$STATUS" 400
admin DELETE "/instances/$IID/grants/$GIDI"
check "admin revokes a grant: 200, revoked (admin_revoked), audited" eq "$STATUS/$(psql_q "SELECT revoked_reason FROM as_grants WHERE grant_id = '$GIDI'")/$(psql_q "SELECT count(*) FROM token_audit_log WHERE event = 'as_grant_revoked' AND detail->>'grant_id' = '$GIDI'")" "200/admin_revoked/1"
check "grant_revoked pushed to the MCP server (admin)" wait_push "$GIDI"
http POST "$BROKER/instances/$IID/mcp-auth" "{\"grant_id\":\"$GIDI\"}" "authorization: Bearer $GMAIL_BEARER" "x-mcp-service: gmail"
check "mcp-auth with a revoked grant: 401 invalid_grant" eq "$STATUS/$(jq -r .code <<<"$BODY")" "401/invalid_grant"
form /as/introspect "token=$ATI" "authorization: Bearer $GMAIL_BEARER" "x-mcp-service: gmail"
check "introspection of a revoked grant's token: {active: false}" eq "$(jq -c . <<<"$BODY")" '{"active":false}'
admin DELETE "/instances/$IID/grants/$GIDI"
check "revoking it again: 200 already_revoked" eq "$STATUS/$(jq -r .already_revoked <<<"$BODY")" "200/true"
admin DELETE "/instances/$IID2/grants/$GIDI"
check "revoking through another instance: 404" eq "$STATUS/$(jq -r .code <<<"$BODY")" "404/grant_not_found"
http GET "$BROKER/instances/$IID/grants"
check "grants list needs the admin key" eq "$STATUS" 401

# ---- a disabled instance: its grants are revoked, enabling it again does not restore them
new_code "$PUB"
redeem "$PUB" "$CODE" "$VERIFIER"
RTD="$(jq -r .refresh_token <<<"$BODY")"
GIDD="$(verify_jwt "$(jq -r .access_token <<<"$BODY")" "$(jwks_now)" | jq -r .gid)"
new_code "$PUB"
redeem "$PUB" "$CODE" "$VERIFIER"
GIDD2="$(verify_jwt "$(jq -r .access_token <<<"$BODY")" "$(jwks_now)" | jq -r .gid)"
LIVE="$(psql_q "SELECT count(*) FROM as_grants WHERE instance_id = '$IID' AND revoked_at IS NULL")"
admin PATCH "/instances/$IID" '{"status":"inactive"}'
check "disable: 200, every live grant of the instance revoked (instance_disabled), each audited" eq "$STATUS/$(psql_q "SELECT count(*) FROM as_grants WHERE instance_id = '$IID' AND revoked_at IS NULL")/$(psql_q "SELECT count(*) FROM as_grants WHERE instance_id = '$IID' AND revoked_reason = 'instance_disabled' AND grant_id IN ('$GIDD', '$GIDD2')")/$(psql_q "SELECT count(*) FROM token_audit_log WHERE event = 'as_grant_revoked' AND detail->>'reason' = 'instance_disabled' AND instance_id = '$IID'")" "200/0/2/$LIVE"
check "disable: at least the two new grants were live" eq "$([[ "$LIVE" -ge 2 ]] && echo yes)" yes
check "disable: the other instance's grants stay" eq "$(psql_q "SELECT count(*) FROM as_grants WHERE instance_id <> '$IID' AND revoked_reason = 'instance_disabled'")" 0
check "grant_revoked pushed to the MCP server (disable, first grant)" wait_push "$GIDD"
check "grant_revoked pushed to the MCP server (disable, second grant)" wait_push "$GIDD2"
form /as/token "grant_type=refresh_token&refresh_token=$RTD&client_id=$PUB"
check "refresh on an inactive instance -> invalid_grant" eq "$STATUS/$(jq -r .error <<<"$BODY")" "400/invalid_grant"
new_code "$PUB"
redeem "$PUB" "$CODE" "$VERIFIER"
check "code on an inactive instance -> invalid_grant" eq "$STATUS/$(jq -r .error <<<"$BODY")" "400/invalid_grant"
psql_q "UPDATE mcp_service_table SET expires_at = now() - interval '1 second' WHERE instance_id = '$IID2'" >/dev/null
new_code "$PUB" "$REDIR" "http://127.0.0.1:49296/$IID2/mcp" 60 "$IID2"
redeem "$PUB" "$CODE" "$VERIFIER"
check "code on an expired instance -> invalid_grant" eq "$STATUS/$(jq -r .error <<<"$BODY")" "400/invalid_grant"
http POST "$BROKER/instances/$IID/mcp-auth" "{\"grant_id\":\"$GIDD\"}" "authorization: Bearer $GMAIL_BEARER" "x-mcp-service: gmail"
check "mcp-auth with a grant the disable revoked: 401 invalid_grant" eq "$STATUS/$(jq -r .code <<<"$BODY")" "401/invalid_grant"
# a grant committed while the disable waited for the instance's row lock (as that race leaves it)
GIDR="$(psql_q "INSERT INTO as_grants (instance_id, client_id, resource, scope) VALUES ('$IID', '$PUB', '$RES', 'mcp:read') RETURNING grant_id" | head -n 1)"
admin PATCH "/instances/$IID" '{"status":"active"}'
check "enabling: a grant left live on the inactive instance is revoked (instance_disabled) and pushed" eq "$STATUS/$(psql_q "SELECT revoked_reason FROM as_grants WHERE grant_id = '$GIDR'")/$(wait_push "$GIDR" && echo pushed)" "200/instance_disabled/pushed"
form /as/token "grant_type=refresh_token&refresh_token=$RTD&client_id=$PUB"
check "active again: the refresh token stays refused (a new consent is needed)" eq "$STATUS/$(jq -r .error <<<"$BODY")" "400/invalid_grant"
check "active again: the grants stay revoked" eq "$(psql_q "SELECT count(*) FROM as_grants WHERE grant_id IN ('$GIDD', '$GIDD2') AND revoked_at IS NOT NULL")" 2
new_code "$PUB"
redeem "$PUB" "$CODE" "$VERIFIER"
check "active again: a new code (new consent) gets tokens" eq "$STATUS" 200

# ---- a use moves a dynamic client's deletion date forward
psql_q "UPDATE as_clients SET expires_at = now() + interval '1 day', last_used_at = now() - interval '30 minutes' WHERE client_id = '$PUB'" >/dev/null
new_code "$PUB"
redeem "$PUB" "$CODE" "$VERIFIER"
check "a use within the hour of the last recorded one writes nothing" eq "$STATUS/$(psql_q "SELECT expires_at < now() + interval '2 days' AND last_used_at < now() - interval '29 minutes' FROM as_clients WHERE client_id = '$PUB'")" "200/t"
psql_q "UPDATE as_clients SET last_used_at = now() - interval '61 minutes' WHERE client_id = '$PUB'" >/dev/null
new_code "$PUB"
redeem "$PUB" "$CODE" "$VERIFIER"
check "a use of a dynamic client moves its expiry to now + dcr_idle_days" eq "$STATUS/$(psql_q "SELECT expires_at > now() + interval '29 days' AND last_used_at > now() - interval '1 minute' FROM as_clients WHERE client_id = '$PUB'")" "200/t"

# ---- deleting a client revokes its grants
new_code "$ADM" "https://admin.example/cb"
redeem "$ADM" "$CODE" "$VERIFIER" "https://admin.example/cb" "&client_secret=$ADM_SECRET"
check "a live grant of the admin client (the disable above revoked its older ones)" eq "$STATUS/$(psql_q "SELECT count(*) FROM as_grants WHERE client_id = '$ADM' AND revoked_at IS NULL")" "200/1"
admin DELETE "/as/clients/$ADM"
check "admin deletes a client: 200, its grants revoked" eq "$STATUS/$(jq -r .deleted <<<"$BODY")/$(psql_q "SELECT count(*) FROM as_grants WHERE client_id = '$ADM' AND revoked_reason = 'client_deleted'")" "200/true/1"
form /as/token "grant_type=refresh_token&refresh_token=x&client_id=$ADM&client_secret=$ADM_SECRET"
check "a deleted client -> 401 invalid_client" eq "$STATUS/$(jq -r .error <<<"$BODY")" "401/invalid_client"

# ---- signing key rotation
admin GET /as/signing-keys
check "signing keys: one, signing, public parts only" jqe --arg k "$KID1" '(.keys | length) == 1 and .keys[0].kid == $k and .keys[0].signing == true and (.keys[0].jwk | has("d") | not)' <<<"$BODY"
http POST "$BROKER/as/signing-keys/rotate" ""
check "rotation needs the admin key" eq "$STATUS" 401
admin POST /as/signing-keys/rotate
KID2="$(jq -r .kid <<<"$BODY")"
check "rotation: 202 with the next kid" eq "$STATUS/$([[ -n "$KID2" && "$KID2" != "$KID1" ]] && echo new)" "202/new"
check "as_key_rotated audited" eq "$(psql_q "SELECT count(*) FROM token_audit_log WHERE event = 'as_key_rotated' AND detail->>'kid' = '$KID2'")" 1
sleep 0.3
check "the new key is published at once" eq "$(jwks_now | jq -r --arg a "$KID1" --arg b "$KID2" '[.keys[].kid] | (index($a) != null) and (index($b) != null)')" true
new_code "$PUB"
redeem "$PUB" "$CODE" "$VERIFIER"
check "before its not_before the old key still signs" eq "$(verify_jwt "$(jq -r .access_token <<<"$BODY")" "$(jwks_now)" | jq -r ._kid)" "$KID1"
sleep 8.5
new_code "$PUB"
redeem "$PUB" "$CODE" "$VERIFIER"
check "after key_publish_ahead_s the new key signs" eq "$(verify_jwt "$(jq -r .access_token <<<"$BODY")" "$(jwks_now)" | jq -r ._kid)" "$KID2"
check "the old key stays published (its tokens live on)" eq "$(jwks_now | jq -r --arg a "$KID1" '[.keys[].kid] | index($a) != null')" true
admin GET /as/signing-keys
check "signing keys: the new one signs, the old one retired with an expiry" jqe --arg a "$KID1" --arg b "$KID2" '
    ([.keys[] | select(.kid == $b and .signing)] | length) == 1 and
    ([.keys[] | select(.kid == $a and (.signing | not) and .retired_at != null and .expires_at > .retired_at)] | length) == 1' <<<"$BODY"

# ---- restart: the keys are read back (same kids), a second replica creates none; idle dynamic clients go
psql_q "INSERT INTO as_clients (client_id, kind, metadata, expires_at) VALUES ('mcp_idleidleidleidleidleidleidleidle', 'dynamic', '{}', now() - interval '1 second')" >/dev/null
it_stop_all
FAKE_PORT="$MPORT" it_start mcp node "$IT_FAKES/fake-mcp.mjs" "$IT_DIR/keys/services/gmail.secret"
it_broker "$IT_DIR/broker.json" || exit 1
check "after a restart the same keys are published, none created" eq "$(jwks_now | jq -r '[.keys[].kid] | sort | join(",")')/$(psql_q "SELECT count(*) FROM as_signing_keys")" "$(printf '%s\n%s\n' "$KID1" "$KID2" | sort | paste -sd,)/2"

idle_gone() { [[ "$(psql_q "SELECT count(*) FROM as_clients WHERE client_id = 'mcp_idleidleidleidleidleidleidleidle'")/$(psql_q "SELECT count(*) FROM token_audit_log WHERE event = 'as_client_deleted' AND detail->>'client_id' = 'mcp_idleidleidleidleidleidleidleidle'")" == 0/1 ]]; }
wait_idle_gone() { for _ in $(seq 1 50); do idle_gone && return 0; sleep 0.1; done; return 1; }
check "a dynamic client idle past its expiry is deleted (audited as_client_deleted)" wait_idle_gone
check "a used dynamic client stays" eq "$(psql_q "SELECT count(*) FROM as_clients WHERE client_id = '$PUB'")" 1

# ---- deleting the instance ends its grants
admin DELETE "/instances/$IID"
check "deleting the instance deletes its grants" eq "$(psql_q "SELECT count(*) FROM as_grants WHERE instance_id = '$IID'")" 0

# ---- authorization.enabled false: no AS endpoint, static keys unaffected
it_stop_all
jq '.authorization.enabled = false' "$IT_DIR/broker.json" >"$IT_DIR/broker-off.json"
it_broker "$IT_DIR/broker-off.json" || exit 1
http GET "$BROKER/.well-known/oauth-authorization-server"
OFF1="$STATUS"
form /as/token "grant_type=refresh_token&refresh_token=x&client_id=$PUB"
check "authorization disabled: metadata and token endpoint 404, health fine" eq "$OFF1/$STATUS/$(curl -s -o /dev/null -w '%{http_code}' "$BROKER/health")" "404/404/200"

it_done
