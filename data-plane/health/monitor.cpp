#include "health/monitor.h"

#include "redis/client.h"
#include "store/clusters.h"
#include "store/events.h"
#include "store/workflows.h"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

namespace keyfleet::health {

namespace json = boost::json;

struct Monitor::Probe {
    std::string host;
    int port = 0;
    std::optional<redis::Client> client;
    int failures = 0;
};

namespace {

struct NodeKey {
    core::Scope scope;
    std::string cluster;
    std::string node;
};

// "<account>/<region>/<cluster>/<node>" (see Fleet::node_name); pool nodes have no key.
std::optional<NodeKey> parse_name(std::string const& name)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (auto slash = name.find('/'); slash != std::string::npos; slash = name.find('/', start)) {
        parts.push_back(name.substr(start, slash - start));
        start = slash + 1;
    }
    parts.push_back(name.substr(start));
    if (parts.size() != 4)
        return std::nullopt;
    return NodeKey{{parts[0], parts[1]}, parts[2], parts[3]};
}

}  // namespace

Monitor::Monitor(store::Database& db, runtime::NodeRuntime& runtime, core::Clock const& clock,
                 std::function<void()> wake_workflows, MonitorOptions options)
    : db_(db), runtime_(runtime), clock_(clock), wake_workflows_(std::move(wake_workflows)), options_(options)
{
}

Monitor::~Monitor() { stop(); }

void Monitor::start()
{
    stopping_ = false;
    thread_ = std::thread([this] { loop(); });
}

void Monitor::stop()
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wakeup_.notify_all();
    if (thread_.joinable())
        thread_.join();
}

void Monitor::node_exited(runtime::NodeExit const& exit)
{
    if (exit.expected)
        return;
    {
        std::lock_guard lock(mutex_);
        exits_.push_back(exit);
    }
    wakeup_.notify_all();
}

void Monitor::loop()
{
    auto next_probe = std::chrono::steady_clock::now();
    while (true) {
        std::deque<runtime::NodeExit> exits;
        {
            std::unique_lock lock(mutex_);
            // Sleeps until the next probe round, or at once when a node exits.
            wakeup_.wait_until(lock, next_probe, [this] { return stopping_ || !exits_.empty(); });
            if (stopping_)
                return;
            exits.swap(exits_);
        }
        try {
            for (auto const& exit : exits)
                heal(exit.name, "its process " + exit.reason);
            if (std::chrono::steady_clock::now() >= next_probe) {
                probe_all();
                next_probe = std::chrono::steady_clock::now() + options_.probe_interval;
            }
        } catch (std::exception const& e) {
            spdlog::error("health monitor: {}", e.what());
        }
    }
}

void Monitor::probe_all()
{
    std::vector<std::pair<std::string, store::CacheNode>> nodes;
    {
        auto tx = db_.read();
        for (auto const& [scope, node] : store::all_cache_nodes(tx))
            if (node.status == "available")
                nodes.emplace_back(scope.account + "/" + scope.region + "/" + node.cluster_id + "/" + node.node_id, node);
    }
    std::map<std::string, std::unique_ptr<Probe>> probes;
    for (auto const& [name, node] : nodes) {
        auto found = probes_.find(name);
        auto probe = found != probes_.end() && found->second->port == node.port && found->second->host == node.host
                         ? std::move(found->second)
                         : std::make_unique<Probe>();
        probe->host = node.host;
        probe->port = node.port;
        // The runtime reports an exit once; one met while a workflow was changing the
        // group (a second failure during a failover's recovery) waited for it to end,
        // and is taken up here.
        if (!runtime_.running(name)) {
            heal(name, "its process is not running");
            probes.emplace(name, std::move(probe));
            continue;
        }
        bool answered = false;
        try {
            if (!probe->client)
                probe->client.emplace(node.host, static_cast<std::uint16_t>(node.port), options_.probe_timeout);
            answered = !probe->client->command({"PING"}).is_error();
        } catch (redis::ConnectionError const&) {
            probe->client.reset();
        }
        probe->failures = answered ? 0 : probe->failures + 1;
        if (answered)
            backoff_.erase(name);
        if (probe->failures >= options_.failed_probes_to_act) {
            heal(name, "it did not answer PING within " + std::to_string(options_.probe_timeout.count()) + " ms " +
                           std::to_string(probe->failures) + " times");
            probe->failures = 0;
            probe->client.reset();
        }
        probes.emplace(name, std::move(probe));
    }
    probes_ = std::move(probes);
}

void Monitor::heal(std::string const& name, std::string const& reason)
{
    auto const key = parse_name(name);
    if (!key)
        return;
    auto& backoff = backoff_[name];
    if (std::chrono::steady_clock::now() < backoff.next)
        return;  // its last healing has not made it answer yet
    auto const& scope = key->scope;
    auto tx = db_.write();
    auto const cluster = store::find_cache_cluster(tx, scope, key->cluster);
    if (!cluster)
        return;
    auto const node = std::ranges::find(cluster->nodes, key->node, &store::CacheNode::node_id);
    if (node == cluster->nodes.end() || node->status != "available")
        return;  // being created, rebooted or deleted: that workflow owns the node
    std::optional<store::ReplicationGroup> group;
    if (cluster->replication_group_id)
        group = store::find_replication_group(tx, scope, *cluster->replication_group_id);
    auto const target = group ? "replicationgroup:" + group->id : "cluster:" + cluster->id;
    if (store::running_workflow(tx, scope, target))
        return;  // a workflow is changing the group; the next probe or exit tries again
    auto const now = clock_.now_ms();
    store::record_event(tx, scope, "cache-cluster", cluster->id,
                        "Cache node " + node->node_id + " failed: " + reason, now);
    bool failover = false;
    if (group && group->automatic_failover == "enabled" && node->role == "primary") {
        for (auto const& member : store::list_cache_clusters(tx, scope, group->id))
            if (member.node_group_id == cluster->node_group_id)
                for (auto const& candidate : member.nodes)
                    failover = failover || (candidate.role == "replica" && candidate.status == "available");
    }
    if (failover) {
        spdlog::warn("primary {} failed ({}): failing over", name, reason);
        store::start_workflow(tx, scope, "failover", target, "promote",
                              {{"node_group", cluster->node_group_id.value_or("0001")},
                               {"failed_cluster", cluster->id},
                               {"reason", reason}},
                              now);
    } else {
        spdlog::warn("node {} failed ({}): restarting it in place", name, reason);
        store::start_workflow(tx, scope, "replace_node", target, "restart",
                              {{"cluster", cluster->id}, {"node", node->node_id}, {"reason", reason}}, now);
    }
    tx.commit();
    auto const pause = std::min(options_.probe_interval * (1 << std::min(backoff.attempts, 16)), options_.max_heal_pause);
    backoff.next = std::chrono::steady_clock::now() + pause;
    ++backoff.attempts;
    wake_workflows_();
}

}  // namespace keyfleet::health
