#!/usr/bin/env bash
# TLS in transit on real nodes: groups created with TransitEncryptionEnabled serve TLS only
# (TransitEncryptionMode required), with certificates keyfleet's own CA (<data-dir>/tls/ca.pem)
# signs for every address that reaches a node; plaintext is refused; replication, the cluster
# bus and a failover work over TLS. With an AuthToken every node asks for it (NOAUTH without),
# replication uses it, and it appears in no reply, event or log. AWS's refusals, and
# NotImplemented for what is not built.
. "$(dirname "$0")/lib.sh"
require_tool redis-cli redis-server openssl curl

reserve_loopback_network
start_keyfleet --loopback-network "$LOOPBACK_NETWORK" --cluster-node-pool 0
CA=$KEYFLEET_DATA/tls/ca.pem
TOKEN='keyfleet-test-token-0123456789!'

# tls ADDRESS redis-cli-args...: redis-cli over TLS, verifying the node against keyfleet's CA.
tls() {
    local address=$1
    shift
    timeout 10 redis-cli --tls --cacert "$CA" -h "${address%:*}" -p "${address##*:}" "$@"
}
# verifies_as ADDRESS: the certificate served there chains to the CA and names that address.
verifies_as() {
    local address=$1 out
    out=$(timeout 10 openssl s_client -connect "$address" -CAfile "$CA" -verify_ip "${address%:*}" \
        -verify_return_error </dev/null 2>&1) || fail "the certificate at $address does not verify: $out"
    [[ $out == *"Verification: OK"* ]] || fail "the certificate at $address does not verify: $out"
}
# answers ADDRESS KEY VALUE: GET over TLS there gives VALUE.
answers() { [ "$(tls "$1" GET "$2" 2>/dev/null)" = "$3" ]; }

# --- The CA, from its file and from the signed admin path --------------------------------------
[ ! -e "$CA" ] || fail "a CA exists before anything asked for it"
ca_pem=$(curl -fsS --aws-sigv4 "aws:amz:us-east-1:elasticache" --user test:test "$(endpoint)/_keyfleet/ca.pem")
[[ $ca_pem == "-----BEGIN CERTIFICATE-----"* ]] || fail "GET /_keyfleet/ca.pem answered: $ca_pem"
assert_eq "$(cat "$CA")" "$ca_pem" "the CA through the signed admin path"
assert_eq 403 "$(curl -s -o /dev/null -w '%{http_code}' "$(endpoint)/_keyfleet/ca.pem")" "an unsigned GET of the CA"

# --- Refusals ---------------------------------------------------------------------------------
expect_error InvalidParameterCombination ec create-replication-group --replication-group-id bad --cache-node-type cache.t3.micro \
    --replication-group-description d --transit-encryption-mode required
expect_error InvalidParameterValue ec create-replication-group --replication-group-id bad --cache-node-type cache.t3.micro \
    --replication-group-description d --auth-token 0123456789abcdef0123
expect_error NotImplemented ec create-replication-group --replication-group-id bad --cache-node-type cache.t3.micro \
    --replication-group-description d --transit-encryption-enabled --transit-encryption-mode preferred
for token in short-token-123 "$(printf 'a%.0s' $(seq 1 129))" 0123456789abcdef@ '0123456789abcdef/' \
    '0123456789abcdef"'; do
    expect_error InvalidParameterValue ec create-replication-group --replication-group-id bad \
        --cache-node-type cache.t3.micro --replication-group-description d --transit-encryption-enabled \
        --auth-token "$token"
done
assert_eq "" "$(ec describe-replication-groups --query 'ReplicationGroups[].ReplicationGroupId' --output text)" \
    "a refused create leaves nothing"

# --- Cluster mode disabled: a primary and a replica ---------------------------------------------
out=$(ec create-replication-group --replication-group-id sec --replication-group-description tls \
    --cache-node-type cache.t3.micro --num-cache-clusters 2 --automatic-failover-enabled --transit-encryption-enabled)
assert_eq "true|required" "$(jqr '.ReplicationGroup | "\(.TransitEncryptionEnabled)|\(.TransitEncryptionMode)"' "$out")" \
    "CreateReplicationGroup answer"
wait_until 90 group_status_is sec available
[ -s "$CA" ] || fail "no CA at $CA"
[ "$(stat -c %a "$KEYFLEET_DATA/tls/ca-key.pem")" = 600 ] || fail "the CA key is readable by others"
assert_eq "true|required" "$(ec describe-cache-clusters --cache-cluster-id sec-002 \
    --query 'CacheClusters[0].[TransitEncryptionEnabled, TransitEncryptionMode]' --output text | tr '\t' '|' |
    tr A-Z a-z)" "a member cluster says so"
