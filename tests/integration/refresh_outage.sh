#!/usr/bin/env bash
# refresh_outage.sh - vends of an EXPIRED token while the provider is down, then back (tests/fakes/fake-google.mjs
# _fail: 503 with Retry-After 3, which pins the backoff to 3 s), with refresh.backoff_base_ms 10 s,
# refresh.backoff_max_ms at its 1 h default and refresh.expired_backoff_max_ms 3000:
#  - each attempt that fails answers 503 provider_unavailable with Retry-After (= retry_after_s, the backoff left,
#    at most 3 s), never 502; vends inside the backoff (also ?refresh=1, also 20 at once) call nobody;
#  - once the backoff is over, a burst of 20 vends makes exactly one provider call (single flight);
#  - a long backoff recorded while the token was still valid does not hold an expired token: the next vend probes;
#  - the provider back: a vend retried as Retry-After says gets the new token within the bound, with a provider call.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_setup outage

it_google_fake || exit 1
# push.urls: a port of this test that nobody listens on (pushes fail quietly, nothing else is reached)
it_google_broker "{\"refresh\": {\"enabled\": false, \"backoff_base_ms\": 10000, \"expired_backoff_max_ms\": 3000},
  \"push\": {\"retries\": 0, \"urls\": {\"gmail\": \"http://127.0.0.1:$(it_free_port)\"}}}" || exit 1

vend() { http GET "$BROKER/instances/$1/token${2:-}" "" "authorization: Bearer $GMAIL_BEARER" "x-mcp-service: gmail"; }
gstat() { curl -s "$GOOGLE/_stats" | jq -r "$1"; }
gfail() { curl -s -X POST "$GOOGLE/_fail" -d "$1" >/dev/null; }
now_ms() { date +%s%3N; }
# burst N [QUERY]: N vends at once; their status codes in $IT_DIR/burst.codes
burst() {
    local i pids=()
    rm -f "$IT_DIR/burst.codes"
    for i in $(seq 1 "$1"); do
        curl -s -o /dev/null -w '%{http_code}\n' -H "authorization: Bearer $GMAIL_BEARER" -H "x-mcp-service: gmail" \
            --max-time 10 "$BROKER/instances/$I/token${2:-}" >>"$IT_DIR/burst.codes" &
        pids+=("$!")
    done
    wait "${pids[@]}"
}
# a 503 provider_unavailable whose Retry-After header and retry_after_s agree and lie in 1..3 s
is_backoff_503() {
    local ra
    ra="$(header retry-after)"
    [[ "$STATUS" == 503 && "$(jq -r .code <<<"$BODY")" == provider_unavailable && "$ra" =~ ^[0-9]+$ &&
        "$ra" -ge 1 && "$ra" -le 3 && "$(jq -r .retry_after_s <<<"$BODY")" == "$ra" ]]
}

admin POST /instances '{"service":"gmail","user_id":"u1","client_id":"gclient","client_secret":"gsecret-1"}'
I="$(jq -r .instance_id <<<"$BODY")"
curl -s -X POST "$GOOGLE/_seed" -d '{"client_id":"gclient","refresh_token":"1//seed-O"}' >/dev/null
admin POST /cache-tokens "{\"instance_id\":\"$I\",\"access_token\":\"imported-at-$RANDOM\",\"refresh_token\":\"1//seed-O\",\"expires_in\":3600}"
vend "$I"
check "setup: the imported token is vended" eq "$STATUS" 200

# ---- the provider goes down; the token expires
gfail '{"status":503,"count":100000,"retry_after":3}'
psql_q "UPDATE mcp_credentials SET token_expires_at = now() - interval '10 seconds' WHERE instance_id='$I'" >/dev/null
sleep 0.4 # the instance cache (300 ms) lapses
t0="$(gstat .token_calls)"
vend "$I"
check "outage: the failed attempt -> 503 provider_unavailable, Retry-After = retry_after_s in 1..3 s" is_backoff_503
check "outage: the provider was called once" eq "$(( $(gstat .token_calls) - t0 ))" 1
check "outage: the error names the provider's failure" jq_eq .error http_503
vend "$I"
check "outage: a vend inside the backoff -> 503 with the backoff left" is_backoff_503
vend "$I" "?refresh=1"
check "outage: ?refresh=1 inside the backoff -> 503 too" is_backoff_503
burst 20
check "outage: 20 vends at once inside the backoff -> 20 x 503" eq "$(grep -c '^503$' "$IT_DIR/burst.codes")" 20
check "outage: nothing sent to the provider inside the backoff" eq "$(( $(gstat .token_calls) - t0 ))" 1

# ---- the backoff over, still down: one probe for a burst (single flight), the backoff stays within the bound
sleep 3.1
t1="$(gstat .token_calls)"
burst 20
check "probe: 20 vends at once after the backoff -> 20 x 503" eq "$(grep -c '^503$' "$IT_DIR/burst.codes")" 20
check "probe: exactly one provider call" eq "$(( $(gstat .token_calls) - t1 ))" 1
check "probe: the backoff recorded is within refresh.expired_backoff_max_ms" eq "$(psql_q "SELECT (next_refresh_at <= now() + interval '3.1 seconds')::text FROM mcp_credentials WHERE instance_id='$I'")" true

# ---- a 1 h backoff recorded while the token was valid does not hold the expired token
psql_q "UPDATE mcp_credentials SET next_refresh_at = now() + interval '1 hour' WHERE instance_id='$I'" >/dev/null
t2="$(gstat .token_calls)"
vend "$I"
check "long backoff: the expired token's vend probes the provider (one call), 503 with a bounded Retry-After" bash -c '[[ "$0" == 1 ]]' "$(( $(gstat .token_calls) - t2 ))"
check "long backoff: answered as a bounded backoff" is_backoff_503

# ---- the provider is back: the client retries as told and gets a fresh token, with a provider call
RA="$(header retry-after)"
gfail '{"count":0}'
back="$(now_ms)"
t3="$(gstat .token_calls)"
got=""
for _ in $(seq 1 40); do # bounded: 40 tries, at most ~12 s
    vend "$I" "?refresh=1"
    if [[ "$STATUS" == 200 ]]; then got="$(now_ms)"; break; fi
    is_backoff_503 || break
    sleep "$(header retry-after)"
done
check "back: a fresh token from the provider" bash -c '[[ "$0" == 200 && "$(jq -r .access_token <<<"$1")" == "$2" ]]' "$STATUS" "$BODY" "$(gstat '.issued[-1].access_token')"
check "back: recovered within the last Retry-After ($RA s) + 1 s of the provider coming back" bash -c '[[ -n "$0" && $(( $0 - $1 )) -le $(( ($2 + 1) * 1000 )) ]]' "$got" "$back" "$RA"
check "back: one provider call made it" eq "$(( $(gstat .token_calls) - t3 ))" 1
echo "# recovered $(( got - back )) ms after the provider came back"
check "back: the failure counter is reset" eq "$(psql_q "SELECT refresh_failures || ',' || (next_refresh_at IS NULL)::text FROM mcp_credentials WHERE instance_id='$I'")" "0,true"
check "no sanitizer report in the broker log" bash -c '! grep -q -E "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$0"' "$IT_DIR/broker.log"
it_done
