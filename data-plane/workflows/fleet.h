// The fleet: what cluster workflows act through. Node directories, ports and
// redis.conf files; starting, stopping and reaching node processes; and the
// stable endpoints, whose routes are always derived from the store.
#pragma once

#include "core/certificates.h"
#include "core/scope.h"
#include "endpoints/forwarder.h"
#include "runtime/node_runtime.h"
#include "runtime/redis_conf.h"
#include "store/clusters.h"
#include "store/db.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace keyfleet::workflows {

struct FleetOptions {
    std::filesystem::path nodes_dir;
    // By default every node and endpoint gets a loopback address of its own
    // (127.<loopback_network>.x.y) and listens on the port its cluster asked
    // for (6379), as on AWS. Otherwise (`loopback_addresses` false: containers,
    // remote clients) they share bind_host, each on a port of the range, and
    // Describe* answers advertise_host.
    bool loopback_addresses = true;
    int loopback_network = 1;
    int first_port = 21000;  // the range; cluster buses use port + 10000
    int last_port = 21999;
    std::string bind_host = "127.0.0.1";
    std::string advertise_host = "127.0.0.1";
    double memory_scale = 1.0;                 // node maxmemory = node type's maxmemory x scale
    // Cluster-mode nodes kept started ahead of time: a fresh cluster primary
    // refuses writes for ~2 s after it starts, a pre-started one does not.
    int cluster_node_pool = 9;
    std::filesystem::path snapshots_dir;  // <snapshots_dir>/<account>/<region>/<name>/<node group>.rdb
    std::filesystem::path s3_dir;         // what SnapshotArns read and exports write: <s3_dir>/<bucket>/<key>
    std::filesystem::path key_file;       // the installation's key for snapshots of encrypted groups
    std::filesystem::path tls_dir;        // keyfleet's CA for nodes that serve TLS (ca.pem, ca-key.pem)
};

// A cluster's AUTH tokens, as its nodes take them: the current one first, then
// the one a ROTATE keeps valid beside it; none without AUTH.
std::vector<std::string> auth_tokens(store::CacheCluster const& cluster);

// The parameter values of a group (stored or default) as nodes run them.
std::map<std::string, std::string, std::less<>> effective_parameters(store::Transaction& tx, core::Scope const& scope,
                                                                     std::string_view group_name);

class Fleet {
public:
    Fleet(FleetOptions options, store::Database& db, runtime::NodeRuntime& runtime, endpoints::Forwarder& forwarder);

    FleetOptions const& options() const { return options_; }
    runtime::NodeRuntime& runtime() { return runtime_; }

    // "<account>/<region>/<cluster>/<node>": the process name and directory below nodes_dir.
    static std::string node_name(core::Scope const& scope, std::string_view cluster, std::string_view node);
    std::filesystem::path node_directory(core::Scope const& scope, std::string_view cluster, std::string_view node) const;
    // Where a snapshot's RDB files live.
    std::filesystem::path snapshot_directory(core::Scope const& scope, std::string_view name) const;
    // The key snapshot files of encrypted groups are sealed under (created on first use).
    std::string const& snapshot_key();
    // The name DEBUG answers to on this installation's nodes (derived from its
    // key, so it outlives restarts; no client is told it). Empty without a key file.
    std::string const& debug_command();
    // The CA that signs the certificates of nodes serving TLS (created on first use).
    core::CertificateAuthority const& certificate_authority();
    // A durable plain copy of a snapshot's or a bucket's RDB file, opened when sealed.
    void copy_plain(std::filesystem::path const& from, std::filesystem::path const& to);

    // A free address for a node or endpoint that asked for `port` (with the
    // cluster bus port + 10000 free too when `cluster_bus`), taken in the store.
    store::Address allocate_address(store::Transaction& tx, std::string_view owner, int port, bool cluster_bus);

