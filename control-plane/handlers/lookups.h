// What one resource's handlers ask of another's: the answers live with the
// resource that owns them (defined in its .cpp).
#pragma once

#include "core/scope.h"
#include "handlers/context.h"
#include "store/clusters.h"
#include "store/db.h"
#include "store/snapshots.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keyfleet::handlers {

// subnet_groups.cpp: the availability zones of a subnet group's subnets, in
// subnet order; nullopt when no such group exists.
std::optional<std::vector<std::string>> subnet_group_zones(store::Transaction& tx, core::Scope const& scope,
                                                           std::string_view name);

// parameter_groups.cpp
struct ParameterGroupFacts {
    std::string family;
    bool cluster_enabled = false;  // its cluster-enabled value is yes
};
std::optional<ParameterGroupFacts> parameter_group_facts(store::Transaction& tx, core::Scope const& scope,
                                                         std::string_view name);

// security_groups.cpp: whether a cache security group exists.
bool cache_security_group_exists(store::Transaction& tx, core::Scope const& scope, std::string_view name);

// replication_group_changes.cpp: CreateCacheCluster with ReplicationGroupId
// (a new read replica), and DeleteCacheCluster of a replica.
json::object add_replica_cluster(Context& ctx, json::object const& in, std::string const& cluster_id);
json::object remove_replica_cluster(Context& ctx, store::Transaction& tx, store::CacheCluster const& cluster);

// subnet_groups.cpp: the VPC id a subnet group's subnets belong to ('' when none).
std::string subnet_group_vpc_id(store::Transaction& tx, core::Scope const& scope, std::string_view name);

// snapshots.cpp: a snapshot of a cache cluster or of a replication group as
// it will be taken (status creating), checked as CreateSnapshot checks it
// (SnapshotAlreadyExistsFault, SnapshotFeatureNotSupportedFault); the caller
// saves it and starts the workflow that takes it.
store::Snapshot plan_cluster_snapshot(Context const& ctx, store::Transaction& tx, std::string const& name,
                                      store::CacheCluster const& cluster);
store::Snapshot plan_group_snapshot(Context const& ctx, store::Transaction& tx, std::string const& name,
                                    store::ReplicationGroup const& group,
                                    std::vector<store::CacheCluster> const& members);

// snapshots.cpp: what a snapshot is taken of: a cache cluster or a replication group.
struct SnapshotSource {
    std::optional<std::string> cache_cluster_id;
    std::optional<std::string> replication_group_id;
};

// snapshots.cpp: takes a snapshot (origin "manual" or "automated") as
// CreateSnapshot does: checked (not found, wrong state, name taken: ApiError),
// recorded as creating, its workflow started, an event; the caller commits.
store::Snapshot begin_snapshot(Context& ctx, store::Transaction& tx, SnapshotSource const& source,
                               std::string const& name, std::string const& origin);

// snapshots.cpp: deletes an available snapshot as DeleteSnapshot does
// (InvalidSnapshotStateFault otherwise); the caller commits.
store::Snapshot begin_snapshot_deletion(Context& ctx, store::Transaction& tx, store::Snapshot snapshot);

// snapshots.cpp: automatic snapshots go with their cluster or group; manual ones stay.
void delete_automatic_snapshots(Context& ctx, store::Transaction& tx, SnapshotSource const& source);

// snapshots.cpp: a snapshot name member (SnapshotName, FinalSnapshotIdentifier, ...), checked and lowercased.
std::string snapshot_name(json::object const& in, std::string_view member);

// snapshots.cpp: the snapshot a create operation's SnapshotName names, ready
// to restore: available, every node group's RDB file present and matching the
// checksum recorded when it was taken. nullopt without SnapshotName.
std::optional<store::Snapshot> snapshot_to_restore(Context const& ctx, store::Transaction& tx, json::object const& in);

// snapshots.cpp: the input with what a restore takes from the snapshot when
// the request does not say (node type, engine).
json::object with_snapshot_defaults(json::object in, store::Snapshot const& snapshot);

}  // namespace keyfleet::handlers
