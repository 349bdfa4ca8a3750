#!/usr/bin/env bash
# db_failover.sh - the broker through a PostgreSQL failover. A primary and a streaming standby made with
# pg_basebackup (synchronous replication: a commit is acknowledged once the standby flushed it), the broker with
# both in DATABASE_URL (postgresql://...@127.0.0.1:P1,127.0.0.1:P2/db?target_session_attrs=read-write). Under a
# bounded load (2 loops vending 4 cached instances, 1 loop of writes: instance creation + token import through the
# admin API, /health polled every 100 ms), the primary is stopped (immediate: a crash) while 6 refreshes are in
# flight at the fake Google (each answers after 4 s), and the standby is promoted 4 s later:
#  - every vend of the cached instances is 200, before, during and after (served from memory);
#  - a write in flight or made during the outage is answered 503 with a JSON code within its query timeout, never
#    hangs; writes answered 2xx before and after all exist on the new primary (the imported token vended back);
#  - /health reports the outage (database.ok false, status degraded, 200 since instances are cached; 503 unavailable
#    from a second broker over the same pair that has nothing cached) and then ok again, without a restart: the pools
#    reconnect by themselves to the new primary;
#  - single flight across the failover: exactly one upstream refresh per instance (6), each stored on the new
#    primary and vended.
# It runs its own two clusters (scripts/lib/pg.sh with a private VAR_DIR), the shared test cluster stays untouched.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

it_setup_private_pg failover
STANDBY="$PG_DIR/standby"
SPORT="$(it_free_port)"
LOAD_PIDS=()
fo_cleanup() {
    local p
    for p in "${LOAD_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    pg_stop_data "$STANDBY" immediate >/dev/null 2>&1 || true
    it_cleanup
}
trap fo_cleanup EXIT

pg_standby_create "$STANDBY" "$SPORT" ob_standby >>"$IT_DIR/pg.log" 2>&1 || {
    cat "$IT_DIR/pg.log"
    exit 1
}
pg_sync_standby ob_standby
NEW_PRIMARY_URL="$(pg_url_hosts oauth_broker "$SPORT")"
IT_DB_URL="$(pg_url_hosts oauth_broker "$OB_PG_PORT" "$SPORT")"
check "setup: the standby is synchronous" eq "$(pg_psql -A -t -c "SELECT sync_state FROM pg_stat_replication")" sync

it_google_fake || exit 1
# pushes go to a port of this test nobody listens on; the background refresher is off: refreshes come from vends
it_google_broker "{\"database\": {\"query_timeout_ms\": 2000, \"health_timeout_ms\": 1000},
  \"oauth\": {\"instance_cache_ttl_ms\": 2000}, \"refresh\": {\"enabled\": false},
  \"push\": {\"retries\": 0, \"urls\": {\"gmail\": \"http://127.0.0.1:$(it_free_port)\"}}}" || exit 1

vend() { http GET "$BROKER/instances/$1/token" "" "authorization: Bearer $GMAIL_BEARER" "x-mcp-service: gmail"; }
gstat() { curl -s "$GOOGLE/_stats" | jq -r "$1"; }
# new_instance EXPIRES_IN [REFRESH_TOKEN] -> IID, with an imported access token AT
new_instance() {
    admin POST /instances '{"service":"gmail","user_id":"u1","client_id":"gclient","client_secret":"gsecret-1"}'
    IID="$(jq -r .instance_id <<<"$BODY")"
    AT="at-$RANDOM$RANDOM"
    admin POST /cache-tokens "{\"instance_id\":\"$IID\",\"access_token\":\"$AT\",\"expires_in\":$1${2:+,\"refresh_token\":\"$2\"}}"
}
CACHED=()
for _ in 1 2 3 4; do
    new_instance 3600
    CACHED+=("$IID")
    vend "$IID"
    check "setup: instance vended (cached)" eq "$STATUS" 200
