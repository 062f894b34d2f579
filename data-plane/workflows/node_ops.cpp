#include "workflows/node_ops.h"

#include "catalog/catalog.h"
#include "core/slots.h"
#include "runtime/redis_conf.h"
#include "store/events.h"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>

namespace keyfleet::workflows {

std::string id_of(std::string const& target) { return target.substr(target.find(':') + 1); }

redis::Client connect(store::CacheNode const& node, std::chrono::milliseconds timeout)
{
    return redis::Client(node.host, static_cast<std::uint16_t>(node.port), timeout);
}

std::vector<std::pair<int, int>> slot_ranges(std::string const& text)
{
    return core::parse_slot_ranges(text).value_or(std::vector<core::SlotRange>{});
}

void take_slots(redis::Client& primary, std::string const& slots)
{
    std::vector<bool> owned(16384, false);
    for (auto const& known : redis::parse_cluster_nodes(primary.checked({"CLUSTER", "NODES"}).text))
        if (known.is_myself())
            for (auto const& [first, last] : known.slots)
                for (int slot = first; slot <= last; ++slot)
                    owned[std::size_t(slot)] = true;
    std::vector<std::string> command{"CLUSTER", "ADDSLOTSRANGE"};
    for (auto const& [first, last] : slot_ranges(slots))
        for (int slot = first; slot <= last;) {
            if (owned[std::size_t(slot)]) {
                ++slot;
                continue;
            }
            int end = slot;
            while (end + 1 <= last && !owned[std::size_t(end + 1)])
                ++end;
            command.push_back(std::to_string(slot));
            command.push_back(std::to_string(end));
            slot = end + 1;
        }
    if (command.size() > 2)
        primary.checked(command);
}

std::string text(boost::json::object const& data, std::string_view key)
{
    auto const* value = data.if_contains(key);
    return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

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

// Carries the changed values of a parameter group to one cluster's nodes:
// CONFIG SET what a running node takes, a reboot for the rest.
void apply_parameters(Fleet& fleet, Run& run, store::CacheCluster const& cluster,
                      ParameterValues const& changed, boost::json::object& settings)
{
    bool needs_reboot = false;
    auto const* family = [&]() -> catalog::Family const* {
        auto const* version = catalog::Catalog::get().engine_version(cluster.engine, cluster.engine_version);
        return version ? catalog::Catalog::get().family(version->family) : nullptr;
    }();
    std::map<std::string, std::string, std::less<>> immediate;
    for (auto const& [name, value] : changed) {
        auto const* parameter = family ? family->parameter(name) : nullptr;
        // Honest about what a running node took: a value redis-server only reads
        // at start waits for a reboot even where ElastiCache calls it immediate.
        if ((parameter && parameter->requires_reboot) || runtime::applies_at_restart(name))
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
        auto client = connect(node);
        for (auto const& command : runtime::config_set_commands(immediate, maxmemory)) {
            if (command[2] == "maxmemory" && !immediate.contains("reserved-memory") &&
                !immediate.contains("reserved-memory-percent"))
                continue;
            if (auto const reply = client.command(command); reply.is_error()) {
                spdlog::warn("{} on node {}:{}: {}", fmt::join(command, " "), node.host, node.port, reply.text);
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

std::vector<store::CacheCluster> make_new_members_available(store::Transaction& tx, core::Scope const& scope,
                                                            std::vector<store::CacheCluster> const& members)
{
    std::vector<store::CacheCluster> made;
    for (auto member : members) {
        if (member.status != "creating")
            continue;
        for (auto node : member.nodes) {
            node.status = "available";
            store::save_cache_node(tx, scope, node);
        }
        member.settings.erase("initial_role");
        member.status = "available";
        store::save_cache_cluster(tx, scope, member);
        made.push_back(std::move(member));
    }
    return made;
}

ParameterValues differences(ParameterValues const& from, ParameterValues const& to)
{
    std::map<std::string, std::string, std::less<>> changed;
    for (auto const& [name, value] : to)
        if (auto const old = from.find(name); old == from.end() || old->second != value)
            changed[name] = value;
    return changed;
}

// Scales a node type in place: the data stays, the memory limit changes. A
// scale-down that would not hold the data is refused and the node type kept.
std::optional<std::string> scale_node_type(Fleet& fleet, Run& run, store::CacheCluster const& cluster,
                                           std::string const& node_type)
{
    if (!catalog::Catalog::get().node_type(node_type))
        return "unknown node type " + node_type;
    auto scaled = cluster;
    scaled.node_type = node_type;
    auto tx = run.db().read();
    for (auto const& node : cluster.nodes) {
        auto const settings = fleet.settings_for(tx, run.scope(), scaled, node);
        auto const maxmemory = runtime::data_memory(settings.parameters, settings.maxmemory_bytes);
        auto const memory = connect(node).info("memory");
        std::int64_t used = 0;
        if (auto const found = memory.find("used_memory"); found != memory.end())
            std::from_chars(found->second.data(), found->second.data() + found->second.size(), used);
        if (used > maxmemory)
            return fmt::format("node {} holds {} bytes, more than {} allows", node.node_id, used, node_type);
    }
    for (auto const& node : cluster.nodes) {
        auto const settings = fleet.settings_for(tx, run.scope(), scaled, node);
        connect(node).checked({"CONFIG", "SET", "maxmemory",
                                    std::to_string(runtime::data_memory(settings.parameters, settings.maxmemory_bytes))});
        fleet.start_node(run.scope(), scaled, node, settings);  // rewrites its redis.conf for the next start
    }
    return std::nullopt;
}

}  // namespace keyfleet::workflows
