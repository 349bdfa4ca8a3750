#!/usr/bin/env bash
# plugin_reload.sh - plugin hot reload on a real broker over real PostgreSQL with the tree's plugins in a plugin
# directory of the test's own:
#   - SIGHUP after a new .so: /providers lists it at once;
#   - a changed build of example.so (tests/integration/plugins/example_v2.c: version 2.0.0, another display name)
#     copied over the loaded one, and SIGHUP, while four loopback workers refresh instances of that provider through
#     the fake Google (each refresh held 600 ms at the fake; the swap while one is in flight) and open its
#     authorize URL: zero failed requests, /providers shows the new build, the old one is unloaded once its last
#     refresh ended (log line, oauth_broker_plugins_retired 0);
#   - a consent started under one build whose callback arrives after a reload replaced it connects the instance;
#   - POST /providers/reload (admin key; 401 without it, nothing changed): a removed .so is gone, a garbage file, a
#     plugin of another ABI and a garbage build over a loaded plugin are skipped with one log line each while the
#     loaded version stays and the other providers answer; a file copied again unchanged is no change;
#   - obctl providers reload (exit 5 without a key); instances of a provider whose plugin was removed get a clear
#     error, the broker stays up.
# The ASan build runs it too (OB_BUILD_DIR=build-asan): no leak of the old handles, no use after dlclose.
source "$(dirname "$0")/lib.sh"

it_setup plugin_reload
V1="$IT_BUILD/plugins-example/example.so"
V2="$IT_BUILD/test-plugins/reload/example.so"
ABI99="$IT_BUILD/test-plugins/registry/20_abi99.so"
for f in "$V1" "$V2" "$ABI99" "$IT_BUILD/plugins/google.so" "$IT_BUILD/plugins/github.so" "$IT_BUILD/tools/obctl/obctl"; do
    [[ -f "$f" ]] || it_skip "$f is not built"
done
PLUGINS="$IT_DIR/plugins"
mkdir -p "$PLUGINS"
cp "$IT_BUILD/plugins/google.so" "$IT_BUILD/plugins/github.so" "$PLUGINS/"

it_google_fake
rm -f "$IT_DIR/keys/services/gmail.secret" # no MCP server here: no pushes
it_write_json "$IT_DIR/services.json" "[
  {\"service_name\": \"gmail\", \"display_name\": \"Gmail\", \"port\": $(it_registry_port), \"type\": \"oauth\",
   \"provider\": \"google\", \"default_scopes\": \"openid email\", \"active\": true},
  {\"service_name\": \"probe\", \"display_name\": \"Probe\", \"port\": $(it_registry_port), \"type\": \"oauth\",
   \"provider\": \"example\", \"default_scopes\": \"profile\", \"active\": true}]"
EXAMPLE="$(jq -n --arg g "$GOOGLE" '{authorization_endpoint: "\($g)/o/oauth2/v2/auth", token_endpoint: "\($g)/token",
    revocation_endpoint: "\($g)/revoke"}')"
export OB_PLUGIN_DIR="$PLUGINS" # the environment overrides the file: the broker must see this directory in both
it_broker_config "$BPORT" "$(jq -n --argjson google "$(it_google_endpoints)" \
    --argjson example "$EXAMPLE" '{database: {pool_size: 6, query_timeout_ms: 5000}, refresh: {concurrency: 4}, log_level: "info",
      oauth: {instance_cache_ttl_ms: 300}, providers: {google: $google, example: $example}}')" || exit 1
it_broker "$IT_DIR/broker.json" || exit 1
LOG="$IT_DIR/broker.log"
STATUS="" BODY="" # for check's failure lines before the first request

names() { curl -s --max-time 5 "$BROKER/providers" | jq -c '[.providers[].name] | sort'; }
provider() { curl -s --max-time 5 "$BROKER/providers" | jq -c --arg n "$1" '.providers[] | select(.name == $n)'; }
# wait_for CMD...: until CMD succeeds, at most 5 s
wait_for() {
    for _ in $(seq 1 $((50 * IT_WAIT_SCALE))); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}
