// Workflows of snapshots: take one on the nodes (BGSAVE, wait, copy each node
// group's dump.rdb into the snapshot's directory with its SHA-256), copy one,
// export one to a bucket under <data-dir>/s3, delete one. Deleting a cluster or
// group with FinalSnapshotIdentifier runs the same steps before its nodes stop.
#pragma once

#include "workflows/engine.h"
#include "workflows/fleet.h"

#include <optional>
#include <string>
#include <string_view>

namespace keyfleet::workflows {

void add_snapshot_kinds(Engine& engine, Fleet& fleet);

// The two steps that take the snapshot named by the workflow's data
// ("snapshot") of its target (cluster:<id> or replicationgroup:<id>); each
// answers `next` when its part is done (the end when empty). `settle_source`: put the source back to
// available once the snapshot is (false while it is being deleted).
StepResult save_snapshot(Run& run, std::string_view next);
StepResult write_snapshot(Fleet& fleet, Run& run, std::string_view next, bool settle_source);

// When a workflow that was taking a snapshot fails: the snapshot and its files
// go, an event says why.
void abandon_snapshot(Fleet& fleet, Run& run, std::string const& reason);

// Why a cluster's seed file (a snapshot's RDB it is restored from) must not be
// used: missing, or not what its checksum says; nullopt when it is sound or
// the cluster has none.
std::optional<std::string> damaged_seed(store::CacheCluster const& cluster);

}  // namespace keyfleet::workflows
