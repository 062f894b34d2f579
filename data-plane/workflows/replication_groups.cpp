#include "workflows/replication_groups.h"

#include "catalog/catalog.h"
#include "redis/client.h"
#include "store/clusters.h"
#include "store/events.h"
#include "store/tags.h"
#include "workflows/failover.h"
#include "workflows/node_ops.h"
#include "workflows/reshard.h"
#include "workflows/slot_loader.h"
#include "workflows/snapshots.h"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <set>
#include <thread>

namespace keyfleet::workflows {

namespace {

using namespace std::chrono_literals;



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
    // Files restored by slot are split before any node starts, with no transaction open.
    std::optional<SplitSeeds> seeds;
    {
        std::optional<GroupState> state;
        {
            auto tx = run.db().read();
            state = load_group(tx, scope, id);
        }
        if (state)
            seeds = split_by_slot(fleet, scope, state->group, state->members);
    }
    auto tx = run.db().write();
    auto state = load_group(tx, scope, id);
    if (!state)
        return StepResult::fail("replication group " + id + " no longer exists");
    if (seeds && state->group.settings.contains(load_sources_setting)) {
        // Cluster mode loads each part into a running primary (which may come from
        // the pool); otherwise the primary starts on its part.
        auto const setting = state->group.cluster_enabled ? "seed_part" : "seed_rdb";
        for (auto& member : state->members)
            if (auto const seed = seeds->file_of_member.find(member.id); seed != seeds->file_of_member.end()) {
                member.settings[setting] = seed->second;
                store::save_cache_cluster(tx, scope, member);
            }
        state->group.settings.erase(load_sources_setting);
        for (auto const& event : seeds->events)
            record(tx, scope, "replication-group", id, event, run.clock().now_ms());
    }
    std::vector<std::pair<Fleet::PoolNode, std::string>> adopted;  // pool node, cluster id
    for (auto const& member : state->members) {
        if (!member.nodes.empty())
            continue;
        auto const* role = member.settings.if_contains("initial_role");
        store::CacheNode node{member.id,  "0001", "", 0, "", "creating",
                              role ? std::string(role->as_string()) : std::string("primary"), run.clock().now_ms()};
        auto const owner = "node:" + Fleet::node_name(scope, member.id, "0001");
        // A cluster-mode node comes pre-started from the pool when one is ripe.
        // A node restored shard for shard starts with its data, so not from the pool.
        // Pool nodes serve plaintext: a TLS node starts with its certificate.
        auto const* transit = member.settings.if_contains("TransitEncryptionEnabled");
        bool const poolable = state->group.cluster_enabled && !member.settings.contains("seed_rdb") &&
                              !(transit && transit->as_bool());
        if (auto pool_node = poolable ? fleet.take_pool_node(tx, owner, member.port) : std::nullopt) {
            node.host = pool_node->address.host;
            node.port = pool_node->address.port;
            adopted.emplace_back(std::move(*pool_node), member.id);
        } else {
            auto const address = fleet.allocate_address(tx, owner, member.port, state->group.cluster_enabled);
            node.host = address.host;
            node.port = address.port;
        }
        node.directory = fleet.node_directory(scope, member.id, "0001").string();
        store::save_cache_node(tx, scope, node);
    }
    auto& group = state->group;
    auto const endpoint_owner = [&](std::string_view which) { return "endpoint:" + scope.account + "/" + scope.region + "/" + id + "/" + std::string(which); };
    if (group.cluster_enabled) {
        if (!group.configuration_endpoint)
            group.configuration_endpoint = fleet.allocate_address(tx, endpoint_owner("configuration"), group.port, false);
    } else {
        if (!group.primary_endpoint)
            group.primary_endpoint = fleet.allocate_address(tx, endpoint_owner("primary"), group.port, false);
        if (!group.reader_endpoint)
            group.reader_endpoint = fleet.allocate_address(tx, endpoint_owner("reader"), group.port, false);
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
    std::vector<std::pair<std::string, std::string>> group_slots;  // node group -> its slots
    bool cluster_enabled = false;
    {
        auto tx = run.db().read();
        auto const state = load_group(tx, scope, id);
        if (!state)
            return StepResult::fail("replication group " + id + " no longer exists");
        cluster_enabled = state->group.cluster_enabled;
        for (auto const& node_group : state->group.node_groups)
            group_slots.emplace_back(node_group.id, node_group.slots);
        // Every shard's backup is checked before any node starts: never a group half restored.
        for (auto const& member : state->members)
            if (auto const problem = damaged_seed(member))
                return StepResult::fail(*problem);
        for (auto const& member : state->members)
            for (auto const& node : member.nodes)
                launches.push_back({scope, member, node, fleet.settings_for(tx, scope, member, node)});
    }
    if (auto const problem = fleet.launch(launches, node_start_timeout))
        return StepResult::fail(*problem);
    std::vector<SeededPrimary> seeded;
    for (auto const& launch : launches) {
        auto const* part = launch.cluster.settings.if_contains("seed_part");
        if (!part || launch.node.role != "primary")
            continue;
        auto const node_group = std::ranges::find_if(group_slots, [&](auto const& entry) {
            return entry.first == launch.cluster.node_group_id.value_or("");
        });
        seeded.push_back({launch.node, std::string(part->as_string()),
                          node_group == group_slots.end() ? std::string() : node_group->second});
    }
    if (auto const problem = load_seed_parts(fleet, seeded))
        return StepResult::fail(*problem);
    return StepResult::next(cluster_enabled ? "form" : "link");
}

// Cluster mode disabled: replicas start with replicaof in their config; wait
// until each has synced with its primary.
StepResult link_replicas(Run& run)
{
    auto const id = id_of(run.target());
    std::vector<store::CacheNode> replicas;
    {
        auto tx = run.db().read();
        auto const state = load_group(tx, run.scope(), id);
        if (!state)
            return StepResult::fail("replication group " + id + " no longer exists");
        for (auto const* node : state->nodes())
            if (node->role == "replica")
                replicas.push_back(*node);
    }
    for (auto const& replica : replicas) {
        auto const replication = connect(replica).info("replication");
        auto const link = replication.find("master_link_status");
        if (link == replication.end() || link->second != "up") {
            if (past_deadline(run, "link_deadline", link_timeout_ms))
                return StepResult::fail(
                    fmt::format("the replica {}:{} did not sync with its primary", replica.host, replica.port));
            return StepResult::again_after(poll_interval);
        }
    }
    return StepResult::next("load");
}

// Cluster mode enabled: each primary takes its slots and a config epoch, and
// every node meets every primary.
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
                auto client = connect(node);
                take_slots(client, node_group.slots);
                // Fails harmlessly once the node knows others: then it has its epoch.
                client.command({"CLUSTER", "SET-CONFIG-EPOCH", std::to_string(++epoch)});
            }
        }
    }
    // A short node timeout while the cluster forms: an idle node that joins
    // waits clamp(cluster-node-timeout, 500, 5000) ms before it reports ok.
    // Every node meets every primary (and the first node): no node waits for
    // gossip to learn who owns which slots.
    auto const& first = *nodes.front();
    for (auto const* node : nodes) {
        std::vector<std::vector<std::string>> commands{
            {"CONFIG", "SET", "cluster-node-timeout", std::to_string(formation_node_timeout_ms)}};
        for (auto const* other : nodes)
            if (other != node && (other == &first || other->role == "primary"))
                commands.push_back({"CLUSTER", "MEET", other->host, std::to_string(other->port)});
        for (auto const& reply : connect(*node).pipeline(commands))
            if (reply.is_error())
                return StepResult::fail(fmt::format("the node {}:{} did not join: {}", node->host, node->port, reply.text));
    }
    return StepResult::next("replicate");
}

