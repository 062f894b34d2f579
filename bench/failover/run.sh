#!/usr/bin/env bash
# Failover timings beside Redis Cluster and redis-sentinel defaults; see run.py.
# Settings: RUNS=5, PEER_RUNS=3, PEERS=1 (0 skips the peers, ~3 min), KEYFLEET_BIN.
set -euo pipefail
exec python3 "$(dirname "$0")/run.py" "$@"
