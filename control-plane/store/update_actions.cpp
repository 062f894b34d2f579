#include "store/update_actions.h"

namespace keyfleet::store {

std::vector<UpdateAction> list_update_actions(Transaction& tx, core::Scope const& scope)
{
    auto& query = tx.prepare(
        "SELECT service_update_name, target_kind, target_id, status, status_modified_at FROM update_actions "
        "WHERE account = ?1 AND region = ?2 ORDER BY service_update_name, target_kind, target_id");
    bind_scope(query, scope);
    std::vector<UpdateAction> actions;
    while (query.executeStep())
        actions.push_back({query.getColumn(0).getString(), query.getColumn(1).getString(),
                           query.getColumn(2).getString(), query.getColumn(3).getString(),
                           query.getColumn(4).getInt64()});
    return actions;
}

void save_update_action(Transaction& tx, core::Scope const& scope, UpdateAction const& action)
{
    auto& upsert = tx.prepare(
        "INSERT OR REPLACE INTO update_actions "
        "(account, region, service_update_name, target_kind, target_id, status, status_modified_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    bind_scope(upsert, scope);
    upsert.bind(3, action.service_update_name);
    upsert.bind(4, action.target_kind);
    upsert.bind(5, action.target_id);
    upsert.bind(6, action.status);
    upsert.bind(7, action.status_modified_at);
    upsert.exec();
}

}  // namespace keyfleet::store
