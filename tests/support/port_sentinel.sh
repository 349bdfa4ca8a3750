#!/usr/bin/env bash
# tests/support/port_sentinel.sh - the isolation check around a ctest run (tests/CMakeLists.txt registers it as a
# fixture every test requires, so it also runs around `ctest -R ...`):
#
#   port_sentinel.sh start OUT_DIR   (fixture setup) starts tests/support/port-sentinel.mjs, detached, on the ports
#                                    of a stack started by scripts/run.sh: config/services.json's registry ports and
#                                    config/broker.json's listen.port, and those of scripts/run.sh --demo (the
#                                    defaults in scripts/demo.sh). It watches ctest (this script's parent) and
#                                    exits with it. Ports in use by something else are left alone and reported.
#   port_sentinel.sh check OUT_DIR   (fixture cleanup) stops it and fails when any process of this test run (a
#                                    descendant of ctest, or OB_TEST_RUN=<this build> in its environment) or an
#                                    unidentified one connected to a covered port; connections of other users'
#                                    processes are listed only. Writes OUT_DIR/summary (scripts/test.sh prints it).
#
# Environment: OB_SOURCE_DIR (the repository), OB_TEST_RUN (the marker of this run's processes).
set -uo pipefail

SRC="${OB_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
cmd="${1:-}"
out="${2:-}"
[[ -n "$cmd" && -n "$out" ]] || {
    echo "usage: $0 start|check OUT_DIR" >&2
    exit 2
}

# sentinel_pid: the pid of the sentinel recorded in OUT_DIR, when it still runs our script for OUT_DIR
sentinel_pid() {
    local pid
    pid="$(cat "$out/pid" 2>/dev/null)" || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "port-sentinel.mjs $out " || return 1
    printf '%s\n' "$pid"
}

stop_sentinel() {
    local pid
    pid="$(sentinel_pid)" || return 0
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

registry_ports() {
    jq -r '.[].port' "$SRC/config/services.json"
    jq -r '.listen.port // 3001' "$SRC/config/broker.json"
    sed -nE 's/.*OB_DEMO_[A-Z]+_PORT:-([0-9]+).*/\1/p' "$SRC/scripts/demo.sh" # the offline demo's default ports
}

start() {
    command -v node >/dev/null || {
        echo "node is not installed"
        exit 1
    }
    stop_sentinel # one left over from an interrupted run of this build
    rm -rf "$out"
    mkdir -p "$out"
    local -a ports
    mapfile -t ports < <(registry_ports)
    ((${#ports[@]} > 0)) || {
        echo "no ports in config/services.json / config/broker.json"
        exit 1
    }
    setsid node "$SRC/tests/support/port-sentinel.mjs" "$out" "$PPID" "${OB_TEST_RUN:-}" "${ports[@]}" \
        </dev/null >"$out/sentinel.log" 2>&1 &
    echo "$!" >"$out/pid"
    for _ in $(seq 1 100); do
        [[ -s "$out/ready" ]] && break
        sleep 0.1
    done
    [[ -s "$out/ready" ]] || {
        echo "the sentinel did not come up:"
        cat "$out/sentinel.log"
        exit 1
    }
    echo "sentinel on 127.0.0.1: covering $(jq -r '.covered|join(" ")' "$out/ready")"
    jq -r '.in_use[] | "port \(.) is in use by another process: not covered"' "$out/ready"
    jq -r '.failed[] | "port \(.port) could not be bound (\(.error)): not covered"' "$out/ready"
    exit 0
}

check() {
    [[ -s "$out/ready" ]] || {
        echo "FAIL - the sentinel never started (no $out/ready)" | tee "$out/summary"
        exit 1
    }
    local alive=1
    sentinel_pid >/dev/null || alive=0
    stop_sentinel
    local n_cov n_all bad foreign in_use summary rc=0
    n_cov="$(jq '.covered|length' "$out/ready")"
    n_all="$(jq '(.covered|length) + (.in_use|length) + (.failed|length)' "$out/ready")"
    in_use="$(jq -r '[.in_use[], .failed[].port] | join(" ")' "$out/ready")"
    bad="$(jq -s '[.[] | select(.ours != false)] | length' "$out/events.jsonl")"
    foreign="$(jq -s '[.[] | select(.ours == false)] | length' "$out/events.jsonl")"
    summary="isolation sentinel: $n_cov of $n_all stack ports covered${in_use:+ (in use elsewhere, not covered: $in_use)}"
    summary+="; connections from this test run: $bad; from other processes: $foreign"
    if ((!alive)); then
        summary+="; the sentinel stopped before the tests ended (coverage incomplete)"
        rc=1
    fi
    ((bad == 0)) || rc=1
    echo "$summary" | tee "$out/summary"
    jq -r 'select(.ours != false) | "  FAIL: \(.request) to port \(.port) at \(.at) from pid \(.pid // "?") (\(.cmd // "process not identified"))"' \
        "$out/events.jsonl"
    jq -r 'select(.ours == false) | "  other process (not this run): \(.request) to port \(.port) from pid \(.pid) (\(.cmd))"' \
        "$out/events.jsonl"
    exit "$rc"
}

case "$cmd" in
start) start ;;
check) check ;;
*)
    echo "usage: $0 start|check OUT_DIR" >&2
    exit 2
    ;;
esac
