#!/usr/bin/env bash
# bench/broker/refresh_backlog.sh - the proactive refresh schedule against a backlog: BENCH_TOKENS (default 20,000)
# instances whose access tokens expire within the next 10 minutes (uniformly between now + 60 s and now + 600 s;
# with oauth.refresh_margin_s 300 about 45% are overdue for refresh at once, the rest fall due over 5 minutes), one
# broker, the fake provider (tests/fakes/fake-google.mjs). Reports how many were refreshed before they expired, the
# smallest margin left, the time to work off the overdue backlog and the time until the last refresh (not a test:
# numbers, but the run fails when a token expired before its refresh or one was refreshed twice).
#
# Set-up: a Release build in its own build dir, the embedded PostgreSQL (scripts/lib/pg.sh, database
# ob_bench_backlog, dropped at the end). The instances are created and their tokens imported through the admin API
# (tests/fakes/bulk-instances.mjs) with the schedule off; the broker is stopped, the expiries are set in the
# database (kept in bench_due), and the broker is started again with the schedule on: everything it refreshes comes
# from its database scan. "refreshed at" is the audit row's time (the start of the refresh transaction, before the
# provider call: the margin left is measured a provider round trip early).
#
# Environment: BENCH_BUILD_DIR (default build-bench-refresh), BENCH_TOKENS (default 20000, 100..100000),
# BENCH_POOL (database.pool_size, default 4), BENCH_CONCURRENCY (refresh.concurrency, default 2, the shipped
# default), BENCH_SCAN_PAGE (refresh.scan_page, default 1000).
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/common.sh"
# shellcheck source=bench/broker/lib.sh
source "$OB_ROOT/bench/broker/lib.sh"
bench_init ob-bench-backlog

build="${BENCH_BUILD_DIR:-$OB_ROOT/build-bench-refresh}"
ntok="${BENCH_TOKENS:-20000}"
pool="${BENCH_POOL:-4}"
conc="${BENCH_CONCURRENCY:-2}"
page="${BENCH_SCAN_PAGE:-1000}"
((ntok >= 100 && ntok <= 100000)) || ob_die "BENCH_TOKENS must be 100..100000"
bench_build "$build" Release bench-backlog.log oauth-service provider_plugins ||
    ob_die "build failed (see $VAR_DIR/log/bench-backlog.log)"
bench_db ob_bench_backlog drop

gport="$(bench_port)"
bport="$(bench_port)"
broker="http://127.0.0.1:$bport"
google="http://127.0.0.1:$gport"
bench_keys
bench_registry "$broker"
psql_b() { psql -X -A -t -q "$db_url" -c "$1"; }
ulimit -n 8192 2>/dev/null || true
bench_fake_google "$gport"
curl -fsS --max-time 10 -o /dev/null -X POST "$google/_seed" -d '{"client_id":"bench","refresh_token":"1//bench-backlog"}'

# 1. the instances, with the schedule off
bench_broker_config "$build" "$bport" "$gport" "$pool" warn '"refresh": {"enabled": false}, "push": {"retries": 0}'
bench_broker "$build"
t0=$(date +%s)
node "$OB_ROOT/tests/fakes/bulk-instances.mjs" "$broker" "$work/keys/admin.key" "$ntok" "1//bench-backlog" bench \
    bench-secret 8 >"$work/ids" || ob_die "creating the instances failed"
ob_say "created $ntok instances with imported tokens in $(($(date +%s) - t0)) s"
kill -TERM "$broker_pid"
wait "$broker_pid" 2>/dev/null || true

# 2. expiries within 10 minutes; 3. the broker with the schedule on
psql_b "SET client_min_messages = warning; DROP TABLE IF EXISTS bench_due;
  UPDATE mcp_credentials SET token_expires_at = now() + make_interval(secs => 60 + random() * 540), next_refresh_at = NULL;
  CREATE TABLE bench_due AS SELECT instance_id, token_expires_at FROM mcp_credentials;"
audit0="$(psql_b "SELECT COALESCE(max(id), 0) FROM token_audit_log")"
calls0="$(curl -fsS "$google/_stats" | jq .refresh_calls)"
overdue="$(psql_b "SELECT count(*) FROM bench_due WHERE token_expires_at < now() + interval '300 seconds'")"
bench_broker_config "$build" "$bport" "$gport" "$pool" warn \
    '"refresh": {"enabled": true, "concurrency": '"$conc"', "scan_page": '"$page"'}, "push": {"retries": 0}'
start="$(psql_b "SELECT extract(epoch FROM clock_timestamp())")"
bench_broker "$build"
rss0="$(awk '/VmRSS/ {print $2}' "/proc/$broker_pid/status")"
done_n=0
for _ in $(seq 1 1400); do # at most ~700 s: every token has expired by then
    done_n="$(psql_b "SELECT count(DISTINCT instance_id) FROM token_audit_log WHERE id > $audit0 AND event = 'refreshed'")"
    ((done_n < ntok)) || break
    sleep 0.5
done
sleep 1
rss1="$(awk '/VmRSS/ {print $2}' "/proc/$broker_pid/status")"
upstream=$(($(curl -fsS "$google/_stats" | jq .refresh_calls) - calls0))
read -r refreshed late twice min_slack backlog_s last_s < <(psql_b "
  WITH r AS (SELECT instance_id, min(created_at) AS at, count(*) AS n FROM token_audit_log
              WHERE id > $audit0 AND event = 'refreshed' GROUP BY instance_id),
       j AS (SELECT d.instance_id, d.token_expires_at AS exp, r.at, r.n FROM bench_due d LEFT JOIN r USING (instance_id))
  SELECT count(at), count(*) FILTER (WHERE at IS NULL OR at >= exp), count(*) FILTER (WHERE n > 1),
         round(min(extract(epoch FROM exp - at))::numeric, 1),
         round((max(extract(epoch FROM at)) FILTER (WHERE exp < to_timestamp($start) + interval '300 seconds') - $start)::numeric, 1),
         round((max(extract(epoch FROM at)) - $start)::numeric, 1)
  FROM j" | tr '|' ' ')

ob_say ""
ob_say "$ntok tokens expiring within 10 minutes ($overdue overdue for refresh at the start), one broker, fake provider, 127.0.0.1, Release, pool_size $pool, refresh.concurrency $conc, refresh.scan_page $page, oauth.refresh_margin_s 300, $(nproc) cores shared by the broker, PostgreSQL and the fake ($(date -u +%F))"
ob_say ""
ob_say "| tokens | refreshed | refreshed before expiry | expired first | refreshed twice | upstream refreshes | smallest margin left (s) | overdue backlog worked off (s) | last refresh (s) | broker RSS start / end (MB) |"
ob_say "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
ob_say "| $ntok | $refreshed | $((ntok - late)) | $late | $twice | $upstream | $min_slack | $backlog_s | $last_s | $((rss0 / 1024)) / $((rss1 / 1024)) |"
grep -E -q '1//bench-|ya29\.' "$work/broker.log" && ob_die "a token appeared in the broker log"
[[ "$late" == 0 && "$twice" == 0 && "$upstream" == "$ntok" ]] || ob_die "off: $late expired before their refresh, $twice refreshed twice, $upstream upstream refreshes"
