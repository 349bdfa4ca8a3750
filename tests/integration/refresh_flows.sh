#!/usr/bin/env bash
# refresh_flows.sh - refresh, revoke and pushes against tests/fakes/fake-google.mjs and a fake MCP server (tests/fakes/fake-mcp.mjs):
# tokens imported through POST /cache-tokens; 200 concurrent vends of one expired token -> exactly one upstream
# refresh; rotation stored and surviving a restart; a response without refresh_token keeps the old one; provider
# down -> transient path with backoff in the audit log and the valid token still served; invalid_grant ->
# needs_reauth + invalidation push; signed pushes (signature, window, retries while the MCP server is down);
# POST /oauth/refresh; POST /oauth/revoke reaching the provider (an empty 2xx counts as success).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_setup refresh

it_google_fake || exit 1
MPORT="$(it_free_port)"
MCP="http://127.0.0.1:$MPORT"
FAKE_PORT="$MPORT" it_start mcp node "$IT_FAKES/fake-mcp.mjs" "$IT_DIR/keys/services/gmail.secret"
it_wait_line "$IT_DIR/mcp.log" "listening" >/dev/null || exit 1
it_google_broker "{\"refresh\": {\"enabled\": false, \"backoff_base_ms\": 2000, \"backoff_max_ms\": 60000},
  \"push\": {\"retries\": 4, \"backoff_base_ms\": 200, \"backoff_max_ms\": 1000, \"urls\": {\"gmail\": \"$MCP\"}}}" || exit 1

vend() { http GET "$BROKER/instances/$1/token${2:-}" "" "authorization: Bearer $GMAIL_BEARER" "x-mcp-service: gmail"; }
gstat() { curl -s "$GOOGLE/_stats" | jq -r "$1"; }
pushes() { curl -s "$MCP/_pushes" | jq -r "$1"; }
new_instance() { # new_instance REFRESH_TOKEN EXPIRES_IN -> IID
    admin POST /instances '{"service":"gmail","user_id":"u1","client_id":"gclient","client_secret":"gsecret-1"}'
    IID="$(jq -r .instance_id <<<"$BODY")"
    curl -s -X POST "$GOOGLE/_seed" -d "{\"client_id\":\"gclient\",\"refresh_token\":\"$1\"}" >/dev/null
    admin POST /cache-tokens "{\"instance_id\":\"$IID\",\"access_token\":\"imported-at-$RANDOM\",\"refresh_token\":\"$1\",\"expires_in\":$2}"
}
# expire ID: the stored access token expires (in the database, behind the broker's back), then the broker's instance
# cache (instance_cache_ttl_ms 300) is let lapse so that the next vend sees it
expire() {
    psql_q "UPDATE mcp_credentials SET token_expires_at = now() - interval '10 seconds' WHERE instance_id='$1'" >/dev/null
    sleep 0.4
}