done
# tokens inside the refresh margin (300 s): a vend serves them and starts a background refresh
REFRESHING=()
declare -A OLD_AT
for i in 1 2 3 4 5 6; do
    rt="rt-$i-$RANDOM$RANDOM"
    curl -s -X POST "$GOOGLE/_seed" -d "{\"client_id\":\"gclient\",\"refresh_token\":\"$rt\"}" >/dev/null
    new_instance 200 "$rt"
    check "setup: token with a refresh token imported" eq "$STATUS" 200
    REFRESHING+=("$IID")
    OLD_AT[$IID]="$AT"
done
check "setup: no refresh so far" eq "$(gstat .refresh_calls)" 0
# a second broker over the same servers that serves nothing (nothing cached): its /health goes 503 during the outage
B2="http://127.0.0.1:$(it_free_port)"
jq --arg b "$B2" '.listen.port = ($b | split(":")[2] | tonumber) | .base_url = $b' "$IT_DIR/broker.json" >"$IT_DIR/broker2.json"
it_start broker2 env -u OB_DATA_KEYS -u VAR_DIR -u OB_KEYS_DIR DATABASE_URL="$IT_DB_URL" "${IT_WRAP[@]}" \
    "$IT_BUILD/oauth-service/oauth-service" --config "$IT_DIR/broker2.json" run
for _ in $(seq 1 $((150 * IT_WAIT_SCALE))); do
    curl -fsS -o /dev/null --max-time 2 "$B2/health" 2>/dev/null && break
    sleep 0.1
done
http GET "$B2/health"
check "setup: the second broker is up, /health 200 ok" eq "$STATUS,$(jq -r .status <<<"$BODY")" "200,ok"
http GET "$BROKER/health"
check "setup: /health 200 ok over the primary" eq "$STATUS,$(jq -r .status <<<"$BODY")" "200,ok"

# the load (tests/fakes/broker-load.mjs): 2 loops vending the cached instances (2 ms apart), 1 loop of writes
# (instance creation + token import, 20 ms apart), each until $IT_DIR/stop (at most 15000 vends / 1500 writes);
# /health every 100 ms (at most 600)
load() { PAUSE_MS="$4" BROKER="$BROKER" BEARER="$GMAIL_BEARER" ADMIN_KEY="$ADMIN_KEY" IDS="$(IFS=,; echo "${CACHED[*]}")" \
    node "$IT_FAKES/broker-load.mjs" "$1" "$IT_DIR/$2" "$IT_DIR/stop" "$3"; }
health() { # health BASE NAME: "<ms> <code> <status> <database.ok>" lines in $IT_DIR/NAME
    local n=0
    while [[ ! -e "$IT_DIR/stop" && $n -lt 600 ]]; do
        curl -s --max-time 3 "$1/health" -o "$IT_DIR/$2.body" -w '%{http_code}' >"$IT_DIR/$2.code"
        printf '%s %s %s\n' "$(date +%s%3N)" "$(cat "$IT_DIR/$2.code")" \
            "$(jq -r '"\(.status) \(.database.ok)"' "$IT_DIR/$2.body" 2>/dev/null || echo "- -")" >>"$IT_DIR/$2"
        sleep 0.1
        n=$((n + 1))
    done
}
load vend vends.0 15000 2 &
LOAD_PIDS+=("$!")
load vend vends.1 15000 2 &
LOAD_PIDS+=("$!")
load write writes 1500 20 &
LOAD_PIDS+=("$!")
health "$BROKER" health &
LOAD_PIDS+=("$!")
health "$B2" health2 &
LOAD_PIDS+=("$!")
# under way: both vend loops answered and 5 writes acknowledged (node starts slowly on a busy machine; at most 20 s)
for _ in $(seq 1 200); do
    [[ -s "$IT_DIR/vends.0" && -s "$IT_DIR/vends.1" && -s "$IT_DIR/health" &&
        $(awk '$2 == "import" && $3 ~ /^2/' "$IT_DIR/writes" 2>/dev/null | wc -l) -ge 5 ]] && break
    sleep 0.1
