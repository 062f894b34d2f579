#!/usr/bin/env bash
# Online resharding (ModifyReplicationGroupShardConfiguration) on a real Redis Cluster
# holding keys of every type, while redis-py's cluster client writes and reads through
# the configuration endpoint: 3 -> 4 node groups, 4 -> 3 with NodeGroupsToRemove and with
# NodeGroupsToRetain, a rebalance; progress while it runs, the slot layout and the nodes
# afterwards, every key kept, no client error; and AWS's refusals, which change nothing.
. "$(dirname "$0")/lib.sh"
require_tool redis-cli
PY=$(redis_python)
CLIENT=$INTEGRATION_DIR/cluster_client.py
KEYS=20000

reserve_loopback_network
start_keyfleet --loopback-network "$LOOPBACK_NETWORK" --cluster-node-pool 4

reshard() { ec modify-replication-group-shard-configuration --replication-group-id "$@" --apply-immediately; }

# layout GROUP: "id=slots" of each node group, in order.
layout() {
    ec describe-replication-groups --replication-group-id "$1" |
        jq -r '[.ReplicationGroups[0].NodeGroups[] | "\(.NodeGroupId)=\(.Slots)"] | join(" ")'
}

# check_nodes GROUP SHARDS: every member's node runs in one cluster of SHARDS primaries
# with one replica each, whole and ok; a primary's keys are all in its node group's slots.
check_nodes() {
    local group=$1 shards=$2 out members port id
    out=$(ec describe-replication-groups --replication-group-id "$group")
    members=$(jqr '.ReplicationGroups[0].MemberClusters[]' "$out")
    assert_eq $((shards * 2)) "$(grep -c . <<<"$members")" "$group: member clusters"
    for id in $members; do
        port=$(node_address "$id")
        info=$(rc "$port" CLUSTER INFO | tr -d '\r')
        grep -qx cluster_state:ok <<<"$info" || fail "$group: node $id: $info"
        grep -qx cluster_slots_assigned:16384 <<<"$info" || fail "$group: node $id: $info"
        grep -qx "cluster_known_nodes:$((shards * 2))" <<<"$info" || fail "$group: node $id: $info"
        grep -qx "cluster_size:$shards" <<<"$info" || fail "$group: node $id: $info"
    done
    # Describe's slots are the nodes' own.
    local node_group slots primary
    for node_group in $(jqr '.ReplicationGroups[0].NodeGroups[].NodeGroupId' "$out"); do
        slots=$(jqr ".ReplicationGroups[0].NodeGroups[] | select(.NodeGroupId == \"$node_group\") | .Slots" "$out")
        primary=$(node_address "$group-$node_group-001")
        assert_eq "$slots" "$(rc "$primary" CLUSTER NODES | awk '/myself/ { $1=$2=$3=$4=$5=$6=$7=$8=""; print }' |
            xargs | tr ' ' ',')" "$group: slots of node group $node_group on its primary"
    done
}

traffic_start() {
    rm -f "$TEST_TMP/stop"
    "$PY" "$CLIENT" traffic "$config_host" "$config_port" "$TEST_TMP/stop" "$TEST_TMP/traffic.json" &
    TRAFFIC_PID=$!
}
traffic_stop() {
    touch "$TEST_TMP/stop"
    wait "$TRAFFIC_PID" || fail "$1: the client exited with status $?"
    local report
    report=$(cat "$TEST_TMP/traffic.json")
    [ "$(jqr .operations "$report")" -gt 0 ] || fail "$1: the client did nothing: $report"
    assert_eq 0 "$(jqr .errors "$report")" "$1: client errors ($(jqr '.first_errors | join("; ")' "$report"))"
}

# progress_seen GROUP: Describe shows the reshard's progress (or it has already ended).
progress_seen() {
    local out
    out=$(ec describe-replication-groups --replication-group-id "$1")
    [ "$(jqr '.ReplicationGroups[0].Status' "$out")" = available ] && return 0
    [ "$(jqr '.ReplicationGroups[0].PendingModifiedValues.Resharding.SlotMigration.ProgressPercentage | type' "$out")" = number ]
}

# --- A group of three node groups with keys of every type -----------------------------------
ec create-replication-group --replication-group-id flat --replication-group-description d \
    --cache-node-type cache.t3.micro --num-cache-clusters 1 >/dev/null
ec create-replication-group --replication-group-id rs --replication-group-description "reshard me" \
    --cache-node-type cache.t3.micro --cache-parameter-group-name default.redis7.cluster.on \
    --num-node-groups 3 --replicas-per-node-group 1 >/dev/null
