// Workflows that heal and move primaries: failover (after a primary failed,
// for TestFailover, or to a chosen PrimaryClusterId) and replace_node (a
// failed node restarted in place from its data).
#pragma once

#include "workflows/engine.h"
#include "workflows/fleet.h"

namespace keyfleet::workflows {

void add_failover_kinds(Engine& engine, Fleet& fleet);

}  // namespace keyfleet::workflows
