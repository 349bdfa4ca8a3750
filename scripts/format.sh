#!/usr/bin/env bash
# scripts/format.sh - the committed .clang-format applied to every tracked .c/.h file.
#
# Usage: scripts/format.sh          check: lists the files clang-format would change, exit 1 if any
#        scripts/format.sh --fix    rewrites them in place
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
command -v clang-format >/dev/null || { echo "format: clang-format is not installed (scripts/install-deps.sh)" >&2; exit 1; }
mapfile -t files < <(git ls-files '*.c' '*.h')
if [[ "${1:-}" == --fix ]]; then
    clang-format -i "${files[@]}"
    exit 0
fi
bad=()
for f in "${files[@]}"; do
    clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if ((${#bad[@]})); then
    printf 'format: %s would change (run scripts/format.sh --fix)\n' "${bad[@]}" >&2
    exit 1
fi
echo "format: ok (${#files[@]} files)"
