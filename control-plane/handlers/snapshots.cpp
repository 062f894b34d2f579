// Snapshots (backups): CreateSnapshot, DescribeSnapshots, CopySnapshot,
// DeleteSnapshot, and what restores and final snapshots ask of them. Handlers
// record the snapshot and start a workflow; the data plane saves the nodes'
// data (BGSAVE) and writes one RDB file per node group under
// <data-dir>/snapshots/<account>/<region>/<name>/, with its SHA-256.
#include "catalog/catalog.h"
#include "codec/api_error.h"
#include "core/files.h"
#include "core/ids.h"
#include "core/strings.h"
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
#include <filesystem>

namespace keyfleet::handlers {

namespace {

using codec::ApiError;
using codec::invalid_parameter_combination;
using codec::invalid_parameter_value;

namespace fs = std::filesystem;

constexpr std::size_t max_name_length = 255;
constexpr int default_max_records = 50;

[[noreturn]] void snapshot_not_found(std::string const& name)
{
    throw ApiError::from_model("SnapshotNotFoundFault", "Snapshot " + name + " not found.");
}

store::Snapshot snapshot_or_throw(store::Transaction& tx, core::Scope const& scope, std::string const& name)
{
    auto snapshot = store::find_snapshot(tx, scope, name);
    if (!snapshot)
        snapshot_not_found(name);
    return std::move(*snapshot);
}

void require_available(store::Snapshot const& snapshot)
{
    if (snapshot.status != "available")
        throw ApiError::from_model("InvalidSnapshotStateFault",
                                   fmt::format("Snapshot {} is not in the available state (it is {}).", snapshot.name,
                                               snapshot.status));
}

void refuse_kms_key(json::object const& in)
{
    if (in.contains("KmsKeyId"))
        throw ApiError::from_model("NotImplemented",
                                   "keyfleet does not carry out KmsKeyId: there is no AWS KMS locally. Snapshots of "
                                   "groups created with AtRestEncryptionEnabled are sealed under the installation's "
                                   "key.");
}

std::string actual_version(std::string const& engine, std::string const& version)
{
    auto const* entry = catalog::Catalog::get().engine_version(engine, version);
    return entry ? entry->actual_version : version;
}

json::value setting_or(json::object const& settings, std::string_view member, json::value fallback)
{
    auto const* value = settings.if_contains(member);
    return value ? *value : fallback;
}

// AWS refuses snapshots of cache.t1.micro nodes.
void check_snapshot_support(std::string const& node_type)
{
    if (node_type == "cache.t1.micro")
        throw ApiError::from_model("SnapshotFeatureNotSupportedFault",
                                   "Snapshots are not supported for cache node type cache.t1.micro.");
}

void check_new_name(store::Transaction& tx, core::Scope const& scope, std::string const& name)
{
    if (store::find_snapshot(tx, scope, name))
        throw ApiError::from_model("SnapshotAlreadyExistsFault", "Snapshot with specified name [" + name +
                                                                     "] already exists.");
}

// A snapshot about to be taken of nodes of `node_type`, as CreateSnapshot checks it.
store::Snapshot new_snapshot(Context const& ctx, store::Transaction& tx, std::string const& name,
                             std::string const& node_type)
{
    check_new_name(tx, ctx.scope, name);
    check_snapshot_support(node_type);
    store::Snapshot snapshot;
    snapshot.name = name;
    snapshot.status = "creating";
    snapshot.created_at = ctx.clock.now_ms();
    return snapshot;
}

// The node snapshots RDB files are taken from: a replica of each node group
// where it has one (as ElastiCache does, sparing the primary), else its primary.
store::NodeSnapshot node_snapshot_of(std::string const& node_group_id, std::string const& slots,
                                     std::vector<store::CacheCluster const*> const& members)
{
    store::CacheCluster const* source = nullptr;
    json::array replica_zones;
    std::string primary_zone;
    for (auto const* member : members) {
        bool const replica = !member->nodes.empty() && member->nodes.front().role == "replica";
        if (replica)
            replica_zones.emplace_back(member->availability_zone);
        else
            primary_zone = member->availability_zone;
        if (!source || (replica && source->nodes.front().role != "replica"))
            source = member;
    }
    store::NodeSnapshot node;
    node.node_group_id = node_group_id;
    node.cache_cluster_id = source ? source->id : std::string();
    node.slots = slots;
    node.node_created_at = source && !source->nodes.empty() ? source->nodes.front().created_at : 0;
    node.configuration = {{"ReplicaCount", std::int64_t(replica_zones.size())},
                          {"PrimaryAvailabilityZone", primary_zone},
                          {"ReplicaAvailabilityZones", std::move(replica_zones)}};
    return node;
}

json::object snapshot_to_wire(Context const& ctx, store::Snapshot const& snapshot, bool show_node_group_config)
{
    json::object wire{{"SnapshotName", snapshot.name}};
    if (snapshot.replication_group_id)
        wire["ReplicationGroupId"] = *snapshot.replication_group_id;
    if (snapshot.cache_cluster_id)
        wire["CacheClusterId"] = *snapshot.cache_cluster_id;
    wire["SnapshotStatus"] = snapshot.status;
    wire["SnapshotSource"] = snapshot.origin;
    for (auto const* member :
         {"ReplicationGroupDescription", "CacheNodeType", "Engine", "EngineVersion", "NumCacheNodes",
          "PreferredAvailabilityZone", "CacheClusterCreateTime", "PreferredMaintenanceWindow", "Port",
          "CacheParameterGroupName", "CacheSubnetGroupName", "VpcId", "AutoMinorVersionUpgrade",
          "SnapshotRetentionLimit", "SnapshotWindow", "NumNodeGroups", "AutomaticFailover", "DataTiering"})
        if (auto const* value = snapshot.source.if_contains(member))
            wire[member] = *value;
    json::array nodes;
    for (auto const& node : snapshot.nodes) {
        json::object entry{{"CacheClusterId", node.cache_cluster_id}};
        if (snapshot.replication_group_id)
            entry["NodeGroupId"] = node.node_group_id;
        entry["CacheNodeId"] = node.cache_node_id;
        if (show_node_group_config) {
            json::object configuration{{"NodeGroupId", node.node_group_id}};
            if (!node.slots.empty())
                configuration["Slots"] = node.slots;
            for (auto const& [key, value] : node.configuration)
                configuration[key] = value;
            entry["NodeGroupConfiguration"] = std::move(configuration);
        }
        if (node.size)
            entry["CacheSize"] = fmt::format("{} MB", (*node.size + (1 << 20) - 1) / (1 << 20));
        entry["CacheNodeCreateTime"] = node.node_created_at;
        if (node.snapshot_created_at)
            entry["SnapshotCreateTime"] = *node.snapshot_created_at;
        nodes.push_back(std::move(entry));
    }
    wire["NodeSnapshots"] = std::move(nodes);
    wire["ARN"] = core::arn(ctx.scope.region, ctx.scope.account, "snapshot", snapshot.name);
    return wire;
}

// What a snapshot records of its source, both kinds alike.
json::object common_source(Context const& ctx, store::Transaction& tx, std::string const& engine,
                           std::string const& version, std::string const& node_type, std::string const& parameter_group,
                           std::string const& subnet_group, int port, std::int64_t created_at,
                           json::object const& settings)
{
    json::object source{{"CacheNodeType", node_type},
                        {"Engine", engine},
                        {"EngineVersion", actual_version(engine, version)},
                        {"CacheClusterCreateTime", created_at},
                        {"PreferredMaintenanceWindow", setting_or(settings, "PreferredMaintenanceWindow", "")},
                        {"Port", port},
                        {"CacheParameterGroupName", parameter_group},
                        {"AutoMinorVersionUpgrade", setting_or(settings, "AutoMinorVersionUpgrade", true)},
                        {"SnapshotRetentionLimit", setting_or(settings, "SnapshotRetentionLimit", 0)},
                        {"SnapshotWindow", setting_or(settings, "SnapshotWindow", "")},
                        {"DataTiering", "disabled"}};
    if (!subnet_group.empty()) {
        source["CacheSubnetGroupName"] = subnet_group;
        source["VpcId"] = subnet_group_vpc_id(tx, ctx.scope, subnet_group);
    }
    return source;
}

}  // namespace

std::string snapshot_name(json::object const& in, std::string_view member)
{
    return identifier(in, member, max_name_length);
}

store::Snapshot plan_cluster_snapshot(Context const& ctx, store::Transaction& tx, std::string const& name,
                                      store::CacheCluster const& cluster)
{
    auto snapshot = new_snapshot(ctx, tx, name, cluster.node_type);
    snapshot.cache_cluster_id = cluster.id;
    snapshot.source = common_source(ctx, tx, cluster.engine, cluster.engine_version, cluster.node_type,
                                    cluster.parameter_group, cluster.subnet_group, cluster.port, cluster.created_at,
                                    cluster.settings);
    snapshot.source["NumCacheNodes"] = 1;
    snapshot.source["PreferredAvailabilityZone"] = cluster.availability_zone;
    snapshot.nodes.push_back(node_snapshot_of("0001", "", {&cluster}));
    return snapshot;
}

store::Snapshot plan_group_snapshot(Context const& ctx, store::Transaction& tx, std::string const& name,
                                    store::ReplicationGroup const& group,
                                    std::vector<store::CacheCluster> const& members)
{
    auto snapshot = new_snapshot(ctx, tx, name, group.node_type);
    snapshot.replication_group_id = group.id;
    snapshot.cluster_enabled = group.cluster_enabled;
    snapshot.source = common_source(ctx, tx, group.engine, group.engine_version, group.node_type,
                                    group.parameter_group, group.subnet_group, group.port, group.created_at,
                                    group.settings);
    snapshot.source["ReplicationGroupDescription"] = group.description;
    snapshot.source["NumNodeGroups"] = std::int64_t(group.node_groups.size());
    snapshot.source["AutomaticFailover"] = group.automatic_failover;
    for (auto const& node_group : group.node_groups) {
        std::vector<store::CacheCluster const*> in_group;
        for (auto const& member : members)
            if (member.node_group_id == node_group.id)
                in_group.push_back(&member);
        snapshot.nodes.push_back(node_snapshot_of(node_group.id, node_group.slots, in_group));
    }
    return snapshot;
}

std::optional<store::Snapshot> snapshot_to_restore(Context const& ctx, store::Transaction& tx, json::object const& in)
{
    auto const name = optional_string(in, "SnapshotName");
    if (!name)
        return std::nullopt;
    if (in.contains("SnapshotArns"))
        throw invalid_parameter_combination("SnapshotName and SnapshotArns cannot be used together.");
    auto snapshot = snapshot_or_throw(tx, ctx.scope, core::to_lower(*name));
    require_available(snapshot);
    // A restore never starts from a damaged file: a group half restored is worse than none.
    for (auto const& node : snapshot.nodes) {
        core::FileDigest digest;
        try {
            digest = core::digest_file(node.file);
        } catch (std::exception const&) {
            throw invalid_parameter_value(fmt::format("Snapshot {} cannot be restored: the backup file of node "
                                                      "group {} is missing.",
                                                      snapshot.name, node.node_group_id));
        }
        if (!node.sha256 || digest.sha256 != *node.sha256 || digest.size != node.size.value_or(-1))
            throw invalid_parameter_value(fmt::format("Snapshot {} cannot be restored: the backup file of node group "
                                                      "{} is damaged (its checksum does not match the one recorded "
                                                      "when the snapshot was taken).",
                                                      snapshot.name, node.node_group_id));
    }
    return snapshot;
}

json::object with_snapshot_defaults(json::object in, store::Snapshot const& snapshot)
{
    for (auto const* member : {"CacheNodeType", "Engine"})
        if (!in.contains(member))
            if (auto const* value = snapshot.source.if_contains(member))
                in[member] = *value;
    return in;
}

Presence snapshot_presence(store::Transaction& tx, core::Scope const& scope, std::string_view name)
{
    return store::find_snapshot(tx, scope, name) ? Presence::present : Presence::absent;
}

store::Snapshot begin_snapshot(Context& ctx, store::Transaction& tx, SnapshotSource const& source,
                               std::string const& name, std::string const& origin)
{
    store::Snapshot snapshot;
    std::string target;
    std::string event_type;
    std::string event_source;
    if (source.replication_group_id) {
        auto const id = core::to_lower(*source.replication_group_id);
        auto group = store::find_replication_group(tx, ctx.scope, id);
        if (!group)
            throw ApiError::from_model("ReplicationGroupNotFoundFault", "Replication group " + id + " not found.");
        target = "replicationgroup:" + id;
        if (group->status != "available" || store::running_workflow(tx, ctx.scope, target))
            throw ApiError::from_model("InvalidReplicationGroupStateFault",
                                       "Replication group " + id + " must be in the available state to create a "
                                       "snapshot (it is " + group->status + ").");
        snapshot = plan_group_snapshot(ctx, tx, name, *group, store::list_cache_clusters(tx, ctx.scope, id));
        group->status = "snapshotting";
        store::save_replication_group(tx, ctx.scope, *group);
        event_type = "replication-group";
        event_source = id;
    } else {
        auto const id = core::to_lower(source.cache_cluster_id.value_or(""));
        auto cluster = store::find_cache_cluster(tx, ctx.scope, id);
        if (!cluster)
            throw ApiError::from_model("CacheClusterNotFoundFault", "CacheCluster not found: " + id);
        std::optional<store::ReplicationGroup> group;
        if (cluster->replication_group_id)
            group = store::find_replication_group(tx, ctx.scope, *cluster->replication_group_id);
        if (group && group->cluster_enabled)
            throw invalid_parameter_combination("Cache cluster " + id + " belongs to replication group " + group->id +
                                                ", which has cluster mode enabled: snapshot the replication group "
                                                "with ReplicationGroupId.");
        // A member's snapshot is taken by its group's workflow: one at a time per group.
        target = group ? "replicationgroup:" + group->id : "cluster:" + id;
        if (cluster->status != "available" || (group && group->status != "available") ||
            store::running_workflow(tx, ctx.scope, target))
            throw ApiError::from_model("InvalidCacheClusterStateFault",
                                       "Cache cluster " + id + " must be in the available state to create a "
                                       "snapshot (it is " + cluster->status + ").");
        snapshot = plan_cluster_snapshot(ctx, tx, name, *cluster);
        cluster->status = "snapshotting";
        store::save_cache_cluster(tx, ctx.scope, *cluster);
        if (group) {
            group->status = "snapshotting";
            store::save_replication_group(tx, ctx.scope, *group);
        }
        event_type = "cache-cluster";
        event_source = id;
    }
    snapshot.origin = origin;
    store::save_snapshot(tx, ctx.scope, snapshot);
    store::start_workflow(tx, ctx.scope, "create_snapshot", target, "save", {{"snapshot", name}}, ctx.clock.now_ms());
    store::record_event(tx, ctx.scope, event_type, event_source,
                        (origin == "automated" ? "Automatic snapshot " : "Snapshot ") + name + " is being created",
                        ctx.clock.now_ms());
    return snapshot;
}

store::Snapshot begin_snapshot_deletion(Context& ctx, store::Transaction& tx, store::Snapshot snapshot)
{
    require_available(snapshot);
    snapshot.status = "deleting";
    store::save_snapshot(tx, ctx.scope, snapshot);
    store::start_workflow(tx, ctx.scope, "delete_snapshot", "snapshot:" + snapshot.name, "remove", {},
                          ctx.clock.now_ms());
    return snapshot;
}

void delete_automatic_snapshots(Context& ctx, store::Transaction& tx, SnapshotSource const& source)
{
    for (auto& snapshot : store::list_snapshots(tx, ctx.scope)) {
        bool const of_source = source.replication_group_id
                                   ? snapshot.replication_group_id == source.replication_group_id
                                   : (!snapshot.replication_group_id && snapshot.cache_cluster_id == source.cache_cluster_id);
        // Its source is available (deleting needs it), so none is being taken; one
        // being exported stays, as a manual snapshot would.
        if (of_source && snapshot.origin == "automated" && snapshot.status == "available")
            begin_snapshot_deletion(ctx, tx, std::move(snapshot));
    }
}

json::object create_snapshot(Context& ctx, json::object const& in)
{
    auto const name = snapshot_name(in, "SnapshotName");
    refuse_kms_key(in);
    SnapshotSource const source{optional_string(in, "CacheClusterId"), optional_string(in, "ReplicationGroupId")};
    if (source.cache_cluster_id && source.replication_group_id)
        throw invalid_parameter_combination("Only one of CacheClusterId and ReplicationGroupId may be specified.");
    if (!source.cache_cluster_id && !source.replication_group_id)
        throw invalid_parameter_value("Either CacheClusterId or ReplicationGroupId must be specified.");
    auto const tags = tags_from(in);
    check_tag_count(tags.size());

    auto tx = ctx.db.write();
    auto const snapshot = begin_snapshot(ctx, tx, source, name, "manual");
    store::put_tags(tx, ctx.scope, {"snapshot", name}, tags);
    tx.commit();
    ctx.wake_workflows();
    return {{"Snapshot", snapshot_to_wire(ctx, snapshot, false)}};
}

json::object describe_snapshots(Context& ctx, json::object const& in)
{
    if (auto const* max = in.if_contains("MaxRecords"); max && (max->as_int64() < 20 || max->as_int64() > 50))
        throw invalid_parameter_value("Invalid value for max records. Must be between 20 and 50");
    auto page = page_request(in);
    if (!in.contains("MaxRecords"))
        page.max_records = default_max_records;
    auto const source = optional_string(in, "SnapshotSource");
    if (source && *source != "system" && *source != "manual")
        throw invalid_parameter_value("Invalid value for SnapshotSource: " + *source +
                                      ". Valid values are system and manual.");
    bool const show_config = in.contains("ShowNodeGroupConfig") && in.at("ShowNodeGroupConfig").as_bool();
    auto const name = optional_string(in, "SnapshotName");
    auto const cluster_id = optional_string(in, "CacheClusterId");
    auto const group_id = optional_string(in, "ReplicationGroupId");

    auto tx = ctx.db.read();
    std::vector<store::Snapshot> snapshots;
    if (name)
        snapshots.push_back(snapshot_or_throw(tx, ctx.scope, core::to_lower(*name)));
    else
        snapshots = store::list_snapshots(tx, ctx.scope);
    std::erase_if(snapshots, [&](store::Snapshot const& snapshot) {
        // "system" is AWS's word for automatic snapshots, which SnapshotSource shows as automated.
        return (cluster_id && snapshot.cache_cluster_id != core::to_lower(*cluster_id)) ||
               (group_id && snapshot.replication_group_id != core::to_lower(*group_id)) ||
               (source && snapshot.origin != (*source == "system" ? "automated" : "manual"));
    });
    if (cluster_id && snapshots.empty() && !store::find_cache_cluster(tx, ctx.scope, core::to_lower(*cluster_id)))
        throw ApiError::from_model("CacheClusterNotFoundFault", "CacheCluster not found: " + core::to_lower(*cluster_id));
    std::optional<std::string> marker;
    json::array list;
    for (auto const* snapshot : page_of(snapshots, page, [](store::Snapshot const& s) { return s.name; }, marker))
        list.push_back(snapshot_to_wire(ctx, *snapshot, show_config));
    json::object out;
    if (marker)
        out["Marker"] = *marker;
    out["Snapshots"] = std::move(list);
    return out;
}

json::object copy_snapshot(Context& ctx, json::object const& in)
{
    auto const source_name = core::to_lower(required_string(in, "SourceSnapshotName"));
    auto const target_name = snapshot_name(in, "TargetSnapshotName");
    refuse_kms_key(in);
    auto const bucket = optional_string(in, "TargetBucket");
    auto const tags = tags_from(in);
    check_tag_count(tags.size());
    auto const now = ctx.clock.now_ms();

    auto tx = ctx.db.write();
    auto source = snapshot_or_throw(tx, ctx.scope, source_name);
    require_available(source);
    if (bucket) {
        // An export: the RDB files go to the bucket (<data-dir>/s3/<bucket>/), as
        // <TargetSnapshotName>-<node group>.rdb; no snapshot is created.
        if (!tags.empty())
            throw invalid_parameter_combination("Tags apply to a snapshot copy; an export to TargetBucket creates none.");
        if (bucket->empty() || bucket->find('/') != std::string::npos || bucket->find("..") != std::string::npos ||
            !fs::is_directory(ctx.s3_dir / *bucket))
            throw invalid_parameter_value("The S3 bucket " + *bucket + " does not exist (keyfleet writes exports to " +
                                          (ctx.s3_dir / *bucket).string() + ").");
        for (auto const& node : source.nodes) {
            auto const key = target_name + "-" + node.node_group_id + ".rdb";
            if (fs::exists(ctx.s3_dir / *bucket / key))
                throw invalid_parameter_value("The S3 bucket " + *bucket + " already contains an object with key " +
                                              key + ".");
        }
        source.status = "exporting";
        store::save_snapshot(tx, ctx.scope, source);
        store::start_workflow(tx, ctx.scope, "export_snapshot", "snapshot:" + source_name, "export",
                              {{"bucket", *bucket}, {"name", target_name}}, now);
        tx.commit();
        ctx.wake_workflows();
        return {{"Snapshot", snapshot_to_wire(ctx, source, false)}};
    }
    check_new_name(tx, ctx.scope, target_name);
    auto copy = source;
    copy.name = target_name;
    copy.status = "creating";
    copy.origin = "manual";  // a copy of an automatic snapshot is a manual one
    copy.created_at = now;
    for (auto& node : copy.nodes)
        node.file.clear();  // written by the copy workflow, checked against the source's checksum
    store::save_snapshot(tx, ctx.scope, copy);
    store::put_tags(tx, ctx.scope, {"snapshot", target_name}, tags);
    store::start_workflow(tx, ctx.scope, "copy_snapshot", "snapshot:" + target_name, "copy",
                          {{"source", source_name}}, now);
    tx.commit();
    ctx.wake_workflows();
    return {{"Snapshot", snapshot_to_wire(ctx, copy, false)}};
}

json::object delete_snapshot(Context& ctx, json::object const& in)
{
    auto const name = core::to_lower(required_string(in, "SnapshotName"));
    auto tx = ctx.db.write();
    auto const snapshot = begin_snapshot_deletion(ctx, tx, snapshot_or_throw(tx, ctx.scope, name));
    tx.commit();
    ctx.wake_workflows();
    return {{"Snapshot", snapshot_to_wire(ctx, snapshot, false)}};
}

}  // namespace keyfleet::handlers
