// The workflow engine: steps run in order, each checkpointed with its state
// changes, a wait polls at its stored time, a failure runs the abort path, and a
// new engine on the same database resumes where the old one stopped.
#include "store/db.h"
#include "store/events.h"
#include "store/workflows.h"
#include "workflows/engine.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <filesystem>

#include <unistd.h>

using namespace keyfleet;

namespace {
core::Scope const here{"000000000000", "us-east-1"};

std::int64_t start(store::Database& db, core::Clock const& clock, std::string_view kind, std::string_view target)
{
    auto tx = db.write();
    auto const id = store::start_workflow(tx, here, kind, target, "first", {}, clock.now_ms());
    tx.commit();
    return id;
}

std::vector<std::string> messages(store::Database& db)
{
    auto tx = db.read();
    store::EventFilter filter;
    filter.end = 1LL << 60;
    std::vector<std::string> found;
    for (auto const& event : store::find_events(tx, here, filter))
        found.insert(found.begin(), event.message);
    return found;
}

workflows::StepFunction note(std::string text, workflows::StepResult result)
{
    return [text, result](workflows::Run& run) {
        run.on_commit([text, scope = run.scope()](store::Transaction& tx) {
            store::record_event(tx, scope, "user", "u", text, 1);
        });
        return result;
    };
}
}  // namespace

TEST_CASE("steps run in order and commit their changes with the checkpoint", "[workflows]")
{
    store::Database db(":memory:");
    core::ManualClock clock(core::from_epoch_ms(1000));
    workflows::Engine engine(db, clock);
    engine.add_kind("demo", {{{"first", note("one", workflows::StepResult::next("second"))},
                              {"second", note("two", workflows::StepResult::done())}},
                             {}});
    start(db, clock, "demo", "user:u");
    engine.run_until_idle();
    CHECK(messages(db) == std::vector<std::string>{"one", "two"});
    auto tx = db.read();
    CHECK_FALSE(store::running_workflow(tx, here, "user:u"));
}

TEST_CASE("a step that waits runs again only when its time has come", "[workflows]")
{
    store::Database db(":memory:");
    core::ManualClock clock(core::from_epoch_ms(1000));
    workflows::Engine engine(db, clock);
    int polls = 0;
    engine.add_kind("wait", {{{"first", [&](workflows::Run&) {
                                   return ++polls < 3 ? workflows::StepResult::again_after(std::chrono::seconds(5))
                                                      : workflows::StepResult::done();
                               }}},
                             {}});
    start(db, clock, "wait", "user:w");
    engine.run_until_idle();
    CHECK(polls == 1);
    clock.advance(std::chrono::seconds(4));
    engine.run_until_idle();
    CHECK(polls == 1);
    clock.advance(std::chrono::seconds(1));
    engine.run_until_idle();
    CHECK(polls == 2);
    clock.advance(std::chrono::seconds(5));
    engine.run_until_idle();
    CHECK(polls == 3);
}

TEST_CASE("a failing step drops its own changes and runs the kind's abort path", "[workflows]")
{
    store::Database db(":memory:");
    core::ManualClock clock(core::from_epoch_ms(1000));
    workflows::Engine engine(db, clock);
    workflows::KindDefinition kind;
    kind.steps["first"] = [](workflows::Run& run) -> workflows::StepResult {
        run.on_commit([](store::Transaction& tx) { store::record_event(tx, here, "user", "u", "half done", 1); });
        throw std::runtime_error("node did not answer");
    };
    kind.on_failure = [](workflows::Run& run, std::string const& reason) {
        run.on_commit([reason](store::Transaction& tx) { store::record_event(tx, here, "user", "u", "failed: " + reason, 1); });
    };
    engine.add_kind("fails", kind);
    auto const id = start(db, clock, "fails", "user:f");
    engine.run_until_idle();
    CHECK(messages(db) == std::vector<std::string>{"failed: node did not answer"});
    auto tx = db.read();
    auto& status = tx.prepare("SELECT status, error FROM workflows WHERE id = ?1");
    status.bind(1, id);
    REQUIRE(status.executeStep());
    CHECK(status.getColumn(0).getString() == "failed");
    CHECK(status.getColumn(1).getString() == "node did not answer");
}

TEST_CASE("a new engine on the same database resumes from the last checkpoint", "[workflows]")
{
    auto const dir = std::filesystem::temp_directory_path() / ("keyfleet-engine-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    core::ManualClock clock(core::from_epoch_ms(1000));
    int first_runs = 0, second_runs = 0;
    {
        store::Database db((dir / "keyfleet.db").string());
        workflows::Engine engine(db, clock);
        // The process "dies" after the first step: the second never runs here.
        engine.add_kind("resume", {{{"first", [&](workflows::Run&) {
                                         ++first_runs;
                                         return workflows::StepResult::next("second");
                                     }},
                                    {"second", [](workflows::Run&) -> workflows::StepResult {
                                         throw std::logic_error("not reached in this test");
                                     }}},
                                   {}});
        start(db, clock, "resume", "user:r");
        engine.run_due();
    }
    {
        store::Database db((dir / "keyfleet.db").string());
        workflows::Engine engine(db, clock);
        engine.add_kind("resume", {{{"first", [&](workflows::Run&) {
                                         ++first_runs;
                                         return workflows::StepResult::next("second");
                                     }},
                                    {"second", [&](workflows::Run&) {
                                         ++second_runs;
                                         return workflows::StepResult::done();
                                     }}},
                                   {}});
        engine.run_until_idle();
    }
    CHECK(first_runs == 1);
    CHECK(second_runs == 1);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a second workflow on a busy target is refused with TargetBusy, and the first goes on", "[workflows]")
{
    store::Database db(":memory:");
    core::ManualClock clock(core::from_epoch_ms(1000));
    start(db, clock, "failover", "replicationgroup:g1");
    {
        auto tx = db.write();
        try {
            store::start_workflow(tx, here, "delete_replication_group", "replicationgroup:g1", "stop", {}, clock.now_ms());
            FAIL("the second workflow started");
        } catch (store::TargetBusy const& busy) {
            CHECK(busy.target == "replicationgroup:g1");
            CHECK(busy.running_kind == "failover");
        }
    }
    auto tx = db.write();  // the refused transaction left nothing open
    auto const running = store::running_workflow(tx, here, "replicationgroup:g1");
    REQUIRE(running);
    CHECK(running->kind == "failover");
    store::start_workflow(tx, here, "create_cache_cluster", "cluster:other", "start", {}, clock.now_ms());
}
