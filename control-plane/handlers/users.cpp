// Users and user groups (RBAC): Create/Describe/Modify/Delete of both, the
// built-in `default` user, and the status AWS shows while a change is applied
// (a workflow in the data plane finishes it). Passwords are kept only as
// SHA-256 hashes, the form Redis ACLs take.
#include "codec/api_error.h"
#include "core/ids.h"
#include "core/strings.h"
#include "handlers/access_string.h"
#include "handlers/operations.h"
#include "handlers/pagination.h"
#include "handlers/resources.h"
#include "handlers/validate.h"
#include "store/events.h"
#include "store/tags.h"
#include "store/users.h"
#include "store/workflows.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace keyfleet::handlers {

namespace {

using codec::ApiError;
using codec::invalid_parameter_combination;
using codec::invalid_parameter_value;

constexpr std::string_view user_arn_kind = "user";
constexpr std::string_view group_arn_kind = "usergroup";
constexpr std::string_view default_user_id = "default";
constexpr std::size_t max_id_length = 40;
constexpr int max_users_per_region = 2000;
constexpr int max_groups_per_region = 200;
constexpr std::size_t max_users_per_group = 100;
constexpr std::string_view minimum_engine_version = "6.0";

// The user every region has, as AWS shows it.
store::User default_user()
{
    return {std::string(default_user_id), "default", "redis", "on ~* +@all", "no-password", {}, "active", 0};
}

std::optional<store::User> find_any_user(store::Transaction& tx, core::Scope const& scope, std::string_view id)
{
    if (id == default_user_id)
        return default_user();
    return store::find_user(tx, scope, id);
}

store::User user_or_throw(store::Transaction& tx, core::Scope const& scope, std::string const& id)
{
    auto user = find_any_user(tx, scope, id);
    if (!user)
        throw ApiError::from_model("UserNotFoundFault", "User " + id + " not found.");
    return std::move(*user);
}

json::object user_to_wire(store::Transaction& tx, core::Scope const& scope, store::User const& user)
{
    json::object authentication{{"Type", user.authentication_type}};
    if (user.authentication_type == "password")
        authentication["PasswordCount"] = std::int64_t(user.password_hashes.size());
    json::array groups;
    for (auto const& group : store::groups_of_user(tx, scope, user.user_id))
        groups.emplace_back(group);
    return {{"UserId", user.user_id},
            {"UserName", user.user_name},
            {"Status", user.status},
            {"Engine", user.engine},
            {"MinimumEngineVersion", minimum_engine_version},
            {"AccessString", user.access_string},
            {"UserGroupIds", std::move(groups)},
            {"Authentication", std::move(authentication)},
            {"ARN", core::arn(scope.region, scope.account, user_arn_kind, user.user_id)}};
}

std::string engine_from(json::object const& in)
{
    auto const engine = core::to_lower(required_string(in, "Engine"));
    if (engine != "redis" && engine != "valkey")
        throw invalid_parameter_value("Invalid engine " + engine + ". The options are valkey or redis.");
    return engine;
}

void check_access_string(std::string const& access_string)
{
    if (auto const problem = access_string_problem(access_string))
        throw invalid_parameter_value(*problem);
}

std::vector<std::string> hashed_passwords(std::vector<std::string> const& passwords)
{
    if (passwords.size() > 2)
        throw invalid_parameter_value("A user can have at most two passwords.");
    std::vector<std::string> hashes;
    for (auto const& password : passwords) {
        if (password.size() < 16 || password.size() > 128)
            throw invalid_parameter_value("Passwords length must be between 16-128 characters.");
        if (!std::ranges::all_of(password, [](unsigned char c) { return c >= 0x21 && c <= 0x7e; }))
            throw invalid_parameter_value("Passwords must contain only printable ASCII characters, without spaces.");
        hashes.push_back(core::sha256_hex(password));
    }
    return hashes;
}

// Applies the authentication members of a Create or Modify to the user.
// `required`: a Create must end up with a way to authenticate.
void apply_authentication(store::User& user, json::object const& in, bool required)
{
    auto passwords = string_list(in, "Passwords");
    bool const no_password = in.contains("NoPasswordRequired") && in.at("NoPasswordRequired").as_bool();
    std::optional<std::string> mode;
    if (auto const* authentication = in.if_contains("AuthenticationMode")) {
        auto const& object = authentication->as_object();
        mode = optional_string(object, "Type");
        auto const mode_passwords = string_list(object, "Passwords");
        if (!mode_passwords.empty() && !passwords.empty())
            throw invalid_parameter_combination("Passwords and AuthenticationMode.Passwords cannot both be given.");
        if (!mode_passwords.empty())
            passwords = mode_passwords;
    }
    if (no_password && !passwords.empty())
        throw invalid_parameter_combination("Passwords cannot be given when NoPasswordRequired is true.");
    if (mode == "iam" || mode == "no-password-required") {
        if (!passwords.empty())
            throw invalid_parameter_combination("Passwords cannot be given for authentication type " + *mode + ".");
        if (mode == "iam" && user.user_id != user.user_name)
            throw invalid_parameter_combination("User Id and User name must be same for authentication type: iam");
        user.authentication_type = *mode == "iam" ? "iam" : "no-password";
        user.password_hashes.clear();
        return;
    }
    if (mode == "password" && passwords.empty())
        throw invalid_parameter_value("Authentication type password needs at least one password.");
    if (!passwords.empty()) {
        user.password_hashes = hashed_passwords(passwords);
        user.authentication_type = "password";
    } else if (no_password) {
        user.authentication_type = "no-password";
        user.password_hashes.clear();
    } else if (required) {
        throw invalid_parameter_value("No password was provided. If you want to create/update the user without "
                                      "password, please use the NoPasswordRequired flag.");
    }
}

// --- user groups ---------------------------------------------------------------

std::vector<std::string> members_in_force(store::UserGroup const& group)
{
    std::vector<std::string> ids;
    for (auto const& member : group.members)
        if (!member.pending || *member.pending == "remove")
            ids.push_back(member.user_id);
    return ids;
}

std::vector<std::string> members_after_changes(store::UserGroup const& group)
{
    std::vector<std::string> ids;
    for (auto const& member : group.members)
        if (!member.pending || *member.pending == "add")
            ids.push_back(member.user_id);
    return ids;
}

json::object group_to_wire(core::Scope const& scope, store::UserGroup const& group)
{
    json::array user_ids, to_add, to_remove;
    // A group being created shows the members it will have; a group being
    // modified its old members, with the change under PendingChanges.
    for (auto const& id : group.status == "creating" ? members_after_changes(group) : members_in_force(group))
        user_ids.emplace_back(id);
    for (auto const& member : group.members)
        if (member.pending && group.status != "creating")
            (*member.pending == "add" ? to_add : to_remove).emplace_back(member.user_id);
    json::object wire{{"UserGroupId", group.user_group_id},
                      {"Status", group.status},
                      {"Engine", group.engine},
                      {"UserIds", std::move(user_ids)},
                      {"MinimumEngineVersion", minimum_engine_version}};
    if (!to_add.empty() || !to_remove.empty()) {
        json::object pending;
        if (!to_remove.empty())
            pending["UserIdsToRemove"] = std::move(to_remove);
        if (!to_add.empty())
            pending["UserIdsToAdd"] = std::move(to_add);
        wire["PendingChanges"] = std::move(pending);
    }
    wire["ReplicationGroups"] = json::array();
    wire["ServerlessCaches"] = json::array();
    wire["ARN"] = core::arn(scope.region, scope.account, group_arn_kind, group.user_group_id);
    return wire;
}

store::UserGroup group_or_throw(store::Transaction& tx, core::Scope const& scope, std::string const& id)
{
    auto group = store::find_user_group(tx, scope, id);
    if (!group)
        throw ApiError::from_model("UserGroupNotFoundFault", "User group " + id + " not found.");
    return std::move(*group);
}

// AWS's membership rules for the users a group will have.
void check_members(store::Transaction& tx, core::Scope const& scope, std::vector<std::string> const& user_ids)
{
    if (user_ids.size() > max_users_per_group)
        throw ApiError::from_model("UserGroupQuotaExceededFault", "The number of users exceeds the user group limit.");
    std::set<std::string> names;
    bool has_default = false;
    for (auto const& id : user_ids) {
        auto const user = user_or_throw(tx, scope, id);
        if (!names.insert(user.user_name).second)
            throw ApiError::from_model("DuplicateUserNameFault",
                                       "A user with the user name " + user.user_name + " is already in the group.");
        has_default = has_default || user.user_name == "default";
    }
    if (!has_default)
        throw ApiError::from_model("DefaultUserRequired", "User group needs to contain a user with the user name default.");
}

void start(Context& ctx, store::Transaction& tx, std::string_view kind, std::string const& target)
{
    store::start_workflow(tx, ctx.scope, kind, target, "apply", {}, ctx.clock.now_ms());
}

std::vector<std::string> lowercase_ids(json::object const& in, std::string_view member)
{
    auto ids = string_list(in, member);
    for (auto& id : ids)
        id = core::to_lower(id);
    std::ranges::sort(ids);
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

}  // namespace

Presence user_presence(store::Transaction& tx, core::Scope const& scope, std::string_view id)
{
    if (id == default_user_id)
        return Presence::present_untaggable;
    return store::find_user(tx, scope, id) ? Presence::present : Presence::absent;
}

Presence user_group_presence(store::Transaction& tx, core::Scope const& scope, std::string_view id)
{
    return store::find_user_group(tx, scope, id) ? Presence::present : Presence::absent;
}

json::object create_user(Context& ctx, json::object const& in)
{
    store::User user;
    user.user_id = identifier(in, "UserId", max_id_length);
    user.user_name = required_string(in, "UserName");
    user.engine = engine_from(in);
    user.access_string = required_string(in, "AccessString");
    check_access_string(user.access_string);
    apply_authentication(user, in, true);
    user.status = "active";
    user.created_at = ctx.clock.now_ms();
    auto const tags = tags_from(in);
    check_tag_count(tags.size());

    auto tx = ctx.db.write();
    if (find_any_user(tx, ctx.scope, user.user_id))
        throw ApiError::from_model("UserAlreadyExistsFault", "User " + user.user_id + " already exists.");
    if (store::count_users(tx, ctx.scope) >= max_users_per_region)
        throw ApiError::from_model("UserQuotaExceededFault", "The quota of users per region has been exceeded.");
    store::save_user(tx, ctx.scope, user);
    store::put_tags(tx, ctx.scope, {user_arn_kind, user.user_id}, tags);
    store::record_event(tx, ctx.scope, "user", user.user_id, "User " + user.user_id + " created", user.created_at);
    auto out = user_to_wire(tx, ctx.scope, user);
    tx.commit();
    return out;
}

json::object describe_users(Context& ctx, json::object const& in)
{
    auto const page = page_request(in);
    auto const engine = optional_string(in, "Engine");
    std::set<std::string, std::less<>> wanted_ids;
    if (auto const id = optional_string(in, "UserId"))
        wanted_ids.insert(core::to_lower(*id));
    if (auto const* filters = in.if_contains("Filters"))
        for (auto const& filter : filters->as_array()) {
            auto const name = core::to_lower(required_string(filter.as_object(), "Name"));
            if (name != "user-id" && name != "userid")
                throw invalid_parameter_combination("Unsupported filter " + name + "; the supported filter is user-id.");
            for (auto const& value : string_list(filter.as_object(), "Values"))
                wanted_ids.insert(core::to_lower(value));
        }

    auto tx = ctx.db.read();
    auto users = store::list_users(tx, ctx.scope);
    users.insert(users.begin(), default_user());
    std::ranges::sort(users, {}, &store::User::user_id);
    std::erase_if(users, [&](store::User const& user) {
        return (!wanted_ids.empty() && !wanted_ids.contains(user.user_id)) ||
               (engine && !core::iequals(*engine, user.engine));
    });
    if (auto const id = optional_string(in, "UserId"); id && users.empty())
        throw ApiError::from_model("UserNotFoundFault", "User " + core::to_lower(*id) + " not found.");
    std::optional<std::string> marker;
    json::array list;
    for (auto const* user : page_of(users, page, [](store::User const& u) { return u.user_id; }, marker))
        list.push_back(user_to_wire(tx, ctx.scope, *user));
    json::object out{{"Users", std::move(list)}};
    if (marker)
        out["Marker"] = *marker;
    return out;
}

json::object modify_user(Context& ctx, json::object const& in)
{
    auto const id = core::to_lower(required_string(in, "UserId"));
    auto tx = ctx.db.write();
    auto user = user_or_throw(tx, ctx.scope, id);
    if (id == default_user_id)
        throw invalid_parameter_value("The default user cannot be modified.");
    if (user.status != "active")
        throw ApiError::from_model("InvalidUserStateFault",
                                   "User " + id + " has status " + user.status + ". Only active users can be modified.");
    if (auto const access = optional_string(in, "AccessString")) {
        check_access_string(*access);
        user.access_string = *access;
    }
    if (auto const append = optional_string(in, "AppendAccessString")) {
        check_access_string(*append);
        user.access_string += " " + *append;
    }
    if (in.contains("Engine"))
        user.engine = engine_from(in);
    apply_authentication(user, in, false);
    user.status = "modifying";
    store::save_user(tx, ctx.scope, user);
    start(ctx, tx, "apply_user", "user:" + id);
    auto out = user_to_wire(tx, ctx.scope, user);
    tx.commit();
    ctx.wake_workflows();
    return out;
}

json::object delete_user(Context& ctx, json::object const& in)
{
    auto const id = core::to_lower(required_string(in, "UserId"));
    auto tx = ctx.db.write();
    auto user = user_or_throw(tx, ctx.scope, id);
    if (id == default_user_id)
        throw invalid_parameter_value("The default user cannot be deleted.");
    if (user.user_name == "default" && !store::groups_of_user(tx, ctx.scope, id).empty())
        throw ApiError::from_model("DefaultUserAssociatedToUserGroupFault",
                                   "User is associated to user group(s) as a default user and can't be deleted.");
    if (user.status != "active")
        throw ApiError::from_model("InvalidUserStateFault",
                                   "User " + id + " has status " + user.status + ". Only active users can be deleted.");
    user.status = "deleting";
    store::save_user(tx, ctx.scope, user);
    start(ctx, tx, "delete_user", "user:" + id);
    auto out = user_to_wire(tx, ctx.scope, user);
    tx.commit();
    ctx.wake_workflows();
    return out;
}

json::object create_user_group(Context& ctx, json::object const& in)
{
    store::UserGroup group;
    group.user_group_id = identifier(in, "UserGroupId", max_id_length);
    group.engine = engine_from(in);
    group.status = "creating";
    group.created_at = ctx.clock.now_ms();
    auto const user_ids = lowercase_ids(in, "UserIds");
    for (auto const& id : user_ids)
        group.members.push_back({id, std::string("add")});
    auto const tags = tags_from(in);
    check_tag_count(tags.size());

    auto tx = ctx.db.write();
    if (store::find_user_group(tx, ctx.scope, group.user_group_id))
        throw ApiError::from_model("UserGroupAlreadyExistsFault",
                                   "User group " + group.user_group_id + " already exists.");
    check_members(tx, ctx.scope, user_ids);
    if (store::count_user_groups(tx, ctx.scope) >= max_groups_per_region)
        throw ApiError::from_model("UserGroupQuotaExceededFault", "The quota of user groups per region has been exceeded.");
    store::insert_user_group(tx, ctx.scope, group);
    store::put_tags(tx, ctx.scope, {group_arn_kind, group.user_group_id}, tags);
    store::record_event(tx, ctx.scope, "user-group", group.user_group_id,
                        "User group " + group.user_group_id + " created", group.created_at);
    start(ctx, tx, "apply_user_group", "usergroup:" + group.user_group_id);
    tx.commit();
    ctx.wake_workflows();
    return group_to_wire(ctx.scope, group);
}

json::object describe_user_groups(Context& ctx, json::object const& in)
{
    auto const page = page_request(in);
    auto tx = ctx.db.read();
    std::vector<store::UserGroup> groups;
    if (auto const id = optional_string(in, "UserGroupId"))
        groups.push_back(group_or_throw(tx, ctx.scope, core::to_lower(*id)));
    else
        groups = store::list_user_groups(tx, ctx.scope);
    std::optional<std::string> marker;
    json::array list;
    for (auto const* group : page_of(groups, page, [](store::UserGroup const& g) { return g.user_group_id; }, marker))
        list.push_back(group_to_wire(ctx.scope, *group));
    json::object out{{"UserGroups", std::move(list)}};
    if (marker)
        out["Marker"] = *marker;
    return out;
}

json::object modify_user_group(Context& ctx, json::object const& in)
{
    auto const id = core::to_lower(required_string(in, "UserGroupId"));
    auto const to_add = lowercase_ids(in, "UserIdsToAdd");
    auto const to_remove = lowercase_ids(in, "UserIdsToRemove");
    auto tx = ctx.db.write();
    auto group = group_or_throw(tx, ctx.scope, id);
    if (group.status != "active")
        throw ApiError::from_model("InvalidUserGroupStateFault", "User group " + id + " has status " + group.status +
                                                                     ". Only active user groups can be modified.");
    auto members = members_in_force(group);
    for (auto const& user : to_remove) {
        if (std::ranges::find(members, user) == members.end())
            throw invalid_parameter_value("User " + user + " is not a member of user group " + id + ".");
        std::erase(members, user);
    }
    for (auto const& user : to_add) {
        if (std::ranges::find(members, user) != members.end())
            throw invalid_parameter_value("User " + user + " is already a member of user group " + id + ".");
        members.push_back(user);
    }
    check_members(tx, ctx.scope, members);
    if (in.contains("Engine"))
        group.engine = engine_from(in);
    for (auto const& user : to_remove)
        store::put_member(tx, ctx.scope, id, user, "remove");
    for (auto const& user : to_add)
        store::put_member(tx, ctx.scope, id, user, "add");
    bool const changes = !to_add.empty() || !to_remove.empty();
    if (changes) {
        store::set_user_group_status(tx, ctx.scope, id, "modifying");
        start(ctx, tx, "apply_user_group", "usergroup:" + id);
    }
    auto const updated = group_or_throw(tx, ctx.scope, id);
    tx.commit();
    if (changes)
        ctx.wake_workflows();
    return group_to_wire(ctx.scope, updated);
}

json::object delete_user_group(Context& ctx, json::object const& in)
{
    auto const id = core::to_lower(required_string(in, "UserGroupId"));
    auto tx = ctx.db.write();
    auto group = group_or_throw(tx, ctx.scope, id);
    if (group.status != "active")
        throw ApiError::from_model("InvalidUserGroupStateFault", "User group " + id + " has status " + group.status +
                                                                     ". Only active user groups can be deleted.");
    store::set_user_group_status(tx, ctx.scope, id, "deleting");
    group.status = "deleting";
    start(ctx, tx, "delete_user_group", "usergroup:" + id);
    tx.commit();
    ctx.wake_workflows();
    return group_to_wire(ctx.scope, group);
}

}  // namespace keyfleet::handlers
