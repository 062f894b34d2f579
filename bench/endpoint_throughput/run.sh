#!/usr/bin/env bash
# Endpoint throughput: redis-benchmark SET and GET at -P 1 and -P 16 through a
# replication group's primary endpoint beside the same run straight at the primary
# node's own address, and through the reader endpoint beside the replica's address;
# then with TLS: through the primary endpoint of a one-node group created with
# TransitEncryptionEnabled (redis-benchmark --tls, verifying keyfleet's CA) beside a
# plain redis-server serving TLS the same way (an EC P-256 certificate of its own CA).
# Each pair runs back to back, ROUNDS times, alternating which goes first; the table
# shows medians and the endpoint/direct ratio. Prints markdown for docs/PERFORMANCE.md.
#
# Settings (environment):
#   REQUESTS=200000 (per redis-benchmark run)   CLIENTS=50   ROUNDS=3   KEYFLEET_BIN=build/keyfleet
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
REQUESTS=${REQUESTS:-200000}
CLIENTS=${CLIENTS:-50}
ROUNDS=${ROUNDS:-3}
KEYFLEET_BIN=${KEYFLEET_BIN:-$root/build/keyfleet}

die() {
    echo "endpoint_throughput: $*" >&2
    exit 1
}

command -v redis-benchmark >/dev/null || die "redis-benchmark is missing: run tools/setup.sh (Debian package redis-tools)"
command -v aws >/dev/null || die "the aws CLI is missing: run tools/setup.sh test"
command -v jq >/dev/null || die "jq is missing: run tools/setup.sh test"
command -v openssl >/dev/null || die "openssl is missing"
[ -x "$KEYFLEET_BIN" ] || die "no keyfleet binary at $KEYFLEET_BIN: run tools/build.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/keyfleet-bench-endpoint.XXXXXX")
keyfleet_pid=
plain_pid=
cleanup() {
    local status=$?
    [ -z "$plain_pid" ] || { kill "$plain_pid" 2>/dev/null || true; wait "$plain_pid" 2>/dev/null || true; }
    if [ -n "$keyfleet_pid" ]; then
        kill "$keyfleet_pid" 2>/dev/null || true
        wait "$keyfleet_pid" 2>/dev/null || true
    fi
    [ "$status" -eq 0 ] || { echo "--- keyfleet.log (last 20 lines) ---" >&2; tail -n 20 "$work/keyfleet.log" >&2 || true; }
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# A loopback network 127.N.0.0/16 in which nothing listens.
network=
for candidate in $(shuf -i 100-149); do
    if ! ss -Hltn | awk '{ print $4 }' | grep -q "^127\.$candidate\."; then
        network=$candidate
        break
    fi
done
[ -n "$network" ] || die "no free loopback network in 127.100-149"

wait_until() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || die "timed out waiting for: $*"
        sleep 0.02
    done
}

port=$(free_port)
"$KEYFLEET_BIN" serve --port "$port" --data-dir "$work/data" --loopback-network "$network" --cluster-node-pool 0 \
    >"$work/keyfleet.log" 2>&1 &
keyfleet_pid=$!
wait_until 20 curl -sf "http://127.0.0.1:$port/_keyfleet/health"

export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
ec() { aws elasticache --endpoint-url "http://127.0.0.1:$port" --output json "$@"; }
ec create-replication-group --replication-group-id bench --replication-group-description endpoint-throughput \
    --engine redis --cache-node-type cache.m5.large --num-cache-clusters 2 --automatic-failover-enabled >/dev/null
available() { [ "$(ec describe-replication-groups --replication-group-id bench --query 'ReplicationGroups[0].Status' --output text)" = available ]; }
wait_until 60 available
group=$(ec describe-replication-groups --replication-group-id bench)
primary_endpoint=$(jq -r '.ReplicationGroups[0].NodeGroups[0].PrimaryEndpoint.Address' <<<"$group")
reader_endpoint=$(jq -r '.ReplicationGroups[0].NodeGroups[0].ReaderEndpoint.Address' <<<"$group")
primary_node=$(jq -r '.ReplicationGroups[0].NodeGroups[0].NodeGroupMembers[] | select(.CurrentRole == "primary") | .ReadEndpoint.Address' <<<"$group")
replica_node=$(jq -r '.ReplicationGroups[0].NodeGroups[0].NodeGroupMembers[] | select(.CurrentRole == "replica") | .ReadEndpoint.Address' <<<"$group")
[ -n "$primary_node" ] && [ -n "$replica_node" ] || die "no primary and replica in: $group"

# A one-node group with TLS in transit (a replica would cost its primary the
# stream of writes the plain server does not send), and a plain redis-server serving TLS.
ec create-replication-group --replication-group-id secure --replication-group-description endpoint-throughput-tls \
    --engine redis --cache-node-type cache.m5.large --num-cache-clusters 1 --transit-encryption-enabled >/dev/null
secure_available() { [ "$(ec describe-replication-groups --replication-group-id secure --query 'ReplicationGroups[0].Status' --output text)" = available ]; }
wait_until 60 secure_available
secure_endpoint=$(ec describe-replication-groups --replication-group-id secure |
    jq -r '.ReplicationGroups[0].NodeGroups[0].PrimaryEndpoint.Address')
