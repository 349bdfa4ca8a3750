#!/usr/bin/env bash
# scripts/test.sh - README command 2: every test, twice.
#
#   1. build/       normal build, ctest --output-on-failure
#   2. build-asan/  -DSANITIZE=ON (ASan + UBSan), the same tests   (skip with OB_TEST_SANITIZE=0)
#   3. build-fuzz/  clang -DOB_FUZZ=ON: each libFuzzer target of tests/fuzz a few seconds over its seed corpus,
#                   failing on any crash, leak or sanitizer report (skip with OB_TEST_FUZZ=0; docs/fuzzing.md)
#
# Each pass runs against a freshly created database (ob_test) on the embedded PostgreSQL
# (scripts/lib/pg.sh), exported as DATABASE_URL. When tests/interop/package.json exists its packages
# are installed first (npm ci) and OB_INTEROP_DIR points there. Whatever this script started is
# stopped on exit, also on failure. Ends with "N passed, N failed"; exit status 1 on any failure.
#
# A skipped test (exit 77: a missing prerequisite) counts as failed unless OB_TEST_ALLOW_SKIPS=1.
#
# Run as root with no PostgreSQL running yet under VAR_DIR, the tests run in a network namespace of their own
# (unshare --net, after the packages are installed): its loopback holds only what the tests start, so no test can
# reach a running stack, and 49000..50000 (the range the service registry allows, where tests place MCP servers) is
# reserved there, so a kernel-chosen port (a client connection, a listener on port 0) never takes a registry port a
# test has picked but its server has not bound yet. OB_TEST_NETNS=0 runs them in the machine's namespace.
#
# Environment: OB_TEST_SANITIZE=0, OB_TEST_FUZZ=0, OB_TEST_ALLOW_SKIPS=1, OB_TEST_JOBS (ctest -j, default: cores + 1,
# most tests wait on sockets and child processes more than they compute),
# OB_SKIP_DEPS=1, OB_TEST_REGEX (ctest -R), VAR_DIR, OB_PG_PORT.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

total_passed=0
total_failed=0
started_pg=0

cleanup() {
    if ((started_pg)); then
        pg_stop || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# npm_setup DIR: npm ci in DIR (exact versions from its lock file) unless node_modules is newer than it.
npm_setup() {
    local dir="$1" name
    name="$(basename "$dir")"
    [[ -f "$dir/package.json" ]] || return 0
    local stamp="$dir/node_modules/.package-lock.json"
    if [[ -f "$stamp" && "$stamp" -nt "$dir/package-lock.json" && "$stamp" -nt "$dir/package.json" ]]; then
        ob_say "$name: node_modules up to date"
    elif (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error \
        >"$VAR_DIR/log/npm-ci-$name.log" 2>&1); then
        ob_say "$name: npm ci done"
    else
        printf 'error: npm ci in %s failed; last lines of %s:\n' "$dir" "$VAR_DIR/log/npm-ci-$name.log" >&2
        tail -n 20 "$VAR_DIR/log/npm-ci-$name.log" >&2
        total_failed=$((total_failed + 1))
    fi
}

# interop_setup: the npm packages of the interop tests (MCP clients, conformance) and of the fakes.
interop_setup() {
    npm_setup "$OB_ROOT/tests/interop"
    npm_setup "$OB_ROOT/tests/fakes"
    export OB_INTEROP_DIR="$OB_ROOT/tests/interop"
}

# junit_attr FILE NAME: the value of attribute NAME of ctest's <testsuite> element.
junit_attr() {
    tr '\n\t' '  ' <"$1" | grep -o '<testsuite [^>]*' | head -n 1 | grep -o " $2=\"[0-9]*\"" |
        grep -o '[0-9]\+' || echo 0
}

# run_ctest LABEL DIR [CTEST_ARGS...]: the tests of DIR (OB_TEST_REGEX selects) with a JUnit report in $junit; sets
# tests, failures, skipped and passed (a ctest that failed without a failing test, e.g. none matched, counts one
# failure). Returns 1, the failure counted, when ctest wrote no report at all.
run_ctest() {
    local label="$1" dir="$2" rc=0
    shift 2
    junit="$dir/ctest-junit.xml"
    rm -f "$junit"
    local -a regex=()
    [[ -n "${OB_TEST_REGEX:-}" ]] && regex=(-R "$OB_TEST_REGEX")
    ctest --test-dir "$dir" --output-on-failure --no-tests=error --output-junit "$junit" "$@" "${regex[@]}" || rc=$?
    if [[ ! -f "$junit" ]]; then
        ob_say "$label: ctest failed to run (exit $rc)"
        total_failed=$((total_failed + 1))
        return 1
    fi
    tests="$(junit_attr "$junit" tests)"
    failures="$(junit_attr "$junit" failures)"
    skipped="$(junit_attr "$junit" skipped)"
    passed=$((tests - failures - skipped))
    if ((rc != 0 && failures == 0)); then
        failures=1
    fi
}

# run_pass LABEL DIR [CMAKE_ARGS...]: build DIR and run every test in it against a fresh database.
run_pass() {
    local label="$1" dir="$2" junit tests failures skipped passed t0
    shift 2
    ob_say ""
    ob_say "=== $label: $dir"
    if ! ob_build "$dir" "$@"; then
        ob_say "$label: build failed"
        total_failed=$((total_failed + 1))
        return 0
    fi
    if [[ -n "${OB_TEST_REGEX:-}" ]] && ! ctest --test-dir "$dir" -N -R "$OB_TEST_REGEX" | grep 'Test *#' >/dev/null &&
        "$OB_ROOT/scripts/fuzz.sh" list | sed 's/^/fuzz_/' | grep -E -- "$OB_TEST_REGEX" >/dev/null; then
        ob_say "$label: OB_TEST_REGEX names only fuzz targets"
        return 0
    fi
    pg_create_db ob_test
    DATABASE_URL="$(pg_url ob_test)"
    export DATABASE_URL
    t0="$(date +%s)"
    run_ctest "$label" "$dir" -j "${OB_TEST_JOBS:-$(($(nproc) + 1))}" || return 0
    ob_say "$label: $passed passed, $failures failed, $skipped skipped ($(($(date +%s) - t0)) s)"
    # tests/support/port_sentinel.sh: which ports of a scripts/run.sh stack the isolation check covered
    [[ -f "$dir/port-sentinel/summary" ]] && ob_say "$label: $(cat "$dir/port-sentinel/summary")"
    if ((skipped > 0)) && [[ "${OB_TEST_ALLOW_SKIPS:-0}" != 1 ]]; then
        # a skipped test is a missing prerequisite (the scripts install them all): it counts as failed
        ob_say "$label: $skipped skipped test(s) count as failed (OB_TEST_ALLOW_SKIPS=1 allows them):"
        tr '\n\t' '  ' <"$junit" | grep -o '<testcase name="[^"]*"[^>]*status="notrun"' |
            sed 's/<testcase name="\([^"]*\)".*/    \1/' >&2 || true
        failures=$((failures + skipped))
    fi
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failures))
}

