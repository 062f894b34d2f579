// Service updates: the catalog (DescribeServiceUpdates) and the update actions
// they open on clusters and replication groups (DescribeUpdateActions,
// BatchApply/BatchStopUpdateAction). An action is applied to a target that
// exists; until clusters and replication groups run on nodes none does, so
// every requested target is answered unprocessed, as AWS answers a missing one.
#include "catalog/catalog.h"
#include "codec/api_error.h"
#include "core/clock.h"
#include "handlers/operations.h"
#include "handlers/pagination.h"
#include "handlers/validate.h"
#include "store/update_actions.h"

#include <boost/json.hpp>

#include <algorithm>

namespace keyfleet::handlers {

namespace {

using codec::ApiError;

json::object const* find_update(std::string_view name)
{
    for (auto const& update : catalog::Catalog::get().service_updates)
        if (update.at("ServiceUpdateName").as_string() == name)
            return &update;
    return nullptr;
}

json::object const& update_or_throw(std::string const& name)
{
    auto const* update = find_update(name);
    if (!update)
        throw ApiError::from_model("ServiceUpdateNotFoundFault", "The service update " + name + " does not exist.");
    return *update;
}

// Wire form: the catalog's dates are ISO-8601 text; the encoder writes them as they are.
json::object update_to_wire(json::object const& update)
{
    json::object wire;
    for (auto const& [member, value] : update)
        wire[member] = value;
    return wire;
}

// Every requested target, unprocessed: none exists to update.
json::object batch(json::object const& in, std::string_view verb)
{
    auto const name = required_string(in, "ServiceUpdateName");
    update_or_throw(name);
    auto const groups = string_list(in, "ReplicationGroupIds");
    auto const clusters = string_list(in, "CacheClusterIds");
    if (groups.empty() && clusters.empty())
        throw codec::invalid_parameter_value("At least one of ReplicationGroupIds or CacheClusterIds must be given.");
    json::array unprocessed;
    for (auto const& group : groups)
        unprocessed.push_back(json::object{{"ReplicationGroupId", group},
                                           {"ServiceUpdateName", name},
                                           {"ErrorType", "ReplicationGroupNotFoundFault"},
                                           {"ErrorMessage", "Replication group " + group + " not found; cannot " +
                                                                std::string(verb) + " the update action."}});
    for (auto const& cluster : clusters)
        unprocessed.push_back(json::object{{"CacheClusterId", cluster},
                                           {"ServiceUpdateName", name},
                                           {"ErrorType", "CacheClusterNotFoundFault"},
                                           {"ErrorMessage", "Cache cluster " + cluster + " not found; cannot " +
                                                                std::string(verb) + " the update action."}});
    return {{"ProcessedUpdateActions", json::array()}, {"UnprocessedUpdateActions", std::move(unprocessed)}};
}

}  // namespace

json::object describe_service_updates(Context&, json::object const& in)
{
    auto const page = page_request(in);
    auto const name = optional_string(in, "ServiceUpdateName");
    auto const statuses = string_list(in, "ServiceUpdateStatus");
    if (name)
        update_or_throw(*name);
    std::vector<json::object> matching;
    for (auto const& update : catalog::Catalog::get().service_updates) {
        if (name && update.at("ServiceUpdateName").as_string() != *name)
            continue;
        if (!statuses.empty() &&
            std::ranges::find(statuses, std::string(update.at("ServiceUpdateStatus").as_string())) == statuses.end())
            continue;
        matching.push_back(update_to_wire(update));
    }
    std::optional<std::string> marker;
    json::array list;
    auto const key = [](json::object const& u) { return std::string(u.at("ServiceUpdateName").as_string()); };
    for (auto const* update : page_of(matching, page, key, marker))
        list.push_back(*update);
    json::object out;
    if (marker)
        out["Marker"] = *marker;
    out["ServiceUpdates"] = std::move(list);
    return out;
}

json::object describe_update_actions(Context& ctx, json::object const& in)
{
    auto const page = page_request(in);
    if (auto const name = optional_string(in, "ServiceUpdateName"))
        update_or_throw(*name);
    auto tx = ctx.db.read();
    auto actions = store::list_update_actions(tx, ctx.scope);
    std::optional<std::string> marker;
    json::array list;
    auto const key = [](store::UpdateAction const& a) {
        return a.service_update_name + "/" + a.target_kind + "/" + a.target_id;
    };
    for (auto const* action : page_of(actions, page, key, marker)) {
        json::object wire{{"ServiceUpdateName", action->service_update_name},
                          {"UpdateActionStatus", action->status},
                          {"UpdateActionStatusModifiedDate", action->status_modified_at}};
        wire[action->target_kind == "replication-group" ? "ReplicationGroupId" : "CacheClusterId"] = action->target_id;
        list.push_back(std::move(wire));
    }
    json::object out;
    if (marker)
        out["Marker"] = *marker;
    out["UpdateActions"] = std::move(list);
    return out;
}

json::object batch_apply_update_action(Context&, json::object const& in) { return batch(in, "apply"); }

json::object batch_stop_update_action(Context&, json::object const& in) { return batch(in, "stop"); }

}  // namespace keyfleet::handlers
