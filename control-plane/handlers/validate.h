// AWS's input rules shared by several operations, with AWS's messages.
#pragma once

#include "handlers/context.h"
#include "store/tags.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keyfleet::handlers {

// An optional string member, or nullopt.
std::optional<std::string> optional_string(json::object const& in, std::string_view member);

// A string member that must be present and not blank (InvalidParameterValue
// "The parameter X must be provided and must not be blank.").
std::string required_string(json::object const& in, std::string_view member);

// AWS's identifier rule for cluster, replication group, subnet, parameter and
// security group names: starts with a letter; ASCII letters, digits and
// hyphens; no trailing hyphen, no two consecutive hyphens; at most max_length.
// Answers the identifier lowercased, as AWS stores it.
std::string identifier(json::object const& in, std::string_view member, std::size_t max_length);

// The list of strings in a member; empty when absent.
std::vector<std::string> string_list(json::object const& in, std::string_view member);

// Tags from a Tags member, validated: keys 1-128 characters, values up to 256,
// no "aws:" prefix, no key twice.
std::vector<store::Tag> tags_from(json::object const& in, std::string_view member = "Tags");

inline constexpr std::size_t max_tags_per_resource = 50;

// TagQuotaPerResourceExceeded when a resource would carry more than 50 tags.
void check_tag_count(std::size_t total);

json::array to_wire(std::vector<store::Tag> const& tags);

}  // namespace keyfleet::handlers
