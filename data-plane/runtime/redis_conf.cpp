#include "runtime/redis_conf.h"

#include "core/embedded.h"
#include "core/strings.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <charconv>
#include <fstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <set>
#include <stdexcept>

namespace keyfleet::runtime {

namespace {

// In the node's directory, its working directory.
constexpr std::string_view config_file_name = "redis.conf";
constexpr std::string_view log_file_name = "node.log";

using Parameters = std::map<std::string, std::string, std::less<>>;

std::set<std::string, std::less<>> const& redis_directives()
{
    static auto const names = [] {
        std::set<std::string, std::less<>> all;
        auto const document = boost::json::parse(core::embedded("api-schemas/redis-config-names.json"));
        for (auto const& name : document.at("directives").as_array())
            all.emplace(name.as_string());
        return all;
    }();
    return names;
}

// Directives keyfleet sets itself, whatever a parameter group says.
std::set<std::string_view> const owned_by_keyfleet{
    "port", "bind", "dir", "dbfilename", "logfile", "daemonize", "cluster-enabled", "cluster-config-file",
    "cluster-announce-ip", "cluster-announce-port", "cluster-announce-bus-port", "cluster-port", "cluster-node-timeout",
    "replicaof", "replica-announce-ip", "replica-announce-port",
    "slaveof", "save", "maxmemory", "protected-mode", "pidfile", "unixsocket", "requirepass", "masterauth", "user"};

// Directives redis-server reads only at start-up.
std::set<std::string_view> const startup_only{"databases", "cluster-enabled", "io-threads", "io-threads-do-reads"};

std::string quote_value(std::string_view value)
{
    std::string text = "\"";
    for (char const c : value) {
        if (c == '"' || c == '\\')
            text += '\\';
        text += c;
    }
    return text + "\"";
}

std::optional<std::int64_t> number(Parameters const& parameters, std::string_view name)
{
    auto const found = parameters.find(name);
    if (found == parameters.end())
        return std::nullopt;
    std::int64_t value = 0;
    auto const [end, ec] = std::from_chars(found->second.data(), found->second.data() + found->second.size(), value);
    return ec == std::errc() ? std::optional<std::int64_t>(value) : std::nullopt;
}

}  // namespace

// ElastiCache reserves memory for non-data use (reserved-memory-percent or
// reserved-memory bytes); what remains is redis-server's maxmemory.
std::int64_t data_memory(Parameters const& parameters, std::int64_t node_maxmemory)
{
    if (node_maxmemory <= 0)
        return 0;
    if (auto const bytes = number(parameters, "reserved-memory"); bytes && *bytes > 0)
        return std::max<std::int64_t>(node_maxmemory - *bytes, 1 << 20);
    if (auto const percent = number(parameters, "reserved-memory-percent"); percent && *percent > 0)
        return std::max<std::int64_t>(node_maxmemory - node_maxmemory * *percent / 100, 1 << 20);
    return node_maxmemory;
}

namespace {

// client-output-buffer-limit-<class>-{hard-limit,soft-limit,soft-seconds}
// become one directive per class.
std::vector<std::string> output_buffer_limits(Parameters const& parameters)
{
    std::vector<std::string> limits;
    for (auto const& [wire_class, aliases] :
         std::vector<std::pair<std::string, std::vector<std::string>>>{{"normal", {"normal"}},
                                                                      {"replica", {"replica", "slave"}},
                                                                      {"pubsub", {"pubsub"}}}) {
        for (auto const& alias : aliases) {
            auto const prefix = "client-output-buffer-limit-" + alias + "-";
            auto const hard = parameters.find(prefix + "hard-limit");
            auto const soft = parameters.find(prefix + "soft-limit");
            auto const seconds = parameters.find(prefix + "soft-seconds");
            if (hard == parameters.end() || soft == parameters.end() || seconds == parameters.end())
                continue;
            limits.push_back(fmt::format("{} {} {} {}", wire_class, hard->second, soft->second, seconds->second));
            break;
        }
    }
    return limits;
}

}  // namespace

bool is_redis_directive(std::string_view name) { return redis_directives().contains(name); }

bool applies_at_restart(std::string_view name) { return startup_only.contains(name) || name == "rename-commands"; }

NodeTls tls_files(std::filesystem::path const& directory)
{
    return {(directory / "node.crt").string(), (directory / "node.key").string(), (directory / "ca.pem").string(), {}};
}

std::string render_config(NodeSettings const& settings)
{
    std::string conf = "# Written by keyfleet from the node's state; rewritten on every start.\n";
    auto const line = [&](std::string_view directive, std::string_view value) {
        conf += fmt::format("{} {}\n", directive, value);
    };
    if (settings.tls) {
        line("port", "0");
        line("tls-port", std::to_string(settings.port));
        line("tls-cert-file", quote_value(settings.tls->certificate_file));
        line("tls-key-file", quote_value(settings.tls->key_file));
        line("tls-ca-cert-file", quote_value(settings.tls->ca_file));
        line("tls-auth-clients", "no");
        line("tls-replication", "yes");
    } else {
        line("port", std::to_string(settings.port));
    }
    line("bind", settings.bind_host);
    // A primary lists its replicas (INFO replication, ROLE) by these, not by
    // the source address of their connection, which is 127.0.0.1 on loopback.
    line("replica-announce-ip", settings.announce_host);
    line("replica-announce-port", std::to_string(settings.port));
    line("protected-mode", "no");
    line("daemonize", "no");
    line("dir", ".");
    line("dbfilename", "dump.rdb");
    line("logfile", log_file_name);
    line("pidfile", "redis.pid");
    // Persistence: redis-server's own save points, and a save on every clean stop.
    line("save", settings.save_points ? "3600 1 300 100 60 10000" : "\"\"");
    // Replicas sync at once instead of waiting for more to join (5 s by default).
    line("repl-diskless-sync", "yes");
    line("repl-diskless-sync-delay", "0");
    if (auto const memory = data_memory(settings.parameters, settings.maxmemory_bytes); memory > 0)
        line("maxmemory", std::to_string(memory));
    if (settings.cluster_enabled) {
        line("cluster-enabled", "yes");
        line("cluster-config-file", "nodes.conf");
        line("cluster-node-timeout", std::to_string(settings.cluster_node_timeout_ms));
        line("cluster-announce-ip", settings.announce_host);
        line(settings.tls ? "cluster-announce-tls-port" : "cluster-announce-port", std::to_string(settings.port));
        if (settings.tls)
            line("tls-cluster", "yes");
        line("cluster-announce-bus-port", std::to_string(settings.port + 10000));
        line("cluster-port", std::to_string(settings.port + 10000));
    }
    if (settings.replica_of)
        line("replicaof", fmt::format("{} {}", settings.replica_of->first, settings.replica_of->second));
    if (!settings.passwords.empty()) {
        std::string rules = "default on";
        for (auto const& password : settings.passwords)
            rules += " " + quote_value(">" + password);
        line("user", rules + " ~* &* +@all");
        line("masterauth", quote_value(settings.passwords.front()));
    }
    if (auto const renames = settings.parameters.find("rename-commands"); renames != settings.parameters.end()) {
        std::vector<std::string> words;
        for (std::string_view rest = renames->second; !rest.empty();) {
            auto const space = rest.find(' ');
            if (space != 0)
                words.emplace_back(rest.substr(0, space));
            if (space == std::string_view::npos)
                break;
            rest.remove_prefix(space + 1);
        }
        for (std::size_t i = 0; i + 1 < words.size(); i += 2)
            if (settings.debug_command.empty() || !core::iequals(words[i], "debug"))  // else DEBUG is keyfleet's
                line("rename-command", words[i] + " " + words[i + 1]);
    }
    if (!settings.debug_command.empty()) {
        line("enable-debug-command", "yes");
        line("rename-command", "DEBUG " + settings.debug_command);
    }
    // The rest of the parameters go by CONFIG SET once the node answers (see
    // config_set_commands): redis-server refuses to start on a value it does
    // not know, and some of ElastiCache's are ElastiCache's own.
    for (auto const& [name, value] : settings.parameters)
        if (startup_only.contains(name) && is_redis_directive(name) && !owned_by_keyfleet.contains(name))
            line(name, quote_value(value));
    return conf;
}

NodeProcess write_config(std::string name, std::filesystem::path const& directory, NodeSettings const& settings)
{
    auto const config = directory / config_file_name;
    // Owner only: it may carry the node's password.
    auto const text = render_config(settings);
    int const fd = ::open(config.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    bool written = fd >= 0 && ::fchmod(fd, 0600) == 0;
    for (std::size_t at = 0; written && at < text.size();) {
        auto const n = ::write(fd, text.data() + at, text.size() - at);
        written = n > 0;
        at += written ? std::size_t(n) : 0;
    }
    if (fd >= 0)
        ::close(fd);
    if (!written)
        throw std::runtime_error("cannot write " + config.string());
    return {std::move(name), directory, config, directory / log_file_name};
}

std::vector<std::vector<std::string>> config_set_commands(Parameters const& parameters, std::int64_t node_maxmemory_bytes)
{
    std::vector<std::vector<std::string>> commands;
    for (auto const& [name, value] : parameters)
        if (is_redis_directive(name) && !owned_by_keyfleet.contains(name) && !startup_only.contains(name))
            commands.push_back({"CONFIG", "SET", name, value});
    for (auto const& limit : output_buffer_limits(parameters))
        commands.push_back({"CONFIG", "SET", "client-output-buffer-limit", limit});
    if (auto const memory = data_memory(parameters, node_maxmemory_bytes); memory > 0)
        commands.push_back({"CONFIG", "SET", "maxmemory", std::to_string(memory)});
    return commands;
}

}  // namespace keyfleet::runtime
