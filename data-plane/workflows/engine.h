// The workflow engine: runs the steps of every running workflow (rows a handler
// started with the desired state), checkpointing after each step so a restart
// resumes where it stopped. Its own thread; wake() when a handler adds work.
#pragma once

#include "core/clock.h"
#include "core/scope.h"
#include "store/db.h"
#include "store/workflows.h"

#include <boost/json/object.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace keyfleet::workflows {

namespace json = boost::json;

// What a step answers: the next step, the same step again later (a wait that
// polls), the end, or a failure that runs the kind's abort path.
struct StepResult {
    enum class Kind { next, again_after, done, failed };
    Kind kind = Kind::done;
    std::string next_step;
    std::chrono::milliseconds delay{0};
    std::string error;

    static StepResult next(std::string_view step) { return {Kind::next, std::string(step), {}, {}}; }
    static StepResult again_after(std::chrono::milliseconds delay) { return {Kind::again_after, {}, delay, {}}; }
    static StepResult done() { return {}; }
    static StepResult fail(std::string reason) { return {Kind::failed, {}, {}, std::move(reason)}; }
};

// One step's view of its workflow.
class Run {
public:
    Run(store::Workflow& workflow, store::Database& db, core::Clock const& clock)
        : workflow_(workflow), db_(db), clock_(clock)
    {
    }

    core::Scope const& scope() const { return workflow_.scope; }
    std::string const& target() const { return workflow_.target; }
    json::object& data() { return workflow_.data; }
    store::Database& db() { return db_; }
    core::Clock const& clock() const { return clock_; }

    // A state change that commits together with this step's checkpoint.
    void on_commit(std::function<void(store::Transaction&)> change) { changes_.push_back(std::move(change)); }
    std::vector<std::function<void(store::Transaction&)>>& changes() { return changes_; }

    // Work that reads the committed state (e.g. re-routing endpoints), run once
    // the step's checkpoint is committed.
    void after_commit(std::function<void()> action) { after_commit_.push_back(std::move(action)); }
    std::vector<std::function<void()>>& after_commit_actions() { return after_commit_; }

private:
    store::Workflow& workflow_;
    store::Database& db_;
    core::Clock const& clock_;
    std::vector<std::function<void(store::Transaction&)>> changes_;
    std::vector<std::function<void()>> after_commit_;
};

using StepFunction = std::function<StepResult(Run&)>;

struct KindDefinition {
    std::map<std::string, StepFunction, std::less<>> steps;
    // Runs when a step fails or throws: put the resource in its failed state.
    std::function<void(Run&, std::string const& reason)> on_failure;
};

class Engine {
public:
    Engine(store::Database& db, core::Clock const& clock);
    ~Engine();
    Engine(Engine const&) = delete;
    Engine& operator=(Engine const&) = delete;

    void add_kind(std::string_view name, KindDefinition definition);

    void start();
    void stop();
    void wake();

    // Runs one step of every workflow due now; answers how many ran. The
    // thread calls it in a loop; tests call it directly.
    int run_due();

    // Runs steps until no workflow is due now (tests).
    void run_until_idle();

private:
    void loop();
    void run_step(store::Workflow workflow);

    store::Database& db_;
    core::Clock const& clock_;
    std::map<std::string, KindDefinition, std::less<>> kinds_;
    std::mutex mutex_;
    std::condition_variable wakeup_;
    bool woken_ = false;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace keyfleet::workflows
