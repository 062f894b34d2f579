#!/usr/bin/env bash
# High availability on real nodes, with the default addressing (127.N.x.y:6379):
# a primary killed with SIGKILL or frozen with SIGSTOP is replaced by a replica
# behind the same primary endpoint, with its keys; TestFailover switches roles
# without losing writes; a killed replica comes back at its address and resyncs;
# a cluster-mode shard fails over and redis-cli -c keeps working; replicas are
# added and removed for real; the fault path refuses unsigned callers.
. "$(dirname "$0")/lib.sh"
require_tool redis-cli redis-server curl

reserve_loopback_network
start_keyfleet --loopback-network "$LOOPBACK_NETWORK" --cluster-node-pool 0

NODES=$KEYFLEET_DATA/nodes/000000000000/us-east-1
in_network='^127\.'$LOOPBACK_NETWORK'\.[0-9]+\.[0-9]+:6379$'

# members GROUP: "cluster=role@host:port" for each member, sorted.
members() {
    ec describe-replication-groups --replication-group-id "$1" |
        jq -r '[.ReplicationGroups[0].NodeGroups[].NodeGroupMembers[] |
                "\(.CacheClusterId)=\(.CurrentRole // "-")@\(.ReadEndpoint.Address):\(.ReadEndpoint.Port)"] | sort | join(" ")'
}
# primary_of GROUP: the cluster id of the primary (cluster mode disabled).
primary_of() {
    ec describe-replication-groups --replication-group-id "$1" |
        jq -r '.ReplicationGroups[0].NodeGroups[0].NodeGroupMembers[] | select(.CurrentRole == "primary") | .CacheClusterId'
}
primary_is_not() { local now; now=$(primary_of "$1"); [ -n "$now" ] && [ "$now" != "$2" ]; }
node_pid() { cat "$NODES/$1/0001/redis.pid"; }
# fault ACTION CLUSTER: keyfleet's SigV4-signed fault path.
fault() {
    curl -fsS --aws-sigv4 "aws:amz:us-east-1:elasticache" --user test:test \
        "$(endpoint)/_keyfleet/fault" -d "Action=$1&CacheClusterId=$2"
}
writable() { [ "$(rc_within 2 "$1" SET probe "$2" 2>/dev/null)" = OK ]; }
role_of() { info_field "$1" replication role; }
role_is() { [ "$(role_of "$1" 2>/dev/null)" = "$2" ]; }
# synced_replicas_are ADDRESS N: the primary there has N replicas online.
synced_replicas_are() {
    [ "$(rc_within 2 "$1" INFO replication 2>/dev/null | grep -c '^slave[0-9]*:.*state=online')" = "$2" ]
}
replicas_listed_at() {
    # The primary lists its replicas by their own addresses, not 127.0.0.1.
    rc "$1" INFO replication | tr -d '\r' | sed -n 's/^slave[0-9]*:ip=\([^,]*\),port=\([0-9]*\),state=online.*/\1:\2/p' |
        sort | paste -sd ' '
}

# bound_by_primary ENDPOINT: the primary node itself listens on the endpoint's address (no
# forwarding hop): a connection through it arrives at the node on that address.
bound_by_primary() {
    local info
    info=$(rc "$1" CLIENT INFO) || fail "CLIENT INFO through $1"
    [[ $info == *"laddr=$1 "* ]] || fail "the primary endpoint $1 is not bound by the node itself: $info"
    assert_eq master "$(role_of "$1")" "role of the node behind $1"
}

# --- A three-node group with automatic failover ------------------------------------------------------
ec create-replication-group --replication-group-id ha --replication-group-description "failover" \
    --engine redis --cache-node-type cache.t3.micro --num-cache-clusters 3 --automatic-failover-enabled >/dev/null
