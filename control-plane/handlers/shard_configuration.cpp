// ModifyReplicationGroupShardConfiguration: node groups added, removed or
// rebalanced online. The handler checks AWS's rules, records the new node
// groups and their members, plans where every slot goes (AWS's even split,
// moving only the slots that must move) and starts the reshard workflow.
#include "codec/api_error.h"
#include "core/slots.h"
#include "core/strings.h"
#include "handlers/group_changes.h"
#include "handlers/operations.h"
#include "handlers/validate.h"
#include "store/events.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace keyfleet::handlers {

namespace {

using codec::ApiError;
using codec::invalid_parameter_combination;
using codec::invalid_parameter_value;

std::vector<std::string> node_group_ids(Group const& group)
{
    std::vector<std::string> ids;
    for (auto const& node_group : group.group.node_groups)
        ids.push_back(node_group.id);
    return ids;
}

// Node group ids named in a list member, each one of the group's.
std::vector<std::string> named_node_groups(json::object const& in, std::string_view member, Group const& group)
{
    auto const known = node_group_ids(group);
    std::vector<std::string> named;
    for (auto const& id : string_list(in, member)) {
        if (std::ranges::find(known, id) == known.end())
            throw invalid_parameter_value("Node group " + id + " not found in replication group " + group.group.id +
                                          ".");
        if (std::ranges::find(named, id) == named.end())
            named.push_back(id);
    }
    return named;
}

// The id the next new node group takes: one past the highest number in use.
std::string next_node_group_id(std::vector<std::string> const& taken)
{
    int highest = 0;
    for (auto const& id : taken) {
        int number = 0;
        std::from_chars(id.data(), id.data() + id.size(), number);
        highest = std::max(highest, number);
    }
    return fmt::format("{:04}", highest + 1);
}

struct NewNodeGroup {
    std::string id;
    std::vector<std::string> zones;  // primary first; may be empty
};

// The node groups a scale-out adds: ReshardingConfiguration names their ids and
// zones, one entry per new node group (or one per node group of the result,
// the new ones last).
std::vector<NewNodeGroup> new_node_groups(json::object const& in, Group const& group, int added, int count)
{
    json::array configurations;
    if (auto const* list = in.if_contains("ReshardingConfiguration"))
        configurations = list->as_array();
    if (!configurations.empty() && int(configurations.size()) != added && int(configurations.size()) != count)
        throw invalid_parameter_value(fmt::format("ReshardingConfiguration must have an entry for each of the {} new "
                                                  "node groups (or each of the {} node groups).",
                                                  added, count));
    auto const skip = configurations.empty() ? 0 : configurations.size() - std::size_t(added);
    auto taken = node_group_ids(group);
    std::vector<NewNodeGroup> groups;
    for (int i = 0; i < added; ++i) {
        NewNodeGroup node_group;
        if (!configurations.empty()) {
            auto const& configuration = configurations[skip + std::size_t(i)].as_object();
            if (auto const id = optional_string(configuration, "NodeGroupId")) {
                int number = 0;
                auto const [end, error] = std::from_chars(id->data(), id->data() + id->size(), number);
                // The model's pattern (\d+) is matched anywhere in the text: digits only here.
                if (error != std::errc() || end != id->data() + id->size() || number < 1)
                    throw invalid_parameter_value("NodeGroupId " + *id + " is not a node group id (1 to 4 digits).");
                if (std::ranges::find(taken, fmt::format("{:04}", number)) != taken.end())
                    throw invalid_parameter_value("Node group " + *id + " already exists in replication group " +
                                                  group.group.id + ".");
                node_group.id = fmt::format("{:04}", number);
            }
            node_group.zones = string_list(configuration, "PreferredAvailabilityZones");
        }
        if (node_group.id.empty())
            node_group.id = next_node_group_id(taken);
        taken.push_back(node_group.id);
        groups.push_back(std::move(node_group));
    }
    return groups;
}

}  // namespace

