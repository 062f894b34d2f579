// Cache clusters (engine redis, one node): Create/Describe/Modify/Reboot/Delete.
// Handlers record the desired state and start a workflow; the data plane runs
// the redis-server node and moves the status from creating to available.
#include "catalog/catalog.h"
#include "codec/api_error.h"
#include "core/ids.h"
#include "core/strings.h"
#include "handlers/cluster_options.h"
#include "handlers/cluster_wire.h"
#include "handlers/lookups.h"
#include "handlers/operations.h"
#include "handlers/pagination.h"
#include "handlers/resources.h"
#include "handlers/validate.h"
#include "store/clusters.h"
#include "store/events.h"
#include "store/snapshots.h"
#include "store/tags.h"
#include "store/workflows.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace keyfleet::handlers {

namespace {

using codec::ApiError;
using codec::invalid_parameter_combination;
using codec::invalid_parameter_value;

constexpr std::size_t max_id_length = 50;

[[noreturn]] void not_found(std::string const& id)
{
    throw ApiError::from_model("CacheClusterNotFoundFault", "CacheCluster not found: " + id);
}

store::CacheCluster cluster_or_throw(store::Transaction& tx, core::Scope const& scope, std::string const& id)
{
    auto cluster = store::find_cache_cluster(tx, scope, id);
    if (!cluster)
        not_found(id);
    return std::move(*cluster);
}

void require_available(store::CacheCluster const& cluster, std::string_view doing)
{
    if (cluster.status != "available")
        throw ApiError::from_model("InvalidCacheClusterStateFault",
                                   fmt::format("Cache cluster {} is not in the available state (it is {}); it cannot be {}.",
                                               cluster.id, cluster.status, doing));
}

void start(Context& ctx, store::Transaction& tx, std::string_view kind, std::string const& id,
           json::object const& data = {})
{
    store::start_workflow(tx, ctx.scope, kind, "cluster:" + id, "start", data, ctx.clock.now_ms());
}

}  // namespace

Presence cache_cluster_presence(store::Transaction& tx, core::Scope const& scope, std::string_view id)
{
    return store::find_cache_cluster(tx, scope, id) ? Presence::present : Presence::absent;
}

