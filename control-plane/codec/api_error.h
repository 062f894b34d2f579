// ApiError: a client-visible failure. Code, HTTP status and fault side come from
// the model's error shape (or AWS's common errors), never typed by hand.
#pragma once

#include "codec/schema.h"

#include <stdexcept>
#include <string>
#include <string_view>

namespace keyfleet::codec {

class ApiError : public std::runtime_error {
public:
    // `name` is an error shape of the model ("CacheSubnetGroupNotFoundFault"), a
    // wire code of one ("InvalidParameterValue"), or a common error
    // ("MissingParameter"). An unknown name is our bug: std::logic_error.
    static ApiError from_model(std::string_view name, std::string message);

    std::string const& code() const { return info_.code; }
    std::string const& message() const { return message_; }
    int http_status() const { return info_.http_status; }
    bool sender_fault() const { return info_.sender_fault; }

private:
    ApiError(ErrorInfo info, std::string message);
    ErrorInfo info_;
    std::string message_;
};

// Shorthands for the two errors handlers raise most.
ApiError invalid_parameter_value(std::string message);
ApiError invalid_parameter_combination(std::string message);

}  // namespace keyfleet::codec
