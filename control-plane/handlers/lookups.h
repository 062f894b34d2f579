// What one resource's handlers ask of another's: the answers live with the
// resource that owns them (defined in its .cpp).
#pragma once

#include "core/scope.h"
#include "handlers/context.h"
#include "store/clusters.h"
#include "store/db.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keyfleet::handlers {

// subnet_groups.cpp: the availability zones of a subnet group's subnets, in
// subnet order; nullopt when no such group exists.
std::optional<std::vector<std::string>> subnet_group_zones(store::Transaction& tx, core::Scope const& scope,
                                                           std::string_view name);

// parameter_groups.cpp
struct ParameterGroupFacts {
    std::string family;
    bool cluster_enabled = false;  // its cluster-enabled value is yes
};
std::optional<ParameterGroupFacts> parameter_group_facts(store::Transaction& tx, core::Scope const& scope,
                                                         std::string_view name);

// security_groups.cpp: whether a cache security group exists.
bool cache_security_group_exists(store::Transaction& tx, core::Scope const& scope, std::string_view name);

// replication_group_changes.cpp: CreateCacheCluster with ReplicationGroupId
// (a new read replica), and DeleteCacheCluster of a replica.
json::object add_replica_cluster(Context& ctx, json::object const& in, std::string const& cluster_id);
json::object remove_replica_cluster(Context& ctx, store::Transaction& tx, store::CacheCluster const& cluster);

}  // namespace keyfleet::handlers
