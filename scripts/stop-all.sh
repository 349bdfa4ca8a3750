#!/usr/bin/env bash
# scripts/stop-all.sh - stops what scripts/start-all.sh and scripts/demo.sh started: every MCP server,
# then the broker, then the demo's processes ($VAR_DIR/demo/run) (TERM, up to $OB_STOP_TIMEOUT seconds
# (default 10), then KILL), then the embedded PostgreSQL unless --keep-db is given. Processes that are not
# running are skipped; safe to run twice.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

keep_db=0
for arg in "$@"; do
    case "$arg" in
    --keep-db) keep_db=1 ;;
    -h | --help)
        echo "usage: scripts/stop-all.sh [--keep-db]"
        exit 0
        ;;
    *) ob_die "unknown argument \"$arg\" (usage: scripts/stop-all.sh [--keep-db])" ;;
    esac
done

run_dir="$VAR_DIR/run"
timeout_s="${OB_STOP_TIMEOUT:-10}"
shopt -s nullglob
for pidfile in "$run_dir"/*.pid; do
    name="$(basename "$pidfile" .pid)"
    [[ "$name" == oauth-service ]] || ob_stop_pid "$name" "$pidfile" "$timeout_s"
done
ob_stop_pid oauth-service "$run_dir/oauth-service.pid" "$timeout_s"
# the demo (scripts/demo.sh): its MCP server before its broker, the demo provider and API last
for name in demo-mcp-gmail demo-broker demo-gmail-api demo-as; do
    ob_stop_pid "$name" "$VAR_DIR/demo/run/$name.pid" "$timeout_s"
done

if ((keep_db == 0)); then
    # shellcheck source=scripts/lib/pg.sh
    source "$OB_ROOT/scripts/lib/pg.sh"
    pg_stop
fi
