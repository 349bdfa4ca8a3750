#!/usr/bin/env bash
# Tools asking the client for input (mcp/input.h) through the official SDK clients in both eras, and the refusals on
# the wire (input-test.mjs), against the mcp-conformance fixture with short input limits.
set -u
. "$(dirname "$0")/lib.sh"
interop_init "$CONFORMANCE_BIN" mcp-conformance
start_conformance "$WORK/server.log" MCP_AUTH=none MCP_INPUT_TIMEOUT_S=2 MCP_INPUT_MAX_PENDING=2 || exit 1
status=0
timeout 120 node "$INTEROP_DIR/input-test.mjs" "http://127.0.0.1:$MCP_PORT_BOUND" || status=1
stop_and_check_sanitizers "$WORK/server.log" || status=1
[ $status -eq 0 ] && echo "interop input: 1 passed, 0 failed" || echo "interop input: 0 passed, 1 failed"
exit $status
