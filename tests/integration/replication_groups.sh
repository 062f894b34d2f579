#!/usr/bin/env bash
# Replication groups with cluster mode disabled, on real redis-server nodes: a primary
# and two replicas that really replicate, the primary endpoint leading to the primary,
# the reader endpoint spreading connections over the replicas, AWS's refusals, the
# Describe fields, and delete (with RetainPrimaryCluster, and plain).
. "$(dirname "$0")/lib.sh"
require_tool redis-cli

reserve_node_ports
start_keyfleet --node-ports "$NODE_PORTS" --cluster-node-pool 0
account=000000000000

# --- Create ------------------------------------------------------------------------------
out=$(ec create-replication-group --replication-group-id RG --replication-group-description "three nodes" \
    --cache-node-type cache.t3.micro --engine redis --num-cache-clusters 3 --automatic-failover-enabled)
assert_eq "rg|creating" "$(jqr '.ReplicationGroup | "\(.ReplicationGroupId)|\(.Status)"' "$out")" "create answer"
assert_eq "rg-001 rg-002 rg-003" "$(jqr '.ReplicationGroup.MemberClusters | join(" ")' "$out")" "member clusters"
# A second group, deleted plainly at the end.
ec create-replication-group --replication-group-id rg2 --replication-group-description "two nodes" \
    --cache-node-type cache.t3.micro --num-cache-clusters 2 >/dev/null
wait_until 60 group_status_is rg available
wait_until 60 group_status_is rg2 available

# --- Describe ------------------------------------------------------------------------------
out=$(ec describe-replication-groups --replication-group-id rg)
group=$(jqr '.ReplicationGroups[0]' "$out")
assert_eq "three nodes|available|false|disabled|enabled|disabled|cache.t3.micro|redis" \
    "$(jqr '"\(.Description)|\(.Status)|\(.ClusterEnabled)|\(.ClusterMode)|\(.AutomaticFailover)|\(.MultiAZ)|\(.CacheNodeType)|\(.Engine)"' "$group")" \
    "Description, Status, ClusterEnabled, ClusterMode, AutomaticFailover, MultiAZ, CacheNodeType, Engine"
assert_eq "arn:aws:elasticache:us-east-1:$account:replicationgroup:rg" "$(jqr .ARN "$group")" ARN
assert_eq "rg-001 rg-002 rg-003" "$(jqr '.MemberClusters | join(" ")' "$group")" MemberClusters
[[ $(jqr .SnapshotWindow "$group") =~ ^[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9]$ ]] ||
    fail "SnapshotWindow should be hh24:mi-hh24:mi: $(jqr .SnapshotWindow "$group")"
assert_eq null "$(jqr .ConfigurationEndpoint "$group")" "no ConfigurationEndpoint with cluster mode disabled"
assert_eq 1 "$(jqr '.NodeGroups | length' "$group")" "node groups"
assert_eq "0001|available" "$(jqr '.NodeGroups[0] | "\(.NodeGroupId)|\(.Status)"' "$group")" "node group"
assert_eq "127.0.0.1|127.0.0.1" \
    "$(jqr '.NodeGroups[0] | "\(.PrimaryEndpoint.Address)|\(.ReaderEndpoint.Address)"' "$group")" "endpoint addresses"
primary_ep=$(jqr '.NodeGroups[0].PrimaryEndpoint.Port' "$group")
reader_ep=$(jqr '.NodeGroups[0].ReaderEndpoint.Port' "$group")
assert_eq "rg-001=primary rg-002=replica rg-003=replica" \
    "$(jqr '[.NodeGroups[0].NodeGroupMembers[] | "\(.CacheClusterId)=\(.CurrentRole)"] | join(" ")' "$group")" \
    "NodeGroupMembers and their roles"
member_port() { jqr ".NodeGroups[0].NodeGroupMembers[] | select(.CacheClusterId == \"$1\") | .ReadEndpoint.Port" "$group"; }
primary=$(member_port rg-001)
replica2=$(member_port rg-002)
replica3=$(member_port rg-003)
assert_eq 5 "$(printf '%s\n' "$primary_ep" "$reader_ep" "$primary" "$replica2" "$replica3" | sort -u | wc -l)" \
    "five distinct ports: two endpoints and three nodes"
out=$(ec describe-cache-clusters --cache-cluster-id rg-002 --show-cache-node-info)
assert_eq "rg|available|$replica2" \
    "$(jqr '.CacheClusters[0] | "\(.ReplicationGroupId)|\(.CacheClusterStatus)|\(.CacheNodes[0].Endpoint.Port)"' "$out")" \
    "a member cluster names its group and has the node's endpoint"