primary=$(primary_address sec)
reader=$(reader_address sec)
node1=$(node_address sec-001)
node2=$(node_address sec-002)
for address in "$primary" "$reader" "$node1" "$node2"; do verifies_as "$address"; done
assert_eq OK "$(tls "$primary" SET greeting hello)" "SET over TLS through the primary endpoint"
wait_until 30 answers "$node2" greeting hello
assert_eq hello "$(tls "$reader" GET greeting)" "GET over TLS through the reader endpoint"
refuses_plaintext() { ! timeout 5 redis-cli -h "${1%:*}" -p "${1##*:}" PING 2>/dev/null | grep -q PONG; }
for address in "$primary" "$node1" "$node2"; do
    refuses_plaintext "$address" || fail "$address answered plaintext"
done
assert_eq "1" "$(tls "$node1" CONFIG GET tls-replication | sed -n 2p | grep -c yes)" "replication over TLS"
# Another CA's clients are refused: the node's certificate is keyfleet's.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=other -days 1 \
    -keyout "$TEST_TMP/other.key" -out "$TEST_TMP/other.pem" 2>/dev/null
! timeout 5 redis-cli --tls --cacert "$TEST_TMP/other.pem" -h "${primary%:*}" -p "${primary##*:}" PING 2>/dev/null |
    grep -q PONG || fail "a client trusting another CA was served"

# A failover over TLS: the replica takes over behind the same endpoint, with the key.
ec test-failover --replication-group-id sec --node-group-id 0001 >/dev/null
primary_is() { [ "$(ec describe-replication-groups --replication-group-id sec | jq -r '.ReplicationGroups[0].NodeGroups[0].NodeGroupMembers[] | select(.CurrentRole == "primary") | .CacheClusterId')" = "$1" ]; }
wait_until 60 primary_is sec-002
wait_until 60 group_status_is sec available
wait_until 30 answers "$primary" greeting hello
assert_eq OK "$(tls "$primary" SET after failover)" "writes through the endpoint after the failover"

expect_error NotImplemented ec modify-replication-group --replication-group-id sec --no-transit-encryption-enabled \
    --apply-immediately
assert_eq "false" "$(ec describe-replication-groups --replication-group-id sec \
    --query 'ReplicationGroups[0].AuthTokenEnabled' --output text | tr A-Z a-z)" "no AUTH token"

# --- An AUTH token: every node asks for it, replication and failover use it --------------------
out=$(ec create-replication-group --replication-group-id authed --replication-group-description auth \
    --cache-node-type cache.t3.micro --num-cache-clusters 2 --automatic-failover-enabled \
    --transit-encryption-enabled --auth-token "$TOKEN")
assert_eq "true" "$(jqr .ReplicationGroup.AuthTokenEnabled "$out")" "AuthTokenEnabled in the answer"
wait_until 90 group_status_is authed available
authed=$(primary_address authed)
tls "$authed" SET k v 2>&1 | grep -q NOAUTH || fail "a client without the token was served"
# authed_cli ADDRESS args... / as_user PASSWORD ADDRESS args...: redis-cli over TLS with a password.
as_user() {
    local password=$1 address=$2
    shift 2
    timeout 10 redis-cli --tls --cacert "$CA" --no-auth-warning -a "$password" -h "${address%:*}" -p "${address##*:}" "$@"
}
authed_cli() { as_user "$TOKEN" "$@"; }
assert_eq OK "$(authed_cli "$authed" SET k v)" "SET with the token"
authed_answers() { [ "$(authed_cli "$1" GET k 2>/dev/null)" = v ]; }
wait_until 30 authed_answers "$(node_address authed-002)"
! as_user wrong-token-0123456789 "$authed" PING 2>/dev/null | grep -q PONG || fail "a wrong token was accepted"
out=$(ec describe-replication-groups --replication-group-id authed)
assert_eq "true" "$(jqr '.ReplicationGroups[0].AuthTokenEnabled' "$out")" "AuthTokenEnabled"
[ "$(jqr '.ReplicationGroups[0].AuthTokenLastModifiedDate' "$out")" != null ] || fail "no AuthTokenLastModifiedDate: $out"
assert_eq "true" "$(ec describe-cache-clusters --cache-cluster-id authed-002 \
    --query 'CacheClusters[0].AuthTokenEnabled' --output text | tr A-Z a-z)" "a member says so"
