#include "workflows/slot_loader.h"

#include "core/files.h"
#include "redis/client.h"
#include "redis/rdb.h"
#include "runtime/redis_conf.h"
#include "store/clusters.h"
#include "workflows/node_ops.h"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <random>
#include <set>
#include <thread>


namespace keyfleet::workflows {

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr int slot_count = 16384;
constexpr auto step_slice = 100ms;            // keys moved per step, so other workflows keep running
constexpr char const* scan_count = "5000";
constexpr std::size_t parcel_bytes = 32u << 20;  // DUMP payloads held at once (estimated)
constexpr auto loader_command_timeout = 60s;
constexpr std::int64_t loader_ready_timeout_ms = 10 * 60'000;
constexpr int replica_sync_timeout_ms = 30'000;
// Files split on the engine thread: about 0.1 s for 23 MB (1M keys). Larger ones go through a loader.
constexpr std::uintmax_t largest_split = 64u << 20;

// Tells a loader that died under this keyfleet process (its file could not be
// read) from one that a restart of keyfleet stopped (start it again).
std::string const& process_token()
{
    static std::string const token = [] {
        std::random_device random;
        return fmt::format("{:08x}{:08x}", random(), random());
    }();
    return token;
}

std::string loader_name(core::Scope const& scope, std::string const& group)
{
    return fmt::format("loader/{}/{}/{}", scope.account, scope.region, group);
}

void release_loader_address(store::Transaction& tx, json::object const& data)
{
    auto const* host = data.if_contains("load_host");
    auto const* port = data.if_contains("load_port");
    if (host && port)
        store::release_address(tx, {std::string(host->as_string()), int(port->as_int64())});
}

struct Target {
    store::CacheNode primary;
    int replicas = 0;
};

struct Plan {
    bool cluster_enabled = false;
    json::array sources;
    std::vector<Target> targets;
    std::array<int, slot_count> owner{};  // slot -> index in targets
};

std::optional<Plan> plan_of(store::Transaction& tx, core::Scope const& scope, std::string const& id, std::string& problem)
{
    auto const group = store::find_replication_group(tx, scope, id);
    if (!group) {
        problem = "replication group " + id + " no longer exists";
        return std::nullopt;
    }
    Plan plan;
    plan.cluster_enabled = group->cluster_enabled;
    if (auto const* sources = group->settings.if_contains(load_sources_setting); sources && sources->is_array())
        plan.sources = sources->as_array();
    auto const members = store::list_cache_clusters(tx, scope, id);
    plan.owner.fill(-1);
    for (auto const& node_group : group->node_groups) {
        Target target;
        bool found = false;
        for (auto const& member : members) {
            if (member.node_group_id != node_group.id || member.nodes.empty())
                continue;
            if (member.nodes.front().role == "primary") {
                target.primary = member.nodes.front();
                found = true;
            } else {
                ++target.replicas;
            }
        }
        if (!found) {
            problem = "node group " + node_group.id + " has no primary";
            return std::nullopt;
        }
        auto const index = int(plan.targets.size());
        if (plan.cluster_enabled) {
            for (auto const& [first, last] : slot_ranges(node_group.slots))
                for (int slot = first; slot <= last && slot < slot_count; ++slot)
                    plan.owner[std::size_t(slot)] = index;
        } else {
            plan.owner.fill(index);
        }
        plan.targets.push_back(std::move(target));
    }
    return plan;
}

std::int64_t integer(json::object const& data, std::string_view key)
{
    auto const* value = data.if_contains(key);
    return value && value->is_int64() ? value->as_int64() : 0;
}

// The loader's own copy of the file, checked against the snapshot's checksum
// when it has one, then its redis-server started on it (not waited for).
std::optional<std::string> start_loader(Fleet& fleet, Run& run, std::string const& name, json::object const& source)
{
    auto const file = text(source, "file");
    store::Address address;
    {
        auto tx = run.db().write();
        release_loader_address(tx, run.data());
        address = fleet.allocate_address(tx, name, 6379, false);
        tx.commit();
    }
    auto const directory = fleet.options().nodes_dir / name;
    std::error_code ignored;
    fs::remove_all(directory, ignored);
    fs::create_directories(directory);
    try {
        if (auto const expected = text(source, "sha256"); !expected.empty() && core::digest_file(file).sha256 != expected)
            return "the backup file " + file + " does not match its checksum";
        fleet.copy_plain(file, directory / "dump.rdb");
    } catch (std::exception const& e) {
        return "the backup file " + file + " cannot be read: " + e.what();
    }
    runtime::NodeSettings settings;
    settings.port = static_cast<std::uint16_t>(address.port);
    settings.bind_host = fleet.options().loopback_addresses ? address.host : fleet.options().bind_host;
    settings.announce_host = address.host;
    settings.save_points = false;
    fleet.runtime().start(runtime::write_config(name, directory, settings));
    auto& data = run.data();
    data["load_host"] = address.host;
    data["load_port"] = address.port;
    data["load_process"] = process_token();
    data["load_cursor"] = "0";
    data.erase("load_databases");
    data.erase("load_ready_deadline");
    return std::nullopt;
}

// The databases of the loader that hold keys (INFO keyspace: db0:keys=...).
json::array databases_with_keys(redis::Client& loader)
{
    json::array databases;
    for (auto const& [name, value] : loader.info("keyspace"))
        if (name.starts_with("db"))
            databases.emplace_back(std::stoll(name.substr(2)));
    return databases;
}

// Sends each target its commands at once, one connection and thread per target,
// and throws naming the first error reply.
void send_to_targets(std::vector<redis::Client>& clients, Plan const& plan,
                     std::vector<std::vector<std::vector<std::string>>> const& commands)
{
    std::vector<std::string> errors(plan.targets.size());
    {
        std::vector<std::jthread> senders;
        for (std::size_t i = 0; i < plan.targets.size(); ++i) {
            if (commands[i].empty())
                continue;
            senders.emplace_back([&, i] {
                try {
                    for (auto const& reply : clients[i].pipeline(commands[i]))
                        if (reply.is_error()) {
                            errors[i] = reply.text;
                            return;
                        }
                } catch (std::exception const& e) {
                    errors[i] = e.what();
                }
            });
        }
    }
    for (std::size_t i = 0; i < errors.size(); ++i)
        if (!errors[i].empty()) {
            auto const& primary = plan.targets[i].primary;
            throw std::runtime_error(fmt::format("RESTORE into {}:{} failed: {}", primary.host, primary.port, errors[i]));
        }
}

// One SCAN batch of the current database, each key's DUMP sent to its node
// group's primary with RESTORE ... REPLACE ABSTTL (the loader's payload and
// expiry time as they are: nothing writes to the loader). Payloads are fetched
// in parcels of bounded size, so a batch of large keys never sits in memory at
// once. Answers how many keys were sent, or throws naming what failed.
std::size_t move_batch(redis::Client& loader, std::vector<redis::Client>& targets, Plan const& plan,
                       std::int64_t database, json::object& data)
{
    auto const reply = loader.checked({"SCAN", text(data, "load_cursor"), "COUNT", scan_count});
    if (reply.elements.size() != 2)
        throw std::runtime_error("unexpected SCAN reply from the loader");
    auto const& keys = reply.elements[1].elements;
    std::vector<std::vector<std::string>> sizes;
    sizes.reserve(keys.size());
    for (auto const& key : keys)
        sizes.push_back({"MEMORY", "USAGE", key.text, "SAMPLES", "1"});
    auto const estimates = loader.pipeline(sizes);
    std::size_t sent = 0;
    for (std::size_t first = 0; first < keys.size();) {
        std::size_t last = first;
        std::size_t bytes = 0;
        while (last < keys.size() && (last == first || bytes < parcel_bytes))
            bytes += std::size_t(std::max(0LL, estimates[last++].integer));
        std::vector<std::vector<std::string>> dumps;
        for (auto i = first; i < last; ++i) {
            dumps.push_back({"PEXPIRETIME", keys[i].text});
            dumps.push_back({"DUMP", keys[i].text});
        }
        auto payloads = loader.pipeline(dumps);
        std::vector<std::vector<std::vector<std::string>>> restores(plan.targets.size());
        for (auto i = first; i < last; ++i) {
            auto const& expires = payloads[2 * (i - first)];
            auto& payload = payloads[2 * (i - first) + 1];
            if (expires.is_error() || payload.is_error())
                throw std::runtime_error("DUMP failed on the loader: " + (expires.is_error() ? expires : payload).text);
            if (payload.type != redis::Reply::Type::string || expires.integer == -2)
                continue;  // expired in the loader meanwhile
            auto const owner = plan.cluster_enabled ? plan.owner[std::size_t(redis::key_slot(keys[i].text))] : 0;
            if (owner < 0)
                throw std::runtime_error("no node group owns the slot of a key");
            auto& commands = restores[std::size_t(owner)];
            if (commands.empty() && !plan.cluster_enabled)
                commands.push_back({"SELECT", std::to_string(database)});
            commands.push_back({"RESTORE", keys[i].text, std::to_string(std::max(0LL, expires.integer)),
                                std::move(payload.text), "REPLACE", "ABSTTL"});
            ++sent;
        }
        send_to_targets(targets, plan, restores);
        first = last;
    }
    data["load_cursor"] = reply.elements[0].text;
    return sent;
}

void remove_loader(Fleet& fleet, std::string const& name)
{
    if (fleet.runtime().running(name))
        fleet.runtime().stop(name, 10s);
    std::error_code ignored;
    fs::remove_all(fleet.options().nodes_dir / name, ignored);
}

// Every replica has what its primary was sent, before the group is available.
void wait_for_replicas(Plan const& plan)
{
    for (auto const& target : plan.targets)
        if (target.replicas > 0)
            connect(target.primary, std::chrono::milliseconds(replica_sync_timeout_ms + 5000))
                .command({"WAIT", std::to_string(target.replicas), std::to_string(replica_sync_timeout_ms)});
}

}  // namespace

