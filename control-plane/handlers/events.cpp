// DescribeEvents: the state changes recorded by every handler and workflow,
// newest first, by default from the last hour, at most 14 days back.
#include "codec/api_error.h"
#include "handlers/operations.h"
#include "handlers/pagination.h"
#include "handlers/validate.h"
#include "store/events.h"

#include <boost/json.hpp>

#include <charconv>

namespace keyfleet::handlers {

namespace {
constexpr std::int64_t minute_ms = 60'000;
constexpr std::int64_t default_window_minutes = 60;
constexpr std::int64_t max_window_minutes = 14 * 24 * 60;
}  // namespace

json::object describe_events(Context& ctx, json::object const& in)
{
    auto const page = page_request(in);
    auto const now = ctx.clock.now_ms();

    store::EventFilter filter;
    filter.source_type = optional_string(in, "SourceType");
    filter.source_id = optional_string(in, "SourceIdentifier");
    filter.limit = page.max_records + 1;
    std::optional<std::int64_t> duration;
    if (auto const* value = in.if_contains("Duration")) {
        duration = value->as_int64();
        if (*duration < 0 || *duration > max_window_minutes)
            throw codec::invalid_parameter_value("The parameter Duration must be between 0 and " +
                                                 std::to_string(max_window_minutes) + " minutes.");
    }
    auto const* start = in.if_contains("StartTime");
    auto const* end = in.if_contains("EndTime");
    filter.end = end ? end->as_int64() : now;
    if (start)
        filter.start = start->as_int64();
    else
        filter.start = filter.end - duration.value_or(default_window_minutes) * minute_ms;
    if (start && duration && !end)
        filter.end = filter.start + *duration * minute_ms;
    if (filter.start > filter.end)
        throw codec::invalid_parameter_value("The parameter StartTime must be earlier than EndTime.");
    filter.start = std::max(filter.start, now - max_window_minutes * minute_ms);

    if (page.after) {
        std::int64_t id = 0;
        auto const& text = *page.after;
        auto const [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
        if (ec != std::errc() || ptr != text.data() + text.size())
            throw codec::invalid_parameter_value("Invalid marker: " + std::string(in.at("Marker").as_string()));
        filter.before_id = id;
    }

    auto tx = ctx.db.read();
    auto events = store::find_events(tx, ctx.scope, filter);
    json::object out;
    if (events.size() > std::size_t(page.max_records)) {
        events.resize(std::size_t(page.max_records));
        out["Marker"] = marker_after(std::to_string(events.back().id));
    }
    json::array list;
    for (auto const& event : events)
        list.push_back(json::object{{"SourceIdentifier", event.source_id},
                                    {"SourceType", event.source_type},
                                    {"Message", event.message},
                                    {"Date", event.created_at}});
    out["Events"] = std::move(list);
    return out;
}

}  // namespace keyfleet::handlers
