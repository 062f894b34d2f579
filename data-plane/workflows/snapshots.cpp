#include "workflows/snapshots.h"

#include "core/files.h"
#include "redis/client.h"
#include "store/clusters.h"
#include "store/snapshots.h"
#include "store/tags.h"
#include "workflows/node_ops.h"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <fstream>

namespace keyfleet::workflows {

namespace {

namespace fs = std::filesystem;

constexpr std::int64_t save_timeout_ms = 10 * 60'000;
constexpr auto save_poll_interval = std::chrono::milliseconds(5);

std::int64_t number(std::map<std::string, std::string, std::less<>> const& info, std::string_view key)
{
    std::int64_t value = -1;
    if (auto const found = info.find(key); found != info.end())
        std::from_chars(found->second.data(), found->second.data() + found->second.size(), value);
    return value;
}

// The node of the member cluster an RDB file is taken from.
std::optional<store::CacheNode> source_node(store::Transaction& tx, core::Scope const& scope,
                                            store::NodeSnapshot const& node_snapshot)
{
    auto const cluster = store::find_cache_cluster(tx, scope, node_snapshot.cache_cluster_id);
    if (!cluster)
        return std::nullopt;
    for (auto const& node : cluster->nodes)
        if (node.node_id == node_snapshot.cache_node_id)
            return node;
    return std::nullopt;
}

// Snapshots of the clusters of a group created with AtRestEncryptionEnabled are
// sealed (AES-256-GCM under the installation's key).
bool encrypted_at_rest(store::Transaction& tx, core::Scope const& scope, std::string const& cluster_id)
{
    auto const cluster = store::find_cache_cluster(tx, scope, cluster_id);
    if (!cluster || !cluster->replication_group_id)
        return false;
    auto const group = store::find_replication_group(tx, scope, *cluster->replication_group_id);
    auto const* flag = group ? group->settings.if_contains("AtRestEncryptionEnabled") : nullptr;
    return flag && flag->is_bool() && flag->as_bool();
}

// Events of a snapshot go to the cluster or group it was taken from, as on AWS.
void record_snapshot_event(store::Transaction& tx, core::Scope const& scope, store::Snapshot const& snapshot,
                           std::string const& message, std::int64_t now)
{
    if (snapshot.replication_group_id)
        record(tx, scope, "replication-group", *snapshot.replication_group_id, message, now);
    else if (snapshot.cache_cluster_id)
        record(tx, scope, "cache-cluster", *snapshot.cache_cluster_id, message, now);
}

// The cluster or group (and the member a member's snapshot was taken from)
// leave `snapshotting`.
void settle(store::Transaction& tx, core::Scope const& scope, std::string const& target, store::Snapshot const& snapshot)
{
    auto const id = id_of(target);
    if (target.starts_with("replicationgroup:")) {
        if (auto group = store::find_replication_group(tx, scope, id); group && group->status == "snapshotting") {
            group->status = "available";
            store::save_replication_group(tx, scope, *group);
        }
    }
    auto const cluster_id = target.starts_with("cluster:") ? std::optional(id) : snapshot.cache_cluster_id;
    if (cluster_id)
        if (auto cluster = store::find_cache_cluster(tx, scope, *cluster_id); cluster && cluster->status == "snapshotting") {
            cluster->status = "available";
            store::save_cache_cluster(tx, scope, *cluster);
        }
}

// The snapshot is available (again), with the node files given, and an event says why.
void make_available(store::Transaction& tx, core::Scope const& scope, std::string const& name,
                    std::string const& message, std::int64_t now,
                    std::optional<std::vector<store::NodeSnapshot>> const& nodes = {})
{
    auto snapshot = store::find_snapshot(tx, scope, name);
    if (!snapshot)
        return;
    if (nodes)
        snapshot->nodes = *nodes;
    snapshot->status = "available";
    store::save_snapshot(tx, scope, *snapshot);
    record_snapshot_event(tx, scope, *snapshot, message, now);
}

void remove_files(fs::path const& directory)
{
    std::error_code ignored;
    fs::remove_all(directory, ignored);
}

std::string damaged(store::NodeSnapshot const& node)
{
    return "the backup file of node group " + node.node_group_id + " is damaged";
}

// Copies a snapshot's file as it is (sealed stays sealed), checked against the
// checksum recorded when it was taken; answers what is wrong when it does not match.
std::optional<std::string> copy_checked(store::NodeSnapshot const& node, fs::path const& to)
{
    auto const digest = core::copy_durably(node.file, to);
    if (!node.sha256 || digest.sha256 != *node.sha256) {
        std::error_code ignored;
        fs::remove(to, ignored);
        return damaged(node);
    }
    return std::nullopt;
}

// An export is a plain RDB file whatever the snapshot's files are: checked, then
// opened when sealed.
std::optional<std::string> export_checked(Fleet& fleet, store::NodeSnapshot const& node, fs::path const& to)
{
    if (!node.sha256 || core::digest_file(node.file).sha256 != *node.sha256)
        return damaged(node);
    try {
        fleet.copy_plain(node.file, to);
    } catch (std::exception const&) {
        return damaged(node);
    }
    return std::nullopt;
}

StepResult delete_snapshot(Fleet& fleet, Run& run)
{
    auto const name = id_of(run.target());
    remove_files(fleet.snapshot_directory(run.scope(), name));
    run.on_commit([name, scope = run.scope()](store::Transaction& tx) {
        store::delete_snapshot(tx, scope, name);
        store::delete_all_tags(tx, scope, {"snapshot", name});
    });
    return StepResult::done();
}

// CopySnapshot: the source's files, checked against the checksums recorded when
// they were taken, into the copy's directory.
StepResult copy_snapshot(Fleet& fleet, Run& run)
{
    auto const name = id_of(run.target());
    auto const source_name = text(run.data(), "source");
    std::optional<store::Snapshot> source;
    {
        auto tx = run.db().read();
        source = store::find_snapshot(tx, run.scope(), source_name);
    }
    if (!source)
        return StepResult::fail("the source snapshot " + source_name + " no longer exists");
    auto const directory = fleet.snapshot_directory(run.scope(), name);
    fs::create_directories(directory);
    auto nodes = source->nodes;
    for (auto& node : nodes) {
        auto const target = directory / (node.node_group_id + ".rdb");
        if (auto const problem = copy_checked(node, target))
            return StepResult::fail(*problem + " in snapshot " + source_name);
        node.file = target.string();
    }
    run.on_commit([name, source_name, nodes, scope = run.scope(), now = run.clock().now_ms()](store::Transaction& tx) {
        make_available(tx, scope, name, "Snapshot " + name + " copied from " + source_name, now, nodes);
    });
    return StepResult::done();
}

void copy_failed(Fleet& fleet, Run& run, std::string const& reason)
{
    auto const name = id_of(run.target());
    remove_files(fleet.snapshot_directory(run.scope(), name));
    run.on_commit([name, reason, scope = run.scope(), now = run.clock().now_ms()](store::Transaction& tx) {
        if (auto copy = store::find_snapshot(tx, scope, name))
            record_snapshot_event(tx, scope, *copy, "Copying to snapshot " + name + " failed: " + reason, now);
        store::delete_snapshot(tx, scope, name);
        store::delete_all_tags(tx, scope, {"snapshot", name});
    });
}

// The export's objects: <TargetSnapshotName>-<node group>.rdb in the bucket.
std::vector<std::pair<store::NodeSnapshot, fs::path>> export_objects(Fleet& fleet, Run& run,
                                                                     store::Snapshot const& snapshot)
{
    auto const bucket = fleet.options().s3_dir / text(run.data(), "bucket");
    std::vector<std::pair<store::NodeSnapshot, fs::path>> objects;
    for (auto const& node : snapshot.nodes)
        objects.emplace_back(node, bucket / (text(run.data(), "name") + "-" + node.node_group_id + ".rdb"));
    return objects;
}

StepResult export_snapshot(Fleet& fleet, Run& run)
{
    auto const name = id_of(run.target());
    std::optional<store::Snapshot> snapshot;
    {
        auto tx = run.db().read();
        snapshot = store::find_snapshot(tx, run.scope(), name);
    }
    if (!snapshot)
        return StepResult::done();
    for (auto const& [node, object] : export_objects(fleet, run, *snapshot))
        if (auto const problem = export_checked(fleet, node, object))
            return StepResult::fail(*problem);
    run.on_commit([name, bucket = text(run.data(), "bucket"), scope = run.scope(),
                   now = run.clock().now_ms()](store::Transaction& tx) {
        make_available(tx, scope, name, "Snapshot " + name + " exported to bucket " + bucket, now);
    });
    return StepResult::done();
}

void export_failed(Fleet& fleet, Run& run, std::string const& reason)
{
    auto const name = id_of(run.target());
    std::optional<store::Snapshot> snapshot;
    {
        auto tx = run.db().read();
        snapshot = store::find_snapshot(tx, run.scope(), name);
    }
    if (snapshot)
        for (auto const& [node, object] : export_objects(fleet, run, *snapshot)) {
            std::error_code ignored;
            fs::remove(object, ignored);
        }
    run.on_commit([name, reason, scope = run.scope(), now = run.clock().now_ms()](store::Transaction& tx) {
        make_available(tx, scope, name, "Exporting snapshot " + name + " failed: " + reason, now);
    });
}

}  // namespace

StepResult save_snapshot(Run& run, std::string_view next)
{
    auto const name = text(run.data(), "snapshot");
    auto const& scope = run.scope();
    std::vector<std::pair<store::NodeSnapshot, std::optional<store::CacheNode>>> sources;
    {
        auto tx = run.db().read();
        auto const snapshot = store::find_snapshot(tx, scope, name);
        if (!snapshot)
            return StepResult::fail("snapshot " + name + " no longer exists");
        for (auto const& node : snapshot->nodes)
            sources.emplace_back(node, source_node(tx, scope, node));
    }
    auto& saves = run.data()["saves"];  // node group -> rdb_saves before our BGSAVE
    if (!saves.is_object())
        saves = json::object();
    bool done = true;
    for (auto const& [node_snapshot, node] : sources) {
        if (!node)
            return StepResult::fail("cache cluster " + node_snapshot.cache_cluster_id + " no longer exists");
        auto client = connect(*node);
        auto const info = client.info("persistence");
        bool const in_progress = number(info, "rdb_bgsave_in_progress") == 1;
        auto& started = saves.as_object();
        if (!started.contains(node_snapshot.node_group_id)) {
            // A save already under way began before the snapshot was asked for:
            // wait for it, then start one of our own.
            done = false;
            if (in_progress)
                continue;
            auto const before = number(info, "rdb_saves");
            auto const reply = client.command({"BGSAVE"});
            if (reply.is_error()) {
                if (reply.text.find("in progress") != std::string::npos)
                    continue;  // raced with another save: try again on the next poll
                return StepResult::fail(fmt::format("BGSAVE on {}:{} failed: {}", node->host, node->port, reply.text));
            }
            started[node_snapshot.node_group_id] = before;
            continue;
        }
        auto const before = started.at(node_snapshot.node_group_id).as_int64();
        if (in_progress || number(info, "rdb_saves") <= before) {
            if (!in_progress && number(info, "rdb_saves") <= before &&
                info.contains("rdb_last_bgsave_status") && info.at("rdb_last_bgsave_status") == "err")
                return StepResult::fail(fmt::format("the background save on {}:{} failed", node->host, node->port));
            done = false;
            continue;
        }
        if (info.contains("rdb_last_bgsave_status") && info.at("rdb_last_bgsave_status") != "ok")
            return StepResult::fail(fmt::format("the background save on {}:{} failed", node->host, node->port));
    }
    if (!done) {
        if (past_deadline(run, "save_deadline", save_timeout_ms))
            return StepResult::fail("the nodes did not finish saving their data within 10 minutes");
        return StepResult::again_after(save_poll_interval);
    }
    return StepResult::next(next);
}

StepResult write_snapshot(Fleet& fleet, Run& run, std::string_view next, bool settle_source)
{
    auto const name = text(run.data(), "snapshot");
    auto const& scope = run.scope();
    std::optional<store::Snapshot> snapshot;
    std::vector<std::optional<store::CacheNode>> sources;
    bool sealed = false;
    {
        auto tx = run.db().read();
        snapshot = store::find_snapshot(tx, scope, name);
        if (!snapshot)
            return StepResult::fail("snapshot " + name + " no longer exists");
        for (auto const& node : snapshot->nodes)
            sources.push_back(source_node(tx, scope, node));
        sealed = !snapshot->nodes.empty() && encrypted_at_rest(tx, scope, snapshot->nodes.front().cache_cluster_id);
    }
    auto const directory = fleet.snapshot_directory(scope, name);
    fs::create_directories(directory);
    core::sync_directory(directory.parent_path());
    auto const now = run.clock().now_ms();
    for (std::size_t i = 0; i < snapshot->nodes.size(); ++i) {
        auto& node_snapshot = snapshot->nodes[i];
        if (!sources[i])
            return StepResult::fail("cache cluster " + node_snapshot.cache_cluster_id + " no longer exists");
        // Redis replaces dump.rdb by a rename, so the copy reads one whole save.
        auto const saved = fs::path(sources[i]->directory) / "dump.rdb";
        char magic[5] = {};
        if (std::ifstream in(saved, std::ios::binary); !in.read(magic, sizeof magic) ||
                                                        std::string_view(magic, sizeof magic) != "REDIS")
            return StepResult::fail("the node's dump.rdb is not an RDB file");
        auto const file = directory / (node_snapshot.node_group_id + ".rdb");
        auto const digest = sealed ? core::seal_durably(saved, file, fleet.snapshot_key())
                                   : core::link_durably(saved, file);
        node_snapshot.file = file.string();
        node_snapshot.size = digest.size;
        node_snapshot.sha256 = digest.sha256;
        node_snapshot.snapshot_created_at = now;
    }
    run.on_commit([taken = *snapshot, target = run.target(), scope, settle_source, now](store::Transaction& tx) mutable {
        taken.status = "available";
        store::save_snapshot(tx, scope, taken);
        if (settle_source)
            settle(tx, scope, target, taken);
        record_snapshot_event(tx, scope, taken, "Snapshot succeeded for snapshot with ID '" + taken.name + "'", now);
    });
    return next.empty() ? StepResult::done() : StepResult::next(next);
}

void abandon_snapshot(Fleet& fleet, Run& run, std::string const& reason)
{
    auto const name = text(run.data(), "snapshot");
    if (name.empty())
        return;
    {
        // A snapshot that was written stays, whatever failed after it.
        auto tx = run.db().read();
        auto const snapshot = store::find_snapshot(tx, run.scope(), name);
        if (!snapshot || snapshot->status != "creating")
            return;
    }
    remove_files(fleet.snapshot_directory(run.scope(), name));
    run.on_commit([name, reason, target = run.target(), scope = run.scope(),
                   now = run.clock().now_ms()](store::Transaction& tx) {
        auto snapshot = store::find_snapshot(tx, scope, name);
        if (!snapshot)
            return;
        settle(tx, scope, target, *snapshot);
        record_snapshot_event(tx, scope, *snapshot, "Snapshot " + name + " failed: " + reason, now);
        store::delete_snapshot(tx, scope, name);
        store::delete_all_tags(tx, scope, {"snapshot", name});
    });
}

std::optional<std::string> damaged_seed(store::CacheCluster const& cluster)
{
    auto const* seed = cluster.settings.if_contains("seed_rdb");
    auto const* expected = cluster.settings.if_contains("seed_sha256");
    if (!seed || !expected)
        return std::nullopt;
    try {
        if (core::digest_file(std::string(seed->as_string())).sha256 != expected->as_string())
            return "the backup file " + std::string(seed->as_string()) + " does not match its checksum";
    } catch (std::exception const& e) {
        return std::string("the backup file is missing: ") + e.what();
    }
    return std::nullopt;
}

void add_snapshot_kinds(Engine& engine, Fleet& fleet)
{
    engine.add_kind("create_snapshot",
                    {{{"save", [](Run& run) { return save_snapshot(run, "write"); }},
                      {"write", [&fleet](Run& run) { return write_snapshot(fleet, run, "", true); }}},
                     [&fleet](Run& run, std::string const& reason) { abandon_snapshot(fleet, run, reason); }});
    engine.add_kind("copy_snapshot", {{{"copy", [&fleet](Run& run) { return copy_snapshot(fleet, run); }}},
                                      [&fleet](Run& run, std::string const& reason) { copy_failed(fleet, run, reason); }});
    engine.add_kind("export_snapshot",
                    {{{"export", [&fleet](Run& run) { return export_snapshot(fleet, run); }}},
                     [&fleet](Run& run, std::string const& reason) { export_failed(fleet, run, reason); }});
    engine.add_kind("delete_snapshot", {{{"remove", [&fleet](Run& run) { return delete_snapshot(fleet, run); }}}, {}});
}

}  // namespace keyfleet::workflows
