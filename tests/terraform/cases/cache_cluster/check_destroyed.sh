# shellcheck shell=bash
# After destroy: cluster, subnet group and tags gone, and no redis-server process is left
# running for a cache node of this case's data dir.
# shellcheck source=expect.sh
. "$CASE_DIR/expect.sh"
assert_applied 0 0 2
expect_error CacheClusterNotFound ec describe-cache-clusters --cache-cluster-id "$CLUSTER"
expect_error CacheClusterNotFound ec list-tags-for-resource --resource-name "$CLUSTER_ARN"
expect_error CacheSubnetGroupNotFoundFault ec describe-cache-subnet-groups --cache-subnet-group-name tf-cluster-subnets
assert_eq 0 "$(ec describe-cache-clusters | jq '.CacheClusters | length')" "clusters left"
assert_eq "" "$(node_processes | tr '\n' ' ')" "redis-server processes of cache nodes left"
