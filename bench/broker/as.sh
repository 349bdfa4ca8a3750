#!/usr/bin/env bash
# bench/broker/as.sh - the broker as the authorization server of MCP clients (docs/mcp-authorization.md), measured
# over loopback (not a test: numbers, no pass/fail), with bench/broker/as-load.mjs as the client (node fetch,
# keep-alive, BENCH_CONC requests in flight):
#   consent      GET /as/authorize + POST /as/consent (the access key) per code: the codes for the next line
#   token        POST /as/token, grant_type=authorization_code: one code each (ES256 JWT signed, grant and refresh
#                token stored)
#   authorize    GET /as/authorize up to the consent page with a Client ID Metadata Document: cached (one client_id),
#                and uncached (a new client_id each time: the document fetched over https from
#                tests/fakes/cimd-server.mjs under a throwaway test CA and validated); the difference of their costs is
#                what a CIMD fetch + validation adds
# Each is run BENCH_ROUNDS times, interleaved; the median round is reported.
#
# Environment: BENCH_BUILD_DIR (default build-bench-broker, RelWithDebInfo), BENCH_N (requests per measurement,
# default 2000), BENCH_CONC (default 32), BENCH_ROUNDS (default 3).
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/common.sh"
# shellcheck source=bench/broker/lib.sh
source "$OB_ROOT/bench/broker/lib.sh"
bench_init ob-bench-as

build="${BENCH_BUILD_DIR:-$OB_ROOT/build-bench-broker}"
n="${BENCH_N:-2000}"
conc="${BENCH_CONC:-32}"
rounds="${BENCH_ROUNDS:-3}"
load="$OB_ROOT/bench/broker/as-load.mjs"
if ! bench_build "$build" RelWithDebInfo bench-broker-as.log oauth-service provider_plugins; then
    [[ -x "$build/oauth-service/oauth-service" ]] || ob_die "build failed (see $VAR_DIR/log/bench-broker-as.log)"
    ob_warn "build failed (see $VAR_DIR/log/bench-broker-as.log): measuring the binaries of the last successful build"
fi
bench_db ob_bench_as drop

gport="$(bench_port)"
bport="$(bench_port)"
broker="http://127.0.0.1:$bport"
bash "$OB_ROOT/tests/fakes/make-test-ca.sh" "$work/tls"
node "$OB_ROOT/tests/fakes/cimd-server.mjs" "$work/tls/server.pem" "$work/tls/server.key" >"$work/cimd.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 100); do
    cimd="$(awk '/cimd-server listening on/ {print $NF}' "$work/cimd.log")"
    [[ -n "$cimd" ]] && break
    sleep 0.1
done
[[ -n "$cimd" ]] || ob_die "the CIMD server did not start"
bench_keys
bench_registry "$broker"
bench_broker_config "$build" "$bport" "$gport" 4 warn "\"authorization\": {\"code_ttl_s\": 600, \"dcr_rate_per_min\": 100000,
  \"cimd_allowed_origins\": [\"$cimd\"], \"cimd_ca_file\": \"$work/tls/ca.pem\"}"
bench_fake_google "$gport"
bench_broker "$build"
bench_instance "$broker" "$gport"
resource="http://127.0.0.1:$(jq -r '.[0].port' "$work/services.json")/$id/mcp"
redirect="http://127.0.0.1:5555/cb"
client="$(curl -fsS -X POST -H 'content-type: application/json' "$broker/as/register" \
    -d '{"client_name":"bench","redirect_uris":["http://127.0.0.1/cb"],"token_endpoint_auth_method":"none"}' | jq -r .client_id)"
# warm-up: the CIMD document of the cached measurement, the signing key, the pools
node "$load" authorize "$broker" "$cimd/clients/n" "http://127.0.0.1:5555/callback" "$resource" 50 4 0 >/dev/null

# measure KEY ARGS...: as-load.mjs ARGS, its JSON in res[KEY,$r] with cpu_us: the broker's CPU (user + system) per
# successful request, which the load of a shared machine does not inflate as it does the rate
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
measure() {
    local key="$1" c0 c1 out
    shift
    c0="$(cpu_ticks "$broker_pid")"
    out="$(node "$load" "$@")"
    c1="$(cpu_ticks "$broker_pid")"
    res[$key,$r]="$(jq -c --argjson d "$((c1 - c0))" --argjson hz "$(getconf CLK_TCK)" \
        '. + {cpu_us: (if .ok > 0 then ($d * 1e6 / $hz / .ok | floor) else 0 end)}' <<<"$out")"
}
declare -A res
for r in $(seq 1 "$rounds"); do
    measure consent codes "$broker" "$client" "$redirect" "$resource" "$mcp_key" "$n" "$conc" "$work/codes.json"
    measure token token "$broker" "$work/codes.json" "$conc"
    measure cached authorize "$broker" "$cimd/clients/n" "http://127.0.0.1:5555/callback" "$resource" "$n" "$conc" 0
    measure uncached authorize "$broker" "$cimd/clients/n" "http://127.0.0.1:5555/callback" "$resource" "$n" "$conc" 1
    ob_say "round $r: consent $(jq .rps <<<"${res[consent,$r]}") token $(jq .rps <<<"${res[token,$r]}") authorize/cached CIMD $(jq .rps <<<"${res[cached,$r]}") authorize/uncached CIMD $(jq .rps <<<"${res[uncached,$r]}") req/s"
done
median() {
    local k="$1" r
    for r in $(seq 1 "$rounds"); do jq -r '"\(.rps) \(.failed)"' <<<"${res[$k,$r]}"; done | sort -n -k1,1 | sed -n "$(((rounds + 1) / 2))p"
}
cpu_median() {
    local k="$1" r
    for r in $(seq 1 "$rounds"); do jq -r .cpu_us <<<"${res[$k,$r]}"; done | sort -n | sed -n "$(((rounds + 1) / 2))p"
}
ob_say ""
ob_say "as-load.mjs, $n requests per measurement, $conc in flight, over 127.0.0.1, $rounds rounds ($(nproc) cores shared by the client and the servers, $(date -u +%F))"
ob_say ""
ob_say "| measured | requests/s (median round) | broker CPU per request (median) | failed |"
ob_say "|---|---:|---:|---:|"
for k in consent token cached uncached; do
    read -r rps failed <<<"$(median "$k")"
    case "$k" in
    consent) label="GET /as/authorize + POST /as/consent (a code)" ;;
    token) label="POST /as/token (authorization_code)" ;;
    cached) label="GET /as/authorize, CIMD client cached" ;;
    uncached) label="GET /as/authorize, CIMD fetched + validated each time" ;;
    esac
    ob_say "| $label | $rps | $(cpu_median "$k") µs | $failed |"
done
read -r c _ <<<"$(median cached)"
read -r u _ <<<"$(median uncached)"
ob_say ""
ob_say "CIMD fetch + validate: $u authorizations/s with a fetch each (cached: $c/s); the broker's CPU for a fetch + validation: about $(($(cpu_median uncached) - $(cpu_median cached))) µs (uncached minus cached)"
