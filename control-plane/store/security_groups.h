// Rows of cache_security_groups and their EC2 security group authorizations.
#pragma once

#include "core/scope.h"
#include "store/db.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keyfleet::store {

struct Ec2Authorization {
    std::string group_name;
    std::string owner_id;
};

struct SecurityGroup {
    std::string name;
    std::string description;
    std::int64_t created_at = 0;
    std::vector<Ec2Authorization> authorizations;
};

std::optional<SecurityGroup> find_security_group(Transaction& tx, core::Scope const& scope, std::string_view name);
std::vector<SecurityGroup> list_security_groups(Transaction& tx, core::Scope const& scope);
void insert_security_group(Transaction& tx, core::Scope const& scope, SecurityGroup const& group);
void delete_security_group(Transaction& tx, core::Scope const& scope, std::string_view name);
void add_authorization(Transaction& tx, core::Scope const& scope, std::string_view group, Ec2Authorization const& a);
void remove_authorization(Transaction& tx, core::Scope const& scope, std::string_view group,
                          Ec2Authorization const& a);

}  // namespace keyfleet::store
