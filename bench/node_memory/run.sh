#!/usr/bin/env bash
# keyfleet and node memory with N single-node clusters running; see run.py. Settings: N=100, KEYFLEET_BIN.
set -euo pipefail
exec python3 "$(dirname "$0")/run.py" "$@"
