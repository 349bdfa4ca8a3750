#!/usr/bin/env bash
# as_login.sh - the service URL sign-in (docs/mcp-authorization.md, "Service URL sign-in") against a real broker,
# PostgreSQL, the google plugin and tests/fakes/fake-google.mjs, driven with curl and cookie jars: Allow on a service
# URL goes to the provider with the operator's app; the callback identifies the account (ES256 ID token), creates
# the account's instance (origin mcp_login) or reuses it, stores the upstream tokens and sends the MCP client a code
# that redeems at /as/token for a token whose sub is that instance. Another account gets another instance; two
# concurrent first sign-ins of one account end with one; a provider denial and a failed identification send the
# client an error and store nothing; the answer only completes in the browser that clicked Allow, and only once.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_setup as_login
command -v openssl >/dev/null || it_skip "openssl is not installed"

GPORT="$(it_free_port)"
BPORT="$(it_free_port)"
GOOGLE="http://127.0.0.1:$GPORT"
BROKER="http://127.0.0.1:$BPORT"
CB="$BROKER/oauth/callback"
it_write_json "$IT_DIR/google.json" "{\"clients\": [
  {\"client_id\": \"gclient\", \"client_secret\": \"gsecret-1\", \"redirect_uris\": [\"$CB\"]},
  {\"client_id\": \"mcp-app\", \"client_secret\": \"app-SECRET-0001\", \"redirect_uris\": [\"$CB\"]}]}"
it_write_json "$IT_DIR/services.json" '[
  {"service_name": "gmail", "display_name": "Gmail", "port": 49296, "type": "oauth", "provider": "google",
   "default_scopes": "email https://www.googleapis.com/auth/gmail.modify", "active": true}]'
mkdir -p "$IT_DIR/keys"
printf 'app-SECRET-0001\n' >"$IT_DIR/keys/app.secret"
chmod 600 "$IT_DIR/keys/app.secret"
FAKE_PORT="$GPORT" it_start google node "$IT_FAKES/fake-google.mjs" "$IT_DIR/google.json"
it_wait_line "$IT_DIR/google.log" "listening" >/dev/null || exit 1
it_broker_config "$BPORT" "{\"log_level\": \"info\", \"oauth\": {\"instance_cache_ttl_ms\": 300},
  \"push\": {\"urls\": {\"gmail\": \"http://127.0.0.1:9\"}},
  \"providers\": {\"google\": $(it_google_endpoints)},
  \"mcp_url_template\": \"http://127.0.0.1:{port}/{instance_id}/mcp\",
  \"authorization\": {\"apps\": {\"google\": {\"client_id\": \"mcp-app\", \"client_secret_file\": \"$IT_DIR/keys/app.secret\"}}}}"
it_broker "$IT_DIR/broker.json" || exit 1

psql_q "INSERT INTO as_clients (client_id, kind, metadata) VALUES ('mcp_testclient0001', 'admin',
  '{\"client_name\": \"Test App\", \"redirect_uris\": [\"http://127.0.0.1/cb\"], \"token_endpoint_auth_method\": \"none\"}')" >/dev/null
SRES="http://127.0.0.1:49296/mcp"
REDIR="http://127.0.0.1:45678/cb"
esc() { jq -rn --arg v "$1" '$v|@uri'; }
qp() { node -e 'try { console.log(new URL(process.argv[1]).searchParams.get(process.argv[2]) ?? "(none)") } catch { console.log("(bad)") }' "$1" "$2"; }
page_code() { grep -o 'id="ob-code">[^<]*' <<<"$BODY" | cut -d'>' -f2; }
# get URL [CURL ARGS...]: STATUS, BODY, HDRS, LOC
get() {
    local url="$1"
    shift
    STATUS="$(curl -s -o "$IT_DIR/last.body" -D "$IT_DIR/last.hdrs" -w '%{http_code}' --max-time 20 "$@" "$url")"
    BODY="$(cat "$IT_DIR/last.body")"
    HDRS="$(cat "$IT_DIR/last.hdrs")"
    LOC="$(header location)"
}
instances() { psql_q "SELECT count(*) FROM mcp_service_table WHERE origin = 'mcp_login'"; }

