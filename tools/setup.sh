#!/usr/bin/env bash
# Installs the Debian 12 packages keyfleet needs, and nothing when all are there.
#   tools/setup.sh build   compilers, libraries, redis-server/redis-tools
#   tools/setup.sh test    the above plus what the tests drive: aws CLI, boto3, redis-py, curl, jq
#   tools/setup.sh bench   the above plus wrk
# As root it runs apt-get; otherwise it prints the exact apt-get line and fails.
set -euo pipefail

purpose=${1:-build}
packages=(
    g++ make cmake ninja-build ccache pkg-config
    libboost1.81-dev libboost-json1.81-dev libssl-dev libsqlite3-dev libsqlitecpp-dev
    libcli11-dev catch2 libhiredis-dev liblzf-dev libspdlog-dev libfmt-dev
    redis-server redis-tools curl python3
)
if [ "$purpose" = test ] || [ "$purpose" = bench ]; then
    packages+=(jq)
    # The aws CLI and boto3 may come from elsewhere (pip, pyenv); Debian's are the fallback.
    command -v aws >/dev/null 2>&1 || packages+=(awscli)
    if ! python3 -c 'import boto3' 2>/dev/null && ! /usr/bin/python3 -c 'import boto3' 2>/dev/null; then
        packages+=(python3-boto3)
    fi
    # redis-py's cluster client follows MOVED and ASK while a group reshards.
    if ! python3 -c 'import redis.cluster' 2>/dev/null && ! /usr/bin/python3 -c 'import redis.cluster' 2>/dev/null; then
        packages+=(python3-redis)
    fi
fi
[ "$purpose" = bench ] && packages+=(wrk)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "keyfleet needs these Debian packages; install them with:" >&2
    echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The package starts a system redis on 6379; keyfleet runs its own nodes and needs none.
if command -v service >/dev/null 2>&1; then service redis-server stop >/dev/null 2>&1 || true; fi
