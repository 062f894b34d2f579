# Shared helpers for integration tests: start a real `keyfleet serve` on a free
# loopback port with a temporary data dir, drive it with the real aws CLI, wait
# by polling against a deadline, and clean up everything on exit.
#
#   . "$(dirname "$0")/lib.sh"
#   start_keyfleet
#   ec create-cache-subnet-group ...          # aws elasticache against it
#   expect_error CacheSubnetGroupNotFoundFault ec describe-cache-subnet-groups --cache-subnet-group-name nope
set -euo pipefail

KEYFLEET_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KEYFLEET_BIN=${KEYFLEET_BIN:-$KEYFLEET_ROOT/build/keyfleet}
TEST_NAME=$(basename "$0" .sh)
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/keyfleet-$TEST_NAME.XXXXXX")
KEYFLEET_PID=
KEYFLEET_PORT=
KEYFLEET_DATA=$TEST_TMP/data
KEYFLEET_LOG=$TEST_TMP/keyfleet.log

# The aws CLI must not read the developer's own config or credentials.
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=$TEST_TMP/aws-config AWS_SHARED_CREDENTIALS_FILE=$TEST_TMP/aws-credentials
export AWS_PAGER="" AWS_MAX_ATTEMPTS=1 AWS_RETRY_MODE=standard
unset AWS_SESSION_TOKEN AWS_PROFILE

cleanup() {
    local status=$?
    stop_keyfleet || true
    if [ "$status" -ne 0 ] && [ -f "$KEYFLEET_LOG" ]; then
        echo "--- keyfleet log (last 40 lines) ---" >&2
        tail -n 40 "$KEYFLEET_LOG" >&2
    fi
    rm -rf "$TEST_TMP"
    exit "$status"
}
trap cleanup EXIT

fail() {
    echo "FAIL [$TEST_NAME]: $*" >&2
    exit 1
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_until SECONDS command...: polls (every 50 ms) until the command succeeds.
wait_until() {
    local seconds=$1
    shift
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || fail "timed out after ${seconds}s waiting for: $*"
        sleep 0.05
    done
}

keyfleet_healthy() {
    curl -fsS "http://127.0.0.1:$KEYFLEET_PORT/_keyfleet/health" >/dev/null
}

# start_keyfleet [extra serve flags...]: on the same data dir and port when called again.
start_keyfleet() {
    [ -x "$KEYFLEET_BIN" ] || fail "no keyfleet binary at $KEYFLEET_BIN (build first)"
    KEYFLEET_PORT=${KEYFLEET_PORT:-$(free_port)}
    "$KEYFLEET_BIN" serve --host 127.0.0.1 --port "$KEYFLEET_PORT" --data-dir "$KEYFLEET_DATA" "$@" \
        >>"$KEYFLEET_LOG" 2>&1 &
    KEYFLEET_PID=$!
    wait_until 20 keyfleet_healthy
}

# stop_keyfleet [signal]: TERM by default; waits for the process to exit.
stop_keyfleet() {
    local signal=${1:-TERM}
    [ -n "$KEYFLEET_PID" ] || return 0
    kill "-$signal" "$KEYFLEET_PID" 2>/dev/null || true
    wait "$KEYFLEET_PID" 2>/dev/null || true
    KEYFLEET_PID=
}

endpoint() { echo "http://127.0.0.1:$KEYFLEET_PORT"; }

# aws elasticache against the server under test, JSON output.
ec() {
    aws elasticache --endpoint-url "$(endpoint)" --output json "$@"
}

# expect_error CODE command...: the command must fail with that AWS error code.
expect_error() {
    local code=$1
    shift
    local output
    if output=$("$@" 2>&1); then
        fail "expected $code, but succeeded: $*"
    fi
    case "$output" in
    *"($code)"*) ;;
    *) fail "expected $code from: $*; got: $output" ;;
    esac
}

# assert_eq EXPECTED ACTUAL [what]
assert_eq() {
    [ "$1" = "$2" ] || fail "${3:-value}: expected '$1', got '$2'"
}

# A python with boto3 (the aws CLI's own, or Debian's python3-boto3).
boto3_python() {
    local candidate
    for candidate in python3 /usr/bin/python3; do
        if command -v "$candidate" >/dev/null && "$candidate" -c 'import boto3' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    fail "no python3 with boto3: run tools/setup.sh"
}
