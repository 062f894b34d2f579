#!/usr/bin/env bash
# Snapshots on real nodes: CreateSnapshot from a replica (BGSAVE, the RDB file under
# <data-dir>/snapshots with its checksum), the group snapshotting meanwhile, tags,
# DescribeSnapshots' filters, restore into a new group or cluster with the same keys and
# values (cluster mode disabled and enabled, shard by shard, and into another shard count
# with each key moved to the shard of its slot), CopySnapshot, export to a bucket and a
# cluster (and a cluster-mode group) seeded from the export, FinalSnapshotIdentifier,
# DeleteSnapshot, and every refusal: duplicate, not found, wrong state, damaged files
# (refused at the API, nothing created), a file that is no RDB (create-failed, an event).
. "$(dirname "$0")/lib.sh"
require_tool redis-cli

reserve_node_ports
start_keyfleet --node-ports "$NODE_PORTS" --cluster-node-pool 0
account=000000000000
snapshots_dir=$KEYFLEET_DATA/snapshots/$account/us-east-1

snapshot_status() { ec describe-snapshots --snapshot-name "$1" --query 'Snapshots[0].SnapshotStatus' --output text; }
snapshot_is() { [ "$(snapshot_status "$1")" = "$2" ]; }
snapshot_gone() {
    local output
    ! output=$(ec describe-snapshots --snapshot-name "$1" 2>&1) && [[ $output == *"(SnapshotNotFoundFault)"* ]]
}
dbsize_is() { [ "$(rc "$1" DBSIZE)" = "$2" ]; }

# keys_match ADDRESS: the data written below, all of it.
keys_match() {
    local address=$1
    assert_eq 203 "$(rc "$address" DBSIZE)" "number of keys on $address"
    assert_eq val:1 "$(rc "$address" GET key:1)" "key:1"
    assert_eq val:300 "$(rc "$address" GET key:300)" "key:300"
    assert_eq "v1 v2" "$(rc "$address" HMGET hash f1 f2 | tr '\n' ' ' | sed 's/ $//')" "hash fields"
    assert_eq "a b c" "$(rc "$address" LRANGE list 0 -1 | tr '\n' ' ' | sed 's/ $//')" "list"
    assert_eq "1" "$(rc "$address" SISMEMBER set member)" "set member"
}

# --- A cluster-mode-disabled group with data ---------------------------------------------
ec create-replication-group --replication-group-id src --replication-group-description source \
    --cache-node-type cache.t3.micro --num-cache-clusters 2 >/dev/null
wait_until 60 group_status_is src available
primary=$(primary_address src)
replica=$(node_address src-002)
rc "$primary" MSET $(for i in $(seq 100 300); do echo "key:$i val:$i"; done) >/dev/null
rc "$primary" SET key:1 val:1 >/dev/null
rc "$primary" HSET hash f1 v1 f2 v2 >/dev/null
rc "$primary" RPUSH list a b c >/dev/null
rc "$primary" SADD set member >/dev/null
wait_until 30 dbsize_is "$replica" 205
rc "$primary" DEL key:100 key:101 >/dev/null
wait_until 30 dbsize_is "$replica" 203

# The replica saves slowly (Redis's rdb-key-save-delay), so the snapshot stays creating a while.
rc "$replica" CONFIG SET rdb-key-save-delay 80000 >/dev/null

out=$(ec create-snapshot --replication-group-id SRC --snapshot-name Snap1 --tags Key=team,Value=core)
assert_eq "snap1|src|creating|manual" \
    "$(jqr '.Snapshot | "\(.SnapshotName)|\(.ReplicationGroupId)|\(.SnapshotStatus)|\(.SnapshotSource)"' "$out")" \
    "CreateSnapshot answer"
assert_eq "arn:aws:elasticache:us-east-1:$account:snapshot:snap1" "$(jqr .Snapshot.ARN "$out")" ARN
assert_eq "source|cache.t3.micro|redis|7.1.0|1|disabled|6379|default.redis7|default" \
    "$(jqr '.Snapshot | "\(.ReplicationGroupDescription)|\(.CacheNodeType)|\(.Engine)|\(.EngineVersion)|\(.NumNodeGroups)|\(.AutomaticFailover)|\(.Port)|\(.CacheParameterGroupName)|\(.CacheSubnetGroupName)"' "$out")" \
    "the source as the snapshot shows it"
[[ $(jqr .Snapshot.VpcId "$out") == vpc-* ]] || fail "no VpcId: $out"
assert_eq snapshotting "$(group_status src)" "the group while its snapshot is taken"
expect_error InvalidReplicationGroupState ec create-snapshot --replication-group-id src --snapshot-name snap2
expect_error InvalidReplicationGroupState ec delete-replication-group --replication-group-id src
expect_error InvalidSnapshotState ec delete-snapshot --snapshot-name snap1
expect_error InvalidSnapshotState ec copy-snapshot --source-snapshot-name snap1 --target-snapshot-name early
wait_until 120 snapshot_is snap1 available
rc "$replica" CONFIG SET rdb-key-save-delay 0 >/dev/null
assert_eq available "$(group_status src)" "the group once the snapshot is taken"

out=$(ec describe-snapshots --snapshot-name snap1 --show-node-group-config)
node=$(jqr '.Snapshots[0].NodeSnapshots[0]' "$out")
assert_eq 1 "$(jqr '.Snapshots[0].NodeSnapshots | length' "$out")" "one node snapshot per node group"
assert_eq "src-002|0001|0001" "$(jqr '"\(.CacheClusterId)|\(.NodeGroupId)|\(.CacheNodeId)"' "$node")" \
    "taken from the replica"
[[ $(jqr .CacheSize "$node") =~ ^[0-9]+\ MB$ ]] || fail "CacheSize: $node"
[ "$(jqr .SnapshotCreateTime "$node")" != null ] || fail "no SnapshotCreateTime: $node"
assert_eq "0001|1" "$(jqr '.NodeGroupConfiguration | "\(.NodeGroupId)|\(.ReplicaCount)"' "$node")" \
    "NodeGroupConfiguration with ShowNodeGroupConfig"
[ -s "$snapshots_dir/snap1/0001.rdb" ] || fail "no RDB file under $snapshots_dir/snap1"
assert_eq REDIS "$(head -c 5 "$snapshots_dir/snap1/0001.rdb")" "the snapshot file is an RDB file"
assert_eq team=core "$(ec list-tags-for-resource --resource-name "arn:aws:elasticache:us-east-1:$account:snapshot:snap1" \
    --query 'TagList[0].[Key, Value]' --output text | tr '\t' =)" "tags of the snapshot"
ec describe-events --source-type replication-group --source-identifier src --query 'Events[].Message' --output text |
    grep -q "Snapshot succeeded for snapshot with ID 'snap1'" || fail "no snapshot event"

# --- Refusals -----------------------------------------------------------------------------
expect_error SnapshotAlreadyExistsFault ec create-snapshot --replication-group-id src --snapshot-name snap1
expect_error ReplicationGroupNotFoundFault ec create-snapshot --replication-group-id nope --snapshot-name x1
expect_error CacheClusterNotFound ec create-snapshot --cache-cluster-id nope --snapshot-name x1
expect_error InvalidParameterCombination ec create-snapshot --cache-cluster-id src-001 --replication-group-id src \
    --snapshot-name x1
expect_error InvalidParameterValue ec create-snapshot --snapshot-name x1
expect_error InvalidParameterValue ec create-snapshot --replication-group-id src --snapshot-name bad--name
expect_error SnapshotNotFoundFault ec describe-snapshots --snapshot-name nope
expect_error SnapshotNotFoundFault ec delete-snapshot --snapshot-name nope
expect_error SnapshotNotFoundFault ec copy-snapshot --source-snapshot-name nope --target-snapshot-name x1
expect_error SnapshotAlreadyExistsFault ec copy-snapshot --source-snapshot-name snap1 --target-snapshot-name snap1
expect_error CacheClusterNotFound ec describe-snapshots --cache-cluster-id nope
expect_error InvalidParameterValue ec describe-snapshots --max-records 51
expect_error InvalidParameterValue ec describe-snapshots --max-records 19
expect_error InvalidParameterValue ec describe-snapshots --snapshot-source elsewhere
expect_error SnapshotNotFoundFault ec create-replication-group --replication-group-id x1 \
    --replication-group-description x --snapshot-name nope