fs::path seeds_directory(Fleet& fleet, core::Scope const& scope, std::string_view group)
{
    return fleet.options().nodes_dir / "seeds" / scope.account / scope.region / std::string(group);
}

std::optional<SplitSeeds> split_by_slot(Fleet& fleet, core::Scope const& scope, store::ReplicationGroup const& group,
                                        std::vector<store::CacheCluster> const& members)
{
    auto const* sources = group.settings.if_contains(load_sources_setting);
    if (!sources || !sources->is_array() || sources->as_array().empty())
        return std::nullopt;
    // Part i is node group i's: its primary starts on it.
    std::vector<std::string> primary_of_part;
    std::array<std::size_t, slot_count> part_of_slot{};
    for (auto const& node_group : group.node_groups) {
        auto const primary = std::ranges::find_if(members, [&](store::CacheCluster const& member) {
            auto const* role = member.settings.if_contains("initial_role");
            return member.node_group_id == node_group.id && role && role->as_string() == "primary";
        });
        if (primary == members.end() || !primary->nodes.empty())
            return std::nullopt;
        for (auto const& [first, last] : slot_ranges(node_group.slots))
            for (int slot = first; slot <= last && slot < slot_count; ++slot)
                part_of_slot[std::size_t(slot)] = primary_of_part.size();
        primary_of_part.push_back(primary->id);
    }
    if (primary_of_part.empty() || (!group.cluster_enabled && primary_of_part.size() != 1))
        return std::nullopt;
    std::vector<std::string> contents;
    std::vector<bool> checked;  // by the snapshot's SHA-256
    std::vector<std::string> labels;
    std::uintmax_t total = 0;
    for (auto const& source_value : sources->as_array()) {
        auto const& source = source_value.as_object();
        auto const file = text(source, "file");
        std::error_code error;
        total += fs::file_size(file, error);
        if (error || total > largest_split || core::is_sealed(file))
            return std::nullopt;  // the loader reports what is wrong with it, or opens it
        auto const expected = text(source, "sha256");
        core::FileDigest digest;
        contents.push_back(core::read_file(file, expected.empty() ? nullptr : &digest));
        if (!expected.empty() && digest.sha256 != expected)
            return std::nullopt;
        checked.push_back(!expected.empty());
        labels.push_back(text(source, "label").empty() ? file : text(source, "label"));
    }
    std::vector<redis::RdbInput> files;
    for (std::size_t i = 0; i < contents.size(); ++i)
        files.push_back({contents[i], checked[i]});
    redis::RdbSplit split;
    try {
        split = redis::split_rdb(
            files, primary_of_part.size(),
            [&](std::string_view key) { return group.cluster_enabled ? part_of_slot[std::size_t(redis::key_slot(key))] : 0; },
            group.cluster_enabled);
    } catch (redis::RdbError const& e) {
        spdlog::info("restore of {}: {}; the keys go through a loader", group.id, e.what());
        return std::nullopt;
    }
    SplitSeeds seeds;
    auto const directory = seeds_directory(fleet, scope, group.id);
    fs::create_directories(directory);
    for (std::size_t i = 0; i < primary_of_part.size(); ++i) {
        auto const part = directory / (primary_of_part[i] + ".rdb");
        core::write_file_durably(part, split.parts[i]);
        seeds.file_of_member[primary_of_part[i]] = part.string();
    }
    auto const what = fmt::format("{}", fmt::join(labels, ", "));
    seeds.events.push_back(fmt::format("Restored {} keys of {} into {} node group(s) by slot: each primary starts on "
                                       "its own slots' keys",
                                       split.keys, what, primary_of_part.size()));
    if (split.dropped_keys > 0)
        seeds.events.push_back(fmt::format("{} keys in databases other than 0 of {} were not restored: cluster mode has "
                                           "database 0 only",
                                           split.dropped_keys, what));
    return seeds;
}

