#!/usr/bin/env bash
# At-rest encryption: a group created with AtRestEncryptionEnabled says so, its snapshot
# files are sealed (AES-256-GCM under <data-dir>/snapshot.key, no RDB bytes readable),
# restores (shard for shard and by slot into another shard count) open them, an export is a
# plain RDB file, copies stay sealed, and a sealed file under another key or with a changed
# byte (checksum fixed up to match) fails the restore (create-failed, an event) instead of
# restoring anything.
. "$(dirname "$0")/lib.sh"
require_tool redis-cli

reserve_node_ports
start_keyfleet --node-ports "$NODE_PORTS" --cluster-node-pool 0
snapshots_dir=$KEYFLEET_DATA/snapshots/000000000000/us-east-1

snapshot_is() {
    [ "$(ec describe-snapshots --snapshot-name "$1" --query 'Snapshots[0].SnapshotStatus' --output text)" = "$2" ]
}
events_of() {
    ec describe-events --source-identifier "$1" --source-type replication-group --query 'Events[].Message' --output text
}

# --- An encrypted cluster-mode group with data, and its snapshot ---------------------------
out=$(ec create-replication-group --replication-group-id enc --replication-group-description e \
    --cache-node-type cache.t3.micro --cache-parameter-group-name default.redis7.cluster.on \
    --num-node-groups 2 --at-rest-encryption-enabled)
assert_eq true "$(jqr .ReplicationGroup.AtRestEncryptionEnabled "$out")" "CreateReplicationGroup answer"
wait_until 90 group_status_is enc available
assert_eq true "$(ec describe-replication-groups --replication-group-id enc \
    --query 'ReplicationGroups[0].AtRestEncryptionEnabled' --output text | tr A-Z a-z)" "the group says so"
assert_eq true "$(ec describe-cache-clusters --cache-cluster-id enc-0001-001 \
    --query 'CacheClusters[0].AtRestEncryptionEnabled' --output text | tr A-Z a-z)" "its clusters say so"
config=$(config_endpoint enc)
for i in $(seq 1 30); do rc "$config" -c SET "secret:$i" "plain-value-$i" >/dev/null; done
ec create-snapshot --replication-group-id enc --snapshot-name enc-snap >/dev/null
wait_until 60 snapshot_is enc-snap available

[ -s "$KEYFLEET_DATA/snapshot.key" ] || fail "no installation key"
assert_eq 600 "$(stat -c %a "$KEYFLEET_DATA/snapshot.key")" "the key's mode"
for file in "$snapshots_dir"/enc-snap/*.rdb; do
    [ "$(head -c 5 "$file")" != REDIS ] || fail "$file is a plain RDB file"
    ! grep -q plain-value "$file" || fail "$file shows the values"
done

# --- Restores open the sealed files -------------------------------------------------------
ec create-replication-group --replication-group-id enc-back --replication-group-description e \
    --snapshot-name enc-snap --at-rest-encryption-enabled >/dev/null
ec create-replication-group --replication-group-id enc-one --replication-group-description e \
    --snapshot-name enc-snap --num-cache-clusters 1 >/dev/null
wait_until 120 group_status_is enc-back available
wait_until 120 group_status_is enc-one available
config=$(config_endpoint enc-back)
primary=$(primary_address enc-one)
for i in 1 17 30; do
    assert_eq "plain-value-$i" "$(rc "$config" -c GET "secret:$i")" "secret:$i, restored shard for shard"
    assert_eq "plain-value-$i" "$(rc "$primary" GET "secret:$i")" "secret:$i, restored into one shard"
done
assert_eq 30 "$(rc "$primary" DBSIZE)" "keys restored into one shard"

# --- A copy stays sealed; an export is plain ------------------------------------------------
ec copy-snapshot --source-snapshot-name enc-snap --target-snapshot-name enc-copy >/dev/null
wait_until 60 snapshot_is enc-copy available
[ "$(head -c 5 "$snapshots_dir/enc-copy/0001.rdb")" != REDIS ] || fail "the copy is not sealed"
mkdir -p "$KEYFLEET_DATA/s3/out"
ec copy-snapshot --source-snapshot-name enc-snap --target-snapshot-name enc-export --target-bucket out >/dev/null
wait_until 60 snapshot_is enc-snap available
assert_eq REDIS "$(head -c 5 "$KEYFLEET_DATA/s3/out/enc-export-0001.rdb")" "the export is a plain RDB file"

# --- A sealed file that does not open: the restore fails, nothing is served ----------------
# A changed byte with the recorded checksum made to match (what a checksum cannot catch).
file=$snapshots_dir/enc-copy/0001.rdb
printf 'X' | dd of="$file" bs=1 seek=100 conv=notrunc status=none
python3 - "$KEYFLEET_DATA/keyfleet.db" "$(sha256sum "$file" | cut -d' ' -f1)" <<'PY'
import sqlite3, sys
with sqlite3.connect(sys.argv[1]) as db:
    db.execute("UPDATE node_snapshots SET sha256 = ? WHERE snapshot_name = 'enc-copy' AND node_group_id = '0001'",
               (sys.argv[2],))
PY
ec create-replication-group --replication-group-id enc-bad --replication-group-description e \
    --snapshot-name enc-copy >/dev/null
wait_until 120 group_status_is enc-bad create-failed
events_of enc-bad | grep -q "damaged or was sealed under another key" || fail "no event says why enc-bad failed"

for group in enc enc-back enc-one enc-bad; do ec delete-replication-group --replication-group-id "$group" >/dev/null; done
for group in enc enc-back enc-one enc-bad; do wait_until 60 group_gone "$group"; done
wait_until 20 no_nodes_left
echo "PASS [$TEST_NAME]"
