# shellcheck shell=bash
# bench/mcp/lib.sh - the set-up the MCP server benchmarks share (run.sh, auth.sh, services.sh). Source it after
# setting HERE (the bench/mcp folder) and the ROUNDS default of the caller.
#
#   ROOT, INTEROP, BUILD_DIR, DURATION, CONNECTIONS, THREADS   the environment with its defaults
#   WORK, PIDS                 a scratch directory and the processes to stop: on exit every one of PIDS is stopped
#                              and WORK removed
#   wait_port FILE             waits (at most ~10 s) for "listening on 127.0.0.1:PORT" in FILE, prints PORT
#   build_release TARGET       builds TARGET in BUILD_DIR (Release), quietly; fails when it does not build
#   push_token PORT SECRET TOKEN INSTANCE   pushes TOKEN as INSTANCE's upstream access token to the server on PORT,
#                              signed with SECRET like the broker does (broker_api.h section 4)
#   fake_broker KEY ACCESS_TOKEN   starts tests/interop/fake-broker.mjs with one active instance "bench" of the service
#                              conformance (instance key KEY, access token ACCESS_TOKEN); sets SECRET (also in
#                              $WORK/secret, for MCP_SERVICE_SECRET_FILE) and BROKER (its port)
#   session URL [AUTH]         opens a legacy session (initialize), prints its id
#   mcp_post URL SID BODY [AUTH]   one JSON-RPC POST in that session, prints the response body
#   wrk_run URL SID BODY [AUTH]    one wrk run (DURATION s) of BODY with post.lua, prints
#                              "req/s p50_us p99_us socket_errors+non2xx"; with COUNT_TOOL_ERRORS=1 in the
#                              environment a fifth field: the responses that are tool errors ("isError":true)
#   openloop_run URL SID BODY AUTH RATE   one open-loop run (bench/tools/openloop.c, DURATION s at RATE req/s), prints
#                              its OPENLOOP line
#   cpu_ticks PID              utime + stime of PID in clock ticks (TICK_US microseconds each)
#   median, fmt_ms US          the median of the numbers on stdin; microseconds as milliseconds (2 decimals)
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
build_release() { # target
    # configured every time: a service folder added since the last configure is a target only after it
    if [ -f "$BUILD_DIR/CMakeCache.txt" ]; then cmake -S "$ROOT" -B "$BUILD_DIR" >/dev/null || return 1
    else cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null || return 1; fi
    cmake --build "$BUILD_DIR" -j2 --target "$1" >/dev/null
}
[ -x "$BUILD_DIR/mcp-servers/conformance/mcp-conformance" ] || build_release mcp-conformance || exit 1
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

push_token() { # port secret token instance
    # shellcheck disable=SC2016 # JavaScript, not shell
    node -e '
const { createHmac, hkdfSync } = require("crypto");
const [port, secret, token, instance] = process.argv.slice(1);
const key = Buffer.from(hkdfSync("sha256", Buffer.from(secret), Buffer.alloc(0), Buffer.from("mcp-push-v1"), 32));
const body = JSON.stringify({ id: "bench-" + Date.now(), events: [{ type: "token", instance_id: instance, access_token: token, expires_at: Math.floor(Date.now() / 1000) + 86400 }] });
const ts = String(Math.floor(Date.now() / 1000));
fetch(`http://127.0.0.1:${port}/cache-tokens`, { method: "POST", headers: { "content-type": "application/json", "x-broker-timestamp": ts,
  "x-broker-signature": "sha256=" + createHmac("sha256", key).update(ts + "." + body).digest("hex") }, body })
  .then(r => { if (r.status !== 200) { console.error("push failed", r.status); process.exit(1); } });
' "$1" "$2" "$3" "$4"
}

fake_broker() { # key access_token
    SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
    printf '%s' "$SECRET" >"$WORK/secret"; chmod 600 "$WORK/secret"
    cat >"$WORK/broker.json" <<JSON
{"service": "conformance", "secret": "$SECRET", "instances": [{"id": "bench", "key": "$1", "status": "active", "access_token": "$2"}]}
JSON
    node "$INTEROP/fake-broker.mjs" "$WORK/broker.json" >"$WORK/broker.log" 2>&1 & PIDS+=($!)
    BROKER=$(wait_port "$WORK/broker.log")
}

MCP_HEADERS=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream')
session() { # url [auth] -> session id
    local auth=()
    [ -n "${2:-}" ] && auth=(-H "Authorization: $2")
    curl -s -m 10 -D - -o /dev/null "$1" "${MCP_HEADERS[@]}" "${auth[@]}" \
        -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}' \
        | grep -i '^mcp-session-id:' | cut -d' ' -f2 | tr -d '\r'
}
mcp_post() { # url sid body [auth] -> response body
    local auth=()
    [ -n "${4:-}" ] && auth=(-H "Authorization: $4")
    curl -s -m 30 "$1" "${MCP_HEADERS[@]}" "${auth[@]}" -H "Mcp-Session-Id: $2" -H 'MCP-Protocol-Version: 2025-11-25' -d "$3"
}
wrk_run() { # url sid body [auth] -> "rps p50_us p99_us bad [tool_errors]"
    AUTH=${4:-} BODY=$3 SID=$2 timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s "$HERE/post.lua" "$1" 2>&1 |
        grep '^BENCH' | sed -E 's/BENCH rps=([0-9.]+) p50_us=([0-9]+) p99_us=([0-9]+) errors=([0-9]+) non2xx=([0-9]+)( tool_errors=([0-9]+))?/\1 \2 \3 \4+\5 \7/'
}
openloop_run() { # url sid body auth rate -> the OPENLOOP line of bench/tools/openloop.c (DURATION s at RATE req/s)
    timeout $((DURATION + 40)) "$BUILD_DIR/bench/bench_openloop" --url "$1" --rate "$5" --duration "$DURATION" \
        --connections "$CONNECTIONS" --body "$3" --expect '"result"' --refuse '"isError":true' --header 'Content-Type: application/json' \
        --header 'Accept: application/json, text/event-stream' --header "Mcp-Session-Id: $2" \
        --header 'MCP-Protocol-Version: 2025-11-25' --header "Authorization: $4" | grep '^OPENLOOP'
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # utime + stime
# shellcheck disable=SC2034 # read by the scripts that source this file
TICK_US=$((1000000 / $(getconf CLK_TCK)))
median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
fmt_ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }
