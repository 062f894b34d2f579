// The kinds of resource an ARN can name, and how to tell whether one exists:
// what the tag operations need to accept or refuse an ARN.
#pragma once

#include "handlers/context.h"
#include "store/db.h"

#include <string>
#include <string_view>

namespace keyfleet::handlers {

enum class Presence { absent, present, present_untaggable };

struct ResourceKind {
    std::string_view arn_kind;     // arn:aws:elasticache:<region>:<account>:<arn_kind>:<id>
    std::string_view not_found;    // the error shape answered when absent
    std::string_view description;  // in messages: "Cache cluster", "Cache subnet group", ...
    // Null while keyfleet cannot create resources of this kind: none exists.
    Presence (*presence)(store::Transaction& tx, core::Scope const& scope, std::string_view id) = nullptr;
};

// Null for an unknown kind.
ResourceKind const* resource_kind(std::string_view arn_kind);

// Throws the kind's NotFound error for the id.
[[noreturn]] void throw_not_found(ResourceKind const& kind, std::string_view id);

// Presence functions, one per resource file.
Presence cache_cluster_presence(store::Transaction& tx, core::Scope const& scope, std::string_view id);
Presence replication_group_presence(store::Transaction& tx, core::Scope const& scope, std::string_view id);
Presence subnet_group_presence(store::Transaction& tx, core::Scope const& scope, std::string_view name);
Presence parameter_group_presence(store::Transaction& tx, core::Scope const& scope, std::string_view name);
Presence security_group_presence(store::Transaction& tx, core::Scope const& scope, std::string_view name);
Presence user_presence(store::Transaction& tx, core::Scope const& scope, std::string_view id);
Presence user_group_presence(store::Transaction& tx, core::Scope const& scope, std::string_view id);
Presence snapshot_presence(store::Transaction& tx, core::Scope const& scope, std::string_view name);
Presence reserved_node_presence(store::Transaction& tx, core::Scope const& scope, std::string_view id);

}  // namespace keyfleet::handlers
