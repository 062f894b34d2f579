// AWS's catalogs, embedded from api-schemas/: parameter group families and their
// parameters, engine versions, node types, reserved node offerings and service
// updates. Read-only data both planes use (handlers answer from it; the node
// supervisor takes memory limits and parameter defaults from it).
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace keyfleet::catalog {

namespace json = boost::json;

struct Parameter {
    json::object wire;  // as AWS shows it: ParameterName, ParameterValue, Description, Source, ...
    std::string name;
    std::optional<std::string> default_value;
    std::string data_type;
    std::string allowed_values;
    bool modifiable = false;
    bool requires_reboot = false;
};

struct NodeTypeSpecificParameter {
    json::object wire;  // without CacheNodeTypeSpecificValues
    std::string name;
    std::map<std::string, std::string, std::less<>> value_by_node_type;
};

struct Family {
    std::string name;    // redis7, memcached1.6, valkey8, ...
    std::string engine;  // redis, memcached, valkey
    std::vector<Parameter> parameters;  // in AWS's order
    std::vector<NodeTypeSpecificParameter> node_type_specific;
    std::set<std::string, std::less<>> modifiable_only_when_unused;  // e.g. cluster-enabled, databases

    Parameter const* parameter(std::string_view parameter_name) const;
    // Families with cluster mode have a `.cluster.on` default group.
    bool has_cluster_mode() const { return parameter("cluster-enabled") != nullptr; }
};

struct EngineVersion {
    json::object wire;  // Engine, EngineVersion, CacheParameterGroupFamily, CacheEngineDescription, ...
    std::string engine;
    std::string version;  // as listed: "7.1"
    std::string family;
    std::string actual_version;  // as clusters report it: "7.1.0"
    std::vector<std::string> accepted_inputs;
    bool is_default = false;
};

struct NodeType {
    std::string name;  // cache.t3.micro
    std::string family;
    bool current_generation = true;
    int vcpus = 0;
    double memory_gib = 0;
    std::int64_t maxmemory_bytes = 0;  // Redis/Valkey maxmemory
    bool data_tiering = false;
    std::set<std::string, std::less<>> engines;
};

struct Catalog {
    std::vector<Family> families;
    std::vector<EngineVersion> engine_versions;
    std::vector<NodeType> node_types;
    std::vector<json::object> reserved_offerings;  // ReservedCacheNodesOffering shapes
    std::vector<json::object> service_updates;     // ServiceUpdate shapes

    Family const* family(std::string_view name) const;
    NodeType const* node_type(std::string_view name) const;
    // The entry an EngineVersion input names for an engine (its default when
    // empty); null when the engine does not offer it.
    EngineVersion const* engine_version(std::string_view engine, std::string_view requested) const;

    // The catalog embedded in this binary, loaded once.
    static Catalog const& get();
};

// default.redis7 -> {redis7, false}; default.redis7.cluster.on -> {redis7, true};
// nullopt for any other name.
struct DefaultGroupName {
    std::string family;
    bool cluster_on = false;
};
std::optional<DefaultGroupName> parse_default_group_name(std::string_view name);

// The values a node runs with: the family's defaults, then `overrides`.
std::map<std::string, std::string, std::less<>> effective_values(
    Family const& family, std::map<std::string, std::string, std::less<>> const& overrides);

struct NodeTypeModifications {
    std::vector<std::string> scale_up;    // more memory, sorted by name
    std::vector<std::string> scale_down;  // less memory, sorted by name
};

// What a cluster on `current` running `engine` may be scaled to: node types the
// engine runs on, with data tiering exactly when `current` has it.
NodeTypeModifications allowed_modifications(Catalog const& catalog, NodeType const& current, std::string_view engine);

// Why a value does not fit the parameter's DataType and AllowedValues, or
// nullopt when it does.
std::optional<std::string> value_problem(Parameter const& parameter, std::string_view value);

}  // namespace keyfleet::catalog