json::object create_cache_cluster(Context& ctx, json::object const& in)
{
    refuse_unbuilt(in, true);
    auto const seed_files = snapshot_files(ctx, in, 1);
    auto const id = identifier(in, "CacheClusterId", max_id_length);
    if (in.contains("ReplicationGroupId")) {
        if (in.contains("SnapshotName") || in.contains("SnapshotArns"))
            throw invalid_parameter_combination("A replica takes its data from its primary: SnapshotName and "
                                                "SnapshotArns do not apply with ReplicationGroupId.");
        return add_replica_cluster(ctx, in, id);
    }
    // The engine first: NumCacheNodes and AZMode cross-az are memcached's, and memcached is not built.
    engine_of(in);
    if (auto const* count = in.if_contains("NumCacheNodes"); count && count->as_int64() != 1)
        throw invalid_parameter_value("Cannot create a Redis cluster with a NumCacheNodes parameter greater than 1.");
    if (auto const mode = optional_string(in, "AZMode"); mode && *mode == "cross-az")
        throw invalid_parameter_value("AZMode cross-az applies to Memcached clusters only.");
    auto const tags = tags_from(in);
    check_tag_count(tags.size());

    auto tx = ctx.db.write();
    if (store::find_cache_cluster(tx, ctx.scope, id))
        throw ApiError::from_model("CacheClusterAlreadyExistsFault", "Cache cluster " + id + " already exists.");
    auto const restore = snapshot_to_restore(ctx, tx, in);
    if (restore && restore->nodes.size() != 1)
        throw ApiError::from_model("NotImplemented",
                                   fmt::format("keyfleet does not carry out restoring snapshot {} of {} node groups "
                                               "into a cache cluster yet. CreateReplicationGroup restores it into "
                                               "any number of node groups.",
                                               restore->name, restore->nodes.size()));
    auto options = cluster_options(ctx, tx, restore ? with_snapshot_defaults(in, *restore) : in, id, false);
    if (options.parameter_group_facts.cluster_enabled)
        throw invalid_parameter_combination("Cluster mode is enabled in parameter group " + options.parameter_group +
                                            "; a cache cluster needs a parameter group with cluster-enabled no.");

    store::CacheCluster cluster;
    cluster.id = id;
    cluster.status = "creating";
    cluster.engine = options.engine;
    cluster.engine_version = options.version->version;
    cluster.node_type = options.node_type;
    if (auto const zone = optional_string(in, "PreferredAvailabilityZone")) {
        if (std::ranges::find(options.zones, *zone) == options.zones.end() &&
            !(zone->starts_with(ctx.scope.region) && zone->size() == ctx.scope.region.size() + 1))
            throw invalid_parameter_value("Invalid availability zone " + *zone + " for region " + ctx.scope.region + ".");
        cluster.availability_zone = *zone;
    } else {
        cluster.availability_zone = options.zones[core::stable_number(id, options.zones.size())];
    }
    cluster.parameter_group = options.parameter_group;
    cluster.subnet_group = options.subnet_group;
    cluster.port = options.port;
    cluster.settings = options.settings;
    cluster.settings["PreferredMaintenanceWindow"] = options.maintenance_window;
    cluster.settings["SnapshotWindow"] = options.snapshot_window;
    cluster.settings["SnapshotRetentionLimit"] = options.snapshot_retention_limit;
    if (!seed_files.empty())
        cluster.settings["seed_rdb"] = seed_files.front();
    if (restore) {
        cluster.settings["seed_rdb"] = restore->nodes.front().file;
        cluster.settings["seed_sha256"] = restore->nodes.front().sha256.value_or("");
    }
    cluster.created_at = ctx.clock.now_ms();
    store::save_cache_cluster(tx, ctx.scope, cluster);
    store::put_tags(tx, ctx.scope, {"cluster", id}, tags);
    start(ctx, tx, "create_cache_cluster", id);
    tx.commit();
    ctx.wake_workflows();
    return {{"CacheCluster", cache_cluster_to_wire(ctx, cluster, false)}};
}

json::object describe_cache_clusters(Context& ctx, json::object const& in)
{
    auto const page = page_request(in);
    bool const show_nodes = in.contains("ShowCacheNodeInfo") && in.at("ShowCacheNodeInfo").as_bool();
    bool const standalone_only = in.contains("ShowCacheClustersNotInReplicationGroups") &&
                                 in.at("ShowCacheClustersNotInReplicationGroups").as_bool();
    auto tx = ctx.db.read();
    std::vector<store::CacheCluster> clusters;
    if (auto const id = optional_string(in, "CacheClusterId"))
        clusters.push_back(cluster_or_throw(tx, ctx.scope, core::to_lower(*id)));
    else
        clusters = store::list_cache_clusters(tx, ctx.scope);
    if (standalone_only)
        std::erase_if(clusters, [](store::CacheCluster const& c) { return c.replication_group_id.has_value(); });
    std::optional<std::string> marker;
    json::array list;
    for (auto const* cluster : page_of(clusters, page, [](store::CacheCluster const& c) { return c.id; }, marker))
        list.push_back(cache_cluster_to_wire(ctx, *cluster, show_nodes));
    json::object out;
    if (marker)
        out["Marker"] = *marker;
    out["CacheClusters"] = std::move(list);
    return out;
}

