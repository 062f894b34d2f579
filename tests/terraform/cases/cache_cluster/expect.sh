# shellcheck shell=bash
# Shared by this case's checks. expect_cluster MAINTENANCE_WINDOW RETENTION TAGS asserts,
# through the aws CLI, what keyfleet holds for tf-cluster (TAGS: compact JSON object sorted
# by key), that Terraform's state and the data source agree with it, and that the node is a
# real redis answering at the endpoint Terraform recorded.
CLUSTER=tf-cluster
CLUSTER_ARN=arn:aws:elasticache:us-east-1:000000000000:cluster:$CLUSTER
require_tool redis-cli

expect_cluster() {
    local clusters cluster node
    clusters=$(ec describe-cache-clusters --cache-cluster-id "$CLUSTER" --show-cache-node-info)
    assert_eq 1 "$(jq '.CacheClusters | length' <<<"$clusters")" "clusters with id $CLUSTER"
    cluster=$(jq '.CacheClusters[0]' <<<"$clusters")
    assert_eq available "$(jq -r .CacheClusterStatus <<<"$cluster")" "CacheClusterStatus"
    assert_eq "$CLUSTER_ARN" "$(jq -r .ARN <<<"$cluster")" "ARN"
    assert_eq redis "$(jq -r .Engine <<<"$cluster")" "Engine"
    assert_eq cache.t3.micro "$(jq -r .CacheNodeType <<<"$cluster")" "CacheNodeType"
    assert_eq 1 "$(jq -r .NumCacheNodes <<<"$cluster")" "NumCacheNodes"
    assert_eq default.redis7 "$(jq -r .CacheParameterGroup.CacheParameterGroupName <<<"$cluster")" "parameter group"
    assert_eq tf-cluster-subnets "$(jq -r .CacheSubnetGroupName <<<"$cluster")" "CacheSubnetGroupName"
    assert_eq 03:00-04:00 "$(jq -r .SnapshotWindow <<<"$cluster")" "SnapshotWindow"
    assert_eq "$1" "$(jq -r .PreferredMaintenanceWindow <<<"$cluster")" "PreferredMaintenanceWindow"
    assert_eq "$2" "$(jq -r .SnapshotRetentionLimit <<<"$cluster")" "SnapshotRetentionLimit"
    assert_eq "{}" "$(jq -c .PendingModifiedValues <<<"$cluster")" "PendingModifiedValues"
    assert_eq 1 "$(jq '.CacheNodes | length' <<<"$cluster")" "CacheNodes"
    node=$(jq '.CacheNodes[0]' <<<"$cluster")
    assert_eq 0001 "$(jq -r .CacheNodeId <<<"$node")" "CacheNodeId"
    assert_eq available "$(jq -r .CacheNodeStatus <<<"$node")" "CacheNodeStatus"
    assert_eq "$3" "$(ec list-tags-for-resource --resource-name "$CLUSTER_ARN" |
        jq -c '[.TagList[] | {(.Key): .Value}] | add // {} | to_entries | sort_by(.key) | from_entries')" "tags"

    # Terraform's state and the data source agree with the server.
    assert_eq "$CLUSTER" "$(tf_output id)" "resource id in state"
    assert_eq "$CLUSTER_ARN" "$(tf_output arn)" "arn in state"
    assert_eq "$(jq -r .EngineVersion <<<"$cluster")" "$(tf_output engine_version_actual)" "engine_version_actual"
    assert_eq "$(jq -r .Endpoint.Address <<<"$node")" "$(tf_output node_address)" "cache_nodes[0].address"
    assert_eq "$(jq -r .Endpoint.Port <<<"$node")" "$(tf_output node_port)" "cache_nodes[0].port"
    assert_eq "$(tf_output node_address):$(tf_output node_port)" \
        "$(tf_output data_node_address):$(tf_output data_node_port)" "data source node endpoint"
    assert_eq "" "$(tf_output data_mismatches)" "attributes where the data source and the resource disagree"
}

# node_cli ARGS...: redis-cli against the node endpoint Terraform recorded.
node_cli() {
    redis-cli -h "$(tf_output node_address)" -p "$(tf_output node_port)" --no-auth-warning "$@"
}
