// Restores whose data does not fit the new group shard for shard: a snapshot
// of another shard count or other slots, or RDB files from a bucket
// (SnapshotArns). Most are split by slot before the nodes start (split_by_slot).
// The rest are opened by a temporary redis-server of its own (the loader); its
// keys go to the primary of the node group that owns their slot (DUMP, then
// RESTORE ... REPLACE ABSTTL), a slice of the keys per workflow step. A restart
// starts the file again: REPLACE makes that harmless.
#pragma once

#include "store/clusters.h"
#include "workflows/engine.h"
#include "workflows/fleet.h"

#include <boost/json/array.hpp>

#include <map>
#include <optional>
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

// Restores go faster without the loader when the files can be split by slot
// before any node starts (redis/rdb.h): plain files of at most 64 MB together,
// one part per node group, written under <nodes>/seeds/. Answers the parts and
// the events to record, or nullopt when the loader should restore the files
// (sealed, larger, or not readable with certainty by the splitter: the loader
// says what is wrong with them).
struct SplitSeeds {
    std::map<std::string, std::string> file_of_member;  // primary's cache cluster id -> its part
    std::vector<std::string> events;
};
std::optional<SplitSeeds> split_by_slot(Fleet& fleet, core::Scope const& scope, store::ReplicationGroup const& group,
                                        std::vector<store::CacheCluster> const& members);

// Cluster mode: each primary, running (from the pool, or started empty so that
// Redis's 2 s delay before a new primary serves runs meanwhile), takes its
// slots with the formation's short node timeout (so that Redis's 500 ms before
// a primary that was alone serves runs meanwhile too), then loads its part with
// DEBUG RELOAD NOSAVE; all at once, before they meet. Answers why not.
struct SeededPrimary {
    store::CacheNode node;
    std::string part;
    std::string slots;  // its node group's
};
std::optional<std::string> load_seed_parts(Fleet& fleet, std::vector<SeededPrimary> const& primaries);

// The parts left of a restore, once the group is created or failed.
void remove_seed_parts(Fleet& fleet, core::Scope const& scope, std::string_view group);

}  // namespace keyfleet::workflows
