// MaxRecords (20-100, default 100) and Marker, as every Describe* takes them.
// Markers are opaque to callers: base64 of the key the next page starts after.
#pragma once

#include "handlers/context.h"

#include <optional>
#include <vector>
#include <string>

namespace keyfleet::handlers {

struct PageRequest {
    int max_records = 100;
    std::optional<std::string> after;  // decoded marker: the last key of the previous page
};

PageRequest page_request(json::object const& in);

// The Marker to answer when a page ended at `last_key` with more to come.
std::string marker_after(std::string_view last_key);

[[noreturn]] void throw_invalid_marker();

// One page of items in their given order: those after the item whose key the
// Marker names (InvalidParameterValue when no item has it), at most
// max_records, and the Marker for the next page when more remain.
template <typename Item, typename KeyOf>
std::vector<Item const*> page_of(std::vector<Item> const& items, PageRequest const& page, KeyOf key_of,
                                 std::optional<std::string>& next_marker)
{
    std::size_t start = 0;
    if (page.after) {
        while (start < items.size() && key_of(items[start]) != *page.after)
            ++start;
        if (start == items.size())
            throw_invalid_marker();
        ++start;
    }
    std::vector<Item const*> selected;
    for (auto i = start; i < items.size() && selected.size() < std::size_t(page.max_records); ++i)
        selected.push_back(&items[i]);
    if (start + selected.size() < items.size() && !selected.empty())
        next_marker = marker_after(key_of(*selected.back()));
    return selected;
}

}  // namespace keyfleet::handlers
