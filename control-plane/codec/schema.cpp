#include "codec/schema.h"

#include "core/embedded.h"

#include <boost/json.hpp>

#include <stdexcept>

namespace keyfleet::codec {

namespace json = boost::json;

namespace {

ShapeType type_of(std::string_view name)
{
    static std::map<std::string_view, ShapeType> const types{
        {"structure", ShapeType::structure}, {"list", ShapeType::list},     {"map", ShapeType::map},
        {"string", ShapeType::string},       {"integer", ShapeType::integer}, {"long", ShapeType::long_integer},
        {"boolean", ShapeType::boolean},     {"double", ShapeType::floating}, {"float", ShapeType::floating},
        {"timestamp", ShapeType::timestamp}, {"blob", ShapeType::blob}};
    auto const found = types.find(name);
    if (found == types.end())
        throw std::runtime_error("unknown shape type " + std::string(name));
    return found->second;
}

std::string string_or(json::object const& object, std::string_view key, std::string fallback = {})
{
    auto const* value = object.if_contains(key);
    return value && value->is_string() ? std::string(value->get_string()) : fallback;
}

// botocore's rule: a member ref's locationName, else the target shape's, else the member name.
std::string wire_name_of(json::object const& ref, json::object const& target, std::string const& member_name)
{
    return string_or(ref, "locationName", string_or(target, "locationName", member_name));
}

}  // namespace

Member const* Shape::member(std::string_view member_name) const
{
    for (auto const& m : members)
        if (m.name == member_name)
            return &m;
    return nullptr;
}

Shape& Schema::intern(std::string const& name)
{
    auto& slot = shapes_[name];
    if (!slot) {
        slot = std::make_unique<Shape>();
        slot->name = name;
    }
    return *slot;
}

std::unique_ptr<Schema> Schema::parse(std::string_view model_json)
{
    std::unique_ptr<Schema> schema(new Schema);
    auto const model = json::parse(model_json).as_object();
    auto const& metadata = model.at("metadata").as_object();
    schema->api_version_ = string_or(metadata, "apiVersion");
    schema->xml_namespace_ = string_or(metadata, "xmlNamespace");

    auto const& shapes = model.at("shapes").as_object();
    auto const target_of = [&](json::object const& ref) -> json::object const& {
        auto const name = ref.at("shape").as_string();
        auto const* found = shapes.if_contains(name);
        if (!found)
            throw std::runtime_error("shape " + std::string(name) + " is referenced but not defined");
        return found->as_object();
    };

    for (auto const& [key, value] : shapes) {
        auto const& definition = value.as_object();
        auto& shape = schema->intern(std::string(key));
        shape.type = type_of(definition.at("type").as_string());
        if (auto const* v = definition.if_contains("min"))
            shape.min = v->to_number<std::int64_t>();
        if (auto const* v = definition.if_contains("max"))
            shape.max = v->to_number<std::int64_t>();
        if (auto const* v = definition.if_contains("pattern")) {
            shape.pattern_text = std::string(v->as_string());
            shape.pattern.emplace(shape.pattern_text, std::regex::ECMAScript | std::regex::optimize);
        }
        if (auto const* v = definition.if_contains("enum"))
            for (auto const& e : v->as_array())
                shape.enum_values.emplace_back(e.as_string());
        if (auto const* v = definition.if_contains("flattened"))
            shape.flattened = v->as_bool();
        if (auto const* v = definition.if_contains("error")) {
            auto const& error = v->as_object();
            shape.error = ErrorInfo{string_or(error, "code", std::string(key)),
                                    int(error.at("httpStatusCode").to_number<int>()),
                                    error.contains("senderFault") && error.at("senderFault").as_bool()};
        }
        if (shape.type == ShapeType::structure) {
            std::vector<std::string> required;
            if (auto const* v = definition.if_contains("required"))
                for (auto const& r : v->as_array())
                    required.emplace_back(r.as_string());
            for (auto const& [member_name, ref_value] : definition.at("members").as_object()) {
                auto const& ref = ref_value.as_object();
                Member member;
                member.name = std::string(member_name);
                member.wire_name = wire_name_of(ref, target_of(ref), member.name);
                member.shape = &schema->intern(std::string(ref.at("shape").as_string()));
                member.required = std::ranges::find(required, member.name) != required.end();
                shape.members.push_back(std::move(member));
            }
        } else if (shape.type == ShapeType::list) {
            auto const& ref = definition.at("member").as_object();
            auto member = std::make_unique<Member>();
            member->name = "member";
            member->wire_name = wire_name_of(ref, target_of(ref), "member");
            member->shape = &schema->intern(std::string(ref.at("shape").as_string()));
            shape.list_member = member.get();
            schema->list_members_.push_back(std::move(member));
        }
    }

    for (auto const& [name, shape] : schema->shapes_)
        if (shape->error)
            schema->errors_by_code_.emplace(shape->error->code, &*shape->error);

    for (auto const& [key, value] : model.at("operations").as_object()) {
        auto const& definition = value.as_object();
        Operation op;
        op.name = std::string(key);
        if (auto const* input = definition.if_contains("input"))
            op.input = schema->shape(input->as_object().at("shape").as_string());
        if (auto const* output = definition.if_contains("output")) {
            op.output = schema->shape(output->as_object().at("shape").as_string());
            op.result_wrapper = string_or(output->as_object(), "resultWrapper", op.name + "Result");
        }
        schema->operations_.emplace(op.name, std::move(op));
    }
    return schema;
}

Schema const& Schema::elasticache()
{
    static auto const schema = parse(core::embedded("api-schemas/elasticache-2015-02-02.json"));
    return *schema;
}

Operation const* Schema::operation(std::string_view name) const
{
    auto const found = operations_.find(name);
    return found == operations_.end() ? nullptr : &found->second;
}

Shape const* Schema::shape(std::string_view name) const
{
    auto const found = shapes_.find(name);
    return found == shapes_.end() ? nullptr : found->second.get();
}

ErrorInfo const* Schema::error_by_code(std::string_view code) const
{
    auto const found = errors_by_code_.find(code);
    return found == errors_by_code_.end() ? nullptr : found->second;
}

std::vector<Operation const*> Schema::operations() const
{
    std::vector<Operation const*> all;
    for (auto const& [name, op] : operations_)
        all.push_back(&op);
    return all;
}

}  // namespace keyfleet::codec
