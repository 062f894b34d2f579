#include "workflows/engine.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace keyfleet::workflows {

namespace {
// The longest the engine sleeps with nothing due: a backstop, not a timing.
constexpr auto idle_poll = std::chrono::seconds(1);
}  // namespace

Engine::Engine(store::Database& db, core::Clock const& clock) : db_(db), clock_(clock) {}

Engine::~Engine() { stop(); }

void Engine::add_kind(std::string_view name, KindDefinition definition)
{
    kinds_.insert_or_assign(std::string(name), std::move(definition));
}

void Engine::start()
{
    stopping_ = false;
    thread_ = std::thread([this] { loop(); });
}

void Engine::stop()
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wakeup_.notify_all();
    if (thread_.joinable())
        thread_.join();
}

void Engine::wake()
{
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    wakeup_.notify_all();
}

void Engine::loop()
{
    while (true) {
        try {
            while (run_due() > 0) {
                std::lock_guard lock(mutex_);
                if (stopping_)
                    return;
            }
        } catch (std::exception const& e) {
            spdlog::error("workflow engine: {}", e.what());
        }
        // Sleep until the next workflow is due, a wake() or the idle backstop.
        auto wait = std::chrono::milliseconds(idle_poll);
        {
            auto tx = db_.read();
            if (auto const due = store::next_due(tx))
                wait = std::min(wait, std::chrono::milliseconds(std::max<std::int64_t>(0, *due - clock_.now_ms())));
        }
        std::unique_lock lock(mutex_);
        wakeup_.wait_for(lock, wait, [this] { return woken_ || stopping_; });
        if (stopping_)
            return;
        woken_ = false;
    }
}

int Engine::run_due()
{
    std::vector<store::Workflow> due;
    {
        auto tx = db_.read();
        due = store::due_workflows(tx, clock_.now_ms());
    }
    for (auto& workflow : due)
        run_step(std::move(workflow));
    return int(due.size());
}

void Engine::run_until_idle()
{
    while (run_due() > 0) {
    }
}

void Engine::run_step(store::Workflow workflow)
{
    Run run(workflow, db_, clock_);
    auto const kind = kinds_.find(workflow.kind);
    StepResult result;
    if (kind == kinds_.end()) {
        result = StepResult::fail("unknown workflow kind " + workflow.kind);
    } else if (auto const step = kind->second.steps.find(workflow.step); step == kind->second.steps.end()) {
        result = StepResult::fail("unknown step " + workflow.step + " of " + workflow.kind);
    } else {
        auto const started = std::chrono::steady_clock::now();
        try {
            result = step->second(run);
        } catch (std::exception const& e) {
            result = StepResult::fail(e.what());
        }
        spdlog::debug("workflow {} {} {} step {}: {} us", workflow.id, workflow.kind, workflow.target, workflow.step,
                      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started)
                          .count());
    }
    if (result.kind == StepResult::Kind::failed) {
        spdlog::warn("workflow {} {} {} failed at step {}: {}", workflow.id, workflow.kind, workflow.target,
                     workflow.step, result.error);
        run.changes().clear();  // the failed step's own changes are not committed
        run.after_commit_actions().clear();
        if (kind != kinds_.end() && kind->second.on_failure)
            kind->second.on_failure(run, result.error);
    }

    auto const now = clock_.now_ms();
    auto tx = db_.write();
    for (auto const& change : run.changes())
        change(tx);
    switch (result.kind) {
    case StepResult::Kind::next:
        workflow.step = result.next_step;
        workflow.not_before = 0;
        store::checkpoint_workflow(tx, workflow, now);
        break;
    case StepResult::Kind::again_after:
        workflow.not_before = now + result.delay.count();
        store::checkpoint_workflow(tx, workflow, now);
        break;
    case StepResult::Kind::done:
        store::checkpoint_workflow(tx, workflow, now);
        store::finish_workflow(tx, workflow.id, "succeeded", "", now);
        break;
    case StepResult::Kind::failed:
        store::finish_workflow(tx, workflow.id, "failed", result.error, now);
        break;
    }
    tx.commit();
    for (auto const& action : run.after_commit_actions()) {
        try {
            action();
        } catch (std::exception const& e) {
            spdlog::error("workflow {} {}: after its step: {}", workflow.id, workflow.kind, e.what());
        }
    }
}

}  // namespace keyfleet::workflows
