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
