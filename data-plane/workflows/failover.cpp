#include "workflows/failover.h"

#include "redis/client.h"
#include "store/clusters.h"
#include "store/events.h"
#include "workflows/node_ops.h"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>

namespace keyfleet::workflows {

namespace {

using namespace std::chrono_literals;

constexpr auto command_timeout = 500ms;
constexpr std::int64_t recovery_timeout_ms = 60'000;

// Quick answers or none: a failover must not wait on a node that hangs.
redis::Client quick(store::CacheNode const& node) { return connect(node, command_timeout); }

bool flag(json::object const& data, std::string_view key)
{
    auto const* value = data.if_contains(key);
    return value && value->is_bool() && value->get_bool();
}

struct Shard {
    store::ReplicationGroup group;
    std::vector<store::CacheCluster> members;  // of the node group, primary first once known
};

std::optional<Shard> load_shard(store::Transaction& tx, core::Scope const& scope, std::string const& group_id,
                                std::string const& node_group)
{
    auto group = store::find_replication_group(tx, scope, group_id);
    if (!group)
        return std::nullopt;
    Shard shard{std::move(*group), {}};
    for (auto& member : store::list_cache_clusters(tx, scope, group_id))
        if (member.node_group_id.value_or("0001") == node_group && !member.nodes.empty())
            shard.members.push_back(std::move(member));
    return shard;
}

store::CacheCluster const* find_member(Shard const& shard, std::string const& id)
{
    for (auto const& member : shard.members)
        if (member.id == id)
            return &member;
    return nullptr;
}

store::CacheCluster const* current_primary(Shard const& shard)
{
    for (auto const& member : shard.members)
        if (member.nodes.front().role == "primary")
            return &member;
    return nullptr;
}

std::int64_t replication_offset(store::CacheNode const& node)
{
    auto const replication = quick(node).info("replication");
    for (auto const* key : {"slave_repl_offset", "master_repl_offset"})
        if (auto const found = replication.find(key); found != replication.end()) {
            std::int64_t offset = 0;
            std::from_chars(found->second.data(), found->second.data() + found->second.size(), offset);
            return offset;
        }
    return -1;
}

// A planned failover with cluster mode disabled: writes to the primary pause
// until the chosen replica has all of them, then it takes over (the repoint step
// makes the old primary its replica, which ends the pause).
bool catch_up(store::CacheNode const& primary, store::CacheNode const& replica)
{
    quick(primary).checked({"CLIENT", "PAUSE", "5000", "WRITE"});
    return replication_offset(replica) >= replication_offset(primary);
}

bool is_primary(store::CacheNode const& node)
{
    auto const role = quick(node).checked({"ROLE"});
    return !role.elements.empty() && role.elements.front().text == "master";
}

// The process of a failed node may still run (it stopped answering): it is killed
// before its node is restarted, so the restart starts from its files alone.
void kill_if_running(Fleet& fleet, std::string const& name)
{
    fleet.runtime().stop(name, 0ms);  // no grace: SIGKILL at once, and known to be keyfleet's doing
}

void record(store::Transaction& tx, core::Scope const& scope, std::string_view type, std::string_view id,
            std::string const& message, std::int64_t now)
{
    store::record_event(tx, scope, type, id, message, now);
}

std::string group_of(Run& run) { return run.target().substr(run.target().find(':') + 1); }

// Whether the cluster's node still answers (a dead or paused one does not).
bool primary_answers(Run& run, std::string const& cluster_id)
{
    std::optional<store::CacheCluster> cluster;
    {
        auto tx = run.db().read();
        cluster = store::find_cache_cluster(tx, run.scope(), cluster_id);
    }
    if (!cluster || cluster->nodes.empty())
        return false;
    try {
        return !quick(cluster->nodes.front()).command({"PING"}).is_error();
    } catch (std::exception const&) {
        return false;
    }
}

// --- failover ------------------------------------------------------------------------

StepResult promote(Fleet& fleet, Run& run)
{
    auto const group_id = group_of(run);
    auto const& scope = run.scope();
    auto& data = run.data();
    auto const node_group = text(data, "node_group");
    std::optional<Shard> shard;
    {
        auto tx = run.db().read();
        shard = load_shard(tx, scope, group_id, node_group);
    }
    if (!shard)
        return StepResult::done();
    auto const* old_primary = data.contains("failed_cluster") ? find_member(*shard, text(data, "failed_cluster"))
                                                               : current_primary(*shard);
    if (!old_primary)
        return StepResult::fail("node group " + node_group + " has no primary");
    data["old_primary"] = old_primary->id;
    // A failed primary that still runs (it stopped answering) must not take writes
    // any more, nor keep its primary endpoint's address from the new primary.
    if (data.contains("failed_cluster") && !flag(data, "planned") && !old_primary->nodes.empty())
        kill_if_running(fleet, Fleet::node_name(scope, old_primary->id, old_primary->nodes.front().node_id));

    // The replica that has the most of the primary's data, unless one was chosen.
    store::CacheCluster const* chosen = nullptr;
    if (auto const wanted = text(data, "new_primary"); !wanted.empty()) {
        chosen = find_member(*shard, wanted);
    } else {
        std::int64_t best = -1;
        for (auto const& member : shard->members) {
            if (member.id == old_primary->id || member.nodes.front().status != "available")
                continue;
            try {
                if (auto const offset = replication_offset(member.nodes.front()); offset > best) {
                    best = offset;
                    chosen = &member;
                }
            } catch (std::exception const& e) {
                spdlog::warn("failover of {}: replica {} does not answer: {}", group_id, member.id, e.what());
            }
        }
    }
    if (!chosen)
        return StepResult::fail("no replica of node group " + node_group + " can take over");
    auto const& node = chosen->nodes.front();
    bool const planned = flag(data, "planned");
    if (!is_primary(node)) {
        auto client = quick(node);
        if (!shard->group.cluster_enabled) {
            if (planned && !catch_up(old_primary->nodes.front(), node))
                return StepResult::again_after(1ms);
            client.checked({"REPLICAOF", "NO", "ONE"});
        } else if (planned) {
            client.checked({"CLUSTER", "FAILOVER"});  // coordinated with the primary: no write is lost
        } else {
            client.checked({"CLUSTER", "FAILOVER", "TAKEOVER"});  // the failed primary cannot agree
        }
    }
    if (shard->group.cluster_enabled && !is_primary(node))
        return StepResult::again_after(1ms);  // the cluster failover completes asynchronously
    data["new_primary"] = chosen->id;
    run.on_commit([scope, old_id = old_primary->id, new_id = chosen->id, group_id, node_group,
                   now = run.clock().now_ms()](store::Transaction& tx) {
        for (auto const& id : {old_id, new_id})
            if (auto cluster = store::find_cache_cluster(tx, scope, id))
                for (auto member_node : cluster->nodes) {
                    member_node.role = id == new_id ? "primary" : "replica";
                    store::save_cache_node(tx, scope, member_node);
                }
        record(tx, scope, "replication-group", group_id,
               fmt::format("Failover from primary node {} to replica node {} completed", old_id, new_id), now);
    });
    run.after_commit([&fleet] { fleet.refresh_endpoints(); });
    return StepResult::next("repoint");
}

// Cluster mode disabled: the other replicas follow the new primary.
StepResult repoint(Run& run)
{
    auto const group_id = group_of(run);
    auto const& data = run.data();
    std::optional<Shard> shard;
    {
        auto tx = run.db().read();
        shard = load_shard(tx, run.scope(), group_id, text(data, "node_group"));
    }
    if (!shard)
        return StepResult::done();
    if (!shard->group.cluster_enabled) {
        auto const* primary = find_member(*shard, text(data, "new_primary"));
        if (!primary)
            return StepResult::fail("the new primary " + text(data, "new_primary") + " is gone");
        auto const& primary_node = primary->nodes.front();
        auto const primary_port = std::to_string(primary_node.port);
        bool const old_alive = flag(data, "planned");
        for (auto const& member : shard->members) {
            if (member.id == primary->id || (member.id == text(data, "old_primary") && !old_alive))
                continue;
            auto client = quick(member.nodes.front());
            auto const replication = client.info("replication");
            auto const master_port = replication.find("master_port");
            auto const master_host = replication.find("master_host");
            if (master_port == replication.end() || master_port->second != primary_port ||
                master_host == replication.end() || master_host->second != primary_node.host)
                client.checked({"REPLICAOF", primary_node.host, primary_port});
            if (member.id == text(data, "old_primary"))
                client.command({"CLIENT", "UNPAUSE"});
        }
    }
    return StepResult::next("recover");
}

// The failed primary comes back as a replica of the new one, from its own data.
StepResult recover(Fleet& fleet, Run& run)
{
    auto const group_id = group_of(run);
    auto const& scope = run.scope();
    auto& data = run.data();
    auto const old_id = text(data, "old_primary");
    std::optional<store::CacheCluster> old_primary;
    {
        auto tx = run.db().read();
        old_primary = store::find_cache_cluster(tx, scope, old_id);
    }
    if (!old_primary || old_primary->nodes.empty())
        return StepResult::done();
    auto const& node = old_primary->nodes.front();
    auto const name = Fleet::node_name(scope, old_id, node.node_id);
    if (!flag(data, "planned") && !data.contains("restarted")) {
        kill_if_running(fleet, name);
        std::vector<Fleet::Launch> launch;
        {
            auto tx = run.db().read();
            launch.push_back({scope, *old_primary, node, fleet.settings_for(tx, scope, *old_primary, node)});
        }
        if (auto const problem = fleet.launch(launch, node_start_timeout))
            return StepResult::fail("the failed primary did not come back: " + *problem);
        data["restarted"] = true;
        run.on_commit([scope, old_id, node_id = node.node_id, now = run.clock().now_ms()](store::Transaction& tx) {
            record(tx, scope, "cache-cluster", old_id, "Recovering cache nodes " + node_id, now);
        });
        return StepResult::again_after(0ms);
    }
    // The new primary failed in turn: this failover is over, and the health monitor
    // takes up the new failure (it waits for no workflow to run on the group).
    if (auto const new_primary = text(data, "new_primary"); !new_primary.empty() && !primary_answers(run, new_primary)) {
        spdlog::warn("failover of {}: the new primary {} failed during recovery", group_id, new_primary);
        return StepResult::done();
    }
    // Done once it replicates from the new primary.
    auto const replication = quick(node).info("replication");
    auto const role = replication.find("role");
    auto const link = replication.find("master_link_status");
    bool const synced = role != replication.end() && role->second == "slave" && link != replication.end() &&
                        link->second == "up";
    if (!synced) {
        auto const now = run.clock().now_ms();
        if (!data.contains("recover_deadline"))
            data["recover_deadline"] = now + recovery_timeout_ms;
        if (now > data.at("recover_deadline").as_int64())
            return StepResult::fail("the old primary " + old_id + " did not resync with the new primary");
        return StepResult::again_after(5ms);
    }
    run.on_commit([scope, old_id, node_id = node.node_id, planned = flag(data, "planned"),
                   now = run.clock().now_ms()](store::Transaction& tx) {
        if (!planned)
            record(tx, scope, "cache-cluster", old_id, "Finished recovery for cache nodes " + node_id, now);
    });
    run.after_commit([&fleet] { fleet.refresh_endpoints(); });
    return StepResult::done();
}

// --- replace in place ------------------------------------------------------------------

StepResult restart_node(Fleet& fleet, Run& run)
{
    auto const& scope = run.scope();
    auto& data = run.data();
    auto const cluster_id = text(data, "cluster");
    auto const node_id = text(data, "node");
    std::vector<Fleet::Launch> launch;
    {
        auto tx = run.db().read();
        auto const cluster = store::find_cache_cluster(tx, scope, cluster_id);
        if (!cluster)
            return StepResult::done();
        auto const node = std::ranges::find(cluster->nodes, node_id, &store::CacheNode::node_id);
        if (node == cluster->nodes.end())
            return StepResult::done();
        launch.push_back({scope, *cluster, *node, fleet.settings_for(tx, scope, *cluster, *node)});
    }
    kill_if_running(fleet, Fleet::node_name(scope, cluster_id, node_id));
    if (auto const problem = fleet.launch(launch, node_start_timeout))
        return StepResult::fail(*problem);
    run.on_commit([scope, cluster_id, node_id, now = run.clock().now_ms()](store::Transaction& tx) {
        record(tx, scope, "cache-cluster", cluster_id, "Recovering cache nodes " + node_id, now);
        record(tx, scope, "cache-cluster", cluster_id, "Finished recovery for cache nodes " + node_id, now);
    });
    run.after_commit([&fleet] { fleet.refresh_endpoints(); });
    return StepResult::done();
}

// A node that could not be brought back stays down, and its cluster's events say why;
// the health monitor tries again later (with a growing pause).
void recovery_failed(Run& run, std::string const& reason)
{
    auto const& data = run.data();
    std::string cluster_id;
    for (auto const* key : {"old_primary", "failed_cluster", "cluster"})
        if (cluster_id.empty())
            cluster_id = text(data, key);
    if (cluster_id.empty())
        return;
    auto const node_id = data.contains("node") ? text(data, "node") : std::string("0001");
    run.on_commit([scope = run.scope(), cluster_id, node_id, reason, now = run.clock().now_ms()](store::Transaction& tx) {
        record(tx, scope, "cache-cluster", cluster_id, "Failed to recover cache node " + node_id + ": " + reason, now);
    });
}

}  // namespace

void add_failover_kinds(Engine& engine, Fleet& fleet)
{
    auto const with = [&fleet](StepResult (*step)(Fleet&, Run&)) {
        return [&fleet, step](Run& run) { return step(fleet, run); };
    };
    engine.add_kind("failover",
                    {{{"promote", with(promote)}, {"repoint", repoint}, {"recover", with(recover)}}, recovery_failed});
    engine.add_kind("replace_node", {{{"restart", with(restart_node)}}, recovery_failed});
}

void add_failover_steps(KindDefinition& kind, Fleet& fleet, std::string const& then)
{
    // The failover workflow's own step names, mapped into the host's; its end is `then`.
    auto const mapped = [then](StepResult result, Run& run) {
        if (result.kind == StepResult::Kind::next && result.next_step == "repoint")
            result.next_step = "failover_repoint";
        else if (result.kind == StepResult::Kind::next && result.next_step == "recover")
            result.next_step = "failover_recover";
        else if (result.kind == StepResult::Kind::done) {
            for (auto const* key : {"node_group", "failed_cluster", "planned", "new_primary", "old_primary", "restarted",
                                    "recover_deadline"})
                run.data().erase(key);
            result = StepResult::next(then);
        }
        return result;
    };
    kind.steps["failover"] = [&fleet, mapped](Run& run) { return mapped(promote(fleet, run), run); };
    kind.steps["failover_repoint"] = [mapped](Run& run) { return mapped(repoint(run), run); };
    kind.steps["failover_recover"] = [&fleet, mapped](Run& run) { return mapped(recover(fleet, run), run); };
}

}  // namespace keyfleet::workflows
