#!/usr/bin/env bash
# install.sh - `cmake --install` into a staging directory (DESTDIR) and what an operator and a plugin author get from
# it (docs/install.md):
#   - the layout: the broker, every built MCP server, the shipped plugins (not the example), the migrations, the
#     default configuration, the systemd units, the sysusers.d snippet and the plugin SDK;
#   - the installed broker.json points plugin_dir and migrations_dir at the installed places;
#   - `systemd-analyze verify` accepts oauth-broker.service and mcp-server@gmail.service, checked against the staging
#     directory as the root (--root), and the hardening the units promise is in them;
#   - the SDK: providers/example built OUTSIDE the source tree with nothing but `pkg-config --cflags --libs
#     oauth-broker-plugin` and the installed plugin.map, dropped into the installed plugin directory, is served in
#     GET /providers by the installed broker started with the installed broker.json (its paths moved into the
#     staging directory), which also serves the shipped providers and applied the installed migrations.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

it_setup install
STATUS="" BODY=""
command -v pkg-config >/dev/null || it_skip "pkg-config is not installed"
command -v systemd-analyze >/dev/null || it_skip "systemd-analyze is not installed (scripts/install-deps.sh: systemd)"
command -v cc >/dev/null || it_skip "no C compiler"

STAGE="$IT_DIR/stage"
cache() { sed -n "s/^$1:[A-Z]*=//p" "$IT_BUILD/CMakeCache.txt"; }
prefix="$(cache CMAKE_INSTALL_PREFIX)"
libdir="$(cache CMAKE_INSTALL_LIBDIR)"
[[ -n "$prefix" && -n "$libdir" ]] || it_skip "$IT_BUILD is not configured with dist/install.cmake"
export DESTDIR="$STAGE"
if ! cmake --install "$IT_BUILD" >"$IT_DIR/install.log" 2>&1; then
    echo "FAIL - cmake --install (is the whole tree built?):"
    tail -n 20 "$IT_DIR/install.log"
    exit 1
fi
unset DESTDIR
P="$STAGE$prefix"
L="$P/$libdir"
etc="$(dirname "$(find "$STAGE" -path '*/oauth-broker/broker.json' -print -quit)")"

# ---- the layout ----
check "bin/oauth-service installed and runs" bash -c '"$1/bin/oauth-service" version | grep -q .' _ "$P"
check "bin/mcp-gmail installed" test -x "$P/bin/mcp-gmail"
for s in google microsoft github slack custom; do
    check "plugin $s.so in lib/oauth-broker/plugins" test -f "$L/oauth-broker/plugins/$s.so"
done
check "the example plugin is not installed as a provider" test ! -e "$L/oauth-broker/plugins/example.so"
check "every migration installed" diff <(ls "$IT_SRC/db/migrations") <(ls "$P/share/oauth-broker/migrations")
check "broker.json and services.json in <sysconfdir>/oauth-broker" test -f "$etc/broker.json" -a -f "$etc/services.json"
check "mcp/gmail.env carries gmail's port from services.json" grep -qx \
    "MCP_PORT=$(jq -r '.[] | select(.service_name == "gmail") | .port' "$IT_SRC/config/services.json")" "$etc/mcp/gmail.env"