ec test-failover --replication-group-id authed --node-group-id 0001 >/dev/null
authed_primary_is() { [ "$(ec describe-replication-groups --replication-group-id authed | jq -r '.ReplicationGroups[0].NodeGroups[0].NodeGroupMembers[] | select(.CurrentRole == "primary") | .CacheClusterId')" = "$1" ]; }
wait_until 60 authed_primary_is authed-002
wait_until 60 group_status_is authed available
wait_until 30 authed_answers "$authed"
# A replica added later starts with its certificate and the token, and syncs.
ec increase-replica-count --replication-group-id authed --new-replica-count 2 --apply-immediately >/dev/null
wait_until 90 group_status_is authed available
third=$(node_address authed-003)
verifies_as "$third"
wait_until 30 authed_answers "$third"
# A rebooted node comes back serving TLS with the token.
ec reboot-cache-cluster --cache-cluster-id authed-001 --cache-node-ids-to-reboot 0001 >/dev/null
wait_until 60 cluster_status_is authed-001 available
verifies_as "$(node_address authed-001)"
wait_until 30 authed_answers "$(node_address authed-001)"

# Rotation: ROTATE keeps both tokens valid on every node, SET only the new one, DELETE none.
TOKEN2='keyfleet-second-token-9876543210'
replica=$(node_address authed-001)
expect_error InvalidParameterCombination ec modify-replication-group --replication-group-id authed \
    --auth-token "$TOKEN2" --apply-immediately
expect_error InvalidParameterCombination ec modify-replication-group --replication-group-id authed \
    --auth-token-update-strategy ROTATE --apply-immediately
expect_error InvalidParameterCombination ec modify-replication-group --replication-group-id authed \
    --auth-token "$TOKEN2" --auth-token-update-strategy DELETE --apply-immediately
expect_error InvalidParameterCombination ec modify-replication-group --replication-group-id authed \
    --auth-token "$TOKEN2" --auth-token-update-strategy ROTATE --snapshot-retention-limit 1 --apply-immediately
expect_error InvalidParameterValue ec modify-replication-group --replication-group-id authed \
    --auth-token short --auth-token-update-strategy ROTATE --apply-immediately
out=$(ec modify-replication-group --replication-group-id authed --auth-token "$TOKEN2" \
    --auth-token-update-strategy ROTATE --apply-immediately)
assert_eq "modifying|ROTATING" "$(jqr '.ReplicationGroup | "\(.Status)|\(.PendingModifiedValues.AuthTokenStatus)"' "$out")" \
    "ModifyReplicationGroup ROTATE answer"
wait_until 30 group_status_is authed available
assert_eq "{}" "$(ec describe-replication-groups --replication-group-id authed |
    jq -c '.ReplicationGroups[0].PendingModifiedValues')" "nothing pending after the rotation"
for address in "$authed" "$replica"; do
    assert_eq PONG "$(as_user "$TOKEN" "$address" PING)" "the old token on $address during the rotation"
    assert_eq PONG "$(as_user "$TOKEN2" "$address" PING)" "the new token on $address during the rotation"
done
ec modify-replication-group --replication-group-id authed --auth-token "$TOKEN2" --auth-token-update-strategy SET \
    --apply-immediately >/dev/null
wait_until 30 group_status_is authed available
for address in "$authed" "$replica"; do
    ! as_user "$TOKEN" "$address" PING 2>/dev/null | grep -q PONG || fail "the old token still works on $address"
    assert_eq PONG "$(as_user "$TOKEN2" "$address" PING)" "the new token on $address after SET"
done
assert_eq OK "$(as_user "$TOKEN2" "$authed" SET rotated yes)" "writes with the new token"
rotated_on_replica() { [ "$(as_user "$TOKEN2" "$replica" GET rotated 2>/dev/null)" = yes ]; }
wait_until 30 rotated_on_replica
ec modify-replication-group --replication-group-id authed --auth-token-update-strategy DELETE \
    --apply-immediately >/dev/null
wait_until 30 group_status_is authed available
assert_eq PONG "$(tls "$authed" PING)" "no token needed after DELETE"
assert_eq "false" "$(ec describe-replication-groups --replication-group-id authed \
    --query 'ReplicationGroups[0].AuthTokenEnabled' --output text | tr A-Z a-z)" "AuthTokenEnabled after DELETE"
assert_eq OK "$(tls "$authed" SET deleted yes)" "writes without a token"
deleted_on_replica() { [ "$(tls "$replica" GET deleted 2>/dev/null)" = yes ]; }
wait_until 30 deleted_on_replica
expect_error InvalidParameterCombination ec modify-replication-group --replication-group-id authed \
    --auth-token-update-strategy DELETE --apply-immediately
# The token is in the nodes' configs (owner only) and nowhere else keyfleet writes or answers.
for conf in "$KEYFLEET_DATA"/nodes/000000000000/us-east-1/authed-00*/0001/redis.conf; do
    [ "$(stat -c %a "$conf")" = 600 ] || fail "$conf is readable by others"
