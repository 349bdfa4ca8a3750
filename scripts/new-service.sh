#!/usr/bin/env bash
# scripts/new-service.sh - creates a working MCP service from the service template (docs/adding-a-service.md).
#
#   scripts/new-service.sh NAME --provider P --port N [--display-name TEXT] [--description TEXT] [--scopes "A B"]
#                          [--api-base URL]
#
# Creates, from scripts/templates/service/*.in (placeholders tmplsvc, TMPLSVC, tmplprovider, TMPLDISPLAY, TMPLAPIBASE):
#   mcp-servers/NAME/        CMakeLists.txt (mcp_service), main.c, tools.c, tools_items.c, api.c, NAME.h,
#                            schemas/list_items.{input,output}.json: one tool, list_items, a paged GET /v1/items
#   tests/interop/fake-NAME.mjs, tests/interop/NAME-test.mjs   the fake API and the SDK-client test
# and registers the service in config/services.json (port N, provider P, active) and its interop test in
# tests/mcp-servers/tests.cmake (interop_mcp_NAME). CMake picks up the folder by itself.
#
# Refuses, changing nothing: a NAME that is not 2..32 of [a-z0-9] starting with a letter, a NAME already used (a
# folder, a registry entry or a test file), a port outside 1024..65535 or already used by another service or the
# broker, a provider that config/broker.json does not configure (its "providers", and custom's named providers).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
templates="$root/scripts/templates/service"
services_file="$root/config/services.json"
broker_file="$root/config/broker.json"
tests_file="$root/tests/mcp-servers/tests.cmake"

die() {
    printf 'new-service: %s\n' "$*" >&2
    exit 1
}
usage() {
    sed -n '4,5p' "${BASH_SOURCE[0]}" | sed 's/^# *//' >&2
    exit 2
}

name="" provider="" port="" display="" description="" scopes="" api_base="https://api.example.com"
while (($#)); do
    case "$1" in
    --provider | --port | --display-name | --description | --scopes | --api-base)
        (($# >= 2)) || die "$1 needs a value"
        case "$1" in
        --provider) provider="$2" ;;
        --port) port="$2" ;;
        --display-name) display="$2" ;;
        --description) description="$2" ;;
        --scopes) scopes="$2" ;;
        --api-base) api_base="$2" ;;
        esac
        shift 2
        ;;
    -h | --help) usage ;;
    -*) die "unknown option $1" ;;
    *)
        [[ -z "$name" ]] || die "one NAME only (got '$name' and '$1')"
        name="$1"
        shift
        ;;
    esac
done
[[ -n "$name" && -n "$provider" && -n "$port" ]] || usage
command -v jq >/dev/null || die "jq is missing (scripts/install-deps.sh)"

# ---- checks (all before the first write) ----
[[ "$name" =~ ^[a-z][a-z0-9]{1,31}$ ]] ||
    die "bad service name '$name': use 2..32 lower-case letters and digits, starting with a letter (it names the folder, the binary mcp-$name, C symbols and the registry entry)"
case "$name" in runtime | cmake | service) die "'$name' is reserved (a folder of mcp-servers/ or the template)" ;; esac
[[ ! -e "$root/mcp-servers/$name" ]] || die "service '$name' exists already (mcp-servers/$name)"
[[ ! -e "$root/tests/interop/fake-$name.mjs" && ! -e "$root/tests/interop/$name-test.mjs" ]] ||
    die "service '$name' exists already (tests/interop/fake-$name.mjs or $name-test.mjs)"
if jq -e --arg n "$name" 'any(.[]; .service_name == $n)' "$services_file" >/dev/null; then
    die "service '$name' exists already in config/services.json"
fi
! grep -q "interop_mcp_$name " "$tests_file" || die "a test interop_mcp_$name is registered already ($tests_file)"

