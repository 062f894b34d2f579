#include "workflows/reshard.h"

#include "core/slots.h"
#include "redis/client.h"
#include "runtime/redis_conf.h"
#include "store/clusters.h"
#include "store/tags.h"
#include "workflows/node_ops.h"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <exception>
#include <set>
#include <thread>

namespace keyfleet::workflows {

namespace {

using namespace std::chrono_literals;
using core::slot_count;

constexpr auto step_slice = 100ms;        // slots moved per step, so other workflows keep running
// Slots opened, emptied and handed over together: every SETSLOT round makes each
// node rewrite and fsync nodes.conf, so a batch grows while its keys are few
// (a batch quicker than fast_batch doubles) and shrinks when they are many.
constexpr std::size_t first_batch_slots = 128;
constexpr std::size_t fewest_batch_slots = 16;
constexpr std::size_t most_batch_slots = 2048;
constexpr auto fast_batch = 25ms;
constexpr auto slow_batch = 75ms;
constexpr char const* keys_per_migrate = "1000";
constexpr std::size_t migrates_per_round_trip = 4;
// MIGRATE's timeout is for each exchange with the target, not the whole batch;
// a primary that hangs holds the step at most for the command timeout.
constexpr char const* migrate_timeout_ms = "5000";
constexpr auto migrate_command_timeout = 10s;
constexpr std::int64_t unreachable_timeout_ms = 60'000;
constexpr auto failure_probe_timeout = 500ms;

struct GroupNow {
    store::ReplicationGroup group;
    std::vector<store::CacheCluster> members;
};

std::optional<GroupNow> load(store::Transaction& tx, core::Scope const& scope, std::string const& id)
{
    auto group = store::find_replication_group(tx, scope, id);
    if (!group)
        return std::nullopt;
    return GroupNow{std::move(*group), store::list_cache_clusters(tx, scope, id)};
}

std::set<std::string> removed_node_groups(json::object const& data)
{
    std::set<std::string> removed;
    if (auto const* list = data.if_contains("removed"))
        for (auto const& id : list->as_array())
            removed.emplace(id.as_string());
    return removed;
}

// node group -> its primary, as the store knows it.
std::map<std::string, store::CacheNode> primaries_of(GroupNow const& state)
{
    std::map<std::string, store::CacheNode> primaries;
    for (auto const& member : state.members)
        for (auto const& node : member.nodes)
            if (node.role == "primary" && member.node_group_id)
                primaries.emplace(*member.node_group_id, node);
    return primaries;
}

std::vector<std::string> setslot(int slot, std::string_view state, std::string const& node_id)
{
    return {"CLUSTER", "SETSLOT", std::to_string(slot), std::string(state), node_id};
}

bool says(redis::Reply const& reply, std::string_view text)
{
    return reply.is_error() && reply.text.find(text) != std::string::npos;
}

// An answer of a cluster still agreeing on its slots (after a failover, say):
// the batch is tried again.
struct ClusterSettling : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The slots one source primary gives one target primary; `moved` is what the
// target owns once move_pair returns, `error` why it stopped early.
struct PairMove {
    store::CacheNode source;
    store::CacheNode target;
    std::string target_node_group;
    std::vector<int> slots;
    std::vector<store::CacheNode> others;  // every other primary
    std::string password;                  // the group's AuthToken: MIGRATE authenticates with it
    std::vector<int> moved;
    std::exception_ptr error;
};

// Redis's own per-slot sequence, a batch of slots at a time, each stage
// pipelined: IMPORTING on the target, MIGRATING on the source, MIGRATE of every
// key (REPLACE: a key a stopped batch copied without deleting is overwritten by
// the source's), then SETSLOT NODE on the target, the source and every other
// primary. A slot the target already owns (a batch stopped after its hand-over)
// is only handed over again. Runs batches until `until`.
void move_pair(PairMove& move, std::chrono::steady_clock::time_point until)
{
    auto source = connect(move.source, std::chrono::duration_cast<std::chrono::milliseconds>(migrate_command_timeout));
    auto target = connect(move.target);
    auto const source_id = source.checked({"CLUSTER", "MYID"}).text;
    auto const target_id = target.checked({"CLUSTER", "MYID"}).text;
    std::vector<redis::Client> others;
    for (auto const& node : move.others) {
        try {
            others.push_back(connect(node));
        } catch (redis::ConnectionError const&) {
            // gossip tells it
        }
    }
    auto const fail = [](std::string const& what, redis::Reply const& reply) {
        for (auto const* passing : {"CLUSTERDOWN", "TRYAGAIN", "LOADING", "MASTERDOWN"})
            if (reply.text.find(passing) != std::string::npos)
                throw ClusterSettling(what + ": " + reply.text);
        throw std::runtime_error(what + ": " + reply.text);
    };
    // The target's view of who serves each slot. After a failover a target that
    // imports a slot may hold it as served by nobody (Redis updates no slot it
    // imports from gossip): it is told the source serves it.
    std::vector<std::string> serving(slot_count);
    for (auto const& node : redis::parse_cluster_nodes(target.checked({"CLUSTER", "NODES"}).text))
        for (auto const& [first, last] : node.slots)
            for (int slot = first; slot <= last && slot < slot_count; ++slot)
                serving[std::size_t(slot)] = node.id;
    std::size_t next = 0;
    std::size_t batch_slots = first_batch_slots;
    while (next < move.slots.size() && (next == 0 || std::chrono::steady_clock::now() < until)) {
        auto const batch_started = std::chrono::steady_clock::now();
        auto const end = std::min(move.slots.size(), next + batch_slots);
        std::vector<int> const batch(move.slots.begin() + std::ptrdiff_t(next), move.slots.begin() + std::ptrdiff_t(end));
        next = end;

        std::vector<std::vector<std::string>> commands;
        for (auto const slot : batch)
            if (auto const& server = serving[std::size_t(slot)]; server != source_id && server != target_id)
                commands.push_back(setslot(slot, "NODE", source_id));
        for (auto const& reply : target.pipeline(commands))
            if (reply.is_error())
                fail(fmt::format("CLUSTER SETSLOT NODE (the source) on {}:{}", move.target.host, move.target.port), reply);
        commands.clear();
        for (auto const slot : batch)
            commands.push_back(setslot(slot, "IMPORTING", source_id));
        auto replies = target.pipeline(commands);
        std::vector<int> open;  // slots the source still serves
        for (std::size_t i = 0; i < batch.size(); ++i) {
            if (!replies[i].is_error())
                open.push_back(batch[i]);
            else if (!says(replies[i], "already the owner"))
                fail(fmt::format("CLUSTER SETSLOT {} IMPORTING on {}:{}", batch[i], move.target.host, move.target.port),
                     replies[i]);
        }
        commands.clear();
        for (auto const slot : open)
            commands.push_back(setslot(slot, "MIGRATING", target_id));
        replies = source.pipeline(commands);
        for (std::size_t i = 0; i < open.size(); ++i)
            if (replies[i].is_error())
                fail(fmt::format("CLUSTER SETSLOT {} MIGRATING on {}:{}", open[i], move.source.host, move.source.port),
                     replies[i]);

        // Keys, until every open slot is empty on the source.
        auto pending = open;
        while (!pending.empty()) {
            commands.clear();
            for (auto const slot : pending)
                commands.push_back({"CLUSTER", "GETKEYSINSLOT", std::to_string(slot), keys_per_migrate});
            auto const keys = source.pipeline(commands);
            std::vector<std::vector<std::string>> migrates;
            std::vector<int> still;
            for (std::size_t i = 0; i < pending.size(); ++i) {
                if (keys[i].is_error())
                    fail(fmt::format("CLUSTER GETKEYSINSLOT {} on {}:{}", pending[i], move.source.host,
                                     move.source.port),
                         keys[i]);
                if (keys[i].elements.empty())
                    continue;
                std::vector<std::string> migrate{"MIGRATE", move.target.host, std::to_string(move.target.port), "", "0",
                                                 migrate_timeout_ms, "REPLACE"};
                if (!move.password.empty()) {
                    migrate.push_back("AUTH");
                    migrate.push_back(move.password);
                }
                migrate.push_back("KEYS");
                for (auto const& key : keys[i].elements)
                    migrate.push_back(key.text);
                migrates.push_back(std::move(migrate));
                still.push_back(pending[i]);
            }
            // A few MIGRATEs per round trip: the source serves other clients between them.
            for (std::size_t first = 0; first < migrates.size(); first += migrates_per_round_trip) {
                std::vector<std::vector<std::string>> const round(
                    migrates.begin() + std::ptrdiff_t(first),
                    migrates.begin() + std::ptrdiff_t(std::min(migrates.size(), first + migrates_per_round_trip)));
                for (auto const& reply : source.pipeline(round))
                    if (reply.is_error())
                        fail(fmt::format("MIGRATE from {}:{} to {}:{}", move.source.host, move.source.port,
                                         move.target.host, move.target.port),
                             reply);
            }
            pending = std::move(still);
        }

        // The hand-over: the target first, so the source's ASK always finds an owner.
        commands.clear();
        for (auto const slot : batch)
            commands.push_back(setslot(slot, "NODE", target_id));
        replies = target.pipeline(commands);
        for (std::size_t i = 0; i < batch.size(); ++i)
            if (replies[i].is_error())
                fail(fmt::format("CLUSTER SETSLOT {} NODE on {}:{}", batch[i], move.target.host, move.target.port),
                     replies[i]);
        replies = source.pipeline(commands);
        for (std::size_t i = 0; i < batch.size(); ++i)
            if (replies[i].is_error())
                fail(fmt::format("CLUSTER SETSLOT {} NODE on {}:{}", batch[i], move.source.host, move.source.port),
                     replies[i]);
        for (auto& other : others) {
            try {
                other.pipeline(commands);  // an error only means gossip got there first
            } catch (redis::ConnectionError const&) {
            }
        }
        move.moved.insert(move.moved.end(), batch.begin(), batch.end());
        auto const took = std::chrono::steady_clock::now() - batch_started;
        if (took < fast_batch)
            batch_slots = std::min(most_batch_slots, batch_slots * 2);
        else if (took > slow_batch)
            batch_slots = std::max(fewest_batch_slots, batch_slots / 2);
    }
}

void record_progress(store::Transaction& tx, core::Scope const& scope, std::string const& id,
                     std::array<std::string, slot_count> const& owner, double percentage)
{
    auto group = store::find_replication_group(tx, scope, id);
    if (!group)
        return;
    for (auto& node_group : group->node_groups) {
        std::vector<int> slots;
        for (int slot = 0; slot < slot_count; ++slot)
            if (owner[std::size_t(slot)] == node_group.id)
                slots.push_back(slot);
        node_group.slots = core::slots_text(std::move(slots));
    }
    auto pending = group->settings.contains("PendingModifiedValues")
                       ? group->settings.at("PendingModifiedValues").as_object()
                       : json::object{};
    pending["Resharding"] = {{"SlotMigration", {{"ProgressPercentage", percentage}}}};
    group->settings["PendingModifiedValues"] = pending;
    store::save_replication_group(tx, scope, *group);
}

void clear_progress(store::ReplicationGroup& group)
{
    if (auto* pending = group.settings.if_contains("PendingModifiedValues"); pending && pending->is_object()) {
        pending->as_object().erase("Resharding");
        if (pending->as_object().empty())
            group.settings.erase("PendingModifiedValues");
    }
}

// Forgets and stops the members of node groups, deleting their records.
void remove_node_groups(Fleet& fleet, Run& run, GroupNow const& state, std::set<std::string> const& going_groups)
{
    std::vector<store::CacheCluster> going;
    for (auto const& member : state.members)
        if (member.node_group_id && going_groups.contains(*member.node_group_id))
            going.push_back(member);
    std::vector<std::string> forgotten;
    for (auto const& member : going)
        for (auto const& node : member.nodes) {
            try {
                forgotten.push_back(connect(node).checked({"CLUSTER", "MYID"}).text);
            } catch (std::exception const&) {
                // not running: nothing to forget that gossip keeps
            }
        }
    for (auto const& member : state.members)
        if (!member.node_group_id || !going_groups.contains(*member.node_group_id))
            for (auto const& node : member.nodes) {
                std::vector<std::vector<std::string>> commands;
                for (auto const& node_id : forgotten)
                    commands.push_back({"CLUSTER", "FORGET", node_id});
                try {
                    if (!commands.empty())
                        connect(node).pipeline(commands);
                } catch (redis::ConnectionError const&) {
                    // a node that is down forgets when it hears from the others
                }
            }
    for (auto const& member : going)
        for (auto const& node : member.nodes)
            fleet.destroy_node(run.scope(), member.id, node);
    run.on_commit([id = state.group.id, scope = run.scope(), going, going_groups,
                   now = run.clock().now_ms()](store::Transaction& tx) {
        for (auto const& member : going) {
            for (auto const& node : member.nodes)
                store::release_address(tx, node.address());
            store::delete_cache_cluster(tx, scope, member.id);
            store::delete_all_tags(tx, scope, {"cluster", member.id});
            record(tx, scope, "cache-cluster", member.id, "Cache cluster " + member.id + " deleted", now);
        }
        if (auto group = store::find_replication_group(tx, scope, id)) {
            std::erase_if(group->node_groups, [&](auto const& node_group) { return going_groups.contains(node_group.id); });
            store::save_replication_group(tx, scope, *group);
        }
        for (auto const& node_group : going_groups)
            record(tx, scope, "replication-group", id, "Removed node group " + node_group, now);
    });
    run.after_commit([&fleet] { fleet.refresh_endpoints(); });
}

// Every slot open on a primary (migrating or importing), with the node group
// it was moving to. A primary that does not answer is left to the move itself.
std::map<int, std::string> open_slots(std::map<std::string, store::CacheNode> const& primaries)
{
    std::map<std::string, std::string> node_group_of;  // cluster node id -> node group
    std::map<std::string, std::vector<redis::ClusterNode::OpenSlot>> open;  // node group -> its open slots
    for (auto const& [node_group, primary] : primaries) {
        try {
            auto client = connect(primary);
            for (auto const& node : redis::parse_cluster_nodes(client.checked({"CLUSTER", "NODES"}).text))
                if (node.is_myself()) {
                    node_group_of[node.id] = node_group;
                    open[node_group] = node.open_slots;
                }
        } catch (redis::ConnectionError const&) {
        }
    }
    std::map<int, std::string> toward;
    for (auto const& [node_group, slots] : open)
        for (auto const& slot : slots) {
            if (slot.importing) {
                toward[slot.slot] = node_group;
            } else if (auto const peer = node_group_of.find(slot.peer); peer != node_group_of.end()) {
                toward.emplace(slot.slot, peer->second);
            }
        }
    return toward;
}

struct FailedPrimary {
    std::string cluster_id;
    std::string node_group;
};

// The first node group whose primary does not answer and that has a replica
// that does.
std::optional<FailedPrimary> failed_primary(GroupNow const& state,
                                            std::map<std::string, store::CacheNode> const& primaries)
{
    auto const answers = [](store::CacheNode const& node) {
        try {
            return !connect(node, failure_probe_timeout).command({"PING"}).is_error();
        } catch (std::exception const&) {
            return false;
        }
    };
    for (auto const& [node_group, primary] : primaries) {
        if (answers(primary))
            continue;
        for (auto const& member : state.members)
            if (member.node_group_id == node_group && !member.nodes.empty() &&
                member.nodes.front().role == "replica" && answers(member.nodes.front()))
                return FailedPrimary{primary.cluster_id, node_group};
    }
    return std::nullopt;
}

}  // namespace

StepResult migrate_slots(Run& run)
{
    auto const id = id_of(run.target());
    auto const& scope = run.scope();
    auto& data = run.data();
    std::optional<GroupNow> state;
    {
        auto tx = run.db().read();
        state = load(tx, scope, id);
    }
    if (!state)
        return StepResult::fail("replication group " + id + " no longer exists");
    auto const removed = removed_node_groups(data);
    auto const primaries = primaries_of(*state);

    // A primary that gives away its last slot stays a primary (Redis would make
    // it a replica of the node that took it): it is about to be removed. Set at
    // every step, as a node restarted meanwhile is back at its configuration.
    for (auto const& member : state->members)
        if (member.node_group_id && removed.contains(*member.node_group_id))
            for (auto const& node : member.nodes) {
                try {
                    connect(node).command({"CONFIG", "SET", "cluster-allow-replica-migration", "no"});
                } catch (redis::ConnectionError const&) {
                    // a failed node: the move finds it below
                }
            }

    std::array<std::string, slot_count> owner;
    for (auto const& node_group : state->group.node_groups)
        for (auto const slot : core::slots_of(node_group.slots))
            owner[std::size_t(slot)] = node_group.id;
    std::array<std::string, slot_count> wanted;
    for (auto const& [node_group, slots] : data.at("layout").as_object())
        for (auto const slot : core::slots_of(slots.as_string()))
            wanted[std::size_t(slot)] = node_group;
    // A slot a stopped move left open (a failover, a failed reshard) is first
    // finished toward the node group importing it; the plan moves it on from there.
    std::map<int, std::string> finishing;  // slot -> node group
    for (auto const& [slot, node_group] : open_slots(primaries))
        if (owner[std::size_t(slot)] != node_group)
            finishing[slot] = node_group;
    std::map<std::pair<std::string, std::string>, std::vector<int>> moves;  // (from, to) -> slots
    for (int slot = 0; slot < slot_count; ++slot) {
        auto const found = finishing.find(slot);
        auto const& to = found != finishing.end() ? found->second : wanted[std::size_t(slot)];
        if (owner[std::size_t(slot)] != to && !to.empty())
            moves[{owner[std::size_t(slot)], to}].push_back(slot);
    }
    if (moves.empty())
        return StepResult::next(removed.empty() ? "finish" : "forget");

    std::vector<PairMove> pairs;
    for (auto const& [from_to, slots] : moves) {
        auto const source = primaries.find(from_to.first);
        auto const target = primaries.find(from_to.second);
        if (source == primaries.end() || target == primaries.end())
            return StepResult::fail("node group " + (source == primaries.end() ? from_to.first : from_to.second) +
                                    " has no primary");
        PairMove pair{source->second, target->second, from_to.second, slots, {}, {}, {}, {}};
        if (auto const* token = state->group.settings.if_contains("AuthToken"); token && token->is_string())
            pair.password = std::string(token->as_string());
        for (auto const& [node_group, primary] : primaries)
            if (node_group != from_to.first && node_group != from_to.second)
                pair.others.push_back(primary);
        pairs.push_back(std::move(pair));
    }
    auto const until = std::chrono::steady_clock::now() + step_slice;
    {
        std::vector<std::jthread> workers;
        for (auto& pair : pairs)
            workers.emplace_back([&pair, until] {
                try {
                    move_pair(pair, until);
                } catch (...) {
                    pair.error = std::current_exception();
                }
            });
    }

    std::size_t moved = 0;
    std::optional<std::string> unreachable;
    std::optional<std::string> failure;
    for (auto const& pair : pairs) {
        for (auto const slot : pair.moved)
            owner[std::size_t(slot)] = pair.target_node_group;
        moved += pair.moved.size();
        if (!pair.error)
            continue;
        try {
            std::rethrow_exception(pair.error);
        } catch (redis::ConnectionError const& e) {
            unreachable = e.what();
        } catch (ClusterSettling const& e) {
            unreachable = e.what();
        } catch (std::exception const& e) {
            failure = e.what();
        }
    }
    std::size_t remaining = 0;
    for (int slot = 0; slot < slot_count; ++slot)
        if (owner[std::size_t(slot)] != wanted[std::size_t(slot)] && !wanted[std::size_t(slot)].empty())
            ++remaining;
    auto const total = data.contains("slots_to_move") ? std::size_t(data.at("slots_to_move").as_int64()) : remaining;
    double const percentage =
        total == 0 ? 100.0 : std::clamp(100.0 * double(total - std::min(total, remaining)) / double(total), 0.0, 100.0);
    if (moved > 0)
        run.on_commit([id, scope, owner, percentage](store::Transaction& tx) {
            record_progress(tx, scope, id, owner, std::round(percentage * 100) / 100);
        });
    // A failing step's changes are not committed: when slots moved before the
    // error, their new owners are recorded first and the next step meets it again.
    if (failure && moved > 0)
        return StepResult::again_after(0ms);
    if (failure)
        return StepResult::fail("moving slots failed: " + *failure);
    if (unreachable) {
        // A primary that does not answer with a replica to take over: a failover
        // first, then the move goes on from the new primary.
        if (auto const failed = failed_primary(*state, primaries)) {
            spdlog::warn("reshard of {}: the primary {} of node group {} does not answer: failing over", id,
                         failed->cluster_id, failed->node_group);
            data["node_group"] = failed->node_group;
            data["failed_cluster"] = failed->cluster_id;
            data.erase("unreachable_deadline");
            return StepResult::next("failover");
        }
        // Otherwise (a node restarting, the cluster settling after a failover): try the batch again.
        if (moved > 0)
            data.erase("unreachable_deadline");
        if (past_deadline(run, "unreachable_deadline", unreachable_timeout_ms))
            return StepResult::fail("moving slots failed: " + *unreachable);
        spdlog::warn("reshard of {}: {}; trying again", id, *unreachable);
        return StepResult::again_after(100ms);
    }
    data.erase("unreachable_deadline");
    return StepResult::again_after(0ms);
}

StepResult check_memory(Fleet& fleet, Run& run)
{
    auto const id = id_of(run.target());
    std::optional<GroupNow> state;
    auto const removed = removed_node_groups(run.data());
    std::int64_t used = 0;
    std::int64_t room = 0;
    {
        auto tx = run.db().read();
        state = load(tx, run.scope(), id);
        if (!state)
            return StepResult::fail("replication group " + id + " no longer exists");
        for (auto const& member : state->members)
            for (auto const& node : member.nodes) {
                if (node.role != "primary")
                    continue;
                auto const memory = connect(node).info("memory");
                if (auto const found = memory.find("used_memory"); found != memory.end())
                    used += std::stoll(found->second);
                if (member.node_group_id && !removed.contains(*member.node_group_id)) {
                    auto const settings = fleet.settings_for(tx, run.scope(), member, node);
                    room += runtime::data_memory(settings.parameters, settings.maxmemory_bytes);
                }
            }
    }
    if (room > 0 && used > room)
        return StepResult::fail(fmt::format("the data ({} bytes) does not fit the memory of the {} remaining node "
                                            "groups ({} bytes)",
                                            used, state->group.node_groups.size() - removed.size(), room));
    return StepResult::next("migrate");
}

StepResult forget_removed(Fleet& fleet, Run& run)
{
    auto const id = id_of(run.target());
    std::optional<GroupNow> state;
    {
        auto tx = run.db().read();
        state = load(tx, run.scope(), id);
    }
    if (!state)
        return StepResult::fail("replication group " + id + " no longer exists");
    auto const removed = removed_node_groups(run.data());
    for (auto const& node_group : state->group.node_groups)
        if (removed.contains(node_group.id) && !node_group.slots.empty())
            return StepResult::fail("node group " + node_group.id + " still owns slots " + node_group.slots);
    remove_node_groups(fleet, run, *state, removed);
    return StepResult::next("finish");
}

StepResult finish_reshard(Fleet& fleet, Run& run)
{
    auto const id = id_of(run.target());
    run.on_commit([id, scope = run.scope(), now = run.clock().now_ms()](store::Transaction& tx) {
        auto state = load(tx, scope, id);
        if (!state)
            return;
        for (auto const& member : make_new_members_available(tx, scope, state->members))
            record(tx, scope, "cache-cluster", member.id, "Cache cluster created", now);
        for (auto& node_group : state->group.node_groups)
            node_group.status = "available";
        state->group.status = "available";
        clear_progress(state->group);
        store::save_replication_group(tx, scope, state->group);
        record(tx, scope, "replication-group", id,
               fmt::format("Completed the shard configuration change of replication group {}: {} node groups", id,
                           state->group.node_groups.size()),
               now);
    });
    run.after_commit([&fleet] {
        fleet.refresh_endpoints();
        fleet.fill_pool();
    });
    return StepResult::done();
}

void reshard_failed(Fleet& fleet, Run& run, std::string const& reason)
{
    auto const id = id_of(run.target());
    std::optional<GroupNow> state;
    {
        auto tx = run.db().read();
        state = load(tx, run.scope(), id);
    }
    if (!state)
        return;
    // New node groups that took no slot go again; the store's Slots can trail the
    // nodes by a batch, so the primary itself must own no slot and hold no key.
    auto const holds_nothing = [&](std::string const& node_group) {
        auto const primaries = primaries_of(*state);
        auto const primary = primaries.find(node_group);
        if (primary == primaries.end())
            return true;  // never allocated
        try {
            auto client = connect(primary->second);
            for (auto const& node : redis::parse_cluster_nodes(client.checked({"CLUSTER", "NODES"}).text))
                if (node.is_myself() && (!node.slots.empty() || !node.open_slots.empty()))
                    return false;
            return client.checked({"DBSIZE"}).integer == 0;
        } catch (redis::ConnectionError const&) {
            return !fleet.runtime().running(Fleet::node_name(run.scope(), primary->second.cluster_id,
                                                             primary->second.node_id));
        }
    };
    std::set<std::string> empty_new;
    for (auto const& node_group : state->group.node_groups)
        if (node_group.status == "creating" && node_group.slots.empty() && holds_nothing(node_group.id))
            empty_new.insert(node_group.id);
    if (!empty_new.empty()) {
        try {
            remove_node_groups(fleet, run, *state, empty_new);
        } catch (std::exception const& e) {
            spdlog::warn("reshard of {}: removing the new node groups failed: {}", id, e.what());
        }
    }
    run.on_commit([id, scope = run.scope(), reason, now = run.clock().now_ms()](store::Transaction& tx) {
        auto latest = load(tx, scope, id);
        if (!latest)
            return;
        make_new_members_available(tx, scope, latest->members);
        for (auto& node_group : latest->group.node_groups)
            node_group.status = "available";
        latest->group.status = "available";
        clear_progress(latest->group);
        store::save_replication_group(tx, scope, latest->group);
        record(tx, scope, "replication-group", id,
               "Failed to complete the shard configuration change of replication group " + id + ": " + reason, now);
    });
}

}  // namespace keyfleet::workflows
