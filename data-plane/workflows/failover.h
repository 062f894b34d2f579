// Workflows that heal and move primaries: failover (after a primary failed,
// for TestFailover, or to a chosen PrimaryClusterId) and replace_node (a
// failed node restarted in place from its data).
#pragma once

#include "workflows/engine.h"
#include "workflows/fleet.h"

namespace keyfleet::workflows {

void add_failover_kinds(Engine& engine, Fleet& fleet);

// The failover's steps inside another workflow that holds the group (a reshard
// whose primary fails while slots move): "failover" replaces the primary of
// data.node_group, data.failed_cluster, by its best replica, and once the failed
// node is back as a replica the workflow goes on at `then`.
void add_failover_steps(KindDefinition& kind, Fleet& fleet, std::string const& then);

}  // namespace keyfleet::workflows
