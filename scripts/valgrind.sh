#!/usr/bin/env bash
# scripts/valgrind.sh - memcheck over the C code: every CUnit suite of a build, and one integration run with the
# real servers (tests/integration/mcp_e2e.sh: the broker and mcp-gmail/-outlook/-github under valgrind, driven by
# the official MCP SDK client). Fails on any invalid access, use of uninitialised memory, bad free, or definite
# leak; suppressions (each with its reason) are in tests/support/valgrind.supp.
#
#   scripts/valgrind.sh [BUILD_DIR]      BUILD_DIR: a build without sanitizers (default build/)
#
# The normal pass of scripts/test.sh runs it as the ctest test valgrind_memcheck. The suites run OB_VALGRIND_JOBS
# (default 2) at a time, next to the integration run. DATABASE_URL as scripts/test.sh sets it; without it the embedded PostgreSQL
# (scripts/lib/pg.sh) is started (and stopped again) with a database of its own. OB_VALGRIND_INTEGRATION=0 skips
# the integration run, OB_VALGRIND_REGEX selects suites by name. Logs: BUILD_DIR/valgrind/ (kept on failure). Ends with "N passed, N failed".
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="$(cd "${1:-${OB_BUILD_DIR:-$ROOT/build}}" && pwd)" || exit 1
SUPP="$ROOT/tests/support/valgrind.supp"
OUT="$BUILD/valgrind"
JOBS="${OB_VALGRIND_JOBS:-2}"
started_pg=0

command -v valgrind >/dev/null || {
    echo "valgrind is not installed (scripts/install-deps.sh installs it)"
    exit 1
}
if grep -q '^SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null; then
    echo "$BUILD is a sanitizer build: valgrind needs the normal one"
    exit 1
fi

cleanup() {
    if ((started_pg)); then
        pg_stop >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -z "${DATABASE_URL:-}" ]]; then
    # shellcheck source=scripts/lib/common.sh
    source "$ROOT/scripts/lib/common.sh"
    # shellcheck source=scripts/lib/pg.sh
    source "$ROOT/scripts/lib/pg.sh"
    pg_running || started_pg=1
    pg_start >/dev/null || exit 1
    pg_create_db ob_valgrind >/dev/null || exit 1
    DATABASE_URL="$(pg_url ob_valgrind)"
    export DATABASE_URL
fi

rm -rf "$OUT"
mkdir -p "$OUT"
# the tests' "wait at most" bounds (tests/support/cu.h cu_wait_ms) stretch with memcheck's slowdown
export OB_TEST_TIMEOUT_SCALE="${OB_TEST_TIMEOUT_SCALE:-10}"
# libpq would first try a GSSAPI-encrypted connection (Kerberos set-up, slow under memcheck); loopback never needs it
export PGGSSENCMODE=disable
VG=(valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite
    --error-exitcode=99 --num-callers=30 --suppressions="$SUPP")

# the CUnit suites registered with ctest (a binary, named test_*), each with its ctest environment
ctest --test-dir "$BUILD" --show-only=json-v1 >"$OUT/tests.json" 2>/dev/null || {
    echo "ctest --show-only failed in $BUILD"
    exit 1
}
jq -c '.tests[] | select((.name | startswith("test_")) and (.command[0] | test("/bash$") | not))
    | {name, command, env: ([.properties[]? | select(.name == "ENVIRONMENT") | .value] | flatten)}' \
    "$OUT/tests.json" >"$OUT/suites.jsonl"

