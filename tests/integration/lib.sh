# Shared helpers for integration tests: start a real `keyfleet serve` on a free
# loopback port with a temporary data dir, drive it with the real aws CLI (`ec`
# runs it through aws_driver.py, which keeps its imports loaded; KEYFLEET_AWS_DRIVER=0
# runs the `aws` command instead), wait by polling against a deadline, and clean up
# everything on exit.
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
    [ -z "$AWS_DRIVER_PID" ] || kill "$AWS_DRIVER_PID" 2>/dev/null || true
    reap_nodes || status=1
    no_enum_violations || status=1
    if [ "$status" -ne 0 ] && [ -f "$KEYFLEET_LOG" ]; then
        { echo "--- keyfleet log (last 40 lines) ---"; tail -n 40 "$KEYFLEET_LOG"; } >&2 || true
    fi
    rm -rf "$TEST_TMP"
    exit "$status"
}
trap cleanup EXIT

fail() {
    echo "FAIL [$TEST_NAME]: $*" >&2
    exit 1
}

# no_enum_violations: at exit, every reply the server encoded kept to the model's enums
# (the codec logs each value outside one as `reply enum violation: ...`).
no_enum_violations() {
    [ -f "$KEYFLEET_LOG" ] && grep -q "reply enum violation: " "$KEYFLEET_LOG" || return 0
    echo "FAIL [$TEST_NAME]: keyfleet answered values outside the model's enums:" >&2
    grep -m 20 "reply enum violation: " "$KEYFLEET_LOG" >&2 || true
    return 1
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
    start_aws_driver
    wait_until 20 keyfleet_healthy
}

# stop_keyfleet [signal]: TERM by default; waits for the process to exit and
# leaves its exit status in KEYFLEET_EXIT_STATUS.
stop_keyfleet() {
    local signal=${1:-TERM}
    [ -n "$KEYFLEET_PID" ] || return 0
    kill "-$signal" "$KEYFLEET_PID" 2>/dev/null || true
    KEYFLEET_EXIT_STATUS=0
    wait "$KEYFLEET_PID" 2>/dev/null || KEYFLEET_EXIT_STATUS=$?
    KEYFLEET_PID=
}

endpoint() { echo "http://127.0.0.1:$KEYFLEET_PORT"; }

# aws elasticache against the server under test, JSON output.
ec() {
    aws_cli elasticache --endpoint-url "$(endpoint)" --output json "$@"
}

# aws_cli ARGS...: `aws ARGS...`, run by the driver server (aws_driver.py) when one
# runs: the same CLI code in a fresh forked process, without its ~0.5 s start-up.
AWS_DRIVER_PID=
AWS_DRIVER_PORT=
aws_cli() {
    [ -n "$AWS_DRIVER_PORT" ] || {
        aws "$@"
        return
    }
    local out=$TEST_TMP/aws-call.$BASHPID.out err=$TEST_TMP/aws-call.$BASHPID.err fd status=
    exec {fd}<>"/dev/tcp/127.0.0.1/$AWS_DRIVER_PORT"
    { printf '%s\0' "$out" "$err" "$PWD" "$#" "$@"; env -0; printf '\0'; } >&"$fd"
    read -r status <&"$fd" || true
    exec {fd}>&-
    [ -n "$status" ] || fail "the aws driver server did not answer: aws $*"
    cat "$out"
    cat "$err" >&2
    rm -f "$out" "$err"
    return "$status"
}

# Starts the driver server when a python here imports awscli; else aws_cli runs `aws`.
start_aws_driver() {
    [ -z "$AWS_DRIVER_PORT" ] && [ "${KEYFLEET_AWS_DRIVER:-1}" = 1 ] || return 0
    python3 -c 'import awscli.clidriver' 2>/dev/null || return 0
    local port_file=$TEST_TMP/aws-driver.port
    python3 "$KEYFLEET_ROOT/tests/integration/aws_driver.py" serve "$port_file" 2>>"$TEST_TMP/aws-driver.log" &
    AWS_DRIVER_PID=$!
    wait_until 30 test -s "$port_file"
    AWS_DRIVER_PORT=$(cat "$port_file")
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

# expect_message CODE MESSAGE command...: fails with that code and exactly that message.
expect_message() {
    local code=$1 message=$2 output
    shift 2
    if output=$("$@" 2>&1); then
        fail "expected $code, but succeeded: $*"
    fi
    [[ $output == *"($code) when calling the "*": $message" ]] ||
        fail "expected $code: $message; from: $*; got: $output"
}

# error_output command...: the command must fail; prints what it said.
error_output() {
    local output
    if output=$("$@" 2>&1); then
        fail "expected a refusal, but succeeded: $*"
    fi
    echo "$output"
}

# jqr FILTER JSON: jq -r on a string.
jqr() { jq -r "$1" <<<"$2"; }

# require_tool NAME...: skip the test (exit 77) when a tool it needs is absent.
require_tool() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 || { echo "SKIPPED [$TEST_NAME]: $tool is not installed" >&2; exit 77; }
    done
}

