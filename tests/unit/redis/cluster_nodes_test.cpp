#include "redis/client.h"

#include <catch2/catch.hpp>

using keyfleet::redis::parse_cluster_nodes;

TEST_CASE("CLUSTER NODES lines give each node's slots and the slots a migration left open", "[redis]")
{
    auto const nodes = parse_cluster_nodes(
        "07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004 myself,master - 0 0 4 connected "
        "0-5460 7000 [5461->-e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca] [93-<-292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f]\n"
        "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30002@31002 master - 0 1426238316232 2 connected "
        "5462-10922\n");
    REQUIRE(nodes.size() == 2);
    CHECK(nodes[0].is_myself());
    CHECK(nodes[0].slots == std::vector<std::pair<int, int>>{{0, 5460}, {7000, 7000}});
    REQUIRE(nodes[0].open_slots.size() == 2);
    CHECK(nodes[0].open_slots[0].slot == 5461);
    CHECK_FALSE(nodes[0].open_slots[0].importing);
    CHECK(nodes[0].open_slots[0].peer == "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca");
    CHECK(nodes[0].open_slots[1].slot == 93);
    CHECK(nodes[0].open_slots[1].importing);
    CHECK(nodes[0].open_slots[1].peer == "292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f");
    CHECK(nodes[1].open_slots.empty());
    CHECK(nodes[1].port == 30002);
}