keyfleet_ca=$work/data/tls/ca.pem
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=bench-ca -days 1 \
    -keyout "$work/plain-ca.key" -out "$work/plain-ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 \
    -keyout "$work/plain.key" -out "$work/plain.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >"$work/plain.ext"
openssl x509 -req -in "$work/plain.csr" -CA "$work/plain-ca.pem" -CAkey "$work/plain-ca.key" -CAcreateserial \
    -days 1 -extfile "$work/plain.ext" -out "$work/plain.crt" 2>/dev/null
plain_port=$(free_port)
redis-server --port 0 --tls-port "$plain_port" --bind 127.0.0.1 --tls-cert-file "$work/plain.crt" \
    --tls-key-file "$work/plain.key" --tls-ca-cert-file "$work/plain-ca.pem" --tls-auth-clients no \
    --save "" --appendonly no --dir "$work" >"$work/plain.log" 2>&1 &
plain_pid=$!
plain_ready() { redis-cli --tls --cacert "$work/plain-ca.pem" -h 127.0.0.1 -p "$plain_port" PING | grep -q PONG; }
wait_until 20 plain_ready

# requests_per_second HOST TEST PIPELINE [PORT redis-benchmark-options...]: one redis-benchmark run.
requests_per_second() {
    local host=$1 test=$2 pipeline=$3 port=${4:-6379}
    shift 3
    [ $# -eq 0 ] || shift
    redis-benchmark -h "$host" -p "$port" "$@" -t "$test" -n "$REQUESTS" -c "$CLIENTS" -P "$pipeline" --csv 2>/dev/null |
        awk -F, 'NR == 2 { gsub(/"/, "", $2); print $2 }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "## endpoint_throughput"
echo
echo "redis-benchmark -n $REQUESTS -c $CLIENTS, median of $ROUNDS rounds; each pair back to back, alternating order."
echo "$(date -u +%Y-%m-%d), $(nproc) cores, redis-server $(redis-server --version | awk '{ sub("v=", "", $3); print $3 }'), keyfleet $("$KEYFLEET_BIN" --version | awk '{ print $2 }')."
echo
echo "| path | test | pipeline | endpoint req/s | direct req/s | endpoint / direct |"
echo "|---|---|---:|---:|---:|---:|"
for pair in "primary:$primary_endpoint:$primary_node" "reader:$reader_endpoint:$replica_node"; do
    IFS=: read -r name endpoint direct <<<"$pair"
    for test in set get; do
        [ "$name" = reader ] && [ "$test" = set ] && continue  # replicas are read-only
        for pipeline in 1 16; do
            : >"$work/endpoint" && : >"$work/direct"
            for round in $(seq 1 "$ROUNDS"); do
                if [ $((round % 2)) -eq 1 ]; then
                    requests_per_second "$endpoint" "$test" "$pipeline" >>"$work/endpoint"
                    requests_per_second "$direct" "$test" "$pipeline" >>"$work/direct"
                else
                    requests_per_second "$direct" "$test" "$pipeline" >>"$work/direct"
                    requests_per_second "$endpoint" "$test" "$pipeline" >>"$work/endpoint"
                fi
            done
            through=$(median <"$work/endpoint")
            straight=$(median <"$work/direct")
            printf '| %s endpoint | %s | %d | %.0f | %.0f | %.2f |\n' "$name" "${test^^}" "$pipeline" "$through" "$straight" \
                "$(awk -v a="$through" -v b="$straight" 'BEGIN { print a / b }')"
        done
    done
done
echo
echo "With TLS: the primary endpoint of a one-node TransitEncryptionEnabled group (redis-benchmark --tls, keyfleet's CA)"
echo "beside a plain redis-server serving TLS (its own EC P-256 CA), same settings."
echo
echo "| path | test | pipeline | keyfleet TLS req/s | plain redis-server TLS req/s | keyfleet / plain |"
echo "|---|---|---:|---:|---:|---:|"
for test in set get; do
    for pipeline in 1 16; do
        : >"$work/endpoint" && : >"$work/direct"
        for round in $(seq 1 "$ROUNDS"); do
            if [ $((round % 2)) -eq 1 ]; then
                requests_per_second "$secure_endpoint" "$test" "$pipeline" 6379 --tls --cacert "$keyfleet_ca" >>"$work/endpoint"
                requests_per_second 127.0.0.1 "$test" "$pipeline" "$plain_port" --tls --cacert "$work/plain-ca.pem" >>"$work/direct"
            else
                requests_per_second 127.0.0.1 "$test" "$pipeline" "$plain_port" --tls --cacert "$work/plain-ca.pem" >>"$work/direct"
                requests_per_second "$secure_endpoint" "$test" "$pipeline" 6379 --tls --cacert "$keyfleet_ca" >>"$work/endpoint"
            fi
        done
        through=$(median <"$work/endpoint")
        straight=$(median <"$work/direct")
        printf '| TLS primary endpoint | %s | %d | %.0f | %.0f | %.2f |\n' "${test^^}" "$pipeline" "$through" "$straight" \
            "$(awk -v a="$through" -v b="$straight" 'BEGIN { print a / b }')"
    done
done
echo
echo "Command: \`REQUESTS=$REQUESTS CLIENTS=$CLIENTS ROUNDS=$ROUNDS bench/endpoint_throughput/run.sh\`"
