#!/usr/bin/env bash
# scripts/run.sh - README command 1: install what is missing, build (build/), start PostgreSQL when
# DATABASE_URL is not set (the embedded cluster in var/pg), then the broker and every built MCP
# server in the background (scripts/start-all.sh), and print their URLs.
# Stop everything with scripts/stop-all.sh.
#
# scripts/run.sh --demo: the same install and build, then the offline demo instead of the stack (scripts/demo.sh:
# a local demo authorization server and Gmail API, a broker and the gmail server pointed at them, a demo instance).
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

demo=0
for arg in "$@"; do
    case "$arg" in
    --demo) demo=1 ;;
    -h | --help)
        echo "usage: scripts/run.sh [--demo]"
        exit 0
        ;;
    *) ob_die "unknown argument \"$arg\" (usage: scripts/run.sh [--demo])" ;;
    esac
done

"$OB_ROOT/scripts/install-deps.sh"
ob_build "$BUILD_DIR" -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" -DSANITIZE=OFF
((demo == 0)) || exec "$OB_ROOT/scripts/demo.sh"

if [[ -z "${DATABASE_URL:-}" ]]; then
    # shellcheck source=scripts/lib/pg.sh
    source "$OB_ROOT/scripts/lib/pg.sh"
    pg_start
    DATABASE_URL="$(pg_url "$PG_DATABASE")"
    export DATABASE_URL
    ob_say "database: $(pg_url "$PG_DATABASE" | sed 's/:[0-9a-f]*@/:***@/') (password in $PG_PASSWORD_FILE)"
fi

exec "$OB_ROOT/scripts/start-all.sh"