std::string cluster_node_id(store::CacheNode const& node) { return connect(node).checked({"CLUSTER", "MYID"}).text; }

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
                primary_of_group[member.node_group_id.value_or("")] = cluster_node_id(node);
    for (auto const& member : state->members)
        for (auto const& node : member.nodes) {
            if (node.role != "replica")
                continue;
            auto const& primary = primary_of_group[member.node_group_id.value_or("")];
            auto client = connect(node);
            auto const known = redis::parse_cluster_nodes(client.checked({"CLUSTER", "NODES"}).text);
            auto const myself = std::ranges::find_if(known, [](auto const& n) { return n.is_myself(); });
            if (myself != known.end() && myself->master_id == primary)
                continue;
            if (std::ranges::none_of(known, [&](auto const& n) { return n.id == primary; })) {
                if (past_deadline(run, "replicate_deadline", link_timeout_ms))
                    return StepResult::fail(fmt::format("the node {}:{} never learned of its primary", node.host, node.port));
                return StepResult::again_after(poll_interval);  // gossip has not reached it yet
            }
            client.checked({"CLUSTER", "REPLICATE", primary});
        }
    return StepResult::next("wait_ok");
}

StepResult wait_cluster_ok(Run& run, std::string_view next)
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
        auto client = connect(*node);
        auto const info = client.checked({"CLUSTER", "INFO"}).text;
        // Every node knows every other and who owns every slot (a parameter group
        // may set cluster-require-full-coverage no: then ok alone says neither).
        bool ok = info.find("cluster_state:ok") != std::string::npos &&
                  info.find("cluster_known_nodes:" + std::to_string(total) + "\r") != std::string::npos &&
                  info.find("cluster_slots_assigned:16384\r") != std::string::npos;
        if (ok && node->role == "replica") {
            auto const replication = client.info("replication");
            auto const link = replication.find("master_link_status");
            ok = link != replication.end() && link->second == "up";
        }
        if (!ok) {
            if (past_deadline(run, "cluster_deadline", link_timeout_ms))
                return StepResult::fail(fmt::format("the cluster did not reach cluster_state:ok on {}:{}", node->host, node->port));
            return StepResult::again_after(poll_interval);
        }
    }
    return StepResult::next(next);
}

