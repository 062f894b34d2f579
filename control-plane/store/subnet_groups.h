// Rows of cache_subnet_groups and cache_subnets.
#pragma once

#include "core/scope.h"
#include "store/db.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keyfleet::store {

struct Subnet {
    std::string id;
    std::string availability_zone;
};

struct SubnetGroup {
    std::string name;
    std::string description;
    std::string vpc_id;
    std::vector<Subnet> subnets;
    std::int64_t created_at = 0;
};

std::optional<SubnetGroup> find_subnet_group(Transaction& tx, core::Scope const& scope, std::string_view name);

// Groups named after `after` (all when empty), by name, at most `limit`.
std::vector<SubnetGroup> list_subnet_groups(Transaction& tx, core::Scope const& scope, std::string_view after,
                                            int limit);

int count_subnet_groups(Transaction& tx, core::Scope const& scope);

void insert_subnet_group(Transaction& tx, core::Scope const& scope, SubnetGroup const& group);

// Rewrites the description and the subnet list.
void update_subnet_group(Transaction& tx, core::Scope const& scope, SubnetGroup const& group);

void delete_subnet_group(Transaction& tx, core::Scope const& scope, std::string_view name);

}  // namespace keyfleet::store
