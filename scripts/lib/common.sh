# shellcheck shell=bash
# scripts/lib/common.sh - shared by the project scripts (source it; it sets no shell options).
#
#   OB_ROOT     the repository root
#   VAR_DIR     runtime state: pg/, run/ (pid files), log/ (default: $OB_ROOT/var)
#   BUILD_DIR   the build directory the servers are started from (default: $OB_ROOT/build)

OB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VAR_DIR="${VAR_DIR:-$OB_ROOT/var}"
BUILD_DIR="${BUILD_DIR:-$OB_ROOT/build}"
export OB_ROOT VAR_DIR BUILD_DIR

ob_say() { printf '%s\n' "$*"; }
ob_warn() { printf 'warning: %s\n' "$*" >&2; }
ob_die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# ob_ms: milliseconds since the epoch (for timings).
ob_ms() { date +%s%3N; }

# ob_alive PID: true while PID runs (a zombie waiting to be reaped counts as gone).
ob_alive() {
    local stat
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    stat="${stat##*) }"
    [[ "${stat%% *}" != Z ]]
}

# ob_wait_http URL TIMEOUT_S PID LOG [FROM_LINE]: waits until URL answers 2xx; fails early when PID
# exits. On failure prints why and the end of LOG (from FROM_LINE on: this run's output), returns 1.
ob_wait_http() {
    local url="$1" timeout_s="$2" pid="$3" log="$4" from="${5:-1}" deadline why
    deadline=$(($(date +%s) + timeout_s))
    while (($(date +%s) < deadline)); do
        if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then
            return 0
        fi
        ob_alive "$pid" || break
        sleep 0.2
    done
    if ob_alive "$pid"; then
        why="$url did not answer within ${timeout_s}s"
    else
        why="process $pid exited before $url answered"
    fi
    printf 'error: %s; last lines of %s:\n' "$why" "$log" >&2
    tail -n "+$from" "$log" | tail -n 20 >&2 || true
    return 1
}

# Pid files hold two lines: the pid and the absolute path of the executable it runs.
# ob_write_pid PIDFILE PID EXE
ob_write_pid() { printf '%s\n%s\n' "$2" "$3" >"$1"; }

# ob_pid_alive PIDFILE: true when PIDFILE names a running process that still runs the executable
# recorded in it (so a recycled pid is never mistaken for ours); prints the pid.
ob_pid_alive() {
    local pid="" exe="" running
    [[ -f "$1" ]] || return 1
    { read -r pid && read -r exe; } <"$1" || true
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    ob_alive "$pid" || return 1
    if [[ -n "$exe" ]]; then
        running="$(readlink "/proc/$pid/exe" 2>/dev/null)" || return 1
        [[ "${running% (deleted)}" == "$exe" ]] || return 1
    fi
    printf '%s\n' "$pid"
}

# ob_stop_pid NAME PIDFILE [TIMEOUT_S]: TERM, wait up to TIMEOUT_S (default 10), then KILL.
ob_stop_pid() {
    local name="$1" pidfile="$2" timeout_s="${3:-10}" pid i
    if ! pid="$(ob_pid_alive "$pidfile")"; then
        rm -f "$pidfile"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < timeout_s * 10; i++)); do
        ob_alive "$pid" || break
        sleep 0.1
    done
    if ob_alive "$pid"; then
        ob_warn "$name (pid $pid) did not stop within ${timeout_s}s: killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
    ob_say "stopped $name (pid $pid)"
}

# ob_spawn PIDFILE LOG EXE CMD...: runs CMD (which ends up executing EXE: EXE itself, or env ... EXE) in the
# background in a session of its own, output appended to LOG after a "=== <time> starting EXE" line, and writes
# PIDFILE for EXE. Sets OB_SPAWN_PID (its pid) and OB_SPAWN_FROM (LOG's first line of this run, for ob_wait_http).
ob_spawn() {
    local pidfile="$1" log="$2" exe="$3"
    shift 3
    touch "$log"
    # shellcheck disable=SC2034 # read by the caller
    OB_SPAWN_FROM=$(($(wc -l <"$log") + 1))
    printf '=== %s starting %s\n' "$(date -u +%FT%TZ)" "$exe" >>"$log"
    setsid "$@" >>"$log" 2>&1 </dev/null &
    OB_SPAWN_PID=$!
    ob_write_pid "$pidfile" "$OB_SPAWN_PID" "$exe"
}

# ob_port_busy PORT: true when something accepts connections on 127.0.0.1:PORT.
ob_port_busy() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# ob_build DIR [CMAKE_ARGS...]: configures and builds DIR, output in $VAR_DIR/log/<dir name>.log.
# On failure prints the error lines and the end of the log, and returns 1.
ob_build() {
    local dir="$1" log t0
    shift
    mkdir -p "$VAR_DIR/log"
    log="$VAR_DIR/log/$(basename "$dir").log"
    t0="$(date +%s)"
    if cmake -S "$OB_ROOT" -B "$dir" "$@" >"$log" 2>&1 &&
        cmake --build "$dir" --parallel "$(nproc)" >>"$log" 2>&1; then
        ob_say "build: $dir ok ($(($(date +%s) - t0)) s)"
        return 0
    fi
    printf 'error: building %s failed (full log: %s):\n' "$dir" "$log" >&2
    if ! grep -E -A3 'error:|CMake Error' "$log" | head -n 40 >&2; then
        tail -n 30 "$log" >&2
    fi
    return 1
}
