// What the node workflows share: reaching a node, stored deadlines, events,
// carrying parameter values to nodes, scaling node types in place.
#pragma once

#include "redis/client.h"
#include "store/clusters.h"
#include "workflows/engine.h"
#include "workflows/fleet.h"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace keyfleet::workflows {

inline constexpr auto node_start_timeout = std::chrono::seconds(30);
inline constexpr std::int64_t link_timeout_ms = 60'000;
inline constexpr auto poll_interval = std::chrono::milliseconds(5);
// A short cluster node timeout while a cluster forms: a primary that meets
// others reports ok clamp(cluster-node-timeout, 500, 5000) ms after it last
// knew itself alone.
inline constexpr int formation_node_timeout_ms = 500;

// "cluster:my-cluster" -> "my-cluster"
std::string id_of(std::string const& target);

redis::Client connect(store::CacheNode const& node,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

// "0-5460,10923-12000" (a node group's Slots, already validated) -> inclusive ranges.
std::vector<std::pair<int, int>> slot_ranges(std::string const& text);

// A cluster-mode primary takes the slots of `slots` it does not own yet
// (CLUSTER ADDSLOTSRANGE): those its keys are in, it may have taken at load.
void take_slots(redis::Client& primary, std::string const& slots);

// A string member of a workflow's data (or any JSON object); "" when absent.
std::string text(boost::json::object const& data, std::string_view key);

// A deadline stored with the workflow on first use, so a restart keeps it.
bool past_deadline(Run& run, std::string const& name, std::int64_t timeout_ms);

void record(store::Transaction& tx, core::Scope const& scope, std::string_view type, std::string_view id,
            std::string const& message, std::int64_t now);

// A group's members still `creating`, and their nodes, become available (their
// initial_role gone); answers them, for the events their workflow records.
std::vector<store::CacheCluster> make_new_members_available(store::Transaction& tx, core::Scope const& scope,
                                                            std::vector<store::CacheCluster> const& members);

using ParameterValues = std::map<std::string, std::string, std::less<>>;

ParameterValues differences(ParameterValues const& from, ParameterValues const& to);

// Carries changed parameter values to a cluster's nodes: CONFIG SET what a
// running node takes; the rest needs a reboot (ParameterApplyStatus
// pending-reboot in `settings`).
void apply_parameters(Fleet& fleet, Run& run, store::CacheCluster const& cluster, ParameterValues const& changed,
                      boost::json::object& settings);

// Scales a cluster's nodes to another node type in place: the data stays, the
// memory limit changes. Answers why not when a node holds more than it allows.
std::optional<std::string> scale_node_type(Fleet& fleet, Run& run, store::CacheCluster const& cluster,
                                           std::string const& node_type);

}  // namespace keyfleet::workflows
