// Identifiers: request ids, ARNs and the deterministic ids keyfleet invents for
// things it has no real source of (VPCs, availability zones).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace keyfleet::core {

// Random UUID v4, as AWS uses for RequestId.
std::string new_request_id();

// "aws", "aws-cn" or "aws-us-gov", from the region name.
std::string_view partition_of(std::string_view region);

// arn:<partition>:elasticache:<region>:<account>:<kind>:<id>
std::string arn(std::string_view region, std::string_view account, std::string_view kind, std::string_view id);

struct ParsedArn {
    std::string partition, region, account, kind, id;
};

// Splits an ElastiCache ARN; nullopt when it is not one.
std::optional<ParsedArn> parse_arn(std::string_view text);

// Lowercase hex SHA-256 of the data.
std::string sha256_hex(std::string_view data);

// `length` lowercase hex characters derived from the seed (SHA-256), stable
// across runs and machines: the same seed always names the same VPC or subnet.
std::string stable_hex(std::string_view seed, std::size_t length);

// A stable number in [0, modulo) derived from the seed.
std::uint64_t stable_number(std::string_view seed, std::uint64_t modulo);

}  // namespace keyfleet::core
