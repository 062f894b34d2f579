// The health monitor: learns at once when a node process dies (the runtime
// reports every exit) and within about a second when one stops answering
// (PING with a deadline), and starts the workflow that heals it: a failover
// where the group has automatic failover and the node was its primary, a
// restart in place otherwise.
#pragma once

#include "core/clock.h"
#include "runtime/node_runtime.h"
#include "store/db.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace keyfleet::health {

struct MonitorOptions {
    std::chrono::milliseconds probe_interval{200};
    std::chrono::milliseconds probe_timeout{250};
    int failed_probes_to_act = 3;
    std::chrono::milliseconds max_heal_pause{30'000};
};

class Monitor {
public:
    Monitor(store::Database& db, runtime::NodeRuntime& runtime, core::Clock const& clock,
            std::function<void()> wake_workflows, MonitorOptions options = {});
    ~Monitor();

    void start();
    void stop();

    // From the runtime's thread: queued, handled on the monitor's.
    void node_exited(runtime::NodeExit const& exit);

private:
    struct Probe;
    void loop();
    void probe_all();
    // Starts the healing workflow for a failed node unless one already runs.
    void heal(std::string const& name, std::string const& reason);

    store::Database& db_;
    runtime::NodeRuntime& runtime_;
    core::Clock const& clock_;
    std::function<void()> wake_workflows_;
    MonitorOptions options_;
    std::mutex mutex_;
    std::condition_variable wakeup_;
    std::deque<runtime::NodeExit> exits_;
    bool stopping_ = false;
    std::map<std::string, std::unique_ptr<Probe>> probes_;  // by node name
    // A node healed again before it answered once (a restart that failed, a node that
    // dies at start) waits twice as long each time, up to max_heal_pause: no tight loop.
    struct Backoff {
        int attempts = 0;
        std::chrono::steady_clock::time_point next;
    };
    std::map<std::string, Backoff> backoff_;  // by node name; the monitor thread's alone
    std::thread thread_;
};

}  // namespace keyfleet::health
