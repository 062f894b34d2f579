// Workflows of cache clusters: create, reboot, modify (now or in the
// maintenance window), carry a parameter group's changes to nodes, delete.
#pragma once

#include "workflows/engine.h"
#include "workflows/fleet.h"

namespace keyfleet::workflows {

void add_cluster_kinds(Engine& engine, Fleet& fleet);

}  // namespace keyfleet::workflows
