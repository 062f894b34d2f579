#include "runtime/local_process.h"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace keyfleet::runtime {

namespace {

// The pids of redis-server processes whose working directory is under `dir`
// (also when the directory has since been deleted).
std::vector<int> nodes_working_under(std::filesystem::path const& dir)
{
    std::error_code error;
    auto const root = std::filesystem::weakly_canonical(dir, error).string() + "/";
    std::vector<int> pids;
    for (auto const& entry : std::filesystem::directory_iterator("/proc", error)) {
        auto const& name = entry.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos)
            continue;
        auto cwd = std::filesystem::read_symlink(entry.path() / "cwd", error).string();
        if (error)
            continue;
        if (std::string_view const deleted = " (deleted)"; cwd.ends_with(deleted))
            cwd.resize(cwd.size() - deleted.size());
        if (!(cwd + "/").starts_with(root))
            continue;
        std::string command;
        std::getline(std::ifstream(entry.path() / "comm"), command);
        if (command == "redis-server")
            pids.push_back(std::stoi(name));
    }
    return pids;
}

// Waits until the (not necessarily child) process has exited; false on timeout.
bool await_exit(int pidfd, std::chrono::milliseconds timeout)
{
    pollfd fd{pidfd, POLLIN, 0};
    return ::poll(&fd, 1, static_cast<int>(timeout.count())) != 0;
}

}  // namespace

int stop_leftover_nodes(std::filesystem::path const& nodes_dir, std::chrono::milliseconds grace)
{
    std::vector<std::pair<int, int>> leftovers;  // pid, pidfd
    for (int const pid : nodes_working_under(nodes_dir)) {
        int const pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
        if (pidfd < 0)
            continue;  // gone already
        ::kill(pid, SIGCONT);  // a paused node could not act on SIGTERM
        ::kill(pid, SIGTERM);
        leftovers.emplace_back(pid, pidfd);
    }
    auto const deadline = std::chrono::steady_clock::now() + grace;
    for (auto const& [pid, pidfd] : leftovers) {
        auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (!await_exit(pidfd, std::max(left, std::chrono::milliseconds(0)))) {
            spdlog::warn("node process {} of an earlier run did not stop within {} ms; killing it", pid, grace.count());
            ::kill(pid, SIGKILL);
            await_exit(pidfd, std::chrono::seconds(5));
        }
        ::close(pidfd);
    }
    if (!leftovers.empty())
        spdlog::info("stopped {} node processes of an earlier run", leftovers.size());
    return static_cast<int>(leftovers.size());
}

std::filesystem::path find_redis_server()
{
    if (auto const* configured = std::getenv("KEYFLEET_REDIS_SERVER"); configured && *configured)
        return configured;
    if (auto const* path = std::getenv("PATH")) {
        std::string_view rest = path;
        while (!rest.empty()) {
            auto const colon = rest.find(':');
            auto const candidate = std::filesystem::path(rest.substr(0, colon)) / "redis-server";
            if (::access(candidate.c_str(), X_OK) == 0)
                return candidate;
            if (colon == std::string_view::npos)
                break;
            rest.remove_prefix(colon + 1);
        }
    }
    for (auto const* candidate : {"/usr/bin/redis-server", "/usr/local/bin/redis-server"})
        if (::access(candidate, X_OK) == 0)
            return candidate;
    throw std::runtime_error("redis-server not found: install redis-server (tools/setup.sh) or set KEYFLEET_REDIS_SERVER");
}

LocalProcessRuntime::LocalProcessRuntime(std::filesystem::path redis_server) : redis_server_(std::move(redis_server))
{
    wakeup_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wakeup_fd_ < 0)
        throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
    supervisor_ = std::thread([this] { supervise(); });
}

LocalProcessRuntime::~LocalProcessRuntime()
{
    stop_all(std::chrono::seconds(10));
    {
        std::lock_guard lock(mutex_);
        shutting_down_ = true;
    }
    std::uint64_t one = 1;
    [[maybe_unused]] auto const written = ::write(wakeup_fd_, &one, sizeof one);
    supervisor_.join();
    ::close(wakeup_fd_);
}

int LocalProcessRuntime::start(NodeProcess const& node)
{
    std::future<int> pid;
    {
        std::lock_guard lock(mutex_);
        if (children_.contains(node.name))
            throw std::runtime_error("node " + node.name + " is already running");
        requests_.push_back({node, {}});
        pid = requests_.back().pid.get_future();
    }
    std::uint64_t one = 1;
    [[maybe_unused]] auto const written = ::write(wakeup_fd_, &one, sizeof one);
    return pid.get();  // rethrows a spawn failure
}

// Forked on the supervisor thread only: PR_SET_PDEATHSIG fires when the thread
// that forked the child ends, and this thread lives as long as keyfleet.
int LocalProcessRuntime::spawn(NodeProcess const& node)
{
    std::string const program = redis_server_.string();
    std::string const config = node.config.string();
    std::string const directory = node.directory.string();
    pid_t const parent = ::getpid();
    char* const argv[] = {const_cast<char*>(program.c_str()), const_cast<char*>(config.c_str()), nullptr};

    pid_t const pid = ::fork();
    if (pid < 0)
        throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        // Child: async-signal-safe calls only, then exec.
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent)
            ::_exit(1);  // keyfleet died between fork and prctl
        if (::chdir(directory.c_str()) != 0)
            ::_exit(126);
        int const devnull = ::open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            ::dup2(devnull, 0);
            ::dup2(devnull, 1);
            ::dup2(devnull, 2);
        }
        // Nothing of keyfleet's may live on in the node: Asio opens its sockets
        // without close-on-exec, and a node holding the API or an endpoint's
        // listening socket would keep it open after keyfleet closed it.
        ::close_range(3, ~0U, 0);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::execv(program.c_str(), argv);
        ::_exit(127);
    }
    // Through syscall(): Debian 12's <sys/pidfd.h> lacks C linkage for C++.
    int const pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        throw std::runtime_error(std::string("pidfd_open: ") + std::strerror(errno));
    }
    std::lock_guard lock(mutex_);
    children_[node.name] = Child{pid, pidfd, false};
    return pid;
}