expect_error NotImplemented ec create-snapshot --replication-group-id src --snapshot-name x1 --kms-key-id k

# --- Copy, export, a cluster seeded from the export ----------------------------------------
out=$(ec copy-snapshot --source-snapshot-name snap1 --target-snapshot-name snap1-copy)
assert_eq "snap1-copy|creating|src" \
    "$(jqr '.Snapshot | "\(.SnapshotName)|\(.SnapshotStatus)|\(.ReplicationGroupId)"' "$out")" "CopySnapshot answer"
wait_until 60 snapshot_is snap1-copy available
cmp -s "$snapshots_dir/snap1/0001.rdb" "$snapshots_dir/snap1-copy/0001.rdb" || fail "the copy's file differs"

expect_error InvalidParameterValue ec copy-snapshot --source-snapshot-name snap1 --target-snapshot-name exported \
    --target-bucket no-such-bucket
mkdir -p "$KEYFLEET_DATA/s3/exports"
out=$(ec copy-snapshot --source-snapshot-name snap1 --target-snapshot-name exported --target-bucket exports)
assert_eq snap1 "$(jqr .Snapshot.SnapshotName "$out")" "an export answers the source snapshot"
exported_file=$KEYFLEET_DATA/s3/exports/exported-0001.rdb
wait_until 60 test -s "$exported_file"
wait_until 60 snapshot_is snap1 available
cmp -s "$snapshots_dir/snap1/0001.rdb" "$exported_file" || fail "the exported file differs"
expect_error InvalidParameterValue ec copy-snapshot --source-snapshot-name snap1 --target-snapshot-name exported \
    --target-bucket exports
ec create-cache-cluster --cache-cluster-id seeded --engine redis --cache-node-type cache.t3.micro \
    --snapshot-arns arn:aws:s3:::exports/exported-0001.rdb >/dev/null
wait_until 60 cluster_status_is seeded available
keys_match "$(node_address seeded)"

# --- A damaged snapshot file is refused at the API; nothing is created ---------------------
ec copy-snapshot --source-snapshot-name snap1 --target-snapshot-name damaged >/dev/null
wait_until 60 snapshot_is damaged available
printf 'X' | dd of="$snapshots_dir/damaged/0001.rdb" bs=1 seek=40 conv=notrunc status=none
message=$(error_output ec create-replication-group --replication-group-id broken --replication-group-description b \
    --snapshot-name damaged)
[[ $message == *"(InvalidParameterValue)"*"damaged"* ]] || fail "damaged file: $message"
group_gone broken || fail "a group was created from a damaged snapshot"
truncate -s 16 "$snapshots_dir/damaged/0001.rdb"
expect_error InvalidParameterValue ec create-cache-cluster --cache-cluster-id broken --snapshot-name damaged
cluster_gone broken || fail "a cluster was created from a truncated snapshot"
rm "$snapshots_dir/damaged/0001.rdb"
expect_error InvalidParameterValue ec create-cache-cluster --cache-cluster-id broken --snapshot-name damaged

# --- FinalSnapshotIdentifier, then restore under new names ---------------------------------
expect_error SnapshotAlreadyExistsFault ec delete-replication-group --replication-group-id src \
    --final-snapshot-identifier snap1
assert_eq available "$(group_status src)" "a refused delete changes nothing"
expect_error InvalidParameterCombination ec delete-cache-cluster --cache-cluster-id src-002 \
    --final-snapshot-identifier nope
rc "$primary" SET after-snap1 yes >/dev/null
wait_until 30 dbsize_is "$replica" 204
out=$(ec delete-replication-group --replication-group-id src --final-snapshot-identifier src-final)
assert_eq deleting "$(jqr .ReplicationGroup.Status "$out")" "deleting with a final snapshot"
wait_until 60 group_gone src
assert_eq available "$(snapshot_status src-final)" "the final snapshot"

