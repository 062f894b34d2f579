// The ElastiCache wire contract, loaded from the embedded botocore-derived model
// (api-schemas/elasticache-2015-02-02.json): operations, shapes, error shapes.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace keyfleet::codec {

enum class ShapeType { structure, list, map, string, integer, long_integer, boolean, floating, timestamp, blob };

struct Shape;

struct Member {
    std::string name;       // the member's name in the model (and in our JSON)
    std::string wire_name;  // its element / parameter name: locationName where the model gives one
    Shape const* shape = nullptr;
    bool required = false;
};

struct ErrorInfo {
    std::string code;  // what goes on the wire, e.g. "CacheClusterNotFound"
    int http_status = 400;
    bool sender_fault = true;
};

struct Shape {
    std::string name;
    ShapeType type = ShapeType::string;
    std::vector<Member> members;           // structure, in model order
    Member const* list_member = nullptr;   // list: wire_name is the item element name
    bool flattened = false;
    std::vector<std::string> enum_values;  // string enums
    std::optional<std::int64_t> min, max;  // length, count or value, by type
    std::optional<std::regex> pattern;
    std::string pattern_text;
    std::optional<ErrorInfo> error;

    Member const* member(std::string_view name) const;
};

struct Operation {
    std::string name;
    Shape const* input = nullptr;   // null when the operation takes nothing
    Shape const* output = nullptr;  // null when it answers nothing
    std::string result_wrapper;     // <{Op}Result>
};

class Schema {
public:
    // Parses a model in botocore's JSON form; throws std::runtime_error if malformed.
    static std::unique_ptr<Schema> parse(std::string_view model_json);

    // The ElastiCache model embedded in this binary, parsed once.
    static Schema const& elasticache();

    Operation const* operation(std::string_view name) const;
    Shape const* shape(std::string_view name) const;
    ErrorInfo const* error_by_code(std::string_view code) const;
    std::vector<Operation const*> operations() const;  // by name
    std::string const& api_version() const { return api_version_; }
    std::string const& xml_namespace() const { return xml_namespace_; }

private:
    Schema() = default;
    Shape& intern(std::string const& name);

    std::map<std::string, std::unique_ptr<Shape>, std::less<>> shapes_;
    std::map<std::string, Operation, std::less<>> operations_;
    std::vector<std::unique_ptr<Member>> list_members_;
    std::map<std::string, ErrorInfo const*, std::less<>> errors_by_code_;
    std::string api_version_;
    std::string xml_namespace_;
};

}  // namespace keyfleet::codec
