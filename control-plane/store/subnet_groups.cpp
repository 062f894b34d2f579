#include "store/subnet_groups.h"

namespace keyfleet::store {

namespace {

SubnetGroup read_group(SQLite::Statement& row)
{
    SubnetGroup group;
    group.name = row.getColumn(0).getString();
    group.description = row.getColumn(1).getString();
    group.vpc_id = row.getColumn(2).getString();
    group.created_at = row.getColumn(3).getInt64();
    return group;
}

void load_subnets(Transaction& tx, core::Scope const& scope, SubnetGroup& group)
{
    auto& query = tx.prepare(
        "SELECT subnet_id, availability_zone FROM cache_subnets "
        "WHERE account = ? AND region = ? AND group_name = ? ORDER BY position");
    query.bind(1, scope.account);
    query.bind(2, scope.region);
    query.bind(3, group.name);
    while (query.executeStep())
        group.subnets.push_back({query.getColumn(0).getString(), query.getColumn(1).getString()});
}

void insert_subnets(Transaction& tx, core::Scope const& scope, SubnetGroup const& group)
{
    int position = 0;
    for (auto const& subnet : group.subnets) {
        auto& insert = tx.prepare(
            "INSERT INTO cache_subnets (account, region, group_name, position, subnet_id, availability_zone) "
            "VALUES (?, ?, ?, ?, ?, ?)");
        insert.bind(1, scope.account);
        insert.bind(2, scope.region);
        insert.bind(3, group.name);
        insert.bind(4, ++position);
        insert.bind(5, subnet.id);
        insert.bind(6, subnet.availability_zone);
        insert.exec();
    }
}

}  // namespace

std::optional<SubnetGroup> find_subnet_group(Transaction& tx, core::Scope const& scope, std::string_view name)
{
    auto& query = tx.prepare(
        "SELECT name, description, vpc_id, created_at FROM cache_subnet_groups "
        "WHERE account = ? AND region = ? AND name = ?");
    query.bind(1, scope.account);
    query.bind(2, scope.region);
    query.bind(3, std::string(name));
    if (!query.executeStep())
        return std::nullopt;
    auto group = read_group(query);
    query.reset();
    load_subnets(tx, scope, group);
    return group;
}

std::vector<SubnetGroup> list_subnet_groups(Transaction& tx, core::Scope const& scope, std::string_view after,
                                            int limit)
{
    // One query for the page of groups and all their subnets.
    auto& query = tx.prepare(
        "WITH page AS (SELECT name, description, vpc_id, created_at FROM cache_subnet_groups "
        "  WHERE account = ?1 AND region = ?2 AND name > ?3 ORDER BY name LIMIT ?4) "
        "SELECT page.name, page.description, page.vpc_id, page.created_at, s.subnet_id, s.availability_zone "
        "FROM page LEFT JOIN cache_subnets s "
        "  ON s.account = ?1 AND s.region = ?2 AND s.group_name = page.name "
        "ORDER BY page.name, s.position");
    query.bind(1, scope.account);
    query.bind(2, scope.region);
    query.bind(3, std::string(after));
    query.bind(4, limit);
    std::vector<SubnetGroup> groups;
    while (query.executeStep()) {
        if (groups.empty() || groups.back().name != query.getColumn(0).getText())
            groups.push_back(read_group(query));
        if (!query.getColumn(4).isNull())
            groups.back().subnets.push_back({query.getColumn(4).getString(), query.getColumn(5).getString()});
    }
    return groups;
}

int count_subnet_groups(Transaction& tx, core::Scope const& scope)
{
    auto& query = tx.prepare("SELECT count(*) FROM cache_subnet_groups WHERE account = ? AND region = ?");
    query.bind(1, scope.account);
    query.bind(2, scope.region);
    query.executeStep();
    int const count = query.getColumn(0).getInt();
    query.reset();
    return count;
}

void insert_subnet_group(Transaction& tx, core::Scope const& scope, SubnetGroup const& group)
{
    auto& insert = tx.prepare(
        "INSERT INTO cache_subnet_groups (account, region, name, description, vpc_id, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    insert.bind(1, scope.account);
    insert.bind(2, scope.region);
    insert.bind(3, group.name);
    insert.bind(4, group.description);
    insert.bind(5, group.vpc_id);
    insert.bind(6, group.created_at);
    insert.exec();
    insert_subnets(tx, scope, group);
}

void update_subnet_group(Transaction& tx, core::Scope const& scope, SubnetGroup const& group)
{
    auto& update = tx.prepare(
        "UPDATE cache_subnet_groups SET description = ? WHERE account = ? AND region = ? AND name = ?");
    update.bind(1, group.description);
    update.bind(2, scope.account);
    update.bind(3, scope.region);
    update.bind(4, group.name);
    update.exec();
    auto& clear = tx.prepare("DELETE FROM cache_subnets WHERE account = ? AND region = ? AND group_name = ?");
    clear.bind(1, scope.account);
    clear.bind(2, scope.region);
    clear.bind(3, group.name);
    clear.exec();
    insert_subnets(tx, scope, group);
}

void delete_subnet_group(Transaction& tx, core::Scope const& scope, std::string_view name)
{
    auto& remove = tx.prepare("DELETE FROM cache_subnet_groups WHERE account = ? AND region = ? AND name = ?");
    remove.bind(1, scope.account);
    remove.bind(2, scope.region);
    remove.bind(3, std::string(name));
    remove.exec();
}

}  // namespace keyfleet::store
