// Wall-clock time behind an interface, so tests (and the snapshot scheduler) can
// move time by hand.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace keyfleet::core {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
public:
    virtual ~Clock() = default;
    virtual TimePoint now() const = 0;
    std::int64_t now_ms() const;
};

class SystemClock final : public Clock {
public:
    TimePoint now() const override { return std::chrono::system_clock::now(); }
};

// A clock that only moves when told to.
class ManualClock final : public Clock {
public:
    explicit ManualClock(TimePoint start) : now_(start.time_since_epoch().count()) {}
    TimePoint now() const override { return TimePoint(TimePoint::duration(now_.load())); }
    void set(TimePoint when) { now_ = when.time_since_epoch().count(); }
    void advance(std::chrono::milliseconds by) { now_ += std::chrono::duration_cast<TimePoint::duration>(by).count(); }

private:
    std::atomic<TimePoint::duration::rep> now_;
};

// Another clock, moved ahead by hand: the snapshot scheduler's, which tests move
// days ahead without touching the clock requests are signed against.
class OffsetClock final : public Clock {
public:
    explicit OffsetClock(Clock const& base) : base_(base) {}
    TimePoint now() const override { return base_.now() + std::chrono::milliseconds(offset_ms_.load()); }
    void advance(std::chrono::milliseconds by) { offset_ms_ += by.count(); }

private:
    Clock const& base_;
    std::atomic<std::int64_t> offset_ms_{0};
};

std::int64_t to_epoch_ms(TimePoint when);
TimePoint from_epoch_ms(std::int64_t ms);

// ISO-8601 in UTC with milliseconds, as AWS writes timestamps: 2026-11-22T06:12:00.123Z
std::string format_iso8601(std::int64_t epoch_ms);

// Accepts 2026-11-22, 2026-11-22T06:12:00Z, fractional seconds and +hh:mm / -hhmm
// offsets. Returns false when the text is not such a timestamp.
bool parse_iso8601(std::string_view text, std::int64_t& epoch_ms);

}  // namespace keyfleet::core
