#!/usr/bin/env bash
# Replication groups with cluster mode enabled, on a real Redis Cluster: two shards of a
# primary and a replica each (slots split evenly, or as NodeGroupConfiguration says),
# the configuration endpoint with redis-cli -c following MOVED to the node endpoints,
# cluster_state ok everywhere, the slot layout Describe reports, and AWS's refusals.
. "$(dirname "$0")/lib.sh"
require_tool redis-cli

reserve_node_ports
start_keyfleet --node-ports "$NODE_PORTS" --cluster-node-pool 9

# members_ports GROUP: "cluster-id=port" of every member, a line each.
members_ports() {
    local id
    for id in $(ec describe-replication-groups --replication-group-id "$1" \
        --query 'ReplicationGroups[0].MemberClusters' --output text); do
        echo "$id=$(node_port "$id")"
    done
}

# port_of ID: from the last members_ports.
port_of() { sed -n "s/^$1=//p" <<<"$members"; }

# slot_owner PORT SLOT: the port of the primary serving SLOT, as the node on PORT sees it.
slot_owner() {
    rc "$1" --json CLUSTER SLOTS | jq -r --argjson slot "$2" '.[] | select(.[0] <= $slot and $slot <= .[1]) | .[2][1]'
}

# check_cluster GROUP SHARD1_SLOTS SHARD2_SLOTS FIRST_SLOT_OF_SHARD2
check_cluster() {
    local group=$1 slots1=$2 slots2=$3 boundary=$4 out port id
    out=$(ec describe-replication-groups --replication-group-id "$group")
    local g
    g=$(jqr '.ReplicationGroups[0]' "$out")
    assert_eq "available|true|enabled|enabled|cache.t3.micro|redis" \
        "$(jqr '"\(.Status)|\(.ClusterEnabled)|\(.ClusterMode)|\(.AutomaticFailover)|\(.CacheNodeType)|\(.Engine)"' "$g")" \
        "$group: Status, ClusterEnabled, ClusterMode, AutomaticFailover, CacheNodeType, Engine"
    assert_eq "$group-0001-001 $group-0001-002 $group-0002-001 $group-0002-002" \
        "$(jqr '.MemberClusters | join(" ")' "$g")" "$group: member clusters"
    assert_eq "0001=$slots1 0002=$slots2" "$(jqr '[.NodeGroups[] | "\(.NodeGroupId)=\(.Slots)"] | join(" ")' "$g")" \
        "$group: node groups and their slots"
    assert_eq "$group-0001-001 $group-0001-002|$group-0002-001 $group-0002-002" \
        "$(jqr '[.NodeGroups[] | [.NodeGroupMembers[].CacheClusterId] | join(" ")] | join("|")' "$g")" \
        "$group: members of each node group"
    assert_eq 127.0.0.1 "$(jqr .ConfigurationEndpoint.Address "$g")" "$group: ConfigurationEndpoint address"
    config=$(jqr .ConfigurationEndpoint.Port "$g")
    [[ $config =~ ^[0-9]+$ ]] || fail "$group: no ConfigurationEndpoint port: $g"
    assert_eq null "$(jqr '.NodeGroups[0].PrimaryEndpoint' "$g")" "$group: no PrimaryEndpoint with cluster mode enabled"

    members=$(members_ports "$group")
    p1=$(port_of "$group-0001-001")
    r1=$(port_of "$group-0001-002")
    p2=$(port_of "$group-0002-001")
    r2=$(port_of "$group-0002-002")
    assert_eq 5 "$(printf '%s\n' "$p1" "$r1" "$p2" "$r2" "$config" | sort -u | grep -c .)" \
        "$group: four node ports and the configuration endpoint, all distinct"

    # Every node: the cluster is whole and ok.
    for port in $p1 $r1 $p2 $r2; do
        info=$(rc "$port" CLUSTER INFO | tr -d '\r')
        grep -qx cluster_state:ok <<<"$info" || fail "$group: node $port: $info"
        grep -qx cluster_slots_assigned:16384 <<<"$info" || fail "$group: node $port: $info"
        grep -qx cluster_known_nodes:4 <<<"$info" || fail "$group: node $port: $info"
        grep -qx cluster_size:2 <<<"$info" || fail "$group: node $port: $info"
    done
    # The slot layout is what Describe says, seen from every node.
    for port in $p1 $r1 $p2 $r2; do
        assert_eq "$p1" "$(slot_owner "$port" 0)" "$group: owner of slot 0 seen from $port"
        assert_eq "$p1" "$(slot_owner "$port" $((boundary - 1)))" "$group: owner of slot $((boundary - 1)) seen from $port"
        assert_eq "$p2" "$(slot_owner "$port" "$boundary")" "$group: owner of slot $boundary seen from $port"
        assert_eq "$p2" "$(slot_owner "$port" 16383)" "$group: owner of slot 16383 seen from $port"
    done
    # One replica per shard, linked to its shard's primary.
    for pair in "$r1:$p1" "$r2:$p2"; do
        replica=${pair%:*}
        primary=${pair#*:}
        assert_eq slave "$(info_field "$replica" replication role)" "$group: role of $replica"
        assert_eq "$primary" "$(info_field "$replica" replication master_port)" "$group: primary of $replica"
        assert_eq up "$(info_field "$replica" replication master_link_status)" "$group: link of $replica"
        assert_eq 1 "$(info_field "$primary" replication connected_slaves)" "$group: replicas of $primary"
    done

    # Data through the configuration endpoint, redis-cli following MOVED to the nodes.
    for i in $(seq 1 200); do echo "SET $group:key:$i value:$i"; done | rc "$config" -c >"$TEST_TMP/set.out"
    assert_eq 200 "$(grep -cx OK "$TEST_TMP/set.out")" "$group: SET of 200 keys through the configuration endpoint"
    for i in 1 17 99 200; do
        assert_eq "value:$i" "$(rc "$config" -c GET "$group:key:$i")" "$group: GET $group:key:$i through the configuration endpoint"
    done
    local n1 n2
    n1=$(rc "$p1" DBSIZE)
    n2=$(rc "$p2" DBSIZE)
    [ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] || fail "$group: keys should land on both shards: $n1 and $n2"
    assert_eq 200 $((n1 + n2)) "$group: keys on the two primaries"
    dbsize_is() { [ "$(rc "$1" DBSIZE)" = "$2" ]; }
    wait_until 10 dbsize_is "$r1" "$n1"
    wait_until 10 dbsize_is "$r2" "$n2"
    # Without -c a node answers MOVED with the other shard's endpoint.
    local slot moved
    slot=$(rc "$p1" CLUSTER KEYSLOT "$group:key:1")
    if [ "$slot" -lt "$boundary" ]; then
        moved=$(rc "$p2" GET "$group:key:1" 2>&1 || true)
        assert_eq "MOVED $slot 127.0.0.1:$p1" "$moved" "$group: MOVED from the other shard"
    else
        moved=$(rc "$p1" GET "$group:key:1" 2>&1 || true)
        assert_eq "MOVED $slot 127.0.0.1:$p2" "$moved" "$group: MOVED from the other shard"
    fi
}

# --- Refusals ------------------------------------------------------------------------------
expect_error InvalidParameterCombination ec create-replication-group --replication-group-id nofailover \
    --replication-group-description d --cache-node-type cache.t3.micro \
    --cache-parameter-group-name default.redis7.cluster.on --num-node-groups 2 --replicas-per-node-group 1 \
    --no-automatic-failover-enabled
expect_error InvalidParameterValue ec create-replication-group --replication-group-id gap \
    --replication-group-description d --cache-node-type cache.t3.micro \
    --cache-parameter-group-name default.redis7.cluster.on \
    --node-group-configuration "NodeGroupId=0001,Slots=0-8000,ReplicaCount=1" "NodeGroupId=0002,Slots=8192-16383,ReplicaCount=1"
expect_error InvalidParameterValue ec create-replication-group --replication-group-id overlap \
    --replication-group-description d --cache-node-type cache.t3.micro \
    --cache-parameter-group-name default.redis7.cluster.on \
    --node-group-configuration "NodeGroupId=0001,Slots=0-9000,ReplicaCount=1" "NodeGroupId=0002,Slots=8192-16383,ReplicaCount=1"
expect_error InvalidParameterValue ec create-replication-group --replication-group-id beyond \
    --replication-group-description d --cache-node-type cache.t3.micro \
    --cache-parameter-group-name default.redis7.cluster.on \
    --node-group-configuration "NodeGroupId=0001,Slots=0-8191,ReplicaCount=1" "NodeGroupId=0002,Slots=8192-16384,ReplicaCount=1"
out=$(ec describe-replication-groups)
assert_eq 0 "$(jqr '.ReplicationGroups | length' "$out")" "refused creates created nothing"

# --- Two shards, slots split evenly -----------------------------------------------------------
out=$(ec create-replication-group --replication-group-id CM --replication-group-description "two shards" \
    --cache-node-type cache.t3.micro --cache-parameter-group-name default.redis7.cluster.on \
    --num-node-groups 2 --replicas-per-node-group 1)
assert_eq "cm|creating|true" "$(jqr '.ReplicationGroup | "\(.ReplicationGroupId)|\(.Status)|\(.ClusterEnabled)"' "$out")" \
    "create answer"
# --- Two shards, slots as NodeGroupConfiguration says; the cluster.on group by default ----------
ec create-replication-group --replication-group-id slots --replication-group-description "explicit slots" \
    --cache-node-type cache.t3.micro --num-node-groups 2 \
    --node-group-configuration "NodeGroupId=0001,Slots=0-4999,ReplicaCount=1" \
    "NodeGroupId=0002,Slots=5000-16383,ReplicaCount=1" >/dev/null
wait_until 90 group_status_is cm available
wait_until 90 group_status_is slots available

check_cluster cm 0-8191 8192-16383 8192
cm_ports="$p1 $r1 $p2 $r2 $config"
check_cluster slots 0-4999 5000-16383 5000
slots_ports="$p1 $r1 $p2 $r2 $config"
out=$(ec describe-cache-clusters --cache-cluster-id slots-0002-002)
assert_eq "default.redis7.cluster.on|slots" \
    "$(jqr '.CacheClusters[0] | "\(.CacheParameterGroup.CacheParameterGroupName)|\(.ReplicationGroupId)"' "$out")" \
    "a member's parameter group when cluster mode came from NumNodeGroups"

# The two clusters are separate: neither knows the other's keys.
assert_eq "" "$(rc "${cm_ports##* }" -c GET slots:key:1)" "cm does not hold slots' keys"

# --- Delete: every node and the configuration endpoint go ---------------------------------------
ec delete-replication-group --replication-group-id cm >/dev/null
ec delete-replication-group --replication-group-id slots >/dev/null
wait_until 60 group_gone cm
wait_until 60 group_gone slots
for port in $cm_ports $slots_ports; do
    wait_until 10 refuses_connections "$port"
done
out=$(ec describe-cache-clusters)
assert_eq 0 "$(jqr '.CacheClusters | length' "$out")" "no member clusters left"

stop_keyfleet TERM
assert_eq 0 "$KEYFLEET_EXIT_STATUS" "exit status after SIGTERM"
wait_until 15 no_nodes_left
