#!/usr/bin/env bash
# Cluster creation timings beside redis-cli --cluster create; see run.py. Settings: RUNS=5, KEYFLEET_BIN.
set -euo pipefail
exec python3 "$(dirname "$0")/run.py" "$@"