done
for secret in "$TOKEN" "$TOKEN2"; do
    ! grep -rqF --exclude=redis.conf --exclude='keyfleet.db*' -- "$secret" "$KEYFLEET_DATA" "$KEYFLEET_LOG" ||
        fail "a token is in $(grep -rlF --exclude=redis.conf --exclude='keyfleet.db*' -- "$secret" "$KEYFLEET_DATA" "$KEYFLEET_LOG")"
done
for call in "describe-replication-groups" "describe-cache-clusters --show-cache-node-info" "describe-events"; do
    # shellcheck disable=SC2086
    ! ec $call | grep -qF -- "$TOKEN" || fail "$call shows the token"
done

# --- Cluster mode enabled with a token: two shards with a replica each, the bus over TLS, a reshard
ec create-replication-group --replication-group-id csec --replication-group-description tls \
    --cache-node-type cache.t3.micro --num-node-groups 2 --replicas-per-node-group 1 --transit-encryption-enabled \
    --auth-token "$TOKEN" >/dev/null
wait_until 120 group_status_is csec available
config=$(config_endpoint csec)
verifies_as "$config"
verifies_as "$(node_address csec-0002-002)"
ctls() { timeout 10 redis-cli --tls --cacert "$CA" --no-auth-warning -a "$TOKEN" -c -h "${config%:*}" -p "${config##*:}" "$@"; }
for i in $(seq 1 20); do ctls SET "key:$i" "value:$i" >/dev/null; done
for i in $(seq 1 20); do assert_eq "value:$i" "$(ctls GET "key:$i")" "key:$i through the cluster"; done
node=$(node_address csec-0001-001)
assert_eq ok "$(timeout 10 redis-cli --tls --cacert "$CA" --no-auth-warning -a "$TOKEN" -h "${node%:*}" -p "${node##*:}" \
    CLUSTER INFO | tr -d '\r' | sed -n 's/^cluster_state://p')" "cluster state over TLS"
assert_eq yes "$(timeout 10 redis-cli --tls --cacert "$CA" --no-auth-warning -a "$TOKEN" -h "${node%:*}" \
    -p "${node##*:}" CONFIG GET tls-cluster | sed -n 2p)" "the cluster bus over TLS"
refuses_plaintext "$config" || fail "the configuration endpoint answered plaintext"
# Slots move with MIGRATE over TLS, authenticated with the token.
ec modify-replication-group-shard-configuration --replication-group-id csec --node-group-count 3 \
    --apply-immediately >/dev/null
wait_until 120 group_status_is csec available
assert_eq 3 "$(ec describe-replication-groups --replication-group-id csec --query 'length(ReplicationGroups[0].NodeGroups)' \
    --output text)" "node groups after the reshard"
ec describe-events --source-identifier csec --source-type replication-group --query 'Events[].Message' --output text |
    grep -q "Failed" && fail "the reshard failed: $(ec describe-events --source-identifier csec --source-type replication-group)"
for i in $(seq 1 20); do assert_eq "value:$i" "$(ctls GET "key:$i")" "key:$i after the reshard"; done
third=$(node_address csec-0003-001)
[ "$(timeout 10 redis-cli --tls --cacert "$CA" --no-auth-warning -a "$TOKEN" -h "${third%:*}" -p "${third##*:}" \
    DBSIZE)" -gt 0 ] || fail "the new shard took no key"

# --- A single-node cache cluster with the token ------------------------------------------------
ec create-cache-cluster --cache-cluster-id single --engine redis --cache-node-type cache.t3.micro \
    --num-cache-nodes 1 --transit-encryption-enabled --auth-token "$TOKEN" >/dev/null
wait_until 60 cluster_status_is single available
single=$(node_address single)
verifies_as "$single"
assert_eq PONG "$(authed_cli "$single" PING)" "PING over TLS with the token"
tls "$single" PING 2>&1 | grep -q NOAUTH || fail "the single node served a client without the token"
assert_eq "true" "$(ec describe-cache-clusters --cache-cluster-id single --query 'CacheClusters[0].AuthTokenEnabled' \
    --output text | tr A-Z a-z)" "AuthTokenEnabled of a cache cluster"
refuses_plaintext "$single" || fail "the single node answered plaintext"

# --- Deleting leaves no node, and no key file outside the data dir ------------------------------
for group in sec csec authed; do ec delete-replication-group --replication-group-id "$group" >/dev/null; done
ec delete-cache-cluster --cache-cluster-id single >/dev/null
for group in sec csec authed; do wait_until 60 group_gone "$group"; done
wait_until 60 cluster_gone single
