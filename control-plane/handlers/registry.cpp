// Action name -> handler, for all 75 operations of the 2015-02-02 model. An
// entry without a handler is answered NotImplemented with its `awaiting` text;
// docs/API_COVERAGE.md mirrors this list (a unit test keeps them equal).
#include "handlers/registry.h"

#include "handlers/operations.h"

namespace keyfleet::handlers {

namespace {
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
        {"CreateCacheParameterGroup", {create_cache_parameter_group, {}}},
        {"DescribeCacheParameterGroups", {describe_cache_parameter_groups, {}}},
        {"ModifyCacheParameterGroup", {modify_cache_parameter_group, {}}},
        {"ResetCacheParameterGroup", {reset_cache_parameter_group, {}}},
        {"DeleteCacheParameterGroup", {delete_cache_parameter_group, {}}},
        {"DescribeCacheParameters", {describe_cache_parameters, {}}},
        {"DescribeEngineDefaultParameters", {describe_engine_default_parameters, {}}},
        {"DescribeCacheEngineVersions", {describe_cache_engine_versions, {}}},
        {"CreateCacheSecurityGroup", {create_cache_security_group, {}}},
        {"DescribeCacheSecurityGroups", {describe_cache_security_groups, {}}},
        {"DeleteCacheSecurityGroup", {delete_cache_security_group, {}}},
        {"AuthorizeCacheSecurityGroupIngress", {authorize_cache_security_group_ingress, {}}},
        {"RevokeCacheSecurityGroupIngress", {revoke_cache_security_group_ingress, {}}},
        {"ListAllowedNodeTypeModifications", {list_allowed_node_type_modifications, {}}},
        {"CreateUser", {create_user, {}}},
        {"DescribeUsers", {describe_users, {}}},
        {"ModifyUser", {modify_user, {}}},
        {"DeleteUser", {delete_user, {}}},
        {"CreateUserGroup", {create_user_group, {}}},
        {"DescribeUserGroups", {describe_user_groups, {}}},
        {"ModifyUserGroup", {modify_user_group, {}}},
        {"DeleteUserGroup", {delete_user_group, {}}},
        {"DescribeReservedCacheNodesOfferings", {describe_reserved_cache_nodes_offerings, {}}},
        {"PurchaseReservedCacheNodesOffering", {purchase_reserved_cache_nodes_offering, {}}},
        {"DescribeReservedCacheNodes", {describe_reserved_cache_nodes, {}}},
        {"DescribeServiceUpdates", {describe_service_updates, {}}},
        {"DescribeUpdateActions", {describe_update_actions, {}}},
        {"BatchApplyUpdateAction", {batch_apply_update_action, {}}},
        {"BatchStopUpdateAction", {batch_stop_update_action, {}}},

        // Real nodes
        {"CreateCacheCluster", {create_cache_cluster, {}}},
        {"DescribeCacheClusters", {describe_cache_clusters, {}}},
        {"ModifyCacheCluster", {modify_cache_cluster, {}}},
        {"RebootCacheCluster", {reboot_cache_cluster, {}}},
        {"DeleteCacheCluster", {delete_cache_cluster, {}}},
        {"CreateReplicationGroup", {create_replication_group, {}}},
        {"DescribeReplicationGroups", {describe_replication_groups, {}}},
        {"DeleteReplicationGroup", {delete_replication_group, {}}},

        // High availability
        {"ModifyReplicationGroup", {modify_replication_group, {}}},
        {"TestFailover", {test_failover, {}}},
        {"IncreaseReplicaCount", {increase_replica_count, {}}},
        {"DecreaseReplicaCount", {decrease_replica_count, {}}},

        // Backups
        {"CreateSnapshot", {create_snapshot, {}}},
        {"DescribeSnapshots", {describe_snapshots, {}}},
        {"CopySnapshot", {copy_snapshot, {}}},
        {"DeleteSnapshot", {delete_snapshot, {}}},

        // Resharding
        {"ModifyReplicationGroupShardConfiguration", {modify_replication_group_shard_configuration, {}}},

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
