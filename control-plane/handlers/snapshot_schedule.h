// Automatic snapshots, as ElastiCache takes them: every cache cluster (not a
// group member) and replication group with SnapshotRetentionLimit above 0 gets
// one a day, in its SnapshotWindow (UTC), named automatic.<id>-YYYY-MM-DD-HH-MM;
// automatic snapshots older than the retention limit (in days) are deleted,
// all of them when the limit goes to 0. Taken and deleted as CreateSnapshot and
// DeleteSnapshot do, by the same workflows.
#pragma once

#include "core/clock.h"
#include "store/db.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace keyfleet::handlers {

// When `now` falls in the window ("hh24:mi-hh24:mi", UTC), the instant this
// occurrence of the window opened; nullopt outside it (or when malformed).
std::optional<std::int64_t> window_opened_at(std::string_view window, std::int64_t now_ms);

// automatic.<source id>-YYYY-MM-DD-HH-MM, in UTC.
std::string automatic_snapshot_name(std::string_view source_id, std::int64_t now_ms);

struct SchedulerPass {
    std::vector<std::string> started;  // snapshot names
    std::vector<std::string> deleted;
};

class SnapshotScheduler {
public:
    SnapshotScheduler(store::Database& db, core::Clock const& clock, std::function<void()> wake_workflows,
                      std::filesystem::path s3_dir);
    ~SnapshotScheduler();
    SnapshotScheduler(SnapshotScheduler const&) = delete;
    SnapshotScheduler& operator=(SnapshotScheduler const&) = delete;

    // A pass every `interval` on a thread of its own, until stop().
    void start(std::chrono::milliseconds interval);
    void stop();

    // One pass over every account and region: what it started and deleted.
    SchedulerPass run_once();

private:
    store::Database& db_;
    core::Clock const& clock_;
    std::function<void()> wake_workflows_;
    std::filesystem::path s3_dir_;
    std::mutex pass_mutex_;  // one pass at a time (the thread's and a test's)
    std::mutex mutex_;
    std::condition_variable wakeup_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace keyfleet::handlers
