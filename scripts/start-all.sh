#!/usr/bin/env bash
# scripts/start-all.sh - starts the broker and every MCP server that is built, in the background.
#
# The broker: $BUILD_DIR/oauth-service/oauth-service --config config/broker.json run (it applies
# the migrations and seeds the service registry itself). An MCP server: each active service of
# config/services.json whose binary $BUILD_DIR/mcp-servers/<service>/mcp-<service> exists, started with
#   MCP_SERVICE_NAME=<service> MCP_HOST=127.0.0.1 MCP_PORT=<port from services.json>
#   BROKER_URL=OAUTH_BASE_URL=<broker URL> LOG_LEVEL OB_VAR_DIR=$VAR_DIR   (and no DATABASE_URL)
#   MCP_SERVICE_SECRET_FILE=$VAR_DIR/keys/services/<service>.secret  (generated when missing, 0600;
#                            the broker reads the same file: the service's bearer and HMAC key)
# Missing keys are generated first (scripts/keys.sh: the data key ring and admin key the broker needs).
# Pid files go to $VAR_DIR/run, logs to $VAR_DIR/log. Each process must answer GET /health within
# $OB_START_TIMEOUT seconds (default 30). Already running processes are left alone. Without
# DATABASE_URL the embedded PostgreSQL (scripts/lib/pg.sh) is started and used.
# On a failure, what this run started is stopped again and the exit status is 1.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

config="${OB_CONFIG:-$OB_ROOT/config/broker.json}"
services_file="${OB_SERVICES_FILE:-$OB_ROOT/config/services.json}"
timeout_s="${OB_START_TIMEOUT:-30}"
run_dir="$VAR_DIR/run"
log_dir="$VAR_DIR/log"
mkdir -p "$run_dir" "$log_dir"
started=()

# Stops what this run started, then exits 1.
fail() {
    local name
    for name in "${started[@]}"; do
        ob_stop_pid "$name" "$run_dir/$name.pid"
    done
    exit 1
}

# service_secret SERVICE: prints the path of the service's secret file (32 random bytes, hex, 0600),
# generating the file when it is missing.
service_secret() {
    local dir="$VAR_DIR/keys/services" file
    file="$dir/$1.secret"
    if [[ ! -s "$file" ]]; then
        (umask 077 && mkdir -p "$dir" && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$file")
    fi
    printf '%s\n' "$file"
}

# reserve_ports PORT...: the ports this stack listens on are kept out of the kernel's ephemeral range (root only;
# merged with what is reserved already). Otherwise an outgoing connection of any program may take one of them as
# its local port, and its TIME_WAIT keeps the server from binding for a minute.
reserve_ports() {
    local file=/proc/sys/net/ipv4/ip_local_reserved_ports cur
    # OB_RESERVE_PORTS=0: leave the system's setting alone (a test of this script on ports it borrowed)
    [[ "${OB_RESERVE_PORTS:-1}" != 0 && -w "$file" ]] || return 0
    cur="$(cat "$file")"
    printf '%s\n' "${cur:+$cur,}$(
        IFS=,
        echo "$*"
    )" >"$file" 2>/dev/null || true
}

# wait_time_wait PORT: waits (at most 65 s) until no connection in TIME_WAIT holds PORT as its local port.
wait_time_wait() {
    local i
    for ((i = 0; i < 130; i++)); do
        [[ -z "$(ss -Htan state time-wait "( sport = :$1 )" 2>/dev/null)" ]] && return 0
        sleep 0.5
    done
    return 1
}

# start_one NAME EXE PORT [ARGS...]: starts EXE (environment already set) unless it is running.
start_one() {
    local name="$1" exe="$2" port="$3" pid pidfile="$run_dir/$1.pid" log="$log_dir/$1.log"
    shift 3
    if pid="$(ob_pid_alive "$pidfile")"; then
        ob_say "$name already running (pid $pid): http://127.0.0.1:$port"
        return 0
    fi
    if ob_port_busy "$port"; then
        printf 'error: port %s for %s is taken by another process (free it or change the port)\n' "$port" "$name" >&2
        return 1
    fi
    if ! wait_time_wait "$port"; then
        printf 'error: port %s for %s is held by connections in TIME_WAIT\n' "$port" "$name" >&2
        return 1
    fi
    ob_spawn "$pidfile" "$log" "$exe" "$exe" "$@"
    pid="$OB_SPAWN_PID"
    started+=("$name")
    ob_wait_http "http://127.0.0.1:$port/health" "$timeout_s" "$pid" "$log" "$OB_SPAWN_FROM" || return 1
    ob_say "started $name (pid $pid): http://127.0.0.1:$port (log $log)"
}