# run_fuzz_pass: builds the fuzz targets (scripts/fuzz.sh build) and runs their ctest tests (fuzz_<target>).
# With OB_TEST_REGEX set, only when it names a fuzz test.
run_fuzz_pass() {
    local dir="$OB_ROOT/build-fuzz" junit tests failures skipped passed t0
    if [[ -n "${OB_TEST_REGEX:-}" ]] &&
        ! "$OB_ROOT/scripts/fuzz.sh" list | sed 's/^/fuzz_/' | grep -E -- "$OB_TEST_REGEX" >/dev/null; then
        return 0
    fi
    ob_say ""
    ob_say "=== fuzz targets: $dir"
    if ! BUILD_FUZZ_DIR="$dir" "$OB_ROOT/scripts/fuzz.sh" build; then
        ob_say "fuzz targets: build failed"
        total_failed=$((total_failed + 1))
        return 0
    fi
    t0="$(date +%s)"
    run_ctest "fuzz targets" "$dir" || return 0
    ob_say "fuzz targets: $passed passed, $failures failed ($(($(date +%s) - t0)) s)"
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failures))
}

# netns_wanted: whether to re-run this script in a network namespace of its own (see the header). Not when a
# PostgreSQL already runs under VAR_DIR: it listens in the machine's namespace, out of the tests' reach.
netns_wanted() {
    [[ "${OB_TEST_NETNS:-1}" != 0 && "${OB_TEST_IN_NETNS:-0}" != 1 && $EUID -eq 0 ]] || return 1
    command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1 || return 1
    ! pg_running
}

# netns_enter ARGS...: re-runs this script in a new network namespace with its loopback up and the registry's
# ports reserved; returns (the caller goes on in the machine's namespace) when the kernel refuses one.
netns_enter() {
    local setup='ip link set lo up && echo 49000-50000 >/proc/sys/net/ipv4/ip_local_reserved_ports'
    if ! unshare --net -- bash -c "$setup" >/dev/null 2>&1; then
        ob_say "tests: no private network namespace here (unshare --net refused); they share the machine's"
        return 0
    fi
    ob_say "tests: in a private network namespace (OB_TEST_NETNS=0 runs them in the machine's)"
    # shellcheck disable=SC2016 # expanded by the inner shell
    exec unshare --net -- env OB_TEST_IN_NETNS=1 OB_SKIP_DEPS=1 bash -c "$setup"' && exec "$0" "$@"' \
        "$OB_ROOT/scripts/test.sh" "$@"
}

main() {
    [[ "${OB_SKIP_DEPS:-0}" == 1 ]] || "$OB_ROOT/scripts/install-deps.sh"
    mkdir -p "$VAR_DIR/log"
    # shellcheck source=scripts/lib/pg.sh
    source "$OB_ROOT/scripts/lib/pg.sh"
    if netns_wanted; then
        interop_setup # npm ci needs the registry, out of reach in the namespace
        ((total_failed == 0)) && netns_enter "$@"
    fi
    pg_running || started_pg=1
    pg_start
    interop_setup

    run_pass "normal build" "$OB_ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSANITIZE=OFF
    if [[ "${OB_TEST_SANITIZE:-1}" != 0 ]]; then
        run_pass "sanitizers" "$OB_ROOT/build-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSANITIZE=ON
    fi
    if [[ "${OB_TEST_FUZZ:-1}" != 0 ]]; then
        run_fuzz_pass
    fi

    ob_say ""
    ob_say "$total_passed passed, $total_failed failed"
    ((total_failed == 0))
}

main "$@"
