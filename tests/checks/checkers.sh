#!/usr/bin/env bash
# tests/checks/checkers.sh - the checks of scripts/ fail on what they exist to catch, and pass on clean input.
#
#   checkers.sh layering   scripts/layering.sh on tests/checks/layering/good (passes) and .../bad (fails with exactly
#                          the problems of bad.expected: a wrong include, one through <...>, a "!" entry, an
#                          unresolvable include, a file no rule covers, stale rule names, a sibling reached under a
#                          "P/*" rule and a folder circle; the good tree has a named folder winning over a pattern)
#   checkers.sh format     scripts/format.sh on a scratch copy of a tracked file (passes), then on it misformatted
#                          (fails naming it), then --fix (passes again)
#   checkers.sh lint       scripts/lint.sh on scratch files: each banned call fails naming file and line; the same
#                          names in comments, strings and member calls pass; exit() passes in main.c only
#   checkers.sh registry   ob_test_registry() (tests/support/registry.cmake) configuring a small scratch tree: passes
#                          as written, fails naming the file for a list not named, a missing list, a test_*.c and an
#                          integration script that no list registers
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/tests/checks"
pass=0
fail=0

check() {
    local name="$1"
    shift
    if "$@"; then
        pass=$((pass + 1))
        echo "ok   - $name"
    else
        fail=$((fail + 1))
        echo "FAIL - $name"
        [[ -z "${OUT:-}" ]] || printf '%s\n' "$OUT" | sed 's/^/    | /'
    fi
}

# run CMD...: sets OUT (stdout + stderr) and RC
run() {
    OUT="$("$@" 2>&1)"
    RC=$?
}

scratch="$(mktemp -d /tmp/ob-checkers-XXXXXX)"
trap 'rm -rf "$scratch"' EXIT

layering() {
    run bash "$root/scripts/layering.sh" --root "$here/layering/good"
    check "layering: the good tree passes" eq "$RC" 0
    check "layering: and says what it checked" grep -q '^layering: ok (14 files, 15 includes' <<<"$OUT"
    run bash "$root/scripts/layering.sh" --root "$here/layering/bad"
    check "layering: the bad tree fails (exit 1)" eq "$RC" 1
    check "layering: with exactly the problems of bad.expected" diff -u "$here/layering/bad.expected" - <<<"$OUT"
    run bash "$root/scripts/layering.sh" --root "$here/layering/good" --rules "$scratch/none"
    check "layering: a missing rules file is an error (exit 2)" eq "$RC" 2
    # one rule line changed: the good tree's app may no longer include net/include -> two includes break it
    sed 's#^app: net/include#app:#' "$here/layering/good/LAYERS" >"$scratch/LAYERS"
    run bash "$root/scripts/layering.sh" --root "$here/layering/good" --rules "$scratch/LAYERS"
    check "layering: a narrower rule fails the good tree where it includes net/" \
        eq "$RC:$(grep -c 'reaches net/include/net/net.h, which the rule "app:' <<<"$OUT")" "1:1"
}

format() {
    local f="$scratch/fmt/sample.c"
    mkdir -p "$scratch/fmt"
    cp "$root/common/src/url.c" "$f"
    run bash "$root/scripts/format.sh" "$scratch/fmt"
    check "format: a tracked file as committed passes" eq "$RC:$OUT" "0:format: ok (1 files)"
    sed -i 's/^\(    \)\([a-z].*;\)$/\1\1\2/' "$f" # every indented statement indented once more
    printf 'int  ob_misformatted ( void ){return 0;}\n' >>"$f"
    run bash "$root/scripts/format.sh" "$scratch/fmt"
    check "format: misformatted -> exit 1 naming the file" eq "$RC:$OUT" \
        "1:format: $f would change (run scripts/format.sh --fix)"
    bash "$root/scripts/format.sh" --fix "$scratch/fmt"
    run bash "$root/scripts/format.sh" "$scratch/fmt"
    check "format: --fix repairs it" eq "$RC" 0
}

