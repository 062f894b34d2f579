#!/usr/bin/env bash
# Configures (once) and builds keyfleet into build/; the binary is build/keyfleet.
# `tools/build.sh` (or `build`) builds the server alone; `tools/build.sh test` also
# builds the tests and their tools.
set -euo pipefail
cd "$(dirname "$0")/.."
purpose=${1:-build}
tools/setup.sh "$purpose"
# Paths in ccache's keys relative to this checkout: another checkout of the same
# sources (a worktree, the README test's copy) reuses this one's objects.
export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=true
if [ ! -f build/build.ninja ]; then
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
targets=()
[ "$purpose" != build ] || targets=(--target keyfleet)
cmake --build build "${targets[@]}" -- -j"$(nproc)"