    // The settings a node runs with: memory of its node type, its parameter
    // group's values, cluster mode, replication source.
    runtime::NodeSettings settings_for(store::Transaction& tx, core::Scope const& scope, store::CacheCluster const& cluster,
                                       store::CacheNode const& node);

    // Writes the node's redis.conf and starts it unless it runs; does not wait.
    void start_node(core::Scope const& scope, store::CacheCluster const& cluster, store::CacheNode const& node,
                    runtime::NodeSettings const& settings);
    void stop_node(core::Scope const& scope, std::string_view cluster, store::CacheNode const& node);
    // Stops the node and removes its directory.
    void destroy_node(core::Scope const& scope, std::string_view cluster, store::CacheNode const& node);

    // Starts every node (those not running yet), waits until all answer, then
    // configures each. Answers why not when one could not start (its exit status
    // and last words, at once) or did not answer before the deadline.
    struct Launch {
        core::Scope scope;
        store::CacheCluster cluster;
        store::CacheNode node;
        runtime::NodeSettings settings;
    };
    std::optional<std::string> launch(std::vector<Launch> const& launches, std::chrono::milliseconds timeout);

    // CONFIG SETs the node's parameter values once it answers; a value
    // redis-server refuses (ElastiCache-only) is logged and skipped.
    void configure_node(store::CacheNode const& node, runtime::NodeSettings const& settings) const;



    // Recomputes every endpoint from the store. With loopback addresses a primary
    // endpoint is an address its primary node binds besides its own (moved with
    // CONFIG SET bind), so clients reach the node with no hop in between; other
    // endpoints (reader, configuration, and all in the shared-host mode) are
    // forwarder listeners. Connections through an endpoint whose node changed
    // are dropped.
    void refresh_endpoints();

    // Starts pool nodes until the pool is full (does not wait for them).
    void fill_pool();
    // At shutdown: ends the pool's unadopted nodes at once (they hold no data).
    void discard_pool();
    // A ripe pre-started cluster-mode node for the given node, its port handed
    // over in the store; nullopt when none is ripe. Call adopt_pool_node()
    // with the answer once the transaction has committed.
    struct PoolNode {
        store::Address address;
        std::string name;
        std::filesystem::path directory;
        std::chrono::steady_clock::time_point started;
    };
    std::optional<PoolNode> take_pool_node(store::Transaction& tx, std::string_view new_owner, int port);
    // Moves the pool node's directory and process name to the node it became.
    void adopt_pool_node(PoolNode const& pool_node, core::Scope const& scope, std::string_view cluster,
                         std::string_view node);

    // At start-up: every node the store has is started from its data and
    // waited for; then the endpoints open.
    void recover();

private:
    void seed_from_rdb(store::CacheCluster const& cluster, std::filesystem::path const& directory);
    // What keyfleet connects to in the shared-host mode.
    std::string connect_host() const;

    struct Route {
        std::vector<store::Address> targets;  // primary endpoint: one; reader: replicas (or the primary); config: all
        std::size_t next = 0;
    };
    std::optional<endpoints::Target> pick(store::Address const& endpoint);
    // Primary endpoints bound by their node: endpoint -> the node that binds it.
    void bind_primary_endpoints(std::map<store::Address, std::optional<store::Address>> const& wanted);

    FleetOptions options_;
    store::Database& db_;
    runtime::NodeRuntime& runtime_;
    endpoints::Forwarder& forwarder_;
    std::mutex routes_mutex_;
    std::map<store::Address, Route> routes_;
    std::mutex bound_mutex_;  // held while endpoints move between nodes
    std::map<store::Address, store::Address> bound_;
    std::mutex key_mutex_;
    std::string snapshot_key_;
    std::once_flag debug_command_once_;
    std::mutex authority_mutex_;
    std::optional<core::CertificateAuthority> authority_;
    std::string debug_command_;
    std::mutex pool_mutex_;
    std::atomic<bool> pool_closed_ = false;
    std::vector<PoolNode> pool_;
    int pool_serial_ = 0;
};

}  // namespace keyfleet::workflows
