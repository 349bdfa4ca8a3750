#!/usr/bin/env bash
# bench/mcp/run.sh - tools/list and tools/call (echo; upstream_items = a provider API call to a fake upstream)
# with wrk over loopback: the C runtime (mcp-conformance) next to the official TypeScript SDK server
# (sdk-server.mjs) doing the same work, in the same run. Prints a markdown table (req/s, p50, p99).
# Each (workload, server) pair runs ROUNDS times, alternating servers, and the median round is reported: the
# box has 2 cores shared with everything else, so single runs are noisy.
# Env: BUILD_DIR (default <repo>/build-bench, configured Release when missing), DURATION (s per run, default 5),
#      ROUNDS (default 3),
#      CONNECTIONS (default 50), THREADS (wrk threads, default 1: the box has 2 cores), OPENLOOP (1: also the
#      constant-rate table of the provider call, default; 0: not), OPENLOOP_RATES (req/s, space-separated; default 25,
#      50 and 75 % of the SDK server's closed-loop rate).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROUNDS=${ROUNDS:-3}
# shellcheck source=bench/mcp/lib.sh
source "$HERE/lib.sh"
TOKEN=bench-upstream-token
# the fake provider API is C (mcp-conformance --fake-upstream) so that it is not the bottleneck of either server
env MCP_PORT=0 UPSTREAM_TOKEN="$TOKEN" "$BUILD_DIR/mcp-servers/conformance/mcp-conformance" --fake-upstream >"$WORK/up.log" 2>&1 & PIDS+=($!)
UP_PID=$!
UP=$(wait_port "$WORK/up.log") || exit 1

# Both servers require a bearer key. Ours checks it as in production (MCP_AUTH=broker: the key's SHA-256, then the
# auth cache; the broker, tests/interop/fake-broker.mjs, is asked after the first request only in the background);
# the SDK server compares the key's SHA-256 with its own (BEARER_KEY). The upstream token reaches ours through a
# signed push, as the broker would send it.
KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
AUTH="Bearer $KEY"
fake_broker "$KEY" "$TOKEN" || exit 1
env MCP_HOST=127.0.0.1 MCP_PORT=0 MCP_AUTH=broker BROKER_URL="http://127.0.0.1:$BROKER" MCP_SERVICE_SECRET_FILE="$WORK/secret" \
    UPSTREAM_URL="http://127.0.0.1:$UP" "$BUILD_DIR/mcp-servers/conformance/mcp-conformance" >"$WORK/ours.log" 2>&1 & PIDS+=($!)
OURS_PID=$!
OURS=$(wait_port "$WORK/ours.log") || exit 1
# ESM resolves packages from the script's folder: run a copy next to a link to the pinned node_modules
ln -s "$INTEROP/node_modules" "$WORK/node_modules" && cp "$HERE/sdk-server.mjs" "$WORK/"
env PORT=0 UPSTREAM_URL="http://127.0.0.1:$UP" UPSTREAM_TOKEN="$TOKEN" BEARER_KEY="$KEY" node "$WORK/sdk-server.mjs" >"$WORK/sdk.log" 2>&1 & PIDS+=($!)
SDK_PID=$!
SDK=$(wait_port "$WORK/sdk.log") || exit 1

# push the upstream token to ours, signed like the broker does (broker_api.h section 4)
push_token "$OURS" "$SECRET" "$TOKEN" bench || exit 1

OURS_URL="http://127.0.0.1:$OURS/bench/mcp"; SDK_URL="http://127.0.0.1:$SDK/mcp"
OURS_SID=$(session "$OURS_URL" "$AUTH"); SDK_SID=$(session "$SDK_URL" "$AUTH")
[ -n "$OURS_SID" ] && [ -n "$SDK_SID" ] || { echo "could not open sessions ($OURS_SID / $SDK_SID)"; exit 1; }

# "@ID@": a request id unique to each request (post.lua, openloop.c), as an MCP client sends them; the SDK server
# routes each answer by its id, so requests in flight sharing one id would leave all but one unanswered
LIST='{"jsonrpc":"2.0","id":@ID@,"method":"tools/list"}'
ECHO='{"jsonrpc":"2.0","id":@ID@,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello benchmark"}}}'
UPSTREAM='{"jsonrpc":"2.0","id":@ID@,"method":"tools/call","params":{"name":"upstream_items","arguments":{"q":"bench"}}}'

check() { # url sid body -> fails unless a non-error result comes back
    local out
    out=$(mcp_post "$1" "$2" "${3//@ID@/7}" "$AUTH")
    echo "$out" | grep -q '"result"' && ! echo "$out" | grep -q '"isError":true' || { echo "bad response: $out" >&2; return 1; }
}

