#!/usr/bin/env bash
# Regenerates api-schemas/redis-config-names.json: the configuration directives
# the installed redis-server knows (CONFIG GET *), which decides which parameter
# group values go into a node's redis.conf as they are.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save "" >/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.05; done
version=$(redis-server --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p')
redis-cli -p "$port" config get '*' | awk 'NR % 2 == 1' | sort |
    python3 -c 'import json, sys; print(json.dumps({"redisServerVersion": sys.argv[1], "directives": sys.stdin.read().split()}, indent=1))' "$version" \
    >api-schemas/redis-config-names.json
echo "wrote api-schemas/redis-config-names.json (redis-server $version)"