assert_eq 5 "$(node_pids | wc -l)" "redis-server processes of the two groups"

# --- The nodes replicate ------------------------------------------------------------------
assert_eq master "$(rc "$primary" ROLE | head -1)" "ROLE of rg-001"
assert_eq master "$(info_field "$primary" replication role)" "INFO role of rg-001"
assert_eq 2 "$(info_field "$primary" replication connected_slaves)" "replicas connected to the primary"
for replica in "$replica2" "$replica3"; do
    assert_eq slave "$(info_field "$replica" replication role)" "role of the node on $replica"
    assert_eq "$primary" "$(info_field "$replica" replication master_port)" "master_port of the node on $replica"
    assert_eq up "$(info_field "$replica" replication master_link_status)" "master_link_status of the node on $replica"
    reply=$(rc "$replica" SET refused write 2>&1 || true)
    [[ $reply == READONLY* ]] || fail "a replica should refuse writes with READONLY, got: $reply"
done

# --- The primary endpoint leads to the primary ---------------------------------------------
assert_eq "$primary" "$(config_get "$primary_ep" port)" "the node behind the primary endpoint"
assert_eq OK "$(rc "$primary_ep" SET through primary-endpoint)" "SET through the primary endpoint"
assert_eq primary-endpoint "$(rc "$primary" GET through)" "the write reached the primary node"
replicated() { [ "$(rc "$1" GET through)" = primary-endpoint ]; }
wait_until 10 replicated "$replica2"
wait_until 10 replicated "$replica3"
for i in $(seq 1 50); do echo "SET key:$i value:$i"; done | rc "$primary_ep" >/dev/null
all_replicated() { [ "$(rc "$1" DBSIZE)" = 51 ]; }
wait_until 10 all_replicated "$replica2"
wait_until 10 all_replicated "$replica3"

# --- The reader endpoint spreads connections over the replicas --------------------------------
# Each redis-cli run is one connection: its ROLE and port come from the same node.
seen=()
for i in $(seq 1 6); do
    reply=$(printf 'ROLE\nCONFIG GET port\n' | rc "$reader_ep")
    assert_eq slave "$(head -1 <<<"$reply")" "ROLE through the reader endpoint (connection $i)"
    seen+=("$(tail -1 <<<"$reply")")
done
for port in "${seen[@]}"; do
    [ "$port" = "$replica2" ] || [ "$port" = "$replica3" ] || fail "the reader endpoint led to $port, not a replica"
done
assert_eq 2 "$(printf '%s\n' "${seen[@]}" | sort -u | wc -l)" "distinct replicas behind the reader endpoint (${seen[*]})"
assert_eq primary-endpoint "$(rc "$reader_ep" GET through)" "a read through the reader endpoint"
reply=$(rc "$reader_ep" SET refused write 2>&1 || true)
[[ $reply == READONLY* ]] || fail "a write through the reader endpoint should meet READONLY, got: $reply"

# --- Refusals --------------------------------------------------------------------------------
expect_error ReplicationGroupAlreadyExists ec create-replication-group --replication-group-id Rg \
    --replication-group-description d --cache-node-type cache.t3.micro --num-cache-clusters 2
expect_error InvalidParameterCombination ec create-replication-group --replication-group-id lonely \
    --replication-group-description d --cache-node-type cache.t3.micro --num-cache-clusters 1 --automatic-failover-enabled
expect_error InvalidParameterCombination ec create-replication-group --replication-group-id multiaz \
    --replication-group-description d --cache-node-type cache.t3.micro --num-cache-clusters 2 \
    --multi-az-enabled --no-automatic-failover-enabled
expect_error InvalidParameterValue ec create-replication-group --replication-group-id seven \
    --replication-group-description d --cache-node-type cache.t3.micro --num-cache-clusters 7
expect_error InvalidParameterValue ec create-replication-group --replication-group-id azs \
    --replication-group-description d --cache-node-type cache.t3.micro --num-cache-clusters 3 \
    --preferred-cache-cluster-a-zs us-east-1a us-east-1b
expect_error CacheParameterGroupNotFound ec create-replication-group --replication-group-id nogroup \
    --replication-group-description d --cache-node-type cache.t3.micro --num-cache-clusters 2 \
    --cache-parameter-group-name nope
