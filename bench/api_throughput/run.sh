#!/usr/bin/env bash
# API throughput: signed DescribeCacheSubnetGroups per second and p50/p99 latency at
# 1, 8 and 64 connections, keyfleet and moto_server side by side in one run (wrk
# replaying one pre-signed request), then cold start of each. Prints markdown for
# docs/PERFORMANCE.md; raw wrk output goes to stderr only when a run fails.
#
# Settings (environment):
#   CONNECTIONS="1 8 64"   DURATION=10 (s, keyfleet)   MOTO_DURATION=10 (s)   COLD_RUNS=5
#   SUBNET_GROUPS=5 (subnet groups seeded in each server)   IO_THREADS= (keyfleet --io-threads; empty: its default)
#   KEYFLEET_BIN=build/keyfleet   MOTO_SERVER= (default: moto_server on PATH, pyenv shim resolved)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
CONNECTIONS=${CONNECTIONS:-"1 8 64"}
DURATION=${DURATION:-10}
MOTO_DURATION=${MOTO_DURATION:-10}
COLD_RUNS=${COLD_RUNS:-5}
SUBNET_GROUPS=${SUBNET_GROUPS:-5}
IO_THREADS=${IO_THREADS:-}
KEYFLEET_BIN=${KEYFLEET_BIN:-$root/build/keyfleet}

die() {
    echo "api_throughput: $*" >&2
    exit 1
}

# --- what the benchmark needs -------------------------------------------------
command -v wrk >/dev/null || die "wrk is missing: run tools/setup.sh bench (Debian package wrk)"
command -v curl >/dev/null || die "curl is missing: run tools/setup.sh bench"
[ -x "$KEYFLEET_BIN" ] || die "no keyfleet binary at $KEYFLEET_BIN: run tools/build.sh"
python=
for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import botocore' 2>/dev/null; then
        python=$candidate
        break
    fi
done
[ -n "$python" ] || die "no python3 with botocore: run tools/setup.sh bench"
if [ -z "${MOTO_SERVER:-}" ]; then
    # A pyenv shim is a bash script that would add its own start-up to moto's cold start.
    MOTO_SERVER=$( (command -v pyenv >/dev/null && pyenv which moto_server 2>/dev/null) || command -v moto_server) ||
        die "moto_server is missing: pip install 'moto[server]'"
fi

