// Cache parameter groups: Create/Describe/Modify/Reset/Delete, their parameters
// (DescribeCacheParameters) and each family's defaults
// (DescribeEngineDefaultParameters), all from AWS's catalogs. The default
// groups (default.<family>, default.<family>.cluster.on) are computed.
#include "catalog/catalog.h"
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
#include "store/workflows.h"
#include "store/parameter_groups.h"
#include "store/tags.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace keyfleet::handlers {

namespace {

using codec::ApiError;
using codec::invalid_parameter_combination;
using codec::invalid_parameter_value;

constexpr std::string_view arn_kind = "parametergroup";
constexpr std::string_view event_source = "cache-parameter-group";
constexpr std::size_t max_name_length = 255;
constexpr int max_groups_per_region = 150;
constexpr std::size_t max_parameters_per_modify = 20;
constexpr std::string_view cluster_on_suffix = ".cluster.on";

// A group as the API shows it, stored or computed.
struct Group {
    std::string name;
    catalog::Family const* family = nullptr;
    std::string description;
    bool is_default = false;
    std::map<std::string, std::string, std::less<>> system_values;  // what a default group fixes
    std::map<std::string, std::string, std::less<>> user_values;    // what a user set
};

std::vector<Group> default_groups()
{
    std::vector<Group> groups;
    for (auto const& family : catalog::Catalog::get().families) {
        groups.push_back({"default." + family.name, &family, "Default parameter group for " + family.name, true, {}, {}});
        if (family.has_cluster_mode())
            groups.push_back({"default." + family.name + std::string(cluster_on_suffix), &family,
                              "Customized default parameter group for " + family.name + " with cluster mode on", true,
                              {{"cluster-enabled", "yes"}}, {}});
    }
    return groups;
}

Group from_row(store::ParameterGroup const& row)
{
    auto const* family = catalog::Catalog::get().family(row.family);
    if (!family)
        throw std::logic_error("stored parameter group " + row.name + " has unknown family " + row.family);
    return {row.name, family, row.description, false, {}, row.values};
}

std::optional<Group> find_group(store::Transaction& tx, core::Scope const& scope, std::string_view name)
{
    for (auto& group : default_groups())
        if (group.name == name)
            return std::move(group);
    if (auto row = store::find_parameter_group(tx, scope, name))
        return from_row(*row);
    return std::nullopt;
}

json::object to_wire(core::Scope const& scope, Group const& group)
{
    return {{"CacheParameterGroupName", group.name},
            {"CacheParameterGroupFamily", group.family->name},
            {"Description", group.description},
            {"IsGlobal", false},
            {"ARN", core::arn(scope.region, scope.account, arn_kind, group.name)}};
}

// One entry of a parameter listing: a parameter, or a node-type specific one.
struct Listed {
    std::string name;
    std::string source;
    json::object wire;
    bool node_type_specific = false;
};

std::vector<Listed> listing(catalog::Family const& family, Group const* group)
{
    std::vector<Listed> entries;
    for (auto const& parameter : family.parameters) {
        Listed entry{parameter.name, "system", parameter.wire, false};
        if (group) {
            if (auto const user = group->user_values.find(parameter.name); user != group->user_values.end()) {
                entry.source = "user";
                entry.wire["ParameterValue"] = user->second;
            } else if (auto const fixed = group->system_values.find(parameter.name); fixed != group->system_values.end()) {
                entry.wire["ParameterValue"] = fixed->second;
            }
        }
        entry.wire["Source"] = entry.source;
        entries.push_back(std::move(entry));
    }
    for (auto const& parameter : family.node_type_specific) {
        Listed entry{parameter.name, "system", parameter.wire, true};
        json::array values;
        for (auto const& [node_type, value] : parameter.value_by_node_type)
            values.push_back(json::object{{"CacheNodeType", node_type}, {"Value", value}});
        entry.wire["CacheNodeTypeSpecificValues"] = std::move(values);
        entries.push_back(std::move(entry));
    }
    // AWS pages both kinds together in one name order, which skips hyphens
    // (acllog-max-len before acl-pubsub-default): a page holds the node-type
    // specific ones that fall among its names.
    auto const collation_key = [](Listed const& entry) {
        std::string key;
        std::ranges::copy_if(entry.name, std::back_inserter(key), [](char c) { return c != '-'; });
        return std::pair{key, entry.name};
    };
    std::ranges::sort(entries, {}, collation_key);
    return entries;
}

// Parameters and CacheNodeTypeSpecificParameters of one page; both count toward
// MaxRecords and the Marker names the last entry, as AWS pages them.
void page_into(json::object& out, std::vector<Listed> const& entries, PageRequest const& page)
{
    std::optional<std::string> marker;
    json::array parameters, node_type_specific;
    for (auto const* entry : page_of(entries, page, [](Listed const& e) { return e.name; }, marker))
        (entry->node_type_specific ? node_type_specific : parameters).push_back(entry->wire);
    if (marker)
        out["Marker"] = *marker;
    out["Parameters"] = std::move(parameters);
    out["CacheNodeTypeSpecificParameters"] = std::move(node_type_specific);
}

catalog::Family const& family_or_throw(std::string const& name)
{
    auto const* family = catalog::Catalog::get().family(name);
    if (!family)
        throw invalid_parameter_value("CacheParameterGroupFamily " + name + " is not a valid parameter group family.");
    return *family;
}

// Modify and Reset refuse the default groups and name a missing group.
Group modifiable_group(store::Transaction& tx, core::Scope const& scope, std::string const& name)
{
    auto group = find_group(tx, scope, name);
    if (!group)
        throw ApiError::from_model("CacheParameterGroupNotFoundFault", "CacheParameterGroup not found: " + name);
    if (group->is_default)
        throw invalid_parameter_value("The parameter group " + name + " is a default group and cannot be modified.");
    return std::move(*group);
}

// Whether clusters use the group; refuses a change while the last one is
// still being carried to their nodes (AWS: "has pending changes").
bool check_not_applying(store::Transaction& tx, core::Scope const& scope, std::string const& name)
{
    if (store::running_workflow(tx, scope, "parametergroup:" + name))
        throw ApiError::from_model("InvalidCacheParameterGroupStateFault",
                                   "Cache parameter group " + name + " has pending changes.");
    return store::clusters_using_parameter_group(tx, scope, name) > 0;
}

// The data plane carries changed values to every node of every cluster using the group.
void apply_to_clusters(Context& ctx, store::Transaction& tx, std::string const& name,
                       std::map<std::string, std::string, std::less<>> const& values)
{
    json::object changed;
    for (auto const& [parameter, value] : values)
        changed[parameter] = value;
    store::start_workflow(tx, ctx.scope, "apply_parameter_group", "parametergroup:" + name, "start",
                          {{"changed", std::move(changed)}}, ctx.clock.now_ms());
}

catalog::Parameter const& existing_parameter(catalog::Family const& family, std::string const& name)
{
    auto const* parameter = family.parameter(name);
    if (!parameter)
        throw invalid_parameter_value("Parameter " + name + " doesn't exist");
    return *parameter;
}

}  // namespace

