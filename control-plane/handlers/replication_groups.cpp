// Replication groups: CreateReplicationGroup (cluster mode disabled: a primary
// and replicas; enabled: a Redis Cluster of node groups), Describe and Delete.
// The handler records the group, its node groups and member clusters; the
// create workflow starts the nodes, links replicas or forms the cluster, and
// opens the group's stable endpoints.
#include "codec/api_error.h"
#include "core/slots.h"
#include "core/strings.h"
#include "handlers/cluster_options.h"
#include "handlers/cluster_wire.h"
#include "handlers/group_changes.h"
#include "handlers/lookups.h"
#include "handlers/operations.h"
#include "handlers/pagination.h"
#include "handlers/resources.h"
#include "handlers/validate.h"
#include "store/clusters.h"
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

constexpr std::size_t max_id_length = 40;
using core::slot_count;

[[noreturn]] void not_found(std::string const& id)
{
    throw ApiError::from_model("ReplicationGroupNotFoundFault", "Replication group " + id + " not found.");
}

std::optional<std::int64_t> optional_int(json::object const& in, std::string_view member)
{
    auto const* value = in.if_contains(member);
    return value ? std::optional<std::int64_t>(value->as_int64()) : std::nullopt;
}

// "0-5460,10923-12000" -> ranges; InvalidParameterValue when malformed.
std::vector<core::SlotRange> parse_slots(std::string const& text)
{
    auto ranges = core::parse_slot_ranges(text);
    if (!ranges)
        throw invalid_parameter_value("Invalid slot range " + text + ".");
    return *ranges;
}

// Which slots a "0-5460,10923-12000" list covers.
std::vector<bool> slot_set(std::string const& text)
{
    std::vector<bool> slots(slot_count, false);
    for (auto const& [first, last] : parse_slots(text))
        for (int slot = first; slot <= last; ++slot)
            slots[std::size_t(slot)] = true;
    return slots;
}

struct PlannedNodeGroup {
    std::string id;
    std::string slots;
    int replicas = 0;
    std::vector<std::string> zones;  // primary first
};

}  // namespace

Presence replication_group_presence(store::Transaction& tx, core::Scope const& scope, std::string_view id)
{
    return store::find_replication_group(tx, scope, id) ? Presence::present : Presence::absent;
}

