#!/usr/bin/env bash
# obctl.sh - the admin command line client (tools/obctl, docs/obctl.md) against a real broker over a PostgreSQL
# cluster of this test's own and the fake Google: every subcommand (and the broker's GET /audit behind `obctl audit`) in its readable and --json forms, --help on each,
# bad input (usage errors, refused calls), every exit code (0 ok, 1 4xx, 2 usage, 3 unreachable, 4 5xx, 5 no key),
# and that the admin key and a client secret never show in the process list nor in anything obctl prints.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
OBCTL="$IT_BUILD/tools/obctl/obctl"
[[ -x "$OBCTL" ]] || it_skip "obctl is not built in $IT_BUILD"
it_setup_private_pg obctl
RPORT="$(it_registry_port)"
it_google_fake "$RPORT"
# pushes go to a port where nothing listens (they fail and are retried in the background; nothing here needs them)
it_google_broker "{\"push\": {\"urls\": {\"gmail\": \"http://127.0.0.1:$(it_free_port)\"}, \"retries\": 0}}" || exit 1

export OBCTL_URL="$BROKER"
unset OB_ADMIN_KEY OBCTL_KEY_FILE OBCTL_CLIENT_SECRET
KF="$IT_DIR/keys/admin.key"
ALL="$IT_DIR/obctl-all.out" # every line obctl printed, for the secret check at the end
: >"$ALL"

# ob ARGS...: runs obctl with the key file; sets RC, OUT, ERR. obn: without any key option.
obn() {
    "$OBCTL" "$@" >"$IT_DIR/o.out" 2>"$IT_DIR/o.err"
    RC=$?
    OUT="$(cat "$IT_DIR/o.out")"
    ERR="$(cat "$IT_DIR/o.err")"
    cat "$IT_DIR/o.out" "$IT_DIR/o.err" >>"$ALL"
    STATUS="rc=$RC"
    BODY="out=${OUT:0:300} err=${ERR:0:300}"
}
ob() { obn --key-file "$KF" "$@"; }
rc_is() { [[ "$RC" == "$1" ]]; }
out_has() { [[ "$OUT" == *"$1"* ]]; }
err_has() { [[ "$ERR" == *"$1"* ]]; }
jout() { jq -e "$@" <<<"$OUT" >/dev/null; }

# --help: the overview and every command's own help, exit 0, on stdout
ob --help
check "--help: exit 0, lists every command and the exit codes" bash -c '[[ $0 == 0 && $1 == *"instances create"* &&
    $1 == *"tokens import"* && $1 == *"keys rotate"* && $1 == *"grants revoke"* && $1 == *"5 no admin key"* ]]' "$RC" "$OUT"
mapfile -t CMDS < <(sed -n 's/^  \([a-z][a-z-]*\( [a-z]\+\)\?\)  .*/\1/p' <<<"$OUT" | sed 's/ *$//')
check "--help lists 19 commands" eq "${#CMDS[@]}" 19
for cmd in "${CMDS[@]}"; do
    # shellcheck disable=SC2086
    ob $cmd --help
    check "obctl $cmd --help: exit 0, its usage" bash -c '[[ $0 == 0 && $1 == "Usage: obctl $2"* && $1 == *"Exit codes"* ]]' \
        "$RC" "$OUT" "$cmd"
done
ob instances --help
check "obctl instances --help: the group's verbs" bash -c '[[ $0 == 0 && $1 == *"instances delete"* ]]' "$RC" "$OUT"

