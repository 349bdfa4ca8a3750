#!/usr/bin/env bash
# bench/broker/scale.sh - the broker at scale, two replicas on one PostgreSQL (not a test: numbers, no pass/fail):
#
#   vend 100       GET /instances/{id}/token, ids picked at random among 100 instances (all cached)
#   vend 100k      the same over BENCH_INSTANCES (100,000) instances, once (nearly) all of them are cached: warm-up
#                  passes in order over all ids (the first 10 s are reported as "first pass": every vend a cache
#                  miss, one query each)
#   propagation    BENCH_CHANGES (200) PATCHes inactive/active at replica A; replica B is vended in a tight loop
#                  until it answers accordingly: p50 / p99 of A's commit -> B's first answer that reflects it
#
# The instances are bulk-loaded with COPY (bench/broker/scale-tools.mjs seals each token as the broker does); they
# are announced by the change triggers like any other write. Everything on this machine: the embedded PostgreSQL
# (scripts/lib/pg.sh, database ob_bench_scale, dropped at the end), two brokers of a Release build (log level warn,
# database.pool_size 4, oauth.instance_cache_max_entries 200000), wrk, node. Rounds of vend 100 / vend 100k are
# interleaved; the median round is reported.
#
# Environment: BENCH_BUILD_DIR (default build-bench-scale), BENCH_INSTANCES (default 100000), BENCH_DURATION (s,
# default 8), BENCH_CONNECTIONS (default 50), BENCH_THREADS (default 2), BENCH_ROUNDS (default 3), BENCH_CHANGES
# (default 200), BENCH_CHANGE_NOTIFY (oauth.change_notify of both brokers, default true; false = the lifetime only,
# as before change notifications), BENCH_PERF=100|all (perf profile of broker A during the rounds over 100 ids or over
# all of them: /tmp/ob-bench-scale-perf-100.txt, -all.txt).
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/common.sh"
# shellcheck source=bench/broker/lib.sh
source "$OB_ROOT/bench/broker/lib.sh"
bench_init ob-bench-scale

build="${BENCH_BUILD_DIR:-$OB_ROOT/build-bench-scale}"
ninst="${BENCH_INSTANCES:-100000}"
duration="${BENCH_DURATION:-8}"
conns="${BENCH_CONNECTIONS:-50}"
threads="${BENCH_THREADS:-2}"
rounds="${BENCH_ROUNDS:-3}"
changes="${BENCH_CHANGES:-200}"
notify="${BENCH_CHANGE_NOTIFY:-true}"
((ninst >= 100 && ninst <= 1000000)) || ob_die "BENCH_INSTANCES must be 100..1000000"
((rounds >= 1 && rounds <= 10 && changes >= 2 && changes <= 10000)) || ob_die "bad BENCH_ROUNDS/BENCH_CHANGES"
[[ "$notify" == true || "$notify" == false ]] || ob_die "BENCH_CHANGE_NOTIFY must be true or false"
command -v wrk >/dev/null || ob_die "wrk is not installed (apt-get install wrk)"
bench_build "$build" Release bench-scale.log oauth-service provider_plugins ||
    ob_die "build failed (see $VAR_DIR/log/bench-scale.log)"
bench_db ob_bench_scale drop

aport="$(bench_port)"
bport="$(bench_port)"
gport="$(bench_port)" # nothing listens there: no provider call happens
mport="$(bench_port)" # nor there: pushes fail fast, and never reach a stack of scripts/run.sh
A="http://127.0.0.1:$aport"
B="http://127.0.0.1:$bport"
bench_keys
bench_registry "$A"
more="\"oauth\": {\"instance_cache_max_entries\": 200000, \"change_notify\": $notify},
 \"push\": {\"urls\": {\"gmail\": \"http://127.0.0.1:$mport\"}, \"retries\": 0}"
bench_broker_config "$build" "$bport" "$gport" 4 warn "$more"
mv "$work/broker.json" "$work/broker-b.json"
bench_broker_config "$build" "$aport" "$gport" 4 warn "$more"
bench_broker "$build"
a_pid="$broker_pid"
DATABASE_URL="$db_url" "$build/oauth-service/oauth-service" --config "$work/broker-b.json" run >"$work/broker-b.log" 2>&1 &
pids+=("$!")
bench_wait_http "$B/health" || ob_die "broker B did not start"

# ---- the instances
t0="$(date +%s%3N)"
node "$OB_ROOT/bench/broker/scale-tools.mjs" seed "$work/keys/data.keys" "$ninst" "$work/ids.txt" "$work/inst.tsv" "$work/cred.tsv"
psql -X -q "$db_url" -v ON_ERROR_STOP=1 \
    -c "\\copy mcp_service_table (instance_id, user_id, service_name, status, oauth_status, mcp_key_hash) FROM '$work/inst.tsv'" \
    -c "\\copy mcp_credentials (instance_id, client_id, access_token_enc, access_token_key_id, token_expires_at, token_type) FROM '$work/cred.tsv'" \
    -c "ANALYZE mcp_service_table, mcp_credentials"
load_ms=$(($(date +%s%3N) - t0))
id0="$(head -1 "$work/ids.txt")"
code="$(curl -s -o "$work/vend.json" -w '%{http_code}' -H "authorization: Bearer $bearer" -H 'x-mcp-service: gmail' "$A/instances/$id0/token")"
[[ "$code" == 200 && "$(jq -r .access_token "$work/vend.json")" == bulk-token-0 ]] || ob_die "a bulk-loaded instance does not vend ($code)"