out=$(ec create-replication-group --replication-group-id restored --replication-group-description r \
    --num-cache-clusters 2 --snapshot-name snap1)
assert_eq "creating|cache.t3.micro" "$(jqr '.ReplicationGroup | "\(.Status)|\(.CacheNodeType)"' "$out")" \
    "node type from the snapshot"
wait_until 90 group_status_is restored available
keys_match "$(primary_address restored)"
wait_until 30 dbsize_is "$(node_address restored-002)" 203

ec create-cache-cluster --cache-cluster-id from-final --snapshot-name src-final >/dev/null
wait_until 60 cluster_status_is from-final available
assert_eq yes "$(rc "$(node_address from-final)" GET after-snap1)" "the final snapshot has the last write"
assert_eq 204 "$(rc "$(node_address from-final)" DBSIZE)" "keys of the final snapshot"

out=$(ec delete-cache-cluster --cache-cluster-id from-final --final-snapshot-identifier from-final-last)
wait_until 60 cluster_gone from-final
out=$(ec describe-snapshots --snapshot-name from-final-last)
assert_eq "from-final|1|available|null" \
    "$(jqr '.Snapshots[0] | "\(.CacheClusterId)|\(.NumCacheNodes)|\(.SnapshotStatus)|\(.ReplicationGroupId)"' "$out")" \
    "a cache cluster's final snapshot"

# --- Cluster mode enabled: each shard's RDB back into its shard ----------------------------
ec create-replication-group --replication-group-id cm --replication-group-description c \
    --cache-node-type cache.t3.micro --num-node-groups 2 --replicas-per-node-group 1 >/dev/null
wait_until 90 group_status_is cm available
config=$(ec describe-replication-groups --replication-group-id cm \
    --query 'ReplicationGroups[0].ConfigurationEndpoint.[Address, Port]' --output text | tr '\t' :)
for i in $(seq 1 40); do rc "$config" -c SET "cm:$i" "value:$i" >/dev/null; done
wait_until 30 dbsize_is "$(node_address cm-0001-002)" "$(rc "$(node_address cm-0001-001)" DBSIZE)"
wait_until 30 dbsize_is "$(node_address cm-0002-002)" "$(rc "$(node_address cm-0002-001)" DBSIZE)"
ec create-snapshot --replication-group-id cm --snapshot-name cm-snap >/dev/null
wait_until 120 snapshot_is cm-snap available
out=$(ec describe-snapshots --replication-group-id cm --show-node-group-config)
assert_eq "0001=0-8191=cm-0001-002 0002=8192-16383=cm-0002-002" \
    "$(jqr '[.Snapshots[0].NodeSnapshots[] | "\(.NodeGroupId)=\(.NodeGroupConfiguration.Slots)=\(.CacheClusterId)"] | join(" ")' "$out")" \
    "a node snapshot per shard, from its replica, with its slots"
expect_error InvalidParameterCombination ec create-snapshot --cache-cluster-id cm-0001-001 --snapshot-name x1
ec delete-replication-group --replication-group-id cm >/dev/null
wait_until 60 group_gone cm
ec create-replication-group --replication-group-id cm2 --replication-group-description c \
    --snapshot-name cm-snap --replicas-per-node-group 1 >/dev/null
wait_until 120 group_status_is cm2 available
config=$(ec describe-replication-groups --replication-group-id cm2 \
    --query 'ReplicationGroups[0].ConfigurationEndpoint.[Address, Port]' --output text | tr '\t' :)
for i in $(seq 1 40); do
    assert_eq "value:$i" "$(rc "$config" -c GET "cm:$i")" "cm:$i in the restored cluster"
done
total=$(($(rc "$(node_address cm2-0001-001)" DBSIZE) + $(rc "$(node_address cm2-0002-001)" DBSIZE)))
assert_eq 40 "$total" "keys across the restored shards"
assert_eq ok "$(rc "$(node_address cm2-0002-001)" CLUSTER INFO | tr -d '\r' | sed -n 's/^cluster_state://p')" \
    "cluster_state"

