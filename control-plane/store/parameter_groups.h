// Rows of cache_parameter_groups and cache_parameter_values.
#pragma once

#include "core/scope.h"
#include "store/db.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keyfleet::store {

struct ParameterGroup {
    std::string name;
    std::string family;
    std::string description;
    std::int64_t created_at = 0;
    std::map<std::string, std::string, std::less<>> values;  // what users set, by parameter name
};

std::optional<ParameterGroup> find_parameter_group(Transaction& tx, core::Scope const& scope, std::string_view name);
std::vector<ParameterGroup> list_parameter_groups(Transaction& tx, core::Scope const& scope);
int count_parameter_groups(Transaction& tx, core::Scope const& scope);
void insert_parameter_group(Transaction& tx, core::Scope const& scope, ParameterGroup const& group);
void delete_parameter_group(Transaction& tx, core::Scope const& scope, std::string_view name);

void set_parameter_values(Transaction& tx, core::Scope const& scope, std::string_view group,
                          std::map<std::string, std::string, std::less<>> const& values);
// Removes the named values (all of them when `names` is empty).
void reset_parameter_values(Transaction& tx, core::Scope const& scope, std::string_view group,
                            std::vector<std::string> const& names);

}  // namespace keyfleet::store
