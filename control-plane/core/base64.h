// base64url without padding (RFC 4648 §5), for opaque tokens such as Markers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace keyfleet::core {

std::string base64url_encode(std::string_view data);

// nullopt when the text is not base64url.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace keyfleet::core
