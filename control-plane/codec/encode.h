// JSON -> Query-protocol XML, following the operation's output shape: member and
// list-item element names from the model, ISO-8601 timestamps, XML escaping.
// The only place keyfleet writes XML.
#pragma once

#include "codec/api_error.h"
#include "codec/schema.h"

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace keyfleet::codec {

// <{Op}Response xmlns=…><{Op}Result>…</{Op}Result><ResponseMetadata>…</ResponseMetadata></{Op}Response>
// A member of `output` the shape does not have, or a value of the wrong type, is
// our bug and throws std::logic_error.
std::string encode_response(Schema const& schema, Operation const& op, boost::json::object const& output,
                            std::string_view request_id);

// <ErrorResponse xmlns=…><Error><Type>Sender|Receiver</Type><Code/><Message/></Error><RequestId/></ErrorResponse>
std::string encode_error(Schema const& schema, ApiError const& error, std::string_view request_id);

// Escapes text for an XML element body.
void append_escaped(std::string& out, std::string_view text);

}  // namespace keyfleet::codec
