#include "store/clusters.h"

#include <boost/json.hpp>


namespace keyfleet::store {

namespace json = boost::json;

namespace {

constexpr char const* cluster_columns =
    "id, replication_group_id, node_group_id, status, engine, engine_version, node_type, availability_zone, "
    "parameter_group, subnet_group, port, settings, created_at";

CacheCluster read_cluster(SQLite::Statement& row)
{
    CacheCluster cluster;
    cluster.id = row.getColumn(0).getString();
    cluster.replication_group_id = optional_text(row.getColumn(1));
    cluster.node_group_id = optional_text(row.getColumn(2));
    cluster.status = row.getColumn(3).getString();
    cluster.engine = row.getColumn(4).getString();
    cluster.engine_version = row.getColumn(5).getString();
    cluster.node_type = row.getColumn(6).getString();
    cluster.availability_zone = row.getColumn(7).getString();
    cluster.parameter_group = row.getColumn(8).getString();
    cluster.subnet_group = row.getColumn(9).getString();
    cluster.port = row.getColumn(10).getInt();
    cluster.settings = json::parse(row.getColumn(11).getString()).as_object();
    cluster.created_at = row.getColumn(12).getInt64();
    return cluster;
}

constexpr char const* node_columns = "cluster_id, node_id, host, port, directory, status, role, created_at";

CacheNode read_node(SQLite::Statement& row, int first = 0)
{
    return {row.getColumn(first).getString(),     row.getColumn(first + 1).getString(),
            row.getColumn(first + 2).getString(), row.getColumn(first + 3).getInt(),
            row.getColumn(first + 4).getString(), row.getColumn(first + 5).getString(),
            row.getColumn(first + 6).getString(), row.getColumn(first + 7).getInt64()};
}

std::optional<Address> optional_address(SQLite::Column const& host, SQLite::Column const& port)
{
    if (port.isNull())
        return std::nullopt;
    return Address{host.isNull() ? std::string("127.0.0.1") : host.getString(), port.getInt()};
}

void load_nodes(Transaction& tx, core::Scope const& scope, CacheCluster& cluster)
{
    auto& query = tx.prepare(std::string("SELECT ") + node_columns +
                             " FROM cache_nodes WHERE account = ?1 AND region = ?2 AND cluster_id = ?3 ORDER BY node_id");
    bind_scope(query, scope);
    query.bind(3, cluster.id);
    while (query.executeStep())
        cluster.nodes.push_back(read_node(query));
}

constexpr char const* group_columns =
    "id, description, status, cluster_enabled, automatic_failover, multi_az, node_type, engine, engine_version, "
    "parameter_group, subnet_group, port, primary_endpoint_port, reader_endpoint_port, configuration_endpoint_port, "
    "auth_token_hash, settings, created_at, primary_endpoint_host, reader_endpoint_host, configuration_endpoint_host";

ReplicationGroup read_group(SQLite::Statement& row)
{
    ReplicationGroup group;
    group.id = row.getColumn(0).getString();
    group.description = row.getColumn(1).getString();
    group.status = row.getColumn(2).getString();
    group.cluster_enabled = row.getColumn(3).getInt() != 0;
    group.automatic_failover = row.getColumn(4).getString();
    group.multi_az = row.getColumn(5).getString();
    group.node_type = row.getColumn(6).getString();
    group.engine = row.getColumn(7).getString();
    group.engine_version = row.getColumn(8).getString();
    group.parameter_group = row.getColumn(9).getString();
    group.subnet_group = row.getColumn(10).getString();
    group.port = row.getColumn(11).getInt();
    group.primary_endpoint = optional_address(row.getColumn(18), row.getColumn(12));
    group.reader_endpoint = optional_address(row.getColumn(19), row.getColumn(13));
    group.configuration_endpoint = optional_address(row.getColumn(20), row.getColumn(14));
    group.auth_token_hash = optional_text(row.getColumn(15));
    group.settings = json::parse(row.getColumn(16).getString()).as_object();
    group.created_at = row.getColumn(17).getInt64();
    return group;
}

void load_node_groups(Transaction& tx, core::Scope const& scope, ReplicationGroup& group)
{
    auto& query = tx.prepare(
        "SELECT node_group_id, slots, status FROM node_groups WHERE account = ?1 AND region = ?2 "
        "AND replication_group_id = ?3 ORDER BY node_group_id");
    bind_scope(query, scope);
    query.bind(3, group.id);
    while (query.executeStep())
        group.node_groups.push_back(
            {query.getColumn(0).getString(), query.getColumn(1).getString(), query.getColumn(2).getString()});
}

}  // namespace

std::optional<CacheCluster> find_cache_cluster(Transaction& tx, core::Scope const& scope, std::string_view id)
{
    auto& query = tx.prepare(std::string("SELECT ") + cluster_columns +
                             " FROM cache_clusters WHERE account = ?1 AND region = ?2 AND id = ?3");
    bind_scope(query, scope);
    query.bind(3, std::string(id));
    if (!query.executeStep())
        return std::nullopt;
    auto cluster = read_cluster(query);
    query.reset();
    load_nodes(tx, scope, cluster);
    return cluster;
}

std::vector<CacheCluster> list_cache_clusters(Transaction& tx, core::Scope const& scope,
                                              std::optional<std::string_view> group)
{
    std::vector<CacheCluster> clusters;
    {
        auto& query = tx.prepare(std::string("SELECT ") + cluster_columns +
                                 " FROM cache_clusters WHERE account = ?1 AND region = ?2 "
                                 "AND (?3 IS NULL OR replication_group_id = ?3) ORDER BY id");
        bind_scope(query, scope);
        bind_optional(query, 3, group ? std::optional<std::string>(std::string(*group)) : std::nullopt);
        while (query.executeStep())
            clusters.push_back(read_cluster(query));
    }
    for (auto& cluster : clusters)
        load_nodes(tx, scope, cluster);
    return clusters;
}

void save_cache_cluster(Transaction& tx, core::Scope const& scope, CacheCluster const& cluster)
{
    auto& upsert = tx.prepare(std::string("INSERT INTO cache_clusters (account, region, ") + cluster_columns +
                              ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) "
                              "ON CONFLICT (account, region, id) DO UPDATE SET "
                              "replication_group_id = excluded.replication_group_id, node_group_id = excluded.node_group_id, "
                              "status = excluded.status, engine = excluded.engine, engine_version = excluded.engine_version, "
                              "node_type = excluded.node_type, availability_zone = excluded.availability_zone, "
                              "parameter_group = excluded.parameter_group, subnet_group = excluded.subnet_group, "
                              "port = excluded.port, settings = excluded.settings");
    bind_scope(upsert, scope);
    upsert.bind(3, cluster.id);
    bind_optional(upsert, 4, cluster.replication_group_id);
    bind_optional(upsert, 5, cluster.node_group_id);
    upsert.bind(6, cluster.status);
    upsert.bind(7, cluster.engine);
    upsert.bind(8, cluster.engine_version);
    upsert.bind(9, cluster.node_type);
    upsert.bind(10, cluster.availability_zone);
    upsert.bind(11, cluster.parameter_group);
    upsert.bind(12, cluster.subnet_group);
    upsert.bind(13, cluster.port);
    upsert.bind(14, json::serialize(cluster.settings));
    upsert.bind(15, cluster.created_at);
    upsert.exec();
}