main() {
    command -v jq >/dev/null || ob_die "jq is missing (run scripts/install-deps.sh)"
    local broker_exe="$BUILD_DIR/oauth-service/oauth-service"
    [[ -x "$broker_exe" ]] || ob_die "$broker_exe is not built (run scripts/run.sh, or cmake --build $BUILD_DIR)"
    broker_exe="$(realpath "$broker_exe")"
    if [[ -z "${DATABASE_URL:-}" ]]; then
        # shellcheck source=scripts/lib/pg.sh
        source "$OB_ROOT/scripts/lib/pg.sh"
        pg_start
        DATABASE_URL="$(pg_url "$PG_DATABASE")"
        export DATABASE_URL
    fi
    local port service svc_port exe secret count=0
    local -a services=()
    mapfile -t services < <(jq -r '.[] | select(.active != false) | "\(.service_name) \(.port)"' "$services_file")
    # the broker's keys ($VAR_DIR/keys: data key ring, admin key, one secret per active service, shared with
    # its MCP server): generated when missing, never overwritten
    OB_SERVICES_FILE="$services_file" "$OB_ROOT/scripts/keys.sh" --quiet || fail
    for service in "${services[@]}"; do
        service_secret "${service% *}" >/dev/null # the broker reads them too: create them first
    done
    port="${OAUTH_SERVICE_PORT:-$(jq -r '.listen.port // 3001' "$config")}"
    reserve_ports "$port" "${services[@]#* }"
    export OAUTH_BASE_URL="${OAUTH_BASE_URL:-$(jq -r --arg d "http://127.0.0.1:$port" '.base_url // $d' "$config")}"

    start_one oauth-service "$broker_exe" "$port" --config "$config" run || fail
    unset DATABASE_URL # MCP servers hold caches only: they get no database credentials
    export BROKER_URL="${BROKER_URL:-$OAUTH_BASE_URL}"

    for service in "${services[@]}"; do
        svc_port="${service#* }"
        service="${service% *}"
        exe="$BUILD_DIR/mcp-servers/$service/mcp-$service"
        [[ -x "$exe" ]] || continue
        secret="$(service_secret "$service")"
        MCP_SERVICE_NAME="$service" MCP_HOST=127.0.0.1 MCP_PORT="$svc_port" MCP_SERVICE_SECRET_FILE="$secret" \
            OB_VAR_DIR="$VAR_DIR" start_one "mcp-$service" "$(realpath "$exe")" "$svc_port" || fail
        count=$((count + 1))
    done

    local workers
    workers="$(curl -s -m 2 "$OAUTH_BASE_URL/health" | jq -r '.worker.of // empty' 2>/dev/null || true)"
    ob_say ""
    ob_say "broker:      $OAUTH_BASE_URL/health   $OAUTH_BASE_URL/providers"
    [[ -z "$workers" ]] ||
        ob_say "             $workers worker process(es), one per CPU unless OB_WORKERS or listen.workers says otherwise"
    ob_say "MCP servers: $count running (logs in $log_dir, stop everything with scripts/stop-all.sh)"
    ob_say "             an instance's endpoint: http://127.0.0.1:<service port>/<instance id>/mcp"
    ob_say "keys:        admin API bearer in $VAR_DIR/keys/admin.key; data key ring $VAR_DIR/keys/data.keys;"
    ob_say "             service secrets in $VAR_DIR/keys/services/ (all 0600, generated when missing)"
    ob_say ""
    ob_say "next: create an instance with your own OAuth client (its redirect URI: $OAUTH_BASE_URL/oauth/callback),"
    ob_say "      open the authorize_url it returns in a browser, then point an MCP client at its mcp_url with"
    ob_say "      Authorization: Bearer <mcp_access_key> (shown once). docs/oauth-flows.md has the whole API."
    ob_say "  curl -H \"Authorization: Bearer \$(cat $VAR_DIR/keys/admin.key)\" -H 'content-type: application/json' \\"
    ob_say "       -d '{\"service\":\"gmail\",\"user_id\":\"me\",\"client_id\":\"...\",\"client_secret\":\"...\"}' $OAUTH_BASE_URL/instances"
    ob_say "or:   paste the instance's mcp_url alone into an MCP client that supports OAuth (Claude, VS Code, the MCP SDKs,"
    ob_say "      mcp-remote): it discovers the broker ($OAUTH_BASE_URL/.well-known/oauth-authorization-server),"
    ob_say "      registers, and sends you to a consent page that asks for the instance's access key."
    ob_say "      docs/mcp-authorization.md: the flow, service URLs (http://127.0.0.1:<service port>/mcp) and their"
    ob_say "      operator app credentials."
    ob_say "admin: $BUILD_DIR/tools/obctl/obctl instances list   (the admin CLI over the same API: docs/obctl.md)"
    ob_say "no OAuth client yet? scripts/run.sh --demo runs the whole flow offline (a fake Google and Gmail, labelled DEMO)."
}

main "$@"
