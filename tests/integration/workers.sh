#!/usr/bin/env bash
# workers.sh - the broker with two worker processes (listen.workers 2) over one database, against
# tests/fakes/fake-google.mjs:
#  - connections are spread over both workers (/health names the worker that answered: index and pid);
#  - a storm of vends over expired instances, answered by both workers -> exactly one upstream refresh per instance,
#    every vend 200 with the new token (single flight across processes: the refresh lock in PostgreSQL);
#  - the proactive refresh schedule runs in worker 0 only;
#  - a worker killed with SIGKILL is restarted (same index, new pid) and serves again;
#  - SIGUSR2: a rolling restart (every worker replaced; requests during it keep being answered);
#  - /metrics answers for the whole broker: every worker's samples, labelled worker="<index>";
#  - SIGTERM to the supervisor: a request in flight is answered, then every worker and the supervisor exit (code 0);
#  - --workers on the command line wins over the configuration; a bad value is refused (exit 2);
#  - a worker that cannot start is retried with growing delays, then the broker stops (exit 1).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_setup workers
STATUS=""
BODY=""

it_google_fake "$(it_registry_port)" || exit 1
# 40 instances below: the lock transactions of a storm need the pool (refresh.concurrency < pool_size)
export OB_WORKERS=2
it_google_broker '{"refresh": {"enabled": true, "scan_interval_s": 1}, "listen": {"drain_ms": 5000}}' || exit 1
SUP="$BROKER_PID"

health_of() { curl -s --max-time 5 "$BROKER/health"; }

# ---- spread: 40 new connections -> both workers answer, with their own pids
: >"$IT_DIR/health.jsonl"
for _ in $(seq 1 40); do health_of | jq -c .worker >>"$IT_DIR/health.jsonl"; done
check "spread: /health names 2 workers (of 2), both answered 40 connections" \
    jq -e -s '(map(.index)|unique) == [0,1] and all(.[]; .of == 2) and length == 40' <"$IT_DIR/health.jsonl"
check "spread: each worker has its own pid, neither is the supervisor" \
    jq -e -s --argjson sup "$SUP" '(group_by(.index)|map(map(.pid)|unique|length)) == [1,1]
        and (map(.pid)|unique|length) == 2 and all(.[]; .pid != $sup)' <"$IT_DIR/health.jsonl"
pid_of() { jq -r -s --argjson i "$1" 'map(select(.index == $i))|last|.pid' "$IT_DIR/health.jsonl"; }
W0="$(pid_of 0)"
W1="$(pid_of 1)"
# two workers start together: the supervisor must hear both say they are ready (a signal sent by both at once that
# was delivered once left one unmarked: no reload reached it)
check "processes: the supervisor marked both workers ready" bash -c \
    'grep -q "worker 0 (pid $1) ready" "$0" && grep -q "worker 1 (pid $2) ready" "$0"' "$IT_DIR/broker.log" "$W0" "$W1"
check "processes: both workers are children of the supervisor" eq "$(ps -o ppid= -p "$W0" | tr -d ' '),$(ps -o ppid= -p "$W1" | tr -d ' ')" "$SUP,$SUP"
# ---- /metrics reports the whole broker: every worker's samples, labelled worker="<index>"
sleep 1.2 # every worker has published its figures since the 40 requests (each does every second)
curl -s "$BROKER/metrics" >"$IT_DIR/metrics.txt"
health_total() { # the /health 200s counted in a scrape, summed over the workers
    grep -E '^http_requests_total\{worker="[01]",route="/health",method="GET",status="200"\}' "$1" | awk '{s += $2} END {print s + 0}'
}
check "metrics: samples of both workers, labelled worker=\"0\" and worker=\"1\"" bash -c \
    'grep -q "^http_requests_total{worker=\"0\",route=\"/health\"" "$0" && grep -q "^http_requests_total{worker=\"1\",route=\"/health\"" "$0"' "$IT_DIR/metrics.txt"
check "metrics: the /health requests of both workers add up (>= 40, got $(health_total "$IT_DIR/metrics.txt"))" \
    bash -c '(( $0 >= 40 ))' "$(health_total "$IT_DIR/metrics.txt")"
