#include "handlers/cluster_wire.h"

#include "catalog/catalog.h"
#include "core/ids.h"

#include <boost/json.hpp>

namespace keyfleet::handlers {

namespace {

// A node's or endpoint's own loopback address; or, when nodes share one host
// (containers), the host clients are told to use.
json::object endpoint(Context const& ctx, store::Address const& address)
{
    return {{"Address", ctx.advertise_host.empty() ? address.host : std::string(ctx.advertise_host)},
            {"Port", address.port}};
}

// What a cluster reports as its EngineVersion: the full version (7.1 -> 7.1.0).
std::string actual_version(std::string const& engine, std::string const& version)
{
    if (auto const* entry = catalog::Catalog::get().engine_version(engine, version))
        return entry->actual_version;
    return version;
}

json::array copy_array(json::object const& settings, std::string_view member)
{
    if (auto const* value = settings.if_contains(member); value && value->is_array())
        return value->get_array();
    return {};
}

bool setting_flag(json::object const& settings, std::string_view member, bool fallback)
{
    auto const* value = settings.if_contains(member);
    return value && value->is_bool() ? value->get_bool() : fallback;
}

std::string setting_text(json::object const& settings, std::string_view member, std::string fallback = {})
{
    auto const* value = settings.if_contains(member);
    return value && value->is_string() ? std::string(value->get_string()) : fallback;
}

}  // namespace

std::string primary_cluster_id(std::vector<store::CacheCluster> const& members)
{
    for (auto const& member : members)
        for (auto const& node : member.nodes)
            if (node.role == "primary" && member.node_group_id.value_or("0001") == "0001")
                return member.id;
    return members.empty() ? std::string() : members.front().id;
}

json::object cache_cluster_to_wire(Context const& ctx, store::CacheCluster const& cluster, bool show_nodes)
{
    json::array security_groups;
    for (auto const& id : copy_array(cluster.settings, "SecurityGroupIds"))
        security_groups.push_back(json::object{{"SecurityGroupId", id}, {"Status", "active"}});
    json::array cache_security_groups;
    for (auto const& name : copy_array(cluster.settings, "CacheSecurityGroupNames"))
        cache_security_groups.push_back(json::object{{"CacheSecurityGroupName", name}, {"Status", "active"}});

    json::object wire{
        {"CacheClusterId", cluster.id},
        {"ClientDownloadLandingPage", "https://console.aws.amazon.com/elasticache/home#client-download:"},
        {"CacheNodeType", cluster.node_type},
        {"Engine", cluster.engine},
        {"EngineVersion", actual_version(cluster.engine, cluster.engine_version)},
        {"CacheClusterStatus", cluster.status},
        {"NumCacheNodes", 1},
        {"PreferredAvailabilityZone", cluster.availability_zone},
        {"CacheClusterCreateTime", cluster.created_at},
        {"PreferredMaintenanceWindow", setting_text(cluster.settings, "PreferredMaintenanceWindow")},
        {"PendingModifiedValues", cluster.settings.contains("PendingModifiedValues")
                                      ? cluster.settings.at("PendingModifiedValues")
                                      : json::value(json::object{})},
        {"CacheSecurityGroups", std::move(cache_security_groups)},
        {"CacheParameterGroup",
         json::object{{"CacheParameterGroupName", cluster.parameter_group},
                      {"ParameterApplyStatus", setting_text(cluster.settings, "ParameterApplyStatus", "in-sync")},
                      {"CacheNodeIdsToReboot", copy_array(cluster.settings, "CacheNodeIdsToReboot")}}}};
    if (!cluster.subnet_group.empty())
        wire["CacheSubnetGroupName"] = cluster.subnet_group;
    if (show_nodes) {
        json::array nodes;
        for (auto const& node : cluster.nodes) {
            json::object entry{{"CacheNodeId", node.node_id},
                               {"CacheNodeStatus", node.status},
                               {"CacheNodeCreateTime", node.created_at}};
            if (node.status != "creating")
                entry["Endpoint"] = endpoint(ctx, node.address());
            entry["ParameterGroupStatus"] = setting_text(cluster.settings, "ParameterApplyStatus", "in-sync");
            entry["CustomerAvailabilityZone"] = cluster.availability_zone;
            nodes.push_back(std::move(entry));
        }
        wire["CacheNodes"] = std::move(nodes);
    }
    wire["AutoMinorVersionUpgrade"] = setting_flag(cluster.settings, "AutoMinorVersionUpgrade", true);
    wire["SecurityGroups"] = std::move(security_groups);
    if (cluster.replication_group_id)
        wire["ReplicationGroupId"] = *cluster.replication_group_id;
    wire["SnapshotRetentionLimit"] = cluster.settings.contains("SnapshotRetentionLimit")
                                         ? cluster.settings.at("SnapshotRetentionLimit")
                                         : json::value(0);
    wire["SnapshotWindow"] = setting_text(cluster.settings, "SnapshotWindow");
    wire["AuthTokenEnabled"] = cluster.settings.contains("AuthToken");
    if (auto const* modified = cluster.settings.if_contains("AuthTokenLastModifiedDate"))
        wire["AuthTokenLastModifiedDate"] = *modified;
    wire["TransitEncryptionEnabled"] = setting_flag(cluster.settings, "TransitEncryptionEnabled", false);
    if (cluster.settings.contains("TransitEncryptionMode"))
        wire["TransitEncryptionMode"] = setting_text(cluster.settings, "TransitEncryptionMode");
    wire["AtRestEncryptionEnabled"] = setting_flag(cluster.settings, "AtRestEncryptionEnabled", false);
    wire["ARN"] = core::arn(ctx.scope.region, ctx.scope.account, "cluster", cluster.id);
    wire["ReplicationGroupLogDeliveryEnabled"] = false;
    wire["LogDeliveryConfigurations"] = json::array();
    wire["NetworkType"] = "ipv4";
    wire["IpDiscovery"] = "ipv4";
    return wire;
}

json::object replication_group_to_wire(Context const& ctx, store::ReplicationGroup const& group,
                                       std::vector<store::CacheCluster> const& members)
{
    bool const settled = group.status != "creating";
    json::array member_ids;
    for (auto const& member : members)
        member_ids.emplace_back(member.id);

    json::array node_groups;
    for (auto const& node_group : group.node_groups) {
        json::object entry{{"NodeGroupId", node_group.id}, {"Status", node_group.status}};
        json::array node_group_members;
        for (auto const& member : members) {
            if (member.node_group_id != node_group.id)
                continue;
            for (auto const& node : member.nodes) {
                json::object node_member{{"CacheClusterId", member.id}, {"CacheNodeId", node.node_id}};
                if (!group.cluster_enabled && node.status != "creating")
                    node_member["ReadEndpoint"] = endpoint(ctx, node.address());
                node_member["PreferredAvailabilityZone"] = member.availability_zone;
                if (!group.cluster_enabled)
                    node_member["CurrentRole"] = node.role;
                node_group_members.push_back(std::move(node_member));
            }
            if (member.nodes.empty())  // not allocated yet: shown without endpoint or role
                node_group_members.push_back(json::object{{"CacheClusterId", member.id},
                                                          {"CacheNodeId", "0001"},
                                                          {"PreferredAvailabilityZone", member.availability_zone}});
        }
        if (!group.cluster_enabled && settled) {
            if (group.primary_endpoint)
                entry["PrimaryEndpoint"] = endpoint(ctx, *group.primary_endpoint);
            if (group.reader_endpoint)
                entry["ReaderEndpoint"] = endpoint(ctx, *group.reader_endpoint);
        }
        if (group.cluster_enabled && !node_group.slots.empty())  // a node group added by a reshard, before its first slot
            entry["Slots"] = node_group.slots;
        entry["NodeGroupMembers"] = std::move(node_group_members);
        node_groups.push_back(std::move(entry));
    }

    json::object wire{{"ReplicationGroupId", group.id},
                      {"Description", group.description},
                      {"Status", group.status},
                      {"PendingModifiedValues", group.settings.contains("PendingModifiedValues")
                                                    ? group.settings.at("PendingModifiedValues")
                                                    : json::value(json::object{})},
                      {"MemberClusters", std::move(member_ids)},
                      {"NodeGroups", std::move(node_groups)}};
    if (auto const limit = group.settings.if_contains("SnapshotRetentionLimit"); limit && limit->as_int64() > 0)
        wire["SnapshottingClusterId"] = setting_text(group.settings, "SnapshottingClusterId", primary_cluster_id(members));
    wire["AutomaticFailover"] = group.automatic_failover;
    wire["MultiAZ"] = group.multi_az;
    if (group.cluster_enabled && settled && group.configuration_endpoint)
        wire["ConfigurationEndpoint"] = endpoint(ctx, *group.configuration_endpoint);
    wire["SnapshotRetentionLimit"] =
        group.settings.contains("SnapshotRetentionLimit") ? group.settings.at("SnapshotRetentionLimit") : json::value(0);
    wire["SnapshotWindow"] = setting_text(group.settings, "SnapshotWindow");
    wire["ClusterEnabled"] = group.cluster_enabled;
    wire["CacheNodeType"] = group.node_type;
    wire["AuthTokenEnabled"] = group.settings.contains("AuthToken");
    if (auto const* modified = group.settings.if_contains("AuthTokenLastModifiedDate"))
        wire["AuthTokenLastModifiedDate"] = *modified;
    wire["TransitEncryptionEnabled"] = setting_flag(group.settings, "TransitEncryptionEnabled", false);
    if (group.settings.contains("TransitEncryptionMode"))
        wire["TransitEncryptionMode"] = setting_text(group.settings, "TransitEncryptionMode");
    wire["AtRestEncryptionEnabled"] = setting_flag(group.settings, "AtRestEncryptionEnabled", false);
    wire["ARN"] = core::arn(ctx.scope.region, ctx.scope.account, "replicationgroup", group.id);
    wire["UserGroupIds"] = json::array();
    wire["LogDeliveryConfigurations"] = json::array();
    wire["ReplicationGroupCreateTime"] = group.created_at;
    wire["DataTiering"] = "disabled";
    wire["AutoMinorVersionUpgrade"] = setting_flag(group.settings, "AutoMinorVersionUpgrade", true);
    wire["NetworkType"] = "ipv4";
    wire["IpDiscovery"] = "ipv4";
    wire["ClusterMode"] = group.cluster_enabled ? "enabled" : "disabled";
    wire["Engine"] = group.engine;
    return wire;
}

}  // namespace keyfleet::handlers