done

# 6 refreshes in flight at the provider (each answers after 4 s) when the primary goes away
curl -s -X POST "$GOOGLE/_mode" -d '{"delay_ms": 4000}' >/dev/null
for id in "${REFRESHING[@]}"; do
    vend "$id"
    check "refreshing: the valid token inside the margin is served (refresh in the background)" eq "$STATUS" 200
done
stopped_at="$(date +%s%3N)"
pg_stop_data "$PG_DATA" immediate >>"$IT_DIR/pg.log" 2>&1
check "the primary is down" bash -c '! pg_isready -q -h 127.0.0.1 -p "$0"' "$OB_PG_PORT"
# vends of the refreshing instances during the outage: served from memory, no second refresh
sleep 2
for id in "${REFRESHING[@]}"; do vend "$id"; done
sleep 2
promoted_at="$(date +%s%3N)"
pg_promote "$STANDBY" >>"$IT_DIR/pg.log" 2>&1
check "the standby is promoted" eq "$(psql -X -A -t "$NEW_PRIMARY_URL" -c 'SELECT pg_is_in_recovery()')" f

ok_at=0
for _ in $(seq 1 150); do
    http GET "$BROKER/health"
    if [[ "$STATUS" == 200 && "$(jq -r .status <<<"$BODY")" == ok ]]; then
        ok_at="$(date +%s%3N)"
        break
    fi
    sleep 0.1
done
check "back: /health 200 ok again within 15 s of the promotion, by itself" test "$ok_at" -gt 0
# more writes on the new primary (5 acknowledged creations, at most 15 s), then the load stops
for _ in $(seq 1 150); do
    [[ $(awk -v b="$promoted_at" '$1 > b && $2 == "create" && $3 ~ /^2/' "$IT_DIR/writes" | wc -l) -ge 5 ]] && break
    sleep 0.1
done
sleep 1
touch "$IT_DIR/stop"
wait "${LOAD_PIDS[@]}"
LOAD_PIDS=()

# ---- vends of the cached instances
cat "$IT_DIR"/vends.[01] >"$IT_DIR/vends.all"
total="$(wc -l <"$IT_DIR/vends.all")"
during="$(awk -v a="$stopped_at" -v b="$ok_at" '$1 >= a && $1 <= b' "$IT_DIR/vends.all" | wc -l)"
bad="$(awk '$2 != 200' "$IT_DIR/vends.all" | wc -l)"
echo "# cached vends: $total, $during during the outage ($((ok_at - stopped_at)) ms from the stop to /health ok, $((ok_at - promoted_at)) ms after the promotion), $bad not 200"
check "vends: at least 50 while no primary was up" test "$during" -ge 50
check "vends: every vend of a cached instance 200, before, during and after" eq "$bad" 0

# ---- /health
outage_health="$(awk -v a="$stopped_at" -v b="$promoted_at" '$1 > a + 500 && $1 < b' "$IT_DIR/health")"
check "health: during the outage database.ok false, status degraded, 200 (cached instances served)" bash -c \
    '[[ -n "$0" ]] && ! grep -v -q " 200 degraded false$" <<<"$0"' "$outage_health"
check "health: ok again after the promotion (polled)" bash -c 'awk -v b="$1" '"'"'$1 > b && $3 == "ok"'"'"' "$0" | grep -q .' \
    "$IT_DIR/health" "$promoted_at"
outage_health="$(awk -v a="$stopped_at" -v b="$promoted_at" '$1 > a + 500 && $1 < b' "$IT_DIR/health2")"
check "health, broker with nothing cached: 503 unavailable during the outage" bash -c \
    '[[ -n "$0" ]] && ! grep -v -q " 503 unavailable false$" <<<"$0"' "$outage_health"
