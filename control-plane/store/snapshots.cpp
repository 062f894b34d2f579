#include "store/snapshots.h"

#include <boost/json.hpp>

namespace keyfleet::store {

namespace json = boost::json;

namespace {

std::optional<std::int64_t> optional_number(SQLite::Column const& column)
{
    return column.isNull() ? std::nullopt : std::optional<std::int64_t>(column.getInt64());
}

constexpr char const* snapshot_columns =
    "name, status, origin, cache_cluster_id, replication_group_id, cluster_enabled, source, created_at";

Snapshot read_snapshot(SQLite::Statement& row)
{
    Snapshot snapshot;
    snapshot.name = row.getColumn(0).getString();
    snapshot.status = row.getColumn(1).getString();
    snapshot.origin = row.getColumn(2).getString();
    snapshot.cache_cluster_id = optional_text(row.getColumn(3));
    snapshot.replication_group_id = optional_text(row.getColumn(4));
    snapshot.cluster_enabled = row.getColumn(5).getInt() != 0;
    snapshot.source = json::parse(row.getColumn(6).getString()).as_object();
    snapshot.created_at = row.getColumn(7).getInt64();
    return snapshot;
}

void load_nodes(Transaction& tx, core::Scope const& scope, Snapshot& snapshot)
{
    auto& query = tx.prepare(
        "SELECT node_group_id, cache_cluster_id, cache_node_id, slots, configuration, file, size, sha256, "
        "node_created_at, snapshot_created_at FROM node_snapshots "
        "WHERE account = ?1 AND region = ?2 AND snapshot_name = ?3 ORDER BY node_group_id");
    bind_scope(query, scope);
    query.bind(3, snapshot.name);
    while (query.executeStep()) {
        NodeSnapshot node;
        node.node_group_id = query.getColumn(0).getString();
        node.cache_cluster_id = query.getColumn(1).getString();
        node.cache_node_id = query.getColumn(2).getString();
        node.slots = query.getColumn(3).getString();
        node.configuration = json::parse(query.getColumn(4).getString()).as_object();
        node.file = query.getColumn(5).getString();
        node.size = optional_number(query.getColumn(6));
        node.sha256 = optional_text(query.getColumn(7));
        node.node_created_at = query.getColumn(8).getInt64();
        node.snapshot_created_at = optional_number(query.getColumn(9));
        snapshot.nodes.push_back(std::move(node));
    }
}

}  // namespace

std::optional<Snapshot> find_snapshot(Transaction& tx, core::Scope const& scope, std::string_view name)
{
    auto& query = tx.prepare(std::string("SELECT ") + snapshot_columns +
                             " FROM snapshots WHERE account = ?1 AND region = ?2 AND name = ?3");
    bind_scope(query, scope);
    query.bind(3, std::string(name));
    if (!query.executeStep())
        return std::nullopt;
    auto snapshot = read_snapshot(query);
    query.reset();
    load_nodes(tx, scope, snapshot);
    return snapshot;
}

std::vector<Snapshot> list_snapshots(Transaction& tx, core::Scope const& scope)
{
    std::vector<Snapshot> snapshots;
    {
        auto& query = tx.prepare(std::string("SELECT ") + snapshot_columns +
                                 " FROM snapshots WHERE account = ?1 AND region = ?2 ORDER BY name");
        bind_scope(query, scope);
        while (query.executeStep())
            snapshots.push_back(read_snapshot(query));
        query.reset();
    }
    for (auto& snapshot : snapshots)
        load_nodes(tx, scope, snapshot);
    return snapshots;
}

void save_snapshot(Transaction& tx, core::Scope const& scope, Snapshot const& snapshot)
{
    auto& upsert = tx.prepare(std::string("INSERT OR REPLACE INTO snapshots (account, region, ") + snapshot_columns +
                              ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    bind_scope(upsert, scope);
    upsert.bind(3, snapshot.name);
    upsert.bind(4, snapshot.status);
    upsert.bind(5, snapshot.origin);
    bind_optional(upsert, 6, snapshot.cache_cluster_id);
    bind_optional(upsert, 7, snapshot.replication_group_id);
    upsert.bind(8, snapshot.cluster_enabled ? 1 : 0);
    upsert.bind(9, json::serialize(snapshot.source));
    upsert.bind(10, snapshot.created_at);
    upsert.exec();
    auto& clear = tx.prepare("DELETE FROM node_snapshots WHERE account = ?1 AND region = ?2 AND snapshot_name = ?3");
    bind_scope(clear, scope);
    clear.bind(3, snapshot.name);
    clear.exec();
    for (auto const& node : snapshot.nodes) {
        auto& insert = tx.prepare(
            "INSERT INTO node_snapshots (account, region, snapshot_name, node_group_id, cache_cluster_id, "
            "cache_node_id, slots, configuration, file, size, sha256, node_created_at, snapshot_created_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
        bind_scope(insert, scope);
        insert.bind(3, snapshot.name);
        insert.bind(4, node.node_group_id);
        insert.bind(5, node.cache_cluster_id);
        insert.bind(6, node.cache_node_id);
        insert.bind(7, node.slots);
        insert.bind(8, json::serialize(node.configuration));
        insert.bind(9, node.file);
        bind_optional(insert, 10, node.size);
        bind_optional(insert, 11, node.sha256);
        insert.bind(12, node.node_created_at);
        bind_optional(insert, 13, node.snapshot_created_at);
        insert.exec();
    }
}

void delete_snapshot(Transaction& tx, core::Scope const& scope, std::string_view name)
{
    auto& remove = tx.prepare("DELETE FROM snapshots WHERE account = ?1 AND region = ?2 AND name = ?3");
    bind_scope(remove, scope);
    remove.bind(3, std::string(name));
    remove.exec();
}

}  // namespace keyfleet::store