# run_suite JSON: one suite under valgrind; prints "ok NAME ..." or "FAIL NAME ..." and the findings.
# A suite whose assertions fail while memcheck found nothing is run once more: its timing bounds meet a ~20x
# slowdown here (the normal pass judges its assertions); a memcheck finding is never retried. A suite matching
# $MEMCHECK_ONLY passes on memcheck's findings alone.
run_suite() {
    local json="$1" name t0 rc log try
    name="$(jq -r .name <<<"$json")"
    log="$OUT/$name"
    local -a cmd env
    mapfile -t cmd < <(jq -r '.command[]' <<<"$json")
    mapfile -t env < <(jq -r '.env[]' <<<"$json")
    for try in 1 2; do
        t0="$(date +%s)"
        rm -f "$log".vg.*.log
        (cd "$BUILD/tests" && env "${env[@]}" "${VG[@]}" --log-file="$log.vg.%p.log" "${cmd[@]}") >"$log.out" 2>&1
        rc=$?
        if ((rc == 0)) && ! grep -qE 'ERROR SUMMARY: [1-9]' "$log".vg.*.log; then
            echo "ok   - $name under valgrind ($(($(date +%s) - t0)) s$( ((try == 1)) || echo ', second run'))"
            return 0
        fi
        if ((rc == 1)) && [[ "$name" =~ $MEMCHECK_ONLY ]] && ! grep -qE 'ERROR SUMMARY: [1-9]' "$log".vg.*.log; then
            echo "ok   - $name under valgrind, memcheck only ($(($(date +%s) - t0)) s; its timing assertions failed here: $(grep -c '^ *[0-9]*\. ' "$log.out"))"
            return 0
        fi
        ((rc == 1 && try == 1)) && ! grep -qE 'ERROR SUMMARY: [1-9]' "$log".vg.*.log || break
        cp "$log.out" "$log.first-run.out"
    done
    echo "FAIL - $name under valgrind (exit $rc, $(($(date +%s) - t0)) s; logs $log.*)"
    grep -h -B2 -A25 -E '^==[0-9]+== (Invalid|Conditional|Use of uninit|Mismatched|Syscall param|Source and dest|[0-9,]+ bytes in [0-9,]+ blocks are definitely)' \
        "$log".vg.*.log | head -80
    [[ $rc == 99 ]] || grep -E 'FAILED|CU_ASSERT|^ +[0-9]+\. ' "$log.out" | head -20 | sed 's/^/    /'
}
export -f run_suite
# suites judged on memcheck's findings alone: test_common_pg's assertions are real-time bounds against a live
# PostgreSQL (backends killed mid-query, 5 s connect and query timeouts of common/src/pg_conn.c) that memcheck's
# slowdown breaks; its error paths are what memcheck should see, and its assertions are judged in both normal passes
export MEMCHECK_ONLY="${OB_VALGRIND_MEMCHECK_ONLY:-^test_common_pg\$}"
export OUT BUILD

t_all="$(date +%s)"
results="$OUT/results.txt"
: >"$results"
if [[ "${OB_VALGRIND_INTEGRATION:-1}" != 0 ]]; then
    # one integration run with the real servers under valgrind (tests/integration/lib.sh: OB_IT_VALGRIND), alongside
    # the suites: it mostly waits for its node fakes and clients
    (
        t0="$(date +%s)"
        if OB_IT_VALGRIND="$SUPP" OB_BUILD_DIR="$BUILD" OB_PLUGIN_DIR="${OB_PLUGIN_DIR:-$BUILD/plugins}" \
            bash "$ROOT/tests/integration/mcp_e2e.sh" >"$OUT/integration_mcp_e2e.out" 2>&1; then
            echo "ok   - integration_mcp_e2e with the broker and the MCP servers under valgrind ($(($(date +%s) - t0)) s)"
        else
            echo "FAIL - integration_mcp_e2e under valgrind ($(($(date +%s) - t0)) s; $OUT/integration_mcp_e2e.out):"
            grep -E '^(FAIL|not ok)|^==[0-9]+==|ERROR SUMMARY|Command:' "$OUT/integration_mcp_e2e.out" | head -80 | sed 's/^/    /'
        fi
    ) >"$OUT/integration.result" &
    it_pid=$!
fi
# VG is an array: hand it to the xargs children through its declaration
vg_decl="$(declare -p VG)"
jq -c --arg re "${OB_VALGRIND_REGEX:-.}" 'select(.name | test($re))' "$OUT/suites.jsonl" >"$OUT/selected.jsonl"
xargs -P "$JOBS" -d '\n' -I{} bash -c "$vg_decl"'; run_suite "$1"' _ {} <"$OUT/selected.jsonl" | tee -a "$results"
if [[ -n "${it_pid:-}" ]]; then
    wait "$it_pid"
    tee -a "$results" <"$OUT/integration.result"
fi

passed="$(grep -c '^ok ' "$results")"
failed="$(grep -c '^FAIL' "$results")"
n_suites="$(wc -l <"$OUT/selected.jsonl")"
echo "valgrind: $n_suites CUnit suites$([[ -n "${it_pid:-}" ]] && echo " + 1 integration run") in $(($(date +%s) - t_all)) s"
echo "$passed passed, $failed failed"
if ((failed == 0 && passed > 0)); then
    rm -rf "$OUT"
    exit 0
fi
exit 1
