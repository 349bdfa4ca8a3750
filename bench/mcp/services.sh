#!/usr/bin/env bash
# bench/mcp/services.sh - a provider call of each MCP service: tools/call of the read tool its end-to-end spec names
# (tests/integration/services/<svc>.json) against its fake API (tests/interop/<fake_api>, node), with wrk over
# loopback; and, in the same run, the bare conformance fixture's tools/call upstream_items against its C fake
# upstream: the runtime's own cost of a provider call, so the ratio service / fixture is what the service's own work
# (argument checks, URL, parsing the provider's JSON, the text and structuredContent) and its fake cost on top.
# Every service whose spec exists is measured: its binary is built (Release) when missing (a spec without an
# mcp-servers/<svc> folder in the tree is listed as skipped), and a service that does not build, does not start or
# does not answer the spec's read tool with the spec's expected text fails loudly (a "FAILED" row, exit status 1)
# while the others still run.
# Each service runs without instance auth (MCP_AUTH=none: a broker is not on the measured path, the auth cache
# answers after the first request) and gets the fake API's token through a signed /cache-tokens push, as the
# broker sends it (the fake broker would add a process and a refresh path that the benchmark never takes).
# Per (target, round): req/s, p50, p99 from wrk, and the CPU time per request of the MCP server and of its fake API
# from /proc/<pid>/stat. The node fakes cost as much CPU per call as the servers or more, and all share 2 cores
# with wrk, so req/s and latency describe the pair; the server's CPU per request is the primary figure. After a
# WARMUP run per target (not measured), ROUNDS rounds, alternating all targets, the median reported.
# Tool errors under load are counted (post.lua with COUNT_TOOL_ERRORS=1): a rate-limited or failing call is not a
# measured provider call, so such a row is marked not valid (exit status 1). Fakes that rate-limit like their provider are started with FAKE_RATE_LIMITS=off.
# Env: BUILD_DIR (default <repo>/build-bench, configured Release when missing), DURATION (s per run, default 5),
#      ROUNDS (default 3), WARMUP (s per target before the rounds, default 2; 0: none), CONNECTIONS (default 50),
#      THREADS (wrk threads, default 1), SERVICES (space-separated names: only these specs; default all).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-2}
# shellcheck source=bench/mcp/lib.sh
source "$HERE/lib.sh"
command -v jq >/dev/null || { echo "jq is required (apt-get install jq)"; exit 1; }
SPECS=$ROOT/tests/integration/services
TOKEN=bench-upstream-$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')
SECRET=bench-secret-$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')
INSTANCE=bench
export COUNT_TOOL_ERRORS=1 FAKE_RATE_LIMITS=off
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
STATUS=0

