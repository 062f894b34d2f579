#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit (Catch2),
# integration (real server + aws CLI, boto3, redis-cli) and Terraform cases.
# Extra arguments go to ctest, e.g. tools/test.sh -L unit   or   -R subnet
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh test
# How many tests run at once, and why: see tests/CMakeLists.txt.
exec ctest --test-dir build --output-on-failure -j6 --resource-spec-file "$PWD/tests/ctest_resources.json" "$@"
