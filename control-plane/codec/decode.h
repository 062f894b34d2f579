// Query-protocol request parameters -> one JSON object following the
// operation's input shape, with types, enums, ranges, patterns and required
// members checked (AWS's InvalidParameterValue / MissingParameter otherwise).
#pragma once

#include "codec/schema.h"

#include <boost/json/object.hpp>

#include <map>
#include <string>
#include <string_view>

namespace keyfleet::codec {

// Decoded (percent-decoding done) parameter name -> value, ordered by name.
using Params = std::map<std::string, std::string, std::less<>>;

// Parses an application/x-www-form-urlencoded body or a query string.
// A repeated name keeps its first value.
Params parse_form(std::string_view text);

// Timestamps decode to epoch milliseconds; integers, booleans and doubles to
// JSON numbers and booleans; lists are ordered by their 1-based index.
boost::json::object decode(Operation const& op, Params const& params);

}  // namespace keyfleet::codec
