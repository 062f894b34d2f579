# shellcheck shell=bash
# After update.tf: retention and windows changed in place; the restored group holds the key.
require_tool redis-cli
assert_applied 1 2 0
assert_eq "5 06:00-07:00" "$(tf_output source_retention)" "the group's new retention and window in state"
assert_eq "0 02:00-03:00" "$(tf_output single_retention)" "the cluster's new retention in state"
assert_eq "5 06:00-07:00" "$(ec describe-replication-groups --replication-group-id tf-snap-source |
    jq -r '.ReplicationGroups[0] | "\(.SnapshotRetentionLimit) \(.SnapshotWindow)"')" "the group's on the server"
assert_eq "kept in the snapshot" "$(redis-cli -h "$(tf_output restored_primary)" -p 6379 GET tf:snap)" \
    "the key in the group restored from the snapshot"