// Cluster mode: back to the node timeout the nodes' configuration carries,
// after the short one the formation used.
void restore_node_timeout(Fleet& fleet, Run& run, std::string const& id)
{
    auto tx = run.db().read();
    if (auto const state = load_group(tx, run.scope(), id); state && state->group.cluster_enabled)
        for (auto const& member : state->members)
            for (auto const& node : member.nodes)
                connect(node).checked(
                    {"CONFIG", "SET", "cluster-node-timeout",
                     std::to_string(fleet.settings_for(tx, run.scope(), member, node).cluster_node_timeout_ms)});
}

StepResult finish_group(Fleet& fleet, Run& run)
{
    auto const id = id_of(run.target());
    restore_node_timeout(fleet, run, id);
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
            member.settings.erase("seed_sha256");
            member.settings.erase("seed_part");
            member.status = "available";
            store::save_cache_cluster(tx, scope, member);
            record(tx, scope, "cache-cluster", member.id, "Cache cluster created", now);
        }
        for (auto& node_group : state->group.node_groups)
            node_group.status = "available";
        state->group.settings.erase(load_sources_setting);
        state->group.status = "available";
        store::save_replication_group(tx, scope, state->group);
        record(tx, scope, "replication-group", id, "Replication group " + id + " created", now);
        if (state->group.automatic_failover == "enabled")
            record(tx, scope, "replication-group", id,
                   "Automatic failover has been turned on for replication group " + id, now);
    });
    run.after_commit([&fleet, scope = run.scope(), id] {
        remove_seed_parts(fleet, scope, id);
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
                store::release_address(tx, node.address());
            store::delete_cache_cluster(tx, scope, member.id);
            store::delete_all_tags(tx, scope, {"cluster", member.id});
        }
        for (auto const& endpoint :
             {state.group.primary_endpoint, state.group.reader_endpoint, state.group.configuration_endpoint})
            if (endpoint)
                store::release_address(tx, *endpoint);
        store::delete_replication_group(tx, scope, id);
        store::delete_all_tags(tx, scope, {"replicationgroup", id});
        record(tx, scope, "replication-group", id, "Replication group " + id + " deleted", now);
    });
    run.after_commit([&fleet] { fleet.refresh_endpoints(); });
    return StepResult::done();
}



