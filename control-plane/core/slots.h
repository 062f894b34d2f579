// Hash slots of a Redis Cluster as ElastiCache writes them in a node group's
// Slots ("0-5460,10923-12000"), AWS's even split of the 16384 slots, and the
// layout a reshard moves a group to. Both planes use them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keyfleet::core {

inline constexpr int slot_count = 16384;

using SlotRange = std::pair<int, int>;  // inclusive

// "0-5460,10923" -> ranges as written; nullopt when a part is not a slot or
// a range within 0-16383. "" is no slots.
std::optional<std::vector<SlotRange>> parse_slot_ranges(std::string_view text);

// Every slot of a Slots text, ascending (text already validated; bad parts are skipped).
std::vector<int> slots_of(std::string_view text);

// Slots -> "0-4095,8192" (sorted, adjacent slots merged).
std::string slots_text(std::vector<int> slots);

// AWS's even split: how many slots each of `groups` node groups has, the
// leftover one each to the first (3 groups: 5462, 5461, 5461).
std::vector<int> even_slot_counts(int groups);

// The first, contiguous even split: node group `index` of `groups`
// (3 groups: 0-5461, 5462-10922, 10923-16383).
std::string even_slots(int index, int groups);

// Where slots go when node groups are added, removed or rebalanced: every node
// group in `wanted` (in that order) ends with its even share; one that keeps
// slots keeps its lowest, and the rest (with every slot of a node group not in
// `wanted`) go, lowest first, to the node groups short of their share, so only
// as many slots move as must. `current` is every node group's Slots today.
std::map<std::string, std::string> even_layout(std::map<std::string, std::string> const& current,
                                               std::vector<std::string> const& wanted);

}  // namespace keyfleet::core
