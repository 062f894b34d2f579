// Rows of snapshots and node_snapshots: a backup and one RDB file per node group.
#pragma once

#include "core/scope.h"
#include "store/db.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keyfleet::store {

struct NodeSnapshot {
    std::string node_group_id;
    std::string cache_cluster_id;
    std::string cache_node_id = "0001";
    std::string slots;                    // '' when cluster mode is disabled
    boost::json::object configuration;    // ReplicaCount, PrimaryAvailabilityZone, ReplicaAvailabilityZones
    std::string file;                     // absolute path of the RDB file; '' until written
    std::optional<std::int64_t> size;
    std::optional<std::string> sha256;
    std::int64_t node_created_at = 0;
    std::optional<std::int64_t> snapshot_created_at;
};

struct Snapshot {
    std::string name;
    std::string status;
    std::string origin = "manual";
    std::optional<std::string> cache_cluster_id;
    std::optional<std::string> replication_group_id;
    bool cluster_enabled = false;
    boost::json::object source;  // the Snapshot members that describe the source
    std::int64_t created_at = 0;
    std::vector<NodeSnapshot> nodes;  // loaded with the snapshot, by node group id
};

std::optional<Snapshot> find_snapshot(Transaction& tx, core::Scope const& scope, std::string_view name);
// Every snapshot of the scope, by name.
std::vector<Snapshot> list_snapshots(Transaction& tx, core::Scope const& scope);
void save_snapshot(Transaction& tx, core::Scope const& scope, Snapshot const& snapshot);  // and its node rows
void delete_snapshot(Transaction& tx, core::Scope const& scope, std::string_view name);

}  // namespace keyfleet::store
