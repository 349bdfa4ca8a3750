#!/usr/bin/env bash
# bench/run.sh - every throughput benchmark of the project in one run, reported as ONE markdown table with the
# machine's details (not a test: numbers, no pass/fail). Loopback only; everything shares this machine's cores.
#
# It runs, one after the other, and collects the median rows of:
#   bench/broker/run.sh      bare libh2o handler vs the broker's vend vs /oauth/authorize (wrk)
#   grant peer               grant 5 on express 5 (bench/peers, pinned) answering GET /connect/google with its 302
#                            (state + PKCE in an express-session), measured here with the same wrk settings
#   bench/mcp/run.sh         the official TypeScript MCP SDK server vs ours: tools/list, tools/call, tools/call with
#                            a provider call (fake upstream); and the provider call at constant rates (open loop,
#                            bench/tools/openloop.c) below the SDK server's capacity, p99 from the scheduled send time
#   bench/broker/workers.sh  vend and a bare route against the broker's worker count (1, 2)
#   bench/broker/scale.sh    vend over 100 ids vs over BENCH_SCALE_INSTANCES (100,000) ids, two replicas, and the
#                            change propagation between them (p50 / p99)
#   bench/broker/refresh_storm.sh  BENCH_STORM_VENDS (1,000) concurrent vends over BENCH_STORM_INSTANCES (100)
#                            expired instances: drain time, exactly one upstream refresh per instance
#   bench/mcp/rss.sh         the idle RSS of every MCP server of config/services.json
# RSS column: each process after its own load (the broker, the bare handler, ours and the SDK server, the grant peer;
# the broker's processes together in workers.sh; broker A after the scale rounds; the broker after the storms), and
# the idle servers of rss.sh.
#
# Environment: BENCH_DURATION (s per wrk run, default 6), BENCH_ROUNDS (default 3), BENCH_CONNECTIONS (default 50),
# BENCH_THREADS (default 2), BENCH_SKIP (space-separated: broker grant mcp workers scale storm rss),
# BENCH_SCALE_INSTANCES (default 100000), BENCH_STORM_INSTANCES (default 100), BENCH_STORM_VENDS (default 1000),
# BENCH_KEEP_OUTPUT (a directory for the scripts' full outputs). The broker scripts share one build
# (build-bench-broker, RelWithDebInfo: BENCH_BUILD_DIR / BENCH_BUILD_TYPE).
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/scripts/lib/common.sh"