# usage errors: exit 2, nothing sent
obn
check "no command: exit 2" rc_is 2
ob frobnicate
check "unknown command: exit 2" bash -c '[[ $0 == 2 && $1 == *"unknown command"* ]]' "$RC" "$ERR"
ob instances frob
check "unknown verb: exit 2" rc_is 2
ob instances list --user u1 --bogus
check "unknown option: exit 2" bash -c '[[ $0 == 2 && $1 == *"--bogus"* ]]' "$RC" "$ERR"
ob instances list
check "instances list without --user: exit 2" rc_is 2
ob instances show
check "instances show without an id: exit 2" rc_is 2
ob instances show a b
check "instances show with two ids: exit 2" rc_is 2
ob instances create --service gmail --user u1
check "instances create without --client-id: exit 2" rc_is 2
ob instances create --service gmail --user u1 --client-id c --expires-in soon
check "instances create --expires-in soon: exit 2" rc_is 2
ob instances create --service gmail --user u1 --client-id c --provider-options '[1'
check "instances create --provider-options not an object: exit 2" rc_is 2
ob --timeout 0 health
check "--timeout 0: exit 2" rc_is 2
ob --admin-key "$(cat "$KF")" health
check "there is no option that takes the key itself: exit 2" rc_is 2
ob tokens import 00000000-0000-0000-0000-000000000000 "$IT_DIR/none.json"
check "tokens import of a missing file: exit 2" rc_is 2
printf '{"access_token": ' >"$IT_DIR/bad.json"
ob tokens import 00000000-0000-0000-0000-000000000000 "$IT_DIR/bad.json"
check "tokens import of a file that is not JSON: exit 2" rc_is 2
echo '{"instance_id": "x", "access_token": "a"}' >"$IT_DIR/iid.json"
ob tokens import 00000000-0000-0000-0000-000000000000 "$IT_DIR/iid.json"
check "tokens import of a file naming the instance: exit 2" rc_is 2
N0="$(psql_q "SELECT count(*) FROM mcp_service_table")"

# no key, a wrong key, an unreachable broker
obn instances list --user u1
check "no key (no OB_ADMIN_KEY, no var/keys/admin.key here): exit 5" bash -c '[[ $0 == 5 && $1 == *"no admin key"* ]]' "$RC" "$ERR"
(umask 077 && echo wrong-key-0123456789 >"$IT_DIR/wrong.key")
obn --key-file "$IT_DIR/wrong.key" instances list --user u1
check "a wrong key: exit 1 (401 unauthorized)" bash -c '[[ $0 == 1 && $1 == *"401 unauthorized"* ]]' "$RC" "$ERR"
OB_ADMIN_KEY="$(cat "$KF")" obn instances list --user u1
check "the key from OB_ADMIN_KEY: exit 0" rc_is 0
(umask 077 && mkdir -p "$IT_DIR/cwd/var/keys" && cp "$KF" "$IT_DIR/cwd/var/keys/admin.key")
(cd "$IT_DIR/cwd" && env -u VAR_DIR "$OBCTL" instances list --user u1 >/dev/null 2>&1)
check "the key from the default var/keys/admin.key: exit 0" eq "$?" 0
ob --url "http://127.0.0.1:$(it_free_port)" instances list --user u1
check "nothing listening: exit 3" bash -c '[[ $0 == 3 && $1 == *"cannot reach the broker"* ]]' "$RC" "$ERR"

# health, providers, services (readable and --json)
ob health
check "health: exit 0, status ok" bash -c '[[ $0 == 0 && $1 == *"status:"*"ok"* ]]' "$RC" "$OUT"
ob health --json
check "health --json: the broker's JSON" jout '.status == "ok" and .database.ok == true'
ob providers
check "providers: a table with google" bash -c '[[ $0 == 0 && $1 == "PROVIDER"* && $1 == *"google"*"provider"* ]]' "$RC" "$OUT"
ob --json providers
check "providers --json" jout 'any(.providers[]; .name == "google" and .plugin == "google") and .count == (.providers | length)'
ob services
check "services: gmail on google" bash -c '[[ $0 == 0 && $1 == "SERVICE"* && $1 == *"gmail"*"google"* ]]' "$RC" "$OUT"
ob services --json
check "services --json" jout --argjson p "$RPORT" '.services == [{"name":"gmail","display_name":"Gmail","port":$p,"active":true,"provider":"google"}]'

# instances create: the client secret from stdin or OBCTL_CLIENT_SECRET, never the command line
SECRET="gsecret-1"
ob instances create --service gmail --user u1 --client-id gclient --client-secret-file - \
    --name "first one" --scopes "openid email" <<<"$SECRET"
check "instances create (secret from stdin): exit 0, id, authorize URL and MCP key" bash -c '[[ $0 == 0 &&
    $1 == *"instance_id:"* && $1 == *"authorize_url:"* && $1 == *"mcp_access_key:"* ]]' "$RC" "$OUT"
