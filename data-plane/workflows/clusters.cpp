#include "workflows/clusters.h"

#include "catalog/catalog.h"
#include "redis/client.h"
#include "store/clusters.h"
#include "store/events.h"
#include "store/tags.h"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <set>

namespace keyfleet::workflows {

namespace {

using namespace std::chrono_literals;

constexpr auto node_start_timeout = 30s;
constexpr auto command_timeout = 2000ms;
constexpr std::int64_t link_timeout_ms = 60'000;
constexpr auto poll = 5ms;
constexpr int formation_node_timeout_ms = 500;

std::string id_of(std::string const& target) { return target.substr(target.find(':') + 1); }

redis::Client connect(int port) { return redis::Client("127.0.0.1", static_cast<std::uint16_t>(port), command_timeout); }

// A deadline stored with the workflow, so a restart keeps the same one.
bool past_deadline(Run& run, std::string const& name, std::int64_t timeout_ms)
{
    auto& data = run.data();
    auto const now = run.clock().now_ms();
    if (!data.contains(name))
        data[name] = now + timeout_ms;
    return now > data.at(name).as_int64();
}

void record(store::Transaction& tx, core::Scope const& scope, std::string_view type, std::string_view id,
            std::string const& message, std::int64_t now)
{
    store::record_event(tx, scope, type, id, message, now);
}

// --- cache clusters ------------------------------------------------------------------

StepResult create_cache_cluster(Fleet& fleet, Run& run)
{
    auto const id = id_of(run.target());
    auto const& scope = run.scope();
    store::CacheCluster cluster;
    {
        // The port is taken (durably) before the process that listens on it starts.
        auto tx = run.db().write();
        auto found = store::find_cache_cluster(tx, scope, id);
        if (!found)
            return StepResult::fail("cache cluster " + id + " no longer exists");
        cluster = std::move(*found);
        if (cluster.nodes.empty()) {
            store::CacheNode node{id, "0001", 0, "", "creating", "primary", run.clock().now_ms()};
            node.port = fleet.allocate_port(tx, "node:" + Fleet::node_name(scope, id, "0001"), false);
            node.directory = fleet.node_directory(scope, id, "0001").string();
            store::save_cache_node(tx, scope, node);
            cluster.nodes.push_back(node);
        }
        tx.commit();
    }
    std::vector<Fleet::Launch> launches;
    {
        auto tx = run.db().read();
        for (auto const& node : cluster.nodes)
            launches.push_back({scope, cluster, node, fleet.settings_for(tx, scope, cluster, node)});
    }
    if (!fleet.launch(launches, node_start_timeout))
        return StepResult::fail("the node of " + id + " did not answer within 30 s");
    run.on_commit([id, scope, zone = cluster.availability_zone, now = run.clock().now_ms()](store::Transaction& tx) {
        auto current = store::find_cache_cluster(tx, scope, id);
        if (!current)
            return;
        for (auto node : current->nodes) {
            node.status = "available";
            store::save_cache_node(tx, scope, node);
        }
        current->status = "available";
        current->settings.erase("seed_rdb");
        store::save_cache_cluster(tx, scope, *current);
        record(tx, scope, "cache-cluster", id, "Cache cluster created", now);
        record(tx, scope, "cache-cluster", id, "Added cache node 0001 in availability zone " + zone, now);
    });
    return StepResult::done();
}

void fail_cluster(Run& run, std::string const& reason)
{
    auto const id = id_of(run.target());
    run.on_commit([id, scope = run.scope(), reason, now = run.clock().now_ms()](store::Transaction& tx) {
        if (auto cluster = store::find_cache_cluster(tx, scope, id)) {
            // A cluster that could not start from its RDB file failed to restore.
            cluster->status = cluster->settings.contains("seed_rdb") ? "restore-failed" : "create-failed";
            store::save_cache_cluster(tx, scope, *cluster);
        }
        record(tx, scope, "cache-cluster", id, "Failed to create cache cluster: " + reason, now);
    });
}

StepResult delete_cache_cluster(Fleet& fleet, Run& run)
{
    auto const id = id_of(run.target());
    auto const& scope = run.scope();
    std::optional<store::CacheCluster> cluster;
    {
        auto tx = run.db().read();
        cluster = store::find_cache_cluster(tx, scope, id);
    }
    if (!cluster)
        return StepResult::done();
    for (auto const& node : cluster->nodes)
        fleet.destroy_node(scope, id, node);
    run.on_commit([id, scope, nodes = cluster->nodes, now = run.clock().now_ms()](store::Transaction& tx) {
        for (auto const& node : nodes)
            store::release_port(tx, node.port);
        store::delete_cache_cluster(tx, scope, id);
        store::delete_all_tags(tx, scope, {"cluster", id});
        record(tx, scope, "cache-cluster", id, "Cache cluster deleted", now);
    });
    return StepResult::done();
}

StepResult reboot_cache_cluster(Fleet& fleet, Run& run)
{
    auto const id = id_of(run.target());
    auto const& scope = run.scope();
    std::set<std::string> wanted;
    for (auto const& node : run.data().at("nodes").as_array())
        wanted.emplace(node.as_string());
    std::vector<Fleet::Launch> launches;
    {
        auto tx = run.db().read();
        auto const cluster = store::find_cache_cluster(tx, scope, id);
        if (!cluster)
            return StepResult::done();
        for (auto const& node : cluster->nodes)
            if (wanted.contains(node.node_id)) {
                fleet.stop_node(scope, id, node);
                launches.push_back({scope, *cluster, node, fleet.settings_for(tx, scope, *cluster, node)});
            }
    }
    if (!fleet.launch(launches, node_start_timeout))
        return StepResult::fail("a rebooted node of " + id + " did not answer within 30 s");
    run.on_commit([id, scope, wanted, now = run.clock().now_ms()](store::Transaction& tx) {
        auto cluster = store::find_cache_cluster(tx, scope, id);
        if (!cluster)
            return;
        for (auto node : cluster->nodes)
            if (wanted.contains(node.node_id)) {
                node.status = "available";
                store::save_cache_node(tx, scope, node);
                record(tx, scope, "cache-cluster", id, "Cache node " + node.node_id + " restarted", now);
            }
        // A reboot applies every parameter that waited for one.
        cluster->settings.erase("CacheNodeIdsToReboot");
        cluster->settings["ParameterApplyStatus"] = "in-sync";
        cluster->status = "available";
        store::save_cache_cluster(tx, scope, *cluster);
    });
    run.after_commit([&fleet] { fleet.refresh_endpoints(); });
    return StepResult::done();
}

// Carries the changed values of a parameter group to one cluster's nodes:
// CONFIG SET what a running node takes, a reboot for the rest.
void apply_parameters(Fleet& fleet, Run& run, store::CacheCluster const& cluster,
                      std::map<std::string, std::string, std::less<>> const& changed, json::object& settings)
{
    bool needs_reboot = false;
    auto const* family = [&]() -> catalog::Family const* {
        auto const* version = catalog::Catalog::get().engine_version(cluster.engine, cluster.engine_version);
        return version ? catalog::Catalog::get().family(version->family) : nullptr;
    }();
    std::map<std::string, std::string, std::less<>> immediate;
    for (auto const& [name, value] : changed) {
        auto const* parameter = family ? family->parameter(name) : nullptr;
        if (parameter && parameter->requires_reboot)
            needs_reboot = true;
        else
            immediate[name] = value;
    }
    std::int64_t maxmemory = 0;
    if (auto const* type = catalog::Catalog::get().node_type(cluster.node_type))
        maxmemory = static_cast<std::int64_t>(double(type->maxmemory_bytes) * fleet.options().memory_scale);
    auto tx = run.db().read();
    for (auto const& node : cluster.nodes) {
        // The node's redis.conf carries the new values for its next start.
        fleet.start_node(run.scope(), cluster, node, fleet.settings_for(tx, run.scope(), cluster, node));
        auto client = connect(node.port);
        for (auto const& command : runtime::config_set_commands(immediate, maxmemory)) {
            if (command[2] == "maxmemory" && !immediate.contains("reserved-memory") &&
                !immediate.contains("reserved-memory-percent"))
                continue;
            if (auto const reply = client.command(command); reply.is_error()) {
                spdlog::warn("{} on node {}: {}", fmt::join(command, " "), node.port, reply.text);
                needs_reboot = true;
            }
        }
    }
    if (needs_reboot) {
        settings["ParameterApplyStatus"] = "pending-reboot";
        json::array ids;
        for (auto const& node : cluster.nodes)
            ids.emplace_back(node.node_id);
        settings["CacheNodeIdsToReboot"] = std::move(ids);
    } else {
        settings["ParameterApplyStatus"] = "in-sync";
        settings.erase("CacheNodeIdsToReboot");
    }
}

std::map<std::string, std::string, std::less<>> differences(std::map<std::string, std::string, std::less<>> const& from,
                                                             std::map<std::string, std::string, std::less<>> const& to)
{
    std::map<std::string, std::string, std::less<>> changed;
    for (auto const& [name, value] : to)
        if (auto const old = from.find(name); old == from.end() || old->second != value)
            changed[name] = value;
    return changed;
}

// Scales a node type in place: the data stays, the memory limit changes. A
// scale-down that would not hold the data is refused and the node type kept.
std::optional<std::string> scale_node_type(Fleet& fleet, store::CacheCluster const& cluster, std::string const& node_type)
{
    auto const* type = catalog::Catalog::get().node_type(node_type);
    if (!type)
        return "unknown node type " + node_type;
    auto const maxmemory = static_cast<std::int64_t>(double(type->maxmemory_bytes) * fleet.options().memory_scale);
    for (auto const& node : cluster.nodes) {
        auto client = connect(node.port);
        auto const memory = client.info("memory");
        std::int64_t used = 0;
        if (auto const found = memory.find("used_memory"); found != memory.end())
            std::from_chars(found->second.data(), found->second.data() + found->second.size(), used);
        if (used > maxmemory)
            return fmt::format("node {} holds {} bytes, more than {} allows", node.node_id, used, node_type);
    }
    for (auto const& node : cluster.nodes)
        connect(node.port).checked({"CONFIG", "SET", "maxmemory", std::to_string(maxmemory)});
    return std::nullopt;
}

StepResult modify_cache_cluster(Fleet& fleet, Run& run)
{
    auto const id = id_of(run.target());
    auto const& scope = run.scope();
    std::optional<store::CacheCluster> cluster;
    std::map<std::string, std::string, std::less<>> changed;
    {
        auto tx = run.db().read();
        cluster = store::find_cache_cluster(tx, scope, id);
        if (!cluster)
            return StepResult::done();
        if (auto const* previous = run.data().if_contains("previous_parameter_group"))
            changed = differences(effective_parameters(tx, scope, std::string(previous->as_string())),
                                  effective_parameters(tx, scope, cluster->parameter_group));
    }
    std::vector<std::string> messages;
    auto updated = *cluster;
    if (auto const* node_type = run.data().if_contains("node_type")) {
        auto const wanted = std::string(node_type->as_string());
        if (auto const problem = scale_node_type(fleet, *cluster, wanted))
            messages.push_back("Failed applying modification to cache node type to " + wanted + ": " + *problem);
        else {
            updated.node_type = wanted;
            messages.push_back("Succeeded applying modification to cache node type to " + wanted + ".");
        }
    }
    if (auto const* version = run.data().if_contains("engine_version")) {
        updated.engine_version = std::string(version->as_string());
        messages.push_back("Upgraded engine version to " + updated.engine_version);
    }
    if (run.data().contains("previous_parameter_group")) {
        apply_parameters(fleet, run, updated, changed, updated.settings);
        messages.push_back("Updated to use a CacheParameterGroup " + updated.parameter_group);
    }
    run.on_commit([scope, updated, messages, now = run.clock().now_ms()](store::Transaction& tx) mutable {
        if (!store::find_cache_cluster(tx, scope, updated.id))
            return;
        updated.status = "available";
        store::save_cache_cluster(tx, scope, updated);
        for (auto const& message : messages)
            record(tx, scope, "cache-cluster", updated.id, message, now);
    });
    return StepResult::done();
}

// A modify or reboot that failed leaves the cluster serving as it was.
void back_to_available(Run& run, std::string const& reason)
{
    auto const id = id_of(run.target());
    run.on_commit([id, scope = run.scope(), reason, now = run.clock().now_ms()](store::Transaction& tx) {
        auto cluster = store::find_cache_cluster(tx, scope, id);
        if (!cluster)
            return;
        for (auto node : cluster->nodes)
            if (node.status != "available") {
                node.status = "available";
                store::save_cache_node(tx, scope, node);
            }
        cluster->status = "available";
        store::save_cache_cluster(tx, scope, *cluster);
        record(tx, scope, "cache-cluster", id, "Failed to apply a change: " + reason, now);
    });
}

// Minutes since Sunday 00:00 UTC of "ddd:hh:mm".
int minute_of_week(std::string_view text)
{
    static constexpr std::array<std::string_view, 7> days{"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    auto const day = int(std::ranges::find(days, text.substr(0, 3)) - days.begin());
    int hours = 0, minutes = 0;
    std::from_chars(text.data() + 4, text.data() + 6, hours);
    std::from_chars(text.data() + 7, text.data() + 9, minutes);
    return day * 1440 + hours * 60 + minutes;
}

// Modifications asked for without ApplyImmediately wait for the cluster's
// maintenance window, as on AWS, and are then applied.
StepResult apply_pending_modifications(Fleet& fleet, Run& run)
{
    auto const id = id_of(id_of(run.target()));  // pending:cluster:<id>
    auto const& scope = run.scope();
    std::optional<store::CacheCluster> cluster;
    {
        auto tx = run.db().read();
        cluster = store::find_cache_cluster(tx, scope, id);
    }
    if (!cluster || !cluster->settings.contains("PendingModifiedValues"))
        return StepResult::done();
    auto const window = std::string(cluster->settings.at("PreferredMaintenanceWindow").as_string());
    auto const start = minute_of_week(window.substr(0, 9));
    auto end = minute_of_week(window.substr(10, 9));
    if (end <= start)
        end += 7 * 1440;
    auto const now_ms = run.clock().now_ms();
    // 1970-01-01 was a Thursday: shift to weeks that start on Sunday.
    auto const week_ms = std::int64_t(7) * 1440 * 60'000;
    auto const since_sunday = (now_ms + std::int64_t(4) * 1440 * 60'000) % week_ms;
    auto const now_minute = int(since_sunday / 60'000);
    bool const inside = (now_minute >= start && now_minute < end) || (now_minute + 7 * 1440 < end);
    if (!inside) {
        auto wait_ms = (std::int64_t(start) * 60'000 - since_sunday + week_ms) % week_ms;
        return StepResult::again_after(std::chrono::milliseconds(std::min<std::int64_t>(wait_ms, 60'000)));
    }
    if (cluster->status != "available")
        return StepResult::again_after(std::chrono::seconds(5));
    auto updated = *cluster;
    auto const pending = cluster->settings.at("PendingModifiedValues").as_object();
    std::vector<std::string> messages;
    if (auto const* type = pending.if_contains("CacheNodeType")) {
        auto const wanted = std::string(type->as_string());
        if (auto const problem = scale_node_type(fleet, *cluster, wanted))
            messages.push_back("Failed applying modification to cache node type to " + wanted + ": " + *problem);
        else {
            updated.node_type = wanted;
            messages.push_back("Succeeded applying modification to cache node type to " + wanted + ".");
        }
    }
    if (auto const* version = pending.if_contains("EngineVersion")) {
        updated.engine_version = std::string(version->as_string());
        messages.push_back("Upgraded engine version to " + updated.engine_version);
    }
    updated.settings.erase("PendingModifiedValues");
    run.on_commit([scope, updated, messages, now = run.clock().now_ms()](store::Transaction& tx) {
        auto current = store::find_cache_cluster(tx, scope, updated.id);
        if (!current)
            return;
        current->node_type = updated.node_type;
        current->engine_version = updated.engine_version;
        current->settings.erase("PendingModifiedValues");
        store::save_cache_cluster(tx, scope, *current);
        for (auto const& message : messages)
            record(tx, scope, "cache-cluster", updated.id, message, now);
    });
    return StepResult::done();
}

// --- replication groups --------------------------------------------------------------

struct GroupState {
    store::ReplicationGroup group;
    std::vector<store::CacheCluster> members;

    std::vector<store::CacheNode const*> nodes() const
    {
        std::vector<store::CacheNode const*> all;
        for (auto const& member : members)
            for (auto const& node : member.nodes)
                all.push_back(&node);
        return all;
    }
};

std::optional<GroupState> load_group(store::Transaction& tx, core::Scope const& scope, std::string const& id)
{
    auto group = store::find_replication_group(tx, scope, id);
    if (!group)
        return std::nullopt;
    return GroupState{std::move(*group), store::list_cache_clusters(tx, scope, id)};
}

StepResult allocate_group(Fleet& fleet, Run& run)
{
    auto const id = id_of(run.target());
    auto const& scope = run.scope();
    auto tx = run.db().write();
    auto state = load_group(tx, scope, id);
    if (!state)
        return StepResult::fail("replication group " + id + " no longer exists");
    std::vector<std::pair<Fleet::PoolNode, std::string>> adopted;  // pool node, cluster id
    for (auto const& member : state->members) {
        if (!member.nodes.empty())
            continue;
        auto const* role = member.settings.if_contains("initial_role");
        store::CacheNode node{member.id, "0001", 0, "", "creating",
                              role ? std::string(role->as_string()) : std::string("primary"), run.clock().now_ms()};
        auto const owner = "node:" + Fleet::node_name(scope, member.id, "0001");
        // A cluster-mode node comes pre-started from the pool when one is ripe.
        if (auto pool_node = state->group.cluster_enabled ? fleet.take_pool_node(tx, owner) : std::nullopt) {
            node.port = pool_node->port;
            adopted.emplace_back(std::move(*pool_node), member.id);
        } else {
            node.port = fleet.allocate_port(tx, owner, state->group.cluster_enabled);
        }
        node.directory = fleet.node_directory(scope, member.id, "0001").string();
        store::save_cache_node(tx, scope, node);
    }
    auto& group = state->group;
    auto const endpoint_owner = [&](std::string_view which) { return "endpoint:" + scope.account + "/" + scope.region + "/" + id + "/" + std::string(which); };
    if (group.cluster_enabled) {
        if (!group.configuration_endpoint_port)
            group.configuration_endpoint_port = fleet.allocate_port(tx, endpoint_owner("configuration"), false);
    } else {
        if (!group.primary_endpoint_port)
            group.primary_endpoint_port = fleet.allocate_port(tx, endpoint_owner("primary"), false);
        if (!group.reader_endpoint_port)
            group.reader_endpoint_port = fleet.allocate_port(tx, endpoint_owner("reader"), false);
    }
    store::save_replication_group(tx, scope, group);
    tx.commit();
    for (auto const& [pool_node, cluster] : adopted)
        fleet.adopt_pool_node(pool_node, scope, cluster, "0001");
    return StepResult::next("start");
}

StepResult start_group(Fleet& fleet, Run& run)
{
    auto const id = id_of(run.target());
    auto const& scope = run.scope();
    std::vector<Fleet::Launch> launches;
    bool cluster_enabled = false;
    {
        auto tx = run.db().read();
        auto const state = load_group(tx, scope, id);
        if (!state)
            return StepResult::fail("replication group " + id + " no longer exists");
        cluster_enabled = state->group.cluster_enabled;
        for (auto const& member : state->members)
            for (auto const& node : member.nodes)
                launches.push_back({scope, member, node, fleet.settings_for(tx, scope, member, node)});
    }
    if (!fleet.launch(launches, node_start_timeout))
        return StepResult::fail("the nodes of " + id + " did not all answer within 30 s");
    return StepResult::next(cluster_enabled ? "form" : "link");
}

// Cluster mode disabled: replicas start with replicaof in their config; wait
// until each has synced with its primary.
StepResult link_replicas(Run& run)
{
    auto const id = id_of(run.target());
    std::vector<int> replicas;
    {
        auto tx = run.db().read();
        auto const state = load_group(tx, run.scope(), id);
        if (!state)
            return StepResult::fail("replication group " + id + " no longer exists");
        for (auto const* node : state->nodes())
            if (node->role == "replica")
                replicas.push_back(node->port);
    }
    for (auto const port : replicas) {
        auto const replication = connect(port).info("replication");
        auto const link = replication.find("master_link_status");
        if (link == replication.end() || link->second != "up") {
            if (past_deadline(run, "link_deadline", link_timeout_ms))
                return StepResult::fail(fmt::format("the replica on port {} did not sync with its primary", port));
            return StepResult::again_after(poll);
        }
    }
    return StepResult::next("finish");
}

std::vector<std::pair<int, int>> slot_ranges(std::string const& text)
{
    std::vector<std::pair<int, int>> ranges;
    std::string_view rest = text;
    while (!rest.empty()) {
        auto const comma = rest.find(',');
        auto const part = rest.substr(0, comma);
        auto const dash = part.find('-');
        int first = 0, last = 0;
        std::from_chars(part.data(), part.data() + (dash == std::string_view::npos ? part.size() : dash), first);
        last = first;
        if (dash != std::string_view::npos)
            std::from_chars(part.data() + dash + 1, part.data() + part.size(), last);
        ranges.emplace_back(first, last);
        if (comma == std::string_view::npos)
            break;
        rest.remove_prefix(comma + 1);
    }
    return ranges;
}

// Cluster mode enabled: each primary takes its slots and a config epoch, and
// every node meets the first one; gossip does the rest.
StepResult form_cluster(Run& run)
{
    auto const id = id_of(run.target());
    std::optional<GroupState> state;
    {
        auto tx = run.db().read();
        state = load_group(tx, run.scope(), id);
    }
    if (!state)
        return StepResult::fail("replication group " + id + " no longer exists");
    auto const nodes = state->nodes();
    if (nodes.empty())
        return StepResult::fail("replication group " + id + " has no nodes");
    int epoch = 0;
    for (auto const& node_group : state->group.node_groups) {
        for (auto const& member : state->members) {
            if (member.node_group_id != node_group.id)
                continue;
            for (auto const& node : member.nodes) {
                if (node.role != "primary")
                    continue;
                auto client = connect(node.port);
                auto const mine = redis::parse_cluster_nodes(client.checked({"CLUSTER", "NODES"}).text);
                bool const has_slots = std::ranges::any_of(mine, [](auto const& n) { return n.is_myself() && !n.slots.empty(); });
                if (!has_slots) {
                    std::vector<std::string> command{"CLUSTER", "ADDSLOTSRANGE"};
                    for (auto const& [first, last] : slot_ranges(node_group.slots)) {
                        command.push_back(std::to_string(first));
                        command.push_back(std::to_string(last));
                    }
                    client.checked(command);
                }
                // Fails harmlessly once the node knows others: then it has its epoch.
                client.command({"CLUSTER", "SET-CONFIG-EPOCH", std::to_string(++epoch)});
            }
        }
    }
    // A short node timeout while the cluster forms: an idle node that joins
    // waits clamp(cluster-node-timeout, 500, 5000) ms before it reports ok.
    auto const& first = *nodes.front();
    for (auto const* node : nodes) {
        auto client = connect(node->port);
        client.checked({"CONFIG", "SET", "cluster-node-timeout", std::to_string(formation_node_timeout_ms)});
        if (node != &first)
            client.checked({"CLUSTER", "MEET", "127.0.0.1", std::to_string(first.port)});
    }
    return StepResult::next("replicate");
}

std::string cluster_node_id(int port) { return connect(port).checked({"CLUSTER", "MYID"}).text; }

StepResult replicate(Run& run)
{
    auto const id = id_of(run.target());
    std::optional<GroupState> state;
    {
        auto tx = run.db().read();
        state = load_group(tx, run.scope(), id);
    }
    if (!state)
        return StepResult::fail("replication group " + id + " no longer exists");
    std::map<std::string, std::string> primary_of_group;  // node group -> redis cluster node id
    for (auto const& member : state->members)
        for (auto const& node : member.nodes)
            if (node.role == "primary")
                primary_of_group[member.node_group_id.value_or("")] = cluster_node_id(node.port);
    for (auto const& member : state->members)
        for (auto const& node : member.nodes) {
            if (node.role != "replica")
                continue;
            auto const& primary = primary_of_group[member.node_group_id.value_or("")];
            auto client = connect(node.port);
            auto const known = redis::parse_cluster_nodes(client.checked({"CLUSTER", "NODES"}).text);
            auto const myself = std::ranges::find_if(known, [](auto const& n) { return n.is_myself(); });
            if (myself != known.end() && myself->master_id == primary)
                continue;
            if (std::ranges::none_of(known, [&](auto const& n) { return n.id == primary; })) {
                if (past_deadline(run, "replicate_deadline", link_timeout_ms))
                    return StepResult::fail(fmt::format("the node on port {} never learned of its primary", node.port));
                return StepResult::again_after(poll);  // gossip has not reached it yet
            }
            client.checked({"CLUSTER", "REPLICATE", primary});
        }
    return StepResult::next("wait_ok");
}

StepResult wait_cluster_ok(Run& run)
{
    auto const id = id_of(run.target());
    std::optional<GroupState> state;
    {
        auto tx = run.db().read();
        state = load_group(tx, run.scope(), id);
    }
    if (!state)
        return StepResult::fail("replication group " + id + " no longer exists");
    auto const total = state->nodes().size();
    for (auto const* node : state->nodes()) {
        auto client = connect(node->port);
        auto const info = client.checked({"CLUSTER", "INFO"}).text;
        bool ok = info.find("cluster_state:ok") != std::string::npos &&
                  info.find("cluster_known_nodes:" + std::to_string(total) + "\r") != std::string::npos;
        if (ok && node->role == "replica") {
            auto const replication = client.info("replication");
            auto const link = replication.find("master_link_status");
            ok = link != replication.end() && link->second == "up";
        }
        if (!ok) {
            if (past_deadline(run, "cluster_deadline", link_timeout_ms))
                return StepResult::fail(fmt::format("the cluster did not reach cluster_state:ok on port {}", node->port));
            return StepResult::again_after(poll);
        }
    }
    return StepResult::next("finish");
}

StepResult finish_group(Fleet& fleet, Run& run)
{
    auto const id = id_of(run.target());
    {
        // Back to the node timeout the nodes' configuration carries.
        auto tx = run.db().read();
        if (auto const state = load_group(tx, run.scope(), id); state && state->group.cluster_enabled)
            for (auto const& member : state->members)
                for (auto const& node : member.nodes)
                    connect(node.port).checked({"CONFIG", "SET", "cluster-node-timeout",
                                                std::to_string(fleet.settings_for(tx, run.scope(), member, node).cluster_node_timeout_ms)});
    }
    run.on_commit([id, scope = run.scope(), now = run.clock().now_ms()](store::Transaction& tx) {
        auto state = load_group(tx, scope, id);
        if (!state)
            return;
        for (auto& member : state->members) {
            for (auto node : member.nodes) {
                node.status = "available";
                store::save_cache_node(tx, scope, node);
            }
            member.settings.erase("initial_role");
            member.settings.erase("seed_rdb");
            member.status = "available";
            store::save_cache_cluster(tx, scope, member);
            record(tx, scope, "cache-cluster", member.id, "Cache cluster created", now);
        }
        for (auto& node_group : state->group.node_groups)
            node_group.status = "available";
        state->group.status = "available";
        store::save_replication_group(tx, scope, state->group);
        record(tx, scope, "replication-group", id, "Replication group " + id + " created", now);
        if (state->group.automatic_failover == "enabled")
            record(tx, scope, "replication-group", id,
                   "Automatic failover has been turned on for replication group " + id, now);
    });
    run.after_commit([&fleet] {
        fleet.refresh_endpoints();
        fleet.fill_pool();  // replace the pool nodes this group took
    });
    return StepResult::done();
}

void fail_group(Run& run, std::string const& reason)
{
    auto const id = id_of(run.target());
    run.on_commit([id, scope = run.scope(), reason, now = run.clock().now_ms()](store::Transaction& tx) {
        auto state = load_group(tx, scope, id);
        if (!state)
            return;
        for (auto& member : state->members) {
            member.status = "create-failed";
            store::save_cache_cluster(tx, scope, member);
        }
        state->group.status = "create-failed";
        store::save_replication_group(tx, scope, state->group);
        record(tx, scope, "replication-group", id, "Failed to create replication group " + id + ": " + reason, now);
    });
}

StepResult delete_group(Fleet& fleet, Run& run)
{
    auto const id = id_of(run.target());
    auto const& scope = run.scope();
    bool const retain_primary = run.data().contains("retain_primary") && run.data().at("retain_primary").as_bool();
    std::optional<GroupState> state;
    {
        auto tx = run.db().read();
        state = load_group(tx, scope, id);
    }
    if (!state)
        return StepResult::done();
    auto const primary = [&] {
        for (auto const& member : state->members)
            for (auto const& node : member.nodes)
                if (node.role == "primary")
                    return member.id;
        return std::string();
    }();
    for (auto const& member : state->members)
        if (!(retain_primary && member.id == primary))
            for (auto const& node : member.nodes)
                fleet.destroy_node(scope, member.id, node);
    run.on_commit([id, scope, state = *state, retain_primary, primary, now = run.clock().now_ms()](store::Transaction& tx) {
        for (auto const& member : state.members) {
            if (retain_primary && member.id == primary) {
                auto kept = member;
                kept.replication_group_id.reset();
                kept.node_group_id.reset();
                store::save_cache_cluster(tx, scope, kept);
                continue;
            }
            for (auto const& node : member.nodes)
                store::release_port(tx, node.port);
            store::delete_cache_cluster(tx, scope, member.id);
            store::delete_all_tags(tx, scope, {"cluster", member.id});
        }
        for (auto const port : {state.group.primary_endpoint_port, state.group.reader_endpoint_port,
                                state.group.configuration_endpoint_port})
            if (port)
                store::release_port(tx, *port);
        store::delete_replication_group(tx, scope, id);
        store::delete_all_tags(tx, scope, {"replicationgroup", id});
        record(tx, scope, "replication-group", id, "Replication group " + id + " deleted", now);
    });
    run.after_commit([&fleet] { fleet.refresh_endpoints(); });
    return StepResult::done();
}

// A parameter group's values changed: carry them to every cluster using it.
StepResult apply_parameter_group(Fleet& fleet, Run& run)
{
    auto const name = id_of(run.target());
    auto const& scope = run.scope();
    std::map<std::string, std::string, std::less<>> changed;
    for (auto const& [parameter, value] : run.data().at("changed").as_object())
        changed[std::string(parameter)] = std::string(value.as_string());
    std::vector<store::CacheCluster> clusters;
    {
        auto tx = run.db().read();
        for (auto& cluster : store::list_cache_clusters(tx, scope))
            if (cluster.parameter_group == name && cluster.status == "available")
                clusters.push_back(std::move(cluster));
    }
    std::vector<std::pair<std::string, json::object>> settings;
    for (auto const& cluster : clusters) {
        auto updated = cluster.settings;
        apply_parameters(fleet, run, cluster, changed, updated);
        settings.emplace_back(cluster.id, std::move(updated));
    }
    run.on_commit([scope, settings, changed, now = run.clock().now_ms()](store::Transaction& tx) {
        for (auto const& [id, values] : settings) {
            auto cluster = store::find_cache_cluster(tx, scope, id);
            if (!cluster)
                continue;
            cluster->settings = values;
            store::save_cache_cluster(tx, scope, *cluster);
            for (auto const& [parameter, value] : changed)
                record(tx, scope, "cache-cluster", id, "Updated parameter " + parameter + " to " + value, now);
        }
    });
    return StepResult::done();
}

}  // namespace

void add_cluster_kinds(Engine& engine, Fleet& fleet)
{
    auto const with = [&fleet](StepResult (*step)(Fleet&, Run&)) {
        return [&fleet, step](Run& run) { return step(fleet, run); };
    };
    engine.add_kind("create_cache_cluster", {{{"start", with(create_cache_cluster)}}, fail_cluster});
    engine.add_kind("delete_cache_cluster", {{{"start", with(delete_cache_cluster)}}, {}});
    engine.add_kind("reboot_cache_cluster", {{{"start", with(reboot_cache_cluster)}}, back_to_available});
    engine.add_kind("modify_cache_cluster", {{{"start", with(modify_cache_cluster)}}, back_to_available});
    engine.add_kind("apply_pending_modifications", {{{"wait", with(apply_pending_modifications)}}, {}});
    engine.add_kind("create_replication_group", {{{"allocate", with(allocate_group)},
                                                  {"start", with(start_group)},
                                                  {"link", link_replicas},
                                                  {"form", form_cluster},
                                                  {"replicate", replicate},
                                                  {"wait_ok", wait_cluster_ok},
                                                  {"finish", with(finish_group)}},
                                                 fail_group});
    engine.add_kind("delete_replication_group", {{{"stop", with(delete_group)}}, {}});
    engine.add_kind("apply_parameter_group", {{{"start", with(apply_parameter_group)}}, {}});
}

}  // namespace keyfleet::workflows
