// Automatic snapshots: the window (UTC, across midnight too), AWS's names, one
// snapshot a day inside the window, expiry after the retention limit (manual
// snapshots stay), busy sources tried again later in the window.
#include "core/clock.h"
#include "handlers/snapshot_schedule.h"
#include "store/clusters.h"
#include "store/db.h"
#include "store/snapshots.h"
#include "store/workflows.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace keyfleet;

namespace {
core::Scope const here{"000000000000", "us-east-1"};

std::int64_t at(std::string_view iso)
{
    std::int64_t ms = 0;
    REQUIRE(core::parse_iso8601(iso, ms));
    return ms;
}

void add_cluster(store::Database& db, std::string const& id, std::int64_t retention, std::string const& window)
{
    static int port = 6379;
    auto tx = db.write();
    store::CacheCluster cluster;
    cluster.id = id;
    cluster.status = "available";
    cluster.engine = "redis";
    cluster.engine_version = "7.1";
    cluster.node_type = "cache.t3.micro";
    cluster.parameter_group = "default.redis7";
    cluster.settings = {{"SnapshotRetentionLimit", retention}, {"SnapshotWindow", window}};
    store::save_cache_cluster(tx, here, cluster);
    store::save_cache_node(tx, here, {id, "0001", "127.0.0.1", port++, "/nowhere", "available", "primary", 0});
    tx.commit();
}

// What the create_snapshot workflow does when it ends: the snapshot and its source available.
void finish_snapshots(store::Database& db)
{
    auto tx = db.write();
    for (auto snapshot : store::list_snapshots(tx, here))
        if (snapshot.status == "creating") {
            snapshot.status = "available";
            store::save_snapshot(tx, here, snapshot);
            auto cluster = store::find_cache_cluster(tx, here, *snapshot.cache_cluster_id);
            cluster->status = "available";
            store::save_cache_cluster(tx, here, *cluster);
            if (auto const workflow = store::running_workflow(tx, here, "cluster:" + cluster->id))
                store::finish_workflow(tx, workflow->id, "succeeded", "", 0);
        }
    tx.commit();
}

std::vector<std::string> names(store::Database& db)
{
    auto tx = db.read();
    std::vector<std::string> found;
    for (auto const& snapshot : store::list_snapshots(tx, here))
        found.push_back(snapshot.name + ":" + snapshot.status + ":" + snapshot.origin);
    return found;
}
}  // namespace

TEST_CASE("the snapshot window opens once a day, in UTC, across midnight too", "[snapshots]")
{
    CHECK(handlers::window_opened_at("05:00-06:00", at("2026-11-22T05:00:00Z")) == at("2026-11-22T05:00:00Z"));
    CHECK(handlers::window_opened_at("05:00-06:00", at("2026-11-22T05:59:59Z")) == at("2026-11-22T05:00:00Z"));
    CHECK_FALSE(handlers::window_opened_at("05:00-06:00", at("2026-11-22T06:00:00Z")));
    CHECK_FALSE(handlers::window_opened_at("05:00-06:00", at("2026-11-22T04:59:59Z")));
    CHECK(handlers::window_opened_at("23:30-00:30", at("2026-11-22T23:45:00Z")) == at("2026-11-22T23:30:00Z"));
    CHECK(handlers::window_opened_at("23:30-00:30", at("2026-11-23T00:10:00Z")) == at("2026-11-22T23:30:00Z"));
    CHECK_FALSE(handlers::window_opened_at("23:30-00:30", at("2026-11-23T00:30:00Z")));
    CHECK_FALSE(handlers::window_opened_at("", at("2026-11-23T00:30:00Z")));
    CHECK(handlers::automatic_snapshot_name("my-redis", at("2026-11-22T05:07:31Z")) ==
          "automatic.my-redis-2026-11-22-05-07");
}

TEST_CASE("automatic snapshots: one a day in the window, expired after the retention limit", "[snapshots]")
{
    store::Database db(":memory:");
    core::ManualClock clock(core::from_epoch_ms(at("2026-11-20T04:59:00Z")));
    int wakes = 0;
    handlers::SnapshotScheduler scheduler(db, clock, [&] { ++wakes; }, {});
    add_cluster(db, "daily", 2, "05:00-06:00");
    add_cluster(db, "never", 0, "05:00-06:00");
    {
        // A manual snapshot, long ago: it stays whatever the retention limit.
        auto tx = db.write();
        store::Snapshot manual;
        manual.name = "kept";
        manual.status = "available";
        manual.cache_cluster_id = "daily";
        manual.created_at = at("2026-01-01T00:00:00Z");
        store::save_snapshot(tx, here, manual);
        tx.commit();
    }

    CHECK(scheduler.run_once().started.empty());  // before the window
    clock.set(core::from_epoch_ms(at("2026-11-20T05:10:00Z")));
    auto pass = scheduler.run_once();
    CHECK(pass.started == std::vector<std::string>{"automatic.daily-2026-11-20-05-10"});
    CHECK(wakes == 1);
    CHECK(names(db) == std::vector<std::string>{"automatic.daily-2026-11-20-05-10:creating:automated",
                                                "kept:available:manual"});
    clock.set(core::from_epoch_ms(at("2026-11-20T05:20:00Z")));
    CHECK(scheduler.run_once().started.empty());  // taken in this window already (and still being taken)
    finish_snapshots(db);
    CHECK(scheduler.run_once().started.empty());

    clock.set(core::from_epoch_ms(at("2026-11-21T05:00:00Z")));
    CHECK(scheduler.run_once().started == std::vector<std::string>{"automatic.daily-2026-11-21-05-00"});
    finish_snapshots(db);

    // Two days and twenty minutes after the first: it expires, today's is taken.
    clock.set(core::from_epoch_ms(at("2026-11-22T05:30:00Z")));
    pass = scheduler.run_once();
    CHECK(pass.deleted == std::vector<std::string>{"automatic.daily-2026-11-20-05-10"});
    CHECK(pass.started == std::vector<std::string>{"automatic.daily-2026-11-22-05-30"});
    CHECK(names(db) == std::vector<std::string>{"automatic.daily-2026-11-20-05-10:deleting:automated",
                                                "automatic.daily-2026-11-21-05-00:available:automated",
                                                "automatic.daily-2026-11-22-05-30:creating:automated",
                                                "kept:available:manual"});
}

TEST_CASE("a busy source gets its automatic snapshot later in the window", "[snapshots]")
{
    store::Database db(":memory:");
    core::ManualClock clock(core::from_epoch_ms(at("2026-11-20T05:00:00Z")));
    handlers::SnapshotScheduler scheduler(db, clock, [] {}, {});
    add_cluster(db, "busy", 1, "05:00-06:00");
    {
        auto tx = db.write();
        auto cluster = store::find_cache_cluster(tx, here, "busy");
        cluster->status = "modifying";
        store::save_cache_cluster(tx, here, *cluster);
        tx.commit();
    }
    CHECK(scheduler.run_once().started.empty());
    CHECK(names(db).empty());
    {
        auto tx = db.write();
        auto cluster = store::find_cache_cluster(tx, here, "busy");
        cluster->status = "available";
        store::save_cache_cluster(tx, here, *cluster);
        tx.commit();
    }
    clock.set(core::from_epoch_ms(at("2026-11-20T05:40:00Z")));
    CHECK(scheduler.run_once().started == std::vector<std::string>{"automatic.busy-2026-11-20-05-40"});
}
