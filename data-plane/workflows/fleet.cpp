#include "workflows/fleet.h"

#include "catalog/catalog.h"
#include "core/files.h"
#include "core/ids.h"
#include "redis/client.h"
#include "store/parameter_groups.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <thread>

namespace keyfleet::workflows {

namespace fs = std::filesystem;

namespace {

// Whether nothing listens on host:port now (an address keyfleet hands out
// must be free of other programs too).
bool bindable(std::string const& host, int port)
{
    int const fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
        ::close(fd);
        return false;
    }
    bool const free = ::bind(fd, reinterpret_cast<sockaddr const*>(&address), sizeof address) == 0;
    ::close(fd);
    return free;
}

}  // namespace

std::map<std::string, std::string, std::less<>> effective_parameters(store::Transaction& tx, core::Scope const& scope,
                                                                     std::string_view group_name)
{
    std::string family_name;
    std::map<std::string, std::string, std::less<>> overrides;
    if (auto const default_group = catalog::parse_default_group_name(group_name)) {
        family_name = default_group->family;
        if (default_group->cluster_on)
            overrides["cluster-enabled"] = "yes";
    } else if (auto const group = store::find_parameter_group(tx, scope, group_name)) {
        family_name = group->family;
        overrides = group->values;
    }
    auto const* family = catalog::Catalog::get().family(family_name);
    return family ? catalog::effective_values(*family, overrides) : overrides;
}

Fleet::Fleet(FleetOptions options, store::Database& db, runtime::NodeRuntime& runtime, endpoints::Forwarder& forwarder)
    : options_(std::move(options)), db_(db), runtime_(runtime), forwarder_(forwarder)
{
}

std::string Fleet::node_name(core::Scope const& scope, std::string_view cluster, std::string_view node)
{
    return scope.account + "/" + scope.region + "/" + std::string(cluster) + "/" + std::string(node);
}

fs::path Fleet::node_directory(core::Scope const& scope, std::string_view cluster, std::string_view node) const
{
    return options_.nodes_dir / node_name(scope, cluster, node);
}

fs::path Fleet::snapshot_directory(core::Scope const& scope, std::string_view name) const
{
    return options_.snapshots_dir / scope.account / scope.region / std::string(name);
}

std::string const& Fleet::snapshot_key()
{
    std::lock_guard lock(key_mutex_);
    if (snapshot_key_.empty())
        snapshot_key_ = core::load_or_create_key(options_.key_file);
    return snapshot_key_;
}

std::string const& Fleet::debug_command()
{
    std::call_once(debug_command_once_, [this] {
        if (!options_.key_file.empty())
            debug_command_ = "KEYFLEET-DEBUG-" + core::sha256_hex("debug-command:" + snapshot_key()).substr(0, 32);
    });
    return debug_command_;
}

core::CertificateAuthority const& Fleet::certificate_authority()
{
    std::lock_guard lock(authority_mutex_);
    if (!authority_)
        authority_.emplace(options_.tls_dir);
    return *authority_;
}

void Fleet::copy_plain(fs::path const& from, fs::path const& to)
{
    core::copy_plain_durably(from, to, core::is_sealed(from) ? snapshot_key() : std::string());
}

// A cluster created from an RDB file (SnapshotArns, a snapshot) starts with a
// plain copy of it (or a link to a snapshot's), made durable before the node reads it.
void Fleet::seed_from_rdb(store::CacheCluster const& cluster, fs::path const& directory)
{
    auto const* seed = cluster.settings.if_contains("seed_rdb");
    auto const target = directory / "dump.rdb";
    if (!seed || fs::exists(target))
        return;
    std::string const file(seed->as_string());
    if (cluster.settings.contains("seed_sha256") && !core::is_sealed(file))
        core::link_durably(file, target);  // a snapshot's plain file, which nothing writes again
    else
        copy_plain(file, target);  // sealed, or a bucket's object, which its owner may change
}

