# lib.sh - shared helpers of the interop tests (sourced). Servers bind 127.0.0.1 on ports they pick
# themselves (port 0) and report; every wait is bounded; everything started is stopped by the caller's trap.
INTEROP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_DIR=${OB_SOURCE_DIR:-$(cd "$INTEROP_DIR/../.." && pwd)}
BUILD_DIR=${OB_BUILD_DIR:-$SRC_DIR/build}
CONFORMANCE_BIN=$BUILD_DIR/mcp-servers/conformance/mcp-conformance
PIDS=()
export LSAN_OPTIONS="suppressions=$INTEROP_DIR/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
}

# Installs the pinned npm packages when node_modules is missing (npm ci: exact lockfile).
ensure_node_modules() {
    if [ ! -x "$INTEROP_DIR/node_modules/.bin/conformance" ] || [ ! -x "$INTEROP_DIR/node_modules/.bin/node" ]; then
        (cd "$INTEROP_DIR" && npm ci --no-audit --no-fund >/dev/null 2>&1) || { echo "npm ci failed" >&2; return 1; }
    fi
    export PATH="$INTEROP_DIR/node_modules/.bin:$PATH" # node 22 first
}

# interop_init BIN TARGET: the script's start. Exits when BIN (build target TARGET) is missing or the npm packages
# cannot be installed; sets WORK (a scratch directory) and a trap that stops PIDS and removes WORK on exit.
interop_init() {
    [ -x "$1" ] || { echo "missing $1 (build target $2)"; exit 1; }
    ensure_node_modules || exit 1
    WORK=$(mktemp -d)
    trap 'cleanup; rm -rf "$WORK"' EXIT
}

# wait_for_log FILE REGEX SECONDS: prints the first match's line; fails after SECONDS.
wait_for_log() {
    local file=$1 re=$2 limit=$(( $3 * 10 )) i=0
    while [ $i -lt $limit ]; do
        if grep -Eq "$re" "$file" 2>/dev/null; then grep -Em1 "$re" "$file"; return 0; fi
        sleep 0.1; i=$((i + 1))
    done
    echo "timed out waiting for /$re/ in $file:" >&2; tail -20 "$file" >&2
    return 1
}

# start_conformance LOG [ENV=VALUE...]: starts the fixture on an ephemeral port, sets MCP_PORT_BOUND.
start_conformance() {
    local log=$1; shift
    env MCP_HOST=127.0.0.1 MCP_PORT=0 "$@" "$CONFORMANCE_BIN" >"$log" 2>&1 &
    PIDS+=($!)
    local line
    line=$(wait_for_log "$log" 'listening on 127\.0\.0\.1:[0-9]+' 10) || return 1
    MCP_PORT_BOUND=$(echo "$line" | sed -E 's/.*listening on 127\.0\.0\.1:([0-9]+).*/\1/')
}

# stop_and_check_sanitizers LOG: stops the first started process (the MCP server) and fails when its log
# holds an AddressSanitizer/LeakSanitizer/UBSan report (the -DSANITIZE=ON pass runs these scripts too).
stop_and_check_sanitizers() {
    kill "${PIDS[0]}" 2>/dev/null; wait "${PIDS[0]}" 2>/dev/null
    if grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:' "$1"; then
        echo "sanitizer report in $1:"; grep -E -A15 'AddressSanitizer|LeakSanitizer|runtime error:' "$1" | head -60
        return 1
    fi
    return 0
}

# start_service BIN LOG [ENV=VALUE...]: like start_conformance for any service binary built on the runtime.
start_service() {
    local bin=$1 log=$2; shift 2
    env MCP_HOST=127.0.0.1 MCP_PORT=0 "$@" "$bin" >"$log" 2>&1 &
    PIDS+=($!)
    local line
    line=$(wait_for_log "$log" 'listening on 127\.0\.0\.1:[0-9]+' 10) || return 1
    MCP_PORT_BOUND=$(echo "$line" | sed -E 's/.*listening on 127\.0\.0\.1:([0-9]+).*/\1/')
}

# start_fake_broker SERVICE WORKDIR TOKEN: writes WORKDIR/secret and WORKDIR/broker.json (instances inst-active with
# a random key and TOKEN as provider access token, inst-reauth needing re-authorization), starts fake-broker.mjs,
# sets BROKER_URL. A real broker can replace it later: the drivers only need these files and BROKER_URL.
start_fake_broker() {
    local service=$1 work=$2 token=$3 secret key key2
    secret=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
    key=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
    key2=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
    printf '%s' "$secret" >"$work/secret"; chmod 600 "$work/secret"
    cat >"$work/broker.json" <<JSON
{"service": "$service", "secret": "$secret", "instances": [
  {"id": "inst-active", "key": "$key", "status": "active", "access_token": "$token", "expires_in": 3600},
  {"id": "inst-reauth", "key": "$key2", "status": "needs_reauth", "authorize_url": "http://127.0.0.1/authorize/inst-reauth"}]}
JSON
    SECRETS_TO_HIDE="$secret|$key|$key2|$token"
    node "$INTEROP_DIR/fake-broker.mjs" "$work/broker.json" >"$work/broker.log" 2>&1 & PIDS+=($!)
    local port
    port=$(wait_for_log "$work/broker.log" 'listening on' 10 | sed -E 's/.*:([0-9]+)$/\1/') || return 1
    BROKER_URL="http://127.0.0.1:$port"
}

# start_fake_api SCRIPT LOG TOKEN: starts a fake provider API (node), sets FAKE_API_PORT.
start_fake_api() {
    node "$INTEROP_DIR/$1" "$3" >"$2" 2>&1 & PIDS+=($!)
    FAKE_API_PORT=$(wait_for_log "$2" 'listening on' 10 | sed -E 's/.*:([0-9]+)$/\1/') || return 1
}
