#!/usr/bin/env bash
# The official MCP conformance suite (@modelcontextprotocol/conformance, pinned in package.json) against the
# mcp-conformance fixture, for the 2025-11-25 and the 2026-07-28 requirement sets. A scenario that fails must
# be listed in conformance-expected-failures.txt (with its reason); any other failure fails the test.
set -u
. "$(dirname "$0")/lib.sh"
trap cleanup EXIT
[ -x "$CONFORMANCE_BIN" ] || { echo "missing $CONFORMANCE_BIN (build target mcp-conformance)"; exit 1; }
ensure_node_modules || exit 1
WORK=$(mktemp -d)
trap 'cleanup; rm -rf "$WORK"' EXIT
start_conformance "$WORK/server.log" || exit 1
URL="http://127.0.0.1:$MCP_PORT_BOUND/conformance-instance/mcp"
status=0
for era in 2025-11-25 2026-07-28; do
    out="$WORK/conformance-$era.log"
    (cd "$WORK" && timeout 500 conformance server --url "$URL" --requirements "$era" >"$out" 2>&1)
    sed -n '/=== SUMMARY ===/,$p' "$out" | sed 's/\x1b\[[0-9;]*m//g' >"$WORK/summary-$era"
    if ! grep -q '^Total:' "$WORK/summary-$era"; then
        echo "conformance $era did not complete:"; tail -30 "$out"; status=1; continue
    fi
    passed=$(grep -c '^✓' "$WORK/summary-$era"); failed_list=$(grep '^✗' "$WORK/summary-$era" | sed -E 's/^✗ ([^:]+):.*/\1/')
    unexpected=""; fixed=""
    for sc in $failed_list; do
        grep -Eq "^$era[[:space:]]+$sc[[:space:]]" "$INTEROP_DIR/conformance-expected-failures.txt" || unexpected="$unexpected $sc"
    done
    for sc in $(awk -v e="$era" '$1 == e {print $2}' "$INTEROP_DIR/conformance-expected-failures.txt"); do
        echo "$failed_list" | grep -qx "$sc" || fixed="$fixed $sc"
    done
    echo "conformance $era: $passed scenarios passed, $(echo "$failed_list" | grep -c .) failed (all listed as expected: $([ -z "$unexpected" ] && echo yes || echo no))"
    grep '^Total:' "$WORK/summary-$era"
    if [ -n "$unexpected" ]; then
        echo "UNEXPECTED failures ($era):$unexpected"; status=1
        for sc in $unexpected; do grep -A12 "Failed Checks" "$out" | head -0; done
        sed 's/\x1b\[[0-9;]*m//g' "$out" | grep -B2 -A3 'FAILURE' | head -60
    fi
    [ -n "$fixed" ] && echo "note: now passing, remove from conformance-expected-failures.txt ($era):$fixed"
done
stop_and_check_sanitizers "$WORK/server.log" || status=1
[ $status -eq 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit $status
