#!/usr/bin/env bash
# scripts/fuzz.sh - the libFuzzer targets of tests/fuzz (docs/fuzzing.md).
#
#   scripts/fuzz.sh list                  the targets
#   scripts/fuzz.sh build                 configure and build them in build-fuzz/ (CC=clang-14, -DOB_FUZZ=ON)
#   scripts/fuzz.sh TARGET SECONDS        build, then fuzz TARGET for SECONDS (one process)
#   scripts/fuzz.sh all SECONDS           the same for every target, one after the other
#   scripts/fuzz.sh smoke TARGET SECONDS  no build: a fixed-seed run of 10,000 inputs from the seed corpus (what ctest runs)
#
# Seeds are read from tests/fuzz/corpus/TARGET/ and never written: new inputs go to
# var/fuzz/corpus/TARGET/ (smoke runs: build-fuzz/smoke/TARGET/, emptied first). A crash, leak,
# timeout (10 s per input) or sanitizer report makes the run fail; the input is saved as
# build-fuzz/artifacts/TARGET/crash-* (or leak-*, timeout-*, oom-*). Add it to the seed corpus once fixed.
#
# Environment: BUILD_FUZZ_DIR (default build-fuzz/), FUZZ_RUNS (stop after that many executions instead
# of SECONDS), FUZZ_MAX_LEN (16384), FUZZ_ARGS (more libFuzzer flags), CC (clang-14 or clang).
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

BUILD_FUZZ_DIR="${BUILD_FUZZ_DIR:-$OB_ROOT/build-fuzz}"
FUZZ_SRC="$OB_ROOT/tests/fuzz"

usage() {
    sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

# fuzz_targets: every target name (tests/fuzz/fuzz_NAME.c).
fuzz_targets() {
    local f
    for f in "$FUZZ_SRC"/fuzz_*.c; do
        f="$(basename "$f" .c)"
        printf '%s\n' "${f#fuzz_}"
    done
}

fuzz_build() {
    local cc="${CC:-}"
    if [[ -z "$cc" ]]; then
        cc="$(command -v clang-14 || command -v clang || true)"
    fi
    [[ -n "$cc" ]] || ob_die "clang is not installed (scripts/install-deps.sh installs clang-14)"
    local log="$VAR_DIR/log/build-fuzz.log" t0
    t0="$(date +%s)"
    mkdir -p "$VAR_DIR/log"
    if CC="$cc" cmake -S "$OB_ROOT" -B "$BUILD_FUZZ_DIR" -DOB_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_C_COMPILER="$cc" >"$log" 2>&1 &&
        cmake --build "$BUILD_FUZZ_DIR" --parallel "$(nproc)" --target fuzz_targets >>"$log" 2>&1; then
        ob_say "build: $BUILD_FUZZ_DIR ok ($(($(date +%s) - t0)) s)"
        return 0
    fi
    printf 'error: building %s failed (full log: %s):\n' "$BUILD_FUZZ_DIR" "$log" >&2
    grep -E -A3 'error:|CMake Error' "$log" | head -n 40 >&2 || tail -n 30 "$log" >&2
    return 1
}

# fuzz_run TARGET SECONDS CORPUS_DIR: runs one target; prints libFuzzer's final figures.
fuzz_run() {
    local target="$1" seconds="$2" corpus="$3" bin log rc=0
    bin="$BUILD_FUZZ_DIR/tests/fuzz/fuzz_$target"
    [[ -x "$bin" ]] || ob_die "$bin is not built (scripts/fuzz.sh build)"
    [[ -d "$FUZZ_SRC/corpus/$target" ]] || ob_die "no seed corpus tests/fuzz/corpus/$target"
    mkdir -p "$corpus" "$BUILD_FUZZ_DIR/artifacts/$target" "$VAR_DIR/log"
    log="$BUILD_FUZZ_DIR/artifacts/$target/last-run.log"
    local -a limit=(-max_total_time="$seconds")
    [[ -n "${FUZZ_RUNS:-}" ]] && limit=(-runs="$FUZZ_RUNS")
    if [[ "${FUZZ_SMOKE:-0}" == 1 ]]; then
        # the test command must not depend on luck or machine speed: a fixed seed and a fixed number of runs
        # (SECONDS, ten times over, only bounds a run that got stuck); finding new bugs is what long runs are for
        limit=(-seed=1 -runs="${FUZZ_SMOKE_RUNS:-10000}" -max_total_time="$((seconds * 10))")
    fi
    local -a extra=()
    [[ -n "${FUZZ_ARGS:-}" ]] && read -r -a extra <<<"$FUZZ_ARGS"
    # the seed corpus comes second: libFuzzer writes new inputs into the first directory only
    ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:allocator_may_return_null=1" \
        UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
        LSAN_OPTIONS="suppressions=$OB_ROOT/tests/support/lsan.supp:print_suppressions=0" \
        "$bin" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -max_len="${FUZZ_MAX_LEN:-16384}" \
        -print_final_stats=1 -artifact_prefix="$BUILD_FUZZ_DIR/artifacts/$target/" "${extra[@]}" \
        "$corpus" "$FUZZ_SRC/corpus/$target" >"$log" 2>&1 || rc=$?
    local done_line cov execs eps
    done_line="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)"
    execs="$(grep -E '^stat::number_of_executed_units:' "$log" | awk '{print $2}' || true)"
    eps="$(grep -E '^stat::average_exec_per_sec:' "$log" | awk '{print $2}' || true)"
    cov="$(grep -oE 'cov: [0-9]+ ft: [0-9]+' <<<"$done_line" || true)"
    if ((rc != 0)); then
        printf 'fuzz %s: FAILED (exit %d); the end of %s:\n' "$target" "$rc" "$log" >&2
        grep -E 'ERROR|SUMMARY|invariant broken|Test unit written|runtime error' "$log" | head -n 20 >&2 || true
        tail -n 40 "$log" >&2
        return 1
    fi
    ob_say "fuzz $target: ok, ${execs:-?} executions, ${eps:-?} exec/s, ${cov:-cov ?}, corpus $(find "$corpus" -type f | wc -l) new + $(find "$FUZZ_SRC/corpus/$target" -type f | wc -l) seeds"
}

main() {
    (($# >= 1)) || usage
    case "$1" in
    list) fuzz_targets ;;
    build) fuzz_build ;;
    smoke)
        (($# == 3)) || usage
        rm -rf "$BUILD_FUZZ_DIR/smoke/$2"
        FUZZ_SMOKE=1 fuzz_run "$2" "$3" "$BUILD_FUZZ_DIR/smoke/$2"
        ;;
    all)
        (($# == 2)) || usage
        fuzz_build
        local t failed=0
        while read -r t; do
            fuzz_run "$t" "$2" "$VAR_DIR/fuzz/corpus/$t" || failed=$((failed + 1))
        done < <(fuzz_targets)
        ((failed == 0)) || ob_die "$failed fuzz target(s) failed"
        ;;
    *)
        (($# == 2)) || usage
        fuzz_targets | grep -xF "$1" >/dev/null || ob_die "unknown target $1 (scripts/fuzz.sh list)"
        fuzz_build
        fuzz_run "$1" "$2" "$VAR_DIR/fuzz/corpus/$1"
        ;;
    esac
}

main "$@"
