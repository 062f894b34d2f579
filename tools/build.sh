#!/usr/bin/env bash
# Configures (once) and builds keyfleet into build/; the binary is build/keyfleet.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh "${1:-build}"
if [ ! -f build/build.ninja ]; then
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build build -- -j"$(nproc)"
