// Cache subnet groups: Create/Describe/Modify/Delete, and the region's computed
// `default` group. keyfleet has no EC2, so subnets get a deterministic
// availability zone of the caller's region and each group a deterministic VPC.
#include "codec/api_error.h"
#include "core/ids.h"
#include "core/strings.h"
#include "handlers/lookups.h"
#include "handlers/operations.h"
#include "handlers/pagination.h"
#include "handlers/resources.h"
#include "handlers/validate.h"
#include "store/clusters.h"
#include "store/events.h"
#include "store/subnet_groups.h"
#include "store/tags.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <regex>

namespace keyfleet::handlers {

namespace {

using codec::ApiError;
using codec::invalid_parameter_value;

constexpr std::string_view arn_kind = "subnetgroup";
constexpr std::string_view event_source = "cache-subnet-group";
constexpr std::string_view default_name = "default";
constexpr std::size_t max_name_length = 255;
constexpr std::size_t max_subnets_per_group = 20;
constexpr int max_groups_per_region = 50;
constexpr std::string_view availability_zone_letters = "abcdef";

std::string availability_zone_of(core::Scope const& scope, std::string_view subnet_id)
{
    auto const letter = availability_zone_letters[core::stable_number(
        scope.account + "/" + scope.region + "/" + std::string(subnet_id), availability_zone_letters.size())];
    return scope.region + letter;
}

std::string vpc_id_of(core::Scope const& scope, std::string_view group_name)
{
    return "vpc-" + core::stable_hex(scope.account + "/" + scope.region + "/vpc/" + std::string(group_name), 17);
}

// The group every region has, as AWS shows it: one subnet per availability zone.
store::SubnetGroup make_default_group(core::Scope const& scope)
{
    store::SubnetGroup group;
    group.name = std::string(default_name);
    group.description = "Default CacheSubnetGroup";
    group.vpc_id = vpc_id_of(scope, default_name);
    for (char const letter : availability_zone_letters.substr(0, 3))
        group.subnets.push_back({"subnet-" + core::stable_hex(scope.account + "/" + scope.region + "/default/" + letter, 17),
                                 scope.region + letter});
    return group;
}

// Derived from hashes, so computed once per account and region for each thread.
store::SubnetGroup const& default_group(core::Scope const& scope)
{
    thread_local std::map<std::string, store::SubnetGroup, std::less<>> groups;
    auto const key = scope.account + "/" + scope.region;
    if (auto const found = groups.find(key); found != groups.end())
        return found->second;
    return groups.emplace(key, make_default_group(scope)).first->second;
}

json::object to_wire(core::Scope const& scope, store::SubnetGroup const& group)
{
    json::array subnets;
    for (auto const& subnet : group.subnets)
        subnets.push_back(json::object{{"SubnetIdentifier", subnet.id},
                                       {"SubnetAvailabilityZone", json::object{{"Name", subnet.availability_zone}}},
                                       {"SupportedNetworkTypes", json::array{"ipv4"}}});
    return json::object{{"CacheSubnetGroupName", group.name},
                        {"CacheSubnetGroupDescription", group.description},
                        {"VpcId", group.vpc_id},
                        {"Subnets", std::move(subnets)},
                        {"ARN", core::arn(scope.region, scope.account, arn_kind, group.name)},
                        {"SupportedNetworkTypes", json::array{"ipv4"}}};
}

// Subnet ids as EC2 writes them (subnet-<hex>); duplicates dropped, order kept.
std::vector<store::Subnet> subnets_from(core::Scope const& scope, json::object const& in)
{
    auto const ids = string_list(in, "SubnetIds");
    if (ids.empty())
        throw invalid_parameter_value("The parameter SubnetIds must be provided.");
    static std::regex const subnet_id("subnet-[0-9a-zA-Z]{1,32}");
    std::vector<std::string> invalid;
    std::vector<store::Subnet> subnets;
    for (auto const& id : ids) {
        if (!std::regex_match(id, subnet_id))
            invalid.push_back(id);
        else if (std::ranges::none_of(subnets, [&](auto const& s) { return s.id == id; }))
            subnets.push_back({id, availability_zone_of(scope, id)});
    }
    if (!invalid.empty())
        throw invalid_parameter_value(fmt::format("Some input subnets in :[{}] are invalid.", fmt::join(invalid, ", ")));
    if (subnets.size() > max_subnets_per_group)
        throw ApiError::from_model("CacheSubnetQuotaExceededFault",
                                   fmt::format("The request cannot be processed because it would exceed the allowed "
                                               "number of subnets in a cache subnet group ({}).",
                                               max_subnets_per_group));
    return subnets;
}

store::SubnetGroup find_or_throw(store::Transaction& tx, core::Scope const& scope, std::string const& name)
{
    if (name == default_name)
        return default_group(scope);
    auto group = store::find_subnet_group(tx, scope, name);
    if (!group)
        throw ApiError::from_model("CacheSubnetGroupNotFoundFault", "Cache subnet group " + name + " not found.");
    return std::move(*group);
}

}  // namespace

std::string subnet_group_vpc_id(store::Transaction& tx, core::Scope const& scope, std::string_view name)
{
    if (name == default_name)
        return vpc_id_of(scope, default_name);
    auto const group = store::find_subnet_group(tx, scope, name);
    return group ? group->vpc_id : std::string();
}

std::optional<std::vector<std::string>> subnet_group_zones(store::Transaction& tx, core::Scope const& scope,
                                                           std::string_view name)
{
    std::optional<store::SubnetGroup> group;
    if (name == default_name)
        group = default_group(scope);
    else
        group = store::find_subnet_group(tx, scope, name);
    if (!group)
        return std::nullopt;
    std::vector<std::string> zones;
    for (auto const& subnet : group->subnets)
        zones.push_back(subnet.availability_zone);
    return zones;
}

Presence subnet_group_presence(store::Transaction& tx, core::Scope const& scope, std::string_view name)
{
    // AWS refuses tags on the reserved default group.
    if (name == default_name)
        return Presence::present_untaggable;
    return store::find_subnet_group(tx, scope, name) ? Presence::present : Presence::absent;
}

json::object create_cache_subnet_group(Context& ctx, json::object const& in)
{
    store::SubnetGroup group;
    group.name = identifier(in, "CacheSubnetGroupName", max_name_length);
    group.description = required_string(in, "CacheSubnetGroupDescription");
    group.subnets = subnets_from(ctx.scope, in);
    group.vpc_id = vpc_id_of(ctx.scope, group.name);
    group.created_at = ctx.clock.now_ms();
    auto const tags = tags_from(in);
    check_tag_count(tags.size());

    auto tx = ctx.db.write();
    if (group.name == default_name || store::find_subnet_group(tx, ctx.scope, group.name))
        throw ApiError::from_model("CacheSubnetGroupAlreadyExistsFault",
                                   "Cache subnet group " + group.name + " already exists.");
    if (store::count_subnet_groups(tx, ctx.scope) >= max_groups_per_region)
        throw ApiError::from_model("CacheSubnetGroupQuotaExceededFault",
                                   fmt::format("The request cannot be processed because it would exceed the allowed "
                                               "number of cache subnet groups ({}).",
                                               max_groups_per_region));
    store::insert_subnet_group(tx, ctx.scope, group);
    store::put_tags(tx, ctx.scope, {arn_kind, group.name}, tags);
    store::record_event(tx, ctx.scope, event_source, group.name, "Cache subnet group created", group.created_at);
    tx.commit();
    return {{"CacheSubnetGroup", to_wire(ctx.scope, group)}};
}

json::object describe_cache_subnet_groups(Context& ctx, json::object const& in)
{
    auto const page = page_request(in);
    auto tx = ctx.db.read();
    if (auto const name = optional_string(in, "CacheSubnetGroupName")) {
        auto const group = find_or_throw(tx, ctx.scope, core::to_lower(*name));
        return {{"CacheSubnetGroups", json::array{to_wire(ctx.scope, group)}}};
    }

    // The computed default group takes its place in name order among the stored ones.
    auto const after = page.after.value_or("");
    auto groups = store::list_subnet_groups(tx, ctx.scope, after, page.max_records + 1);
    if (std::string(default_name) > after) {
        auto const position = std::ranges::find_if(groups, [](auto const& g) { return g.name > default_name; });
        groups.insert(position, default_group(ctx.scope));
    }
    json::object out;
    if (groups.size() > std::size_t(page.max_records)) {
        groups.resize(std::size_t(page.max_records));
        out["Marker"] = marker_after(groups.back().name);
    }
    json::array list;
    for (auto const& group : groups)
        list.push_back(to_wire(ctx.scope, group));
    out["CacheSubnetGroups"] = std::move(list);
    return out;
}

json::object modify_cache_subnet_group(Context& ctx, json::object const& in)
{
    auto const name = core::to_lower(required_string(in, "CacheSubnetGroupName"));
    auto const description = optional_string(in, "CacheSubnetGroupDescription");
    std::optional<std::vector<store::Subnet>> subnets;
    if (in.contains("SubnetIds"))
        subnets = subnets_from(ctx.scope, in);

    auto tx = ctx.db.write();
    auto group = find_or_throw(tx, ctx.scope, name);
    if (name == default_name)
        throw invalid_parameter_value("The default cache subnet group cannot be modified.");
    if (description)
        group.description = *description;
    if (subnets)
        group.subnets = std::move(*subnets);
    store::update_subnet_group(tx, ctx.scope, group);
    store::record_event(tx, ctx.scope, event_source, group.name, "Cache subnet group modified", ctx.clock.now_ms());
    tx.commit();
    return {{"CacheSubnetGroup", to_wire(ctx.scope, group)}};
}

json::object delete_cache_subnet_group(Context& ctx, json::object const& in)
{
    auto const name = core::to_lower(required_string(in, "CacheSubnetGroupName"));
    if (name == default_name)
        throw invalid_parameter_value("Cannot delete default cache subnet group.");
    auto tx = ctx.db.write();
    if (!store::find_subnet_group(tx, ctx.scope, name))
        throw ApiError::from_model("CacheSubnetGroupNotFoundFault", "Cache Subnet Group " + name + " does not exist.");
    if (store::clusters_using_subnet_group(tx, ctx.scope, name) > 0)
        throw ApiError::from_model("CacheSubnetGroupInUse",
                                   "Cache subnet group " + name + " is currently in use by a cache cluster.");
    store::delete_subnet_group(tx, ctx.scope, name);
    store::delete_all_tags(tx, ctx.scope, {arn_kind, name});
    store::record_event(tx, ctx.scope, event_source, name, "Cache subnet group deleted", ctx.clock.now_ms());
    tx.commit();
    return {};
}

}  // namespace keyfleet::handlers
