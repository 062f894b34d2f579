// Reserved cache nodes: the offering catalog (DescribeReservedCacheNodesOfferings),
// purchases (payment-pending until a workflow activates them) and
// DescribeReservedCacheNodes; a reservation past its duration shows retired.
#include "catalog/catalog.h"
#include "codec/api_error.h"
#include "core/ids.h"
#include "handlers/operations.h"
#include "handlers/pagination.h"
#include "handlers/resources.h"
#include "handlers/validate.h"
#include "store/reserved_nodes.h"
#include "store/tags.h"
#include "store/workflows.h"

#include <boost/json.hpp>
#include <fmt/chrono.h>
#include <fmt/format.h>

namespace keyfleet::handlers {

namespace {

using codec::ApiError;

constexpr std::string_view arn_kind = "reserved-instance";
constexpr int max_reserved_nodes_per_region = 300;

// The filters both Describe operations take; Duration as years (1, 3) or seconds.
struct OfferingFilter {
    std::optional<std::string> offering_id, node_type, duration, product, offering_type;

    explicit OfferingFilter(json::object const& in)
        : offering_id(optional_string(in, "ReservedCacheNodesOfferingId")),
          node_type(optional_string(in, "CacheNodeType")), duration(optional_string(in, "Duration")),
          product(optional_string(in, "ProductDescription")), offering_type(optional_string(in, "OfferingType"))
    {
        if (duration && *duration != "1" && *duration != "3" && *duration != "31536000" && *duration != "94608000")
            throw codec::invalid_parameter_value("Invalid value for Duration: " + *duration +
                                                 ". Valid values: 1, 3, 31536000, 94608000.");
    }

