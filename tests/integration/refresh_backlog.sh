#!/usr/bin/env bash
# refresh_backlog.sh - the proactive schedule works off a backlog in due order, without waiting for another scan:
# 2,000 instances (created through the admin API with the schedule off, so that only the database knows them) get
# distinct expiries, all due for refresh now; a broker with refresh.scan_page 100 and refresh.scan_interval_s 3600
# (one scan in the whole test) reads them all in that one scan (21 pages) and refreshes every one exactly once, in
# due order (each refresh at most a few places from its rank: refresh.concurrency operations overlap). Then two
# replicas started together on a new backlog of the same 2,000: still exactly one upstream refresh per instance
# (the advisory lock; a scheduled refresh finding the lock taken leaves the instance to the holder).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_setup backlog

N=2000
STATUS="" BODY=""
it_google_fake "$(it_registry_port)" || exit 1 # pushes go to a free port: nothing listens, no retries
# the fake's access tokens live 3599 s; refresh.margin 3000 s: a refreshed token is not due again during the test
it_broker_config "$BPORT" "$(jq -n --argjson google "$(it_google_endpoints)" '
    {database: {pool_size: 4, query_timeout_ms: 10000}, log_level: "info", oauth: {refresh_margin_s: 3000},
     refresh: {enabled: false}, push: {retries: 0}, providers: {google: $google}}')" || exit 1
it_broker "$IT_DIR/broker.json" || exit 1
curl -s -X POST "$GOOGLE/_seed" -d '{"client_id":"gclient","refresh_token":"1//backlog-shared"}' >/dev/null
node "$IT_FAKES/bulk-instances.mjs" "$BROKER" "$IT_DIR/keys/admin.key" "$N" "1//backlog-shared" >"$IT_DIR/ids" 2>"$IT_DIR/bulk.err"
check "set-up: $N instances with imported tokens" eq "$(grep -c . "$IT_DIR/ids")" "$N"
kill -TERM "$BROKER_PID"
wait "$BROKER_PID" 2>/dev/null

# stop_broker PID: TERM and wait (bounded)
stop_broker() {
    kill -TERM "$1" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
    return 1
}
# backlog: distinct expiries 1 s apart in a random order, all more than refresh.margin away from now + 2,300 s, so
# all are due now and their due order is their rank; the ranks are kept in backlog_due
backlog() {
    psql_q "SET client_min_messages = warning; DROP TABLE IF EXISTS backlog_due;
      CREATE TABLE backlog_due AS SELECT instance_id, (row_number() OVER (ORDER BY random()))::int - 1 AS rank
        FROM mcp_credentials;
      UPDATE mcp_credentials c SET token_expires_at = date_trunc('second', now()) + make_interval(secs => 300 + d.rank),
             next_refresh_at = NULL FROM backlog_due d WHERE d.instance_id = c.instance_id;
      SELECT max(id) FROM token_audit_log" | tail -n1
}
# wait_refreshed FROM_AUDIT_ID: until every instance has a 'refreshed' audit row after FROM_AUDIT_ID (at most 300 s)
wait_refreshed() {
    local n=0
    for _ in $(seq 1 $((600 * IT_WAIT_SCALE))); do
        n="$(psql_q "SELECT count(DISTINCT instance_id) FROM token_audit_log WHERE id > $1 AND event = 'refreshed'")"
        [[ "$n" == "$N" ]] && break
        sleep 0.5
    done
    echo "$n"
}

# ---- one replica: the whole backlog in one scan, in due order
jq '.refresh = {enabled: true, scan_page: 100, scan_interval_s: 3600, concurrency: 2}' "$IT_DIR/broker.json" >"$IT_DIR/b1.json"
from="$(backlog)"
calls0="$(curl -s "$GOOGLE/_stats" | jq .refresh_calls)"
t0=$SECONDS
it_broker "$IT_DIR/b1.json" || exit 1
got="$(wait_refreshed "$from")"
took=$((SECONDS - t0))
check "one replica: all $N due instances refreshed without a second scan ($got in ${took} s)" eq "$got" "$N"
# (a token refreshed while the scan runs may be read again on a later page, with its new expiry)
scan="$(sed -nE 's/.*schedule scan done: ([0-9]+) instances due within the horizon in ([0-9]+) page.*/\1 \2/p' "$IT_DIR/broker.log" | head -n1)"
check "one replica: the one scan read them all, 100 a page ($scan)" \
    bash -c 'read -r rows pages <<<"$0"; ((rows >= $1 && pages >= $1 / 100 + 1 && pages <= rows / 100 + 1))' "${scan:-0 0}" "$N"
check "one replica: exactly one upstream refresh each" \
    eq "$(($(curl -s "$GOOGLE/_stats" | jq .refresh_calls) - calls0)),$(psql_q "SELECT count(*) FROM token_audit_log WHERE id > $from AND event = 'refreshed'")" "$N,$N"
# the k-th refresh started is the k-th due, give or take the operations in flight together. Started: the audit row's
# created_at is now() of the refresh's transaction, begun before the provider call; the order the rows were stored
# in (their ids) also depends on how long each provider call took, which a loaded machine stretches unevenly.
psql_q "SELECT d.rank FROM token_audit_log a JOIN backlog_due d USING (instance_id)
        WHERE a.id > $from AND a.event = 'refreshed' ORDER BY a.created_at, a.id" >"$IT_DIR/order"
worst="$(awk '{ d = $1 - (NR - 1); if (d < 0) d = -d; if (d > w) w = d } END { print w + 0 }' "$IT_DIR/order")"
check "one replica: refreshed in due order (largest displacement $worst <= 4)" test "$worst" -le 4
check "one replica: the earliest due first" test "$(head -n1 "$IT_DIR/order")" -le 1
stop_broker "$BROKER_PID"

# ---- two replicas started together on a new backlog: still one refresh per instance
B2PORT="$(it_free_port)"
jq --argjson p "$B2PORT" '.listen.port = $p' "$IT_DIR/b1.json" >"$IT_DIR/b2.json"
from="$(backlog)"
calls0="$(curl -s "$GOOGLE/_stats" | jq .refresh_calls)"
it_start broker2 env -u OB_DATA_KEYS -u VAR_DIR -u OB_KEYS_DIR DATABASE_URL="$IT_DB_URL" \
    "$IT_BUILD/oauth-service/oauth-service" --config "$IT_DIR/b2.json" run
B2PID="${IT_PIDS[-1]}"
it_broker "$IT_DIR/b1.json" || exit 1
got="$(wait_refreshed "$from")"
check "two replicas: all $N refreshed" eq "$got" "$N"
sleep 1
check "two replicas: exactly one upstream refresh and one stored refresh per instance" \
    eq "$(($(curl -s "$GOOGLE/_stats" | jq .refresh_calls) - calls0)),$(psql_q "SELECT count(*) FROM token_audit_log WHERE id > $from AND event = 'refreshed'")" "$N,$N"
check "two replicas: the second one scanned the backlog too" \
    grep -qE "schedule scan done: [0-9]+ instances due" "$IT_DIR/broker2.log"
it_done
