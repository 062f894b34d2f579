#include "codec/api_error.h"

#include "core/embedded.h"

#include <boost/json.hpp>

#include <map>

namespace keyfleet::codec {

namespace {

// AWS's common errors, by wire code.
std::map<std::string, ErrorInfo, std::less<>> const& common_errors()
{
    static auto const table = [] {
        std::map<std::string, ErrorInfo, std::less<>> errors;
        auto const common = boost::json::parse(core::embedded("api-schemas/common-errors.json"));
        for (auto const& [code, value] : common.at("errors").as_object()) {
            auto const& definition = value.as_object();
            errors[std::string(code)] = ErrorInfo{std::string(code), definition.at("httpStatusCode").to_number<int>(),
                                                  definition.at("senderFault").as_bool()};
        }
        return errors;
    }();
    return table;
}

// The model wins over the common list where both know a name.
ErrorInfo const* lookup(std::string_view name)
{
    auto const& schema = Schema::elasticache();
    if (auto const* shape = schema.shape(name); shape && shape->error)
        return &*shape->error;
    if (auto const* by_code = schema.error_by_code(name))
        return by_code;
    auto const& common = common_errors();
    auto const found = common.find(name);
    return found == common.end() ? nullptr : &found->second;
}

}  // namespace

ApiError::ApiError(ErrorInfo info, std::string message)
    : std::runtime_error(info.code + ": " + message), info_(std::move(info)), message_(std::move(message))
{
}

ApiError ApiError::from_model(std::string_view name, std::string message)
{
    auto const* info = lookup(name);
    if (!info)
        throw std::logic_error("no error shape or common error named " + std::string(name));
    return ApiError(*info, std::move(message));
}

ApiError invalid_parameter_value(std::string message)
{
    return ApiError::from_model("InvalidParameterValueException", std::move(message));
}

ApiError invalid_parameter_combination(std::string message)
{
    return ApiError::from_model("InvalidParameterCombinationException", std::move(message));
}

}  // namespace keyfleet::codec
