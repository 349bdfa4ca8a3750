# shellcheck shell=bash
# bench/mcp/lib.sh - the set-up the MCP server benchmarks share (run.sh, auth.sh). Source it after setting
# HERE (the bench/mcp folder) and the ROUNDS default of the caller.
#
#   ROOT, INTEROP, BUILD_DIR, DURATION, CONNECTIONS, THREADS   the environment with its defaults
#   WORK, PIDS                 a scratch directory and the processes to stop: on exit every one of PIDS is stopped
#                              and WORK removed
#   wait_port FILE             waits (at most ~10 s) for "listening on 127.0.0.1:PORT" in FILE, prints PORT
# On sourcing: wrk is required, mcp-conformance is built in BUILD_DIR (Release) when missing, the pinned node
# packages of tests/interop are installed when missing and on PATH.
ROOT=$(cd "$HERE/../.." && pwd)
INTEROP=$ROOT/tests/interop
BUILD_DIR=${BUILD_DIR:-$ROOT/build-bench}
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-1}
PIDS=()
WORK=$(mktemp -d)
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done; rm -rf "$WORK"; }
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 1; }
if [ ! -x "$BUILD_DIR/mcp-servers/conformance/mcp-conformance" ]; then
    cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null && cmake --build "$BUILD_DIR" -j2 --target mcp-conformance >/dev/null || exit 1
fi
[ -x "$INTEROP/node_modules/.bin/node" ] || (cd "$INTEROP" && npm ci --no-audit --no-fund >/dev/null 2>&1) || exit 1
export PATH="$INTEROP/node_modules/.bin:$PATH" NODE_PATH="$INTEROP/node_modules"

wait_port() { # file -> port
    local i=0
    while [ $i -lt 100 ]; do
        if grep -Eq 'listening on 127\.0\.0\.1:[0-9]+' "$1" 2>/dev/null; then grep -Eom1 '127\.0\.0\.1:[0-9]+' "$1" | cut -d: -f2; return 0; fi
        sleep 0.1; i=$((i + 1))
    done
    echo "server did not start: $(tail -5 "$1")" >&2; return 1
}
