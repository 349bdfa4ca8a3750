#!/usr/bin/env bash
# scripts/demo.sh - the offline demo (scripts/run.sh --demo): the whole flow on this machine, no internet.
#
# Starts, all on loopback, in the background:
#   demo-as       a local authorization server that behaves like Google's (tests/fakes/fake-google.mjs)
#   demo-gmail-api  a demo Gmail API (tests/interop/fake-gmail.mjs), which accepts the access tokens demo-as issued
#   demo-broker   the broker, its google plugin pointed at demo-as (a configuration generated under the demo's
#                 directory; config/broker.json and the stack of scripts/run.sh are left alone)
#   demo-mcp-gmail  the gmail MCP server, pointed at the demo Gmail API
# then creates a demo instance through the admin API and prints the consent URL to open in a browser, the MCP URL
# with its access key, and the MCP Inspector command to try it. Running it again starts what is not running and
# creates a new instance; when a process does not come up, what this run started is stopped again (exit 1).
# scripts/stop-all.sh stops the demo too.
#
# Everything lives in $VAR_DIR/demo: broker.json, services.json, the demo authorization server's client, keys/,
# log/, run/ (pid files) and demo.json (the last instance's URLs and key, mode 0600). The database: the embedded
# PostgreSQL (scripts/lib/pg.sh) with a database of its own, ob_demo, unless OB_DEMO_DATABASE_URL names one.
# Ports (all overridable; the defaults are clear of config/broker.json and config/services.json):
#   OB_DEMO_BROKER_PORT (3091), OB_DEMO_AS_PORT (3092), OB_DEMO_API_PORT (3093),
#   OB_DEMO_MCP_PORT (49396: the registry allows 49000..50000)
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

demo_dir="$VAR_DIR/demo"
run_dir="$demo_dir/run"
log_dir="$demo_dir/log"
broker_port="${OB_DEMO_BROKER_PORT:-3091}"
as_port="${OB_DEMO_AS_PORT:-3092}"
api_port="${OB_DEMO_API_PORT:-3093}"
mcp_port="${OB_DEMO_MCP_PORT:-49396}"
timeout_s="${OB_START_TIMEOUT:-30}"
broker="http://127.0.0.1:$broker_port"
as="http://127.0.0.1:$as_port"
api="http://127.0.0.1:$api_port"
client_id="demo-client.apps.googleusercontent.com"
started=()

