// Operations answered from AWS's catalogs: DescribeCacheEngineVersions and
// ListAllowedNodeTypeModifications.
#include "catalog/catalog.h"
#include "codec/api_error.h"
#include "core/strings.h"
#include "handlers/operations.h"
#include "handlers/pagination.h"
#include "handlers/validate.h"
#include "store/clusters.h"

#include <boost/json.hpp>

namespace keyfleet::handlers {

json::object describe_cache_engine_versions(Context&, json::object const& in)
{
    auto const page = page_request(in);
    auto const engine = optional_string(in, "Engine");
    auto const version = optional_string(in, "EngineVersion");
    auto const family = optional_string(in, "CacheParameterGroupFamily");
    bool const default_only = in.contains("DefaultOnly") && in.at("DefaultOnly").as_bool();

    std::vector<catalog::EngineVersion> matching;
    for (auto const& entry : catalog::Catalog::get().engine_versions) {
        if (engine && !core::iequals(*engine, entry.engine))
            continue;
        if (version && *version != entry.version && *version != entry.actual_version)
            continue;
        if (family && *family != entry.family)
            continue;
        if (default_only && !entry.is_default)
            continue;
        matching.push_back(entry);
    }
    std::optional<std::string> marker;
    json::array list;
    for (auto const* entry :
         page_of(matching, page, [](catalog::EngineVersion const& e) { return e.engine + " " + e.version; }, marker))
        list.push_back(entry->wire);
    json::object out;
    if (marker)
        out["Marker"] = *marker;
    out["CacheEngineVersions"] = std::move(list);
    return out;
}

json::object list_allowed_node_type_modifications(Context& ctx, json::object const& in)
{
    auto const cluster_id = optional_string(in, "CacheClusterId");
    auto const group_id = optional_string(in, "ReplicationGroupId");
    if (!cluster_id && !group_id)
        throw codec::invalid_parameter_combination("Either CacheClusterId or ReplicationGroupId must be provided.");
    std::string node_type, engine;
    auto tx = ctx.db.read();
    if (group_id) {
        auto const group = store::find_replication_group(tx, ctx.scope, core::to_lower(*group_id));
        if (!group)
            throw codec::ApiError::from_model("ReplicationGroupNotFoundFault",
                                              "Replication group " + core::to_lower(*group_id) + " not found.");
        node_type = group->node_type;
        engine = group->engine;
    } else {
        auto const cluster = store::find_cache_cluster(tx, ctx.scope, core::to_lower(*cluster_id));
        if (!cluster)
            throw codec::ApiError::from_model("CacheClusterNotFoundFault",
                                              "CacheCluster not found: " + core::to_lower(*cluster_id));
        node_type = cluster->node_type;
        engine = cluster->engine;
    }
    auto const& catalog = catalog::Catalog::get();
    auto const* current = catalog.node_type(node_type);
    auto const allowed = current ? catalog::allowed_modifications(catalog, *current, engine == "valkey" ? "valkey" : "redis")
                                 : catalog::NodeTypeModifications{};
    return {{"ScaleUpModifications", json::value_from(allowed.scale_up)},
            {"ScaleDownModifications", json::value_from(allowed.scale_down)}};
}

}  // namespace keyfleet::handlers
