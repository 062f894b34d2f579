// Online resharding (ModifyReplicationGroupShardConfiguration): the steps after
// any new node groups have joined the cluster. Slots move in short batches, each
// a step of its own, so no other group's work waits behind a reshard.
#pragma once

#include "workflows/engine.h"
#include "workflows/fleet.h"

#include <string>

namespace keyfleet::workflows {

// Moves slots toward data.layout (node group -> Slots), a time slice per step,
// every source/target pair at once; then `removed` node groups are forgotten
// ("forget") or the reshard ends ("finish").
StepResult migrate_slots(Run& run);

// A scale-in goes on only when every primary's data fits the memory of the
// node groups that remain.
StepResult check_memory(Fleet& fleet, Run& run);

// Every node of the node groups in data.removed (by now without slots) is
// forgotten by the others, stopped and deleted.
StepResult forget_removed(Fleet& fleet, Run& run);

// New members available, the group available, the progress gone.
StepResult finish_reshard(Fleet& fleet, Run& run);

// A reshard that cannot go on: new node groups that never took a slot are
// removed again; every slot stays with the one node group that owns it.
void reshard_failed(Fleet& fleet, Run& run, std::string const& reason);

}  // namespace keyfleet::workflows
