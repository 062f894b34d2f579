#include "store/db.h"
#include "store/snapshots.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace keyfleet;

namespace {
core::Scope const here{"000000000000", "us-east-1"};
core::Scope const elsewhere{"000000000000", "eu-west-1"};

store::Snapshot snapshot(std::string name)
{
    store::Snapshot s;
    s.name = std::move(name);
    s.status = "creating";
    s.replication_group_id = "rg";
    s.cluster_enabled = true;
    s.source = {{"CacheNodeType", "cache.t3.micro"}, {"NumNodeGroups", 2}};
    s.created_at = 1000;
    for (auto const* group : {"0002", "0001"}) {
        store::NodeSnapshot node;
        node.node_group_id = group;
        node.cache_cluster_id = std::string("rg-") + group + "-002";
        node.slots = group == std::string("0001") ? "0-8191" : "8192-16383";
        node.configuration = {{"ReplicaCount", 1}};
        node.node_created_at = 900;
        s.nodes.push_back(node);
    }
    return s;
}
}  // namespace

TEST_CASE("a snapshot reads back with its node groups in order, files and checksums once written", "[store]")
{
    store::Database db(":memory:");
    {
        auto tx = db.write();
        store::save_snapshot(tx, here, snapshot("s1"));
        tx.commit();
    }
    {
        auto tx = db.read();
        auto const found = store::find_snapshot(tx, here, "s1");
        REQUIRE(found);
        CHECK(found->status == "creating");
        CHECK(found->origin == "manual");
        CHECK(found->replication_group_id == "rg");
        CHECK_FALSE(found->cache_cluster_id);
        CHECK(found->cluster_enabled);
        CHECK(found->source.at("NumNodeGroups").as_int64() == 2);
        REQUIRE(found->nodes.size() == 2);
        CHECK(found->nodes[0].node_group_id == "0001");
        CHECK(found->nodes[0].slots == "0-8191");
        CHECK_FALSE(found->nodes[0].sha256);
        CHECK_FALSE(found->nodes[0].size);
        CHECK_FALSE(store::find_snapshot(tx, elsewhere, "s1"));
    }
    {
        auto tx = db.write();
        auto taken = *store::find_snapshot(tx, here, "s1");
        taken.status = "available";
        taken.nodes[0].file = "/data/snapshots/s1/0001.rdb";
        taken.nodes[0].size = 42;
        taken.nodes[0].sha256 = "abc";
        taken.nodes[0].snapshot_created_at = 2000;
        store::save_snapshot(tx, here, taken);
        tx.commit();
    }
    auto tx = db.read();
    auto const found = *store::find_snapshot(tx, here, "s1");
    CHECK(found.status == "available");
    REQUIRE(found.nodes.size() == 2);
    CHECK(found.nodes[0].size == 42);
    CHECK(found.nodes[0].sha256 == "abc");
    CHECK(found.nodes[0].snapshot_created_at == 2000);
    CHECK(found.nodes[1].file.empty());
}

TEST_CASE("snapshots list by name within their region, and deleting one takes its node rows", "[store]")
{
    store::Database db(":memory:");
    {
        auto tx = db.write();
        store::save_snapshot(tx, here, snapshot("b"));
        store::save_snapshot(tx, here, snapshot("a"));
        store::save_snapshot(tx, elsewhere, snapshot("c"));
        tx.commit();
    }
    {
        auto tx = db.read();
        auto const listed = store::list_snapshots(tx, here);
        REQUIRE(listed.size() == 2);
        CHECK(listed[0].name == "a");
        CHECK(listed[1].name == "b");
        CHECK(listed[1].nodes.size() == 2);
    }
    auto tx = db.write();
    store::delete_snapshot(tx, here, "a");
    CHECK_FALSE(store::find_snapshot(tx, here, "a"));
    auto& count = tx.prepare("SELECT COUNT(*) FROM node_snapshots WHERE snapshot_name = 'a'");
    REQUIRE(count.executeStep());
    CHECK(count.getColumn(0).getInt() == 0);
    count.reset();
}