// After replicas were added: the new members are available, the endpoints
// (the reader endpoint) include them.
StepResult finish_scaling(Fleet& fleet, Run& run)
{
    auto const id = id_of(run.target());
    restore_node_timeout(fleet, run, id);
    run.on_commit([id, scope = run.scope(), now = run.clock().now_ms()](store::Transaction& tx) {
        auto state = load_group(tx, scope, id);
        if (!state)
            return;
        for (auto const& member : make_new_members_available(tx, scope, state->members))
            record(tx, scope, "cache-cluster", member.id,
                   "Added cache node 0001 in availability zone " + member.availability_zone, now);
        state->group.status = "available";
        store::save_replication_group(tx, scope, state->group);
        record(tx, scope, "replication-group", id, "Finished increasing the number of replicas of " + id, now);
    });
    run.after_commit([&fleet] {
        fleet.refresh_endpoints();
        fleet.fill_pool();
    });
    return StepResult::done();
}

void fail_scaling(Run& run, std::string const& reason)
{
    auto const id = id_of(run.target());
    run.on_commit([id, scope = run.scope(), reason, now = run.clock().now_ms()](store::Transaction& tx) {
        auto state = load_group(tx, scope, id);
        if (!state)
            return;
        state->group.status = "available";
        store::save_replication_group(tx, scope, state->group);
        record(tx, scope, "replication-group", id, "Failed to change the replicas of " + id + ": " + reason, now);
    });
}

// Removes the replica members named in data.clusters (a cluster-mode node is
// forgotten by every other node first).
StepResult remove_replicas(Fleet& fleet, Run& run)
{
    auto const id = id_of(run.target());
    auto const& scope = run.scope();
    std::set<std::string> removed;
    for (auto const& cluster : run.data().at("clusters").as_array())
        removed.emplace(cluster.as_string());
    std::optional<GroupState> state;
    {
        auto tx = run.db().read();
        state = load_group(tx, scope, id);
    }
    if (!state)
        return StepResult::done();
    std::vector<store::CacheCluster> going;
    for (auto const& member : state->members)
        if (removed.contains(member.id))
            going.push_back(member);
    if (state->group.cluster_enabled) {
        for (auto const& member : going) {
            for (auto const& node : member.nodes) {
                std::string node_id;
                try {
                    node_id = connect(node).checked({"CLUSTER", "MYID"}).text;
                } catch (std::exception const&) {
                    continue;  // not running: the others forget it below once it is gone from their tables
                }
                for (auto const& other : state->members)
                    if (!removed.contains(other.id))
                        for (auto const& other_node : other.nodes)
                            connect(other_node).command({"CLUSTER", "FORGET", node_id});
            }
        }
    }
    for (auto const& member : going)
        for (auto const& node : member.nodes)
            fleet.destroy_node(scope, member.id, node);
    run.on_commit([id, scope, going, now = run.clock().now_ms()](store::Transaction& tx) {
        for (auto const& member : going) {
            for (auto const& node : member.nodes) {
                store::release_address(tx, node.address());
                record(tx, scope, "cache-cluster", member.id, "Removed cache nodes " + node.node_id, now);
            }
            store::delete_cache_cluster(tx, scope, member.id);
            store::delete_all_tags(tx, scope, {"cluster", member.id});
        }
        if (auto group = store::find_replication_group(tx, scope, id)) {
            group->status = "available";
            store::save_replication_group(tx, scope, *group);
        }
        record(tx, scope, "replication-group", id, "Finished decreasing the number of replicas of " + id, now);
    });
    run.after_commit([&fleet] { fleet.refresh_endpoints(); });
    return StepResult::done();
}

