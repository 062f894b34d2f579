#!/usr/bin/env bash
# Failover: time from kill -9 (or SIGSTOP) of a primary's redis-server to the first successful
# write, keyfleet beside Redis Cluster and redis-sentinel at their defaults; see run.py, which
# starts every process on loopback and stops them all on exit (Ctrl-C included).
# Settings (environment): RUNS=5, PEER_RUNS=3, PEERS=1 (0 skips the peers), KEYFLEET_BIN, KEYFLEET_LOG.
set -euo pipefail
for tool in redis-server redis-cli ss; do
    command -v "$tool" >/dev/null || { echo "failover: $tool is missing: run tools/setup.sh test" >&2; exit 1; }
done
python3 -c 'import boto3' 2>/dev/null || { echo "failover: no python3 with boto3: run tools/setup.sh test" >&2; exit 1; }
exec python3 "$(dirname "$0")/run.py" "$@"