# assert_eq EXPECTED ACTUAL [what]
assert_eq() {
    [ "$1" = "$2" ] || fail "${3:-value}: expected '$1', got '$2'"
}

# python_with MODULE: a python that imports MODULE (python3, else Debian's /usr/bin/python3).
python_with() {
    local candidate
    for candidate in python3 /usr/bin/python3; do
        if command -v "$candidate" >/dev/null && "$candidate" -c "import $1" 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    fail "no python3 with $1: run tools/setup.sh test"
}

# A python with boto3 (the aws CLI's own, or Debian's python3-boto3).
boto3_python() { python_with boto3; }

# A python with redis-py's cluster client (Debian's python3-redis).
redis_python() { python_with redis.cluster; }

# --- Raw requests, below botocore's forgiving parser -------------------------
INTEGRATION_DIR=$KEYFLEET_ROOT/tests/integration
XMLNS=http://elasticache.amazonaws.com/doc/2015-02-02/

# send [signed_request.py options] Name=Value...: a botocore-signed request; sets
# STATUS, HEADERS, BODY and PATHS (the body flattened by xml_paths.py, one
# `path=text` line per element).
send() {
    local out rest python
    python=$(boto3_python)
    out=$("$python" "$INTEGRATION_DIR/signed_request.py" --endpoint "$(endpoint)" --headers "$@") ||
        fail "signed_request.py could not send: $*"
    STATUS=${out%%$'\n'*}
    rest=${out#*$'\n'}
    HEADERS=${rest%%$'\n\n'*}
    BODY=${rest#*$'\n\n'}
    PATHS=$("$python" "$INTEGRATION_DIR/xml_paths.py" <<<"$BODY") || fail "answer to $* is not XML: $BODY"
}

# send_curl curl-args...: the same for a hand-made request.
send_curl() {
    local headers_file=$TEST_TMP/curl-headers body_file=$TEST_TMP/curl-body
    STATUS=$(curl -sS -o "$body_file" -D "$headers_file" -w '%{http_code}' "$@") || fail "curl failed: $*"
    HEADERS=$(tr -d '\r' <"$headers_file")
    BODY=$(cat "$body_file")
    PATHS=$("$(boto3_python)" "$INTEGRATION_DIR/xml_paths.py" <<<"$BODY") || fail "answer to curl $* is not XML: $BODY"
}

# xml PATH: the text of the elements at PATH in the last answer, a line each.
xml() { sed -n "s|^$1=||p" <<<"$PATHS"; }

# has PATH: the last answer has an element at PATH.
has() { grep -qE "^$1(=|$)" <<<"$PATHS"; }

# header NAME: a header of the last answer.
header() { sed -n "s|^$1: ||Ip" <<<"$HEADERS" | tr -d '\r'; }

# expect_success OPERATION: a 200 answer in AWS's envelope, RequestId in metadata and header.
expect_success() {
    assert_eq 200 "$STATUS" "HTTP status of $1 ($BODY)"
    assert_eq "$XMLNS" "$(xml "/${1}Response/@xmlns")" "root element and namespace of $1"
    local request_id
    request_id=$(xml "/${1}Response/ResponseMetadata/RequestId")
    [[ $request_id =~ ^[0-9a-f-]{36}$ ]] || fail "$1: no ResponseMetadata/RequestId: $PATHS"
    assert_eq "$request_id" "$(header x-amzn-RequestId)" "x-amzn-RequestId header of $1"
    assert_eq text/xml "$(header Content-Type)" "Content-Type of $1"
}

# expect_wire_error STATUS CODE [MESSAGE]: the last answer is AWS's error document.
expect_wire_error() {
    assert_eq "$1" "$STATUS" "HTTP status for $2 ($BODY)"
    assert_eq "$2" "$(xml /ErrorResponse/Error/Code)" "error code"
    assert_eq "$XMLNS" "$(xml /ErrorResponse/@xmlns)" "error namespace"
    local expected_type=Sender
    [ "$1" -lt 500 ] || expected_type=Receiver
    assert_eq "$expected_type" "$(xml /ErrorResponse/Error/Type)" "error type of $2"
    local request_id
    request_id=$(xml /ErrorResponse/RequestId)
    [[ $request_id =~ ^[0-9a-f-]{36}$ ]] || fail "$2: <RequestId> directly under <ErrorResponse> expected: $PATHS"
    assert_eq "$request_id" "$(header x-amzn-RequestId)" "x-amzn-RequestId header of $2"
    [ -z "$(xml /ErrorResponse/ResponseMetadata/RequestId)" ] || fail "$2: errors carry no ResponseMetadata"
    if [ $# -ge 3 ]; then
        assert_eq "$3" "$(xml /ErrorResponse/Error/Message)" "message of $2"
    fi
}

# --- Cache nodes: redis-server processes, their ports, redis-cli --------------
# Tests run in parallel (ctest -j2): each one takes a block of node ports of its own,
# under a lock held as long as the test (and the nodes, which inherit it) live.
# Blocks of 100 ports from 12000 keep their cluster buses (+10000) in 22000-30999:
# clear of the default node range 21000-21999 and below the ephemeral ports.
NODE_PORTS=

# reserve_node_ports: sets NODE_PORTS (FIRST-LAST, 100 ports) to a block free now.
reserve_node_ports() {
    local block first fd
    for block in $(shuf -i 0-89); do
        first=$((12000 + block * 100))
        exec {fd}>"${TMPDIR:-/tmp}/keyfleet-node-ports.$first.lock"
        if flock -n "$fd" && ports_free "$first" 100; then
            NODE_PORTS=$first-$((first + 99))
            return 0
        fi
        exec {fd}>&-
    done
    fail "no free block of 100 node ports in 12000-20999"
}

# ports_free FIRST COUNT: nothing listens on FIRST..FIRST+COUNT-1 nor on their bus ports.
ports_free() {
    python3 - "$1" "$2" <<'PY'
import socket, sys
first, count = int(sys.argv[1]), int(sys.argv[2])
for port in [p for p in range(first, first + count)] + [p + 10000 for p in range(first, first + count)]:
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        sys.exit(1)
    finally:
        s.close()
PY
}

# node_pids [DIR]: redis-server processes working under DIR (default: the data dir).
node_pids() {
    local dir=${1:-$KEYFLEET_DATA} pid cwd
    for pid in $(pgrep -x redis-server || true); do
        cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null) || continue
        [[ $cwd == "$dir"/* ]] && echo "$pid"
    done
    return 0
}

# no_nodes_left [DIR]: no redis-server works under DIR any more.
no_nodes_left() { [ -z "$(node_pids "${1:-$KEYFLEET_DATA}")" ]; }

# reap_nodes: at exit, nodes get 15 s to go; a survivor is killed and fails the test.
reap_nodes() {
    local deadline=$((SECONDS + 15)) left
    while ! no_nodes_left "$TEST_TMP" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.05; done
    left=$(node_pids "$TEST_TMP")
    [ -n "$left" ] || return 0
    echo "FAIL [$TEST_NAME]: redis-server left behind after the test: $(echo $left)" >&2
    ps -o pid,ppid,stat,lstart,args -p "$(echo $left | tr ' ' ,)" >&2 || true
    kill -9 $left 2>/dev/null || true
    return 1
}

# Loopback addressing (the default) gives every node and endpoint an address of
# its own, 127.N.x.y, on the port its cluster asked for. Parallel tests each take
# a network N of their own, under a lock held as long as the test lives.
LOOPBACK_NETWORK=

# reserve_loopback_network: sets LOOPBACK_NETWORK to an N in 2-254 nothing listens in now.
reserve_loopback_network() {
    local network fd
    for network in $(shuf -i 2-254); do
        exec {fd}>"${TMPDIR:-/tmp}/keyfleet-loopback-network.$network.lock"
        if flock -n "$fd" && network_unused "$network"; then
            LOOPBACK_NETWORK=$network
            return 0
        fi
        exec {fd}>&-
    done
    fail "no unused loopback network 127.N.0.0/16 with N in 2-254"
}

# network_unused N: no TCP socket listens on an address in 127.N.0.0/16.
network_unused() {
    python3 - "$1" <<'PY'
import sys
network = int(sys.argv[1])
with open("/proc/net/tcp") as table:
    next(table)
    for line in table:
        fields = line.split()
        address, state = fields[1].split(":")[0], fields[3]
        # /proc/net/tcp prints the IPv4 address as a little-endian hex word: 127.N.x.y -> yyxxNN7F.
        if state == "0A" and address.endswith(f"{network:02X}7F"):
            sys.exit(1)
PY
}

# rc ADDRESS redis-cli-args...: redis-cli against HOST:PORT (or a port on 127.0.0.1),
# bounded in time.
rc() { rc_within 10 "$@"; }

# rc_within SECONDS ADDRESS redis-cli-args...
rc_within() {
    local seconds=$1 address=$2 host=127.0.0.1 port=$2
    shift 2
    if [[ $address == *:* ]]; then
        host=${address%:*}
        port=${address##*:}
    fi
    timeout "$seconds" redis-cli -h "$host" -p "$port" "$@"
}

# config_get ADDRESS NAME: a node's configured value.
config_get() { rc "$1" CONFIG GET "$2" | sed -n 2p; }

# info_field ADDRESS SECTION FIELD: one field of INFO.
info_field() { rc "$1" INFO "$2" | tr -d '\r' | sed -n "s/^$3://p"; }

# cluster_status ID / group_status ID: the status Describe reports.
cluster_status() { ec describe-cache-clusters --cache-cluster-id "$1" --query 'CacheClusters[0].CacheClusterStatus' --output text; }
group_status() { ec describe-replication-groups --replication-group-id "$1" --query 'ReplicationGroups[0].Status' --output text; }
cluster_status_is() { [ "$(cluster_status "$1")" = "$2" ]; }
group_status_is() { [ "$(group_status "$1")" = "$2" ]; }

# cluster_gone ID / group_gone ID: Describe answers NotFound.
cluster_gone() {
    local output
    ! output=$(ec describe-cache-clusters --cache-cluster-id "$1" 2>&1) && [[ $output == *"(CacheClusterNotFound)"* ]]
}
group_gone() {
    local output
    ! output=$(ec describe-replication-groups --replication-group-id "$1" 2>&1) &&
        [[ $output == *"(ReplicationGroupNotFoundFault)"* ]]
}

# primary_address GROUP / reader_address GROUP / config_endpoint GROUP: HOST:PORT of a
# group's primary endpoint, reader endpoint (cluster mode disabled) or configuration endpoint.
primary_address() {
    ec describe-replication-groups --replication-group-id "$1" \
        --query 'ReplicationGroups[0].NodeGroups[0].PrimaryEndpoint.[Address, Port]' --output text | tr '\t' :
}
reader_address() {
    ec describe-replication-groups --replication-group-id "$1" \
        --query 'ReplicationGroups[0].NodeGroups[0].ReaderEndpoint.[Address, Port]' --output text | tr '\t' :
}
config_endpoint() {
    ec describe-replication-groups --replication-group-id "$1" \
        --query 'ReplicationGroups[0].ConfigurationEndpoint.[Address, Port]' --output text | tr '\t' :
}

# node_port ID: the port of a cluster's node 0001.
node_port() {
    ec describe-cache-clusters --cache-cluster-id "$1" --show-cache-node-info \
        --query 'CacheClusters[0].CacheNodes[0].Endpoint.Port' --output text
}

# node_address ID: HOST:PORT of a cluster's node 0001.
node_address() {
    ec describe-cache-clusters --cache-cluster-id "$1" --show-cache-node-info \
        --query 'CacheClusters[0].CacheNodes[0].Endpoint.[Address, Port]' --output text | tr '\t' :
}

# refuses_connections ADDRESS: a connection there fails at once (refused or closed), rather
# than being answered or left hanging.
refuses_connections() {
    local status=0
    rc_within 2 "$1" PING >/dev/null 2>&1 || status=$?
    [ "$status" -ne 0 ] && [ "$status" -ne 124 ]
}
