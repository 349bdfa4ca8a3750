# shellcheck shell=bash
# tests/integration/lib.sh - helpers of the broker's integration tests (source it).
#
# Every test gets its own scratch directory and its own database (created from DATABASE_URL with the
# role's CREATEDB right, dropped at exit), starts the real broker and the fakes it needs on free loopback
# ports, and stops everything it started on exit. Exit 77 (skipped) when DATABASE_URL, node, the broker
# binary or the fakes' packages are missing.
#
#   it_setup NAME           scratch dir $IT_DIR, database $IT_DB_URL, keys in $IT_DIR/keys, npm ci in tests/fakes
#   it_setup_private_pg NAME   the same with a PostgreSQL cluster of the test's own, for a test that stops it
#   it_free_port            prints a free TCP port on 127.0.0.1, claimed for this test until it ends (it_port_claim)
#   it_registry_port        prints a free port in 49400..49899 (the registry allows 49000..50000; clear of
#                           config/services.json), claimed the same way
#   it_start NAME CMD...    starts a background process (log $IT_DIR/NAME.log), remembered for cleanup
#   it_wait_line LOG REGEX  waits for a line in LOG, prints the first match
#   it_broker CONFIG        starts the broker, waits for /health; $BROKER = base URL (refuses a CONFIG whose
#                           pushes would reach a stack started by scripts/run.sh: it_check_push_targets)
#   it_broker_config PORT [JSON]   writes $IT_DIR/broker.json: a broker on PORT over this test's database, plugins,
#                           migrations, $IT_DIR/services.json and keys, with JSON merged in; sets $BPORT, $BROKER
#   it_gmail_registry PORT  $IT_DIR/services.json with gmail (provider google), gmail's secret; sets $GMAIL_BEARER
#   it_google_fake [REGISTRY_PORT]   the fake Google with client gclient, it_gmail_registry; sets $GOOGLE, $BROKER
#   it_google_broker [JSON] after it_google_fake: the broker of a gmail test, started (it_broker_config + it_broker)
#   it_google_endpoints     the broker's google endpoints at the fake (JSON)
#   it_oidc_fake NAME...    oidc-provider (tests/fakes/oidc-server.mjs) for the custom providers NAME...; sets $BPORT,
#                           $BROKER, $ISSUER, $AUTHZ, $TOKEN, $REVOKE
#   http METHOD URL [BODY] [HEADER...]   sets $STATUS, $BODY (file $IT_DIR/last.body), $HDRS
#   psql_q SQL              one value from the test database
#   check NAME COND...      records a pass/fail; it_done prints the summary and exits
#   it_test_ca              a throwaway CA and a certificate for 127.0.0.1 signed by it (openssl, in $IT_DIR/tls):
#                           $IT_CA (CA certificate), $IT_TLS_CERT, $IT_TLS_KEY
#   it_cimd_server          after it_test_ca: tests/fakes/cimd-server.mjs (https, Client ID Metadata Documents) on a
#                           free port, waits until it listens; sets $CIMD (its origin)
#   it_google_instance USER CLIENT SECRET   after it_google_fake-style set-up ($GOOGLE, $BROKER): a gmail instance created
#                           through the admin API and consented at the fake Google (curl); sets $IID, $KEY
#   jq ...                  jq, except that -e on an empty input fails (exit 4) as jq >= 1.7 does; Debian 12's jq 1.6
#                           exits 0 there, which made a check on the output of a crashed helper pass
#
# OB_IT_VALGRIND=SUPPRESSIONS (scripts/valgrind.sh): the broker, and the C servers a test starts with "${IT_WRAP[@]}"
# before the binary, run under valgrind memcheck (logs $IT_DIR/valgrind-PID.log); waits are stretched by
# $IT_WAIT_SCALE, and it_done fails on any error valgrind reports or a server that did not exit.
set -uo pipefail

