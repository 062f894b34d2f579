// Whose and where: every resource belongs to one account in one region.
#pragma once

#include <string>

namespace keyfleet::core {

struct Scope {
    std::string account;
    std::string region;
};

}  // namespace keyfleet::core