std::optional<ParameterGroupFacts> parameter_group_facts(store::Transaction& tx, core::Scope const& scope,
                                                         std::string_view name)
{
    auto const group = find_group(tx, scope, name);
    if (!group)
        return std::nullopt;
    auto value = std::string("no");
    if (auto const* parameter = group->family->parameter("cluster-enabled"); parameter && parameter->default_value)
        value = *parameter->default_value;
    if (auto const fixed = group->system_values.find("cluster-enabled"); fixed != group->system_values.end())
        value = fixed->second;
    if (auto const user = group->user_values.find("cluster-enabled"); user != group->user_values.end())
        value = user->second;
    return ParameterGroupFacts{group->family->name, value == "yes"};
}

Presence parameter_group_presence(store::Transaction& tx, core::Scope const& scope, std::string_view name)
{
    auto const group = find_group(tx, scope, name);
    if (!group)
        return Presence::absent;
    return group->is_default ? Presence::present_untaggable : Presence::present;
}

json::object create_cache_parameter_group(Context& ctx, json::object const& in)
{
    auto const name = identifier(in, "CacheParameterGroupName", max_name_length);
    auto const& family = family_or_throw(required_string(in, "CacheParameterGroupFamily"));
    auto const description = required_string(in, "Description");
    auto const tags = tags_from(in);
    check_tag_count(tags.size());

    auto tx = ctx.db.write();
    if (find_group(tx, ctx.scope, name))
        throw ApiError::from_model("CacheParameterGroupAlreadyExistsFault", "Parameter group " + name + " already exists");
    if (store::count_parameter_groups(tx, ctx.scope) >= max_groups_per_region)
        throw ApiError::from_model("CacheParameterGroupQuotaExceededFault",
                                   fmt::format("The request cannot be processed because it would exceed the maximum "
                                               "number of cache parameter groups ({}).",
                                               max_groups_per_region));
    store::ParameterGroup row{name, family.name, description, ctx.clock.now_ms(), {}};
    store::insert_parameter_group(tx, ctx.scope, row);
    store::put_tags(tx, ctx.scope, {arn_kind, name}, tags);
    store::record_event(tx, ctx.scope, event_source, name, "Cache parameter group created", row.created_at);
    tx.commit();
    return {{"CacheParameterGroup", to_wire(ctx.scope, from_row(row))}};
}

