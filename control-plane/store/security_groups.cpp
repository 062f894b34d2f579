#include "store/security_groups.h"

namespace keyfleet::store {

namespace {
void load_authorizations(Transaction& tx, core::Scope const& scope, SecurityGroup& group)
{
    auto& query = tx.prepare(
        "SELECT ec2_security_group, ec2_security_group_owner FROM cache_security_group_ingress "
        "WHERE account = ?1 AND region = ?2 AND group_name = ?3 ORDER BY position");
    bind_scope(query, scope);
    query.bind(3, group.name);
    while (query.executeStep())
        group.authorizations.push_back({query.getColumn(0).getString(), query.getColumn(1).getString()});
}
}  // namespace

std::optional<SecurityGroup> find_security_group(Transaction& tx, core::Scope const& scope, std::string_view name)
{
    auto& query = tx.prepare(
        "SELECT name, description, created_at FROM cache_security_groups WHERE account = ?1 AND region = ?2 AND name = ?3");
    bind_scope(query, scope);
    query.bind(3, std::string(name));
    if (!query.executeStep())
        return std::nullopt;
    SecurityGroup group{query.getColumn(0).getString(), query.getColumn(1).getString(), query.getColumn(2).getInt64(), {}};
    query.reset();
    load_authorizations(tx, scope, group);
    return group;
}

std::vector<SecurityGroup> list_security_groups(Transaction& tx, core::Scope const& scope)
{
    std::vector<SecurityGroup> groups;
    {
        auto& query = tx.prepare(
            "SELECT name, description, created_at FROM cache_security_groups WHERE account = ?1 AND region = ?2 "
            "ORDER BY name");
        bind_scope(query, scope);
        while (query.executeStep())
            groups.push_back({query.getColumn(0).getString(), query.getColumn(1).getString(),
                              query.getColumn(2).getInt64(), {}});
    }
    for (auto& group : groups)
        load_authorizations(tx, scope, group);
    return groups;
}

void insert_security_group(Transaction& tx, core::Scope const& scope, SecurityGroup const& group)
{
    auto& insert = tx.prepare(
        "INSERT INTO cache_security_groups (account, region, name, description, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    bind_scope(insert, scope);
    insert.bind(3, group.name);
    insert.bind(4, group.description);
    insert.bind(5, group.created_at);
    insert.exec();
}

void delete_security_group(Transaction& tx, core::Scope const& scope, std::string_view name)
{
    auto& remove = tx.prepare("DELETE FROM cache_security_groups WHERE account = ?1 AND region = ?2 AND name = ?3");
    bind_scope(remove, scope);
    remove.bind(3, std::string(name));
    remove.exec();
}

void add_authorization(Transaction& tx, core::Scope const& scope, std::string_view group, Ec2Authorization const& a)
{
    auto& insert = tx.prepare(
        "INSERT INTO cache_security_group_ingress "
        "(account, region, group_name, ec2_security_group, ec2_security_group_owner, position) "
        "VALUES (?1, ?2, ?3, ?4, ?5, (SELECT coalesce(max(position), 0) + 1 FROM cache_security_group_ingress "
        "  WHERE account = ?1 AND region = ?2 AND group_name = ?3))");
    bind_scope(insert, scope);
    insert.bind(3, std::string(group));
    insert.bind(4, a.group_name);
    insert.bind(5, a.owner_id);
    insert.exec();
}

void remove_authorization(Transaction& tx, core::Scope const& scope, std::string_view group,
                          Ec2Authorization const& a)
{
    auto& remove = tx.prepare(
        "DELETE FROM cache_security_group_ingress WHERE account = ?1 AND region = ?2 AND group_name = ?3 "
        "AND ec2_security_group = ?4 AND ec2_security_group_owner = ?5");
    bind_scope(remove, scope);
    remove.bind(3, std::string(group));
    remove.bind(4, a.group_name);
    remove.bind(5, a.owner_id);
    remove.exec();
}

}  // namespace keyfleet::store
