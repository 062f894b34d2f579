// Checks a user's AccessString as ElastiCache does: Redis ACL rules, without
// the rules ElastiCache reserves for itself (passwords and resets).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace keyfleet::handlers {

// Why the access string is not acceptable, or nullopt when it is.
std::optional<std::string> access_string_problem(std::string_view access_string);

}  // namespace keyfleet::handlers
