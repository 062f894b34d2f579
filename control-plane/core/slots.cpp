#include "core/slots.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace keyfleet::core {

namespace {

std::optional<int> slot_number(std::string_view text)
{
    int value = 0;
    auto const [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < 0 || value >= slot_count)
        return std::nullopt;
    return value;
}

}  // namespace

std::optional<std::vector<SlotRange>> parse_slot_ranges(std::string_view text)
{
    std::vector<SlotRange> ranges;
    while (!text.empty()) {
        auto const comma = text.find(',');
        auto const part = text.substr(0, comma);
        auto const dash = part.find('-');
        auto const first = slot_number(part.substr(0, dash));
        auto const last = dash == std::string_view::npos ? first : slot_number(part.substr(dash + 1));
        if (!first || !last || *first > *last)
            return std::nullopt;
        ranges.emplace_back(*first, *last);
        if (comma == std::string_view::npos)
            break;
        text.remove_prefix(comma + 1);
        if (text.empty())
            return std::nullopt;
    }
    return ranges;
}

std::vector<int> slots_of(std::string_view text)
{
    std::vector<int> slots;
    for (auto const& [first, last] : parse_slot_ranges(text).value_or(std::vector<SlotRange>{}))
        for (int slot = first; slot <= last; ++slot)
            slots.push_back(slot);
    std::ranges::sort(slots);
    slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
    return slots;
}

std::string slots_text(std::vector<int> slots)
{
    std::ranges::sort(slots);
    std::string text;
    for (std::size_t i = 0; i < slots.size();) {
        auto end = i;
        while (end + 1 < slots.size() && slots[end + 1] <= slots[end] + 1)
            ++end;
        if (!text.empty())
            text += ',';
        text += slots[i] == slots[end] ? std::to_string(slots[i]) : fmt::format("{}-{}", slots[i], slots[end]);
        i = end + 1;
    }
    return text;
}

std::vector<int> even_slot_counts(int groups)
{
    std::vector<int> counts;
    for (int i = 0; i < groups; ++i)
        counts.push_back(slot_count / groups + (i < slot_count % groups ? 1 : 0));
    return counts;
}

std::string even_slots(int index, int groups)
{
    auto const counts = even_slot_counts(groups);
    int first = 0;
    for (int i = 0; i < index; ++i)
        first += counts[std::size_t(i)];
    return fmt::format("{}-{}", first, first + counts[std::size_t(index)] - 1);
}

std::map<std::string, std::string> even_layout(std::map<std::string, std::string> const& current,
                                               std::vector<std::string> const& wanted)
{
    auto const counts = even_slot_counts(int(wanted.size()));
    std::map<std::string, std::vector<int>> kept;
    std::vector<int> free;
    for (auto const& [id, text] : current) {
        auto slots = slots_of(text);
        auto const position = std::ranges::find(wanted, id);
        std::size_t keep = 0;
        if (position != wanted.end())
            keep = std::min(slots.size(), std::size_t(counts[std::size_t(position - wanted.begin())]));
        kept[id].assign(slots.begin(), slots.begin() + std::ptrdiff_t(keep));
        free.insert(free.end(), slots.begin() + std::ptrdiff_t(keep), slots.end());
    }
    std::ranges::sort(free);
    std::map<std::string, std::string> layout;
    auto next = free.begin();
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        auto& slots = kept[wanted[i]];
        auto const missing = std::min(std::ptrdiff_t(counts[i]) - std::ptrdiff_t(slots.size()), free.end() - next);
        if (missing > 0) {
            slots.insert(slots.end(), next, next + missing);
            next += missing;
        }
        layout[wanted[i]] = slots_text(slots);
    }
    return layout;
}

}  // namespace keyfleet::core
