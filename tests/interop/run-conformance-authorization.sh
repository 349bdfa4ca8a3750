#!/usr/bin/env bash
# run-conformance-authorization.sh - the official MCP conformance suite's authorization server scenarios
# (@modelcontextprotocol/conformance, pinned in package.json: `conformance list --authorization`) against the real
# broker: authorization-server-metadata-endpoint (the RFC 8414 document) and authorization-code-grant (an
# authorization code + PKCE S256 round trip and the token response). The second needs a pre-registered client with
# the redirect URI http://127.0.0.1:<port>/callback (admin API: POST /as/clients) and a person at the authorization
# URL the suite prints: headless Chromium (tests/fakes/as-consent.mjs) types the instance's access key and allows,
# and the browser goes on to the suite's own callback listener. Every check of both scenarios must pass (a WARNING
# fails too); the suite's own exit code must be 0.
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"
INTEROP="$IT_SRC/tests/interop"
[[ -d "$INTEROP/node_modules/@modelcontextprotocol/conformance" ]] || it_skip "tests/interop/node_modules is missing (npm ci in tests/interop)"
[[ -x "${CHROMIUM:-/usr/bin/chromium}" ]] || it_skip "chromium is not installed (${CHROMIUM:-/usr/bin/chromium})"
it_setup_private_pg conformance_authorization
[[ -d "$IT_FAKES/node_modules/playwright-core" ]] ||
    (cd "$IT_FAKES" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) >"$IT_DIR/npm-ci.log" 2>&1 ||
    it_skip "npm ci in tests/fakes failed"

# the broker over the fake Google, and an instance consented with the user's own client (its URL is the resource)
MPORT="$(it_registry_port)" || exit 1
it_google_fake "$MPORT"
it_google_broker '{"refresh": {"enabled": false}}' || exit 1
[[ "$(curl -s -o /dev/null -w '%{http_code}' "$BROKER/.well-known/oauth-authorization-server")" != 404 ]] ||
    it_skip "the broker serves no /.well-known/oauth-authorization-server (the authorization server is not in this build)"
check "an instance consented at the fake Google" it_google_instance user-cf gclient gsecret-1
RESOURCE="http://127.0.0.1:$MPORT/$IID/mcp"
CB_PORT="$(it_free_port)"
admin POST /as/clients "{\"client_name\": \"MCP conformance suite\", \"redirect_uris\": [\"http://127.0.0.1:$CB_PORT/callback\"],
  \"token_endpoint_auth_method\": \"none\"}"
CID="$(jq -r .client_id <<<"$BODY")"
check "a pre-registered public client (admin API)" bash -c '[[ "$0" == 201 && "$1" == mcp_* ]]' "$STATUS" "$CID"

# the suite prints the authorization URL and waits (5 min) for its callback; the browser answers it
OUT="$IT_DIR/conformance"
(cd "$INTEROP" && timeout 300 npx --no-install @modelcontextprotocol/conformance authorization --url "$BROKER" \
    --client-id "$CID" --resource "$RESOURCE" -p "$CB_PORT" -o "$OUT") >"$IT_DIR/suite.log" 2>&1 &
SUITE=$!
URL=""
for _ in $(seq 1 600); do
    URL="$(grep -m1 -E '^https?://.*/as/authorize\?' "$IT_DIR/suite.log")" && break
    kill -0 "$SUITE" 2>/dev/null || break
    sleep 0.1
done
check "the suite printed an authorization URL at the broker" bash -c '[[ -n "$0" ]]' "$URL"
if [[ -n "$URL" ]]; then
    timeout 120 node "$IT_FAKES/as-consent.mjs" "$URL" allow "http://127.0.0.1:$CB_PORT/callback" "$KEY" --follow >"$IT_DIR/consent.json"
    consented() { jq -e '.consent.asked_key and (.redirect|startswith("http://127.0.0.1:'"$CB_PORT"'/callback?code="))' <"$IT_DIR/consent.json" >/dev/null; }
    check "Chromium: consent with the access key, redirected to the suite's callback" consented
    # the suite would wait 5 minutes for a callback that is not coming
    consented || { jq -c 'del(.consent.text)' "$IT_DIR/consent.json"; kill "$SUITE"; }
else
    kill "$SUITE" 2>/dev/null
fi
wait "$SUITE"
rc=$?
sed 's/^/suite: /' "$IT_DIR/suite.log" | grep -v -E 'code=|access_token' | tail -n 40
check "conformance authorization: exit 0" eq "$rc" 0
# every check of each scenario that ran: SUCCESS only
RESULTS="$(node -e 'const fs=require("fs"),p=require("path");const d=process.argv[1];const r={};
  for (const s of fs.existsSync(d)?fs.readdirSync(d):[]) { const f=p.join(d,s,"checks.json"); if (!fs.existsSync(f)) continue;
    for (const c of JSON.parse(fs.readFileSync(f,"utf8"))) r[`${s.replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/,"")}:${c.id}`]=c.status; }
  console.log(JSON.stringify(r))' "$OUT")"
echo "# checks: $RESULTS"
check "metadata endpoint scenario ran, every check SUCCESS" \
    jq -e 'to_entries|map(select(.key|test("metadata-endpoint")))|length > 0 and all(.value == "SUCCESS")' <<<"$RESULTS"
check "authorization code grant scenario ran, every check SUCCESS" \
    jq -e 'to_entries|map(select(.key|test("code-grant")))|length > 0 and all(.value == "SUCCESS")' <<<"$RESULTS"
it_stop_all
grep -q -F -e "$KEY" "$IT_DIR"/*.log
check "the access key in no log" eq "$?" 1
it_done
