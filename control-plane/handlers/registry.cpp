// Action name -> handler, for all 75 operations of the 2015-02-02 model. An
// entry without a handler is answered NotImplemented with its `awaiting` text;
// docs/API_COVERAGE.md mirrors this list (a unit test keeps them equal).
#include "handlers/registry.h"

#include "handlers/operations.h"

namespace keyfleet::handlers {

namespace {
constexpr std::string_view parameter_groups = "cache parameter groups and their catalogs";
constexpr std::string_view engine_catalog = "the engine version catalog";
constexpr std::string_view security_groups = "cache security groups";
constexpr std::string_view node_types = "the node type catalog";
constexpr std::string_view users = "users and user groups";
constexpr std::string_view reserved_nodes = "reserved cache nodes";
constexpr std::string_view service_updates = "service updates";
constexpr std::string_view nodes = "cache clusters and replication groups on real redis-server nodes";
constexpr std::string_view high_availability = "failover and replica scaling";
constexpr std::string_view snapshots = "snapshots and restore";
constexpr std::string_view resharding = "online resharding";
constexpr std::string_view global_datastore = "global datastores";
constexpr std::string_view serverless = "serverless caches";
constexpr std::string_view migration = "online migration from self-managed Redis";
}  // namespace

std::map<std::string_view, OperationEntry> const& registry()
{
    static std::map<std::string_view, OperationEntry> const operations{
        // Subnet groups, tags, events
        {"CreateCacheSubnetGroup", {create_cache_subnet_group, {}}},
        {"DescribeCacheSubnetGroups", {describe_cache_subnet_groups, {}}},
        {"ModifyCacheSubnetGroup", {modify_cache_subnet_group, {}}},
        {"DeleteCacheSubnetGroup", {delete_cache_subnet_group, {}}},
        {"AddTagsToResource", {add_tags_to_resource, {}}},
        {"ListTagsForResource", {list_tags_for_resource, {}}},
        {"RemoveTagsFromResource", {remove_tags_from_resource, {}}},
        {"DescribeEvents", {describe_events, {}}},

        // Configuration resources
        {"CreateCacheParameterGroup", {nullptr, parameter_groups}},
        {"DescribeCacheParameterGroups", {nullptr, parameter_groups}},
        {"ModifyCacheParameterGroup", {nullptr, parameter_groups}},
        {"ResetCacheParameterGroup", {nullptr, parameter_groups}},
        {"DeleteCacheParameterGroup", {nullptr, parameter_groups}},
        {"DescribeCacheParameters", {nullptr, parameter_groups}},
        {"DescribeEngineDefaultParameters", {nullptr, parameter_groups}},
        {"DescribeCacheEngineVersions", {nullptr, engine_catalog}},
        {"CreateCacheSecurityGroup", {nullptr, security_groups}},
        {"DescribeCacheSecurityGroups", {nullptr, security_groups}},
        {"DeleteCacheSecurityGroup", {nullptr, security_groups}},
        {"AuthorizeCacheSecurityGroupIngress", {nullptr, security_groups}},
        {"RevokeCacheSecurityGroupIngress", {nullptr, security_groups}},
        {"ListAllowedNodeTypeModifications", {nullptr, node_types}},
        {"CreateUser", {nullptr, users}},
        {"DescribeUsers", {nullptr, users}},
        {"ModifyUser", {nullptr, users}},
        {"DeleteUser", {nullptr, users}},
        {"CreateUserGroup", {nullptr, users}},
        {"DescribeUserGroups", {nullptr, users}},
        {"ModifyUserGroup", {nullptr, users}},
        {"DeleteUserGroup", {nullptr, users}},
        {"DescribeReservedCacheNodesOfferings", {nullptr, reserved_nodes}},
        {"PurchaseReservedCacheNodesOffering", {nullptr, reserved_nodes}},
        {"DescribeReservedCacheNodes", {nullptr, reserved_nodes}},
        {"DescribeServiceUpdates", {nullptr, service_updates}},
        {"DescribeUpdateActions", {nullptr, service_updates}},
        {"BatchApplyUpdateAction", {nullptr, service_updates}},
        {"BatchStopUpdateAction", {nullptr, service_updates}},

        // Real nodes
        {"CreateCacheCluster", {nullptr, nodes}},
        {"DescribeCacheClusters", {nullptr, nodes}},
        {"ModifyCacheCluster", {nullptr, nodes}},
        {"RebootCacheCluster", {nullptr, nodes}},
        {"DeleteCacheCluster", {nullptr, nodes}},
        {"CreateReplicationGroup", {nullptr, nodes}},
        {"DescribeReplicationGroups", {nullptr, nodes}},
        {"DeleteReplicationGroup", {nullptr, nodes}},

        // High availability
        {"ModifyReplicationGroup", {nullptr, high_availability}},
        {"TestFailover", {nullptr, high_availability}},
        {"IncreaseReplicaCount", {nullptr, high_availability}},
        {"DecreaseReplicaCount", {nullptr, high_availability}},

        // Backups
        {"CreateSnapshot", {nullptr, snapshots}},
        {"DescribeSnapshots", {nullptr, snapshots}},
        {"CopySnapshot", {nullptr, snapshots}},
        {"DeleteSnapshot", {nullptr, snapshots}},

        // Resharding
        {"ModifyReplicationGroupShardConfiguration", {nullptr, resharding}},

        // Global datastores
        {"CreateGlobalReplicationGroup", {nullptr, global_datastore}},
        {"DescribeGlobalReplicationGroups", {nullptr, global_datastore}},
        {"ModifyGlobalReplicationGroup", {nullptr, global_datastore}},
        {"DeleteGlobalReplicationGroup", {nullptr, global_datastore}},
        {"DisassociateGlobalReplicationGroup", {nullptr, global_datastore}},
        {"FailoverGlobalReplicationGroup", {nullptr, global_datastore}},
        {"IncreaseNodeGroupsInGlobalReplicationGroup", {nullptr, global_datastore}},
        {"DecreaseNodeGroupsInGlobalReplicationGroup", {nullptr, global_datastore}},
        {"RebalanceSlotsInGlobalReplicationGroup", {nullptr, global_datastore}},

        // Serverless
        {"CreateServerlessCache", {nullptr, serverless}},
        {"DescribeServerlessCaches", {nullptr, serverless}},
        {"ModifyServerlessCache", {nullptr, serverless}},
        {"DeleteServerlessCache", {nullptr, serverless}},
        {"CreateServerlessCacheSnapshot", {nullptr, serverless}},
        {"DescribeServerlessCacheSnapshots", {nullptr, serverless}},
        {"CopyServerlessCacheSnapshot", {nullptr, serverless}},
        {"DeleteServerlessCacheSnapshot", {nullptr, serverless}},
        {"ExportServerlessCacheSnapshot", {nullptr, serverless}},

        // Migration
        {"StartMigration", {nullptr, migration}},
        {"TestMigration", {nullptr, migration}},
        {"CompleteMigration", {nullptr, migration}},
    };
    return operations;
}

}  // namespace keyfleet::handlers
