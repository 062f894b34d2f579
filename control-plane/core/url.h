// Percent-encoding as SigV4 (RFC 3986) and HTML forms use it.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keyfleet::core {

// RFC 3986: everything but A-Z a-z 0-9 - _ . ~ becomes %XX (uppercase hex);
// '/' is kept when encode_slash is false.
std::string uri_encode(std::string_view text, bool encode_slash = true);

// %XX decoding; '+' becomes a space when plus_is_space (form bodies and query
// strings). Malformed escapes are kept literally, as browsers and AWS do.
std::string url_decode(std::string_view text, bool plus_is_space);

// Splits a=b&c=d into raw (still encoded) pairs; a name without '=' has an empty value.
std::vector<std::pair<std::string_view, std::string_view>> split_query(std::string_view query);

}  // namespace keyfleet::core