# --- processes, cleaned up on any exit ------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/keyfleet-bench-api.XXXXXX")
keyfleet_pid=
moto_pid=
cleanup() {
    local status=$?
    for pid in $keyfleet_pid $moto_pid; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ "$status" -ne 0 ]; then
        for log in "$work"/*.log; do
            [ -s "$log" ] && { echo "--- $(basename "$log") (last 20 lines) ---" >&2; tail -n 20 "$log" >&2; }
        done
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_until SECONDS command...: polls every 20 ms until the command succeeds.
wait_until() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || die "timed out waiting for: $*"
        sleep 0.02
    done
}

keyfleet_port=$(free_port)
keyfleet_flags=(--host 127.0.0.1 --port "$keyfleet_port" --data-dir "$work/data" --log-level warn)
[ -n "$IO_THREADS" ] && keyfleet_flags+=(--io-threads "$IO_THREADS")
"$KEYFLEET_BIN" serve "${keyfleet_flags[@]}" >"$work/keyfleet.log" 2>&1 &
keyfleet_pid=$!
moto_port=$(free_port)
"$MOTO_SERVER" -H 127.0.0.1 -p "$moto_port" >"$work/moto.log" 2>&1 &
moto_pid=$!
wait_until 20 curl -fsS "http://127.0.0.1:$keyfleet_port/_keyfleet/health"
wait_until 30 curl -fsS "http://127.0.0.1:$moto_port/"

declare -A endpoint=([keyfleet]="http://127.0.0.1:$keyfleet_port" [moto]="http://127.0.0.1:$moto_port")
declare -A server_pid=([keyfleet]=$keyfleet_pid [moto]=$moto_pid)
for server in keyfleet moto; do
    "$python" "$here/signed_request.py" seed "${endpoint[$server]}" "$SUBNET_GROUPS"
done

# CPU a server used (user + system, all threads, in clock ticks): a cost per request
# that the noisy neighbours of a shared machine disturb far less than req/s.
ticks_per_second=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# --- load: per connection count, keyfleet then moto, so both see the same machine --
started=$(date -u '+%Y-%m-%d %H:%M UTC')
cores=$(nproc)
load_average=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$work/load.jsonl"
# run_load NAME SERVER CONNECTIONS DURATION [BODY]: one wrk run of a signed request,
# appended to load.jsonl under NAME.
run_load() {
    local name=$1 server=$2 connections=$3 duration=$4 body=${5:-}
    local threads=$((connections < cores ? connections : cores))   # wrk needs threads <= connections
    # Signed afresh for each run, so a long run never replays past the 15-minute
    # SigV4 window; prepare also checks the server answers this very request with 200.
    "$python" "$here/signed_request.py" prepare "${endpoint[$server]}" "$work/request_$name.lua" ${body:+"$body"} |
        tee "$work/answer_$name.txt" >&2
    echo "api_throughput: $name, $connections connections, $threads wrk threads, ${duration}s" >&2
    local pid=${server_pid[$server]} cpu_before result cpu_ticks_used
    cpu_before=$(cpu_ticks "$pid")
    REPLAY_REQUEST="$work/request_$name.lua" wrk --latency -t "$threads" -c "$connections" -d "${duration}s" \
        -s "$here/replay.lua" "${endpoint[$server]}/" >"$work/wrk.out" ||
        { cat "$work/wrk.out" >&2; die "wrk failed against $server"; }
    cpu_ticks_used=$(($(cpu_ticks "$pid") - cpu_before))
    result=$(sed -n 's/^REPLAY_RESULT //p' "$work/wrk.out")
    [ -n "$result" ] || { cat "$work/wrk.out" >&2; die "no result from wrk against $server"; }
    case "$result" in
    *'"status_errors": 0,'*) ;;
    *) cat "$work/wrk.out" >&2; die "$server answered some replayed requests with status > 399: not a valid run" ;;
    esac
    echo "{\"server\": \"$name\", \"connections\": $connections, \"cpu_us\": $((cpu_ticks_used * 1000000 / ticks_per_second)), ${result#\{}" >>"$work/load.jsonl"
}

# DescribeCacheParameters of default.redis7, every parameter in one page (MaxRecords
# 100 holds the whole catalog): keyfleet only, moto does not implement it.
parameters_body="Action=DescribeCacheParameters&Version=2015-02-02&CacheParameterGroupName=default.redis7&MaxRecords=100"
for connections in $CONNECTIONS; do
    run_load keyfleet keyfleet "$connections" "$DURATION"
    run_load moto moto "$connections" "$MOTO_DURATION"
    run_load keyfleet-parameters keyfleet "$connections" "$DURATION" "$parameters_body"
done

# --- cold start: fresh processes (keyfleet on a fresh data dir each time) ----------
echo "api_throughput: cold start, $COLD_RUNS runs each" >&2
(cd "$here" && "$python" cold_start.py "$COLD_RUNS" keyfleet "$KEYFLEET_BIN") >"$work/cold_keyfleet.json"
(cd "$here" && "$python" cold_start.py "$COLD_RUNS" moto "$MOTO_SERVER") >"$work/cold_moto.json"

# --- report ------------------------------------------------------------------------
io_threads_used=${IO_THREADS:-"default ($(( cores < 4 ? cores : 4 )): min(cores, 4))"}
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$(dirname "$KEYFLEET_BIN")/CMakeCache.txt" 2>/dev/null || true)
cat >"$work/settings.md" <<EOF
- Date: $started
- Command: \`CONNECTIONS="$CONNECTIONS" DURATION=$DURATION MOTO_DURATION=$MOTO_DURATION COLD_RUNS=$COLD_RUNS SUBNET_GROUPS=$SUBNET_GROUPS${IO_THREADS:+ IO_THREADS=$IO_THREADS} bench/api_throughput/run.sh\`
- Machine: $cores cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), Linux $(uname -r); wrk and both servers share these cores; load average $load_average before the load
- keyfleet: $("$KEYFLEET_BIN" --version) (${build_type:-unknown} build), \`--log-level warn\`, --io-threads $io_threads_used, fresh data dir
- moto_server: $("$python" -c 'import importlib.metadata as m; print(m.version("moto"))' 2>/dev/null || echo "?") (\`$MOTO_SERVER\`); $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)
- Request: POST \`Action=DescribeCacheSubnetGroups&Version=2015-02-02\`, SigV4-signed by botocore, replayed by wrk; $SUBNET_GROUPS subnet groups seeded in each server; answers: keyfleet $(sed 's/.*answered 200, //' "$work/answer_keyfleet.txt") (its computed \`default\` group included), moto $(sed 's/.*answered 200, //' "$work/answer_moto.txt")
- DescribeCacheParameters: POST \`$parameters_body\`; keyfleet answered $(sed 's/.*answered 200, //' "$work/answer_keyfleet-parameters.txt")
- Checks: before each run the signed request must get 200 with a DescribeCacheSubnetGroupsResult; a run with any wrk-counted answer over 399 fails
- Load: ${DURATION}s per connection count for keyfleet, ${MOTO_DURATION}s for moto; wrk threads = min(connections, $cores)
EOF
"$python" "$here/report.py" "$work"