json::object modify_cache_cluster(Context& ctx, json::object const& in)
{
    auto const id = core::to_lower(required_string(in, "CacheClusterId"));
    for (auto const* member : {"AuthToken", "AuthTokenUpdateStrategy", "NotificationTopicArn", "ScaleConfig"})
        if (in.contains(member))
            throw ApiError::from_model("NotImplemented",
                                       fmt::format("keyfleet does not carry out ModifyCacheCluster {} yet. See "
                                                   "docs/API_COVERAGE.md.",
                                                   member));
    if (auto const* count = in.if_contains("NumCacheNodes"); count && count->as_int64() != 1)
        throw invalid_parameter_value("A Redis cluster has exactly one cache node.");
    if (in.contains("CacheNodeIdsToRemove") || in.contains("NewAvailabilityZones"))
        throw invalid_parameter_value("Cache nodes can be added or removed only in Memcached clusters.");
    bool const immediately = in.contains("ApplyImmediately") && in.at("ApplyImmediately").as_bool();

    auto tx = ctx.db.write();
    auto cluster = cluster_or_throw(tx, ctx.scope, id);
    require_available(cluster, "modified");
    bool const member = cluster.replication_group_id.has_value();
    json::object work;  // what the modify workflow carries out on the node

    if (auto const group = optional_string(in, "CacheParameterGroupName")) {
        auto const name = core::to_lower(*group);
        auto const facts = parameter_group_facts(tx, ctx.scope, name);
        if (!facts)
            throw ApiError::from_model("CacheParameterGroupNotFoundFault", "CacheParameterGroup not found: " + name);
        auto const* version = catalog::Catalog::get().engine_version(cluster.engine, cluster.engine_version);
        if (version && facts->family != version->family)
            throw invalid_parameter_combination("The parameter group " + name + " is of family " + facts->family +
                                                ", which does not match the cluster's family " + version->family + ".");
        if (facts->cluster_enabled && !member)
            throw invalid_parameter_combination("A cache cluster cannot use a parameter group with cluster mode enabled.");
        if (name != cluster.parameter_group) {
            work["previous_parameter_group"] = cluster.parameter_group;
            cluster.parameter_group = name;
        }
    }
    json::object pending = cluster.settings.contains("PendingModifiedValues")
                               ? cluster.settings.at("PendingModifiedValues").as_object()
                               : json::object{};
    if (auto const type = optional_string(in, "CacheNodeType"); type && *type != cluster.node_type) {
        if (member)
            throw invalid_parameter_combination("The node type of a replication group's member is changed with "
                                                "ModifyReplicationGroup.");
        auto const& catalog = catalog::Catalog::get();
        auto const* current = catalog.node_type(cluster.node_type);
        auto const allowed = current ? catalog::allowed_modifications(catalog, *current, "redis")
                                     : catalog::NodeTypeModifications{};
        if (std::ranges::find(allowed.scale_up, *type) == allowed.scale_up.end() &&
            std::ranges::find(allowed.scale_down, *type) == allowed.scale_down.end())
            throw invalid_parameter_combination("Cannot modify the node type of " + id + " from " + cluster.node_type +
                                                " to " + *type + ".");
        if (immediately)
            work["node_type"] = *type;
        else
            pending["CacheNodeType"] = *type;
    }
    if (auto const version = optional_string(in, "EngineVersion")) {
        auto const* entry = catalog::Catalog::get().engine_version(cluster.engine, *version);
        if (!entry)
            throw invalid_parameter_value("Cannot find version " + *version + " for " + cluster.engine);
        if (entry->version != cluster.engine_version) {
            if (immediately)
                work["engine_version"] = entry->version;
            else
                pending["EngineVersion"] = entry->version;
        }
    }
    if (auto const window = optional_string(in, "PreferredMaintenanceWindow"))
        cluster.settings["PreferredMaintenanceWindow"] = maintenance_window(*window);
    if (auto const window = optional_string(in, "SnapshotWindow"))
        cluster.settings["SnapshotWindow"] = snapshot_window(*window);
    if (auto const* limit = in.if_contains("SnapshotRetentionLimit")) {
        if (limit->as_int64() < 0 || limit->as_int64() > 35)
            throw invalid_parameter_value("SnapshotRetentionLimit must be between 0 and 35.");
        cluster.settings["SnapshotRetentionLimit"] = limit->as_int64();
    }
    if (in.contains("SecurityGroupIds"))
        cluster.settings["SecurityGroupIds"] = json::value_from(string_list(in, "SecurityGroupIds"));
    if (in.contains("AutoMinorVersionUpgrade"))
        cluster.settings["AutoMinorVersionUpgrade"] = in.at("AutoMinorVersionUpgrade").as_bool();
    if (pending.empty())
        cluster.settings.erase("PendingModifiedValues");
    else
        cluster.settings["PendingModifiedValues"] = pending;

    if (!work.empty()) {
        cluster.status = "modifying";
        if (work.contains("previous_parameter_group"))
            cluster.settings["ParameterApplyStatus"] = "applying";
        start(ctx, tx, "modify_cache_cluster", id, work);
    }
    store::save_cache_cluster(tx, ctx.scope, cluster);
    if (!pending.empty()) {
        store::record_event(tx, ctx.scope, "cache-cluster", id,
                            "Modifications to " + id + " will be applied in its maintenance window", ctx.clock.now_ms());
        if (!store::running_workflow(tx, ctx.scope, "pending:cluster:" + id))
            store::start_workflow(tx, ctx.scope, "apply_pending_modifications", "pending:cluster:" + id, "wait", {},
                                  ctx.clock.now_ms());
    }
    tx.commit();
    if (!work.empty() || !pending.empty())
        ctx.wake_workflows();
    return {{"CacheCluster", cache_cluster_to_wire(ctx, cluster, false)}};
}

