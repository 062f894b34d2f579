// What CreateCacheCluster and CreateReplicationGroup share: engine, version,
// node type, parameter group, subnet group, security groups, windows, and the
// refusal of what keyfleet does not carry out yet.
#pragma once

#include "catalog/catalog.h"
#include "handlers/context.h"
#include "handlers/lookups.h"
#include "store/db.h"

#include <string>
#include <vector>

namespace keyfleet::handlers {

struct ClusterOptions {
    std::string engine;                         // redis | valkey
    catalog::EngineVersion const* version = nullptr;
    std::string node_type;
    std::string parameter_group;
    ParameterGroupFacts parameter_group_facts;
    std::string subnet_group;                   // '' when cache security groups are used instead
    std::vector<std::string> zones;             // availability zones the subnet group offers
    int port = 6379;
    std::string maintenance_window;
    std::string snapshot_window;
    int snapshot_retention_limit = 0;
    json::object settings;                      // echoed members: SecurityGroupIds, AutoMinorVersionUpgrade, ...
};

// Validates the members both create operations take, as AWS does.
// `cluster_mode`: whether a cluster-mode-enabled parameter group is acceptable
// (replication groups) and which default group to pick.
ClusterOptions cluster_options(Context const& ctx, store::Transaction& tx, json::object const& in, std::string_view id,
                               bool cluster_mode);

// The engine asked for (redis when none is), lowercased: NotImplemented for memcached,
// InvalidParameterValue for one ElastiCache does not have.
std::string engine_of(json::object const& in);

// AWS's rules for an AuthToken: 16 to 128 printable characters, none of / " @
// (InvalidParameterValue).
void check_auth_token(std::string const& token);

// NotImplemented for members whose capability keyfleet does not have yet.
// `seeding`: whether SnapshotArns and SnapshotName (data to start from) are carried out.
void refuse_unbuilt(json::object const& in, bool seeding = false);

// The RDB files SnapshotArns name, checked: arn:aws:s3:::bucket/key is the
// file <s3_dir>/bucket/key and must hold a Redis RDB. At most `limit` files.
std::vector<std::string> snapshot_files(Context const& ctx, json::object const& in, std::size_t limit);

// ddd:hh24:mi-ddd:hh24:mi, at least 60 minutes; lowercased.
std::string maintenance_window(std::string_view text);
// hh24:mi-hh24:mi, at least 60 minutes.
std::string snapshot_window(std::string_view text);

// hh24:mi -> minutes of the day; nullopt when malformed.
std::optional<int> minutes_of(std::string_view text);

}  // namespace keyfleet::handlers