std::optional<std::string> load_seed_parts(Fleet& fleet, std::vector<SeededPrimary> const& primaries)
{
    std::vector<std::string> problems(primaries.size());
    {
        std::vector<std::jthread> loaders;
        for (std::size_t i = 0; i < primaries.size(); ++i)
            loaders.emplace_back([&, i] {
                auto const& [node, part, slots] = primaries[i];
                try {
                    auto const dump = fs::path(node.directory) / "dump.rdb";
                    if (fs::exists(part))
                        fs::rename(part, dump);  // one file system; a resumed step finds it moved
                    if (!fs::exists(dump))
                        throw std::runtime_error("its part of the backup is gone");
                    auto client =
                        connect(node, std::chrono::duration_cast<std::chrono::milliseconds>(loader_command_timeout));
                    client.checked({"CONFIG", "SET", "cluster-node-timeout", std::to_string(formation_node_timeout_ms)});
                    take_slots(client, slots);
                    client.checked({fleet.debug_command(), "RELOAD", "NOSAVE"});
                } catch (std::exception const& e) {
                    problems[i] = fmt::format("the node {}:{} could not load its part of the backup: {}", node.host,
                                              node.port, e.what());
                }
            });
    }
    for (auto const& problem : problems)
        if (!problem.empty())
            return problem;
    return std::nullopt;
}

