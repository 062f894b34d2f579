// Rows of replication_groups, node_groups, cache_clusters, cache_nodes and ports.
#pragma once

#include "core/scope.h"
#include "store/db.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keyfleet::store {

// Where a node or an endpoint listens.
struct Address {
    std::string host;
    int port = 0;
    auto operator<=>(Address const&) const = default;
};

struct CacheNode {
    std::string cluster_id;
    std::string node_id;  // 0001
    std::string host = "127.0.0.1";
    int port = 0;
    std::string directory;
    std::string status;
    std::string role;  // primary | replica
    std::int64_t created_at = 0;

    Address address() const { return {host, port}; }
};

struct CacheCluster {
    std::string id;
    std::optional<std::string> replication_group_id;
    std::optional<std::string> node_group_id;
    std::string status;
    std::string engine;
    std::string engine_version;
    std::string node_type;
    std::string availability_zone;
    std::string parameter_group;
    std::string subnet_group;
    int port = 6379;
    boost::json::object settings;  // what AWS only echoes back
    std::int64_t created_at = 0;
    std::vector<CacheNode> nodes;  // loaded with the cluster, by node id
};

struct NodeGroup {
    std::string id;     // 0001
    std::string slots;  // 0-5460, '' when cluster mode is disabled
    std::string status;
};

struct ReplicationGroup {
    std::string id;
    std::string description;
    std::string status;
    bool cluster_enabled = false;
    std::string automatic_failover = "disabled";
    std::string multi_az = "disabled";
    std::string node_type;
    std::string engine;
    std::string engine_version;
    std::string parameter_group;
    std::string subnet_group;
    int port = 6379;
    std::optional<Address> primary_endpoint;
    std::optional<Address> reader_endpoint;
    std::optional<Address> configuration_endpoint;
    std::optional<std::string> auth_token_hash;
    boost::json::object settings;
    std::int64_t created_at = 0;
    std::vector<NodeGroup> node_groups;  // loaded with the group, by id
};

std::optional<CacheCluster> find_cache_cluster(Transaction& tx, core::Scope const& scope, std::string_view id);
// Every cluster of the scope, by id; with `group`, only that replication group's members.
std::vector<CacheCluster> list_cache_clusters(Transaction& tx, core::Scope const& scope,
                                              std::optional<std::string_view> group = std::nullopt);
void save_cache_cluster(Transaction& tx, core::Scope const& scope, CacheCluster const& cluster);  // without nodes
void delete_cache_cluster(Transaction& tx, core::Scope const& scope, std::string_view id);
void save_cache_node(Transaction& tx, core::Scope const& scope, CacheNode const& node);
void delete_cache_node(Transaction& tx, core::Scope const& scope, std::string_view cluster, std::string_view node);

// Every node of every account and region, with its scope (start-up).
std::vector<std::pair<core::Scope, CacheNode>> all_cache_nodes(Transaction& tx);

std::optional<ReplicationGroup> find_replication_group(Transaction& tx, core::Scope const& scope, std::string_view id);
std::vector<ReplicationGroup> list_replication_groups(Transaction& tx, core::Scope const& scope);
std::vector<std::pair<core::Scope, ReplicationGroup>> all_replication_groups(Transaction& tx);
void save_replication_group(Transaction& tx, core::Scope const& scope, ReplicationGroup const& group);  // and node groups
void delete_replication_group(Transaction& tx, core::Scope const& scope, std::string_view id);

// How many clusters use a parameter group or subnet group (AWS's in-use checks).
int clusters_using_parameter_group(Transaction& tx, core::Scope const& scope, std::string_view name);
int clusters_using_subnet_group(Transaction& tx, core::Scope const& scope, std::string_view name);

// Addresses keyfleet hands out (nodes, endpoints, pool nodes), each to one owner.
bool address_taken(Transaction& tx, Address const& address);
// Every host with the port taken, and every port taken on the host.
std::vector<std::string> hosts_taking_port(Transaction& tx, int port);
std::vector<int> ports_taken_on(Transaction& tx, std::string_view host);
void take_address(Transaction& tx, Address const& address, std::string_view owner);
void transfer_address(Transaction& tx, Address const& address, std::string_view owner);
void release_address(Transaction& tx, Address const& address);
void release_addresses_of(Transaction& tx, std::string_view owner_prefix);

}  // namespace keyfleet::store
