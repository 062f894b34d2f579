// Workflows of replication groups: create (start nodes, link replicas or form a
// Redis Cluster, open endpoints), delete, add and remove replicas, modify,
// reshard.
#pragma once

#include "workflows/engine.h"
#include "workflows/fleet.h"

namespace keyfleet::workflows {

void add_replication_group_kinds(Engine& engine, Fleet& fleet);

}  // namespace keyfleet::workflows
