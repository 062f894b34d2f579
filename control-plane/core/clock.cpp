#include "core/clock.h"

#include <cctype>
#include <charconv>

namespace keyfleet::core {

using namespace std::chrono;

std::int64_t Clock::now_ms() const { return to_epoch_ms(now()); }

std::int64_t to_epoch_ms(TimePoint when)
{
    return duration_cast<milliseconds>(when.time_since_epoch()).count();
}

TimePoint from_epoch_ms(std::int64_t ms)
{
    return TimePoint(duration_cast<TimePoint::duration>(milliseconds(ms)));
}

std::string format_iso8601(std::int64_t epoch_ms)
{
    auto const ms = milliseconds(epoch_ms);
    auto const day = floor<days>(ms);
    year_month_day const ymd{sys_days(day)};
    hh_mm_ss const tod{ms - day};
    char text[32];
    auto const written = std::snprintf(
        text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(ymd.year()), unsigned(ymd.month()),
        unsigned(ymd.day()), int(tod.hours().count()), int(tod.minutes().count()),
        int(tod.seconds().count()), int(tod.subseconds().count()));
    return std::string(text, std::size_t(written));
}

namespace {

bool take_digits(std::string_view& text, std::size_t count, int& value)
{
    if (text.size() < count)
        return false;
    for (std::size_t i = 0; i < count; ++i)
        if (!std::isdigit(static_cast<unsigned char>(text[i])))
            return false;
    std::from_chars(text.data(), text.data() + count, value);
    text.remove_prefix(count);
    return true;
}

bool take(std::string_view& text, char expected)
{
    if (text.empty() || text.front() != expected)
        return false;
    text.remove_prefix(1);
    return true;
}

}  // namespace

bool parse_iso8601(std::string_view text, std::int64_t& epoch_ms)
{
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (!take_digits(text, 4, y) || !take(text, '-') || !take_digits(text, 2, mo) || !take(text, '-') ||
        !take_digits(text, 2, d))
        return false;
    year_month_day const ymd{year(y), month(unsigned(mo)), day(unsigned(d))};
    if (!ymd.ok())
        return false;
    milliseconds total = duration_cast<milliseconds>(sys_days(ymd).time_since_epoch());
    if (!text.empty()) {
        if (!take(text, 'T') && !take(text, 't') && !take(text, ' '))
            return false;
        if (!take_digits(text, 2, h) || !take(text, ':') || !take_digits(text, 2, mi))
            return false;
        if (take(text, ':') && !take_digits(text, 2, s))
            return false;
        if (h > 23 || mi > 59 || s > 60)
            return false;
        total += hours(h) + minutes(mi) + seconds(s);
        if (take(text, '.')) {
            int fraction_ms = 0, scale = 100;
            std::size_t digits = 0;
            while (!text.empty() && std::isdigit(static_cast<unsigned char>(text.front()))) {
                fraction_ms += (text.front() - '0') * scale;
                scale /= 10;
                text.remove_prefix(1);
                ++digits;
            }
            if (digits == 0)
                return false;
            total += milliseconds(fraction_ms);
        }
        if (take(text, 'Z') || take(text, 'z')) {
        } else if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
            int const sign = text.front() == '-' ? -1 : 1;
            text.remove_prefix(1);
            int oh = 0, om = 0;
            if (!take_digits(text, 2, oh))
                return false;
            take(text, ':');
            if (!take_digits(text, 2, om))
                return false;
            total -= sign * (hours(oh) + minutes(om));
        }
    }
    if (!text.empty())
        return false;
    epoch_ms = total.count();
    return true;
}

}  // namespace keyfleet::core