[[ "$port" =~ ^[1-9][0-9]{3,4}$ ]] && ((port >= 1024 && port <= 65535)) || die "bad port '$port': use 1024..65535"
taken="$(jq -r --argjson p "$port" '.[] | select(.port == $p) | .service_name' "$services_file")"
[[ -z "$taken" ]] || die "port $port is used by service '$taken' in config/services.json"
broker_port="$(jq -r '.listen.port // 3001' "$broker_file")"
[[ "$port" != "$broker_port" ]] || die "port $port is the broker's (config/broker.json listen.port)"

mapfile -t providers < <(jq -r '.providers | (keys[] | select(. != "custom")), (.custom.providers // [] | .[].name)' "$broker_file")
known=0
for p in "${providers[@]}"; do [[ "$p" == "$provider" ]] && known=1; done
((known)) || die "unknown provider '$provider': config/broker.json configures ${providers[*]}"

[[ "$api_base" =~ ^https?://[A-Za-z0-9.:/_~%-]+$ ]] || die "bad --api-base '$api_base': an http(s) URL without query"
[[ -n "$display" ]] || display="${name^}"
[[ -n "$description" ]] || description="$display tools (made by scripts/new-service.sh; describe what it offers)."
[[ "$display" =~ ^[A-Za-z0-9][A-Za-z0-9\ ._()-]{0,63}$ ]] ||
    die "bad --display-name '$display': up to 64 letters, digits, spaces and . _ ( ) -"
[[ "$description" != *$'\n'* ]] || die "--description is one line"

# ---- write ----
upper="${name^^}"
# render TEMPLATE DEST: scripts/templates/service/TEMPLATE.in with its placeholders replaced
render() {
    mkdir -p "$(dirname "$2")"
    sed -e "s|tmplsvc|$name|g" -e "s|TMPLSVC|$upper|g" -e "s|tmplprovider|$provider|g" \
        -e "s|TMPLDISPLAY|$display|g" -e "s|TMPLAPIBASE|$api_base|g" "$templates/$1.in" >"$2"
}
svc_dir="$root/mcp-servers/$name"
created=("$svc_dir" "$root/tests/interop/fake-$name.mjs" "$root/tests/interop/$name-test.mjs")
undo() {
    rm -rf "${created[@]}"
    die "failed while writing; what it had created is removed"
}
trap undo ERR
for f in CMakeLists.txt main.c tools.c tools_items.c api.c schemas/list_items.input.json \
    schemas/list_items.output.json; do
    render "$f" "$svc_dir/$f"
done
render tmplsvc.h "$svc_dir/$name.h"
render fake.mjs "$root/tests/interop/fake-$name.mjs"
render test.mjs "$root/tests/interop/$name-test.mjs"
if command -v clang-format >/dev/null; then # a longer name may move a line break
    clang-format -i "$svc_dir"/*.c "$svc_dir"/*.h
fi

tmp="$(mktemp "$services_file.XXXXXX")"
jq --indent 2 --arg n "$name" --arg d "$display" --arg desc "$description" --argjson p "$port" --arg pr "$provider" \
    --arg s "$scopes" '. + [{service_name: $n, display_name: $d, description: $desc, icon_path: null, port: $p,
    type: "oauth", provider: $pr, default_scopes: (if $s == "" then null else $s end), active: true}]' \
    "$services_file" >"$tmp"
mv "$tmp" "$services_file"
printf 'ob_script_test(interop_mcp_%s interop/run-service.sh %s %s_API_BASE)\n' "$name" "$name" "$upper" >>"$tests_file"
trap - ERR

cat <<EOF
new-service: created mcp-$name (provider $provider, port $port)
  mcp-servers/$name/            main.c tools.c tools_items.c api.c $name.h schemas/ CMakeLists.txt
  tests/interop/fake-$name.mjs  the fake API;  tests/interop/$name-test.mjs  the interop test (interop_mcp_$name)
  config/services.json          the registry entry;  tests/mcp-servers/tests.cmake  the test registration
next:
  cmake -S . -B build && cmake --build build --target mcp-$name
  ctest --test-dir build -R interop_mcp_$name --output-on-failure
  scripts/run.sh   (starts it on port $port with the broker; ${upper}_API_BASE points it at another API base)
EOF
