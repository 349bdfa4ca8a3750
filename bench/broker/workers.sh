#!/usr/bin/env bash
# bench/broker/workers.sh - broker throughput against the number of worker processes (listen.workers / --workers),
# measured in one run with wrk over loopback (not a test: numbers, no pass/fail).
#
#   vend       GET /instances/{id}/token   service bearer + X-MCP-Service, valid token served from memory
#   metadata   GET /.well-known/oauth-authorization-server   a bare route: a small JSON document from memory
#
# For each round and each worker count (BENCH_WORKER_COUNTS, default "1 2") the broker is started with that many
# workers (log level warn), warmed up, measured on both routes, and stopped; the median round is reported, with
# the RSS of all the broker's processes (supervisor + workers) after the round. Everything shares this machine's
# cores: wrk, the broker's workers, PostgreSQL (idle here: vend is served from memory) and the fake provider.
#
# Environment: BENCH_BUILD_DIR (default build-bench-broker, RelWithDebInfo), BENCH_DURATION (s, default 6),
# BENCH_CONNECTIONS (default 50), BENCH_THREADS (wrk threads, default 2), BENCH_ROUNDS (default 3),
# BENCH_WORKER_COUNTS (default "1 2").
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/common.sh"
# shellcheck source=bench/broker/lib.sh
source "$OB_ROOT/bench/broker/lib.sh"
bench_init ob-bench-workers

build="${BENCH_BUILD_DIR:-$OB_ROOT/build-bench-broker}"
duration="${BENCH_DURATION:-6}"
conns="${BENCH_CONNECTIONS:-50}"
threads="${BENCH_THREADS:-2}"
rounds="${BENCH_ROUNDS:-3}"
counts="${BENCH_WORKER_COUNTS:-1 2}"
((rounds >= 1 && rounds <= 20 && duration >= 1 && duration <= 120)) || ob_die "BENCH_ROUNDS 1..20, BENCH_DURATION 1..120"
command -v wrk >/dev/null || ob_die "wrk is not installed (apt-get install wrk)"
if ! bench_build "$build" RelWithDebInfo bench-broker.log oauth-service provider_plugins; then
    [[ -x "$build/oauth-service/oauth-service" ]] || ob_die "build failed (see $VAR_DIR/log/bench-broker.log)"
    ob_warn "build failed (see $VAR_DIR/log/bench-broker.log): measuring the binaries of the last successful build"
fi
bench_db ob_bench_workers drop

gport="$(bench_port)"
bport="$(bench_port)"
broker="http://127.0.0.1:$bport"
bench_keys
bench_registry "$broker"
bench_broker_config "$build" "$bport" "$gport" 4 warn
bench_fake_google "$gport"

# rss_kb PID: the RSS of PID and its children (the workers), kB
rss_kb() {
    local total=0 p
    for p in "$1" $(pgrep -P "$1" || true); do
        total=$((total + $(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
    done
    echo "$total"
}

stop_broker() {
    kill -TERM "$broker_pid" 2>/dev/null || true
    wait "$broker_pid" 2>/dev/null || true
}

# run_wrk URL [HEADER...]: prints "rps p99_ms non2xx3xx"
run_wrk() {
    local url="$1" out h
    shift
    local -a hs=()
    for h in "$@"; do hs+=(-H "$h"); done
    out="$(wrk -t"$threads" -c"$conns" -d"${duration}s" --latency "${hs[@]}" "$url")"
    local rps p99 bad
    rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
    p99="$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' <<<"$out")"
    bad="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")"
    printf '%s %s %s\n' "$rps" "$p99" "${bad:-0}"
}

# one authorized instance, made with a single-process broker (the database keeps it for every run below)
BENCH_WORKERS=1 bench_broker "$build"
bench_instance "$broker" "$gport"
stop_broker

declare -A results
for r in $(seq 1 "$rounds"); do
    for w in $counts; do
        BENCH_WORKERS="$w" bench_broker "$build"
        # warm-up: every worker's connections, caches and instance row
        wrk -t"$threads" -c"$conns" -d1s -H "authorization: Bearer $bearer" -H 'x-mcp-service: gmail' \
            "$broker/instances/$id/token" >/dev/null
        results[vend,$w,$r]="$(run_wrk "$broker/instances/$id/token" "authorization: Bearer $bearer" "x-mcp-service: gmail")"
        results[metadata,$w,$r]="$(run_wrk "$broker/.well-known/oauth-authorization-server")"
        results[rss,$w,$r]="$(rss_kb "$broker_pid")"
        stop_broker
        ob_say "round $r, $w worker(s): vend ${results[vend,$w,$r]%% *} metadata ${results[metadata,$w,$r]%% *} req/s, RSS $((${results[rss,$w,$r]} / 1024)) MB"
    done
done

median_row() { # median_row EP W -> the round with the median req/s: "rps p99 bad"
    local r
    for r in $(seq 1 "$rounds"); do printf '%s\n' "${results[$1,$2,$r]}"; done | sort -n -k1,1 | sed -n "$(((rounds + 1) / 2))p"
}
median_rss() {
    local r
    for r in $(seq 1 "$rounds"); do printf '%s\n' "${results[rss,$1,$r]}"; done | sort -n | sed -n "$(((rounds + 1) / 2))p"
}
first="${counts%% *}"
ob_say ""
ob_say "wrk -t$threads -c$conns -d${duration}s over 127.0.0.1, $rounds rounds, median round; $(nproc) cores shared by wrk and the broker's workers ($(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}'), $(date -u +%F))"
ob_say ""
ob_say "| workers | vend req/s | vend p99 | vend vs 1 worker | metadata req/s | metadata p99 | metadata vs 1 worker | RSS (all processes) | non-2xx |"
ob_say "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
read -r v1 _ _ <<<"$(median_row vend "$first")"
read -r p1 _ _ <<<"$(median_row metadata "$first")"
for w in $counts; do
    read -r vr vp vb <<<"$(median_row vend "$w")"
    read -r pr pp pb <<<"$(median_row metadata "$w")"
    ob_say "| $w | $vr | ${vp} ms | $(awk -v a="$vr" -v b="$v1" 'BEGIN { printf "%.0f%%", 100 * a / b }') | $pr | ${pp} ms | $(awk -v a="$pr" -v b="$p1" 'BEGIN { printf "%.0f%%", 100 * a / b }') | $(($(median_rss "$w") / 1024)) MB | $((vb + pb)) |"
done
ob_say ""
ob_say "per round (req/s, vend / metadata): $(for r in $(seq 1 "$rounds"); do for w in $counts; do printf '%sw %s / %s; ' "$w" "${results[vend,$w,$r]%% *}" "${results[metadata,$w,$r]%% *}"; done; done)"
