#include "store/workflows.h"

#include <boost/json.hpp>

namespace keyfleet::store {

namespace json = boost::json;

namespace {
constexpr char const* columns = "id, account, region, kind, target, step, data, status, coalesce(error, ''), not_before";

Workflow read_workflow(SQLite::Statement& row)
{
    Workflow workflow;
    workflow.id = row.getColumn(0).getInt64();
    workflow.scope = {row.getColumn(1).getString(), row.getColumn(2).getString()};
    workflow.kind = row.getColumn(3).getString();
    workflow.target = row.getColumn(4).getString();
    workflow.step = row.getColumn(5).getString();
    workflow.data = json::parse(row.getColumn(6).getString()).as_object();
    workflow.status = row.getColumn(7).getString();
    workflow.error = row.getColumn(8).getString();
    workflow.not_before = row.getColumn(9).getInt64();
    return workflow;
}
}  // namespace

std::int64_t start_workflow(Transaction& tx, core::Scope const& scope, std::string_view kind, std::string_view target,
                            std::string_view first_step, json::object const& data, std::int64_t now)
{
    if (auto const running = running_workflow(tx, scope, target))
        throw TargetBusy(std::string(target), running->kind);
    auto& insert = tx.prepare(
        "INSERT INTO workflows (account, region, kind, target, step, data, status, not_before, created_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'running', 0, ?7, ?7)");
    bind_scope(insert, scope);
    insert.bind(3, std::string(kind));
    insert.bind(4, std::string(target));
    insert.bind(5, std::string(first_step));
    insert.bind(6, json::serialize(data));
    insert.bind(7, now);
    insert.exec();
    return tx.connection().raw().getLastInsertRowid();
}

std::optional<Workflow> running_workflow(Transaction& tx, core::Scope const& scope, std::string_view target)
{
    auto& query = tx.prepare(std::string("SELECT ") + columns +
                             " FROM workflows WHERE account = ?1 AND region = ?2 AND target = ?3 AND status = 'running'");
    bind_scope(query, scope);
    query.bind(3, std::string(target));
    if (!query.executeStep())
        return std::nullopt;
    return read_workflow(query);
}

std::vector<Workflow> due_workflows(Transaction& tx, std::int64_t now)
{
    auto& query = tx.prepare(std::string("SELECT ") + columns +
                             " FROM workflows WHERE status = 'running' AND not_before <= ?1 ORDER BY id");
    query.bind(1, now);
    std::vector<Workflow> workflows;
    while (query.executeStep())
        workflows.push_back(read_workflow(query));
    return workflows;
}

std::optional<std::int64_t> next_due(Transaction& tx)
{
    auto& query = tx.prepare("SELECT min(not_before) FROM workflows WHERE status = 'running'");
    if (!query.executeStep() || query.getColumn(0).isNull())
        return std::nullopt;
    return query.getColumn(0).getInt64();
}

void checkpoint_workflow(Transaction& tx, Workflow const& workflow, std::int64_t now)
{
    auto& update = tx.prepare(
        "UPDATE workflows SET step = ?2, data = ?3, not_before = ?4, updated_at = ?5 WHERE id = ?1");
    update.bind(1, workflow.id);
    update.bind(2, workflow.step);
    update.bind(3, json::serialize(workflow.data));
    update.bind(4, workflow.not_before);
    update.bind(5, now);
    update.exec();
}

void finish_workflow(Transaction& tx, std::int64_t id, std::string_view status, std::string_view error,
                     std::int64_t now)
{
    auto& update = tx.prepare("UPDATE workflows SET status = ?2, error = ?3, updated_at = ?4 WHERE id = ?1");
    update.bind(1, id);
    update.bind(2, std::string(status));
    if (!error.empty())
        update.bind(3, std::string(error));
    update.bind(4, now);
    update.exec();
}

}  // namespace keyfleet::store