expect_error ReplicationGroupNotFoundFault ec describe-replication-groups --replication-group-id nope
expect_error ReplicationGroupNotFoundFault ec delete-replication-group --replication-group-id nope
expect_error InvalidCacheClusterState ec delete-cache-cluster --cache-cluster-id rg-001  # the primary of a group
out=$(ec describe-replication-groups)
assert_eq "rg rg2" "$(jqr '[.ReplicationGroups[].ReplicationGroupId] | join(" ")' "$out")" "refused creates created nothing"
assert_eq 5 "$(node_pids | wc -l)" "redis-server processes after the refusals"

# --- Delete, keeping the primary as a standalone cluster ---------------------------------------
pid_of() { cat "$KEYFLEET_DATA/nodes/$account/us-east-1/$1/0001/redis.pid"; }
pid2=$(pid_of rg-002)
pid3=$(pid_of rg-003)
out=$(ec delete-replication-group --replication-group-id rg --retain-primary-cluster)
assert_eq deleting "$(jqr .ReplicationGroup.Status "$out")" "status in the delete answer"
wait_until 60 group_gone rg
wait_until 15 cluster_gone rg-002
wait_until 15 cluster_gone rg-003
out=$(ec describe-cache-clusters --show-cache-clusters-not-in-replication-groups --show-cache-node-info)
assert_eq "rg-001|available|null|$primary" \
    "$(jqr '[.CacheClusters[] | "\(.CacheClusterId)|\(.CacheClusterStatus)|\(.ReplicationGroupId)|\(.CacheNodes[0].Endpoint.Port)"] | join(" ")' "$out")" \
    "rg-001 kept as a standalone cluster on its port"
assert_eq primary-endpoint "$(rc "$primary" GET through)" "rg-001 keeps its data"
assert_eq 51 "$(rc "$primary" DBSIZE)" "rg-001 keeps all its keys"
assert_eq master "$(info_field "$primary" replication role)" "rg-001 is a primary"
for pid in "$pid2" "$pid3"; do
    gone() { ! kill -0 "$1" 2>/dev/null; }
    wait_until 15 gone "$pid"
done
[ ! -e "$KEYFLEET_DATA/nodes/$account/us-east-1/rg-002" ] || fail "rg-002's node directory is still there"
[ ! -e "$KEYFLEET_DATA/nodes/$account/us-east-1/rg-003" ] || fail "rg-003's node directory is still there"
wait_until 10 refuses_connections "$primary_ep"
wait_until 10 refuses_connections "$reader_ep"
refuses_connections "$replica2" || fail "rg-002's node still answers"
ec delete-cache-cluster --cache-cluster-id rg-001 >/dev/null
wait_until 60 cluster_gone rg-001
wait_until 10 refuses_connections "$primary"

# --- Plain delete: everything goes ---------------------------------------------------------------
out=$(ec describe-replication-groups --replication-group-id rg2)
group=$(jqr '.ReplicationGroups[0]' "$out")
assert_eq "disabled|rg2-001 rg2-002" "$(jqr '"\(.AutomaticFailover)|\(.MemberClusters | join(" "))"' "$group")" \
    "rg2 without automatic failover"
rg2_primary_ep=$(jqr '.NodeGroups[0].PrimaryEndpoint.Port' "$group")
rg2_reader_ep=$(jqr '.NodeGroups[0].ReaderEndpoint.Port' "$group")
rg2_ports=$(jqr '[.NodeGroups[0].NodeGroupMembers[].ReadEndpoint.Port] | join(" ")' "$group")
assert_eq OK "$(rc "$rg2_primary_ep" SET doomed yes)" "SET through rg2's primary endpoint"
ec delete-replication-group --replication-group-id rg2 >/dev/null
wait_until 60 group_gone rg2
wait_until 15 cluster_gone rg2-001
wait_until 15 cluster_gone rg2-002
for port in $rg2_ports "$rg2_primary_ep" "$rg2_reader_ep"; do
    wait_until 10 refuses_connections "$port"
done
wait_until 15 no_nodes_left
[ ! -e "$KEYFLEET_DATA/nodes/$account" ] || fail "node directories left: $(find "$KEYFLEET_DATA/nodes" -mindepth 1 | head)"
out=$(ec describe-cache-clusters)
assert_eq 0 "$(jqr '.CacheClusters | length' "$out")" "no clusters left"

stop_keyfleet TERM
assert_eq 0 "$KEYFLEET_EXIT_STATUS" "exit status after SIGTERM"
wait_until 15 no_nodes_left
