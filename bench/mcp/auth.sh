#!/usr/bin/env bash
# bench/mcp/auth.sh - tools/list on one C MCP server with broker auth, authenticated two ways in the same run: an
# access token of the broker (ES256 JWT verified locally on every request: signature, claims, then the grant through
# the auth cache) and a static instance key (its SHA-256, then the auth cache). The broker is
# tests/interop/fake-broker.mjs (it mints the token and serves the JWKS); after the first request of each it is
# only asked in the background, at most once a second per credential. Each credential runs ROUNDS times,
# alternating, the median round reported, and the ratio JWT / key (target >= 90%), in req/s and in the server's CPU
# time per request (/proc/<pid>/stat: steadier than req/s on a shared box). Prints a markdown table.
# Env: BUILD_DIR (default <repo>/build-bench, configured Release when missing), DURATION (s per run, default 5),
#      ROUNDS (default 5), CONNECTIONS (default 50), THREADS (wrk threads, default 1).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROUNDS=${ROUNDS:-5}
# shellcheck source=bench/mcp/lib.sh
source "$HERE/lib.sh"
KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
fake_broker "$KEY" t || exit 1
env MCP_HOST=127.0.0.1 MCP_PORT=0 MCP_AUTH=broker BROKER_URL="http://127.0.0.1:$BROKER" MCP_SERVICE_SECRET_FILE="$WORK/secret" \
    "$BUILD_DIR/mcp-servers/conformance/mcp-conformance" >"$WORK/ours.log" 2>&1 & PIDS+=($!)
SERVER_PID=${PIDS[-1]}
OURS=$(wait_port "$WORK/ours.log") || exit 1
URL="http://127.0.0.1:$OURS/bench/mcp"
JWT=$(curl -s "http://127.0.0.1:$BROKER/_mint" -H 'Content-Type: application/json' -d "{\"sub\":\"bench\",\"aud\":\"$URL\"}" |
    sed -E 's/.*"token":"([^"]+)".*/\1/')
[ -n "$JWT" ] || { echo "could not mint a token"; exit 1; }

LIST='{"jsonrpc":"2.0","id":2,"method":"tools/list"}'
declare -A AUTHS=([jwt]="Bearer $JWT" [key]="Bearer $KEY") SIDS=()
for c in jwt key; do
    SIDS[$c]=$(session "$URL" "${AUTHS[$c]}")
    out=$(mcp_post "$URL" "${SIDS[$c]}" "$LIST" "${AUTHS[$c]}")
    echo "$out" | grep -q '"tools"' || { echo "$c: bad response: $out" >&2; exit 1; }
done
run() { # credential -> "rps p50 p99 bad cpu_us_per_request"
    local t0 t1 out
    t0=$(cpu_ticks "$SERVER_PID")
    out=$(wrk_run "$URL" "${SIDS[$1]}" "$LIST" "${AUTHS[$1]}")
    t1=$(cpu_ticks "$SERVER_PID")
    # the server's CPU time per request: less sensitive than req/s to what else runs on the box
    echo "$out $(awk -v r="${out%% *}" -v d="$DURATION" -v t=$(( (t1 - t0) * TICK_US )) 'BEGIN { printf "%.1f", t / (r * d) }')"
}
declare -A rps=() p50=() p99=() bad=() cpu=()
for round in $(seq 1 "$ROUNDS"); do
    for c in jwt key; do
        read -r a b d e f <<<"$(run "$c")"
        rps[$c]="${rps[$c]:-} $a"; p50[$c]="${p50[$c]:-} $b"; p99[$c]="${p99[$c]:-} $d"; cpu[$c]="${cpu[$c]:-} $f"
        bad[$c]=$(( ${bad[$c]:-0} + ${e:-0} ))
    done
done
echo "| tools/list authenticated with | req/s (median of $ROUNDS) | p50 (ms) | p99 (ms) | server CPU per request (µs, median) | socket errors + non-2xx |"
echo "|---|---:|---:|---:|---:|---:|"
for c in jwt key; do
    label=$([ $c = jwt ] && echo "access token (ES256 JWT, verified locally)" || echo "static instance key")
    echo "| $label | $(echo "${rps[$c]}" | median | cut -d. -f1) | $(fmt_ms "$(echo "${p50[$c]}" | median)") | $(fmt_ms "$(echo "${p99[$c]}" | median)") | $(echo "${cpu[$c]}" | median) | ${bad[$c]} |"
done
echo "| **ratio JWT / key** | **$(awk -v a="$(echo "${rps[jwt]}" | median)" -v b="$(echo "${rps[key]}" | median)" 'BEGIN { printf "%.1f%%", 100 * a / b }')** | | | key/JWT CPU: **$(awk -v a="$(echo "${cpu[key]}" | median)" -v b="$(echo "${cpu[jwt]}" | median)" 'BEGIN { printf "%.1f%%", 100 * a / b }')** | |"
echo
echo "rounds (req/s): jwt${rps[jwt]}; key${rps[key]}; CPU µs/request: jwt${cpu[jwt]}; key${cpu[key]}"
echo "broker calls during the run: $(curl -s "http://127.0.0.1:$BROKER/_stats" | sed -E 's/.*"auth":([0-9]+).*"jwks":([0-9]+),"grant_auth":([0-9]+).*/mcp-auth \1 (grants \3), jwks \2/')"
echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s x $ROUNDS rounds per credential, alternating, over loopback, one legacy session each; $(nproc) cores shared by wrk, the server and the fake broker; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
