#!/usr/bin/env bash
# bench/broker/refresh_storm.sh - the refresh storm: 1,000 concurrent vends over 100 expired instances
# against the fake provider (tests/fakes/fake-google.mjs) -> exactly 100 upstream refreshes, zero errors; the
# time to drain the storm is reported (not a test: numbers, but the run fails when the counts are off).
#
# Set-up: a Release build in its own build dir, the embedded PostgreSQL (scripts/lib/pg.sh, database
# ob_bench_refresh, dropped at the end), the fake Google and the broker on free loopback ports. 100 instances
# get tokens through POST /cache-tokens (refresh tokens seeded at the fake with /_seed), then every round:
# all 100 access tokens are expired in the database, the instance cache is allowed to lapse, and 1,000
# vends (10 per instance, shuffled) are fired at once by one node process (one connection each, 30 s
# timeout per request). drain = first request sent -> last answer received. The background schedule is off,
# so every refresh in the storm is a refresh on read.
#
# Environment: BENCH_BUILD_DIR (default build-bench-refresh), BENCH_ROUNDS (default 3, at most 20),
# BENCH_INSTANCES (default 100), BENCH_VENDS (default 1000), BENCH_POOL (database.pool_size, default 4),
# BENCH_CONCURRENCY (refresh.concurrency, default 2, the shipped default), BENCH_IDLE_S (default 12: after the last
# round the broker idles this long; its VmRSS is reported before the first round, after each round and after that
# idle time).
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/common.sh"
# shellcheck source=bench/broker/lib.sh
source "$OB_ROOT/bench/broker/lib.sh"
bench_init ob-bench-refresh

build="${BENCH_BUILD_DIR:-$OB_ROOT/build-bench-refresh}"
rounds="${BENCH_ROUNDS:-3}"
ninst="${BENCH_INSTANCES:-100}"
nvends="${BENCH_VENDS:-1000}"
pool="${BENCH_POOL:-4}"
conc="${BENCH_CONCURRENCY:-2}"
((rounds >= 1 && rounds <= 20)) || ob_die "BENCH_ROUNDS must be 1..20"
((ninst >= 1 && ninst <= 1000 && nvends >= ninst && nvends <= 5000)) || ob_die "bad BENCH_INSTANCES/BENCH_VENDS"
bench_build "$build" Release bench-refresh.log oauth-service provider_plugins ||
    ob_die "build failed (see $VAR_DIR/log/bench-refresh.log)"
bench_db ob_bench_refresh drop

gport="$(bench_port)"
bport="$(bench_port)"
broker="http://127.0.0.1:$bport"
google="http://127.0.0.1:$gport"
bench_keys
bench_registry "$broker"
bench_broker_config "$build" "$bport" "$gport" "$pool" "${BENCH_LOG_LEVEL:-warn}" \
    '"oauth": {"instance_cache_ttl_ms": 300}, "refresh": {"enabled": false, "concurrency": '"$conc"'}, "push": {"retries": 0}'

ulimit -n 8192 2>/dev/null || true # 1,000 client sockets + 1,000 server sockets on one box
bench_fake_google "$gport"
bench_broker "$build"

# 100 instances with imported tokens (refresh tokens known to the fake)
: >"$work/ids"
for i in $(seq 1 "$ninst"); do
    id="$(curl -fsS --max-time 10 -X POST -H "authorization: Bearer $admin_key" -H 'content-type: application/json' \
        "$broker/instances" -d "{\"service\":\"gmail\",\"user_id\":\"bench$i\",\"client_id\":\"bench\",\"client_secret\":\"bench-secret\"}" |
        jq -r .instance_id)"
    curl -fsS --max-time 10 -o /dev/null -X POST "$google/_seed" -d "{\"client_id\":\"bench\",\"refresh_token\":\"1//bench-$i\"}"
    curl -fsS --max-time 10 -o /dev/null -X POST -H "authorization: Bearer $admin_key" -H 'content-type: application/json' \
        "$broker/cache-tokens" -d "{\"instance_id\":\"$id\",\"access_token\":\"imported-$i\",\"refresh_token\":\"1//bench-$i\",\"expires_in\":3600}"
    echo "$id" >>"$work/ids"
done

