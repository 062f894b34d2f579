// NodeRuntime on local redis-server child processes. One supervisor thread forks
// every node (with PR_SET_PDEATHSIG, so no node outlives keyfleet, even after a
// kill -9) and learns of every exit at once through pidfds.
#pragma once

#include "runtime/node_runtime.h"

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <thread>

namespace keyfleet::runtime {

class LocalProcessRuntime final : public NodeRuntime {
public:
    explicit LocalProcessRuntime(std::filesystem::path redis_server);
    ~LocalProcessRuntime() override;

    int start(NodeProcess const& node) override;
    void stop(std::string_view name, std::chrono::milliseconds deadline) override;
    void stop_all(std::chrono::milliseconds deadline) override;
    void discard(std::string_view name) override;
    bool running(std::string_view name) const override;
    std::optional<int> pid(std::string_view name) const override;
    std::vector<std::string> names() const override;
    std::optional<NodeExit> last_exit(std::string_view name) const override;
    bool signal(std::string_view name, int signal_number) override;
    void rename(std::string_view from, std::string_view to, std::filesystem::path const& directory) override;
    void on_exit(std::function<void(NodeExit const&)> callback) override;

private:
    struct Child {
        int pid = 0;
        int pidfd = -1;
        bool stopping = false;
        std::filesystem::path directory;
        std::filesystem::path output;  // its stdout and stderr
        std::filesystem::path log;
        std::uintmax_t log_offset = 0;  // where this run's lines start
    };
    struct SpawnRequest {
        NodeProcess node;
        std::promise<int> pid;
    };

    void supervise();
    int spawn(NodeProcess const& node);
    void reap(std::string const& name);

    std::filesystem::path redis_server_;
    mutable std::mutex mutex_;
    std::condition_variable exited_;
    std::map<std::string, Child, std::less<>> children_;
    std::map<std::string, NodeExit, std::less<>> exits_;  // of nodes not running now
    std::deque<SpawnRequest> requests_;
    std::function<void(NodeExit const&)> on_exit_;
    int wakeup_fd_ = -1;  // eventfd: requests queued or shutting down
    bool shutting_down_ = false;
    std::thread supervisor_;
};

// Nodes of an earlier run that are still alive under nodes_dir: a run killed
// with -9 leaves its nodes saving their data on the way out (PR_SET_PDEATHSIG),
// and a node paused or unable to save would stay forever. Each gets SIGCONT and
// SIGTERM, then `grace` to finish, then SIGKILL; returns once all are gone, so
// a restarted node loads the data its predecessor saved and finds its address free.
// Returns how many there were.
int stop_leftover_nodes(std::filesystem::path const& nodes_dir, std::chrono::milliseconds grace);

// "exited with status 1: <the last lines it wrote>" / "was killed by signal 9":
// how a process ended, from its wait status and, when it failed, from what it
// wrote since `log_offset` in its log (redis-server's log prefixes stripped),
// else in its output.
std::string describe_exit(int wait_status, std::filesystem::path const& output, std::filesystem::path const& log,
                          std::uintmax_t log_offset);

// The redis-server to run (an absolute path): $KEYFLEET_REDIS_SERVER, else the first on PATH.
std::filesystem::path find_redis_server();

}  // namespace keyfleet::runtime
