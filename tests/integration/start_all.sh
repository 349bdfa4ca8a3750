#!/usr/bin/env bash
# start_all.sh - what scripts/start-all.sh (scripts/run.sh) starts from the shipped config/services.json: every
# active service whose server is built, and not the conformance fixture (inactive there: its provider is a sample no
# deployment loads, so it could never serve an instance), even though its binary is built. A scratch build directory
# holds stand-ins (a small HTTP server answering /health) for the broker, mcp-gmail and mcp-conformance; the
# registry's ports of those two are moved to free ones, VAR_DIR is scratch, and the system's reserved ports are left
# alone (OB_RESERVE_PORTS=0). Control: with the conformance entry made active, the same run does start it.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
it_setup start_all
STATUS="" BODY=""

FAKE_BUILD="$IT_DIR/build"
mkdir -p "$FAKE_BUILD/oauth-service" "$FAKE_BUILD/mcp-servers/gmail" "$FAKE_BUILD/mcp-servers/conformance"
cat >"$IT_DIR/stand-in" <<'EOF'
#!/usr/bin/env bash
# a server's stand-in: answers every request with 200 on MCP_PORT (an MCP server) or OAUTH_SERVICE_PORT (the broker)
exec node -e 'require("http").createServer((q, r) => r.end("ok"))
    .listen(Number(process.env.MCP_PORT || process.env.OAUTH_SERVICE_PORT), "127.0.0.1")'
EOF
chmod +x "$IT_DIR/stand-in"
for exe in oauth-service/oauth-service mcp-servers/gmail/mcp-gmail mcp-servers/conformance/mcp-conformance; do
    cp "$IT_DIR/stand-in" "$FAKE_BUILD/$exe"
done
BPORT="$(it_free_port)"
GPORT="$(it_registry_port)"
CPORT="$(it_registry_port)"
while [[ "$CPORT" == "$GPORT" ]]; do CPORT="$(it_registry_port)"; done
jq --argjson b "$BPORT" '.listen.port = $b | .base_url = "http://127.0.0.1:\($b)"' "$IT_SRC/config/broker.json" \
    >"$IT_DIR/broker.json"

# run SERVICES_FILE NAME: scripts/start-all.sh over the stand-ins (output $IT_DIR/NAME.out, VAR_DIR $IT_DIR/NAME),
# then stops what it started (the stand-ins' pids from its pid files)
run() {
    local var="$IT_DIR/$2" f
    VAR_DIR="$var" BUILD_DIR="$FAKE_BUILD" OB_CONFIG="$IT_DIR/broker.json" OB_SERVICES_FILE="$1" OB_RESERVE_PORTS=0 \
        DATABASE_URL="postgresql://unused@127.0.0.1:9/none" OAUTH_SERVICE_PORT="$BPORT" OB_START_TIMEOUT=30 \
        timeout 120 bash "$IT_SRC/scripts/start-all.sh" >"$IT_DIR/$2.out" 2>&1
    RC=$?
    STARTED="$(ls "$var/run" 2>/dev/null | sed 's/\.pid$//' | sort | tr '\n' ' ')"
    CONF_LISTENED=0
    (exec 3<>"/dev/tcp/127.0.0.1/$CPORT") 2>/dev/null && CONF_LISTENED=1
    for f in "$var"/run/*.pid; do
        [[ -f "$f" ]] && kill -TERM "$(head -n1 "$f")" 2>/dev/null
    done
    sleep 0.3
}

jq --argjson g "$GPORT" --argjson c "$CPORT" 'map(if .service_name == "gmail" then .port = $g
    elif .service_name == "conformance" then .port = $c else . end)' "$IT_SRC/config/services.json" >"$IT_DIR/shipped.json"
check "the shipped registry: conformance inactive" \
    eq "$(jq -r '.[] | select(.service_name == "conformance") | .active' "$IT_SRC/config/services.json")" false
run "$IT_DIR/shipped.json" shipped
check "start-all (shipped registry): exit 0" bash -c '[[ "$0" == 0 ]] || { cat "$1"; false; }' "$RC" "$IT_DIR/shipped.out"
check "start-all (shipped registry): the broker and mcp-gmail, not mcp-conformance (built, inactive)" \
    bash -c '[[ "$0" == "mcp-gmail oauth-service " ]] || { echo "started: $0"; cat "$1"; false; }' "$STARTED" "$IT_DIR/shipped.out"
check "start-all (shipped registry): nothing listens on the conformance port" eq "$CONF_LISTENED" 0

jq 'map(if .service_name == "conformance" then .active = true else . end)' "$IT_DIR/shipped.json" >"$IT_DIR/active.json"
run "$IT_DIR/active.json" control
check "control: with conformance active, start-all starts it too" \
    bash -c '[[ "$0" == "mcp-conformance mcp-gmail oauth-service " && "$1" == 1 ]] || { echo "started: $0"; cat "$2"; false; }' \
    "$STARTED" "$CONF_LISTENED" "$IT_DIR/control.out"

# every active entry of the shipped registry has a server in the tree and a provider the shipped broker configures
missing=""
while read -r svc provider; do
    [[ -f "$IT_SRC/mcp-servers/$svc/CMakeLists.txt" ]] || missing+=" $svc(no mcp-servers/$svc)"
    jq -e --arg p "$provider" '.providers | has($p) or any(.custom.providers[]?; .name == $p)' \
        "$IT_SRC/config/broker.json" >/dev/null || missing+=" $svc(provider $provider not configured)"
done < <(jq -r '.[] | select(.active != false) | "\(.service_name) \(.provider)"' "$IT_SRC/config/services.json")
check "every active registry entry has its server and a configured provider" bash -c '[[ -z "$0" ]] || { echo "$0"; false; }' "$missing"
it_done
