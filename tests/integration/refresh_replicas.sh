#!/usr/bin/env bash
# refresh_replicas.sh - two broker processes on one database against tests/fakes/fake-google.mjs
# and tests/fakes/fake-mcp.mjs:
#  - a forced refresh fired at both at once -> exactly one upstream refresh (the advisory lock, and a forced refresh
#    that waited for the lock is answered by the other replica's result), both serve the same new token;
#  - event versions: every push event carries "version", increasing per instance; vend and /mcp-auth carry the
#    current one (and /mcp-auth the instance's expires_at);
#  - rotate-keys while a refresh holds the lock: the refresh's rotated token is stored, not dropped;
#  - the background scheduler (broker 2 only) refreshes an expiring instance without any vend;
#  - a provider slower than the refresh timeout -> outcome-unknown audit row, the current token still served;
#  - 429 with Retry-After -> backoff of at least Retry-After; invalid_client -> needs_reauth + invalidation push;
#  - request-class errors (invalid_scope) -> needs_reauth after refresh.request_error_limit in a row;
#  - a vend that finds an instance past its expires_at pushes an invalidation (status expired);
#  - refresh.concurrency >= database.pool_size is refused at start (exit 2, one line);
#  - the refresh intent marker (refresh.intent_hold_s 3 here): broker 1's PostgreSQL backend killed during its
#    provider call -> a forced refresh at broker 2 is refused (503 refresh_in_progress, nothing sent upstream),
#    broker 1's store retry stores the rotated token, served by both; broker 1 killed -9 during its provider call
#    and restarted -> its dead predecessor's marker (same host, pid gone) is taken over at once, audited
#    refresh_outcome_unknown; a marker of another host, or of a live process of this host, is respected for the
#    hold window (503 refresh_in_progress, nothing sent upstream), then taken over with the audit row.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_setup replicas

GPORT="$(it_free_port)"
B1PORT="$(it_free_port)"
B2PORT="$(it_free_port)"
MPORT="$(it_free_port)"
B1="http://127.0.0.1:$B1PORT"
B2="http://127.0.0.1:$B2PORT"
GOOGLE="http://127.0.0.1:$GPORT"
MCP="http://127.0.0.1:$MPORT"