store::Address Fleet::allocate_address(store::Transaction& tx, std::string_view owner, int port, bool cluster_bus)
{
    auto const free = [&](std::string const& host, int candidate) {
        return bindable(host, candidate) && (!cluster_bus || bindable(host, candidate + 10000));
    };
    if (options_.loopback_addresses) {
        auto const taken_list = store::hosts_taking_port(tx, port);
        std::set<std::string> const taken(taken_list.begin(), taken_list.end());
        for (int index = 0; index < 256 * 254; ++index) {
            auto const host = fmt::format("127.{}.{}.{}", options_.loopback_network, index / 254, index % 254 + 1);
            if (taken.contains(host) || !free(host, port))
                continue;
            store::take_address(tx, {host, port}, owner);
            return {host, port};
        }
        throw std::runtime_error(fmt::format("no free loopback address left in 127.{}.0.0/16 for port {}",
                                             options_.loopback_network, port));
    }
    auto const host = connect_host();
    auto const taken_list = store::ports_taken_on(tx, host);
    std::set<int> const taken(taken_list.begin(), taken_list.end());
    for (int candidate = options_.first_port; candidate <= options_.last_port; ++candidate) {
        if (taken.contains(candidate) || !free(host, candidate))
            continue;
        store::take_address(tx, {host, candidate}, owner);
        return {host, candidate};
    }
    throw std::runtime_error("no free port left in " + std::to_string(options_.first_port) + "-" +
                             std::to_string(options_.last_port) + " (see --node-ports)");
}

std::string Fleet::connect_host() const
{
    return options_.bind_host == "0.0.0.0" ? std::string("127.0.0.1") : options_.bind_host;
}

std::vector<std::string> auth_tokens(store::CacheCluster const& cluster)
{
    std::vector<std::string> tokens;
    for (auto const* name : {"AuthToken", "PreviousAuthToken"})
        if (auto const* token = cluster.settings.if_contains(name); token && token->is_string())
            tokens.emplace_back(token->as_string());
    return tokens;
}

runtime::NodeSettings Fleet::settings_for(store::Transaction& tx, core::Scope const& scope,
                                          store::CacheCluster const& cluster, store::CacheNode const& node)
{
    runtime::NodeSettings settings;
    settings.port = static_cast<std::uint16_t>(node.port);
    settings.bind_host = options_.loopback_addresses ? node.host : options_.bind_host;
    settings.announce_host = options_.loopback_addresses ? node.host : options_.advertise_host;
    settings.parameters = effective_parameters(tx, scope, cluster.parameter_group);
    settings.debug_command = debug_command();
    if (auto const* type = catalog::Catalog::get().node_type(cluster.node_type))
        settings.maxmemory_bytes = static_cast<std::int64_t>(double(type->maxmemory_bytes) * options_.memory_scale);
    std::optional<store::ReplicationGroup> group;
    if (cluster.replication_group_id)
        group = store::find_replication_group(tx, scope, *cluster.replication_group_id);
    if (auto const* transit = cluster.settings.if_contains("TransitEncryptionEnabled"); transit && transit->as_bool()) {
        // The certificate names every address that reaches the node.
        settings.tls = runtime::tls_files(node_directory(scope, cluster.id, node.node_id));
        std::set<std::string> names{node.host};
        if (!options_.loopback_addresses)
            names.insert({options_.advertise_host, connect_host()});
        if (group)
            for (auto const& endpoint : {group->primary_endpoint, group->reader_endpoint, group->configuration_endpoint})
                if (endpoint)
                    names.insert(endpoint->host);
        settings.tls->names.assign(names.begin(), names.end());
    }
    settings.passwords = auth_tokens(cluster);
    if (cluster.replication_group_id) {
        settings.cluster_enabled = group && group->cluster_enabled;
        if (!settings.cluster_enabled && node.role == "replica") {
            for (auto const& member : store::list_cache_clusters(tx, scope, *cluster.replication_group_id))
                for (auto const& candidate : member.nodes)
                    if (candidate.role == "primary" && member.node_group_id == cluster.node_group_id)
                        settings.replica_of = std::pair{candidate.host, static_cast<std::uint16_t>(candidate.port)};
        }
    }
    return settings;
}

void Fleet::start_node(core::Scope const& scope, store::CacheCluster const& cluster, store::CacheNode const& node,
                       runtime::NodeSettings const& settings)
{
    auto const name = node_name(scope, cluster.id, node.node_id);
    auto const directory = node_directory(scope, cluster.id, node.node_id);
    fs::create_directories(directory);
    auto const process = runtime::write_config(name, directory, settings);
    if (!runtime_.running(name)) {
        if (settings.tls) {
            fs::copy_file(certificate_authority().certificate_file(), settings.tls->ca_file,
                          fs::copy_options::overwrite_existing);
            certificate_authority().issue(settings.tls->names, settings.tls->certificate_file, settings.tls->key_file);
        }
        redis::set_node_access(node.host, static_cast<std::uint16_t>(node.port),
                               {settings.tls ? settings.tls->ca_file : "",
                                settings.passwords.empty() ? "" : settings.passwords.front()});
        seed_from_rdb(cluster, directory);
        runtime_.start(process);
    }
}

