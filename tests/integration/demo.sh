#!/usr/bin/env bash
# demo.sh - the offline demo (scripts/run.sh --demo, i.e. scripts/demo.sh) as a newcomer uses it, on free ports, a
# scratch VAR_DIR and the test's database (so it cannot meet a stack of scripts/run.sh):
#   the script starts and labels everything a demo, prints the consent URL, the MCP URL, its key and an Inspector
#   command; its broker configuration is its own (google at the demo authorization server);
#   headless Chromium (tests/fakes/browser-flow.mjs) opens the consent URL: the demo consent page, Cancel -> the
#   broker's error page; again, Allow -> the success page. Screenshots of the three pages are kept as artefacts
#   (a directory named in the output, kept after the test); every page is in a language (html lang), has a title,
#   says what happened and what to do next, and the browser requested nothing but the demo's own loopback origins;
#   the printed Inspector command, run as printed, lists the demo Gmail's labels; with a wrong key it is refused;
#   a second demo on a taken port fails naming it and stops what it had started;
#   scripts/stop-all.sh (same VAR_DIR) stops every demo process.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
it_setup demo
[[ -x "${CHROMIUM:-/usr/bin/chromium}" ]] || it_skip "chromium is not installed"
[[ -x "$IT_BUILD/mcp-servers/gmail/mcp-gmail" && -e "$IT_BUILD/plugins/google.so" ]] ||
    it_skip "mcp-gmail or the google plugin is not built in $IT_BUILD"
[[ -x "$IT_SRC/tests/interop/node_modules/.bin/mcp-inspector" ]] ||
    it_skip "tests/interop/node_modules is missing (npm ci in tests/interop)"

STATUS="" BODY=""
DEMO_VAR="$IT_DIR/var"
ART="$(mktemp -d /tmp/ob-it-demo-screenshots-XXXXXX)"
stop_demo() {
    local v
    for v in "$DEMO_VAR" "$IT_DIR/var2"; do
        VAR_DIR="$v" bash "$IT_SRC/scripts/stop-all.sh" --keep-db >>"$IT_DIR/stop.out" 2>&1
    done
}
trap 'stop_demo; it_cleanup' EXIT

B="$(it_free_port)"
AS="$(it_free_port)"
API="$(it_free_port)"
MCP="$(it_registry_port)"
OUT="$IT_DIR/demo.out"
VAR_DIR="$DEMO_VAR" BUILD_DIR="$IT_BUILD" OB_DEMO_DATABASE_URL="$IT_DB_URL" OB_DEMO_BROKER_PORT="$B" \
    OB_DEMO_AS_PORT="$AS" OB_DEMO_API_PORT="$API" OB_DEMO_MCP_PORT="$MCP" \
    timeout 180 bash "$IT_SRC/scripts/demo.sh" >"$OUT" 2>&1
rc=$?
check "demo: starts (exit 0)" bash -c '[[ "$0" == 0 ]] || { cat "$1"; false; }' "$rc" "$OUT"
check "demo: labelled as a demo" grep -q '^=== DEMO' "$OUT"
AUTHZ="$(sed -n 's/^ *consent URL: //p' "$OUT")"
MCP_URL="$(sed -n 's/^ *MCP URL: //p' "$OUT")"
KEY="$(sed -n 's/^ *MCP key: //p' "$OUT")"
INSPECT="$(sed -n 's/^ *inspector: //p' "$OUT")"
check "demo: the consent URL is the demo broker's authorize URL" \
    bash -c '[[ "$0" == "http://127.0.0.1:$1/oauth/authorize?instance_id="* ]]' "$AUTHZ" "$B"
check "demo: the MCP URL is on the demo MCP port, with a key" \
    bash -c '[[ "$0" == "http://127.0.0.1:$1/"*/mcp && ${#2} -ge 32 ]]' "$MCP_URL" "$MCP" "$KEY"
check "demo: an Inspector command with the MCP URL and key" \
    bash -c '[[ "$0" == *"mcp-inspector --cli $1 "* && "$0" == *"Bearer $2"* ]]' "$INSPECT" "$MCP_URL" "$KEY"
check "demo: its own broker configuration under VAR_DIR, google at the demo authorization server" \
    bash -c '[[ "$(jq -r .providers.google.token_endpoint "$0")" == "http://127.0.0.1:$1/token" ]]' \
    "$DEMO_VAR/demo/broker.json" "$AS"
for name in demo-as demo-gmail-api demo-broker demo-mcp-gmail; do
    check "demo: $name runs (pid file)" test -s "$DEMO_VAR/demo/run/$name.pid"
done

# ---- the browser: Cancel first (the error page), then Allow (the success page)
flow() { (cd "$IT_FAKES" && BROWSER_FLOW_SHOTS="$ART/$1" timeout 150 node browser-flow.mjs "$AUTHZ" "$2"); }
DENY="$(flow cancel google-deny)"
ALLOW="$(flow allow google-approve)"
echo "# screenshots kept: $ART/cancel-consent.png (consent) $ART/cancel-result.png (error) $ART/allow-result.png (success)"
check "browser: Cancel -> the broker's error page, access_denied" \
    bash -c '[[ "$(jq -r "[.result, .code] | join(\",\")" <<<"$0")" == "error,access_denied" ]] || { echo "$0"; false; }' "$DENY"
