#!/usr/bin/env bash
# bench/broker/run.sh - broker throughput next to a bare libh2o handler, measured in the same run with wrk
# over loopback (not a test: numbers, no pass/fail).
#
#   bare       GET /                           bench_bare_h2o (bench/broker/bare_h2o.c): fixed JSON, no router
#   vend       GET /instances/{id}/token       service bearer + X-MCP-Service, valid token served from memory
#   authorize  GET /oauth/authorize?instance_id=...   302 with a freshly sealed state + PKCE challenge
#
# Everything runs on this machine: the embedded PostgreSQL (scripts/lib/pg.sh, database ob_bench), the fake
# Google (tests/fakes/fake-google.mjs) to authorize the instance once, the broker (log level warn) and
# wrk. Each endpoint is measured ROUNDS times, interleaved, and the median round is reported.
#
# Environment: BENCH_BUILD_DIR (default build-bench-broker, RelWithDebInfo), BENCH_DURATION (s, default 8),
# BENCH_CONNECTIONS (default 50), BENCH_THREADS (wrk threads, default 2), BENCH_ROUNDS (default 3),
# BENCH_PERF=bare|vend|authorize (perf profile of that server while it is measured: /tmp/ob-bench-perf-NAME.txt;
# BENCH_PERF_CALLGRAPH=dwarf for call chains through code built without frame pointers).
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/common.sh"
# shellcheck source=bench/broker/lib.sh
source "$OB_ROOT/bench/broker/lib.sh"
bench_init ob-bench

build="${BENCH_BUILD_DIR:-$OB_ROOT/build-bench-broker}"
duration="${BENCH_DURATION:-8}"
conns="${BENCH_CONNECTIONS:-50}"
threads="${BENCH_THREADS:-2}"
rounds="${BENCH_ROUNDS:-3}"
command -v wrk >/dev/null || ob_die "wrk is not installed (apt-get install wrk)"
# only what is measured (a half-written part elsewhere in the tree must not stop the benchmark when the
# binaries from the last successful build are there)
if ! bench_build "$build" RelWithDebInfo bench-broker.log oauth-service provider_plugins bench_bare_h2o; then
    [[ -x "$build/oauth-service/oauth-service" && -x "$build/bench/bench_bare_h2o" ]] ||
        ob_die "build failed (see $VAR_DIR/log/bench-broker.log)"
    ob_warn "build failed (see $VAR_DIR/log/bench-broker.log): measuring the binaries of the last successful build"
fi
bench_db ob_bench

bare_port="$(bench_port)"
gport="$(bench_port)"
bport="$(bench_port)"
broker="http://127.0.0.1:$bport"
bench_keys
bench_registry "$broker"
bench_broker_config "$build" "$bport" "$gport" 4 warn

"$build/bench/bench_bare_h2o" "$bare_port" >"$work/bare.log" 2>&1 &
bare_pid=$!
pids+=("$bare_pid")
bench_fake_google "$gport"
bench_broker "$build"
bench_wait_http "http://127.0.0.1:$bare_port/" || ob_die "bare server did not start"
sleep 0.5

# one authorized instance (consent at the fake, exactly as a browser would)
bench_instance "$broker" "$gport"
curl -fsS -o /dev/null -H "authorization: Bearer $bearer" -H 'x-mcp-service: gmail' "$broker/instances/$id/token" ||
    ob_die "vend failed"