# jq 1.6 (Debian 12) exits 0 for -e on an empty input; every check here feeds jq -e a here-string, and an empty
# one means the command that should have produced it failed. Exported so the `bash -c` of a check sees it too.
jq() {
    local a
    for a in "$@"; do
        if [[ "$a" == -e || "$a" == --exit-status ]]; then
            local input
            input="$(cat)"
            [[ -n "${input//[[:space:]]/}" ]] || return 4
            command jq "$@" <<<"$input"
            return
        fi
    done
    command jq "$@"
}
export -f jq

# a broker started by a test is one process unless the test asks for workers (listen.workers defaults to one per CPU):
# its logs, counters and caches are then those of one process
export OB_WORKERS="${OB_WORKERS:-1}"
IT_SRC="${OB_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
IT_BUILD="${OB_BUILD_DIR:-$IT_SRC/build}"
IT_FAKES="$IT_SRC/tests/fakes"
IT_PIDS=()
IT_PASS=0
IT_FAIL=0
IT_DB_NAME=""
IT_PRIVATE_PG=0
IT_WRAP=()
IT_WAIT_SCALE=1

it_skip() {
    # in CI a missing prerequisite is a broken set-up, not a reason to skip
    if [[ "${CI:-}" == true ]]; then
        echo "FAIL (CI): $*"
        exit 1
    fi
    echo "SKIP: $*"
    exit 77
}

it_cleanup() {
    local pid
    for pid in "${IT_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${IT_PIDS[@]}"; do
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    done
    if [[ -n "$IT_DB_NAME" ]]; then
        psql -X -q "$DATABASE_URL" -c "DROP DATABASE IF EXISTS $IT_DB_NAME WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    if ((IT_PRIVATE_PG)); then
        pg_stop >/dev/null 2>&1 || true
    fi
    it_port_release_all
    if [[ "${IT_KEEP:-0}" != 1 && -n "${IT_DIR:-}" && "$IT_FAIL" == 0 ]]; then
        rm -rf "$IT_DIR"
    fi
}

it_setup() {
    local name="$1"
    [[ -n "${DATABASE_URL:-}" ]] || it_skip "DATABASE_URL is not set (scripts/test.sh sets it)"
    command -v node >/dev/null || it_skip "node is not installed"
    command -v psql >/dev/null || it_skip "psql is not installed"
    command -v jq >/dev/null || it_skip "jq is not installed"
    [[ -x "$IT_BUILD/oauth-service/oauth-service" ]] || it_skip "the broker is not built in $IT_BUILD"
    IT_DIR="$(mktemp -d "/tmp/ob-it-$name-XXXXXX")"
    trap it_cleanup EXIT
    if [[ -n "${OB_IT_VALGRIND:-}" ]]; then
        command -v valgrind >/dev/null || it_skip "valgrind is not installed"
        IT_WRAP=(valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite
            --num-callers=30 --suppressions="$OB_IT_VALGRIND" --log-file="$IT_DIR/valgrind-%p.log")
        IT_WAIT_SCALE=8
    fi
    # the fakes' packages (exact versions from the committed lock file)
    local stamp="$IT_FAKES/node_modules/.package-lock.json"
    if [[ ! -f "$stamp" || "$IT_FAKES/package-lock.json" -nt "$stamp" ]]; then
        (cd "$IT_FAKES" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) \
            >"$IT_DIR/npm-ci.log" 2>&1 || it_skip "npm ci in tests/fakes failed (see $IT_DIR/npm-ci.log)"
    fi
    # a database of our own
    IT_DB_NAME="ob_it_${name}_$$"
    psql -X -q "$DATABASE_URL" -c "CREATE DATABASE $IT_DB_NAME" >/dev/null ||
        it_skip "cannot create a test database with DATABASE_URL"
    IT_DB_URL="$(node -e 'const u=new URL(process.argv[1]); u.pathname="/"+process.argv[2]; console.log(u.toString())' \
        "$DATABASE_URL" "$IT_DB_NAME")"
    it_keys
}