lint() {
    local d="$scratch/lint" fn
    mkdir -p "$d"
    for fn in sprintf vsprintf strcpy strcat strtok atoi atol atoll gets; do
        printf 'void f(char *a, char *b)\n{\n    %s(a, b);\n}\n' "$fn" >"$d/$fn.c"
        run bash "$root/scripts/lint.sh" "$d/$fn.c"
        check "lint: $fn() -> exit 1 naming file, line and call" \
            eq "$RC:$(head -n 1 <<<"$OUT")" "1:$d/$fn.c:3: banned $fn: $fn(a, b);"
    done
    printf 'int g(void)\n{\n    exit(1);\n}\n' >"$d/lib.c"
    run bash "$root/scripts/lint.sh" "$d/lib.c"
    check "lint: exit() in library code -> exit 1" eq "$RC:$(head -n 1 <<<"$OUT")" "1:$d/lib.c:3: banned exit: exit(1);"
    mkdir -p "$d/ok"
    cp "$d/lib.c" "$d/ok/main.c"
    printf '%s\n' '/* sprintf(a, b) in a comment */' 'static const char *s = "strcpy(a, b)";' \
        'int h(struct ops *o) { return o->exit(0) + o->atoi(1); } // gets(x)' >"$d/ok/fine.c"
    run bash "$root/scripts/lint.sh" "$d/ok"
    check "lint: comments, strings, member calls and exit() in main.c pass" eq "$RC:$OUT" "0:lint: ok"
}

# reg_tree DIR: a scratch project whose tests/CMakeLists.txt calls ob_test_registry(alpha integration)
reg_tree() {
    local d="$1"
    rm -rf "$d"
    mkdir -p "$d/tests/alpha/sub" "$d/tests/integration"
    printf 'cmake_minimum_required(VERSION 3.16)\nproject(registry_fixture NONE)\nadd_subdirectory(tests)\n' \
        >"$d/CMakeLists.txt"
    printf 'include(%s)\nob_test_registry(alpha integration)\n' "$root/tests/support/registry.cmake" \
        >"$d/tests/CMakeLists.txt"
    printf 'add_custom_target(test_one SOURCES alpha/test_one.c alpha/sub/test_two.c)\nadd_test(NAME it_x COMMAND bash integration/x.sh)\n' \
        >"$d/tests/alpha/tests.cmake"
    printf '# none\n' >"$d/tests/integration/tests.cmake"
    : >"$d/tests/alpha/test_one.c"
    : >"$d/tests/alpha/sub/test_two.c"
    : >"$d/tests/integration/x.sh"
    : >"$d/tests/integration/lib.sh"
}

# configure DIR: sets OUT (cmake's output) and RC
configure() {
    run cmake -S "$1" -B "$1/build"
}

registry() {
    local d="$scratch/reg"
    command -v cmake >/dev/null || { echo "cmake is not installed"; exit 1; }
    reg_tree "$d"
    configure "$d"
    check "registry: every list named, every test registered -> configures" eq "$RC" 0
    reg_tree "$d"
    mkdir -p "$d/tests/beta" && : >"$d/tests/beta/tests.cmake"
    configure "$d"
    check "registry: a list not named -> fails naming it" \
        eq "$RC:$(grep -c 'tests/beta/tests.cmake is not named by ob_test_registry()' <<<"$OUT")" "1:1"
    reg_tree "$d"
    rm "$d/tests/integration/tests.cmake"
    configure "$d"
    check "registry: a named list missing -> fails naming it" \
        eq "$RC:$(grep -c 'include could not find' <<<"$OUT"):$(grep -q '/tests/integration/tests.cmake$' <<<"$OUT" && echo named)" \
        "1:1:named"
    reg_tree "$d"
    : >"$d/tests/alpha/sub/test_three.c"
    configure "$d"
    check "registry: a test_*.c no target builds -> fails naming it" \
        eq "$RC:$(grep -c 'tests/alpha/sub/test_three.c is no source of a test registered' <<<"$OUT")" "1:1"
    reg_tree "$d"
    : >"$d/tests/integration/y.sh"
    configure "$d"
    check "registry: an integration script no list names -> fails naming it" \
        eq "$RC:$(grep -c 'tests/integration/y.sh is not registered' <<<"$OUT")" "1:1"
}

eq() { [[ "$1" == "$2" ]]; }

case "${1:-}" in
layering | format | lint | registry) "$1" ;;
*)
    echo "usage: tests/checks/checkers.sh layering|format|lint|registry" >&2
    exit 2
    ;;
esac
echo "# $pass passed, $fail failed"
((fail == 0))