# cpu_ticks PID: utime + stime of a process, in clock ticks
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run_wrk NAME URL [HEADER...]: prints "rps p99_ms non2xx3xx server_cpu_us_per_request"
run_wrk() {
    local name="$1" url="$2" out
    shift 2
    local -a hs=()
    local h
    for h in "$@"; do hs+=(-H "$h"); done
    if [[ "${BENCH_PERF:-}" == "$name" ]] && command -v perf >/dev/null; then
        # profile the server of this endpoint while wrk runs (report in /tmp/ob-bench-perf-NAME.txt)
        local target="$broker_pid"
        [[ "$name" == bare ]] && target="$bare_pid"
        perf record -F 499 --call-graph "${BENCH_PERF_CALLGRAPH:-fp}" -p "$target" -o "/tmp/ob-bench-perf-$name.data" -- sleep "$duration" >/dev/null 2>&1 &
        local perf_pid=$!
    fi
    local server="$broker_pid"
    [[ "$name" == bare ]] && server="$bare_pid"
    local cpu0 cpu1
    cpu0="$(cpu_ticks "$server")"
    out="$(wrk -t"$threads" -c"$conns" -d"${duration}s" --latency "${hs[@]}" "$url")"
    cpu1="$(cpu_ticks "$server")"
    if [[ -n "${perf_pid:-}" ]]; then
        wait "$perf_pid" || true
        perf report -i "/tmp/ob-bench-perf-$name.data" --stdio --no-children --percent-limit 1 >"/tmp/ob-bench-perf-$name.txt" 2>/dev/null || true
        unset perf_pid
    fi
    printf '%s\n' "$out" >"$work/wrk-$name.txt"
    local rps p99 bad
    rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
    p99="$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' <<<"$out")"
    bad="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")"
    local reqs
    reqs="$(awk '/requests in/ {print $1}' <<<"$out")"
    # server CPU (user + system) per request, microseconds: independent of how busy the machine is
    local cpu_us
    cpu_us="$(awk -v d="$((cpu1 - cpu0))" -v hz="$(getconf CLK_TCK)" -v n="$reqs" 'BEGIN { printf "%.1f", d * 1e6 / hz / n }')"
    printf '%s %s %s %s\n' "$rps" "$p99" "${bad:-0}" "$cpu_us"
}

declare -A results
for r in $(seq 1 "$rounds"); do
    results[bare,$r]="$(run_wrk bare "http://127.0.0.1:$bare_port/")"
    results[vend,$r]="$(run_wrk vend "$broker/instances/$id/token" "authorization: Bearer $bearer" "x-mcp-service: gmail")"
    results[authorize,$r]="$(run_wrk authorize "$broker/oauth/authorize?instance_id=$id")"
    ob_say "round $r: bare ${results[bare,$r]%% *} vend ${results[vend,$r]%% *} authorize ${results[authorize,$r]%% *} req/s"
done

# Ratios are taken per round (each round measures the three back to back, so machine noise hits them alike);
# the table shows the median round of each endpoint and the median of the per-round ratios.
median_of() { sort -n | sed -n "$(((rounds + 1) / 2))p"; }
median() {
    local ep="$1" r
    for r in $(seq 1 "$rounds"); do printf '%s\n' "${results[$ep,$r]}"; done | sort -n -k1,1 | sed -n "$(((rounds + 1) / 2))p"
}
ratio_median() {
    local ep="$1" r
    for r in $(seq 1 "$rounds"); do
        awk -v a="${results[$ep,$r]%% *}" -v b="${results[bare,$r]%% *}" 'BEGIN { printf "%.1f\n", 100 * a / b }'
    done | median_of
}
ob_say ""
ob_say "wrk -t$threads -c$conns -d${duration}s over 127.0.0.1, $rounds rounds ($(nproc) cores shared by wrk and the servers, $(date -u +%F))"
ob_say ""
cpu_median() {
    local ep="$1" r
    for r in $(seq 1 "$rounds"); do printf '%s\n' "${results[$ep,$r]##* }"; done | median_of
}
cpu_ratio() { awk -v a="$(cpu_median bare)" -v b="$(cpu_median "$1")" 'BEGIN { printf "%.0f%%", 100 * a / b }'; }
ob_say "| endpoint | requests/s (median round) | p99 latency | vs bare (median of per-round ratios) | target | server CPU per request (median) | vs bare by CPU | non-2xx/3xx |"
ob_say "|---|---:|---:|---:|---:|---:|---:|---:|"
read -r r p b c <<<"$(median bare)"
ob_say "| bare h2o handler (baseline) | $r | ${p} ms | 100% | | $(cpu_median bare) µs | 100% | $b |"
read -r r p b c <<<"$(median vend)"
ob_say "| GET /instances/{id}/token (vend, valid token) | $r | ${p} ms | $(ratio_median vend)% | >= 80% | $(cpu_median vend) µs | $(cpu_ratio vend) | $b |"
read -r r p b c <<<"$(median authorize)"
ob_say "| GET /oauth/authorize (302, sealed state + PKCE) | $r | ${p} ms | $(ratio_median authorize)% | >= 50% | $(cpu_median authorize) µs | $(cpu_ratio authorize) | $b |"
ob_say ""
ob_say "RSS after the runs: broker $(awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$broker_pid/status") MB, bare handler $(awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$bare_pid/status") MB"
ob_say "per round (req/s): $(for r in $(seq 1 "$rounds"); do printf 'bare %s / vend %s / authorize %s; ' "${results[bare,$r]%% *}" "${results[vend,$r]%% *}" "${results[authorize,$r]%% *}"; done)"
