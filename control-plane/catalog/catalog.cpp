#include "catalog/catalog.h"

#include "core/embedded.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>

namespace keyfleet::catalog {

namespace {

std::string text(json::object const& object, std::string_view key)
{
    auto const* value = object.if_contains(key);
    return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

Parameter parameter_from(json::object const& definition)
{
    Parameter parameter;
    parameter.wire = definition;
    parameter.name = text(definition, "ParameterName");
    if (definition.contains("ParameterValue"))
        parameter.default_value = text(definition, "ParameterValue");
    parameter.data_type = text(definition, "DataType");
    parameter.allowed_values = text(definition, "AllowedValues");
    parameter.modifiable = definition.at("IsModifiable").as_bool();
    parameter.requires_reboot = text(definition, "ChangeType") == "requires-reboot";
    return parameter;
}

Family family_from(json::object const& document)
{
    Family family;
    family.name = text(document, "family");
    family.engine = text(document, "engine");
    for (auto const& item : document.at("parameters").as_array())
        family.parameters.push_back(parameter_from(item.as_object()));
    for (auto const& item : document.at("cacheNodeTypeSpecificParameters").as_array()) {
        NodeTypeSpecificParameter parameter;
        parameter.wire = item.as_object();
        parameter.wire.erase("CacheNodeTypeSpecificValues");
        parameter.name = text(parameter.wire, "ParameterName");
        for (auto const& value : item.at("CacheNodeTypeSpecificValues").as_array())
            parameter.value_by_node_type.emplace(text(value.as_object(), "CacheNodeType"),
                                                 text(value.as_object(), "Value"));
        family.node_type_specific.push_back(std::move(parameter));
    }
    if (auto const* names = document.if_contains("conditionallyModifiable"))
        for (auto const& name : names->as_array())
            family.modifiable_only_when_unused.emplace(name.as_string());
    return family;
}

Catalog load()
{
    Catalog catalog;
    for (auto const& file : core::embedded_under("api-schemas/parameters"))
        if (file.path.ends_with(".json"))
            catalog.families.push_back(family_from(json::parse(file.contents).as_object()));

    auto const engines = json::parse(core::embedded("api-schemas/engine-versions.json"));
    for (auto const& item : engines.at("engines").as_array()) {
        auto const& entry = item.as_object();
        EngineVersion version;
        for (auto const* member : {"Engine", "EngineVersion", "CacheParameterGroupFamily", "CacheEngineDescription",
                                   "CacheEngineVersionDescription"})
            version.wire[member] = text(entry, member);
        version.engine = text(entry, "Engine");
        version.version = text(entry, "EngineVersion");
        version.family = text(entry, "CacheParameterGroupFamily");
        version.actual_version = text(entry, "actualVersion");
        version.is_default = entry.at("default").as_bool();
        for (auto const& input : entry.at("acceptedInputs").as_array())
            version.accepted_inputs.emplace_back(input.as_string());
        catalog.engine_versions.push_back(std::move(version));
    }

    auto const node_types = json::parse(core::embedded("api-schemas/node-types.json"));
    for (auto const& item : node_types.at("nodeTypes").as_array()) {
        auto const& entry = item.as_object();
        NodeType type;
        type.name = text(entry, "CacheNodeType");
        type.family = text(entry, "family");
        type.current_generation = text(entry, "generation") == "current";
        type.vcpus = int(entry.at("vcpus").to_number<int>());
        type.memory_gib = entry.at("memoryGiB").to_number<double>();
        if (auto const* bytes = entry.if_contains("maxmemoryBytes"); bytes && !bytes->is_null())
            type.maxmemory_bytes = bytes->to_number<std::int64_t>();
        type.data_tiering = entry.at("dataTiering").as_bool();
        for (auto const& engine : entry.at("engines").as_array())
            type.engines.emplace(engine.as_string());
        catalog.node_types.push_back(std::move(type));
    }

    // Members of our own (e.g. "approximate") stay out of what goes on the wire.
    auto const offerings = json::parse(core::embedded("api-schemas/reserved-offerings.json"));
    for (auto const& item : offerings.at("offerings").as_array()) {
        json::object offering;
        for (auto const* member : {"ReservedCacheNodesOfferingId", "CacheNodeType", "Duration", "FixedPrice",
                                   "UsagePrice", "ProductDescription", "OfferingType", "RecurringCharges"})
            if (auto const* value = item.as_object().if_contains(member))
                offering[member] = *value;
        catalog.reserved_offerings.push_back(std::move(offering));
    }
    auto const updates = json::parse(core::embedded("api-schemas/service-updates.json"));
    for (auto const& item : updates.at("serviceUpdates").as_array())
        catalog.service_updates.push_back(item.as_object());
    return catalog;
}

// One AllowedValues item against a number: "5", "1-", "1-100", "-" (any).
bool number_fits(std::string_view item, double number)
{
    if (item == "-")
        return true;
    auto const parse = [](std::string_view t, double& out) {
        auto const [end, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
        return ec == std::errc() && end == t.data() + t.size();
    };
    // A dash after the first character separates a range; a leading one is a sign.
    auto const dash = item.find('-', 1);
    double low = 0, high = 0;
    if (dash == std::string_view::npos)
        return parse(item, low) && number == low;
    if (!parse(item.substr(0, dash), low) || number < low)
        return false;
    auto const upper = item.substr(dash + 1);
    return upper.empty() || (parse(upper, high) && number <= high);
}

std::vector<std::string_view> split_commas(std::string_view list)
{
    std::vector<std::string_view> items;
    while (!list.empty()) {
        auto const comma = list.find(',');
        items.push_back(list.substr(0, comma));
        if (comma == std::string_view::npos)
            break;
        list.remove_prefix(comma + 1);
    }
    return items;
}

}  // namespace

Parameter const* Family::parameter(std::string_view parameter_name) const
{
    for (auto const& p : parameters)
        if (p.name == parameter_name)
            return &p;
    return nullptr;
}

Family const* Catalog::family(std::string_view name) const
{
    for (auto const& f : families)
        if (f.name == name)
            return &f;
    return nullptr;
}

NodeType const* Catalog::node_type(std::string_view name) const
{
    for (auto const& t : node_types)
        if (t.name == name)
            return &t;
    return nullptr;
}

EngineVersion const* Catalog::engine_version(std::string_view engine, std::string_view requested) const
{
    for (auto const& v : engine_versions) {
        if (v.engine != engine)
            continue;
        if (requested.empty() ? v.is_default
                              : (v.version == requested || v.actual_version == requested ||
                                 std::ranges::find(v.accepted_inputs, requested) != v.accepted_inputs.end()))
            return &v;
    }
    return nullptr;
}

Catalog const& Catalog::get()
{
    static Catalog const catalog = load();
    return catalog;
}

std::optional<DefaultGroupName> parse_default_group_name(std::string_view name)
{
    constexpr std::string_view prefix = "default.";
    constexpr std::string_view cluster_on = ".cluster.on";
    if (!name.starts_with(prefix))
        return std::nullopt;
    name.remove_prefix(prefix.size());
    bool const on = name.ends_with(cluster_on);
    if (on)
        name.remove_suffix(cluster_on.size());
    auto const* family = Catalog::get().family(name);
    if (!family || (on && !family->has_cluster_mode()))
        return std::nullopt;
    return DefaultGroupName{std::string(name), on};
}

std::map<std::string, std::string, std::less<>> effective_values(
    Family const& family, std::map<std::string, std::string, std::less<>> const& overrides)
{
    std::map<std::string, std::string, std::less<>> values;
    for (auto const& parameter : family.parameters)
        if (parameter.default_value)
            values[parameter.name] = *parameter.default_value;
    for (auto const& [name, value] : overrides)
        values[name] = value;
    return values;
}

NodeTypeModifications allowed_modifications(Catalog const& catalog, NodeType const& current, std::string_view engine)
{
    NodeTypeModifications allowed;
    for (auto const& type : catalog.node_types) {
        if (type.name == current.name || !type.engines.contains(engine) || type.data_tiering != current.data_tiering)
            continue;
        if (type.memory_gib > current.memory_gib)
            allowed.scale_up.push_back(type.name);
        else if (type.memory_gib < current.memory_gib)
            allowed.scale_down.push_back(type.name);
    }
    std::ranges::sort(allowed.scale_up);
    std::ranges::sort(allowed.scale_down);
    return allowed;
}

std::optional<std::string> value_problem(Parameter const& parameter, std::string_view value)
{
    auto const allowed = split_commas(parameter.allowed_values);
    auto const not_allowed = [&] {
        return "Value " + std::string(value) + " is not allowed for parameter " + parameter.name +
               ". Allowed values: " + parameter.allowed_values;
    };
    if (parameter.data_type == "integer" || parameter.data_type == "numeric") {
        double number = 0;
        auto const [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
        bool const whole = ec == std::errc() && end == value.data() + value.size();
        if (!whole || (parameter.data_type == "integer" && value.find_first_of(".eE") != std::string_view::npos))
            return "Value " + std::string(value) + " for parameter " + parameter.name + " is not a valid " +
                   (parameter.data_type == "integer" ? "integer" : "number") + ".";
        if (!allowed.empty() && std::ranges::none_of(allowed, [&](auto item) { return number_fits(item, number); }))
            return not_allowed();
        return std::nullopt;
    }
    if (parameter.allowed_values.empty())
        return std::nullopt;
    if (parameter.name == "rename-commands") {
        // "COMMAND newname COMMAND2 newname2": every renamed command must be allowed.
        std::vector<std::string_view> words;
        for (std::string_view rest = value; !rest.empty();) {
            auto const space = rest.find(' ');
            if (space != 0)
                words.push_back(rest.substr(0, space));
            if (space == std::string_view::npos)
                break;
            rest.remove_prefix(space + 1);
        }
        if (words.size() % 2 != 0)
            return "Value for parameter rename-commands must be pairs of a command and its new name.";
        // Command names are case-insensitive ("flushall" is FLUSHALL), as in AWS's own examples.
        for (std::size_t i = 0; i < words.size(); i += 2)
            if (std::ranges::none_of(allowed, [&](std::string_view command) {
                    return command.size() == words[i].size() &&
                           std::ranges::equal(command, words[i], [](char a, char b) {
                               return std::toupper(static_cast<unsigned char>(a)) ==
                                      std::toupper(static_cast<unsigned char>(b));
                           });
                }))
                return not_allowed();
        return std::nullopt;
    }
    if (std::ranges::find(allowed, value) == allowed.end())
        return not_allowed();
    return std::nullopt;
}

}  // namespace keyfleet::catalog
