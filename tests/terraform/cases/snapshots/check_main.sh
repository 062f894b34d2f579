# shellcheck shell=bash
# After main.tf: retention and windows as asked, in state and on the server; a key written
# through the primary endpoint; a manual snapshot of the group for the next step.
require_tool redis-cli
assert_applied 2 0 0
assert_eq "3 04:00-05:00" "$(tf_output source_retention)" "the group's retention and window in state"
assert_eq "2 02:00-03:00" "$(tf_output single_retention)" "the cluster's retention and window in state"
assert_eq "3 04:00-05:00 true" "$(ec describe-replication-groups --replication-group-id tf-snap-source |
    jq -r '.ReplicationGroups[0] | "\(.SnapshotRetentionLimit) \(.SnapshotWindow) \(.AtRestEncryptionEnabled)"')" \
    "the group's retention, window and encryption on the server"
assert_eq "2 02:00-03:00" "$(ec describe-cache-clusters --cache-cluster-id tf-snap-single |
    jq -r '.CacheClusters[0] | "\(.SnapshotRetentionLimit) \(.SnapshotWindow)"')" "the cluster's on the server"
assert_eq OK "$(redis-cli -h "$(tf_output source_primary)" -p 6379 SET tf:snap "kept in the snapshot")" "SET"
ec create-snapshot --replication-group-id tf-snap-source --snapshot-name tf-snap-manual >/dev/null
snapshot_available() {
    [ "$(ec describe-snapshots --snapshot-name "$1" --query 'Snapshots[0].SnapshotStatus' --output text)" = available ]
}
wait_until 60 snapshot_available tf-snap-manual
wait_until 60 group_status_is tf-snap-source available
