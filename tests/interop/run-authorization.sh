#!/usr/bin/env bash
# MCP authorization on the resource side: the conformance fixture with broker auth against fake-broker.mjs, which
# also plays the authorization server (JWKS, ES256 access tokens, grants, grant_revoked pushes). "Another service" for
# the audience checks is the URL of a port nothing listens on: a token for it must not be accepted here.
set -u
. "$(dirname "$0")/lib.sh"
interop_init "$CONFORMANCE_BIN" mcp-conformance
SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
KEY_A=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
KEY_B=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
printf '%s' "$SECRET" >"$WORK/secret"; chmod 600 "$WORK/secret"
cat >"$WORK/broker.json" <<JSON
{"service": "conformance", "secret": "$SECRET", "instances": [
  {"id": "inst-a", "key": "$KEY_A", "status": "active", "access_token": "t-a"},
  {"id": "inst-b", "key": "$KEY_B", "status": "active", "access_token": "t-b"}]}
JSON
node "$INTEROP_DIR/fake-broker.mjs" "$WORK/broker.json" >"$WORK/broker.log" 2>&1 &
BROKER_PID=$!
BROKER_PORT=$(wait_for_log "$WORK/broker.log" 'listening on' 10 | sed -E 's/.*:([0-9]+)$/\1/') || { kill $BROKER_PID; exit 1; }
BROKER="http://127.0.0.1:$BROKER_PORT"
# the server under test must be PIDS[0] (stop_and_check_sanitizers)
start_conformance "$WORK/server.log" MCP_AUTH=broker BROKER_URL="$BROKER" MCP_SERVICE_SECRET_FILE="$WORK/secret" \
    MCP_JWKS_REFETCH_S=2; rc=$?
PIDS+=("$BROKER_PID")
[ $rc -eq 0 ] || exit 1
BASE="http://127.0.0.1:$MCP_PORT_BOUND"
OTHER_PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
status=0
timeout 120 node "$INTEROP_DIR/authorization-test.mjs" "$BASE" "$BROKER" "$WORK/broker.json" "http://127.0.0.1:$OTHER_PORT" || status=1
if grep -Eq 'eyJ[A-Za-z0-9_-]{10,}\.' "$WORK/server.log"; then echo "not ok - an access token appears in the server log"; status=1; else echo "ok - no access token in the server log"; fi
stop_and_check_sanitizers "$WORK/server.log" || status=1
exit $status
