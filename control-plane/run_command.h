// `keyfleet run -- CMD ARGS...`: a server of its own for one command (a CI job,
// a test suite, a script), gone with every node when the command ends.
#pragma once

#include "core/config.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace keyfleet {

struct RunOptions {
    core::Config config;               // data_dir empty: a temp dir, removed at the end
    bool keep = false;                 // keep the data dir, printed to stderr
    bool pick_loopback_network = true;  // no --loopback-network given: take one no one uses
    std::vector<std::string> command;
};

// Serves `config` until SIGINT/SIGTERM; calls `on_ready` with the port once the API answers.
using ServeFunction = std::function<int(core::Config const&, std::function<void(std::uint16_t)> on_ready)>;

// Starts the server in a child process (which goes with this one, even on SIGKILL),
// runs the command with the endpoint and test credentials in its environment,
// forwards SIGINT/SIGTERM/SIGHUP/SIGQUIT to it, stops the server and its nodes
// when it ends, and returns its exit status (128 + N when signal N ended it).
int run_command(RunOptions options, ServeFunction const& serve);

}  // namespace keyfleet