wait_until 90 group_status_is rs available
wait_until 90 group_status_is flat available
out=$(ec describe-replication-groups --replication-group-id rs)
config_host=$(jqr .ReplicationGroups[0].ConfigurationEndpoint.Address "$out")
config_port=$(jqr .ReplicationGroups[0].ConfigurationEndpoint.Port "$out")
"$PY" "$CLIENT" load "$config_host" "$config_port" "$KEYS"
"$PY" "$CLIENT" check "$config_host" "$config_port" "$KEYS" || fail "keys before any reshard"
assert_eq "0001=0-5461 0002=5462-10922 0003=10923-16383" "$(layout rs)" "layout before"

# --- Refusals: AWS's errors, nothing changed ------------------------------------------------
expect_error ReplicationGroupNotFoundFault reshard nope --node-group-count 2
expect_error InvalidParameterValue reshard flat --node-group-count 2
expect_error InvalidParameterValue ec modify-replication-group-shard-configuration --replication-group-id rs \
    --node-group-count 4 --no-apply-immediately
expect_error InvalidParameterValue reshard rs --node-group-count 2
expect_error InvalidParameterValue reshard rs --node-group-count 0
expect_error NodeGroupsPerReplicationGroupQuotaExceeded reshard rs --node-group-count 91
expect_error InvalidParameterCombination reshard rs --node-group-count 2 --node-groups-to-remove 0003 \
    --node-groups-to-retain 0001 0002
expect_error InvalidParameterValue reshard rs --node-group-count 2 --node-groups-to-remove 0009
expect_error InvalidParameterValue reshard rs --node-group-count 1 --node-groups-to-remove 0003
expect_error InvalidParameterValue reshard rs --node-group-count 2 --node-groups-to-retain 0001
expect_error InvalidParameterCombination reshard rs --node-group-count 4 --node-groups-to-remove 0001
expect_error InvalidParameterCombination reshard rs --node-group-count 3 --resharding-configuration \
    NodeGroupId=0009,PreferredAvailabilityZones=us-east-1a
expect_error InvalidParameterValue reshard rs --node-group-count 4 --resharding-configuration \
    NodeGroupId=0002,PreferredAvailabilityZones=us-east-1a
expect_error NodeQuotaForClusterExceeded ec modify-replication-group-shard-configuration --replication-group-id rs \
    --node-group-count 46 --apply-immediately
assert_eq available "$(group_status rs)" "status after the refusals"
assert_eq "0001=0-5461 0002=5462-10922 0003=10923-16383" "$(layout rs)" "layout after the refusals"

# --- 3 -> 4 ------------------------------------------------------------------------------------
traffic_start
out=$(reshard rs --node-group-count 4 --resharding-configuration \
    "NodeGroupId=0004,PreferredAvailabilityZones=us-east-1b,us-east-1c")
assert_eq "modifying|4|number" \
    "$(jqr '.ReplicationGroup | "\(.Status)|\(.NodeGroups | length)|\(.PendingModifiedValues.Resharding.SlotMigration.ProgressPercentage | type)"' "$out")" \
    "the answer: modifying, the new node group, the progress"
expect_error InvalidReplicationGroupState reshard rs --node-group-count 3 --node-groups-to-remove 0004
wait_until 20 progress_seen rs
wait_until 120 group_status_is rs available
traffic_stop "3 -> 4"
assert_eq "0001=0-4095 0002=5462-9557 0003=10923-15018 0004=4096-5461,9558-10922,15019-16383" "$(layout rs)" \
    "layout after 3 -> 4"
out=$(ec describe-replication-groups --replication-group-id rs)
assert_eq null "$(jqr '.ReplicationGroups[0].PendingModifiedValues.Resharding' "$out")" "no progress once available"
assert_eq "us-east-1b|us-east-1c" "$(ec describe-cache-clusters --query \
    'CacheClusters[?starts_with(CacheClusterId, `rs-0004`)].PreferredAvailabilityZone' --output text | tr '\t' '|')" \
    "the new node group's zones"
check_nodes rs 4
"$PY" "$CLIENT" check "$config_host" "$config_port" "$KEYS" || fail "keys after 3 -> 4"
[ "$(rc "$(node_address rs-0004-001)" DBSIZE)" -gt 0 ] || fail "the new node group holds no keys"