check "metrics: each family declared once (HELP and TYPE), however many workers report it" bash -c \
    '[[ -z "$(grep "^# TYPE " "$0" | sort | uniq -d)" && $(grep -c "^# TYPE http_requests_total " "$0") == 1 ]]' "$IT_DIR/metrics.txt"
check "metrics: gauges too (pg_pool_size of each worker)" bash -c \
    '[[ $(grep -c "^pg_pool_size{worker=\"[01]\"} " "$0") == 2 ]]' "$IT_DIR/metrics.txt"
if command -v promtool >/dev/null; then
    check "metrics: promtool accepts the merged exposition" bash -c 'promtool check metrics <"$0" >/dev/null 2>&1' "$IT_DIR/metrics.txt"
fi
check "refresh schedule: on in worker 0, off in worker 1 (refresh.enabled is true)" bash -c \
    'grep -q "worker 0 (pid [0-9]*) listening.*refresh schedule on" "$0" && grep -q "worker 1 (pid [0-9]*) listening.*refresh schedule off" "$0"' "$IT_DIR/broker.log"

# ---- the storm: NI instances with imported tokens, all expired, NV vends at once over fresh connections
NI=20
NV=400
: >"$IT_DIR/ids"
for i in $(seq 1 "$NI"); do
    admin POST /instances "{\"service\":\"gmail\",\"user_id\":\"w$i\",\"client_id\":\"gclient\",\"client_secret\":\"gsecret-1\"}"
    id="$(jq -r .instance_id <<<"$BODY")"
    curl -s -o /dev/null -X POST "$GOOGLE/_seed" -d "{\"client_id\":\"gclient\",\"refresh_token\":\"1//w-$i\"}"
    admin POST /cache-tokens "{\"instance_id\":\"$id\",\"access_token\":\"imported-$i\",\"refresh_token\":\"1//w-$i\",\"expires_in\":3600}"
    echo "$id" >>"$IT_DIR/ids"
