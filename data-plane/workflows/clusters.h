// Workflows of cache clusters and replication groups: create (start nodes, link
// replicas or form a Redis Cluster, open endpoints), reboot, modify, apply a
// parameter group, delete.
#pragma once

#include "workflows/engine.h"
#include "workflows/fleet.h"

namespace keyfleet::workflows {

void add_cluster_kinds(Engine& engine, Fleet& fleet);

}  // namespace keyfleet::workflows
