#include "store/users.h"

#include <boost/json.hpp>

namespace keyfleet::store {

namespace json = boost::json;

namespace {

constexpr char const* user_columns =
    "user_id, user_name, engine, access_string, authentication_type, password_hashes, status, created_at";

User read_user(SQLite::Statement& row)
{
    User user;
    user.user_id = row.getColumn(0).getString();
    user.user_name = row.getColumn(1).getString();
    user.engine = row.getColumn(2).getString();
    user.access_string = row.getColumn(3).getString();
    user.authentication_type = row.getColumn(4).getString();
    auto const hashes = json::parse(row.getColumn(5).getString());
    for (auto const& hash : hashes.as_array())
        user.password_hashes.emplace_back(hash.as_string());
    user.status = row.getColumn(6).getString();
    user.created_at = row.getColumn(7).getInt64();
    return user;
}

void load_members(Transaction& tx, core::Scope const& scope, UserGroup& group)
{
    auto& query = tx.prepare(
        "SELECT user_id, pending FROM user_group_members WHERE account = ?1 AND region = ?2 AND user_group_id = ?3 "
        "ORDER BY user_id");
    bind_scope(query, scope);
    query.bind(3, group.user_group_id);
    while (query.executeStep()) {
        UserGroupMember member{query.getColumn(0).getString(), std::nullopt};
        if (!query.getColumn(1).isNull())
            member.pending = query.getColumn(1).getString();
        group.members.push_back(std::move(member));
    }
}

UserGroup read_group(SQLite::Statement& row)
{
    return {row.getColumn(0).getString(), row.getColumn(1).getString(), row.getColumn(2).getString(),
            row.getColumn(3).getInt64(), {}};
}

}  // namespace

std::optional<User> find_user(Transaction& tx, core::Scope const& scope, std::string_view user_id)
{
    auto& query = tx.prepare(std::string("SELECT ") + user_columns +
                             " FROM users WHERE account = ?1 AND region = ?2 AND user_id = ?3");
    bind_scope(query, scope);
    query.bind(3, std::string(user_id));
    if (!query.executeStep())
        return std::nullopt;
    return read_user(query);
}

std::vector<User> list_users(Transaction& tx, core::Scope const& scope)
{
    auto& query =
        tx.prepare(std::string("SELECT ") + user_columns + " FROM users WHERE account = ?1 AND region = ?2 ORDER BY user_id");
    bind_scope(query, scope);
    std::vector<User> users;
    while (query.executeStep())
        users.push_back(read_user(query));
    return users;
}

int count_users(Transaction& tx, core::Scope const& scope)
{
    auto& query = tx.prepare("SELECT count(*) FROM users WHERE account = ?1 AND region = ?2");
    bind_scope(query, scope);
    query.executeStep();
    return query.getColumn(0).getInt();
}

void save_user(Transaction& tx, core::Scope const& scope, User const& user)
{
    auto& upsert = tx.prepare(std::string("INSERT OR REPLACE INTO users (account, region, ") + user_columns +
                              ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    bind_scope(upsert, scope);
    json::array hashes;
    for (auto const& hash : user.password_hashes)
        hashes.emplace_back(hash);
    upsert.bind(3, user.user_id);
    upsert.bind(4, user.user_name);
    upsert.bind(5, user.engine);
    upsert.bind(6, user.access_string);
    upsert.bind(7, user.authentication_type);
    upsert.bind(8, json::serialize(hashes));
    upsert.bind(9, user.status);
    upsert.bind(10, user.created_at);
    upsert.exec();
}

void delete_user(Transaction& tx, core::Scope const& scope, std::string_view user_id)
{
    auto& remove = tx.prepare("DELETE FROM users WHERE account = ?1 AND region = ?2 AND user_id = ?3");
    bind_scope(remove, scope);
    remove.bind(3, std::string(user_id));
    remove.exec();
}

std::optional<UserGroup> find_user_group(Transaction& tx, core::Scope const& scope, std::string_view id)
{
    auto& query = tx.prepare(
        "SELECT user_group_id, engine, status, created_at FROM user_groups "
        "WHERE account = ?1 AND region = ?2 AND user_group_id = ?3");
    bind_scope(query, scope);
    query.bind(3, std::string(id));
    if (!query.executeStep())
        return std::nullopt;
    auto group = read_group(query);
    query.reset();
    load_members(tx, scope, group);
    return group;
}

std::vector<UserGroup> list_user_groups(Transaction& tx, core::Scope const& scope)
{
    std::vector<UserGroup> groups;
    {
        auto& query = tx.prepare(
            "SELECT user_group_id, engine, status, created_at FROM user_groups WHERE account = ?1 AND region = ?2 "
            "ORDER BY user_group_id");
        bind_scope(query, scope);
        while (query.executeStep())
            groups.push_back(read_group(query));
    }
    for (auto& group : groups)
        load_members(tx, scope, group);
    return groups;
}

int count_user_groups(Transaction& tx, core::Scope const& scope)
{
    auto& query = tx.prepare("SELECT count(*) FROM user_groups WHERE account = ?1 AND region = ?2");
    bind_scope(query, scope);
    query.executeStep();
    return query.getColumn(0).getInt();
}

void insert_user_group(Transaction& tx, core::Scope const& scope, UserGroup const& group)
{
    auto& insert = tx.prepare(
        "INSERT INTO user_groups (account, region, user_group_id, engine, status, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    bind_scope(insert, scope);
    insert.bind(3, group.user_group_id);
    insert.bind(4, group.engine);
    insert.bind(5, group.status);
    insert.bind(6, group.created_at);
    insert.exec();
    for (auto const& member : group.members)
        put_member(tx, scope, group.user_group_id, member.user_id,
                   member.pending ? std::optional<std::string_view>(*member.pending) : std::nullopt);
}

void set_user_group_status(Transaction& tx, core::Scope const& scope, std::string_view id, std::string_view status)
{
    auto& update = tx.prepare(
        "UPDATE user_groups SET status = ?4 WHERE account = ?1 AND region = ?2 AND user_group_id = ?3");
    bind_scope(update, scope);
    update.bind(3, std::string(id));
    update.bind(4, std::string(status));
    update.exec();
}

void delete_user_group(Transaction& tx, core::Scope const& scope, std::string_view id)
{
    auto& remove = tx.prepare("DELETE FROM user_groups WHERE account = ?1 AND region = ?2 AND user_group_id = ?3");
    bind_scope(remove, scope);
    remove.bind(3, std::string(id));
    remove.exec();
}

void put_member(Transaction& tx, core::Scope const& scope, std::string_view group, std::string_view user_id,
                std::optional<std::string_view> pending)
{
    auto& upsert = tx.prepare(
        "INSERT INTO user_group_members (account, region, user_group_id, user_id, pending) VALUES (?1, ?2, ?3, ?4, ?5) "
        "ON CONFLICT (account, region, user_group_id, user_id) DO UPDATE SET pending = excluded.pending");
    bind_scope(upsert, scope);
    upsert.bind(3, std::string(group));
    upsert.bind(4, std::string(user_id));
    if (pending)
        upsert.bind(5, std::string(*pending));
    upsert.exec();
}

void remove_member(Transaction& tx, core::Scope const& scope, std::string_view group, std::string_view user_id)
{
    auto& remove = tx.prepare(
        "DELETE FROM user_group_members WHERE account = ?1 AND region = ?2 AND user_group_id = ?3 AND user_id = ?4");
    bind_scope(remove, scope);
    remove.bind(3, std::string(group));
    remove.bind(4, std::string(user_id));
    remove.exec();
}

std::vector<std::string> groups_of_user(Transaction& tx, core::Scope const& scope, std::string_view user_id)
{
    auto& query = tx.prepare(
        "SELECT user_group_id FROM user_group_members WHERE account = ?1 AND region = ?2 AND user_id = ?3 "
        "AND (pending IS NULL OR pending = 'remove') ORDER BY user_group_id");
    bind_scope(query, scope);
    query.bind(3, std::string(user_id));
    std::vector<std::string> groups;
    while (query.executeStep())
        groups.push_back(query.getColumn(0).getString());
    return groups;
}

}  // namespace keyfleet::store

namespace keyfleet::store {

void remove_user_from_groups(Transaction& tx, core::Scope const& scope, std::string_view user_id)
{
    auto& remove = tx.prepare("DELETE FROM user_group_members WHERE account = ?1 AND region = ?2 AND user_id = ?3");
    bind_scope(remove, scope);
    remove.bind(3, std::string(user_id));
    remove.exec();
}

}  // namespace keyfleet::store
