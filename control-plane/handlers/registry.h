// The one list of operations: each AWS action is either carried out by a
// handler or answered with NotImplemented naming the capability it awaits.
#pragma once

#include "handlers/context.h"

#include <map>
#include <string_view>

namespace keyfleet::handlers {

struct OperationEntry {
    Handler handler = nullptr;     // null: not built yet
    std::string_view awaiting;     // when null: the capability it waits for, in a few words
};

std::map<std::string_view, OperationEntry> const& registry();

}  // namespace keyfleet::handlers