duration="${BENCH_DURATION:-6}"
export BENCH_BUILD_DIR="${BENCH_BUILD_DIR:-$OB_ROOT/build-bench-broker}" BENCH_BUILD_TYPE="${BENCH_BUILD_TYPE:-RelWithDebInfo}"
rounds="${BENCH_ROUNDS:-3}"
conns="${BENCH_CONNECTIONS:-50}"
threads="${BENCH_THREADS:-2}"
skip=" ${BENCH_SKIP:-} "
((rounds >= 1 && rounds <= 20 && duration >= 1 && duration <= 120)) || ob_die "BENCH_ROUNDS 1..20, BENCH_DURATION 1..120"
command -v wrk >/dev/null || ob_die "wrk is not installed (apt-get install wrk)"
out="$(mktemp -d /tmp/ob-bench-all-XXXXXX)"
grant_pid=""
cleanup() {
    [[ -z "$grant_pid" ]] || { kill -TERM "$grant_pid" 2>/dev/null || true; wait "$grant_pid" 2>/dev/null || true; }
    [[ -z "${BENCH_KEEP_OUTPUT:-}" ]] || cp "$out"/*.txt "$BENCH_KEEP_OUTPUT"/ 2>/dev/null || true
    rm -rf "$out"
}
trap cleanup EXIT
rows="$out/rows" # "group|workload|server|req/s|p99 ms|RSS MB"
: >"$rows"
trim() { sed -E 's/^ +//; s/ +$//; s/ ms$//'; }
load_at_start="$(cut -d' ' -f1-3 /proc/loadavg)"
started="$(date -u '+%F %H:%M')"

# ---- the broker next to a bare libh2o handler
if [[ "$skip" != *" broker "* ]]; then
    ob_say "bench/broker/run.sh ..."
    BENCH_DURATION="$duration" BENCH_ROUNDS="$rounds" BENCH_CONNECTIONS="$conns" BENCH_THREADS="$threads" \
        bash "$OB_ROOT/bench/broker/run.sh" >"$out/broker.txt" 2>&1 || ob_warn "bench/broker/run.sh failed (see its output)"
    brss="$(sed -nE 's/^RSS after the runs: broker ([0-9]+) MB.*/\1/p' "$out/broker.txt")"
    bare_rss="$(sed -nE 's/^RSS after the runs: .*bare handler ([0-9]+) MB.*/\1/p' "$out/broker.txt")"
    awk -F'|' '/^\| (bare h2o handler|GET \/instances|GET \/oauth\/authorize)/ {print $2 "|" $3 "|" $4}' "$out/broker.txt" |
        while IFS='|' read -r what rps p99; do
            server="broker (1 worker)" rss="$brss"
            [[ "$what" == *bare* ]] && server="bare libh2o handler" rss="$bare_rss"
            printf 'HTTP|%s|%s|%s|%s|%s\n' "$(trim <<<"$what")" "$server" "$(trim <<<"$rps")" "$(trim <<<"$p99")" "$rss" >>"$rows"
        done
fi

# ---- grant (express) on its /connect redirect
if [[ "$skip" != *" grant "* ]]; then
    ob_say "grant peer ..."
    peers="$OB_ROOT/bench/peers"
    if [[ ! -f "$peers/node_modules/.package-lock.json" || "$peers/package-lock.json" -nt "$peers/node_modules/.package-lock.json" ]]; then
        (cd "$peers" && npm ci --no-audit --no-fund --loglevel=error >"$out/npm.txt" 2>&1) || ob_die "npm ci in bench/peers failed"
    fi
    PORT=0 node "$peers/grant-server.mjs" >"$out/grant.txt" 2>&1 &
    grant_pid=$!
    gport=""
    for _ in $(seq 1 100); do
        gport="$(awk '/listening on/ {print $NF}' "$out/grant.txt")"
        [[ -z "$gport" ]] || break
        sleep 0.1
    done
    [[ -n "$gport" ]] || ob_die "the grant peer did not start: $(cat "$out/grant.txt")"
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$gport/connect/google")" == 302 ]] ||
        ob_die "the grant peer does not answer /connect/google with 302"
    : >"$out/grant.rounds"
    for _ in $(seq 1 "$rounds"); do
        w="$(wrk -t"$threads" -c"$conns" -d"${duration}s" --latency "http://127.0.0.1:$gport/connect/google")"
        printf '%s %s\n' "$(awk '/^Requests\/sec:/ {print $2}' <<<"$w")" \
            "$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' <<<"$w")" >>"$out/grant.rounds"
    done
    read -r grps gp99 <<<"$(sort -n "$out/grant.rounds" | sed -n "$(((rounds + 1) / 2))p")"
    grss="$(awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$grant_pid/status")"
    printf 'HTTP|GET /connect/google (302, state + PKCE in a session)|grant %s on express %s (Node %s)|%s|%s|%s\n' \
        "$(jq -r .version "$peers/node_modules/grant/package.json")" "$(jq -r .version "$peers/node_modules/express/package.json")" \
        "$(node --version)" "$grps" "$gp99" "$grss" >>"$rows"
    kill -TERM "$grant_pid" 2>/dev/null || true
    wait "$grant_pid" 2>/dev/null || true
    grant_pid=""
fi