# storm: N vends fired at once, one connection each; prints {ok, errors, codes, drain_ms, p50_ms, p99_ms}
cat >"$work/storm.mjs" <<'JS'
import http from 'node:http';
import { readFileSync } from 'node:fs';
const [base, bearer, idsFile, nStr] = process.argv.slice(2);
const ids = readFileSync(idsFile, 'utf8').trim().split('\n');
const n = Number(nStr);
const targets = Array.from({ length: n }, (_, i) => ids[i % ids.length]);
for (let i = targets.length - 1; i > 0; i--) { const j = Math.floor(Math.random() * (i + 1)); [targets[i], targets[j]] = [targets[j], targets[i]]; }
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
const codes = {}; const lat = []; let errors = 0;
const one = (id) => new Promise((resolve) => {
  const t0 = performance.now();
  const req = http.get(`${base}/instances/${id}/token`, { agent, timeout: 30000,
    headers: { authorization: `Bearer ${bearer}`, 'x-mcp-service': 'gmail' } }, (res) => {
    let body = '';
    res.on('data', (c) => { body += c; });
    res.on('end', () => {
      codes[res.statusCode] = (codes[res.statusCode] ?? 0) + 1;
      let ok = res.statusCode === 200;
      try { ok = ok && JSON.parse(body).access_token.startsWith('ya29.'); } catch { ok = false; }
      if (!ok) errors++;
      lat.push(performance.now() - t0);
      resolve();
    });
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', () => { codes.transport = (codes.transport ?? 0) + 1; errors++; resolve(); });
});
const t0 = performance.now();
await Promise.all(targets.map(one));
const drain = performance.now() - t0;
lat.sort((a, b) => a - b);
const pct = (p) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] : 0);
console.log(JSON.stringify({ ok: n - errors, errors, codes, drain_ms: Math.round(drain), p50_ms: Math.round(pct(0.5)), p99_ms: Math.round(pct(0.99)) }));
JS

psql_b() { psql -X -A -t -q "$db_url" -c "$1"; }
rss_mb() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$broker_pid/status"; }
rss_rows=("| before the first round | $(rss_mb) |")
fails=0
: >"$work/rounds"
for r in $(seq 1 "$rounds"); do
    psql_b "UPDATE mcp_credentials SET token_expires_at = now() - interval '10 seconds'" >/dev/null
    sleep 0.6 # the instance cache (300 ms) lapses
    before="$(curl -fsS "$google/_stats" | jq .refresh_calls)"
    audit0="$(psql_b "SELECT count(*) FROM token_audit_log WHERE event='refreshed'")"
    out="$(node "$work/storm.mjs" "$broker" "$bearer" "$work/ids" "$nvends")"
    upstream=$(( $(curl -fsS "$google/_stats" | jq .refresh_calls) - before ))
    stored=$(( $(psql_b "SELECT count(*) FROM token_audit_log WHERE event='refreshed'") - audit0 ))
    errors="$(jq .errors <<<"$out")"
    verdict=ok
    if [[ "$upstream" != "$ninst" || "$stored" != "$ninst" || "$errors" != 0 ]]; then
        verdict=FAIL
        fails=$((fails + 1))
        if [[ -n "${BENCH_KEEP_LOGS:-}" ]]; then cp "$work"/*.log "$BENCH_KEEP_LOGS"/ || true; fi
    fi
    echo "$r $(jq -r '[.drain_ms, .p50_ms, .p99_ms, .ok, .errors] | map(tostring) | join(" ")' <<<"$out") $upstream $stored $verdict" >>"$work/rounds"
    ob_say "round $r: $out upstream_refreshes=$upstream stored=$stored broker_fds=$(ls "/proc/$broker_pid/fd" | wc -l) $verdict"
    rss_rows+=("| after round $r | $(rss_mb) |")
done
sleep "${BENCH_IDLE_S:-12}"
rss_rows+=("| after ${BENCH_IDLE_S:-12} s idle | $(rss_mb) |")
kill -0 "$broker_pid" 2>/dev/null || { fails=$((fails + 1)); ob_warn "the broker died"; }

ob_say ""
ob_say "$nvends concurrent vends over $ninst expired instances, fake provider, 127.0.0.1, Release, pool_size $pool, refresh.concurrency $conc, $(nproc) cores shared by the load generator, broker, PostgreSQL and the fake ($(date -u +%F))"
ob_say ""
ob_say "| round | drain (ms) | p50 (ms) | p99 (ms) | 200 with a refreshed token | errors | upstream refreshes | stored (audit) | |"
ob_say "|---:|---:|---:|---:|---:|---:|---:|---:|---|"
while read -r r d p50 p99 ok err up st v; do ob_say "| $r | $d | $p50 | $p99 | $ok | $err | $up | $st | $v |"; done <"$work/rounds"
ob_say ""
ob_say "broker RSS after the storms: $(awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$broker_pid/status") MB"
ob_say "median drain: $(cut -d' ' -f2 "$work/rounds" | sort -n | sed -n "$(((rounds + 1) / 2))p") ms"
ob_say ""
ob_say "| broker | VmRSS (MB) |"
ob_say "|---|---:|"
printf '%s\n' "${rss_rows[@]}"
grep -E -q '1//bench-|ya29\.' "$work/broker.log" && { ob_warn "a token appeared in the broker log"; fails=$((fails + 1)); }
((fails == 0)) || ob_die "$fails round(s) off: expected exactly $ninst upstream refreshes and 0 errors per round"
