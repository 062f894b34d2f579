// Rows of events: what DescribeEvents reports.
#pragma once

#include "core/scope.h"
#include "store/db.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keyfleet::store {

struct Event {
    std::int64_t id = 0;
    std::string source_type;  // AWS's SourceType value: cache-subnet-group, cache-cluster, ...
    std::string source_id;
    std::string message;
    std::int64_t created_at = 0;  // epoch ms
};

void record_event(Transaction& tx, core::Scope const& scope, std::string_view source_type,
                  std::string_view source_id, std::string message, std::int64_t at);

struct EventFilter {
    std::optional<std::string> source_type;
    std::optional<std::string> source_id;
    std::int64_t start = 0;  // inclusive, epoch ms
    std::int64_t end = 0;    // inclusive, epoch ms
    std::optional<std::int64_t> before_id;  // pagination: only events older than this one
    int limit = 100;
};

// Newest first.
std::vector<Event> find_events(Transaction& tx, core::Scope const& scope, EventFilter const& filter);

// Drops events older than the cut-off (AWS keeps 14 days).
void prune_events(Transaction& tx, std::int64_t older_than);

}  // namespace keyfleet::store
