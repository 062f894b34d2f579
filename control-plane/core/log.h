// Logging set-up: one stderr logger for the whole process (spdlog).
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace keyfleet::core {

// Returns false for an unknown level name.
bool init_logging(std::string_view level);

}  // namespace keyfleet::core