json::object create_replication_group(Context& ctx, json::object const& in)
{
    refuse_unbuilt(in, true);
    // Any number of files: their keys go to the node groups by slot.
    auto const seed_files = snapshot_files(ctx, in, max_node_groups);
    auto const id = identifier(in, "ReplicationGroupId", max_id_length);
    auto const description = required_string(in, "ReplicationGroupDescription");
    if (in.contains("PrimaryClusterId"))
        throw ApiError::from_model("NotImplemented",
                                   "keyfleet does not carry out CreateReplicationGroup with PrimaryClusterId (a group "
                                   "around an existing cluster) yet: it awaits failover and replica scaling. See "
                                   "docs/API_COVERAGE.md.");
    auto const tags = tags_from(in);
    check_tag_count(tags.size());
    auto const cluster_mode_input = optional_string(in, "ClusterMode");
    auto num_node_groups = optional_int(in, "NumNodeGroups");
    auto const replicas_per_group = optional_int(in, "ReplicasPerNodeGroup");
    auto const num_cache_clusters = optional_int(in, "NumCacheClusters");
    json::array configurations;
    if (auto const* list = in.if_contains("NodeGroupConfiguration"))
        configurations = list->as_array();

    auto tx = ctx.db.write();
    if (store::find_replication_group(tx, ctx.scope, id))
        throw ApiError::from_model("ReplicationGroupAlreadyExistsFault", "Replication group " + id + " already exists.");
    // A restore has the snapshot's node groups unless the request says otherwise.
    auto const restore = snapshot_to_restore(ctx, tx, in);
    if (restore && restore->nodes.size() > 1 && !num_node_groups && configurations.empty() && !num_cache_clusters)
        num_node_groups = std::int64_t(restore->nodes.size());

    // Cluster mode follows the parameter group when one is named; otherwise what was asked.
    bool cluster_mode = (cluster_mode_input && *cluster_mode_input != "disabled") ||
                        (num_node_groups && *num_node_groups > 1) || configurations.size() > 1;
    auto options = cluster_options(ctx, tx, restore ? with_snapshot_defaults(in, *restore) : in, id, cluster_mode);
    if (in.contains("CacheParameterGroupName")) {
        if (!options.parameter_group_facts.cluster_enabled && cluster_mode)
            throw invalid_parameter_combination("Cluster mode needs a parameter group with cluster-enabled yes; " +
                                                options.parameter_group + " has cluster-enabled no.");
        cluster_mode = options.parameter_group_facts.cluster_enabled;
    }
    if (cluster_mode_input == "disabled" && cluster_mode)
        throw invalid_parameter_combination("ClusterMode disabled does not match parameter group " +
                                            options.parameter_group + ", which has cluster-enabled yes.");

    // Node groups and their replicas.
    std::vector<PlannedNodeGroup> planned;
    if (cluster_mode) {
        if (num_cache_clusters)
            throw invalid_parameter_combination("NumCacheClusters applies to cluster mode disabled; use NumNodeGroups "
                                                "and ReplicasPerNodeGroup.");
        int const count = configurations.empty() ? int(num_node_groups.value_or(1)) : int(configurations.size());
        if (num_node_groups && !configurations.empty() && *num_node_groups != std::int64_t(configurations.size()))
            throw invalid_parameter_value("NumNodeGroups does not match the number of NodeGroupConfiguration entries.");
        if (count < 1)
            throw invalid_parameter_value("NumNodeGroups must be at least 1.");
        if (count > max_node_groups)
            throw ApiError::from_model("NodeGroupsPerReplicationGroupQuotaExceededFault",
                                       fmt::format("The request exceeds the limit of {} node groups (shards) per "
                                                   "replication group.",
                                                   max_node_groups));
        std::vector<int> covered(slot_count, 0);
        for (int i = 0; i < count; ++i) {
            PlannedNodeGroup group{fmt::format("{:04}", i + 1), core::even_slots(i, count), int(replicas_per_group.value_or(0)), {}};
            // Restored shards keep the slots their keys are in.
            if (restore && restore->nodes.size() == std::size_t(count) && !restore->nodes[std::size_t(i)].slots.empty())
                group.slots = restore->nodes[std::size_t(i)].slots;
            if (!configurations.empty()) {
                auto const& configuration = configurations[std::size_t(i)].as_object();
                if (auto const node_group_id = optional_string(configuration, "NodeGroupId"))
                    group.id = *node_group_id;
                if (auto const slots = optional_string(configuration, "Slots"))
                    group.slots = *slots;
                if (auto const replicas = optional_int(configuration, "ReplicaCount"))
                    group.replicas = int(*replicas);
                if (auto const zone = optional_string(configuration, "PrimaryAvailabilityZone"))
                    group.zones.push_back(*zone);
                for (auto const& zone : string_list(configuration, "ReplicaAvailabilityZones"))
                    group.zones.push_back(zone);
            }
            for (auto const& [first, last] : parse_slots(group.slots))
                for (int slot = first; slot <= last; ++slot)
                    ++covered[std::size_t(slot)];
            planned.push_back(std::move(group));
        }
        if (std::ranges::any_of(covered, [](int n) { return n != 1; }))
            throw invalid_parameter_value("The node groups' Slots must cover every slot from 0 to 16383 exactly once.");
    } else {
        if (num_node_groups && *num_node_groups != 1)
            throw invalid_parameter_combination("NumNodeGroups must be 1 when cluster mode is disabled.");
        int replicas = 0;
        if (num_cache_clusters) {
            if (*num_cache_clusters < 1 || *num_cache_clusters > max_replicas + 1)
                throw invalid_parameter_value(fmt::format("NumCacheClusters must be between 1 and {}.", max_replicas + 1));
            replicas = int(*num_cache_clusters) - 1;
        } else if (replicas_per_group) {
            replicas = int(*replicas_per_group);
        } else if (!configurations.empty()) {
            replicas = int(optional_int(configurations[0].as_object(), "ReplicaCount").value_or(0));
        }
        PlannedNodeGroup group{"0001", "", replicas, string_list(in, "PreferredCacheClusterAZs")};
        if (!group.zones.empty() && group.zones.size() != std::size_t(replicas + 1))
            throw invalid_parameter_value("The number of PreferredCacheClusterAZs must equal NumCacheClusters.");
        planned.push_back(std::move(group));
    }
    // Data that does not fit the node groups one file per shard (other shard
    // counts or slots, several files, files into cluster mode) is loaded key by
    // key into the node group owning each key's slot once the nodes run.
    bool by_slot = seed_files.size() > 1 || (cluster_mode && !seed_files.empty());
    if (restore) {
        by_slot = planned.size() != restore->nodes.size();
        for (std::size_t i = 0; !by_slot && i < planned.size(); ++i)
            by_slot = cluster_mode && !restore->nodes[i].slots.empty() &&
                      slot_set(planned[i].slots) != slot_set(restore->nodes[i].slots);
    }
    int total_nodes = 0;
    int fewest_replicas = max_replicas;
    for (auto const& group : planned) {
        if (group.replicas < 0 || group.replicas > max_replicas)
            throw invalid_parameter_value(fmt::format("A node group has between 0 and {} replicas.", max_replicas));
        total_nodes += group.replicas + 1;
        fewest_replicas = std::min(fewest_replicas, group.replicas);
    }
    if (total_nodes > max_nodes)
        throw ApiError::from_model("NodeQuotaForClusterExceededFault",
                                   fmt::format("The request exceeds the limit of {} nodes per replication group.", max_nodes));

    auto const failover_input = in.if_contains("AutomaticFailoverEnabled");
    bool const failover = failover_input ? failover_input->as_bool() : cluster_mode;
    bool const multi_az = in.contains("MultiAZEnabled") && in.at("MultiAZEnabled").as_bool();
    if (cluster_mode && failover_input && !failover)
        throw invalid_parameter_combination("Redis with cluster mode enabled cannot be created with automatic "
                                            "failover disabled.");
    if (failover && fewest_replicas < 1 && !cluster_mode)
        throw invalid_parameter_combination("Automatic failover needs at least one replica: set NumCacheClusters to "
                                            "2 or more.");
    if (multi_az && !failover)
        throw invalid_parameter_combination("Multi-AZ needs automatic failover enabled.");

    store::ReplicationGroup group;
    group.id = id;
    group.description = description;
    group.status = "creating";
    group.cluster_enabled = cluster_mode;
    group.automatic_failover = failover ? "enabled" : "disabled";
    group.multi_az = multi_az ? "enabled" : "disabled";
    group.node_type = options.node_type;
    group.engine = options.engine;
    group.engine_version = options.version->version;
    group.parameter_group = options.parameter_group;
    group.subnet_group = options.subnet_group;
    group.port = options.port;
    group.settings = options.settings;
    group.settings["PreferredMaintenanceWindow"] = options.maintenance_window;
    group.settings["SnapshotWindow"] = options.snapshot_window;
    group.settings["SnapshotRetentionLimit"] = options.snapshot_retention_limit;
    group.created_at = ctx.clock.now_ms();
    if (by_slot) {
        json::array sources;
        if (restore)
            for (auto const& node : restore->nodes)
                sources.push_back(json::object{{"file", node.file},
                                               {"sha256", node.sha256.value_or("")},
                                               {"label", "node group " + node.node_group_id + " of snapshot " + restore->name}});
        auto const arns = string_list(in, "SnapshotArns");
        for (std::size_t i = 0; i < seed_files.size(); ++i)
            sources.push_back(json::object{{"file", seed_files[i]}, {"label", arns[i]}});
        group.settings["load_sources"] = std::move(sources);  // read by the data plane's slot loader
    }
    for (auto const& planned_group : planned)
        group.node_groups.push_back({planned_group.id, planned_group.slots, "creating"});
    store::save_replication_group(tx, ctx.scope, group);

    std::size_t zone_index = 0;
    for (std::size_t group_index = 0; group_index < planned.size(); ++group_index) {
        auto const& planned_group = planned[group_index];
        for (int member = 0; member <= planned_group.replicas; ++member) {
            store::CacheCluster cluster;
            cluster.id = cluster_mode ? fmt::format("{}-{}-{:03}", id, planned_group.id, member + 1)
                                      : fmt::format("{}-{:03}", id, member + 1);
            if (store::find_cache_cluster(tx, ctx.scope, cluster.id))
                throw ApiError::from_model("CacheClusterAlreadyExistsFault",
                                           "Cache cluster " + cluster.id + " already exists.");
            cluster.replication_group_id = id;
            cluster.node_group_id = planned_group.id;
            cluster.status = "creating";
            cluster.engine = group.engine;
            cluster.engine_version = group.engine_version;
            cluster.node_type = group.node_type;
            cluster.availability_zone = std::size_t(member) < planned_group.zones.size()
                                            ? planned_group.zones[std::size_t(member)]
                                            : options.zones[zone_index++ % options.zones.size()];
            cluster.parameter_group = group.parameter_group;
            cluster.subnet_group = group.subnet_group;
            cluster.port = group.port;
            cluster.settings = options.settings;
            cluster.settings["PreferredMaintenanceWindow"] = options.maintenance_window;
            cluster.settings["SnapshotWindow"] = options.snapshot_window;
            cluster.settings["SnapshotRetentionLimit"] = options.snapshot_retention_limit;
            cluster.settings["initial_role"] = member == 0 ? "primary" : "replica";
            if (member == 0 && !seed_files.empty() && !by_slot)
                cluster.settings["seed_rdb"] = seed_files.front();  // the replicas sync from the primary
            if (member == 0 && restore && !by_slot) {
                auto const& node_snapshot = restore->nodes[group_index];
                cluster.settings["seed_rdb"] = node_snapshot.file;
                cluster.settings["seed_sha256"] = node_snapshot.sha256.value_or("");
            }
            cluster.created_at = group.created_at;
            store::save_cache_cluster(tx, ctx.scope, cluster);
        }
    }
    store::put_tags(tx, ctx.scope, {"replicationgroup", id}, tags);
    store::start_workflow(tx, ctx.scope, "create_replication_group", "replicationgroup:" + id, "allocate", {},
                          ctx.clock.now_ms());
    auto const members = store::list_cache_clusters(tx, ctx.scope, id);
    tx.commit();
    ctx.wake_workflows();
    return {{"ReplicationGroup", replication_group_to_wire(ctx, group, members)}};
}

