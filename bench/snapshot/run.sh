#!/usr/bin/env bash
# Snapshot and restore timings beside a raw BGSAVE and a plain redis-server load; see run.py.
# Settings: RUNS=3, KEYS=1000000, KEYFLEET_BIN.
set -euo pipefail
exec python3 "$(dirname "$0")/run.py" "$@"