has_example() { [[ "$(provider example | jq -r .plugin_version)" == "$1" ]]; }
lines() { grep -c -F -- "$1" "$LOG"; }

check "start: google and github, no example" eq "$(names)" '["github","google"]'

# ---- a new plugin and SIGHUP
cp "$V1" "$PLUGINS/example.so"
kill -HUP "$BROKER_PID"
check "SIGHUP: /providers lists the new plugin" wait_for has_example 1.0.0
check "SIGHUP: its display name and plugin" eq "$(provider example | jq -c '[.display_name, .plugin]')" '["Example","example"]'
check "SIGHUP: reloaded on the loop, one summary line" wait_for bash -c "grep -q 'plugins reloaded from .*: 1 loaded, 0 replaced, 0 unloaded, 0 skipped, 2 unchanged' '$LOG'"

# ---- instances of the new provider with imported tokens (refreshed at the fake Google)
IIDS=()
for n in 1 2 3 4; do
    admin POST /instances "{\"service\":\"probe\",\"user_id\":\"u$n\",\"client_id\":\"gclient\",\"client_secret\":\"gsecret-1\"}"
    [[ "$STATUS" == 201 ]] || { check "instance $n created" false; it_done; }
    IIDS+=("$(jq -r .instance_id <<<"$BODY")")
    curl -s -X POST "$GOOGLE/_seed" -d "{\"client_id\":\"gclient\",\"refresh_token\":\"1//reload-$n\"}" >/dev/null
    admin POST /cache-tokens "{\"instance_id\":\"${IIDS[-1]}\",\"access_token\":\"imported-$n\",\"refresh_token\":\"1//reload-$n\",\"expires_in\":3600}"
done
check "setup: 4 instances of the example provider with tokens" eq "${#IIDS[@]},$STATUS" "4,200"
admin POST /oauth/refresh "{\"instance_id\":\"${IIDS[0]}\"}"
check "setup: a refresh through the example plugin works" jq_eq .outcome refreshed

# ---- the changed build copied over the loaded one while requests use it
curl -s -X POST "$GOOGLE/_mode" -d '{"delay_ms":600}' >/dev/null
# worker N: 8 rounds of a forced refresh (through the plugin, 600 ms at the fake) and the authorize redirect
worker() {
    local iid="$1" out="$2" code i
    for i in $(seq 1 8); do
        code="$(curl -s -o "$out.body" -w '%{http_code}' --max-time 15 -X POST -H "authorization: Bearer $ADMIN_KEY" \
            -H 'content-type: application/json' --data-binary "{\"instance_id\":\"$iid\"}" "$BROKER/oauth/refresh")"
        if [[ "$code" == 200 && "$(jq -r .outcome "$out.body" 2>/dev/null)" == refreshed ]]; then
            echo "ok refresh" >>"$out"
        else
            echo "FAIL refresh $i: $code $(head -c 300 "$out.body")" >>"$out"
        fi
        code="$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' --max-time 15 "$BROKER/oauth/authorize?instance_id=$iid")"
        if [[ "$code" == "302 $GOOGLE/o/oauth2/v2/auth?"* ]]; then
            echo "ok authorize" >>"$out"
        else
            echo "FAIL authorize $i: $code" >>"$out"
        fi
    done
}
WORKERS=()
for n in 0 1 2 3; do
    worker "${IIDS[$n]}" "$IT_DIR/load-$n.txt" &
    WORKERS+=("$!")