IID="$(sed -n 's/^instance_id: *//p' <<<"$OUT")"
check "the instance is stored with its secret" eq "$(psql_q "SELECT count(*) FROM mcp_service_table s JOIN mcp_credentials c USING (instance_id) WHERE s.instance_id = '$IID' AND c.client_secret_enc IS NOT NULL")" 1
OBCTL_CLIENT_SECRET="$SECRET" ob --json instances create --service gmail --user u1 --client-id gclient
check "instances create --json (secret from OBCTL_CLIENT_SECRET)" jout '.instance_id and .mcp_access_key and .status'
IID2="$(jq -r .instance_id <<<"$OUT")"
OBCTL_CLIENT_SECRET="$SECRET" ob instances create --service nosuch --user u1 --client-id gclient
check "instances create of an unknown service: exit 1 with the broker's code" bash -c '[[ $0 == 1 && $1 == *"unknown_service"* ]]' "$RC" "$ERR"
OBCTL_CLIENT_SECRET="$SECRET" ob --json instances create --service gmail --user u1 --client-id gclient --expires-in 5
check "instances create --expires-in 5: exit 1, --json prints the error body" bash -c '[[ $0 == 1 ]] && jq -e ".code == \"invalid_field\"" <<<"$1" >/dev/null' "$RC" "$OUT"
check "refused creations stored nothing" eq "$(psql_q "SELECT count(*) FROM mcp_service_table")" "$((N0 + 2))"

# list, show, authorize-url
ob instances list --user u1
check "instances list: both instances in a table" bash -c '[[ $0 == 0 && $1 == "INSTANCE"* && $1 == *"$2"* && $1 == *"$3"* && $1 == *"first one"* ]]' "$RC" "$OUT" "$IID" "$IID2"
ob instances list --user u1 --service gmail --json
check "instances list --json" jout '.count == 2 and (.instances | length) == 2'
ob instances list --user nobody
check "instances list of a user without any: (none)" bash -c '[[ $0 == 0 && $1 == "(none)" ]]' "$RC" "$OUT"
ob instances show "$IID"
check "instances show: the admin view" bash -c '[[ $0 == 0 && $1 == *"user_id:"*"u1"* && $1 == *"custom_name:"*"first one"* && $1 != *mcp_access_key* ]]' "$RC" "$OUT"
ob instances show "$IID" --json
check "instances show --json" jout --arg i "$IID" '.instance_id == $i and .service == "gmail" and .oauth_status == "pending"'
ob instances show not-a-uuid
check "instances show of a malformed id: exit 1 (400)" bash -c '[[ $0 == 1 && $1 == *"400 invalid_instance_id"* ]]' "$RC" "$ERR"
ob instances show 00000000-0000-4000-8000-000000000000
check "instances show of an unknown id: exit 1 (404)" bash -c '[[ $0 == 1 && $1 == *"404 instance_not_found"* ]]' "$RC" "$ERR"
ob authorize-url "$IID"
AUTH="$OUT"
check "authorize-url: the broker's consent URL" eq "$RC/$AUTH" "0/$BROKER/oauth/authorize?instance_id=$IID"
ob authorize-url "$IID" --json
check "authorize-url --json" jout --arg u "$AUTH" '.authorize_url == $u'

