#!/usr/bin/env bash
# vend_db_outage.sh - vending through a PostgreSQL outage: 4 instances with valid tokens are vended (cached), then
# the database is stopped for ~10 s under bounded vend load (4 loops, each at most 2000 vends) with the instance
# cache TTL at its 2 s default:
#  - zero 5xx, every vend 200 for the cached instances (stale-if-error from memory), before, during and after;
#  - an instance never read gets 503 database_unavailable meanwhile (a 5th loop vends it while the database is away);
#  - /health says so: 200 (still serving), status degraded, database.ok false, instance_cache.stale_served > 0;
#  - the log is not flooded by the refused vends (flood control: their warning at most once per second);
#  - the database back: /health 200, the instance never read is vended, writes work.
# It runs its own PostgreSQL cluster (scripts/lib/pg.sh with a private VAR_DIR and port), because it stops it:
# the shared test cluster stays untouched.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

it_setup_private_pg dbout
LOAD_PIDS=()
dbout_cleanup() {
    local p
    for p in "${LOAD_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    it_cleanup
}
trap dbout_cleanup EXIT

it_gmail_registry 49296
# no provider is ever called (the tokens stay valid); pushes go to a port of this test nobody listens on
it_broker_config "$(it_free_port)" "{
  \"database\": {\"pool_size\": 4, \"query_timeout_ms\": 2000, \"health_timeout_ms\": 1000}, \"log_level\": \"info\",
  \"refresh\": {\"enabled\": false},
  \"push\": {\"retries\": 0, \"urls\": {\"gmail\": \"http://127.0.0.1:$(it_free_port)\"}},
  \"providers\": {\"google\": {\"authorization_endpoint\": \"http://127.0.0.1:9/auth\",
                             \"token_endpoint\": \"http://127.0.0.1:9/token\"}}}"
it_broker "$IT_DIR/broker.json" || exit 1

vend() { http GET "$BROKER/instances/$1/token" "" "authorization: Bearer $GMAIL_BEARER" "x-mcp-service: gmail"; }
new_instance() { # -> IID, with an imported token valid for 1 h
    admin POST /instances '{"service":"gmail","user_id":"u1","client_id":"gclient","client_secret":"gsecret-1"}'
    IID="$(jq -r .instance_id <<<"$BODY")"
    admin POST /cache-tokens "{\"instance_id\":\"$IID\",\"access_token\":\"at-$RANDOM$RANDOM\",\"expires_in\":3600}"
}
IDS=()
for _ in 1 2 3 4; do
    new_instance
    IDS+=("$IID")
    vend "$IID"
    check "setup: instance vended (cached)" eq "$STATUS" 200
done
new_instance
NEVER="$IID" # created, never vended: not in the cache
http GET "$BROKER/health"
check "setup: /health 200 ok" eq "$STATUS,$(jq -r .status <<<"$BODY")" "200,ok"

# load LOOP_ID [STOPFILE [ID]]: vends the cached instances round robin (or ID) until STOPFILE exists, at most 2000
# times; "<ms> <status>" lines in $IT_DIR/load.LOOP_ID
load() {
    local n=0 code id
    while [[ ! -e "$IT_DIR/${2:-stop}" && $n -lt 2000 ]]; do
        id="${3:-${IDS[$(((n + $1) % 4))]}}"
        code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "authorization: Bearer $GMAIL_BEARER" \
            -H "x-mcp-service: gmail" "$BROKER/instances/$id/token")"
        printf '%s %s\n' "$(date +%s%3N)" "$code" >>"$IT_DIR/load.$1"
        n=$((n + 1))
    done
}
for l in 0 1 2 3; do
    load "$l" &
    LOAD_PIDS+=("$!")
done
sleep 1
log_before="$(wc -l <"$IT_DIR/broker.log")"
stopped_at="$(date +%s%3N)"
pg_stop >>"$IT_DIR/pg.log" 2>&1
load never never "$NEVER" &
NEVER_PID=$!
LOAD_PIDS+=("$NEVER_PID")
sleep 5
vend "$NEVER"
check "outage: an instance never read -> 503 database_unavailable" eq "$STATUS,$(jq -r .code <<<"$BODY")" "503,database_unavailable"
http GET "$BROKER/health"
check "outage: /health 200, status degraded, database not ok, stale answers counted" bash -c '[[ "$0" == 200 ]] && jq -e ".status == \"degraded\" and .database.ok == false and .instance_cache.stale_served > 0" <<<"$1" >/dev/null' "$STATUS" "$BODY"
sleep 5
touch "$IT_DIR/never"
wait "$NEVER_PID"
LOAD_PIDS=("${LOAD_PIDS[@]:0:4}")
pg_start >>"$IT_DIR/pg.log" 2>&1
started_at="$(date +%s%3N)"
log_lines=$(( $(wc -l <"$IT_DIR/broker.log") - log_before ))
ok=0
for _ in $(seq 1 50); do
    http GET "$BROKER/health"
    [[ "$STATUS" == 200 && "$(jq -r .status <<<"$BODY")" == ok ]] && ok=1 && break
    sleep 0.2
done
check "back: /health 200 status ok again" eq "$ok" 1
sleep 1
touch "$IT_DIR/stop"
wait "${LOAD_PIDS[@]}"
LOAD_PIDS=()
cat "$IT_DIR"/load.[0-3] >"$IT_DIR/load.all"
never_n="$(wc -l <"$IT_DIR/load.never")"
never_503="$(awk '$2 == 503' "$IT_DIR/load.never" | wc -l)"
total="$(wc -l <"$IT_DIR/load.all")"
during="$(awk -v a="$stopped_at" -v b="$started_at" '$1 >= a && $1 <= b' "$IT_DIR/load.all" | wc -l)"
bad="$(awk '$2 != 200' "$IT_DIR/load.all" | wc -l)"
fivexx="$(awk '$2 >= 500 || $2 == "000"' "$IT_DIR/load.all" | wc -l)"
echo "# $total vends, $during while the database was stopped ($(( started_at - stopped_at )) ms); $fivexx 5xx; never-read instance: $never_503 of $never_n vends 503; $log_lines log lines meanwhile"
check "load: at least 200 vends while the database was stopped" test "$during" -ge 200
check "load: zero 5xx (or failed connections) for the cached instances" eq "$fivexx" 0
check "load: every vend 200" eq "$bad" 0
check "the never-read instance: every vend during the outage 503" bash -c '[[ "$0" -ge 20 && "$0" == "$1" ]]' "$never_n" "$never_503"
# the refusals came from the 5th loop (over its own span) and the one check above
secs=$(( ($(tail -n 1 "$IT_DIR/load.never" | cut -d' ' -f1) - $(head -n 1 "$IT_DIR/load.never" | cut -d' ' -f1) + 999) / 1000 + 2 ))
refused_lines="$(grep -c "loading an instance for vending: database" "$IT_DIR/broker.log")"
check "log: the refused vends' warning at most once per second ($refused_lines lines for $never_503 refusals in $secs s)" bash -c '[[ "$0" -le "$1" && "$2" -ge $(( 3 * $1 )) ]]' "$refused_lines" "$secs" "$never_503"
check "log: repeated lines folded with a count" grep -q "folded=" "$IT_DIR/broker.log"
vend "$NEVER"
check "back: the instance never read is vended" eq "$STATUS" 200
admin POST /instances '{"service":"gmail","user_id":"u2","client_id":"gclient","client_secret":"gsecret-1"}'
check "back: writes work" eq "$STATUS" 201
check "no sanitizer report in the broker log" bash -c '! grep -q -E "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$0"' "$IT_DIR/broker.log"
it_done
