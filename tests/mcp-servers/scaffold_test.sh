#!/usr/bin/env bash
# scaffold_test.sh - scripts/new-service.sh in a temporary copy of the source tree (never the real one): the refusals
# (bad name, existing name, port of another service, the broker's port, unknown provider, missing arguments) change
# nothing; a new service is created, registered in config/services.json and ctest, configured and built (only its
# target, with the same SANITIZE and build type as this build), and its generated interop test passes; a broken
# schema then fails the build of that service, naming the file.
set -u
SRC=${OB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
OUTER=${OB_BUILD_DIR:-$SRC/build}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
COPY=$WORK/src
passed=0 failed=0
ok() {
    passed=$((passed + 1))
    echo "ok - $1"
}
not_ok() {
    failed=$((failed + 1))
    echo "not ok - $1"
}

# the tree as it is in the working copy (tracked and new files; build/, var/ and node_modules are ignored by git)
mkdir -p "$COPY"
(cd "$SRC" && git ls-files -z -c -o --exclude-standard | tar --null -T - -cf -) | tar -C "$COPY" -xf - ||
    { echo "not ok - copying the source tree"; exit 1; }
ln -s "$SRC/tests/interop/node_modules" "$COPY/tests/interop/node_modules"
NEW=$COPY/scripts/new-service.sh
state() { (cd "$COPY" && cat config/services.json tests/mcp-servers/tests.cmake && ls mcp-servers tests/interop) | md5sum; }
before=$(state)

# refuse CASE EXPECTED-MESSAGE-REGEX ARGS...: exits non-zero, says why, changes nothing
refuse() {
    local what=$1 re=$2 out rc
    shift 2
    out=$("$NEW" "$@" 2>&1)
    rc=$?
    if [ $rc -ne 0 ] && echo "$out" | grep -Eq "$re" && [ "$(state)" = "$before" ]; then
        ok "refused: $what"
    else
        not_ok "refused: $what (exit $rc, output: $out)"
    fi
}
refuse "bad name characters" "bad service name 'My-Svc'" My-Svc --provider github --port 49410
refuse "one-letter name" "bad service name 'a'" a --provider github --port 49410
refuse "existing service" "service 'gmail' exists already" gmail --provider google --port 49410
refuse "port of another service" "port 49304 is used by service 'github'" demo --provider github --port 49304
refuse "the broker's port" "port 3001 is the broker's" demo --provider github --port 3001
refuse "port out of range" "bad port '80'" demo --provider github --port 80
refuse "port with a leading zero" "bad port '08080'" demo --provider github --port 08080
refuse "unknown provider" "unknown provider 'nosuch': config/broker.json configures .*github" demo --provider nosuch --port 49410
refuse "provider of the plugin dir but not configured" "unknown provider 'example'" demo --provider example --port 49410
refuse "missing --port" "NAME --provider P --port N" demo --provider github

# create
port=$(jq '[.[].port] | max + 1' "$COPY/config/services.json")
if out=$("$NEW" demo --provider notion --port "$port" --display-name "Demo" 2>&1); then
    ok "created demo (port $port): $(echo "$out" | head -1)"
else
    not_ok "new-service.sh demo failed: $out"
fi
for f in mcp-servers/demo/main.c mcp-servers/demo/tools.c mcp-servers/demo/api.c mcp-servers/demo/demo.h \
    mcp-servers/demo/schemas/list_items.input.json mcp-servers/demo/schemas/list_items.output.json \
    tests/interop/fake-demo.mjs tests/interop/demo-test.mjs; do
    [ -s "$COPY/$f" ] || not_ok "missing $f"
done
if grep -rq 'tmplsvc\|TMPLSVC\|tmplprovider\|TMPLDISPLAY\|TMPLAPIBASE' "$COPY/mcp-servers/demo" "$COPY"/tests/interop/*demo*; then
    not_ok "a template placeholder is left in the generated files"
else
    ok "generated files have no placeholder left"
fi
entry=$(jq -c '.[] | select(.service_name == "demo") | [.port, .provider, .active, .display_name]' "$COPY/config/services.json")
[ "$entry" = "[$port,\"notion\",true,\"Demo\"]" ] && ok "config/services.json entry $entry" || not_ok "services.json entry: $entry"
before=$(state)
refuse "the same name twice" "service 'demo' exists already" demo --provider notion --port $((port + 1))

# configure and build only what the new service needs, like this build
sanitize=$(sed -n 's/^SANITIZE:BOOL=//p' "$OUTER/CMakeCache.txt" 2>/dev/null)
btype=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$OUTER/CMakeCache.txt" 2>/dev/null)
t0=$(date +%s)
if cmake -S "$COPY" -B "$COPY/build" -DSANITIZE="${sanitize:-OFF}" -DCMAKE_BUILD_TYPE="${btype:-RelWithDebInfo}" \
    >"$WORK/configure.log" 2>&1 && cmake --build "$COPY/build" --target mcp-demo -j2 >"$WORK/build.log" 2>&1; then
    ok "configured and built mcp-demo ($(($(date +%s) - t0)) s)"
else
    not_ok "configure/build of mcp-demo"
    tail -30 "$WORK/configure.log" "$WORK/build.log"
    echo "# $passed passed, $failed failed"
    exit 1
fi

# the registration in ctest and the generated interop test (run by ctest of the copy; the port sentinel fixture of
# this run already covers the registry ports, so the copy's own is left out)
if ctest --test-dir "$COPY/build" -N -R '^interop_mcp_demo$' | grep -q 'interop_mcp_demo'; then
    ok "interop_mcp_demo is registered in ctest"
else
    not_ok "interop_mcp_demo is not registered in ctest"
fi
if OB_SOURCE_DIR=$COPY OB_BUILD_DIR=$COPY/build ctest --test-dir "$COPY/build" -R '^interop_mcp_demo$' \
    -FA port_sentinel --output-on-failure >"$WORK/ctest.log" 2>&1 && grep -q '1 tests passed\|100% tests passed' "$WORK/ctest.log"; then
    ok "the generated interop test passes: $(grep -c '^ok - ' "$COPY/build/Testing/Temporary/LastTest.log") checks"
else
    not_ok "the generated interop test"
    cat "$WORK/ctest.log"
fi

# a broken schema fails the service's build, naming the file
printf '{"type": "object", "properties": {"page_size": {"type": "integer", "pattern": "(?<=x)"}}}\n' \
    >"$COPY/mcp-servers/demo/schemas/list_items.input.json"
if cmake --build "$COPY/build" --target mcp-demo -j2 >"$WORK/build2.log" 2>&1; then
    not_ok "a schema the runtime refuses did not fail the build"
elif grep -q 'list_items.input.json.*error' "$WORK/build2.log"; then
    ok "a schema the runtime refuses fails the build: $(grep -m1 'list_items.input.json.*error' "$WORK/build2.log" | sed 's#.*/##')"
else
    not_ok "the failed build does not name the schema file"
    tail -20 "$WORK/build2.log"
fi

echo "# $passed passed, $failed failed"
[ $failed -eq 0 ]
