// Changes to a running replication group: TestFailover, IncreaseReplicaCount,
// DecreaseReplicaCount and ModifyReplicationGroup. Each records the desired
// state and starts the workflow that carries it out on the nodes.
#include "catalog/catalog.h"
#include "codec/api_error.h"
#include "core/ids.h"
#include "core/strings.h"
#include "handlers/cluster_options.h"
#include "handlers/cluster_wire.h"
#include "handlers/group_changes.h"
#include "handlers/lookups.h"
#include "handlers/operations.h"
#include "handlers/validate.h"
#include "store/clusters.h"
#include "store/events.h"
#include "store/workflows.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

namespace keyfleet::handlers {

namespace {

using codec::ApiError;
using codec::invalid_parameter_combination;
using codec::invalid_parameter_value;

// The member number a new replica takes: one past the highest in its node group.
int next_member_number(Group const& group, std::string const& node_group)
{
    int highest = 0;
    for (auto const* member : group.node_group(node_group)) {
        auto const dash = member->id.rfind('-');
        int number = 0;
        std::from_chars(member->id.data() + dash + 1, member->id.data() + member->id.size(), number);
        highest = std::max(highest, number);
    }
    return highest + 1;
}

}  // namespace

std::vector<store::CacheCluster const*> Group::node_group(std::string const& id) const
{
    std::vector<store::CacheCluster const*> found;
    for (auto const& member : members)
        if (member.node_group_id.value_or("0001") == id)
            found.push_back(&member);
    return found;
}

Group available_group(store::Transaction& tx, Context const& ctx, std::string const& id)
{
    auto group = store::find_replication_group(tx, ctx.scope, id);
    if (!group)
        throw ApiError::from_model("ReplicationGroupNotFoundFault", "Replication group " + id + " not found.");
    if (group->status != "available" || store::running_workflow(tx, ctx.scope, "replicationgroup:" + id))
        throw ApiError::from_model("InvalidReplicationGroupStateFault",
                                   "Replication group " + id + " is not in the available state (it is " +
                                       group->status + ").");
    return {std::move(*group), store::list_cache_clusters(tx, ctx.scope, id)};
}

int replica_count(Group const& group, std::string const& node_group)
{
    int count = 0;
    for (auto const* member : group.node_group(node_group))
        if (!member->nodes.empty() && member->nodes.front().role == "replica")
            ++count;
    return count;
}

store::CacheCluster new_member(Context const& ctx, Group const& group, store::CacheCluster const& like,
                               std::string const& node_group, std::string const& id, std::string const& zone,
                               std::string_view role)
{
    store::CacheCluster cluster;
    cluster.id = id;
    cluster.replication_group_id = group.group.id;
    cluster.node_group_id = node_group;
    cluster.status = "creating";
    cluster.engine = group.group.engine;
    cluster.engine_version = group.group.engine_version;
    cluster.node_type = group.group.node_type;
    cluster.availability_zone = zone;
    cluster.parameter_group = group.group.parameter_group;
    cluster.subnet_group = group.group.subnet_group;
    cluster.port = group.group.port;
    cluster.settings = like.settings;
    cluster.settings.erase("PendingModifiedValues");
    cluster.settings["initial_role"] = std::string(role);
    cluster.created_at = ctx.clock.now_ms();
    return cluster;
}

std::string zone_for(store::Transaction& tx, Context const& ctx, Group const& group, std::size_t index)
{
    auto zones = subnet_group_zones(tx, ctx.scope, group.group.subnet_group);
    if (!zones || zones->empty())
        zones = std::vector<std::string>{ctx.scope.region + "a"};
    return (*zones)[index % zones->size()];
}

json::object group_answer(Context const& ctx, store::Transaction& tx, std::string const& id)
{
    auto const group = store::find_replication_group(tx, ctx.scope, id);
    return {{"ReplicationGroup", replication_group_to_wire(ctx, *group, store::list_cache_clusters(tx, ctx.scope, id))}};
}

void start_group_workflow(Context& ctx, store::Transaction& tx, std::string_view kind, std::string const& id,
                          std::string_view step, json::object const& data)
{
    store::start_workflow(tx, ctx.scope, kind, "replicationgroup:" + id, step, data, ctx.clock.now_ms());
}

namespace {

// Per node group: the replica count asked for (NewReplicaCount for all, or
// ReplicaConfiguration per node group).
std::map<std::string, int> wanted_replicas(json::object const& in, Group const& group)
{
    std::map<std::string, int> wanted;
    if (auto const* configurations = in.if_contains("ReplicaConfiguration")) {
        for (auto const& item : configurations->as_array()) {
            auto const& configuration = item.as_object();
            auto const node_group = required_string(configuration, "NodeGroupId");
            if (group.node_group(node_group).empty())
                throw ApiError::from_model("NodeGroupNotFoundFault", "Node group " + node_group +
                                                                         " not found in replication group " +
                                                                         group.group.id + ".");
            wanted[node_group] = int(configuration.at("NewReplicaCount").as_int64());
        }
    } else if (auto const* count = in.if_contains("NewReplicaCount")) {
        for (auto const& node_group : group.group.node_groups)
            wanted[node_group.id] = int(count->as_int64());
    } else {
        throw invalid_parameter_value("Either NewReplicaCount or ReplicaConfiguration must be provided.");
    }
    return wanted;
}

void require_apply_immediately(json::object const& in)
{
    if (!in.contains("ApplyImmediately") || !in.at("ApplyImmediately").as_bool())
        throw invalid_parameter_value("ApplyImmediately must be true: changing the replica count later is not supported.");
}

}  // namespace

json::object test_failover(Context& ctx, json::object const& in)
{
    auto const id = core::to_lower(required_string(in, "ReplicationGroupId"));
    auto const node_group = required_string(in, "NodeGroupId");
    auto tx = ctx.db.write();
    auto const group = available_group(tx, ctx, id);
    if (group.node_group(node_group).empty())
        throw ApiError::from_model("NodeGroupNotFoundFault",
                                   "Node group " + node_group + " not found in replication group " + id + ".");
    if (group.group.automatic_failover != "enabled")
        throw ApiError::from_model("TestFailoverNotAvailableFault",
                                   "TestFailover needs automatic failover enabled on replication group " + id + ".");
    if (replica_count(group, node_group) < 1)
        throw ApiError::from_model("TestFailoverNotAvailableFault",
                                   "Node group " + node_group + " has no replica to fail over to.");
    store::record_event(tx, ctx.scope, "replication-group", id, "Test Failover API called for node group " + node_group,
                        ctx.clock.now_ms());
    start_group_workflow(ctx, tx, "failover", id, "promote", {{"node_group", node_group}, {"planned", true}});
    auto out = group_answer(ctx, tx, id);
    tx.commit();
    ctx.wake_workflows();
    return out;
}

json::object increase_replica_count(Context& ctx, json::object const& in)
{
    auto const id = core::to_lower(required_string(in, "ReplicationGroupId"));
    require_apply_immediately(in);
    auto tx = ctx.db.write();
    auto group = available_group(tx, ctx, id);
    auto const wanted = wanted_replicas(in, group);
    std::size_t zone_index = group.members.size();
    int added = 0;
    for (auto const& [node_group, count] : wanted) {
        auto const current = replica_count(group, node_group);
        if (count <= current)
            throw invalid_parameter_value(fmt::format("NewReplicaCount {} for node group {} must be more than its "
                                                      "current {} replicas.",
                                                      count, node_group, current));
        if (count > max_replicas)
            throw invalid_parameter_value(fmt::format("A node group has at most {} replicas.", max_replicas));
        for (int i = current; i < count; ++i) {
            auto const number = next_member_number(group, node_group);
            auto const cluster_id = group.group.cluster_enabled ? fmt::format("{}-{}-{:03}", id, node_group, number)
                                                                 : fmt::format("{}-{:03}", id, number);
            auto cluster = new_member(ctx, group, *group.node_group(node_group).front(), node_group, cluster_id,
                                      zone_for(tx, ctx, group, zone_index++), "replica");
            store::save_cache_cluster(tx, ctx.scope, cluster);
            group.members.push_back(cluster);
            ++added;
        }
    }
    group.group.status = "modifying";
    store::save_replication_group(tx, ctx.scope, group.group);
    store::record_event(tx, ctx.scope, "replication-group", id,
                        fmt::format("Increasing the number of replicas of {} by {}", id, added), ctx.clock.now_ms());
    start_group_workflow(ctx, tx, "add_replicas", id, "allocate", {});
    auto out = group_answer(ctx, tx, id);
    tx.commit();
    ctx.wake_workflows();
    return out;
}

json::object decrease_replica_count(Context& ctx, json::object const& in)
{
    auto const id = core::to_lower(required_string(in, "ReplicationGroupId"));
    require_apply_immediately(in);
    auto tx = ctx.db.write();
    auto group = available_group(tx, ctx, id);
    std::vector<std::string> removed;
    if (auto const named = string_list(in, "ReplicasToRemove"); !named.empty()) {
        for (auto const& name : named) {
            auto const cluster_id = core::to_lower(name);
            auto const member = std::ranges::find(group.members, cluster_id, &store::CacheCluster::id);
            if (member == group.members.end() || member->nodes.empty() || member->nodes.front().role != "replica")
                throw invalid_parameter_value("Cache cluster " + cluster_id + " is not a replica of replication group " +
                                              id + ".");
            removed.push_back(cluster_id);
        }
    } else {
        for (auto const& [node_group, count] : wanted_replicas(in, group)) {
            auto const current = replica_count(group, node_group);
            if (count >= current || count < 0)
                throw invalid_parameter_value(fmt::format("NewReplicaCount {} for node group {} must be less than its "
                                                          "current {} replicas.",
                                                          count, node_group, current));
            // The newest replicas go first.
            auto members = group.node_group(node_group);
            std::ranges::sort(members, std::greater<>{}, [](auto const* m) { return m->id; });
            int to_remove = current - count;
            for (auto const* member : members)
                if (to_remove > 0 && member->nodes.front().role == "replica") {
                    removed.push_back(member->id);
                    --to_remove;
                }
        }
    }
    for (auto const& node_group : group.group.node_groups) {
        int remaining = replica_count(group, node_group.id);
        for (auto const* member : group.node_group(node_group.id))
            if (std::ranges::find(removed, member->id) != removed.end())
                --remaining;
        if (remaining < 1 && group.group.automatic_failover == "enabled")
            throw invalid_parameter_combination("Automatic failover needs at least one replica in every node group; "
                                                "disable automatic failover first.");
    }
    group.group.status = "modifying";
    store::save_replication_group(tx, ctx.scope, group.group);
    store::record_event(tx, ctx.scope, "replication-group", id,
                        fmt::format("Decreasing the number of replicas of {} by {}", id, removed.size()),
                        ctx.clock.now_ms());
    start_group_workflow(ctx, tx, "remove_replicas", id, "remove", {{"clusters", json::value_from(removed)}});
    auto out = group_answer(ctx, tx, id);
    tx.commit();
    ctx.wake_workflows();
    return out;
}

namespace {

// AuthToken with AuthTokenUpdateStrategy, on its own: ROTATE adds the token
// (the current one stays valid beside it), SET makes it the only one, DELETE
// removes AUTH. The nodes take it at once (workflow update_auth_token).
json::object modify_auth_token(Context& ctx, json::object const& in, std::string const& id)
{
    auto const token = optional_string(in, "AuthToken");
    auto const strategy = optional_string(in, "AuthTokenUpdateStrategy");
    if (!strategy)
        throw invalid_parameter_combination("AuthTokenUpdateStrategy must be given with AuthToken.");
    if (*strategy == "DELETE" ? token.has_value() : !token.has_value())
        throw invalid_parameter_combination(*strategy == "DELETE"
                                                ? "AuthToken cannot be given with AuthTokenUpdateStrategy DELETE."
                                                : "AuthToken must be given with AuthTokenUpdateStrategy " + *strategy + ".");
    for (auto const& [member, value] : in)
        if (member != "ReplicationGroupId" && member != "ApplyImmediately" && member != "AuthToken" &&
            member != "AuthTokenUpdateStrategy")
            throw invalid_parameter_combination("AuthToken changes are made on their own, not with " +
                                                std::string(member) + ".");
    if (token)
        check_auth_token(*token);

    auto tx = ctx.db.write();
    auto group = available_group(tx, ctx, id);
    auto& settings = group.group.settings;
    auto const* transit = settings.if_contains("TransitEncryptionEnabled");
    if (!transit || !transit->as_bool())
        throw invalid_parameter_value("The AUTH token can only be set when TransitEncryptionEnabled is true.");
    auto const* current = settings.if_contains("AuthToken");
    if (*strategy == "DELETE" && !current)
        throw invalid_parameter_combination("Replication group " + id + " has no AUTH token to delete.");

    // Every member carries the tokens its nodes are configured with.
    auto const update = [&](json::object& target) {
        auto const* now = target.if_contains("AuthToken");
        std::optional<json::value> previous = now ? std::optional<json::value>(*now) : std::nullopt;
        target.erase("PreviousAuthToken");
        if (*strategy == "DELETE") {
            target.erase("AuthToken");
            target.erase("AuthTokenLastModifiedDate");
            return;
        }
        if (*strategy == "ROTATE" && previous && previous->as_string() != *token)
            target["PreviousAuthToken"] = *previous;
        target["AuthToken"] = *token;
        target["AuthTokenLastModifiedDate"] = ctx.clock.now_ms();
    };
    update(settings);
    settings["PendingModifiedValues"] = json::object{{"AuthTokenStatus", *strategy == "ROTATE" ? "ROTATING" : "SETTING"}};
    group.group.status = "modifying";
    store::save_replication_group(tx, ctx.scope, group.group);
    for (auto& member : group.members) {
        update(member.settings);
        store::save_cache_cluster(tx, ctx.scope, member);
    }
    start_group_workflow(ctx, tx, "update_auth_token", id, "apply", {});
    auto out = group_answer(ctx, tx, id);
    tx.commit();
    ctx.wake_workflows();
    return out;
}

}  // namespace

json::object modify_replication_group(Context& ctx, json::object const& in)
{
    auto const id = core::to_lower(required_string(in, "ReplicationGroupId"));
    if (in.contains("AuthToken") || in.contains("AuthTokenUpdateStrategy"))
        return modify_auth_token(ctx, in, id);
    for (auto const* member : {"UserGroupIdsToAdd", "UserGroupIdsToRemove", "RemoveUserGroups", "NotificationTopicArn",
                               "TransitEncryptionMode"})
        if (in.contains(member))
            throw ApiError::from_model("NotImplemented", fmt::format("keyfleet does not carry out ModifyReplicationGroup "
                                                                     "{} yet. See docs/API_COVERAGE.md.",
                                                                     member));
    if (in.contains("TransitEncryptionEnabled"))
        throw ApiError::from_model("NotImplemented",
                                   "keyfleet does not carry out ModifyReplicationGroup TransitEncryptionEnabled yet "
                                   "(turning TLS on or off node by node on a running group); create the group with it. "
                                   "See docs/API_COVERAGE.md.");
    if (auto const* logs = in.if_contains("LogDeliveryConfigurations"); logs && !logs->as_array().empty())
        refuse_unbuilt(in);
    if (auto const discovery = optional_string(in, "IpDiscovery"); discovery && *discovery != "ipv4")
        refuse_unbuilt(in);
    bool const immediately = in.contains("ApplyImmediately") && in.at("ApplyImmediately").as_bool();

    auto tx = ctx.db.write();
    auto group = available_group(tx, ctx, id);
    auto& record = group.group;
    bool changed = false;
    bool pending_changed = false;
    json::object work;
    json::object pending = record.settings.contains("PendingModifiedValues")
                               ? record.settings.at("PendingModifiedValues").as_object()
                               : json::object{};

    if (auto const mode = optional_string(in, "ClusterMode");
        mode && *mode != (record.cluster_enabled ? "enabled" : "disabled"))
        throw ApiError::from_model("NotImplemented", "keyfleet does not carry out a ClusterMode change yet: it awaits "
                                                     "online resharding. See docs/API_COVERAGE.md.");
    if (auto const description = optional_string(in, "ReplicationGroupDescription");
        description && *description != record.description) {
        record.description = *description;
        changed = true;
    }
    auto automatic = record.automatic_failover == "enabled";
    auto multi_az = record.multi_az == "enabled";
    if (auto const* value = in.if_contains("AutomaticFailoverEnabled")) {
        automatic = value->as_bool();
        changed = changed || (automatic ? "enabled" : "disabled") != record.automatic_failover;
    }
    if (auto const* value = in.if_contains("MultiAZEnabled")) {
        multi_az = value->as_bool();
        changed = changed || (multi_az ? "enabled" : "disabled") != record.multi_az;
    }
    if (!automatic && record.cluster_enabled)
        throw invalid_parameter_combination("Automatic failover cannot be disabled with cluster mode enabled.");
    if (multi_az && !automatic)
        throw invalid_parameter_combination("Multi-AZ needs automatic failover enabled.");
    if (automatic)
        for (auto const& node_group : record.node_groups)
            if (replica_count(group, node_group.id) < 1)
                throw invalid_parameter_combination("Automatic failover needs at least one replica in every node group.");
    record.automatic_failover = automatic ? "enabled" : "disabled";
    record.multi_az = multi_az ? "enabled" : "disabled";

    std::optional<std::string> new_primary;
    if (auto const primary = optional_string(in, "PrimaryClusterId")) {
        if (record.cluster_enabled)
            throw invalid_parameter_combination("PrimaryClusterId applies to cluster mode disabled only.");
        auto const member = std::ranges::find(group.members, core::to_lower(*primary), &store::CacheCluster::id);
        if (member == group.members.end())
            throw invalid_parameter_value("Cache cluster " + *primary + " is not a member of replication group " + id + ".");
        if (member->nodes.front().role != "primary")
            new_primary = member->id;
    }
    if (auto const snapshotting = optional_string(in, "SnapshottingClusterId")) {
        if (std::ranges::find(group.members, core::to_lower(*snapshotting), &store::CacheCluster::id) == group.members.end())
            throw invalid_parameter_value("Cache cluster " + *snapshotting + " is not a member of replication group " +
                                          id + ".");
        record.settings["SnapshottingClusterId"] = core::to_lower(*snapshotting);
        changed = true;
    }
    if (auto const window = optional_string(in, "PreferredMaintenanceWindow")) {
        record.settings["PreferredMaintenanceWindow"] = maintenance_window(*window);
        changed = true;
    }
    if (auto const window = optional_string(in, "SnapshotWindow")) {
        record.settings["SnapshotWindow"] = snapshot_window(*window);
        changed = true;
    }
    if (auto const* limit = in.if_contains("SnapshotRetentionLimit")) {
        if (limit->as_int64() < 0 || limit->as_int64() > 35)
            throw invalid_parameter_value("SnapshotRetentionLimit must be between 0 and 35.");
        record.settings["SnapshotRetentionLimit"] = limit->as_int64();
        changed = true;
    }
    if (in.contains("SecurityGroupIds")) {
        record.settings["SecurityGroupIds"] = json::value_from(string_list(in, "SecurityGroupIds"));
        changed = true;
    }
    if (in.contains("AutoMinorVersionUpgrade")) {
        record.settings["AutoMinorVersionUpgrade"] = in.at("AutoMinorVersionUpgrade").as_bool();
        changed = true;
    }
    if (auto const name = optional_string(in, "CacheParameterGroupName");
        name && core::to_lower(*name) != record.parameter_group) {
        auto const group_name = core::to_lower(*name);
        auto const facts = parameter_group_facts(tx, ctx.scope, group_name);
        if (!facts)
            throw ApiError::from_model("CacheParameterGroupNotFoundFault", "CacheParameterGroup not found: " + group_name);
        auto const* version = catalog::Catalog::get().engine_version(record.engine, record.engine_version);
        if (version && facts->family != version->family)
            throw invalid_parameter_combination("The parameter group " + group_name + " is of family " + facts->family +
                                                ", which does not match the group's family " + version->family + ".");
        if (facts->cluster_enabled != record.cluster_enabled)
            throw invalid_parameter_combination("The parameter group " + group_name +
                                                " does not match the replication group's cluster mode.");
        work["previous_parameter_group"] = record.parameter_group;
        record.parameter_group = group_name;
        for (auto& member : group.members) {
            member.parameter_group = group_name;
            member.settings["ParameterApplyStatus"] = "applying";
        }
    }
    if (auto const type = optional_string(in, "CacheNodeType"); type && *type != record.node_type) {
        auto const& catalog = catalog::Catalog::get();
        auto const* current = catalog.node_type(record.node_type);
        auto const allowed = current ? catalog::allowed_modifications(catalog, *current, "redis")
                                     : catalog::NodeTypeModifications{};
        if (std::ranges::find(allowed.scale_up, *type) == allowed.scale_up.end() &&
            std::ranges::find(allowed.scale_down, *type) == allowed.scale_down.end())
            throw invalid_parameter_combination("Cannot modify the node type of " + id + " from " + record.node_type +
                                                " to " + *type + ".");
        if (immediately)
            work["node_type"] = *type;
        else {
            pending["CacheNodeType"] = *type;
            pending_changed = true;
        }
    }
    if (auto const version = optional_string(in, "EngineVersion")) {
        auto const* entry = catalog::Catalog::get().engine_version(record.engine, *version);
        if (!entry)
            throw invalid_parameter_value("Cannot find version " + *version + " for " + record.engine);
        if (entry->version != record.engine_version) {
            if (immediately)
                work["engine_version"] = entry->version;
            else {
                pending["EngineVersion"] = entry->version;
                pending_changed = true;
            }
        }
    }
    if (new_primary && !work.empty())
        throw invalid_parameter_combination("Change PrimaryClusterId on its own, then the node type, engine version "
                                            "or parameter group.");
    if (!changed && work.empty() && !new_primary && !pending_changed)
        throw invalid_parameter_combination("No modifications were requested.");

    if (pending.empty())
        record.settings.erase("PendingModifiedValues");
    else
        record.settings["PendingModifiedValues"] = pending;
    // Settings the member clusters show too.
    for (auto& member : group.members) {
        for (auto const* key : {"PreferredMaintenanceWindow", "SnapshotWindow", "SnapshotRetentionLimit",
                                "SecurityGroupIds", "AutoMinorVersionUpgrade"})
            if (auto const* value = record.settings.if_contains(key))
                member.settings[key] = *value;
        store::save_cache_cluster(tx, ctx.scope, member);
    }
    if (!work.empty()) {
        record.status = "modifying";
        start_group_workflow(ctx, tx, "modify_replication_group", id, "apply", work);
    } else if (new_primary) {
        start_group_workflow(ctx, tx, "failover", id, "promote", {{"node_group", "0001"}, {"planned", true}, {"new_primary", *new_primary}});
    }
    store::save_replication_group(tx, ctx.scope, record);
    store::record_event(tx, ctx.scope, "replication-group", id, "Replication group " + id + " modified",
                        ctx.clock.now_ms());
    auto out = group_answer(ctx, tx, id);
    tx.commit();
    if (!work.empty() || new_primary)
        ctx.wake_workflows();
    return out;
}

json::object add_replica_cluster(Context& ctx, json::object const& in, std::string const& cluster_id)
{
    auto const group_id = core::to_lower(required_string(in, "ReplicationGroupId"));
    auto tx = ctx.db.write();
    if (store::find_cache_cluster(tx, ctx.scope, cluster_id))
        throw ApiError::from_model("CacheClusterAlreadyExistsFault", "Cache cluster " + cluster_id + " already exists.");
    auto group = available_group(tx, ctx, group_id);
    if (group.group.cluster_enabled)
        throw invalid_parameter_combination("Replicas of a cluster-mode-enabled group are added with "
                                            "IncreaseReplicaCount.");
    if (replica_count(group, "0001") >= max_replicas)
        throw ApiError::from_model("NodeQuotaForClusterExceededFault",
                                   fmt::format("Replication group {} already has {} replicas.", group_id, max_replicas));
    auto zone = optional_string(in, "PreferredAvailabilityZone");
    auto cluster = new_member(ctx, group, *group.node_group("0001").front(), "0001", cluster_id,
                              zone ? *zone : zone_for(tx, ctx, group, group.members.size()), "replica");
    store::save_cache_cluster(tx, ctx.scope, cluster);
    group.group.status = "modifying";
    store::save_replication_group(tx, ctx.scope, group.group);
    start_group_workflow(ctx, tx, "add_replicas", group_id, "allocate", {});
    tx.commit();
    ctx.wake_workflows();
    return {{"CacheCluster", cache_cluster_to_wire(ctx, cluster, false)}};
}

json::object remove_replica_cluster(Context& ctx, store::Transaction& tx, store::CacheCluster const& cluster)
{
    auto const group_id = *cluster.replication_group_id;
    auto group = available_group(tx, ctx, group_id);
    if (group.group.cluster_enabled)
        throw invalid_parameter_combination("Replicas of a cluster-mode-enabled group are removed with "
                                            "DecreaseReplicaCount.");
    if (cluster.nodes.empty() || cluster.nodes.front().role != "replica")
        throw ApiError::from_model("InvalidCacheClusterStateFault",
                                   "Cache cluster " + cluster.id + " is the primary of replication group " + group_id +
                                       "; it cannot be deleted.");
    if (group.group.automatic_failover == "enabled" && replica_count(group, "0001") <= 1)
        throw invalid_parameter_combination("Automatic failover needs at least one replica; disable it first.");
    group.group.status = "modifying";
    store::save_replication_group(tx, ctx.scope, group.group);
    auto deleting = cluster;
    deleting.status = "deleting";
    store::save_cache_cluster(tx, ctx.scope, deleting);
    start_group_workflow(ctx, tx, "remove_replicas", group_id, "remove", {{"clusters", json::array{cluster.id}}});
    return {{"CacheCluster", cache_cluster_to_wire(ctx, deleting, false)}};
}

}  // namespace keyfleet::handlers
