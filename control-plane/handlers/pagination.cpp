#include "handlers/pagination.h"

#include "codec/api_error.h"
#include "core/base64.h"

#include <boost/json.hpp>

namespace keyfleet::handlers {

PageRequest page_request(json::object const& in)
{
    PageRequest page;
    if (auto const* max = in.if_contains("MaxRecords")) {
        auto const value = max->as_int64();
        if (value < 20 || value > 100)
            throw codec::invalid_parameter_value("Invalid value for max records. Must be between 20 and 100");
        page.max_records = int(value);
    }
    if (auto const* marker = in.if_contains("Marker"); marker && !marker->as_string().empty()) {
        auto decoded = core::base64_decode(marker->as_string());
        if (!decoded || decoded->empty())
            throw codec::invalid_parameter_value("Invalid marker: " + std::string(marker->as_string()));
        page.after = std::move(*decoded);
    }
    return page;
}

std::string marker_after(std::string_view last_key) { return core::base64_encode(last_key); }

void throw_invalid_marker() { throw codec::invalid_parameter_value("The marker is not valid for this request."); }

}  // namespace keyfleet::handlers
