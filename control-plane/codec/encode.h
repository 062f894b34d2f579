// JSON -> Query-protocol XML, following the operation's output shape: member and
// list-item element names from the model, ISO-8601 timestamps, XML escaping.
// The only place keyfleet writes XML.
#pragma once

#include "codec/api_error.h"
#include "codec/schema.h"

#include <boost/json/object.hpp>

#include <functional>
#include <string>
#include <string_view>

namespace keyfleet::codec {

// A value written for a member whose model shape enumerates its values, and is not one of them.
struct EnumViolation {
    std::string member_path;  // from the output shape, e.g. ServiceUpdates[6].ServiceUpdateType
    std::string value;
    std::string shape;  // the enum shape, e.g. ServiceUpdateType
};

using EnumViolationHandler = std::function<void(Operation const&, EnumViolation const&)>;

// The default handler: one spdlog error line, the same words every time, so a test can look for it:
//   reply enum violation: <Operation> <member path> '<value>' not in <shape>
void log_enum_violation(Operation const& op, EnumViolation const& violation);

// <{Op}Response xmlns=…><{Op}Result>…</{Op}Result><ResponseMetadata>…</ResponseMetadata></{Op}Response>
// A member of `output` the shape does not have, or a value of the wrong type, is
// our bug and throws std::logic_error. A value outside its shape's enum is our bug
// too, but the reply is still written as it is and `on_enum_violation` told of it.
std::string encode_response(Schema const& schema, Operation const& op, boost::json::object const& output,
                            std::string_view request_id,
                            EnumViolationHandler const& on_enum_violation = log_enum_violation);

// <ErrorResponse xmlns=…><Error><Type>Sender|Receiver</Type><Code/><Message/></Error><RequestId/></ErrorResponse>
std::string encode_error(Schema const& schema, ApiError const& error, std::string_view request_id);

// Escapes text for an XML element body.
void append_escaped(std::string& out, std::string_view text);

}  // namespace keyfleet::codec
