#include "handlers/resources.h"

#include "codec/api_error.h"

#include <array>

namespace keyfleet::handlers {

namespace {
// Every ARN kind of the 2015-02-02 API (reserved-instance names reserved cache nodes).
std::array<ResourceKind, 11> const kinds{{
    {"cluster", "CacheClusterNotFoundFault", "Cache cluster", cache_cluster_presence},
    {"replicationgroup", "ReplicationGroupNotFoundFault", "Replication group", replication_group_presence},
    {"parametergroup", "CacheParameterGroupNotFoundFault", "Cache parameter group", parameter_group_presence},
    {"subnetgroup", "CacheSubnetGroupNotFoundFault", "Cache subnet group", subnet_group_presence},
    {"securitygroup", "CacheSecurityGroupNotFoundFault", "Cache security group", security_group_presence},
    {"snapshot", "SnapshotNotFoundFault", "Snapshot", snapshot_presence},
    {"user", "UserNotFoundFault", "User", user_presence},
    {"usergroup", "UserGroupNotFoundFault", "User group", user_group_presence},
    {"serverlesscache", "ServerlessCacheNotFoundFault", "Serverless cache", nullptr},
    {"serverlesscachesnapshot", "ServerlessCacheSnapshotNotFoundFault", "Serverless cache snapshot", nullptr},
    {"reserved-instance", "ReservedCacheNodeNotFoundFault", "Reserved cache node", reserved_node_presence},
}};
}  // namespace

ResourceKind const* resource_kind(std::string_view arn_kind)
{
    for (auto const& kind : kinds)
        if (kind.arn_kind == arn_kind)
            return &kind;
    return nullptr;
}

void throw_not_found(ResourceKind const& kind, std::string_view id)
{
    throw codec::ApiError::from_model(kind.not_found,
                                      std::string(kind.description) + " " + std::string(id) + " not found.");
}

}  // namespace keyfleet::handlers