# it_setup_private_pg NAME: scratch dir $IT_DIR and keys as it_setup, but a PostgreSQL cluster of the test's own
# (scripts/lib/pg.sh with VAR_DIR=$IT_DIR/var and a free port; pg_stop / pg_start stop and restart it, the shared test
# cluster stays untouched), stopped at exit; $IT_DB_URL points at it.
it_setup_private_pg() {
    command -v jq >/dev/null || it_skip "jq is not installed"
    command -v node >/dev/null || it_skip "node is not installed"
    [[ -x "$IT_BUILD/oauth-service/oauth-service" ]] || it_skip "the broker is not built in $IT_BUILD"
    IT_DIR="$(mktemp -d "/tmp/ob-it-$1-XXXXXX")"
    trap it_cleanup EXIT
    export VAR_DIR="$IT_DIR/var"
    OB_PG_PORT="$(it_free_port)"
    export OB_PG_PORT
    # shellcheck source=../../scripts/lib/common.sh
    source "$IT_SRC/scripts/lib/common.sh"
    # shellcheck source=../../scripts/lib/pg.sh
    source "$IT_SRC/scripts/lib/pg.sh"
    IT_PRIVATE_PG=1
    pg_start >"$IT_DIR/pg.log" 2>&1 || {
        cat "$IT_DIR/pg.log"
        exit 1
    }
    IT_DB_URL="$(pg_url)"
    it_keys
}