json::object describe_cache_parameter_groups(Context& ctx, json::object const& in)
{
    auto const page = page_request(in);
    auto tx = ctx.db.read();
    std::vector<Group> groups;
    if (auto const name = optional_string(in, "CacheParameterGroupName")) {
        auto group = find_group(tx, ctx.scope, core::to_lower(*name));
        if (!group)
            throw ApiError::from_model("CacheParameterGroupNotFoundFault", "CacheParameterGroup " + *name + " not found.");
        groups.push_back(std::move(*group));
    } else {
        groups = default_groups();
        for (auto const& row : store::list_parameter_groups(tx, ctx.scope))
            groups.push_back(from_row(row));
        std::ranges::sort(groups, {}, &Group::name);
    }
    json::object out;
    std::optional<std::string> marker;
    json::array list;
    for (auto const* group : page_of(groups, page, [](Group const& g) { return g.name; }, marker))
        list.push_back(to_wire(ctx.scope, *group));
    if (marker)
        out["Marker"] = *marker;
    out["CacheParameterGroups"] = std::move(list);
    return out;
}

json::object describe_cache_parameters(Context& ctx, json::object const& in)
{
    auto const page = page_request(in);
    auto const name = core::to_lower(required_string(in, "CacheParameterGroupName"));
    auto const source = optional_string(in, "Source");
    if (source && *source != "user" && *source != "system" && *source != "engine-default")
        throw invalid_parameter_value("Invalid value for Source: " + *source + ". Valid values: user, system, engine-default.");

    auto tx = ctx.db.read();
    auto const group = find_group(tx, ctx.scope, name);
    if (!group)
        throw ApiError::from_model("CacheParameterGroupNotFoundFault", "CacheParameterGroup " + name + " not found.");
    auto entries = listing(*group->family, &*group);
    if (source)
        std::erase_if(entries, [&](Listed const& e) { return e.source != *source; });
    json::object out;
    page_into(out, entries, page);
    return out;
}

json::object describe_engine_default_parameters(Context&, json::object const& in)
{
    auto const page = page_request(in);
    auto const& family = family_or_throw(required_string(in, "CacheParameterGroupFamily"));
    json::object defaults{{"CacheParameterGroupFamily", family.name}};
    page_into(defaults, listing(family, nullptr), page);
    return {{"EngineDefaults", std::move(defaults)}};
}

