#include "codec/encode.h"

#include "core/clock.h"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace keyfleet::codec {

namespace json = boost::json;

// Element text needs only &, < and > escaped; AWS leaves quotes as they are.
void append_escaped(std::string& out, std::string_view text)
{
    // Copies runs without special characters in one go.
    while (!text.empty()) {
        auto const special = text.find_first_of("&<>\r");
        out.append(text.substr(0, special));
        if (special == std::string_view::npos)
            return;
        switch (text[special]) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        default: out += "&#13;";
        }
        text.remove_prefix(special + 1);
    }
}

namespace {

class Encoder {
public:
    Encoder(std::string& out, Operation const& op, EnumViolationHandler const& on_enum_violation)
        : out_(out), op_(op), on_enum_violation_(on_enum_violation)
    {
    }

    void structure(Shape const& shape, json::object const& object)
    {
        for (auto const& [key, value] : object)
            if (!shape.member(key))
                throw std::logic_error("output member " + std::string(key) + " is not in shape " + shape.name);
        for (auto const& member : shape.members) {
            auto const* value = object.if_contains(member.name);
            if (!value || value->is_null())
                continue;
            auto const parent = path_.size();
            if (parent)
                path_ += '.';
            path_ += member.name;
            if (member.shape->type == ShapeType::list && member.shape->flattened)
                list_items(*member.shape, *value);
            else
                element(member.wire_name, *member.shape, *value);
            path_.resize(parent);
        }
    }

private:
    void element(std::string const& name, Shape const& shape, json::value const& value)
    {
        out_ += '<';
        out_ += name;
        out_ += '>';
        switch (shape.type) {
        case ShapeType::structure:
            if (!value.is_object())
                throw std::logic_error(shape.name + " needs a JSON object");
            structure(shape, value.get_object());
            break;
        case ShapeType::list:
            list_items(shape, value);
            break;
        default:
            scalar(shape, value);
        }
        out_ += "</";
        out_ += name;
        out_ += '>';
    }

    void list_items(Shape const& shape, json::value const& value)
    {
        if (!value.is_array())
            throw std::logic_error(shape.name + " needs a JSON array");
        auto const list = path_.size();
        std::size_t index = 0;
        for (auto const& item : value.get_array()) {
            path_ += '[';
            path_ += std::to_string(index++);
            path_ += ']';
            element(shape.list_member->wire_name, *shape.list_member->shape, item);
            path_.resize(list);
        }
    }

    // The model's enums are the contract for what we answer, as they are for what we accept.
    void check_enum(Shape const& shape, std::string_view value) const
    {
        if (shape.enum_values.empty() || std::ranges::find(shape.enum_values, value) != shape.enum_values.end())
            return;
        if (on_enum_violation_)
            on_enum_violation_(op_, {path_, std::string(value), shape.name});
    }

    void scalar(Shape const& shape, json::value const& value)
    {
        auto const wrong = [&] { return std::logic_error("wrong JSON type for " + shape.name); };
        switch (shape.type) {
        case ShapeType::string:
        case ShapeType::blob:
            if (!value.is_string())
                throw wrong();
            check_enum(shape, value.get_string());
            append_escaped(out_, value.get_string());
            break;
        case ShapeType::integer:
        case ShapeType::long_integer:
            if (!value.is_int64() && !value.is_uint64())
                throw wrong();
            out_ += value.is_int64() ? std::to_string(value.get_int64()) : std::to_string(value.get_uint64());
            break;
        case ShapeType::boolean:
            if (!value.is_bool())
                throw wrong();
            out_ += value.get_bool() ? "true" : "false";
            break;
        case ShapeType::floating:
            if (!value.is_number())
                throw wrong();
            out_ += fmt::format("{}", value.to_number<double>());
            break;
        case ShapeType::timestamp:
            if (value.is_int64())
                out_ += core::format_iso8601(value.get_int64());
            else if (value.is_string())
                append_escaped(out_, value.get_string());
            else
                throw wrong();
            break;
        default:
            throw wrong();
        }
    }

    std::string& out_;
    Operation const& op_;
    EnumViolationHandler const& on_enum_violation_;
    std::string path_;  // of the member being written, for EnumViolation
};

}  // namespace

void log_enum_violation(Operation const& op, EnumViolation const& violation)
{
    spdlog::error("reply enum violation: {} {} '{}' not in {}", op.name, violation.member_path, violation.value,
                  violation.shape);
}

std::string encode_response(Schema const& schema, Operation const& op, json::object const& output,
                            std::string_view request_id, EnumViolationHandler const& on_enum_violation)
{
    std::string out;
    out.reserve(512);
    out += '<';
    out += op.name;
    out += "Response xmlns=\"";
    out += schema.xml_namespace();
    out += "\">";
    if (op.output) {
        out += '<';
        out += op.result_wrapper;
        out += '>';
        Encoder(out, op, on_enum_violation).structure(*op.output, output);
        out += "</";
        out += op.result_wrapper;
        out += '>';
    } else if (!output.empty()) {
        throw std::logic_error(op.name + " has no output shape, yet the handler answered members");
    }
    out += "<ResponseMetadata><RequestId>";
    out += request_id;
    out += "</RequestId></ResponseMetadata></";
    out += op.name;
    out += "Response>";
    return out;
}

std::string encode_error(Schema const& schema, ApiError const& error, std::string_view request_id)
{
    std::string out = "<ErrorResponse xmlns=\"";
    out += schema.xml_namespace();
    out += "\"><Error><Type>";
    out += error.sender_fault() ? "Sender" : "Receiver";
    out += "</Type><Code>";
    append_escaped(out, error.code());
    out += "</Code><Message>";
    append_escaped(out, error.message());
    out += "</Message></Error><RequestId>";
    out += request_id;
    out += "</RequestId></ErrorResponse>";
    return out;
}

}  // namespace keyfleet::codec