# --- 4 -> 3, NodeGroupsToRemove ----------------------------------------------------------------
removed_port=$(node_address rs-0004-001)
traffic_start
reshard rs --node-group-count 3 --node-groups-to-remove 0004 >/dev/null
wait_until 120 group_status_is rs available
traffic_stop "4 -> 3 (remove)"
assert_eq "0001=0-5461 0002=5462-10922 0003=10923-16383" "$(layout rs)" "layout after 4 -> 3"
check_nodes rs 3
wait_until 10 refuses_connections "$removed_port"
wait_until 10 cluster_gone rs-0004-001
"$PY" "$CLIENT" check "$config_host" "$config_port" "$KEYS" || fail "keys after 4 -> 3"

# --- 3 -> 4 again, then 4 -> 3 keeping 0001, 0002 and 0004 --------------------------------------
reshard rs --node-group-count 4 >/dev/null
wait_until 120 group_status_is rs available
traffic_start
reshard rs --node-group-count 3 --node-groups-to-retain 0001 0002 0004 >/dev/null
wait_until 120 group_status_is rs available
traffic_stop "4 -> 3 (retain)"
assert_eq "0001=0-4095,10923-12288 0002=5462-9557,12289-13653 0004=4096-5461,9558-10922,13654-16383" "$(layout rs)" \
    "layout after 4 -> 3 retaining 0001 0002 0004"
check_nodes rs 3
"$PY" "$CLIENT" check "$config_host" "$config_port" "$KEYS" || fail "keys after 4 -> 3 (retain)"

# --- A migrating primary killed: its replica takes over and the move goes on -------------------
# Node group 0004 gives all its slots away; its primary dies as the move starts.
victim_pid=$(cat "$KEYFLEET_DATA/nodes/000000000000/us-east-1/rs-0004-001/0001/redis.pid")
reshard rs --node-group-count 2 --node-groups-to-remove 0004 >/dev/null
kill -9 "$victim_pid"
wait_until 120 group_status_is rs available
assert_eq "0001=0-5461,9558-10921,10923-12288 0002=5462-9557,10922,12289-16383" "$(layout rs)" \
    "layout after 3 -> 2 with a primary killed"
check_nodes rs 2
"$PY" "$CLIENT" check "$config_host" "$config_port" "$KEYS" || fail "keys after 3 -> 2 with a primary killed"
out=$(ec describe-events --source-identifier rs --source-type replication-group)
grep -q "Failover from primary node rs-0004-001 to replica node rs-0004-002 completed" <<<"$out" ||
    fail "no failover while resharding: $out"

# --- Rebalance: the same count moves slots back to an even split -------------------------------
ec create-replication-group --replication-group-id uneven --replication-group-description d \
    --cache-node-type cache.t3.micro --node-group-configuration \
    "NodeGroupId=0001,Slots=0-11999,ReplicaCount=1" "NodeGroupId=0002,Slots=12000-16383,ReplicaCount=1" >/dev/null
wait_until 90 group_status_is uneven available
out=$(ec describe-replication-groups --replication-group-id uneven)
config_host=$(jqr .ReplicationGroups[0].ConfigurationEndpoint.Address "$out")
config_port=$(jqr .ReplicationGroups[0].ConfigurationEndpoint.Port "$out")
"$PY" "$CLIENT" load "$config_host" "$config_port" 5000
traffic_start
reshard uneven --node-group-count 2 >/dev/null
wait_until 120 group_status_is uneven available
traffic_stop rebalance
assert_eq "0001=0-8191 0002=8192-16383" "$(layout uneven)" "layout after the rebalance"
check_nodes uneven 2
"$PY" "$CLIENT" check "$config_host" "$config_port" 5000 || fail "keys after the rebalance"

# --- A slot left open by a stopped move: the next reshard finishes it first ----------------------
slot=$(rc "$(node_address uneven-0001-001)" CLUSTER KEYSLOT k:1)
for id in uneven-0001-001 uneven-0002-001; do
    address=$(node_address "$id")
    if [ "$(rc "$address" CLUSTER COUNTKEYSINSLOT "$slot")" -gt 0 ]; then source=$address; else target=$address; fi