it_write_json "$IT_DIR/google.json" "{\"clients\": [
  {\"client_id\": \"gclient\", \"client_secret\": \"gsecret-1\", \"redirect_uris\": [\"$B1/oauth/callback\"]}]}"
it_gmail_registry 49296
# broker_config PORT REFRESH_JSON [POOL] -> a config on stdout (both brokers share database, keys and base URL)
broker_config() {
    cat <<EOF
{ "listen": {"host": "127.0.0.1", "port": $1}, "base_url": "$B1",
  "database": {"url": "$IT_DB_URL", "pool_size": ${3:-4}, "query_timeout_ms": 5000},
  "plugin_dir": "${OB_PLUGIN_DIR:-$IT_BUILD/plugins}", "migrations_dir": "$IT_SRC/db/migrations",
  "services_file": "$IT_DIR/services.json", "log_level": "info",
  "keys": {"data_key_file": "$IT_DIR/keys/data.keys", "admin_key_file": "$IT_DIR/keys/admin.key",
           "services_dir": "$IT_DIR/keys/services"},
  "oauth": {"instance_cache_ttl_ms": 60000},
  "refresh": $2,
  "push": {"retries": 2, "backoff_base_ms": 100, "backoff_max_ms": 500, "urls": {"gmail": "$MCP"}},
  "providers": {"google": $(it_google_endpoints)}}
EOF
}
broker_config "$B1PORT" '{"enabled": false, "backoff_base_ms": 1000, "backoff_max_ms": 60000, "request_error_limit": 3, "intent_hold_s": 3}' | jq . >"$IT_DIR/broker.json"
broker_config "$B2PORT" '{"enabled": true, "scan_interval_s": 1, "backoff_base_ms": 1000, "backoff_max_ms": 60000, "request_error_limit": 3, "intent_hold_s": 3}' | jq . >"$IT_DIR/broker2.json"

# ---- configuration: refresh.concurrency must stay below database.pool_size
broker_config "$B1PORT" '{"concurrency": 4}' 4 | jq . >"$IT_DIR/bad.json"
it_cli --config "$IT_DIR/bad.json" check-config >"$IT_DIR/bad.out" 2>&1
rc=$?
check "config: refresh.concurrency >= database.pool_size -> exit 2, one line naming both" bash -c '[[ "$0" == 2 && "$(wc -l <"$1")" == 1 ]] && grep -q "refresh.concurrency (4) must be below database.pool_size (4)" "$1"' "$rc" "$IT_DIR/bad.out"

# two data keys: k1 encrypts for the brokers (last line), k2 is known to them; rotate-keys runs with k2 last
K1="$(cat "$IT_DIR/keys/data.keys")"
K2="k2 $(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
(umask 077 && printf '%s\n%s\n' "$K2" "$K1" >"$IT_DIR/keys/data.keys" && printf '%s\n%s\n' "$K1" "$K2" >"$IT_DIR/keys/rot.keys")
jq --arg f "$IT_DIR/keys/rot.keys" '.keys.data_key_file = $f' "$IT_DIR/broker.json" >"$IT_DIR/rotate.json"

FAKE_PORT="$GPORT" it_start google node "$IT_FAKES/fake-google.mjs" "$IT_DIR/google.json"
FAKE_PORT="$MPORT" it_start mcp node "$IT_FAKES/fake-mcp.mjs" "$IT_DIR/keys/services/gmail.secret"
it_wait_line "$IT_DIR/google.log" "listening" >/dev/null || exit 1
it_wait_line "$IT_DIR/mcp.log" "listening" >/dev/null || exit 1
it_broker "$IT_DIR/broker.json" || exit 1
# the second replica (same database, keys and service secrets; its own log)
it_start broker2 env -u OB_DATA_KEYS -u VAR_DIR -u OB_KEYS_DIR DATABASE_URL="$IT_DB_URL" \
    "$IT_BUILD/oauth-service/oauth-service" --config "$IT_DIR/broker2.json" run
for _ in $(seq 1 150); do curl -fsS -o /dev/null --max-time 2 "$B2/health" 2>/dev/null && break; sleep 0.1; done
BROKER="$B1"

vend_at() { http GET "$1/instances/$2/token${3:-}" "" "authorization: Bearer $GMAIL_BEARER" "x-mcp-service: gmail"; }
gstat() { curl -s "$GOOGLE/_stats" | jq -r "$1"; }
gmode() { curl -s -X POST "$GOOGLE/_mode" -d "$1" >/dev/null; }
gfail() { curl -s -X POST "$GOOGLE/_fail" -d "$1" >/dev/null; }
events() { curl -s "$MCP/_pushes" | jq -c "[.accepted[].events[]|select(.instance_id==\"$1\")]"; }
new_instance() { # new_instance REFRESH_TOKEN EXPIRES_IN [EXTRA_CREATE_JSON] -> IID, MCP_KEY
    admin POST /instances "{\"service\":\"gmail\",\"user_id\":\"u1\",\"client_id\":\"gclient\",\"client_secret\":\"gsecret-1\"${3:-}}"
    IID="$(jq -r .instance_id <<<"$BODY")"
    MCP_KEY="$(jq -r '.mcp_access_key // empty' <<<"$BODY")"
    curl -s -X POST "$GOOGLE/_seed" -d "{\"client_id\":\"gclient\",\"refresh_token\":\"$1\"}" >/dev/null
    admin POST /cache-tokens "{\"instance_id\":\"$IID\",\"access_token\":\"imported-at-$RANDOM\",\"refresh_token\":\"$1\",\"expires_in\":$2}"
}
audit_last() { psql_q "SELECT detail->>'$2' FROM token_audit_log WHERE instance_id='$1' AND event='refresh_failed' ORDER BY id DESC LIMIT 1"; }

# ---- two replicas, one forced refresh at each at once -> one upstream refresh, one token
new_instance "1//seed-A" 3600
A="$IID"
vend_at "$B1" "$A"
vend_at "$B2" "$A" # both replicas cache the imported token
gmode '{"rotate":true,"delay_ms":800}'
before="$(gstat .refresh_calls)"
curl -s -o "$IT_DIR/f1.json" -X POST -H "authorization: Bearer $ADMIN_KEY" -H 'content-type: application/json' \
    --data-binary "{\"instance_id\":\"$A\"}" "$B1/oauth/refresh" &
p1=$!
curl -s -o "$IT_DIR/f2.json" -X POST -H "authorization: Bearer $ADMIN_KEY" -H 'content-type: application/json' \
    --data-binary "{\"instance_id\":\"$A\"}" "$B2/oauth/refresh" &
p2=$!
wait "$p1" "$p2"
gmode '{"delay_ms":0}'
check "two replicas: exactly one upstream refresh" eq "$(( $(gstat .refresh_calls) - before ))" 1
check "two replicas: one answers refreshed, the other fresh (it waited for the lock)" eq "$(jq -rs 'map(.outcome)|sort|join(",")' "$IT_DIR/f1.json" "$IT_DIR/f2.json")" "fresh,refreshed"
NEWAT="$(gstat '.issued[-1].access_token')"
vend_at "$B1" "$A"
V1="$(jq -r .access_token <<<"$BODY")"
VER1="$(jq -r .version <<<"$BODY")"
vend_at "$B2" "$A"
V2="$(jq -r .access_token <<<"$BODY")"
check "two replicas: both serve the same new token (the fresh one dropped its cached copy)" eq "$V1,$V2" "$NEWAT,$NEWAT"
# a later refresh (?refresh=1: the MCP server saw a 401) works: the provider's rotated refresh token was stored
later_refresh_works() { # NAME BROKER
    local n0
    n0="$(gstat .refresh_calls)"
    vend_at "$2" "$A" "?refresh=1"
    check "$1" eq "$STATUS,$(( $(gstat .refresh_calls) - n0 )),$(jq -r .access_token <<<"$BODY")" "200,1,$(gstat '.issued[-1].access_token')"
}
later_refresh_works "two replicas: the rotated refresh token was stored (a later refresh works)" "$B2"
gmode '{"rotate":false}'

# ---- event versions
sleep 0.5
EV="$(events "$A")"
check "versions: every push event carries an integer version" jq -e 'length >= 3 and all(.[]; (.version|type) == "number")' <<<"$EV"
check "versions: strictly increasing per instance, in commit order" jq -e '[.[].version] as $v | ($v|sort) == ($v|unique)' <<<"$EV"
check "versions: the vend answer carries the version of the token it serves" eq "$VER1" "$(jq -r "map(select(.access_token==\"$NEWAT\"))[0].version" <<<"$EV")"
check "versions: the database counter matches the newest event" eq "$(psql_q "SELECT event_version FROM mcp_service_table WHERE instance_id='$A'")" "$(jq -r 'map(.version)|max' <<<"$EV")"
check "versions: the refresh push carries the status read back (active)" eq "$(jq -r "map(select(.access_token==\"$NEWAT\"))[0].status" <<<"$EV")" active
if [[ -n "$MCP_KEY" ]]; then
    h="$(printf %s "$MCP_KEY" | sha256sum | cut -d' ' -f1)"
    http POST "$B1/instances/$A/mcp-auth" "{\"key_sha256\":\"$h\"}" "authorization: Bearer $GMAIL_BEARER" "x-mcp-service: gmail"
    check "mcp-auth: version and expires_at (null: no instance expiry)" bash -c '[[ "$0" == 200 ]] && jq -e ".version >= 1 and .expires_at == null" <<<"$1" >/dev/null' "$STATUS" "$BODY"
fi

# ---- rotate-keys while a refresh holds the lock: the rotation waits; the rotated refresh token survives
gmode '{"rotate":true,"delay_ms":1500}'
curl -s -o "$IT_DIR/f3.json" -X POST -H "authorization: Bearer $ADMIN_KEY" -H 'content-type: application/json' \
    --data-binary "{\"instance_id\":\"$A\"}" "$B1/oauth/refresh" &
p1=$!
sleep 0.5
it_cli --config "$IT_DIR/rotate.json" rotate-keys >"$IT_DIR/rotate.out" 2>&1
rrc=$?
wait "$p1"
gmode '{"rotate":false,"delay_ms":0}'
check "rotate-keys during a refresh: both succeed" eq "$rrc,$(jq -r .outcome "$IT_DIR/f3.json")" "0,refreshed"
check "rotate-keys during a refresh: the rotation came after the refresh's commit (it waited for the lock)" eq "$(psql_q "SELECT string_agg(event, ',' ORDER BY id) FROM (SELECT id, event FROM token_audit_log WHERE instance_id='$A' AND event IN ('refreshed','keys_rotated') ORDER BY id DESC LIMIT 2) x")" "refreshed,keys_rotated"
later_refresh_works "rotate-keys during a refresh: the rotated refresh token was kept (a later refresh works)" "$B2"

# ---- revoke while a refresh holds the lock: it waits, then revokes the refresh token the refresh stored
gmode '{"rotate":true,"delay_ms":1500}'
curl -s -o "$IT_DIR/f4.json" -X POST -H "authorization: Bearer $ADMIN_KEY" -H 'content-type: application/json' \
    --data-binary "{\"instance_id\":\"$A\"}" "$B1/oauth/refresh" &
p1=$!
sleep 0.5
BROKER="$B2" admin POST /oauth/revoke "{\"instance_id\":\"$A\"}"
wait "$p1"
gmode '{"rotate":false,"delay_ms":0}'
check "revoke during a refresh: both succeed, revoke after the refresh's commit" eq "$STATUS,$(jq -r .outcome "$IT_DIR/f4.json"),$(jq -r .provider_revoked <<<"$BODY")" "200,refreshed,true"
check "revoke during a refresh: the rotated refresh token (the current one) was revoked at the provider" eq "$(gstat '.revoked[-1]')" "$(gstat '[.issued[]|select(.refresh_token != null)][-1].refresh_token')"
check "revoke during a refresh: tokens purged after the refresh stored its own" eq "$(psql_q "SELECT (refresh_token_enc IS NULL)::text FROM mcp_credentials WHERE instance_id='$A'"),$(psql_q "SELECT string_agg(event, ',' ORDER BY id) FROM (SELECT id, event FROM token_audit_log WHERE instance_id='$A' AND event IN ('refreshed','revoked') ORDER BY id DESC LIMIT 2) x")" "true,refreshed,revoked"

# ---- the background scheduler (broker 2) refreshes an expiring instance without a vend
new_instance "1//seed-S" 20
S="$IID"
for _ in $(seq 1 60); do
    [[ "$(psql_q "SELECT count(*) FROM token_audit_log WHERE instance_id='$S' AND event='refreshed'")" == 1 ]] && break
    sleep 0.1
done
check "scheduler: the expiring instance was refreshed in the background" eq "$(psql_q "SELECT count(*) || ',' || (SELECT (token_expires_at > now() + interval '1000 seconds')::text FROM mcp_credentials WHERE instance_id='$S') FROM token_audit_log WHERE instance_id='$S' AND event='refreshed'")" "1,true"

# ---- 429 with Retry-After -> backoff of at least Retry-After
new_instance "1//seed-R" 3600
R="$IID"
gfail '{"status":429,"count":1,"retry_after":7}'
admin POST /oauth/refresh "{\"instance_id\":\"$R\"}"
check "429: 502 provider_error with backoff >= Retry-After (7 s)" bash -c '[[ "$0" == 502 && "$(jq -r .backoff_ms <<<"$1")" -ge 7000 ]]' "$STATUS" "$BODY"
check "429: audited as transient with the delay" eq "$(audit_last "$R" class),$(( $(audit_last "$R" backoff_ms) >= 7000 ))" "transient,1"

# ---- invalid_client -> needs_reauth + invalidation push
new_instance "1//seed-C" 3600
C="$IID"
gfail '{"status":401,"error":"invalid_client","count":1}'
admin POST /oauth/refresh "{\"instance_id\":\"$C\"}"
sleep 0.5
check "invalid_client: 409 needs_reauth, status needs_reauth, audit permanent" eq "$STATUS,$(psql_q "SELECT status FROM mcp_service_table WHERE instance_id='$C'"),$(audit_last "$C" class)" "409,needs_reauth,permanent"
check "invalid_client: invalidation pushed with a version" jq -e 'map(select(.type=="invalidate" and .status=="needs_reauth" and (.version|type)=="number"))|length == 1' <<<"$(events "$C")"

# ---- request-class errors: transient, then needs_reauth after refresh.request_error_limit (3) in a row
new_instance "1//seed-Q" 3600
Q="$IID"
gfail '{"status":400,"error":"invalid_scope","count":3}'
for _ in 1 2; do admin POST /oauth/refresh "{\"instance_id\":\"$Q\"}"; done
check "invalid_scope x2: still active, transient (class request)" eq "$STATUS,$(psql_q "SELECT status || ',' || request_failures FROM mcp_service_table JOIN mcp_credentials USING (instance_id) WHERE instance_id='$Q'"),$(audit_last "$Q" class)" "502,active,2,request"
admin POST /oauth/refresh "{\"instance_id\":\"$Q\"}"
check "invalid_scope x3: needs_reauth, audited with the count" eq "$STATUS,$(psql_q "SELECT status FROM mcp_service_table WHERE instance_id='$Q'"),$(audit_last "$Q" consecutive_request_failures)" "409,needs_reauth,3"

# ---- a slow provider past the refresh timeout (10 s): outcome unknown audited, the current token still served
new_instance "1//seed-T" 3600
T="$IID"
vend_at "$B1" "$T"
CUR="$(jq -r .access_token <<<"$BODY")"
gfail '{"status":503,"count":1,"delay_ms":11000}'
admin POST /oauth/refresh "{\"instance_id\":\"$T\"}"
check "slow provider: transient answer (timeout)" eq "$STATUS,$(jq -r .error <<<"$BODY")" "502,timeout"
check "slow provider: audited as outcome unknown, row flagged" eq "$(audit_last "$T" class),$(audit_last "$T" outcome_unknown),$(psql_q "SELECT (refresh_outcome_unknown_at IS NOT NULL)::text FROM mcp_credentials WHERE instance_id='$T'")" "unknown,true,true"
vend_at "$B1" "$T"
check "slow provider: the current token is still served" eq "$STATUS,$(jq -r .access_token <<<"$BODY")" "200,$CUR"

# ---- a vend that finds the instance past its expires_at: expired recorded and pushed
admin POST /instances '{"service":"gmail","user_id":"u1","client_id":"gclient","client_secret":"gsecret-1","expires_in":60}'
X="$(jq -r .instance_id <<<"$BODY")"
admin POST /cache-tokens "{\"instance_id\":\"$X\",\"access_token\":\"imported-x\",\"expires_in\":3600}"
psql_q "UPDATE mcp_service_table SET expires_at = now() - interval '1 second' WHERE instance_id='$X'" >/dev/null
vend_at "$B2" "$X"
sleep 0.5
check "lazy expiry: 409 instance_expired, stored, invalidation pushed (status expired, with a version)" eq "$STATUS,$(psql_q "SELECT status FROM mcp_service_table WHERE instance_id='$X'"),$(events "$X" | jq 'map(select(.type=="invalidate" and .status=="expired" and .version >= 2))|length')" "409,expired,1"

# ---- intent marker (1): broker 1's backend is killed while its provider call is in flight
marker_of() { psql_q "SELECT COALESCE(refresh_owner, '') FROM mcp_credentials WHERE instance_id='$1'"; }
wait_marker() { # wait_marker IID -> the owner, once set
    local o=""
    for _ in $(seq 1 100); do o="$(marker_of "$1")"; [[ -n "$o" ]] && break; sleep 0.05; done
    printf '%s' "$o"
}
force_bg() { curl -s -o "$3" -X POST -H "authorization: Bearer $ADMIN_KEY" -H 'content-type: application/json' --data-binary "{\"instance_id\":\"$2\"}" "$1/oauth/refresh"; }
new_instance "1//seed-I" 3600
I="$IID"
vend_at "$B1" "$I"
vend_at "$B2" "$I"
gmode '{"rotate":true,"delay_ms":2500}'
n0="$(gstat .refresh_calls)"
force_bg "$B1" "$I" "$IT_DIR/i1.json" &
p1=$!
OWNER1="$(wait_marker "$I")"
check "intent marker: set (and committed) before the provider call, owner host:pid:random:starttime:bootid.pidns" bash -c '[[ "$0" =~ ^[^:]+:[0-9]+:[0-9a-f]{16}:[1-9][0-9]*:[0-9a-f-]{36}\.[0-9]+$ ]]' "$OWNER1"
sleep 0.3
killed="$(psql_q "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle in transaction' AND query LIKE '%JOIN mcp_credentials c ON%'")"
check "intent marker: broker 1's backend (holding the refresh lock) terminated during the provider call" eq "$killed" 1
BROKER="$B2" admin POST /oauth/refresh "{\"instance_id\":\"$I\"}"
check "intent marker: a forced refresh at broker 2 meanwhile -> 503 refresh_in_progress with Retry-After" eq "$STATUS,$(jq -r .code <<<"$BODY"),$(( $(header retry-after) >= 1 ))" "503,refresh_in_progress,1"
wait "$p1"
check "intent marker: exactly one upstream refresh" eq "$(( $(gstat .refresh_calls) - n0 ))" 1
check "intent marker: broker 1 stored the rotated token by its store retry, marker cleared" eq "$(jq -r .outcome "$IT_DIR/i1.json"),$(marker_of "$I"),$(grep -c "instance $I: .*storing the new tokens again" "$IT_DIR/broker.log")" "refreshed,,1"
NEWAT="$(gstat '.issued[-1].access_token')"
vend_at "$B1" "$I"
V1="$(jq -r .access_token <<<"$BODY")"
vend_at "$B2" "$I"
check "intent marker: both brokers serve the rotated token" eq "$V1,$(jq -r .access_token <<<"$BODY")" "$NEWAT,$NEWAT"
A="$I"
later_refresh_works "intent marker: the rotated refresh token was stored (a later refresh works)" "$B2"
gmode '{"rotate":false,"delay_ms":0}'

# ---- intent marker (2): broker 1 killed -9 during its provider call, restarted: its dead predecessor's marker is
# taken over at once (same host and pid namespace, the pid gone), audited as an outcome unknown
new_instance "1//seed-K" 3600
K="$IID"
vend_at "$B2" "$K"
gmode '{"delay_ms":2500}'
n0="$(gstat .refresh_calls)"
force_bg "$B1" "$K" "$IT_DIR/k1.json" &
p1=$!
OWNER1="$(wait_marker "$K")"
sleep 0.3
kill -9 "$BROKER_PID"
wait "$p1" 2>/dev/null
gmode '{"delay_ms":0}'
it_broker "$IT_DIR/broker.json" || exit 1
# the marker as young as it was when broker 1 died, whatever the restart took: only the owner's death counts
psql_q "UPDATE mcp_credentials SET refresh_started_at = now() WHERE instance_id='$K'" >/dev/null
admin POST /oauth/refresh "{\"instance_id\":\"$K\"}"
check "kill -9: the restarted broker refreshes at once (one more upstream call), marker cleared" eq "$STATUS,$(jq -r .outcome <<<"$BODY"),$(( $(gstat .refresh_calls) - n0 )),$(marker_of "$K")" "200,refreshed,2,"
check "kill -9: audited refresh_outcome_unknown naming the dead owner" eq "$(psql_q "SELECT count(*) || ',' || max(detail->>'previous_owner') || ',' || bool_and((detail->>'owner_dead')::boolean) FROM token_audit_log WHERE instance_id='$K' AND event='refresh_outcome_unknown'")" "1,$OWNER1,true"
vend_at "$B1" "$K"
check "kill -9: the restarted broker serves its new token" eq "$STATUS,$(jq -r .access_token <<<"$BODY")" "200,$(gstat '.issued[-1].access_token')"

# ---- intent marker (3): a marker of another host waits out the hold window, so does one of a live process here
new_instance "1//seed-F" 3600
F="$IID"
vend_at "$B2" "$F"
FCUR="$(jq -r .access_token <<<"$BODY")"
HOSTKEY="${OWNER1##*:}"
set_marker() { psql_q "UPDATE mcp_credentials SET refresh_started_at = now(), refresh_owner = '$2' WHERE instance_id='$1'" >/dev/null; }
# the owner id of this test's shell: same host and pid namespace as the brokers, alive
SELF_START="$(sed 's/.*) //' /proc/$$/stat | cut -d' ' -f20)"
LIVE="${OWNER1%%:*}:$$:0123456789abcdef:$SELF_START:$HOSTKEY"
n0="$(gstat .refresh_calls)"
set_marker "$F" "other-host:${OWNER1#*:}"
BROKER="$B2" admin POST /oauth/refresh "{\"instance_id\":\"$F\"}"
check "another host's marker: broker 2 refuses inside the hold window (503 refresh_in_progress)" eq "$STATUS,$(jq -r .code <<<"$BODY")" "503,refresh_in_progress"
vend_at "$B2" "$F" "?refresh=1"
check "another host's marker: a vend that asks for a refresh gets the still valid token meanwhile" eq "$STATUS,$(jq -r .access_token <<<"$BODY")" "200,$FCUR"
psql_q "UPDATE mcp_credentials SET token_expires_at = now() - interval '1 second' WHERE instance_id='$F'" >/dev/null
vend_at "$B2" "$F" "?refresh=1"
check "another host's marker: an expired token meanwhile -> 503 refresh_in_progress with Retry-After" eq "$STATUS,$(jq -r .code <<<"$BODY"),$(( $(header retry-after) >= 1 ))" "503,refresh_in_progress,1"
# valid again (broker 2's scheduler must not find it due)
psql_q "UPDATE mcp_credentials SET token_expires_at = now() + interval '1 hour' WHERE instance_id='$F'" >/dev/null
set_marker "$F" "$LIVE"
admin POST /oauth/refresh "{\"instance_id\":\"$F\"}"
check "a live process of this host: its marker is respected (503 refresh_in_progress)" eq "$STATUS,$(jq -r .code <<<"$BODY")" "503,refresh_in_progress"
check "markers in their hold window: nothing sent upstream" eq "$(( $(gstat .refresh_calls) - n0 ))" 0
for _ in $(seq 1 100); do
    [[ "$(psql_q "SELECT (clock_timestamp() - refresh_started_at > interval '3.2 seconds')::text FROM mcp_credentials WHERE instance_id='$F'")" == true ]] && break
    sleep 0.1
done
BROKER="$B2" admin POST /oauth/refresh "{\"instance_id\":\"$F\"}"
check "after the hold window broker 2 refreshes (one upstream call), marker cleared" eq "$STATUS,$(jq -r .outcome <<<"$BODY"),$(( $(gstat .refresh_calls) - n0 )),$(marker_of "$F")" "200,refreshed,1,"
check "audited refresh_outcome_unknown naming the owner, not as dead" eq "$(psql_q "SELECT count(*) || ',' || max(detail->>'previous_owner') || ',' || bool_and((detail->>'owner_dead')::boolean) FROM token_audit_log WHERE instance_id='$F' AND event='refresh_outcome_unknown'")" "1,$LIVE,false"
vend_at "$B1" "$F"
check "broker 1 serves broker 2's token" eq "$STATUS,$(jq -r .access_token <<<"$BODY")" "200,$(gstat '.issued[-1].access_token')"

check "no sanitizer report in the second broker's log" bash -c '! grep -q -E "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$0"' "$IT_DIR/broker2.log"
grep -q -E '1//seed-|ya29\.' "$IT_DIR/broker.log" "$IT_DIR/broker2.log" && check "no token in the broker logs" false || check "no token in the broker logs" true
it_done