done
refreshes() { curl -s --max-time 5 "$GOOGLE/_stats" | jq -r .refresh_calls; }
before="$(refreshes)"
sleep 1
# a refresh has reached the fake since (and waits there 600 ms): the swap happens while it is in flight
wait_for bash -c "(( \$(curl -s --max-time 5 '$GOOGLE/_stats' | jq -r .refresh_calls) > $before ))"
cp "$V2" "$PLUGINS/example.so" # over the loaded file, in place
kill -HUP "$BROKER_PID"
check "under load: /providers shows the new build at once" wait_for has_example 2.0.0
check "under load: with its display name" eq "$(provider example | jq -r .display_name)" "Example (second build)"
for pid in "${WORKERS[@]}"; do wait "$pid"; done
curl -s -X POST "$GOOGLE/_mode" -d '{"delay_ms":0}' >/dev/null
total="$(cat "$IT_DIR"/load-*.txt | grep -c '^ok')"
failed="$(cat "$IT_DIR"/load-*.txt | grep '^FAIL' || true)"
echo "# load: $total requests answered as expected, $(grep -c . <<<"$failed") failed, across the swap"
check "under load: zero failed requests (64 = 4 workers x 8 x refresh + authorize)" eq "$total,${failed:-none}" "64,none"
check "under load: the swap happened while refreshes of the old build were in flight" \
    grep -q "1 replaced, 0 unloaded, 0 skipped, 2 unchanged; 3 provider(s); 1 old version(s) still in use" "$LOG"
check "under load: the old build is unloaded once its last request ended" \
    wait_for grep -q "plugin example.so (example 1.0.0): old version unloaded" "$LOG"
check "metrics: no old version left in use" \
    bash -c "curl -s '$BROKER/metrics' | grep -qx 'oauth_broker_plugins_retired 0'"
admin POST /oauth/refresh "{\"instance_id\":\"${IIDS[1]}\"}"
check "after the swap: refreshes run on the new build" jq_eq .outcome refreshed

