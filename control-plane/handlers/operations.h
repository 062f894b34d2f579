// Every operation handler keyfleet carries out, by resource. registry.cpp maps
// AWS action names to these.
#pragma once

#include "handlers/context.h"

namespace keyfleet::handlers {

// subnet_groups.cpp
json::object create_cache_subnet_group(Context& ctx, json::object const& in);
json::object describe_cache_subnet_groups(Context& ctx, json::object const& in);
json::object modify_cache_subnet_group(Context& ctx, json::object const& in);
json::object delete_cache_subnet_group(Context& ctx, json::object const& in);

// tags.cpp
json::object add_tags_to_resource(Context& ctx, json::object const& in);
json::object list_tags_for_resource(Context& ctx, json::object const& in);
json::object remove_tags_from_resource(Context& ctx, json::object const& in);

// events.cpp
json::object describe_events(Context& ctx, json::object const& in);

}  // namespace keyfleet::handlers
