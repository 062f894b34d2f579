#include "core/log.h"

#include <spdlog/sinks/stdout_sinks.h>

namespace keyfleet::core {

bool init_logging(std::string_view level_name)
{
    auto const level = spdlog::level::from_str(std::string(level_name));
    if (level == spdlog::level::off && level_name != "off")
        return false;
    auto logger = spdlog::stderr_logger_mt("keyfleet");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
    logger->set_level(level);
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(std::move(logger));
    return true;
}

}  // namespace keyfleet::core
