// Cache security groups (the EC2-Classic way of admitting EC2 security groups):
// Create/Describe/Delete and Authorize/Revoke ingress, plus the computed
// `default` group. keyfleet's nodes listen on loopback only, so authorizations
// are recorded and shown, and have no network effect to carry out.
#include "codec/api_error.h"
#include "core/ids.h"
#include "core/strings.h"
#include "handlers/lookups.h"
#include "handlers/operations.h"
#include "handlers/pagination.h"
#include "handlers/resources.h"
#include "handlers/validate.h"
#include "store/events.h"
#include "store/security_groups.h"
#include "store/tags.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace keyfleet::handlers {

namespace {

using codec::ApiError;
using codec::invalid_parameter_value;

constexpr std::string_view arn_kind = "securitygroup";
constexpr std::string_view event_source = "cache-security-group";
constexpr std::string_view default_name = "default";
constexpr std::size_t max_name_length = 255;
constexpr int max_groups_per_region = 50;

json::object to_wire(core::Scope const& scope, store::SecurityGroup const& group)
{
    json::array authorizations;
    for (auto const& a : group.authorizations)
        authorizations.push_back(json::object{
            {"Status", "authorized"}, {"EC2SecurityGroupName", a.group_name}, {"EC2SecurityGroupOwnerId", a.owner_id}});
    return {{"OwnerId", scope.account},
            {"CacheSecurityGroupName", group.name},
            {"Description", group.description},
            {"EC2SecurityGroups", std::move(authorizations)},
            {"ARN", core::arn(scope.region, scope.account, arn_kind, group.name)}};
}

store::SecurityGroup default_group() { return {std::string(default_name), "default", 0, {}}; }

std::optional<store::SecurityGroup> find_group(store::Transaction& tx, core::Scope const& scope, std::string_view name)
{
    if (name == default_name)
        return default_group();
    return store::find_security_group(tx, scope, name);
}

store::SecurityGroup group_or_throw(store::Transaction& tx, core::Scope const& scope, std::string const& name)
{
    auto group = find_group(tx, scope, name);
    if (!group)
        throw ApiError::from_model("CacheSecurityGroupNotFoundFault", "CacheSecurityGroup " + name + " not found.");
    return std::move(*group);
}

// The group to authorize in or revoke from, and the EC2 group named.
std::pair<store::SecurityGroup, store::Ec2Authorization> ingress_request(store::Transaction& tx,
                                                                          core::Scope const& scope,
                                                                          json::object const& in)
{
    auto const name = core::to_lower(required_string(in, "CacheSecurityGroupName"));
    store::Ec2Authorization authorization{required_string(in, "EC2SecurityGroupName"),
                                          required_string(in, "EC2SecurityGroupOwnerId")};
    auto group = group_or_throw(tx, scope, name);
    if (name == default_name)
        throw invalid_parameter_value("The default cache security group cannot be changed.");
    return {std::move(group), std::move(authorization)};
}

bool has(store::SecurityGroup const& group, store::Ec2Authorization const& a)
{
    return std::ranges::any_of(group.authorizations, [&](store::Ec2Authorization const& existing) {
        return existing.group_name == a.group_name && existing.owner_id == a.owner_id;
    });
}

}  // namespace

bool cache_security_group_exists(store::Transaction& tx, core::Scope const& scope, std::string_view name)
{
    return find_group(tx, scope, name).has_value();
}

Presence security_group_presence(store::Transaction& tx, core::Scope const& scope, std::string_view name)
{
    if (name == default_name)
        return Presence::present_untaggable;
    return store::find_security_group(tx, scope, name) ? Presence::present : Presence::absent;
}