declare -A URL=() SID=() BODY=() PID=() API_PID=() API_URL=() LABEL=() FAILED=() SKIPPED=() BYTES=() UPBYTES=() UPCALLS=()
TARGETS=()
call_body() { # tool arguments-json -> a tools/call request
    jq -nc --arg n "$1" --argjson a "$2" '{jsonrpc: "2.0", id: 7, method: "tools/call", params: {name: $n, arguments: $a}}'
}
# the bytes PID wrote with write(2) and friends: for a fake API, what its answers to the server weighed (headers
# included; a node server writes its sockets with write/writev)
wchar() { awk '/^wchar:/ { print $2 }' "/proc/$1/io"; }
# verify TARGET EXPECT: one call must be a non-error result whose text contains EXPECT; sets BYTES[TARGET] (the
# response's size), UPBYTES[TARGET] (the upstream answers' size) and, when the target has a fake API with a request log, UPCALLS[TARGET] (its upstream requests)
verify() {
    local out
    [ -z "${API_URL[$1]:-}" ] || curl -s -m 5 -o /dev/null -X POST "${API_URL[$1]}/_reset" -H 'Content-Type: application/json' -d '{}'
    w0=$(wchar "${API_PID[$1]}")
    out=$(mcp_post "${URL[$1]}" "${SID[$1]}" "${BODY[$1]}")
    BYTES[$1]=${#out}
    UPBYTES[$1]=$(($(wchar "${API_PID[$1]}") - w0))
    [ -z "${API_URL[$1]:-}" ] || UPCALLS[$1]=$(curl -s -m 5 "${API_URL[$1]}/_requests" |
        jq 'if type == "array" then length else (.requests // [] | length) end' 2>/dev/null)
    # a JSON response, or an SSE stream whose data line carries it
    out=$(printf '%s\n' "$out" | sed -n 's/^data: //p;/^{/p' | tail -1)
    if printf '%s' "$out" | jq -e --arg x "$2" '(.result.isError // false) == false and
            ([.result.content[]? | select(.type == "text") | .text] | join("\n") | contains($x))' >/dev/null 2>&1; then
        return 0
    fi
    echo "FAILED: $1: the read tool did not answer with \"$2\": $(printf '%s' "$out" | head -c 600)" >&2
    return 1
}
fail() { # target why
    FAILED[$1]=$2; STATUS=1
    echo "FAILED: $1: $2" >&2
}

# the fixture: mcp-conformance and its C fake upstream (as bench/mcp/run.sh)
env MCP_PORT=0 UPSTREAM_TOKEN="$TOKEN" "$BUILD_DIR/mcp-servers/conformance/mcp-conformance" --fake-upstream >"$WORK/up.log" 2>&1 & PIDS+=($!)
API_PID[fixture]=$!
UP=$(wait_port "$WORK/up.log") || exit 1
env MCP_HOST=127.0.0.1 MCP_PORT=0 MCP_AUTH=none MCP_SERVICE_SECRET="$SECRET" UPSTREAM_URL="http://127.0.0.1:$UP" \
    "$BUILD_DIR/mcp-servers/conformance/mcp-conformance" >"$WORK/fixture.log" 2>&1 & PIDS+=($!)
PID[fixture]=$!
port=$(wait_port "$WORK/fixture.log") || exit 1
push_token "$port" "$SECRET" "$TOKEN" "$INSTANCE" || exit 1
URL[fixture]="http://127.0.0.1:$port/$INSTANCE/mcp"
SID[fixture]=$(session "${URL[fixture]}")
BODY[fixture]=$(call_body upstream_items '{"q":"bench"}')
LABEL[fixture]="conformance fixture: upstream_items (C fake upstream)"
verify fixture 'bench' || exit 1
UPCALLS[fixture]=1 # upstream_items: one GET /items
TARGETS+=(fixture)

# the services, from their end-to-end specs
for spec in "$SPECS"/*.json; do
    [ -f "$spec" ] || continue
    svc=$(jq -r '.service // empty' "$spec") || { fail "$(basename "$spec")" "spec is not JSON"; continue; }
    [ -n "$svc" ] || continue
    if [ -n "${SERVICES:-}" ] && [[ " $SERVICES " != *" $svc "* ]]; then continue; fi
    TARGETS+=("$svc")
    fake=$(jq -r '.fake_api' "$spec"); api_env=$(jq -r '.api_env' "$spec"); api_path=$(jq -r '.api_path // ""' "$spec")
    tool=$(jq -r '.read_tool.name' "$spec"); args=$(jq -c '.read_tool.arguments // {}' "$spec"); expect=$(jq -r '.expect_in_text' "$spec")
    LABEL[$svc]="$svc: $tool ($fake)"
    bin=$BUILD_DIR/mcp-servers/$svc/mcp-$svc
    if [ ! -x "$bin" ] && [ ! -d "$ROOT/mcp-servers/$svc" ]; then SKIPPED[$svc]=1; continue; fi
    [ -x "$bin" ] || build_release "mcp-$svc" || { fail "$svc" "mcp-$svc does not build in $BUILD_DIR"; continue; }
    node "$INTEROP/$fake" "$TOKEN" >"$WORK/$svc-api.log" 2>&1 & PIDS+=($!)
    API_PID[$svc]=$!
    api_port=$(wait_port "$WORK/$svc-api.log") || { fail "$svc" "$fake did not start"; continue; }
    API_URL[$svc]="http://127.0.0.1:$api_port"
    env MCP_HOST=127.0.0.1 MCP_PORT=0 MCP_AUTH=none MCP_SERVICE_SECRET="$SECRET" "$api_env=http://127.0.0.1:$api_port$api_path" \
        "$bin" >"$WORK/$svc.log" 2>&1 & PIDS+=($!)
    PID[$svc]=$!
    port=$(wait_port "$WORK/$svc.log") || { fail "$svc" "mcp-$svc did not start"; continue; }
    push_token "$port" "$SECRET" "$TOKEN" "$INSTANCE" || { fail "$svc" "the token push was refused"; continue; }
    URL[$svc]="http://127.0.0.1:$port/$INSTANCE/mcp"
    SID[$svc]=$(session "${URL[$svc]}")
    [ -n "${SID[$svc]}" ] || { fail "$svc" "no session"; continue; }
    BODY[$svc]=$(call_body "$tool" "$args")
    verify "$svc" "$expect" || { FAILED[$svc]="the read tool's answer lacks the spec's expect_in_text"; STATUS=1; continue; }
done

# warm-up, not measured: the node fakes' first seconds run unoptimized code (their CPU per request halves after it)
for t in "${TARGETS[@]}"; do
    if [ -n "${FAILED[$t]:-}" ] || [ -n "${SKIPPED[$t]:-}" ] || [ "$WARMUP" -eq 0 ]; then continue; fi
    DURATION=$WARMUP wrk_run "${URL[$t]}" "${SID[$t]}" "${BODY[$t]}" >/dev/null
done
declare -A rps=() p50=() p99=() cpu=() api_cpu=() bad=() terr=()
for _ in $(seq 1 "$ROUNDS"); do
    for t in "${TARGETS[@]}"; do
        if [ -n "${FAILED[$t]:-}" ] || [ -n "${SKIPPED[$t]:-}" ]; then continue; fi
        # the fakes log every request for their tests: forget them so that memory stays flat over the rounds
        [ -z "${API_URL[$t]:-}" ] || curl -s -m 5 -o /dev/null -X POST "${API_URL[$t]}/_reset" -H 'Content-Type: application/json' -d '{}'
        s0=$(cpu_ticks "${PID[$t]}"); a0=$(cpu_ticks "${API_PID[$t]}")
        out=$(wrk_run "${URL[$t]}" "${SID[$t]}" "${BODY[$t]}")
        s1=$(cpu_ticks "${PID[$t]}"); a1=$(cpu_ticks "${API_PID[$t]}")
        read -r r a b c e <<<"$out"
        [ -n "${r:-}" ] || { fail "$t" "wrk gave no result"; continue; }
        n=$(awk -v r="$r" -v d="$DURATION" 'BEGIN { printf "%d", r * d }')
        rps[$t]="${rps[$t]:-} $r"; p50[$t]="${p50[$t]:-} $a"; p99[$t]="${p99[$t]:-} $b"
        cpu[$t]="${cpu[$t]:-} $(awk -v n="$n" -v t=$(((s1 - s0) * TICK_US)) 'BEGIN { printf "%.1f", n ? t / n : 0 }')"
        api_cpu[$t]="${api_cpu[$t]:-} $(awk -v n="$n" -v t=$(((a1 - a0) * TICK_US)) 'BEGIN { printf "%.1f", n ? t / n : 0 }')"
        bad[$t]="${bad[$t]:-0}+$c"; terr[$t]=$((${terr[$t]:-0} + ${e:-0}))
    done
done

rss_mb() { awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null; }
FIX_CPU=$(echo "${cpu[fixture]:-}" | median); FIX_RPS=$(echo "${rps[fixture]:-}" | median)
echo "| read tool (fake API) | upstream requests per call | upstream answer (bytes) | response (bytes) | server CPU per request (µs, median) | x fixture | fake API CPU per request (µs) | req/s (median of $ROUNDS) | % of fixture | p50 (ms) | p99 (ms) | server peak RSS (MB) | socket errors + non-2xx / tool errors |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for t in "${TARGETS[@]}"; do
    if [ -n "${SKIPPED[$t]:-}" ]; then echo "| ${LABEL[$t]} | | | | skipped: no mcp-servers/$t in this tree | | | | | | | | |"; continue; fi
    if [ -n "${FAILED[$t]:-}" ]; then echo "| ${LABEL[$t]:-$t} | | | | **FAILED**: ${FAILED[$t]} | | | | | | | | |"; continue; fi
    c=$(echo "${cpu[$t]}" | median); r=$(echo "${rps[$t]}" | median)
    # tool errors under load (an upstream rate limit, say): the row measured something else than provider calls
    if [ "${terr[$t]}" -gt 0 ]; then LABEL[$t]="${LABEL[$t]} **tool errors under load: not valid**"; STATUS=1; fi
    echo "| ${LABEL[$t]} | ${UPCALLS[$t]:-?} | ${UPBYTES[$t]} | ${BYTES[$t]} | $c | $(awk -v a="$c" -v b="$FIX_CPU" 'BEGIN { printf "%.1fx", b ? a / b : 0 }') | $(echo "${api_cpu[$t]}" | median) |" \
        "$(printf '%.0f' "$r") | $(awk -v a="$r" -v b="$FIX_RPS" 'BEGIN { printf "%.0f%%", b ? 100 * a / b : 0 }') |" \
        "$(fmt_ms "$(echo "${p50[$t]}" | median)") | $(fmt_ms "$(echo "${p99[$t]}" | median)") | $(rss_mb "${PID[$t]}") |" \
        "$(( ${bad[$t]} )) / ${terr[$t]} |"
done
echo
for t in "${TARGETS[@]}"; do
    [ -z "${FAILED[$t]:-}" ] && [ -z "${SKIPPED[$t]:-}" ] && echo "rounds $t: req/s${rps[$t]}; server µs/request${cpu[$t]}; fake µs/request${api_cpu[$t]}"
done
echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s x $ROUNDS rounds, all targets alternating, over loopback, one legacy session each;" \
    "$(nproc) cores shared by wrk, the server and its fake; load average at the start: $LOAD_START, at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
exit $STATUS
