#pragma once
// Standard base64 (RFC 4648 §4, padded), for opaque tokens such as Markers:
// AWS's own Markers are, e.g. DescribeEngineDefaultParameters's.

#include <optional>
#include <string>
#include <string_view>

namespace keyfleet::core {

std::string base64_encode(std::string_view data);

// Standard base64, padded or not; the URL-safe alphabet (-, _) is read too.
// nullopt when the text is not base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace keyfleet::core