# refresh before consent is refused; consent through the URL obctl printed, at the fake Google
ob refresh "$IID"
check "refresh of an instance never consented: exit 1 (409)" bash -c '[[ $0 == 1 && $1 == *"409"* ]]' "$RC" "$ERR"
http GET "$AUTH"
http GET "$(header location)"
RID="$(grep -o 'name="rid" value="[^"]*"' <<<"$BODY" | cut -d'"' -f4)"
CB="$(curl -s -o /dev/null -w '%{redirect_url}' --max-time 10 -X POST "$GOOGLE/o/oauth2/consent" --data "rid=$RID&decision=approve")"
http GET "$CB"
ob instances show "$IID" --json
check "consent through obctl's URL: the instance is active" jout '.status == "active" and .oauth_status == "completed" and .has_refresh_token'
ob refresh "$IID"
check "refresh: exit 0, refreshed" bash -c '[[ $0 == 0 && $1 == *"outcome:"*"refreshed"* ]]' "$RC" "$OUT"
ob refresh "$IID" --json
check "refresh --json" jout --arg i "$IID" '.instance_id == $i and .outcome == "refreshed"'

# disable, enable
ob instances disable "$IID"
check "instances disable: inactive" bash -c '[[ $0 == 0 && $1 == *"status:"*"inactive"* ]]' "$RC" "$OUT"
check "disabled in the database" eq "$(psql_q "SELECT status FROM mcp_service_table WHERE instance_id = '$IID'")" inactive
ob instances enable "$IID" --json
check "instances enable --json: active again" jout '.status == "active"'

# revoke, then tokens import (from a file and from stdin) brings it back
ob revoke "$IID"
check "revoke: exit 0, needs_reauth" bash -c '[[ $0 == 0 && $1 == *"revoked:"*"yes"* && $1 == *"needs_reauth"* ]]' "$RC" "$OUT"
ob instances enable "$IID"
check "instances enable of a needs_reauth instance: exit 1 (409)" bash -c '[[ $0 == 1 && $1 == *"409 invalid_status_transition"* ]]' "$RC" "$ERR"
TOK="imported-access-$RANDOM$RANDOM"
(umask 077 && printf '{"access_token": "%s", "refresh_token": "imported-refresh-1", "expires_in": 3600, "scope": "openid email"}\n' "$TOK" >"$IT_DIR/tokens.json")
ob tokens import "$IID" "$IT_DIR/tokens.json"
check "tokens import: exit 0, active again with a refresh token" bash -c '[[ $0 == 0 && $1 == *"status:"*"active"* && $1 == *"has_refresh_token:"*"yes"* ]]' "$RC" "$OUT"
check "the import is audited" eq "$(psql_q "SELECT count(*) FROM token_audit_log WHERE instance_id = '$IID' AND event = 'imported'")" 1
ob tokens import "$IID" - --json <<<'{"access_token": "imported-access-2", "expires_in": 600}'
check "tokens import from stdin --json" jout '.status == "active" and .has_refresh_token == true'
ob tokens import "$IID" - <<<'{"access_token": "x", "colour": "blue"}'
check "tokens import with an unknown member: exit 1 (400 unknown_field)" bash -c '[[ $0 == 1 && $1 == *"unknown_field"* ]]' "$RC" "$ERR"
ob tokens import 00000000-0000-4000-8000-000000000000 "$IT_DIR/tokens.json"
check "tokens import for an unknown instance: exit 1 (404)" rc_is 1

# the audit tail (GET /audit)
ob audit --instance "$IID"
check "audit --instance: this instance's events, oldest first" bash -c '[[ $0 == 0 && $1 == "ID"*"TIME"*"EVENT"* &&
    $1 == *created*authorized*refreshed*status_changed*revoked*imported* && $1 != *"$2"* ]]' "$RC" "$OUT" "$IID2"
ob audit --json --limit 2
check "audit --json --limit 2: the two newest rows of all, oldest first" jout --argjson last "$(psql_q "SELECT max(id) FROM token_audit_log")" \
    '.count == 2 and (.entries | map(.id)) == [$last - 1, $last] and (.entries[1] | has("event") and has("detail") and has("created_at"))'
ob audit --json
check "audit: every detail free of tokens" bash -c '[[ $0 == 0 && $1 != *"$2"* && $1 != *imported-refresh-1* ]]' "$RC" "$OUT" "$TOK"
ob audit --instance not-a-uuid
check "audit --instance of a malformed id: exit 1 (400 invalid_field)" bash -c '[[ $0 == 1 && $1 == *"400 invalid_field (instance_id)"* ]]' "$RC" "$ERR"
ob audit --limit 0
check "audit --limit 0: exit 2" rc_is 2
admin GET "/audit?limit=1001"
check "GET /audit?limit=1001: 400 naming limit" bash -c '[[ $0 == 400 ]] && jq -e ".code == \"invalid_field\" and .field == \"limit\"" <<<"$1" >/dev/null' "$STATUS" "$BODY"
http GET "$BROKER/audit"
check "GET /audit without the admin key: 401" eq "$STATUS" 401

# signing keys
ob keys list --json
NK="$(jq '.keys | length' <<<"$OUT")"
ob keys rotate
check "keys rotate: exit 0, the new kid" bash -c '[[ $0 == 0 && $1 == "kid:"* && $1 == *"not_before:"* ]]' "$RC" "$OUT"
KID="$(sed -n 's/^kid: *//p' <<<"$OUT")"
ob keys list
check "keys list: a table with the new key" bash -c '[[ $0 == 0 && $1 == "KID"* && $1 == *"$2"* ]]' "$RC" "$OUT" "$KID"
ob keys list --json
check "keys list --json: one key more" jout --argjson n "$NK" --arg k "$KID" '(.keys | length) == $n + 1 and any(.keys[]; .kid == $k)'

