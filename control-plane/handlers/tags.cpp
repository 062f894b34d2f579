// Add/List/RemoveTagsFromResource on any ARN keyfleet knows: the ARN must name
// a resource of the caller's account and region that exists.
#include "codec/api_error.h"
#include "core/ids.h"
#include "handlers/operations.h"
#include "handlers/resources.h"
#include "handlers/validate.h"
#include "store/tags.h"

#include <boost/json.hpp>

#include <algorithm>

namespace keyfleet::handlers {

namespace {

using codec::ApiError;

struct TaggedResource {
    store::ResourceRef ref;
    std::string id;
};

// Parses the ARN and checks its resource exists inside this transaction.
TaggedResource tagged_resource(store::Transaction& tx, Context const& ctx, json::object const& in)
{
    auto const name = required_string(in, "ResourceName");
    if (std::ranges::count(name, ':') < 6)
        throw ApiError::from_model("InvalidARNFault", "Input ARN string does not have 7 components.");
    auto const arn = core::parse_arn(name);
    auto const* kind = arn ? resource_kind(arn->kind) : nullptr;
    if (!kind)
        throw ApiError::from_model("InvalidARNFault", "The ARN " + name + " does not name an ElastiCache resource.");
    // A resource of another account or region is not visible from here.
    bool const here = arn->account == ctx.scope.account && arn->region == ctx.scope.region &&
                      arn->partition == core::partition_of(ctx.scope.region);
    auto const presence = here && kind->presence ? kind->presence(tx, ctx.scope, arn->id) : Presence::absent;
    if (presence == Presence::absent)
        throw_not_found(*kind, arn->id);
    if (presence == Presence::present_untaggable)
        throw codec::invalid_parameter_value("The resource " + name + " does not support tagging.");
    TaggedResource resource{{}, arn->id};
    resource.ref = {kind->arn_kind, resource.id};
    return resource;
}

}  // namespace

json::object add_tags_to_resource(Context& ctx, json::object const& in)
{
    auto const tags = tags_from(in);
    auto tx = ctx.db.write();
    auto const resource = tagged_resource(tx, ctx, in);
    auto existing = store::list_tags(tx, ctx.scope, resource.ref);
    auto const added = std::ranges::count_if(tags, [&](store::Tag const& tag) {
        return std::ranges::none_of(existing, [&](store::Tag const& old) { return old.key == tag.key; });
    });
    check_tag_count(existing.size() + std::size_t(added));
    store::put_tags(tx, ctx.scope, resource.ref, tags);
    auto after = store::list_tags(tx, ctx.scope, resource.ref);
    tx.commit();
    return {{"TagList", to_wire(after)}};
}

json::object list_tags_for_resource(Context& ctx, json::object const& in)
{
    auto tx = ctx.db.read();
    auto const resource = tagged_resource(tx, ctx, in);
    return {{"TagList", to_wire(store::list_tags(tx, ctx.scope, resource.ref))}};
}

json::object remove_tags_from_resource(Context& ctx, json::object const& in)
{
    auto const keys = string_list(in, "TagKeys");
    auto tx = ctx.db.write();
    auto const resource = tagged_resource(tx, ctx, in);
    auto const existing = store::list_tags(tx, ctx.scope, resource.ref);
    for (auto const& key : keys)
        if (std::ranges::none_of(existing, [&](store::Tag const& tag) { return tag.key == key; }))
            throw ApiError::from_model("TagNotFoundFault", "The tag " + key + " was not found on this resource.");
    store::remove_tags(tx, ctx.scope, resource.ref, keys);
    auto after = store::list_tags(tx, ctx.scope, resource.ref);
    tx.commit();
    return {{"TagList", to_wire(after)}};
}

}  // namespace keyfleet::handlers