wait_until 60 group_status_is ha available
group=$(ec describe-replication-groups --replication-group-id ha)
primary_ep=$(jqr '.ReplicationGroups[0].NodeGroups[0].PrimaryEndpoint | "\(.Address):\(.Port)"' "$group")
reader_ep=$(jqr '.ReplicationGroups[0].NodeGroups[0].ReaderEndpoint | "\(.Address):\(.Port)"' "$group")
[[ $primary_ep =~ $in_network && $reader_ep =~ $in_network ]] || fail "endpoints not at 127.$LOOPBACK_NETWORK.x.y:6379: $group"
ha1=$(node_address ha-001)
ha2=$(node_address ha-002)
ha3=$(node_address ha-003)
[[ $ha1 =~ $in_network && $ha2 =~ $in_network && $ha3 =~ $in_network ]] || fail "node addresses: $ha1 $ha2 $ha3"
assert_eq 5 "$(printf '%s\n' "$ha1" "$ha2" "$ha3" "$primary_ep" "$reader_ep" | sort -u | wc -l | tr -d ' ')" \
    "three node addresses and two endpoint addresses, all different"
assert_eq "ha-001=primary@$ha1 ha-002=replica@$ha2 ha-003=replica@$ha3" "$(members ha)" "members at creation"
wait_until 30 synced_replicas_are "$ha1" 2
assert_eq "$ha2 $ha3" "$(replicas_listed_at "$ha1")" "replicas as the primary lists them"

bound_by_primary "$primary_ep"
for i in $(seq 1 200); do echo "SET key:$i $i"; done | rc "$primary_ep" >/dev/null
assert_eq 2 "$(rc "$primary_ep" WAIT 2 5000)" "both replicas acknowledged the writes"

# --- SIGKILL the primary: a replica takes over behind the same endpoint ------------------------------
kill -9 "$(node_pid ha-001)"
wait_until 30 writable "$primary_ep" after-kill
assert_eq master "$(role_of "$primary_ep")" "the primary endpoint leads to a primary"
assert_eq 201 "$(rc "$primary_ep" DBSIZE)" "the 200 keys survived the failover, with the probe written after it"
assert_eq 137 "$(rc "$primary_ep" GET key:137)" "a key after the failover"
wait_until 30 primary_is_not ha ha-001
new_primary=$(primary_of ha)
assert_eq "$primary_ep" "$(jqr '.ReplicationGroups[0].NodeGroups[0].PrimaryEndpoint | "\(.Address):\(.Port)"' \
    "$(ec describe-replication-groups --replication-group-id ha)")" "the primary endpoint's address is unchanged"
# The killed node comes back, at its own address, as a replica of the new primary.
wait_until 60 group_status_is ha available
wait_until 30 role_is "$ha1" slave
holds_all() { [ "$(rc_within 2 "$ha1" DBSIZE 2>/dev/null)" = 201 ]; }
wait_until 30 holds_all
members_now=$(members ha)
[[ $members_now == *"ha-001=replica@$ha1"* && $members_now == *"$new_primary=primary@"* ]] ||
    fail "members after the failover: $members_now"
events=$(ec describe-events --source-identifier ha --source-type replication-group --query 'Events[].Message' --output text)
[[ $events == *"Failover from primary node ha-001 to replica node $new_primary completed"* ]] ||
    fail "no failover event: $events"
assert_eq "$(rc "$primary_ep" GET probe)" after-kill "the write made through the endpoint after the kill"
bound_by_primary "$primary_ep"

# --- TestFailover: a planned switch, no acknowledged write lost ------------------------------------------
before=$(primary_of ha)
rc "$primary_ep" SET planned before >/dev/null
out=$(ec test-failover --replication-group-id ha --node-group-id 0001)
assert_eq ha "$(jqr .ReplicationGroup.ReplicationGroupId "$out")" "test-failover answer"
wait_until 30 primary_is_not ha "$before"
wait_until 60 group_status_is ha available
wait_until 30 writable "$primary_ep" after-planned
assert_eq before "$(rc "$primary_ep" GET planned)" "the write made before TestFailover"
bound_by_primary "$primary_ep"
events=$(ec describe-events --source-identifier ha --source-type replication-group --query 'Events[].Message' --output text)
[[ $events == *"Test Failover API called for node group 0001"* ]] || fail "no TestFailover event: $events"
expect_error NodeGroupNotFoundFault ec test-failover --replication-group-id ha --node-group-id 0009