# ---- MCP: the TypeScript SDK server vs ours (RSS of each after its runs)
if [[ "$skip" != *" mcp "* ]]; then
    ob_say "bench/mcp/run.sh ..."
    DURATION="$duration" ROUNDS="$rounds" CONNECTIONS="$conns" bash "$OB_ROOT/bench/mcp/run.sh" >"$out/mcp.txt" 2>&1 ||
        ob_warn "bench/mcp/run.sh failed (see its output)"
    ours_rss="$(sed -nE 's/^RSS after the runs \(MB\): ours ([0-9]+),.*/\1/p' "$out/mcp.txt")"
    sdk_rss="$(sed -nE 's/^RSS after the runs \(MB\): .*sdk ([0-9]+),.*/\1/p' "$out/mcp.txt")"
    awk -F'|' '/^\| tools\// && NF == 8 && $3 !~ /ratio/ {print $2 "|" $3 "|" $4 "|" $6}' "$out/mcp.txt" |
        while IFS='|' read -r what server rps p99; do
            rss="$ours_rss"
            [[ "$server" == *SDK* ]] && rss="$sdk_rss"
            printf 'MCP|%s|%s|%s|%s|%s\n' "$(trim <<<"$what")" "$(trim <<<"$server")" "$(trim <<<"$rps")" "$(trim <<<"$p99")" "$rss" >>"$rows"
        done
    # the open-loop table: the same offered rate to both servers, p99 from each request's scheduled time
    awk -F'|' '/^\| tools\// && NF == 11 {print $2 "|" $3 "|" $4 "|" $5 "|" $8 "|" $10}' "$out/mcp.txt" |
        while IFS='|' read -r what rate server rps p99 bad; do
            rss="$ours_rss"
            [[ "$server" == *SDK* ]] && rss="$sdk_rss"
            printf 'MCP open loop|%s at a constant %s req/s (errors + late: %s)|%s|%s|%s|%s\n' "$(trim <<<"$what")" \
                "$(trim <<<"$rate")" "$(trim <<<"$bad")" "$(trim <<<"$server")" "$(trim <<<"$rps")" "$(trim <<<"$p99")" "$rss" >>"$rows"
        done
fi

# ---- the broker's worker processes
if [[ "$skip" != *" workers "* ]]; then
    ob_say "bench/broker/workers.sh ..."
    BENCH_DURATION="$duration" BENCH_ROUNDS="$rounds" BENCH_CONNECTIONS="$conns" BENCH_THREADS="$threads" \
        bash "$OB_ROOT/bench/broker/workers.sh" >"$out/workers.txt" 2>&1 || ob_warn "bench/broker/workers.sh failed (see its output)"
    awk -F'|' '/^\| [0-9]+ \|/ {print $2 "|" $3 "|" $4 "|" $6 "|" $7 "|" $9}' "$out/workers.txt" |
        while IFS='|' read -r w vr vp mr mp rss; do
            w="$(trim <<<"$w")"
            rss="$(trim <<<"$rss" | sed 's/ MB$//')"
            printf 'HTTP|GET /instances/{id}/token (vend)|broker, %s worker(s)|%s|%s|%s\n' "$w" "$(trim <<<"$vr")" "$(trim <<<"$vp")" "$rss" >>"$rows"
            printf 'HTTP|GET /.well-known/oauth-authorization-server (bare route)|broker, %s worker(s)|%s|%s|%s\n' "$w" "$(trim <<<"$mr")" "$(trim <<<"$mp")" "$rss" >>"$rows"
        done
fi

# ---- vend at 100 vs 100,000 instances, two replicas, change propagation
if [[ "$skip" != *" scale "* ]]; then
    ninst="${BENCH_SCALE_INSTANCES:-100000}"
    ob_say "bench/broker/scale.sh ($ninst instances) ..."
    BENCH_INSTANCES="$ninst" BENCH_DURATION="$duration" BENCH_ROUNDS="$rounds" BENCH_CONNECTIONS="$conns" BENCH_THREADS="$threads" \
        bash "$OB_ROOT/bench/broker/scale.sh" >"$out/scale.txt" 2>&1 || ob_warn "bench/broker/scale.sh failed (see its output)"
    srss="$(sed -nE 's/.*broker A RSS ([0-9]+) MB.*/\1/p' "$out/scale.txt")"
    awk -F'|' '/^\| vend over / {print $2 "|" $3 "|" $4}' "$out/scale.txt" |
        while IFS='|' read -r what rps p99; do
            printf 'scale|%s|broker (1 worker, 2 replicas)|%s|%s|%s\n' "$(trim <<<"$what")" "$(trim <<<"$rps")" "$(trim <<<"$p99")" "$srss" >>"$rows"
        done
    prop="$(sed -nE 's/^propagation A -> B over ([0-9]+) changes: p50 ([0-9.]+) ms, p99 ([0-9.]+) ms.*/\1 \2 \3/p' "$out/scale.txt")"
    if [[ -n "$prop" ]]; then
        read -r nchg p50 p99 <<<"$prop"
        printf 'scale|change made on replica A seen by replica B (%s changes, p50 %s ms)|broker (2 replicas)||%s|\n' "$nchg" "$p50" "$p99" >>"$rows"
    fi
    grep -q '^| vend over ' "$out/scale.txt" || printf 'scale|vend at 100 vs %s instances|broker|failed|||\n' "$ninst" >>"$rows"
