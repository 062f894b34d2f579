#include "handlers/validate.h"

#include "codec/api_error.h"
#include "core/strings.h"

#include <boost/json.hpp>

namespace keyfleet::handlers {

using codec::invalid_parameter_value;

std::optional<std::string> optional_string(json::object const& in, std::string_view member)
{
    auto const* value = in.if_contains(member);
    if (!value || !value->is_string())
        return std::nullopt;
    return std::string(value->get_string());
}

std::string required_string(json::object const& in, std::string_view member)
{
    auto value = optional_string(in, member);
    if (!value || core::trim(*value).empty())
        throw invalid_parameter_value("The parameter " + std::string(member) +
                                      " must be provided and must not be blank.");
    return *value;
}

std::string identifier(json::object const& in, std::string_view member, std::size_t max_length)
{
    auto const value = required_string(in, member);
    bool valid = std::isalpha(static_cast<unsigned char>(value.front())) && value.back() != '-' &&
                 value.find("--") == std::string::npos;
    for (char const c : value)
        valid = valid && (std::isalnum(static_cast<unsigned char>(c)) || c == '-') && static_cast<unsigned char>(c) < 0x80;
    if (!valid)
        throw invalid_parameter_value("The parameter " + std::string(member) +
                                      " is not a valid identifier. Identifiers must begin with a letter; must contain "
                                      "only ASCII letters, digits, and hyphens; and must not end with a hyphen or "
                                      "contain two consecutive hyphens.");
    if (value.size() > max_length)
        throw invalid_parameter_value("The parameter " + std::string(member) + " must be no more than " +
                                      std::to_string(max_length) + " characters long.");
    return core::to_lower(value);
}

std::vector<std::string> string_list(json::object const& in, std::string_view member)
{
    std::vector<std::string> values;
    if (auto const* list = in.if_contains(member))
        for (auto const& item : list->as_array())
            values.emplace_back(item.as_string());
    return values;
}

std::vector<store::Tag> tags_from(json::object const& in, std::string_view member)
{
    std::vector<store::Tag> tags;
    auto const* list = in.if_contains(member);
    if (!list)
        return tags;
    for (auto const& item : list->as_array()) {
        auto const& tag = item.as_object();
        auto key = optional_string(tag, "Key").value_or("");
        auto value = optional_string(tag, "Value").value_or("");
        if (key.empty() || key.size() > 128)
            throw invalid_parameter_value("Tag keys must be between 1 and 128 characters long.");
        if (value.size() > 256)
            throw invalid_parameter_value("Tag values must be no more than 256 characters long.");
        if (core::to_lower(key).starts_with("aws:"))
            throw invalid_parameter_value("Tag keys must not start with 'aws:'; that prefix is reserved for AWS use.");
        for (auto const& earlier : tags)
            if (earlier.key == key)
                throw invalid_parameter_value("The tag key " + key + " appears more than once in the request.");
        tags.push_back({std::move(key), std::move(value)});
    }
    return tags;
}

void check_tag_count(std::size_t total)
{
    if (total > max_tags_per_resource)
        throw codec::ApiError::from_model("TagQuotaPerResourceExceeded",
                                          "The request cannot be processed because it would cause the resource to "
                                          "have more than the allowed number of tags. The maximum number of tags "
                                          "permitted on a resource is 50.");
}

json::array to_wire(std::vector<store::Tag> const& tags)
{
    json::array list;
    for (auto const& tag : tags)
        list.push_back(json::object{{"Key", tag.key}, {"Value", tag.value}});
    return list;
}

}  // namespace keyfleet::handlers
