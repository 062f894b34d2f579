#include "store/tags.h"

namespace keyfleet::store {

namespace {
void bind_resource(SQLite::Statement& statement, core::Scope const& scope, ResourceRef resource)
{
    statement.bind(1, scope.account);
    statement.bind(2, scope.region);
    statement.bind(3, std::string(resource.kind));
    statement.bind(4, std::string(resource.id));
}
}  // namespace

std::vector<Tag> list_tags(Transaction& tx, core::Scope const& scope, ResourceRef resource)
{
    auto& query = tx.prepare(
        "SELECT key, value FROM tags WHERE account = ? AND region = ? AND resource_kind = ? AND resource_id = ? "
        "ORDER BY position");
    bind_resource(query, scope, resource);
    std::vector<Tag> tags;
    while (query.executeStep())
        tags.push_back({query.getColumn(0).getString(), query.getColumn(1).getString()});
    return tags;
}

void put_tags(Transaction& tx, core::Scope const& scope, ResourceRef resource, std::vector<Tag> const& tags)
{
    for (auto const& tag : tags) {
        auto& upsert = tx.prepare(
            "INSERT INTO tags (account, region, resource_kind, resource_id, key, value, position) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, (SELECT coalesce(max(position), 0) + 1 FROM tags "
            "  WHERE account = ?1 AND region = ?2 AND resource_kind = ?3 AND resource_id = ?4)) "
            "ON CONFLICT (account, region, resource_kind, resource_id, key) DO UPDATE SET value = excluded.value");
        bind_resource(upsert, scope, resource);
        upsert.bind(5, tag.key);
        upsert.bind(6, tag.value);
        upsert.exec();
    }
}

void remove_tags(Transaction& tx, core::Scope const& scope, ResourceRef resource,
                 std::vector<std::string> const& keys)
{
    for (auto const& key : keys) {
        auto& remove = tx.prepare(
            "DELETE FROM tags WHERE account = ? AND region = ? AND resource_kind = ? AND resource_id = ? AND key = ?");
        bind_resource(remove, scope, resource);
        remove.bind(5, key);
        remove.exec();
    }
}

void delete_all_tags(Transaction& tx, core::Scope const& scope, ResourceRef resource)
{
    auto& remove = tx.prepare(
        "DELETE FROM tags WHERE account = ? AND region = ? AND resource_kind = ? AND resource_id = ?");
    bind_resource(remove, scope, resource);
    remove.exec();
}

}  // namespace keyfleet::store
