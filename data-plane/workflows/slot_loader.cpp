#include "workflows/slot_loader.h"

#include "core/files.h"
#include "redis/client.h"
#include "runtime/redis_conf.h"
#include "store/clusters.h"
#include "workflows/node_ops.h"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <random>
#include <set>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace keyfleet::workflows {

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr int slot_count = 16384;
constexpr auto step_slice = 100ms;            // keys moved per step, so other workflows keep running
constexpr char const* scan_count = "5000";
constexpr char const* migrate_timeout_ms = "60000";
constexpr auto loader_command_timeout = 70s;  // beyond MIGRATE's own timeout
constexpr std::int64_t loader_ready_timeout_ms = 10 * 60'000;
constexpr int replica_sync_timeout_ms = 30'000;
// redis-check-rdb reads the file on the engine thread first: 0.19 s for 23 MB (1M keys).
constexpr std::uintmax_t largest_seed_for_every_primary = 64u << 20;
constexpr std::size_t slots_per_trim = 256;
constexpr char const* keys_per_trim = "1000";

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

// One SCAN batch of the current database, each key sent to its node group's
// primary; answers how many keys were sent, or throws naming what failed.
std::size_t move_batch(redis::Client& loader, Plan const& plan, std::int64_t database, json::object& data)
{
    auto const reply = loader.checked({"SCAN", text(data, "load_cursor"), "COUNT", scan_count});
    if (reply.elements.size() != 2)
        throw std::runtime_error("unexpected SCAN reply from the loader");
    auto const& keys = reply.elements[1].elements;
    std::vector<std::vector<std::string>> by_target(plan.targets.size());
    for (auto const& key : keys) {
        auto const owner = plan.cluster_enabled ? plan.owner[std::size_t(redis::key_slot(key.text))] : 0;
        if (owner < 0)
            throw std::runtime_error("no node group owns the slot of a key");
        by_target[std::size_t(owner)].push_back(key.text);
    }
    for (std::size_t i = 0; i < plan.targets.size(); ++i) {
        if (by_target[i].empty())
            continue;
        auto const& primary = plan.targets[i].primary;
        std::vector<std::string> migrate{"MIGRATE", primary.host, std::to_string(primary.port), "",
                                         std::to_string(database), migrate_timeout_ms, "COPY", "REPLACE", "KEYS"};
        migrate.insert(migrate.end(), by_target[i].begin(), by_target[i].end());
        auto const moved = loader.command(migrate);
        if (moved.is_error())
            throw std::runtime_error(fmt::format("MIGRATE to {}:{} failed: {}", primary.host, primary.port, moved.text));
    }
    data["load_cursor"] = reply.elements[0].text;
    return keys.size();
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

// The databases an RDB file holds keys in, as redis-check-rdb (redis-server's
// own reader) reports them ("Selecting DB ID n"); nullopt when it cannot read it.
std::optional<std::set<int>> rdb_databases(std::string const& file)
{
    int pipe_ends[2];
    if (::pipe2(pipe_ends, O_CLOEXEC) != 0)
        return std::nullopt;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    std::string program = "redis-check-rdb";
    std::string argument = file;
    char* argv[] = {program.data(), argument.data(), nullptr};
    pid_t pid = 0;
    auto const spawned = ::posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_ends[1]);
    std::string output;
    if (spawned == 0) {
        char buffer[4096];
        for (ssize_t got; (got = ::read(pipe_ends[0], buffer, sizeof buffer)) != 0;) {
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0)
                break;
            output.append(buffer, std::size_t(got));
        }
    }
    ::close(pipe_ends[0]);
    if (spawned != 0)
        return std::nullopt;
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return std::nullopt;
    std::set<int> databases;
    constexpr std::string_view marker = "Selecting DB ID ";
    for (auto at = output.find(marker); at != std::string::npos; at = output.find(marker, at + 1))
        databases.insert(std::atoi(output.c_str() + at + marker.size()));
    return databases;
}

}  // namespace