echo "| workload | server | req/s (median of $ROUNDS) | p50 (ms) | p99 (ms) | socket errors + non-2xx |"
echo "|---|---|---:|---:|---:|---:|"
declare -A R
for w in list echo upstream; do
    case $w in list) body=$LIST; name="tools/list";; echo) body=$ECHO; name="tools/call echo";; upstream) body=$UPSTREAM; name="tools/call upstream_items (fake upstream)";; esac
    ok=1
    check "$OURS_URL" "$OURS_SID" "$body" && check "$SDK_URL" "$SDK_SID" "$body" || ok=0
    declare -A rps=() p50=() p99=() bad=()
    for round in $(seq 1 "$ROUNDS"); do
        [ $ok -eq 1 ] || break
        for s in ours sdk; do
            if [ $s = ours ]; then url=$OURS_URL sid=$OURS_SID; else url=$SDK_URL sid=$SDK_SID; fi
            read -r a b c d <<<"$(wrk_run "$url" "$sid" "$body" "$AUTH")"
            rps[$s]="${rps[$s]:-} $a"; p50[$s]="${p50[$s]:-} $b"; p99[$s]="${p99[$s]:-} $c"; bad[$s]=$(( ${bad[$s]:-0} + ${d:-0} ))
        done
    done
    for s in ours sdk; do
        if [ $s = ours ]; then label="C runtime (mcp_runtime)"; else label="TS SDK 1.32.2 (Node $(node --version))"; fi
        if [ $ok -ne 1 ]; then echo "| $name | $label | failed | | | |"; continue; fi
        R[$w-$s]=$(echo "${rps[$s]}" | median); R[$w-$s-p99]=$(echo "${p99[$s]}" | median)
        echo "| $name | $label | ${R[$w-$s]%.*} | $(fmt_ms "$(echo "${p50[$s]}" | median)") | $(fmt_ms "${R[$w-$s-p99]}") | ${bad[$s]} |"
    done
    if [ -n "${R[$w-ours]:-}" ] && [ -n "${R[$w-sdk]:-}" ]; then
        echo "| $name | **ratio** | **$(awk -v a="${R[$w-ours]}" -v b="${R[$w-sdk]}" 'BEGIN { printf "%.1fx", a / b }')** | | p99 $(fmt_ms "${R[$w-ours-p99]}") vs $(fmt_ms "${R[$w-sdk-p99]}") | |"
    fi
    unset rps p50 p99 bad
done
echo
echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s x $ROUNDS rounds over loopback, one legacy session per server, a bearer key on every request, JSON responses; $(nproc) cores shared by wrk, both servers and the fake upstream."

# Open loop: wrk's percentiles only see the requests a closed loop lets through (a connection waiting on a slow answer
# sends nothing), so at the same -c the p99 of two servers of very different speed is not comparable. Here both are
# asked the same constant rates, each below what the SDK server sustains, and latency runs from each request's
# scheduled time (bench/tools/openloop.c): the p99 a client sees at that load.
if [ -n "${R[upstream-sdk]:-}" ] && [ "${OPENLOOP:-1}" = 1 ]; then
    [ -x "$BUILD_DIR/bench/bench_openloop" ] || build_release bench_openloop || { echo "bench_openloop does not build"; exit 1; }
    rates=${OPENLOOP_RATES:-$(awk -v c="${R[upstream-sdk]}" 'BEGIN { printf "%d %d %d", c * 0.25, c * 0.5, c * 0.75 }')}
    echo
    echo "| workload (open loop) | offered req/s | server | answered req/s | p50 (ms) | p90 (ms) | p99 (ms) | p99.9 (ms) | errors + late |"
    echo "|---|---:|---|---:|---:|---:|---:|---:|---:|"
    for rate in $rates; do
        [ "$rate" -ge 1 ] 2>/dev/null || continue
        declare -A ol=()
        for round in $(seq 1 "$ROUNDS"); do
            for s in ours sdk; do
                if [ $s = ours ]; then url=$OURS_URL sid=$OURS_SID; else url=$SDK_URL sid=$SDK_SID; fi
                line=$(openloop_run "$url" "$sid" "$UPSTREAM" "$AUTH" "$rate")
                for k in achieved p50_us p90_us p99_us p999_us; do
                    ol[$s-$k]="${ol[$s-$k]:-} $(sed -nE "s/.* $k=([0-9.]+).*/\1/p" <<<"$line")"
                done
                bad=$(sed -nE 's/.* errors=([0-9]+) non2xx=([0-9]+) unexpected=([0-9]+) late=([0-9]+).*/\1 \2 \3 \4/p' <<<"$line" | awk '{ print $1 + $2 + $3 + $4 }')
                ol[$s-bad]=$(( ${ol[$s-bad]:-0} + ${bad:-1} ))
            done
        done
        for s in ours sdk; do
            if [ $s = ours ]; then label="C runtime (mcp_runtime)"; else label="TS SDK 1.32.2 (Node $(node --version))"; fi
            m() { echo "${ol[$s-$1]}" | median; }
            echo "| tools/call upstream_items (fake upstream) | $rate | $label | $(printf '%.0f' "$(m achieved)") | $(fmt_ms "$(m p50_us)") | $(fmt_ms "$(m p90_us)") | $(fmt_ms "$(m p99_us)") | $(fmt_ms "$(m p999_us)") | ${ol[$s-bad]} |"
        done
        unset ol
    done
    echo
    echo "Open loop: bench/tools/openloop.c, ${DURATION}s per run x $ROUNDS rounds alternating the servers (medians), at most $CONNECTIONS connections; rates are 25/50/75 % of the SDK server's closed-loop req/s above unless OPENLOOP_RATES is set; latency from each request's scheduled send time."
fi
rss_mb() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null; }
echo "RSS after the runs (MB): ours $(rss_mb "$OURS_PID"), sdk $(rss_mb "$SDK_PID"), fake upstream $(rss_mb "$UP_PID")"