in_stage() { if [[ "$1" == /* ]]; then printf '%s\n' "$STAGE$1"; else printf '%s\n' "$P/$1"; fi; }
UNITS="$(in_stage "$(cache OB_SYSTEMD_UNITDIR)")"
check "units installed" test -f "$UNITS/oauth-broker.service" -a -f "$UNITS/mcp-server@.service"
check "sysusers.d snippet installed" grep -q '^u oauth-broker ' "$(in_stage "$(cache OB_SYSUSERS_DIR)")/oauth-broker.conf"
check "SDK headers installed" test -f "$P/include/oauth-broker/provider_abi.h" -a -f "$P/include/oauth-broker/provider_support.h"
check "SDK library and pkg-config file installed" test -f "$L/liboauth-broker-plugin.a" -a -f "$L/pkgconfig/oauth-broker-plugin.pc"

# ---- the installed configuration points at the installed places ----
plugin_dir="$(jq -r .plugin_dir "$etc/broker.json")"
migrations_dir="$(jq -r .migrations_dir "$etc/broker.json")"
check "broker.json plugin_dir is the installed plugin directory" eq "$plugin_dir" "$prefix/$libdir/oauth-broker/plugins"
check "broker.json migrations_dir is the installed migrations" eq "$migrations_dir" "$prefix/share/oauth-broker/migrations"
check "broker.json keeps the providers' defaults" eq "$(jq -S -c .providers "$etc/broker.json")" \
    "$(jq -S -c .providers "$IT_SRC/config/broker.json")"

# ---- systemd units ----
# systemd-analyze verify needs no running systemd: with --root it loads units by name from the unit search path inside
# that directory and resolves ExecStart= there. The root is the staging directory (hard links) plus the host's own
# units (sysinit.target, network-online.target, ... that every service pulls in). A template is verified through an
# instance name. It exits 0 on unknown or unparsable directives, which it only prints: any output fails.
VROOT="$IT_DIR/verify-root"
mkdir -p "$VROOT/usr/lib/systemd"
cp -al "$STAGE/." "$VROOT/"
for d in /usr/lib/systemd/system /lib/systemd/system; do
    [[ -d "$d" ]] && cp -an "$d" "$VROOT/usr/lib/systemd/" && break
done
# ExecReload= runs the host's kill(1), resolved inside the root too
mkdir -p "$VROOT/bin" && cp /bin/kill "$VROOT/bin/kill"
# a prefix other than /usr and /usr/local is outside systemd's unit search path (docs/install.md): look them up in /etc
[[ "$prefix" == /usr || "$prefix" == /usr/local ]] || { mkdir -p "$VROOT/etc/systemd/system" && cp "$UNITS"/* "$VROOT/etc/systemd/system/"; }
verify() {
    SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no --root="$VROOT" "$1" >"$IT_DIR/verify-$1.log" 2>&1
    local rc=$?
    if ((rc != 0)) || [[ -s "$IT_DIR/verify-$1.log" ]]; then
        cat "$IT_DIR/verify-$1.log"
        return 1
    fi
}
check "systemd-analyze verify oauth-broker.service" verify oauth-broker.service
check "systemd-analyze verify mcp-server@gmail.service" verify 'mcp-server@gmail.service'
for u in oauth-broker.service mcp-server@.service; do
    for d in NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes CapabilityBoundingSet= \
        'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' User=oauth-broker MemoryDenyWriteExecute=yes \
        SystemCallFilter=@system-service LockPersonality=yes; do
        check "$u: $d" grep -qx "$d" "$UNITS/$u"
    done
done
check "oauth-broker.service: its state directory" grep -qx StateDirectory=oauth-broker "$UNITS/oauth-broker.service"
check "oauth-broker.service: runs the installed broker with the installed config" grep -qx \
    "ExecStart=$prefix/bin/oauth-service --config ${etc#"$STAGE"}/broker.json run" \
    "$UNITS/oauth-broker.service"
check "mcp-server@.service: per-service EnvironmentFile" grep -q '^EnvironmentFile=.*/mcp/%i.env$' "$UNITS/mcp-server@.service"

# ---- the plugin SDK: the example provider built outside the source tree ----
SRC="$IT_DIR/plugin-src"
mkdir -p "$SRC"
cp "$IT_SRC/providers/example/example.c" "$SRC/"
export PKG_CONFIG_PATH="$L/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$STAGE"
map="$(pkg-config --variable=plugin_map oauth-broker-plugin)" # the sysroot applies to variables too
check "pkg-config names the installed plugin.map" test -f "$map"
build_plugin() {
    # shellcheck disable=SC2046 # pkg-config's words are separate arguments
    (cd "$SRC" && cc -std=gnu11 -Wall -Wextra -fPIC -shared -o example.so example.c \
        $(pkg-config --cflags --libs oauth-broker-plugin) -Wl,--version-script="$map") >"$IT_DIR/plugin-build.log" 2>&1
}
if ! check "example.c builds against the installed SDK (pkg-config --cflags --libs)" build_plugin; then
    cat "$IT_DIR/plugin-build.log"
fi
check "the out-of-tree plugin exports only oauth_provider_plugin" eq \
    "$(nm -D --defined-only "$SRC/example.so" 2>/dev/null | awk '{print $3}' | grep -v '^_' | sort | tr '\n' ' ')" \
    "oauth_provider_plugin "
cp "$SRC/example.so" "$STAGE$plugin_dir/"

# the installed broker.json with its installed paths moved into the staging directory, this test's database, port
# and keys: nothing else changed (DATABASE_URL, which the test environment sets, would override the file: it is this
# test's database too)
PORT="$(it_free_port)"
jq --arg stage "$STAGE" --argjson port "$PORT" --arg db "$IT_DB_URL" --arg dir "$IT_DIR" --arg etc "$etc" '
    .plugin_dir = $stage + .plugin_dir | .migrations_dir = $stage + .migrations_dir
    | .services_file = $etc + "/services.json" | .database.url = $db
    | .listen = {host: "127.0.0.1", port: $port} | .base_url = "http://127.0.0.1:\($port)"
    | .keys = {data_key_file: "\($dir)/keys/data.keys", admin_key_file: "\($dir)/keys/admin.key",
               services_dir: "\($dir)/keys/services"}' "$etc/broker.json" >"$IT_DIR/broker.json"
BROKER="http://127.0.0.1:$PORT"
it_start broker env -u OB_PLUGIN_DIR -u OB_MIGRATIONS_DIR -u OB_SERVICES_FILE -u OB_DATA_KEYS -u VAR_DIR \
    -u OB_KEYS_DIR DATABASE_URL="$IT_DB_URL" "${IT_WRAP[@]}" "$P/bin/oauth-service" --config "$IT_DIR/broker.json" run
up=0
for _ in $(seq 1 $((150 * IT_WAIT_SCALE))); do
    curl -fsS -o /dev/null --max-time 2 "$BROKER/health" 2>/dev/null && up=1 && break
    kill -0 "${IT_PIDS[-1]}" 2>/dev/null || break
    sleep 0.1
done
check "the installed broker starts with the installed configuration" eq "$up" 1
((up)) || tail -n 30 "$IT_DIR/broker.log"
http GET "$BROKER/providers"
check "GET /providers: 200" eq "$STATUS" 200
check "GET /providers serves the example provider built outside the tree" \
    jq -e '[.providers[] | .name] | index("example") != null' <<<"$BODY"
check "GET /providers serves the installed shipped providers too" \
    jq -e '[.providers[] | .name] as $n | ["google", "microsoft", "github", "slack"] | all(. as $p | $n | index($p) != null)' <<<"$BODY"
check "the installed migrations were applied" eq \
    "$(psql_q "SELECT count(*) FROM schema_migrations" 2>/dev/null)" "$(ls "$IT_SRC/db/migrations" | wc -l)"
it_done