json::object reboot_cache_cluster(Context& ctx, json::object const& in)
{
    auto const id = core::to_lower(required_string(in, "CacheClusterId"));
    auto const node_ids = string_list(in, "CacheNodeIdsToReboot");
    if (node_ids.empty())
        throw invalid_parameter_value("The parameter CacheNodeIdsToReboot must contain at least one node id.");
    auto tx = ctx.db.write();
    auto cluster = cluster_or_throw(tx, ctx.scope, id);
    require_available(cluster, "rebooted");
    json::array to_reboot;
    for (auto const& node_id : node_ids) {
        auto const node = std::ranges::find(cluster.nodes, node_id, &store::CacheNode::node_id);
        if (node == cluster.nodes.end())
            throw invalid_parameter_value("Cache node " + node_id + " does not exist in cache cluster " + id + ".");
        node->status = "rebooting";
        store::save_cache_node(tx, ctx.scope, *node);
        to_reboot.emplace_back(node_id);
    }
    cluster.status = "rebooting cache cluster nodes";
    store::save_cache_cluster(tx, ctx.scope, cluster);
    start(ctx, tx, "reboot_cache_cluster", id, {{"nodes", std::move(to_reboot)}});
    tx.commit();
    ctx.wake_workflows();
    return {{"CacheCluster", cache_cluster_to_wire(ctx, cluster, false)}};
}

json::object delete_cache_cluster(Context& ctx, json::object const& in)
{
    auto const id = core::to_lower(required_string(in, "CacheClusterId"));
    auto const final_snapshot = in.contains("FinalSnapshotIdentifier")
                                    ? std::optional(snapshot_name(in, "FinalSnapshotIdentifier"))
                                    : std::nullopt;
    auto tx = ctx.db.write();
    auto cluster = cluster_or_throw(tx, ctx.scope, id);
    if (cluster.replication_group_id) {
        if (final_snapshot)
            throw invalid_parameter_combination("FinalSnapshotIdentifier does not apply to cache cluster " + id +
                                                ", a member of replication group " + *cluster.replication_group_id +
                                                "; use DeleteReplicationGroup or CreateSnapshot.");
        auto out = remove_replica_cluster(ctx, tx, cluster);
        tx.commit();
        ctx.wake_workflows();
        return out;
    }
    if (cluster.status != "available" && (cluster.status != "create-failed" || final_snapshot))
        require_available(cluster, "deleted");
    json::object data;
    if (final_snapshot) {
        // Taken before the node stops, by the delete workflow's first steps.
        store::save_snapshot(tx, ctx.scope, plan_cluster_snapshot(ctx, tx, *final_snapshot, cluster));
        data["snapshot"] = *final_snapshot;
    }
    cluster.status = "deleting";
    store::save_cache_cluster(tx, ctx.scope, cluster);
    delete_automatic_snapshots(ctx, tx, {id, std::nullopt});
    store::start_workflow(tx, ctx.scope, "delete_cache_cluster", "cluster:" + id,
                          final_snapshot ? "final_snapshot" : "start", data, ctx.clock.now_ms());
    tx.commit();
    ctx.wake_workflows();
    return {{"CacheCluster", cache_cluster_to_wire(ctx, cluster, false)}};
}

}  // namespace keyfleet::handlers