bool every_primary_can_start_on_the_file(store::ReplicationGroup const& group)
{
    auto const* sources = group.settings.if_contains(load_sources_setting);
    if (!group.cluster_enabled || !sources || !sources->is_array() || sources->as_array().size() != 1)
        return false;
    auto const file = text(sources->as_array().front().as_object(), "file");
    std::error_code error;
    auto const size = fs::file_size(file, error);
    if (error || size > largest_seed_for_every_primary || core::is_sealed(file))
        return false;
    auto const databases = rdb_databases(file);
    return databases && (databases->empty() || *databases == std::set<int>{0});
}

std::string seed_every_primary(store::ReplicationGroup& group, std::vector<store::CacheCluster>& members)
{
    auto const source = group.settings.at(load_sources_setting).as_array().front().as_object();
    for (auto& member : members) {
        auto const* role = member.settings.if_contains("initial_role");
        if (!role || role->as_string() != "primary")
            continue;
        member.settings["seed_rdb"] = text(source, "file");
        // A snapshot's file has a checksum (and is linked, not copied); a bucket's object is copied.
        if (auto const sha256 = text(source, "sha256"); !sha256.empty())
            member.settings["seed_sha256"] = sha256;
        member.settings["seed_keep_slots"] = true;
    }
    group.settings.erase(load_sources_setting);
    return text(source, "label").empty() ? text(source, "file") : text(source, "label");
}

void keep_own_slots(store::CacheNode const& node, std::string const& slots)
{
    std::vector<bool> own(slot_count, false);
    for (auto const& [first, last] : slot_ranges(slots))
        for (int slot = first; slot <= last && slot < slot_count; ++slot)
            own[std::size_t(slot)] = true;
    auto client = connect(node, std::chrono::duration_cast<std::chrono::milliseconds>(loader_command_timeout));
    std::vector<int> foreign;  // slots the node took at load for keys that are not its own
    for (auto const& known : redis::parse_cluster_nodes(client.checked({"CLUSTER", "NODES"}).text))
        if (known.is_myself())
            for (auto const& [first, last] : known.slots)
                for (int slot = first; slot <= last; ++slot)
                    if (!own[std::size_t(slot)])
                        foreign.push_back(slot);
    for (std::size_t next = 0; next < foreign.size(); next += slots_per_trim) {
        std::vector<int> pending(foreign.begin() + std::ptrdiff_t(next),
                                 foreign.begin() + std::ptrdiff_t(std::min(foreign.size(), next + slots_per_trim)));
        while (!pending.empty()) {
            std::vector<std::vector<std::string>> commands;
            for (auto const slot : pending)
                commands.push_back({"CLUSTER", "GETKEYSINSLOT", std::to_string(slot), keys_per_trim});
            auto const keys = client.pipeline(commands);
            std::vector<std::vector<std::string>> unlinks;
            std::vector<int> still;
            for (std::size_t i = 0; i < pending.size(); ++i) {
                if (keys[i].is_error())
                    throw std::runtime_error("CLUSTER GETKEYSINSLOT failed: " + keys[i].text);
                if (keys[i].elements.empty())
                    continue;
                std::vector<std::string> unlink{"UNLINK"};
                for (auto const& key : keys[i].elements)
                    unlink.push_back(key.text);
                unlinks.push_back(std::move(unlink));
                still.push_back(pending[i]);
            }
            for (auto const& reply : client.pipeline(unlinks))
                if (reply.is_error())
                    throw std::runtime_error("UNLINK failed: " + reply.text);
            pending = std::move(still);
        }
    }
    std::vector<std::string> release{"CLUSTER", "DELSLOTSRANGE"};
    for (std::size_t i = 0; i < foreign.size();) {
        auto end = i;
        while (end + 1 < foreign.size() && foreign[end + 1] == foreign[end] + 1)
            ++end;
        release.push_back(std::to_string(foreign[i]));
        release.push_back(std::to_string(foreign[end]));
        i = end + 1;
    }
    if (release.size() > 2)
        client.checked(release);
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
    try {
        while (!databases.empty() && std::chrono::steady_clock::now() - started < step_slice) {
            auto const database = databases.front().as_int64();
            loader->checked({"SELECT", std::to_string(database)});
            moved += std::int64_t(move_batch(*loader, *plan, database, data));
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