void delete_cache_cluster(Transaction& tx, core::Scope const& scope, std::string_view id)
{
    auto& remove = tx.prepare("DELETE FROM cache_clusters WHERE account = ?1 AND region = ?2 AND id = ?3");
    bind_scope(remove, scope);
    remove.bind(3, std::string(id));
    remove.exec();
}

void save_cache_node(Transaction& tx, core::Scope const& scope, CacheNode const& node)
{
    // An upsert on the key, not INSERT OR REPLACE: that would silently delete
    // another node holding the same address instead of refusing the save.
    auto& upsert = tx.prepare(std::string("INSERT INTO cache_nodes (account, region, ") + node_columns +
                              ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                              " ON CONFLICT (account, region, cluster_id, node_id) DO UPDATE SET host = ?5,"
                              " port = ?6, directory = ?7, status = ?8, role = ?9, created_at = ?10");
    bind_scope(upsert, scope);
    upsert.bind(3, node.cluster_id);
    upsert.bind(4, node.node_id);
    upsert.bind(5, node.host);
    upsert.bind(6, node.port);
    upsert.bind(7, node.directory);
    upsert.bind(8, node.status);
    upsert.bind(9, node.role);
    upsert.bind(10, node.created_at);
    upsert.exec();
}

void delete_cache_node(Transaction& tx, core::Scope const& scope, std::string_view cluster, std::string_view node)
{
    auto& remove = tx.prepare(
        "DELETE FROM cache_nodes WHERE account = ?1 AND region = ?2 AND cluster_id = ?3 AND node_id = ?4");
    bind_scope(remove, scope);
    remove.bind(3, std::string(cluster));
    remove.bind(4, std::string(node));
    remove.exec();
}

