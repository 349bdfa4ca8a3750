# shellcheck shell=bash
# scripts/lib/pg.sh - the embedded PostgreSQL cluster of the project (source it).
#
#   pg_start           initialise (first time) and start the cluster, create role `ob` and database
#                      `oauth_broker`; does nothing but check the role when it is already running
#   pg_stop            stop it (fast shutdown); nothing when it is not running
#   pg_running         true when it is running
#   pg_url [DB]        print the DATABASE_URL for DB (default oauth_broker)
#   pg_create_db NAME  (re)create database NAME, empty, owned by `ob`
#   pg_psql [ARGS]     psql as the cluster's superuser (over the unix socket)
#
# Streaming replication (for a failover test; the cluster above is the primary):
#   pg_standby_create DATA PORT NAME   pg_basebackup of the running cluster into DATA (a path under $VAR_DIR/pg),
#                      started as a hot standby on 127.0.0.1:PORT that streams as application_name NAME; waits
#                      until the primary sees it streaming (log DATA.log)
#   pg_sync_standby NAME   the primary waits for standby NAME to flush every commit (synchronous_standby_names)
#   pg_promote DATA    promotes the standby in DATA; waits until it accepts writes
#   pg_stop_data DATA [MODE]   stops the cluster in DATA (MODE fast by default; immediate is a crash)
#   pg_url_hosts DB PORT...   the DATABASE_URL of DB over several local servers (libpq multi-host, read-write)
#
# Layout under $VAR_DIR/pg: data/ (the cluster), run/ (its unix socket), postgres.log, and .password
# (the generated password of role `ob`, mode 0600). The cluster listens on 127.0.0.1:$OB_PG_PORT
# (default 55432) and on the socket only, with scram-sha-256 for everyone but the superuser.
# PostgreSQL refuses to run as root: as root the cluster runs as the `postgres` user (runuser), which
# then owns data/, run/ and the log, and every ancestor directory of var/ must be traversable by it.

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PG__PORT_CHOSEN="${OB_PG_PORT:+1}" # set when the user named the port
OB_PG_PORT="${OB_PG_PORT:-55432}"
PG_DIR="$VAR_DIR/pg"
PG_DATA="$PG_DIR/data"
PG_LOG="$PG_DIR/postgres.log"
PG_PASSWORD_FILE="$PG_DIR/.password"
PG_ROLE="ob"
PG_DATABASE="oauth_broker"

# The user the server runs as: postgres when we are root, else ourselves.
pg__owner() {
    if ((EUID == 0)); then printf 'postgres\n'; else id -un; fi
}

pg__as_owner() {
    if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi
}

# The newest /usr/lib/postgresql/<version>/bin (or $PG_BIN).
pg__bin() {
    if [[ -n "${PG_BIN:-}" ]]; then
        printf '%s\n' "$PG_BIN"
        return
    fi
    local dir
    dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
    [[ -n "$dir" && -x "$dir/initdb" ]] || ob_die "no PostgreSQL server found in /usr/lib/postgresql (run scripts/install-deps.sh)"
    printf '%s\n' "$dir"
}

