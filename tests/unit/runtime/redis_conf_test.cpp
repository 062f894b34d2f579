// A node's redis.conf: what keyfleet's own use of the node needs (DEBUG under
// its private name) and what TLS in transit turns on.
#include "runtime/redis_conf.h"

#include <catch2/catch.hpp>

#include <sstream>
#include <vector>

using keyfleet::runtime::NodeSettings;
using keyfleet::runtime::NodeTls;
using keyfleet::runtime::render_config;

namespace {

std::vector<std::string> lines_of(std::string const& conf)
{
    std::vector<std::string> lines;
    std::istringstream in(conf);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

bool has(std::string const& conf, std::string const& line)
{
    auto const lines = lines_of(conf);
    return std::ranges::find(lines, line) != lines.end();
}

bool mentions(std::string const& conf, std::string const& text) { return conf.find(text) != std::string::npos; }

}  // namespace

TEST_CASE("DEBUG answers only under keyfleet's private name", "[runtime]")
{
    NodeSettings settings;
    settings.port = 6379;
    CHECK_FALSE(mentions(render_config(settings), "debug"));

    settings.debug_command = "KEYFLEET-DEBUG-0123";
    settings.parameters["rename-commands"] = "DEBUG mydebug FLUSHALL myflush";
    auto const conf = render_config(settings);
    CHECK(has(conf, "enable-debug-command yes"));
    CHECK(has(conf, "rename-command DEBUG KEYFLEET-DEBUG-0123"));
    // A parameter group's rename of DEBUG would expose it (or clash): it is not applied; others are.
    CHECK_FALSE(mentions(conf, "mydebug"));
    CHECK(has(conf, "rename-command FLUSHALL myflush"));
}

TEST_CASE("a TLS node takes TLS on its port and nowhere plaintext, for clients, replication and the bus", "[runtime]")
{
    NodeSettings settings;
    settings.port = 6380;
    settings.cluster_enabled = true;
    auto plain = render_config(settings);
    CHECK(has(plain, "port 6380"));
    CHECK(has(plain, "cluster-announce-port 6380"));
    CHECK_FALSE(mentions(plain, "tls"));

    settings.tls = NodeTls{"/data/nodes/n/node.crt", "/data/nodes/n/node.key", "/data/tls/ca.pem", {"127.0.0.5"}};
    auto const conf = render_config(settings);
    CHECK(has(conf, "port 0"));
    CHECK(has(conf, "tls-port 6380"));
    CHECK(has(conf, "tls-cert-file \"/data/nodes/n/node.crt\""));
    CHECK(has(conf, "tls-key-file \"/data/nodes/n/node.key\""));
    CHECK(has(conf, "tls-ca-cert-file \"/data/tls/ca.pem\""));
    CHECK(has(conf, "tls-auth-clients no"));
    CHECK(has(conf, "tls-replication yes"));
    CHECK(has(conf, "tls-cluster yes"));
    CHECK(has(conf, "cluster-announce-tls-port 6380"));
    CHECK_FALSE(has(conf, "port 6380"));
    CHECK_FALSE(mentions(conf, "cluster-announce-port"));
}

TEST_CASE("a node with passwords asks clients for one and gives its primary the first", "[runtime]")
{
    NodeSettings settings;
    settings.port = 6379;
    CHECK_FALSE(mentions(render_config(settings), "masterauth"));
    settings.passwords = {"new token with \"quotes\"", "old-token-0123456789"};
    auto const conf = render_config(settings);
    CHECK(has(conf, "user default on \">new token with \\\"quotes\\\"\" \">old-token-0123456789\" ~* &* +@all"));
    CHECK(has(conf, "masterauth \"new token with \\\"quotes\\\"\""));
    CHECK_FALSE(mentions(conf, "requirepass"));
}
