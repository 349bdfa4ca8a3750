#!/usr/bin/env bash
# scripts/lint.sh - the banned-function check of docs/conventions.md.
#
# Scans every .c/.h under common/ providers/ oauth-service/ mcp-servers/ tools/ tests/ (skipping
# node_modules and build directories) for calls to sprintf, vsprintf, strcpy, strcat, strtok,
# atoi, atol, atoll and gets, and for exit() outside files named main.c and outside tests/.
# Comments and string/character literals are ignored; member calls such as ops->exit() are not
# the libc function and are ignored too. Prints file:line: text for each hit and exits 1 on any.
#
# Usage: scripts/lint.sh [PATH...]   (from anywhere; paths are relative to the repository root; default: the folders
#                                    above)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if (($#)); then
    dirs=("$@")
else
    dirs=()
    for d in common providers oauth-service mcp-servers tools tests; do
        [[ -d $d ]] && dirs+=("$d")
    done
    [[ ${#dirs[@]} -eq 0 ]] && exit 0
fi

# one perl for every file: blank out comments and literals (keeping newlines so line numbers hold), then match.
find "${dirs[@]}" \( -type d \( -name node_modules -o -name 'build*' -o -name '.git' \) -prune \) \
    -o -type f \( -name '*.c' -o -name '*.h' \) -print0 | LC_ALL=C sort -z | perl -0 -e '
    my $bad = 0;
    my $banned = qr/(?<![\w.>])(sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|atoll|gets)\s*\(/;
    while (my $file = <STDIN>) {
        chomp $file;
        my $exit_ok = ($file =~ m{(^|/)main\.c$} || $file =~ m{^tests/});
        open(my $fh, "<", $file) or die "$file: $!\n";
        my $src = do { local $/; <$fh> };
        close $fh;
        my @orig = split /\n/, $src, -1;
        $src =~ s{ (/\*.*?\*/) | (//[^\n]*) | ("(?:\\.|[^"\\\n])*") | (\x27(?:\\.|[^\x27\\\n])*\x27) }{
            my $m = $&; $m =~ s/[^\n]/ /g; $m
        }gsex;
        my @lines = split /\n/, $src, -1;
        for my $i (0 .. $#lines) {
            my $l = $lines[$i];
            my @found;
            while ($l =~ /$banned/g) { push @found, $1; }
            push @found, "exit" if !$exit_ok && $l =~ /(?<![\w.>])exit\s*\(/;
            next unless @found;
            (my $text = $orig[$i]) =~ s/^\s+//;
            printf "%s:%d: banned %s: %s\n", $file, $i + 1, join(", ", @found), $text;
            $bad = 1;
        }
    }
    exit $bad;
' || {
    echo "lint: banned functions found (see docs/conventions.md: use snprintf, memcpy with lengths, strtol/strtoll)" >&2
    exit 1
}
echo "lint: ok"