# --- SIGSTOP the primary (a hung node, found by health checks) ---------------------------------------------
frozen=$(primary_of ha)
fault PauseNode "$frozen" >/dev/null
wait_until 30 writable "$primary_ep" after-pause
wait_until 30 primary_is_not ha "$frozen"
fault ResumeNode "$frozen" >/dev/null || true  # it may have been replaced already
wait_until 60 group_status_is ha available
frozen_address=$(node_address "$frozen")
wait_until 60 role_is "$frozen_address" slave
assert_eq after-pause "$(rc "$primary_ep" GET probe)" "the write made after the pause"
bound_by_primary "$primary_ep"

# --- Two primaries in a row: the new primary dies while the old one is still recovering --------------------
# The second death meets the first failover's workflow still running; it is taken up once that ends.
kill -9 "$(node_pid "$(primary_of ha)")"
wait_until 30 writable "$primary_ep" after-first-kill
# The process that binds the primary endpoint is the new primary.
second=$(ss -Hltnp "src $primary_ep" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
[ -n "$second" ] || fail "no process binds the primary endpoint $primary_ep"
kill -9 "$second"
wait_until 30 writable "$primary_ep" after-second-kill
bound_by_primary "$primary_ep"
wait_until 60 group_status_is ha available
wait_until 60 synced_replicas_are "$primary_ep" 2
assert_eq after-second-kill "$(rc "$primary_ep" GET probe)" "the write made after the second kill"

# --- SIGKILL a replica: it comes back at its address and resyncs -------------------------------------------
replica=$(members ha | tr ' ' '\n' | sed -n 's/^\([^=]*\)=replica@.*/\1/p' | head -1)
replica_address=$(node_address "$replica")
kill -9 "$(node_pid "$replica")"
rc "$primary_ep" SET while-replica-down yes >/dev/null
resynced() { [ "$(rc_within 2 "$replica_address" GET while-replica-down 2>/dev/null)" = yes ]; }
wait_until 60 resynced
wait_until 60 group_status_is ha available

# --- Replica scaling: add two replicas, then remove three -----------------------------------------------
out=$(ec increase-replica-count --replication-group-id ha --new-replica-count 4 --apply-immediately)
assert_eq modifying "$(jqr .ReplicationGroup.Status "$out")" "increase-replica-count answer"
wait_until 60 group_status_is ha available
assert_eq 5 "$(ec describe-replication-groups --replication-group-id ha --query 'length(ReplicationGroups[0].MemberClusters)')" \
    "members after adding two replicas"
wait_until 30 synced_replicas_are "$primary_ep" 4
for added in ha-004 ha-005; do
    assert_eq before "$(rc "$(node_address "$added")" GET planned)" "$added holds the data"
done
removed_pids=$(for id in ha-004 ha-005; do node_pid "$id"; done)
out=$(ec decrease-replica-count --replication-group-id ha --new-replica-count 2 --apply-immediately)
wait_until 60 group_status_is ha available
assert_eq 3 "$(ec describe-replication-groups --replication-group-id ha --query 'length(ReplicationGroups[0].MemberClusters)')" \
    "members after removing two replicas"
gone() { local pid; for pid in $removed_pids; do ! kill -0 "$pid" 2>/dev/null || return 1; done; }
wait_until 30 gone
wait_until 30 synced_replicas_are "$primary_ep" 2
expect_error InvalidParameterCombination ec decrease-replica-count --replication-group-id ha --new-replica-count 0 \
    --apply-immediately

# --- Cluster mode enabled: a shard's primary dies, its replica takes its slots ------------------------------
ec create-replication-group --replication-group-id shards --replication-group-description "failover" \
    --engine redis --cache-node-type cache.t3.micro --num-node-groups 2 --replicas-per-node-group 1 \
    --cache-parameter-group-name default.redis7.cluster.on >/dev/null
wait_until 90 group_status_is shards available
config_ep=$(ec describe-replication-groups --replication-group-id shards \
    --query 'ReplicationGroups[0].ConfigurationEndpoint.[Address, Port]' --output text | tr '\t' :)
[[ $config_ep =~ $in_network ]] || fail "configuration endpoint $config_ep"
cluster_write() { [ "$(rc_within 3 "$config_ep" -c SET "$1" "$2" 2>/dev/null)" = OK ]; }
for i in $(seq 1 50); do cluster_write "slot-key:$i" "$i" || fail "cluster write $i"; done
# Cluster-mode groups name no CurrentRole (as on AWS): the nodes themselves tell.
shard_primary() {
    local id
    for id in shards-0002-001 shards-0002-002; do
        [ "$(role_of "$(node_address "$id")" 2>/dev/null)" = master ] && echo "$id"
    done
    return 0
}
shard_primary_is_not() { local now; now=$(shard_primary); [ -n "$now" ] && [ "$now" != "$1" ]; }
victim=$(shard_primary)
[ -n "$victim" ] || fail "shard 0002 has no primary"
victim_address=$(node_address "$victim")
keys_on_victim=$(rc "$victim_address" DBSIZE)
[ "$keys_on_victim" -gt 0 ] || fail "shard 0002 holds no keys"
kill -9 "$(node_pid "$victim")"
every_key_readable() {
    local i
    for i in $(seq 1 50); do
        [ "$(rc_within 3 "$config_ep" -c GET "slot-key:$i" 2>/dev/null)" = "$i" ] || return 1
    done
}
wait_until 30 every_key_readable
wait_until 30 cluster_write after-failover yes
wait_until 30 shard_primary_is_not "$victim"
wait_until 60 group_status_is shards available
wait_until 30 role_is "$victim_address" slave
state_ok() { [ "$(rc "$config_ep" CLUSTER INFO | tr -d '\r' | sed -n 's/^cluster_state://p')" = ok ]; }
wait_until 30 state_ok
# CLUSTER SLOTS names nodes by their own addresses.
rc "$config_ep" --json CLUSTER SLOTS | jq -r '.[][2:][] | "\(.[0]):\(.[1])"' | while read -r node; do
    [[ $node =~ $in_network ]] || fail "CLUSTER SLOTS names $node"
done

# --- The fault path: signed callers only, named actions only ----------------------------------------------
status=$(curl -s -o /dev/null -w '%{http_code}' "$(endpoint)/_keyfleet/fault" -d "Action=KillNode&CacheClusterId=ha-001")
assert_eq 403 "$status" "an unsigned fault request"
status=$(curl -s -o /dev/null -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:elasticache" --user test:test \
    "$(endpoint)/_keyfleet/fault" -d "Action=Explode&CacheClusterId=ha-001")
assert_eq 400 "$status" "an unknown fault action"
status=$(curl -s -o /dev/null -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:elasticache" --user test:test \
    "$(endpoint)/_keyfleet/fault" -d "Action=KillNode&CacheClusterId=nope")
assert_eq 404 "$status" "a fault for no such cluster"

ec delete-replication-group --replication-group-id ha >/dev/null
ec delete-replication-group --replication-group-id shards >/dev/null
wait_until 60 group_gone ha
wait_until 60 group_gone shards
stop_keyfleet TERM
assert_eq 0 "$KEYFLEET_EXIT_STATUS" "exit status after SIGTERM"
wait_until 15 no_nodes_left
