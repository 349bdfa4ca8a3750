#!/usr/bin/env bash
# notify_replicas.sh - change notifications between two broker processes on one database (instance cache lifetime
# 60 s, so only a notification explains a replica seeing another's change), against tests/fakes/fake-google.mjs:
#  - PATCH inactive at broker 1 -> broker 2 refuses the vend (409 instance_inactive) within 1 s; active again ->
#    served again; a change at broker 2 reaches broker 1 likewise;
#  - new tokens imported at broker 1 -> broker 2 vends the new token; revoke at broker 1 -> broker 2 refuses
#    (409 needs_reauth); delete at broker 1 -> broker 2 answers 404;
#  - a change written by plain SQL (no broker involved) reaches both;
#  - broker 2's LISTEN connection killed (pg_terminate_backend) while new connections are refused, a change committed
#    while it is away (its notification is lost) -> once it reconnects broker 2 re-reads what it cached and refuses
#    the vend; /health shows notifications heard again and one more resync.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_setup notify

it_google_fake || exit 1
B1="$BROKER"
B2PORT="$(it_free_port)"
B2="http://127.0.0.1:$B2PORT"
MPORT="$(it_free_port)"
MCP="http://127.0.0.1:$MPORT" # the MCP server stand-in: every push of both replicas goes there
FAKE_PORT="$MPORT" it_start mcp node "$IT_FAKES/fake-mcp.mjs" "$IT_DIR/keys/services/gmail.secret"
it_wait_line "$IT_DIR/mcp.log" "listening" >/dev/null || exit 1
it_google_broker "{\"oauth\": {\"instance_cache_ttl_ms\": 60000}, \"push\": {\"urls\": {\"gmail\": \"$MCP\"}}}" || exit 1
# the second replica: same database (tagged with an application_name, to find its LISTEN connection), keys, secrets
jq --argjson p "$B2PORT" --arg db "${IT_DB_URL}?application_name=ob_notify_b2" \
    '.listen.port = $p | .database.url = $db' "$IT_DIR/broker.json" >"$IT_DIR/broker2.json"
it_start broker2 env -u OB_DATA_KEYS -u VAR_DIR -u OB_KEYS_DIR DATABASE_URL="${IT_DB_URL}?application_name=ob_notify_b2" \
    "${IT_WRAP[@]}" "$IT_BUILD/oauth-service/oauth-service" --config "$IT_DIR/broker2.json" run
for _ in $(seq 1 $((150 * IT_WAIT_SCALE))); do curl -fsS -o /dev/null --max-time 2 "$B2/health" 2>/dev/null && break; sleep 0.1; done
heard() { curl -s "$1/health" | jq -r '.instance_cache.notifications'; }
for _ in $(seq 1 50); do [[ "$(heard "$B1"),$(heard "$B2")" == "true,true" ]] && break; sleep 0.1; done
check "both replicas hear change notifications" eq "$(heard "$B1"),$(heard "$B2")" "true,true"

vend_at() { http GET "$1/instances/$2/token" "" "authorization: Bearer $GMAIL_BEARER" "x-mcp-service: gmail"; }
# until_vend BROKER ID STATUS [JQ_FILTER VALUE]: polls the vend until it answers STATUS (and the filter VALUE), at
# most 1 s; prints the milliseconds it took, or "timeout"
until_vend() {
    local t0 now
    t0="$(date +%s%3N)"
    while :; do
        vend_at "$1" "$2"
        now="$(date +%s%3N)"
        if [[ "$STATUS" == "$3" && ( -z "${4:-}" || "$(jq -r "$4" <<<"$BODY")" == "${5:-}" ) ]]; then
            echo "$((now - t0))"
            return 0
        fi
        (( now - t0 > 1000 * IT_WAIT_SCALE )) && { echo timeout; return 1; }
        sleep 0.01
    done
}
fast() { [[ "$1" =~ ^[0-9]+$ && "$1" -lt $((1000 * IT_WAIT_SCALE)) ]]; }
new_instance() { # -> IID
    BROKER="$B1" admin POST /instances '{"service":"gmail","user_id":"u1","client_id":"gclient","client_secret":"gsecret-1"}'
    IID="$(jq -r .instance_id <<<"$BODY")"
    BROKER="$B1" admin POST /cache-tokens "{\"instance_id\":\"$IID\",\"access_token\":\"at-$1\",\"refresh_token\":\"1//rt-$1\",\"expires_in\":3600}"
}

