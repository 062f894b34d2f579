// What `keyfleet serve` is told on its command line; filled by main.cpp only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace keyfleet::core {

struct Config {
    std::string host = "127.0.0.1";
    std::uint16_t port = 4566;
    std::filesystem::path data_dir = ".keyfleet";
    // Region for requests that carry none (the unsigned health path); every API
    // request takes its region from its SigV4 credential scope.
    std::string default_region = "us-east-1";
    std::filesystem::path credentials_file;  // empty: only the default test/test set
    std::string log_level = "info";
    unsigned io_threads = 2;

    // The nodes: ports (each cluster node's bus port is port + 10000), the
    // address they and the endpoints listen on, the host Describe* answers.
    bool loopback_addresses = true;  // --node-addresses loopback (default) | ports
    int loopback_network = 1;        // nodes get 127.<N>.x.y
    int first_node_port = 21000;
    int last_node_port = 21999;
    std::string node_host = "127.0.0.1";
    std::string advertise_host = "127.0.0.1";
    double node_memory_scale = 1.0;
    int cluster_node_pool = 9;
};

}  // namespace keyfleet::core
