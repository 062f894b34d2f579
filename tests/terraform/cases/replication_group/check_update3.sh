# shellcheck shell=bash
# After update3.tf: automatic failover off, back to two nodes; the removed replica's
# process is gone and the data is still there.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
AUTOMATIC_FAILOVER=disabled
assert_applied 0 1 0
expect_group "keyfleet terraform case: a primary and a replica, described anew" '{"Owner":"keyfleet","Team":"platform"}'
expect_error CacheClusterNotFound ec describe-cache-clusters --cache-cluster-id tf-rg-003
assert_eq 2 "$(node_processes | wc -l)" "redis-server processes of the group"
assert_eq "written in step update" "$(primary_cli GET tf:key)" "the key written before"