done
check "storm set-up: $NI instances with tokens" eq "$(psql_q "SELECT count(*) FROM mcp_credentials WHERE access_token_enc IS NOT NULL")" "$NI"
cat >"$IT_DIR/storm.mjs" <<'JS'
import http from 'node:http';
import { readFileSync } from 'node:fs';
const [base, bearer, idsFile, nStr] = process.argv.slice(2);
const ids = readFileSync(idsFile, 'utf8').trim().split('\n');
const n = Number(nStr);
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
const codes = {}; let errors = 0; const tokens = {};
const one = (id) => new Promise((resolve) => {
  const req = http.get(`${base}/instances/${id}/token`, { agent, timeout: 30000,
    headers: { authorization: `Bearer ${bearer}`, 'x-mcp-service': 'gmail' } }, (res) => {
    let body = '';
    res.on('data', (c) => { body += c; });
    res.on('end', () => {
      codes[res.statusCode] = (codes[res.statusCode] ?? 0) + 1;
      let tok = null;
      try { tok = JSON.parse(body).access_token; } catch { /* counted below */ }
      if (res.statusCode !== 200 || !tok || !tok.startsWith('ya29.')) errors++;
      else (tokens[id] ??= new Set()).add(tok);
      resolve();
    });
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', () => { codes.transport = (codes.transport ?? 0) + 1; errors++; resolve(); });
});
await Promise.all(Array.from({ length: n }, (_, i) => one(ids[i % ids.length])));
const distinct = Object.values(tokens).map((s) => s.size);
console.log(JSON.stringify({ errors, codes, instances: distinct.length, max_tokens_per_instance: Math.max(0, ...distinct) }));
JS
# counted from before the expiry: worker 0's schedule (1 s scans) may take some of them first; the total stays one each
before="$(curl -s "$GOOGLE/_stats" | jq .refresh_calls)"
audit0="$(psql_q "SELECT count(*) FROM token_audit_log WHERE event='refreshed'")"
curl -s -o /dev/null -X POST "$GOOGLE/_mode" -d '{"delay_ms":200}' # the refreshes overlap with the storm
psql_q "UPDATE mcp_credentials SET token_expires_at = now() - interval '10 seconds'" >/dev/null
sleep 0.4 # the instance caches (300 ms) lapse in both workers
out="$(node "$IT_DIR/storm.mjs" "$BROKER" "$GMAIL_BEARER" "$IT_DIR/ids" "$NV")"
curl -s -o /dev/null -X POST "$GOOGLE/_mode" -d '{"delay_ms":0}'
echo "# storm: $out"
check "storm: $NV vends over $NI expired instances, all 200 with a fresh token" jq -e ".errors == 0 and .codes[\"200\"] == $NV" <<<"$out"
check "storm: exactly one upstream refresh per instance (across both workers)" eq "$(($(curl -s "$GOOGLE/_stats" | jq .refresh_calls) - before))" "$NI"
check "storm: every instance served one new token, by whichever worker answered" jq -e ".instances == $NI and .max_tokens_per_instance == 1" <<<"$out"
stored=$(($(psql_q "SELECT count(*) FROM token_audit_log WHERE event='refreshed'") - audit0))
check "storm: one stored refresh per instance (audit: $stored)" eq "$stored" "$NI"

# ---- a worker killed with SIGKILL is restarted and serves
kill -KILL "$W1"
restarted=""
for _ in $(seq 1 50); do
    sleep 0.1
    w="$(health_of | jq -c .worker)"
    if [[ "$(jq -r .index <<<"$w")" == 1 && "$(jq -r .pid <<<"$w")" != "$W1" ]]; then
        restarted="$(jq -r .pid <<<"$w")"
        break
    fi
done
check "restart: worker 1 killed with SIGKILL comes back with a new pid (within 5 s)" bash -c '[[ -n "$0" && "$0" != "$1" ]]' "$restarted" "$W1"
check "restart: the supervisor logged the death and the restart" grep -q "worker 1 (pid $W1) killed by signal 9" "$IT_DIR/broker.log"
for _ in $(seq 1 50); do grep -q "worker 1 (pid $restarted) ready" "$IT_DIR/broker.log" && break; sleep 0.1; done
check "restart: the new worker 1 was marked ready" grep -q "worker 1 (pid $restarted) ready" "$IT_DIR/broker.log"
check "restart: the supervisor and worker 0 were not touched" bash -c 'kill -0 "$0" && kill -0 "$1"' "$SUP" "$W0"

# ---- SIGHUP: every worker rescans its plugins (nothing replaced, no worker restarted); the admin call on one worker
# reaches the other through the supervisor
reloads() { grep -c "plugins reloaded from" "$IT_DIR/broker.log" || true; }
before="$(reloads)"
kill -HUP "$SUP"
for _ in $(seq 1 50); do (($(reloads) >= before + 2)) && break; sleep 0.1; done
check "SIGHUP: both workers rescanned the plugin directory" eq "$(($(reloads) - before))" 2
check "SIGHUP: no worker was replaced" bash -c 'kill -0 "$0" && kill -0 "$1"' "$W0" "$restarted"
before="$(reloads)"
admin POST /providers/reload ""
check "admin reload: 200 with the report" jq_eq '.unchanged | type' number
for _ in $(seq 1 50); do (($(reloads) >= before + 2)) && break; sleep 0.1; done
check "admin reload: the other worker rescanned too (one rescan each)" eq "$(($(reloads) - before))" 2

# ---- SIGUSR2: rolling restart; a request loop meanwhile sees no failure
(
    fails=0
    for _ in $(seq 1 60); do
        curl -fsS -o /dev/null --max-time 5 "$BROKER/health" || fails=$((fails + 1))
        sleep 0.05
    done
    echo "$fails" >"$IT_DIR/roll.fails"
) &
loopp=$!
kill -USR2 "$SUP"
it_wait_line "$IT_DIR/broker.log" "rolling restart done" >/dev/null
wait "$loopp"
: >"$IT_DIR/health2.jsonl"
for _ in $(seq 1 30); do health_of | jq -c .worker >>"$IT_DIR/health2.jsonl"; done
check "SIGUSR2: every worker replaced (new pids for index 0 and 1)" jq -e -s --argjson a "$W0" --argjson b "$restarted" \
    '(map(.index)|unique) == [0,1] and all(.[]; .pid != $a and .pid != $b)' <"$IT_DIR/health2.jsonl"
check "SIGUSR2: requests during the rolling restart all answered" eq "$(cat "$IT_DIR/roll.fails")" 0

# ---- SIGTERM: a request in flight is answered, then everything exits
W0="$(jq -r -s 'map(select(.index == 0))|last|.pid' "$IT_DIR/health2.jsonl")"
W1="$(jq -r -s 'map(select(.index == 1))|last|.pid' "$IT_DIR/health2.jsonl")"
IID="$(head -1 "$IT_DIR/ids")"
curl -s -o /dev/null -X POST "$GOOGLE/_mode" -d '{"delay_ms":1500}'
curl -s -o "$IT_DIR/slow.json" -w '%{http_code}' --max-time 20 -X POST -H "authorization: Bearer $ADMIN_KEY" \
    -H 'content-type: application/json' --data-binary "{\"instance_id\":\"$IID\"}" "$BROKER/oauth/refresh" >"$IT_DIR/slow.code" &
slowp=$!
sleep 0.5
kill -TERM "$SUP"
t0=$(date +%s%N)
wait "$slowp"
ms=$((($(date +%s%N) - t0) / 1000000))
for _ in $(seq 1 100); do
    kill -0 "$SUP" 2>/dev/null || break
    sleep 0.1
done
wait "$SUP" 2>/dev/null
rc=$?
check "SIGTERM: the forced refresh in flight (a 1.5 s provider call) was answered 200 refreshed (after ${ms} ms)" \
    eq "$(cat "$IT_DIR/slow.code"),$(jq -r .outcome "$IT_DIR/slow.json")" "200,refreshed"
check "SIGTERM: the supervisor exited 0" eq "$rc" 0
check "SIGTERM: no worker left running" bash -c '! kill -0 "$0" 2>/dev/null && ! kill -0 "$1" 2>/dev/null' "$W0" "$W1"
check "SIGTERM: both workers drained and stopped cleanly" bash -c '[[ $(grep -c "worker [01] stopped (exit 0)" "$0") == 2 ]]' "$IT_DIR/broker.log"
keep=()
for p in "${IT_PIDS[@]}"; do [[ "$p" == "$SUP" ]] || keep+=("$p"); done
IT_PIDS=("${keep[@]}")

# ---- --workers wins over the configuration; a bad count is bad usage
it_start cli env -u OB_WORKERS DATABASE_URL="$IT_DB_URL" "$IT_BUILD/oauth-service/oauth-service" \
    --config "$IT_DIR/broker.json" --workers 1 run
CLI_PID="${IT_PIDS[-1]}"
for _ in $(seq 1 100); do curl -fsS -o /dev/null --max-time 2 "$BROKER/health" 2>/dev/null && break; sleep 0.1; done
check "--workers 1: a single process answers (worker 0 of 1, its own pid)" eq "$(health_of | jq -c '[.worker.index, .worker.of, .worker.pid]')" "[0,1,$CLI_PID]"
it_stop_all
it_cli --config "$IT_DIR/broker.json" --workers x run >"$IT_DIR/bad.out" 2>&1
check "--workers x: exit 2 with a one-line reason" bash -c '[[ "$0" == 2 ]] && grep -q -- "--workers needs a number" "$1"' "$?" "$IT_DIR/bad.out"
OB_WORKERS=99 it_cli --config "$IT_DIR/broker.json" check-config >"$IT_DIR/bad2.out" 2>&1
check "OB_WORKERS=99: refused (exit 2)" bash -c '[[ "$0" == 2 ]] && grep -q "OB_WORKERS must be" "$1"' "$?" "$IT_DIR/bad2.out"

# ---- a worker that cannot start (its metrics token file is unreadable): retried with growing delays, then the broker
# stops with the worker's exit code instead of restarting it forever
jq --arg f "$IT_DIR/missing.token" '.metrics.token_file = $f' "$IT_DIR/broker.json" >"$IT_DIR/broken.json"
t0=$(date +%s)
timeout 60 env DATABASE_URL="$IT_DB_URL" "$IT_BUILD/oauth-service/oauth-service" --config "$IT_DIR/broken.json" \
    --workers 2 run >"$IT_DIR/broken.log" 2>&1
rc=$?
check "failing workers: the supervisor gives up with exit 1 after 5 failed starts ($(($(date +%s) - t0)) s)" bash -c \
    '[[ "$0" == 1 ]] && grep -q "failed 5 times in a row before it was ready" "$1" && grep -q "all workers stopped\|giving up" "$1"' "$rc" "$IT_DIR/broken.log"

it_done
