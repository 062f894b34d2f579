#!/usr/bin/env bash
# Nodes across keyfleet restarts: a single-node cluster, a three-node group with cluster
# mode disabled and a 2x1 cluster-mode group hold their keys. SIGTERM stops every node
# with keyfleet (exit 0); kill -9 leaves none behind either (the kernel sends them
# SIGTERM, and they save on the way out). After each, keyfleet on the same data dir
# brings them all back: available, on the same endpoints, with their keys, serving writes.
. "$(dirname "$0")/lib.sh"
require_tool redis-cli

reserve_node_ports
flags=(--node-ports "$NODE_PORTS" --cluster-node-pool 0)
start_keyfleet "${flags[@]}"

ec create-cache-cluster --cache-cluster-id solo --engine redis --cache-node-type cache.t3.micro >/dev/null
ec create-replication-group --replication-group-id trio --replication-group-description "three nodes" \
    --cache-node-type cache.t3.micro --num-cache-clusters 3 --automatic-failover-enabled >/dev/null
ec create-replication-group --replication-group-id shards --replication-group-description "two shards" \
    --cache-node-type cache.t3.micro --cache-parameter-group-name default.redis7.cluster.on \
    --num-node-groups 2 --replicas-per-node-group 1 >/dev/null
wait_until 60 cluster_status_is solo available
wait_until 60 group_status_is trio available
wait_until 90 group_status_is shards available

# state: every cluster and group with its status and endpoints, a line each.
state() {
    jq -r '.CacheClusters[] | "\(.CacheClusterId)|\(.CacheClusterStatus)|\([.CacheNodes[] | "\(.CacheNodeStatus):\(.Endpoint.Address):\(.Endpoint.Port)"] | join(","))"' \
        <<<"$(ec describe-cache-clusters --show-cache-node-info)"
    jq -r '.ReplicationGroups[] | "\(.ReplicationGroupId)|\(.Status)|\(.ConfigurationEndpoint.Port)|\([.NodeGroups[] | "\(.NodeGroupId):\(.Slots):\(.PrimaryEndpoint.Port):\(.ReaderEndpoint.Port):\([.NodeGroupMembers[] | "\(.CacheClusterId)=\(.CurrentRole)"] | join("+"))"] | join(","))"' \
        <<<"$(ec describe-replication-groups)"
}
before=$(state)
[ "$(grep -c '|available|' <<<"$before")" = 10 ] || fail "8 clusters and 2 groups should be available: $before"

out=$(ec describe-replication-groups --replication-group-id trio)
trio_primary=$(jqr '.ReplicationGroups[0].NodeGroups[0].PrimaryEndpoint.Port' "$out")
trio_reader=$(jqr '.ReplicationGroups[0].NodeGroups[0].ReaderEndpoint.Port' "$out")
trio_nodes=$(jqr '[.ReplicationGroups[0].NodeGroups[0].NodeGroupMembers[].ReadEndpoint.Port] | join(" ")' "$out")
trio_replicas=$(jqr '[.ReplicationGroups[0].NodeGroups[0].NodeGroupMembers[] | select(.CurrentRole == "replica") | .ReadEndpoint.Port] | join(" ")' "$out")
shards_config=$(ec describe-replication-groups --replication-group-id shards \
    --query 'ReplicationGroups[0].ConfigurationEndpoint.Port' --output text)
shards_nodes=$(for id in shards-0001-001 shards-0001-002 shards-0002-001 shards-0002-002; do node_port "$id"; done)
solo=$(node_port solo)
all_ports="$solo $trio_nodes $trio_primary $trio_reader $shards_nodes $shards_config"

# write ROUND: keys of that round in every cluster.
write() {
    local round=$1 i
    for i in $(seq 1 50); do echo "SET $round:$i v$i"; done | rc "$solo" >/dev/null
    for i in $(seq 1 50); do echo "SET $round:$i v$i"; done | rc "$trio_primary" >/dev/null
    for i in $(seq 1 50); do echo "SET $round:$i v$i"; done | rc "$shards_config" -c >"$TEST_TMP/cluster-set.out"
    assert_eq 50 "$(grep -cx OK "$TEST_TMP/cluster-set.out")" "SETs of round $round through the configuration endpoint"
}

