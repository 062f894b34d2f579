#include "store/parameter_groups.h"

namespace keyfleet::store {

namespace {
void load_values(Transaction& tx, core::Scope const& scope, ParameterGroup& group)
{
    auto& query = tx.prepare(
        "SELECT parameter_name, value FROM cache_parameter_values WHERE account = ?1 AND region = ?2 AND group_name = ?3");
    bind_scope(query, scope);
    query.bind(3, group.name);
    while (query.executeStep())
        group.values.emplace(query.getColumn(0).getString(), query.getColumn(1).getString());
}

ParameterGroup read_group(SQLite::Statement& row)
{
    return {row.getColumn(0).getString(), row.getColumn(1).getString(), row.getColumn(2).getString(),
            row.getColumn(3).getInt64(), {}};
}
}  // namespace

std::optional<ParameterGroup> find_parameter_group(Transaction& tx, core::Scope const& scope, std::string_view name)
{
    auto& query = tx.prepare(
        "SELECT name, family, description, created_at FROM cache_parameter_groups "
        "WHERE account = ?1 AND region = ?2 AND name = ?3");
    bind_scope(query, scope);
    query.bind(3, std::string(name));
    if (!query.executeStep())
        return std::nullopt;
    auto group = read_group(query);
    query.reset();
    load_values(tx, scope, group);
    return group;
}

std::vector<ParameterGroup> list_parameter_groups(Transaction& tx, core::Scope const& scope)
{
    std::vector<ParameterGroup> groups;
    auto& query = tx.prepare(
        "SELECT name, family, description, created_at FROM cache_parameter_groups "
        "WHERE account = ?1 AND region = ?2 ORDER BY name");
    bind_scope(query, scope);
    while (query.executeStep())
        groups.push_back(read_group(query));
    return groups;
}

int count_parameter_groups(Transaction& tx, core::Scope const& scope)
{
    auto& query = tx.prepare("SELECT count(*) FROM cache_parameter_groups WHERE account = ?1 AND region = ?2");
    bind_scope(query, scope);
    query.executeStep();
    return query.getColumn(0).getInt();
}

void insert_parameter_group(Transaction& tx, core::Scope const& scope, ParameterGroup const& group)
{
    auto& insert = tx.prepare(
        "INSERT INTO cache_parameter_groups (account, region, name, family, description, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    bind_scope(insert, scope);
    insert.bind(3, group.name);
    insert.bind(4, group.family);
    insert.bind(5, group.description);
    insert.bind(6, group.created_at);
    insert.exec();
    set_parameter_values(tx, scope, group.name, group.values);
}

void delete_parameter_group(Transaction& tx, core::Scope const& scope, std::string_view name)
{
    auto& remove = tx.prepare("DELETE FROM cache_parameter_groups WHERE account = ?1 AND region = ?2 AND name = ?3");
    bind_scope(remove, scope);
    remove.bind(3, std::string(name));
    remove.exec();
}

void set_parameter_values(Transaction& tx, core::Scope const& scope, std::string_view group,
                          std::map<std::string, std::string, std::less<>> const& values)
{
    for (auto const& [name, value] : values) {
        auto& upsert = tx.prepare(
            "INSERT INTO cache_parameter_values (account, region, group_name, parameter_name, value) "
            "VALUES (?1, ?2, ?3, ?4, ?5) "
            "ON CONFLICT (account, region, group_name, parameter_name) DO UPDATE SET value = excluded.value");
        bind_scope(upsert, scope);
        upsert.bind(3, std::string(group));
        upsert.bind(4, name);
        upsert.bind(5, value);
        upsert.exec();
    }
}

void reset_parameter_values(Transaction& tx, core::Scope const& scope, std::string_view group,
                            std::vector<std::string> const& names)
{
    if (names.empty()) {
        auto& clear = tx.prepare(
            "DELETE FROM cache_parameter_values WHERE account = ?1 AND region = ?2 AND group_name = ?3");
        bind_scope(clear, scope);
        clear.bind(3, std::string(group));
        clear.exec();
        return;
    }
    for (auto const& name : names) {
        auto& remove = tx.prepare(
            "DELETE FROM cache_parameter_values "
            "WHERE account = ?1 AND region = ?2 AND group_name = ?3 AND parameter_name = ?4");
        bind_scope(remove, scope);
        remove.bind(3, std::string(group));
        remove.bind(4, name);
        remove.exec();
    }
}

}  // namespace keyfleet::store