void Fleet::stop_node(core::Scope const& scope, std::string_view cluster, store::CacheNode const& node)
{
    runtime_.stop(node_name(scope, cluster, node.node_id), std::chrono::seconds(10));
}

void Fleet::destroy_node(core::Scope const& scope, std::string_view cluster, store::CacheNode const& node)
{
    stop_node(scope, cluster, node);
    redis::set_node_access(node.host, static_cast<std::uint16_t>(node.port), {});
    std::error_code ignored;
    auto const directory = node_directory(scope, cluster, node.node_id);
    fs::remove_all(directory, ignored);
    // The cluster's, region's and account's folders go with their last node.
    for (auto parent = directory.parent_path(); parent != options_.nodes_dir && fs::is_empty(parent, ignored);
         parent = parent.parent_path())
        fs::remove(parent, ignored);
}

std::optional<std::string> Fleet::launch(std::vector<Launch> const& launches, std::chrono::milliseconds timeout)
{
    for (auto const& launch : launches)
        start_node(launch.scope, launch.cluster, launch.node, launch.settings);
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    for (auto const& launch : launches) {
        auto const name = node_name(launch.scope, launch.cluster.id, launch.node.node_id);
        auto const alive = [&] { return runtime_.running(name); };
        if (!redis::wait_until_ready(launch.node.host, static_cast<std::uint16_t>(launch.node.port), deadline, alive)) {
            if (auto const exit = runtime_.last_exit(name))
                return fmt::format("cache node {} of {} could not start: redis-server {}", launch.node.node_id,
                                   launch.cluster.id, exit->reason);
            return fmt::format("cache node {} of {} did not answer within {} s", launch.node.node_id,
                               launch.cluster.id, std::chrono::duration_cast<std::chrono::seconds>(timeout).count());
        }
        configure_node(launch.node, launch.settings);
    }
    return std::nullopt;
}

void Fleet::configure_node(store::CacheNode const& node, runtime::NodeSettings const& settings) const
{
    auto const commands = runtime::config_set_commands(settings.parameters, settings.maxmemory_bytes);
    redis::Client client(node.host, static_cast<std::uint16_t>(node.port), std::chrono::seconds(2));
    auto const replies = client.pipeline(commands);
    for (std::size_t i = 0; i < replies.size(); ++i)
        if (replies[i].is_error())
            spdlog::debug("node {}:{}: {} {} not applied: {}", node.host, node.port, commands[i][2], commands[i][3],
                          replies[i].text);
}

std::optional<endpoints::Target> Fleet::pick(store::Address const& endpoint)
{
    std::lock_guard lock(routes_mutex_);
    auto const found = routes_.find(endpoint);
    if (found == routes_.end() || found->second.targets.empty())
        return std::nullopt;
    auto& route = found->second;
    auto const& target = route.targets[route.next++ % route.targets.size()];
    return endpoints::Target{target.host, static_cast<std::uint16_t>(target.port)};
}

namespace {

// CONFIG SET bind on a node: its own address and the endpoints it serves.
void set_binds(store::Address const& node, std::vector<std::string> const& hosts)
{
    std::string value = node.host;
    for (auto const& host : hosts)
        value += " " + host;
    redis::Client client(node.host, static_cast<std::uint16_t>(node.port), std::chrono::milliseconds(500));
    client.checked({"CONFIG", "SET", "bind", value});
}

}  // namespace

