// Rows of tags: key/value pairs of any resource, by ARN kind and id.
#pragma once

#include "core/scope.h"
#include "store/db.h"

#include <string>
#include <string_view>
#include <vector>

namespace keyfleet::store {

struct Tag {
    std::string key;
    std::string value;
};

struct ResourceRef {
    std::string_view kind;  // the ARN's resource type: subnetgroup, cluster, ...
    std::string_view id;
};

std::vector<Tag> list_tags(Transaction& tx, core::Scope const& scope, ResourceRef resource);

// Adds new keys after the existing ones; an existing key keeps its place and takes the new value.
void put_tags(Transaction& tx, core::Scope const& scope, ResourceRef resource, std::vector<Tag> const& tags);

void remove_tags(Transaction& tx, core::Scope const& scope, ResourceRef resource,
                 std::vector<std::string> const& keys);

// When the resource itself goes.
void delete_all_tags(Transaction& tx, core::Scope const& scope, ResourceRef resource);

}  // namespace keyfleet::store
