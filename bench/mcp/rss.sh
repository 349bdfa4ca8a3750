#!/usr/bin/env bash
# bench/mcp/rss.sh - idle memory of the MCP servers: every active service of config/services.json (the set
# scripts/run.sh starts) whose folder mcp-servers/<service> exists is built (Release, BUILD_DIR), started idle on a
# free port against one fake broker (tests/interop/fake-broker.mjs: nothing calls it while idle), and after WAIT
# seconds its VmRSS is read from /proc/<pid>/status. Prints a markdown table: service, idle RSS (MB), the total, and
# the targets (each < 30 MB, all together < 300 MB); exit 1 when a target is missed or a server did not start. The
# PSS column (/proc/<pid>/smaps_rollup) shares each shared page among the servers mapping it: the sum of RSS counts
# the shared libraries once per server, the sum of PSS is what the servers take together.
# Not part of CI: a measurement for docs/benchmarks.md.
# Env: BUILD_DIR (default <repo>/build-bench, configured Release when missing), WAIT (s, default 2).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROUNDS=1
# shellcheck source=bench/mcp/lib.sh
source "$HERE/lib.sh"
WAIT=${WAIT:-2}
EACH_MB=30
TOTAL_MB=300

mapfile -t services < <(jq -r '.[] | select(.active != false) | .service_name' "$ROOT/config/services.json")
targets=()
for s in "${services[@]}"; do
    [ -f "$ROOT/mcp-servers/$s/CMakeLists.txt" ] && targets+=("mcp-$s")
done
[ ${#targets[@]} -gt 0 ] || { echo "no service of config/services.json has a folder in mcp-servers"; exit 1; }
# configured again: a service folder added since the last configure becomes a target
{ cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release && cmake --build "$BUILD_DIR" -j2 --target "${targets[@]}"; } \
    >"$WORK/build.log" 2>&1 || { tail -20 "$WORK/build.log"; exit 1; }

SECRET=idle-secret-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
printf '%s' "$SECRET" >"$WORK/secret" && chmod 600 "$WORK/secret"
printf '{"service": "idle", "secret": "%s", "instances": []}\n' "$SECRET" >"$WORK/broker.json"
node "$INTEROP/fake-broker.mjs" "$WORK/broker.json" >"$WORK/broker.log" 2>&1 & PIDS+=($!)
BROKER_PORT=$(wait_port "$WORK/broker.log") || exit 1

# all at once: the servers start in parallel and idle together, as under scripts/run.sh
declare -A PID=()
for t in "${targets[@]}"; do
    s=${t#mcp-}
    env -u DATABASE_URL MCP_SERVICE_NAME="$s" MCP_HOST=127.0.0.1 MCP_PORT=0 MCP_SERVICE_SECRET_FILE="$WORK/secret" \
        BROKER_URL="http://127.0.0.1:$BROKER_PORT" "$BUILD_DIR/mcp-servers/$s/$t" >"$WORK/$s.log" 2>&1 & PIDS+=($!)
    PID[$s]=$!
done
status=0
for t in "${targets[@]}"; do
    wait_port "$WORK/${t#mcp-}.log" >/dev/null || status=1
done
[ $status -eq 0 ] || exit 1
sleep "$WAIT"

kb_of() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
pss_of() { awk '/^Pss:/ { print $2 }' "/proc/$1/smaps_rollup" 2>/dev/null; }
mb() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }
echo "| service | idle RSS (MB) | PSS (MB) |"
echo "|---|---:|---:|"
total=0
total_pss=0
for t in "${targets[@]}"; do
    s=${t#mcp-}
    kb=$(kb_of "${PID[$s]}")
    [ -n "$kb" ] || { echo "| $s | (exited: $(tail -1 "$WORK/$s.log")) | |"; status=1; continue; }
    pss=$(pss_of "${PID[$s]}")
    total=$((total + kb))
    total_pss=$((total_pss + ${pss:-0}))
    over=""
    [ "$kb" -lt $((EACH_MB * 1024)) ] || { over=" (over $EACH_MB MB)"; status=1; }
    echo "| $s | $(mb "$kb")$over | $([ -n "$pss" ] && mb "$pss") |"
done
[ "$total" -lt $((TOTAL_MB * 1024)) ] || status=1
echo "| **total (${#targets[@]} servers)** | **$(mb "$total")** | **$(mb "$total_pss")** |"
echo
echo "Targets: each server < $EACH_MB MB idle, all together < $TOTAL_MB MB: $([ $status -eq 0 ] && echo met || echo MISSED)."
exit $status