std::vector<std::pair<core::Scope, CacheNode>> all_cache_nodes(Transaction& tx)
{
    auto& query = tx.prepare(std::string("SELECT account, region, ") + node_columns + " FROM cache_nodes ORDER BY port");
    std::vector<std::pair<core::Scope, CacheNode>> nodes;
    while (query.executeStep())
        nodes.emplace_back(core::Scope{query.getColumn(0).getString(), query.getColumn(1).getString()},
                           read_node(query, 2));
    return nodes;
}

std::optional<ReplicationGroup> find_replication_group(Transaction& tx, core::Scope const& scope, std::string_view id)
{
    auto& query = tx.prepare(std::string("SELECT ") + group_columns +
                             " FROM replication_groups WHERE account = ?1 AND region = ?2 AND id = ?3");
    bind_scope(query, scope);
    query.bind(3, std::string(id));
    if (!query.executeStep())
        return std::nullopt;
    auto group = read_group(query);
    query.reset();
    load_node_groups(tx, scope, group);
    return group;
}

std::vector<ReplicationGroup> list_replication_groups(Transaction& tx, core::Scope const& scope)
{
    std::vector<ReplicationGroup> groups;
    {
        auto& query = tx.prepare(std::string("SELECT ") + group_columns +
                                 " FROM replication_groups WHERE account = ?1 AND region = ?2 ORDER BY id");
        bind_scope(query, scope);
        while (query.executeStep())
            groups.push_back(read_group(query));
    }
    for (auto& group : groups)
        load_node_groups(tx, scope, group);
    return groups;
}

std::vector<std::pair<core::Scope, ReplicationGroup>> all_replication_groups(Transaction& tx)
{
    std::vector<std::pair<core::Scope, std::string>> keys;
    {
        auto& query = tx.prepare("SELECT account, region, id FROM replication_groups ORDER BY account, region, id");
        while (query.executeStep())
            keys.emplace_back(core::Scope{query.getColumn(0).getString(), query.getColumn(1).getString()},
                              query.getColumn(2).getString());
    }
    std::vector<std::pair<core::Scope, ReplicationGroup>> groups;
    for (auto const& [scope, id] : keys)
        groups.emplace_back(scope, *find_replication_group(tx, scope, id));
    return groups;
}

