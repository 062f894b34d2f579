#include "handlers/cluster_options.h"

#include "codec/api_error.h"
#include "core/ids.h"
#include "core/strings.h"
#include "handlers/validate.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>

namespace keyfleet::handlers {

namespace {

using codec::ApiError;
using codec::invalid_parameter_combination;
using codec::invalid_parameter_value;

constexpr std::array<std::string_view, 7> days{"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

std::string not_implemented_message(std::string_view member, std::string_view capability)
{
    return fmt::format("keyfleet does not carry out {} yet: it awaits {}. See docs/API_COVERAGE.md.", member,
                       capability);
}

bool flag(json::object const& in, std::string_view member)
{
    auto const* value = in.if_contains(member);
    return value && value->is_bool() && value->get_bool();
}

}  // namespace

std::optional<int> minutes_of(std::string_view text)
{
    if (text.size() != 5 || text[2] != ':')
        return std::nullopt;
    int hours = 0, minutes = 0;
    if (std::from_chars(text.data(), text.data() + 2, hours).ec != std::errc() ||
        std::from_chars(text.data() + 3, text.data() + 5, minutes).ec != std::errc() || hours > 23 || minutes > 59)
        return std::nullopt;
    return hours * 60 + minutes;
}

std::string maintenance_window(std::string_view text)
{
    auto const lower = core::to_lower(text);
    auto const invalid = [&] {
        return invalid_parameter_value("Invalid maintenance window " + std::string(text) +
                                       ". The format is ddd:hh24:mi-ddd:hh24:mi, at least 60 minutes long.");
    };
    if (lower.size() != 19 || lower[9] != '-')
        throw invalid();
    auto const day_of = [&](std::string_view day) {
        auto const found = std::ranges::find(days, day);
        return found == days.end() ? -1 : int(found - days.begin());
    };
    auto const start_day = day_of(std::string_view(lower).substr(0, 3));
    auto const end_day = day_of(std::string_view(lower).substr(10, 3));
    auto const start = minutes_of(std::string_view(lower).substr(4, 5));
    auto const end = minutes_of(std::string_view(lower).substr(14, 5));
    if (start_day < 0 || end_day < 0 || !start || !end || lower[3] != ':' || lower[13] != ':')
        throw invalid();
    auto length = (end_day * 1440 + *end) - (start_day * 1440 + *start);
    if (length < 0)
        length += 7 * 1440;
    if (length < 60)
        throw invalid_parameter_value("The maintenance window must be at least 60 minutes long.");
    return lower;
}

std::string snapshot_window(std::string_view text)
{
    auto const start = text.size() == 11 && text[5] == '-' ? minutes_of(text.substr(0, 5)) : std::nullopt;
    auto const end = text.size() == 11 && text[5] == '-' ? minutes_of(text.substr(6, 5)) : std::nullopt;
    if (!start || !end)
        throw invalid_parameter_value("Invalid snapshot window " + std::string(text) +
                                      ". The format is hh24:mi-hh24:mi, at least 60 minutes long.");
    auto length = *end - *start;
    if (length < 0)
        length += 1440;
    if (length < 60)
        throw invalid_parameter_value("The snapshot window must be at least 60 minutes long.");
    return std::string(text);
}

std::vector<std::string> snapshot_files(Context const& ctx, json::object const& in, std::size_t limit)
{
    std::vector<std::string> files;
    auto const arns = string_list(in, "SnapshotArns");
    if (arns.size() > limit)
        throw invalid_parameter_value(fmt::format("SnapshotArns takes at most {} RDB file(s) here.", limit));
    for (auto const& arn : arns) {
        constexpr std::string_view prefix = "arn:aws:s3:::";
        auto const key = std::string_view(arn).substr(std::min(arn.size(), prefix.size()));
        if (!arn.starts_with(prefix) || key.find('/') == std::string_view::npos || key.find("..") != std::string_view::npos)
            throw invalid_parameter_value("Invalid snapshot ARN " + arn + ": expected arn:aws:s3:::bucket/key.rdb");
        auto const path = ctx.s3_dir / key;
        std::ifstream file(path, std::ios::binary);
        if (!file)
            throw invalid_parameter_value("No object found for " + arn + " (keyfleet reads " + path.string() + ").");
        char magic[5] = {};
        if (!file.read(magic, sizeof magic) || std::string_view(magic, sizeof magic) != "REDIS")
            throw invalid_parameter_value("The object " + arn + " is not a Redis RDB file.");
        files.push_back(path.string());
    }
    return files;
}

void check_auth_token(std::string const& token)
{
    auto const printable = std::ranges::all_of(token, [](char c) { return c >= 0x20 && c <= 0x7e; });
    if (token.size() < 16 || token.size() > 128 || !printable || token.find_first_of("/\"@") != std::string::npos)
        throw invalid_parameter_value("Invalid AuthToken provided: it must be 16 to 128 printable characters, none "
                                      "of them /, \" or @.");
}

void refuse_unbuilt(json::object const& in, bool seeding)
{
    auto const refuse = [](std::string_view member, std::string_view capability) {
        throw ApiError::from_model("NotImplemented", not_implemented_message(member, capability));
    };
    if (auto const mode = optional_string(in, "TransitEncryptionMode"); mode && *mode == "preferred")
        refuse("TransitEncryptionMode preferred", "TLS and plaintext on one port (preferred mode)");
    if ((in.contains("SnapshotName") || in.contains("SnapshotArns")) && !seeding)
        refuse("restoring from a snapshot", "snapshots and restore");
    if (auto const* logs = in.if_contains("LogDeliveryConfigurations"); logs && !logs->as_array().empty())
        refuse("LogDeliveryConfigurations", "log delivery (no CloudWatch Logs or Kinesis locally)");
    if (in.contains("NotificationTopicArn"))
        refuse("NotificationTopicArn", "SNS notifications");
    if (in.contains("OutpostMode") || in.contains("PreferredOutpostArn") || in.contains("PreferredOutpostArns"))
        refuse("Outposts", "AWS Outposts");
    if (auto const network = optional_string(in, "NetworkType"); network && *network != "ipv4")
        refuse("NetworkType " + *network, "IPv6 networking");
    if (auto const discovery = optional_string(in, "IpDiscovery"); discovery && *discovery != "ipv4")
        refuse("IpDiscovery " + *discovery, "IPv6 networking");
    if (in.contains("KmsKeyId"))
        throw ApiError::from_model("NotImplemented",
                                   "keyfleet does not carry out KmsKeyId: there is no AWS KMS locally. With "
                                   "AtRestEncryptionEnabled alone, snapshot files are sealed under the installation's "
                                   "key.");
    if (flag(in, "DataTieringEnabled"))
        refuse("DataTieringEnabled", "data tiering");
    if (in.contains("GlobalReplicationGroupId"))
        refuse("GlobalReplicationGroupId", "global datastores");
    if (auto const* groups = in.if_contains("UserGroupIds"); groups && !groups->as_array().empty())
        refuse("UserGroupIds", "user groups enforced on the nodes (RBAC)");
}

std::string engine_of(json::object const& in)
{
    auto engine = core::to_lower(optional_string(in, "Engine").value_or("redis"));
    if (engine == "memcached")
        throw ApiError::from_model("NotImplemented",
                                   not_implemented_message("the memcached engine", "memcached nodes (keyfleet runs "
                                                                                   "redis-server for redis and valkey)"));
    if (engine != "redis" && engine != "valkey")
        throw invalid_parameter_value("Invalid engine " + engine + ". Valid engines: memcached, redis, valkey.");
    return engine;
}

ClusterOptions cluster_options(Context const& ctx, store::Transaction& tx, json::object const& in, std::string_view id,
                               bool cluster_mode)
{
    ClusterOptions options;
    auto const& catalog = catalog::Catalog::get();

    options.engine = engine_of(in);

    auto const requested_version = optional_string(in, "EngineVersion").value_or("");
    options.version = catalog.engine_version(options.engine, requested_version);
    if (!options.version)
        throw invalid_parameter_value("Cannot find version " + requested_version + " for " + options.engine);

    options.node_type = required_string(in, "CacheNodeType");
    auto const* node_type = catalog.node_type(options.node_type);
    if (!node_type || !node_type->engines.contains(options.engine == "valkey" ? "valkey" : "redis"))
        throw invalid_parameter_value("Invalid CacheNodeType: " + options.node_type + " is not available for " +
                                      options.engine + ".");

    auto const group = optional_string(in, "CacheParameterGroupName");
    options.parameter_group = group ? core::to_lower(*group)
                                    : "default." + options.version->family + (cluster_mode ? ".cluster.on" : "");
    auto const facts = parameter_group_facts(tx, ctx.scope, options.parameter_group);
    if (!facts)
        throw ApiError::from_model("CacheParameterGroupNotFoundFault", "CacheParameterGroup not found: " +
                                                                           options.parameter_group);
    if (facts->family != options.version->family)
        throw invalid_parameter_combination(fmt::format(
            "The parameter group {} is of family {}, which does not match engine version {} (family {}).",
            options.parameter_group, facts->family, options.version->version, options.version->family));
    options.parameter_group_facts = *facts;

    auto const security_groups = string_list(in, "CacheSecurityGroupNames");
    auto const security_group_ids = string_list(in, "SecurityGroupIds");
    auto const subnet_group = optional_string(in, "CacheSubnetGroupName");
    if (!security_groups.empty() && (subnet_group || !security_group_ids.empty()))
        throw invalid_parameter_combination(
            "Use of cache security groups is not permitted along with cache subnet group and/or security group Ids.");
    for (auto const& name : security_groups)
        if (!cache_security_group_exists(tx, ctx.scope, core::to_lower(name)))
            throw ApiError::from_model("CacheSecurityGroupNotFoundFault", "CacheSecurityGroup " + name + " not found.");
    if (security_groups.empty()) {
        options.subnet_group = core::to_lower(subnet_group.value_or("default"));
        auto zones = subnet_group_zones(tx, ctx.scope, options.subnet_group);
        if (!zones)
            throw ApiError::from_model("CacheSubnetGroupNotFoundFault",
                                       "Cache Subnet Group " + options.subnet_group + " does not exist.");
        options.zones = std::move(*zones);
    } else {
        options.zones = {ctx.scope.region + "a", ctx.scope.region + "b", ctx.scope.region + "c"};
    }

    if (auto const* port = in.if_contains("Port")) {
        options.port = int(port->as_int64());
        if (options.port < 1024 || options.port > 65535)
            throw invalid_parameter_value("The port must be between 1024 and 65535.");
    }
    // AWS picks a window when none is asked for; keyfleet derives one from the id.
    auto const seed = core::stable_number(ctx.scope.account + "/" + std::string(id), 7 * 24);
    options.maintenance_window = optional_string(in, "PreferredMaintenanceWindow")
                                     ? maintenance_window(*optional_string(in, "PreferredMaintenanceWindow"))
                                     : fmt::format("{}:{:02}:00-{}:{:02}:00", days[seed / 24], seed % 24,
                                                   days[(seed / 24 + (seed % 24 == 23 ? 1 : 0)) % 7], (seed % 24 + 1) % 24);
    auto const snapshot_hour = (seed + 12) % 24;
    options.snapshot_window = optional_string(in, "SnapshotWindow")
                                  ? snapshot_window(*optional_string(in, "SnapshotWindow"))
                                  : fmt::format("{:02}:00-{:02}:00", snapshot_hour, (snapshot_hour + 1) % 24);
    if (auto const* limit = in.if_contains("SnapshotRetentionLimit")) {
        options.snapshot_retention_limit = int(limit->as_int64());
        if (options.snapshot_retention_limit < 0 || options.snapshot_retention_limit > 35)
            throw invalid_parameter_value("SnapshotRetentionLimit must be between 0 and 35.");
    }

    json::array security_group_list;
    for (auto const& group_id : security_group_ids)
        security_group_list.emplace_back(group_id);
    json::array cache_security_group_list;
    for (auto const& name : security_groups)
        cache_security_group_list.emplace_back(core::to_lower(name));
    options.settings = {{"SecurityGroupIds", std::move(security_group_list)},
                        {"CacheSecurityGroupNames", std::move(cache_security_group_list)},
                        {"AutoMinorVersionUpgrade",
                         in.contains("AutoMinorVersionUpgrade") ? in.at("AutoMinorVersionUpgrade").as_bool() : true}};
    // Snapshot files of such a group are sealed with AES-256-GCM (CreateReplicationGroup only).
    if (flag(in, "AtRestEncryptionEnabled"))
        options.settings["AtRestEncryptionEnabled"] = true;
    // Nodes serve TLS only on their port, with certificates keyfleet's CA signs.
    if (in.contains("TransitEncryptionMode") && !flag(in, "TransitEncryptionEnabled"))
        throw invalid_parameter_combination("TransitEncryptionMode requires TransitEncryptionEnabled to be true.");
    // (Every Redis version the catalog offers, 4.0.10 and later, has it.)
    if (flag(in, "TransitEncryptionEnabled")) {
        options.settings["TransitEncryptionEnabled"] = true;
        options.settings["TransitEncryptionMode"] = "required";
    }
    // AUTH on every node and for replication. The token rests in the store only
    // to configure nodes; no reply, event or log line carries it.
    if (auto const token = optional_string(in, "AuthToken")) {
        if (!flag(in, "TransitEncryptionEnabled"))
            throw invalid_parameter_value("The AUTH token can only be set when TransitEncryptionEnabled is true.");
        check_auth_token(*token);
        options.settings["AuthToken"] = *token;
        options.settings["AuthTokenLastModifiedDate"] = ctx.clock.now_ms();
    }
    return options;
}

}  // namespace keyfleet::handlers