# The socket directory: $VAR_DIR/pg/run unless that path is too long for a unix socket (107 bytes).
pg__sock_dir() {
    local dir="$PG_DIR/run"
    if ((${#dir} + 20 > 107)); then
        dir="/tmp/ob-pg-$(printf '%s' "$PG_DIR" | sha256sum | cut -c1-12)"
    fi
    printf '%s\n' "$dir"
}

# The port of the running cluster (from postmaster.pid), else the configured one.
pg__port() {
    local port=""
    if [[ -r "$PG_DATA/postmaster.pid" ]]; then
        port="$(sed -n 4p "$PG_DATA/postmaster.pid" 2>/dev/null || true)"
    fi
    [[ "$port" =~ ^[0-9]+$ ]] || port="$OB_PG_PORT"
    printf '%s\n' "$port"
}

# Root only: makes every ancestor of $PG_DIR traversable (o+x) for the postgres user, top-down.
pg__make_traversable() {
    ((EUID == 0)) || return 0
    runuser -u postgres -- test -x "$PG_DIR" 2>/dev/null && return 0
    local path="" part
    local -a parts
    IFS=/ read -r -a parts <<<"${PG_DIR#/}"
    for part in "${parts[@]}"; do
        path="$path/$part"
        if ! runuser -u postgres -- test -x "$path" 2>/dev/null; then
            chmod o+x "$path"
            ob_say "pg: made $path traversable (o+x) so the postgres user can reach $PG_DIR"
        fi
    done
}

pg__init() {
    if ((EUID == 0)) && ! id postgres >/dev/null 2>&1; then
        ob_die "the postgres user does not exist (run scripts/install-deps.sh)"
    fi
    local owner sock bin
    owner="$(pg__owner)"
    sock="$(pg__sock_dir)"
    bin="$(pg__bin)"
    mkdir -p "$PG_DIR"
    chmod 0755 "$PG_DIR"
    pg__make_traversable
    mkdir -p "$sock"
    touch "$PG_LOG"
    chown "$owner:" "$sock" "$PG_LOG"
    chmod 0755 "$sock"
    chmod 0640 "$PG_LOG"
    if [[ ! -s "$PG_PASSWORD_FILE" ]]; then
        (umask 077 && od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$PG_PASSWORD_FILE")
    fi
    chmod 0600 "$PG_PASSWORD_FILE"
    [[ -f "$PG_DATA/PG_VERSION" ]] && return 0

    if [[ -d "$PG_DATA" ]] && [[ -n "$(ls -A "$PG_DATA")" ]]; then
        ob_die "$PG_DATA is not empty but holds no cluster: remove it or set VAR_DIR"
    fi
    ob_say "pg: creating the embedded cluster in $PG_DATA"
    mkdir -p "$PG_DATA"
    chown "$owner:" "$PG_DATA"
    chmod 0700 "$PG_DATA"
    if ! pg__as_owner "$bin/initdb" -D "$PG_DATA" -U "$owner" -E UTF8 --no-locale --auth-local=peer \
        --auth-host=scram-sha-256 --no-instructions >"$PG_DIR/initdb.log" 2>&1; then
        cat "$PG_DIR/initdb.log" >&2
        ob_die "initdb failed"
    fi
    pg__as_owner tee "$PG_DATA/pg_hba.conf" >/dev/null <<EOF
# written by scripts/lib/pg.sh: the superuser over the socket by OS user; everyone else by password
local all $owner                peer
local all all                   scram-sha-256
host  all all 127.0.0.1/32      scram-sha-256
EOF
    printf "\ninclude_if_exists = 'ob_embedded.conf'\n" | pg__as_owner tee -a "$PG_DATA/postgresql.conf" >/dev/null
}

pg_running() {
    [[ -f "$PG_DATA/PG_VERSION" ]] || return 1
    pg__as_owner "$(pg__bin)/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1
}

pg_psql() {
    pg__as_owner "$(pg__bin)/psql" -X -q -v ON_ERROR_STOP=1 -h "$(pg__sock_dir)" -p "$(pg__port)" \
        -U "$(pg__owner)" -d postgres "$@"
}

# Creates role ob (password from .password, kept in sync) and database oauth_broker when missing.
pg__ensure_role_db() {
    local password
    password="$(<"$PG_PASSWORD_FILE")"
    [[ "$password" =~ ^[0-9a-f]+$ ]] || ob_die "$PG_PASSWORD_FILE is malformed: delete it and run again"
    pg_psql -f - <<EOF
SELECT format('CREATE ROLE %I LOGIN CREATEDB', '$PG_ROLE')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_ROLE') \gexec
ALTER ROLE $PG_ROLE WITH LOGIN CREATEDB PASSWORD '$password';
SELECT format('CREATE DATABASE %I OWNER %I', '$PG_DATABASE', '$PG_ROLE')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$PG_DATABASE') \gexec
EOF
}

# 0 when something accepts TCP connections on 127.0.0.1:$1.
pg__port_busy() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# When the default port is taken by someone else (another checkout's cluster, say), use the next free
# one; a port the user named with OB_PG_PORT is kept (and its failure reported).
pg__pick_port() {
    [[ -z "$PG__PORT_CHOSEN" ]] || return 0
    local p="$OB_PG_PORT"
    while pg__port_busy "$p" && ((p < OB_PG_PORT + 100)); do
        p=$((p + 1))
    done
    if [[ "$p" != "$OB_PG_PORT" ]]; then
        ob_say "pg: port $OB_PG_PORT is taken, using $p"
        OB_PG_PORT="$p"
    fi
}

# pg__embedded_conf DATA PORT SOCKET_DIR: the settings of a cluster of ours (included by its postgresql.conf)
pg__embedded_conf() {
    pg__as_owner tee "$1/ob_embedded.conf" >/dev/null <<EOF
# written by scripts/lib/pg.sh at every start
listen_addresses = '127.0.0.1'
port = $2
unix_socket_directories = '$3'
password_encryption = 'scram-sha-256'
EOF
}

pg_start() {
    pg__init
    if ! pg_running; then
        local sock bin
        pg__pick_port
        sock="$(pg__sock_dir)"
        bin="$(pg__bin)"
        pg__embedded_conf "$PG_DATA" "$OB_PG_PORT" "$sock"
        if ! pg__as_owner "$bin/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t 60 >/dev/null; then
            printf 'error: PostgreSQL did not start; last lines of %s:\n' "$PG_LOG" >&2
            tail -n 15 "$PG_LOG" >&2
            if tail -n 15 "$PG_LOG" | grep -q 'Address already in use'; then
                printf 'hint: port %s is taken: set OB_PG_PORT to a free port\n' "$OB_PG_PORT" >&2
            fi
            return 1
        fi
        ob_say "pg: embedded PostgreSQL running on 127.0.0.1:$(pg__port) (data $PG_DATA, log $PG_LOG)"
    fi
    pg__ensure_role_db
}

pg_stop() {
    pg_running || return 0
    pg__as_owner "$(pg__bin)/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 60 >/dev/null
    ob_say "pg: embedded PostgreSQL stopped"
}

pg_url() {
    local db="${1:-$PG_DATABASE}"
    printf 'postgresql://%s:%s@127.0.0.1:%s/%s\n' "$PG_ROLE" "$(<"$PG_PASSWORD_FILE")" "$(pg__port)" "$db"
}

pg_create_db() {
    local name="$1"
    [[ "$name" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || ob_die "pg_create_db: bad database name \"$name\""
    pg_psql -f - <<EOF
SET client_min_messages = warning;
DROP DATABASE IF EXISTS $name WITH (FORCE);
CREATE DATABASE $name OWNER $PG_ROLE;
EOF
}

# ---------------------------------------------------------------- streaming replication

pg__data_ok() {
    [[ "$1" == "$PG_DIR"/* && "$1" != *..* ]] || ob_die "pg: $1 is not a directory under $PG_DIR"
}

pg_standby_create() {
    local data="$1" port="$2" name="$3" owner sock bin
    pg__data_ok "$data"
    [[ "$port" =~ ^[0-9]+$ && "$name" =~ ^[a-z_][a-z0-9_]*$ ]] || ob_die "pg_standby_create: bad port or name"
    owner="$(pg__owner)"
    sock="$(pg__sock_dir)"
    bin="$(pg__bin)"
    # the superuser may open replication connections over the socket (peer), like any other
    if ! pg__as_owner grep -q '^local replication' "$PG_DATA/pg_hba.conf"; then
        printf 'local replication %s           peer\n' "$owner" | pg__as_owner tee -a "$PG_DATA/pg_hba.conf" >/dev/null
        pg_psql -c 'SELECT pg_reload_conf()' >/dev/null
    fi
    mkdir -p "$data"
    chown "$owner:" "$data"
    chmod 0700 "$data"
    touch "$data.log"
    chown "$owner:" "$data.log"
    if ! pg__as_owner "$bin/pg_basebackup" -D "$data" -h "$sock" -p "$(pg__port)" -U "$owner" -X stream -c fast -R \
        -d "application_name=$name" >"$data.log" 2>&1; then
        cat "$data.log" >&2
        return 1
    fi
    # its own port (the copied ob_embedded.conf names the primary's); the socket directory is shared
    pg__embedded_conf "$data" "$port" "$sock"
    if ! pg__as_owner "$bin/pg_ctl" start -D "$data" -l "$data.log" -w -t 60 >/dev/null; then
        tail -n 15 "$data.log" >&2
        return 1
    fi
    local streaming
    for _ in $(seq 1 100); do
        streaming="$(pg_psql -A -t -c "SELECT count(*) FROM pg_stat_replication WHERE application_name = '$name' AND state = 'streaming'")"
        [[ "$streaming" == 1 ]] && return 0
        sleep 0.1
    done
    ob_say "pg: standby $name did not start streaming (log $data.log)"
    return 1
}

pg_sync_standby() {
    [[ "$1" =~ ^[a-z_][a-z0-9_]*$ ]] || ob_die "pg_sync_standby: bad name"
    # set after pg_basebackup, so that a promoted standby does not wait for a standby of its own
    pg_psql -c "ALTER SYSTEM SET synchronous_standby_names = '$1'" -c 'SELECT pg_reload_conf()' >/dev/null
}

pg_promote() {
    pg__data_ok "$1"
    pg__as_owner "$(pg__bin)/pg_ctl" promote -D "$1" -w -t 60 >/dev/null
}

pg_stop_data() {
    pg__data_ok "$1"
    [[ -f "$1/postmaster.pid" ]] || return 0
    pg__as_owner "$(pg__bin)/pg_ctl" stop -D "$1" -m "${2:-fast}" -w -t 60 >/dev/null
}

pg_url_hosts() {
    local db="$1" hosts="" p
    shift
    for p in "$@"; do hosts="$hosts${hosts:+,}127.0.0.1:$p"; done
    printf 'postgresql://%s:%s@%s/%s?target_session_attrs=read-write\n' "$PG_ROLE" "$(<"$PG_PASSWORD_FILE")" "$hosts" \
        "$db"
}