void LocalProcessRuntime::supervise()
{
    while (true) {
        std::vector<pollfd> fds{{wakeup_fd_, POLLIN, 0}};
        std::vector<std::string> watched;
        {
            std::lock_guard lock(mutex_);
            if (shutting_down_ && children_.empty())
                return;
            for (auto const& [name, child] : children_) {
                fds.push_back({child.pidfd, POLLIN, 0});
                watched.push_back(name);
            }
        }
        if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) {
            spdlog::error("node supervisor: poll: {}", std::strerror(errno));
            continue;
        }
        if (fds[0].revents & POLLIN) {
            std::uint64_t count = 0;
            [[maybe_unused]] auto const got = ::read(wakeup_fd_, &count, sizeof count);
            std::deque<SpawnRequest> pending;
            {
                std::lock_guard lock(mutex_);
                pending.swap(requests_);
            }
            for (auto& request : pending) {
                try {
                    request.pid.set_value(spawn(request.node));
                } catch (...) {
                    request.pid.set_exception(std::current_exception());
                }
            }
        }
        for (std::size_t i = 1; i < fds.size(); ++i)
            if (fds[i].revents & (POLLIN | POLLHUP))
                reap(watched[i - 1]);
    }
}

void LocalProcessRuntime::reap(std::string const& name)
{
    NodeExit exit;
    {
        std::lock_guard lock(mutex_);
        auto const found = children_.find(name);
        if (found == children_.end())
            return;
        int status = 0;
        if (::waitpid(found->second.pid, &status, WNOHANG) == 0)
            return;  // not exited yet
        ::close(found->second.pidfd);
        exit = {name, found->second.pid, status, found->second.stopping};
        children_.erase(found);
    }
    exited_.notify_all();
    if (!exit.expected)
        spdlog::warn("node {} (pid {}) exited unexpectedly: {}", exit.name, exit.pid,
                     WIFSIGNALED(exit.wait_status) ? "signal " + std::to_string(WTERMSIG(exit.wait_status))
                                                    : "status " + std::to_string(WEXITSTATUS(exit.wait_status)));
    std::function<void(NodeExit const&)> callback;
    {
        std::lock_guard lock(mutex_);
        callback = on_exit_;
    }
    if (callback)
        callback(exit);
}

void LocalProcessRuntime::stop(std::string_view name, std::chrono::milliseconds deadline)
{
    std::unique_lock lock(mutex_);
    auto const found = children_.find(name);
    if (found == children_.end())
        return;
    found->second.stopping = true;
    ::kill(found->second.pid, SIGCONT);  // a paused node could not act on SIGTERM
    ::kill(found->second.pid, SIGTERM);
    auto const gone = [&] { return !children_.contains(name); };
    if (!exited_.wait_for(lock, deadline, gone)) {
        if (auto const still = children_.find(name); still != children_.end()) {
            spdlog::warn("node {} did not stop within {} ms; killing it", name, deadline.count());
            ::kill(still->second.pid, SIGKILL);
        }
        exited_.wait(lock, gone);
    }
}

void LocalProcessRuntime::stop_all(std::chrono::milliseconds deadline)
{
    std::vector<std::string> all;
    {
        std::lock_guard lock(mutex_);
        for (auto& [name, child] : children_) {
            child.stopping = true;
            ::kill(child.pid, SIGCONT);
            ::kill(child.pid, SIGTERM);
            all.push_back(name);
        }
    }
    // They stop in parallel; stop() waits for each (and kills a straggler).
    for (auto const& name : all)
        stop(name, deadline);
}

bool LocalProcessRuntime::running(std::string_view name) const
{
    std::lock_guard lock(mutex_);
    return children_.contains(name);
}

std::optional<int> LocalProcessRuntime::pid(std::string_view name) const
{
    std::lock_guard lock(mutex_);
    auto const found = children_.find(name);
    return found == children_.end() ? std::nullopt : std::optional<int>(found->second.pid);
}

std::vector<std::string> LocalProcessRuntime::names() const
{
    std::lock_guard lock(mutex_);
    std::vector<std::string> all;
    for (auto const& [name, child] : children_)
        all.push_back(name);
    return all;
}

bool LocalProcessRuntime::signal(std::string_view name, int signal_number)
{
    std::lock_guard lock(mutex_);
    auto const found = children_.find(name);
    return found != children_.end() && ::kill(found->second.pid, signal_number) == 0;
}

void LocalProcessRuntime::rename(std::string_view from, std::string_view to)
{
    std::lock_guard lock(mutex_);
    auto const found = children_.find(from);
    if (found == children_.end())
        throw std::runtime_error("no running node " + std::string(from));
    auto node = children_.extract(found);
    node.key() = std::string(to);
    children_.insert(std::move(node));
}

void LocalProcessRuntime::on_exit(std::function<void(NodeExit const&)> callback)
{
    std::lock_guard lock(mutex_);
    on_exit_ = std::move(callback);
}

}  // namespace keyfleet::runtime
