#!/usr/bin/env bash
# schema_embed_test.sh - mcp-schema-embed, the build step of a service's schemas/: it refuses (exit 1, naming the file,
# writing nothing) invalid JSON, duplicate keys, a non-object, a badly named file, an input schema that is not
# "type": "object", a pattern the runtime cannot compile and a broken output schema; valid schemas become C strings
# that compile and hold the same JSON.
set -u
BUILD=${OB_BUILD_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/build}
TOOL=$BUILD/mcp-servers/mcp-schema-embed
[ -x "$TOOL" ] || { echo "missing $TOOL (build target mcp-schema-embed)"; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0
check() {
    if [ "$2" = 0 ]; then passed=$((passed + 1)); echo "ok - $1"; else failed=$((failed + 1)); echo "not ok - $1"; fi
}
GOOD_IN='{"type": "object", "properties": {"q": {"type": "string", "pattern": "^[a-z]+\\d?$", "description": "caf\u00e9 \"x\" ??="}}}'
GOOD_OUT='{"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}'

# refused FILE CONTENT MESSAGE-REGEX [OTHER FILE CONTENT]: exit 1, the message names FILE, no output written
refused() {
    local what=$1 file=$2 content=$3 re=$4 dir out rc
    dir=$(mktemp -d "$WORK/case.XXXX")
    printf '%s\n' "$content" >"$dir/$file"
    shift 4
    [ $# -eq 2 ] && printf '%s\n' "$2" >"$dir/$1"
    out=$("$TOOL" "$dir/out.c" "$dir/out.h" "$dir"/*.json 2>&1)
    rc=$?
    [ $rc -eq 1 ] && echo "$out" | grep -Eq -- "$file.*$re" && [ ! -e "$dir/out.c" ] && [ ! -e "$dir/out.h" ]
    local verdict=$? # before the command substitution below resets $?
    check "refused: $what ($(echo "$out" | head -1 | sed 's#.*/##'))" $verdict
}
refused "invalid JSON, with line and column" t.input.json '{"type": "object",' ':2:[0-9]+: error: invalid JSON'
refused "a duplicate key" t.input.json '{"type": "object", "type": "object"}' 'error: invalid JSON: duplicate object key'
refused "a JSON array" t.input.json '[1]' 'must be a JSON object'
refused "a file name without .input/.output" t.json "$GOOD_IN" 'named <tool>.input.json or <tool>.output.json'
refused "a tool name that is no C identifier part" bad-name.input.json "$GOOD_IN" 'named <tool>.input.json'
refused "an input schema that is not type object" t.input.json '{"type": "string"}' 'inputSchema must have "type": "object"'
refused "a pattern the runtime rejects" t.input.json '{"type": "object", "properties": {"a": {"type": "string", "pattern": "(a)\\1"}}}' 'error: inputSchema'
refused "an unknown type" t.input.json '{"type": "object", "properties": {"a": {"type": "strin"}}}' 'error: inputSchema'
refused "a broken output schema (next to a good input)" t.output.json '{"type": "object", "required": "n"}' 'error: outputSchema' t.input.json "$GOOD_IN"

# accepted: a pair and a tool with an output schema only; the generated C compiles and holds the same JSON
mkdir -p "$WORK/ok"
printf '%s\n' "$GOOD_IN" >"$WORK/ok/find.input.json"
printf '%s\n' "$GOOD_OUT" >"$WORK/ok/find.output.json"
printf '%s\n' "$GOOD_OUT" >"$WORK/ok/count.output.json"
"$TOOL" "$WORK/ok/schemas.c" "$WORK/ok/schemas.h" "$WORK"/ok/*.json
check "valid schemas are accepted" $?
cat >"$WORK/ok/main.c" <<'C'
#include "schemas.h"
#include <stdio.h>
int main(void)
{
    printf("%s\n%s\n%s\n", schema_find_input, schema_find_output, schema_count_output);
    return 0;
}
C
cc -Wall -Wextra -Werror -I"$WORK/ok" -o "$WORK/ok/dump" "$WORK/ok/main.c" "$WORK/ok/schemas.c" &&
    "$WORK/ok/dump" >"$WORK/ok/dumped"
check "the generated C compiles without warnings" $?
expected=$(printf '%s\n%s\n%s\n' "$GOOD_IN" "$GOOD_OUT" "$GOOD_OUT" | jq -c .)
[ "$(jq -c . "$WORK/ok/dumped")" = "$expected" ]
check "the embedded strings are the same JSON, key order kept" $?

echo "# $passed passed, $failed failed"
[ $failed -eq 0 ]