# ---- a consent started under one build, its callback answered after a reload put the other one in place
http GET "$BROKER/oauth/authorize?instance_id=${IIDS[3]}"
http GET "$(header location)"
rid="$(grep -o 'name="rid" value="[^"]*"' <<<"$BODY" | cut -d'"' -f4)"
cb="$(curl -s -o /dev/null -w '%{redirect_url}' --max-time 10 -X POST "$GOOGLE/o/oauth2/consent" --data "rid=$rid&decision=approve")"
cp "$V1" "$PLUGINS/example.so.new" && mv "$PLUGINS/example.so.new" "$PLUGINS/example.so"
admin POST /providers/reload
check "consent across a reload: the plugin replaced meanwhile" jq_eq '.replaced[0].version' 1.0.0
http GET "$cb"
check "consent across a reload: the callback connects the instance" bash -c '[[ "$0" == 200 ]]' "$STATUS"
admin GET "/instances/${IIDS[3]}"
check "consent across a reload: instance active, authorization completed" jq_eq '[.status,.oauth_status]|join(",")' "active,completed"

# ---- the admin call: refused without the admin key, nothing changed
rm "$PLUGINS/github.so"
http POST "$BROKER/providers/reload"
check "admin reload: 401 without the admin key" bash -c '[[ "$0" == 401 && -n "$(jq -r .code <<<"$1")" ]]' "$STATUS" "$BODY"
http POST "$BROKER/providers/reload" "" "authorization: Bearer not-the-key"
check "admin reload: 401 with a wrong key" eq "$STATUS" 401
check "admin reload refused: nothing changed" eq "$(names)" '["example","github","google"]'

# ---- the admin call: a removed plugin is unloaded
admin POST /providers/reload
check "admin reload: 200, github.so unloaded" bash -c '[[ "$0" == 200 && "$(jq -c "[.unloaded[].file, .unloaded[].plugin, (.loaded|length), (.replaced|length), (.skipped|length), .unchanged]" <<<"$1")" == "[\"github.so\",\"github\",0,0,0,2]" ]]' "$STATUS" "$BODY"
check "admin reload: /providers no longer lists github" eq "$(names)" '["example","google"]'

# ---- bad files: skipped with one line each, the loaded versions stay
head -c 4096 /dev/urandom >"$PLUGINS/zz_garbage.so"
cp "$ABI99" "$PLUGINS/abi99.so"
cp "$PLUGINS/google.so" "$IT_DIR/google.so.good"
printf 'not an ELF file\n' >"$PLUGINS/google.so"
admin POST /providers/reload
check "bad files: 200, three skipped, nothing else changed" bash -c '[[ "$0" == 200 && "$(jq -c "[(.skipped|map(.file)|sort), (.loaded|length), (.replaced|length), (.unloaded|length)]" <<<"$1")" == "[[\"abi99.so\",\"google.so\",\"zz_garbage.so\"],0,0,0]" ]]' "$STATUS" "$BODY"
check "bad files: the reasons" bash -c 'jq -e ".skipped | map(select(.file == \"abi99.so\"))[0].reason | test(\"built for provider ABI 99\")" <<<"$0" >/dev/null && jq -e ".skipped | map(select(.file == \"zz_garbage.so\"))[0].reason | test(\"not a loadable shared object\")" <<<"$0" >/dev/null' "$BODY"
check "bad files: one log line each" eq "$(lines "plugin zz_garbage.so skipped"),$(lines "plugin abi99.so skipped: built for provider ABI 99"),$(lines "plugin google.so skipped: not a loadable shared object")" "1,1,1"
check "bad files: the loaded google stays" bash -c 'grep -q "plugin google.so skipped: .* (version [^ ]* stays loaded)" "$0"' "$LOG"
check "bad files: /providers unchanged" eq "$(names)" '["example","google"]'
admin POST /oauth/refresh "{\"instance_id\":\"${IIDS[2]}\"}"
check "bad files: the other providers answer" jq_eq .outcome refreshed
cp "$IT_DIR/google.so.good" "$PLUGINS/google.so" # a new inode, the same build
rm "$PLUGINS/zz_garbage.so" "$PLUGINS/abi99.so"
admin POST /providers/reload
check "the same build copied again: no change" bash -c '[[ "$0" == 200 && "$(jq -c "[(.loaded|length), (.replaced|length), (.unloaded|length), (.skipped|length), .unchanged]" <<<"$1")" == "[0,0,0,0,2]" ]]' "$STATUS" "$BODY"

# ---- a provider whose plugin is gone (obctl providers reload): its instances get a clear error
rm "$PLUGINS/example.so"
OBCTL=("$IT_BUILD/tools/obctl/obctl" --url "$BROKER")
"${OBCTL[@]}" --key-file "$IT_DIR/nokey" providers reload >"$IT_DIR/obctl.out" 2>&1
check "obctl providers reload: exit 5 without an admin key, nothing changed" eq "$?,$(names)" '5,["example","google"]'
"${OBCTL[@]}" --key-file "$IT_DIR/keys/admin.key" providers reload >"$IT_DIR/obctl.out" 2>&1
check "obctl providers reload: exit 0, the unloaded plugin and the counts" bash -c '[[ "$0" == 0 ]] && grep -qE "^unloaded +example.so +example 1.0.0$" "$1" && grep -qx "unchanged: 1  providers: 1  old versions in use: 0" "$1"' "$?" "$IT_DIR/obctl.out"
check "removed: /providers no longer lists example" eq "$(names)" '["google"]'
http GET "$BROKER/oauth/authorize?instance_id=${IIDS[0]}"
check "removed: authorize answers 503 provider_unavailable" bash -c '[[ "$0" == 503 && "$1" == *provider_unavailable* ]]' "$STATUS" "$BODY"
admin POST /oauth/refresh "{\"instance_id\":\"${IIDS[0]}\"}"
check "removed: a refresh answers an error, not a crash" bash -c '[[ "$0" =~ ^[45][0-9][0-9]$ || "$(jq -r .outcome <<<"$1")" != refreshed ]] && [[ -n "$(jq -r ".code // .outcome" <<<"$1")" ]]' "$STATUS" "$BODY"
check "removed: the broker is up" bash -c "curl -fsS -o /dev/null '$BROKER/health'"

http GET "$BROKER/metrics"
check "metrics: reloads by outcome" bash -c 'grep -q "^oauth_broker_plugin_reloads_total{outcome=\"ok\"} [1-9]" <<<"$0" && grep -q "^oauth_broker_plugin_reloads_total{outcome=\"partial\"} 1$" <<<"$0" && grep -q "^oauth_broker_plugin_reload_changes_total{change=\"replaced\"} 2$" <<<"$0"' "$BODY"
it_done
