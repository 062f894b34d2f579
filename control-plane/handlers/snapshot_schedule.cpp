#include "handlers/snapshot_schedule.h"

#include "codec/api_error.h"
#include "handlers/cluster_options.h"
#include "handlers/context.h"
#include "handlers/lookups.h"
#include "store/clusters.h"
#include "store/snapshots.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <set>

namespace keyfleet::handlers {

namespace {

constexpr std::int64_t minute_ms = 60'000;
constexpr std::int64_t day_ms = 24 * 60 * minute_ms;

struct Source {
    core::Scope scope;
    SnapshotSource source;
    std::string id;
    std::int64_t retention_days = 0;
    std::string window;
};

std::int64_t retention_of(json::object const& settings)
{
    auto const* limit = settings.if_contains("SnapshotRetentionLimit");
    return limit && limit->is_int64() ? limit->as_int64() : 0;
}

std::string window_of(json::object const& settings)
{
    auto const* window = settings.if_contains("SnapshotWindow");
    return window && window->is_string() ? std::string(window->as_string()) : std::string();
}

// Every replication group, and every cache cluster outside one, of every account and region.
std::vector<Source> sources(store::Database& db)
{
    std::vector<Source> all;
    auto tx = db.read();
    std::set<std::pair<std::string, std::string>> scopes;
    for (auto const& [scope, group] : store::all_replication_groups(tx)) {
        scopes.emplace(scope.account, scope.region);
        all.push_back({scope, {std::nullopt, group.id}, group.id, retention_of(group.settings), window_of(group.settings)});
    }
    for (auto const& [scope, node] : store::all_cache_nodes(tx))
        scopes.emplace(scope.account, scope.region);
    for (auto const& [account, region] : scopes) {
        core::Scope const scope{account, region};
        for (auto const& cluster : store::list_cache_clusters(tx, scope))
            if (!cluster.replication_group_id)
                all.push_back({scope, {cluster.id, std::nullopt}, cluster.id, retention_of(cluster.settings),
                               window_of(cluster.settings)});
    }
    return all;
}

bool taken_of(store::Snapshot const& snapshot, SnapshotSource const& source)
{
    if (snapshot.origin != "automated")
        return false;
    return source.replication_group_id ? snapshot.replication_group_id == source.replication_group_id
                                       : !snapshot.replication_group_id && snapshot.cache_cluster_id == source.cache_cluster_id;
}

}  // namespace

std::optional<std::int64_t> window_opened_at(std::string_view window, std::int64_t now_ms)
{
    if (window.size() != 11 || window[5] != '-')
        return std::nullopt;
    auto const start = minutes_of(window.substr(0, 5));
    auto const end = minutes_of(window.substr(6, 5));
    if (!start || !end)
        return std::nullopt;
    auto const day_start = now_ms - ((now_ms % day_ms) + day_ms) % day_ms;
    auto const minute = (now_ms - day_start) / minute_ms;
    if (*start <= *end) {
        if (minute >= *start && minute < *end)
            return day_start + *start * minute_ms;
        return std::nullopt;
    }
    // Across midnight: opened today, or yesterday for the part after midnight.
    if (minute >= *start)
        return day_start + *start * minute_ms;
    if (minute < *end)
        return day_start - day_ms + *start * minute_ms;
    return std::nullopt;
}

std::string automatic_snapshot_name(std::string_view source_id, std::int64_t now_ms)
{
    // 2026-11-22T06:12:00.000Z -> 2026-11-22-06-12
    auto const iso = core::format_iso8601(now_ms);
    return fmt::format("automatic.{}-{}-{}-{}", source_id, iso.substr(0, 10), iso.substr(11, 2), iso.substr(14, 2));
}

SnapshotScheduler::SnapshotScheduler(store::Database& db, core::Clock const& clock,
                                     std::function<void()> wake_workflows, std::filesystem::path s3_dir)
    : db_(db), clock_(clock), wake_workflows_(std::move(wake_workflows)), s3_dir_(std::move(s3_dir))
{
}

SnapshotScheduler::~SnapshotScheduler() { stop(); }

void SnapshotScheduler::start(std::chrono::milliseconds interval)
{
    thread_ = std::thread([this, interval] {
        std::unique_lock lock(mutex_);
        while (!wakeup_.wait_for(lock, interval, [this] { return stopping_; })) {
            lock.unlock();
            try {
                run_once();
            } catch (std::exception const& e) {
                spdlog::error("automatic snapshots: {}", e.what());
            }
            lock.lock();
        }
    });
}

void SnapshotScheduler::stop()
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wakeup_.notify_all();
    if (thread_.joinable())
        thread_.join();
}

SchedulerPass SnapshotScheduler::run_once()
{
    std::lock_guard pass_lock(pass_mutex_);
    SchedulerPass pass;
    for (auto const& source : sources(db_)) {
        auto const now = clock_.now_ms();
        Context ctx{source.scope, db_, clock_, "", wake_workflows_, "", s3_dir_};
        auto tx = db_.write();
        bool taken_in_window = false;
        auto const opened = source.retention_days > 0 ? window_opened_at(source.window, now) : std::nullopt;
        for (auto& snapshot : store::list_snapshots(tx, source.scope)) {
            if (!taken_of(snapshot, source.source))
                continue;
            if (opened && snapshot.created_at >= *opened)
                taken_in_window = true;
            if (snapshot.status == "available" && snapshot.created_at + source.retention_days * day_ms <= now) {
                pass.deleted.push_back(snapshot.name);
                begin_snapshot_deletion(ctx, tx, std::move(snapshot));
            }
        }
        if (opened && !taken_in_window) {
            auto const name = automatic_snapshot_name(source.id, now);
            try {
                begin_snapshot(ctx, tx, source.source, name, "automated");
                pass.started.push_back(name);
            } catch (codec::ApiError const& refused) {
                // Busy (or a snapshot of that name exists): the next pass in the window tries again.
                spdlog::debug("automatic snapshot {} not started: {}", name, refused.what());
            }
        }
        tx.commit();
    }
    if (!pass.started.empty() || !pass.deleted.empty()) {
        spdlog::info("automatic snapshots: {} started, {} expired", pass.started.size(), pass.deleted.size());
        wake_workflows_();
    }
    return pass;
}

}  // namespace keyfleet::handlers
