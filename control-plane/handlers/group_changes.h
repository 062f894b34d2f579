// What the operations that change a running replication group share: the group
// with its members, AWS's quotas, new members' records, starting the workflow.
#pragma once

#include "handlers/context.h"
#include "store/clusters.h"

#include <string>
#include <string_view>
#include <vector>

namespace keyfleet::handlers {

inline constexpr int max_node_groups = 90;
inline constexpr int max_replicas = 5;
inline constexpr int max_nodes = 90;

struct Group {
    store::ReplicationGroup group;
    std::vector<store::CacheCluster> members;

    // The members of a node group (cluster mode disabled: every member, "0001").
    std::vector<store::CacheCluster const*> node_group(std::string const& id) const;
};

// The group, which must exist and be available (nothing else being changed):
// ReplicationGroupNotFoundFault, InvalidReplicationGroupStateFault.
Group available_group(store::Transaction& tx, Context const& ctx, std::string const& id);

// How many replicas a node group has.
int replica_count(Group const& group, std::string const& node_group);

// A new member of the group's node group, copying an existing member's
// settings, to be started as `role` (primary | replica) by the workflow.
store::CacheCluster new_member(Context const& ctx, Group const& group, store::CacheCluster const& like,
                               std::string const& node_group, std::string const& id, std::string const& zone,
                               std::string_view role);

// The availability zone of the index-th member: the subnet group's zones in turn.
std::string zone_for(store::Transaction& tx, Context const& ctx, Group const& group, std::size_t index);

// The group as the operation answers it.
json::object group_answer(Context const& ctx, store::Transaction& tx, std::string const& id);

void start_group_workflow(Context& ctx, store::Transaction& tx, std::string_view kind, std::string const& id,
                          std::string_view step, json::object const& data);

}  // namespace keyfleet::handlers