// ModifyReplicationGroup's node work: node type, parameter group, engine version.
StepResult modify_group(Fleet& fleet, Run& run)
{
    auto const id = id_of(run.target());
    auto const& scope = run.scope();
    auto const& data = run.data();
    std::optional<GroupState> state;
    ParameterValues changed;
    {
        auto tx = run.db().read();
        state = load_group(tx, scope, id);
        if (!state)
            return StepResult::done();
        if (auto const* previous = data.if_contains("previous_parameter_group"))
            changed = differences(effective_parameters(tx, scope, std::string(previous->as_string())),
                                  effective_parameters(tx, scope, state->group.parameter_group));
    }
    std::vector<std::string> messages;
    auto group = state->group;
    auto members = state->members;
    if (auto const* node_type = data.if_contains("node_type")) {
        auto const wanted = std::string(node_type->as_string());
        std::optional<std::string> problem;
        for (auto const& member : members)
            if (!problem)
                problem = scale_node_type(fleet, run, member, wanted);
        if (problem) {
            messages.push_back("Failed applying modification to cache node type to " + wanted + ": " + *problem);
        } else {
            group.node_type = wanted;
            for (auto& member : members)
                member.node_type = wanted;
            messages.push_back("Succeeded applying modification to cache node type to " + wanted + ".");
        }
    }
    if (auto const* version = data.if_contains("engine_version")) {
        group.engine_version = std::string(version->as_string());
        for (auto& member : members)
            member.engine_version = group.engine_version;
        messages.push_back("Upgraded engine version to " + group.engine_version);
    }
    if (data.contains("previous_parameter_group"))
        for (auto& member : members)
            apply_parameters(fleet, run, member, changed, member.settings);
    run.on_commit([scope, group, members, messages, now = run.clock().now_ms()](store::Transaction& tx) mutable {
        if (!store::find_replication_group(tx, scope, group.id))
            return;
        group.status = "available";
        store::save_replication_group(tx, scope, group);
        for (auto const& member : members)
            store::save_cache_cluster(tx, scope, member);
        for (auto const& message : messages)
            record(tx, scope, "replication-group", group.id, message, now);
    });
    return StepResult::done();
}

// The group's AUTH tokens as its members now carry them reach every node at
// once: the default user's passwords (both during a ROTATE; none after a
// DELETE) and the token replicas give their primary. keyfleet's own
// connections then use the new token.
StepResult update_auth_token(Run& run)
{
    auto const id = id_of(run.target());
    std::optional<GroupState> state;
    {
        auto tx = run.db().read();
        state = load_group(tx, run.scope(), id);
    }
    if (!state)
        return StepResult::fail("replication group " + id + " no longer exists");
    for (auto const& member : state->members) {
        auto const passwords = auth_tokens(member);
        std::vector<std::string> user{"ACL", "SETUSER", "default", "on", "resetpass"};
        for (auto const& password : passwords)
            user.push_back(">" + password);
        if (passwords.empty())
            user.push_back("nopass");
        for (auto const& node : member.nodes) {
            auto client = connect(node);
            client.checked(user);
            client.checked({"CONFIG", "SET", "masterauth", passwords.empty() ? "" : passwords.front()});
            redis::set_node_access(node.host, static_cast<std::uint16_t>(node.port),
                                   {runtime::tls_files(node.directory).ca_file, passwords.empty() ? "" : passwords.front()});
        }
    }
    run.on_commit([id, scope = run.scope(), now = run.clock().now_ms()](store::Transaction& tx) {
        auto group = store::find_replication_group(tx, scope, id);
        if (!group)
            return;
        auto const rotating = group->settings.contains("PreviousAuthToken");
        group->settings.erase("PendingModifiedValues");
        group->status = "available";
        store::save_replication_group(tx, scope, *group);
        record(tx, scope, "replication-group", id,
               group->settings.contains("AuthToken")
                   ? fmt::format("The AUTH token of replication group {} was {}", id, rotating ? "rotated" : "set")
                   : "The AUTH token of replication group " + id + " was deleted",
               now);
    });
    return StepResult::done();
}

void auth_token_failed(Run& run, std::string const& reason)
{
    auto const id = id_of(run.target());
    run.on_commit([id, scope = run.scope(), reason, now = run.clock().now_ms()](store::Transaction& tx) {
        if (auto group = store::find_replication_group(tx, scope, id)) {
            group->settings.erase("PendingModifiedValues");
            group->status = "available";
            store::save_replication_group(tx, scope, *group);
        }
        record(tx, scope, "replication-group", id, "Failed to change the AUTH token of " + id + ": " + reason, now);
    });
}

void modify_failed(Run& run, std::string const& reason)
{
    auto const id = id_of(run.target());
    run.on_commit([id, scope = run.scope(), reason, now = run.clock().now_ms()](store::Transaction& tx) {
        if (auto group = store::find_replication_group(tx, scope, id)) {
            group->status = "available";
            store::save_replication_group(tx, scope, *group);
        }
        record(tx, scope, "replication-group", id, "Failed to apply a change to " + id + ": " + reason, now);
    });
}