void save_replication_group(Transaction& tx, core::Scope const& scope, ReplicationGroup const& group)
{
    auto& upsert = tx.prepare(std::string("INSERT OR REPLACE INTO replication_groups (account, region, ") +
                              group_columns +
                              ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
                              "?18, ?19, ?20, ?21, ?22, ?23)");
    bind_scope(upsert, scope);
    upsert.bind(3, group.id);
    upsert.bind(4, group.description);
    upsert.bind(5, group.status);
    upsert.bind(6, group.cluster_enabled ? 1 : 0);
    upsert.bind(7, group.automatic_failover);
    upsert.bind(8, group.multi_az);
    upsert.bind(9, group.node_type);
    upsert.bind(10, group.engine);
    upsert.bind(11, group.engine_version);
    upsert.bind(12, group.parameter_group);
    upsert.bind(13, group.subnet_group);
    upsert.bind(14, group.port);
    auto const port_of = [](std::optional<Address> const& a) { return a ? std::optional<int>(a->port) : std::nullopt; };
    auto const host_of = [](std::optional<Address> const& a) {
        return a ? std::optional<std::string>(a->host) : std::nullopt;
    };
    bind_optional(upsert, 15, port_of(group.primary_endpoint));
    bind_optional(upsert, 16, port_of(group.reader_endpoint));
    bind_optional(upsert, 17, port_of(group.configuration_endpoint));
    bind_optional(upsert, 21, host_of(group.primary_endpoint));
    bind_optional(upsert, 22, host_of(group.reader_endpoint));
    bind_optional(upsert, 23, host_of(group.configuration_endpoint));
    bind_optional(upsert, 18, group.auth_token_hash);
    upsert.bind(19, json::serialize(group.settings));
    upsert.bind(20, group.created_at);
    upsert.exec();
    auto& clear = tx.prepare(
        "DELETE FROM node_groups WHERE account = ?1 AND region = ?2 AND replication_group_id = ?3");
    bind_scope(clear, scope);
    clear.bind(3, group.id);
    clear.exec();
    for (auto const& node_group : group.node_groups) {
        auto& insert = tx.prepare(
            "INSERT INTO node_groups (account, region, replication_group_id, node_group_id, slots, status) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        bind_scope(insert, scope);
        insert.bind(3, group.id);
        insert.bind(4, node_group.id);
        insert.bind(5, node_group.slots);
        insert.bind(6, node_group.status);
        insert.exec();
    }
}

void delete_replication_group(Transaction& tx, core::Scope const& scope, std::string_view id)
{
    auto& remove = tx.prepare("DELETE FROM replication_groups WHERE account = ?1 AND region = ?2 AND id = ?3");
    bind_scope(remove, scope);
    remove.bind(3, std::string(id));
    remove.exec();
}

int clusters_using_parameter_group(Transaction& tx, core::Scope const& scope, std::string_view name)
{
    auto& query = tx.prepare(
        "SELECT count(*) FROM cache_clusters WHERE account = ?1 AND region = ?2 AND parameter_group = ?3");
    bind_scope(query, scope);
    query.bind(3, std::string(name));
    query.executeStep();
    return query.getColumn(0).getInt();
}

int clusters_using_subnet_group(Transaction& tx, core::Scope const& scope, std::string_view name)
{
    auto& query = tx.prepare(
        "SELECT count(*) FROM cache_clusters WHERE account = ?1 AND region = ?2 AND subnet_group = ?3");
    bind_scope(query, scope);
    query.bind(3, std::string(name));
    query.executeStep();
    return query.getColumn(0).getInt();
}

bool address_taken(Transaction& tx, Address const& address)
{
    auto& query = tx.prepare("SELECT 1 FROM addresses WHERE host = ?1 AND port = ?2");
    query.bind(1, address.host);
    query.bind(2, address.port);
    bool const taken = query.executeStep();
    query.reset();
    return taken;
}

std::vector<std::string> hosts_taking_port(Transaction& tx, int port)
{
    auto& query = tx.prepare("SELECT host FROM addresses WHERE port = ?1");
    query.bind(1, port);
    std::vector<std::string> hosts;
    while (query.executeStep())
        hosts.push_back(query.getColumn(0).getString());
    return hosts;
}

std::vector<int> ports_taken_on(Transaction& tx, std::string_view host)
{
    auto& query = tx.prepare("SELECT port FROM addresses WHERE host = ?1");
    query.bind(1, std::string(host));
    std::vector<int> ports;
    while (query.executeStep())
        ports.push_back(query.getColumn(0).getInt());
    return ports;
}

void take_address(Transaction& tx, Address const& address, std::string_view owner)
{
    auto& insert = tx.prepare("INSERT INTO addresses (host, port, owner) VALUES (?1, ?2, ?3)");
    insert.bind(1, address.host);
    insert.bind(2, address.port);
    insert.bind(3, std::string(owner));
    insert.exec();
}

void transfer_address(Transaction& tx, Address const& address, std::string_view owner)
{
    auto& update = tx.prepare("UPDATE addresses SET owner = ?3 WHERE host = ?1 AND port = ?2");
    update.bind(1, address.host);
    update.bind(2, address.port);
    update.bind(3, std::string(owner));
    update.exec();
}

void release_address(Transaction& tx, Address const& address)
{
    auto& remove = tx.prepare("DELETE FROM addresses WHERE host = ?1 AND port = ?2");
    remove.bind(1, address.host);
    remove.bind(2, address.port);
    remove.exec();
}

void release_addresses_of(Transaction& tx, std::string_view owner_prefix)
{
    auto& remove = tx.prepare("DELETE FROM addresses WHERE substr(owner, 1, length(?1)) = ?1");
    remove.bind(1, std::string(owner_prefix));
    remove.exec();
}

}  // namespace keyfleet::store
