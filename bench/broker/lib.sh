# shellcheck shell=bash
# bench/broker/lib.sh - the set-up the broker benchmarks share (run.sh, refresh_storm.sh). Source it after
# scripts/lib/common.sh.
#
#   bench_init NAME                      a scratch directory $work (/tmp/NAME-XXXXXX) and pids=(); on exit every
#                                        process in pids is stopped, the database of "bench_db NAME drop" dropped, the
#                                        logs copied to $BENCH_KEEP_LOGS when set, and $work removed
#   bench_build DIR TYPE LOG TARGET...   configures DIR (CMAKE_BUILD_TYPE TYPE, no sanitizers) and builds only TARGETs;
#                                        output in $VAR_DIR/log/LOG; returns 1 when either step fails
#   bench_db NAME [drop]                 the embedded PostgreSQL up, database NAME (re)created; sets db_url; with
#                                        drop, the database is dropped on exit
#   bench_port                           prints a free loopback port
#   bench_wait_http URL                  waits (at most ~10 s) for a 2xx from URL
#   bench_keys                           $work/keys: data key, admin key, gmail's service secret; sets admin_key and
#                                        bearer (gmail's service bearer)
#   bench_registry BROKER_URL            $work/google.json (client "bench" of the fake provider, redirecting to the
#                                        broker) and $work/services.json (gmail on provider google)
#   bench_broker_config BUILD_DIR PORT GOOGLE_PORT POOL LOG_LEVEL [MEMBERS]
#                                        $work/broker.json: the broker on PORT with the plugins of BUILD_DIR, the
#                                        database db_url (pool_size POOL), the keys and registry above, google at the
#                                        fake on GOOGLE_PORT; MEMBERS: more top-level JSON members ("a": {...}, ...)
#   bench_fake_google PORT               tests/fakes/fake-google.mjs on PORT (log $work/google.log), waits for it
#   bench_instance BROKER_URL GOOGLE_PORT   a gmail instance (admin API, client "bench") consented at the fake provider
#                                        exactly as a browser would; sets id and mcp_key
#   bench_broker BUILD_DIR               the broker of BUILD_DIR with $work/broker.json (log $work/broker.log), waits for
#                                        /health; sets broker_pid. One process unless BENCH_WORKERS says otherwise
#                                        (listen.workers; 0 = one per CPU): the figures stay those of one event loop

bench_init() {
    work="$(mktemp -d "/tmp/$1-XXXXXX")"
    pids=()
    bench_drop_db=""
    trap bench_cleanup EXIT
}

bench_cleanup() {
    local p
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    if [[ -n "$bench_drop_db" ]]; then
        pg_psql -q -c "DROP DATABASE IF EXISTS $bench_drop_db WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    [[ -z "${BENCH_KEEP_LOGS:-}" ]] || cp "$work"/*.log "$BENCH_KEEP_LOGS"/ 2>/dev/null || true
    rm -rf "$work"
}

bench_build() {
    local dir="$1" type="${BENCH_BUILD_TYPE:-$2}" log="$VAR_DIR/log/$3" # BENCH_BUILD_TYPE: bench/run.sh shares one build
    shift 3
    mkdir -p "$VAR_DIR/log"
    cmake -S "$OB_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE="$type" -DSANITIZE=OFF >"$log" 2>&1 &&
        cmake --build "$dir" -j"$(nproc)" --target "$@" >>"$log" 2>&1
}

