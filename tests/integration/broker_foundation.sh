#!/usr/bin/env bash
# broker_foundation.sh - the broker foundation over real HTTP: /providers lists the five shipped
# providers with the registry's services (the shipped conformance entry inactive: an instance of it is refused),
# /health is 200 with a live database and 503 when its
# PostgreSQL is stopped (and recovers when it comes back), unknown paths 404 and wrong methods 405 as
# JSON, bad configuration exits 2 with one line, and a plugin dropped into the plugin directory loads.
#
# It runs its own PostgreSQL cluster (scripts/lib/pg.sh with a private VAR_DIR and port), because it
# stops it: the shared test cluster stays untouched.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

it_setup_private_pg foundation
unset OB_PLUGIN_DIR # the test config names its own plugin directory

PLUGINS="$IT_DIR/plugins"
mkdir -p "$PLUGINS"
cp "$IT_BUILD"/plugins/*.so "$PLUGINS/"
PORT="$(it_free_port)"
it_write_json "$IT_DIR/broker.json" "{
  \"listen\": {\"host\": \"127.0.0.1\", \"port\": $PORT},
  \"plugin_dir\": \"$PLUGINS\",
  \"services_file\": \"$IT_SRC/config/services.json\",
  \"migrations_dir\": \"$IT_SRC/db/migrations\",
  \"database\": {\"pool_size\": 2, \"query_timeout_ms\": 2000, \"health_timeout_ms\": 1000},
  \"keys\": {\"data_key_file\": \"$IT_DIR/keys/data.keys\", \"admin_key_file\": \"$IT_DIR/keys/admin.key\",
           \"services_dir\": \"$IT_DIR/keys/services\"},
  \"providers\": $(jq .providers "$IT_SRC/config/broker.json")
}"

# ---- bad configuration: one clear line, exit code 2 ----
bad_config() {
    local text="$1" needle="$2" out rc
    printf '%s\n' "$text" >"$IT_DIR/bad.json"
    out="$(env -u DATABASE_URL "$IT_BUILD/oauth-service/oauth-service" --config "$IT_DIR/bad.json" check-config 2>&1)"
    rc=$?
    check "bad config ($needle): exit 2" eq "$rc" 2
    check "bad config ($needle): one line naming it" bash -c '[[ $(wc -l <<<"$1") == 1 && "$1" == *"$2"* ]]' _ "$out" "$needle"
}
bad_config '{"listen": {"port": 70000}, "database": {"url": "x"}}' "listen.port"
bad_config '{"database": {"url": "x"}, "surprise": 1}' 'unknown key "surprise"'
bad_config '{"database": {"url": "x"' "invalid JSON"
bad_config '{}' "database.url"
out="$(OAUTH_SERVICE_PORT=abc "$IT_BUILD/oauth-service/oauth-service" --config "$IT_DIR/broker.json" check-config 2>&1)"
check "bad OAUTH_SERVICE_PORT: exit 2" eq "$?" 2
jq --arg f "$IT_DIR/keys/no-such.keys" '.keys.data_key_file=$f' "$IT_DIR/broker.json" >"$IT_DIR/nokeys.json"
out="$(env -u OB_DATA_KEYS -u OB_DATA_KEY_FILE -u OB_KEYS_DIR DATABASE_URL=x "$IT_BUILD/oauth-service/oauth-service" --config "$IT_DIR/nokeys.json" check-config 2>&1)"
check "check-config with a missing data key file: exit 2" eq "$?" 2
check "check-config with a missing data key file: one line naming it" bash -c '[[ $(wc -l <<<"$1") == 1 && "$1" == *no-such.keys* ]]' _ "$out"
out="$(env -u OB_DATA_KEYS -u OB_DATA_KEY_FILE -u OB_KEYS_DIR DATABASE_URL=x "$IT_BUILD/oauth-service/oauth-service" --config "$IT_DIR/broker.json" check-config 2>&1)"
check "check-config with the keys in place: exit 0" eq "$?" 0
out="$("$IT_BUILD/oauth-service/oauth-service" --frobnicate 2>&1)"
check "unknown argument: exit 2" eq "$?" 2

# ---- migrate subcommand twice ----
it_cli --config "$IT_DIR/broker.json" migrate >"$IT_DIR/migrate1.log" 2>&1
check "migrate: exit 0" eq "$?" 0
it_cli --config "$IT_DIR/broker.json" migrate >"$IT_DIR/migrate2.log" 2>&1
check "migrate again: exit 0" eq "$?" 0
check "migrate again: nothing to apply" grep -q "up to date" "$IT_DIR/migrate2.log"

# ---- the example plugin, dropped into the plugin directory ----
cp "$IT_BUILD/plugins-example/example.so" "$PLUGINS/"

it_broker "$IT_DIR/broker.json" || exit 1

http GET "$BROKER/providers"
check "/providers: 200" eq "$STATUS" 200
check "/providers: JSON" bash -c '[[ "$1" == application/json* ]]' _ "$(header content-type)"
for p in google microsoft github slack notion dropbox example; do
    check "/providers lists $p" jq_eq "[.providers[].name] | index(\"$p\") != null" true
done
check "/providers: google serves gmail and googledrive" \
    jq_eq '[.providers[] | select(.name=="google") | .services[].name] | (index("gmail") != null and index("googledrive") != null)' true
check "/providers: microsoft serves outlook, onedrive, teams" \
    jq_eq '[.providers[] | select(.name=="microsoft") | .services[].name] | sort | join(",")' "onedrive,outlook,teams"
check "/providers: gmail keeps port 49296" \
    jq_eq '.providers[] | select(.name=="google") | .services[] | select(.name=="gmail") | .port' 49296
check "/providers: microsoft has no revocation (local purge)" \
    jq_eq '.providers[] | select(.name=="microsoft") | "\(.capabilities.revoke) \(.revocation)"' "false local_purge_only"
check "/providers: google refresh+revoke+pkce+oidc" \
    jq_eq '.providers[] | select(.name=="google") | .capabilities | [.refresh,.revoke,.pkce,.oidc] | all' true
check "/providers: ABI version" jq_eq '.providers[0].abi_version | startswith("1.")' true
check "/providers: no secret-looking members" bash -c '! grep -qiE "secret|password|\"key\"" <<<"$1"' _ "$BODY"

# ---- the shipped registry: an entry without a server in the stack (the conformance fixture) is inactive, and an
# instance of it is refused with a clear error, nothing written ----
check "/providers: the shipped conformance entry is inactive" \
    jq_eq '.providers[].services[] | select(.name=="conformance") | .active' false
admin POST /instances '{"service":"conformance","user_id":"u1","client_id":"c","client_secret":"s"}'
check "POST /instances for the inactive conformance entry: 400 service_inactive naming the service" \
    jq_eq '[.code, .field, (.message | test("conformance"))] | map(tostring) | join(",")' "service_inactive,service,true"
check "...with status 400" eq "$STATUS" 400
check "...and nothing written" eq "$(psql_q 'SELECT count(*) FROM mcp_service_table')" 0

http GET "$BROKER/health"
check "/health: 200 with the database up" eq "$STATUS" 200
check "/health: status ok" jq_eq '.status' ok
check "/health: database ok" jq_eq '.database.ok' true
check "/health: version" jq_eq '.version | length > 0' true
check "/health: plugins listed" jq_eq '.providers_loaded | length >= 6' true

http GET "$BROKER/no/such/path"
check "unknown path: 404" eq "$STATUS" 404
check "unknown path: JSON error code" jq_eq '.code' not_found
http DELETE "$BROKER/providers"
check "wrong method: 405" eq "$STATUS" 405
check "wrong method: JSON error code" jq_eq '.code' method_not_allowed
check "wrong method: Allow header" eq "$(header allow)" "GET"

# ---- PostgreSQL goes away: 503, and back: 200 ----
pg_stop >/dev/null 2>&1
start=$(date +%s%N)
http GET "$BROKER/health"
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
check "/health: 503 with the database stopped" eq "$STATUS" 503
check "/health: database not ok" jq_eq '.database.ok' false
check "/health: nothing cached -> status unavailable" jq_eq '.status' unavailable
check "/health: answered within 3 s ($elapsed_ms ms)" test "$elapsed_ms" -lt 3000
http GET "$BROKER/providers"
check "/providers still served without the database" eq "$STATUS" 200
pg_start >/dev/null 2>&1
ok=0
for _ in $(seq 1 50); do
    http GET "$BROKER/health"
    [[ "$STATUS" == 200 ]] && ok=1 && break
    sleep 0.2
done
check "/health: 200 again after PostgreSQL is back" eq "$ok" 1

it_done
