#!/usr/bin/env bash
# scripts/layering.sh - the layering check: every #include of every .c/.h file obeys the rules file (LAYERS at the
# repository root; its header says how to read it), and no two folders include each other, directly or around a
# circle.
#
# Usage: scripts/layering.sh [--root DIR] [--rules FILE]
#   --root DIR     the tree to check (default: the repository root); paths in messages are relative to it
#   --rules FILE   the rules (default: DIR/LAYERS)
#
# Each #include "name" resolves to the file it names: first the including file's own directory (relative paths
# such as "../x.h" too), then each @search root of the rules in order. #include <name> resolves through the @search
# roots only; when none has it, it is a system header and always allowed. A quoted include that names no file of the
# tree fails unless the rules list it under @external (a generated header). Prints one line per broken rule
# (FILE:LINE, the include, the file it resolved to, the rule and what it allows) and one per circle, and exits 1;
# prints "layering: ok (...)" and exits 0 otherwise. Needs bash, find and a POSIX awk (mawk or gawk).
# Every line that starts with #include counts, also one inside a comment or an #if 0 block (keep none there).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
rules=""
while (($#)); do
    case "$1" in
    --root) root="$(cd "$2" && pwd)" && shift 2 ;;
    --rules) rules="$2" && shift 2 ;;
    *)
        echo "usage: scripts/layering.sh [--root DIR] [--rules FILE]" >&2
        exit 2
        ;;
    esac
done
rules="${rules:-$root/LAYERS}"
[[ -f "$rules" ]] || {
    echo "layering: no rules file $rules" >&2
    exit 2
}
rules="$(cd "$(dirname "$rules")" && pwd)/$(basename "$rules")"
cd "$root"

list="$(mktemp)"
trap 'rm -f "$list"' EXIT
# the sources: every .c/.h below the root, without build trees, installed packages and runtime state
find . \( -type d \( -name node_modules -o -name '.git' -o -name 'build*' -o -path ./var \) -prune \) \
    -o -type f \( -name '*.c' -o -name '*.h' \) -print | sed 's#^\./##' | LC_ALL=C sort >"$list"

exec awk -v RULES="$rules" -f "$here/lib/layering.awk" "$list"