json::object describe_replication_groups(Context& ctx, json::object const& in)
{
    auto const page = page_request(in);
    auto tx = ctx.db.read();
    std::vector<store::ReplicationGroup> groups;
    if (auto const id = optional_string(in, "ReplicationGroupId")) {
        auto group = store::find_replication_group(tx, ctx.scope, core::to_lower(*id));
        if (!group)
            not_found(core::to_lower(*id));
        groups.push_back(std::move(*group));
    } else {
        groups = store::list_replication_groups(tx, ctx.scope);
    }
    std::optional<std::string> marker;
    json::array list;
    for (auto const* group : page_of(groups, page, [](store::ReplicationGroup const& g) { return g.id; }, marker))
        list.push_back(replication_group_to_wire(ctx, *group, store::list_cache_clusters(tx, ctx.scope, group->id)));
    json::object out;
    if (marker)
        out["Marker"] = *marker;
    out["ReplicationGroups"] = std::move(list);
    return out;
}

json::object delete_replication_group(Context& ctx, json::object const& in)
{
    auto const id = core::to_lower(required_string(in, "ReplicationGroupId"));
    auto const final_snapshot = in.contains("FinalSnapshotIdentifier")
                                    ? std::optional(snapshot_name(in, "FinalSnapshotIdentifier"))
                                    : std::nullopt;
    bool const retain_primary = in.contains("RetainPrimaryCluster") && in.at("RetainPrimaryCluster").as_bool();
    auto tx = ctx.db.write();
    auto group = store::find_replication_group(tx, ctx.scope, id);
    if (!group)
        not_found(id);
    if (group->status != "available" && (group->status != "create-failed" || final_snapshot))
        throw ApiError::from_model("InvalidReplicationGroupStateFault",
                                   "Replication group " + id + " has status " + group->status +
                                       " which is not valid for deletion.");
    if (retain_primary && group->cluster_enabled)
        throw invalid_parameter_combination("RetainPrimaryCluster applies to cluster mode disabled only.");
    auto const members = store::list_cache_clusters(tx, ctx.scope, id);
    json::object data{{"retain_primary", retain_primary}};
    if (final_snapshot) {
        // Taken before the nodes stop, by the delete workflow's first steps.
        store::save_snapshot(tx, ctx.scope, plan_group_snapshot(ctx, tx, *final_snapshot, *group, members));
        data["snapshot"] = *final_snapshot;
    }
    group->status = "deleting";
    store::save_replication_group(tx, ctx.scope, *group);
    delete_automatic_snapshots(ctx, tx, {std::nullopt, id});
    store::start_workflow(tx, ctx.scope, "delete_replication_group", "replicationgroup:" + id,
                          final_snapshot ? "final_snapshot" : "stop", data, ctx.clock.now_ms());
    tx.commit();
    ctx.wake_workflows();
    return {{"ReplicationGroup", replication_group_to_wire(ctx, *group, members)}};
}

}  // namespace keyfleet::handlers