# start JAR: /as/authorize for the service URL, the consent page, Allow; sets VERIFIER, GLOC (the provider URL) or
# leaves it empty
start() {
    local jar="$1"
    rm -f "$jar"
    VERIFIER="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
    local ch
    ch="$(printf '%s' "$VERIFIER" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=')"
    get "$BROKER/as/authorize?response_type=code&client_id=mcp_testclient0001&redirect_uri=$(esc "$REDIR")&code_challenge=$ch&code_challenge_method=S256&state=st-9&resource=$(esc "$SRES")" -c "$jar" -b "$jar"
    CONSENT_CSP="$(header content-security-policy)"
    local rid
    rid="$(grep -o 'name="request_id" value="[^"]*"' <<<"$BODY" | cut -d'"' -f4)"
    get "$BROKER/as/consent" -c "$jar" -b "$jar" -X POST --data "request_id=$rid&action=allow" -H "origin: $BROKER"
    ALLOW_STATUS="$STATUS"
    ALLOW_COOKIE="$(header set-cookie)"
    GLOC="$LOC"
}
# provider DECISION ACCOUNT: the fake's consent page for GLOC, answered; sets CBURL (the redirect to the broker)
provider() {
    get "$GLOC"
    local rid
    rid="$(grep -o 'name="rid" value="[^"]*"' <<<"$BODY" | cut -d'"' -f4)"
    get "$GOOGLE/o/oauth2/consent" -X POST --data "rid=$rid&decision=$1&account=${2:-}"
    CBURL="$LOC"
}
# login ACCOUNT [JAR]: a complete sign-in that the provider approves; sets CLOC (the redirect to the MCP client)
login() {
    local jar="${2:-$IT_DIR/jar-$1}"
    start "$jar"
    provider approve "$1"
    get "$CBURL" -b "$jar"
    CLOC="$LOC"
}
# redeem CODE: /as/token; sets SUB (the access token's sub) or empty
redeem() {
    get "$BROKER/as/token" -X POST --data "grant_type=authorization_code&code=$1&code_verifier=$VERIFIER&redirect_uri=$(esc "$REDIR")&client_id=mcp_testclient0001"
    SUB="$(jq -r '.access_token // empty' <<<"$BODY" | cut -d. -f2 | tr '_-' '/+' | base64 -d 2>/dev/null | jq -r '.sub // empty' 2>/dev/null)"
    AUD="$(jq -r '.access_token // empty' <<<"$BODY" | cut -d. -f2 | tr '_-' '/+' | base64 -d 2>/dev/null | jq -r '.aud // empty' 2>/dev/null)"
}

# ---- a first sign-in creates the account's instance
start "$IT_DIR/jar-a"
check "consent page: form-action allows the provider's origin (Allow answers a redirect there)" \
    eq "$CONSENT_CSP" "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http://127.0.0.1:45678 $GOOGLE; frame-ancestors 'none'"
check "Allow: 303 to the provider with the app's client id, PKCE S256, a nonce, openid added to the scopes" \
    eq "$ALLOW_STATUS/${GLOC%%\?*}/$(qp "$GLOC" client_id)/$(qp "$GLOC" code_challenge_method)/$(qp "$GLOC" redirect_uri)/$( [[ "$(qp "$GLOC" nonce)" != "(none)" ]] && echo nonce)/$(qp "$GLOC" scope)" \
    "303/$GOOGLE/o/oauth2/v2/auth/mcp-app/S256/$CB/nonce/openid email https://www.googleapis.com/auth/gmail.modify"
check "Allow: the ob_as_login cookie (HttpOnly, SameSite=Lax, Path=/oauth/callback)" \
    grep -qE '^ob_as_login=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Lax; Path=/oauth/callback$' <<<"$ALLOW_COOKIE"
check "Allow: the request is spent (stage upstream)" eq "$(psql_q "SELECT count(*) FROM as_requests WHERE used_at IS NOT NULL AND request->>'stage' = 'upstream'")" 1
provider approve
A_CB="$CBURL"
get "$A_CB"
check "callback without the browser's ob_as_login cookie: 403 page, nothing created" eq "$STATUS/$(page_code)/$(instances)" "403/login_cookie_missing/0"
get "$A_CB" -b "$IT_DIR/jar-a"
CLOC="$LOC"
check "callback: 303 to the MCP client with code, state and iss" \
    eq "$STATUS/${CLOC%%\?*}/$(qp "$CLOC" state)/$(qp "$CLOC" iss)/$(qp "$CLOC" code | wc -c)" "303/$REDIR/st-9/$BROKER/44"
A_ID="$(psql_q "SELECT instance_id FROM mcp_service_table WHERE origin = 'mcp_login'")"
check "one instance: origin mcp_login, bound to the account, user_id the account, active, completed" \
    eq "$(psql_q "SELECT count(*) || '/' || min(upstream_subject) || '/' || min(user_id) || '/' || min(status) || '/' || min(oauth_status) FROM mcp_service_table WHERE origin = 'mcp_login'")" \
    "1/https://accounts.google.com|110169484474386276334/https://accounts.google.com|110169484474386276334/active/completed"
check "the instance holds the app's client, its secret sealed, and the upstream tokens sealed" \
    eq "$(psql_q "SELECT client_id || '/' || (client_secret_enc IS NOT NULL) || '/' || (position('app-SECRET' in encode(client_secret_enc, 'escape')) = 0) || '/' || (access_token_enc IS NOT NULL) || '/' || (refresh_token_enc IS NOT NULL) FROM mcp_credentials WHERE instance_id = '$A_ID'")" \
    "mcp-app/true/true/true/true"
check "the instance's MCP access key is a hash nobody was shown" eq "$(psql_q "SELECT mcp_key_hash ~ '^[0-9a-f]{64}\$' FROM mcp_service_table WHERE instance_id = '$A_ID'")" t
check "the code exchange used the app's credentials (the fake's only token call)" eq "$(curl -fsS "$GOOGLE/_stats" | jq -r .token_calls)" 1
check "audit: created by as_login, authorized, grant created" \
    eq "$(psql_q "SELECT string_agg(event || ':' || actor, ',' ORDER BY id) FROM token_audit_log WHERE instance_id = '$A_ID'")" \
    "created:as_login,authorized:as_login,as_grant_created:as"
redeem "$(qp "$CLOC" code)"
check "the code redeems at /as/token; the access token's sub is the instance, aud the service URL" eq "$STATUS/$SUB/$AUD" "200/$A_ID/$SRES"
get "$A_CB" -b "$IT_DIR/jar-a"
check "the provider's answer replayed: 400 page, nothing else" eq "$STATUS/$(page_code)/$(instances)" "400/request_used/1"
check "secrets never in the log" bash -c '! grep -qE "app-SECRET|gsecret|ya29\.|1//0" "$0"' "$IT_DIR/broker.log"

# ---- the same account again: the same instance
login 110169484474386276334
check "second sign-in of the account: a code" eq "$(qp "$CLOC" state)/$(qp "$CLOC" code | wc -c)" "st-9/44"
redeem "$(qp "$CLOC" code)"
check "second sign-in of the account: the same instance (one instance)" eq "$STATUS/$SUB/$(instances)" "200/$A_ID/1"

# ---- another account: another instance
login otheraccount7
redeem "$(qp "$CLOC" code)"
B_ID="$SUB"
check "another account: another instance bound to it" \
    eq "$STATUS/$(instances)/$(psql_q "SELECT upstream_subject FROM mcp_service_table WHERE instance_id = '$B_ID'")/$([[ "$B_ID" != "$A_ID" ]] && echo differs)" \
    "200/2/https://accounts.google.com|otheraccount7/differs"

# ---- two concurrent first sign-ins of one account: one instance
start "$IT_DIR/jar-c1"
V1="$VERIFIER"
provider approve twin42
CB1="$CBURL"
start "$IT_DIR/jar-c2"
provider approve twin42
CB2="$CBURL"
curl -s -o /dev/null -D "$IT_DIR/c1.hdrs" --max-time 20 -b "$IT_DIR/jar-c1" "$CB1" &
P1=$!
curl -s -o /dev/null -D "$IT_DIR/c2.hdrs" --max-time 20 -b "$IT_DIR/jar-c2" "$CB2" &
P2=$!
wait "$P1" "$P2"
L1="$(tr -d '\r' <"$IT_DIR/c1.hdrs" | grep -i '^location:' | cut -d' ' -f2-)"
L2="$(tr -d '\r' <"$IT_DIR/c2.hdrs" | grep -i '^location:' | cut -d' ' -f2-)"
redeem "$(qp "$L2" code)"
S2="$SUB"
VERIFIER="$V1"
redeem "$(qp "$L1" code)"
S1="$SUB"
check "two concurrent first sign-ins of one account: both get a code for one instance" \
    eq "$(psql_q "SELECT count(*) FROM mcp_service_table WHERE upstream_subject = 'https://accounts.google.com|twin42'")/$([[ -n "$S1" && "$S1" == "$S2" ]] && echo same)" "1/same"

# ---- the provider denies: access_denied to the client, nothing stored
before="$(instances)/$(psql_q 'SELECT count(*) FROM as_codes')"
start "$IT_DIR/jar-d"
provider deny someone
get "$CBURL" -b "$IT_DIR/jar-d"
check "provider denial: 303 access_denied to the client with state and iss, nothing stored" \
    eq "$STATUS/${LOC%%\?*}/$(qp "$LOC" error)/$(qp "$LOC" state)/$(qp "$LOC" iss)/$(instances)/$(psql_q 'SELECT count(*) FROM as_codes')" \
    "303/$REDIR/access_denied/st-9/$BROKER/$before"

# ---- the account cannot be identified (the ID token's key is not in the provider's key set)
curl -fsS -X POST -H 'content-type: application/json' --data '{"rogue_id_key": true}' "$GOOGLE/_mode" >/dev/null
login unknownsigner
check "identification failure: 303 server_error to the client with state and iss, nothing stored" \
    eq "$STATUS/$(qp "$CLOC" error)/$(qp "$CLOC" state)/$(qp "$CLOC" iss)/$(instances)/$(psql_q 'SELECT count(*) FROM as_codes')" \
    "303/server_error/st-9/$BROKER/$before"
curl -fsS -X POST -H 'content-type: application/json' --data '{"rogue_id_key": false}' "$GOOGLE/_mode" >/dev/null

# ---- an instance URL: the other proof of ownership, a sign-in with the account bound to the instance
admin POST /instances '{"service":"gmail","user_id":"u1","client_id":"gclient","client_secret":"gsecret-1"}'
OWN_ID="$(jq -r .instance_id <<<"$BODY")"
IRES="http://127.0.0.1:49296/$OWN_ID/mcp"
# proof JAR ACCOUNT: /as/authorize for the instance URL, the consent page, "Sign in to prove it", the provider
# approves as ACCOUNT, the callback; sets PROOF_BTN, ALLOW_STATUS, GLOC, CLOC
proof() {
    local jar="$1" ch rid
    rm -f "$jar"
    VERIFIER="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
    ch="$(printf '%s' "$VERIFIER" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=')"
    get "$BROKER/as/authorize?response_type=code&client_id=mcp_testclient0001&redirect_uri=$(esc "$REDIR")&code_challenge=$ch&code_challenge_method=S256&state=st-p&resource=$(esc "$IRES")" -c "$jar" -b "$jar"
    PROOF_BTN="$(grep -o '<button[^>]*value="proof"[^>]*>[^<]*' <<<"$BODY" | sed 's/.*>//')"
    rid="$(grep -o 'name="request_id" value="[^"]*"' <<<"$BODY" | cut -d'"' -f4)"
    get "$BROKER/as/consent" -c "$jar" -b "$jar" -X POST --data "request_id=$rid&action=proof" -H "origin: $BROKER"
    ALLOW_STATUS="$STATUS"
    ALLOW_PAGE="$(page_code)"
    GLOC="$LOC"
    CLOC=""
    [[ -n "$GLOC" ]] || return 0
    provider approve "$2"
    get "$CBURL" -b "$jar"
    CLOC="$LOC"
}
proof "$IT_DIR/jar-p0" owner1
check "proof: an instance bound to no account refuses the sign-in proof (400 page), the request stays usable" \
    eq "$PROOF_BTN/$ALLOW_STATUS/$ALLOW_PAGE/$(psql_q "SELECT count(*) FROM as_requests WHERE request->>'instance_id' = '$OWN_ID' AND used_at IS NULL")" \
    "Sign in with Google to prove it is yours/400/no_upstream_account/1"
psql_q "UPDATE mcp_service_table SET upstream_subject = 'https://accounts.google.com|owner1' WHERE instance_id = '$OWN_ID'" >/dev/null
tokens_before="$(psql_q "SELECT row_version FROM mcp_credentials WHERE instance_id = '$OWN_ID'")"
proof "$IT_DIR/jar-p1" owner1
check "proof: 303 to the provider with the instance's own client" eq "$ALLOW_STATUS/$(qp "$GLOC" client_id)" "303/gclient"
check "proof with the bound account: a code for the client (state, iss)" eq "$(qp "$CLOC" state)/$(qp "$CLOC" iss)/$(qp "$CLOC" code | wc -c)" "st-p/$BROKER/44"
redeem "$(qp "$CLOC" code)"
check "proof: the code redeems for the instance, aud the instance URL" eq "$STATUS/$SUB/$AUD" "200/$OWN_ID/$IRES"
check "proof: the instance's stored tokens are not replaced, no new instance" \
    eq "$(psql_q "SELECT row_version FROM mcp_credentials WHERE instance_id = '$OWN_ID'")/$(psql_q "SELECT count(*) FROM mcp_service_table")" "$tokens_before/4"
codes_before="$(psql_q 'SELECT count(*) FROM as_codes')"
proof "$IT_DIR/jar-p2" intruder9
check "proof with another account: access_denied to the client, no code, the binding unchanged" \
    eq "$(qp "$CLOC" error)/$(qp "$CLOC" state)/$(psql_q 'SELECT count(*) FROM as_codes')/$(psql_q "SELECT upstream_subject FROM mcp_service_table WHERE instance_id = '$OWN_ID'")" \
    "access_denied/st-p/$codes_before/https://accounts.google.com|owner1"

it_done