# --- Into another shard count: each key goes to the shard owning its slot -----------------
# config_keys_match ENDPOINT GROUP SHARDS: all 40 keys answer through the cluster, once each.
config_keys_match() {
    local config=$1 group=$2 shards=$3 total=0 shard
    for i in $(seq 1 40); do
        assert_eq "value:$i" "$(rc "$config" -c GET "cm:$i")" "cm:$i in $group"
    done
    for shard in $(seq -f %04g 1 "$shards"); do
        total=$((total + $(rc "$(node_address "$group-$shard-001")" DBSIZE)))
    done
    assert_eq 40 "$total" "keys across the shards of $group"
}
ec create-replication-group --replication-group-id cm3 --replication-group-description c \
    --snapshot-name cm-snap --num-node-groups 3 >/dev/null
wait_until 120 group_status_is cm3 available
config_keys_match "$(config_endpoint cm3)" cm3 3
assert_eq ok "$(rc "$(node_address cm3-0003-001)" CLUSTER INFO | tr -d '\r' | sed -n 's/^cluster_state://p')" \
    "cluster_state of the resharded restore"
ec describe-events --source-identifier cm3 --source-type replication-group --query 'Events[].Message' \
    --output text | grep -q "Restored 40 keys of node group 0001 of snapshot cm-snap, node group 0002 of snapshot cm-snap into 3 node group(s) by slot" ||
    fail "no event says how the restore went"

# --- One file into 3 node groups: split by slot, each primary loads its own part ------------
ec create-replication-group --replication-group-id snap3 --replication-group-description s \
    --snapshot-name snap1 --num-node-groups 3 --replicas-per-node-group 1 \
    --cache-parameter-group-name default.redis7.cluster.on >/dev/null
wait_until 120 group_status_is snap3 available
ec describe-events --source-identifier snap3 --source-type replication-group --query 'Events[].Message' \
    --output text | grep -q "Restored 203 keys of node group 0001 of snapshot snap1 into 3 node group(s) by slot" ||
    fail "snap3 was not restored by splitting the file by slot"
total=0
for shard in 0001 0002 0003; do
    primary=$(node_address "snap3-$shard-001")
    keys=$(rc "$primary" DBSIZE)
    [ "$keys" -gt 0 ] || fail "node group $shard of snap3 holds no keys"
    total=$((total + keys))
    dbsize_is() { [ "$(rc "$1" DBSIZE)" = "$2" ]; }
    wait_until 30 dbsize_is "$(node_address "snap3-$shard-002")" "$keys"
    info=$(rc "$primary" CLUSTER INFO | tr -d '\r')
    grep -qx cluster_state:ok <<<"$info" || fail "snap3 $shard: $info"
    grep -qx cluster_known_nodes:6 <<<"$info" || fail "snap3 $shard: $info"
done
assert_eq 203 "$total" "keys across the shards of snap3"
snap3=$(config_endpoint snap3)
assert_eq val:300 "$(rc "$snap3" -c GET key:300)" "key:300 in snap3"
assert_eq "v1 v2" "$(rc "$snap3" -c HMGET hash f1 f2 | tr '\n' ' ' | sed 's/ $//')" "hash fields in snap3"
assert_eq "a b c" "$(rc "$snap3" -c LRANGE list 0 -1 | tr '\n' ' ' | sed 's/ $//')" "list in snap3"
# The parts are loaded by DEBUG under a name no client knows: clients have no DEBUG.
rc "$(node_address snap3-0001-001)" DEBUG SLEEP 0 | grep -q "unknown command" || fail "a client reached DEBUG"
[ ! -e "$KEYFLEET_DATA/nodes/seeds" ] || fail "the restore's parts were left behind: $(ls -R "$KEYFLEET_DATA/nodes/seeds")"

