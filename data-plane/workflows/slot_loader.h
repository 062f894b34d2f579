// Restores whose data does not fit the new group shard for shard: a snapshot
// of another shard count or other slots, or RDB files from a bucket
// (SnapshotArns) into cluster mode. Each file is opened by a temporary
// redis-server of its own (the loader); its keys go to the primary of the node
// group that owns their slot, with MIGRATE COPY REPLACE, a slice of the keys per
// workflow step. A restart starts the file again: REPLACE makes that harmless.
#pragma once

#include "workflows/engine.h"
#include "workflows/fleet.h"

#include <boost/json/array.hpp>

#include <string>

namespace keyfleet::workflows {

// The group setting naming the files to load: [{"file": path, "sha256": hex?}, ...].
inline constexpr char const* load_sources_setting = "load_sources";

// The step "load" of a group's creation: answers `next` once every file named by
// the group's load_sources is loaded (at once when there are none).
StepResult load_by_slot(Fleet& fleet, Run& run, std::string_view next);

// Stops the loader and frees its directory and address (when a workflow ends or fails).
void stop_loader(Fleet& fleet, Run& run);

}  // namespace keyfleet::workflows
