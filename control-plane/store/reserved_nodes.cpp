#include "store/reserved_nodes.h"

#include <boost/json.hpp>

namespace keyfleet::store {

namespace {
constexpr char const* columns = "id, offering, node_count, start_time, state";

ReservedNode read_node(SQLite::Statement& row)
{
    return {row.getColumn(0).getString(), boost::json::parse(row.getColumn(1).getString()).as_object(),
            row.getColumn(2).getInt(), row.getColumn(3).getInt64(), row.getColumn(4).getString()};
}
}  // namespace

std::optional<ReservedNode> find_reserved_node(Transaction& tx, core::Scope const& scope, std::string_view id)
{
    auto& query = tx.prepare(std::string("SELECT ") + columns +
                             " FROM reserved_cache_nodes WHERE account = ?1 AND region = ?2 AND id = ?3");
    bind_scope(query, scope);
    query.bind(3, std::string(id));
    if (!query.executeStep())
        return std::nullopt;
    return read_node(query);
}

std::vector<ReservedNode> list_reserved_nodes(Transaction& tx, core::Scope const& scope)
{
    auto& query = tx.prepare(std::string("SELECT ") + columns +
                             " FROM reserved_cache_nodes WHERE account = ?1 AND region = ?2 ORDER BY id");
    bind_scope(query, scope);
    std::vector<ReservedNode> nodes;
    while (query.executeStep())
        nodes.push_back(read_node(query));
    return nodes;
}

void save_reserved_node(Transaction& tx, core::Scope const& scope, ReservedNode const& node)
{
    auto& upsert = tx.prepare(std::string("INSERT OR REPLACE INTO reserved_cache_nodes (account, region, ") + columns +
                              ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    bind_scope(upsert, scope);
    upsert.bind(3, node.id);
    upsert.bind(4, boost::json::serialize(node.offering));
    upsert.bind(5, node.node_count);
    upsert.bind(6, node.start_time);
    upsert.bind(7, node.state);
    upsert.exec();
}

}  // namespace keyfleet::store
