# shellcheck shell=bash
# After destroy: the group, its member clusters, the subnet group and the tags are gone, and
# no redis-server process is left running for a cache node of this case's data dir.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
assert_applied 0 0 2
expect_error ReplicationGroupNotFoundFault ec describe-replication-groups --replication-group-id "$GROUP"
expect_error ReplicationGroupNotFoundFault ec list-tags-for-resource --resource-name "$GROUP_ARN"
for member in $MEMBERS; do
    expect_error CacheClusterNotFound ec describe-cache-clusters --cache-cluster-id "$member"
done
expect_error CacheSubnetGroupNotFoundFault ec describe-cache-subnet-groups --cache-subnet-group-name tf-rg-subnets
assert_eq 0 "$(ec describe-cache-clusters | jq '.CacheClusters | length')" "clusters left"
assert_eq "" "$(node_processes | tr '\n' ' ')" "redis-server processes of cache nodes left"
