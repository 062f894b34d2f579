#include "core/embedded.h"
#include "store/clusters.h"
#include "store/db.h"
#include "store/events.h"
#include "store/subnet_groups.h"
#include "store/tags.h"

#include <catch2/catch.hpp>

#include <filesystem>

#include <unistd.h>

using namespace keyfleet;

namespace {
core::Scope const here{"000000000000", "us-east-1"};
core::Scope const elsewhere{"000000000000", "eu-west-1"};

store::SubnetGroup group(std::string name)
{
    return {std::move(name), "d", "vpc-1", {{"subnet-1", "us-east-1a"}, {"subnet-2", "us-east-1b"}}, 1000};
}
}  // namespace

TEST_CASE("migrations apply in order and record the newest version", "[store]")
{
    store::Database db(":memory:");
    auto const migrations = core::embedded_under("migrations");
    REQUIRE_FALSE(migrations.empty());
    CHECK(db.schema_version() == std::stoi(std::string(migrations.back().path.substr(11, 4))));
}

TEST_CASE("a database file reopens at its version without reapplying migrations", "[store]")
{
    auto const path = std::filesystem::temp_directory_path() / ("keyfleet-store-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
    auto const file = (path / "keyfleet.db").string();
    {
        store::Database db(file);
        auto tx = db.write();
        store::insert_subnet_group(tx, here, group("kept"));
        tx.commit();
    }
    store::Database again(file);
    auto tx = again.read();
    CHECK(store::find_subnet_group(tx, here, "kept"));
    CHECK(again.connection().raw().execAndGet("PRAGMA journal_mode").getString() == "wal");
    CHECK(again.connection().raw().execAndGet("PRAGMA foreign_keys").getInt() == 1);
    CHECK(again.connection().raw().execAndGet("PRAGMA synchronous").getInt() == 2);  // FULL
    std::filesystem::remove_all(path);
}

TEST_CASE("nodes a version-3 database addressed by port alone move to 127.0.0.1 on that port", "[store]")
{
    store::Connection connection(":memory:");
    store::apply_migrations(connection, 3);
    connection.execute(
        "INSERT INTO cache_clusters (account, region, id, status, engine, engine_version, node_type, "
        "availability_zone, parameter_group, subnet_group, port, created_at) VALUES ('000000000000', 'us-east-1', "
        "'old', 'available', 'redis', '7.1.0', 'cache.t3.micro', 'us-east-1a', 'default.redis7', 'default', 6379, 1)");
    connection.execute(
        "INSERT INTO cache_nodes (account, region, cluster_id, node_id, port, directory, status, role, created_at) "
        "VALUES ('000000000000', 'us-east-1', 'old', '0001', 30001, '/d', 'available', 'primary', 1)");
    connection.execute("INSERT INTO ports (port, owner) VALUES (30001, 'node:000000000000/us-east-1/old/0001')");
    store::apply_migrations(connection);

    store::Transaction tx(connection, store::Transaction::Kind::write);
    auto const old = store::find_cache_cluster(tx, here, "old");
    REQUIRE(old);
    REQUIRE(old->nodes.size() == 1);
    CHECK(old->nodes[0].address() == store::Address{"127.0.0.1", 30001});
    CHECK(store::address_taken(tx, {"127.0.0.1", 30001}));

    // Two nodes may now share a port on different hosts, never a host and port.
    auto second = old->nodes[0];
    second.node_id = "0002";
    second.host = "127.1.0.1";
    store::save_cache_node(tx, here, second);
    second.node_id = "0003";
    CHECK_THROWS(store::save_cache_node(tx, here, second));
}

TEST_CASE("subnet groups are scoped by account and region and keep subnet order", "[store]")
{
    store::Database db(":memory:");
    {
        auto tx = db.write();
        store::insert_subnet_group(tx, here, group("b"));
        store::insert_subnet_group(tx, here, group("a"));
        store::insert_subnet_group(tx, elsewhere, group("a"));
        tx.commit();
    }
    auto tx = db.read();
    auto const found = store::find_subnet_group(tx, here, "a");
    REQUIRE(found);
    CHECK(found->subnets.size() == 2);
    CHECK(found->subnets[0].id == "subnet-1");
    CHECK(store::count_subnet_groups(tx, here) == 2);
    CHECK(store::count_subnet_groups(tx, elsewhere) == 1);
    auto const page = store::list_subnet_groups(tx, here, "a", 10);
    REQUIRE(page.size() == 1);
    CHECK(page[0].name == "b");
}

TEST_CASE("a transaction that is not committed changes nothing", "[store]")
{
    store::Database db(":memory:");
    {
        auto tx = db.write();
        store::insert_subnet_group(tx, here, group("gone"));
    }
    auto tx = db.read();
    CHECK_FALSE(store::find_subnet_group(tx, here, "gone"));
}

TEST_CASE("a transaction whose statement failed rolls back, and the next one starts", "[store]")
{
    store::Database db(":memory:");
    {
        auto tx = db.write();
        store::insert_subnet_group(tx, here, group("first"));
        tx.commit();
    }
    {
        auto tx = db.write();
        store::insert_subnet_group(tx, here, group("half"));
        CHECK_THROWS(store::insert_subnet_group(tx, here, group("first")));  // a constraint violation
    }
    auto tx = db.write();  // would be "cannot start a transaction within a transaction"
    CHECK_FALSE(store::find_subnet_group(tx, here, "half"));
    CHECK(store::find_subnet_group(tx, here, "first"));
}

TEST_CASE("deleting a subnet group deletes its subnets", "[store]")
{
    store::Database db(":memory:");
    auto tx = db.write();
    store::insert_subnet_group(tx, here, group("g"));
    store::delete_subnet_group(tx, here, "g");
    auto& count = tx.prepare("SELECT count(*) FROM cache_subnets");
    REQUIRE(count.executeStep());
    CHECK(count.getColumn(0).getInt() == 0);
}

TEST_CASE("tags keep first-added order and take new values in place", "[store]")
{
    store::Database db(":memory:");
    auto tx = db.write();
    store::ResourceRef const resource{"subnetgroup", "g"};
    store::put_tags(tx, here, resource, {{"b", "1"}, {"a", "2"}});
    store::put_tags(tx, here, resource, {{"c", "3"}, {"b", "changed"}});
    auto tags = store::list_tags(tx, here, resource);
    REQUIRE(tags.size() == 3);
    CHECK(tags[0].key == "b");
    CHECK(tags[0].value == "changed");
    CHECK(tags[2].key == "c");
    store::remove_tags(tx, here, resource, {"a"});
    CHECK(store::list_tags(tx, here, resource).size() == 2);
    CHECK(store::list_tags(tx, elsewhere, resource).empty());
}

TEST_CASE("events come back newest first, filtered and paged", "[store]")
{
    store::Database db(":memory:");
    auto tx = db.write();
    for (int i = 0; i < 5; ++i)
        store::record_event(tx, here, i % 2 ? "cache-cluster" : "cache-subnet-group", "s" + std::to_string(i),
                            "m" + std::to_string(i), 1000 + i);
    store::EventFilter filter;
    filter.start = 0;
    filter.end = 2000;
    auto const all = store::find_events(tx, here, filter);
    REQUIRE(all.size() == 5);
    CHECK(all.front().message == "m4");
    filter.source_type = "cache-cluster";
    CHECK(store::find_events(tx, here, filter).size() == 2);
    filter.source_type.reset();
    filter.before_id = all[1].id;
    filter.limit = 2;
    auto const page = store::find_events(tx, here, filter);
    REQUIRE(page.size() == 2);
    CHECK(page[0].message == "m2");
    filter = {};
    filter.start = 1002;
    filter.end = 1003;
    CHECK(store::find_events(tx, here, filter).size() == 2);
}
