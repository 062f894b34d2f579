// Restores whose data does not fit the new group shard for shard: a snapshot
// of another shard count or other slots, or RDB files from a bucket
// (SnapshotArns) into cluster mode. Each file is opened by a temporary
// redis-server of its own (the loader); its keys go to the primary of the node
// group that owns their slot, with MIGRATE COPY REPLACE, a slice of the keys per
// workflow step. A restart starts the file again: REPLACE makes that harmless.
#pragma once

#include "store/clusters.h"
#include "workflows/engine.h"
#include "workflows/fleet.h"

#include <boost/json/array.hpp>

#include <string>
#include <vector>

namespace keyfleet::workflows {

// The group setting naming the files to load: [{"file": path, "sha256": hex?}, ...].
inline constexpr char const* load_sources_setting = "load_sources";

// The step "load" of a group's creation: answers `next` once every file named by
// the group's load_sources is loaded (at once when there are none).
StepResult load_by_slot(Fleet& fleet, Run& run, std::string_view next);

// Stops the loader and frees its directory and address (when a workflow ends or fails).
void stop_loader(Fleet& fleet, Run& run);

// One file into several node groups with cluster mode goes faster without the
// loader when every primary can start on the whole file and keep only its own
// slots: the file is plain, at most 64 MB, and holds keys in database 0 only
// (as redis-check-rdb reads it, which takes a moment: no transaction open).
bool every_primary_can_start_on_the_file(store::ReplicationGroup const& group);

// Then each primary is seeded with it (seed_rdb, seed_keep_slots) and the
// group's load_sources go; answers what the file is, for the event.
std::string seed_every_primary(store::ReplicationGroup& group, std::vector<store::CacheCluster>& members);

// A primary started on a whole file: the keys and slots outside `slots` go
// (GETKEYSINSLOT + UNLINK, then DELSLOTSRANGE), before it meets the others.
void keep_own_slots(store::CacheNode const& node, std::string const& slots);

}  // namespace keyfleet::workflows