# run_wrk N ORDER SECONDS: prints "rps p99_ms errors cpu_us" of vends over the first N ids (0 = all); cpu_us: broker
# A's CPU time per answered request (user + system), which leaves out what the load generator on the same cores costs
# (wrk's Lua walks a table of N ids: with 100,000 its own cache misses slow the run too)
tick_us=$((1000000 / $(getconf CLK_TCK)))
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
run_wrk() {
    local out t0 t1 perf_pid="" name=all
    ((${1} > 0)) && name="$1"
    if [[ "${BENCH_PERF:-}" == "$name" && "${profiling:-0}" == 1 ]] && command -v perf >/dev/null; then
        perf record -F 999 --call-graph dwarf -p "$a_pid" -o "/tmp/ob-bench-scale-perf-$name.data" -- sleep "$3" \
            >/dev/null 2>&1 &
        perf_pid=$!
    fi
    t0="$(cpu_ticks "$a_pid")"
    out="$(VEND_IDS="$work/ids.txt" VEND_N="$1" VEND_ORDER="$2" VEND_THREADS="$threads" VEND_SKIP="${skip:-0}" \
        wrk -t"$threads" -c"$conns" -d"${3}s" --latency -s "$OB_ROOT/bench/broker/vend-ids.lua" \
        -H "authorization: Bearer $bearer" -H 'x-mcp-service: gmail' "$A")"
    t1="$(cpu_ticks "$a_pid")"
    if [[ -n "$perf_pid" ]]; then
        wait "$perf_pid" || true
        perf report -i "/tmp/ob-bench-scale-perf-$name.data" --stdio --no-children --sort dso,sym -g none \
            >"/tmp/ob-bench-scale-perf-$name.txt" 2>/dev/null || true
    fi
    awk -v cpu=$(((t1 - t0) * tick_us)) '/requests in/ {n=$1} /Requests\/sec/ {rps=$2} /^ +99%/ {p=$2} /Non-2xx/ {e=$5} END {
        v=p+0; if (p ~ /us$/) v/=1000; else if (p ~ /[^m]s$/) v*=1000; printf "%.0f %.2f %d %.1f\n", rps, v, e+0, (n > 0 ? cpu / n : 0)}' <<<"$out"
}
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# warm-up: the 100 first, then passes in order over all until (nearly) every instance is cached (at most 40 passes
# of 10 s); the first pass is what vending costs while every vend is a miss
run_wrk 100 rand 2 >/dev/null
first="$(run_wrk 0 seq 10)"
for _ in $(seq 1 40); do
    cached="$(curl -s "$A/health" | jq -r .instance_cache.entries)"
    ((cached * 100 >= ninst * 99)) && break
    skip=$((cached / threads)) # roughly where the last passes stopped
    run_wrk 0 seq 10 >/dev/null
done
cached="$(curl -s "$A/health" | jq -r .instance_cache.entries)"
declare -a r100=() rall=()
profiling=1
for _ in $(seq 1 "$rounds"); do
    r100+=("$(run_wrk 100 rand "$duration")")
    rall+=("$(run_wrk 0 rand "$duration")")
done
median() { printf '%s\n' "$@" | sort -n -k1 | sed -n "$(( ($# + 1) / 2 ))p"; }
m100="$(median "${r100[@]}")"
mall="$(median "${rall[@]}")"
rss_a="$(rss_kb "$a_pid")"

# ---- propagation A -> B (B caches the instance first)
curl -s -o /dev/null -H "authorization: Bearer $bearer" -H 'x-mcp-service: gmail' "$B/instances/$id0/token"
prop="$(node "$OB_ROOT/bench/broker/scale-tools.mjs" propagate "$A" "$B" "$admin_key" "$bearer" "$id0" "$changes")"

read -r rps100 p99100 e100 cpu100 <<<"$m100"
read -r rpsall p99all eall cpuall <<<"$mall"
read -r rpsfirst p99first efirst cpufirst <<<"$first"
echo
echo "## Broker at scale ($(nproc) cores, $(uname -r), change_notify $notify; $ninst instances bulk-loaded in $load_ms ms)"
echo
echo "| measure | req/s | p99 ms | non-2xx | broker CPU per vend (µs) |"
echo "|---|---:|---:|---:|---:|"
echo "| vend over 100 ids | $rps100 | $p99100 | $e100 | $cpu100 |"
echo "| vend over $ninst ids (cached: $cached) | $rpsall | $p99all | $eall | $cpuall |"
echo "| first pass over $ninst ids (each a miss) | $rpsfirst | $p99first | $efirst | $cpufirst |"
echo
echo "vend over $ninst ids / over 100 ids: $(awk -v a="$rpsall" -v b="$rps100" 'BEGIN {printf "%.0f %%", 100 * a / b}'); broker A RSS $((rss_a / 1024)) MB"
echo
echo "propagation A -> B over $changes changes: $(jq -r '"p50 \(.p50_ms) ms, p99 \(.p99_ms) ms, max \(.max_ms) ms, timeouts (> 2 s) \(.timeouts)"' <<<"$prop")"
echo "rounds (rps p99 errors cpu_us): 100: ${r100[*]} | all: ${rall[*]}"