bench_db() {
    # shellcheck source=scripts/lib/pg.sh
    source "$OB_ROOT/scripts/lib/pg.sh"
    pg_start >/dev/null
    pg_create_db "$1"
    db_url="$(pg_url "$1")"
    [[ "${2:-}" != drop ]] || bench_drop_db="$1"
    if [[ ! -d "$OB_ROOT/tests/fakes/node_modules" ]]; then
        (cd "$OB_ROOT/tests/fakes" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    fi
}

bench_port() {
    node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

bench_wait_http() {
    for _ in $(seq 1 100); do
        curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

bench_keys() {
    mkdir -p "$work/keys/services"
    chmod 700 "$work/keys" "$work/keys/services"
    (umask 077 && printf 'k1 %s\n' "$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')" >"$work/keys/data.keys")
    (umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$work/keys/admin.key")
    (umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$work/keys/services/gmail.secret")
    admin_key="$(cat "$work/keys/admin.key")"
    bearer="$(node -e 'const c=require("crypto"),fs=require("fs");console.log(Buffer.from(c.hkdfSync("sha256",Buffer.from(fs.readFileSync(process.argv[1],"utf8").trim()),Buffer.alloc(0),Buffer.from("mcp-service-bearer-v1"),32)).toString("hex"))' "$work/keys/services/gmail.secret")"
}

bench_registry() {
    cat >"$work/google.json" <<JSON
{"clients": [{"client_id": "bench", "client_secret": "bench-secret", "redirect_uris": ["$1/oauth/callback"]}]}
JSON
    # a port nobody listens on, in the registry's range (49000..50000) but clear of config/services.json's: the
    # broker's pushes to gmail must never reach the MCP server of a running stack
    local mcp_port
    mcp_port="$(node -e 'const net=require("net");let n=0;const t=()=>{if(++n>50)process.exit(1);const p=49400+Math.floor(Math.random()*500);
      const s=net.createServer();s.once("error",t);s.listen(p,"127.0.0.1",()=>{s.close(()=>console.log(p))})};t()')" || return 1
    cat >"$work/services.json" <<JSON
[{"service_name": "gmail", "display_name": "Gmail", "port": $mcp_port, "type": "oauth", "provider": "google",
  "default_scopes": "openid email", "active": true}]
JSON
}

bench_broker_config() {
    local google="http://127.0.0.1:$3"
    cat >"$work/broker.json" <<JSON
{"listen": {"host": "127.0.0.1", "port": $2}, "base_url": "http://127.0.0.1:$2",
 "database": {"url": "$db_url", "pool_size": $4}, "plugin_dir": "$1/plugins",
 "migrations_dir": "$OB_ROOT/db/migrations", "services_file": "$work/services.json", "log_level": "$5",
 "keys": {"data_key_file": "$work/keys/data.keys", "admin_key_file": "$work/keys/admin.key",
          "services_dir": "$work/keys/services"},
 ${6:+$6,}
 "providers": {"google": {"authorization_endpoint": "$google/o/oauth2/v2/auth", "token_endpoint": "$google/token",
                          "jwks_uri": "$google/oauth2/v3/certs", "userinfo_endpoint": "$google/v1/userinfo"}}}
JSON
}

bench_fake_google() {
    FAKE_PORT="$1" node "$OB_ROOT/tests/fakes/fake-google.mjs" "$work/google.json" >"$work/google.log" 2>&1 &
    pids+=("$!")
    bench_wait_http "http://127.0.0.1:$1/_stats" || ob_die "the fake provider did not start"
}

bench_broker() {
    DATABASE_URL="$db_url" OB_WORKERS="${BENCH_WORKERS:-1}" "$1/oauth-service/oauth-service" --config "$work/broker.json" \
        run >"$work/broker.log" 2>&1 &
    broker_pid=$!
    pids+=("$broker_pid")
    bench_wait_http "$(jq -r .base_url "$work/broker.json")/health" || {
        tail "$work/broker.log"
        ob_die "broker did not start"
    }
}

bench_instance() {
    local out loc rid cb
    out="$(curl -fsS -X POST -H "authorization: Bearer $admin_key" -H 'content-type: application/json' "$1/instances" \
        -d '{"service":"gmail","user_id":"bench","client_id":"bench","client_secret":"bench-secret"}')"
    id="$(jq -r .instance_id <<<"$out")"
    mcp_key="$(jq -r .mcp_access_key <<<"$out")"
    loc="$(curl -s -o /dev/null -w '%{redirect_url}' "$1/oauth/authorize?instance_id=$id")"
    rid="$(curl -s "$loc" | grep -o 'name="rid" value="[^"]*"' | cut -d'"' -f4)"
    cb="$(curl -s -o /dev/null -w '%{redirect_url}' -X POST "http://127.0.0.1:$2/o/oauth2/consent" --data "rid=$rid&decision=approve")"
    curl -fsS -o /dev/null "$cb" || ob_die "the consent round trip failed"
}