# it_keys: keys (0600) in $IT_DIR/keys, generated the way scripts/keys.sh does; sets $ADMIN_KEY
it_keys() {
    mkdir -p "$IT_DIR/keys/services"
    chmod 700 "$IT_DIR/keys" "$IT_DIR/keys/services"
    (umask 077 && printf 'k1 %s\n' "$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')" >"$IT_DIR/keys/data.keys")
    (umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$IT_DIR/keys/admin.key")
    ADMIN_KEY="$(cat "$IT_DIR/keys/admin.key")"
}

# it_service_secret SERVICE: creates the service's secret file; prints its bearer.
it_service_secret() {
    local f="$IT_DIR/keys/services/$1.secret"
    [[ -s "$f" ]] || (umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$f")
    node -e 'const c=require("crypto"),fs=require("fs");const s=fs.readFileSync(process.argv[1],"utf8").replace(/[\r\n\t ]+$/,"");
        console.log(Buffer.from(c.hkdfSync("sha256",Buffer.from(s),Buffer.alloc(0),Buffer.from("mcp-service-bearer-v1"),32)).toString("hex"))' "$f"
}

# A port handed out below stays this test's until it ends, also while the process meant to listen on it is still
# starting: tests run in parallel (ctest -j), and a port that is merely free now can be given to two of them. The
# claim is a directory per port under IT_PORT_CLAIMS holding the claiming test's pid ($$, also inside $(...));
# it_cleanup removes this test's claims, and a claim whose test is gone is taken over.
IT_PORT_CLAIMS="${TMPDIR:-/tmp}/ob-it-port-claims"

it_port_claim() {
    local dir="$IT_PORT_CLAIMS/$1" owner
    mkdir -p "$IT_PORT_CLAIMS" 2>/dev/null || true
    if mkdir "$dir" 2>/dev/null; then
        echo "$$" >"$dir/pid"
        return 0
    fi
    owner="$(cat "$dir/pid" 2>/dev/null || true)"
    if [[ -n "$owner" ]] && ! kill -0 "$owner" 2>/dev/null; then
        rm -rf "$dir" && mkdir "$dir" 2>/dev/null && echo "$$" >"$dir/pid" && return 0
    fi
    return 1
}

it_port_release_all() {
    local f
    for f in "$IT_PORT_CLAIMS"/*/pid; do
        [[ -f "$f" && "$(cat "$f" 2>/dev/null)" == "$$" ]] && rm -rf "$(dirname "$f")"
    done
    return 0
}

it_free_port() {
    local p
    for _ in $(seq 1 50); do
        p="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
        [[ -n "$p" ]] && it_port_claim "$p" && { echo "$p"; return 0; }
    done
    return 1
}

it_registry_port() {
    local p
    for _ in $(seq 1 50); do
        p="$(node -e 'const net=require("net");let n=0;const t=()=>{if(++n>50)process.exit(1);const p=49400+Math.floor(Math.random()*500);
          const s=net.createServer();s.once("error",t);s.listen(p,"127.0.0.1",()=>{s.close(()=>console.log(p))})};t()')"
        [[ -n "$p" ]] && it_port_claim "$p" && { echo "$p"; return 0; }
    done
    return 1
}

it_start() {
    local name="$1"
    shift
    "$@" >>"$IT_DIR/$name.log" 2>&1 &
    IT_PIDS+=("$!")
}

it_wait_line() {
    local log="$1" re="$2" line
    for _ in $(seq 1 $((150 * IT_WAIT_SCALE))); do
        line="$(grep -m1 -E "$re" "$log" 2>/dev/null)" && {
            printf '%s\n' "$line"
            return 0
        }
        sleep 0.1
    done
    echo "timed out waiting for /$re/ in $log:" >&2
    tail -n 20 "$log" >&2
    return 1
}

# it_check_push_targets CONFIG: every service that has a secret in the config's keys.services_dir gets pushes, at
# push.urls[service] or else at its registry port; a test must point them at a server it started (push.urls to a
# fake such as tests/fakes/fake-mcp.mjs, or a registry port its own MCP server listens on), never at a port of
# config/services.json or config/broker.json, where a stack started by scripts/run.sh listens.
it_check_push_targets() {
    local config="$1" sfile sdir stack svc url port bad=0
    sfile="$(jq -r '.services_file // empty' "$config")"
    sdir="$(jq -r '.keys.services_dir // empty' "$config")"
    if [[ -z "$sfile" || -z "$sdir" ]]; then
        echo "lib.sh: $config must name services_file and keys.services_dir (a test never uses the defaults)" >&2
        return 1
    fi
    stack="$(jq -r '.[].port' "$IT_SRC/config/services.json"; jq -r '.listen.port // 3001' "$IT_SRC/config/broker.json")"
    for svc in $(jq -r '.[].service_name' "$sfile"); do
        [[ -f "$sdir/$svc.secret" ]] || continue
        url="$(jq -r --arg s "$svc" '.push.urls[$s] // empty' "$config")"
        if [[ -n "$url" ]]; then
            port="$(sed -nE 's#^https?://[^/:]*:([0-9]+)(/.*)?$#\1#p' <<<"$url")"
            [[ -n "$port" ]] || port=80
        else
            port="$(jq -r --arg s "$svc" '.[] | select(.service_name == $s) | .port' "$sfile")"
        fi
        if grep -qx "$port" <<<"$stack"; then
            echo "lib.sh: the broker would push $svc to port $port, a port of a stack started by scripts/run.sh; set push.urls.$svc to a server this test started" >&2
            bad=1
        fi
    done
    return "$bad"
}

it_broker() {
    local config="$1" port
    it_check_push_targets "$config" || return 1
    port="$(jq -r .listen.port "$config")"
    BROKER="http://127.0.0.1:$port"
    it_start broker env -u OB_DATA_KEYS -u VAR_DIR -u OB_KEYS_DIR DATABASE_URL="$IT_DB_URL" \
        "${IT_WRAP[@]}" "$IT_BUILD/oauth-service/oauth-service" --config "$config" run
    BROKER_PID="${IT_PIDS[-1]}"
    for _ in $(seq 1 $((150 * IT_WAIT_SCALE))); do
        curl -fsS -o /dev/null --max-time 2 "$BROKER/health" 2>/dev/null && return 0
        kill -0 "$BROKER_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "the broker did not come up:" >&2
    tail -n 30 "$IT_DIR/broker.log" >&2
    return 1
}

# it_broker_config PORT [JSON]: writes $IT_DIR/broker.json for a broker on 127.0.0.1:PORT (base_url its loopback URL)
# over the test's database, with the build's plugins, the migrations, $IT_DIR/services.json and the keys of it_keys;
# the object JSON is merged into that, member by member at any depth ({"database": {"pool_size": 2}} adds one).
# Sets BPORT and BROKER.
it_broker_config() {
    local more="${2:-}"
    [[ -n "$more" ]] || more='{}'
    BPORT="$1"
    BROKER="http://127.0.0.1:$BPORT"
    jq -n --argjson port "$BPORT" --arg base "$BROKER" --arg db "$IT_DB_URL" --arg dir "$IT_DIR" \
        --arg plugins "${OB_PLUGIN_DIR:-$IT_BUILD/plugins}" --arg migrations "$IT_SRC/db/migrations" \
        --argjson more "$more" '
        {listen: {host: "127.0.0.1", port: $port}, base_url: $base, database: {url: $db},
         plugin_dir: $plugins, migrations_dir: $migrations, services_file: "\($dir)/services.json",
         keys: {data_key_file: "\($dir)/keys/data.keys", admin_key_file: "\($dir)/keys/admin.key",
                services_dir: "\($dir)/keys/services"}} * $more' >"$IT_DIR/broker.json"
}

# it_gmail_registry REGISTRY_PORT: $IT_DIR/services.json with gmail on provider google at REGISTRY_PORT, and gmail's
# service secret (GMAIL_BEARER)
it_gmail_registry() {
    it_write_json "$IT_DIR/services.json" "[
      {\"service_name\": \"gmail\", \"display_name\": \"Gmail\", \"port\": $1, \"type\": \"oauth\",
       \"provider\": \"google\", \"default_scopes\": \"openid email\", \"active\": true}]"
    GMAIL_BEARER="$(it_service_secret gmail)"
}

# it_google_fake [REGISTRY_PORT]: the provider side of a gmail test. Picks the broker's port (BPORT, BROKER: pass them
# to it_broker_config) and the fake's (GPORT, GOOGLE); writes $IT_DIR/google.json (one client, gclient / gsecret-1,
# redirecting to the broker's callback) and it_gmail_registry REGISTRY_PORT (default 49296: nothing of the test
# listens there); starts tests/fakes/fake-google.mjs (log $IT_DIR/google.log) and waits until it listens.
it_google_fake() {
    GPORT="$(it_free_port)"
    BPORT="$(it_free_port)"
    GOOGLE="http://127.0.0.1:$GPORT"
    BROKER="http://127.0.0.1:$BPORT"
    it_write_json "$IT_DIR/google.json" "{\"clients\": [
      {\"client_id\": \"gclient\", \"client_secret\": \"gsecret-1\", \"redirect_uris\": [\"$BROKER/oauth/callback\"]}]}"
    it_gmail_registry "${1:-49296}"
    FAKE_PORT="$GPORT" it_start google node "$IT_FAKES/fake-google.mjs" "$IT_DIR/google.json"
    it_wait_line "$IT_DIR/google.log" "listening" >/dev/null
}

# it_google_broker [JSON]: after it_google_fake, the broker of a gmail test started and up: pool_size 4, queries 5 s,
# log level info, instance cache 300 ms, google at the fake (it_google_endpoints); JSON merged on top of that.
it_google_broker() {
    local more="${1:-}"
    [[ -n "$more" ]] || more='{}'
    it_broker_config "$BPORT" "$(jq -n --argjson google "$(it_google_endpoints)" --argjson more "$more" '
        {database: {pool_size: 4, query_timeout_ms: 5000}, log_level: "info", oauth: {instance_cache_ttl_ms: 300},
         providers: {google: $google}} * $more')" || return 1
    it_broker "$IT_DIR/broker.json"
}

# it_google_endpoints: the broker's providers.google member for the fake of it_google_fake
it_google_endpoints() {
    printf '{"authorization_endpoint": "%s/o/oauth2/v2/auth", "token_endpoint": "%s/token", "revocation_endpoint": "%s/revoke", "jwks_uri": "%s/oauth2/v3/certs", "userinfo_endpoint": "%s/v1/userinfo"}' \
        "$GOOGLE" "$GOOGLE" "$GOOGLE" "$GOOGLE" "$GOOGLE"
}

# it_oidc_fake NAME...: picks the broker's port (BPORT, BROKER); starts tests/fakes/oidc-server.mjs (log
# $IT_DIR/oidc.log) with one client redirecting to the broker's per-provider callback of each NAME, waits until it
# listens and reads its discovery document: ISSUER, AUTHZ, TOKEN, REVOKE (the document stays in $BODY).
it_oidc_fake() {
    local name uris=""
    BPORT="$(it_free_port)"
    BROKER="http://127.0.0.1:$BPORT"
    for name in "$@"; do uris="$uris${uris:+, }\"$BROKER/oauth/callback/$name\""; done
    it_write_json "$IT_DIR/oidc.json" "{\"redirect_uris\": [$uris]}"
    it_start oidc node "$IT_FAKES/oidc-server.mjs" "$IT_DIR/oidc.json"
    ISSUER="$(it_wait_line "$IT_DIR/oidc.log" "oidc-server listening on" | awk '{print $NF}')" || return 1
    http GET "$ISSUER/.well-known/openid-configuration"
    AUTHZ="$(jq -r .authorization_endpoint <<<"$BODY")"
    TOKEN="$(jq -r .token_endpoint <<<"$BODY")"
    REVOKE="$(jq -r .revocation_endpoint <<<"$BODY")"
}

# it_cli ARGS...: runs an oauth-service command against the test database (same environment as the broker)
it_cli() {
    env -u OB_DATA_KEYS -u VAR_DIR -u OB_KEYS_DIR DATABASE_URL="$IT_DB_URL" "$IT_BUILD/oauth-service/oauth-service" "$@"
}

http() {
    local method="$1" url="$2" body="${3:-}"
    shift 3 2>/dev/null || shift $#
    local -a args=(-s -o "$IT_DIR/last.body" -D "$IT_DIR/last.hdrs" -w '%{http_code}' -X "$method" --max-time 20)
    local h
    for h in "$@"; do args+=(-H "$h"); done
    if [[ -n "$body" ]]; then
        args+=(-H 'content-type: application/json' --data-binary "$body")
    fi
    STATUS="$(curl "${args[@]}" "$url")"
    BODY="$(cat "$IT_DIR/last.body")"
    HDRS="$(cat "$IT_DIR/last.hdrs")"
}

# header NAME: a response header of the last http call
header() { printf '%s\n' "$HDRS" | tr -d '\r' | grep -i -m1 "^$1:" | cut -d' ' -f2-; }

admin() { http "$1" "$BROKER$2" "${3:-}" "authorization: Bearer $ADMIN_KEY"; }

psql_q() { psql -X -A -t -q "$IT_DB_URL" -c "$1"; }

check() {
    local name="$1"
    shift
    if "$@"; then
        IT_PASS=$((IT_PASS + 1))
        echo "ok   - $name"
    else
        IT_FAIL=$((IT_FAIL + 1))
        echo "FAIL - $name (status=$STATUS body=${BODY:0:300})"
    fi
}

# eq A B: string equality (for check)
eq() { [[ "$1" == "$2" ]]; }
# jq_eq FILTER VALUE: the last body's FILTER equals VALUE
jq_eq() { [[ "$(jq -r "$1" <<<"$BODY" 2>/dev/null)" == "$2" ]]; }

# it_stop_all: stops every process started (TERM, then waits) so sanitizer reports are written
it_stop_all() {
    local pid
    for pid in "${IT_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${IT_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    IT_PIDS=()
}

it_done() {
    it_stop_all
    # a sanitizer report, a failed assertion or a crash in any server's log (broker, MCP servers; ASan/UBSan/LSan
    # builds included, shutdown included) fails the test
    local pat="ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|Assertion .* failed|Segmentation fault|Aborted"
    local bad
    bad="$(grep -l -E "$pat" "$IT_DIR"/*.log 2>/dev/null || true)"
    if [[ -n "$bad" ]]; then
        IT_FAIL=$((IT_FAIL + 1))
        echo "FAIL - sanitizer report, assertion or crash in: $bad"
        grep -h -E -A12 "$pat" $bad | head -60
    else
        IT_PASS=$((IT_PASS + 1))
        echo "ok   - no sanitizer report, assertion or crash in the servers' logs (shutdown included)"
    fi
    ((${#IT_WRAP[@]} == 0)) || it_check_valgrind
    echo "# $IT_PASS passed, $IT_FAIL failed"
    [[ "$IT_FAIL" == 0 ]] || {
        echo "# scratch dir kept: $IT_DIR (broker log: $IT_DIR/broker.log)"
        exit 1
    }
    exit 0
}

# it_check_valgrind: every valgrind log of this test ends with an error summary of 0 (an error, a definite leak, or a
# server killed before it could exit cleanly fails)
it_check_valgrind() {
    local log n=0 bad=()
    for log in "$IT_DIR"/valgrind-*.log; do
        [[ -f "$log" ]] || continue
        n=$((n + 1))
        grep -q 'ERROR SUMMARY: 0 errors' "$log" || bad+=("$log")
    done
    if ((n == 0 || ${#bad[@]} > 0)); then
        IT_FAIL=$((IT_FAIL + 1))
        echo "FAIL - valgrind: ${#bad[@]} of $n server logs report errors or no clean exit: ${bad[*]}"
        for log in "${bad[@]}"; do
            grep -m1 'Command:' "$log"
            grep -E -A20 '^==[0-9]+== (Invalid|Conditional|Use of uninit|Mismatched|Syscall param|Source and dest|[0-9,]+ bytes in [0-9,]+ blocks are definitely)' "$log" | head -60
            grep 'ERROR SUMMARY' "$log" || echo "(no ERROR SUMMARY: the process did not exit by itself)"
        done
    else
        IT_PASS=$((IT_PASS + 1))
        echo "ok   - valgrind: $n server processes exited with 0 errors and no definite leak"
    fi
}

# it_test_ca: a CA of this test only (tests/fakes/make-test-ca.sh; never trusted by anything but the processes the test
# points at it: NODE_EXTRA_CA_CERTS, the broker's authorization.cimd_ca_file) and a server certificate for 127.0.0.1.
it_test_ca() {
    command -v openssl >/dev/null || it_skip "openssl is not installed"
    bash "$IT_FAKES/make-test-ca.sh" "$IT_DIR/tls" || return 1
    IT_CA="$IT_DIR/tls/ca.pem"
    IT_TLS_CERT="$IT_DIR/tls/server.pem"
    IT_TLS_KEY="$IT_DIR/tls/server.key"
}

# it_cimd_server: after it_test_ca, tests/fakes/cimd-server.mjs (log $IT_DIR/cimd.log) serving its documents over
# https with the test certificate; sets CIMD to its origin (https://127.0.0.1:PORT).
it_cimd_server() {
    it_start cimd node "$IT_FAKES/cimd-server.mjs" "$IT_TLS_CERT" "$IT_TLS_KEY"
    CIMD="$(it_wait_line "$IT_DIR/cimd.log" "cimd-server listening on" | awk '{print $NF}')" || return 1
}

# it_google_instance USER CLIENT SECRET: a gmail instance of USER with the user's own client CLIENT/SECRET (admin API),
# consented at the fake Google (tests/fakes/fake-google.mjs at $GOOGLE) through the broker's authorize and callback
# with curl; sets IID and KEY (its MCP access key); fails unless the instance ends active with a completed consent.
it_google_instance() {
    local loc rid cb
    admin POST /instances "{\"service\":\"gmail\",\"user_id\":\"$1\",\"client_id\":\"$2\",\"client_secret\":\"$3\"}"
    [[ "$STATUS" == 201 ]] || return 1
    IID="$(jq -r .instance_id <<<"$BODY")"
    KEY="$(jq -r .mcp_access_key <<<"$BODY")"
    http GET "$(jq -r .authorize_url <<<"$BODY")"
    loc="$(header location)"
    http GET "$loc"
    rid="$(grep -o 'name="rid" value="[^"]*"' <<<"$BODY" | cut -d'"' -f4)"
    cb="$(curl -s -o /dev/null -w '%{redirect_url}' --max-time 10 -X POST "$GOOGLE/o/oauth2/consent" --data "rid=$rid&decision=approve")"
    http GET "$cb"
    admin GET "/instances/$IID"
    jq_eq '[.status,.oauth_status]|join(",")' "active,completed"
}

# it_services FILE ENTRIES_JSON: writes a services.json
it_write_json() { printf '%s\n' "$2" | jq . >"$1"; }