check "browser: Allow -> the broker's success page" \
    bash -c '[[ "$(jq -r .result <<<"$0")" == success ]] || { echo "$0"; false; }' "$ALLOW"
for f in cancel-consent cancel-result allow-consent allow-result; do
    check "screenshot $f.png kept (a PNG)" bash -c '[[ "$(head -c 8 "$0" | od -An -tx1 | tr -d " \n")" == 89504e470d0a1a0a ]]' \
        "$ART/$f.png"
done
# page_says JSON PAGE REGEX...: the page has a language and a title, and its text matches every REGEX
page_says() {
    local json="$1" page="$2" re text
    shift 2
    [[ "$(jq -r ".$page.lang" <<<"$json")" == en && -n "$(jq -r ".$page.title // empty" <<<"$json")" ]] || {
        echo "$page: lang or title missing: $(jq -c ".$page" <<<"$json")"
        return 1
    }
    text="$(jq -r ".$page.text" <<<"$json")"
    for re in "$@"; do
        grep -qiE "$re" <<<"$text" || {
            echo "$page: /$re/ not in: $text"
            return 1
        }
    done
}
check "consent page: labelled a demo, says what Allow and Cancel do" page_says "$DENY" consent_page "DEMO" "Allow" "Cancel"
check "error page: says what happened (declined, nothing connected) and what to do next (try again)" \
    page_says "$DENY" result_page "declined" "nothing was connected" "try again" "error code"
check "success page: says what happened (connected) and what to do next (return to the application)" \
    page_says "$ALLOW" result_page "connected" "return to your application"
check "browser: no asset from anywhere but the demo's broker and authorization server" \
    bash -c 'jq -e --arg b "http://127.0.0.1:$2" --arg a "http://127.0.0.1:$3" \
        "(.origins | length) > 0 and all(.origins[]; . == \$b or . == \$a)" <<<"$0" >/dev/null &&
        jq -e --arg b "http://127.0.0.1:$2" --arg a "http://127.0.0.1:$3" \
        "all(.origins[]; . == \$b or . == \$a)" <<<"$1" >/dev/null || { echo "$0 $1" | jq -c .origins; false; }' \
    "$DENY" "$ALLOW" "$B" "$AS"

# ---- the printed Inspector command, as printed
INS_OUT="$(timeout 120 bash -c "$INSPECT" 2>"$IT_DIR/inspector.err")"
check "inspector (the printed command): list_labels answers the demo Gmail's labels" \
    bash -c '[[ "$0" == *INBOX* ]] || { echo "$0"; cat "$1"; false; }' "$INS_OUT" "$IT_DIR/inspector.err"
timeout 120 bash -c "${INSPECT//$KEY/not-the-key}" >/dev/null 2>&1
check "inspector with a wrong key: refused (exit 3, auth required)" eq "$?" 3

# ---- a second demo whose broker port is taken (by the first): exit 1 naming the port, and what it started is stopped
AS2="$(it_free_port)"
API2="$(it_free_port)"
VAR_DIR="$IT_DIR/var2" BUILD_DIR="$IT_BUILD" OB_DEMO_DATABASE_URL="$IT_DB_URL" OB_DEMO_BROKER_PORT="$B" \
    OB_DEMO_AS_PORT="$AS2" OB_DEMO_API_PORT="$API2" OB_DEMO_MCP_PORT="$MCP" \
    timeout 120 bash "$IT_SRC/scripts/demo.sh" >"$IT_DIR/demo2.out" 2>&1
check "a demo on a taken broker port: exit 1, naming the port" \
    bash -c '[[ "$0" == 1 ]] && grep -q "port $1 for demo-broker is taken" "$2" || { cat "$2"; false; }' "$?" "$B" "$IT_DIR/demo2.out"
check "...and the demo processes it had started are stopped again" \
    bash -c '! (exec 3<>"/dev/tcp/127.0.0.1/$0") 2>/dev/null && ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null &&
        [[ -z "$(ls "$2" 2>/dev/null)" ]]' "$AS2" "$API2" "$IT_DIR/var2/demo/run"

# ---- scripts/stop-all.sh stops the demo
pids=()
for name in demo-as demo-gmail-api demo-broker demo-mcp-gmail; do
    pids+=("$(head -n1 "$DEMO_VAR/demo/run/$name.pid" 2>/dev/null)")
done
stop_demo
alive=""
for pid in "${pids[@]}"; do
    # a zombie counts as stopped: its parent (whoever adopted it) reaps it
    [[ -n "$pid" ]] && stat="$(cat "/proc/$pid/stat" 2>/dev/null)" && stat="${stat##*) }" && [[ "${stat%% *}" != Z ]] &&
        alive+=" $pid"
done
check "stop-all.sh: every demo process stopped" bash -c '[[ -z "$0" ]] || { cat "$1"; false; }' "$alive" "$IT_DIR/stop.out"
check "stop-all.sh: the demo's ports are free" bash -c '! (exec 3<>"/dev/tcp/127.0.0.1/$0") 2>/dev/null &&
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null' "$B" "$MCP"
cp "$DEMO_VAR"/demo/log/*.log "$IT_DIR/" 2>/dev/null # it_done looks for crashes and sanitizer reports there
it_done