void remove_seed_parts(Fleet& fleet, core::Scope const& scope, std::string_view group)
{
    std::error_code ignored;
    auto const directory = seeds_directory(fleet, scope, group);
    fs::remove_all(directory, ignored);
    for (auto parent = directory.parent_path(); parent != fleet.options().nodes_dir && fs::is_empty(parent, ignored);
         parent = parent.parent_path())
        fs::remove(parent, ignored);
}

StepResult load_by_slot(Fleet& fleet, Run& run, std::string_view next)
{
    auto const id = id_of(run.target());
    auto const& scope = run.scope();
    std::string problem;
    std::optional<Plan> plan;
    {
        auto tx = run.db().read();
        plan = plan_of(tx, scope, id, problem);
    }
    if (!plan)
        return StepResult::fail(problem);
    auto& data = run.data();
    auto const index = std::size_t(integer(data, "load_file"));
    auto const name = loader_name(scope, id);
    if (index >= plan->sources.size()) {
        if (!plan->sources.empty())
            wait_for_replicas(*plan);
        return StepResult::next(next);
    }
    auto const& source = plan->sources[index].as_object();
    auto const file = text(source, "label").empty() ? text(source, "file") : text(source, "label");

    if (!fleet.runtime().running(name)) {
        if (text(data, "load_process") == process_token())
            return StepResult::fail(file + " could not be loaded: it is not a readable RDB file");
        if (auto const failure = start_loader(fleet, run, name, source))
            return StepResult::fail(*failure);
        return StepResult::again_after(poll_interval);
    }
    auto const host = text(data, "load_host");
    auto const port = static_cast<std::uint16_t>(integer(data, "load_port"));
    std::optional<redis::Client> loader;
    try {
        loader.emplace(host, port, std::chrono::duration_cast<std::chrono::milliseconds>(loader_command_timeout));
        if (auto const pong = loader->command({"PING"}); pong.is_error())
            loader.reset();  // -LOADING: still reading the file
    } catch (redis::ConnectionError const&) {
        loader.reset();
    }
    if (!loader) {
        if (past_deadline(run, "load_ready_deadline", loader_ready_timeout_ms))
            return StepResult::fail(file + " was not loaded within 10 minutes");
        return StepResult::again_after(20ms);
    }
    if (!data.contains("load_databases")) {
        auto databases = databases_with_keys(*loader);
        if (plan->cluster_enabled) {
            // Cluster mode has database 0 only; say what is left behind.
            json::array only_first;
            for (auto const& db : databases)
                if (db.as_int64() == 0)
                    only_first.push_back(db);
            auto const others = databases.size() - only_first.size();
            databases = std::move(only_first);
            if (others > 0)
                run.on_commit([id, scope, file, others, now = run.clock().now_ms()](store::Transaction& tx) {
                    record(tx, scope, "replication-group", id,
                           fmt::format("The keys of {} database(s) other than 0 of {} were not restored: cluster "
                                       "mode has database 0 only",
                                       others, file),
                           now);
                });
        }
        data["load_databases"] = std::move(databases);
        data["load_cursor"] = "0";
    }
    auto& databases = data["load_databases"].as_array();
    auto const started = std::chrono::steady_clock::now();
    std::int64_t moved = integer(data, "load_keys");
    std::vector<redis::Client> targets;
    try {
        for (auto const& target : plan->targets)
            targets.push_back(connect(target.primary, std::chrono::duration_cast<std::chrono::milliseconds>(loader_command_timeout)));
    } catch (std::exception const& e) {
        return StepResult::fail(std::string("restoring the keys of ") + file + " failed: " + e.what());
    }
    try {
        while (!databases.empty() && std::chrono::steady_clock::now() - started < step_slice) {
            auto const database = databases.front().as_int64();
            loader->checked({"SELECT", std::to_string(database)});
            moved += std::int64_t(move_batch(*loader, targets, *plan, database, data));
            if (text(data, "load_cursor") == "0")
                databases.erase(databases.begin());
        }
    } catch (redis::ConnectionError const& e) {
        // The loader went away mid-file: the next step starts it again or fails.
        spdlog::warn("restore of {}: lost the loader: {}", id, e.what());
        return StepResult::again_after(poll_interval);
    } catch (std::exception const& e) {
        return StepResult::fail(std::string("restoring the keys of ") + file + " failed: " + e.what());
    }
    data["load_keys"] = moved;
    if (!databases.empty())
        return StepResult::again_after(0ms);

    // This file is done: the next one, or the end.
    remove_loader(fleet, name);
    run.on_commit([id, scope, file, moved, groups = plan->targets.size(), loader_data = data,
                   now = run.clock().now_ms()](store::Transaction& tx) {
        release_loader_address(tx, loader_data);
        record(tx, scope, "replication-group", id,
               fmt::format("Restored {} keys of {} into {} node group(s) by slot", moved, file, groups), now);
    });
    for (auto const* key : {"load_host", "load_port", "load_process", "load_cursor", "load_databases",
                            "load_ready_deadline", "load_keys"})
        data.erase(key);
    data["load_file"] = std::int64_t(index + 1);
    return StepResult::again_after(0ms);
}

void stop_loader(Fleet& fleet, Run& run)
{
    auto const name = loader_name(run.scope(), id_of(run.target()));
    remove_loader(fleet, name);
    run.on_commit([loader_data = run.data()](store::Transaction& tx) { release_loader_address(tx, loader_data); });
}

}  // namespace keyfleet::workflows