json::object create_cache_security_group(Context& ctx, json::object const& in)
{
    auto const name = identifier(in, "CacheSecurityGroupName", max_name_length);
    if (name == default_name)
        throw invalid_parameter_value("The parameter CacheSecurityGroupName cannot be the word Default.");
    auto const description = required_string(in, "Description");
    auto const tags = tags_from(in);
    check_tag_count(tags.size());

    auto tx = ctx.db.write();
    if (store::find_security_group(tx, ctx.scope, name))
        throw ApiError::from_model("CacheSecurityGroupAlreadyExistsFault",
                                   "Cache security group " + name + " already exists.");
    if (store::list_security_groups(tx, ctx.scope).size() >= std::size_t(max_groups_per_region))
        throw ApiError::from_model("CacheSecurityGroupQuotaExceededFault",
                                   fmt::format("The request cannot be processed because it would exceed the allowed "
                                               "number of cache security groups ({}).",
                                               max_groups_per_region));
    store::SecurityGroup group{name, description, ctx.clock.now_ms(), {}};
    store::insert_security_group(tx, ctx.scope, group);
    store::put_tags(tx, ctx.scope, {arn_kind, name}, tags);
    store::record_event(tx, ctx.scope, event_source, name, "Cache security group created", group.created_at);
    tx.commit();
    return {{"CacheSecurityGroup", to_wire(ctx.scope, group)}};
}

json::object describe_cache_security_groups(Context& ctx, json::object const& in)
{
    auto const page = page_request(in);
    auto tx = ctx.db.read();
    std::vector<store::SecurityGroup> groups;
    if (auto const name = optional_string(in, "CacheSecurityGroupName"))
        groups.push_back(group_or_throw(tx, ctx.scope, core::to_lower(*name)));
    else {
        groups = store::list_security_groups(tx, ctx.scope);
        groups.push_back(default_group());
        std::ranges::sort(groups, {}, &store::SecurityGroup::name);
    }
    std::optional<std::string> marker;
    json::array list;
    for (auto const* group : page_of(groups, page, [](store::SecurityGroup const& g) { return g.name; }, marker))
        list.push_back(to_wire(ctx.scope, *group));
    json::object out;
    if (marker)
        out["Marker"] = *marker;
    out["CacheSecurityGroups"] = std::move(list);
    return out;
}

json::object delete_cache_security_group(Context& ctx, json::object const& in)
{
    auto const name = core::to_lower(required_string(in, "CacheSecurityGroupName"));
    if (name == default_name)
        throw invalid_parameter_value("You cannot delete the default cache security group.");
    auto tx = ctx.db.write();
    group_or_throw(tx, ctx.scope, name);
    store::delete_security_group(tx, ctx.scope, name);
    store::delete_all_tags(tx, ctx.scope, {arn_kind, name});
    store::record_event(tx, ctx.scope, event_source, name, "Cache security group deleted", ctx.clock.now_ms());
    tx.commit();
    return {};
}

json::object authorize_cache_security_group_ingress(Context& ctx, json::object const& in)
{
    auto tx = ctx.db.write();
    auto [group, authorization] = ingress_request(tx, ctx.scope, in);
    if (has(group, authorization))
        throw ApiError::from_model("AuthorizationAlreadyExistsFault",
                                   "EC2 security group " + authorization.group_name + " owned by " +
                                       authorization.owner_id + " is already authorized in cache security group " +
                                       group.name + ".");
    store::add_authorization(tx, ctx.scope, group.name, authorization);
    group.authorizations.push_back(authorization);
    store::record_event(tx, ctx.scope, event_source, group.name, "Applied change to security group", ctx.clock.now_ms());
    tx.commit();
    return {{"CacheSecurityGroup", to_wire(ctx.scope, group)}};
}

json::object revoke_cache_security_group_ingress(Context& ctx, json::object const& in)
{
    auto tx = ctx.db.write();
    auto [group, authorization] = ingress_request(tx, ctx.scope, in);
    if (!has(group, authorization))
        throw ApiError::from_model("AuthorizationNotFoundFault",
                                   "EC2 security group " + authorization.group_name + " owned by " +
                                       authorization.owner_id + " is not authorized in cache security group " +
                                       group.name + ".");
    store::remove_authorization(tx, ctx.scope, group.name, authorization);
    std::erase_if(group.authorizations, [&](store::Ec2Authorization const& a) {
        return a.group_name == authorization.group_name && a.owner_id == authorization.owner_id;
    });
    store::record_event(tx, ctx.scope, event_source, group.name, "Applied change to security group", ctx.clock.now_ms());
    tx.commit();
    return {{"CacheSecurityGroup", to_wire(ctx.scope, group)}};
}

}  // namespace keyfleet::handlers
