#include "store/events.h"

namespace keyfleet::store {

void record_event(Transaction& tx, core::Scope const& scope, std::string_view source_type,
                  std::string_view source_id, std::string message, std::int64_t at)
{
    auto& insert = tx.prepare(
        "INSERT INTO events (account, region, source_type, source_id, message, created_at) VALUES (?, ?, ?, ?, ?, ?)");
    insert.bind(1, scope.account);
    insert.bind(2, scope.region);
    insert.bind(3, std::string(source_type));
    insert.bind(4, std::string(source_id));
    insert.bind(5, message);
    insert.bind(6, at);
    insert.exec();
}

std::vector<Event> find_events(Transaction& tx, core::Scope const& scope, EventFilter const& filter)
{
    // (created_at, id) orders events; ids grow with time, so id alone pages them.
    auto& query = tx.prepare(
        "SELECT id, source_type, source_id, message, created_at FROM events "
        "WHERE account = ?1 AND region = ?2 AND created_at BETWEEN ?3 AND ?4 "
        "AND (?5 IS NULL OR source_type = ?5) AND (?6 IS NULL OR source_id = ?6) AND (?7 IS NULL OR id < ?7) "
        "ORDER BY id DESC LIMIT ?8");
    query.bind(1, scope.account);
    query.bind(2, scope.region);
    query.bind(3, filter.start);
    query.bind(4, filter.end);
    if (filter.source_type)
        query.bind(5, *filter.source_type);
    if (filter.source_id)
        query.bind(6, *filter.source_id);
    if (filter.before_id)
        query.bind(7, *filter.before_id);
    query.bind(8, filter.limit);
    std::vector<Event> events;
    while (query.executeStep())
        events.push_back({query.getColumn(0).getInt64(), query.getColumn(1).getString(),
                          query.getColumn(2).getString(), query.getColumn(3).getString(),
                          query.getColumn(4).getInt64()});
    return events;
}

void prune_events(Transaction& tx, std::int64_t older_than)
{
    auto& remove = tx.prepare("DELETE FROM events WHERE created_at < ?");
    remove.bind(1, older_than);
    remove.exec();
}

}  // namespace keyfleet::store