void Fleet::bind_primary_endpoints(std::map<store::Address, std::optional<store::Address>> const& wanted)
{
    std::lock_guard lock(bound_mutex_);
    // Release first: an endpoint leaves its old node before a new one binds it.
    for (auto it = bound_.begin(); it != bound_.end();) {
        auto const& [endpoint, node] = *it;
        auto const found = wanted.find(endpoint);
        if (found != wanted.end() && found->second == node) {
            ++it;
            continue;
        }
        try {
            set_binds(node, {});
            // Its clients reconnect, and so reach the endpoint's new node.
            redis::Client(node.host, static_cast<std::uint16_t>(node.port), std::chrono::milliseconds(500))
                .command({"CLIENT", "KILL", "LADDR", endpoint.host + ":" + std::to_string(endpoint.port)});
        } catch (std::exception const& e) {
            spdlog::debug("endpoint {}:{}: releasing it on {}:{}: {}", endpoint.host, endpoint.port, node.host,
                          node.port, e.what());  // a node that is gone holds nothing
        }
        it = bound_.erase(it);
    }
    for (auto const& [endpoint, node] : wanted) {
        if (!node)
            continue;
        // A restarted node starts with its own address only: bind again whenever the endpoint is free.
        if (bound_.contains(endpoint) && !bindable(endpoint.host, endpoint.port))
            continue;
        try {
            set_binds(*node, {endpoint.host});
            bound_[endpoint] = *node;
        } catch (std::exception const& e) {
            spdlog::error("endpoint {}:{}: cannot bind it on its primary {}:{}: {}", endpoint.host, endpoint.port,
                          node->host, node->port, e.what());
        }
    }
}

void Fleet::refresh_endpoints()
{
    std::map<store::Address, std::vector<store::Address>> wanted;
    std::map<store::Address, std::optional<store::Address>> bound_wanted;
    {
        auto tx = db_.read();
        for (auto const& [scope, group] : store::all_replication_groups(tx)) {
            if (group.status == "creating" || group.status == "deleting" || group.status == "create-failed")
                continue;
            std::vector<store::Address> primaries, replicas;
            for (auto const& cluster : store::list_cache_clusters(tx, scope, group.id))
                for (auto const& node : cluster.nodes) {
                    if (node.status != "available")
                        continue;
                    (node.role == "primary" ? primaries : replicas).push_back(node.address());
                }
            if (group.primary_endpoint && options_.loopback_addresses &&
                (primaries.empty() || primaries.front().port == group.primary_endpoint->port))
                bound_wanted[*group.primary_endpoint] =
                    primaries.empty() ? std::nullopt : std::optional<store::Address>(primaries.front());
            else if (group.primary_endpoint)
                wanted[*group.primary_endpoint] =
                    primaries.empty() ? std::vector<store::Address>{} : std::vector<store::Address>{primaries.front()};
            if (group.reader_endpoint)
                wanted[*group.reader_endpoint] = replicas.empty() ? primaries : replicas;
            if (group.configuration_endpoint) {
                auto all = primaries;
                all.insert(all.end(), replicas.begin(), replicas.end());
                wanted[*group.configuration_endpoint] = all;
            }
        }
    }
    std::vector<store::Address> to_close, to_drop, to_open;
    {
        std::lock_guard lock(routes_mutex_);
        for (auto const& [address, route] : routes_)
            if (!wanted.contains(address))
                to_close.push_back(address);
        for (auto const& [address, targets] : wanted) {
            auto const found = routes_.find(address);
            if (found == routes_.end())
                to_open.push_back(address);
            else if (found->second.targets != targets && !found->second.targets.empty() &&
                     (targets.empty() || std::ranges::find(targets, found->second.targets.front()) == targets.end()))
                to_drop.push_back(address);  // the node it led to is no longer a target
        }
        for (auto const& address : to_close)
            routes_.erase(address);
        for (auto const& [address, targets] : wanted)
            routes_[address].targets = targets;
    }
    auto const listen_host = [&](store::Address const& address) {
        return options_.loopback_addresses ? address.host : options_.bind_host;
    };
    for (auto const& address : to_close)
        forwarder_.close(listen_host(address), static_cast<std::uint16_t>(address.port));
    bind_primary_endpoints(bound_wanted);
    for (auto const& address : to_drop)
        forwarder_.drop_connections(listen_host(address), static_cast<std::uint16_t>(address.port));
    for (auto const& address : to_open)
        if (!forwarder_.is_open(listen_host(address), static_cast<std::uint16_t>(address.port))) {
            try {
                forwarder_.open(listen_host(address), static_cast<std::uint16_t>(address.port),
                                [this, address] { return pick(address); });
            } catch (std::exception const& e) {
                spdlog::error("endpoint {}:{}: {}", address.host, address.port, e.what());
            }
        }
}

namespace {
// The writable delay of a fresh cluster primary (CLUSTER_WRITABLE_DELAY, 2 s
// after its first cluster cron), with a margin: a pool node older than this
// can take slots and serve writes at once.
constexpr auto pool_ripeness = std::chrono::milliseconds(2300);
// Pool nodes wait on the port clusters ask for unless they name another.
constexpr int pool_port = 6379;
}  // namespace

