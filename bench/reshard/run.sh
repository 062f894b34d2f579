#!/usr/bin/env bash
# Online resharding, keyfleet beside redis-cli --cluster rebalance; see run.py.
# Settings: KEYS=1000000, KEYFLEET_BIN.
set -euo pipefail
exec python3 "$(dirname "$0")/run.py" "$@"