done
rc "$target" CLUSTER SETSLOT "$slot" IMPORTING "$(rc "$source" CLUSTER MYID)" >/dev/null
rc "$source" CLUSTER SETSLOT "$slot" MIGRATING "$(rc "$target" CLUSTER MYID)" >/dev/null
assert_eq OK "$(rc "$source" MIGRATE "${target%:*}" "${target##*:}" k:1 0 5000)" "MIGRATE of k:1 by hand"
layout_before=$(layout uneven)
reshard uneven --node-group-count 2 >/dev/null
wait_until 60 group_status_is uneven available
assert_eq "$layout_before" "$(layout uneven)" "layout after a rebalance that closed an open slot"
for id in uneven-0001-001 uneven-0002-001; do
    rc "$(node_address "$id")" CLUSTER NODES | grep -q '\[' && fail "$id still has an open slot"
done
check_nodes uneven 2
"$PY" "$CLIENT" check "$config_host" "$config_port" 5000 || fail "keys after closing an open slot"

# --- A scale-in whose data does not fit the remaining node group: refused, nothing moved -------
ec create-cache-parameter-group --cache-parameter-group-name tight --cache-parameter-group-family redis7 \
    --description "1% of the node's memory for data" >/dev/null
ec modify-cache-parameter-group --cache-parameter-group-name tight --parameter-name-values \
    ParameterName=cluster-enabled,ParameterValue=yes ParameterName=reserved-memory-percent,ParameterValue=99 >/dev/null
ec create-replication-group --replication-group-id tight --replication-group-description d \
    --cache-node-type cache.t3.micro --cache-parameter-group-name tight --num-node-groups 2 \
    --replicas-per-node-group 0 >/dev/null
wait_until 90 group_status_is tight available
# 2 MB in each shard: each fits its own node's data memory, both do not fit one.
# put_3mb ADDRESS FIRST LAST: three 700 kB strings whose slots are in FIRST..LAST.
put_3mb() {
    local address=$1 first=$2 last=$3 written=0 n slot
    for n in $(seq 1 200); do
        slot=$(rc "$address" CLUSTER KEYSLOT "big:$n")
        [ "$slot" -ge "$first" ] && [ "$slot" -le "$last" ] || continue
        assert_eq OK "$(head -c 700000 /dev/zero | tr '\0' x | rc "$address" -x SET "big:$n")" "SET big:$n"
        written=$((written + 1))
        [ "$written" -lt 3 ] || return 0
    done
    fail "no three keys big:N in slots $first-$last"
}
low=$(node_address tight-0001-001)
high=$(node_address tight-0002-001)
put_3mb "$low" 0 8191
put_3mb "$high" 8192 16383
keys_before=$(($(rc "$low" DBSIZE) + $(rc "$high" DBSIZE)))
reshard tight --node-group-count 1 --node-groups-to-remove 0002 >/dev/null
wait_until 60 group_status_is tight available
assert_eq "0001=0-8191 0002=8192-16383" "$(layout tight)" "layout after a scale-in that does not fit"
out=$(ec describe-events --source-identifier tight --source-type replication-group)
grep -q "does not fit the memory of the 1 remaining node groups" <<<"$out" || fail "no memory refusal event: $out"
assert_eq "$keys_before" "$(($(rc "$low" DBSIZE) + $(rc "$high" DBSIZE)))" "keys after the refused scale-in"

# --- Events ------------------------------------------------------------------------------------
out=$(ec describe-events --source-identifier rs --source-type replication-group)
grep -q "Modifying the number of node groups of replication group rs from 3 to 4" <<<"$out" ||
    fail "no start event: $out"
grep -q "Completed the shard configuration change of replication group rs: 4 node groups" <<<"$out" ||
    fail "no end event: $out"

# --- The server killed while slots move: after a restart the reshard resumes and ends -----------
"$PY" "$CLIENT" check "$config_host" "$config_port" 5000 || fail "keys before the crash"
"$PY" "$CLIENT" fill "$config_host" "$config_port" 300000
# migrating GROUP: slots are moving (the progress is past 0), or the reshard already ended
# (RESHARD_ENDED=1).
RESHARD_ENDED=0
migrating() {
    local out
    out=$(ec describe-replication-groups --replication-group-id "$1")
    if [ "$(jqr '.ReplicationGroups[0].Status' "$out")" = available ]; then
        RESHARD_ENDED=1
        return 0
    fi
    jqr '.ReplicationGroups[0].PendingModifiedValues.Resharding.SlotMigration.ProgressPercentage > 0' "$out" | grep -qx true
}
reshard uneven --node-group-count 3 >/dev/null
wait_until 60 migrating uneven
[ "$RESHARD_ENDED" = 0 ] || fail "the reshard of uneven ended before the server could be killed while slots moved"
stop_keyfleet KILL
wait_until 20 no_nodes_left
start_keyfleet --loopback-network "$LOOPBACK_NETWORK" --cluster-node-pool 4
wait_until 120 group_status_is uneven available
assert_eq "0001=0-5461 0002=8192-13652 0003=5462-8191,13653-16383" "$(layout uneven)" "layout after the restart"
check_nodes uneven 3
"$PY" "$CLIENT" check "$config_host" "$config_port" 5000 || fail "keys after a restart mid-reshard"
"$PY" "$CLIENT" check_fill "$config_host" "$config_port" 300000 || fail "filled keys after a restart mid-reshard"