// A deletion whose final snapshot failed stops there: the group keeps serving.
void delete_failed(Fleet& fleet, Run& run, std::string const& reason)
{
    abandon_snapshot(fleet, run, reason);
    auto const id = id_of(run.target());
    run.on_commit([id, scope = run.scope(), reason, now = run.clock().now_ms()](store::Transaction& tx) {
        auto group = store::find_replication_group(tx, scope, id);
        if (!group)
            return;
        group->status = "available";
        store::save_replication_group(tx, scope, *group);
        record(tx, scope, "replication-group", id, "Deletion of replication group " + id + " stopped: " + reason, now);
    });
}

}  // namespace

void add_replication_group_kinds(Engine& engine, Fleet& fleet)
{
    auto const with = [&fleet](StepResult (*step)(Fleet&, Run&)) {
        return [&fleet, step](Run& run) { return step(fleet, run); };
    };
    engine.add_kind("create_replication_group", {{{"allocate", with(allocate_group)},
                                                  {"start", with(start_group)},
                                                  {"link", link_replicas},
                                                  {"form", form_cluster},
                                                  {"replicate", replicate},
                                                  {"wait_ok", [](Run& run) { return wait_cluster_ok(run, "load"); }},
                                                  {"load", [&fleet](Run& run) { return load_by_slot(fleet, run, "finish"); }},
                                                  {"finish", with(finish_group)}},
                                                 [&fleet](Run& run, std::string const& reason) {
                                                     stop_loader(fleet, run);
                                                     remove_seed_parts(fleet, run.scope(), id_of(run.target()));
                                                     fail_group(run, reason);
                                                 }});
    engine.add_kind("delete_replication_group",
                    {{{"final_snapshot", [](Run& run) { return save_snapshot(run, "final_snapshot_write"); }},
                      {"final_snapshot_write", [&fleet](Run& run) { return write_snapshot(fleet, run, "stop", false); }},
                      {"stop", with(delete_group)}},
                     [&fleet](Run& run, std::string const& reason) { delete_failed(fleet, run, reason); }});
    // Adding replicas runs the create steps (each skips what is done already)
    // with its own finish.
    engine.add_kind("add_replicas", {{{"allocate", with(allocate_group)},
                                      {"start", with(start_group)},
                                      {"link", link_replicas},
                                      {"form", form_cluster},
                                      {"replicate", replicate},
                                      {"wait_ok", [](Run& run) { return wait_cluster_ok(run, "load"); }},
                                      {"load", [&fleet](Run& run) { return load_by_slot(fleet, run, "finish"); }},
                                      {"finish", with(finish_scaling)}},
                                     fail_scaling});
    engine.add_kind("remove_replicas", {{{"remove", with(remove_replicas)}}, fail_scaling});
    // A reshard starts new node groups as adding replicas does, back at the
    // group's own node timeout before any slot moves.
    KindDefinition reshard{{{"allocate", with(allocate_group)},
                            {"start", with(start_group)},
                            {"form", form_cluster},
                            {"replicate", replicate},
                            {"wait_ok", [](Run& run) { return wait_cluster_ok(run, "settle"); }},
                            {"settle",
                             [&fleet](Run& run) {
                                 restore_node_timeout(fleet, run, id_of(run.target()));
                                 return StepResult::next("migrate");
                             }},
                            {"check_memory", with(check_memory)},
                            {"migrate", migrate_slots},
                            {"forget", with(forget_removed)},
                            {"finish", with(finish_reshard)}},
                           [&fleet](Run& run, std::string const& reason) { reshard_failed(fleet, run, reason); }};
    // A primary that fails while slots move is replaced, then the move goes on.
    add_failover_steps(reshard, fleet, "migrate");
    engine.add_kind("reshard", std::move(reshard));
    engine.add_kind("modify_replication_group", {{{"apply", with(modify_group)}}, modify_failed});
    engine.add_kind("update_auth_token", {{{"apply", update_auth_token}}, auth_token_failed});
}

}  // namespace keyfleet::workflows
