# shellcheck shell=bash
# After destroy: the group and its members are gone, and no redis-server process is left.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
assert_applied 0 0 1
expect_error ReplicationGroupNotFoundFault ec describe-replication-groups --replication-group-id "$GROUP"
assert_eq 0 "$(ec describe-cache-clusters | jq '.CacheClusters | length')" "clusters left"
assert_eq "" "$(node_processes | tr '\n' ' ')" "redis-server processes of cache nodes left"