# grants (a grant row as the authorization server's consent writes it)
GID="$(psql_q "INSERT INTO as_grants (instance_id, client_id, client_name, resource, scope) VALUES ('$IID', 'test-client-1', 'Test Client', '$BROKER/mcp', 'mcp') RETURNING grant_id" | head -1)"
ob grants list "$IID"
check "grants list: the grant in a table" bash -c '[[ $0 == 0 && $1 == "GRANT"* && $1 == *"$2"*"test-client-1"*"Test Client"* ]]' "$RC" "$OUT" "$GID"
ob grants list "$IID" --json
check "grants list --json" jout --arg g "$GID" '.grants[0].grant_id == $g and .grants[0].revoked_at == null'
ob grants revoke "$IID" "$GID"
check "grants revoke: exit 0" bash -c '[[ $0 == 0 && $1 == *"revoked:"*"yes"* ]]' "$RC" "$OUT"
check "the grant is revoked in the database" eq "$(psql_q "SELECT revoked_reason FROM as_grants WHERE grant_id = '$GID'")" admin_revoked
ob grants revoke "$IID" 00000000-0000-4000-8000-000000000000
check "grants revoke of an unknown grant: exit 1 (404)" bash -c '[[ $0 == 1 && $1 == *"404"* ]]' "$RC" "$ERR"

# the key and the client secret never in the process list: obctl blocked on a server that never answers
HOLD_PORT="$(it_free_port)"
it_start hold node -e 'require("net").createServer(() => {}).listen(+process.argv[1], "127.0.0.1", () => console.log("listening"))' "$HOLD_PORT"
it_wait_line "$IT_DIR/hold.log" listening >/dev/null
OBCTL_CLIENT_SECRET="$SECRET" "$OBCTL" --key-file "$KF" --url "http://127.0.0.1:$HOLD_PORT" --timeout 3 \
    instances create --service gmail --user u9 --client-id gclient >"$IT_DIR/hold.out" 2>&1 &
HOLD_PID=$!
sleep 1
PS="$(ps -eo pid,args)"
check "obctl is running while the process list is read" bash -c '[[ $1 == *"$0"* ]]' "$HOLD_PID" "$(cut -c1-8 <<<"$PS" | tr -s ' ')"
check "neither the admin key nor the client secret in the process list" bash -c '[[ $0 != *"$1"* && $0 != *"$2"* ]]' "$PS" "$(cat "$KF")" "$SECRET"
wait "$HOLD_PID"
RC=$?
check "a broker that never answers: exit 3 after --timeout" bash -c '[[ $0 == 3 && $1 == *"Timeout"* ]]' "$RC" "$(cat "$IT_DIR/hold.out")"
cat "$IT_DIR/hold.out" >>"$ALL"

# delete
ob instances delete "$IID2"
check "instances delete: exit 0, deleted" bash -c '[[ $0 == 0 && $1 == *"deleted:"*"yes"* ]]' "$RC" "$OUT"
ob instances show "$IID2"
check "the deleted instance is gone: exit 1" rc_is 1

# a broker error (5xx): PostgreSQL stopped under it
pg_stop >>"$IT_DIR/pg.log" 2>&1
ob instances list --user u1
check "PostgreSQL down: exit 4 (5xx)" bash -c '[[ $0 == 4 && $1 == *" 50"* ]]' "$RC" "$ERR"

check "the admin key never printed by obctl" bash -c '! grep -qF -- "$0" "$1"' "$(cat "$KF")" "$ALL"
check "a wrong key never printed by obctl either" bash -c '! grep -qF -- "$0" "$1"' "$(cat "$IT_DIR/wrong.key")" "$ALL"
check "the client secret never printed by obctl" bash -c '! grep -qF -- "$0" "$1"' "$SECRET" "$ALL"
check "the imported token never printed by obctl" bash -c '! grep -qF -- "$0" "$1"' "$TOK" "$ALL"
it_done
