// The seam between workflows and node processes: start, stop, inspect. One
// implementation today (local redis-server processes); a container runtime can
// implement the same interface.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keyfleet::runtime {

struct NodeProcess {
    std::string name;                 // unique among running nodes, e.g. the node directory's name
    std::filesystem::path directory;  // the node's own directory (working directory of the process)
    std::filesystem::path config;     // its redis.conf
    std::filesystem::path log;        // the log file it writes (its logfile); read when it fails
};

// The node's standard output and error, in its directory: what redis-server says
// before its own log is open (a bad config, a log file it cannot open).
inline constexpr std::string_view output_file_name = "output.log";

struct NodeExit {
    std::string name;
    int pid = 0;
    int wait_status = 0;  // as waitpid reports it
    bool expected = false;  // keyfleet stopped it
    // "exited with status 1: Can't open the log file: Permission denied": how it
    // ended and, when it failed, the last lines it wrote in this run.
    std::string reason;
};

class NodeRuntime {
public:
    virtual ~NodeRuntime() = default;

    // Spawns the node; returns its pid. Throws std::runtime_error when it cannot.
    // Relative paths are taken from keyfleet's working directory.
    virtual int start(NodeProcess const& node) = 0;

    // SIGTERM (redis saves its data when save points are set), then SIGKILL once
    // the deadline passes; returns when the process is gone.
    virtual void stop(std::string_view name, std::chrono::milliseconds deadline) = 0;
    virtual void stop_all(std::chrono::milliseconds deadline) = 0;

    // Ends a node that holds nothing worth saving (an unadopted pool node) at
    // once with SIGKILL, without redis-server's up-to-100 ms wait for its next
    // cron tick to act on SIGTERM; returns when it is gone.
    virtual void discard(std::string_view name) = 0;

    virtual bool running(std::string_view name) const = 0;
    virtual std::optional<int> pid(std::string_view name) const = 0;
    virtual std::vector<std::string> names() const = 0;
    // How the node's last process ended, while no process of it runs.
    virtual std::optional<NodeExit> last_exit(std::string_view name) const = 0;

    // Gives a running node a new name (a pre-started node adopted by a cluster),
    // its directory moved to `directory`.
    virtual void rename(std::string_view from, std::string_view to, std::filesystem::path const& directory) = 0;

    // Sends a signal (fault injection: SIGKILL, SIGSTOP, SIGCONT). False when not running.
    virtual bool signal(std::string_view name, int signal_number) = 0;

    // Called (on the runtime's thread) whenever a node process exits.
    virtual void on_exit(std::function<void(NodeExit const&)> callback) = 0;
};

}  // namespace keyfleet::runtime
