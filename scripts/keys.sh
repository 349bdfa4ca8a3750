#!/usr/bin/env bash
# scripts/keys.sh - generates the broker's keys that are missing, into $VAR_DIR/keys (mode 0600,
# directories 0700), and prints where they are. Never overwrites an existing key.
#
#   $VAR_DIR/keys/data.keys               the data encryption key ring: lines "<key id> <64 hex chars>";
#                                         the LAST line is the newest key (encrypts), every line decrypts
#   $VAR_DIR/keys/admin.key               the admin key (Authorization: Bearer on the admin API); the broker
#                                         keeps only its SHA-256 (printed, for keys.admin_key_sha256)
#   $VAR_DIR/keys/services/<svc>.secret   one secret per MCP service (active services of services.json),
#                                         shared with that MCP server (MCP_SERVICE_SECRET_FILE)
#
# Usage: scripts/keys.sh [--add-data-key] [--quiet]
#   --add-data-key   appends a NEW data key (key rotation, step 1). Then restart the broker(s) so every
#                    replica knows it, run `oauth-service rotate-keys` (step 2), and only after that remove
#                    the old line (step 3).
# Environment: VAR_DIR (default <repo>/var), OB_SERVICES_FILE (default config/services.json).
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

keys_dir="$VAR_DIR/keys"
services_file="${OB_SERVICES_FILE:-$OB_ROOT/config/services.json}"
add_data_key=0
quiet=0
for arg in "$@"; do
    case "$arg" in
    --add-data-key) add_data_key=1 ;;
    --quiet) quiet=1 ;;
    -h | --help)
        sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *) ob_die "unknown argument \"$arg\" (see --help)" ;;
    esac
done

say() { ((quiet)) || ob_say "$@"; }
hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
data_key_line() { printf 'k%s-%s %s\n' "$(date -u +%Y%m%dT%H%M%SZ)" "$(hex 2)" "$(hex 32)"; }

(umask 077 && mkdir -p "$keys_dir/services")
chmod 0700 "$keys_dir" "$keys_dir/services"

data="$keys_dir/data.keys"
if [[ ! -s "$data" ]]; then
    (umask 077 && {
        printf '# oauth-service data encryption keys: "<key id> <64 hex>"; the last line encrypts, all decrypt.\n'
        data_key_line
    } >"$data.tmp" && mv "$data.tmp" "$data")
    say "keys: generated the data key ring $data"
elif ((add_data_key)); then
    (umask 077 && data_key_line >>"$data")
    say "keys: added a new data key to $data; restart the broker(s), then run: oauth-service rotate-keys"
fi
chmod 0600 "$data"

admin="$keys_dir/admin.key"
if [[ ! -s "$admin" ]]; then
    (umask 077 && hex 32 >"$admin.tmp" && mv "$admin.tmp" "$admin")
    say "keys: generated the admin key $admin"
fi
chmod 0600 "$admin"
say "keys: admin key sha256 (keys.admin_key_sha256): $(tr -d '\r\n' <"$admin" | sha256sum | cut -c1-64)"

if [[ -f "$services_file" ]] && command -v jq >/dev/null; then
    count=0
    while read -r service; do
        [[ "$service" =~ ^[a-z0-9_-]{1,64}$ ]] || continue
        file="$keys_dir/services/$service.secret"
        if [[ ! -s "$file" ]]; then
            (umask 077 && hex 32 >"$file.tmp" && mv "$file.tmp" "$file")
            count=$((count + 1))
        fi
        chmod 0600 "$file"
    done < <(jq -r '.[] | select(.active != false) | .service_name' "$services_file")
    ((count == 0)) || say "keys: generated $count service secret(s) in $keys_dir/services"
fi
say "keys: $keys_dir"
