// Cache clusters and replication groups as the API shows them (the CacheCluster
// and ReplicationGroup shapes), shared by both resources' handlers.
#pragma once

#include "handlers/context.h"
#include "store/clusters.h"

namespace keyfleet::handlers {

json::object cache_cluster_to_wire(Context const& ctx, store::CacheCluster const& cluster, bool show_nodes);

json::object replication_group_to_wire(Context const& ctx, store::ReplicationGroup const& group,
                                       std::vector<store::CacheCluster> const& members);

// The cache cluster a replication group keeps running on its first node group's
// primary (SnapshottingClusterId and the cluster Terraform reads).
std::string primary_cluster_id(std::vector<store::CacheCluster> const& members);

}  // namespace keyfleet::handlers
