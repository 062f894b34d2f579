// Rows of users, user_groups and user_group_members (RBAC).
#pragma once

#include "core/scope.h"
#include "store/db.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keyfleet::store {

struct User {
    std::string user_id;
    std::string user_name;
    std::string engine;
    std::string access_string;
    std::string authentication_type;           // password | no-password | iam
    std::vector<std::string> password_hashes;  // hex SHA-256, never the passwords
    std::string status;
    std::int64_t created_at = 0;
};

std::optional<User> find_user(Transaction& tx, core::Scope const& scope, std::string_view user_id);
std::vector<User> list_users(Transaction& tx, core::Scope const& scope);
int count_users(Transaction& tx, core::Scope const& scope);
// Inserts or replaces the whole row.
void save_user(Transaction& tx, core::Scope const& scope, User const& user);
void delete_user(Transaction& tx, core::Scope const& scope, std::string_view user_id);

struct UserGroupMember {
    std::string user_id;
    std::optional<std::string> pending;  // "add" or "remove" while a change is applied
};

struct UserGroup {
    std::string user_group_id;
    std::string engine;
    std::string status;
    std::int64_t created_at = 0;
    std::vector<UserGroupMember> members;  // by user id
};

std::optional<UserGroup> find_user_group(Transaction& tx, core::Scope const& scope, std::string_view id);
std::vector<UserGroup> list_user_groups(Transaction& tx, core::Scope const& scope);
int count_user_groups(Transaction& tx, core::Scope const& scope);
void insert_user_group(Transaction& tx, core::Scope const& scope, UserGroup const& group);
void set_user_group_status(Transaction& tx, core::Scope const& scope, std::string_view id, std::string_view status);
void delete_user_group(Transaction& tx, core::Scope const& scope, std::string_view id);

// Adds or updates one membership row; pending empty makes it a member in force.
void put_member(Transaction& tx, core::Scope const& scope, std::string_view group, std::string_view user_id,
                std::optional<std::string_view> pending);
void remove_member(Transaction& tx, core::Scope const& scope, std::string_view group, std::string_view user_id);

// The groups a user is a member of (membership in force, as AWS shows it while
// a change is still being applied).
std::vector<std::string> groups_of_user(Transaction& tx, core::Scope const& scope, std::string_view user_id);

// Every membership row of the user, applied or pending.
void remove_user_from_groups(Transaction& tx, core::Scope const& scope, std::string_view user_id);

}  // namespace keyfleet::store