json::object modify_cache_parameter_group(Context& ctx, json::object const& in)
{
    auto const name = core::to_lower(required_string(in, "CacheParameterGroupName"));
    auto const& items = in.at("ParameterNameValues").as_array();
    if (items.empty())
        throw invalid_parameter_value("The parameter ParameterNameValues must contain at least one parameter.");
    if (items.size() > max_parameters_per_modify)
        throw invalid_parameter_combination("Cannot modify more than 20 parameters in a single request");

    auto tx = ctx.db.write();
    auto const group = modifiable_group(tx, ctx.scope, name);
    bool const in_use = check_not_applying(tx, ctx.scope, name);
    std::map<std::string, std::string, std::less<>> values;
    for (auto const& item : items) {
        auto const& pair = item.as_object();
        auto const parameter_name = required_string(pair, "ParameterName");
        auto const& parameter = existing_parameter(*group.family, parameter_name);
        if (!parameter.modifiable || (in_use && group.family->modifiable_only_when_unused.contains(parameter_name)))
            throw invalid_parameter_value("The parameter " + parameter_name + " cannot be modified.");
        auto const value = optional_string(pair, "ParameterValue");
        if (!value)
            throw invalid_parameter_value("The parameter " + parameter_name + " needs a ParameterValue.");
        if (auto const problem = catalog::value_problem(parameter, *value))
            throw invalid_parameter_value(*problem);
        values[parameter_name] = *value;
    }
    store::set_parameter_values(tx, ctx.scope, name, values);
    auto const now = ctx.clock.now_ms();
    for (auto const& [parameter, value] : values)
        store::record_event(tx, ctx.scope, event_source, name, "Updated parameter " + parameter + " to " + value, now);
    if (in_use)
        apply_to_clusters(ctx, tx, name, values);
    tx.commit();
    if (in_use)
        ctx.wake_workflows();
    return {{"CacheParameterGroupName", name}};
}

json::object reset_cache_parameter_group(Context& ctx, json::object const& in)
{
    auto const name = core::to_lower(required_string(in, "CacheParameterGroupName"));
    bool const reset_all = in.contains("ResetAllParameters") && in.at("ResetAllParameters").as_bool();
    std::vector<std::string> names;
    if (auto const* items = in.if_contains("ParameterNameValues"))
        for (auto const& item : items->as_array())
            names.push_back(required_string(item.as_object(), "ParameterName"));
    if (reset_all && !names.empty())
        throw invalid_parameter_combination("ResetAllParameters cannot be true when ParameterNameValues are given.");
    if (!reset_all && names.empty())
        throw invalid_parameter_combination("Either ResetAllParameters must be true or ParameterNameValues must name "
                                            "at least one parameter.");

    auto tx = ctx.db.write();
    auto const group = modifiable_group(tx, ctx.scope, name);
    bool const in_use = check_not_applying(tx, ctx.scope, name);
    for (auto const& parameter : names)
        existing_parameter(*group.family, parameter);
    // What the reset parameters go back to, for the nodes.
    std::map<std::string, std::string, std::less<>> restored;
    for (auto const& [parameter, value] : group.user_values)
        if (reset_all || std::ranges::find(names, parameter) != names.end())
            if (auto const* entry = group.family->parameter(parameter); entry && entry->default_value)
                restored[parameter] = *entry->default_value;
    store::reset_parameter_values(tx, ctx.scope, name, names);
    if (in_use && !restored.empty())
        apply_to_clusters(ctx, tx, name, restored);
    store::record_event(tx, ctx.scope, event_source, name,
                        reset_all ? std::string("Reset all parameters to their defaults")
                                  : "Reset parameters " + fmt::format("{}", fmt::join(names, ", ")) + " to their defaults",
                        ctx.clock.now_ms());
    tx.commit();
    if (in_use)
        ctx.wake_workflows();
    return {{"CacheParameterGroupName", name}};
}

json::object delete_cache_parameter_group(Context& ctx, json::object const& in)
{
    // A default group's name has dots, which the identifier rule refuses: AWS answers so.
    auto const name = identifier(in, "CacheParameterGroupName", max_name_length);
    auto tx = ctx.db.write();
    if (!store::find_parameter_group(tx, ctx.scope, name))
        throw ApiError::from_model("CacheParameterGroupNotFoundFault", "CacheParameterGroupnot found: " + name);
    if (store::clusters_using_parameter_group(tx, ctx.scope, name) > 0)
        throw ApiError::from_model("InvalidCacheParameterGroupStateFault",
                                   "One or more cache clusters are still members of this parameter group " + name +
                                       ", so the group cannot be deleted.");
    store::delete_parameter_group(tx, ctx.scope, name);
    store::delete_all_tags(tx, ctx.scope, {arn_kind, name});
    store::record_event(tx, ctx.scope, event_source, name, "Cache parameter group deleted", ctx.clock.now_ms());
    tx.commit();
    return {};
}

}  // namespace keyfleet::handlers