# --- A cluster-mode group seeded from RDB files in a bucket (an export) --------------------
ec copy-snapshot --source-snapshot-name cm-snap --target-snapshot-name cm-export --target-bucket exports >/dev/null
wait_until 60 snapshot_is cm-snap available
ec create-replication-group --replication-group-id cm-seeded --replication-group-description c \
    --cache-node-type cache.t3.micro --cache-parameter-group-name default.redis7.cluster.on --num-node-groups 1 \
    --snapshot-arns arn:aws:s3:::exports/cm-export-0001.rdb arn:aws:s3:::exports/cm-export-0002.rdb >/dev/null
wait_until 120 group_status_is cm-seeded available
config_keys_match "$(config_endpoint cm-seeded)" cm-seeded 1

# A file that is no readable RDB: the group fails to be created, and an event says why.
printf 'REDIS0010not-an-rdb-file' >"$KEYFLEET_DATA/s3/exports/junk.rdb"
ec create-replication-group --replication-group-id cm-junk --replication-group-description c \
    --cache-node-type cache.t3.micro --cache-parameter-group-name default.redis7.cluster.on --num-node-groups 2 \
    --snapshot-arns arn:aws:s3:::exports/junk.rdb >/dev/null
wait_until 120 group_status_is cm-junk create-failed
ec describe-events --source-identifier cm-junk --source-type replication-group --query 'Events[].Message' \
    --output text | grep -q "arn:aws:s3:::exports/junk.rdb could not be loaded: it is not a readable RDB file" ||
    fail "no event says why cm-junk failed"
[ -z "$(ls -A "$KEYFLEET_DATA/nodes/loader/$account/us-east-1" 2>/dev/null)" ] || fail "a loader was left behind"

# --- Describe filters, delete -------------------------------------------------------------
assert_eq "cm-snap damaged from-final-last snap1 snap1-copy src-final" \
    "$(ec describe-snapshots --snapshot-source manual --query 'Snapshots[].SnapshotName' --output text | tr '\t' ' ')" \
    "every manual snapshot, by name"
assert_eq "" "$(ec describe-snapshots --snapshot-source system --query 'Snapshots[].SnapshotName' --output text)" \
    "no automatic snapshots"
assert_eq "damaged snap1 snap1-copy src-final" \
    "$(ec describe-snapshots --replication-group-id src --query 'Snapshots[].SnapshotName' --output text | tr '\t' ' ')" \
    "snapshots of a deleted group"
out=$(ec delete-snapshot --snapshot-name snap1-copy)
assert_eq deleting "$(jqr .Snapshot.SnapshotStatus "$out")" "DeleteSnapshot answer"
wait_until 30 snapshot_gone snap1-copy
[ ! -e "$snapshots_dir/snap1-copy" ] || fail "the deleted snapshot's files remain"

for group in restored cm2 cm-seeded cm-junk snap3; do ec delete-replication-group --replication-group-id "$group" >/dev/null; done
ec delete-replication-group --replication-group-id cm3 --final-snapshot-identifier cm3-final >/dev/null
ec delete-cache-cluster --cache-cluster-id seeded >/dev/null
wait_until 60 group_gone restored
for group in cm2 cm3 cm-seeded cm-junk snap3; do wait_until 60 group_gone "$group"; done
wait_until 60 cluster_gone seeded
# Each shard's slot range as it was when the snapshot was taken, as CreateReplicationGroup's
# NodeGroupConfiguration.Slots writes it, and only with ShowNodeGroupConfig.
out=$(ec describe-snapshots --snapshot-name cm3-final --show-node-group-config)
assert_eq "0001=0-5461 0002=5462-10922 0003=10923-16383" \
    "$(jqr '[.Snapshots[0].NodeSnapshots[] | "\(.NodeGroupId)=\(.NodeGroupConfiguration.Slots)"] | join(" ")' "$out")" \
    "the slots of each shard of a 3-shard group's snapshot"
out=$(ec describe-snapshots --snapshot-name cm3-final)
assert_eq 0 "$(jqr '[.Snapshots[0].NodeSnapshots[] | select(.NodeGroupConfiguration)] | length' "$out")" \
    "NodeGroupConfiguration only with ShowNodeGroupConfig"
wait_until 20 no_nodes_left
echo "PASS [$TEST_NAME]"
