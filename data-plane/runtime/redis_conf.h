// A node's redis.conf, generated from its state: port and directory, the node
// type's memory limit, the parameter group's values translated to redis-server
// directives, cluster and replication settings, save points.
#pragma once

#include "runtime/node_runtime.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace keyfleet::runtime {

// A node that serves TLS only (TransitEncryptionMode required): its port takes
// TLS, replication and the cluster bus use it too, clients need no certificate.
struct NodeTls {
    std::string certificate_file;
    std::string key_file;
    std::string ca_file;             // the CA that signed every node's certificate
    std::vector<std::string> names;  // every address that reaches the node, which its certificate names
};

// A TLS node's files, in its directory.
NodeTls tls_files(std::filesystem::path const& directory);

struct NodeSettings {
    std::uint16_t port = 0;
    std::string bind_host = "127.0.0.1";
    std::string announce_host = "127.0.0.1";  // what cluster nodes tell clients (MOVED, CLUSTER SLOTS)
    bool cluster_enabled = false;
    int cluster_node_timeout_ms = 5000;
    std::int64_t maxmemory_bytes = 0;  // the node type's, already scaled; 0: no limit
    std::map<std::string, std::string, std::less<>> parameters;  // effective parameter group values
    // False for a process whose data is thrown away (a restore's loader): it never saves.
    bool save_points = true;
    // DEBUG answers under this name only, for keyfleet's own use (DEBUG RELOAD
    // of a restore's part); no client knows it. Empty: no DEBUG at all.
    std::string debug_command;
    std::optional<NodeTls> tls;
    // AUTH for clients (the group's AuthToken, then the one a ROTATE keeps
    // valid beside it) and for replication (the first); empty: none. The config
    // file that carries them is readable by its owner only.
    std::vector<std::string> passwords;
    // A replica of this primary (cluster mode disabled).
    std::optional<std::pair<std::string, std::uint16_t>> replica_of;
};

// The directives a node needs at start: port, directory, memory, cluster and
// replication settings, and the parameters redis-server reads only at start.
std::string render_config(NodeSettings const& settings);

// Writes `render_config(settings)` to the node's redis.conf in `directory` (which
// must exist) and answers the process to start: config, log file and all.
NodeProcess write_config(std::string name, std::filesystem::path const& directory, NodeSettings const& settings);

// CONFIG SET commands that carry the other parameter values to a running node
// (each is checked by redis-server itself; one it refuses is skipped).
std::vector<std::vector<std::string>> config_set_commands(std::map<std::string, std::string, std::less<>> const& parameters,
                                                          std::int64_t node_maxmemory_bytes);

// True for parameter names redis-server takes as directives of the same name.
bool is_redis_directive(std::string_view name);

// True for parameters a running redis-server cannot take (CONFIG SET): they
// apply when the node restarts (rename-commands, databases, ...).
bool applies_at_restart(std::string_view name);

// The node's maxmemory after ElastiCache's reserved memory (reserved-memory or
// reserved-memory-percent of the parameters).
std::int64_t data_memory(std::map<std::string, std::string, std::less<>> const& parameters, std::int64_t node_maxmemory);

}  // namespace keyfleet::runtime
