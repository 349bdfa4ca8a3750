#!/usr/bin/env bash
# scripts/install-deps.sh - installs the Debian packages the project needs to build, test and run.
# Idempotent and silent when everything is installed; runs apt-get (update + install) only for what
# is missing. Needs root (or sudo) only in that case.
set -euo pipefail

packages=(
    build-essential cmake pkg-config                                   # toolchain
    libh2o-evloop-dev libh2o-dev-common libjansson-dev libcurl4-openssl-dev libpq-dev libssl-dev
    libcunit1-dev                                                      # libraries + unit tests
    valgrind                                                           # memcheck of the tests (scripts/valgrind.sh)
    postgresql                                                         # the embedded test/dev database
    curl ca-certificates jq clang-format                               # scripts, format check
    iproute2                                                           # the tests' network namespace (scripts/test.sh)
    wrk chromium                                                       # benchmarks, browser tests
    systemd                                                            # systemd-analyze verify of the installed units
    prometheus                                                         # promtool check metrics (tests)
    clang-14 libclang-rt-14-dev                                        # libFuzzer targets (tests/fuzz)
)

missing=()
for pkg in "${packages[@]}"; do
    status="$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)"
    [[ "$status" == ii* ]] || missing+=("$pkg")
done
# Node.js may come from Debian or elsewhere (NodeSource bundles npm): look for the commands.
if ! command -v node >/dev/null 2>&1; then
    missing+=(nodejs npm)
elif ! command -v npm >/dev/null 2>&1; then
    missing+=(npm)
fi

((${#missing[@]} == 0)) && exit 0

sudo=()
if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 || {
        echo "error: missing packages (${missing[*]}) and not root; install them as root" >&2
        exit 1
    }
    sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp /tmp/install-deps.XXXXXX.log)"
if ! { "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq &&
    "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0 install -y -qq "${missing[@]}"; } >"$log" 2>&1; then
    echo "error: apt-get failed; last lines of $log:" >&2
    tail -n 20 "$log" >&2
    exit 1
fi
rm -f "$log"
echo "install-deps: done"