# keys_of PORT: the keys a node holds, sorted, on one line.
keys_of() { rc "$1" --scan | sort | paste -sd ' '; }

# holds ROUND...: every cluster has every key of those rounds, replicas included.
holds() {
    local round i expected=() port
    for round in "$@"; do for i in $(seq 1 50); do expected+=("$round:$i"); done; done
    local want
    want=$(printf '%s\n' "${expected[@]}" | sort | paste -sd ' ')
    assert_eq "$want" "$(keys_of "$solo")" "keys of solo"
    for port in $trio_nodes; do
        replica_caught_up() { [ "$(keys_of "$1")" = "$want" ]; }
        wait_until 15 replica_caught_up "$port"
    done
    local union
    union=$(for port in $shards_nodes; do rc "$port" --scan; done | sort -u | paste -sd ' ')
    assert_eq "$want" "$union" "keys across the shards"
    for i in 1 25 50; do
        assert_eq "v$i" "$(rc "$shards_config" -c GET "$1:$i")" "GET $1:$i through the configuration endpoint"
        assert_eq "v$i" "$(rc "$trio_reader" GET "$1:$i")" "GET $1:$i through the reader endpoint"
    done
}

# serving: what a restarted keyfleet must show at once.
serving() {
    local what=$1 port info
    assert_eq "$before" "$(state)" "clusters, groups and endpoints after $what"
    assert_eq 8 "$(node_pids | wc -l)" "redis-server processes after $what"
    for port in $shards_nodes; do
        info=$(rc "$port" CLUSTER INFO | tr -d '\r')
        grep -qx cluster_state:ok <<<"$info" || fail "after $what, node $port: $info"
        grep -qx cluster_known_nodes:4 <<<"$info" || fail "after $what, node $port: $info"
    done
    for port in $trio_replicas; do
        link_up() { [ "$(info_field "$1" replication master_link_status)" = up ]; }
        wait_until 15 link_up "$port"
    done
    assert_eq "$(node_port trio-001)" "$(config_get "$trio_primary" port)" "the primary endpoint after $what"
    assert_eq OK "$(rc "$trio_primary" SET "written-after:$what" yes)" "a write through the primary endpoint after $what"
    assert_eq OK "$(rc "$shards_config" -c SET "written-after:$what" yes)" "a write through the configuration endpoint after $what"
    assert_eq OK "$(rc "$solo" SET "written-after:$what" yes)" "a write to solo after $what"
    rc "$trio_primary" DEL "written-after:$what" >/dev/null
    rc "$shards_config" -c DEL "written-after:$what" >/dev/null
    rc "$solo" DEL "written-after:$what" >/dev/null
}

write first
holds first
assert_eq 8 "$(node_pids | wc -l)" "redis-server processes of the three groups"

# --- SIGTERM: keyfleet stops its nodes and exits 0 -------------------------------------------
stop_keyfleet TERM
assert_eq 0 "$KEYFLEET_EXIT_STATUS" "exit status after SIGTERM"
no_nodes_left || fail "redis-server still running after keyfleet exited on SIGTERM: $(node_pids | paste -sd ' ')"
for port in $all_ports; do
    refuses_connections "$port" || fail "port $port still answers while keyfleet is stopped"
done
start_keyfleet "${flags[@]}"
serving SIGTERM
holds first

# --- kill -9: the nodes follow keyfleet within a bounded time, their data saved ------------------
write second
holds first second
stop_keyfleet KILL
assert_eq 137 "$KEYFLEET_EXIT_STATUS" "exit status after kill -9"
wait_until 20 no_nodes_left
for port in $all_ports; do
    refuses_connections "$port" || fail "port $port still answers after keyfleet was killed"
done
start_keyfleet "${flags[@]}"
serving "kill -9"
holds first second

stop_keyfleet TERM
assert_eq 0 "$KEYFLEET_EXIT_STATUS" "exit status after the last SIGTERM"
no_nodes_left || fail "redis-server still running after the last SIGTERM: $(node_pids | paste -sd ' ')"