    bool matches(json::object const& offering) const
    {
        auto const text = [&](char const* member) { return std::string(offering.at(member).as_string()); };
        auto const seconds = offering.at("Duration").to_number<std::int64_t>();
        auto const years = std::to_string(seconds / 31536000);
        return (!offering_id || *offering_id == text("ReservedCacheNodesOfferingId")) &&
               (!node_type || *node_type == text("CacheNodeType")) &&
               (!duration || *duration == years || *duration == std::to_string(seconds)) &&
               (!product || *product == text("ProductDescription")) &&
               (!offering_type || *offering_type == text("OfferingType"));
    }
};

json::object const* find_offering(std::string_view id)
{
    for (auto const& offering : catalog::Catalog::get().reserved_offerings)
        if (offering.at("ReservedCacheNodesOfferingId").as_string() == id)
            return &offering;
    return nullptr;
}

json::object to_wire(Context const& ctx, store::ReservedNode const& node)
{
    json::object wire{{"ReservedCacheNodeId", node.id}};
    for (auto const& [member, value] : node.offering)
        wire[member] = value;
    auto const end = node.start_time + wire.at("Duration").to_number<std::int64_t>() * 1000;
    wire["StartTime"] = node.start_time;
    wire["CacheNodeCount"] = node.node_count;
    wire["State"] = node.state == "active" && ctx.clock.now_ms() >= end ? "retired" : node.state;
    wire["ReservationARN"] = core::arn(ctx.scope.region, ctx.scope.account, arn_kind, node.id);
    return wire;
}

// ri-2026-11-22-06-12-00-123: AWS names a purchase after its start time.
std::string generated_id(std::int64_t start_ms)
{
    auto const when = std::chrono::floor<std::chrono::seconds>(core::from_epoch_ms(start_ms));
    return fmt::format("ri-{:%Y-%m-%d-%H-%M-%S}-{:03}", when, start_ms % 1000);
}

}  // namespace

Presence reserved_node_presence(store::Transaction& tx, core::Scope const& scope, std::string_view id)
{
    return store::find_reserved_node(tx, scope, id) ? Presence::present : Presence::absent;
}

json::object describe_reserved_cache_nodes_offerings(Context&, json::object const& in)
{
    auto const page = page_request(in);
    OfferingFilter const filter(in);
    std::vector<json::object> matching;
    for (auto const& offering : catalog::Catalog::get().reserved_offerings)
        if (filter.matches(offering))
            matching.push_back(offering);
    if (filter.offering_id && matching.empty())
        throw ApiError::from_model("ReservedCacheNodesOfferingNotFoundFault",
                                   "ReservedCacheNodesOffering not found: " + *filter.offering_id);
    std::optional<std::string> marker;
    json::array list;
    auto const key = [](json::object const& o) { return std::string(o.at("ReservedCacheNodesOfferingId").as_string()); };
    for (auto const* offering : page_of(matching, page, key, marker))
        list.push_back(*offering);
    json::object out;
    if (marker)
        out["Marker"] = *marker;
    out["ReservedCacheNodesOfferings"] = std::move(list);
    return out;
}

json::object purchase_reserved_cache_nodes_offering(Context& ctx, json::object const& in)
{
    auto const offering_id = required_string(in, "ReservedCacheNodesOfferingId");
    auto const* offering = find_offering(offering_id);
    if (!offering)
        throw ApiError::from_model("ReservedCacheNodesOfferingNotFoundFault",
                                   "ReservedCacheNodesOffering not found: " + offering_id);
    std::int64_t count = 1;
    if (auto const* value = in.if_contains("CacheNodeCount"))
        count = value->as_int64();
    if (count < 1)
        throw codec::invalid_parameter_value("CacheNodeCount must be at least 1.");
    auto const tags = tags_from(in);
    check_tag_count(tags.size());

    auto tx = ctx.db.write();
    store::ReservedNode node{optional_string(in, "ReservedCacheNodeId").value_or(""), *offering, int(count),
                             ctx.clock.now_ms(), "payment-pending"};
    if (!node.id.empty() && store::find_reserved_node(tx, ctx.scope, node.id))
        throw ApiError::from_model("ReservedCacheNodeAlreadyExistsFault",
                                   "Reserved cache node " + node.id + " already exists.");
    for (auto start = node.start_time; node.id.empty(); ++start)
        if (auto const id = generated_id(start); !store::find_reserved_node(tx, ctx.scope, id))
            node.id = id;
    std::int64_t total = count;
    for (auto const& existing : store::list_reserved_nodes(tx, ctx.scope))
        total += existing.node_count;
    if (total > max_reserved_nodes_per_region)
        throw ApiError::from_model("ReservedCacheNodeQuotaExceededFault",
                                   fmt::format("The request cannot be processed because it would exceed the quota of "
                                               "{} reserved cache nodes.",
                                               max_reserved_nodes_per_region));
    store::save_reserved_node(tx, ctx.scope, node);
    store::put_tags(tx, ctx.scope, {arn_kind, node.id}, tags);
    store::start_workflow(tx, ctx.scope, "activate_reservation", "reserved-instance:" + node.id, "activate", {},
                          node.start_time);
    tx.commit();
    ctx.wake_workflows();
    return {{"ReservedCacheNode", to_wire(ctx, node)}};
}

json::object describe_reserved_cache_nodes(Context& ctx, json::object const& in)
{
    auto const page = page_request(in);
    OfferingFilter const filter(in);
    auto const id = optional_string(in, "ReservedCacheNodeId");
    auto tx = ctx.db.read();
    auto nodes = store::list_reserved_nodes(tx, ctx.scope);
    std::erase_if(nodes, [&](store::ReservedNode const& node) {
        return (id && node.id != *id) || !filter.matches(node.offering);
    });
    if (id && nodes.empty())
        throw ApiError::from_model("ReservedCacheNodeNotFoundFault", "Reserved cache node " + *id + " not found.");
    std::optional<std::string> marker;
    json::array list;
    for (auto const* node : page_of(nodes, page, [](store::ReservedNode const& n) { return n.id; }, marker))
        list.push_back(to_wire(ctx, *node));
    json::object out;
    if (marker)
        out["Marker"] = *marker;
    out["ReservedCacheNodes"] = std::move(list);
    return out;
}

}  // namespace keyfleet::handlers