fi

# ---- the refresh storm
if [[ "$skip" != *" storm "* ]]; then
    sinst="${BENCH_STORM_INSTANCES:-100}" svends="${BENCH_STORM_VENDS:-1000}"
    ob_say "bench/broker/refresh_storm.sh ($svends vends over $sinst instances) ..."
    BENCH_INSTANCES="$sinst" BENCH_VENDS="$svends" BENCH_ROUNDS="$rounds" \
        bash "$OB_ROOT/bench/broker/refresh_storm.sh" >"$out/storm.txt" 2>&1 || ob_warn "bench/broker/refresh_storm.sh failed or miscounted (see its output)"
    drain="$(sed -nE 's/^median drain: ([0-9]+) ms.*/\1/p' "$out/storm.txt")"
    strss="$(sed -nE 's/^broker RSS after the storms: ([0-9]+) MB.*/\1/p' "$out/storm.txt")"
    # the median round by drain time: its p99 and its counts
    mround="$(awk -F'|' -v d="$drain" '/^\| [0-9]+ \|/ && $3+0 == d+0 {print $5 "|" $7 "|" $8; exit}' "$out/storm.txt")"
    if [[ -n "$drain" && -n "$mround" ]]; then
        IFS='|' read -r sp99 serr sup <<<"$mround"
        printf 'storm|%s concurrent vends over %s expired instances: drained in %s ms, %s upstream refreshes, %s errors (median round)|broker (1 worker, refresh.concurrency 2)|%s|%s|%s\n' \
            "$svends" "$sinst" "$drain" "$(trim <<<"$sup")" "$(trim <<<"$serr")" \
            "$(awk -v n="$svends" -v d="$drain" 'BEGIN { printf "%.0f", n * 1000 / d }')" "$(trim <<<"$sp99")" "$strss" >>"$rows"
    else
        printf 'storm|%s concurrent vends over %s expired instances|broker|failed|||\n' "$svends" "$sinst" >>"$rows"
    fi
fi

# ---- the MCP servers idle
if [[ "$skip" != *" rss "* ]]; then
    ob_say "bench/mcp/rss.sh ..."
    bash "$OB_ROOT/bench/mcp/rss.sh" >"$out/rss.txt" 2>&1 || ob_warn "bench/mcp/rss.sh reported a problem (see its output)"
    awk -F'|' '/^\| [a-z0-9_-]+ \| [0-9.]+/ {print $2 "|" $3}' "$out/rss.txt" |
        while IFS='|' read -r svc mb; do
            printf 'RSS|idle (started, no request)|mcp-%s|||%s\n' "$(trim <<<"$svc")" "$(trim <<<"$mb")" >>"$rows"
        done
    grep -qE '^\| [a-z0-9_-]+ \| [0-9.]+' "$out/rss.txt" || printf 'RSS|idle MCP servers|mcp-*|failed|||\n' >>"$rows"
fi

cpu="$(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}')"
echo
echo "Run of $started UTC: $(uname -sr), $cpu, $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo) RAM;" \
    "load average at the start $load_at_start; wrk $(wrk --version 2>&1 | awk 'NR==1 {print $2}'), node $(node --version)," \
    "$(gcc --version | head -1); wrk -t$threads -c$conns -d${duration}s over 127.0.0.1, median of $rounds rounds;" \
    "the load generator, the servers, PostgreSQL and the fakes share the cores."
echo
echo "| kind | workload | server | req/s | p99 (ms) | RSS (MB) |"
echo "|---|---|---|---:|---:|---:|"
while IFS='|' read -r kind what server rps p99 rss; do
    echo "| $kind | $what | $server | $rps | $p99 | $rss |"
done <"$rows"
