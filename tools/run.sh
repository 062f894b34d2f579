#!/usr/bin/env bash
# Installs what is missing, builds, and serves the API on http://127.0.0.1:4566
# with state under ./.keyfleet. Extra arguments go to `keyfleet serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh build
exec build/keyfleet serve --host 127.0.0.1 --port 4566 --data-dir ./.keyfleet "$@"
