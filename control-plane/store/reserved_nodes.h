// Rows of reserved_cache_nodes: reservations bought from the offering catalog.
#pragma once

#include "core/scope.h"
#include "store/db.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace keyfleet::store {

struct ReservedNode {
    std::string id;
    boost::json::object offering;  // the ReservedCacheNodesOffering bought, as the catalog has it
    int node_count = 1;
    std::int64_t start_time = 0;
    std::string state;
};

std::optional<ReservedNode> find_reserved_node(Transaction& tx, core::Scope const& scope, std::string_view id);
std::vector<ReservedNode> list_reserved_nodes(Transaction& tx, core::Scope const& scope);
void save_reserved_node(Transaction& tx, core::Scope const& scope, ReservedNode const& node);

}  // namespace keyfleet::store
