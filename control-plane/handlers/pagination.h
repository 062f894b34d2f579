// MaxRecords (20-100, default 100) and Marker, as every Describe* takes them.
// Markers are opaque to callers: base64url of the key the next page starts after.
#pragma once

#include "handlers/context.h"

#include <optional>
#include <string>

namespace keyfleet::handlers {

struct PageRequest {
    int max_records = 100;
    std::optional<std::string> after;  // decoded marker: the last key of the previous page
};

PageRequest page_request(json::object const& in);

// The Marker to answer when a page ended at `last_key` with more to come.
std::string marker_after(std::string_view last_key);

}  // namespace keyfleet::handlers