check "health, broker with nothing cached: 200 ok again after the promotion, by itself" bash -c \
    'awk -v b="$1" '"'"'$1 > b && $2 == 200 && $3 == "ok"'"'"' "$0" | grep -q .' "$IT_DIR/health2" "$promoted_at"
check "log: the pool reported the lost connections and reconnected" bash -c \
    'grep -q "reset" "$0" && grep -q "(re)established" "$0"' "$IT_DIR/broker.log"

# ---- writes
acked_c="$(awk '$2 == "create" && $3 ~ /^2/' "$IT_DIR/writes" | wc -l)"
acked_i="$(awk '$2 == "import" && $3 ~ /^2/' "$IT_DIR/writes" | wc -l)"
refused="$(awk '$3 !~ /^2/' "$IT_DIR/writes")"
after_c="$(awk -v b="$promoted_at" '$1 > b && $2 == "create" && $3 ~ /^2/' "$IT_DIR/writes" | wc -l)"
slowest="$(awk '{ if ($4 > m) m = $4 } END { print m + 0 }' "$IT_DIR/writes")"
echo "# writes: $acked_c creations and $acked_i imports acknowledged ($after_c creations after the promotion), $(grep -c . <<<"$refused") refused, slowest answer ${slowest} s"
echo "$refused" | awk 'NF { print "#   refused:", $2, $3, $5 }' | sort | uniq -c | head -5
check "writes: acknowledged before the stop and after the promotion" bash -c \
    '[[ $(awk -v a="$1" '"'"'$1 < a && $3 ~ /^2/'"'"' "$0" | wc -l) -ge 5 && "$2" -ge 5 ]]' "$IT_DIR/writes" "$stopped_at" "$after_c"
check "writes: every refused write is 503 with a JSON code" bash -c '! awk '"'"'NF && !($3 == 503 && $5 != "-")'"'"' <<<"$0" | grep -q .' "$refused"
check "writes: every answer within 6 s (query timeout 2 s; nothing hangs)" awk -v m="$slowest" 'BEGIN { exit !(m < 6) }'
ids="$(awk '$2 == "create" && $3 ~ /^2/ { printf "%s'"'"'%s'"'"'", (n++ ? "," : ""), $6 }' "$IT_DIR/writes")"
found="$(psql -X -A -t "$NEW_PRIMARY_URL" -c "SELECT count(*) FROM mcp_service_table WHERE instance_id IN ($ids)")"
check "writes: every acknowledged creation exists on the new primary ($found of $acked_c)" eq "$found" "$acked_c"
read -r checked lost < <(load verify writes 1 0)
check "writes: every acknowledged token import is vended back from the new primary ($lost of $checked lost)" \
    bash -c '[[ "$0" == "$1" && "$2" == 0 ]]' "$checked" "$acked_i" "$lost"

# ---- single flight across the failover
fresh=0
for id in "${REFRESHING[@]}"; do
    for _ in $(seq 1 40); do # the store of a refresh that outlived its connection is retried with backoff
        vend "$id"
        [[ "$STATUS" == 200 && "$(jq -r .access_token <<<"$BODY")" != "${OLD_AT[$id]}" ]] && break
        sleep 0.25
    done
    [[ "$STATUS" == 200 && "$(jq -r .access_token <<<"$BODY")" != "${OLD_AT[$id]}" ]] && fresh=$((fresh + 1))
done
check "refresh: every instance refreshed during the failover vends its new token" eq "$fresh" 6
check "refresh: exactly one upstream refresh per instance across the failover" eq "$(gstat .refresh_calls)" 6
check "refresh: the new tokens are stored on the new primary" eq \
    "$(psql -X -A -t "$NEW_PRIMARY_URL" -c "SELECT count(*) FROM mcp_credentials WHERE refresh_outcome_unknown_at IS NULL AND refresh_started_at IS NULL AND instance_id IN ($(printf "'%s'," "${REFRESHING[@]}" | sed 's/,$//')) AND token_expires_at > now() + interval '50 minutes'")" 6
it_done