void Fleet::fill_pool()
{
    std::lock_guard lock(pool_mutex_);
    std::vector<PoolNode> added;
    {
        auto tx = db_.write();  // one transaction for every port the pool takes
        while (int(pool_.size() + added.size()) < options_.cluster_node_pool) {
            auto const name = "pool/" + std::to_string(++pool_serial_);
            added.push_back({allocate_address(tx, name, pool_port, true), name, options_.nodes_dir / name, {}});
        }
        tx.commit();
    }
    for (auto& node : added) {
        if (pool_closed_)
            break;  // shutting down: the rest are never started (their addresses go at the next start)
        runtime::NodeSettings settings;
        settings.port = static_cast<std::uint16_t>(node.address.port);
        settings.bind_host = options_.loopback_addresses ? node.address.host : options_.bind_host;
        settings.announce_host = options_.loopback_addresses ? node.address.host : options_.advertise_host;
        settings.cluster_enabled = true;
        settings.debug_command = debug_command();
        fs::create_directories(node.directory);
        auto const process = runtime::write_config(node.name, node.directory, settings);
        redis::set_node_access(node.address.host, static_cast<std::uint16_t>(node.address.port), {});
        node.started = std::chrono::steady_clock::now();
        runtime_.start(process);
        pool_.push_back(std::move(node));
    }
}

void Fleet::discard_pool()
{
    pool_closed_ = true;  // a fill under way stops at its next node
    std::lock_guard lock(pool_mutex_);
    for (auto const& node : pool_)
        runtime_.discard(node.name);
    pool_.clear();
}

std::optional<Fleet::PoolNode> Fleet::take_pool_node(store::Transaction& tx, std::string_view new_owner, int port)
{
    std::lock_guard lock(pool_mutex_);
    auto const now = std::chrono::steady_clock::now();
    auto const ripe = std::ranges::find_if(pool_, [&](PoolNode const& node) {
        return now - node.started >= pool_ripeness && runtime_.running(node.name) &&
               (!options_.loopback_addresses || node.address.port == port);
    });
    if (ripe == pool_.end())
        return std::nullopt;
    auto node = *ripe;
    pool_.erase(ripe);
    store::transfer_address(tx, node.address, new_owner);
    return node;
}

void Fleet::adopt_pool_node(PoolNode const& pool_node, core::Scope const& scope, std::string_view cluster,
                            std::string_view node)
{
    auto const directory = node_directory(scope, cluster, node);
    fs::create_directories(directory.parent_path());
    fs::rename(pool_node.directory, directory);  // the process keeps working in its (moved) directory
    runtime_.rename(pool_node.name, node_name(scope, cluster, node), directory);
}

void Fleet::recover()
{
    // Pool nodes of an earlier run died with it; their places are free again.
    {
        std::error_code ignored;
        fs::remove_all(options_.nodes_dir / "pool", ignored);
        auto tx = db_.write();
        store::release_addresses_of(tx, "pool/");
        tx.commit();
    }
    std::vector<Launch> launches;
    {
        auto tx = db_.read();
        for (auto const& [scope, node] : store::all_cache_nodes(tx)) {
            if (node.status == "deleting")
                continue;
            if (auto cluster = store::find_cache_cluster(tx, scope, node.cluster_id))
                launches.push_back({scope, *cluster, node, settings_for(tx, scope, *cluster, node)});
        }
    }
    if (!launches.empty()) {
        try {
            if (auto const problem = launch(launches, std::chrono::seconds(60)))
                spdlog::warn("restarting nodes: {}", *problem);
            // A restarted cluster-mode primary refuses writes for its first ~2 s
            // (Redis Cluster's writable delay): wait until every cluster is ok.
            auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
            for (auto const& launch : launches) {
                if (!launch.settings.cluster_enabled)
                    continue;
                while (std::chrono::steady_clock::now() < deadline) {
                    redis::Client client(launch.node.host, static_cast<std::uint16_t>(launch.node.port),
                                         std::chrono::seconds(2));
                    if (client.command({"CLUSTER", "INFO"}).text.find("cluster_state:ok") != std::string::npos)
                        break;
                    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // poll interval, bounded by the deadline
                }
            }
        } catch (std::exception const& e) {
            spdlog::error("restarting nodes: {}", e.what());
        }
        spdlog::info("restarted {} nodes", launches.size());
    }
    refresh_endpoints();
}

}  // namespace keyfleet::workflows