# demo_fail: stops what this run started (newest first), then exits 1.
demo_fail() {
    local i
    for ((i = ${#started[@]} - 1; i >= 0; i--)); do
        ob_stop_pid "${started[i]}" "$run_dir/${started[i]}.pid"
    done
    exit 1
}

# demo_start NAME PORT HEALTH_PATH [NAME=VALUE | -u NAME]... EXE [ARGS...]: starts EXE (the words before it set or
# unset its environment, as env does) unless NAME runs already, and waits until http://127.0.0.1:PORT/HEALTH_PATH answers 2xx.
demo_start() {
    local name="$1" port="$2" health="$3" pidfile="$run_dir/$1.pid" log="$log_dir/$1.log" pid exe
    shift 3
    local -a envs=()
    while [[ "$1" == *=* || "$1" == -u ]]; do
        if [[ "$1" == -u ]]; then
            envs+=(-u "$2")
            shift
        else
            envs+=("$1")
        fi
        shift
    done
    exe="$(realpath "$(command -v "$1")")"
    shift
    if pid="$(ob_pid_alive "$pidfile")"; then
        ob_say "$name already running (pid $pid): http://127.0.0.1:$port"
        return 0
    fi
    if ob_port_busy "$port"; then
        printf 'error: port %s for %s is taken by another process (set the OB_DEMO_*_PORT variables)\n' \
            "$port" "$name" >&2
        return 1
    fi
    ob_spawn "$pidfile" "$log" "$exe" env "${envs[@]}" "$exe" "$@"
    pid="$OB_SPAWN_PID"
    started+=("$name")
    ob_wait_http "http://127.0.0.1:$port$health" "$timeout_s" "$pid" "$log" "$OB_SPAWN_FROM" || return 1
    ob_say "started $name (pid $pid): http://127.0.0.1:$port (log $log)"
}

# write_configs: the registry (gmail only, at the demo's MCP port), the demo authorization server's one client, the
# broker's configuration (google at demo-as) and the keys (scripts/keys.sh into $demo_dir/keys, kept across runs).
write_configs() {
    local secret_file="$demo_dir/client.secret"
    [[ -s "$secret_file" ]] || (umask 077 && od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$secret_file")
    CLIENT_SECRET="$(<"$secret_file")"
    jq --argjson port "$mcp_port" '[.[] | select(.service_name == "gmail") | .port = $port | .active = true
        | .description = "DEMO: Gmail served by a local demo API"]' "$OB_ROOT/config/services.json" \
        >"$demo_dir/services.json"
    (umask 077 && jq -n --arg id "$client_id" --arg secret "$CLIENT_SECRET" --arg cb "$broker/oauth/callback" \
        '{clients: [{client_id: $id, client_secret: $secret, redirect_uris: [$cb]}]}' >"$demo_dir/as.json")
    jq -n --argjson port "$broker_port" --arg base "$broker" --arg dir "$demo_dir" --arg asu "$as" \
        --arg plugins "$BUILD_DIR/plugins" --arg migrations "$OB_ROOT/db/migrations" '
        {"$comment": "DEMO configuration written by scripts/demo.sh: google is the local demo authorization server",
         listen: {host: "127.0.0.1", port: $port}, base_url: $base, database: {url: null, pool_size: 2},
         plugin_dir: $plugins, migrations_dir: $migrations, services_file: "\($dir)/services.json",
         log_level: "info",
         keys: {data_key_file: "\($dir)/keys/data.keys", admin_key_file: "\($dir)/keys/admin.key",
                services_dir: "\($dir)/keys/services"},
         providers: {google: {authorization_endpoint: "\($asu)/o/oauth2/v2/auth", token_endpoint: "\($asu)/token",
                              revocation_endpoint: "\($asu)/revoke", jwks_uri: "\($asu)/oauth2/v3/certs",
                              userinfo_endpoint: "\($asu)/v1/userinfo"}}}' >"$demo_dir/broker.json"
    VAR_DIR="$demo_dir" OB_SERVICES_FILE="$demo_dir/services.json" "$OB_ROOT/scripts/keys.sh" --quiet
}

# demo_database: prints the DATABASE_URL of the demo (OB_DEMO_DATABASE_URL, else database ob_demo of the embedded
# cluster, created when missing: the demo's registry never mixes with the stack's).
demo_database() {
    if [[ -n "${OB_DEMO_DATABASE_URL:-}" ]]; then
        printf '%s\n' "$OB_DEMO_DATABASE_URL"
        return 0
    fi
    # shellcheck source=scripts/lib/pg.sh
    source "$OB_ROOT/scripts/lib/pg.sh"
    pg_start >&2 || return 1
    if [[ "$(pg_psql -tAc "SELECT 1 FROM pg_database WHERE datname = 'ob_demo'")" != 1 ]]; then
        pg_create_db ob_demo >&2 || return 1
    fi
    pg_url ob_demo
}

# create_instance: a demo instance through the admin API; sets AUTHORIZE_URL, MCP_URL, MCP_KEY.
create_instance() {
    local body
    body="$(curl -sS --max-time 10 -X POST -H "authorization: Bearer $(<"$demo_dir/keys/admin.key")" \
        -H 'content-type: application/json' --data "$(jq -n --arg id "$client_id" --arg s "$CLIENT_SECRET" \
            '{service: "gmail", user_id: "demo-user", custom_name: "Demo Gmail", client_id: $id, client_secret: $s}')" \
        -w '\n%{http_code}' "$broker/instances")" || ob_die "the demo broker did not answer POST /instances"
    [[ "${body##*$'\n'}" == 201 ]] || ob_die "creating the demo instance failed: ${body%$'\n'*}"
    body="${body%$'\n'*}"
    AUTHORIZE_URL="$(jq -r .authorize_url <<<"$body")"
    MCP_URL="$(jq -r .mcp_url <<<"$body")"
    MCP_KEY="$(jq -r .mcp_access_key <<<"$body")"
    (umask 077 && jq '{instance_id, authorize_url, mcp_url, mcp_access_key}' <<<"$body" >"$demo_dir/demo.json")
}

main() {
    command -v jq >/dev/null || ob_die "jq is missing (run scripts/install-deps.sh)"
    command -v node >/dev/null || ob_die "node is missing (run scripts/install-deps.sh)"
    local exe
    for exe in oauth-service/oauth-service plugins/google.so mcp-servers/gmail/mcp-gmail; do
        [[ -e "$BUILD_DIR/$exe" ]] || ob_die "$BUILD_DIR/$exe is not built (run scripts/run.sh --demo)"
    done
    mkdir -p "$run_dir" "$log_dir"
    write_configs
    local db_url
    db_url="$(demo_database)" || ob_die "the demo's database is not available (see above)"

    ob_say "=== DEMO: the OAuth broker with a local demo Google and a demo Gmail API (no internet, nothing real) ==="
    demo_start demo-as "$as_port" /_stats FAKE_PORT="$as_port" \
        FAKE_BANNER="DEMO: a local stand-in for Google's sign-in. No real account is used and nothing leaves this machine." \
        node "$OB_ROOT/tests/fakes/fake-google.mjs" "$demo_dir/as.json" || demo_fail
    demo_start demo-gmail-api "$api_port" /_stats FAKE_PORT="$api_port" FAKE_TOKENINFO_URL="$as/tokeninfo" \
        node "$OB_ROOT/tests/interop/fake-gmail.mjs" unused || demo_fail
    # the broker's environment overrides of config/broker.json would send the demo elsewhere: cleared
    demo_start demo-broker "$broker_port" /health -u OAUTH_SERVICE_HOST -u OAUTH_SERVICE_PORT -u OB_PLUGIN_DIR \
        -u OB_MIGRATIONS_DIR -u OB_SERVICES_FILE -u OB_DATA_KEY_FILE -u OB_ADMIN_KEY_FILE -u OB_ADMIN_KEY_SHA256 \
        -u OB_SERVICE_KEYS_DIR -u OB_DATA_KEYS VAR_DIR="$demo_dir" DATABASE_URL="$db_url" OAUTH_BASE_URL="$broker" \
        "$BUILD_DIR/oauth-service/oauth-service" --config "$demo_dir/broker.json" run || demo_fail
    demo_start demo-mcp-gmail "$mcp_port" /health MCP_SERVICE_NAME=gmail MCP_HOST=127.0.0.1 MCP_PORT="$mcp_port" \
        BROKER_URL="$broker" OAUTH_BASE_URL="$broker" MCP_SERVICE_SECRET_FILE="$demo_dir/keys/services/gmail.secret" \
        GMAIL_API_BASE="$api" OB_VAR_DIR="$demo_dir" "$BUILD_DIR/mcp-servers/gmail/mcp-gmail" || demo_fail
    create_instance

    local stop="scripts/stop-all.sh"
    [[ "$VAR_DIR" == "$OB_ROOT/var" ]] || stop="VAR_DIR=$VAR_DIR $stop"
    ob_say ""
    ob_say "DEMO ready (state in $demo_dir; stop it with: $stop)"
    ob_say "1. open the consent URL in a browser and choose Allow on the demo sign-in page:"
    ob_say "   consent URL: $AUTHORIZE_URL"
    ob_say "2. the demo instance's MCP endpoint and its access key (also in $demo_dir/demo.json):"
    ob_say "   MCP URL: $MCP_URL"
    ob_say "   MCP key: $MCP_KEY"
    ob_say "3. after the consent, try it with the MCP Inspector (its CLI; npm ci in tests/interop installs it):"
    ob_say "   inspector: (cd $OB_ROOT/tests/interop && npx --no-install mcp-inspector --cli $MCP_URL" \
        "--transport http --header \"Authorization: Bearer $MCP_KEY\" --method tools/call --tool-name list_labels)"
    ob_say "   without --cli (and without --method ...) the Inspector opens its web UI; give it the same URL and header."
}

main "$@"