# ---- status: inactive at broker 1 -> refused by broker 2; active again -> served; and the other way round
new_instance a
A="$IID"
vend_at "$B1" "$A"
s1="$STATUS"
vend_at "$B2" "$A"
check "both replicas vend (and cache) the instance" eq "$s1,$STATUS,$(jq -r .access_token <<<"$BODY")" "200,200,at-a"
BROKER="$B1" admin PATCH "/instances/$A" '{"status":"inactive"}'
t="$(until_vend "$B2" "$A" 409 .code instance_inactive)"
check "PATCH inactive at broker 1 -> broker 2 refuses within 1 s ($t ms)" fast "$t"
BROKER="$B1" admin PATCH "/instances/$A" '{"status":"active"}'
t="$(until_vend "$B2" "$A" 200)"
check "PATCH active at broker 1 -> broker 2 serves again within 1 s ($t ms)" fast "$t"
vend_at "$B1" "$A"
BROKER="$B2" admin PATCH "/instances/$A" '{"status":"inactive"}'
t="$(until_vend "$B1" "$A" 409 .code instance_inactive)"
check "PATCH inactive at broker 2 -> broker 1 refuses within 1 s ($t ms)" fast "$t"
BROKER="$B2" admin PATCH "/instances/$A" '{"status":"active"}'
until_vend "$B1" "$A" 200 >/dev/null
# the MCP servers hear of a change from the replica that made it (one push per change, whichever replica)
sleep 0.3
curl -s "$MCP/_pushes" | jq -c "[.accepted[].events[]|select(.instance_id==\"$A\")|[.type,.status,.version]]" >"$IT_DIR/pushes-a.json"
check "each status change was pushed once to the MCP server, in version order" eq "$(cat "$IT_DIR/pushes-a.json")" '[["token","active",1],["invalidate","inactive",2],["invalidate","active",3],["invalidate","inactive",4],["invalidate","active",5]]'

# ---- tokens: a new token, a revoke, a delete
vend_at "$B2" "$A"
BROKER="$B1" admin POST /cache-tokens "{\"instance_id\":\"$A\",\"access_token\":\"at-a2\",\"refresh_token\":\"1//rt-a2\",\"expires_in\":3600}"
t="$(until_vend "$B2" "$A" 200 .access_token at-a2)"
check "new token imported at broker 1 -> broker 2 vends it within 1 s ($t ms)" fast "$t"
BROKER="$B1" admin POST /oauth/revoke "{\"instance_id\":\"$A\"}"
t="$(until_vend "$B2" "$A" 409 .code needs_reauth)"
check "revoke at broker 1 -> broker 2 refuses within 1 s ($t ms)" fast "$t"
new_instance d
D="$IID"
vend_at "$B2" "$D"
check "broker 2 vends a second instance" eq "$STATUS" 200
BROKER="$B1" admin DELETE "/instances/$D"
t="$(until_vend "$B2" "$D" 404)"
check "delete at broker 1 -> broker 2 answers 404 within 1 s ($t ms)" fast "$t"

# ---- a change by plain SQL (no broker involved) reaches both
new_instance s
S="$IID"
vend_at "$B1" "$S"
vend_at "$B2" "$S"
psql_q "UPDATE mcp_service_table SET status = 'inactive' WHERE instance_id = '$S'" >/dev/null
t1="$(until_vend "$B1" "$S" 409)"
t2="$(until_vend "$B2" "$S" 409)"
check "a change by SQL -> both refuse within 1 s ($t1, $t2 ms)" bash -c 'fast() { [[ "$1" =~ ^[0-9]+$ ]]; }; fast "$0" && fast "$1"' "$t1" "$t2"

# ---- broker 2's LISTEN connection killed; a change committed while it is away is seen once it is back
new_instance k
K="$IID"
vend_at "$B2" "$K"
check "broker 2 caches the instance" eq "$STATUS" 200
resyncs0="$(curl -s "$B2/health" | jq -r .instance_cache.resyncs)"
# new connections to the test's database refused meanwhile (from another database: the current one cannot be
# closed), so broker 2 cannot LISTEN again before the change commits; the writer is connected before that
psql -X -A -t -q "$IT_DB_URL" -c "SELECT pg_sleep(0.6)" \
    -c "UPDATE mcp_service_table SET status = 'inactive', row_version = row_version + 1 WHERE instance_id = '$K'" \
    >"$IT_DIR/writer.out" 2>&1 &
writer=$!
sleep 0.2
psql -X -A -t -q "$DATABASE_URL" \
    -c "ALTER DATABASE $IT_DB_NAME WITH ALLOW_CONNECTIONS false" \
    -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '$IT_DB_NAME' AND application_name = 'ob_notify_b2' AND query IN ('LISTEN ob_instance_changed', ';')" \
    -c "SELECT pg_sleep(0.8)" \
    -c "ALTER DATABASE $IT_DB_NAME WITH ALLOW_CONNECTIONS true" >"$IT_DIR/kill.out" 2>&1
wait "$writer"
psql -X -q "$DATABASE_URL" -c "ALTER DATABASE $IT_DB_NAME WITH ALLOW_CONNECTIONS true" >/dev/null 2>&1
check "the LISTEN connection of broker 2 was killed, the change committed meanwhile" eq "$(tr '\n' ' ' <"$IT_DIR/kill.out")|$(grep -c . "$IT_DIR/writer.out")" "1  |0"
for _ in $(seq 1 100); do
    [[ "$(heard "$B2")" == true && "$(curl -s "$B2/health" | jq -r .instance_cache.resyncs)" -gt "$resyncs0" ]] && break
    sleep 0.05
done
check "broker 2 listens again by itself, one more resync" eq "$(heard "$B2"),$(( $(curl -s "$B2/health" | jq -r .instance_cache.resyncs) - resyncs0 ))" "true,1"
check "broker 2 logged the loss and the reconnect" bash -c 'grep -q "change notifications lost" "$0" && grep -q "listener (re)connected" "$0"' "$IT_DIR/broker2.log"
vend_at "$B2" "$K"
check "the change made while broker 2 was not listening is seen after the reconnect (409)" eq "$STATUS,$(jq -r .code <<<"$BODY")" "409,instance_inactive"

it_done
