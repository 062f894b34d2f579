#include "workflows/clusters.h"

#include "catalog/catalog.h"
#include "redis/client.h"
#include "store/clusters.h"
#include "store/events.h"
#include "store/tags.h"
#include "workflows/node_ops.h"
#include "workflows/snapshots.h"

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
        if (auto const problem = damaged_seed(cluster))
            return StepResult::fail(*problem);
        if (cluster.nodes.empty()) {
            store::CacheNode node{id, "0001", "", 0, "", "creating", "primary", run.clock().now_ms()};
            auto const address = fleet.allocate_address(tx, "node:" + Fleet::node_name(scope, id, "0001"), cluster.port, false);
            node.host = address.host;
            node.port = address.port;
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
    if (auto const problem = fleet.launch(launches, node_start_timeout))
        return StepResult::fail(*problem);
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
        current->settings.erase("seed_sha256");
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
            store::release_address(tx, node.address());
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
    if (auto const problem = fleet.launch(launches, node_start_timeout))
        return StepResult::fail(*problem);
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
        if (auto const problem = scale_node_type(fleet, run, *cluster, wanted))
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

// A deletion whose final snapshot failed stops there: the cluster keeps
// serving, so no data is lost without the backup asked for.
void delete_failed(Fleet& fleet, Run& run, std::string const& reason)
{
    abandon_snapshot(fleet, run, reason);
    auto const id = id_of(run.target());
    run.on_commit([id, scope = run.scope(), reason, now = run.clock().now_ms()](store::Transaction& tx) {
        auto cluster = store::find_cache_cluster(tx, scope, id);
        if (!cluster)
            return;
        cluster->status = "available";
        store::save_cache_cluster(tx, scope, *cluster);
        record(tx, scope, "cache-cluster", id, "Deletion of cache cluster " + id + " stopped: " + reason, now);
    });
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
        if (auto const problem = scale_node_type(fleet, run, *cluster, wanted))
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
    engine.add_kind("delete_cache_cluster",
                    {{{"final_snapshot", [](Run& run) { return save_snapshot(run, "final_snapshot_write"); }},
                      {"final_snapshot_write", [&fleet](Run& run) { return write_snapshot(fleet, run, "start", false); }},
                      {"start", with(delete_cache_cluster)}},
                     [&fleet](Run& run, std::string const& reason) { delete_failed(fleet, run, reason); }});
    engine.add_kind("reboot_cache_cluster", {{{"start", with(reboot_cache_cluster)}}, back_to_available});
    engine.add_kind("modify_cache_cluster", {{{"start", with(modify_cache_cluster)}}, back_to_available});
    engine.add_kind("apply_pending_modifications", {{{"wait", with(apply_pending_modifications)}}, {}});
    engine.add_kind("apply_parameter_group", {{{"start", with(apply_parameter_group)}}, {}});
}

}  // namespace keyfleet::workflows
