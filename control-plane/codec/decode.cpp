#include "codec/decode.h"

#include "codec/api_error.h"
#include "core/clock.h"
#include "core/strings.h"
#include "core/url.h"

#include <boost/json.hpp>

#include <charconv>
#include <limits>

namespace keyfleet::codec {

namespace json = boost::json;

Params parse_form(std::string_view text)
{
    Params params;
    for (auto const& [name, value] : core::split_query(text))
        params.emplace(core::url_decode(name, true), core::url_decode(value, true));
    return params;
}

namespace {

std::string join(std::vector<std::string> const& values)
{
    std::string text;
    for (auto const& v : values) {
        if (!text.empty())
            text += ", ";
        text += v;
    }
    return text;
}

class Decoder {
public:
    explicit Decoder(Params const& params) : params_(params) {}

    json::object structure(Shape const& shape, std::string const& prefix)
    {
        json::object object;
        for (auto const& member : shape.members) {
            auto const key = prefix.empty() ? member.wire_name : prefix + "." + member.wire_name;
            if (auto value = any(*member.shape, key); !value.is_null())
                object.emplace(member.name, std::move(value));
            else if (member.required)
                throw ApiError::from_model("MissingParameter", "The request must contain the parameter " + key);
        }
        return object;
    }

private:
    // Null when nothing under `key` was sent.
    json::value any(Shape const& shape, std::string const& key)
    {
        switch (shape.type) {
        case ShapeType::structure:
            if (!has_prefix(key + "."))
                return nullptr;
            return structure(shape, key);
        case ShapeType::list:
            return list(shape, key);
        case ShapeType::map:
            throw std::logic_error("the ElastiCache model has no map shapes; " + shape.name + " is one");
        default: {
            auto const found = params_.find(key);
            if (found == params_.end())
                return nullptr;
            return scalar(shape, key, found->second);
        }
        }
    }

    bool has_prefix(std::string const& prefix) const
    {
        auto const it = params_.lower_bound(prefix);
        return it != params_.end() && it->first.starts_with(prefix);
    }

    // Items arrive as Key.<Item>.N[.rest]; <Item> is the model's item name, and
    // "member" is accepted too because AWS's own examples (and older SDKs) send it.
    json::value list(Shape const& shape, std::string const& key)
    {
        auto const& item = *shape.list_member;
        auto const prefix = key + ".";
        std::map<long, std::string> item_prefixes;
        for (auto it = params_.lower_bound(prefix); it != params_.end() && it->first.starts_with(prefix); ++it) {
            std::string_view rest = std::string_view(it->first).substr(prefix.size());
            auto const dot = rest.find('.');
            if (dot == std::string_view::npos)
                continue;
            auto const item_name = rest.substr(0, dot);
            if (item_name != item.wire_name && item_name != "member")
                continue;
            rest.remove_prefix(dot + 1);
            auto const index_end = rest.find('.');
            auto const index_text = rest.substr(0, index_end);
            long index = 0;
            auto const [end, ec] = std::from_chars(index_text.data(), index_text.data() + index_text.size(), index);
            if (ec != std::errc() || end != index_text.data() + index_text.size() || index < 1)
                throw invalid_parameter_value("Invalid list index in parameter " + it->first);
            item_prefixes.try_emplace(index, prefix + std::string(item_name) + "." + std::string(index_text));
        }
        if (item_prefixes.empty()) {
            // An empty list is sent as the bare name with an empty value.
            auto const bare = params_.find(key);
            if (bare == params_.end())
                return nullptr;
            check_count(shape, key, 0);
            return json::array();
        }
        json::array items;
        for (auto const& [index, item_key] : item_prefixes) {
            auto value = any(*item.shape, item_key);
            if (value.is_null())
                throw invalid_parameter_value("Invalid value for list item " + item_key);
            items.push_back(std::move(value));
        }
        check_count(shape, key, items.size());
        return items;
    }

    static void check_count(Shape const& shape, std::string const& key, std::size_t count)
    {
        if (shape.min && std::int64_t(count) < *shape.min)
            throw invalid_parameter_value("The parameter " + key + " must contain at least " +
                                          std::to_string(*shape.min) + " item(s).");
        if (shape.max && std::int64_t(count) > *shape.max)
            throw invalid_parameter_value("The parameter " + key + " must contain at most " +
                                          std::to_string(*shape.max) + " item(s).");
    }

    static json::value scalar(Shape const& shape, std::string const& key, std::string const& text)
    {
        auto const invalid = [&](std::string_view expected) {
            return invalid_parameter_value("Invalid value '" + text + "' for parameter " + key + ": " +
                                           std::string(expected) + ".");
        };
        switch (shape.type) {
        case ShapeType::string:
        case ShapeType::blob: {
            if (!shape.enum_values.empty() && std::ranges::find(shape.enum_values, text) == shape.enum_values.end())
                throw invalid_parameter_value("Invalid value '" + text + "' for parameter " + key +
                                              ". Valid values: " + join(shape.enum_values) + ".");
            if (shape.min && std::int64_t(text.size()) < *shape.min)
                throw invalid_parameter_value("The parameter " + key + " must be at least " +
                                              std::to_string(*shape.min) + " characters long.");
            if (shape.max && std::int64_t(text.size()) > *shape.max)
                throw invalid_parameter_value("The parameter " + key + " must be at most " +
                                              std::to_string(*shape.max) + " characters long.");
            if (shape.pattern && !std::regex_search(text, *shape.pattern))
                throw invalid_parameter_value("The parameter " + key + " must match the pattern " +
                                              shape.pattern_text + ".");
            return json::string(text);
        }
        case ShapeType::integer:
        case ShapeType::long_integer: {
            std::int64_t value = 0;
            auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (ec != std::errc() || end != text.data() + text.size())
                throw invalid("must be an integer");
            if (shape.type == ShapeType::integer &&
                (value < std::numeric_limits<std::int32_t>::min() || value > std::numeric_limits<std::int32_t>::max()))
                throw invalid("must be a 32-bit integer");
            if (shape.min && value < *shape.min)
                throw invalid("must be at least " + std::to_string(*shape.min));
            if (shape.max && value > *shape.max)
                throw invalid("must be at most " + std::to_string(*shape.max));
            return value;
        }
        case ShapeType::boolean:
            if (core::iequals(text, "true"))
                return true;
            if (core::iequals(text, "false"))
                return false;
            throw invalid("must be true or false");
        case ShapeType::floating: {
            double value = 0;
            auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (ec != std::errc() || end != text.data() + text.size())
                throw invalid("must be a number");
            return value;
        }
        case ShapeType::timestamp: {
            std::int64_t epoch_ms = 0;
            if (core::parse_iso8601(text, epoch_ms))
                return epoch_ms;
            double seconds = 0;  // epoch seconds are a valid timestamp form too
            auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
            if (ec == std::errc() && end == text.data() + text.size())
                return std::int64_t(seconds * 1000);
            throw invalid("must be an ISO-8601 timestamp");
        }
        default:
            throw std::logic_error("not a scalar shape: " + shape.name);
        }
    }

    Params const& params_;
};

}  // namespace

json::object decode(Operation const& op, Params const& params)
{
    if (!op.input)
        return {};
    return Decoder(params).structure(*op.input, "");
}

}  // namespace keyfleet::codec
