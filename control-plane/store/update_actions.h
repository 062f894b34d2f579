// Rows of update_actions: service update actions a user applied or stopped.
#pragma once

#include "core/scope.h"
#include "store/db.h"

#include <cstdint>
#include <string>
#include <vector>

namespace keyfleet::store {

struct UpdateAction {
    std::string service_update_name;
    std::string target_kind;  // replication-group | cache-cluster
    std::string target_id;
    std::string status;
    std::int64_t status_modified_at = 0;
};

std::vector<UpdateAction> list_update_actions(Transaction& tx, core::Scope const& scope);
void save_update_action(Transaction& tx, core::Scope const& scope, UpdateAction const& action);

}  // namespace keyfleet::store