json::object modify_replication_group_shard_configuration(Context& ctx, json::object const& in)
{
    auto const id = core::to_lower(required_string(in, "ReplicationGroupId"));
    auto const count = int(in.at("NodeGroupCount").as_int64());
    if (!in.at("ApplyImmediately").as_bool())
        throw invalid_parameter_value("ApplyImmediately must be true: a shard configuration change cannot wait for "
                                      "the maintenance window.");
    bool const removing = in.contains("NodeGroupsToRemove");
    bool const retaining = in.contains("NodeGroupsToRetain");
    if (removing && retaining)
        throw invalid_parameter_combination("Specify NodeGroupsToRemove or NodeGroupsToRetain, not both.");
    if (count < 1)
        throw invalid_parameter_value("NodeGroupCount must be at least 1.");
    if (count > max_node_groups)
        throw ApiError::from_model("NodeGroupsPerReplicationGroupQuotaExceededFault",
                                   fmt::format("The request exceeds the limit of {} node groups (shards) per "
                                               "replication group.",
                                               max_node_groups));

    auto tx = ctx.db.write();
    auto group = available_group(tx, ctx, id);
    auto& record = group.group;
    if (!record.cluster_enabled)
        throw invalid_parameter_value("Replication group " + id + " has cluster mode disabled: its shard "
                                      "configuration cannot be modified.");
    auto const current = int(record.node_groups.size());
    auto const existing = node_group_ids(group);
    if (count <= current && in.contains("ReshardingConfiguration"))
        throw invalid_parameter_combination("ReshardingConfiguration applies only when NodeGroupCount adds node "
                                            "groups.");
    if (count >= current && (removing || retaining))
        throw invalid_parameter_combination("NodeGroupsToRemove and NodeGroupsToRetain apply only when NodeGroupCount "
                                            "is less than the current number of node groups.");

    // The node groups of the result, in id order.
    std::vector<std::string> wanted;
    std::vector<std::string> removed;
    std::vector<NewNodeGroup> added;
    if (count < current) {
        if (!removing && !retaining)
            throw invalid_parameter_value("NodeGroupsToRemove or NodeGroupsToRetain is required when NodeGroupCount "
                                          "is less than the current number of node groups.");
        if (removing) {
            removed = named_node_groups(in, "NodeGroupsToRemove", group);
            for (auto const& node_group : existing)
                if (std::ranges::find(removed, node_group) == removed.end())
                    wanted.push_back(node_group);
        } else {
            wanted = named_node_groups(in, "NodeGroupsToRetain", group);
            for (auto const& node_group : existing)
                if (std::ranges::find(wanted, node_group) == wanted.end())
                    removed.push_back(node_group);
        }
        if (int(wanted.size()) != count)
            throw invalid_parameter_value(fmt::format("NodeGroupCount {} does not match the {} node groups that would "
                                                      "remain.",
                                                      count, wanted.size()));
    } else {
        wanted = existing;
        added = new_node_groups(in, group, count - current, count);
        for (auto const& node_group : added)
            wanted.push_back(node_group.id);
    }
    std::ranges::sort(wanted);

    // New node groups have as many replicas as the first node group has.
    auto const replicas = replica_count(group, existing.front());
    auto total_nodes = int(group.members.size()) + int(added.size()) * (replicas + 1);
    for (auto const& node_group : removed)
        total_nodes -= int(group.node_group(node_group).size());
    if (total_nodes > max_nodes)
        throw ApiError::from_model("NodeQuotaForClusterExceededFault",
                                   fmt::format("The request exceeds the limit of {} nodes per replication group.",
                                               max_nodes));

    std::map<std::string, std::string> layout_now;
    for (auto const& node_group : record.node_groups)
        layout_now[node_group.id] = node_group.slots;
    for (auto const& node_group : added)
        layout_now[node_group.id] = "";
    auto const layout = core::even_layout(layout_now, wanted);
    int slots_to_move = 0;
    for (auto const& [node_group, slots] : layout) {
        auto const now = core::slots_of(layout_now[node_group]);
        for (auto const slot : core::slots_of(slots))
            slots_to_move += std::ranges::binary_search(now, slot) ? 0 : 1;
    }

    auto const& like = *group.node_group(existing.front()).front();
    std::size_t zone_index = group.members.size();
    for (auto const& node_group : added) {
        for (int member = 0; member <= replicas; ++member) {
            auto const zone = std::size_t(member) < node_group.zones.size() ? node_group.zones[std::size_t(member)]
                                                                             : zone_for(tx, ctx, group, zone_index);
            ++zone_index;
            auto cluster = new_member(ctx, group, like, node_group.id,
                                      fmt::format("{}-{}-{:03}", id, node_group.id, member + 1), zone,
                                      member == 0 ? "primary" : "replica");
            store::save_cache_cluster(tx, ctx.scope, cluster);
        }
        record.node_groups.push_back({node_group.id, "", "creating"});
    }
    for (auto& node_group : record.node_groups)
        if (node_group.status == "available")
            node_group.status = "modifying";
    record.status = "modifying";
    auto pending = record.settings.contains("PendingModifiedValues")
                       ? record.settings.at("PendingModifiedValues").as_object()
                       : json::object{};
    pending["Resharding"] = {{"SlotMigration", {{"ProgressPercentage", 0.0}}}};
    record.settings["PendingModifiedValues"] = pending;
    store::save_replication_group(tx, ctx.scope, record);

    json::object target;
    for (auto const& [node_group, slots] : layout)
        target[node_group] = slots;
    auto const message =
        count == current
            ? fmt::format("Rebalancing the slots of replication group {} across its {} node groups", id, count)
            : fmt::format("Modifying the number of node groups of replication group {} from {} to {}", id, current,
                          count);
    store::record_event(tx, ctx.scope, "replication-group", id, message, ctx.clock.now_ms());
    start_group_workflow(ctx, tx, "reshard", id, !added.empty() ? "allocate" : !removed.empty() ? "check_memory" : "migrate",
                         {{"layout", target},
                          {"removed", json::value_from(removed)},
                          {"slots_to_move", slots_to_move}});
    auto out = group_answer(ctx, tx, id);
    tx.commit();
    ctx.wake_workflows();
    return out;
}

}  // namespace keyfleet::handlers