# ---- import (POST /cache-tokens)
admin POST /cache-tokens '{"instance_id":"not-a-uuid","access_token":"x"}'
check "import: malformed id -> 400" eq "$STATUS" 400
admin POST /cache-tokens '{"instance_id":"6f1c2f8e-3a8b-4c1e-9d2a-1b2c3d4e5f60","access_token":"x"}'
check "import: unknown instance -> 404" eq "$STATUS" 404
http POST "$BROKER/cache-tokens" '{"instance_id":"6f1c2f8e-3a8b-4c1e-9d2a-1b2c3d4e5f60","access_token":"x"}'
check "import: without the admin key -> 401" eq "$STATUS" 401
new_instance "1//seed-A" 3600
A="$IID"
check "import: 200 with a refresh token" jq_eq '[.status,.has_refresh_token]|map(tostring)|join(",")' "active,true"
check "import: stored encrypted" eq "$(psql_q "SELECT count(*) FROM mcp_credentials WHERE instance_id='$A' AND position(convert_to('1//seed-A','UTF8') in refresh_token_enc)=0 AND access_token_enc IS NOT NULL")" 1
vend "$A"
check "import: vended" bash -c '[[ "$0" == 200 && "$(jq -r .access_token <<<"$1")" == imported-at-* ]]' "$STATUS" "$BODY"
sleep 0.5
check "import: pushed (signed token event)" eq "$(pushes "[.accepted[].events[]|select(.instance_id==\"$A\" and .type==\"token\")]|length")" 1

# ---- import validation: every refusal names its field and changes nothing
snap() { psql_q "SELECT md5(access_token_enc::text) || ',' || row_version || ',' || (SELECT event_version FROM mcp_service_table WHERE instance_id='$A') FROM mcp_credentials WHERE instance_id='$A'"; }
before_snap="$(snap)"
imp() { admin POST /cache-tokens "{\"instance_id\":\"$A\",\"access_token\":\"x-new\"$1}"; }
imp ',"acces_token":"typo"'
check "import: unknown field -> 400 unknown_field naming it" eq "$STATUS,$(jq -r .code,.field <<<"$BODY" | tr '\n' ,)" "400,unknown_field,acces_token,"
imp ',"expires_in":-5'
check "import: expires_in out of range -> 400 naming expires_in" eq "$STATUS,$(jq -r .field <<<"$BODY")" "400,expires_in"
imp ',"expires_at":1000000000'
check "import: expires_at in the past -> 400 naming expires_at" eq "$STATUS,$(jq -r .field <<<"$BODY")" "400,expires_at"
imp ',"scope":"openid \u0022email"'
check "import: scope with a quote -> 400 naming scope" eq "$STATUS,$(jq -r .field <<<"$BODY")" "400,scope"
imp ',"token_type":""'
check "import: empty token_type -> 400 naming token_type" eq "$STATUS,$(jq -r .field <<<"$BODY")" "400,token_type"
check "import: the refused imports changed nothing (tokens, row_version, event_version)" eq "$(snap)" "$before_snap"
admin POST /cache-tokens "{\"instance_id\":\"$A\",\"access_token\":\"imported-at-2\",\"expires_in\":3600}"
check "import without refresh_token: the stored one is kept (has_refresh_token true)" eq "$STATUS,$(jq -r .has_refresh_token <<<"$BODY")" "200,true"

# ---- 200 concurrent vends of one expired token -> exactly one upstream refresh
expire "$A"
before="$(gstat .refresh_calls)"
seq 200 | xargs -P 100 -I{} curl -s -o /dev/null -w '%{http_code}\n' -H "authorization: Bearer $GMAIL_BEARER" \
    -H "x-mcp-service: gmail" "$BROKER/instances/$A/token" >"$IT_DIR/storm.codes"
check "storm: 200 answers, all 200" eq "$(grep -c '^200$' "$IT_DIR/storm.codes")" 200
check "storm: exactly one upstream refresh" eq "$(( $(gstat .refresh_calls) - before ))" 1
vend "$A"
check "storm: the refreshed token is served" bash -c '[[ "$(jq -r .access_token <<<"$0")" == ya29.* ]]' "$BODY"
check "refresh: audit row" eq "$(psql_q "SELECT count(*) FROM token_audit_log WHERE instance_id='$A' AND event='refreshed'")" 1
check "refresh: no refresh_token in the answer -> old one kept" eq "$(psql_q "SELECT (refresh_token_enc IS NOT NULL)::text FROM mcp_credentials WHERE instance_id='$A'")" true
before="$(gstat .refresh_calls)"
expire "$A"
vend "$A"
check "kept refresh token still works" bash -c '[[ "$0" == 200 && "$1" == 1 ]]' "$STATUS" "$(( $(gstat .refresh_calls) - before ))"

# ---- rotation survives a restart
curl -s -X POST "$GOOGLE/_mode" -d '{"rotate":true}' >/dev/null
admin POST /oauth/refresh "{\"instance_id\":\"$A\"}"
check "forced refresh: 200 refreshed" jq_eq .outcome refreshed
ROT="$(gstat '.issued[-1].refresh_token')"
check "rotation: the provider issued a new refresh token" bash -c '[[ "$0" == 1//0* ]]' "$ROT"
kill -TERM "$BROKER_PID"; wait "$BROKER_PID" 2>/dev/null
it_broker "$IT_DIR/broker.json" || exit 1
expire "$A"
vend "$A"
check "rotation: after a restart the rotated token refreshes (old one is dead at the provider)" bash -c '[[ "$0" == 200 && "$(jq -r .access_token <<<"$1")" == ya29.* ]]' "$STATUS" "$BODY"
curl -s -X POST "$GOOGLE/_mode" -d '{"rotate":false}' >/dev/null

# ---- provider down -> transient, backoff in the audit log, the valid token still served
curl -s -X POST "$GOOGLE/_fail" -d '{"status":503,"count":1}' >/dev/null
admin POST /oauth/refresh "{\"instance_id\":\"$A\"}"
check "provider 503: 502 provider_error with a backoff" bash -c '[[ "$0" == 502 && "$(jq -r .backoff_ms <<<"$1")" -gt 0 ]]' "$STATUS" "$BODY"
check "provider 503: backoff in the audit log" eq "$(psql_q "SELECT detail->>'class' || ',' || ((detail->>'backoff_ms')::int > 0)::text FROM token_audit_log WHERE instance_id='$A' AND event='refresh_failed' ORDER BY id DESC LIMIT 1")" "transient,true"
check "provider 503: next_refresh_at recorded" eq "$(psql_q "SELECT (next_refresh_at > now())::text || ',' || refresh_failures FROM mcp_credentials WHERE instance_id='$A'")" "true,1"
vend "$A"
check "provider 503: the current token is still served" eq "$STATUS" 200
vend "$A" "?refresh=1"
check "vend ?refresh=1 during backoff: the valid token is served, no upstream call" eq "$STATUS" 200

# ---- invalid_grant -> needs_reauth + invalidation push
new_instance "1//seed-B" 3600
B="$IID"
curl -s -X POST "$GOOGLE/_fail" -d '{"status":400,"error":"invalid_grant","count":1}' >/dev/null
expire "$B"
vend "$B"
check "invalid_grant: vend -> 409 needs_reauth" bash -c '[[ "$0" == 409 && "$(jq -r .code <<<"$1")" == needs_reauth ]]' "$STATUS" "$BODY"
check "invalid_grant: status needs_reauth + audit row" eq "$(psql_q "SELECT s.status || ',' || (SELECT detail->>'error' FROM token_audit_log WHERE instance_id='$B' AND event='refresh_failed') FROM mcp_service_table s WHERE instance_id='$B'")" "needs_reauth,invalid_grant"
sleep 0.5
check "invalid_grant: invalidation pushed" eq "$(pushes "[.accepted[].events[]|select(.instance_id==\"$B\" and .type==\"invalidate\" and .status==\"needs_reauth\" and (.authorize_url|length>0))]|length")" 1

# ---- pushes: retries while the MCP server is down; nothing lost when it comes back and pulls
curl -s -X POST "$MCP/_down" -d '{"count":2}' >/dev/null
admin POST /oauth/refresh "{\"instance_id\":\"$A\"}"
sleep 2
check "push: delivered after the MCP server was down twice" bash -c '[[ "$(curl -s "$0/_pushes" | jq "[.accepted[].events[]|select(.instance_id==\"$1\" and .type==\"token\")]|length")" -ge 3 ]]' "$MCP" "$A"
check "push: signatures and window verified (nothing rejected)" eq "$(pushes '.rejected|length')" 0
curl -s -X POST "$MCP/_down" -d '{"count":100}' >/dev/null
admin POST /oauth/refresh "{\"instance_id\":\"$A\"}"
NEWAT="$(gstat '.issued[-1].access_token')"
vend "$A"
check "push lost for good: the pull still gets the new token" bash -c '[[ "$(jq -r .access_token <<<"$0")" == "$1" ]]' "$BODY" "$NEWAT"
curl -s -X POST "$MCP/_down" -d '{"count":0}' >/dev/null

# ---- pushes on status change and delete (after the commit, to the owning MCP server)
inval() { pushes "[.accepted[].events[]|select(.instance_id==\"$1\" and .type==\"invalidate\" and .status==\"$2\")]|length"; }
new_instance "1//seed-C" 3600
C="$IID"
admin PATCH "/instances/$C" '{"status":"inactive"}'
sleep 0.5
check "patch active->inactive: 200 + invalidation pushed (status inactive)" eq "$STATUS,$(inval "$C" inactive)" "200,1"
admin PATCH "/instances/$C" '{"status":"active"}'
sleep 0.5
check "patch inactive->active: invalidation pushed (status active)" eq "$STATUS,$(inval "$C" active)" "200,1"
n_before="$(pushes "[.accepted[].events[]|select(.instance_id==\"$C\")]|length")"
admin PATCH "/instances/$C" '{"custom_name":"renamed"}'
sleep 0.5
check "patch without a status change: no push" eq "$STATUS,$(pushes "[.accepted[].events[]|select(.instance_id==\"$C\")]|length")" "200,$n_before"
admin DELETE "/instances/$C"
sleep 0.5
check "delete: invalidation pushed (status deleted)" eq "$STATUS,$(inval "$C" deleted)" "200,1"
admin DELETE "/instances/$C"
sleep 0.3
check "delete of a deleted instance: 404, no second push" eq "$STATUS,$(inval "$C" deleted)" "404,1"

# ---- the commit of a refresh fails after the provider answered (injected at COMMIT by a deferred trigger)
psql_q "CREATE SEQUENCE it_fail_seq; SELECT nextval('it_fail_seq'); CREATE TABLE it_fail (lim bigint); INSERT INTO it_fail VALUES (0);
CREATE FUNCTION it_fail_commit() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN
  IF NEW.access_token_enc IS DISTINCT FROM OLD.access_token_enc AND nextval('it_fail_seq') <= (SELECT lim FROM it_fail) THEN
    RAISE EXCEPTION 'injected commit failure'; END IF; RETURN NULL; END \$\$;
CREATE CONSTRAINT TRIGGER it_fail_commit AFTER UPDATE ON mcp_credentials DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION it_fail_commit();" >/dev/null
fail_commits() { psql_q "UPDATE it_fail SET lim = (SELECT last_value FROM it_fail_seq) + $1" >/dev/null; }
new_instance "1//seed-E" 3600
E="$IID"
fail_commits 1
before="$(gstat .refresh_calls)"
admin POST /oauth/refresh "{\"instance_id\":\"$E\"}"
NEWAT="$(gstat '.issued[-1].access_token')"
check "commit failed once: the answer is written again on a fresh connection -> refreshed" jq_eq .outcome refreshed
vend "$E"
check "commit failed once: one upstream call, the new token served, no unknown flag" eq "$(( $(gstat .refresh_calls) - before )),$(jq -r .access_token <<<"$BODY"),$(psql_q "SELECT (refresh_outcome_unknown_at IS NULL)::text FROM mcp_credentials WHERE instance_id='$E'")" "1,$NEWAT,true"
# both the commit and the first rewrite fail, with rotation on: the provider's new refresh token exists only in the
# broker's memory. It is never dropped: the waiters get a transient answer, the row is flagged, and the write is
# retried (backoff, under the refresh lock again) until it is stored.
curl -s -X POST "$GOOGLE/_mode" -d '{"rotate":true}' >/dev/null
fail_commits 2
before="$(gstat .refresh_calls)"
admin POST /oauth/refresh "{\"instance_id\":\"$E\"}"
ROTAT="$(gstat '.issued[-1].access_token')"
check "commit and rewrite failed: transient answer, store still pending" eq "$STATUS,$(jq -r .error <<<"$BODY")" "502,refresh_store_pending"
sleep 0.3
check "commit and rewrite failed: 'refresh outcome unknown' audited (class unknown)" eq "$(psql_q "SELECT count(*) FROM token_audit_log WHERE instance_id='$E' AND event='refresh_failed' AND detail->>'class'='unknown' AND (detail->>'rotated')::boolean")" 1
for _ in $(seq 1 50); do
    [[ "$(psql_q "SELECT (refresh_outcome_unknown_at IS NULL)::text FROM mcp_credentials WHERE instance_id='$E'")" == true ]] && break
    sleep 0.1
done
check "store retried: the rotated tokens are stored on the third attempt, the flag cleared" eq "$(psql_q "SELECT (refresh_outcome_unknown_at IS NULL)::text || ',' || (SELECT detail->>'store_attempts' FROM token_audit_log WHERE instance_id='$E' AND event='refreshed' ORDER BY id DESC LIMIT 1) FROM mcp_credentials WHERE instance_id='$E'")" "true,3"
vend "$E"
check "store retried: one upstream call, the rotated answer's token served" eq "$(( $(gstat .refresh_calls) - before )),$STATUS,$(jq -r .access_token <<<"$BODY")" "1,200,$ROTAT"
before="$(gstat .refresh_calls)"
vend "$E" "?refresh=1"
check "store retried: the stored rotated refresh token works (the old one is dead at the provider)" eq "$STATUS,$(( $(gstat .refresh_calls) - before )),$(jq -r .access_token <<<"$BODY")" "200,1,$(gstat '.issued[-1].access_token')"
curl -s -X POST "$GOOGLE/_mode" -d '{"rotate":false}' >/dev/null
# an earlier outcome unknown (flag on the row): the next attempt re-reads the row under the lock and clears it
psql_q "UPDATE mcp_credentials SET refresh_outcome_unknown_at = now() WHERE instance_id='$E'" >/dev/null
admin POST /oauth/refresh "{\"instance_id\":\"$E\"}"
check "outcome unknown: the next attempt re-reads the row first, then refreshes and clears the flag" eq "$(jq -r .outcome <<<"$BODY"),$(psql_q "SELECT (refresh_outcome_unknown_at IS NULL)::text FROM mcp_credentials WHERE instance_id='$E'"),$(grep -c "instance $E: an earlier refresh's outcome is unknown" "$IT_DIR/broker.log")" "refreshed,true,1"

# ---- consecutive transient failures: exponential backoff with equal jitter, capped (base 2000, max 60000)
new_instance "1//seed-D" 3600
D="$IID"
curl -s -X POST "$GOOGLE/_fail" -d '{"status":503,"count":7}' >/dev/null
for _ in 1 2 3 4 5 6 7; do admin POST /oauth/refresh "{\"instance_id\":\"$D\"}"; done
psql_q "SELECT (detail->>'failures') || ' ' || (detail->>'backoff_ms') FROM token_audit_log WHERE instance_id='$D' AND event='refresh_failed' ORDER BY id" >"$IT_DIR/backoff.txt"
check "backoff: 7 failures audited, counted 1..7" eq "$(cut -d' ' -f1 "$IT_DIR/backoff.txt" | tr '\n' ,)" "1,2,3,4,5,6,7,"
check "backoff: each delay within [cap/2, cap], cap = min(2000*2^(n-1), 60000)" awk '{c=2000*2^($1-1); if (c>60000) c=60000; if ($2<c/2 || $2>c) bad=1} END {exit bad}' "$IT_DIR/backoff.txt"
check "backoff: grows from the first to the fifth failure, capped at 60 s after" awk 'NR==1{a=$2} NR==5{b=$2} NR>=6 && $2>60000 {bad=1} END {exit !(b>4*a && !bad)}' "$IT_DIR/backoff.txt"
check "backoff: next_refresh_at follows the last delay" eq "$(psql_q "SELECT (next_refresh_at > now() + interval '25 seconds')::text || ',' || refresh_failures FROM mcp_credentials WHERE instance_id='$D'")" "true,7"
curl -s -X POST "$GOOGLE/_fail" -d '{"count":0}' >/dev/null

# ---- revoke reaches the provider (an empty 2xx counts as success)
curl -s -X POST "$GOOGLE/_mode" -d '{"revoke_empty":true}' >/dev/null
before="$(gstat .revoke_calls)"
admin POST /oauth/revoke "{\"instance_id\":\"$A\"}"
check "revoke: 200, provider revoked (empty 2xx)" bash -c '[[ "$0" == 200 ]] && jq -e ".provider_revoked==true and .status==\"needs_reauth\"" <<<"$1" >/dev/null' "$STATUS" "$BODY"
# (the google plugin sends no token_type_hint: Google's endpoint takes none; the refresh token is what is revoked)
check "revoke: reached the provider, revoking the refresh token" eq "$(( $(gstat .revoke_calls) - before )),$(gstat '.revoked[-1]|startswith("1//")')" "1,true"
check "revoke: tokens purged locally" eq "$(psql_q "SELECT (access_token_enc IS NULL AND refresh_token_enc IS NULL)::text FROM mcp_credentials WHERE instance_id='$A'")" true
vend "$A"
check "revoke: vend -> 409 needs_reauth" eq "$STATUS" 409
admin POST /oauth/revoke '{"instance_id":"6f1c2f8e-3a8b-4c1e-9d2a-1b2c3d4e5f60"}'
check "revoke: unknown instance -> 404" eq "$STATUS" 404
grep -q -E '1//seed-|ya29\.' "$IT_DIR/broker.log" && check "no token in the broker log" false || check "no token in the broker log" true

it_done
