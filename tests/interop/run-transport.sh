#!/usr/bin/env bash
# Wire-level strictness of the Streamable HTTP endpoint (both eras) against the mcp-conformance fixture.
set -u
. "$(dirname "$0")/lib.sh"
[ -x "$CONFORMANCE_BIN" ] || { echo "missing $CONFORMANCE_BIN (build target mcp-conformance)"; exit 1; }
ensure_node_modules || exit 1
WORK=$(mktemp -d)
trap 'cleanup; rm -rf "$WORK"' EXIT
start_conformance "$WORK/server.log" MCP_AUTH=none MCP_TOOL_TIMEOUT_MS=500 || exit 1
status=0
timeout 120 node "$INTEROP_DIR/transport-test.mjs" "http://127.0.0.1:$MCP_PORT_BOUND" || status=1
stop_and_check_sanitizers "$WORK/server.log" || status=1
exit $status
