#!/usr/bin/env bash
# scripts/format.sh - the committed .clang-format applied to every tracked .c/.h file (the ctest test format_check).
#
# Usage: scripts/format.sh [--fix] [PATH...]
#   check (default): lists the files clang-format would change, exit 1 if any
#   --fix:           rewrites them in place
#   PATH...:         only the .c/.h files at or below these paths, tracked or not (default: every tracked one)
# The style is always the repository's .clang-format, wherever the files lie.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v clang-format >/dev/null || { echo "format: clang-format is not installed (scripts/install-deps.sh)" >&2; exit 1; }
fix=0
if [[ "${1:-}" == --fix ]]; then
    fix=1
    shift
fi
if (($#)); then
    mapfile -t files < <(find "$@" -type f \( -name '*.c' -o -name '*.h' \) | LC_ALL=C sort)
else
    cd "$root"
    mapfile -t files < <(git ls-files '*.c' '*.h')
fi
((${#files[@]})) || { echo "format: no .c/.h files" >&2; exit 1; }
style="--style=file:$root/.clang-format"
if ((fix)); then
    clang-format "$style" -i "${files[@]}"
    exit 0
fi
# one clang-format for all files: each violation is reported as FILE:LINE:COL: error: ...
rc=0
out="$(clang-format "$style" --dry-run -Werror "${files[@]}" 2>&1 >/dev/null)" || rc=$?
mapfile -t bad < <(sed -n 's/^\(.*\):[0-9]*:[0-9]*: error: .*/\1/p' <<<"$out" | LC_ALL=C sort -u)
if ((${#bad[@]})); then
    printf 'format: %s would change (run scripts/format.sh --fix)\n' "${bad[@]}" >&2
    exit 1
fi
if ((rc != 0)); then
    printf 'format: clang-format failed (exit %d):\n%s\n' "$rc" "$out" >&2
    exit 1
fi
echo "format: ok (${#files[@]} files)"
