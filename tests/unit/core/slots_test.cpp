#include "core/slots.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

using keyfleet::core::even_layout;
using keyfleet::core::even_slot_counts;
using keyfleet::core::even_slots;
using keyfleet::core::parse_slot_ranges;
using keyfleet::core::slots_of;
using keyfleet::core::slots_text;

TEST_CASE("Slots text parses ranges and single slots within 0-16383 and nothing else", "[core]")
{
    CHECK(parse_slot_ranges("0-5460,10923") == std::vector<std::pair<int, int>>{{0, 5460}, {10923, 10923}});
    CHECK(parse_slot_ranges("")->empty());
    CHECK_FALSE(parse_slot_ranges("0-16384"));
    CHECK_FALSE(parse_slot_ranges("5-4"));
    CHECK_FALSE(parse_slot_ranges("a-4"));
    CHECK_FALSE(parse_slot_ranges("1,"));
    CHECK_FALSE(parse_slot_ranges("1-2x"));
}

TEST_CASE("Slots text is written sorted with adjacent slots merged", "[core]")
{
    CHECK(slots_text({7, 3, 4, 5, 10}) == "3-5,7,10");
    CHECK(slots_text({}).empty());
    CHECK(slots_of("5-7,1") == std::vector<int>{1, 5, 6, 7});
}

TEST_CASE("AWS's even split gives the leftover slots one each to the first node groups", "[core]")
{
    CHECK(even_slot_counts(3) == std::vector<int>{5462, 5461, 5461});
    CHECK(even_slots(0, 3) == "0-5461");
    CHECK(even_slots(1, 3) == "5462-10922");
    CHECK(even_slots(2, 3) == "10923-16383");
}

TEST_CASE("A node group added to three takes a share from each, the others keep their lowest slots", "[core]")
{
    auto const layout = even_layout({{"0001", "0-5461"}, {"0002", "5462-10922"}, {"0003", "10923-16383"}, {"0004", ""}},
                                    {"0001", "0002", "0003", "0004"});
    CHECK(layout.at("0001") == "0-4095");
    CHECK(layout.at("0002") == "5462-9557");
    CHECK(layout.at("0003") == "10923-15018");
    CHECK(layout.at("0004") == "4096-5461,9558-10922,15019-16383");
}

TEST_CASE("A removed node group's slots go back to the others, up to their even share", "[core]")
{
    auto const layout = even_layout({{"0001", "0-4095"},
                                     {"0002", "5462-9557"},
                                     {"0003", "10923-15018"},
                                     {"0004", "4096-5461,9558-10922,15019-16383"}},
                                    {"0001", "0002", "0003"});
    CHECK(layout.size() == 3);
    CHECK(layout.at("0001") == "0-5461");
    CHECK(layout.at("0002") == "5462-10922");
    CHECK(layout.at("0003") == "10923-16383");
}

TEST_CASE("A rebalance evens out node groups of uneven sizes and moves only the excess", "[core]")
{
    auto const layout = even_layout({{"0001", "0-9999"}, {"0002", "10000-16383"}}, {"0001", "0002"});
    CHECK(layout.at("0001") == "0-8191");
    CHECK(layout.at("0002") == "8192-16383");
    auto const unchanged = even_layout({{"0001", "0-8191"}, {"0002", "8192-16383"}}, {"0001", "0002"});
    CHECK(unchanged.at("0001") == "0-8191");
    CHECK(unchanged.at("0002") == "8192-16383");
}

TEST_CASE("Every slot has exactly one node group after any reshard", "[core]")
{
    std::map<std::string, std::string> layout{{"0001", "0-16383"}};
    std::vector<std::string> groups{"0001"};
    for (auto const* next : {"0002", "0003", "0004", "0005"}) {
        groups.push_back(next);
        layout[next] = "";
        layout = even_layout(layout, groups);
        std::vector<int> every;
        for (auto const& [id, slots] : layout)
            for (auto const slot : slots_of(slots))
                every.push_back(slot);
        std::sort(every.begin(), every.end());
        REQUIRE(every.size() == 16384);
        CHECK(std::adjacent_find(every.begin(), every.end()) == every.end());
    }
}
